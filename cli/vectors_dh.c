/* Vector kinds for Diffie-Hellman: RFC 5903 ECP, RFC 7748 X25519, and our embedded MODP primes. */
#include <string.h>

#include "crypto/dh.h"
#include "vectors_int.h"

/* Builds a key from private bytes and checks its KE data against want; NULL (case failed) otherwise. */
static ike_dh *key_from(cli_vcase *vc, uint16_t group, const uint8_t *priv, size_t pl, const char *pub_field,
			const uint8_t *want, size_t wl)
{
	ike_dh *dh = NULL;
	uint8_t pub[1024];
	int rc = ike_dh_from_private(vc->c, group, priv, pl, &dh);
	if (rc) {
		cli_v_fail(vc, pub_field, "ike_dh_from_private: %s", ike_crypto_strerror(rc));
		return NULL;
	}
	if (ike_dh_public(dh, pub, sizeof(pub)) || cli_v_same(vc, pub_field, pub, ike_dh_public_len(group), want, wl)) {
		vc->failed = 1;
		ike_dh_free(dh);
		return NULL;
	}
	return dh;
}

/* Derives with dh against peer and compares with want. */
static void derive_check(cli_vcase *vc, const ike_dh *dh, const uint8_t *peer, size_t pl, const char *field,
			 const uint8_t *want, size_t wl)
{
	uint8_t s[1024];
	int rc = ike_dh_derive(vc->c, dh, peer, pl, s, sizeof(s));
	if (rc) {
		cli_v_fail(vc, field, "ike_dh_derive: %s", ike_crypto_strerror(rc));
		return;
	}
	cli_v_same(vc, field, s, ike_dh_secret_len(ike_dh_group(dh)), want, wl);
}

/* KE payload = generic header (next, critical, length) | DH group | reserved | KE data (RFC 7296 3.4). */
static void check_ke_payload(cli_vcase *vc, const char *field, uint16_t group, const uint8_t *pub, size_t pl)
{
	uint8_t ke[8 + 1024];
	if (pl > 1024)
		return;
	memset(ke, 0, 8);
	ike_put_u16(ke + 2, (uint16_t)(8 + pl));
	ike_put_u16(ke + 4, group);
	memcpy(ke + 8, pub, pl);
	cli_v_expect(vc, field, ke, 8 + pl);
}

/* Joins the x and y coordinate fields into KE data. */
static const uint8_t *point(cli_vcase *vc, const char *fx, const char *fy, size_t *len)
{
	size_t xl, yl;
	const uint8_t *x = cli_v_hex(vc, fx, &xl), *y = cli_v_hex(vc, fy, &yl);
	uint8_t *p = x && y ? cli_v_alloc(vc, xl + yl) : NULL;
	if (!p)
		return NULL;
	memcpy(p, x, xl);
	memcpy(p + xl, y, yl);
	*len = xl + yl;
	return p;
}

