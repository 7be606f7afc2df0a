/* Diffie-Hellman: RFC 5903 / RFC 7748 vectors, determinism, agreement in every group, RFC 6989 rejections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "crypto/dh.h"
#include "crypto/drbg.h"
#include "test_list.h.in"

static const uint16_t all_groups[] = { 1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 31, 32 };

/* Decodes hex into out (cap bytes); returns the byte count, or fails the test. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s);
	assert_true(n % 2 == 0 && n / 2 <= cap);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n / 2;
}

static cJSON *load_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	cJSON *j = cJSON_Parse(text);
	assert_non_null(j);
	return j;
}

static const char *field(const cJSON *c, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, name);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

/* Builds a key from private hex and checks its KE data against expected hex. */
static ike_dh *key_from_hex(uint16_t group, const char *priv_hex, const char *pub_hex)
{
	uint8_t priv[128], pub[1024], want[1024];
	size_t pl = unhex(priv_hex, priv, sizeof(priv));
	size_t wl = unhex(pub_hex, want, sizeof(want));
	ike_dh *dh = NULL;
	assert_int_equal(ike_dh_from_private(NULL, group, priv, pl, &dh), 0);
	assert_int_equal(wl, ike_dh_public_len(group));
	assert_int_equal(ike_dh_public(dh, pub, sizeof(pub)), 0);
	assert_memory_equal(pub, want, wl);
	return dh;
}

static void rfc5903_vectors(void **state)
{
	(void)state;
	cJSON *j = load_json("tests/vectors/rfc5903_ecp_ikev2.json");
	const cJSON *c;
	int seen = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "cases"))
	{
		uint16_t group = (uint16_t)cJSON_GetObjectItemCaseSensitive(c, "group")->valueint;
		char gi[300], gr[300];
		snprintf(gi, sizeof(gi), "%s%s", field(c, "gix"), field(c, "giy"));
		snprintf(gr, sizeof(gr), "%s%s", field(c, "grx"), field(c, "gry"));
		ike_dh *i = key_from_hex(group, field(c, "i"), gi);
		ike_dh *r = key_from_hex(group, field(c, "r"), gr);
		uint8_t pi[132], pr[132], si[66], sr[66], want[66];
		size_t wl = unhex(field(c, "shared_secret"), want, sizeof(want));
		assert_int_equal(wl, ike_dh_secret_len(group));
		assert_int_equal(ike_dh_public(i, pi, sizeof(pi)), 0);
		assert_int_equal(ike_dh_public(r, pr, sizeof(pr)), 0);
		assert_int_equal(ike_dh_derive(NULL, i, pr, ike_dh_public_len(group), si, sizeof(si)), 0);
		assert_int_equal(ike_dh_derive(NULL, r, pi, ike_dh_public_len(group), sr, sizeof(sr)), 0);
		assert_memory_equal(si, want, wl);
		assert_memory_equal(sr, want, wl);
		size_t pl = ike_dh_public_len(group);
		assert_int_equal(ike_dh_check_peer(NULL, group, pi, pl), 0);
		pi[pl - 1] ^= 1; /* y changed: off the curve (RFC 6989 2.3) */
		assert_int_equal(ike_dh_check_peer(NULL, group, pi, pl), -IKE_CRYPTO_EPEER);
		assert_int_equal(ike_dh_derive(NULL, r, pi, pl, sr, sizeof(sr)), -IKE_CRYPTO_EPEER);
		ike_dh_free(i);
		ike_dh_free(r);
		seen++;
	}
	assert_int_equal(seen, 3);
	cJSON_Delete(j);
}

