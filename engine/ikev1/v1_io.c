/* IKEv1 plumbing: the SA list, sending and retransmitting, the deadline, state rows, traces and SA events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/prf.h"
#include "crypto/registry.h"
#include "ikev1/v1_sa.h"
#include "ikev2/sa.h"
#include "peer/peer.h"

static ike_time half_open(const ike_peer *p)
{
	return p->cfg.half_open_timeout > 0 ? p->cfg.half_open_timeout : 30 * IKE_NS_PER_SEC;
}

v1_ike_sa *v1_sa_new(ike_peer *p, size_t conn, bool initiator, const ike_addr *local, const ike_addr *remote,
		     ike_time now)
{
	v1_ike_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	sa->peer = p;
	sa->conn_idx = conn;
	sa->conn = &p->cfg.conns[conn];
	sa->initiator = initiator;
	sa->local = *local;
	sa->remote = *remote;
	sa->timer_at = sa->p1_rekey_at = sa->ka_at = IKE_TIME_NEVER;
	sa->born = now;
	sa->child.rekey_at = sa->old.rekey_at = IKE_TIME_NEVER;
	sa->next = p->v1_sas;
	p->v1_sas = sa;
	return sa;
}

void v1_child_wipe(v1_child *c)
{
	ike_dh_free(c->dh);
	if (c->keymat)
		OPENSSL_clear_free(c->keymat, c->km_len);
	OPENSSL_cleanse(c, sizeof(*c));
}

void v1_sa_free(v1_ike_sa *sa)
{
	for (v1_ike_sa **pp = &sa->peer->v1_sas; *pp; pp = &(*pp)->next)
		if (*pp == sa) {
			*pp = sa->next;
			break;
		}
	ike_dh_free(sa->dh);
	free(sa->sai_b);
	free(sa->mm6);
	v1_child_wipe(&sa->child);
	v1_child_wipe(&sa->old);
	ike_v1_keys_wipe(&sa->k);
	v1_cipher_wipe(&sa->ci);
	OPENSSL_clear_free(sa, sizeof(*sa));
}

void v1_free_all(ike_peer *p)
{
	while (p->v1_sas)
		v1_sa_free(p->v1_sas);
}

v1_ike_sa *v1_sa_find(ike_peer *p, uint64_t cky_i, uint64_t cky_r, const ike_addr *from)
{
	for (v1_ike_sa *sa = p->v1_sas; sa; sa = sa->next) {
		if (sa->cky_i != cky_i)
			continue;
		/* both cookies known: the SA whatever the address (NAT-T moves ports, RFC 3947 4) */
		if (cky_r && sa->cky_r == cky_r)
			return sa;
		if (!v2_same_addr(&sa->remote, from))
			continue;
		/* MM1 and its retransmissions carry a zero responder cookie */
		if (sa->cky_r == cky_r || (!cky_r && !sa->initiator) || (sa->initiator && !sa->cky_r))
			return sa;
	}
	return NULL;
}

static void flags_str(uint8_t f, char *out)
{
	size_t n = 0;
	if (f & V1_F_ENCRYPTION)
		out[n++] = 'E';
	if (f & V1_F_COMMIT)
		out[n++] = 'C';
	if (f & V1_F_AUTH_ONLY)
		out[n++] = 'A';
	out[n] = 0;
}

void v1_trace_msg(ike_peer *p, ike_time now, const char *ev, const v1_header *h, const v1_chain *c, size_t size,
		  const ike_addr *from, const ike_addr *to, const char *dir)
{
	if (!p->host.trace)
		return;
	char sum[512], a[64], b[64], fl[4];
	v1_summary(h, dir, c, sum, sizeof(sum));
	flags_str(h->flags, fl);
	v2_addr_str(from, a, sizeof(a));
	v2_addr_str(to, b, sizeof(b));
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "summary", sum);
	ike_jsonw_str(&w, "exchange", v1_exchange_name(h->exchange));
	ike_jsonw_int(&w, "msgid", h->msg_id);
	ike_jsonw_str(&w, "flags", fl);
	ike_jsonw_int(&w, "size", (int64_t)size);
	ike_jsonw_str(&w, "from", a);
	ike_jsonw_str(&w, "to", b);
	ike_jsonw_spi(&w, "initiator-spi", h->cky_i);
	ike_jsonw_spi(&w, "responder-spi", h->cky_r);
	v2_emit(p, now, ev, &w);
}

