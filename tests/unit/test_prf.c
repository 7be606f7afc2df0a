/* PRFs, prf+ and integrity MACs against published vectors (RFC 4231/4868, 3566, 4434, 4493/4615). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/prf.h"
#include "crypto/registry.h"
#include "hexutil.h"
#include "test_list.h.in"

typedef struct vec {
	uint16_t id;
	const char *key, *data, *expect;
} vec;

static void check_prf(const ike_crypto *c, const vec *v)
{
	uint8_t key[256], data[1024], exp[64], out[64];
	size_t kl = unhex(v->key, key, sizeof(key)), dl = unhex(v->data, data, sizeof(data));
	size_t el = unhex(v->expect, exp, sizeof(exp));
	assert_int_equal(el, ike_prf_out_len(v->id));
	ike_iov d = { data, dl };
	assert_int_equal(ike_prf(c, v->id, key, kl, &d, 1, out), 0);
	assert_memory_equal(out, exp, el);
}

static void check_integ(const ike_crypto *c, const vec *v)
{
	uint8_t key[256], data[1024], exp[64], out[64];
	size_t kl = unhex(v->key, key, sizeof(key)), dl = unhex(v->data, data, sizeof(data));
	size_t el = unhex(v->expect, exp, sizeof(exp));
	assert_int_equal(kl, ike_integ_key_len(v->id));
	assert_int_equal(el, ike_integ_icv_len(v->id));
	/* split the data in two pieces to exercise the streaming path */
	ike_iov d[2] = { { data, dl / 3 }, { data + dl / 3, dl - dl / 3 } };
	assert_int_equal(ike_integ(c, v->id, key, d, 2, out), 0);
	assert_memory_equal(out, exp, el);
}

