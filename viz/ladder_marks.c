/* `viz ladder`, what is not a message: state boxes, rekeys, DPD, fragments, faults and link-down bands. */
#include <stdio.h>
#include <string.h>

#include "ladder_int.h"

typedef struct mark_style {
	const char *cls, *fill, *stroke;
} mark_style;

static const mark_style ST_IKE = { "state", "#eaf2f8", "#2e86c1" }, ST_CHILD = { "state", "#e9f7ef", "#229954" },
			ST_ERR = { "error", "#fdedec", "#c0392b" }, ST_REKEY = { "rekey", "#d1f2eb", "#117a65" },
			ST_DPD = { "dpd", "#f4ecf7", "#7d3c98" }, ST_FRAG = { "frag", "#fef5e7", "#ca6f1e" },
			ST_FAULT = { "fault", "#f9ebea", "#922b21" }, ST_NATDROP = { "nat-drop", "#fdedec", "#c0392b" },
			ST_NATMAP = { "nat-map", "#e8f8f5", "#0e6655" }, ST_KEEPALIVE = { "keepalive", "#ffffff", "#7f8c8d" };
/* The data plane's marks, by the kind lad_esp_mark returns (1 drop, 2 impairment, 3 SA limit/acquire, 4 flow). */
static const mark_style ST_ESP[] = { { "esp", "#ffffff", "#95a5a6" },	      { "esp-drop", "#fdedec", "#c0392b" },
				     { "esp-impair", "#fef5e7", "#ca6f1e" }, { "esp-sa", "#e8f6f3", "#148f77" },
				     { "flow", "#f8f9f9", "#7f8c8d" } };

static int is(const viz_event *e, const char *ev)
{
	return strcmp(e->ev, ev) == 0;
}

/* A link fault of the simulator (node "sim"): drawn as a band, not a box. */
static int link_fault(const viz_event *e)
{
	const char *k = viz_ev_str(e, "kind");
	return is(e, "fault") && (lad_str_eq(k, "link-down") || lad_str_eq(k, "link-up"));
}

int lad_is_mark(const lad_ctx *c, const viz_event *e)
{
	if (link_fault(e))
		return 1;
	if (lad_lane_of(c, e->node) == LAD_NONE)
		return 0;
	if (lad_esp_event(e)) { /* a band's row is not a box */
		size_t i = (size_t)(e - c->t->ev);
		return c->run_of && lad_esp_row(c, i) && c->run_of[i] == LAD_NONE;
	}
	if (lad_nat_mark(c, e))
		return 1;
	static const char *const evs[] = { "ike_sa.state", "child_sa.state", "error", "ike_sa.rekeyed",
					   "child_sa.rekeyed", "dpd", "ike.frag", "fault" };
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (is(e, evs[i]))
			return 1;
	return 0;
}

static const char *str_or(const viz_event *e, const char *f, const char *dflt)
{
	const char *s = viz_ev_str(e, f);
	return s ? s : dflt;
}

/* A CHILD SA as people tell them apart: its config name and inbound SPI, when the trace has them. */
static void child_id(viz_buf *t, const viz_event *e, const char *spi_field)
{
	const char *name = viz_ev_str(e, "child"), *spi = viz_ev_str(e, spi_field);
	if (name)
		viz_buf_printf(t, " %s", name);
	if (spi && strcmp(spi, "00000000") != 0)
		viz_buf_printf(t, " %s", spi);
}

static const mark_style *state_text(const viz_event *e, viz_buf *t, viz_buf *tip)
{
	const char *ispi = str_or(e, "initiator-spi", "?");
	if (e->ev[0] == 'i') {
		viz_buf_printf(t, "IKE %.8s %s", ispi, str_or(e, "to", "?"));
		viz_buf_printf(tip, "IKE SA %s_i %s_r, ", ispi, str_or(e, "responder-spi", "?"));
	} else {
		size_t before = t->len;
		viz_buf_puts(t, "CHILD");
		child_id(t, e, "spi-in");
		if (t->len == before + 5) /* no name, no SPI yet: say whose CHILD SA it is */
			viz_buf_printf(t, " of IKE %.8s", ispi);
		viz_buf_printf(t, " %s", str_or(e, "to", "?"));
		viz_buf_printf(tip, "CHILD SA in %s out %s of IKE SA %s, ", str_or(e, "spi-in", "?"),
			       str_or(e, "spi-out", "?"), ispi);
	}
	viz_buf_printf(tip, "%s: %s", str_or(e, "transition", "?"), str_or(e, "why", ""));
	return e->ev[0] == 'i' ? &ST_IKE : &ST_CHILD;
}

