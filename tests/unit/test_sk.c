/* SK payload seal/open: published vectors (RFC 7634 B, RFC 3602, RFC 3686, GCM draft), round trips, tampering, bad lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/prf.h"
#include "crypto/sk.h"
#include "hexutil.h"
#include "test_list.h.in"

/* A fixed integrity transform/key used to wrap the raw cipher vectors (which have no ICV). */
static const uint8_t test_akey[32] = { 0x42 };

static ike_drbg test_rng(const char *pers)
{
	ike_drbg d;
	ike_drbg_init(&d, "sk-test-seed", 12, pers, strlen(pers));
	return d;
}

/* RFC 7634 Appendix B: open the published IKEv2 message, then reseal and reopen it. */
static void chacha20poly1305_ikev2_rfc7634_appendix_b(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	uint8_t msg[256], key[36], pt[64], exp[16];
	size_t mlen = unhex("c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d72e202500000000090000004529000029"
			    "1011121314151617610394701f8d017f7c129248896b71bfe25236efd7cdc67066906315b2",
			    msg, sizeof(msg));
	unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3", key, sizeof(key));
	size_t el = unhex("0000000c000040010000000a", exp, sizeof(exp));
	ike_sk_keys k = { ike_alg_find(IKE_TT_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0), NULL, key, NULL };
	assert_non_null(k.encr);
	size_t ptlen = 0;
	assert_int_equal(ike_sk_open(c, &k, msg, 32, mlen - 32, pt, sizeof(pt), &ptlen), 0);
	assert_int_equal(ptlen, el);
	assert_memory_equal(pt, exp, el);
	assert_int_equal(ike_sk_body_len(&k, el), mlen - 32);

	/* Reseal: same length (8-byte IV, no padding, 16-byte tag), header untouched, opens again. */
	uint8_t again[256];
	memcpy(again, msg, 32);
	ike_drbg rng = test_rng("7634");
	size_t body = 0;
	assert_int_equal(ike_sk_seal(c, &k, &rng, again, 32, exp, el, sizeof(again), &body), 0);
	assert_int_equal(body, mlen - 32);
	assert_memory_equal(again, msg, 32);
	assert_int_equal(ike_sk_open(c, &k, again, 32, body, pt, sizeof(pt), &ptlen), 0);
	assert_int_equal(ptlen, el);
	assert_memory_equal(pt, exp, el);
	/* tag bit flip */
	msg[mlen - 1] ^= 1;
	assert_int_equal(ike_sk_open(c, &k, msg, 32, mlen - 32, pt, sizeof(pt), &ptlen), -IKE_CRYPTO_EAUTH);
	ike_crypto_free(c);
}

typedef struct raw_vec {
	uint16_t encr;
	uint16_t bits;
	const char *key, *aad, *iv, *ct, *tag, *pt;
} raw_vec;

/*
 * Published cipher vectors run through ike_sk_open: the decrypted bytes (which the vectors end with a
 * pad-length-like byte) must match. Non-AEAD ones get an HMAC-SHA2-256-128 ICV added by the test.
 */