static void rfc7748_alice_bob(void **state)
{
	(void)state;
	/* RFC 7748 section 6.1. */
	ike_dh *a = key_from_hex(31, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
				 "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	ike_dh *b = key_from_hex(31, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
				 "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	uint8_t pa[32], pb[32], sa[32], sb[32], want[32];
	unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", want, sizeof(want));
	assert_int_equal(ike_dh_public(a, pa, sizeof(pa)), 0);
	assert_int_equal(ike_dh_public(b, pb, sizeof(pb)), 0);
	assert_int_equal(ike_dh_derive(NULL, a, pb, 32, sa, sizeof(sa)), 0);
	assert_int_equal(ike_dh_derive(NULL, b, pa, 32, sb, sizeof(sb)), 0);
	assert_memory_equal(sa, want, 32);
	assert_memory_equal(sb, want, 32);
	ike_dh_free(a);
	ike_dh_free(b);
}

static ike_dh *gen(uint16_t group, const char *seed)
{
	ike_drbg d;
	ike_drbg_init(&d, seed, strlen(seed), "test", 4);
	ike_dh *dh = NULL;
	assert_int_equal(ike_dh_generate(NULL, group, &d, &dh), 0);
	assert_non_null(dh);
	assert_int_equal(ike_dh_group(dh), group);
	return dh;
}

static void same_seed_same_public(void **state)
{
	(void)state;
	static const uint16_t g[] = { 14, 19, 21, 31, 32 };
	for (size_t k = 0; k < sizeof(g) / sizeof(g[0]); k++) {
		uint8_t p1[1024], p2[1024], p3[1024];
		ike_dh *a = gen(g[k], "seed-1"), *b = gen(g[k], "seed-1"), *c = gen(g[k], "seed-2");
		size_t n = ike_dh_public_len(g[k]);
		assert_int_equal(ike_dh_public(a, p1, sizeof(p1)), 0);
		assert_int_equal(ike_dh_public(b, p2, sizeof(p2)), 0);
		assert_int_equal(ike_dh_public(c, p3, sizeof(p3)), 0);
		assert_memory_equal(p1, p2, n);
		assert_memory_not_equal(p1, p3, n);
		ike_dh_free(a);
		ike_dh_free(b);
		ike_dh_free(c);
	}
}

static void both_sides_agree_in_every_group(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(all_groups) / sizeof(all_groups[0]); k++) {
		uint16_t g = all_groups[k];
		assert_true(ike_dh_supported(g));
		ike_dh *i = gen(g, "initiator"), *r = gen(g, "responder");
		uint8_t pi[1024], pr[1024], si[1024], sr[1024];
		size_t pl = ike_dh_public_len(g), sl = ike_dh_secret_len(g);
		assert_int_equal(ike_dh_public(i, pi, sizeof(pi)), 0);
		assert_int_equal(ike_dh_public(r, pr, sizeof(pr)), 0);
		assert_int_equal(ike_dh_check_peer(NULL, g, pi, pl), 0);
		assert_int_equal(ike_dh_check_peer(NULL, g, pr, pl), 0);
		assert_int_equal(ike_dh_derive(NULL, i, pr, pl, si, sizeof(si)), 0);
		assert_int_equal(ike_dh_derive(NULL, r, pi, pl, sr, sizeof(sr)), 0);
		assert_memory_equal(si, sr, sl);
		ike_dh_free(i);
		ike_dh_free(r);
	}
	assert_false(ike_dh_supported(0));
	assert_false(ike_dh_supported(3));
	assert_int_equal(ike_dh_public_len(22), 0);
}

static void rfc6989_modp_range(void **state)
{
	(void)state;
	uint8_t p[256], v[257];
	size_t n = unhex("ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3be39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff", p, sizeof(p));
	assert_int_equal(n, 256);
	ike_dh *me = gen(14, "me");
	uint8_t s[256];
	memset(v, 0, sizeof(v)); /* 0 */
	assert_int_equal(ike_dh_check_peer(NULL, 14, v, n), -IKE_CRYPTO_EPEER);
	assert_int_equal(ike_dh_derive(NULL, me, v, n, s, sizeof(s)), -IKE_CRYPTO_EPEER);
	v[n - 1] = 1; /* 1 */
	assert_int_equal(ike_dh_check_peer(NULL, 14, v, n), -IKE_CRYPTO_EPEER);
	v[n - 1] = 2; /* 2 is the smallest legal value */
	assert_int_equal(ike_dh_check_peer(NULL, 14, v, n), 0);
	memcpy(v, p, n); /* p */
	assert_int_equal(ike_dh_check_peer(NULL, 14, v, n), -IKE_CRYPTO_EPEER);
	v[n - 1] = 0xfe; /* p - 1 */
	assert_int_equal(ike_dh_check_peer(NULL, 14, v, n), -IKE_CRYPTO_EPEER);
	assert_int_equal(ike_dh_derive(NULL, me, v, n, s, sizeof(s)), -IKE_CRYPTO_EPEER);
	v[n - 1] = 0xfd; /* p - 2 */
	assert_int_equal(ike_dh_check_peer(NULL, 14, v, n), 0);
	memset(v, 0xff, sizeof(v)); /* above p */
	assert_int_equal(ike_dh_check_peer(NULL, 14, v, n), -IKE_CRYPTO_EPEER);
	v[0] = 0;
	v[n - 1] = 5;
	assert_int_equal(ike_dh_check_peer(NULL, 14, v, n - 1), -IKE_CRYPTO_EPEER);
	assert_int_equal(ike_dh_check_peer(NULL, 14, v, n + 1), -IKE_CRYPTO_EPEER);
	assert_int_equal(ike_dh_derive(NULL, me, v, n - 1, s, sizeof(s)), -IKE_CRYPTO_EPEER);
	assert_int_equal(ike_dh_derive(NULL, me, v, n, s, n - 1), -IKE_CRYPTO_EINVAL);
	ike_dh_free(me);
}

