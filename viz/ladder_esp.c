/* `viz ladder`, the data plane: ESP packets as thin arrows or as bands of runs, drops, impairments, flows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder_int.h"

#define ESP_RX_LOOKBACK 64 /* how many runs back a packet looks for its open run or the run that sent it */

static int is(const viz_event *e, const char *ev)
{
	return strcmp(e->ev, ev) == 0;
}

static int esp_link_drop(const viz_event *e)
{
	return is(e, "link.drop") && viz_ev_num(e, "proto", 0) == 50;
}

int lad_esp_event(const viz_event *e)
{
	return strncmp(e->ev, "esp.", 4) == 0 || strncmp(e->ev, "flow.", 5) == 0 || esp_link_drop(e);
}

/* Marks of the data plane: drops, impairments, SA limits, acquires, a flow's start and end. */
static int esp_mark_kind(const viz_event *e)
{
	if (is(e, "esp.drop") || esp_link_drop(e))
		return 1;
	if (is(e, "esp.impair"))
		return 2;
	if (is(e, "esp.expire") || is(e, "esp.acquire"))
		return 3;
	return is(e, "flow.start") || is(e, "flow.stop") ? 4 : 0;
}

/* The address part of "192.0.2.1:500" / "[2001:db8::1]:500" equals addr. */
static int addr_is(const char *hp, const char *addr)
{
	if (!hp || !addr)
		return 0;
	size_t n = strlen(addr);
	if (hp[0] == '[')
		return strncmp(hp + 1, addr, n) == 0 && hp[n + 1] == ']';
	return strncmp(hp, addr, n) == 0 && (hp[n] == ':' || hp[n] == 0);
}

/* Who receives an SA's packets: the node logging its receptions or drops; else who owns the address. */
static size_t find_receiver(const lad_ctx *c, const viz_event *tx)
{
	const char *spi = viz_ev_str(tx, "spi"), *to = viz_ev_str(tx, "to");
	for (size_t i = 0; spi && i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		if ((is(e, "esp.rx") || (is(e, "esp.drop") && lad_str_eq(viz_ev_str(e, "dir"), "in"))) &&
		    strcmp(e->node, tx->node) != 0 && lad_str_eq(viz_ev_str(e, "spi"), spi))
			return lad_lane_of(c, e->node);
	}
	for (size_t i = 0; to && i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		if ((is(e, "ike.tx") && addr_is(viz_ev_str(e, "from"), to)) ||
		    (is(e, "ike.rx") && addr_is(viz_ev_str(e, "to"), to)))
			return lad_lane_of(c, e->node);
	}
	size_t from = lad_lane_of(c, tx->node);
	return c->nlanes == 2 && from != LAD_NONE ? 1 - from : LAD_NONE;
}

size_t lad_esp_to(lad_ctx *c, const viz_event *tx)
{
	const char *spi = viz_ev_str(tx, "spi");
	for (size_t i = 0; spi && i < c->nspil; i++)
		if (strcmp(c->spil[i].spi, spi) == 0)
			return c->spil[i].lane;
	size_t lane = find_receiver(c, tx);
	if (spi && c->nspil < LAD_MAX_LANES) /* a cache: few SAs, many packets */
		c->spil[c->nspil].spi = spi, c->spil[c->nspil++].lane = lane;
	return lane;
}

static int in_window(const lad_ctx *c, const viz_event *e)
{
	return e->t >= c->from && (c->to <= 0 || e->t <= c->to);
}

/* Whether event e will have a row that is not part of the data plane: runs end there. */
static int breaks_runs(const lad_ctx *c, const viz_event *e)
{
	static const char *const msgs[] = { "ike.tx", "ike.rx", "ike.retransmit", "ike.dup", "link.drop" };
	if (lad_esp_event(e))
		return 0;
	if (lad_is_mark(c, e))
		return 1;
	for (size_t k = 0; k < sizeof(msgs) / sizeof(msgs[0]); k++)
		if (is(e, msgs[k]) && lad_lane_of(c, e->node) != LAD_NONE)
			return 1;
	return 0;
}

