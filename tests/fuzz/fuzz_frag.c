/*
 * libFuzzer target: RFC 7383 fragments (engine/wire/v2_frag.c, engine/ikev2/frag_reasm.c, fragment.c).
 * The input is a list of records [kind | 2-byte length | bytes] fed to one reassembly context, with fixed
 * AES-GCM-16 keys. kind & 3: 0 = a raw datagram (header, chain, SKF parser, reassembly: its ICV fails
 * unless copied from elsewhere); 1 = a fragment the harness seals with the real keys from the record's
 * fields (number, total, message ID, exchange, first payload, plaintext), so the reassembly's state
 * machine is reached past the ICV; 2 = the record's bytes split at a size it picks, every fragment fed
 * (in an order it picks) to a separate context, which must give back exactly the bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "ikev2/fragment.h"

#define KEY_BYTES 20 /* AES-128 + 4-byte salt */

static ike_crypto *crypto;
static ike_sk_keys keys;
static const uint8_t key_bytes[KEY_BYTES] = "fuzz-frag-key-bytes";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	crypto = ike_crypto_new();
	keys.encr = ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128);
	keys.ekey = key_bytes;
	if (!crypto || !keys.encr)
		abort();
	return 0;
}

static v2_header hdr_of(uint8_t exchange, uint32_t msgid)
{
	v2_header h = { .spi_i = 1, .spi_r = 2, .major = 2, .exchange = exchange, .msg_id = msgid };
	return h;
}

/* Checks a result's invariants; a DONE result's plaintext is walked as an inner chain, then freed. */
static void check(v2_frag_rc rc, v2_frag_result *r)
{
	if (rc == V2_FRAG_DROPPED && !r->why)
		__builtin_trap(); /* every drop says why */
	if (rc != V2_FRAG_DONE) {
		if (r->plain)
			__builtin_trap();
		return;
	}
	if (r->len > V2_FRAG_MAX_BYTES || r->fragments == 0 || r->fragments > V2_FRAG_MAX_FRAGMENTS)
		__builtin_trap();
	v2_chain ch;
	uint8_t bad;
	(void)v2_parse_chain(r->first, r->plain, r->len, 0, &ch, &bad);
	free(r->plain);
}

/* A raw datagram: parsed like the engine would, its last payload given to the reassembly if an SKF. */
static void raw(v2_reasm **slot, const uint8_t *d, size_t n)
{
	v2_header h;
	v2_chain ch;
	uint8_t bad;
	if (v2_parse_header(d, n, &h) != V2_OK ||
	    v2_parse_chain(h.next_payload, d + V2_HDR_LEN, h.length - V2_HDR_LEN, V2_HDR_LEN, &ch, &bad) != V2_OK ||
	    !ch.n)
		return;
	v2_frag_result r;
	check(v2_reasm_add(slot, crypto, &keys, d, &h, &ch.pl[ch.n - 1], &r), &r);
}

/* A genuine fragment from fields: num(2) total(2) msgid(1) exchange(1) first(1), then its plaintext. */
static void sealed(v2_reasm **slot, ike_drbg *rng, const uint8_t *d, size_t n)
{
	static uint8_t msg[FZ_MSG_MAX];
	if (n < 7)
		return;
	uint16_t num = ike_get_u16(d), total = ike_get_u16(d + 2);
	v2_header h = hdr_of(d[5], d[4] & 3);
	v2_builder b;
	size_t body = ike_sk_body_len(&keys, n - 7), w = 0;
	v2_begin(&b, msg, sizeof(msg), &h);
	size_t aad = v2_add_skf_header(&b, d[6], num, total, body);
	size_t len = v2_finish(&b, body);
	if (!aad || !len || ike_sk_seal(crypto, &keys, rng, msg, aad, d + 7, n - 7, sizeof(msg), &w) != 0)
		return; /* numbers the builder refuses (0, num > total) */
	raw(slot, msg, len);
}

/* Split and reassemble: size(2) order(1), then the plaintext; the result must be the plaintext. */
static void round_trip(ike_drbg *rng, const uint8_t *d, size_t n)
{
	if (n < 3)
		return;
	size_t max = V2_FRAG_SIZE_MIN + ike_get_u16(d) % 2048;
	uint8_t order = d[2];
	v2_frag_sealer s = { crypto, &keys, rng };
	v2_header h = hdr_of(V2_IKE_AUTH, 1);
	v2_train t;
	const char *why = NULL;
	if (v2_frag_split(&s, &h, d + 3, n - 3, V2_PL_IDI, max, &t, &why) != 0) {
		if (!why)
			__builtin_trap();
		return;
	}
	v2_reasm *slot = NULL;
	v2_frag_result r = { 0 };
	v2_frag_rc rc = V2_FRAG_DROPPED;
	/* odd order: last to first; either way each fragment once */
	for (uint16_t k = 0; k < t.n; k++) {
		uint16_t want = (order & 1) ? (uint16_t)(t.n - 1 - k) : k, i = 0;
		size_t pos = 0, len = 0;
		const uint8_t *m = NULL;
		while (v2_train_next(&t, &pos, &m, &len) && i < want)
			i++;
		if (len > max)
			__builtin_trap();
		v2_header fh;
		v2_chain ch;
		uint8_t bad;
		if (v2_parse_header(m, len, &fh) != V2_OK ||
		    v2_parse_chain(fh.next_payload, m + V2_HDR_LEN, fh.length - V2_HDR_LEN, V2_HDR_LEN, &ch, &bad) != V2_OK)
			__builtin_trap();
		rc = v2_reasm_add(&slot, crypto, &keys, m, &fh, &ch.pl[ch.n - 1], &r);
		if (rc == V2_FRAG_DROPPED || (rc == V2_FRAG_DONE) != (k + 1 == t.n))
			__builtin_trap();
	}
	if (rc != V2_FRAG_DONE || r.len != n - 3 || r.first != V2_PL_IDI || (r.len && memcmp(r.plain, d + 3, r.len)))
		__builtin_trap();
	free(r.plain);
	v2_train_free(&t);
	if (slot)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ike_drbg rng;
	ike_drbg_init(&rng, "fuzz-frag", 9, NULL, 0); /* the same IVs for the same input */
	v2_reasm *slot = NULL;
	size_t at = 0;
	while (size - at >= 3) {
		uint8_t kind = data[at] & 3;
		size_t n = ike_get_u16(data + at + 1);
		at += 3;
		if (n > size - at)
			n = size - at;
		const uint8_t *d = data + at;
		at += n;
		if (kind == 0)
			raw(&slot, d, n);
		else if (kind == 1)
			sealed(&slot, &rng, d, n);
		else
			round_trip(&rng, d, n);
	}
	v2_reasm_free(&slot);
	return 0;
}