static void sa_fields(ike_jsonw *w, const v1_ike_sa *sa)
{
	if (!sa)
		return;
	ike_jsonw_str(w, "conn", sa->conn->name);
	ike_jsonw_spi(w, "initiator-spi", sa->cky_i);
	ike_jsonw_spi(w, "responder-spi", sa->cky_r);
}

void v1_trace_error(ike_peer *p, ike_time now, const v1_ike_sa *sa, const char *what, const char *why,
		    uint16_t notify)
{
	if (!p->host.trace)
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "what", what);
	ike_jsonw_str(&w, "why", why);
	if (notify)
		ike_jsonw_str(&w, "notify", v1_notify_name(notify));
	sa_fields(&w, sa);
	v2_emit(p, now, "error", &w);
}

void v1_trace_kdf(v1_ike_sa *sa, ike_time now, const char *name, const char *inputs, const uint8_t *v, size_t n)
{
	if (!sa->peer->host.trace)
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "name", name);
	ike_jsonw_raw(&w, "inputs", inputs);
	ike_jsonw_int(&w, "len", (int64_t)n);
	sa_fields(&w, sa);
	if (sa->peer->cfg.reveal_keys || !strcmp(name, "Ni") || !strcmp(name, "Nr"))
		ike_jsonw_hex(&w, "value", v, n);
	v2_emit(sa->peer, now, "kdf", &w);
}

void v1_trace_selected(v1_ike_sa *sa, ike_time now, bool esp)
{
	if (!sa->peer->host.trace)
		return;
	char prop[128];
	if (esp)
		v1_p2_format(&sa->child.alg, prop, sizeof(prop));
	else
		v1_p1_format(&sa->alg, prop, sizeof(prop));
	uint16_t encr = esp ? sa->child.alg.encr : sa->alg.encr == V1_ENCR_3DES ? IKE_ENCR_3DES : IKE_ENCR_AES_CBC,
		 kl = esp ? sa->child.alg.encr_keylen : sa->alg.key_len;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "sa", esp ? "esp" : "ike");
	ike_jsonw_str(&w, "proposal", prop);
	ike_jsonw_str(&w, "encr-alg", v1_alg_name(IKE_TT_ENCR, encr, kl));
	ike_jsonw_int(&w, "encr-keysize", encr == IKE_ENCR_3DES ? 192 : kl);
	if (esp && sa->child.alg.integ)
		ike_jsonw_str(&w, "integ-alg", v1_alg_name(IKE_TT_INTEG, sa->child.alg.integ, 0));
	if (!esp) { /* IKEv1's one hash: the PRF (HMAC) and HASH_I/R, IVs */
		static const char *const names[] = { "?", "MD5", "SHA1", "?", "SHA2_256", "SHA2_384", "SHA2_512" };
		ike_jsonw_str(&w, "hash-alg", sa->alg.hash < 7 ? names[sa->alg.hash] : "?");
		ike_jsonw_str(&w, "auth-method", sa->alg.auth == V1_AUTH_RSA_SIG		 ? "RSA_SIG"
						 : sa->alg.auth == V1_AUTH_XAUTH_INIT_PSK ? "XAUTH_INIT_PSK"
											  : "PSK");
	}
	uint16_t dh = esp ? sa->child.alg.pfs : sa->alg.group;
	if (dh)
		ike_jsonw_str(&w, "dh-group", ike_transform_name(IKE_TT_DH, dh, 0));
	sa_fields(&w, sa);
	v2_emit(sa->peer, now, "sa.selected", &w);
}

size_t v1_seal_msg(v1_ike_sa *sa, v1_iv *iv, uint8_t *msg, size_t len)
{
	size_t out = 0;
	if (v1_seal(sa->peer->cfg.crypto, &sa->ci, iv, msg, len, V1_MSG_MAX, &out) != 0)
		return 0;
	if (sa->peer->host.charge)
		sa->peer->host.charge(sa->peer->host.ctx, IKE_CHARGE_SK_SEAL, sa->ci.encr, out);
	return out;
}