static const mark_style *rekey_text(const viz_event *e, viz_buf *t, viz_buf *tip)
{
	const char *reason = str_or(e, "reason", "?");
	if (is(e, "ike_sa.rekeyed")) {
		const char *o = str_or(e, "old-initiator-spi", "?"), *n = str_or(e, "initiator-spi", "?");
		viz_buf_printf(t, "IKE rekeyed %.8s \xe2\x86\x92 %.8s (%s)", o, n, reason);
		viz_buf_printf(tip, "IKE SA %s_i %s_r replaced by %s_i %s_r, DH %s", o, str_or(e, "old-responder-spi", "?"),
			       n, str_or(e, "responder-spi", "?"), str_or(e, "dh-group", "?"));
	} else {
		viz_buf_puts(t, "CHILD");
		child_id(t, e, "");
		viz_buf_printf(t, " rekeyed %s \xe2\x86\x92 %s (%s, PFS %s)", str_or(e, "old-spi-in", "?"),
			       str_or(e, "spi-in", "?"), reason, str_or(e, "pfs", "?"));
		viz_buf_printf(tip, "CHILD SA in/out %s/%s replaced by %s/%s", str_or(e, "old-spi-in", "?"),
			       str_or(e, "old-spi-out", "?"), str_or(e, "spi-in", "?"), str_or(e, "spi-out", "?"));
	}
	return &ST_REKEY;
}

static const mark_style *other_text(const viz_event *e, viz_buf *t, viz_buf *tip)
{
	const char *a = str_or(e, "action", str_or(e, "kind", "?"));
	viz_buf_puts(tip, str_or(e, "why", ""));
	if (is(e, "dpd")) {
		if (strcmp(a, "sent") == 0)
			viz_buf_printf(t, "DPD: idle %g s, is the peer alive?", viz_ev_num(e, "after", 0));
		else
			viz_buf_printf(t, "DPD: peer %s", strcmp(a, "answered") == 0 ? "alive" : a);
		return &ST_DPD;
	}
	if (is(e, "ike.frag")) {
		double n = viz_ev_num(e, "fragments", 0), size = viz_ev_num(e, "size", 0);
		if (strcmp(a, "split") == 0)
			viz_buf_printf(t, "split into %g fragments (%g bytes)", n, size);
		else if (strcmp(a, "reassembled") == 0)
			viz_buf_printf(t, "reassembled %g fragments (%g bytes)", n, size);
		else
			viz_buf_printf(t, "fragment %s: %s", a, str_or(e, "why", "?"));
		return &ST_FRAG;
	}
	if (strcmp(a, "reboot") == 0)
		viz_buf_printf(t, "REBOOT (boot %g): all state lost", viz_ev_num(e, "boot", 0));
	else if (strcmp(a, "drop-nth") == 0)
		viz_buf_printf(t, "fault: drop %s %s #%g", str_or(e, "exchange", "?"),
			       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e->json, "response")) ? "response" : "request",
			       viz_ev_num(e, "nth", 0));
	else
		viz_buf_printf(t, "fault: %s", a);
	return &ST_FAULT;
}

/* The label of a link fault, centred between the link's lanes (or the whole ladder) on its row. */
static void link_label(const lad_ctx *c, const viz_event *e, double y, viz_buf *b)
{
	double x0 = lad_lane_x(c, 0), x1 = lad_lane_x(c, c->nlanes ? c->nlanes - 1 : 0);
	viz_buf_printf(b, "<g class=\"fault\"><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-style=\"italic\" "
			  "font-weight=\"bold\" fill=\"#922b21\">link ", (x0 + x1) / 2, y + 4);
	viz_buf_xml(b, str_or(e, "link", "?"));
	viz_buf_puts(b, lad_str_eq(viz_ev_str(e, "kind"), "link-down") ? " down: nothing passes" : " up again");
	viz_buf_puts(b, "</text></g>\n");
}

/* The box's left edge and width for a text of len bytes centred on x, kept inside the picture and right of
 * the time column (a box must not cover the times); cross: room for a drop's X. */
