/*
 * RFC 7383 in the SA's message path: negotiation, fragments in (each authenticated before it is stored,
 * then the whole content parsed as if it had come in one SK payload), duplicates of answered requests,
 * and the `ike.frag` trace events. Splitting and reassembly themselves live in fragment.c/frag_reasm.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikev2/sa.h"

void v2_frag_negotiate(v2_ike_sa *sa, const v2_chain *outer)
{
	sa->frag = v2_frag_announce(sa->conn) && v2_frag_peer_supports(outer);
}

size_t v2_sa_frag_size(const v2_ike_sa *sa)
{
	size_t s = v2_frag_size(sa->conn);
	/* on the NAT-T ports the host puts the 4-byte non-ESP marker in front (RFC 3948 2.2): the datagram grows */
	if (sa->local.port != 500 && sa->remote.port != 500 && s >= IKE_FRAG_SIZE_MIN + 4u)
		s -= 4u;
	return s;
}

bool v2_frag_use(const v2_ike_sa *sa, uint8_t exchange, size_t msg_len)
{
	return sa->conn &&
	       v2_frag_wanted(sa->conn->fragmentation, sa->frag, exchange, msg_len, v2_sa_frag_size(sa));
}

void v2_frag_trace(v2_ike_sa *sa, ike_time now, const char *action, const v2_header *h, uint16_t fragments,
		   size_t size, const char *summary, const char *why)
{
	if (!v2_tracing(sa->peer))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "action", action);
	ike_jsonw_str(&w, "exchange", v2_exchange_name(h->exchange));
	ike_jsonw_int(&w, "msgid", h->msg_id);
	ike_jsonw_str(&w, "flags", (h->flags & V2_F_RESPONSE) ? (h->flags & V2_F_INITIATOR ? "IR" : "R")
							      : (h->flags & V2_F_INITIATOR ? "I" : ""));
	ike_jsonw_int(&w, "fragments", fragments);
	ike_jsonw_int(&w, "size", (int64_t)size);
	if (summary)
		ike_jsonw_str(&w, "summary", summary);
	if (why)
		ike_jsonw_str(&w, "why", why);
	v2_emit_sa(sa, now, "ike.frag", &w);
}

/* A fragment let go (2.6: silently): traced within the refusal budget, like every unauthenticated drop. */
static int dropped(v2_ike_sa *sa, ike_time now, const v2_inbound *in, uint16_t fragments, const char *why)
{
	if (v2_refusal_trace(sa->peer, now, V2_REF_DROPPED))
		v2_frag_trace(sa, now, "dropped", &in->hdr, fragments, in->raw_len, NULL, why);
	return -1;
}

/* The reassembled message's summary, traced before anything acts on it (a malformed one may end the SA). */
static void trace_whole(v2_ike_sa *sa, ike_time now, const v2_inbound *in, const v2_frag_result *r)
{
	if (!v2_tracing(sa->peer))
		return;
	char sum[512];
	uint8_t bad;
	v2_chain *inner = malloc(2 * sizeof(*inner));
	if (!inner)
		return;
	v2_chain *outer = inner + 1;
	memset(outer, 0, sizeof(*outer));
	outer->n = 1;
	outer->pl[0].type = V2_PL_SK; /* shown as the payloads it carried */
	bool ok = v2_parse_chain(r->first, r->plain, r->len, 0, inner, &bad) == V2_OK;
	if (ok)
		v2_summary(&in->hdr, outer, inner, sum, sizeof(sum));
	v2_frag_trace(sa, now, "reassembled", &in->hdr, r->fragments, r->len, ok ? sum : NULL, NULL);
	free(inner);
}

/* V2_DL_REASM at the earliest timeout of the sets being collected (never if none). */
static void arm_reasm(v2_ike_sa *sa)
{
	ike_time at = IKE_TIME_NEVER;
	for (int d = 0; d < 2; d++) {
		ike_time t = sa->reasm[d] ? v2_time_after(sa->reasm_since[d], V2_FRAG_REASM_TIMEOUT) : IKE_TIME_NEVER;
		at = t < at ? t : at;
	}
	v2_dl_set(sa, V2_DL_REASM, at);
}

