/* IKEv1 key derivation: NIST CAVP SKEYID* vectors, one-byte changes failing `ikesim vectors`, and every other
 * derivation (key expansion, HASH_I/R, HASH(1..3), KEYMAT, IVs) against an independent OpenSSL HMAC/digest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "clirun.h"
#include "crypto/kdf_v1.h"
#include "hexutil.h"
#include "test_list.h.in"
#include "testfs.h"
#include "vectors.h"

#define BIG 1200

/* Reference: HMAC-<md> over the concatenation of up to 6 pieces, with OpenSSL's one-shot HMAC. */
static void ref_hmac(const EVP_MD *md, const uint8_t *key, size_t kl, const ike_iov *d, size_t n, uint8_t *out)
{
	uint8_t cat[4096];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		assert_true(len + d[i].len <= sizeof(cat));
		if (d[i].len)
			memcpy(cat + len, d[i].p, d[i].len);
		len += d[i].len;
	}
	unsigned int ol = 0;
	assert_non_null(HMAC(md, key, (int)kl, cat, len, out, &ol));
}

static uint16_t hash_of(const char *s)
{
	return !strcmp(s, "SHA-1") ? IKE_V1_SHA1 : !strcmp(s, "SHA-256") ? IKE_V1_SHA2_256
	       : !strcmp(s, "SHA-384") ? IKE_V1_SHA2_384 : !strcmp(s, "SHA-512") ? IKE_V1_SHA2_512 : 0;
}

static size_t field(const cJSON *o, const char *name, uint8_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	assert_true(cJSON_IsString(v));
	size_t n = unhex(v->valuestring, out, BIG);
	assert_true(n != (size_t)-1);
	return n;
}

/* Every case of one CAVP file straight through the kdf_v1 API. */
static void run_file(const ike_crypto *c, const char *path, bool psk)
{
	char *text = tfs_must_read(path, NULL);
	cJSON *root = cJSON_Parse(text);
	free(text);
	const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases"), *o;
	uint8_t *b = calloc(8, BIG);
	assert_non_null(b);
	uint8_t *ni = b, *nr = b + BIG, *gxy = b + 2 * BIG, *psk_b = b + 3 * BIG, *ck = b + 4 * BIG, *want = b + 5 * BIG;
	int n = 0;
	cJSON_ArrayForEach(o, cases)
	{
		uint16_t hash = hash_of(cJSON_GetObjectItemCaseSensitive(o, "hash")->valuestring);
		assert_int_not_equal(hash, 0);
		size_t nil = field(o, "ni", ni), nrl = field(o, "nr", nr), gl = field(o, "gxy", gxy);
		assert_int_equal(field(o, "cky_i", ck), 8);
		assert_int_equal(field(o, "cky_r", ck + 8), 8);
		ike_v1_keys k = { .hash = hash };
		if (psk) {
			size_t pl = field(o, "pre_shared_key", psk_b);
			assert_int_equal(ike_v1_skeyid_psk(c, hash, psk_b, pl, ni, nil, nr, nrl, k.skeyid), 0);
		} else {
			assert_int_equal(ike_v1_skeyid_sig(c, hash, ni, nil, nr, nrl, gxy, gl, k.skeyid), 0);
		}
		assert_int_equal(ike_v1_skeyids(c, &k, gxy, gl, ike_get_u64(ck), ike_get_u64(ck + 8)), 0);
		assert_int_equal(k.len, ike_v1_hash_len(hash));
		assert_int_equal(field(o, "skeyid", want), k.len);
		assert_memory_equal(k.skeyid, want, k.len);
		assert_int_equal(field(o, "skeyid_d", want), k.len);
		assert_memory_equal(k.skeyid_d, want, k.len);
		assert_int_equal(field(o, "skeyid_a", want), k.len);
		assert_memory_equal(k.skeyid_a, want, k.len);
		assert_int_equal(field(o, "skeyid_e", want), k.len);
		assert_memory_equal(k.skeyid_e, want, k.len);
		ike_v1_keys_wipe(&k);
		n++;
	}
	assert_int_equal(n, 23);
	free(b);
	cJSON_Delete(root);
}

static void v1_kdf_cavp_vectors(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	run_file(c, "tests/vectors/ikev1_kdf_psk_cavp.json", true);
	run_file(c, "tests/vectors/ikev1_kdf_dsa_cavp.json", false);
	ike_crypto_free(c);
}