int cli_v_ecp_dh(cli_vcase *vc)
{
	size_t il, rl, gil = 0, grl = 0, sl;
	uint16_t group = (uint16_t)cli_v_int(vc, "group", 19, 21);
	const uint8_t *i = cli_v_hex(vc, "i", &il), *r = cli_v_hex(vc, "r", &rl);
	const uint8_t *gi = point(vc, "gix", "giy", &gil), *gr = point(vc, "grx", "gry", &grl);
	const uint8_t *shared = cli_v_hex(vc, "shared_secret", &sl);
	if (vc->failed)
		return CLI_V_FAIL;
	cli_v_expect(vc, "girx", shared, sl); /* RFC 5903 7: the shared secret is the x coordinate alone */
	ike_dh *di = key_from(vc, group, i, il, "gix|giy", gi, gil);
	ike_dh *dr = key_from(vc, group, r, rl, "grx|gry", gr, grl);
	if (di && dr) {
		derive_check(vc, di, gr, grl, "shared_secret", shared, sl);
		derive_check(vc, dr, gi, gil, "shared_secret", shared, sl);
		check_ke_payload(vc, "kei_payload", group, gi, gil);
		check_ke_payload(vc, "ker_payload", group, gr, grl);
	}
	ike_dh_free(di);
	ike_dh_free(dr);
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

/* X25519(k, u) through the engine: k as our private key, u as the peer's KE data. */
static int x25519(cli_vcase *vc, const uint8_t *k, const uint8_t *u, uint8_t *out, const char *field)
{
	ike_dh *dh = NULL;
	int rc = ike_dh_from_private(vc->c, 31, k, 32, &dh);
	if (!rc)
		rc = ike_dh_derive(vc->c, dh, u, 32, out, 32);
	ike_dh_free(dh);
	if (rc)
		cli_v_fail(vc, field, "X25519 failed: %s", ike_crypto_strerror(rc));
	return rc;
}

/* RFC 7748 5.2 iterated test: k, u start at 9; each round k' = X25519(k, u), u' = k. */
static void iterated(cli_vcase *vc)
{
	size_t kl;
	const uint8_t *k0 = cli_v_hex(vc, "k_u_initial", &kl);
	if (!k0 || kl != 32) {
		if (k0)
			cli_v_fail(vc, "k_u_initial", "must be 32 bytes");
		return;
	}
	uint8_t k[32], u[32], nk[32];
	memcpy(k, k0, 32);
	memcpy(u, k0, 32);
	for (int round = 1; round <= 1000; round++) {
		if (x25519(vc, k, u, nk, round == 1 ? "after_1" : "after_1000"))
			return;
		memcpy(u, k, 32);
		memcpy(k, nk, 32);
		if (round == 1)
			cli_v_expect(vc, "after_1", k, 32);
	}
	cli_v_expect(vc, "after_1000", k, 32);
}

int cli_v_x25519(cli_vcase *vc)
{
	const cJSON *o = vc->obj;
	uint8_t out[32];
	if (cJSON_GetObjectItemCaseSensitive(o, "k_u_initial")) {
		iterated(vc);
	} else if (cJSON_GetObjectItemCaseSensitive(o, "alice_priv")) {
		size_t al, apl, bl, bpl, sl;
		const uint8_t *a = cli_v_hex(vc, "alice_priv", &al), *ap = cli_v_hex(vc, "alice_pub", &apl);
		const uint8_t *b = cli_v_hex(vc, "bob_priv", &bl), *bp = cli_v_hex(vc, "bob_pub", &bpl);
		const uint8_t *s = cli_v_hex(vc, "shared", &sl);
		if (vc->failed)
			return CLI_V_FAIL;
		ike_dh *da = key_from(vc, 31, a, al, "alice_pub", ap, apl);
		ike_dh *db = key_from(vc, 31, b, bl, "bob_pub", bp, bpl);
		if (da && db) {
			derive_check(vc, da, bp, bpl, "shared", s, sl);
			derive_check(vc, db, ap, apl, "shared", s, sl);
		}
		ike_dh_free(da);
		ike_dh_free(db);
	} else {
		size_t kl, ul;
		const uint8_t *k = cli_v_hex(vc, "scalar", &kl), *u = cli_v_hex(vc, "u", &ul);
		if (vc->failed)
			return CLI_V_FAIL;
		if (kl != 32 || ul != 32)
			return cli_v_fail(vc, "scalar/u", "must be 32 bytes each");
		if (!x25519(vc, k, u, out, "output"))
			cli_v_expect(vc, "output", out, 32);
	}
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

/*
 * Our primes are internal to the engine, so they are compared through the public API: check_peer
 * accepts exactly 1 < y < p-1, so "p-2 accepted and p-1 refused" holds for one prime only.
 * The generator is the KE data of private exponent 1.
 */
int cli_v_modp_groups(cli_vcase *vc)
{
	size_t pl;
	uint16_t group = (uint16_t)cli_v_int(vc, "group", 1, 65535);
	long bits = cli_v_int(vc, "bits", 8, 8192);
	long gen = cli_v_int(vc, "generator", 2, 255);
	const uint8_t *p = cli_v_hex(vc, "prime", &pl);
	if (vc->failed)
		return CLI_V_FAIL;
	if (!ike_dh_supported(group))
		return cli_v_fail(vc, "group", "group %u not supported", group);
	if (pl * 8 != (size_t)bits || ike_dh_public_len(group) != pl)
		return cli_v_fail(vc, "bits", "length %ld bits, ours %zu", bits, ike_dh_public_len(group) * 8);
	if (pl < 2 || !(p[pl - 1] & 1) || p[pl - 1] < 3)
		return cli_v_fail(vc, "prime", "not an odd prime ending above 2");
	uint8_t *v = cli_v_alloc(vc, pl);
	if (!v)
		return CLI_V_FAIL;
	memcpy(v, p, pl);
	v[pl - 1] = (uint8_t)(p[pl - 1] - 1); /* p - 1 (p odd: no borrow) */
	int rc_pm1 = ike_dh_check_peer(vc->c, group, v, pl);
	v[pl - 1] = (uint8_t)(p[pl - 1] - 2); /* p - 2 */
	int rc_pm2 = ike_dh_check_peer(vc->c, group, v, pl);
	if (rc_pm1 != -IKE_CRYPTO_EPEER || rc_pm2 != 0)
		return cli_v_fail(vc, "prime", "our embedded prime differs");
	uint8_t one = 1;
	ike_dh *dh = NULL;
	if (ike_dh_from_private(vc->c, group, &one, 1, &dh) || ike_dh_public(dh, v, pl)) {
		ike_dh_free(dh);
		return cli_v_fail(vc, "generator", "cannot compute g^1");
	}
	ike_dh_free(dh);
	uint8_t *g = cli_v_alloc(vc, pl);
	if (!g)
		return CLI_V_FAIL;
	g[pl - 1] = (uint8_t)gen;
	cli_v_same(vc, "generator", v, pl, g, pl);
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}
