/*
 * IKEv2 input: parse the header and outer chain, find the SA, check message IDs (RFC 7296 2.2), answer
 * retransmitted requests from the cache, decrypt and authenticate, and only then run the handler that the
 * state table (states.c) names for (state, role, exchange, request/response); v2_settle completes.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ikev2/sa.h"

/* Everything dropped here is unauthenticated: traced in full only within the refusal budget. */
static enum ike_input_result drop(ike_peer *p, ike_time now, const v2_ike_sa *sa, const char *why)
{
	if (v2_refusal_trace(p, now, V2_REF_DROPPED))
		v2_trace_error(p, now, sa, "drop", why, 0);
	return IKE_INPUT_DROPPED;
}

/* Requests: in-order ones run (PROCESSED: go on); the last one again gets the cached response; others are dropped. */
static enum ike_input_result request_ok(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	uint32_t id = in->hdr.msg_id;
	if (sa->has_resp && id == sa->resp_msgid) {
		if (v2_frag_ignore_dup(sa, now, in))
			return IKE_INPUT_DROPPED;
		size_t n = v2_send_cached(sa, now, true, in->from);
		/* unauthenticated (the cache answers before decrypting): a replay flood must not grow the trace */
		if (v2_tracing(sa->peer) && v2_refusal_trace(sa->peer, now, V2_REF_DUP)) {
			ike_jsonw w;
			ike_jsonw_init(&w);
			ike_jsonw_str(&w, "what", "retransmitted request");
			ike_jsonw_int(&w, "msgid", id);
			ike_jsonw_str(&w, "action", "resent cached response");
			if (n > 1)
				ike_jsonw_int(&w, "fragments", (int64_t)n);
			v2_emit_sa(sa, now, "ike.dup", &w);
		}
		return IKE_INPUT_CACHED;
	}
	if (id != sa->msgid_peer)
		return drop(sa->peer, now, sa, "request message ID out of window");
	return IKE_INPUT_PROCESSED;
}

static bool response_ok(v2_ike_sa *sa, ike_time now, const v2_inbound *in)
{
	if (!sa->req || in->hdr.msg_id != sa->msgid_next_req || in->hdr.exchange != sa->req_exchange) {
		drop(sa->peer, now, sa, "response does not match an outstanding request");
		return false;
	}
	return true;
}

static v2_ike_sa *lookup(ike_peer *p, const v2_inbound *in)
{
	const v2_header *h = &in->hdr;
	bool from_original_initiator = h->flags & V2_F_INITIATOR;
	uint64_t ours = from_original_initiator ? h->spi_r : h->spi_i;
	v2_ike_sa *sa = v2_find_local(p, ours);
	if (sa && sa->initiator == from_original_initiator)
		return NULL; /* the I flag contradicts our role */
	return sa;
}

static enum ike_input_result input_init_request(ike_peer *p, ike_time now, v2_inbound *in)
{
	v2_ike_sa *old = v2_find_half_open(p, in->hdr.spi_i, in->from);
	if (old) {
		if (old->has_resp && old->resp_msgid == 0)
			return request_ok(old, now, in) == IKE_INPUT_CACHED ? IKE_INPUT_CACHED : IKE_INPUT_DROPPED;
		return drop(p, now, old, old->job ? "IKE_SA_INIT request again while we compute its response"
						: "IKE_SA_INIT request for an existing IKE SA");
	}
	return v2_init_r_recv(p, now, in);
}

/* The handler's outcome, completed in one place: a held SA gets its next task and its heap key. */
static enum ike_input_result complete(ike_peer *p, ike_time now, v2_ike_sa *sa, uint64_t spi, int hres)
{
	if (hres != V2_H_GONE && v2_sa_alive(p, spi, sa))
		v2_settle(sa, now);
	return IKE_INPUT_PROCESSED;
}

