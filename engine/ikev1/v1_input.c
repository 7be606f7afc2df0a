/*
 * IKEv1 input: header, the ISAKMP SA by cookies (a new responder SA for Main Mode 1), retransmission detection
 * (the same bytes as the last accepted message: resend our answer), decryption with the exchange's IV, then
 * the Main Mode, Quick Mode or Informational handler.
 */
#include <string.h>

#include "ikev1/v1_sa.h"
#include "ikev2/sa.h"
#include "peer/peer.h"

static enum ike_input_result drop(ike_peer *p, ike_time now, const v1_ike_sa *sa, const char *why)
{
	if (v2_refusal_trace(p, now, V2_REF_DROPPED))
		v1_trace_error(p, now, sa, "drop", why, 0);
	return IKE_INPUT_DROPPED;
}

/* The IKEv1 connection a Main Mode 1 from `from` belongs to: PSKs are chosen by address (RFC 2409 5.4). */
static long find_conn(const ike_peer *p, const ike_addr *from)
{
	for (size_t i = 0; i < p->cfg.n_conns; i++) {
		const ike_conn_cfg *c = &p->cfg.conns[i];
		if (c->version != 1)
			continue;
		static const uint8_t zero[16];
		/* no remote, or 0.0.0.0 / :: (a gateway for road warriors): any peer */
		if (!c->remote.family || !memcmp(c->remote.ip, zero, c->remote.family == 4 ? 4 : 16) ||
		    (c->remote.family == from->family && !memcmp(c->remote.ip, from->ip, from->family == 4 ? 4 : 16)))
			return (long)i;
	}
	return -1;
}

static v1_ike_sa *new_responder(ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to,
				 const v1_header *h)
{
	long ci = find_conn(p, from);
	if (ci < 0)
		return NULL;
	v1_ike_sa *sa = v1_sa_new(p, (size_t)ci, false, to, from, now);
	if (!sa)
		return NULL;
	sa->cky_i = h->cky_i;
	do
		ike_drbg_bytes(&p->rng, &sa->cky_r, sizeof(sa->cky_r));
	while (!sa->cky_r);
	sa->expect = 1;
	return sa;
}

/* Decrypts into pt with the IV of the message's exchange; sa->next_iv receives the IV after it. */
static bool open_msg(v1_ike_sa *sa, const v1_header *h, const uint8_t *data, uint8_t *pt, size_t *ptl)
{
	v1_iv iv;
	if (!sa->keyed)
		return false;
	if (!h->msg_id)
		iv = sa->p1iv;
	else if (sa->child.used && h->msg_id == sa->child.msg_id)
		iv = sa->child.iv;
	else if (sa->txn.msg_id && h->msg_id == sa->txn.msg_id) /* XAUTH / Mode Config: its own IV chain */
		iv = sa->txn.iv;
	else if (sa->expect || v1_iv_phase2(sa->peer->cfg.crypto, &sa->ci, &sa->p1iv, h->msg_id, &iv) != 0)
		return false;
	return v1_open(sa->peer->cfg.crypto, &sa->ci, &iv, data, h->length, pt, V1_MSG_MAX, ptl, &sa->next_iv) == 0;
}

