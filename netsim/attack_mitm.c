/*
 * mitm_downgrade: a router on the path that rewrites every IKE_SA_INIT request it forwards. Its "keep"
 * proposal names the choices it wants the peers to end up with; of each offered proposal it keeps, for every
 * transform type "keep" names, only the offered transforms "keep" lists, and it drops the proposals that
 * offer none of them. The responder then picks a weak proposal, but the initiator's AUTH signs the request it
 * sent, not the one the responder got (RFC 7296 2.15): the first AUTH check fails. Responses pass untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack_int.h"
#include "crypto/registry.h"

static bool kept(const v2_sa *keep, const v2_transform *t)
{
	for (uint8_t j = 0; j < keep->prop[0].n; j++) {
		const v2_transform *k = &keep->prop[0].t[j];
		if (k->type == t->type && k->id == t->id && k->keylen == t->keylen)
			return true;
	}
	return false;
}

static bool names_type(const v2_sa *keep, uint8_t type)
{
	for (uint8_t j = 0; j < keep->prop[0].n; j++)
		if (keep->prop[0].t[j].type == type)
			return true;
	return false;
}

/* The offer cut down to keep; false when no proposal offers what keep wants. */
static bool cut_down(const v2_sa *offer, const v2_sa *keep, v2_sa *out)
{
	memset(out, 0, sizeof(*out));
	for (uint8_t i = 0; i < offer->n; i++) {
		const v2_proposal *p = &offer->prop[i];
		v2_proposal q = *p;
		bool ok = true;
		q.n = 0;
		q.attr_unknown = 0;
		for (uint8_t type = IKE_TT_ENCR; type <= IKE_TT_DH && ok; type++) {
			uint8_t had = 0;
			for (uint8_t j = 0; j < p->n; j++) {
				if (p->t[j].type != type || (names_type(keep, type) && !kept(keep, &p->t[j])))
					continue;
				q.t[q.n++] = p->t[j];
				had++;
			}
			ok = had || !names_type(keep, type);
		}
		for (uint8_t j = 0; j < p->n && ok; j++) /* ESN and unknown types pass as they came */
			if (p->t[j].type > IKE_TT_DH)
				q.t[q.n++] = p->t[j];
		if (ok) {
			q.num = p->num; /* renumbered, it would not match the initiator's own numbering: caught at once */
			out->prop[out->n++] = q;
		}
	}
	return out->n > 0;
}

/* The request with its SA payload replaced by sa, into out; its length or 0. */
static size_t rebuild(const v2_header *h, const v2_chain *c, const v2_sa *sa, uint8_t *out, size_t cap)
{
	v2_builder b;
	v2_begin(&b, out, cap, h);
	for (uint8_t i = 0; i < c->n; i++) {
		const v2_payload *pl = &c->pl[i];
		if (pl->type == V2_PL_SA)
			v2_add_sa(&b, sa);
		else
			v2_add_raw(&b, pl->type, pl->critical, pl->body, pl->len);
	}
	return v2_finish(&b, 0);
}

static void trace(sim_atk *a, int64_t now, const char *what, const v2_header *h, const v2_sa *offer,
		  const v2_sa *left, size_t before, size_t after)
{
	char o[400], l[400], f[1100];
	sim_atk_format_sa(offer, o, sizeof(o));
	sim_atk_format_sa(left, l, sizeof(l));
	snprintf(f, sizeof(f), "\"why\":\"%s\",\"initiator-spi\":\"%016llx\",\"offered\":\"%s\",\"forwarded\":\"%s\",\"size\":%zu,\"new-size\":%zu,\"n\":%llu",
		 what, (unsigned long long)h->spi_i, o, l, before, after, (unsigned long long)a->count);
	sim_atk_event(a, now, "attack.downgrade", f);
}

static const char *mitm_fwd(void *ctx, int64_t now, uint32_t node, size_t in_link, uint8_t proto, ike_addr *from,
			    ike_addr *to, uint8_t *data, size_t *len, size_t cap)
{
	sim_atk *a = ctx;
	(void)node, (void)in_link, (void)from;
	v2_header h;
	v2_chain c;
	uint8_t bad;
	if (proto != SIM_PROTO_UDP || to->port != 500 || v2_parse_header(data, *len, &h) != V2_OK ||
	    h.exchange != V2_IKE_SA_INIT || (h.flags & (V2_F_INITIATOR | V2_F_RESPONSE)) != V2_F_INITIATOR ||
	    v2_parse_chain(h.next_payload, data + V2_HDR_LEN, h.length - V2_HDR_LEN, V2_HDR_LEN, &c, &bad) != V2_OK)
		return NULL; /* not an IKE_SA_INIT request it can read: forwarded as it is */
	const v2_payload *psa = v2_chain_find(&c, V2_PL_SA);
	v2_sa offer, keep, left;
	if (!psa || v2_parse_sa(psa->body, psa->len, &offer) != V2_OK)
		return NULL;
	sim_atk_v2_sa(&a->spec->ike, &keep);
	if (!cut_down(&offer, &keep, &left)) {
		trace(a, now, "nothing to downgrade to: forwarded as it came", &h, &offer, &offer, *len, *len);
		return NULL;
	}
	uint8_t *buf = malloc(cap);
	size_t n = buf ? rebuild(&h, &c, &left, buf, cap) : 0;
	if (!n) { /* proposals only go, so the message only shrinks: this is out of memory */
		free(buf);
		trace(a, now, "the rewritten request would not fit: forwarded as it came", &h, &offer, &offer, *len, *len);
		return NULL;
	}
	if (n == *len && !memcmp(buf, data, n)) {
		free(buf);
		trace(a, now, "already weak: forwarded as it came", &h, &offer, &offer, *len, *len);
		return NULL;
	}
	a->count++;
	trace(a, now, "rewrote the SA offer", &h, &offer, &left, *len, n);
	memcpy(data, buf, n);
	*len = n;
	free(buf);
	return NULL;
}

int sim_atk_mitm_setup(sim_atk *a)
{
	char keep[300], f[400];
	v2_sa sa;
	sim_atk_v2_sa(&a->spec->ike, &sa);
	sim_atk_format_sa(&sa, keep, sizeof(keep));
	snprintf(f, sizeof(f), "\"kind\":\"mitm_downgrade\",\"keep\":\"%s\"", keep);
	sim_atk_event(a, 0, "attack.start", f);
	return a->r->be.set_forward(a->r->be.impl, a->spec->node, mitm_fwd, a);
}
