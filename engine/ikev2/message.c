/* Outbound messages: headers, SK protection, sending, the request/response caches and retransmission. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sk.h"
#include "ikev2/sa.h"

void v2_header_for(const v2_ike_sa *sa, uint8_t exchange, bool response, uint32_t msgid, v2_header *h)
{
	memset(h, 0, sizeof(*h));
	h->spi_i = sa->spi_i;
	h->spi_r = sa->spi_r;
	h->major = 2;
	h->exchange = exchange;
	h->flags = (uint8_t)((sa->initiator ? V2_F_INITIATOR : 0) | (response ? V2_F_RESPONSE : 0));
	h->msg_id = msgid;
}

void v2_trace_msg(ike_peer *p, ike_time now, const char *ev, const v2_header *h, const v2_chain *outer,
		  const v2_chain *inner, size_t size, const ike_addr *from, const ike_addr *to)
{
	if (!v2_tracing(p))
		return;
	char sum[512], a[64], flags[4] = { 0 };
	v2_summary(h, outer, inner, sum, sizeof(sum));
	size_t nf = 0;
	if (h->flags & V2_F_INITIATOR)
		flags[nf++] = 'I';
	if (h->flags & V2_F_RESPONSE)
		flags[nf++] = 'R';
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "summary", sum);
	ike_jsonw_str(&w, "exchange", v2_exchange_name(h->exchange));
	ike_jsonw_int(&w, "msgid", h->msg_id);
	ike_jsonw_str(&w, "flags", flags);
	ike_jsonw_int(&w, "size", (int64_t)size);
	v2_addr_str(from, a, sizeof(a));
	ike_jsonw_str(&w, "from", a);
	v2_addr_str(to, a, sizeof(a));
	ike_jsonw_str(&w, "to", a);
	ike_jsonw_spi(&w, "initiator-spi", h->spi_i);
	ike_jsonw_spi(&w, "responder-spi", h->spi_r);
	v2_emit(p, now, ev, &w);
}

void v2_send_raw(ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to, const uint8_t *msg,
		 size_t len)
{
	(void)now;
	p->host.send(p->host.ctx, from, to, msg, len);
}

/* Traces an outbound message by re-reading what we built (only when tracing). */
static void trace_tx(v2_ike_sa *sa, ike_time now, const uint8_t *msg, size_t len, const uint8_t *inner,
		     size_t inner_len, uint8_t inner_first, bool response)
{
	if (!v2_tracing(sa->peer))
		return;
	v2_header h;
	v2_chain *outer = malloc(2 * sizeof(v2_chain));
	if (!outer)
		return;
	v2_chain *in = outer + 1;
	uint8_t bad;
	in->n = 0;
	if (v2_parse_header(msg, len, &h) == V2_OK &&
	    v2_parse_chain(h.next_payload, msg + V2_HDR_LEN, len - V2_HDR_LEN, V2_HDR_LEN, outer, &bad) == V2_OK) {
		if (inner && v2_parse_chain(inner_first, inner, inner_len, 0, in, &bad) != V2_OK)
			in->n = 0;
		v2_trace_msg(sa->peer, now, "ike.tx", &h, outer, inner ? in : NULL, len,
			     response ? &sa->resp_from : &sa->local, response ? &sa->resp_to : &sa->remote);
	}
	free(outer);
}

/* now + base * factor^retries from the connection's table (integers only), saturated at IKE_TIME_NEVER. */
static ike_time rtx_deadline(const v2_ike_sa *sa, ike_time now)
{
	uint8_t n = sa->retries <= sa->conn->retransmit.tries ? sa->retries : sa->conn->retransmit.tries;
	ike_time t = sa->peer->rtx[sa->conn_idx][n];
	return t > 0 ? v2_time_after(now, t) : now;
}

/*
 * Keeps our copy: requests for retransmission, responses to answer retransmitted requests. A message sent
 * in fragments keeps them all in `train` (taken over, emptied) and its first fragment as the message.
 */
