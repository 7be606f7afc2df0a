/* `viz ladder`: a message sequence diagram over virtual time (one row per event): pairing and rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder_int.h"

size_t lad_lane_of(const lad_ctx *c, const char *node)
{
	for (size_t i = 0; node && i < c->nlanes; i++)
		if (strcmp(c->lane[i], node) == 0)
			return i;
	return LAD_NONE;
}

static int add_lane(lad_ctx *c, const char *node)
{
	if (lad_lane_of(c, node) != LAD_NONE || strcmp(node, "sim") == 0)
		return 0;
	if (c->nlanes >= LAD_MAX_LANES)
		return -1;
	c->lane[c->nlanes++] = node;
	return 0;
}

/* Every node of the run: the summary's list (scenario order), then any other node seen in an event. */
static int all_lanes(lad_ctx *c)
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

static int known_node(const lad_ctx *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->t->n; i++)
		if (strlen(c->t->ev[i].node) == len && strncmp(c->t->ev[i].node, name, len) == 0)
			return 1;
	return 0;
}

/* --nodes A,B,C: the lifelines in that order; every name must be a node of the trace. */
static int pick_lanes(lad_ctx *c, const char *list, char *msg, size_t n)
{
	if (!list)
		return all_lanes(c) == 0 ? 0 : (snprintf(msg, n, "more than %d nodes", LAD_MAX_LANES), -1);
	while (*list) {
		size_t len = strcspn(list, ",");
		if (len == 0 || !known_node(c, list, len) || c->nlanes >= LAD_MAX_LANES) {
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

int lad_str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Two send events carry the same message when summary, SPI, message ID and flags agree. */
static int same_msg(const viz_event *a, const viz_event *b)
{
	static const char *const f[] = { "summary", "initiator-spi", "flags" };
	for (size_t i = 0; i < 3; i++)
		if (!lad_str_eq(viz_ev_str(a, f[i]), viz_ev_str(b, f[i])))
			return 0;
	return viz_ev_num(a, "msgid", -1) == viz_ev_num(b, "msgid", -2);
}

/* The latest ike.tx on the same node that an ike.retransmit (request) or ike.dup (response) repeats. */
static size_t original_of(const lad_ctx *c, size_t i, int response)
{
	const viz_event *e = &c->t->ev[i];
	for (size_t j = i; j-- > 0;) {
		const viz_event *x = &c->t->ev[j];
		const char *flags = viz_ev_str(x, "flags");
		if (strcmp(x->ev, "ike.tx") != 0 || strcmp(x->node, e->node) != 0 || !flags)
			continue;
		if (lad_str_eq(viz_ev_str(x, "initiator-spi"), viz_ev_str(e, "initiator-spi")) &&
		    viz_ev_num(x, "msgid", -1) == viz_ev_num(e, "msgid", -2) && (strchr(flags, 'R') != NULL) == response)
			return j;
	}
	return LAD_NONE;
}

/* Whether two "address:port" strings name the same address (any port). */
static int same_ip(const char *a, const char *b)
{
	const char *pa = a ? strrchr(a, ':') : NULL, *pb = b ? strrchr(b, ':') : NULL;
	size_t na = pa ? (size_t)(pa - a) : 0, nb = pb ? (size_t)(pb - b) : 0;
	return pa && pb && na == nb && strncmp(a, b, na) == 0;
}

/* The lane that owns an address: seen as the source of an ike.tx or the destination of an ike.rx; else the
 * lane of a node never reached, when the address is the one no node owns. */
size_t lad_lane_of_addr(const lad_ctx *c, const char *addr)
{
	for (size_t i = 0; addr && i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		if ((strcmp(e->ev, "ike.tx") == 0 && lad_str_eq(viz_ev_str(e, "from"), addr)) ||
		    (strcmp(e->ev, "ike.rx") == 0 && lad_str_eq(viz_ev_str(e, "to"), addr)))
			return lad_lane_of(c, e->node);
	}
	return c->orphan_addr && same_ip(addr, c->orphan_addr) ? c->orphan_lane : LAD_NONE;
}

/* Whether some node sent from or received at the address of addr (any port). */
static int ip_owned(const lad_ctx *c, const char *addr)
{
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		if ((strcmp(e->ev, "ike.tx") == 0 && same_ip(viz_ev_str(e, "from"), addr)) ||
		    (strcmp(e->ev, "ike.rx") == 0 && same_ip(viz_ev_str(e, "to"), addr)))
			return 1;
	}
	return 0;
}

/*
 * A peer that never answered (unreachable, every datagram lost) logs no IKE event, so nothing ties its
 * address to its lane. When exactly one drawn lane never sent or received IKE and exactly one address
 * messages went to belongs to no node, they are each other's: a loss on the way there points at that lane.
 */
static void find_orphan(lad_ctx *c)
{
	unsigned char heard[LAD_MAX_LANES] = { 0 };
	size_t silent = LAD_NONE, nsilent = 0;
	const char *addr = NULL;
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		size_t l = lad_lane_of(c, e->node);
		if (l != LAD_NONE && (strcmp(e->ev, "ike.tx") == 0 || strcmp(e->ev, "ike.rx") == 0))
			heard[l] = 1;
	}
	for (size_t l = 0; l < c->nlanes; l++)
		if (!heard[l] && !c->is_nat[l])
			silent = l, nsilent++;
	for (size_t i = 0; nsilent == 1 && i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		const char *to = viz_ev_str(e, "to");
		if (strcmp(e->ev, "ike.tx") != 0 || !to || (addr && same_ip(addr, to)) || ip_owned(c, to))
			continue;
		if (addr) /* two addresses nobody owns: which is whose is not known */
			return;
		addr = to;
	}
	if (nsilent == 1 && addr)
		c->orphan_lane = silent, c->orphan_addr = addr;
}

static void add_send(lad_ctx *c, size_t i, size_t orig, enum lad_kind k)
{
	const viz_event *e = &c->t->ev[i];
	lad_send *s = &c->s[c->ns++];
	*s = (lad_send){ i, orig, LAD_NONE, lad_lane_of(c, e->node), LAD_NONE, k, F_PENDING };
	s->to = k == K_ESP ? lad_esp_to(c, e) : lad_lane_of_addr(c, viz_ev_str(&c->t->ev[orig], "to"));
	if (s->to == LAD_NONE && c->nlanes == 2)
		s->to = 1 - s->from;
}

/* An esp.tx and an esp.rx of the same packet: same SA, same sequence number. */
static int same_packet(const viz_event *tx, const viz_event *rx)
{
	return lad_str_eq(viz_ev_str(tx, "spi"), viz_ev_str(rx, "spi")) &&
	       viz_ev_num(tx, "seq", -1) == viz_ev_num(rx, "seq", -2);
}

/* The earliest pending send that ev i (at its node) ends: same message for ike.rx, any for a drop error,
 * same packet for esp.rx. */
static lad_send *pending_for(lad_ctx *c, size_t i, int any)
{
	const viz_event *e = &c->t->ev[i];
	int esp = strcmp(e->ev, "esp.rx") == 0;
	for (size_t k = c->pend0; k < c->ns; k++) {
		lad_send *s = &c->s[k];
		if (s->fate != F_PENDING || strcmp(c->t->ev[s->ev].node, e->node) == 0 || (s->kind == K_ESP) != esp)
			continue;
		if (esp ? same_packet(&c->t->ev[s->orig], e)
			: any ? s->to == lad_lane_of(c, e->node) : same_msg(&c->t->ev[s->orig], e))
			return s;
	}
	return NULL;
}

/* The earliest pending request to ev i's node with ev i's message ID and IKE SA (for ike.dup). */
static lad_send *pending_request_for(lad_ctx *c, size_t i)
{
	const viz_event *e = &c->t->ev[i];
	for (size_t k = c->pend0; k < c->ns; k++) {
		lad_send *s = &c->s[k];
		const viz_event *o = &c->t->ev[s->orig];
		const char *fl = viz_ev_str(o, "flags");
		if (s->fate == F_PENDING && s->to == lad_lane_of(c, e->node) && fl && !strchr(fl, 'R') &&
		    viz_ev_num(o, "msgid", -1) == viz_ev_num(e, "msgid", -2) &&
		    lad_str_eq(viz_ev_str(o, "initiator-spi"), viz_ev_str(e, "initiator-spi")))
			return s;
	}
	return NULL;
}

static void end_send(lad_ctx *c, lad_send *s, size_t i, enum lad_fate f)
{
	if (s) {
		s->end = i;
		s->fate = f;
	}
	/* Sends before the first pending one are never looked at again: long runs stay linear. */
	while (c->pend0 < c->ns && c->s[c->pend0].fate != F_PENDING)
		c->pend0++;
}

/* Pairs every send with the event that ends it. Sends of nodes not drawn are left out. */
static void match_sends(lad_ctx *c)
{
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		int drawn = lad_lane_of(c, e->node) != LAD_NONE;
		if (strcmp(e->ev, "ike.tx") == 0 && drawn) {
			add_send(c, i, i, K_TX);
		} else if (strcmp(e->ev, "esp.tx") == 0 && drawn && !c->esp_bands && !c->esp_none) {
			add_send(c, i, i, K_ESP);
		} else if (strcmp(e->ev, "esp.rx") == 0) {
			end_send(c, pending_for(c, i, 0), i, F_RECEIVED);
		} else if ((strcmp(e->ev, "ike.retransmit") == 0 || strcmp(e->ev, "ike.dup") == 0) && drawn) {
			int dup = e->ev[4] == 'd';
			if (dup) /* the retransmitted request did arrive: the cached answer is its reception */
				end_send(c, pending_request_for(c, i), i, F_RECEIVED);
			size_t o = original_of(c, i, dup);
			if (o != LAD_NONE)
				add_send(c, i, o, dup ? K_DUP : K_RETX);
		} else if (strcmp(e->ev, "link.drop") == 0) {
			/* The ike.tx or ike.retransmit (esp.tx) of the lost datagram comes just before it (docs/trace.md). */
			int esp = viz_ev_num(e, "proto", 0) == 50;
			for (size_t k = c->ns; k-- > 0;)
				if (strcmp(c->t->ev[c->s[k].ev].node, e->node) == 0 && (c->s[k].kind == K_ESP) == esp) {
					if (c->s[k].fate == F_PENDING)
						end_send(c, &c->s[k], i, F_LOST);
					break;
				}
		} else if (strcmp(e->ev, "ike.rx") == 0) {
			end_send(c, pending_for(c, i, 0), i, F_RECEIVED);
		} else if (strcmp(e->ev, "nat.drop") == 0) {
			size_t k = lad_nat_drop_send(c, i);
			end_send(c, k != LAD_NONE ? &c->s[k] : NULL, i, F_NATDROP);
		} else if (strcmp(e->ev, "error") == 0 && lad_str_eq(viz_ev_str(e, "what"), "drop")) {
			end_send(c, pending_for(c, i, 1), i, F_REJECTED);
		}
	}
}