/* RFC 4231 section 4 (= RFC 4868 PRF-1..4): HMAC-SHA-256/384/512 untruncated, as IKEv2 PRFs. */
static void hmac_sha2_prf_rfc4231(void **state)
{
	(void)state;
	static const vec v[] = {
		{ IKE_PRF_HMAC_SHA2_256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ IKE_PRF_HMAC_SHA2_384, "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649" },
		{ IKE_PRF_HMAC_SHA2_512, "0102030405060708090a0b0c0d0e0f10111213141516171819",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" },
		/* RFC 4231 case 6: key longer than the block size is hashed first */
		{ IKE_PRF_HMAC_SHA2_256,
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	};
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check_prf(c, &v[i]);
	ike_crypto_free(c);
}

/* RFC 4868 section 2.7.2: AUTH256-1, AUTH384-2, AUTH512-3 truncated ICVs; RFC 2202 case 2 for HMAC-SHA1-96. */
static void hmac_integ_truncations_rfc4868(void **state)
{
	(void)state;
	static const vec v[] = {
		{ IKE_INTEG_HMAC_SHA2_256_128, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "4869205468657265", "198a607eb44bfbc69903a0f1cf2bbdc5" },
		{ IKE_INTEG_HMAC_SHA2_384_192,
		  "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665",
		  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d" },
		{ IKE_INTEG_HMAC_SHA2_512_256,
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
		  "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8" },
		/* RFC 2202 test case 1 (HMAC-SHA-1, 20-byte key), first 96 bits */
		{ IKE_INTEG_HMAC_SHA1_96, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
		  "b617318655057264e28bc0b6" },
	};
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check_integ(c, &v[i]);
	ike_crypto_free(c);
}

/* RFC 3566 section 4.6: AES-XCBC-MAC-96, cases 1-6 and 7 (1000 zero bytes). */
static void xcbc_mac_96_rfc3566(void **state)
{
	(void)state;
	static const char *const msgs[] = { "", "000102", "000102030405060708090a0b0c0d0e0f",
					     "000102030405060708090a0b0c0d0e0f10111213",
					     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
					     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021" };
	static const char *const macs[] = { "75f0251d528ac01c4573dfd5", "5b376580ae2f19afe7219cee",
					    "d2a246fa349b68a79998a439", "47f51b4564966215b8985c63",
					    "f54f0ec8d2b9f3d36807734b", "becbb3bccdb518a30677d548" };
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	for (size_t i = 0; i < 6; i++) {
		vec v = { IKE_INTEG_AES_XCBC_96, "000102030405060708090a0b0c0d0e0f", msgs[i], macs[i] };
		check_integ(c, &v);
	}
	uint8_t key[16], zeros[1000] = { 0 }, out[12], exp[12];
	unhex("000102030405060708090a0b0c0d0e0f", key, sizeof(key));
	unhex("f0dafee895db30253761103b", exp, sizeof(exp));
	ike_iov d = { zeros, sizeof(zeros) };
	assert_int_equal(ike_integ(c, IKE_INTEG_AES_XCBC_96, key, &d, 1, out), 0);
	assert_memory_equal(out, exp, 12);
	ike_crypto_free(c);
}

/* RFC 4434 section 2.1: AES-XCBC-PRF-128 with 16-, 10- (zero-padded) and 18-byte (XCBC'ed) keys. */
static void xcbc_prf_128_rfc4434(void **state)
{
	(void)state;
	static const vec v[] = {
		{ IKE_PRF_AES128_XCBC, "000102030405060708090a0b0c0d0e0f", "000102030405060708090a0b0c0d0e0f10111213",
		  "47f51b4564966215b8985c63055ed308" },
		{ IKE_PRF_AES128_XCBC, "00010203040506070809", "000102030405060708090a0b0c0d0e0f10111213",
		  "0fa087af7d866e7653434e602fdde835" },
		{ IKE_PRF_AES128_XCBC, "000102030405060708090a0b0c0d0e0fedcb", "000102030405060708090a0b0c0d0e0f10111213",
		  "8cd3c93ae598a9803006ffb67c40e9e4" },
	};
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check_prf(c, &v[i]);
	ike_crypto_free(c);
}

/* RFC 4615 section 4: AES-CMAC-PRF-128 (18-, 16-, 10-byte keys); RFC 4493 example 2 for AES-CMAC-96. */
static void cmac_prf_and_integ_rfc4615(void **state)
{
	(void)state;
	static const vec v[] = {
		{ IKE_PRF_AES128_CMAC, "000102030405060708090a0b0c0d0e0fedcb", "000102030405060708090a0b0c0d0e0f10111213",
		  "84a348a4a45d235babfffc0d2b4da09a" },
		{ IKE_PRF_AES128_CMAC, "000102030405060708090a0b0c0d0e0f", "000102030405060708090a0b0c0d0e0f10111213",
		  "980ae87b5f4c9c5214f5b6a8455e4c2d" },
		{ IKE_PRF_AES128_CMAC, "00010203040506070809", "000102030405060708090a0b0c0d0e0f10111213",
		  "290d9e112edb09ee141fcf64c0b72f3d" },
	};
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check_prf(c, &v[i]);
	/* RFC 4493 4: example 2 (16-byte message), MAC 070a16b4 6b4d4144 f79bdd9d d04a287c; -96 keeps 12 bytes */
	vec m = { IKE_INTEG_AES_CMAC_96, "2b7e151628aed2a6abf7158809cf4f3c", "6bc1bee22e409f96e93d7e117393172a",
		  "070a16b46b4d4144f79bdd9d" };
	check_integ(c, &m);
	ike_crypto_free(c);
}

/* prf+ (RFC 7296 2.13): T1 = prf(K, S|1), T2 = prf(K, T1|S|2); a prefix is stable; > 255 blocks refused. */
static void prf_plus_structure_and_limits(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	const uint8_t key[] = "key", seed[] = "seed";
	uint8_t out[3 * 32], t[32], buf[32 + 4 + 1];
	ike_iov s = { seed, 4 };
	assert_int_equal(ike_prf_plus(c, IKE_PRF_HMAC_SHA2_256, key, 3, &s, 1, out, 70), 0);
	memcpy(buf, seed, 4);
	buf[4] = 1;
	ike_iov d1 = { buf, 5 };
	assert_int_equal(ike_prf(c, IKE_PRF_HMAC_SHA2_256, key, 3, &d1, 1, t), 0);
	assert_memory_equal(out, t, 32);
	memcpy(buf, t, 32);
	memcpy(buf + 32, seed, 4);
	buf[36] = 2;
	ike_iov d2 = { buf, 37 };
	assert_int_equal(ike_prf(c, IKE_PRF_HMAC_SHA2_256, key, 3, &d2, 1, t), 0);
	assert_memory_equal(out + 32, t, 32);
	uint8_t big[255 * 16 + 1];
	assert_int_equal(ike_prf_plus(c, IKE_PRF_AES128_XCBC, key, 3, &s, 1, big, 255 * 16), 0);
	assert_int_equal(ike_prf_plus(c, IKE_PRF_AES128_XCBC, key, 3, &s, 1, big, 255 * 16 + 1), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_prf_plus(c, 99, key, 3, &s, 1, out, 10), -IKE_CRYPTO_EUNSUPPORTED);
	ike_crypto_free(c);
}

static void bad_inputs_and_ct_equal(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	uint8_t out[64], key[64] = { 0 };
	assert_int_equal(ike_prf(c, 3, key, 16, NULL, 0, out), -IKE_CRYPTO_EUNSUPPORTED);
	assert_int_equal(ike_prf(NULL, IKE_PRF_HMAC_SHA1, key, 16, NULL, 0, out), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_prf(c, IKE_PRF_HMAC_SHA1, NULL, 16, NULL, 0, out), -IKE_CRYPTO_EINVAL);
	/* an empty key is legal for HMAC and for the AES PRFs (zero-padded / CMAC'ed) */
	assert_int_equal(ike_prf(c, IKE_PRF_HMAC_SHA1, NULL, 0, NULL, 0, out), 0);
	assert_int_equal(ike_prf(c, IKE_PRF_AES128_XCBC, NULL, 0, NULL, 0, out), 0);
	assert_int_equal(ike_prf(c, IKE_PRF_AES128_CMAC, NULL, 0, NULL, 0, out), 0);
	assert_int_equal(ike_integ(c, IKE_INTEG_NONE, key, NULL, 0, out), -IKE_CRYPTO_EUNSUPPORTED);
	assert_int_equal(ike_integ(c, IKE_INTEG_HMAC_SHA1_96, NULL, NULL, 0, out), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_prf_out_len(IKE_PRF_HMAC_SHA2_384), 48);
	assert_int_equal(ike_prf_out_len(IKE_PRF_AES128_CMAC), 16);
	assert_int_equal(ike_prf_out_len(0), 0);
	const uint8_t a[] = { 1, 2, 3 }, b[] = { 1, 2, 4 };
	assert_true(ike_ct_equal(a, a, 3));
	assert_false(ike_ct_equal(a, b, 3));
	assert_true(ike_ct_equal(a, b, 2));
	assert_false(ike_ct_equal(NULL, b, 2));
	assert_string_equal(ike_crypto_strerror(-IKE_CRYPTO_EAUTH), "integrity check failed");
	assert_non_null(ike_crypto_strerror(-12345));
	ike_crypto_free(c);
}

size_t tests_prf(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(hmac_sha2_prf_rfc4231),
		cmocka_unit_test(hmac_integ_truncations_rfc4868),
		cmocka_unit_test(xcbc_mac_96_rfc3566),
		cmocka_unit_test(xcbc_prf_128_rfc4434),
		cmocka_unit_test(cmac_prf_and_integ_rfc4615),
		cmocka_unit_test(prf_plus_structure_and_limits),
		cmocka_unit_test(bad_inputs_and_ct_equal),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
