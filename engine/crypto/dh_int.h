/* Internal to dh*.c: one small back end per group family (MODP, ECP, Montgomery X curves). */
#ifndef IKE_CRYPTO_DH_INT_H
#define IKE_CRYPTO_DH_INT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "crypto/drbg.h"

/* Largest KE data (MODP 8192: 1024 bytes) and largest private value we ever hold. */
#define IKE_DH_MAX_PUB 1024
#define IKE_DH_MAX_PRIV 1024

enum ike_dh_family { IKE_DH_FAM_MODP = 1, IKE_DH_FAM_ECP, IKE_DH_FAM_X };

/* Static facts about one group. */
typedef struct ike_dh_info {
	uint16_t group;
	uint8_t family;
	uint16_t pub_len;    /* KE data bytes */
	uint16_t secret_len; /* g^ir bytes */
	uint16_t priv_len;   /* private bytes drawn from the DRBG */
	const char *ossl;    /* OpenSSL group/key type name (ECP, X); NULL for MODP */
} ike_dh_info;

/* NULL if the group is unknown. */
const ike_dh_info *ike_dh_info_find(uint16_t group);

/* Each back end: draw a private value, build our key pair (+ KE data), build a checked peer key. */
int ike_dh_modp_draw(const ike_dh_info *g, ike_drbg *rng, uint8_t *priv);
int ike_dh_modp_key(const ike_dh_info *g, const uint8_t *priv, size_t len, EVP_PKEY **key, uint8_t *pub);
int ike_dh_modp_peer(const ike_dh_info *g, const uint8_t *pub, size_t len, EVP_PKEY **peer);

int ike_dh_ecp_draw(const ike_dh_info *g, ike_drbg *rng, uint8_t *priv);
int ike_dh_ecp_key(const ike_dh_info *g, const uint8_t *priv, size_t len, EVP_PKEY **key, uint8_t *pub);
/* ours (our key pair) supplies the curve for the peer key; it may be NULL when peer is NULL. */
int ike_dh_ecp_peer(const ike_dh_info *g, const uint8_t *pub, size_t len, const EVP_PKEY *ours, EVP_PKEY **peer);

int ike_dh_x_key(const ike_dh_info *g, const uint8_t *priv, size_t len, EVP_PKEY **key, uint8_t *pub);
int ike_dh_x_peer(const ike_dh_info *g, const uint8_t *pub, size_t len, EVP_PKEY **peer);

#endif