static enum ike_input_result input_sa(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	ike_peer *p = sa->peer;
	uint64_t spi = v2_our_spi(sa);
	bool response = in->hdr.flags & V2_F_RESPONSE;
	if (sa->job) /* only repeats can come now (the handshake waits for its D-H): a checked-out SA in strongSwan */
		return drop(p, now, sa, "the IKE SA is waiting for its crypto job");
	enum ike_input_result r = response ? (response_ok(sa, now, in) ? IKE_INPUT_PROCESSED : IKE_INPUT_DROPPED)
					   : request_ok(sa, now, in);
	if (r != IKE_INPUT_PROCESSED)
		return r;
	bool protected = in->hdr.exchange != V2_IKE_SA_INIT;
	if (protected && !sa->keys)
		return drop(p, now, sa, "no transition for this message in the SA's state");
	/* Authenticated first: nothing below looks at a message whose integrity was not checked. */
	if (protected) {
		int o = v2_open_sk(sa, now, in);
		if (o != 0) /* 1: an authenticated fragment was stored (RFC 7383), more are needed */
			return o > 0 ? IKE_INPUT_PROCESSED : IKE_INPUT_DROPPED;
		if (!response) /* RFC 7296 2.23: requests of the current message ID only (retransmits were answered above) */
			v2_natt_request(sa, now, in);
		v2_live_heard(sa, now);
	}
	uint8_t role = sa->initiator ? V2_ROLE_INITIATOR : V2_ROLE_RESPONDER;
	const v2_transition *row = v2_dispatch_row(sa->state, role, in->hdr.exchange,
						   response ? V2_MSG_RESPONSE : V2_MSG_REQUEST);
	/* An unprotected message without a row (an IKE_SA_INIT response out of place) is not traced as received. */
	if (!row && !protected)
		return drop(p, now, sa, "no transition for this message in the SA's state");
	if (!in->rx_traced) /* a reassembled message's fragments were traced one by one */
		v2_trace_msg(p, now, "ike.rx", &in->hdr, &in->outer, protected ? &in->inner : NULL, in->raw_len,
			     in->from, in->to);
	if (!row && response)
		return drop(p, now, sa, "no transition for this message in the SA's state");
	if (!row) {
		/* An unknown exchange type, or one out of place: 3.10.1 sends INVALID_SYNTAX for any error no other
		 * notify covers, and 2.21.3 makes it fatal in both peers. The message ID was valid, the MAC too. */
		v2_refuse_fatal(sa, now, in, V2_N_INVALID_SYNTAX, NULL, 0,
				in->hdr.exchange < V2_IKE_SA_INIT || in->hdr.exchange > V2_INFORMATIONAL
					? "request of an unknown exchange type"
					: "request of an exchange not allowed in this state");
		return IKE_INPUT_REFUSED;
	}
	return complete(p, now, sa, spi, row->handler(sa, now, in));
}

/*
 * RFC 7296 2.5: a request of a higher major version is dropped and answered, unprotected, with
 * INVALID_MAJOR_VERSION in a header carrying the version we speak (2.0: RFC 4306 3.10.1 puts it there).
 * Responses are dropped. 2.21.4 asks to limit answers to unprotected messages: only those within the
 * refusal budget are answered (and traced); the rest are counted as dropped.
 */