static int in_window(const lad_ctx *c, const viz_event *e)
{
	return e->t >= c->from && (c->to <= 0 || e->t <= c->to);
}

/* Whether event i starts a drawn send, or ends one with a known receiver (c->start_of, c->end_of). */
static int send_row(const lad_ctx *c, size_t i, int *dup_start)
{
	size_t st = c->start_of[i], en = c->end_of[i];
	*dup_start = st != LAD_NONE && c->s[st].kind == K_DUP;
	return (st != LAD_NONE && c->s[st].from != LAD_NONE) || (en != LAD_NONE && c->s[en].to != LAD_NONE);
}

static void index_sends(lad_ctx *c)
{
	for (size_t i = 0; i < c->t->n; i++)
		c->start_of[i] = c->end_of[i] = LAD_NONE;
	for (size_t k = 0; k < c->ns; k++) {
		c->start_of[c->s[k].ev] = k;
		if (c->s[k].end != LAD_NONE)
			c->end_of[c->s[k].end] = k;
	}
}

/* One row per drawn event in the window, in trace order; a visible gap where virtual time jumps. */
static void assign_rows(lad_ctx *c)
{
	double y = LAD_TOP + LAD_ROW_H;
	int64_t prev = -1;
	for (size_t i = 0; i < c->t->n; i++) {
		const viz_event *e = &c->t->ev[i];
		int dup = 0;
		c->row[i] = LAD_NONE;
		if (!in_window(c, e))
			continue;
		int drawn = lad_is_mark(c, e) || (lad_lane_of(c, e->node) != LAD_NONE && strcmp(e->ev, "ike.rx") == 0);
		drawn |= c->esp_bands && lad_esp_row(c, i);
		drawn |= send_row(c, i, &dup);
		if (!drawn)
			continue;
		if (prev >= 0 && e->t - prev >= LAD_GAP_NS)
			y += LAD_GAP_H;
		c->y[c->nrows] = y;
		c->row[i] = c->nrows++;
		c->ys[i] = y;
		/* A cached response leaves a row below the retransmission it answers, so neither covers the other. */
		if (dup && c->end_of[i] != LAD_NONE && c->s[c->end_of[i]].fate == F_RECEIVED)
			c->ys[i] = y + LAD_ROW_H, y += LAD_ROW_H;
		y += LAD_ROW_H;
		prev = e->t;
	}
}

