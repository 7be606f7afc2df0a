/* `viz ladder`, drawing: lifelines, the time column and its elisions, message arrows, the legend. */
#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ladder_int.h"

static const char *const COLORS[] = { "#1b2631", "#d35400", "#8e44ad", "#c0392b", "#7f8c8d" };
#define NCOLORS (sizeof(COLORS) / sizeof(COLORS[0]))

double lad_lane_x(const lad_ctx *c, size_t lane)
{
	return c->left + 130 + (double)lane * c->spacing;
}

#define ESP_COLOR "#2471a3" /* its arrowhead is marker ah5, defined only in pictures that draw ESP */

static const char *msg_color(const lad_send *s)
{
	if (s->fate == F_LOST || s->fate == F_REJECTED || s->fate == F_NATDROP)
		return COLORS[3];
	if (s->fate == F_PENDING)
		return COLORS[4];
	if (s->kind == K_ESP)
		return ESP_COLOR;
	return COLORS[s->kind == K_RETX ? 1 : s->kind == K_DUP ? 2 : 0];
}

static size_t marker_of(const char *color)
{
	if (strcmp(color, ESP_COLOR) == 0)
		return NCOLORS;
	for (size_t i = 0; i < NCOLORS; i++)
		if (strcmp(COLORS[i], color) == 0)
			return i;
	return 0;
}

static void svg_head(const lad_ctx *c, viz_buf *b, double w, double h, int esp)
{
	viz_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
			  "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
			  "font-family=\"Helvetica,Arial,sans-serif\" font-size=\"12\">\n<defs>\n", w, h, w, h);
	for (size_t i = 0; i < NCOLORS; i++)
		viz_buf_printf(b, "<marker id=\"ah%zu\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
				  "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n",
			       i, COLORS[i]);
	if (esp)
		viz_buf_printf(b, "<marker id=\"ah%zu\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" "
				  "markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n",
			       NCOLORS, ESP_COLOR);
	viz_buf_puts(b, "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
	const char *scn = NULL;
	double seed = -1;
	for (size_t i = 0; i < c->t->n && !scn; i++)
		if (strcmp(c->t->ev[i].ev, "sim.start") == 0)
			scn = viz_ev_str(&c->t->ev[i], "scenario"), seed = viz_ev_num(&c->t->ev[i], "seed", -1);
	viz_buf_puts(b, "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Message ladder");
	if (scn) {
		viz_buf_puts(b, ": ");
		viz_buf_xml(b, scn);
		viz_buf_printf(b, " (seed %.0f)", seed);
	}
	if (c->from > 0 || c->to > 0) {
		char f[32], t[32];
		viz_time_str(c->from, f, sizeof(f));
		viz_time_str(c->to, t, sizeof(t));
		viz_buf_printf(b, ", from %s s to %s", f, c->to > 0 ? t : "the end");
		viz_buf_puts(b, c->to > 0 ? " s" : "");
	}
	viz_buf_puts(b, "</text>\n");
}

static void draw_lanes(const lad_ctx *c, viz_buf *b, double bottom)
{
	for (size_t i = 0; i < c->nlanes; i++) {
		double x = lad_lane_x(c, i), w = (double)strlen(c->lane[i]) * 7.5 + 24;
		viz_buf_printf(b, "<g class=\"lane\"><line x1=\"%.1f\" y1=\"52\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#95a5a6\" "
				  "stroke-width=\"1.5\"/>", x, x, bottom);
		viz_buf_printf(b, "<rect x=\"%.1f\" y=\"30\" width=\"%.1f\" height=\"22\" rx=\"4\" fill=\"#ecf0f1\" "
				  "stroke=\"#2c3e50\"/><text x=\"%.1f\" y=\"46\" text-anchor=\"middle\" font-weight=\"bold\">",
			       x - w / 2, w, x);
		viz_buf_xml(b, c->lane[i]);
		viz_buf_puts(b, "</text></g>\n");
	}
}

