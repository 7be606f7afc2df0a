/* RFC 6979 deterministic ECDSA with OpenSSL's BIGNUM and EC_POINT arithmetic (EVP signing is not used). */
#include "crypto/ecdsa_det.h"

#include <stdbool.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "crypto/mac_int.h"

#define HMAX 64      /* longest HMAC output (SHA-512) */
#define MAX_TRIES 64 /* a rejected k has probability ~2^-32 at worst (P-521); 64 in a row means a bug */

/* One signing operation: the curve, the private scalar and the HMAC_DRBG state of section 3.2. */
typedef struct det {
	const ike_crypto *c;
	int md_slot;
	size_t hlen; /* octets of H's output */
	EC_GROUP *g;
	const BIGNUM *q; /* the group order, owned by g */
	int qlen;        /* bits of q */
	size_t rlen;     /* octets of int2octets(): ceil(qlen / 8) */
	BN_CTX *bn;      /* secure: its numbers are cleared when freed */
	BIGNUM *x;       /* the private key */
	uint8_t xo[IKE_ECDSA_DET_MAX_HALF]; /* int2octets(x) */
	uint8_t ho[IKE_ECDSA_DET_MAX_HALF]; /* bits2octets(h1) */
	uint8_t K[HMAX], V[HMAX];
} det;

/* Section 2.3.2 bits2int: the leftmost qlen bits of b as a big-endian integer. */
static bool bits2int(const uint8_t *b, size_t blen, int qlen, BIGNUM *out)
{
	if (!BN_bin2bn(b, (int)blen, out))
		return false;
	return 8 * blen <= (size_t)qlen || BN_rshift(out, out, (int)(8 * blen - (size_t)qlen));
}

/* out = HMAC_K(V), or HMAC_K(V || sep || int2octets(x) || bits2octets(h1)) when sep >= 0 (steps d, f). */
static int drbg_hmac(det *d, int sep, uint8_t *out)
{
	ike_mac m;
	uint8_t b = (uint8_t)sep;
	int rc = ike_mac_begin(d->c, &m, IKE_MAC_HMAC, d->md_slot, d->K, d->hlen);
	if (!rc)
		rc = ike_mac_update(&m, d->V, d->hlen);
	if (!rc && sep >= 0)
		rc = ike_mac_update(&m, &b, 1);
	if (!rc && sep >= 0)
		rc = ike_mac_update(&m, d->xo, d->rlen);
	if (!rc && sep >= 0)
		rc = ike_mac_update(&m, d->ho, d->rlen);
	if (!rc)
		rc = ike_mac_final(&m, out); /* out may be K: the key was copied into the MAC context at begin */
	ike_mac_end(&m);
	return rc;
}

/* Steps b-g: V = 0x01.., K = 0x00.., then two rounds of K = HMAC_K(V || 0x0i || x || h), V = HMAC_K(V). */
static int drbg_init(det *d)
{
	memset(d->V, 0x01, d->hlen);
	memset(d->K, 0x00, d->hlen);
	int rc = drbg_hmac(d, 0x00, d->K);
	if (!rc)
		rc = drbg_hmac(d, -1, d->V);
	if (!rc)
		rc = drbg_hmac(d, 0x01, d->K);
	if (!rc)
		rc = drbg_hmac(d, -1, d->V);
	return rc;
}

/* Step h.3 after an unsuitable k: K = HMAC_K(V || 0x00), V = HMAC_K(V). */
static int drbg_retry(det *d)
{
	ike_mac m;
	static const uint8_t zero = 0;
	int rc = ike_mac_begin(d->c, &m, IKE_MAC_HMAC, d->md_slot, d->K, d->hlen);
	if (!rc)
		rc = ike_mac_update(&m, d->V, d->hlen);
	if (!rc)
		rc = ike_mac_update(&m, &zero, 1);
	if (!rc)
		rc = ike_mac_final(&m, d->K);
	ike_mac_end(&m);
	return rc ? rc : drbg_hmac(d, -1, d->V);
}

