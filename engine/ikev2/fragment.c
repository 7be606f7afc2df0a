/* RFC 7383 fragmentation, sending side: negotiation helpers, the policy, and splitting into SKF messages. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ikev2/fragment.h"

bool v2_frag_announce(const ike_conn_cfg *conn) { return conn && conn->fragmentation != IKE_FRAG_NO; }

void v2_frag_add_supported(v2_builder *b)
{
	/* 2.3: Protocol ID 0, SPI Size 0, no data. */
	v2_add_notify(b, 0, NULL, 0, V2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
}

bool v2_frag_peer_supports(const v2_chain *outer)
{
	return outer && v2_chain_find_notify(outer, V2_N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
}

size_t v2_frag_size(const ike_conn_cfg *conn)
{
	return conn && conn->fragment_size ? conn->fragment_size : V2_FRAG_SIZE_DEFAULT;
}

bool v2_frag_wanted(uint8_t mode, bool negotiated, uint8_t exchange, size_t msg_len, size_t size)
{
	/* 2.4: never unless both announced it; 2.2: IKE_SA_INIT has no SK payload to fragment. */
	if (!negotiated || exchange == V2_IKE_SA_INIT)
		return false;
	if (mode == IKE_FRAG_FORCE)
		return true;
	return mode == IKE_FRAG_YES && msg_len > size;
}

size_t v2_frag_chunk(const ike_sk_keys *k, size_t max_len)
{
	if (!k || !k->encr || max_len <= V2_FRAG_OVERHEAD || !ike_sk_body_len(k, 1))
		return 0;
	size_t room = max_len - V2_FRAG_OVERHEAD;
	size_t icv = k->encr->aead ? k->encr->icv_bytes : k->integ->icv_bytes;
	size_t blk = k->encr->block_bytes ? k->encr->block_bytes : 1;
	if (room <= (size_t)k->encr->iv_bytes + icv)
		return 0;
	/* body = IV | round_up(chunk + 1 pad-length byte, block) | ICV: the largest chunk has no padding. */
	size_t padded = (room - k->encr->iv_bytes - icv) / blk * blk;
	if (padded < 2)
		return 0;
	size_t chunk = padded - 1;
	return chunk > UINT16_MAX ? UINT16_MAX : chunk;
}

/* Builds and seals fragment `num` of `total` around pt[0..ptlen) into out; its length, 0 on failure. */
static size_t seal_one(const v2_frag_sealer *s, const v2_header *h, uint8_t first, uint16_t num, uint16_t total,
		       const uint8_t *pt, size_t ptlen, uint8_t *out, size_t cap)
{
	size_t body = ike_sk_body_len(s->keys, ptlen), written = 0;
	v2_builder b;
	v2_begin(&b, out, cap, h);
	size_t aad = v2_add_skf_header(&b, first, num, total, body);
	size_t len = v2_finish(&b, body);
	if (!body || !aad || !len || len > cap ||
	    ike_sk_seal(s->crypto, s->keys, s->rng, out, aad, pt, ptlen, cap, &written) != 0 || written != body)
		return 0;
	return len;
}

int v2_frag_split(const v2_frag_sealer *s, const v2_header *h, const uint8_t *inner, size_t inner_len,
		  uint8_t inner_first, size_t max_len, v2_train *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (max_len > UINT16_MAX)
		max_len = UINT16_MAX; /* each message's length is kept in 2 bytes of the train */
	size_t chunk = s && h ? v2_frag_chunk(s->keys, max_len) : 0;
	if (!chunk) {
		*why = "fragment size too small for these algorithms";
		return -1;
	}
	size_t n = inner_len ? (inner_len + chunk - 1) / chunk : 1;
	if (n > V2_FRAG_MAX_FRAGMENTS) {
		*why = "the message needs more than 64 fragments";
		return -1;
	}
	size_t cap = 0;
	for (size_t i = 0; i < n; i++) {
		size_t part = i + 1 < n ? chunk : inner_len - i * chunk;
		cap += 2 + V2_FRAG_OVERHEAD + ike_sk_body_len(s->keys, part);
	}
	out->buf = malloc(cap);
	if (!out->buf) {
		*why = "out of memory";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t off = i * chunk, part = i + 1 < n ? chunk : inner_len - off;
		uint8_t *dst = out->buf + out->len;
		size_t len = seal_one(s, h, inner_first, (uint16_t)(i + 1), (uint16_t)n, inner ? inner + off : NULL,
				      part, dst + 2, cap - out->len - 2);
		if (!len) {
			v2_train_free(out);
			*why = "could not build or seal a fragment";
			return -1;
		}
		ike_put_u16(dst, (uint16_t)len);
		out->len += 2 + len;
		out->n++;
	}
	return 0;
}

int v2_train_single(const uint8_t *msg, size_t len, v2_train *out)
{
	memset(out, 0, sizeof(*out));
	if (!msg || len > UINT16_MAX || !(out->buf = malloc(len + 2)))
		return -1;
	ike_put_u16(out->buf, (uint16_t)len);
	memcpy(out->buf + 2, msg, len);
	out->len = len + 2;
	out->n = 1;
	return 0;
}

bool v2_train_next(const v2_train *t, size_t *pos, const uint8_t **msg, size_t *len)
{
	if (!t || !t->buf || *pos > t->len || t->len - *pos < 2)
		return false;
	size_t n = ike_get_u16(t->buf + *pos);
	if (n > t->len - *pos - 2)
		return false;
	*msg = t->buf + *pos + 2;
	*len = n;
	*pos += 2 + n;
	return true;
}

void v2_train_free(v2_train *t)
{
	if (!t)
		return;
	free(t->buf);
	memset(t, 0, sizeof(*t));
}