static int store(v2_ike_sa *sa, ike_time now, const uint8_t *msg, size_t len, bool response, uint8_t exchange,
		 uint32_t msgid, v2_train *train)
{
	uint8_t *copy = malloc(len);
	if (copy)
		memcpy(copy, msg, len);
	v2_train kept = { 0 };
	if (train) {
		kept = *train;
		memset(train, 0, sizeof(*train));
	}
	/* A request we cannot keep could never be retransmitted: the caller ends the SA. */
	if (!copy && !response) {
		v2_train_free(&kept);
		return -1;
	}
	v2_train *slot = response ? &sa->resp_train : &sa->req_train;
	v2_train_free(slot);
	*slot = copy ? kept : (v2_train){ 0 };
	if (!copy)
		v2_train_free(&kept);
	if (response) {
		free(sa->resp);
		sa->resp = copy;
		sa->resp_len = copy ? (uint16_t)len : 0;
		sa->resp_msgid = msgid;
		sa->has_resp = copy != NULL;
		sa->msgid_peer = msgid + 1;
		return 0;
	}
	free(sa->req);
	sa->req = copy;
	sa->req_len = copy ? (uint16_t)len : 0;
	sa->req_exchange = exchange;
	sa->retries = 0;
	if (sa->conn)
		v2_dl_set(sa, V2_DL_RETRANSMIT, rtx_deadline(sa, now));
	return 0;
}

int v2_send_plain(v2_ike_sa *sa, ike_time now, const uint8_t *msg, size_t len, bool response)
{
	if (store(sa, now, msg, len, response, msg[18], ike_get_u32(msg + 20), NULL) != 0) {
		v2_trace_error(sa->peer, now, sa, "send", "out of memory keeping our request for retransmission", 0);
		return -1;
	}
	trace_tx(sa, now, msg, len, NULL, 0, 0, false);
	v2_sa_send(sa, now, &sa->local, &sa->remote, msg, len);
	return 0;
}

/* RFC 7383 2.5: the inner chain split and each part sealed on its own; every fragment kept and sent. */
static int send_fragments(v2_ike_sa *sa, ike_time now, const v2_header *h, const uint8_t *inner, size_t inner_len,
			  uint8_t inner_first)
{
	ike_sk_keys k;
	v2_sk_keys_out(sa, &k);
	v2_frag_sealer s = { sa->peer->cfg.crypto, &k, &sa->peer->rng };
	v2_train t;
	const char *why = NULL;
	if (v2_frag_split(&s, h, inner, inner_len, inner_first, v2_sa_frag_size(sa), &t, &why) != 0) {
		char line[160];
		snprintf(line, sizeof(line), "could not fragment the message (%zu bytes of payloads): %s", inner_len,
			 why);
		v2_trace_error(sa->peer, now, sa, "send", line, 0);
		return -1;
	}
	if (v2_tracing(sa->peer)) {
		char sum[512];
		v2_chain *in = malloc(sizeof(*in));
		uint8_t bad;
		if (in && v2_parse_chain(inner_first, inner, inner_len, 0, in, &bad) == V2_OK) {
			v2_chain outer = { .n = 1, .pl = { { .type = V2_PL_SK } } };
			v2_summary(h, &outer, in, sum, sizeof(sum));
			v2_frag_trace(sa, now, "split", h, t.n, inner_len, sum, NULL);
		}
		free(in);
	}
	size_t pos = 0, len;
	const uint8_t *m;
	while (v2_train_next(&t, &pos, &m, &len))
		v2_charge(sa->peer, IKE_CHARGE_SK_SEAL, k.encr->id, len);
	pos = 0;
	if (!v2_train_next(&t, &pos, &m, &len) ||
	    store(sa, now, m, len, h->flags & V2_F_RESPONSE, h->exchange, h->msg_id, &t) != 0) {
		v2_train_free(&t);
		v2_trace_error(sa->peer, now, sa, "send", "out of memory keeping our request for retransmission", 0);
		return -1;
	}
	const v2_train *kept = h->flags & V2_F_RESPONSE ? &sa->resp_train : &sa->req_train;
	bool resp = h->flags & V2_F_RESPONSE;
	for (pos = 0; v2_train_next(kept, &pos, &m, &len);) {
		trace_tx(sa, now, m, len, NULL, 0, 0, resp);
		v2_sa_send(sa, now, resp ? &sa->resp_from : &sa->local, resp ? &sa->resp_to : &sa->remote, m, len);
	}
	return 0;
}

