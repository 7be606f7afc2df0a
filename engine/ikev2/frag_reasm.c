/* RFC 7383 2.6 reassembly: each fragment checked, authenticated and decrypted before it is stored. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ikev2/fragment.h"

struct v2_reasm {
	uint32_t msgid;
	uint8_t exchange;     /* every fragment of a message carries the same header */
	uint8_t first;        /* fragment 1's Next Payload, once it is in */
	uint16_t total, have; /* Total Fragments of the set being collected; how many are in */
	size_t bytes;         /* decrypted bytes stored */
	uint8_t *part[V2_FRAG_MAX_FRAGMENTS];
	uint16_t part_len[V2_FRAG_MAX_FRAGMENTS];
};

/* Wipes and frees the stored fragments; the context stays, empty. */
static void clear_parts(v2_reasm *r)
{
	for (size_t i = 0; i < V2_FRAG_MAX_FRAGMENTS; i++) {
		if (r->part[i]) {
			OPENSSL_cleanse(r->part[i], r->part_len[i]);
			free(r->part[i]);
		}
		r->part[i] = NULL;
		r->part_len[i] = 0;
	}
	r->have = 0;
	r->bytes = 0;
	r->total = 0;
}

void v2_reasm_free(v2_reasm **slot)
{
	if (!slot || !*slot)
		return;
	clear_parts(*slot);
	free(*slot);
	*slot = NULL;
}

bool v2_reasm_msgid(const v2_reasm *r, uint32_t *msgid)
{
	if (!r || !r->total)
		return false;
	*msgid = r->msgid;
	return true;
}

bool v2_reasm_state(const v2_reasm *r, uint8_t *exchange, uint16_t *have, uint16_t *total, size_t *bytes)
{
	if (!r || !r->total)
		return false;
	*exchange = r->exchange;
	*have = r->have;
	*total = r->total;
	*bytes = r->bytes;
	return true;
}

static v2_frag_rc drop(v2_frag_result *res, const char *why)
{
	res->why = why;
	return V2_FRAG_DROPPED;
}

/* Verifies and decrypts one fragment into a new heap block; 0, or -1 with why. */
static int open_one(const ike_crypto *c, const ike_sk_keys *k, const uint8_t *msg, const v2_payload *skf,
		    uint8_t **pt, size_t *ptlen, v2_frag_result *res)
{
	size_t aad = (size_t)skf->offset + V2_GENERIC_HDR_LEN + V2_SKF_HDR_LEN;
	size_t body = skf->len - V2_SKF_HDR_LEN;
	*pt = malloc(body ? body : 1);
	if (!*pt) {
		res->why = "out of memory";
		return -1;
	}
	res->opened = body;
	int rc = ike_sk_open(c, k, msg, aad, body, *pt, body, ptlen);
	if (rc != 0) {
		free(*pt);
		*pt = NULL;
		res->why = rc == -IKE_CRYPTO_EAUTH ? "fragment integrity check failed" : "undecryptable fragment";
		return -1;
	}
	return 0;
}

/* Joins the stored parts into one block for the caller; the context is freed either way. */
static v2_frag_rc finish(v2_reasm **slot, v2_frag_result *res)
{
	v2_reasm *r = *slot;
	uint8_t *all = malloc(r->bytes ? r->bytes : 1);
	if (!all) {
		v2_reasm_free(slot);
		return drop(res, "out of memory");
	}
	size_t at = 0;
	for (uint16_t i = 0; i < r->total; i++) {
		if (r->part_len[i])
			memcpy(all + at, r->part[i], r->part_len[i]);
		at += r->part_len[i];
	}
	res->plain = all;
	res->len = at;
	res->first = r->first;
	res->fragments = r->total;
	v2_reasm_free(slot);
	return V2_FRAG_DONE;
}

/* A context for this message: kept if it collects the same message ID, else a fresh one. */
static v2_reasm *context_for(v2_reasm **slot, const v2_header *h)
{
	if (*slot && (*slot)->msgid != h->msg_id)
		v2_reasm_free(slot);
	if (!*slot) {
		*slot = calloc(1, sizeof(**slot));
		if (*slot) {
			(*slot)->msgid = h->msg_id;
			(*slot)->exchange = h->exchange;
		}
	}
	return *slot;
}

v2_frag_rc v2_reasm_add(v2_reasm **slot, const ike_crypto *c, const ike_sk_keys *k, const uint8_t *msg,
			const v2_header *h, const v2_payload *skf, v2_frag_result *res)
{
	memset(res, 0, sizeof(*res));
	v2_skf f;
	if (!slot || !msg || !h || !skf || skf->type != V2_PL_SKF || v2_parse_skf(skf->body, skf->len, &f) != V2_OK)
		return drop(res, "malformed Encrypted Fragment payload");
	res->frag_num = f.frag_num;
	res->fragments = f.total;
	if (f.total > V2_FRAG_MAX_FRAGMENTS)
		return drop(res, "more than 64 fragments");
	v2_reasm *r = context_for(slot, h);
	if (!r)
		return drop(res, "out of memory");
	if (r->total && h->exchange != r->exchange)
		return drop(res, "exchange type differs from the fragments already stored");
	/* 2.6: a lower Total Fragments belongs to an older set; the same number twice is a replay. */
	if (r->total && f.total < r->total)
		return drop(res, "Total Fragments below that of the fragments already stored");
	if (f.total == r->total && r->part[f.frag_num - 1]) {
		res->duplicate = true;
		return drop(res, "duplicate fragment");
	}
	uint8_t *pt;
	size_t ptlen;
	if (open_one(c, k, msg, skf, &pt, &ptlen, res) != 0) {
		if (!r->total)
			v2_reasm_free(slot); /* nothing authenticated is kept for a forged first fragment */
		return V2_FRAG_DROPPED;
	}
	/* Only an authenticated fragment of a newer set restarts the collection. */
	if (f.total > r->total) {
		clear_parts(r);
		r->total = f.total;
		r->exchange = h->exchange;
	}
	if (ptlen > V2_FRAG_MAX_BYTES - r->bytes) {
		OPENSSL_cleanse(pt, ptlen);
		free(pt);
		v2_reasm_free(slot);
		return drop(res, "reassembled message over 65536 bytes");
	}
	r->part[f.frag_num - 1] = pt;
	r->part_len[f.frag_num - 1] = (uint16_t)ptlen;
	r->bytes += ptlen;
	r->have++;
	if (f.frag_num == 1)
		r->first = msg[skf->offset]; /* 2.5: the SKF's Next Payload names the first inner payload */
	return r->have == r->total ? finish(slot, res) : V2_FRAG_STORED;
}
