/* `viz ladder`, NAT boxes: which lanes are NATs, where a datagram crosses one and what it rewrote, the NAT's
 * own marks (mapping life, drops) and NAT keepalives as tiny arrows, folded when they repeat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder_int.h"

#define NAT_COLOR "#0e6655"
#define KA_COLOR "#7f8c8d"

static int is(const viz_event *e, const char *ev)
{
	return strcmp(e->ev, ev) == 0;
}

/* A lane is a NAT when its node logs nat.* events or the summary gives it NAT counters. */
static void find_nat_lanes(lad_ctx *c)
{
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		if (strncmp(e->ev, "nat.", 4) == 0) {
			size_t l = lad_lane_of(c, e->node);
			if (l != LAD_NONE)
				c->is_nat[l] = 1;
		}
		const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(e->json, "nodes");
		if (!is(e, "summary") || !cJSON_IsArray(nodes))
			continue;
		for (const cJSON *n = nodes->child; n; n = n->next) {
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(n, "name");
			if (cJSON_IsString(name) && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(n, "nat"))) {
				size_t l = lad_lane_of(c, name->valuestring);
				if (l != LAD_NONE)
					c->is_nat[l] = 1;
			}
		}
	}
}

/* Events that never get a row of their own: they do not end a run of keepalives. */
static int quiet_event(const viz_event *e)
{
	static const char *const evs[] = { "kdf", "ike.natd", "ike.float", "sa.selected", "auth.verified",
					   "ike.initial_contact", "sim.start", "esp.sa" };
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (is(e, evs[i]))
			return 1;
	return 0;
}

static int refresh_event(const viz_event *e)
{
	return is(e, "nat.map") && lad_str_eq(viz_ev_str(e, "what"), "refreshed");
}

/* Keepalives of one node with nothing drawn between them but other keepalives and the mapping refreshes
 * they cause are one row: the first keepalive's, which says how many (c->ka_reps; 0 = folded). */
static void fold_keepalives(lad_ctx *c)
{
	size_t head[LAD_MAX_LANES], head_refresh[LAD_MAX_LANES];
	size_t last_ka = LAD_NONE; /* the last event that counts was this keepalive: the next refresh is its own */
	for (size_t l = 0; l < LAD_MAX_LANES; l++)
		head[l] = head_refresh[l] = LAD_NONE;
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		size_t l = lad_lane_of(c, e->node);
		c->ka_reps[i] = 1;
		last_ka = is(e, "ike.keepalive") && l != LAD_NONE && e->t >= c->from ? i : refresh_event(e) ? LAD_NONE : last_ka;
		if (last_ka == i && head[l] != LAD_NONE) {
			c->ka_reps[head[l]]++, c->ka_reps[i] = 0;
			if (head_refresh[l] != LAD_NONE) /* a run: the first keepalive's refresh goes in it too */
				c->ka_reps[head_refresh[l]] = 0;
		} else if (last_ka == i) {
			head[l] = i, head_refresh[l] = LAD_NONE;
		} else if (refresh_event(e)) {
			for (size_t k = 0; k < LAD_MAX_LANES; k++) /* whose keepalive caused it: the latest before it */
				if (head[k] != LAD_NONE && head_refresh[k] == LAD_NONE && c->ka_reps[head[k]] == 1 &&
				    i > head[k] && (i - head[k]) < 8)
					head_refresh[k] = i;
			for (size_t j = i; j-- > 0 && i - j < 8;) {
				const viz_event *x = &c->t->ev[j];
				if (is(x, "ike.keepalive")) {
					c->ka_reps[i] = c->ka_reps[j] == 0 ? 0 : 1; /* the refresh of a folded keepalive */
					break;
				}
				if (!quiet_event(x) && !refresh_event(x))
					break; /* something else refreshed it */
			}
		} else if (!quiet_event(e)) {
			for (size_t k = 0; k < LAD_MAX_LANES; k++)
				head[k] = head_refresh[k] = LAD_NONE;
			last_ka = LAD_NONE;
		}
	}
}

int lad_nat_prepare(lad_ctx *c)
{
	c->ka_reps = calloc(c->t->n ? c->t->n : 1, sizeof(*c->ka_reps));
	if (!c->ka_reps)
		return -1;
	find_nat_lanes(c);
	fold_keepalives(c);
	return 0;
}

static int lad_nat_folded(const lad_ctx *c, size_t i)
{
	return c->ka_reps && c->ka_reps[i] == 0;
}

int lad_nat_mark(const lad_ctx *c, const viz_event *e)
{
	if (is(e, "nat.map") || is(e, "nat.drop") || is(e, "ike.keepalive"))
		return !lad_nat_folded(c, (size_t)(e - c->t->ev));
	return 0;
}

