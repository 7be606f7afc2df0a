/* ECP groups 19-21 (RFC 5903): KE data = x | y, shared secret = x; keys built with EVP fromdata. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "crypto/crypto.h"
#include "crypto/dh_int.h"

/* Coordinate bytes (= private scalar bytes) of the curve. */
static size_t coord_len(const ike_dh_info *g) { return g->secret_len; }

static EC_GROUP *group_new(const ike_dh_info *g)
{
	return EC_GROUP_new_by_curve_name_ex(NULL, NULL, EC_curve_nist2nid(g->ossl));
}

/* 1 if the big-endian scalar s is in [1, order - 1]. */
static int scalar_ok(const EC_GROUP *grp, const uint8_t *s, size_t n)
{
	BIGNUM *x = BN_bin2bn(s, (int)n, NULL);
	int ok = x && !BN_is_zero(x) && BN_cmp(x, EC_GROUP_get0_order(grp)) < 0;
	BN_clear_free(x);
	return ok;
}

int ike_dh_ecp_draw(const ike_dh_info *g, ike_drbg *rng, uint8_t *priv)
{
	EC_GROUP *grp = group_new(g);
	if (!grp)
		return -IKE_CRYPTO_EOSSL;
	size_t n = coord_len(g);
	int bits = BN_num_bits(EC_GROUP_get0_order(grp));
	uint8_t top = (uint8_t)(bits % 8 ? (1u << (bits % 8)) - 1 : 0xff);
	/* Rejection sampling keeps the scalar uniform in [1, n-1] (RFC 5903 / SP 800-56A 5.6.1.2.2). */
	do {
		ike_drbg_bytes(rng, priv, n);
		priv[0] &= top;
	} while (!scalar_ok(grp, priv, n));
	EC_GROUP_free(grp);
	return 0;
}

/* EVP_PKEY for the curve from the uncompressed point (and the scalar for our own key). */
static int make_pkey(const ike_dh_info *g, const BIGNUM *priv, const uint8_t *oct, size_t oct_len, EVP_PKEY **out)
{
	int rc = -IKE_CRYPTO_EOSSL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->ossl, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, oct, oct_len) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1)
		goto out;
	/* Import decodes the point with EC_POINT_oct2point, which refuses coordinates >= p and points off the curve. */
	rc = EVP_PKEY_fromdata(ctx, out, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) == 1 ? 0
												 : -IKE_CRYPTO_EPEER;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

int ike_dh_ecp_key(const ike_dh_info *g, const uint8_t *priv, size_t len, EVP_PKEY **key, uint8_t *pub)
{
	size_t n = coord_len(g);
	if (len != n)
		return -IKE_CRYPTO_EINVAL;
	int rc = -IKE_CRYPTO_EOSSL;
	uint8_t oct[1 + 2 * 66];
	EC_GROUP *grp = group_new(g);
	EC_POINT *pt = grp ? EC_POINT_new(grp) : NULL;
	BIGNUM *x = BN_secure_new();
	if (!pt || !x || !BN_bin2bn(priv, (int)len, x))
		goto out;
	if (BN_is_zero(x) || BN_cmp(x, EC_GROUP_get0_order(grp)) >= 0) {
		rc = -IKE_CRYPTO_EINVAL;
		goto out;
	}
	BN_set_flags(x, BN_FLG_CONSTTIME);
	/* Q = x * G; EC_POINT_mul with only the generator scalar uses OpenSSL's constant-time ladder. */
	if (!EC_POINT_mul(grp, pt, x, NULL, NULL, NULL) ||
	    EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, oct, sizeof(oct), NULL) != 1 + 2 * n)
		goto out;
	memcpy(pub, oct + 1, 2 * n);
	rc = make_pkey(g, x, oct, 1 + 2 * n, key);
	if (rc == -IKE_CRYPTO_EPEER)
		rc = -IKE_CRYPTO_EOSSL;
out:
	BN_clear_free(x);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	return rc;
}

int ike_dh_ecp_peer(const ike_dh_info *g, const uint8_t *pub, size_t len, EVP_PKEY **peer)
{
	size_t n = coord_len(g);
	if (len != 2 * n)
		return -IKE_CRYPTO_EPEER;
	/* RFC 6989 2.3: the point must be on the curve; x|y cannot encode infinity and cofactors are 1. */
	uint8_t oct[1 + 2 * 66];
	oct[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(oct + 1, pub, len);
	EVP_PKEY *pk = NULL;
	int rc = make_pkey(g, NULL, oct, 1 + len, &pk);
	if (!rc && peer)
		*peer = pk;
	else
		EVP_PKEY_free(pk);
	return rc;
}