/* A copy of `path` with the first hex digit after `needle` flipped must fail, naming `field`. */
static void one_byte_changed(const char *path, const char *needle, const char *field_name)
{
	char *text = tfs_must_read(path, NULL);
	char *at = strstr(text, needle);
	assert_non_null(at);
	at += strlen(needle);
	*at = *at == '0' ? '1' : '0';
	char tmp[] = "/tmp/ikesim_v1kdf_XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	free(text);
	char *argv[] = { "vectors", tmp };
	clirun r = clirun_call(cli_vectors, 2, argv);
	unlink(tmp);
	char want[64];
	snprintf(want, sizeof(want), "field %s: mismatch", field_name);
	if (r.rc == 0 || !strstr(r.err, want) || !strstr(r.out, "22 passed, 1 failed"))
		fail_msg("%s %s: rc %d, out %s, err %s", path, needle, r.rc, r.out, r.err);
	clirun_free(&r);
}

static void v1_kdf_one_byte_change_fails(void **state)
{
	(void)state;
	const char *psk = "tests/vectors/ikev1_kdf_psk_cavp.json", *sig = "tests/vectors/ikev1_kdf_dsa_cavp.json";
	one_byte_changed(psk, "\"skeyid_e\": \"", "skeyid_e");
	one_byte_changed(psk, "\"pre_shared_key\": \"", "skeyid");
	one_byte_changed(psk, "\"cky_r\": \"", "skeyid_d");
	one_byte_changed(sig, "\"gxy\": \"", "skeyid");
	one_byte_changed(sig, "\"skeyid_a\": \"", "skeyid_a");
}

/* HMAC-MD5 (RFC 2202 cases 1, 2) and MD5 (RFC 1321 "abc"): IKEv1 still meets MD5. */
static void v1_md5_prf_and_hash(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	uint8_t key[16], out[16], want[16];
	memset(key, 0x0b, sizeof(key));
	ike_iov d = { (const uint8_t *)"Hi There", 8 };
	assert_int_equal(ike_v1_prf(c, IKE_V1_MD5, key, 16, &d, 1, out), 0);
	unhex("9294727a3638bb1c13f48ef8158bfc9d", want, 16);
	assert_memory_equal(out, want, 16);
	ike_iov d2[2] = { { (const uint8_t *)"what do ya want ", 16 }, { (const uint8_t *)"for nothing?", 12 } };
	assert_int_equal(ike_v1_prf(c, IKE_V1_MD5, (const uint8_t *)"Jefe", 4, d2, 2, out), 0);
	unhex("750c783e6ab0b503eaa86e310a5db738", want, 16);
	assert_memory_equal(out, want, 16);
	ike_iov abc = { (const uint8_t *)"abc", 3 };
	assert_int_equal(ike_v1_hash(c, IKE_V1_MD5, &abc, 1, out), 0);
	unhex("900150983cd24fb0d6963f7d28e17f72", want, 16);
	assert_memory_equal(out, want, 16);
	assert_int_equal(ike_v1_hash_len(3), 0); /* Tiger */
	assert_int_equal(ike_v1_prf(c, 3, key, 16, &d, 1, out), -IKE_CRYPTO_EUNSUPPORTED);
	ike_crypto_free(c);
}

/* Fills a keys struct with recognisable bytes. */
static void fake_keys(ike_v1_keys *k, uint16_t hash)
{
	*k = (ike_v1_keys){ .hash = hash, .len = (uint8_t)ike_v1_hash_len(hash) };
	for (int i = 0; i < IKE_V1_MAX_HASH; i++) {
		k->skeyid[i] = (uint8_t)i;
		k->skeyid_d[i] = (uint8_t)(0x40 + i);
		k->skeyid_a[i] = (uint8_t)(0x80 + i);
		k->skeyid_e[i] = (uint8_t)(0xc0 + i);
	}
}

