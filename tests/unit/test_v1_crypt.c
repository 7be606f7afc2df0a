/* IKEv1 encrypted messages: Main Mode 5/6 and a Quick Mode message sealed and opened with the RFC 2409
 * App. B IV rules, each ciphertext checked against an independent OpenSSL CBC over the hand-padded plaintext. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "ikev1/v1_crypt.h"
#include "test_list.h.in"

static const uint8_t gxi[96] = { 0xa1, 0xa2 }, gxr[96] = { 0xb1, 0xb2 };

static void fake_keys(ike_v1_keys *k)
{
	*k = (ike_v1_keys){ .hash = IKE_V1_SHA1, .len = 20 };
	for (int i = 0; i < 20; i++)
		k->skeyid_e[i] = (uint8_t)(0xc0 + i);
}

/* Reference CBC encryption (no padding) with OpenSSL directly. */
static void ref_cbc(const EVP_CIPHER *ciph, const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t n,
		    uint8_t *out)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;
	assert_true(EVP_EncryptInit_ex(x, ciph, NULL, key, iv));
	EVP_CIPHER_CTX_set_padding(x, 0);
	assert_true(EVP_EncryptUpdate(x, out, &l1, in, (int)n));
	assert_true(EVP_EncryptFinal_ex(x, out + l1, &l2));
	assert_int_equal((size_t)(l1 + l2), n);
	EVP_CIPHER_CTX_free(x);
}

/* A plaintext message: header (exchange, M-ID) then ID and HASH; returns its length. */
static size_t build(uint8_t *buf, size_t cap, uint8_t exch, uint32_t mid, size_t hash_len)
{
	static const uint8_t addr[4] = { 192, 0, 2, 7 }, hash[64] = { 0x5a, 0x5b };
	v1_header h = { .cky_i = 0x1111111111111111ull, .cky_r = 0x2222222222222222ull, .major = 1, .exchange = exch,
			.msg_id = mid };
	v1_builder b;
	v1_begin(&b, buf, cap, &h);
	v1_id id = { .type = V1_ID_IPV4_ADDR, .protocol = 17, .port = 500, .data = addr, .len = 4 };
	v1_add_id(&b, &id);
	v1_add_data(&b, V1_PL_HASH, hash, hash_len);
	return v1_finish(&b, 0);
}

/* Seals pt (copied), checks it against the reference, opens it with the peer's IV and commits both sides. */
static void exchange_one(const ike_crypto *c, const v1_cipher *ci, const EVP_CIPHER *ref, v1_iv *snd, v1_iv *rcv,
			 const uint8_t *pt, size_t len)
{
	uint8_t msg[512], want[512], padded[512] = { 0 }, out[512];
	size_t sealed = 0, ptl = 0;
	memcpy(msg, pt, len);
	memcpy(padded, pt, len);
	uint8_t iv_before[16];
	memcpy(iv_before, snd->iv, ci->block);
	assert_memory_equal(snd->iv, rcv->iv, ci->block); /* both peers hold the same running IV */
	assert_int_equal(v1_seal(c, ci, snd, msg, len, sizeof(msg), &sealed), 0);
	size_t body = len - V1_HDR_LEN, pad = (ci->block - body % ci->block) % ci->block;
	assert_int_equal(sealed, len + pad); /* zero padding up to the block, none when aligned */
	assert_int_equal(ike_get_u32(msg + 24), sealed);
	assert_true(msg[19] & V1_F_ENCRYPTION);
	assert_memory_equal(msg, pt, 19);
	ref_cbc(ref, ci->key, iv_before, padded + V1_HDR_LEN, sealed - V1_HDR_LEN, want);
	assert_memory_equal(msg + V1_HDR_LEN, want, sealed - V1_HDR_LEN);
	assert_memory_equal(snd->iv, msg + sealed - ci->block, ci->block); /* chaining: the last ciphertext block */
	v1_iv next;
	assert_int_equal(v1_open(c, ci, rcv, msg, sealed, out, sizeof(out), &ptl, &next), 0);
	assert_int_equal(ptl, sealed - V1_HDR_LEN);
	assert_memory_equal(out, padded + V1_HDR_LEN, ptl);
	v1_chain ch;
	v1_err e;
	assert_int_equal(v1_parse_chain(V1_PL_ID, out, ptl, V1_HDR_LEN, true, &ch, &e), V1_OK);
	assert_int_equal(ch.n, 2);
	assert_int_equal(ch.pad, pad);
	*rcv = next; /* the receiver commits once the message is accepted */
}