/* Steps h.1-h.2 and the first half of h.3: T grows by V = HMAC_K(V) until qlen bits, then k = bits2int(T). */
static int drbg_candidate(det *d, BIGNUM *k)
{
	uint8_t t[IKE_ECDSA_DET_MAX_HALF + HMAX];
	size_t tl = 0;
	int rc = 0;
	while (!rc && 8 * tl < (size_t)d->qlen) {
		rc = drbg_hmac(d, -1, d->V);
		memcpy(t + tl, d->V, d->hlen);
		tl += d->hlen;
	}
	if (!rc && !bits2int(t, tl, d->qlen, k))
		rc = -IKE_CRYPTO_EOSSL;
	OPENSSL_cleanse(t, sizeof(t));
	return rc;
}

/*
 * s = k^-1 (h + x r) mod q. The inverse is Fermat's k^(q-2) (q is prime) with OpenSSL's constant-time
 * exponentiation; the products with secrets go through Montgomery multiplication, which does not branch
 * on the operands' values, instead of BN_mod_mul's division.
 */
static bool compute_s(det *d, const BIGNUM *h, const BIGNUM *k, const BIGNUM *r, BIGNUM *s)
{
	BN_MONT_CTX *mont = BN_MONT_CTX_new();
	BN_CTX_start(d->bn);
	BIGNUM *e = BN_CTX_get(d->bn), *kinv = BN_CTX_get(d->bn), *xm = BN_CTX_get(d->bn), *t = BN_CTX_get(d->bn);
	bool ok = mont && t && BN_MONT_CTX_set(mont, d->q, d->bn) && BN_copy(e, d->q) && BN_sub_word(e, 2);
	if (ok) {
		BN_set_flags(kinv, BN_FLG_CONSTTIME);
		BN_set_flags(xm, BN_FLG_CONSTTIME);
		BN_set_flags(t, BN_FLG_CONSTTIME);
	}
	ok = ok && BN_mod_exp_mont_consttime(kinv, k, e, d->q, d->bn, mont) &&
	     BN_to_montgomery(xm, d->x, mont, d->bn) && BN_mod_mul_montgomery(t, xm, r, mont, d->bn) && /* x r */
	     BN_mod_add(t, t, h, d->q, d->bn) && BN_to_montgomery(kinv, kinv, mont, d->bn) &&
	     BN_mod_mul_montgomery(s, kinv, t, mont, d->bn);
	BN_CTX_end(d->bn);
	BN_MONT_CTX_free(mont);
	return ok;
}

/* One candidate k (step h.3, section 3.4): *found once k is in [1, q-1] and gives non-zero r and s. */
static int try_k(det *d, const BIGNUM *h, BIGNUM *k, EC_POINT *R, BIGNUM *r, BIGNUM *s, bool *found)
{
	int rc = drbg_candidate(d, k);
	if (rc || BN_is_zero(k) || BN_cmp(k, d->q) >= 0)
		return rc; /* compared with q, never reduced: reduction would bias k */
	/* EC_POINT_mul with only the generator's scalar takes OpenSSL's constant-time ladder (or nistz256). */
	if (!EC_POINT_mul(d->g, R, k, NULL, NULL, d->bn) || !EC_POINT_get_affine_coordinates(d->g, R, r, NULL, d->bn) ||
	    !BN_nnmod(r, r, d->q, d->bn))
		return -IKE_CRYPTO_EOSSL;
	if (BN_is_zero(r))
		return 0;
	if (!compute_s(d, h, k, r, s))
		return -IKE_CRYPTO_EOSSL;
	*found = !BN_is_zero(s);
	return 0;
}