/* The pending send that a NAT drop ends: the latest one addressed where the dropped datagram was going. */
size_t lad_nat_drop_send(const lad_ctx *c, size_t i)
{
	const viz_event *d = &c->t->ev[i];
	const char *to = viz_ev_str(d, "to");
	char esp_to[96];
	for (size_t k = c->ns; k-- > c->pend0;) {
		const lad_send *s = &c->s[k];
		const viz_event *o = &c->t->ev[s->orig];
		if (s->fate != F_PENDING || o->t > d->t)
			continue;
		if (s->kind == K_ESP) /* esp.tx names the address; the port is its encapsulation's */
			snprintf(esp_to, sizeof(esp_to), "%s:%.0f", viz_ev_str(o, "to") ? viz_ev_str(o, "to") : "",
				 viz_ev_num(o, "encap", 0));
		if (lad_str_eq(s->kind == K_ESP ? esp_to : viz_ev_str(o, "to"), to))
			return k;
	}
	return LAD_NONE;
}

/* The NAT lanes strictly between two x positions, in the order a datagram from x1 to x2 meets them. */
size_t lad_nat_crossed(const lad_ctx *c, double x1, double x2, size_t *out, size_t cap)
{
	size_t n = 0;
	for (size_t l = 0; l < c->nlanes && n < cap; l++) {
		double x = lad_lane_x(c, l);
		if (c->is_nat[l] && ((x1 < x && x < x2) || (x2 < x && x < x1)))
			out[n++] = l;
	}
	if (x2 < x1) /* right to left: the nearest first */
		for (size_t a = 0, z = n ? n - 1 : 0; a < z; a++, z--) {
			size_t t = out[a];
			out[a] = out[z], out[z] = t;
		}
	return n;
}

/* "10.1.0.2:500 → 203.0.113.1:500": what the NATs on the way changed, from the sender's ike.tx and the
 * receiver's ike.rx (the source on the way out, the destination on the way in; both through two NATs). */
int lad_nat_rewrite(const lad_ctx *c, const lad_send *s, viz_buf *b)
{
	if (s->kind == K_ESP || s->fate != F_RECEIVED || s->end == LAD_NONE)
		return 0;
	const viz_event *o = &c->t->ev[s->orig], *r = &c->t->ev[s->end];
	const char *sf = viz_ev_str(o, "from"), *st = viz_ev_str(o, "to");
	const char *rf = viz_ev_str(r, "from"), *rt = viz_ev_str(r, "to");
	int src = sf && rf && strcmp(sf, rf) != 0, dst = st && rt && strcmp(st, rt) != 0;
	if (src)
		viz_buf_printf(b, "from %s \xe2\x86\x92 %s", sf, rf);
	if (dst)
		viz_buf_printf(b, "%sto %s \xe2\x86\x92 %s", src ? ", " : "", st, rt);
	return src || dst;
}

/* A crossing: a dot on the NAT lane where the arrow bends, and the rewrite just past it. */
void lad_nat_draw_crossing(viz_buf *b, double x, double y, double xnext, const char *rewrite)
{
	viz_buf_printf(b, "<circle class=\"nat-cross\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>", x, y, NAT_COLOR);
	if (!rewrite)
		return;
	int right = xnext > x;
	viz_buf_printf(b, "<text class=\"nat-rewrite\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-family=\"monospace\" "
			  "font-size=\"10\" fill=\"%s\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">",
		       right ? x + 7 : x - 7, y - 5, right ? "start" : "end", NAT_COLOR);
	viz_buf_xml(b, rewrite);
	viz_buf_puts(b, "</text>");
}

/* The text of a NAT mark; its kind: 1 a drop (red X), 2 a mapping, 3 a keepalive. */
int lad_nat_text(const lad_ctx *c, size_t i, viz_buf *t, viz_buf *tip)
{
	const viz_event *e = &c->t->ev[i];
	const char *what = viz_ev_str(e, "what"), *in = viz_ev_str(e, "inside"), *out = viz_ev_str(e, "outside");
	if (is(e, "nat.drop")) {
		viz_buf_printf(t, "NAT drops it: %s (%s \xe2\x86\x92 %s)", viz_ev_str(e, "why") ? viz_ev_str(e, "why") : "?",
			       viz_ev_str(e, "from") ? viz_ev_str(e, "from") : "?", viz_ev_str(e, "to") ? viz_ev_str(e, "to") : "?");
		viz_buf_printf(tip, "nat.drop %s: proto %.0f from %s to %s, %.0f bytes", viz_ev_str(e, "why"),
			       viz_ev_num(e, "proto", 0), viz_ev_str(e, "from"), viz_ev_str(e, "to"), viz_ev_num(e, "size", 0));
		return 1;
	}
	if (is(e, "nat.map")) {
		viz_buf_printf(t, "map %s %s \xe2\x87\x84 %s%s", what ? what : "?", in ? in : "?", out ? out : "?",
			       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e->json, "fixed")) ? " (forwarded)" : "");
		viz_buf_printf(tip, "nat.map %s: inside %s, outside %s%s%s", what, in, out,
			       viz_ev_str(e, "remote") ? ", remote " : "", viz_ev_str(e, "remote") ? viz_ev_str(e, "remote") : "");
		return 2;
	}
	size_t n = c->ka_reps ? c->ka_reps[i] : 1;
	if (n > 1) {
		size_t last = i;
		for (size_t j = i + 1; j < c->t->n; j++)
			if (is(&c->t->ev[j], "ike.keepalive") && strcmp(c->t->ev[j].node, e->node) == 0 && c->ka_reps[j] == 0)
				last = j;
		char ts[32];
		viz_time_str(c->t->ev[last].t, ts, sizeof(ts));
		viz_buf_printf(t, "keepalive \xc3\x97 %zu, every %.3g s until %s s", n,
			       (double)(c->t->ev[last].t - e->t) / 1e9 / (double)(n - 1), ts);
	} else {
		viz_buf_puts(t, "keepalive");
	}
	viz_buf_printf(tip, "NAT keepalive (RFC 3948 2.3: one 0xFF byte) from %s to %s", viz_ev_str(e, "from"),
		       viz_ev_str(e, "to"));
	return 3;
}