static void close_runs(lad_ctx *c, const char *spi)
{
	for (size_t k = c->nruns; k-- > 0 && k + ESP_RX_LOOKBACK >= c->nruns;)
		if (!spi || lad_str_eq(c->runs[k].spi, spi))
			c->runs[k].open = 0;
}

static lad_run *open_run(lad_ctx *c, const viz_event *e)
{
	const char *spi = viz_ev_str(e, "spi");
	for (size_t k = c->nruns; k-- > 0 && k + ESP_RX_LOOKBACK >= c->nruns;)
		if (c->runs[k].open && lad_str_eq(c->runs[k].spi, spi) && c->runs[k].from == lad_lane_of(c, e->node))
			return &c->runs[k];
	return NULL;
}

static int add_tx(lad_ctx *c, size_t i)
{
	const viz_event *e = &c->t->ev[i];
	double seq = viz_ev_num(e, "seq", 0), size = viz_ev_num(e, "size", 0);
	lad_run *r = open_run(c, e);
	if (!r) {
		if (c->nruns == c->runcap) {
			size_t cap = c->runcap ? c->runcap * 2 : 16;
			lad_run *n = realloc(c->runs, cap * sizeof(*n));
			if (!n)
				return -1;
			c->runs = n, c->runcap = cap;
		}
		r = &c->runs[c->nruns];
		*r = (lad_run){ i, i, lad_lane_of(c, e->node), lad_esp_to(c, e), viz_ev_str(e, "spi"), seq, seq, size,
				size, viz_ev_num(e, "encap", 0), 0, 0, 1 };
		c->run_of[i] = c->nruns++;
	}
	r->last = i, r->ntx++;
	r->seq_lo = seq < r->seq_lo ? seq : r->seq_lo, r->seq_hi = seq > r->seq_hi ? seq : r->seq_hi;
	r->size_lo = size < r->size_lo ? size : r->size_lo, r->size_hi = size > r->size_hi ? size : r->size_hi;
	return 0;
}

/* A reception counts for the run that sent its sequence number (the latest of its SPI that did). */
static void add_rx(lad_ctx *c, const viz_event *e)
{
	const char *spi = viz_ev_str(e, "spi");
	double seq = viz_ev_num(e, "seq", -1);
	for (size_t k = c->nruns; k-- > 0 && k + ESP_RX_LOOKBACK >= c->nruns;) {
		lad_run *r = &c->runs[k];
		if (lad_str_eq(r->spi, spi) && seq >= r->seq_lo && seq <= r->seq_hi) {
			r->nrx++;
			return;
		}
	}
}

/* Two drops say the same thing: same node, direction, reason and SA. */
static int same_drop(const viz_event *a, const viz_event *b)
{
	static const char *const f[] = { "ev", "why", "dir", "spi" };
	if (strcmp(a->node, b->node) != 0 || strcmp(a->ev, b->ev) != 0)
		return 0;
	for (size_t k = 1; k < 4; k++) {
		const char *x = viz_ev_str(a, f[k]), *y = viz_ev_str(b, f[k]);
		if ((x || y) && !lad_str_eq(x, y))
			return 0;
	}
	return 1;
}

/* Band mode: runs of packets per SA, ended by anything else drawn or by a drop/impairment on that SA;
 * a drop repeating the previous drawn row (nothing else drawn between) is folded into it. */
