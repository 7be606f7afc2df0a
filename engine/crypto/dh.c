/* Diffie-Hellman front end: group table, key pair lifetime, derive with our own RFC 6989 checks. */
#include "crypto/dh.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>

#include "crypto/dh_int.h"

struct ike_dh {
	const ike_dh_info *info;
	EVP_PKEY *key;
	uint8_t pub[IKE_DH_MAX_PUB];
};

/*
 * MODP private exponent sizes: at least twice the group's security strength (NIST SP 800-57
 * estimates; 256 bits covers the 128-bit strength of 3072), byte-rounded.
 */
static const ike_dh_info groups[] = {
	{ 1, IKE_DH_FAM_MODP, 96, 96, 32, NULL },
	{ 2, IKE_DH_FAM_MODP, 128, 128, 32, NULL },
	{ 5, IKE_DH_FAM_MODP, 192, 192, 32, NULL },
	{ 14, IKE_DH_FAM_MODP, 256, 256, 32, NULL },
	{ 15, IKE_DH_FAM_MODP, 384, 384, 32, NULL },
	{ 16, IKE_DH_FAM_MODP, 512, 512, 40, NULL },
	{ 17, IKE_DH_FAM_MODP, 768, 768, 48, NULL },
	{ 18, IKE_DH_FAM_MODP, 1024, 1024, 64, NULL },
	{ 19, IKE_DH_FAM_ECP, 64, 32, 32, "P-256" },
	{ 20, IKE_DH_FAM_ECP, 96, 48, 48, "P-384" },
	{ 21, IKE_DH_FAM_ECP, 132, 66, 66, "P-521" },
	{ 31, IKE_DH_FAM_X, 32, 32, 32, "X25519" },
	{ 32, IKE_DH_FAM_X, 56, 56, 56, "X448" },
};

const ike_dh_info *ike_dh_info_find(uint16_t group)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].group == group)
			return &groups[i];
	return NULL;
}

int ike_dh_supported(uint16_t group) { return ike_dh_info_find(group) != NULL; }

size_t ike_dh_public_len(uint16_t group)
{
	const ike_dh_info *g = ike_dh_info_find(group);
	return g ? g->pub_len : 0;
}

size_t ike_dh_secret_len(uint16_t group)
{
	const ike_dh_info *g = ike_dh_info_find(group);
	return g ? g->secret_len : 0;
}

static int build_key(const ike_dh_info *g, const uint8_t *priv, size_t len, ike_dh **out)
{
	ike_dh *dh = OPENSSL_zalloc(sizeof(*dh));
	if (!dh)
		return -IKE_CRYPTO_ENOMEM;
	dh->info = g;
	int rc;
	switch (g->family) {
	case IKE_DH_FAM_MODP:
		rc = ike_dh_modp_key(g, priv, len, &dh->key, dh->pub);
		break;
	case IKE_DH_FAM_ECP:
		rc = ike_dh_ecp_key(g, priv, len, &dh->key, dh->pub);
		break;
	default:
		rc = ike_dh_x_key(g, priv, len, &dh->key, dh->pub);
		break;
	}
	if (rc) {
		ike_dh_free(dh);
		return rc;
	}
	*out = dh;
	return 0;
}

size_t ike_dh_private_len(uint16_t group)
{
	const ike_dh_info *g = ike_dh_info_find(group);
	return g ? g->priv_len : 0;
}

int ike_dh_draw(uint16_t group, ike_drbg *rng, uint8_t *priv, size_t cap)
{
	const ike_dh_info *g = ike_dh_info_find(group);
	if (!g)
		return -IKE_CRYPTO_EUNSUPPORTED;
	if (!rng || !priv || cap < g->priv_len)
		return -IKE_CRYPTO_EINVAL;
	if (g->family == IKE_DH_FAM_MODP)
		return ike_dh_modp_draw(g, rng, priv);
	if (g->family == IKE_DH_FAM_ECP)
		return ike_dh_ecp_draw(g, rng, priv);
	ike_drbg_bytes(rng, priv, g->priv_len); /* RFC 7748: any 32/56 bytes; OpenSSL clamps */
	return 0;
}