void v1_send(v1_ike_sa *sa, ike_time now, uint8_t *msg, size_t len, v1_iv *iv, bool waiting, const char *dir)
{
	ike_peer *p = sa->peer;
	v1_header h;
	v1_chain c;
	if (p->host.trace && v1_parse_header(msg, len, &h, NULL) == V1_OK &&
	    v1_parse_chain(h.next_payload, msg + V1_HDR_LEN, len - V1_HDR_LEN, V1_HDR_LEN, false, &c, NULL) == V1_OK) {
		size_t size = iv ? v1_sealed_len(&sa->ci, len) : len;
		if (iv)
			h.flags |= V1_F_ENCRYPTION; /* as it goes out */
		if (!dir) /* IKEv1 has no response flag: the SA initiator's messages are the requests; in Quick Mode
			   * those of the side that sent its message 1 (either side renews) */
			dir = h.exchange == V1_EXCH_QUICK ? (sa->child.qm_init ? "request" : "response")
			    : sa->initiator || h.exchange == V1_EXCH_INFORMATIONAL ? "request" : "response";
		v1_trace_msg(p, now, "ike.tx", &h, &c, size, &sa->local, &sa->remote, dir);
	}
	if (iv && !(len = v1_seal_msg(sa, iv, msg, len))) {
		v1_trace_error(p, now, sa, "send", "could not seal the message", 0);
		return;
	}
	memcpy(sa->tx, msg, len);
	sa->tx_len = len;
	sa->tx_answers_rx = false; /* set once the message being handled is accepted (v1_input) */
	sa->sent_in_input |= sa->in_input;
	sa->waiting = waiting;
	sa->tries = 0;
	sa->timer_at = waiting ? now + p->rtx[sa->conn_idx][0] : IKE_TIME_NEVER;
	v1_rearm(sa, now);
	sa->last_tx = now;
	p->host.send(p->host.ctx, &sa->local, &sa->remote, msg, len);
}

/* Re-sends our last message (timeout, or the peer repeated the message it answered). */
static void resend(v1_ike_sa *sa, ike_time now, const char *why)
{
	ike_peer *p = sa->peer;
	v1_header h;
	if (!sa->tx_len || v1_parse_header(sa->tx, sa->tx_len, &h, NULL) != V1_OK)
		return;
	if (p->host.trace) {
		ike_jsonw w;
		ike_jsonw_init(&w);
		ike_jsonw_str(&w, "exchange", v1_exchange_name(h.exchange));
		ike_jsonw_int(&w, "msgid", h.msg_id);
		ike_jsonw_int(&w, "attempt", sa->tries);
		ike_jsonw_int(&w, "size", (int64_t)sa->tx_len);
		ike_jsonw_str(&w, "why", why);
		sa_fields(&w, sa);
		v2_emit(p, now, "ike.retransmit", &w);
	}
	sa->last_tx = now;
	p->host.send(p->host.ctx, &sa->local, &sa->remote, sa->tx, sa->tx_len);
}

void v1_resend_dup(v1_ike_sa *sa, ike_time now)
{
	ike_peer *p = sa->peer;
	/* a gateway that sent its XAUTH REQUEST right after MM6 answers a repeated MM5 with both (MM6 was lost) */
	bool mm6 = sa->mm6_len && sa->rx_len > 18 && sa->rx[18] == V1_EXCH_ID_PROT;
	bool answer = (sa->tx_answers_rx || mm6) && sa->tx_len;
	/* unauthenticated (matched before decrypting): a replay flood must not grow the trace */
	if (p->host.trace && v2_refusal_trace(p, now, V2_REF_DUP)) {
		v1_header h;
		ike_jsonw w;
		ike_jsonw_init(&w);
		ike_jsonw_str(&w, "what", "retransmitted message");
		if (v1_parse_header(sa->rx, sa->rx_len, &h, NULL) == V1_OK) {
			ike_jsonw_str(&w, "exchange", v1_exchange_name(h.exchange));
			ike_jsonw_int(&w, "msgid", h.msg_id);
		}
		/* a repeated QM3/AM3 needs no answer: resending our QM2 would start a ping-pong of repeats */
		ike_jsonw_str(&w, "action", answer ? "resent our answer" : "ignored: it needs no answer");
		sa_fields(&w, sa);
		v2_emit(p, now, "ike.dup", &w);
	}
	if (answer && mm6)
		p->host.send(p->host.ctx, &sa->local, &sa->remote, sa->mm6, sa->mm6_len);
	if (answer)
		p->host.send(p->host.ctx, &sa->local, &sa->remote, sa->tx, sa->tx_len);
}