int v2_send_sk(v2_ike_sa *sa, ike_time now, uint8_t exchange, bool response, uint32_t msgid,
	       const uint8_t *inner, size_t inner_len, uint8_t inner_first)
{
	uint8_t buf[V2_MAX_MSG];
	ike_sk_keys k;
	v2_sk_keys_out(sa, &k);
	size_t body = ike_sk_body_len(&k, inner_len);
	v2_header h;
	v2_header_for(sa, exchange, response, msgid, &h);
	size_t whole = V2_HDR_LEN + V2_GENERIC_HDR_LEN + body;
	if (body && v2_frag_use(sa, exchange, whole))
		return send_fragments(sa, now, &h, inner, inner_len, inner_first);
	v2_builder b;
	v2_begin(&b, buf, sizeof(buf), &h);
	size_t aad = v2_add_sk_header(&b, inner_first, body);
	size_t total = v2_finish(&b, body);
	size_t written = 0;
	if (!total || total > sizeof(buf) ||
	    ike_sk_seal(sa->peer->cfg.crypto, &k, &sa->peer->rng, buf, aad, inner, inner_len, sizeof(buf),
			&written) != 0 ||
	    written != body) {
		char why[96];
		snprintf(why, sizeof(why), "could not build or seal the message (%zu bytes of payloads, limit %u bytes)",
			 inner_len, V2_MAX_MSG);
		v2_trace_error(sa->peer, now, sa, "send", why, 0);
		return -1;
	}
	v2_charge(sa->peer, IKE_CHARGE_SK_SEAL, k.encr->id, inner_len);
	if (store(sa, now, buf, total, response, exchange, msgid, NULL) != 0) {
		v2_trace_error(sa->peer, now, sa, "send", "out of memory keeping our request for retransmission", 0);
		return -1;
	}
	trace_tx(sa, now, buf, total, inner, inner_len, inner_first, response);
	v2_sa_send(sa, now, response ? &sa->resp_from : &sa->local, response ? &sa->resp_to : &sa->remote, buf, total);
	return 0;
}

int v2_answer_notify(v2_ike_sa *sa, ike_time now, const v2_inbound *in, uint16_t type, const uint8_t *d, size_t n)
{
	uint8_t inner[64];
	v2_builder b;
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_notify(&b, 0, NULL, 0, type, d, n);
	if (b.w.err)
		return -1;
	return v2_send_sk(sa, now, in->hdr.exchange, true, in->hdr.msg_id, inner, b.w.len, b.first);
}

int v2_open_sk(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	const v2_payload *sk = in->outer.n ? &in->outer.pl[in->outer.n - 1] : NULL;
	if (sa->keys && sk && sk->type == V2_PL_SKF)
		return v2_frag_open(sa, now, in);
	if (!sa->keys || !sk || sk->type != V2_PL_SK) {
		v2_trace_error(sa->peer, now, sa, "drop", "expected an Encrypted (SK) payload last", 0);
		return -1;
	}
	ike_sk_keys k;
	v2_sk_keys_in(sa, &k);
	size_t aad = (size_t)sk->offset + V2_GENERIC_HDR_LEN, ptlen = 0;
	int rc = ike_sk_open(sa->peer->cfg.crypto, &k, in->raw, aad, sk->len, in->plain, sizeof(in->plain), &ptlen);
	v2_charge(sa->peer, IKE_CHARGE_SK_OPEN, k.encr->id, sk->len);
	if (rc != 0) {
		v2_trace_error(sa->peer, now, sa, "drop", rc == -IKE_CRYPTO_EAUTH ? "integrity check failed"
										   : "undecryptable SK payload", 0);
		return -1;
	}
	return v2_open_inner(sa, now, in, in->plain, ptlen, in->raw[sk->offset]);
}

int v2_open_inner(v2_ike_sa *sa, ike_time now, v2_inbound *in, const uint8_t *pt, size_t len, uint8_t first)
{
	uint8_t bad = 0;
	v2_status st = v2_parse_chain(first, pt, len, 0, &in->inner, &bad);
	if (st == V2_OK)
		return 0;
	bool critical = st == V2_UNSUPPORTED_CRITICAL;
	const char *why = critical ? "unsupported critical payload" : "malformed inner payloads";
	uint16_t notify = critical ? V2_N_UNSUPPORTED_CRITICAL_PAYLOAD : V2_N_INVALID_SYNTAX;
	v2_trace_error(sa->peer, now, sa, "drop", why, notify);
	if (in->hdr.flags & V2_F_RESPONSE)
		v2_bad_response(sa, now, in, why);
	/* 2.21.2: in IKE_AUTH both notifies end the attempt; 2.21.3: afterwards only INVALID_SYNTAX is fatal */
	else if (!critical || sa->state == V2_IKE_CONNECTING)
		v2_refuse_fatal(sa, now, in, notify, critical ? &bad : NULL, critical ? 1 : 0, why);
	else if (v2_answer_notify(sa, now, in, notify, &bad, 1) != 0)
		v2_fail_local(sa, now, "could not seal our UNSUPPORTED_CRITICAL_PAYLOAD answer");
	return -1;
}