int viz_ladder(const viz_ladder_opts *o, viz_buf *out, char *msg, size_t msglen)
{
	lad_ctx c = { .t = o->trace };
	if (pick_lanes(&c, o->nodes, msg, msglen) != 0)
		return -1;
	c.s = calloc(o->trace->n, sizeof(*c.s));
	c.row = calloc(o->trace->n, sizeof(*c.row));
	c.y = calloc(o->trace->n, sizeof(*c.y));
	c.ys = calloc(o->trace->n, sizeof(*c.ys));
	c.start_of = calloc(o->trace->n, sizeof(*c.start_of));
	c.end_of = calloc(o->trace->n, sizeof(*c.end_of));
	c.from = o->from_ns, c.to = o->to_ns;
	int rc = -1;
	if (!c.s || !c.row || !c.y || !c.ys || !c.start_of || !c.end_of || lad_esp_prepare(&c, o->esp) != 0 ||
	    lad_nat_prepare(&c) != 0) {
		snprintf(msg, msglen, "out of memory");
	} else {
		find_orphan(&c);
		match_sends(&c);
		index_sends(&c);
		assign_rows(&c);
		rc = 0;
		if (c.nrows == 0 && (c.from > 0 || c.to > 0)) {
			char f[32], t[32];
			viz_time_str(c.from, f, sizeof(f));
			viz_time_str(c.to, t, sizeof(t));
			snprintf(msg, msglen, "%s: nothing to draw between %s s and %s", o->trace->file, f,
				 c.to > 0 ? t : "the end");
			rc = -1;
		} else {
			lad_svg(&c, out);
		}
	}
	free(c.s);
	free(c.row);
	free(c.y);
	free(c.ys);
	free(c.start_of);
	free(c.end_of);
	free(c.ka_reps);
	lad_esp_free(&c);
	return rc;
}