/* "56 min 1 s", "4 h 2 min", "1 d 3 h": how long a quiet stretch lasted, for people. */
static void human_span(int64_t ns, char *out, size_t cap)
{
	long long s = (long long)(ns / 1000000000);
	if (s >= 86400)
		snprintf(out, cap, "%lld d %lld h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(out, cap, "%lld h %lld min", s / 3600, s % 3600 / 60);
	else
		snprintf(out, cap, "%lld min %lld s", s / 60, s % 60);
}

/* A long quiet stretch: a grey band and a break mark on every lifeline, so hours fold into one gap. */
static void draw_elision(const lad_ctx *c, viz_buf *b, double yb, double right, int64_t span)
{
	char ts[32], hs[32];
	viz_time_str(span, ts, sizeof(ts));
	human_span(span, hs, sizeof(hs));
	viz_buf_printf(b, "<g class=\"elision\"><rect x=\"10\" y=\"%.1f\" width=\"%.1f\" height=\"18\" fill=\"#f4f6f7\"/>",
		       yb - 9, right - 10);
	for (size_t i = 0; i < c->nlanes; i++) {
		double x = lad_lane_x(c, i);
		viz_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"10\" fill=\"#f4f6f7\"/>"
				  "<path d=\"M%.1f,%.1f l12,-4 m-12,10 l12,-4\" stroke=\"#95a5a6\" stroke-width=\"1.5\"/>",
			       x - 6, yb - 5, x - 6, yb - 1);
	}
	/* Right of the first lifeline's break mark, where no lifeline crosses the text. */
	viz_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#7f8c8d\" font-style=\"italic\">%s s later "
			  "(%s of quiet)</text></g>\n", lad_lane_x(c, 0) + 14, yb + 4, ts, hs);
}

/* Virtual time at the left of each row where it advanced, and a dashed band where it jumped. */
static void draw_times(const lad_ctx *c, viz_buf *b, double right)
{
	int64_t prev = -1;
	char ts[32];
	for (size_t i = 0; i < c->t->n; i++) {
		size_t r = c->row[i];
		if (r == LAD_NONE || c->t->ev[i].t == prev)
			continue;
		if (r > 0 && c->y[r] - c->y[r - 1] - LAD_ROW_H >= LAD_GAP_H) {
			double yb = c->y[r] - LAD_ROW_H / 2.0 - LAD_GAP_H / 2.0;
			if (c->t->ev[i].t - prev >= LAD_QUIET_NS) {
				draw_elision(c, b, yb, right, c->t->ev[i].t - prev);
			} else {
				viz_time_str(c->t->ev[i].t - prev, ts, sizeof(ts));
				viz_buf_printf(b, "<line x1=\"10\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#bdc3c7\" "
						  "stroke-dasharray=\"6 4\"/><text x=\"%.1f\" y=\"%.1f\" fill=\"#7f8c8d\" "
						  "font-style=\"italic\">%s s later</text>\n",
					       yb, right, yb, c->left, yb - 3, ts);
			}
		}
		viz_time_str(c->t->ev[i].t, ts, sizeof(ts));
		viz_buf_printf(b, "<text class=\"time\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#566573\">%s s</text>\n",
			       c->left, c->y[r] + 4, ts);
		prev = c->t->ev[i].t;
	}
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p)
		memcpy(p, s, n), p[n] = 0;
	return p;
}

/* "IKE_AUTH request 1 SK{ IDi AUTH ... } under SK_ei, 257 B": the summary with its envelope (RFC 7296 3.14:
 * every exchange after IKE_SA_INIT is encrypted, by the original initiator's or responder's key) and size;
 * IKEv1's "QUICK_MODE request 7 E{ HASH SA No ID ID } under SKEYID_e, 188 B" or "... in clear, 424 B". */