static int build_runs(lad_ctx *c)
{
	size_t last_drop = LAD_NONE;
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		if (!in_window(c, e) || (lad_lane_of(c, e->node) == LAD_NONE && !breaks_runs(c, e)))
			continue;
		if (breaks_runs(c, e)) {
			close_runs(c, NULL), last_drop = LAD_NONE;
		} else if (is(e, "esp.tx")) {
			size_t before = c->nruns;
			if (add_tx(c, i) != 0)
				return -1;
			last_drop = c->nruns != before ? LAD_NONE : last_drop;
		} else if (is(e, "esp.rx")) {
			add_rx(c, e);
		} else if (esp_mark_kind(e) == 1 && last_drop != LAD_NONE && same_drop(&c->t->ev[last_drop], e)) {
			c->reps[last_drop]++, c->reps[i] = 0;
		} else if (esp_mark_kind(e)) {
			const char *spi = viz_ev_str(e, "spi");
			if (spi && esp_mark_kind(e) != 4)
				close_runs(c, spi);
			last_drop = esp_mark_kind(e) == 1 ? i : LAD_NONE;
		}
	}
	return 0;
}

int lad_esp_prepare(lad_ctx *c, viz_esp_mode mode)
{
	size_t ntx = 0;
	c->esp_none = mode == VIZ_ESP_NONE;
	c->run_of = malloc(c->t->n * sizeof(*c->run_of) + 1);
	c->reps = malloc(c->t->n * sizeof(*c->reps) + 1);
	if (!c->run_of || !c->reps)
		return -1;
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		c->run_of[i] = LAD_NONE, c->reps[i] = 1;
		ntx += is(e, "esp.tx") && in_window(c, e) && lad_lane_of(c, e->node) != LAD_NONE;
	}
	c->esp_bands = mode == VIZ_ESP_BANDS || (mode == VIZ_ESP_AUTO && ntx > VIZ_ESP_AUTO_MAX);
	return c->esp_bands ? build_runs(c) : 0;
}

void lad_esp_free(lad_ctx *c)
{
	free(c->runs);
	free(c->run_of);
	free(c->reps);
}

int lad_esp_row(const lad_ctx *c, size_t i)
{
	const viz_event *e = &c->t->ev[i];
	if (c->esp_none || lad_lane_of(c, e->node) == LAD_NONE)
		return 0;
	if (c->esp_bands && c->run_of[i] != LAD_NONE)
		return 1;
	int k = esp_mark_kind(e);
	if (k == 1 && esp_link_drop(e) && !c->esp_bands) /* one packet per arrow: its X is the mark */
		return 0;
	return k != 0 && c->reps[i] > 0;
}

static const char *str_or(const viz_event *e, const char *f, const char *dflt)
{
	const char *s = viz_ev_str(e, f);
	return s ? s : dflt;
}

/* The sequence number of the packet an esp.impair acted on: its node's last esp.tx on that SPI. */
static double impaired_seq(const lad_ctx *c, size_t i)
{
	const viz_event *e = &c->t->ev[i];
	for (size_t j = i; j-- > 0;) {
		const viz_event *x = &c->t->ev[j];
		if (is(x, "esp.tx") && strcmp(x->node, e->node) == 0 && lad_str_eq(viz_ev_str(x, "spi"), viz_ev_str(e, "spi")))
			return viz_ev_num(x, "seq", 0);
	}
	return 0;
}

static void impair_text(const lad_ctx *c, size_t i, viz_buf *t)
{
	const viz_event *e = &c->t->ev[i];
	const char *k = str_or(e, "kind", "?");
	double seq = impaired_seq(c, i), after = viz_ev_num(e, "after", 0);
	if (strcmp(k, "replay") == 0 && after == 0)
		viz_buf_printf(t, "network: sends ESP seq %.0f twice", seq);
	else if (strcmp(k, "replay") == 0)
		viz_buf_printf(t, "network: copies ESP seq %.0f, replays it %g packets later", seq, after);
	else if (strcmp(k, "corrupt") == 0)
		viz_buf_printf(t, "network: flips a byte of ESP seq %.0f", seq);
	else if (strcmp(k, "reorder") == 0)
		viz_buf_printf(t, "network: holds ESP seq %.0f back behind %g packets", seq, after);
	else
		viz_buf_printf(t, "network: %s on ESP seq %.0f", k, seq);
}