int ike_dh_generate(const ike_crypto *c, uint16_t group, ike_drbg *rng, ike_dh **out)
{
	(void)c; /* DH keys use the default library context; nothing to share */
	const ike_dh_info *g = ike_dh_info_find(group);
	if (!out)
		return -IKE_CRYPTO_EINVAL;
	*out = NULL;
	if (!g)
		return -IKE_CRYPTO_EUNSUPPORTED;
	if (!rng)
		return -IKE_CRYPTO_EINVAL;
	uint8_t priv[IKE_DH_MAX_PRIV];
	int rc = ike_dh_draw(group, rng, priv, sizeof(priv));
	if (!rc)
		rc = build_key(g, priv, g->priv_len, out);
	OPENSSL_cleanse(priv, sizeof(priv));
	return rc;
}

int ike_dh_from_private(const ike_crypto *c, uint16_t group, const uint8_t *priv, size_t len, ike_dh **out)
{
	(void)c;
	const ike_dh_info *g = ike_dh_info_find(group);
	if (!out)
		return -IKE_CRYPTO_EINVAL;
	*out = NULL;
	if (!g)
		return -IKE_CRYPTO_EUNSUPPORTED;
	if (!priv || len == 0)
		return -IKE_CRYPTO_EINVAL;
	return build_key(g, priv, len, out);
}

int ike_dh_public(const ike_dh *dh, uint8_t *out, size_t cap)
{
	if (!dh || !out || cap < dh->info->pub_len)
		return -IKE_CRYPTO_EINVAL;
	memcpy(out, dh->pub, dh->info->pub_len);
	return 0;
}

/* Checks and, if peer is non-NULL, builds the peer's public key for derive. */
static int peer_key(const ike_dh_info *g, const uint8_t *pub, size_t len, const EVP_PKEY *ours, EVP_PKEY **peer)
{
	if (!pub || len != g->pub_len)
		return -IKE_CRYPTO_EPEER;
	switch (g->family) {
	case IKE_DH_FAM_MODP:
		return ike_dh_modp_peer(g, pub, len, peer);
	case IKE_DH_FAM_ECP:
		return ike_dh_ecp_peer(g, pub, len, ours, peer);
	default:
		return ike_dh_x_peer(g, pub, len, peer);
	}
}

int ike_dh_check_peer(const ike_crypto *c, uint16_t group, const uint8_t *pub, size_t len)
{
	(void)c;
	const ike_dh_info *g = ike_dh_info_find(group);
	if (!g)
		return -IKE_CRYPTO_EUNSUPPORTED;
	return peer_key(g, pub, len, NULL, NULL);
}

static int all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int ike_dh_derive(const ike_crypto *c, const ike_dh *dh, const uint8_t *peer, size_t len, uint8_t *out, size_t cap)
{
	(void)c;
	if (!dh || !out || cap < dh->info->secret_len)
		return -IKE_CRYPTO_EINVAL;
	const ike_dh_info *g = dh->info;
	EVP_PKEY *pk = NULL;
	int rc = peer_key(g, peer, len, dh->key, &pk);
	if (rc)
		return rc;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	size_t n = g->secret_len;
	rc = -IKE_CRYPTO_EOSSL;
	/* The peer was checked above (RFC 6989); OpenSSL's full check would cost 3-4x. */
	if (ctx && EVP_PKEY_derive_init(ctx) == 1 &&
	    (g->family != IKE_DH_FAM_MODP || EVP_PKEY_CTX_set_dh_pad(ctx, 1) == 1) &&
	    EVP_PKEY_derive_set_peer_ex(ctx, pk, 0) == 1) {
		if (EVP_PKEY_derive(ctx, out, &n) == 1 && n == g->secret_len)
			rc = 0;
		else if (g->family == IKE_DH_FAM_X)
			rc = -IKE_CRYPTO_EPEER; /* OpenSSL refuses an all-zero X25519/X448 result */
	}
	/* RFC 7748 6.1 / RFC 8031 2.3: an all-zero shared secret means a small-order peer point. */
	if (!rc && g->family == IKE_DH_FAM_X && all_zero(out, n))
		rc = -IKE_CRYPTO_EPEER;
	if (rc)
		OPENSSL_cleanse(out, g->secret_len);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}

uint16_t ike_dh_group(const ike_dh *dh) { return dh ? dh->info->group : 0; }

void ike_dh_free(ike_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);
	OPENSSL_clear_free(dh, sizeof(*dh));
}