static void ike_label(const viz_event *o, viz_buf *b)
{
	const char *sum = viz_ev_str(o, "summary"), *ex = viz_ev_str(o, "exchange"), *fl = viz_ev_str(o, "flags");
	const char *open = sum ? strstr(sum, " [ ") : NULL;
	size_t n = sum ? strlen(sum) : 0;
	double size = viz_ev_num(o, "size", -1);
	if (!sum || !ex || !fl || size < 0 || !open || n < 2 || strcmp(sum + n - 2, " ]") != 0) {
		viz_buf_xml(b, sum ? sum : "?"); /* a trace without these fields: the summary as it is */
		return;
	}
	/* IKEv1 (RFC 2408 3.1): its own exchange names, and the E flag says whether this message is encrypted, under
	 * the ISAKMP SA's key from SKEYID_e; IKEv2's flags never carry an E */
	bool v1 = strchr(fl, 'E') || strcmp(ex, "ID_PROT") == 0 || strcmp(ex, "AGGRESSIVE") == 0 ||
		  strcmp(ex, "QUICK_MODE") == 0 || strcmp(ex, "TRANSACTION") == 0;
	if (strcmp(ex, "IKE_SA_INIT") == 0 || (v1 && !strchr(fl, 'E'))) {
		viz_buf_xml(b, sum);
		viz_buf_printf(b, " in clear, %g B", size);
		return;
	}
	const char *b0 = open + 3, *b1 = sum + n - 2; /* "[ ]" (a DPD probe): the two overlap, nothing inside */
	char *head = dup_n(sum, (size_t)(open - sum)), *body = dup_n(b0, b1 > b0 ? (size_t)(b1 - b0) : 0);
	if (!head || !body) {
		viz_buf_xml(b, sum);
	} else {
		viz_buf_xml(b, head);
		viz_buf_puts(b, v1 ? " E{ " : " SK{ ");
		viz_buf_xml(b, body);
		viz_buf_printf(b, "%s} under %s, %g B", body[0] ? " " : "",
			       v1 ? "SKEYID_e" : strchr(fl, 'I') ? "SK_ei" : "SK_er", size);
	}
	free(head);
	free(body);
}

static void msg_label(const lad_ctx *c, const lad_send *s, viz_buf *b)
{
	if (s->kind == K_ESP) {
		lad_esp_label(c, s->ev, b);
		return;
	}
	if (s->kind == K_RETX)
		viz_buf_printf(b, "retransmit #%.0f: ", viz_ev_num(&c->t->ev[s->ev], "attempt", 0));
	else if (s->kind == K_DUP)
		viz_buf_puts(b, "cached response again: ");
	ike_label(&c->t->ev[s->orig], b);
	if (s->kind != K_DUP)
		lad_frag_suffix(c, s->ev, b);
	if (c->row[s->ev] == LAD_NONE) { /* a stub: sent before the window */
		char ts[32];
		viz_time_str(c->t->ev[s->ev].t, ts, sizeof(ts));
		viz_buf_printf(b, " (sent at %s s)", ts);
	}
}

/* Where a lost datagram's X goes: short of the lane it was meant for, so the target stays plain. */
static double lost_x(const lad_ctx *c, double x1, double xt, size_t to)
{
	if (to == LAD_NONE)
		return x1 + (xt - x1) * 0.55;
	double d = 0.35 * c->spacing;
	return xt > x1 ? xt - d : xt + d;
}

static void draw_lost(const lad_ctx *c, const lad_send *s, viz_buf *b, double x1, double x2, double y2, size_t to)
{
	const char *col = COLORS[3], *why = viz_ev_str(&c->t->ev[s->end], "why");
	int right = x2 >= x1;
	viz_buf_printf(b, "<path d=\"M%.1f,%.1f l10,10 m0,-10 l-10,10\" stroke=\"%s\" stroke-width=\"2.5\"/>"
			  "<text class=\"fate\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\"%s>lost (",
		       x2 - 5, y2 - 5, col, right ? x2 + 9 : x2 - 9, y2 + 4, col, right ? "" : " text-anchor=\"end\"");
	viz_buf_xml(b, why ? why : "?");
	viz_buf_puts(b, ")");
	if (to == LAD_NONE) { /* the receiver is not drawn: name the address instead */
		viz_buf_puts(b, " on the way to ");
		viz_buf_xml(b, viz_ev_str(&c->t->ev[s->orig], "to"));
	}
	viz_buf_puts(b, "</text>");
}

/* Where an ESP label goes at fraction at of its arrow, just above it, and the angle it is turned by. */
static void esp_label_pos(double x1, double y1, double x2, double y2, double at, double *mx, double *my, double *deg)
{
	double dx = x2 - x1, dy = y2 - y1, len = sqrt(dx * dx + dy * dy);
	double nx = len > 0 ? dy / len : 0, ny = len > 0 ? -dx / len : -1;
	if (ny > 0) /* the side above the line */
		nx = -nx, ny = -ny;
	*mx = x1 + dx * at + nx * 4, *my = y1 + dy * at + ny * 4;
	*deg = atan2(dy, dx) * 180 / M_PI;
	*deg = dx < 0 ? *deg - 180 : *deg; /* read left to right */
}