static void drop_text(const lad_ctx *c, size_t i, viz_buf *t)
{
	const viz_event *e = &c->t->ev[i];
	if (c->reps[i] > 1)
		viz_buf_printf(t, "%zu \xc3\x97 ", c->reps[i]);
	if (esp_link_drop(e))
		viz_buf_printf(t, "ESP lost on the link (%s)", str_or(e, "why", "?"));
	else if (lad_str_eq(viz_ev_str(e, "dir"), "out"))
		viz_buf_printf(t, "not sent: %s", str_or(e, "why", "?"));
	else
		viz_buf_printf(t, "dropped ESP %s: %s", str_or(e, "spi", "?"), str_or(e, "why", "?"));
	if (viz_ev_str(e, "flow") && !lad_str_eq(viz_ev_str(e, "dir"), "in"))
		viz_buf_printf(t, " (flow %s)", viz_ev_str(e, "flow"));
}

int lad_esp_mark(const lad_ctx *c, size_t i, viz_buf *t, viz_buf *tip)
{
	const viz_event *e = &c->t->ev[i];
	int k = esp_mark_kind(e);
	if (!k || c->esp_none)
		return 0;
	viz_buf_printf(tip, "%s", e->ev);
	if (k == 1) {
		drop_text(c, i, t);
		viz_buf_printf(tip, ": %s %s", str_or(e, "dir", ""), str_or(e, "why", "?"));
	} else if (k == 2) {
		impair_text(c, i, t);
		viz_buf_printf(tip, " (fault %g, packet %g of SA %s)", viz_ev_num(e, "fault", -1), viz_ev_num(e, "nth", 0),
			       str_or(e, "spi", "?"));
	} else if (is(e, "esp.acquire")) {
		viz_buf_printf(t, "acquire: no SA yet, starting %s", str_or(e, "conn", "?"));
	} else if (is(e, "esp.expire")) {
		viz_buf_printf(t, "SA %s %s limit: %g packets, %g B: rekey %s", str_or(e, "spi", "?"),
			       str_or(e, "limit", "?"), viz_ev_num(e, "packets", 0), viz_ev_num(e, "bytes", 0),
			       str_or(e, "rekey", "?"));
	} else if (is(e, "flow.start")) {
		viz_buf_printf(t, "flow %s: %s \xe2\x86\x92 %s, %s %g B", str_or(e, "flow", "?"), str_or(e, "from", "?"),
			       str_or(e, "to", "?"), str_or(e, "kind", "?"), viz_ev_num(e, "size", 0));
	} else {
		viz_buf_printf(t, "flow %s: last send (%g sent)", str_or(e, "flow", "?"), viz_ev_num(e, "sent", 0));
	}
	return k;
}

void lad_esp_label(const lad_ctx *c, size_t ev, viz_buf *b)
{
	const viz_event *e = &c->t->ev[ev];
	double encap = viz_ev_num(e, "encap", 0);
	viz_buf_printf(b, "ESP %s seq %.0f, %g B", str_or(e, "spi", "?"), viz_ev_num(e, "seq", 0), viz_ev_num(e, "size", 0));
	if (encap > 0)
		viz_buf_printf(b, " in UDP %g", encap);
}

static void run_label(const lad_run *r, viz_buf *b)
{
	viz_buf_printf(b, "ESP %s ", r->spi ? r->spi : "?");
	if (r->seq_lo == r->seq_hi)
		viz_buf_printf(b, "seq %.0f: 1 packet, %g B", r->seq_lo, r->size_lo);
	else if (r->size_lo == r->size_hi)
		viz_buf_printf(b, "seq %.0f..%.0f: %zu packets, %g B each", r->seq_lo, r->seq_hi, r->ntx, r->size_lo);
	else
		viz_buf_printf(b, "seq %.0f..%.0f: %zu packets, %g..%g B", r->seq_lo, r->seq_hi, r->ntx, r->size_lo,
			       r->size_hi);
	if (r->encap > 0)
		viz_buf_printf(b, ", in UDP %g", r->encap);
	if (r->nrx == r->ntx)
		viz_buf_puts(b, r->ntx == 1 ? ", received" : ", all received");
	else
		viz_buf_printf(b, ", %zu received", r->nrx);
}