/* Section 2.4 with k from section 3.2; r, s (and k) out as `rlen` octets each. */
static int det_sign(det *d, const uint8_t *h1, size_t h1_len, uint8_t *r_out, uint8_t *s_out, uint8_t *k_out)
{
	int n = (int)d->rlen;
	bool found = false;
	BN_CTX_start(d->bn);
	BIGNUM *h = BN_CTX_get(d->bn), *k = BN_CTX_get(d->bn), *r = BN_CTX_get(d->bn), *s = BN_CTX_get(d->bn);
	EC_POINT *R = EC_POINT_new(d->g);
	int rc = s && R ? 0 : -IKE_CRYPTO_ENOMEM;
	if (!rc)
		BN_set_flags(k, BN_FLG_CONSTTIME);
	/* h = bits2int(h1) mod q; its int2octets is exactly bits2octets(h1), the DRBG's nonce input. */
	if (!rc && (!bits2int(h1, h1_len, d->qlen, h) || !BN_nnmod(h, h, d->q, d->bn) ||
		    BN_bn2binpad(h, d->ho, n) != n))
		rc = -IKE_CRYPTO_EOSSL;
	if (!rc)
		rc = drbg_init(d);
	for (int i = 0; !rc && !found && i < MAX_TRIES; i++) {
		if (i)
			rc = drbg_retry(d);
		if (!rc)
			rc = try_k(d, h, k, R, r, s, &found);
	}
	if (!rc && (!found || BN_bn2binpad(r, r_out, n) != n || BN_bn2binpad(s, s_out, n) != n ||
		    (k_out && BN_bn2binpad(k, k_out, n) != n)))
		rc = -IKE_CRYPTO_EOSSL;
	EC_POINT_clear_free(R);
	BN_CTX_end(d->bn);
	return rc;
}

/* The curve (prime field only) and private scalar of key; the sizes must match `half` and the hash. */
static int det_load(det *d, const ike_crypto *c, EVP_PKEY *key, int md_slot, size_t h1_len, size_t half)
{
	char name[32];
	size_t nl = 0;
	d->c = c;
	d->md_slot = md_slot;
	if (!c || md_slot < 0 || md_slot >= IKE_MD_COUNT || !EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_group_name(key, name, sizeof(name), &nl))
		return -IKE_CRYPTO_EINVAL;
	int nid = OBJ_sn2nid(name);
	if (nid == NID_undef || !(d->g = EC_GROUP_new_by_curve_name(nid)) ||
	    EC_GROUP_get_field_type(d->g) != NID_X9_62_prime_field)
		return -IKE_CRYPTO_EUNSUPPORTED;
	if (!(d->bn = BN_CTX_secure_new()))
		return -IKE_CRYPTO_ENOMEM;
	d->q = EC_GROUP_get0_order(d->g);
	d->qlen = BN_num_bits(d->q);
	d->rlen = (size_t)(d->qlen + 7) / 8;
	d->hlen = (size_t)EVP_MD_get_size(c->md[md_slot]);
	if (d->rlen != half || d->rlen > IKE_ECDSA_DET_MAX_HALF || h1_len != d->hlen || d->hlen > HMAX)
		return -IKE_CRYPTO_EINVAL;
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d->x))
		return -IKE_CRYPTO_EINVAL; /* a public key only */
	BN_set_flags(d->x, BN_FLG_CONSTTIME);
	if (BN_is_zero(d->x) || BN_cmp(d->x, d->q) >= 0 || BN_bn2binpad(d->x, d->xo, (int)d->rlen) != (int)d->rlen)
		return -IKE_CRYPTO_EINVAL;
	return 0;
}

static void det_free(det *d)
{
	BN_clear_free(d->x);
	BN_CTX_free(d->bn);
	EC_GROUP_free(d->g);
	OPENSSL_cleanse(d, sizeof(*d));
}

int ike_ecdsa_det_sign(const ike_crypto *c, EVP_PKEY *key, int md_slot, const uint8_t *h1, size_t h1_len,
		       uint8_t *r, uint8_t *s, size_t half, uint8_t *k_out)
{
	det d;
	memset(&d, 0, sizeof(d));
	int rc = det_load(&d, c, key, md_slot, h1_len, half);
	if (!rc)
		rc = det_sign(&d, h1, h1_len, r, s, k_out);
	det_free(&d);
	if (rc)
		ERR_clear_error(); /* the caller sees our code; leave OpenSSL's per-thread queue clean */
	return rc;
}
