/* The transform table: IANA IDs, strongSwan names and keywords, RFC key/IV/ICV sizes. */
#include <string.h>

#include "crypto/registry.h"

#define ENCR(id, bits, name, key, salt, iv, blk, icv, aead, ossl) \
	{ IKE_TT_ENCR, id, bits, name, key, salt, iv, blk, icv, 0, aead, ossl }
#define PRF(id, name, key, out, ossl) { IKE_TT_PRF, id, 0, name, key, 0, 0, 0, 0, out, 0, ossl }
#define INTEG(id, name, key, icv, out, ossl) { IKE_TT_INTEG, id, 0, name, key, 0, 0, 0, icv, out, 0, ossl }
#define DH(id, name, ossl) { IKE_TT_DH, id, 0, name, 0, 0, 0, 0, 0, 0, 0, ossl }

/* Key sizes: CTR/GCM/ChaCha KEYMAT carries a 4-byte salt/nonce (RFC 3686, 4106/5282, 7634). */
static const ike_alg algs[] = {
	ENCR(IKE_ENCR_AES_CBC, 128, "AES_CBC_128", 16, 0, 16, 16, 0, 0, "AES-128-CBC"),
	ENCR(IKE_ENCR_AES_CBC, 192, "AES_CBC_192", 24, 0, 16, 16, 0, 0, "AES-192-CBC"),
	ENCR(IKE_ENCR_AES_CBC, 256, "AES_CBC_256", 32, 0, 16, 16, 0, 0, "AES-256-CBC"),
	ENCR(IKE_ENCR_AES_CTR, 128, "AES_CTR_128", 20, 4, 8, 1, 0, 0, "AES-128-CTR"),
	ENCR(IKE_ENCR_AES_CTR, 192, "AES_CTR_192", 28, 4, 8, 1, 0, 0, "AES-192-CTR"),
	ENCR(IKE_ENCR_AES_CTR, 256, "AES_CTR_256", 36, 4, 8, 1, 0, 0, "AES-256-CTR"),
	ENCR(IKE_ENCR_AES_GCM_8, 128, "AES_GCM_8_128", 20, 4, 8, 1, 8, 1, "AES-128-GCM"),
	ENCR(IKE_ENCR_AES_GCM_8, 192, "AES_GCM_8_192", 28, 4, 8, 1, 8, 1, "AES-192-GCM"),
	ENCR(IKE_ENCR_AES_GCM_8, 256, "AES_GCM_8_256", 36, 4, 8, 1, 8, 1, "AES-256-GCM"),
	ENCR(IKE_ENCR_AES_GCM_12, 128, "AES_GCM_12_128", 20, 4, 8, 1, 12, 1, "AES-128-GCM"),
	ENCR(IKE_ENCR_AES_GCM_12, 192, "AES_GCM_12_192", 28, 4, 8, 1, 12, 1, "AES-192-GCM"),
	ENCR(IKE_ENCR_AES_GCM_12, 256, "AES_GCM_12_256", 36, 4, 8, 1, 12, 1, "AES-256-GCM"),
	ENCR(IKE_ENCR_AES_GCM_16, 128, "AES_GCM_16_128", 20, 4, 8, 1, 16, 1, "AES-128-GCM"),
	ENCR(IKE_ENCR_AES_GCM_16, 192, "AES_GCM_16_192", 28, 4, 8, 1, 16, 1, "AES-192-GCM"),
	ENCR(IKE_ENCR_AES_GCM_16, 256, "AES_GCM_16_256", 36, 4, 8, 1, 16, 1, "AES-256-GCM"),
	ENCR(IKE_ENCR_CHACHA20_POLY1305, 0, "CHACHA20_POLY1305", 36, 4, 8, 1, 16, 1, "ChaCha20-Poly1305"),
	/* PRF key_bytes is the preferred key length, which is also SK_d/SK_p length (RFC 7296 2.14). */
	PRF(IKE_PRF_HMAC_SHA1, "PRF_HMAC_SHA1", 20, 20, "SHA1"),
	PRF(IKE_PRF_HMAC_SHA2_256, "PRF_HMAC_SHA2_256", 32, 32, "SHA256"),
	PRF(IKE_PRF_HMAC_SHA2_384, "PRF_HMAC_SHA2_384", 48, 48, "SHA384"),
	PRF(IKE_PRF_HMAC_SHA2_512, "PRF_HMAC_SHA2_512", 64, 64, "SHA512"),
	PRF(IKE_PRF_AES128_XCBC, "PRF_AES128_XCBC", 16, 16, "AES-128-ECB"),
	PRF(IKE_PRF_AES128_CMAC, "PRF_AES128_CMAC", 16, 16, "AES-128-CBC"),
	/* RFC 2404, 4868, 3566, 4494: truncated ICVs. */
	INTEG(IKE_INTEG_HMAC_SHA1_96, "HMAC_SHA1_96", 20, 12, 20, "SHA1"),
	INTEG(IKE_INTEG_HMAC_SHA2_256_128, "HMAC_SHA2_256_128", 32, 16, 32, "SHA256"),
	INTEG(IKE_INTEG_HMAC_SHA2_384_192, "HMAC_SHA2_384_192", 48, 24, 48, "SHA384"),
	INTEG(IKE_INTEG_HMAC_SHA2_512_256, "HMAC_SHA2_512_256", 64, 32, 64, "SHA512"),
	INTEG(IKE_INTEG_AES_XCBC_96, "AES_XCBC_96", 16, 12, 16, "AES-128-ECB"),
	INTEG(IKE_INTEG_AES_CMAC_96, "AES_CMAC_96", 16, 12, 16, "AES-128-CBC"),
	DH(IKE_DH_MODP768, "MODP_768", "DH"),
	DH(IKE_DH_MODP1024, "MODP_1024", "DH"),
	DH(IKE_DH_MODP1536, "MODP_1536", "DH"),
	DH(IKE_DH_MODP2048, "MODP_2048", "DH"),
	DH(IKE_DH_MODP3072, "MODP_3072", "DH"),
	DH(IKE_DH_MODP4096, "MODP_4096", "DH"),
	DH(IKE_DH_MODP6144, "MODP_6144", "DH"),
	DH(IKE_DH_MODP8192, "MODP_8192", "DH"),
	DH(IKE_DH_ECP256, "ECP_256", "P-256"),
	DH(IKE_DH_ECP384, "ECP_384", "P-384"),
	DH(IKE_DH_ECP521, "ECP_521", "P-521"),
	DH(IKE_DH_CURVE25519, "CURVE_25519", "X25519"),
	DH(IKE_DH_CURVE448, "CURVE_448", "X448"),
	{ IKE_TT_ESN, IKE_ESN_NO, 0, "NO_EXT_SEQ", 0, 0, 0, 0, 0, 0, 0, "" },
	{ IKE_TT_ESN, IKE_ESN_YES, 0, "EXT_SEQ", 0, 0, 0, 0, 0, 0, 0, "" },
};