static void rfc6989_ecp_point_on_curve(void **state)
{
	(void)state;
	uint8_t pt[64], s[32];
	/* RFC 5903 8.1 g^i. */
	unhex("dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
	      "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
	      pt, sizeof(pt));
	ike_dh *me = gen(19, "me");
	assert_int_equal(ike_dh_check_peer(NULL, 19, pt, 64), 0);
	pt[63] ^= 1; /* off the curve */
	assert_int_equal(ike_dh_check_peer(NULL, 19, pt, 64), -IKE_CRYPTO_EPEER);
	assert_int_equal(ike_dh_derive(NULL, me, pt, 64, s, sizeof(s)), -IKE_CRYPTO_EPEER);
	memset(pt, 0, sizeof(pt)); /* (0,0): infinity has no x|y encoding */
	assert_int_equal(ike_dh_check_peer(NULL, 19, pt, 64), -IKE_CRYPTO_EPEER);
	memset(pt, 0xff, sizeof(pt)); /* coordinates >= p */
	assert_int_equal(ike_dh_check_peer(NULL, 19, pt, 64), -IKE_CRYPTO_EPEER);
	assert_int_equal(ike_dh_check_peer(NULL, 19, pt, 63), -IKE_CRYPTO_EPEER);
	assert_int_equal(ike_dh_check_peer(NULL, 19, pt, 65), -IKE_CRYPTO_EPEER);
	assert_int_equal(ike_dh_check_peer(NULL, 20, pt, 64), -IKE_CRYPTO_EPEER);
	ike_dh_free(me);
}

static void rfc6989_x25519_zero_secret(void **state)
{
	(void)state;
	uint8_t u[56] = { 0 }, s[56];
	ike_dh *me = gen(31, "me");
	ike_dh *me448 = gen(32, "me");
	assert_int_equal(ike_dh_check_peer(NULL, 31, u, 31), -IKE_CRYPTO_EPEER);
	assert_int_equal(ike_dh_derive(NULL, me, u, 32, s, sizeof(s)), -IKE_CRYPTO_EPEER); /* u = 0 */
	u[0] = 1;
	assert_int_equal(ike_dh_derive(NULL, me, u, 32, s, sizeof(s)), -IKE_CRYPTO_EPEER); /* u = 1 */
	memset(u, 0, sizeof(u));
	assert_int_equal(ike_dh_derive(NULL, me448, u, 56, s, sizeof(s)), -IKE_CRYPTO_EPEER);
	ike_dh_free(me);
	ike_dh_free(me448);
}

static void bad_arguments(void **state)
{
	(void)state;
	uint8_t priv[32] = { 0 };
	ike_dh *dh = (ike_dh *)1;
	assert_int_equal(ike_dh_from_private(NULL, 99, priv, 32, &dh), -IKE_CRYPTO_EUNSUPPORTED);
	assert_null(dh);
	assert_int_equal(ike_dh_from_private(NULL, 19, priv, 32, &dh), -IKE_CRYPTO_EINVAL); /* scalar 0 */
	assert_int_equal(ike_dh_from_private(NULL, 19, priv, 31, &dh), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_dh_from_private(NULL, 14, priv, 32, &dh), -IKE_CRYPTO_EINVAL); /* exponent 0 */
	priv[31] = 1; /* exponent 1 gives g itself: the generator is 2 */
	assert_int_equal(ike_dh_from_private(NULL, 14, priv, 32, &dh), 0);
	uint8_t pub[256], two[256] = { 0 };
	two[255] = 2;
	assert_int_equal(ike_dh_public(dh, pub, 255), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_dh_public(dh, pub, sizeof(pub)), 0);
	assert_memory_equal(pub, two, sizeof(two));
	ike_dh_free(dh);
	ike_dh_free(NULL);
}

size_t tests_dh(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(rfc5903_vectors),
		cmocka_unit_test(rfc7748_alice_bob),
		cmocka_unit_test(same_seed_same_public),
		cmocka_unit_test(both_sides_agree_in_every_group),
		cmocka_unit_test(rfc6989_modp_range),
		cmocka_unit_test(rfc6989_ecp_point_on_curve),
		cmocka_unit_test(rfc6989_x25519_zero_secret),
		cmocka_unit_test(bad_arguments),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