/* App. B: SHA-1's 20-byte SKEYID_e gives 3DES its 24 bytes as K1 | K2[0..4); SHA-256 covers AES-256 alone. */
static void v1_enc_key_expansion(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	ike_v1_keys k;
	fake_keys(&k, IKE_V1_SHA1);
	uint8_t out[64], k1[20], k2[20];
	uint8_t zero = 0;
	ike_iov z = { &zero, 1 };
	ref_hmac(EVP_sha1(), k.skeyid_e, 20, &z, 1, k1);
	ike_iov d1 = { k1, 20 };
	ref_hmac(EVP_sha1(), k.skeyid_e, 20, &d1, 1, k2);
	assert_int_equal(ike_v1_enc_key(c, &k, out, 24), 0);
	assert_memory_equal(out, k1, 20);
	assert_memory_equal(out + 20, k2, 4);
	assert_int_equal(ike_v1_enc_key(c, &k, out, 40), 0); /* exactly two blocks */
	assert_memory_equal(out + 20, k2, 20);
	assert_int_equal(ike_v1_enc_key(c, &k, out, 16), 0); /* short enough: SKEYID_e's first bytes */
	assert_memory_equal(out, k.skeyid_e, 16);
	assert_int_equal(ike_v1_enc_key(c, &k, out, 20), 0);
	assert_memory_equal(out, k.skeyid_e, 20);
	fake_keys(&k, IKE_V1_SHA2_256);
	assert_int_equal(ike_v1_enc_key(c, &k, out, 32), 0);
	assert_memory_equal(out, k.skeyid_e, 32);
	fake_keys(&k, IKE_V1_MD5); /* MD5: 16 bytes, AES-256 needs K1 | K2 */
	uint8_t m1[16], m2[16];
	ref_hmac(EVP_md5(), k.skeyid_e, 16, &z, 1, m1);
	ike_iov dm = { m1, 16 };
	ref_hmac(EVP_md5(), k.skeyid_e, 16, &dm, 1, m2);
	assert_int_equal(ike_v1_enc_key(c, &k, out, 32), 0);
	assert_memory_equal(out, m1, 16);
	assert_memory_equal(out + 16, m2, 16);
	ike_crypto_free(c);
}

/* KEYMAT (5.5): K1 | K2 | ... with the previous block leading; every length a prefix of a longer one. */
static void v1_keymat_expansion_lengths(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	ike_v1_keys k;
	fake_keys(&k, IKE_V1_SHA1);
	static const uint8_t ni[16] = { 1 }, nr[16] = { 2 }, gqm[64] = { 3 };
	uint8_t ps[5] = { 3, 0xc0, 0x01, 0x02, 0x03 }; /* ESP, SPI c0010203 */
	uint8_t full[200], part[200], k1[20], k2[20], k3[20];
	assert_int_equal(ike_v1_keymat(c, &k, NULL, 0, 3, 0xc0010203u, ni, 16, nr, 16, full, sizeof(full)), 0);
	ike_iov d[5] = { { ps, 5 }, { ni, 16 }, { nr, 16 } };
	ref_hmac(EVP_sha1(), k.skeyid_d, 20, d, 3, k1);
	ike_iov d2[4] = { { k1, 20 }, { ps, 5 }, { ni, 16 }, { nr, 16 } };
	ref_hmac(EVP_sha1(), k.skeyid_d, 20, d2, 4, k2);
	d2[0].p = k2;
	ref_hmac(EVP_sha1(), k.skeyid_d, 20, d2, 4, k3);
	assert_memory_equal(full, k1, 20);
	assert_memory_equal(full + 20, k2, 20);
	assert_memory_equal(full + 40, k3, 20);
	static const size_t lens[] = { 1, 16, 19, 20, 21, 36, 40, 41, 64, 72, 128, 199 };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(part, 0xee, sizeof(part));
		assert_int_equal(ike_v1_keymat(c, &k, NULL, 0, 3, 0xc0010203u, ni, 16, nr, 16, part, lens[i]), 0);
		assert_memory_equal(part, full, lens[i]);
		assert_int_equal(part[lens[i]], 0xee); /* nothing written past the asked length */
	}
	/* PFS: g(qm)^xy right after the previous block */
	assert_int_equal(ike_v1_keymat(c, &k, gqm, 64, 3, 0xc0010203u, ni, 16, nr, 16, part, 40), 0);
	ike_iov p1[4] = { { gqm, 64 }, { ps, 5 }, { ni, 16 }, { nr, 16 } };
	ref_hmac(EVP_sha1(), k.skeyid_d, 20, p1, 4, k1);
	ike_iov p2[5] = { { k1, 20 }, { gqm, 64 }, { ps, 5 }, { ni, 16 }, { nr, 16 } };
	ref_hmac(EVP_sha1(), k.skeyid_d, 20, p2, 5, k2);
	assert_memory_equal(part, k1, 20);
	assert_memory_equal(part + 20, k2, 20);
	assert_memory_not_equal(part, full, 20);
	ike_crypto_free(c);
}

