/* `viz ladder`: a message sequence diagram over virtual time, drawn as SVG by hand (one row per event). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz_int.h"

#define MAX_LANES 64
#define NONE ((size_t)-1)
#define ROW_H 26
#define GAP_H 30     /* extra room where virtual time jumps */
#define TOP 70       /* lane name boxes above the first row */
#define LEFT 90      /* time column */
#define CHAR_W 6.7   /* monospace 11px advance, for sizing */
#define GAP_NS 500000000LL

enum kind { K_TX, K_RETX, K_DUP };
enum fate { F_PENDING, F_RECEIVED, F_LOST, F_REJECTED };

typedef struct send {
	size_t ev, orig;    /* the sending event, and the ike.tx it repeats (itself for K_TX) */
	size_t end;         /* event that ends the arrow: ike.rx, link.drop or the receiver's error; NONE */
	size_t from, to;    /* lanes; to may be NONE when the receiver is unknown or not drawn */
	enum kind kind;
	enum fate fate;
} send;

typedef struct lctx {
	const viz_trace *t;
	const char *lane[MAX_LANES];
	size_t nlanes;
	send *s;
	size_t ns;
	size_t *row; /* row of each event, NONE when not drawn */
	double *y;   /* y of each row */
	size_t nrows;
	double spacing;
} lctx;

static size_t lane_of(const lctx *c, const char *node)
{
	for (size_t i = 0; node && i < c->nlanes; i++)
		if (strcmp(c->lane[i], node) == 0)
			return i;
	return NONE;
}

static int add_lane(lctx *c, const char *node)
{
	if (lane_of(c, node) != NONE || strcmp(node, "sim") == 0)
		return 0;
	if (c->nlanes >= MAX_LANES)
		return -1;
	c->lane[c->nlanes++] = node;
	return 0;
}

/* Every node of the run: the summary's list (scenario order), then any other node seen in an event. */
static int all_lanes(lctx *c)
{
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(e->json, "nodes");
		if (strcmp(e->ev, "summary") != 0 || !cJSON_IsArray(nodes))
			continue;
		for (const cJSON *n = nodes->child; n; n = n->next) {
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(n, "name");
			if (cJSON_IsString(name) && add_lane(c, name->valuestring) != 0)
				return -1;
		}
	}
	for (size_t i = 0; i < c->t->n; i++)
		if (add_lane(c, c->t->ev[i].node) != 0)
			return -1;
	return 0;
}

static int known_node(const lctx *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->t->n; i++)
		if (strlen(c->t->ev[i].node) == len && strncmp(c->t->ev[i].node, name, len) == 0)
			return 1;
	return 0;
}

/* --nodes A,B,C: the lifelines in that order; every name must be a node of the trace. */
static int pick_lanes(lctx *c, const char *list, char *msg, size_t n)
{
	if (!list)
		return all_lanes(c) == 0 ? 0 : (snprintf(msg, n, "more than %d nodes", MAX_LANES), -1);
	while (*list) {
		size_t len = strcspn(list, ",");
		if (len == 0 || !known_node(c, list, len) || c->nlanes >= MAX_LANES) {
			snprintf(msg, n, "%s: no node '%.*s' in the trace", c->t->file, (int)len, list);
			return -1;
		}
		for (size_t i = 0; i < c->t->n; i++)
			if (strlen(c->t->ev[i].node) == len && strncmp(c->t->ev[i].node, list, len) == 0) {
				add_lane(c, c->t->ev[i].node);
				break;
			}
		list += len + (list[len] == ',');
	}
	return 0;
}

static int str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Two send events carry the same message when summary, SPI, message ID and flags agree. */
static int same_msg(const viz_event *a, const viz_event *b)
{
	static const char *const f[] = { "summary", "initiator-spi", "flags" };
	for (size_t i = 0; i < 3; i++)
		if (!str_eq(viz_ev_str(a, f[i]), viz_ev_str(b, f[i])))
			return 0;
	return viz_ev_num(a, "msgid", -1) == viz_ev_num(b, "msgid", -2);
}

