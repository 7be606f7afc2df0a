/* `viz keys`, the messages: which message carried the nonces and KE values, the AUTH step (RFC 7296 2.15)
 * and which key protects which message (3.14). Drawn from ike.tx events, so only what was sent. */
#include <stdio.h>
#include <string.h>

#include "keys_int.h"

#define MAX_KINDS 8 /* IKEv2 exchanges x request/response */

static const char *const EXCHANGES[] = { "IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA", "INFORMATIONAL" };
/* Node names live as long as the graph (kg_define keeps the pointer): one constant per kind of message. */
static const char *const MSG_NAMES[MAX_KINDS] = { "msg IKE_SA_INIT request",     "msg IKE_SA_INIT response",
						  "msg IKE_AUTH request",	 "msg IKE_AUTH response",
						  "msg CREATE_CHILD_SA request", "msg CREATE_CHILD_SA response",
						  "msg INFORMATIONAL request",	 "msg INFORMATIONAL response" };

static int str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int is_response(const viz_event *e)
{
	const char *fl = viz_ev_str(e, "flags");
	return fl && strchr(fl, 'R') != NULL;
}

/* 0..3 for the IKEv2 exchanges, -1 for anything else (IKEv1 messages are not drawn here). */
static int exchange_of(const viz_event *e)
{
	for (int i = 0; i < 4; i++)
		if (str_eq(viz_ev_str(e, "exchange"), EXCHANGES[i]))
			return i;
	return -1;
}

/* A message of generation g: its SPIs; an IKE_SA_INIT request has no responder SPI yet. */
static int of_gen(const gen *g, const viz_event *e)
{
	if (strcmp(e->ev, "ike.tx") != 0 || !str_eq(viz_ev_str(e, "initiator-spi"), g->ispi))
		return 0;
	return exchange_of(e) == 0 ? 1 : str_eq(viz_ev_str(e, "responder-spi"), g->rspi);
}

/* Appends the payload list of a summary ("[ IDi AUTH SA ]") wrapped near 44 columns. */
static void payload_lines(viz_buf *b, const char *sum)
{
	const char *p = sum ? strstr(sum, " [ ") : NULL;
	size_t col = 0;
	if (!p)
		return;
	viz_buf_puts(b, "\\n");
	for (p++; *p; p++) {
		size_t word = strcspn(p + 1, " ");
		if (*p == ' ' && col > 0 && col + 1 + word > 44) {
			viz_buf_puts(b, "\\n");
			col = 0;
			continue;
		}
		viz_buf_put(b, p, 1);
		col++;
	}
}

/* "IKE_AUTH request 1, sent by gw-a, 245 B" and its payloads, as a note; more: how many more of its kind. */
static Agnode_t *msg_node(kctx *k, const viz_event *e, size_t more)
{
	int resp = is_response(e), x = exchange_of(e);
	const char *name = MSG_NAMES[x * 2 + resp];
	viz_buf lab = { 0 };
	viz_buf_printf(&lab, "%s %s %.0f, sent by %s, %.0f B", EXCHANGES[x], resp ? "response" : "request",
		       viz_ev_num(e, "msgid", 0), e->node, viz_ev_num(e, "size", 0));
	payload_lines(&lab, viz_ev_str(e, "summary"));
	if (more)
		viz_buf_printf(&lab, "\\n(and %zu more like it)", more);
	Agnode_t *nd = kg_define(k, name, lab.oom ? name : lab.p);
	if (nd) {
		kg_fit_margin(nd, lab.oom ? name : lab.p);
		viz_gv_set(nd, "shape", "note");
		viz_gv_set(nd, "style", "filled");
		viz_gv_set(nd, "fillcolor", "#f2f3f4");
	}
	viz_buf_free(&lab);
	return nd;
}

/* A labelled edge, dotted for "carries"/"goes into", bold blue for "encrypts". */
static void link(kctx *k, Agnode_t *from, Agnode_t *to, const char *label, int protects)
{
	if (!from || !to)
		return;
	Agedge_t *e = agedge(k->g, from, to, NULL, 1);
	viz_gv_set(e, "label", label);
	viz_gv_set(e, "fontsize", "9");
	viz_gv_set(e, "color", protects ? "#2471a3" : "#7f8c8d");
	viz_gv_set(e, "fontcolor", protects ? "#2471a3" : "#566573");
	viz_gv_set(e, "style", protects ? "bold" : "dotted");
}

/* Whether the AUTH in the message sent at e was a signature: its receiver logged auth.verified for this SA. */
static int signed_auth(const kctx *k, const viz_event *e)
{
	for (size_t i = 0; i < k->t->n; i++) {
		const viz_event *v = &k->t->ev[i];
		if (strcmp(v->ev, "auth.verified") == 0 && strcmp(v->node, e->node) != 0 &&
		    str_eq(viz_ev_str(v, "initiator-spi"), viz_ev_str(e, "initiator-spi")))
			return 1;
	}
	return 0;
}

/*
 * AUTH_i = prf(prf(PSK, "Key Pad for IKEv2"), RealMessage1 | Nr | prf(SK_pi, IDi')), AUTH_r the same with
 * RealMessage2, Ni and SK_pr (RFC 7296 2.15); with certificates, a signature over the same octets.
 */