size_t v2_send_cached(v2_ike_sa *sa, ike_time now, bool response, const ike_addr *to)
{
	const v2_train *t = response ? &sa->resp_train : &sa->req_train;
	size_t pos = 0, len, n = 0;
	const uint8_t *m;
	const ike_addr *from = response ? &sa->resp_from : &sa->local;
	while (v2_train_next(t, &pos, &m, &len)) {
		v2_sa_send(sa, now, from, to, m, len);
		n++;
	}
	if (n)
		return n;
	if (response)
		v2_sa_send(sa, now, from, to, sa->resp, sa->resp_len);
	else
		v2_sa_send(sa, now, from, to, sa->req, sa->req_len);
	return 1;
}

void v2_request_done(v2_ike_sa *sa, ike_time now)
{
	v2_train_free(&sa->req_train);
	v2_reasm_free(&sa->reasm[1]); /* fragments of an answer we no longer wait for */
	free(sa->req);
	sa->req = NULL;
	sa->req_len = 0;
	sa->msgid_next_req++;
	v2_dl_set(sa, V2_DL_RETRANSMIT, IKE_TIME_NEVER);
	if (sa->ntasks) /* whichever path ends the request, the settle step then starts them */
		v2_dl_set(sa, V2_DL_SETTLE, now);
}

void v2_retransmit_due(v2_ike_sa *sa, ike_time now)
{
	if (sa->state == V2_IKE_REKEYING && sa->peer_deleted) {
		/* the peer deleted this SA: a resent request finds nothing there; an answer in flight had its time */
		v2_ike_rekey_unanswered(sa, now, "no answer to our rekey of the IKE SA the peer deleted");
		return;
	}
	if (sa->retries >= sa->conn->retransmit.tries) {
		if (v2_init_i_gave_up(sa, now))
			return;
		char why[96];
		snprintf(why, sizeof(why), "no response after %u retransmissions", sa->retries);
		if (v2_mobike_try_other(sa, now)) { /* RFC 4555 3.5: the same request from another of our addresses */
			v2_send_cached(sa, now, false, &sa->remote);
			v2_dl_set(sa, V2_DL_RETRANSMIT, rtx_deadline(sa, now));
			return;
		}
		if (sa->state == V2_IKE_ESTABLISHED || sa->state == V2_IKE_REKEYING)
			v2_live_dead(sa, now, why); /* any request of an established SA: the peer is dead */
		else if (sa->state == V2_IKE_DELETING)
			v2_live_delete_timeout(sa, now, why);
		else
			v2_fail(sa, now, v2_end_row(sa, V2_T_IKE_TIMEOUT, V2_T_IKE_DEAD), 0, why);
		return;
	}
	sa->retries++;
	if (v2_tracing(sa->peer)) {
		ike_jsonw w;
		ike_jsonw_init(&w);
		ike_jsonw_str(&w, "exchange", v2_exchange_name(sa->req_exchange));
		ike_jsonw_int(&w, "msgid", sa->msgid_next_req);
		ike_jsonw_int(&w, "attempt", sa->retries);
		/* in fragments: the sum of their datagrams (the train adds 2 length bytes to each) */
		size_t sz = sa->req_train.n ? sa->req_train.len - 2u * sa->req_train.n : sa->req_len;
		ike_jsonw_int(&w, "size", (int64_t)sz);
		if (sa->req_train.n)
			ike_jsonw_int(&w, "fragments", sa->req_train.n);
		v2_emit_sa(sa, now, "ike.retransmit", &w);
	}
	v2_send_cached(sa, now, false, &sa->remote);
	v2_dl_set(sa, V2_DL_RETRANSMIT, rtx_deadline(sa, now));
}

int v2_reparse(const uint8_t *msg, size_t len, v2_header *h, v2_chain *outer)
{
	uint8_t bad = 0;
	if (!msg || v2_parse_header(msg, len, h) != V2_OK || h->length > len)
		return -1;
	return v2_parse_chain(h->next_payload, msg + V2_HDR_LEN, h->length - V2_HDR_LEN, V2_HDR_LEN, outer, &bad) == V2_OK
		       ? 0
		       : -1;
}