static const raw_vec raw[] = {
	/* RFC 3602 section 4, case 2 */
	{ IKE_ENCR_AES_CBC, 128, "c286696d887c9aa0611bbb3e2025a45a", "", "562e17996d093d28ddb3ba695a2e6f58", "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1", NULL, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" },
	/* RFC 3602 section 4, case 6 */
	{ IKE_ENCR_AES_CBC, 128, "90d382b410eeba7ad938c46cec1a82bf", "", "69d08df7d203329db093fc4924e5bd80", "f51995881ec4e0c4488987ce742e8109689bb379d2d750c0d915dca346a89f75", NULL, "0800b5e8a80a0500a69c083d0b660e0077777777777777777777777701020201" },
	/* RFC 3686 section 6, test vector #2 */
	{ IKE_ENCR_AES_CTR, 128, "7e24067817fae0d743d6ce1f32539163006cb6db", "", "c0543b59da48d90b", "5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28", NULL, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" },
	/* RFC 3686 section 6, test vector #6 */
	{ IKE_ENCR_AES_CTR, 192, "02bf391ee8ecb159b959617b0965279bf59b60a786d3e0fe0007bdfd", "", "5cbd60278dcc0912", "96893fc55e5c722f540b7dd1ddf7e758d288bc95c69165884536c811662f2188abee0935", NULL, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223" },
	/* RFC 3686 section 6, test vector #9 */
	{ IKE_ENCR_AES_CTR, 256, "ff7a617ce69148e4f1726e2f43581de2aa62d9f805532edff1eed687fb54153d001cc5b7", "", "51a51d70a1c11148", "eb6c52821d0bbbf7ce7594462aca4faab407df866569fd07f48cc0b583d6071f1ec0e6b8", NULL, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223" },
	/* draft-mcgrew-gcm-test-01 section 4, case index 0 */
	{ IKE_ENCR_AES_GCM_16, 128, "4c80cdefbb5d10da906ac73c3613a6342e443b68", "000043218765432100000000", "4956ed7e3b244cfe", "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce61bc17d768fd9732", "459018148f6cbe722fd04796562dfdb4", "45000048699a000080114db7c0a80102c0a801010a9bf15638d301000001000000000000045f736970045f756470037369700963796265726369747902646b000021000101020201" },
	/* draft-mcgrew-gcm-test-01 section 4, case index 2 */
	{ IKE_ENCR_AES_GCM_16, 256, "abbccddef00112233445566778899aababbccddef00112233445566778899aab11223344", "4a2cbfe300000002", "0102030405060708", "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763748a637985771d347f0545659f14e99def842d8e", "b335f4eecfdbf831824b4c4915956c96", "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee0000000007002400020bf0000020405b40101040201020201" },
	/* draft-mcgrew-gcm-test-01 section 4, case index 6 */
	{ IKE_ENCR_AES_GCM_16, 192, "feffe9928665731c6d6a8f9467308308feffe9928665731ccafebabe", "0000a5f80000000a", "facedbaddecaf888", "a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0315b27452144cc77", "95457b9652037f5318027b5b4cd7a636", "45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e501016d075680001" },
	/* RFC 7634 Appendix A (ESP) */
	{ IKE_ENCR_CHACHA20_POLY1305, 0, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3", "0102030400000005", "1011121314151617", "24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c614ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3cbec163fac469b502773f6fb94e664da9165b82829f641e0", "76aaa8266b7fb0f7b11b369907e1ad43", "45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec100007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363701020204" },
};

static void published_cipher_vectors_via_open(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		const raw_vec *v = &raw[i];
		uint8_t key[64], msg[512], exp[256], pt[256];
		const ike_alg *e = ike_alg_find(IKE_TT_ENCR, v->encr, v->bits);
		assert_non_null(e);
		assert_int_equal(unhex(v->key, key, sizeof(key)), e->key_bytes);
		size_t aad = unhex(v->aad, msg, sizeof(msg));
		size_t ivl = unhex(v->iv, msg + aad, sizeof(msg) - aad);
		assert_int_equal(ivl, e->iv_bytes);
		size_t ctl = unhex(v->ct, msg + aad + ivl, sizeof(msg) - aad - ivl);
		size_t pl = unhex(v->pt, exp, sizeof(exp));
		assert_int_equal(ctl, pl);
		ike_sk_keys k = { e, NULL, key, NULL };
		size_t icv;
		if (v->tag) {
			icv = unhex(v->tag, msg + aad + ivl + ctl, 64);
			assert_int_equal(icv, e->icv_bytes);
		} else {
			k.integ = ike_alg_find(IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
			k.akey = test_akey;
			ike_iov d = { msg, aad + ivl + ctl };
			assert_int_equal(ike_integ(c, IKE_INTEG_HMAC_SHA2_256_128, test_akey, &d, 1, msg + aad + ivl + ctl), 0);
			icv = 16;
		}
		size_t ptlen = 0;
		assert_int_equal(ike_sk_open(c, &k, msg, aad, ivl + ctl + icv, pt, sizeof(pt), &ptlen), 0);
		assert_memory_equal(pt, exp, pl);
		assert_int_equal(ptlen, pl - 1 - exp[pl - 1]);
	}
	ike_crypto_free(c);
}

/* Round trip for one ENCR/INTEG pair over several plaintext lengths, plus tampering of every region. */
static void round_trip(const ike_crypto *c, const ike_alg *e, const ike_alg *i, ike_drbg *rng)
{
	uint8_t ekey[64], akey[64], msg[400], pt[300], src[200], out[300];
	ike_drbg_bytes(rng, ekey, sizeof(ekey));
	ike_drbg_bytes(rng, akey, sizeof(akey));
	ike_drbg_bytes(rng, src, sizeof(src));
	ike_sk_keys k = { e, i, ekey, i ? akey : NULL };
	static const size_t lens[] = { 0, 1, 15, 16, 17, 100, 200 };
	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		size_t n = lens[li], aad = 32, body = 0, ptlen = 0;
		ike_drbg_bytes(rng, msg, aad);
		size_t want = ike_sk_body_len(&k, n);
		assert_true(want > 0);
		assert_int_equal(ike_sk_seal(c, &k, rng, msg, aad, src, n, sizeof(msg), &body), 0);
		assert_int_equal(body, want);
		if (e->block_bytes > 1)
			assert_int_equal((body - e->iv_bytes - (i ? i->icv_bytes : e->icv_bytes)) % e->block_bytes, 0);
		assert_int_equal(ike_sk_open(c, &k, msg, aad, body, pt, sizeof(pt), &ptlen), 0);
		assert_int_equal(ptlen, n);
		if (n)
			assert_memory_equal(pt, src, n);
		/* flip one bit in the header, the IV, the ciphertext and the ICV: every one must fail */
		const size_t spots[] = { 3, aad, aad + e->iv_bytes, aad + body - 1 };
		for (size_t s = 0; s < 4; s++) {
			memcpy(out, msg, aad + body);
			out[spots[s]] ^= 0x10;
			assert_int_equal(ike_sk_open(c, &k, out, aad, body, pt, sizeof(pt), &ptlen), -IKE_CRYPTO_EAUTH);
		}
	}
	/* in place: plaintext already where the ciphertext goes */
	size_t body = 0, ptlen = 0;
	memcpy(msg + 32 + e->iv_bytes, src, 50);
	assert_int_equal(ike_sk_seal(c, &k, rng, msg, 32, msg + 32 + e->iv_bytes, 50, sizeof(msg), &body), 0);
	assert_int_equal(ike_sk_open(c, &k, msg, 32, body, pt, sizeof(pt), &ptlen), 0);
	assert_int_equal(ptlen, 50);
	assert_memory_equal(pt, src, 50);
}

static void seal_open_every_combination(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	ike_drbg rng = test_rng("combos");
	size_t n, combos = 0;
	const ike_alg *all = ike_alg_all(&n);
	for (size_t a = 0; a < n; a++) {
		if (all[a].type != IKE_TT_ENCR)
			continue;
		if (all[a].aead) {
			round_trip(c, &all[a], NULL, &rng);
			combos++;
			continue;
		}
		for (size_t b = 0; b < n; b++)
			if (all[b].type == IKE_TT_INTEG) {
				round_trip(c, &all[a], &all[b], &rng);
				combos++;
			}
	}
	assert_int_equal(combos, 6 * 6 + 10);
	ike_crypto_free(c);
}

/* Lengths that cannot be valid are refused before any decryption or out-of-bounds read. */
static void malformed_lengths_rejected(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	ike_drbg rng = test_rng("malformed");
	uint8_t ekey[64] = { 1 }, akey[64] = { 2 }, msg[256] = { 0 }, pt[256], src[40] = { 3 };
	size_t body = 0, ptlen = 0;
	ike_sk_keys cbc = { ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_CBC, 128),
			    ike_alg_find(IKE_TT_INTEG, IKE_INTEG_HMAC_SHA1_96, 0), ekey, akey };
	assert_int_equal(ike_sk_seal(c, &cbc, &rng, msg, 32, src, 40, sizeof(msg), &body), 0);
	assert_int_equal(body, 16 + 48 + 12);
	/* shorter than IV + one block + ICV, not block aligned, zero */
	assert_int_equal(ike_sk_open(c, &cbc, msg, 32, 16 + 12, pt, sizeof(pt), &ptlen), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_sk_open(c, &cbc, msg, 32, body - 1, pt, sizeof(pt), &ptlen), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_sk_open(c, &cbc, msg, 32, 0, pt, sizeof(pt), &ptlen), -IKE_CRYPTO_EINVAL);
	/* output buffer too small for the ciphertext */
	assert_int_equal(ike_sk_open(c, &cbc, msg, 32, body, pt, 47, &ptlen), -IKE_CRYPTO_EINVAL);
	/* seal into too little room */
	assert_int_equal(ike_sk_seal(c, &cbc, &rng, msg, 32, src, 40, 32 + body - 1, &body), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_sk_seal(c, &cbc, &rng, msg, 300, src, 40, sizeof(msg), &body), -IKE_CRYPTO_EINVAL);

	/* AES-CTR: set the decrypted pad length to 255 (XOR on the stream cipher), fix the ICV: EINVAL */
	ike_sk_keys ctr = { ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_CTR, 128),
			    ike_alg_find(IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0), ekey, akey };
	assert_int_equal(ike_sk_seal(c, &ctr, &rng, msg, 32, src, 10, sizeof(msg), &body), 0);
	assert_int_equal(body, 8 + 11 + 16);
	msg[32 + 8 + 10] ^= 0xff;
	ike_iov d = { msg, 32 + 8 + 11 };
	assert_int_equal(ike_integ(c, IKE_INTEG_HMAC_SHA2_256_128, akey, &d, 1, msg + 32 + 8 + 11), 0);
	assert_int_equal(ike_sk_open(c, &ctr, msg, 32, body, pt, sizeof(pt), &ptlen), -IKE_CRYPTO_EINVAL);

	/* AEAD: body shorter than IV + tag + 1 */
	ike_sk_keys gcm = { ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256), NULL, ekey, NULL };
	assert_int_equal(ike_sk_open(c, &gcm, msg, 32, 8 + 16, pt, sizeof(pt), &ptlen), -IKE_CRYPTO_EINVAL);
	/* inconsistent key sets: AEAD with integrity, CBC without, no keys */
	ike_sk_keys bad1 = { gcm.encr, cbc.integ, ekey, akey }, bad2 = { cbc.encr, NULL, ekey, NULL };
	assert_int_equal(ike_sk_open(c, &bad1, msg, 32, 60, pt, sizeof(pt), &ptlen), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_sk_seal(c, &bad2, &rng, msg, 32, src, 4, sizeof(msg), &body), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_sk_body_len(&bad2, 4), 0);
	assert_int_equal(ike_sk_body_len(NULL, 4), 0);
	assert_int_equal(ike_sk_open(NULL, &gcm, msg, 32, 60, pt, sizeof(pt), &ptlen), -IKE_CRYPTO_EINVAL);
	ike_crypto_free(c);
}

size_t tests_sk(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(chacha20poly1305_ikev2_rfc7634_appendix_b),
		cmocka_unit_test(published_cipher_vectors_via_open),
		cmocka_unit_test(seal_open_every_combination),
		cmocka_unit_test(malformed_lengths_rejected),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