/* HASH_I / HASH_R (5), HASH(1)/(2)/(3) (5.5) and the IVs (App. B) against the reference HMAC and digest. */
static void v1_auth_hashes_and_ivs(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	ike_v1_keys k;
	fake_keys(&k, IKE_V1_SHA2_256);
	static const uint8_t gxi[32] = { 0x11 }, gxr[32] = { 0x22 }, sai[40] = { 0x33 }, idi[12] = { 1 }, idr[8] = { 2 };
	uint8_t cki[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, ckr[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };
	uint8_t out[32], want[32];
	assert_int_equal(ike_v1_hash_auth(c, &k, false, gxi, 32, gxr, 32, ike_get_u64(cki), ike_get_u64(ckr), sai, 40,
					  idi, 12, out), 0);
	ike_iov hi[6] = { { gxi, 32 }, { gxr, 32 }, { cki, 8 }, { ckr, 8 }, { sai, 40 }, { idi, 12 } };
	ref_hmac(EVP_sha256(), k.skeyid, 32, hi, 6, want);
	assert_memory_equal(out, want, 32);
	assert_int_equal(ike_v1_hash_auth(c, &k, true, gxi, 32, gxr, 32, ike_get_u64(cki), ike_get_u64(ckr), sai, 40,
					  idr, 8, out), 0);
	ike_iov hr[6] = { { gxr, 32 }, { gxi, 32 }, { ckr, 8 }, { cki, 8 }, { sai, 40 }, { idr, 8 } };
	ref_hmac(EVP_sha256(), k.skeyid, 32, hr, 6, want);
	assert_memory_equal(out, want, 32);

	uint8_t mid[5] = { 0, 0xde, 0xad, 0xbe, 0xef };
	static const uint8_t rest[50] = { 0x44 };
	assert_int_equal(ike_v1_hash1(c, &k, 0xdeadbeefu, rest, 50, out), 0);
	ike_iov h1[2] = { { mid + 1, 4 }, { rest, 50 } };
	ref_hmac(EVP_sha256(), k.skeyid_a, 32, h1, 2, want);
	assert_memory_equal(out, want, 32);
	assert_int_equal(ike_v1_hash2(c, &k, 0xdeadbeefu, gxi, 16, rest, 50, out), 0);
	ike_iov h2[3] = { { mid + 1, 4 }, { gxi, 16 }, { rest, 50 } };
	ref_hmac(EVP_sha256(), k.skeyid_a, 32, h2, 3, want);
	assert_memory_equal(out, want, 32);
	assert_int_equal(ike_v1_hash3(c, &k, 0xdeadbeefu, gxi, 16, gxr, 16, out), 0);
	ike_iov h3[3] = { { mid, 5 }, { gxi, 16 }, { gxr, 16 } };
	ref_hmac(EVP_sha256(), k.skeyid_a, 32, h3, 3, want);
	assert_memory_equal(out, want, 32);

	uint8_t iv[16], dg[32];
	unsigned int dl;
	uint8_t cat[64];
	memcpy(cat, gxi, 32);
	memcpy(cat + 32, gxr, 32);
	assert_int_equal(ike_v1_iv_phase1(c, IKE_V1_SHA2_256, gxi, 32, gxr, 32, 16, iv), 0);
	assert_true(EVP_Digest(cat, 64, dg, &dl, EVP_sha256(), NULL));
	assert_memory_equal(iv, dg, 16);
	assert_int_equal(ike_v1_iv_phase2(c, IKE_V1_SHA1, gxr, 8, 0xdeadbeefu, iv), 0);
	memcpy(cat, gxr, 8);
	memcpy(cat + 8, mid + 1, 4);
	assert_true(EVP_Digest(cat, 12, dg, &dl, EVP_sha1(), NULL));
	assert_memory_equal(iv, dg, 8);
	assert_int_equal(ike_v1_iv_phase1(c, IKE_V1_MD5, gxi, 32, gxr, 32, 32, iv), -IKE_CRYPTO_EINVAL); /* block > hash */
	/* NAT-D (RFC 3947 3.2): HASH(CKY-I | CKY-R | IP | Port) */
	static const uint8_t ip[4] = { 192, 0, 2, 9 };
	assert_int_equal(ike_v1_natd(c, IKE_V1_SHA1, ike_get_u64(cki), ike_get_u64(ckr), ip, 4, 4500, out), 0);
	memcpy(cat, cki, 8);
	memcpy(cat + 8, ckr, 8);
	memcpy(cat + 16, ip, 4);
	cat[20] = 4500 >> 8;
	cat[21] = 4500 & 0xff;
	assert_true(EVP_Digest(cat, 22, dg, &dl, EVP_sha1(), NULL));
	assert_memory_equal(out, dg, 20);
	assert_int_equal(ike_v1_natd(c, IKE_V1_SHA1, 1, 2, ip, 5, 500, out), -IKE_CRYPTO_EINVAL);
	ike_crypto_free(c);
}

size_t tests_v1_kdf(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_kdf_cavp_vectors),
		cmocka_unit_test(v1_kdf_one_byte_change_fails),
		cmocka_unit_test(v1_md5_prf_and_hash),
		cmocka_unit_test(v1_enc_key_expansion),
		cmocka_unit_test(v1_keymat_expansion_lengths),
		cmocka_unit_test(v1_auth_hashes_and_ivs),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