static void expire_one(v1_ike_sa *sa, ike_time now)
{
	const ike_conn_cfg *cc = sa->conn;
	if (!sa->waiting) {
		sa->timer_at = IKE_TIME_NEVER;
		if (sa->state == V2_IKE_CONNECTING && now >= sa->born + half_open(sa->peer)) {
			v1_fail(sa, now, V1_T_TIMEOUT, 0, "phase 1 not completed within the half-open timeout");
			return;
		}
		if (sa->state != V2_IKE_ESTABLISHED)
			return;
		if (v1_xauth_pending(sa) && now >= sa->born + half_open(sa->peer)) {
			v1_fail(sa, now, V1_T_XAUTH_FAILED, 0, "XAUTH: the gateway did not complete XAUTH within the half-open timeout");
			return;
		}
		if (!sa->replaced && sa->p1_rekey_at <= now)
			v1_p1_rekey(sa, now);
		else if (sa->child.state == V2_CHILD_INSTALLED && !sa->old.used && sa->child.rekey_at <= now)
			v1_qm_rekey(sa, now);
		else if (cc->dpd_delay > 0 && now >= sa->last_rx + cc->dpd_delay)
			v1_dpd_send(sa, now);
		if (v1_alive(sa->peer, sa))
			v1_rearm(sa, now);
		return;
	}
	if (sa->tries < cc->retransmit.tries) {
		sa->tries++;
		resend(sa, now, "no answer");
		sa->timer_at = now + sa->peer->rtx[sa->conn_idx][sa->tries];
		return;
	}
	sa->peer->rec[sa->conn_idx].timed_out = true;
	if (sa->state == V2_IKE_ESTABLISHED)
		v1_dead(sa, now);
	else
		v1_fail(sa, now, V1_T_TIMEOUT, 0, NULL);
}

ike_time v1_next_deadline(const ike_peer *p)
{
	ike_time t = IKE_TIME_NEVER;
	for (const v1_ike_sa *sa = p->v1_sas; sa; sa = sa->next) {
		if (sa->timer_at < t)
			t = sa->timer_at;
		if (sa->ka_at < t) /* NAT keepalives (v1_natt.c) */
			t = sa->ka_at;
	}
	return t;
}

void v1_expire(ike_peer *p, ike_time now)
{
	for (bool again = true; again;) { /* a handler may free SAs: restart the walk after each one */
		again = false;
		for (v1_ike_sa *sa = p->v1_sas; sa; sa = sa->next) {
			if (sa->ka_at <= now) {
				v1_natt_keepalive(sa, now);
				again = true;
				break;
			}
			if (sa->timer_at <= now) {
				expire_one(sa, now);
				again = true;
				break;
			}
		}
	}
}

static void trace_state(v1_ike_sa *sa, ike_time now, const v2_transition *tr, uint8_t from, const char *detail,
			bool child)
{
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "from", child ? v2_child_state_name(from) : v2_ike_state_name(from));
	ike_jsonw_str(&w, "to", child ? v2_child_state_name(tr->to) : v2_ike_state_name(tr->to));
	ike_jsonw_str(&w, "why", detail ? detail : tr->story);
	ike_jsonw_str(&w, "transition", tr->name);
	if (!child)
		ike_jsonw_str(&w, "role", sa->initiator ? "initiator" : "responder");
	ike_jsonw_str(&w, "conn", sa->conn->name);
	if (child) {
		char spi[12];
		ike_jsonw_str(&w, "child", sa->conn->children[0].name ? sa->conn->children[0].name : sa->conn->name);
		snprintf(spi, sizeof(spi), "%08x", sa->child.spi_in);
		ike_jsonw_str(&w, "spi-in", spi);
		snprintf(spi, sizeof(spi), "%08x", sa->child.spi_out);
		ike_jsonw_str(&w, "spi-out", spi);
		ike_jsonw_spi(&w, "initiator-spi", sa->cky_i);
	} else {
		ike_jsonw_spi(&w, "initiator-spi", sa->cky_i);
		ike_jsonw_spi(&w, "responder-spi", sa->cky_r);
	}
	v2_emit(sa->peer, now, child ? "child_sa.state" : "ike_sa.state", &w);
}