static enum ike_input_result wrong_version(ike_peer *p, ike_time now, const v2_inbound *in)
{
	const v2_header *q = &in->hdr;
	if (q->major < 2 || (q->flags & V2_F_RESPONSE))
		return drop(p, now, NULL, "unsupported major version");
	if (!v2_refusal_trace(p, now, V2_REF_DROPPED))
		return IKE_INPUT_DROPPED;
	uint8_t buf[64];
	v2_header h = { .spi_i = q->spi_i, .spi_r = q->spi_r, .major = 2, .exchange = q->exchange,
			.flags = (uint8_t)(V2_F_RESPONSE | (q->flags & V2_F_INITIATOR ? 0 : V2_F_INITIATOR)),
			.msg_id = q->msg_id };
	v2_builder b;
	v2_begin(&b, buf, sizeof(buf), &h);
	v2_add_notify(&b, 0, NULL, 0, V2_N_INVALID_MAJOR_VERSION, NULL, 0);
	size_t n = v2_finish(&b, 0);
	if (!n)
		return IKE_INPUT_DROPPED;
	char why[64];
	v2_header hh;
	v2_chain ch;
	uint8_t bad;
	snprintf(why, sizeof(why), "request of major version %u: we speak 2", q->major);
	v2_trace_error(p, now, NULL, "version refused", why, V2_N_INVALID_MAJOR_VERSION);
	if (v2_tracing(p) && v2_parse_header(buf, n, &hh) == V2_OK &&
	    v2_parse_chain(hh.next_payload, buf + V2_HDR_LEN, n - V2_HDR_LEN, V2_HDR_LEN, &ch, &bad) == V2_OK)
		v2_trace_msg(p, now, "ike.tx", &hh, &ch, NULL, n, in->to, in->from);
	v2_send_raw(p, now, in->to, in->from, buf, n);
	return IKE_INPUT_REFUSED;
}

enum ike_input_result v2_input(ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to,
			       const uint8_t *data, size_t len)
{
	if (len > 65535)
		return drop(p, now, NULL, "datagram longer than any IKE message over UDP");
	/* On the stack (about 10 KiB, most of it the plaintext buffer, which is written only as far as needed). */
	v2_inbound in_buf, *in = &in_buf;
	memset(in, 0, offsetof(v2_inbound, plain));
	in->raw = data;
	in->raw_len = len;
	in->from = from;
	in->to = to;
	v2_status st = v2_parse_header(data, len, &in->hdr);
	if (st == V2_BAD_VERSION)
		return wrong_version(p, now, in);
	if (st != V2_OK)
		return drop(p, now, NULL, "malformed IKE header");
	uint8_t bad = 0;
	st = v2_parse_chain(in->hdr.next_payload, data + V2_HDR_LEN, in->hdr.length - V2_HDR_LEN, V2_HDR_LEN,
			    &in->outer, &bad);
	bool init_req = in->hdr.exchange == V2_IKE_SA_INIT && !(in->hdr.flags & V2_F_RESPONSE);
	in->outer_ok = st == V2_OK;
	if (st != V2_OK) {
		/* RFC 7296 2.21.1: an unprotected IKE_SA_INIT request may get an unprotected error notify */
		if (!init_req)
			return drop(p, now, NULL, "malformed payload chain");
		if (st == V2_UNSUPPORTED_CRITICAL)
			v2_init_r_refuse(p, now, in, -1, V2_N_UNSUPPORTED_CRITICAL_PAYLOAD, &bad, 1,
					 "unsupported critical payload");
		else
			v2_init_r_refuse(p, now, in, -1, V2_N_INVALID_SYNTAX, NULL, 0, "malformed payload chain");
		return IKE_INPUT_REFUSED;
	}
	if (init_req) {
		/* RFC 7296 3.1: SPIi MUST NOT be zero (such an SA could never be found again by its SPIs). */
		if (in->hdr.spi_i == 0)
			return drop(p, now, NULL, "IKE_SA_INIT request with a zero initiator SPI");
		if (in->hdr.spi_r != 0 || in->hdr.msg_id != 0 || !(in->hdr.flags & V2_F_INITIATOR))
			return drop(p, now, NULL, "IKE_SA_INIT request with SPIr, message ID or flags set");
		return input_init_request(p, now, in);
	}
	v2_ike_sa *sa = lookup(p, in);
	if (!sa)
		return drop(p, now, NULL, in->hdr.flags & V2_F_RESPONSE ? "response for an IKE SA we no longer have"
									: "no IKE SA for these SPIs");
	enum ike_input_result r = input_sa(sa, now, in);
	if (in->reassembled) {
		OPENSSL_cleanse(in->reassembled, in->reassembled_len);
		free(in->reassembled);
	}
	return r;
}