static void auth_step(kctx *k, const viz_event *sent, Agnode_t *carrier, Agnode_t *real, int resp)
{
	const gen *g = &k->gens[k->cur];
	int sig = signed_auth(k, sent);
	const char *who = resp ? "r" : "i", *name = resp ? "AUTH_r" : "AUTH_i";
	const char *secret = !sig ? "PSK" : resp ? "private key r" : "private key i";
	viz_buf lab = { 0 };
	Agnode_t *key = kg_lookup(k, k->cur, secret);
	if (!key) {
		if (sig)
			viz_buf_printf(&lab, "private key of %s\\n(signs AUTH; never in the trace)", sent->node);
		else
			viz_buf_puts(&lab, "PSK\\npre-shared key\\n(never in the trace)");
		key = kg_define(k, secret, lab.oom ? secret : lab.p);
		if (key)
			viz_gv_set(key, "shape", "ellipse"), viz_gv_set(key, "style", "filled"),
				viz_gv_set(key, "fillcolor", "#f5b7b1");
		viz_buf_free(&lab);
	}
	if (sig)
		viz_buf_printf(&lab, "%s\\n= signature over\\nRealMessage%s | N%s | prf(SK_p%s, ID%s')", name,
			       resp ? "2" : "1", resp ? "i" : "r", who, who);
	else
		viz_buf_printf(&lab, "%s\\n= prf(prf(PSK, \"Key Pad for IKEv2\"),\\nRealMessage%s | N%s | prf(SK_p%s, ID%s'))",
			       name, resp ? "2" : "1", resp ? "i" : "r", who, who);
	if (g->prf)
		viz_buf_printf(&lab, "\\nprf: %s", g->prf);
	viz_buf_puts(&lab, "\\nRFC 7296 2.15");
	Agnode_t *auth = kg_define(k, name, lab.oom ? name : lab.p);
	if (auth) {
		kg_fit_margin(auth, lab.oom ? name : lab.p);
		viz_gv_set(auth, "style", "filled");
		viz_gv_set(auth, "fillcolor", "#fadbd8");
	}
	viz_buf_free(&lab);
	link(k, key, auth, sig ? "signs" : "", 0);
	link(k, real, auth, resp ? "RealMessage2" : "RealMessage1", 0);
	link(k, kg_lookup(k, k->cur, resp ? "Ni" : "Nr"), auth, "", 0);
	link(k, kg_lookup(k, k->cur, resp ? "SK_pr" : "SK_pi"), auth, "", 0);
	link(k, auth, carrier, "AUTH payload", 0);
}

/* Edges from the SK_e (and, without AEAD, SK_a) of the original initiator or responder into a message. */
static void protect(kctx *k, const viz_event *e, Agnode_t *m)
{
	const char *fl = viz_ev_str(e, "flags");
	int by_i = fl && strchr(fl, 'I') != NULL;
	link(k, kg_lookup(k, k->cur, by_i ? "SK_ei" : "SK_er"), m, "encrypts", 1);
	Agnode_t *a = kg_lookup(k, k->cur, by_i ? "SK_ai" : "SK_ar");
	if (a && strcmp(agget(a, "style") ? agget(a, "style") : "", "dashed") != 0)
		link(k, a, m, "integrity", 1);
}

void kg_messages(kctx *k)
{
	const gen *g = &k->gens[k->cur];
	const viz_event *first[MAX_KINDS] = { 0 };
	size_t count[MAX_KINDS] = { 0 };
	for (size_t i = 0; i < k->t->n; i++) {
		const viz_event *e = &k->t->ev[i];
		int x = of_gen(g, e) ? exchange_of(e) : -1;
		if (x < 0 || (x == 0 && k->cur > 0)) /* a rekeyed SA is born in its parent's CREATE_CHILD_SA */
			continue;
		size_t kind = (size_t)x * 2 + (size_t)is_response(e);
		if (x == 0 || !first[kind]) /* the last IKE_SA_INIT request is RealMessage1 (after a retry) */
			first[kind] = e;
		count[kind]++;
	}
	Agnode_t *m[MAX_KINDS] = { 0 };
	for (size_t kind = 0; kind < MAX_KINDS; kind++)
		if (first[kind])
			m[kind] = msg_node(k, first[kind], kind < 2 ? 0 : count[kind] - 1);
	link(k, m[0], kg_lookup(k, k->cur, "Ni"), "carries", 0);
	link(k, m[0], kg_lookup(k, k->cur, "KEi"), "carries", 0);
	link(k, m[1], kg_lookup(k, k->cur, "Nr"), "carries", 0);
	link(k, m[1], kg_lookup(k, k->cur, "KEr"), "carries", 0);
	Agnode_t *above = NULL;
	for (size_t kind = 2; kind < MAX_KINDS; kind++) {
		if (!m[kind])
			continue;
		protect(k, first[kind], m[kind]);
		if (above) /* the later messages in a column, one under the other: taller, not wider */
			viz_gv_set(agedge(k->g, above, m[kind], NULL, 1), "style", "invis");
		above = m[kind];
	}
	for (int resp = 0; resp < 2; resp++) {
		const viz_event *a = first[2 + resp];
		const char *sum = a ? viz_ev_str(a, "summary") : NULL;
		if (sum && strstr(sum, " AUTH ") && m[resp])
			auth_step(k, a, m[2 + resp], m[resp], resp);
	}
}
