/* Traffic selectors on the wire and their narrowing (RFC 7296 2.9). */
#include <stdio.h>
#include <string.h>

#include "ikev2/sa.h"

void v2_ts_to_wire(const ike_ts *ts, size_t n, v2_ts_list *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n && out->n < V2_MAX_TS; i++) {
		v2_ts *w = &out->ts[out->n++];
		w->type = ts[i].family == 4 ? V2_TS_IPV4_ADDR_RANGE : V2_TS_IPV6_ADDR_RANGE;
		w->ip_proto = ts[i].ip_proto;
		w->start_port = ts[i].start_port;
		w->end_port = ts[i].end_port;
		memcpy(w->start, ts[i].start, 16);
		memcpy(w->end, ts[i].end, 16);
	}
}

int v2_ts_from_wire(const v2_ts *w, ike_ts *out)
{
	if (w->type != V2_TS_IPV4_ADDR_RANGE && w->type != V2_TS_IPV6_ADDR_RANGE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->family = w->type == V2_TS_IPV4_ADDR_RANGE ? 4 : 6;
	out->ip_proto = w->ip_proto;
	out->start_port = w->start_port;
	out->end_port = w->end_port;
	memcpy(out->start, w->start, 16);
	memcpy(out->end, w->end, 16);
	return 0;
}

/* Selectors of a type we do not know are skipped and the others narrowed (RFC 9478), never an error. */
size_t v2_ts_narrow(const v2_ts_list *proposed, const ike_ts *ours, size_t n_ours, ike_ts *out, size_t max)
{
	size_t n = 0;
	for (uint8_t i = 0; i < proposed->n; i++) {
		ike_ts t;
		if (v2_ts_from_wire(&proposed->ts[i], &t) != 0)
			continue;
		for (size_t j = 0; j < n_ours && n < max; j++)
			if (ike_ts_intersect(&t, &ours[j], &out[n]))
				n++;
	}
	return n;
}

static bool same_ts(const ike_ts *a, const ike_ts *b)
{
	return a->family == b->family && a->ip_proto == b->ip_proto && a->start_port == b->start_port &&
	       a->end_port == b->end_port && !memcmp(a->start, b->start, 16) && !memcmp(a->end, b->end, 16);
}

int v2_ts_within(const v2_ts_list *got, const ike_ts *ours, size_t n_ours, ike_ts *out, size_t max, size_t *n_out)
{
	size_t known = 0;
	*n_out = 0;
	for (uint8_t i = 0; i < got->n; i++) {
		ike_ts t, x;
		bool inside = false;
		/* A selector type we do not know is skipped, as on the responder's side (RFC 9478). */
		if (v2_ts_from_wire(&got->ts[i], &t) != 0)
			continue;
		known++;
		for (size_t j = 0; j < n_ours && !inside; j++)
			inside = ike_ts_intersect(&t, &ours[j], &x) && same_ts(&x, &t);
		if (!inside)
			return 0;
		if (*n_out < max)
			out[(*n_out)++] = t;
	}
	return known > 0;
}

/* Appends "TSi skipped unknown TS type 10, 12" for selectors of types we do not know; returns the new end. */
static size_t note_skipped(const char *name, const v2_ts_list *l, char *out, size_t cap, size_t at)
{
	unsigned n = 0;
	for (uint8_t i = 0; i < l->n && at + 1 < cap; i++) {
		if (l->ts[i].type == V2_TS_IPV4_ADDR_RANGE || l->ts[i].type == V2_TS_IPV6_ADDR_RANGE)
			continue;
		int k = n++ ? snprintf(out + at, cap - at, ", %u", l->ts[i].type)
			    : snprintf(out + at, cap - at, "%s%s skipped unknown TS type %u", at ? "; " : "", name,
				       l->ts[i].type);
		if (k < 0 || (size_t)k >= cap - at)
			return cap - 1; /* truncated: the text stays NUL-terminated */
		at += (size_t)k;
	}
	return at;
}

const char *v2_ts_refusal(const v2_ts_list *tsi, const v2_ts_list *tsr, char *why, size_t cap)
{
	char skipped[96] = "";
	size_t at = note_skipped("TSi", tsi, skipped, sizeof(skipped), 0);
	note_skipped("TSr", tsr, skipped, sizeof(skipped), at);
	if (!why || !cap)
		return "";
	if (skipped[0])
		snprintf(why, cap, "traffic selectors do not overlap ours (%s, RFC 9478)", skipped);
	else
		snprintf(why, cap, "traffic selectors do not overlap ours");
	return why;
}
