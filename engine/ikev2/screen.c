/*
 * What a host's receiver thread may settle before any worker sees a datagram (ike_peer_screen): strongSwan's
 * receiver answers COOKIEs and applies block_threshold and init_limit_half_open to a new IKE_SA_INIT request
 * before it queues a job, because those answers need no state. The checks are the very ones v2_init_r_recv
 * makes (cookie.c, exchange_init.c), in its order; everything else passes and is read later by ike_peer_input.
 */
#include <stddef.h>
#include <string.h>

#include "ikev2/sa.h"

/* A well-formed new IKE_SA_INIT request with SA, KE and Nonce: the only message a screen may settle. */
static bool new_init_request(ike_peer *p, v2_inbound *in, const v2_payload **pno)
{
	const v2_header *h = &in->hdr;
	uint8_t bad = 0;
	if (v2_parse_header(in->raw, in->raw_len, &in->hdr) != V2_OK || h->exchange != V2_IKE_SA_INIT ||
	    (h->flags & V2_F_RESPONSE) || !(h->flags & V2_F_INITIATOR) || h->spi_i == 0 || h->spi_r != 0 || h->msg_id != 0)
		return false;
	if (v2_parse_chain(h->next_payload, in->raw + V2_HDR_LEN, h->length - V2_HDR_LEN, V2_HDR_LEN, &in->outer, &bad) !=
	    V2_OK)
		return false; /* the worker answers INVALID_SYNTAX or UNSUPPORTED_CRITICAL_PAYLOAD */
	in->outer_ok = true;
	if (v2_find_half_open(p, h->spi_i, in->from))
		return false; /* a retransmission: the worker resends the cached response */
	const v2_payload *psa = v2_chain_find(&in->outer, V2_PL_SA), *pke = v2_chain_find(&in->outer, V2_PL_KE);
	*pno = v2_chain_find(&in->outer, V2_PL_NONCE);
	v2_sa theirs;
	v2_ke ke;
	return psa && pke && *pno && v2_parse_sa(psa->body, psa->len, &theirs) == V2_OK &&
	       v2_parse_ke(pke->body, pke->len, &ke) == V2_OK && v2_parse_nonce((*pno)->body, (*pno)->len) == V2_OK;
}

bool v2_screen(ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len,
	       size_t pending)
{
	if (len > 65535)
		return false;
	v2_inbound in_buf, *in = &in_buf;
	memset(in, 0, offsetof(v2_inbound, plain));
	in->raw = data;
	in->raw_len = len;
	in->from = from;
	in->to = to;
	const v2_payload *pno = NULL;
	if (!new_init_request(p, in, &pno))
		return false;
	if (!v2_cookie_admit(p, now, in, pno, pending))
		return true; /* answered with N(COOKIE), or rate-limited */
	return !v2_init_r_within_limits(p, now, in, pending, true);
}