size_t lad_esp_longest(const lad_ctx *c)
{
	size_t longest = 0;
	for (size_t k = 0; c->esp_bands && !c->esp_none && k < c->nruns; k++) {
		viz_buf b = { 0 };
		run_label(&c->runs[k], &b);
		longest = b.len > longest ? b.len : longest;
		viz_buf_free(&b);
	}
	return longest;
}

/* One band per run: a wide pale bar between the lanes with an arrow on it, the run's summary above. */
void lad_esp_draw_bands(const lad_ctx *c, viz_buf *b)
{
	char t0[32], t1[32];
	for (size_t k = 0; c->esp_bands && !c->esp_none && k < c->nruns; k++) {
		const lad_run *r = &c->runs[k];
		if (r->from == LAD_NONE || c->row[r->first] == LAD_NONE)
			continue;
		double y = c->y[c->row[r->first]], x1 = lad_lane_x(c, r->from);
		double x2 = r->to != LAD_NONE ? lad_lane_x(c, r->to) : x1 + c->spacing / 2;
		viz_time_str(c->t->ev[r->first].t, t0, sizeof(t0));
		viz_time_str(c->t->ev[r->last].t, t1, sizeof(t1));
		viz_buf_printf(b, "<g class=\"esp-band\"><title>ESP SA %s: packets sent from %s s to %s s; inner packets "
				  "of the flows it carried, encrypted by %s</title>", r->spi ? r->spi : "?", t0, t1,
			       c->lane[r->from]);
		viz_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#aed6f1\" stroke-width=\"9\"/>"
				  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#2471a3\" stroke-width=\"1\" "
				  "marker-end=\"url(#ah5)\"/>", x1, y, x2, y, x1, y, x2, y);
		viz_buf_printf(b, "<text class=\"esp-run\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-family=\"monospace\" "
				  "font-size=\"11\" fill=\"#1a5276\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">",
			       (x1 + x2) / 2, y - 7);
		run_label(r, b);
		if (r->ntx > 1)
			viz_buf_printf(b, ", until %s s", t1);
		viz_buf_puts(b, "</text></g>\n");
	}
}

int lad_esp_drawn(const lad_ctx *c)
{
	if (c->esp_none)
		return 0;
	for (size_t i = 0; i < c->t->n; i++)
		if (c->row[i] != LAD_NONE && (lad_esp_event(&c->t->ev[i]) || c->run_of[i] != LAD_NONE))
			return 1;
	return 0;
}

void lad_esp_legend(viz_buf *b, double y)
{
	viz_buf_printf(b, "<line x1=\"10\" y1=\"%.1f\" x2=\"34\" y2=\"%.1f\" stroke=\"#2471a3\" stroke-width=\"1\"/>"
			  "<text x=\"40\" y=\"%.1f\" font-size=\"11\">ESP packet (SPI, sequence number, size)</text>\n"
			  "<line x1=\"290\" y1=\"%.1f\" x2=\"314\" y2=\"%.1f\" stroke=\"#aed6f1\" stroke-width=\"9\"/>"
			  "<text x=\"320\" y=\"%.1f\" font-size=\"11\">a run of ESP packets on one SA, one band</text>\n"
			  "<path d=\"M570,%.1f l8,8 m0,-8 l-8,8\" stroke=\"#c0392b\" stroke-width=\"2\"/>"
			  "<text x=\"584\" y=\"%.1f\" font-size=\"11\">ESP packet dropped, and why</text>\n",
		       y, y, y + 4, y, y, y + 4, y - 4, y + 4);
}