/* The latest ike.tx on the same node that an ike.retransmit (request) or ike.dup (response) repeats. */
static size_t original_of(const lctx *c, size_t i, int response)
{
	const viz_event *e = &c->t->ev[i];
	for (size_t j = i; j-- > 0;) {
		const viz_event *x = &c->t->ev[j];
		const char *flags = viz_ev_str(x, "flags");
		if (strcmp(x->ev, "ike.tx") != 0 || strcmp(x->node, e->node) != 0 || !flags)
			continue;
		if (str_eq(viz_ev_str(x, "initiator-spi"), viz_ev_str(e, "initiator-spi")) &&
		    viz_ev_num(x, "msgid", -1) == viz_ev_num(e, "msgid", -2) && (strchr(flags, 'R') != NULL) == response)
			return j;
	}
	return NONE;
}

/* The lane that owns an address: seen as the source of an ike.tx or the destination of an ike.rx. */
static size_t lane_of_addr(const lctx *c, const char *addr)
{
	for (size_t i = 0; addr && i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		if ((strcmp(e->ev, "ike.tx") == 0 && str_eq(viz_ev_str(e, "from"), addr)) ||
		    (strcmp(e->ev, "ike.rx") == 0 && str_eq(viz_ev_str(e, "to"), addr)))
			return lane_of(c, e->node);
	}
	return NONE;
}

static void add_send(lctx *c, size_t i, size_t orig, enum kind k)
{
	const viz_event *e = &c->t->ev[i];
	send *s = &c->s[c->ns++];
	*s = (send){ i, orig, NONE, lane_of(c, e->node), NONE, k, F_PENDING };
	s->to = lane_of_addr(c, viz_ev_str(&c->t->ev[orig], "to"));
	if (s->to == NONE && c->nlanes == 2)
		s->to = 1 - s->from;
}

/* The earliest pending send that ev i (at its node) ends: same message for ike.rx, any for a drop error. */
static send *pending_for(lctx *c, size_t i, int any)
{
	const viz_event *e = &c->t->ev[i];
	for (size_t k = 0; k < c->ns; k++) {
		send *s = &c->s[k];
		if (s->fate != F_PENDING || strcmp(c->t->ev[s->ev].node, e->node) == 0)
			continue;
		if (any ? s->to == lane_of(c, e->node) : same_msg(&c->t->ev[s->orig], e))
			return s;
	}
	return NULL;
}

/* The earliest pending request to ev i's node with ev i's message ID and IKE SA (for ike.dup). */
static send *pending_request_for(lctx *c, size_t i)
{
	const viz_event *e = &c->t->ev[i];
	for (size_t k = 0; k < c->ns; k++) {
		send *s = &c->s[k];
		const viz_event *o = &c->t->ev[s->orig];
		const char *fl = viz_ev_str(o, "flags");
		if (s->fate == F_PENDING && s->to == lane_of(c, e->node) && fl && !strchr(fl, 'R') &&
		    viz_ev_num(o, "msgid", -1) == viz_ev_num(e, "msgid", -2) &&
		    str_eq(viz_ev_str(o, "initiator-spi"), viz_ev_str(e, "initiator-spi")))
			return s;
	}
	return NULL;
}

static void end_send(send *s, size_t i, enum fate f)
{
	if (s) {
		s->end = i;
		s->fate = f;
	}
}

/* Pairs every send with the event that ends it. Sends of nodes not drawn are left out. */
static void match_sends(lctx *c)
{
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		int drawn = lane_of(c, e->node) != NONE;
		if (strcmp(e->ev, "ike.tx") == 0 && drawn) {
			add_send(c, i, i, K_TX);
		} else if ((strcmp(e->ev, "ike.retransmit") == 0 || strcmp(e->ev, "ike.dup") == 0) && drawn) {
			int dup = e->ev[4] == 'd';
			if (dup) /* the retransmitted request did arrive: the cached answer is its reception */
				end_send(pending_request_for(c, i), i, F_RECEIVED);
			size_t o = original_of(c, i, dup);
			if (o != NONE)
				add_send(c, i, o, dup ? K_DUP : K_RETX);
		} else if (strcmp(e->ev, "link.drop") == 0) {
			/* The ike.tx or ike.retransmit of the lost datagram comes just before it (docs/trace.md). */
			for (size_t k = c->ns; k-- > 0;)
				if (strcmp(c->t->ev[c->s[k].ev].node, e->node) == 0) {
					if (c->s[k].fate == F_PENDING)
						end_send(&c->s[k], i, F_LOST);
					break;
				}
		} else if (strcmp(e->ev, "ike.rx") == 0) {
			end_send(pending_for(c, i, 0), i, F_RECEIVED);
		} else if (strcmp(e->ev, "error") == 0 && str_eq(viz_ev_str(e, "what"), "drop")) {
			end_send(pending_for(c, i, 1), i, F_REJECTED);
		}
	}
}

