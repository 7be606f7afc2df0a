/* Vector kinds for PRFs, integrity MACs and the IKEv2 KDF, all through the engine's crypto API. */
#include <string.h>

#include <openssl/evp.h>

#include "crypto/kdf.h"
#include "crypto/prf.h"
#include "crypto/registry.h"
#include "vectors_int.h"

/* out = prf(key, msg) via ike_prf, compared with field `name` (optionally only its first `cmp` bytes). */
static void check_prf(cli_vcase *vc, uint16_t prf, const uint8_t *key, size_t kl, const uint8_t *msg, size_t ml,
		      const char *name)
{
	uint8_t out[IKE_PRF_MAX_OUT];
	ike_iov d = { msg, ml };
	size_t wl;
	const uint8_t *want = cli_v_hex(vc, name, &wl);
	if (!want)
		return;
	int rc = ike_prf(vc->c, prf, key, kl, &d, 1, out);
	if (rc) {
		cli_v_fail(vc, name, "ike_prf failed: %s", ike_crypto_strerror(rc));
		return;
	}
	size_t n = ike_prf_out_len(prf);
	/* RFC 4231 case 5 prints a truncated output: compare what is printed. */
	cli_v_same(vc, name, out, wl < n ? wl : n, want, wl);
}

static void check_integ(cli_vcase *vc, uint16_t integ, const uint8_t *key, size_t kl, const uint8_t *msg, size_t ml,
			const char *name)
{
	uint8_t out[IKE_PRF_MAX_OUT];
	ike_iov d = { msg, ml };
	if (kl != ike_integ_key_len(integ)) {
		cli_v_fail(vc, name, "key is %zu bytes, the transform needs %zu", kl, ike_integ_key_len(integ));
		return;
	}
	int rc = ike_integ(vc->c, integ, key, &d, 1, out);
	if (rc) {
		cli_v_fail(vc, name, "ike_integ failed: %s", ike_crypto_strerror(rc));
		return;
	}
	cli_v_expect(vc, name, out, ike_integ_icv_len(integ));
}

static int prf_for_hash(cli_vcase *vc)
{
	const char *h = cli_v_str(vc, "hash");
	if (!h)
		return 0;
	if (!strcmp(h, "SHA-1"))
		return IKE_PRF_HMAC_SHA1;
	if (!strcmp(h, "SHA-256"))
		return IKE_PRF_HMAC_SHA2_256;
	if (!strcmp(h, "SHA-384"))
		return IKE_PRF_HMAC_SHA2_384;
	if (!strcmp(h, "SHA-512"))
		return IKE_PRF_HMAC_SHA2_512;
	cli_v_fail(vc, "hash", "unknown hash \"%s\"", h);
	return 0;
}

int cli_v_ikev2_kdf(cli_vcase *vc)
{
	size_t nil, nrl, gl, gnl, il, rl;
	uint16_t prf = (uint16_t)prf_for_hash(vc);
	const uint8_t *ni = cli_v_hex(vc, "ni", &nil), *nr = cli_v_hex(vc, "nr", &nrl);
	const uint8_t *gir = cli_v_hex(vc, "gir", &gl), *girn = cli_v_hex(vc, "gir_new", &gnl);
	const uint8_t *spii = cli_v_hex(vc, "spii", &il), *spir = cli_v_hex(vc, "spir", &rl);
	long dkm_bits = cli_v_int(vc, "dkm_len_bits", 8, 8L * 8192);
	long child_bits = cli_v_int(vc, "child_dkm_len_bits", 8, 8L * 8192);
	if (vc->failed)
		return CLI_V_FAIL;
	if (il != 8 || rl != 8 || dkm_bits % 8 || child_bits % 8)
		return cli_v_fail(vc, "spii/spir/len_bits", "SPIs must be 8 bytes and lengths whole bytes");
	size_t hl = ike_prf_out_len(prf), dl = (size_t)dkm_bits / 8, cl = (size_t)child_bits / 8;
	uint8_t seed[IKE_PRF_MAX_OUT], rekey[IKE_PRF_MAX_OUT];
	uint8_t *dkm = cli_v_alloc(vc, dl), *child = cli_v_alloc(vc, cl), *child_dh = cli_v_alloc(vc, cl);
	if (!dkm || !child || !child_dh)
		return CLI_V_FAIL;
	if (dl < hl)
		return cli_v_fail(vc, "dkm_len_bits", "shorter than SK_d");
	if (ike_v2_skeyseed(vc->c, prf, ni, nil, nr, nrl, gir, gl, seed) ||
	    ike_v2_sa_keys(vc->c, prf, seed, hl, ni, nil, nr, nrl, ike_get_u64(spii), ike_get_u64(spir), dkm, dl) ||
	    ike_v2_child_keymat(vc->c, prf, dkm, hl, NULL, 0, ni, nil, nr, nrl, child, cl) ||
	    ike_v2_child_keymat(vc->c, prf, dkm, hl, girn, gnl, ni, nil, nr, nrl, child_dh, cl) ||
	    ike_v2_skeyseed_rekey(vc->c, prf, dkm, hl, girn, gnl, ni, nil, nr, nrl, rekey))
		return cli_v_fail(vc, "-", "a KDF call failed");
	cli_v_expect(vc, "skeyseed", seed, hl);
	cli_v_expect(vc, "dkm", dkm, dl);
	cli_v_expect(vc, "dkm_child_sa", child, cl);
	cli_v_expect(vc, "dkm_child_sa_dh", child_dh, cl);
	cli_v_expect(vc, "skeyseed_rekey", rekey, hl);
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

/* HMAC-SHA-224 has no IKE transform, so it is computed with EVP directly. */
static void check_sha224(cli_vcase *vc, const uint8_t *key, size_t kl, const uint8_t *msg, size_t ml)
{
	uint8_t out[28];
	size_t n = 0, wl;
	const uint8_t *want = cli_v_hex(vc, "hmac_sha224", &wl);
	if (!want)
		return;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA224", NULL, key, kl, msg, ml, out, sizeof(out), &n) || n != 28) {
		cli_v_fail(vc, "hmac_sha224", "EVP HMAC-SHA-224 failed");
		return;
	}
	cli_v_same(vc, "hmac_sha224", out, wl < n ? wl : n, want, wl);
}