static void box_geom(const lad_ctx *c, double x, size_t len, int cross, double *left, double *w)
{
	*w = (double)len * 6.6 + 16 + (cross ? 14 : 0);
	*left = x - *w / 2 + *w > c->width - 6 ? c->width - 6 - *w : x - *w / 2;
	if (cross == 2) /* a NAT mapping: beside the NAT's lane, left of it, where arrows cross the lane */
		*w -= 14, *left = x - 8 - *w;
	*left = *left < c->left + 6 ? c->left + 6 : *left;
}

/* A rounded box with its text centred on the lifeline at x; a drop's box starts with a red X. */
static void draw_box(const lad_ctx *c, viz_buf *b, const mark_style *st, const viz_buf *t, const viz_buf *tip, double x,
		     double y, int cross)
{
	double xw = cross == 1 ? 14 : 0, w, left;
	box_geom(c, x, t->len, cross, &left, &w);
	viz_buf_printf(b, "<g class=\"%s\"><title>", st->cls);
	viz_buf_xml(b, tip->p ? tip->p : "");
	viz_buf_printf(b, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" rx=\"9\" fill=\"%s\" "
			  "stroke=\"%s\"%s/>",
		       left, y - 9, w, st->fill, st->stroke, st == &ST_REKEY ? " stroke-width=\"2\"" : "");
	if (cross == 1)
		viz_buf_printf(b, "<path d=\"M%.1f,%.1f l8,8 m0,-8 l-8,8\" stroke=\"#c0392b\" stroke-width=\"2\"/>", left + 8,
			       y - 4);
	viz_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">", left + xw + (w - xw) / 2,
		       y + 4);
	viz_buf_xml(b, t->p);
	viz_buf_puts(b, "</text></g>\n");
}

/* A mark's text and tooltip; its style, NULL when it has none. *esp: lad_esp_mark's kind (1: a drop). */
static const mark_style *mark_text(const lad_ctx *c, size_t i, viz_buf *t, viz_buf *tip, int *esp)
{
	const viz_event *e = &c->t->ev[i];
	const mark_style *st;
	*esp = lad_esp_mark(c, i, t, tip);
	int nat = *esp ? 0 : is(e, "nat.map") || is(e, "nat.drop") || is(e, "ike.keepalive") ? lad_nat_text(c, i, t, tip) : 0;
	if (*esp)
		st = &ST_ESP[*esp];
	else if (nat)
		st = nat == 1 ? &ST_NATDROP : nat == 2 ? &ST_NATMAP : &ST_KEEPALIVE, *esp = nat == 1 ? 1 : nat == 2 ? 5 : 0; /* 5: a mapping, drawn beside the lane */
	else if (is(e, "ike_sa.state") || is(e, "child_sa.state"))
		st = state_text(e, t, tip);
	else if (is(e, "ike_sa.rekeyed") || is(e, "child_sa.rekeyed"))
		st = rekey_text(e, t, tip);
	else if (is(e, "error"))
		st = &ST_ERR, viz_buf_printf(t, "error: %s", str_or(e, "why", "?")), viz_buf_puts(tip, str_or(e, "why", ""));
	else
		st = other_text(e, t, tip);
	if (t->oom || tip->oom || !t->p)
		return NULL;
	if (t->len > 84) /* long reasons are in the tooltip */
		memcpy(t->p + 80, "...", 4), t->len = 83;
	return st;
}

/* A state change, rekey, DPD step, fragment step, fault or error: a small box on the node's lifeline. */
void lad_draw_mark(const lad_ctx *c, size_t i, viz_buf *b)
{
	const viz_event *e = &c->t->ev[i];
	double y = c->y[c->row[i]];
	if (link_fault(e)) {
		link_label(c, e, y, b);
		return;
	}
	if (is(e, "ike.keepalive")) { /* a tiny arrow, not a box */
		lad_nat_draw_keepalive(c, i, y, lad_lane_of_addr(c, viz_ev_str(e, "to")), b);
		return;
	}
	viz_buf t = { 0 }, tip = { 0 };
	int esp;
	const mark_style *st = mark_text(c, i, &t, &tip, &esp);
	if (st)
		draw_box(c, b, st, &t, &tip, lad_lane_x(c, lad_lane_of(c, e->node)), y, esp == 1 ? 1 : esp == 5 ? 2 : 0);
	viz_buf_free(&t);
	viz_buf_free(&tip);
}