enum ike_input_result v1_input(ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to,
			       const uint8_t *data, size_t len)
{
	v1_header h;
	v1_err e = { 0 };
	if (v1_parse_header(data, len, &h, &e) != V1_OK)
		return drop(p, now, NULL, e.what ? e.what : "bad ISAKMP header");
	v1_ike_sa *sa = v1_sa_find(p, h.cky_i, h.cky_r, from);
	bool fresh = false;
	bool am = h.exchange == V1_EXCH_AGGRESSIVE;
	if (!sa && (h.exchange == V1_EXCH_ID_PROT || am) && !h.cky_r && !(h.flags & V1_F_ENCRYPTION)) {
		if (!(sa = new_responder(p, now, from, to, &h)))
			return drop(p, now, NULL, "Main/Aggressive Mode 1 from a peer no IKEv1 connection is for");
		sa->aggressive = am;
		fresh = true;
	}
	if (!sa)
		return drop(p, now, NULL, "no ISAKMP SA for these cookies");
	/* a repeated Main/Quick Mode message: our answer was lost, or theirs (an Informational is handled again) */
	if (!fresh && h.exchange != V1_EXCH_INFORMATIONAL && sa->rx_len == h.length && !memcmp(sa->rx, data, h.length)) {
		v1_resend_dup(sa, now);
		return IKE_INPUT_CACHED;
	}
	static const uint8_t none[1];
	uint8_t pt[V1_MSG_MAX];
	size_t ptl = 0;
	v1_chain c;
	bool enc = (h.flags & V1_F_ENCRYPTION) != 0;
	if (enc && !open_msg(sa, &h, data, pt, &ptl))
		return drop(p, now, sa, "could not decrypt (no keys, unknown exchange or bad length)");
	const uint8_t *body = enc ? pt : h.length > V1_HDR_LEN ? data + V1_HDR_LEN : none;
	size_t blen = enc ? ptl : h.length - V1_HDR_LEN;
	if (v1_parse_chain(h.next_payload, body, blen, V1_HDR_LEN, enc, &c, &e) != V1_OK) {
		if (enc && sa->expect == 5) /* MM5 that is garbage: the peer's key differs from ours */
			return v1_mm_recv(sa, now, &h, &(v1_chain){ 0 });
		if (fresh)
			v1_sa_free(sa);
		return drop(p, now, sa && !fresh ? sa : NULL, e.what ? e.what : "malformed payloads");
	}
	bool qm_ours = sa->child.used && sa->child.qm_init && h.msg_id == sa->child.msg_id; /* QM2 of our QM1 */
	const char *dir = h.exchange == V1_EXCH_QUICK ? (qm_ours ? "response" : "request")
			: !sa->initiator || h.exchange == V1_EXCH_INFORMATIONAL ? "request" : "response";
	v1_trace_msg(p, now, "ike.rx", &h, &c, h.length, from, to, dir);
	if (h.exchange == V1_EXCH_QUICK && (!enc || sa->expect))
		return drop(p, now, sa, "Quick Mode before phase 1 completed or not encrypted");
	if (h.exchange == V1_EXCH_TRANSACTION && (!enc || sa->expect || sa->state != V2_IKE_ESTABLISHED))
		return drop(p, now, sa, "TRANSACTION before phase 1 completed or not encrypted");
	if (h.exchange != V1_EXCH_ID_PROT && h.exchange != V1_EXCH_AGGRESSIVE && h.exchange != V1_EXCH_QUICK &&
	    h.exchange != V1_EXCH_INFORMATIONAL && h.exchange != V1_EXCH_TRANSACTION)
		return drop(p, now, sa, "exchange type not handled");
	v1_natt_input(sa, now, &h, &c, from, to); /* the responder follows the initiator's move to 4500 */
	sa->in_input = true;
	sa->sent_in_input = false;
	enum ike_input_result r;
	switch (h.exchange) {
	case V1_EXCH_ID_PROT: r = v1_mm_recv(sa, now, &h, &c); break;
	case V1_EXCH_AGGRESSIVE: r = v1_am_recv(sa, now, &h, &c); break;
	case V1_EXCH_QUICK: r = v1_qm_recv(sa, now, &h, &c, pt, ptl); break;
	case V1_EXCH_TRANSACTION: r = v1_txn_recv(sa, now, &h, &c, pt, ptl); break;
	default: r = v1_info_recv(sa, now, &h, &c, enc ? pt : body, blen); break;
	}
	if (v1_alive(p, sa)) {
		sa->in_input = false;
		/* only a message that verified becomes the one whose repeats we answer (or ignore) */
		if (r == IKE_INPUT_PROCESSED && h.exchange != V1_EXCH_INFORMATIONAL && h.length <= sizeof(sa->rx)) {
			memcpy(sa->rx, data, h.length);
			sa->rx_len = h.length;
			sa->tx_answers_rx = sa->sent_in_input;
		}
		if (r == IKE_INPUT_PROCESSED) {
			sa->last_rx = now; /* it verified: the peer is alive */
			v1_natt_follow(sa, now, from, to);
		}
		v1_rearm(sa, now);
	}
	return r;
}