static void v1_main_mode_and_quick_mode_round_trip(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	ike_v1_keys k;
	fake_keys(&k);
	v1_cipher ci;
	assert_int_equal(v1_cipher_init(c, &k, IKE_V1_ENCR_AES_CBC, 128, &ci), 0);
	assert_int_equal(ci.block, 16);
	assert_memory_equal(ci.key, k.skeyid_e, 16);
	v1_iv iv_i, iv_r;
	assert_int_equal(v1_iv_phase1(c, &ci, gxi, sizeof(gxi), gxr, sizeof(gxr), &iv_i), 0);
	assert_int_equal(v1_iv_phase1(c, &ci, gxi, sizeof(gxi), gxr, sizeof(gxr), &iv_r), 0);
	uint8_t cat[192], dg[32];
	unsigned int dl;
	memcpy(cat, gxi, 96);
	memcpy(cat + 96, gxr, 96);
	assert_true(EVP_Digest(cat, 192, dg, &dl, EVP_sha1(), NULL));
	assert_memory_equal(iv_i.iv, dg, 16); /* SHA-1(g^xi | g^xr) truncated to the AES block */

	uint8_t pt[512];
	size_t n = build(pt, sizeof(pt), V1_EXCH_ID_PROT, 0, 20); /* MM5: ID 12 + HASH 24 = 36 bytes: 12 pad */
	exchange_one(c, &ci, EVP_aes_128_cbc(), &iv_i, &iv_r, pt, n);
	n = build(pt, sizeof(pt), V1_EXCH_ID_PROT, 0, 24); /* MM6: 40 bytes, 8 pad; IV = MM5's last block */
	exchange_one(c, &ci, EVP_aes_128_cbc(), &iv_r, &iv_i, pt, n);
	n = build(pt, sizeof(pt), V1_EXCH_ID_PROT, 0, 32); /* 48 bytes: aligned, no padding */
	v1_iv spare_i = iv_i, spare_r = iv_r;
	exchange_one(c, &ci, EVP_aes_128_cbc(), &spare_i, &spare_r, pt, n);

	/* Quick Mode M-ID 0x01020304: IV = SHA-1(last phase 1 block | M-ID)[:16], both sides, then chained. */
	v1_iv qm_i, qm_r;
	assert_int_equal(v1_iv_phase2(c, &ci, &iv_i, 0x01020304u, &qm_i), 0);
	assert_int_equal(v1_iv_phase2(c, &ci, &iv_r, 0x01020304u, &qm_r), 0);
	memcpy(cat, iv_i.iv, 16);
	memcpy(cat + 16, "\x01\x02\x03\x04", 4);
	assert_true(EVP_Digest(cat, 20, dg, &dl, EVP_sha1(), NULL));
	assert_memory_equal(qm_i.iv, dg, 16);
	assert_int_equal(qm_i.msg_id, 0x01020304u);
	n = build(pt, sizeof(pt), V1_EXCH_QUICK, 0x01020304u, 20);
	exchange_one(c, &ci, EVP_aes_128_cbc(), &qm_i, &qm_r, pt, n);
	n = build(pt, sizeof(pt), V1_EXCH_QUICK, 0x01020304u, 20);
	exchange_one(c, &ci, EVP_aes_128_cbc(), &qm_r, &qm_i, pt, n);
	/* A second exchange (Informational) starts from phase 1's IV again, not from Quick Mode's. */
	v1_iv inf;
	assert_int_equal(v1_iv_phase2(c, &ci, &iv_i, 7, &inf), 0);
	assert_memory_not_equal(inf.iv, qm_i.iv, 16);
	v1_cipher_wipe(&ci);
	ike_crypto_free(c);
}

/* 3DES (RFC 2409 App. B): SHA-1 gives 20 bytes of SKEYID_e, so the 24-byte key is expanded; 8-byte blocks. */
static void v1_3des_with_expanded_key(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	ike_v1_keys k;
	fake_keys(&k);
	v1_cipher ci;
	assert_int_equal(v1_cipher_init(c, &k, IKE_V1_ENCR_3DES, 0, &ci), 0);
	assert_int_equal(ci.block, 8);
	assert_int_equal(ci.key_len, 24);
	uint8_t exp[24];
	assert_int_equal(ike_v1_enc_key(c, &k, exp, 24), 0);
	assert_memory_equal(ci.key, exp, 24);
	assert_memory_not_equal(ci.key + 20, k.skeyid_e, 4); /* not a plain prefix */
	v1_iv a, b;
	assert_int_equal(v1_iv_phase1(c, &ci, gxi, sizeof(gxi), gxr, sizeof(gxr), &a), 0);
	b = a;
	uint8_t pt[512];
	size_t n = build(pt, sizeof(pt), V1_EXCH_AGGRESSIVE, 0, 20);
	exchange_one(c, &ci, EVP_des_ede3_cbc(), &a, &b, pt, n);
	n = build(pt, sizeof(pt), V1_EXCH_AGGRESSIVE, 0, 21);
	exchange_one(c, &ci, EVP_des_ede3_cbc(), &a, &b, pt, n);
	char line[80];
	assert_int_equal(v1_ws_key_line(0x0123456789abcdefull, &ci, line, sizeof(line)), 16 + 1 + 48);
	assert_memory_equal(line, "0123456789abcdef,", 17);
	for (int j = 0; j < 24; j++) { /* Ka: all 24 bytes of the (expanded) 3DES key */
		static const char hx[] = "0123456789abcdef";
		assert_int_equal(line[17 + 2 * j], hx[exp[j] >> 4]);
		assert_int_equal(line[18 + 2 * j], hx[exp[j] & 0xf]);
	}
	assert_int_equal(v1_ws_key_line(1, &ci, line, 65), 0); /* no room for the NUL */
	assert_int_equal(v1_ws_key_line(1, &ci, line, 66), 65);
	assert_int_equal(v1_cipher_init(c, &k, IKE_V1_ENCR_3DES, 128, &ci), -IKE_CRYPTO_EUNSUPPORTED);
	assert_int_equal(v1_cipher_init(c, &k, IKE_V1_ENCR_AES_CBC, 100, &ci), -IKE_CRYPTO_EUNSUPPORTED);
	assert_int_equal(v1_cipher_init(c, &k, 1 /* DES */, 0, &ci), -IKE_CRYPTO_EUNSUPPORTED);
	ike_crypto_free(c);
}