int cli_v_hmac_sha2(cli_vcase *vc)
{
	size_t kl, ml;
	const uint8_t *key = cli_v_hex(vc, "key", &kl), *msg = cli_v_hex(vc, "data", &ml);
	if (vc->failed)
		return CLI_V_FAIL;
	check_sha224(vc, key, kl, msg, ml);
	check_prf(vc, IKE_PRF_HMAC_SHA2_256, key, kl, msg, ml, "hmac_sha256");
	check_prf(vc, IKE_PRF_HMAC_SHA2_384, key, kl, msg, ml, "hmac_sha384");
	check_prf(vc, IKE_PRF_HMAC_SHA2_512, key, kl, msg, ml, "hmac_sha512");
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

int cli_v_hmac_sha2_ipsec(cli_vcase *vc)
{
	static const struct {
		const char *field;
		uint16_t id;
		int integ;
	} outs[] = {
		{ "prf_hmac_sha_256", IKE_PRF_HMAC_SHA2_256, 0 },
		{ "prf_hmac_sha_384", IKE_PRF_HMAC_SHA2_384, 0 },
		{ "prf_hmac_sha_512", IKE_PRF_HMAC_SHA2_512, 0 },
		{ "hmac_sha_256_128", IKE_INTEG_HMAC_SHA2_256_128, 1 },
		{ "hmac_sha_384_192", IKE_INTEG_HMAC_SHA2_384_192, 1 },
		{ "hmac_sha_512_256", IKE_INTEG_HMAC_SHA2_512_256, 1 },
	};
	size_t kl, ml;
	/* AUTH512-4 erratum: the printed key has 16 stray bytes; the verifier supplies key_corrected. */
	const uint8_t *key = cli_v_hex_opt(vc, "key_corrected", &kl);
	if (!key)
		key = cli_v_hex(vc, "key", &kl);
	const uint8_t *msg = cli_v_hex(vc, "data", &ml);
	if (vc->failed)
		return CLI_V_FAIL;
	int checked = 0;
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		if (!cJSON_GetObjectItemCaseSensitive(vc->obj, outs[i].field))
			continue;
		checked++;
		if (outs[i].integ)
			check_integ(vc, outs[i].id, key, kl, msg, ml, outs[i].field);
		else
			check_prf(vc, outs[i].id, key, kl, msg, ml, outs[i].field);
	}
	if (!checked)
		return cli_v_fail(vc, "-", "no known output field");
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

int cli_v_xcbc_mac_96(cli_vcase *vc)
{
	size_t kl, ml;
	const uint8_t *key = cli_v_hex(vc, "key", &kl), *msg = cli_v_hex(vc, "message", &ml);
	if (vc->failed)
		return CLI_V_FAIL;
	if (kl != 16)
		return cli_v_fail(vc, "key", "AES-XCBC-MAC needs a 16-byte key, got %zu", kl);
	/* With a 16-byte key, AES-XCBC-PRF-128 is exactly the untruncated AES-XCBC-MAC. */
	check_prf(vc, IKE_PRF_AES128_XCBC, key, kl, msg, ml, "aes_xcbc_mac");
	check_integ(vc, IKE_INTEG_AES_XCBC_96, key, kl, msg, ml, "aes_xcbc_mac_96");
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

static int keyed_prf(cli_vcase *vc, uint16_t prf)
{
	size_t kl, ml;
	const uint8_t *key = cli_v_hex(vc, "key", &kl), *msg = cli_v_hex(vc, "message", &ml);
	if (vc->failed)
		return CLI_V_FAIL;
	if (cJSON_GetObjectItemCaseSensitive(vc->obj, "key_length") && (size_t)cli_v_int(vc, "key_length", 0, 65536) != kl)
		return cli_v_fail(vc, "key_length", "does not match the key");
	check_prf(vc, prf, key, kl, msg, ml, "prf_output");
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

int cli_v_xcbc_prf(cli_vcase *vc) { return keyed_prf(vc, IKE_PRF_AES128_XCBC); }

int cli_v_cmac_prf(cli_vcase *vc) { return keyed_prf(vc, IKE_PRF_AES128_CMAC); }