void v1_ike_go(v1_ike_sa *sa, ike_time now, enum v1_ike_tr t, const char *detail)
{
	const v2_transition *tr = &v1_ike_transitions[t];
	if (sa->state != tr->from) {
		v1_trace_error(sa->peer, now, sa, "state machine", "transition not allowed from this state", 0);
		return;
	}
	uint8_t from = sa->state;
	sa->state = tr->to;
	sa->peer->rec[sa->conn_idx].remote = sa->remote;
	if (sa->peer->host.trace)
		trace_state(sa, now, tr, from, detail, false);
}

void v1_child_go(v1_ike_sa *sa, ike_time now, enum v1_child_tr t, const char *detail)
{
	const v2_transition *tr = &v1_child_transitions[t];
	if (sa->child.state != tr->from) {
		v1_trace_error(sa->peer, now, sa, "state machine", "CHILD transition not allowed from this state", 0);
		return;
	}
	uint8_t from = sa->child.state;
	sa->child.state = tr->to;
	if (sa->peer->host.trace)
		trace_state(sa, now, tr, from, detail, true);
}

/* The data plane's view of the IPsec SA pair: KEYMAT(spi_in) is what the peer sends, KEYMAT(spi_out) ours. */
static bool child_view(const v1_ike_sa *sa, ike_child_keys *k)
{
	const v1_child *c = &sa->child;
	size_t el = v1_encr_key_bytes(c->alg.encr, c->alg.encr_keylen);
	if (!c->keymat || !el)
		return false;
	size_t al = c->alg.integ ? v1_integ_key_bytes(c->alg.integ) : 0, half = c->km_len / 2;
	const uint8_t *in = c->keymat, *out = c->keymat + half;
	const uint8_t *ik = sa->initiator ? out : in, *rk = sa->initiator ? in : out; /* initiator sends on out */
	*k = (ike_child_keys){ .protocol = IKE_PROTO_ESP, .mode = sa->conn->children[0].mode, .initiator = sa->initiator,
			       .spi_in = c->spi_in, .spi_out = c->spi_out, .encr = c->alg.encr,
			       .encr_keylen = c->alg.encr_keylen, .integ = c->alg.integ, .ei = ik, .er = rk,
			       .ai = al ? ik + el : NULL, .ar = al ? rk + el : NULL, .e_len = el, .a_len = al,
			       .ts_local = &c->ts_local, .ts_remote = &c->ts_remote, .n_ts_local = 1, .n_ts_remote = 1,
			       .child = 0, .cfg = &sa->conn->children[0], .pfs = c->alg.pfs, .rekey_of = c->rekey_of,
			       .nat = v1_natt_active(sa) }; /* ESP in UDP (RFC 3948) on the SA's NAT-T ports */
	return true;
}

void v1_event(v1_ike_sa *sa, ike_time now, uint8_t kind, uint16_t notify, const char *why)
{
	if (!sa->peer->host.sa_event)
		return;
	ike_child_keys ck;
	bool child = kind == IKE_EV_CHILD_UP && child_view(sa, &ck);
	ike_sa_keys keys = { .encr = sa->alg.encr == V1_ENCR_3DES ? IKE_ENCR_3DES : IKE_ENCR_AES_CBC,
			     .encr_keylen = (uint16_t)(sa->ci.key_len * 8), .ei = sa->ci.key,
			     .er = sa->ci.key, .e_len = sa->ci.key_len, .ike_version = 1 };
	bool reveal = sa->peer->cfg.reveal_keys && sa->keyed && (kind == IKE_EV_IKE_UP || kind == IKE_EV_IKE_FAILED);
	bool has_child = kind == IKE_EV_CHILD_UP || kind == IKE_EV_CHILD_DOWN || kind == IKE_EV_CHILD_FAILED;
	ike_sa_event ev = { .kind = kind, .conn = sa->conn->name, .remote = &sa->remote, .local = &sa->local,
			    .spi_i = sa->cky_i, .spi_r = sa->cky_r, .notify = notify, .why = why,
			    .child_spi_in = has_child ? sa->child.spi_in : 0,
			    .child_spi_out = has_child ? sa->child.spi_out : 0, .child = child ? &ck : NULL, .keys = reveal ? &keys : NULL,
			    .old_spi_i = kind == IKE_EV_IKE_UP ? sa->replaces_i : 0, /* a renewal: the SA it replaces */
			    .old_spi_r = kind == IKE_EV_IKE_UP ? sa->replaces_r : 0,
			    .old_child_spi_in = child && sa->old.used ? sa->old.spi_in : 0,
			    .old_child_spi_out = child && sa->old.used ? sa->old.spi_out : 0 };
	sa->peer->host.sa_event(sa->peer->host.ctx, now, &ev);
}