/* The upright box around a label of n characters (10 px monospace) centred at (mx, my), turned by deg. */
static lad_rect esp_label_rect(double mx, double my, double deg, size_t n)
{
	double h = (double)n * 3.0, cs = cos(deg * M_PI / 180), sn = sin(deg * M_PI / 180);
	double ax = fabs(h * cs), ay = fabs(h * sn);
	return (lad_rect){ mx - ax - 2, my - ay - 10, mx + ax + 2, my + ay + 3 };
}

/* How much of a two boxes share (0: they do not touch). */
static double overlap(const lad_rect *a, const lad_rect *b)
{
	double w = fmin(a->x1, b->x1) - fmax(a->x0, b->x0), h = fmin(a->y1, b->y1) - fmax(a->y0, b->y0);
	return w > 0 && h > 0 ? w * h : 0;
}

/* Labels and boxes already placed (or still to come, like the boxes): an ESP label looks for room among them. */
typedef struct lad_busy {
	lad_rect *r;
	size_t n, cap;
} lad_busy;

static void busy_add(lad_busy *bz, lad_rect r)
{
	if (bz && bz->n < bz->cap)
		bz->r[bz->n++] = r;
}

/* How much of the placed labels and boxes a label of n characters at (mx, my) turned by deg covers: the
 * text measured in 20 px pieces along its baseline, so a slanted label is not taken for its bounding box. */
static double covered(const lad_busy *bz, double mx, double my, double deg, size_t n)
{
	double len = (double)n * 6.0, cs = cos(deg * M_PI / 180), sn = sin(deg * M_PI / 180), sum = 0;
	for (double t = -len / 2; t < len / 2; t += 20) {
		double cx = mx + (t + 10) * cs, cy = my + (t + 10) * sn;
		lad_rect piece = { cx - 10, cy - 9, cx + 10, cy + 2 };
		for (size_t j = 0; j < bz->n; j++)
			sum += overlap(&piece, &bz->r[j]);
	}
	return sum;
}

/* The first place along the arrow where the label covers no other label or box; else the place where it
 * covers least. The middle first, a little past it (boxes on the sender's lifeline come soon after a send). */
static double esp_label_at(lad_busy *bz, double x1, double y1, double x2, double y2, size_t n)
{
	static const double tries[] = { 0.56, 0.5, 0.62, 0.44, 0.68, 0.38, 0.74, 0.32, 0.8, 0.26, 0.2 };
	double best = tries[0], least = -1;
	for (size_t k = 0; bz && k < sizeof(tries) / sizeof(tries[0]) && least != 0; k++) {
		double mx, my, deg;
		esp_label_pos(x1, y1, x2, y2, tries[k], &mx, &my, &deg);
		double cov = covered(bz, mx, my, deg, n);
		if (least < 0 || cov < least)
			least = cov, best = tries[k];
	}
	return best;
}

/* An ESP packet's label lies along its arrow, just above it: packets in flight cross, their labels do not. */
static void esp_label_along(const lad_ctx *c, const lad_send *s, viz_buf *b, lad_busy *bz, double x1, double y1,
			    double x2, double y2, double at)
{
	viz_buf l = { 0 };
	lad_esp_label(c, s->ev, &l);
	at = at > 0 ? at : esp_label_at(bz, x1, y1, x2, y2, l.len);
	double mx, my, deg, dx = x2 - x1;
	esp_label_pos(x1, y1, x2, y2, at, &mx, &my, &deg);
	lad_rect r = esp_label_rect(mx, my, deg, l.len);
	if (at > 0.9) /* anchored at its end: the box is on the receiver's side */
		r = dx < 0 ? (lad_rect){ mx, r.y0, mx + (r.x1 - r.x0), r.y1 } : (lad_rect){ mx - (r.x1 - r.x0), r.y0, mx, r.y1 };
	busy_add(bz, r);
	viz_buf_free(&l);
	viz_buf_printf(b, "<text class=\"esp\" x=\"%.1f\" y=\"%.1f\" transform=\"rotate(%.2f %.1f %.1f)\" "
			  "text-anchor=\"%s\" font-family=\"monospace\" font-size=\"10\" fill=\"%s\" stroke=\"white\" "
			  "stroke-width=\"3\" paint-order=\"stroke\">",
		       mx, my, deg, mx, my, at > 0.9 ? (dx < 0 ? "start" : "end") : "middle", msg_color(s));
}

