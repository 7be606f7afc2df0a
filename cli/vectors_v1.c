/* Vector kinds ikev1-kdf-psk and ikev1-kdf-sig (NIST CAVP SP 800-135 IKEv1) through engine/crypto/kdf_v1. */
#include <string.h>

#include "crypto/kdf_v1.h"
#include "vectors_int.h"

static uint16_t v1_hash_for(cli_vcase *vc)
{
	const char *h = cli_v_str(vc, "hash");
	if (!h)
		return 0;
	if (!strcmp(h, "MD5"))
		return IKE_V1_MD5;
	if (!strcmp(h, "SHA-1"))
		return IKE_V1_SHA1;
	if (!strcmp(h, "SHA-256"))
		return IKE_V1_SHA2_256;
	if (!strcmp(h, "SHA-384"))
		return IKE_V1_SHA2_384;
	if (!strcmp(h, "SHA-512"))
		return IKE_V1_SHA2_512;
	cli_v_fail(vc, "hash", "unknown hash \"%s\"", h);
	return 0;
}

/* A cookie field: exactly 8 bytes, as a big-endian integer. */
static uint64_t cookie(cli_vcase *vc, const char *name)
{
	size_t n;
	const uint8_t *p = cli_v_hex(vc, name, &n);
	if (!p)
		return 0;
	if (n != 8) {
		cli_v_fail(vc, name, "cookie is %zu bytes, not 8", n);
		return 0;
	}
	return ike_get_u64(p);
}

static int run(cli_vcase *vc, bool psk_mode)
{
	uint16_t hash = v1_hash_for(vc);
	size_t nil, nrl, gl, pl = 0;
	const uint8_t *ni = cli_v_hex(vc, "ni", &nil), *nr = cli_v_hex(vc, "nr", &nrl);
	const uint8_t *gxy = cli_v_hex(vc, "gxy", &gl);
	const uint8_t *psk = psk_mode ? cli_v_hex(vc, "pre_shared_key", &pl) : NULL;
	uint64_t ci = cookie(vc, "cky_i"), cr = cookie(vc, "cky_r");
	if (vc->failed || !hash)
		return CLI_V_FAIL;
	ike_v1_keys k = { .hash = hash };
	int rc = psk_mode ? ike_v1_skeyid_psk(vc->c, hash, psk, pl, ni, nil, nr, nrl, k.skeyid)
			  : ike_v1_skeyid_sig(vc->c, hash, ni, nil, nr, nrl, gxy, gl, k.skeyid);
	if (rc == 0)
		rc = ike_v1_skeyids(vc->c, &k, gxy, gl, ci, cr);
	if (rc) {
		ike_v1_keys_wipe(&k);
		return cli_v_fail(vc, "skeyid", "derivation failed: %s", ike_crypto_strerror(rc));
	}
	cli_v_expect(vc, "skeyid", k.skeyid, k.len);
	cli_v_expect(vc, "skeyid_d", k.skeyid_d, k.len);
	cli_v_expect(vc, "skeyid_a", k.skeyid_a, k.len);
	cli_v_expect(vc, "skeyid_e", k.skeyid_e, k.len);
	ike_v1_keys_wipe(&k);
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

int cli_v_ikev1_psk(cli_vcase *vc) { return run(vc, true); }
int cli_v_ikev1_sig(cli_vcase *vc) { return run(vc, false); }