static int is_mark(const viz_event *e)
{
	return strcmp(e->ev, "ike_sa.state") == 0 || strcmp(e->ev, "child_sa.state") == 0 ||
	       strcmp(e->ev, "error") == 0;
}

/* One row per drawn event, in trace order; a visible gap where virtual time jumps. */
static void assign_rows(lctx *c)
{
	double y = TOP + ROW_H;
	int64_t prev = -1;
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		c->row[i] = NONE;
		int drawn = lane_of(c, e->node) != NONE && (is_mark(e) || strcmp(e->ev, "ike.rx") == 0);
		for (size_t k = 0; k < c->ns && !drawn; k++)
			drawn = c->s[k].ev == i || (c->s[k].end == i && c->s[k].to != NONE);
		if (!drawn)
			continue;
		if (prev >= 0 && e->t - prev >= GAP_NS)
			y += GAP_H;
		c->y[c->nrows] = y;
		c->row[i] = c->nrows++;
		y += ROW_H;
		prev = e->t;
	}
}

static double lane_x(const lctx *c, size_t lane)
{
	return LEFT + 130 + (double)lane * c->spacing;
}

static const char *msg_color(const send *s)
{
	if (s->fate == F_LOST || s->fate == F_REJECTED)
		return "#c0392b";
	if (s->fate == F_PENDING)
		return "#7f8c8d";
	return s->kind == K_RETX ? "#d35400" : s->kind == K_DUP ? "#8e44ad" : "#1b2631";
}

static void svg_head(const lctx *c, viz_buf *b, double w, double h)
{
	static const char *const colors[] = { "#1b2631", "#d35400", "#8e44ad", "#c0392b", "#7f8c8d" };
	viz_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
			  "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
			  "font-family=\"Helvetica,Arial,sans-serif\" font-size=\"12\">\n<defs>\n", w, h, w, h);
	for (size_t i = 0; i < 5; i++)
		viz_buf_printf(b, "<marker id=\"ah%zu\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
				  "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n",
			       i, colors[i]);
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
	viz_buf_puts(b, "</text>\n");
}

static size_t marker_of(const char *color)
{
	static const char *const colors[] = { "#1b2631", "#d35400", "#8e44ad", "#c0392b", "#7f8c8d" };
	for (size_t i = 0; i < 5; i++)
		if (strcmp(colors[i], color) == 0)
			return i;
	return 0;
}

static void draw_lanes(const lctx *c, viz_buf *b, double bottom)
{
	for (size_t i = 0; i < c->nlanes; i++) {
		double x = lane_x(c, i), w = (double)strlen(c->lane[i]) * 7.5 + 24;
		viz_buf_printf(b, "<g class=\"lane\"><line x1=\"%.1f\" y1=\"52\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#95a5a6\" "
				  "stroke-width=\"1.5\"/>", x, x, bottom);
		viz_buf_printf(b, "<rect x=\"%.1f\" y=\"30\" width=\"%.1f\" height=\"22\" rx=\"4\" fill=\"#ecf0f1\" "
				  "stroke=\"#2c3e50\"/><text x=\"%.1f\" y=\"46\" text-anchor=\"middle\" font-weight=\"bold\">",
			       x - w / 2, w, x);
		viz_buf_xml(b, c->lane[i]);
		viz_buf_puts(b, "</text></g>\n");
	}
}