#define KW(w, t, id, bits, prf) { w, t, id, bits, prf }
#define KE(w, id, bits) KW(w, IKE_TT_ENCR, id, bits, 0)
#define KGCM(pfx, bits) \
	KE(pfx "8", IKE_ENCR_AES_GCM_8, bits), KE(pfx "64", IKE_ENCR_AES_GCM_8, bits), \
	KE(pfx "12", IKE_ENCR_AES_GCM_12, bits), KE(pfx "96", IKE_ENCR_AES_GCM_12, bits), \
	KE(pfx "16", IKE_ENCR_AES_GCM_16, bits), KE(pfx "128", IKE_ENCR_AES_GCM_16, bits), \
	KE(pfx, IKE_ENCR_AES_GCM_16, bits)
#define KI(w, id, prf) KW(w, IKE_TT_INTEG, id, 0, prf)
#define KP(w, id) KW(w, IKE_TT_PRF, id, 0, 0)
#define KD(w, id) KW(w, IKE_TT_DH, id, 0, 0)

/* strongSwan's keywords; "aes128gcm" alone means the 16-byte ICV variant. */
static const ike_keyword keywords[] = {
	KE("aes", IKE_ENCR_AES_CBC, 128),
	KE("aes128", IKE_ENCR_AES_CBC, 128),
	KE("aes192", IKE_ENCR_AES_CBC, 192),
	KE("aes256", IKE_ENCR_AES_CBC, 256),
	KE("aes128ctr", IKE_ENCR_AES_CTR, 128),
	KE("aes192ctr", IKE_ENCR_AES_CTR, 192),
	KE("aes256ctr", IKE_ENCR_AES_CTR, 256),
	KGCM("aes128gcm", 128),
	KGCM("aes192gcm", 192),
	KGCM("aes256gcm", 256),
	KE("chacha20poly1305", IKE_ENCR_CHACHA20_POLY1305, 0),
	KI("sha", IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1),
	KI("sha1", IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1),
	KI("sha256", IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256),
	KI("sha2_256", IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256),
	KI("sha384", IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384),
	KI("sha2_384", IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384),
	KI("sha512", IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512),
	KI("sha2_512", IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512),
	KI("aesxcbc", IKE_INTEG_AES_XCBC_96, IKE_PRF_AES128_XCBC),
	KI("aescmac", IKE_INTEG_AES_CMAC_96, IKE_PRF_AES128_CMAC),
	KP("prfsha1", IKE_PRF_HMAC_SHA1),
	KP("prfsha256", IKE_PRF_HMAC_SHA2_256),
	KP("prfsha384", IKE_PRF_HMAC_SHA2_384),
	KP("prfsha512", IKE_PRF_HMAC_SHA2_512),
	KP("prfaesxcbc", IKE_PRF_AES128_XCBC),
	KP("prfaescmac", IKE_PRF_AES128_CMAC),
	KD("modp768", IKE_DH_MODP768),
	KD("modp1024", IKE_DH_MODP1024),
	KD("modp1536", IKE_DH_MODP1536),
	KD("modp2048", IKE_DH_MODP2048),
	KD("modp3072", IKE_DH_MODP3072),
	KD("modp4096", IKE_DH_MODP4096),
	KD("modp6144", IKE_DH_MODP6144),
	KD("modp8192", IKE_DH_MODP8192),
	KD("ecp256", IKE_DH_ECP256),
	KD("ecp384", IKE_DH_ECP384),
	KD("ecp521", IKE_DH_ECP521),
	KD("x25519", IKE_DH_CURVE25519),
	KD("curve25519", IKE_DH_CURVE25519),
	KD("x448", IKE_DH_CURVE448),
	KD("curve448", IKE_DH_CURVE448),
	KW("esn", IKE_TT_ESN, IKE_ESN_YES, 0, 0),
	KW("noesn", IKE_TT_ESN, IKE_ESN_NO, 0, 0),
};