void v2_frag_reasm_due(v2_ike_sa *sa, ike_time now)
{
	for (int d = 0; d < 2; d++) {
		uint32_t msgid = 0;
		uint8_t exchange = 0;
		uint16_t have = 0, total = 0;
		size_t bytes = 0;
		if (!sa->reasm[d] || v2_time_after(sa->reasm_since[d], V2_FRAG_REASM_TIMEOUT) > now ||
		    !v2_reasm_msgid(sa->reasm[d], &msgid) || !v2_reasm_state(sa->reasm[d], &exchange, &have, &total, &bytes))
			continue;
		/* the peer's fragments: its requests carry I when it is the original initiator */
		v2_header h = { .exchange = exchange, .msg_id = msgid,
				.flags = (uint8_t)((d ? V2_F_RESPONSE : 0) | (sa->initiator ? 0 : V2_F_INITIATOR)) };
		char why[128];
		snprintf(why, sizeof(why), "incomplete: %u of %u fragments %u s after the first (RFC 7383 2.6)", have,
			 total, (unsigned)(V2_FRAG_REASM_TIMEOUT / IKE_NS_PER_SEC));
		v2_frag_trace(sa, now, "dropped", &h, total, bytes, NULL, why);
		v2_reasm_free(&sa->reasm[d]);
	}
	arm_reasm(sa);
}

size_t v2_build_cap(const v2_ike_sa *sa, uint8_t exchange)
{
	return v2_frag_use(sa, exchange, V2_FRAG_MAX_BYTES) ? V2_FRAG_MAX_BYTES : V2_MAX_MSG;
}

int v2_frag_open(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	const v2_payload *skf = &in->outer.pl[in->outer.n - 1];
	/* 2.4: fragmentation MUST NOT be used unless both sides announced it. */
	if (!sa->frag)
		return dropped(sa, now, in, 0, "Encrypted Fragment payload, but fragmentation was not negotiated");
	ike_sk_keys k;
	v2_sk_keys_in(sa, &k);
	bool response = in->hdr.flags & V2_F_RESPONSE;
	v2_frag_result r;
	v2_frag_rc rc = v2_reasm_add(&sa->reasm[response], sa->peer->cfg.crypto, &k, in->raw, &in->hdr, skf, &r);
	uint8_t ex;
	uint16_t have = 0, total;
	size_t bytes;
	if (rc == V2_FRAG_STORED && v2_reasm_state(sa->reasm[response], &ex, &have, &total, &bytes) && have == 1)
		sa->reasm_since[response] = now; /* a new set: its timeout starts with its first fragment */
	arm_reasm(sa);
	if (r.opened)
		v2_charge(sa->peer, IKE_CHARGE_SK_OPEN, k.encr->id, r.opened);
	if (rc == V2_FRAG_DROPPED)
		return dropped(sa, now, in, r.fragments, r.why);
	/* authenticated: traced in full, one ike.rx per datagram as ike.tx was on the sender */
	v2_trace_msg(sa->peer, now, "ike.rx", &in->hdr, &in->outer, NULL, in->raw_len, in->from, in->to);
	if (rc == V2_FRAG_STORED)
		return 1;
	in->rx_traced = true;
	in->reassembled = r.plain; /* freed by v2_input once the handler ran */
	in->reassembled_len = r.len;
	trace_whole(sa, now, in, &r);
	return v2_open_inner(sa, now, in, r.plain, r.len, r.first);
}

bool v2_frag_ignore_dup(v2_ike_sa *sa, ike_time now, const v2_inbound *in)
{
	const v2_payload *last = in->outer.n ? &in->outer.pl[in->outer.n - 1] : NULL;
	v2_skf f = { 0 };
	if (!last || last->type != V2_PL_SKF)
		return false;
	if (v2_parse_skf(last->body, last->len, &f) == V2_OK && f.frag_num == 1)
		return false;
	if (v2_refusal_trace(sa->peer, now, V2_REF_DUP))
		v2_frag_trace(sa, now, "dropped", &in->hdr, f.total, in->raw_len, NULL,
			      "fragment of a request already answered: only fragment 1 brings the response again");
	return true;
}

void v2_frag_free(v2_ike_sa *sa)
{
	v2_train_free(&sa->req_train);
	v2_train_free(&sa->resp_train);
	v2_reasm_free(&sa->reasm[0]);
	v2_reasm_free(&sa->reasm[1]);
}