void v1_fail(v1_ike_sa *sa, ike_time now, enum v1_ike_tr t, uint16_t notify, const char *why)
{
	ike_conn_rec *r = &sa->peer->rec[sa->conn_idx];
	if (notify)
		r->last_error = notify;
	if (sa->old.used && sa->old.state == V2_CHILD_INSTALLED)
		v1_old_gone(sa, now, V1_T_C_GONE, why);
	if (sa->child.state == V2_CHILD_INSTALLED) {
		v1_child_go(sa, now, V1_T_C_GONE, NULL);
		v1_event(sa, now, IKE_EV_CHILD_DOWN, 0, why);
	} else if (sa->child.state == V2_CHILD_INSTALLING)
		v1_child_go(sa, now, V1_T_C_FAILED, why);
	bool up = sa->state == V2_IKE_ESTABLISHED;
	v1_ike_go(sa, now, t, why);
	v1_event(sa, now, up ? IKE_EV_IKE_DOWN : IKE_EV_IKE_FAILED, notify, why ? why : v1_ike_transitions[t].story);
	v1_sa_free(sa);
}

void v1_old_gone(v1_ike_sa *sa, ike_time now, enum v1_child_tr t, const char *why)
{
	v1_child tmp = sa->child;
	sa->child = sa->old;
	sa->old = tmp;
	v1_child_go(sa, now, t, why);
	v1_event(sa, now, IKE_EV_CHILD_DOWN, 0, why);
	v1_child_wipe(&sa->child);
	sa->child = sa->old;
	memset(&sa->old, 0, sizeof(sa->old));
}

bool v1_alive(const ike_peer *p, const v1_ike_sa *sa)
{
	for (const v1_ike_sa *x = p->v1_sas; x; x = x->next)
		if (x == sa)
			return true;
	return false;
}

void v1_rearm(v1_ike_sa *sa, ike_time now)
{
	(void)now;
	if (sa->waiting)
		return;
	ike_time d = sa->conn->dpd_delay, t = IKE_TIME_NEVER;
	if (sa->state != V2_IKE_ESTABLISHED) { /* a responder waiting for the next phase 1 message: not for ever */
		sa->timer_at = sa->state == V2_IKE_CONNECTING ? sa->born + half_open(sa->peer) : t;
		return;
	}
	if (d > 0)
		t = sa->last_rx + d;
	if (sa->child.state == V2_CHILD_INSTALLED && !sa->old.used && sa->child.rekey_at < t)
		t = sa->child.rekey_at;
	if (!sa->replaced && sa->p1_rekey_at < t)
		t = sa->p1_rekey_at;
	if (v1_xauth_pending(sa) && sa->born + half_open(sa->peer) < t) /* a client waits for XAUTH, not for ever */
		t = sa->born + half_open(sa->peer);
	sa->timer_at = t;
}

bool v1_conn_status(const ike_peer *p, size_t conn, ike_conn_status *st)
{
	const v1_ike_sa *best = NULL;
	uint32_t n = 0;
	for (const v1_ike_sa *sa = p->v1_sas; sa; sa = sa->next)
		if (sa->conn_idx == conn) {
			n++;
			if (!best || sa->state == V2_IKE_ESTABLISHED)
				best = sa;
		}
	if (!best)
		return false;
	st->ike_sas = n;
	st->ike_state = v2_ike_state_name(best->state);
	if (best->state == V2_IKE_ESTABLISHED || best->expect == 0)
		v1_p1_format(&best->alg, st->selected_ike, sizeof(st->selected_ike));
	if (best->child.used && best->child.state != V2_CHILD_DESTROYING) { /* a refused or deleted one is gone */
		st->child_sas = 1;
		st->child_state = v2_child_state_name(best->child.state);
		if (best->child.state == V2_CHILD_INSTALLED)
			v1_p2_format(&best->child.alg, st->selected_esp, sizeof(st->selected_esp));
	}
	return true;
}