/* The lane a send ended at: its receiver, or the NAT that dropped it; else the lane it was meant for. */
static size_t end_lane(const lad_ctx *c, const lad_send *s)
{
	int ended = s->fate == F_RECEIVED || s->fate == F_REJECTED || s->fate == F_NATDROP;
	return ended ? lad_lane_of(c, c->t->ev[s->end].node) : s->to;
}

/* The middle of the arrow's first piece: up to the first NAT it crosses, else the whole arrow. */
static double label_x(const lad_ctx *c, double x1, double xt)
{
	size_t nat[LAD_MAX_LANES];
	size_t n = lad_nat_crossed(c, x1, xt, nat, LAD_MAX_LANES);
	return n ? (x1 + lad_lane_x(c, nat[0])) / 2 : (x1 + xt) / 2;
}

/* The arrow's line, in pieces that meet at a dot on every NAT lane it crosses; the first dot says what the
 * NATs rewrote (received IKE messages). */
static void send_line(const lad_ctx *c, const lad_send *s, viz_buf *b, double x1, double y1, double x2, double y2)
{
	size_t nat[LAD_MAX_LANES];
	size_t n = lad_nat_crossed(c, x1, x2, nat, LAD_MAX_LANES);
	double px = x1, py = y1, ny[LAD_MAX_LANES];
	for (size_t k = 0; k < n; k++) {
		double x = lad_lane_x(c, nat[k]), y = lad_nat_cross_y(c, s, nat[k], y1 + (y2 - y1) * (x - x1) / (x2 - x1));
		ny[k] = y < py ? py : y > y2 ? y2 : y; /* never back up in time */
		py = ny[k];
	}
	py = y1;
	for (size_t k = 0; k <= n; k++) {
		double x = k < n ? lad_lane_x(c, nat[k]) : x2;
		double y = k < n ? ny[k] : y2;
		viz_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%s\"%s",
			       px, py, x, y, msg_color(s), s->kind == K_ESP ? "1" : "1.6",
			       s->fate == F_REJECTED || s->fate == F_PENDING ? " stroke-dasharray=\"5 3\"" : "");
		if (k == n && s->fate != F_LOST && s->fate != F_NATDROP)
			viz_buf_printf(b, " marker-end=\"url(#ah%zu)\"", marker_of(msg_color(s)));
		viz_buf_puts(b, "/>");
		px = x, py = y;
	}
	viz_buf rw = { 0 };
	int rewrite = n > 0 && lad_nat_rewrite(c, s, &rw) && !rw.oom;
	for (size_t k = 0; k < n; k++)
		lad_nat_draw_crossing(b, lad_lane_x(c, nat[k]), ny[k], x2, k == 0 && rewrite ? rw.p : NULL);
	viz_buf_free(&rw);
}