int lad_mark_rect(const lad_ctx *c, size_t i, lad_rect *r)
{
	const viz_event *e = &c->t->ev[i];
	viz_buf t = { 0 }, tip = { 0 };
	int esp, ok = !link_fault(e) && mark_text(c, i, &t, &tip, &esp) != NULL;
	if (ok) {
		double y = c->y[c->row[i]], left, w;
		box_geom(c, lad_lane_x(c, lad_lane_of(c, e->node)), t.len, esp == 1 ? 1 : esp == 5 ? 2 : 0, &left, &w);
		*r = (lad_rect){ left, y - 9, left + w, y + 9 };
		if (is(e, "ike.keepalive")) /* the arrow and its text start at the lifeline */
			*r = (lad_rect){ left + w / 2 - w, y - 9, left + w / 2 + w, y + 9 };
	}
	viz_buf_free(&t);
	viz_buf_free(&tip);
	return ok;
}

/* The link-up that ends link-down i: same fault number, or the same link name; LAD_NONE if none. */
static size_t link_up_of(const lad_ctx *c, size_t i)
{
	const viz_event *d = &c->t->ev[i];
	for (size_t j = i + 1; j < c->t->n; j++) {
		const viz_event *u = &c->t->ev[j];
		if (!link_fault(u) || !lad_str_eq(viz_ev_str(u, "kind"), "link-up"))
			continue;
		if (viz_ev_num(u, "fault", -1) == viz_ev_num(d, "fault", -2) ||
		    lad_str_eq(viz_ev_str(u, "link"), viz_ev_str(d, "link")))
			return j;
	}
	return LAD_NONE;
}

/* The x range of a link "A-B" between two drawn lanes; the whole ladder when the names do not resolve. */
static void link_span(const lad_ctx *c, const char *link, double *x0, double *x1, double right)
{
	*x0 = c->left + 10, *x1 = right;
	for (size_t a = 0; link && a < c->nlanes; a++)
		for (size_t z = 0; z < c->nlanes; z++) {
			size_t n = strlen(c->lane[a]);
			if (a == z || strncmp(link, c->lane[a], n) != 0 || link[n] != '-' || strcmp(link + n + 1, c->lane[z]))
				continue;
			double xa = lad_lane_x(c, a), xz = lad_lane_x(c, z);
			*x0 = (xa < xz ? xa : xz) - 24, *x1 = (xa < xz ? xz : xa) + 24;
			return;
		}
}

void lad_draw_bands(const lad_ctx *c, viz_buf *b, double right, double bottom)
{
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		if (!link_fault(e) || !lad_str_eq(viz_ev_str(e, "kind"), "link-down"))
			continue;
		size_t up = link_up_of(c, i);
		if (up != LAD_NONE && c->row[up] == LAD_NONE && c->t->ev[up].t < c->from)
			continue; /* over before the window */
		if (c->row[i] == LAD_NONE && c->to > 0 && e->t > c->to)
			continue; /* starts after the window */
		double y0 = c->row[i] != LAD_NONE ? c->y[c->row[i]] - 9 : LAD_TOP;
		double y1 = up != LAD_NONE && c->row[up] != LAD_NONE ? c->y[c->row[up]] + 9 : bottom;
		double x0, x1;
		link_span(c, viz_ev_str(e, "link"), &x0, &x1, right);
		viz_buf_printf(b, "<rect class=\"link-down\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				  "fill=\"#fbeeee\" stroke=\"#e6b0aa\" stroke-dasharray=\"4 3\"/>\n",
			       x0, y0, x1 - x0, y1 - y0);
	}
}

void lad_frag_suffix(const lad_ctx *c, size_t i, viz_buf *b)
{
	const viz_event *e = &c->t->ev[i];
	for (size_t j = i + 1; j < c->t->n && c->t->ev[j].t == e->t; j++) {
		const viz_event *x = &c->t->ev[j];
		if (strcmp(x->node, e->node) != 0)
			continue;
		if (is(x, "ike.tx") || is(x, "ike.retransmit"))
			return;
		if (is(x, "ike.frag") && lad_str_eq(viz_ev_str(x, "action"), "split")) {
			viz_buf_printf(b, " in %g fragments", viz_ev_num(x, "fragments", 0));
			return;
		}
	}
}