/* Virtual time at the left of each row where it advanced, and a dashed band where it jumped. */
static void draw_times(const lctx *c, viz_buf *b, double right)
{
	int64_t prev = -1;
	char ts[32];
	for (size_t i = 0; i < c->t->n; i++) {
		size_t r = c->row[i];
		if (r == NONE || c->t->ev[i].t == prev)
			continue;
		if (r > 0 && c->y[r] - c->y[r - 1] > ROW_H) {
			double yb = c->y[r] - ROW_H / 2.0 - GAP_H / 2.0;
			viz_time_str(c->t->ev[i].t - prev, ts, sizeof(ts));
			viz_buf_printf(b, "<line x1=\"10\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#bdc3c7\" "
					  "stroke-dasharray=\"6 4\"/><text x=\"%.1f\" y=\"%.1f\" fill=\"#7f8c8d\" font-style=\"italic\">"
					  "%s s later</text>\n", yb, right, yb, (double)LEFT, yb - 3, ts);
		}
		viz_time_str(c->t->ev[i].t, ts, sizeof(ts));
		viz_buf_printf(b, "<text class=\"time\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#566573\">%s s</text>\n",
			       LEFT, c->y[r] + 4, ts);
		prev = c->t->ev[i].t;
	}
}

static void msg_label(const lctx *c, const send *s, viz_buf *b)
{
	const char *sum = viz_ev_str(&c->t->ev[s->orig], "summary");
	if (s->kind == K_RETX)
		viz_buf_printf(b, "retransmit #%.0f: ", viz_ev_num(&c->t->ev[s->ev], "attempt", 0));
	else if (s->kind == K_DUP)
		viz_buf_puts(b, "cached response again: ");
	viz_buf_xml(b, sum ? sum : "?");
}

/* One message: a line from sender to where it ended (receiver, loss, rejection), its label above its start. */
static void draw_send(const lctx *c, const send *s, viz_buf *b)
{
	const char *col = msg_color(s);
	double x1 = lane_x(c, s->from), y1 = c->y[c->row[s->ev]];
	size_t to = s->fate == F_RECEIVED || s->fate == F_REJECTED ? lane_of(c, c->t->ev[s->end].node) : s->to;
	double xt = to != NONE ? lane_x(c, to) : x1 + (s->from + 1 < c->nlanes || s->from == 0 ? 1 : -1) * c->spacing / 2;
	double y2 = s->end != NONE && c->row[s->end] != NONE ? c->y[c->row[s->end]] : y1 + ROW_H * 0.8;
	double x2 = s->fate == F_LOST ? x1 + (xt - x1) * 0.55 : xt;
	const char *why = s->end != NONE ? viz_ev_str(&c->t->ev[s->end], "why") : NULL;
	viz_buf_printf(b, "<g class=\"message\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			  "stroke-width=\"1.6\"%s", x1, y1, x2, y2, col,
		       s->fate == F_REJECTED || s->fate == F_PENDING ? " stroke-dasharray=\"5 3\"" : "");
	if (s->fate != F_LOST)
		viz_buf_printf(b, " marker-end=\"url(#ah%zu)\"", marker_of(col));
	viz_buf_puts(b, "/>");
	if (s->fate == F_LOST)
		viz_buf_printf(b, "<path d=\"M%.1f,%.1f l10,10 m0,-10 l-10,10\" stroke=\"%s\" stroke-width=\"2.5\"/>"
				  "<text class=\"fate\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\">lost (%s)</text>",
			       x2 - 5, y2 - 5, col, x2 + 9, y2 + 4, col, why ? why : "?");
	viz_buf_printf(b, "<text class=\"msg\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-family=\"monospace\" "
			  "font-size=\"11\" fill=\"%s\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">",
		       (x1 + xt) / 2, y1 - 5, col);
	msg_label(c, s, b);
	viz_buf_printf(b, "</text>%s</g>\n", s->fate == F_PENDING ? "<title>never received</title>" : "");
}