/* One message: a line from sender to where it ended (receiver, loss, rejection), its label above its start. */
static void draw_send(const lad_ctx *c, const lad_send *s, viz_buf *b, lad_busy *bz)
{
	const char *col = msg_color(s);
	size_t er = s->end != LAD_NONE ? c->row[s->end] : LAD_NONE;
	size_t to = end_lane(c, s);
	double x1 = lad_lane_x(c, s->from);
	double xt = to != LAD_NONE ? lad_lane_x(c, to)
				   : x1 + (s->from + 1 < c->nlanes || s->from == 0 ? 1 : -1) * c->spacing / 2;
	double y1 = c->row[s->ev] != LAD_NONE ? c->ys[s->ev] : c->y[er] - LAD_ROW_H * 0.8;
	double y2 = er != LAD_NONE ? c->y[er] : y1 + LAD_ROW_H * 0.8;
	/* An ESP label where it finds room (at 0); a packet not accepted in the picture is drawn to its bottom,
	 * and if it was never accepted its label ends at the receiver (its impairment's box covers the start). */
	double at = 0;
	if (er == LAD_NONE && s->kind == K_ESP && s->fate != F_LOST)
		y2 = c->y[c->nrows - 1] + LAD_ROW_H * 0.5, at = s->fate == F_PENDING ? 0.95 : 0;
	double x2 = s->fate == F_LOST ? lost_x(c, x1, xt, s->to) : xt;
	int late = s->end != LAD_NONE && er == LAD_NONE && s->fate != F_LOST && c->to > 0 && c->t->ev[s->end].t > c->to;
	if (s->kind == K_ESP)
		viz_buf_puts(b, "<g class=\"message\">");
	else /* the report's step-through finds the arrow of a message by its event's index */
		viz_buf_printf(b, "<g class=\"message\" data-ev=\"%zu\">", s->ev);
	if (late) /* arrives after the window: dashed, whatever it crosses */
		viz_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%s\" "
				  "stroke-dasharray=\"5 3\" marker-end=\"url(#ah%zu)\"/>",
			       x1, y1, x2, y2, col, s->kind == K_ESP ? "1" : "1.6", marker_of(col));
	else
		send_line(c, s, b, x1, y1, x2, y2);
	if (s->fate == F_LOST)
		draw_lost(c, s, b, x1, x2, y2, s->to);
	if (s->kind == K_ESP)
		esp_label_along(c, s, b, bz, x1, y1, x2, y2, at);
	else
		viz_buf_printf(b, "<text class=\"msg\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-family=\"monospace\" "
				  "font-size=\"11\" fill=\"%s\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">",
			       label_x(c, x1, xt), y1 - 5, col);
	msg_label(c, s, b);
	viz_buf_printf(b, "</text>%s</g>\n", s->fate == F_PENDING && s->kind == K_ESP
						     ? "<title>not accepted: dropped by the receiver (its drops, the red X marks, "
						       "carry no sequence number) or still in flight when the run ended</title>"
					     : s->fate == F_PENDING ? "<title>never received</title>"
					     : late			? "<title>arrives after the window</title>"
									: "");
}

static void draw_legend(viz_buf *b, double y)
{
	static const char *const items[] = { "delivered", "retransmission", "cached response resent",
					     "lost on the link (X) or discarded by the receiver (dashed)", "never received" };
	double x = 10;
	for (size_t i = 0; i < NCOLORS; i++) {
		viz_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>"
				  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s</text>\n",
			       x, y, x + 24, y, COLORS[i], x + 30, y + 4, items[i]);
		x += 40 + (double)strlen(items[i]) * 6.2;
	}
}

static int drawn(const lad_ctx *c, const lad_send *s)
{
	return s->from != LAD_NONE &&
	       (c->row[s->ev] != LAD_NONE || (s->end != LAD_NONE && c->row[s->end] != LAD_NONE && s->to != LAD_NONE));
}

/* The time column is as wide as its longest time ("28.156506105 s"), and never narrower than LAD_LEFT. */
static void time_column(lad_ctx *c)
{
	char ts[32];
	size_t longest = 0;
	for (size_t i = 0; i < c->t->n; i++)
		if (c->row[i] != LAD_NONE) {
			viz_time_str(c->t->ev[i].t, ts, sizeof(ts));
			longest = strlen(ts) > longest ? strlen(ts) : longest;
		}
	c->left = (double)(longest + 2) * 7 + 10;
	c->left = c->left < LAD_LEFT ? LAD_LEFT : c->left;
}

/* Where ESP packets cross NAT lanes: their labels keep off the dots. */
static void busy_nat_dots(const lad_ctx *c, lad_busy *bz)
{
	for (size_t k = 0; k < c->ns; k++) {
		const lad_send *s = &c->s[k];
		size_t er = s->end != LAD_NONE ? c->row[s->end] : LAD_NONE, to = end_lane(c, s), nat[LAD_MAX_LANES];
		if (s->kind != K_ESP || !drawn(c, s) || to == LAD_NONE || er == LAD_NONE || c->row[s->ev] == LAD_NONE)
			continue;
		double x1 = lad_lane_x(c, s->from), x2 = lad_lane_x(c, to), y1 = c->ys[s->ev], y2 = c->y[er];
		size_t n = lad_nat_crossed(c, x1, x2, nat, LAD_MAX_LANES);
		for (size_t j = 0; j < n; j++) {
			double x = lad_lane_x(c, nat[j]), y = y1 + (y2 - y1) * (x - x1) / (x2 - x1);
			busy_add(bz, (lad_rect){ x - 6, y - 6, x + 6, y + 6 });
		}
	}
}