/* A keepalive: a tiny grey arrow from the sender toward its peer, its text past the tip. */
void lad_nat_draw_keepalive(const lad_ctx *c, size_t i, double y, size_t peer, viz_buf *b)
{
	viz_buf t = { 0 }, tip = { 0 };
	lad_nat_text(c, i, &t, &tip);
	double x = lad_lane_x(c, lad_lane_of(c, c->t->ev[i].node));
	int right = peer == LAD_NONE ? 1 : lad_lane_x(c, peer) > x;
	double x2 = right ? x + 34 : x - 34;
	viz_buf_puts(b, "<g class=\"keepalive\"><title>");
	viz_buf_xml(b, tip.p ? tip.p : "");
	viz_buf_printf(b, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\" "
			  "marker-end=\"url(#ah4)\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"10\" "
			  "fill=\"%s\">",
		       x, y, x2, y, KA_COLOR, right ? x2 + 4 : x2 - 4, y + 4, right ? "start" : "end", KA_COLOR);
	viz_buf_xml(b, t.p ? t.p : "");
	viz_buf_puts(b, "</text></g>\n");
	viz_buf_free(&t);
	viz_buf_free(&tip);
}

/* Where an arrow crosses NAT lane `lane`: on the row of the mapping its datagram made or refreshed there (the
 * NAT's own time, so the arrow bends), else where a straight line would (dflt). */
double lad_nat_cross_y(const lad_ctx *c, const lad_send *s, size_t lane, double dflt)
{
	const viz_event *o = &c->t->ev[s->orig];
	const char *from = viz_ev_str(o, "from");
	size_t last = s->end != LAD_NONE ? s->end : c->t->n;
	for (size_t j = s->ev + 1, seen = 0; from && j < last && j < c->t->n && seen < 400; j++, seen++) {
		const viz_event *e = &c->t->ev[j];
		if (is(e, "nat.map") && c->row[j] != LAD_NONE && lad_lane_of(c, e->node) == lane &&
		    lad_str_eq(viz_ev_str(e, "inside"), from))
			return c->y[c->row[j]];
	}
	return dflt;
}

int lad_nat_drawn(const lad_ctx *c)
{
	for (size_t l = 0; l < c->nlanes; l++)
		if (c->is_nat[l])
			return 1;
	return 0;
}

/* The NAT line of the legend: crossings, mappings, drops, keepalives. */
void lad_nat_legend(viz_buf *b, double y)
{
	viz_buf_printf(b, "<circle cx=\"22\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/><text x=\"40\" y=\"%.1f\" font-size=\"11\">"
			  "crosses a NAT (beside it, what the NAT rewrote)</text>\n", y, NAT_COLOR, y + 4);
	viz_buf_printf(b, "<rect x=\"330\" y=\"%.1f\" width=\"24\" height=\"10\" rx=\"5\" fill=\"#e8f8f5\" stroke=\"%s\"/>"
			  "<text x=\"360\" y=\"%.1f\" font-size=\"11\">NAT mapping created, refreshed, expired</text>\n",
		       y - 5, NAT_COLOR, y + 4);
	viz_buf_printf(b, "<path d=\"M600,%.1f l8,8 m0,-8 l-8,8\" stroke=\"#c0392b\" stroke-width=\"2\"/>"
			  "<text x=\"614\" y=\"%.1f\" font-size=\"11\">dropped by the NAT, and why</text>\n", y - 4, y + 4);
	viz_buf_printf(b, "<line x1=\"790\" y1=\"%.1f\" x2=\"812\" y2=\"%.1f\" stroke=\"%s\" marker-end=\"url(#ah4)\"/>"
			  "<text x=\"818\" y=\"%.1f\" font-size=\"11\">NAT keepalive</text>\n", y, y, KA_COLOR, y + 4);
}