/* IKEv1's legacy transforms (road warriors of old): strongSwan's keywords, the IANA ids IKEv1 maps them to. */
static const ike_keyword v1_keywords[] = {
	KE("3des", IKE_ENCR_3DES, 0),
	KI("md5", IKE_INTEG_HMAC_MD5_96, IKE_PRF_HMAC_MD5),
	KP("prfmd5", IKE_PRF_HMAC_MD5),
};

const ike_keyword *ike_keyword_find_v1(const char *word, size_t len)
{
	for (size_t i = 0; word && i < sizeof(v1_keywords) / sizeof(v1_keywords[0]); i++)
		if (strlen(v1_keywords[i].word) == len && memcmp(v1_keywords[i].word, word, len) == 0)
			return &v1_keywords[i];
	return NULL;
}

const ike_alg *ike_alg_find(uint8_t type, uint16_t id, uint16_t keylen_bits)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].type == type && algs[i].id == id && algs[i].keylen_bits == keylen_bits)
			return &algs[i];
	return NULL;
}

const ike_alg *ike_alg_all(size_t *n)
{
	if (n)
		*n = sizeof(algs) / sizeof(algs[0]);
	return algs;
}

const ike_keyword *ike_keyword_find(const char *word, size_t len)
{
	if (!word)
		return NULL;
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].word) == len && memcmp(keywords[i].word, word, len) == 0)
			return &keywords[i];
	return NULL;
}

const char *ike_transform_type_name(uint8_t type)
{
	switch (type) {
	case IKE_TT_ENCR: return "ENCR";
	case IKE_TT_PRF: return "PRF";
	case IKE_TT_INTEG: return "INTEG";
	case IKE_TT_DH: return "DH";
	case IKE_TT_ESN: return "ESN";
	default: return "UNKNOWN";
	}
}

/* Registered transforms print as their strongSwan name; others as a fixed per-type placeholder. */
const char *ike_transform_name(uint8_t type, uint16_t id, uint16_t keylen_bits)
{
	const ike_alg *a = ike_alg_find(type, id, keylen_bits);
	if (a)
		return a->name;
	if (type == IKE_TT_ENCR && id == IKE_ENCR_NULL)
		return "NULL";
	if (type == IKE_TT_INTEG && id == IKE_INTEG_NONE)
		return "NONE";
	switch (type) {
	case IKE_TT_ENCR: return "ENCR_UNKNOWN";
	case IKE_TT_PRF: return "PRF_UNKNOWN";
	case IKE_TT_INTEG: return "INTEG_UNKNOWN";
	case IKE_TT_DH: return "DH_UNKNOWN";
	case IKE_TT_ESN: return "ESN_UNKNOWN";
	default: return "UNKNOWN";
	}
}