/* What must fail: short buffers leave the IV alone; bad lengths, no E flag, a wrong IV. */
static void v1_seal_open_errors(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	ike_v1_keys k;
	fake_keys(&k);
	v1_cipher ci;
	assert_int_equal(v1_cipher_init(c, &k, IKE_V1_ENCR_AES_CBC, 256, &ci), 0); /* 32 bytes: K1 | K2 */
	v1_iv iv, keep;
	assert_int_equal(v1_iv_phase1(c, &ci, gxi, sizeof(gxi), gxr, sizeof(gxr), &iv), 0);
	keep = iv;
	uint8_t msg[512], out[512];
	size_t n = build(msg, sizeof(msg), V1_EXCH_ID_PROT, 0, 20), sealed = 0, ptl = 0;
	assert_int_equal(v1_seal(c, &ci, &iv, msg, n, n + 11, &sealed), -IKE_CRYPTO_EINVAL); /* needs 12 pad bytes */
	assert_memory_equal(iv.iv, keep.iv, 16);
	assert_int_equal(v1_seal(c, &ci, &iv, msg, V1_HDR_LEN, sizeof(msg), &sealed), -IKE_CRYPTO_EINVAL);
	assert_int_equal(v1_seal(c, &ci, &iv, msg, n, sizeof(msg), &sealed), 0);
	v1_iv next;
	assert_int_equal(v1_open(c, &ci, &keep, msg, sealed - 1, out, sizeof(out), &ptl, &next), -IKE_CRYPTO_EINVAL);
	assert_int_equal(v1_open(c, &ci, &keep, msg, V1_HDR_LEN, out, sizeof(out), &ptl, &next), -IKE_CRYPTO_EINVAL);
	assert_int_equal(v1_open(c, &ci, &keep, msg, sealed, out, 16, &ptl, &next), -IKE_CRYPTO_EINVAL);
	msg[19] &= (uint8_t)~V1_F_ENCRYPTION;
	assert_int_equal(v1_open(c, &ci, &keep, msg, sealed, out, sizeof(out), &ptl, &next), -IKE_CRYPTO_EINVAL);
	msg[19] |= V1_F_ENCRYPTION;
	/* With the IV already advanced (a retransmission after commit) the first block decrypts to garbage. */
	assert_int_equal(v1_open(c, &ci, &iv, msg, sealed, out, sizeof(out), &ptl, &next), 0);
	v1_chain ch;
	v1_err e;
	uint8_t good[512];
	assert_int_equal(v1_open(c, &ci, &keep, msg, sealed, good, sizeof(good), &ptl, &next), 0);
	assert_int_equal(v1_parse_chain(V1_PL_ID, good, ptl, V1_HDR_LEN, true, &ch, &e), V1_OK);
	assert_int_equal(v1_open(c, &ci, &iv, msg, sealed, out, sizeof(out), &ptl, &next), 0);
	assert_memory_not_equal(out, good, 16);               /* the first block depends on the IV */
	assert_memory_equal(out + 16, good + 16, ptl - 16);   /* the later blocks only on the ciphertext */
	assert_int_not_equal(v1_parse_chain(V1_PL_ID, out, ptl, V1_HDR_LEN, true, &ch, &e), V1_OK);
	ike_crypto_free(c);
}

size_t tests_v1_crypt(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_main_mode_and_quick_mode_round_trip),
		cmocka_unit_test(v1_3des_with_expanded_key),
		cmocka_unit_test(v1_seal_open_errors),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