/* A state change or an error: a small box on the node's lifeline, the reason as its tooltip. */
static void draw_mark(const lctx *c, size_t i, viz_buf *b)
{
	const viz_event *e = &c->t->ev[i];
	int err = strcmp(e->ev, "error") == 0;
	const char *what = err ? viz_ev_str(e, "why") : viz_ev_str(e, "to");
	char text[96];
	snprintf(text, sizeof(text), "%s%s", err ? "error: " : e->ev[0] == 'i' ? "IKE " : "CHILD ", what ? what : "?");
	if (strlen(text) > 64)
		memcpy(text + 60, "...", 4);
	double x = lane_x(c, lane_of(c, e->node)), y = c->y[c->row[i]], w = (double)strlen(text) * 6.3 + 14;
	const char *fill = err ? "#fdedec" : e->ev[0] == 'i' ? "#eaf2f8" : "#e9f7ef";
	const char *stroke = err ? "#c0392b" : e->ev[0] == 'i' ? "#2e86c1" : "#229954";
	viz_buf_printf(b, "<g class=\"%s\"><title>", err ? "error" : "state");
	viz_buf_xml(b, viz_ev_str(e, "why"));
	viz_buf_printf(b, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" rx=\"9\" fill=\"%s\" "
			  "stroke=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">",
		       x - w / 2, y - 9, w, fill, stroke, x, y + 4);
	viz_buf_xml(b, text);
	viz_buf_puts(b, "</text></g>\n");
}

static void draw_legend(viz_buf *b, double y)
{
	static const char *const items[][2] = {
		{ "#1b2631", "delivered" }, { "#d35400", "retransmission" }, { "#8e44ad", "cached response resent" },
		{ "#c0392b", "lost on the link (X) or discarded by the receiver (dashed)" }, { "#7f8c8d", "never received" },
	};
	double x = 10;
	for (size_t i = 0; i < 5; i++) {
		viz_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>"
				  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s</text>\n",
			       x, y, x + 24, y, items[i][0], x + 30, y + 4, items[i][1]);
		x += 40 + (double)strlen(items[i][1]) * 6.2;
	}
}

static void ladder_svg(lctx *c, viz_buf *b)
{
	size_t longest = 0;
	for (size_t k = 0; k < c->ns; k++) {
		const char *sum = viz_ev_str(&c->t->ev[c->s[k].orig], "summary");
		size_t n = (sum ? strlen(sum) : 1) + (c->s[k].kind == K_TX ? 0 : 24);
		longest = n > longest ? n : longest;
	}
	c->spacing = (double)longest * CHAR_W + 60;
	c->spacing = c->spacing < 300 ? 300 : c->spacing > 1000 ? 1000 : c->spacing;
	double last = c->nrows ? c->y[c->nrows - 1] : TOP;
	double w = lane_x(c, c->nlanes ? c->nlanes - 1 : 0) + 240, h = last + ROW_H + 50;
	w = w < 900 ? 900 : w;
	svg_head(c, b, w, h);
	draw_lanes(c, b, last + ROW_H);
	draw_times(c, b, w - 10);
	for (size_t i = 0; i < c->t->n; i++)
		if (c->row[i] != NONE && is_mark(&c->t->ev[i]))
			draw_mark(c, i, b);
	for (size_t k = 0; k < c->ns; k++)
		if (c->s[k].from != NONE)
			draw_send(c, &c->s[k], b);
	draw_legend(b, h - 18);
	viz_buf_puts(b, "</svg>\n");
}

int viz_ladder(const viz_ladder_opts *o, viz_buf *out, char *msg, size_t msglen)
{
	lctx c = { .t = o->trace };
	if (pick_lanes(&c, o->nodes, msg, msglen) != 0)
		return -1;
	c.s = calloc(o->trace->n, sizeof(*c.s));
	c.row = calloc(o->trace->n, sizeof(*c.row));
	c.y = calloc(o->trace->n, sizeof(*c.y));
	int rc = -1;
	if (!c.s || !c.row || !c.y) {
		snprintf(msg, msglen, "out of memory");
	} else {
		match_sends(&c);
		assign_rows(&c);
		ladder_svg(&c, out);
		rc = 0;
	}
	free(c.s);
	free(c.row);
	free(c.y);
	return rc;
}
