/* Transform registry: IANA IKEv2 transform IDs <-> strongSwan keywords <-> OpenSSL parameters. */
#ifndef IKE_CRYPTO_REGISTRY_H
#define IKE_CRYPTO_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

/* IANA "Transform Type Values" (RFC 7296 3.3.2). */
enum ike_transform_type {
	IKE_TT_ENCR = 1,
	IKE_TT_PRF = 2,
	IKE_TT_INTEG = 3,
	IKE_TT_DH = 4,
	IKE_TT_ESN = 5,
};

enum ike_encr_id {
	IKE_ENCR_3DES = 3, /* IKEv1 only here (RFC 2451; ESP_3DES and the phase 1 3DES-CBC): no algs[] row */
	IKE_ENCR_NULL = 11,
	IKE_ENCR_AES_CBC = 12,
	IKE_ENCR_AES_CTR = 13,
	IKE_ENCR_AES_GCM_8 = 18,
	IKE_ENCR_AES_GCM_12 = 19,
	IKE_ENCR_AES_GCM_16 = 20,
	IKE_ENCR_CHACHA20_POLY1305 = 28,
};

enum ike_prf_id {
	IKE_PRF_HMAC_MD5 = 1, /* IKEv1 only here: the phase 1 hash MD5 (RFC 2409 App. A); no algs[] row */
	IKE_PRF_HMAC_SHA1 = 2,
	IKE_PRF_AES128_XCBC = 4,
	IKE_PRF_HMAC_SHA2_256 = 5,
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
	IKE_PRF_AES128_CMAC = 8,
};

enum ike_integ_id {
	IKE_INTEG_NONE = 0,
	IKE_INTEG_HMAC_MD5_96 = 1, /* IKEv1 only here: ESP's HMAC-MD5-96 (RFC 2403); no algs[] row */
	IKE_INTEG_HMAC_SHA1_96 = 2,
	IKE_INTEG_AES_XCBC_96 = 5,
	IKE_INTEG_AES_CMAC_96 = 8,
	IKE_INTEG_HMAC_SHA2_256_128 = 12,
	IKE_INTEG_HMAC_SHA2_384_192 = 13,
	IKE_INTEG_HMAC_SHA2_512_256 = 14,
};

enum ike_dh_id {
	IKE_DH_NONE = 0,
	IKE_DH_MODP768 = 1,
	IKE_DH_MODP1024 = 2,
	IKE_DH_MODP1536 = 5,
	IKE_DH_MODP2048 = 14,
	IKE_DH_MODP3072 = 15,
	IKE_DH_MODP4096 = 16,
	IKE_DH_MODP6144 = 17,
	IKE_DH_MODP8192 = 18,
	IKE_DH_ECP256 = 19,
	IKE_DH_ECP384 = 20,
	IKE_DH_ECP521 = 21,
	IKE_DH_CURVE25519 = 31,
	IKE_DH_CURVE448 = 32,
};

enum ike_esn_id { IKE_ESN_NO = 0, IKE_ESN_YES = 1 };

/* One concrete transform (an ENCR with a fixed key length is one entry per length). */
typedef struct ike_alg {
	uint8_t type;          /* enum ike_transform_type */
	uint16_t id;           /* IANA transform ID */
	uint16_t keylen_bits;  /* Key Length attribute value; 0 = no attribute sent */
	const char *name;      /* strongSwan's display name, e.g. "AES_GCM_16_128", "HMAC_SHA2_256_128", "CURVE_25519" */
	uint8_t key_bytes;     /* ENCR: cipher key + salt/nonce bytes taken from KEYMAT; INTEG: key; PRF: preferred key length */
	uint8_t salt_bytes;    /* ENCR: trailing salt/nonce bytes inside key_bytes (GCM 4, CTR 4, ChaCha 4) */
	uint8_t iv_bytes;      /* ENCR: IV carried in each message */
	uint8_t block_bytes;   /* ENCR: padding block (CBC 16, others 1...4 per RFC) */
	uint8_t icv_bytes;     /* ENCR AEAD: tag length; INTEG: truncated output length */
	uint8_t out_bytes;     /* PRF/INTEG: full output length (DH lengths: see dh.h) */
	uint8_t aead;          /* ENCR: 1 if combined mode */
	const char *ossl;      /* OpenSSL algorithm name for EVP fetch ("AES-128-GCM", "SHA256", "X25519", ...) */
} ike_alg;

/* Looks up a transform; keylen_bits 0 means "no Key Length attribute". NULL if unknown. */
const ike_alg *ike_alg_find(uint8_t type, uint16_t id, uint16_t keylen_bits);

/* All registered transforms, in a stable order; *n receives the count. */
const ike_alg *ike_alg_all(size_t *n);

/*
 * A strongSwan proposal keyword ("aes128gcm16", "sha256", "prfsha384", "x25519", "esn"...).
 * Integrity keywords in an IKE proposal also imply the PRF of the same hash: that is the
 * caller's business (config/proposal.c); `implied_prf` names it here (0 if none).
 */
typedef struct ike_keyword {
	const char *word;
	uint8_t type;
	uint16_t id;
	uint16_t keylen_bits;
	uint16_t implied_prf;
} ike_keyword;

/* Finds a keyword (exact, case-sensitive, length-delimited); NULL if unknown. */
const ike_keyword *ike_keyword_find(const char *word, size_t len);
/* The legacy keywords only IKEv1 connections take ("3des", "md5", "prfmd5"): the IKEv2 and ESP code has no
 * 3DES or MD5, so they are outside ike_keyword_find and the algs table; NULL if not one of them. */
const ike_keyword *ike_keyword_find_v1(const char *word, size_t len);

/* Names for traces: "ENCR"/"PRF"/... and IANA-style transform names; never NULL. */
const char *ike_transform_type_name(uint8_t type);
const char *ike_transform_name(uint8_t type, uint16_t id, uint16_t keylen_bits);

#endif