/* What ESP labels must not cover: every IKE message's label and every box. */
static void busy_init(const lad_ctx *c, lad_busy *bz)
{
	bz->cap = c->ns + c->nrows + 1 + c->ns * (size_t)(lad_nat_drawn(c) ? c->nlanes : 0);
	bz->r = malloc(bz->cap * sizeof(*bz->r));
	if (!bz->r)
		return; /* labels go to their default place */
	for (size_t k = 0; k < c->ns; k++) {
		const lad_send *s = &c->s[k];
		if (s->kind == K_ESP || !drawn(c, s))
			continue;
		size_t er = s->end != LAD_NONE ? c->row[s->end] : LAD_NONE;
		size_t to = end_lane(c, s);
		double x1 = lad_lane_x(c, s->from), xt = to != LAD_NONE ? lad_lane_x(c, to) : x1 + c->spacing / 2;
		double y1 = c->row[s->ev] != LAD_NONE ? c->ys[s->ev] : c->y[er] - LAD_ROW_H * 0.8;
		viz_buf l = { 0 };
		msg_label(c, s, &l);
		double half = (double)l.len * 3.35;
		double lx = label_x(c, x1, xt);
		busy_add(bz, (lad_rect){ lx - half, y1 - 16, lx + half, y1 - 2 });
		viz_buf_free(&l);
	}
	for (size_t i = 0; i < c->t->n; i++) {
		lad_rect r;
		if (c->row[i] != LAD_NONE && lad_is_mark(c, &c->t->ev[i]) && lad_mark_rect(c, i, &r))
			busy_add(bz, r);
	}
	busy_nat_dots(c, bz);
}

void lad_svg(lad_ctx *c, viz_buf *b)
{
	size_t longest = 0;
	time_column(c);
	for (size_t k = 0; k < c->ns; k++) {
		if (!drawn(c, &c->s[k]))
			continue;
		viz_buf l = { 0 };
		msg_label(c, &c->s[k], &l);
		longest = l.len > longest ? l.len : longest;
		viz_buf_free(&l);
	}
	int esp = lad_esp_drawn(c);
	size_t bands = esp ? lad_esp_longest(c) : 0;
	longest = bands > longest ? bands : longest;
	c->spacing = (double)longest * LAD_CHAR_W + 60;
	c->spacing = c->spacing < 300 ? 300 : c->spacing > 1000 ? 1000 : c->spacing;
	/* ESP labels sit mid-way along their arrows: room for them between the boxes on both lifelines. */
	c->spacing = esp && c->spacing < 560 ? 560 : c->spacing;
	double last = c->nrows ? c->y[c->nrows - 1] : LAD_TOP;
	int nat = lad_nat_drawn(c);
	double w = lad_lane_x(c, c->nlanes ? c->nlanes - 1 : 0) + 240;
	double h = last + LAD_ROW_H + 50 + (esp ? 20 : 0) + (nat ? 20 : 0);
	w = w < 960 ? 960 : w; /* the legend is 940 wide */
	c->width = w;
	svg_head(c, b, w, h, esp);
	lad_draw_bands(c, b, w - 10, last + LAD_ROW_H);
	draw_lanes(c, b, last + LAD_ROW_H);
	draw_times(c, b, w - 10);
	lad_esp_draw_bands(c, b);
	lad_busy bz = { 0 };
	size_t npkt = 0;
	for (size_t k = 0; k < c->ns; k++)
		npkt += c->s[k].kind == K_ESP && drawn(c, &c->s[k]);
	if (npkt > 0 && npkt <= LAD_PLACE_MAX) /* placing is quadratic: beyond this, labels go mid-way */
		busy_init(c, &bz);
	for (size_t k = 0; k < c->ns; k++)
		if (drawn(c, &c->s[k]))
			draw_send(c, &c->s[k], b, bz.r ? &bz : NULL);
	free(bz.r);
	/* Boxes last: an arrow that leaves its lifeline above a box passes behind it, not through its text. */
	for (size_t i = 0; i < c->t->n; i++)
		if (c->row[i] != LAD_NONE && lad_is_mark(c, &c->t->ev[i]))
			lad_draw_mark(c, i, b);
	draw_legend(b, h - 18 - (esp ? 20 : 0) - (nat ? 20 : 0));
	if (esp)
		lad_esp_legend(b, h - 18 - (nat ? 20 : 0));
	if (nat)
		lad_nat_legend(b, h - 18);
	viz_buf_puts(b, "</svg>\n");
}
