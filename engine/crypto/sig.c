/* AUTH signatures: RSA PKCS#1 v1.5 (method 1), ECDSA r|s (RFC 4754), RFC 7427 (14; RSASSA-PSS in sig_pss.c). */
#include "crypto/sig.h"

#include <stdio.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "crypto/crypto_int.h"
#include "crypto/ecdsa_det.h"
#include "crypto/sig_pss.h"
#include "ike.h"

enum { M_RSA = 1, M_ECDSA256 = 9, M_ECDSA384 = 10, M_ECDSA521 = 11, M_DIGSIG = 14 };

/* RFC 7427 Appendix A AlgorithmIdentifier encodings (public constants): OID, then NULL params for RSA. */
typedef struct algid {
	uint8_t hash;
	bool rsa;
	int nid;
	uint8_t len;
	uint8_t der[15];
} algid;

static const algid ALGIDS[] = {
	{ IKE_SIGHASH_SHA256, true, NID_sha256WithRSAEncryption, 15,
	  { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 } },
	{ IKE_SIGHASH_SHA384, true, NID_sha384WithRSAEncryption, 15,
	  { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00 } },
	{ IKE_SIGHASH_SHA512, true, NID_sha512WithRSAEncryption, 15,
	  { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05, 0x00 } },
	{ IKE_SIGHASH_SHA256, false, NID_ecdsa_with_SHA256, 12,
	  { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 } },
	{ IKE_SIGHASH_SHA384, false, NID_ecdsa_with_SHA384, 12,
	  { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03 } },
	{ IKE_SIGHASH_SHA512, false, NID_ecdsa_with_SHA512, 12,
	  { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04 } },
};
#define N_ALGIDS (sizeof(ALGIDS) / sizeof(ALGIDS[0]))

static const algid *algid_for(uint8_t hash, bool rsa)
{
	for (size_t i = 0; i < N_ALGIDS; i++)
		if (ALGIDS[i].hash == hash && ALGIDS[i].rsa == rsa)
			return &ALGIDS[i];
	return NULL;
}

/* The ike_crypto digest slot of an RFC 7427 hash id, -1 if none. */
static int md_slot(uint8_t hash)
{
	switch (hash) {
	case IKE_SIGHASH_SHA1: return IKE_MD_SHA1;
	case IKE_SIGHASH_SHA256: return IKE_MD_SHA256;
	case IKE_SIGHASH_SHA384: return IKE_MD_SHA384;
	case IKE_SIGHASH_SHA512: return IKE_MD_SHA512;
	default: return -1;
	}
}

static const EVP_MD *md_for(const ike_crypto *c, uint8_t hash)
{
	int slot = md_slot(hash);
	return slot < 0 ? NULL : c->md[slot];
}

/* 256/384/521 for the NIST curves IKEv2 names, 0 for anything else (or RSA). */
static int curve_bits(EVP_PKEY *k)
{
	char g[32];
	size_t gl = 0;
	if (!EVP_PKEY_is_a(k, "EC") || !EVP_PKEY_get_group_name(k, g, sizeof(g), &gl))
		return 0;
	return !strcmp(g, "prime256v1") ? 256 : !strcmp(g, "secp384r1") ? 384 : !strcmp(g, "secp521r1") ? 521 : 0;
}

/* RFC 4754: method, hash and r/s octet length belong to the curve. */
static uint8_t ecdsa_method(int bits, uint8_t *hash, size_t *half)
{
	*hash = bits == 256 ? IKE_SIGHASH_SHA256 : bits == 384 ? IKE_SIGHASH_SHA384 : IKE_SIGHASH_SHA512;
	*half = bits == 256 ? 32 : bits == 384 ? 48 : 66;
	return bits == 256 ? M_ECDSA256 : bits == 384 ? M_ECDSA384 : bits == 521 ? M_ECDSA521 : 0;
}

int ike_sig_choose(EVP_PKEY *key, uint16_t peer_hashes, uint8_t *method, uint8_t *hash)
{
	int bits = curve_bits(key);
	bool rsa = EVP_PKEY_is_a(key, "RSA");
	size_t half;
	if (!rsa && !bits)
		return -1;
	uint8_t legacy_hash, legacy = rsa ? M_RSA : ecdsa_method(bits, &legacy_hash, &half);
	/* The curve's own hash first (RFC 4754 pairing), then SHA-256, 384, 512. */
	uint8_t order[4] = { rsa ? IKE_SIGHASH_SHA256 : legacy_hash, IKE_SIGHASH_SHA256, IKE_SIGHASH_SHA384,
			     IKE_SIGHASH_SHA512 };
	uint16_t common = peer_hashes & IKE_SIG_OUR_HASHES;
	for (size_t i = 0; i < 4; i++)
		if (common & (1u << order[i])) {
			*method = M_DIGSIG;
			*hash = order[i];
			return 0;
		}
	*method = legacy;
	*hash = rsa ? IKE_SIGHASH_SHA1 : legacy_hash;
	return 0;
}

/* Plain EVP signature over scattered data (RSA PKCS#1 v1.5 only: it is deterministic). */
static int evp_sign(const EVP_MD *md, EVP_PKEY *key, const ike_iov *data, size_t n, uint8_t *out, size_t *len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, md, NULL, key) == 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestSignUpdate(ctx, data[i].p, data[i].len) == 1;
	size_t need = 0;
	ok = ok && EVP_DigestSignFinal(ctx, NULL, &need) == 1 && need <= *len &&
	     EVP_DigestSignFinal(ctx, out, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -IKE_CRYPTO_EOSSL;
}

/* ECDSA r|s (half octets each) with an RFC 6979 nonce: OpenSSL 3.0's EVP signing would draw k at random. */
static int ecdsa_rs(const ike_crypto *c, EVP_PKEY *key, uint8_t hash, const ike_iov *data, size_t n, size_t half,
		    uint8_t *rs)
{
	uint8_t h1[EVP_MAX_MD_SIZE];
	unsigned int hl = 0;
	const EVP_MD *md = md_for(c, hash);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = md && ctx && EVP_DigestInit_ex2(ctx, md, NULL) == 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, data[i].p, data[i].len) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, h1, &hl) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -IKE_CRYPTO_EOSSL;
	return ike_ecdsa_det_sign(c, key, md_slot(hash), h1, hl, rs, rs + half, half, NULL);
}

static int evp_verify(const EVP_MD *md, EVP_PKEY *key, const ike_iov *data, size_t n, const uint8_t *sig,
		      size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestVerifyUpdate(ctx, data[i].p, data[i].len) == 1;
	int v = ok ? EVP_DigestVerifyFinal(ctx, sig, len) : -1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error(); /* a bad signature leaves decoding errors queued: do not leak them to the next caller */
	return !ctx ? -IKE_CRYPTO_ENOMEM : v == 1 ? 0 : -IKE_CRYPTO_EAUTH;
}

/* r|s -> DER ECDSA-Sig-Value (for OpenSSL's verifier and RFC 7427); *len is the capacity in, the size out. */
static int rs_to_der(const uint8_t *rs, size_t half, uint8_t *out, size_t *len)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)half, NULL), *ss = BN_bin2bn(rs + half, (int)half, NULL);
	int ok = s && r && ss && ECDSA_SIG_set0(s, r, ss);
	if (!ok) {
		BN_free(r);
		BN_free(ss);
	}
	int n = ok ? i2d_ECDSA_SIG(s, NULL) : -1;
	unsigned char *p = out;
	ok = n > 0 && (size_t)n <= *len && i2d_ECDSA_SIG(s, &p) == n;
	ECDSA_SIG_free(s);
	*len = ok ? (size_t)n : 0;
	return ok ? 0 : -IKE_CRYPTO_EINVAL;
}

/* Method 14 (RFC 7427): length | AlgorithmIdentifier | PKCS#1 v1.5 or DER ECDSA-Sig-Value. */
static int sign_digsig(const ike_crypto *c, EVP_PKEY *key, uint8_t hash, const ike_iov *data, size_t n,
		       uint8_t *out, size_t cap, size_t *len)
{
	bool rsa = EVP_PKEY_is_a(key, "RSA");
	int bits = curve_bits(key);
	const algid *a = algid_for(hash, rsa);
	uint8_t rs[2 * IKE_ECDSA_DET_MAX_HALF], h;
	size_t half = 0;
	if (!a || (!rsa && !bits) || cap < 1u + a->len)
		return -IKE_CRYPTO_EUNSUPPORTED;
	size_t slen = cap - 1 - a->len;
	int rc;
	if (rsa) {
		rc = evp_sign(md_for(c, hash), key, data, n, out + 1 + a->len, &slen);
	} else {
		ecdsa_method(bits, &h, &half);
		rc = ecdsa_rs(c, key, hash, data, n, half, rs);
		if (rc == 0)
			rc = rs_to_der(rs, half, out + 1 + a->len, &slen);
	}
	out[0] = a->len;
	memcpy(out + 1, a->der, a->len);
	*len = 1 + a->len + slen;
	return rc;
}

int ike_sig_sign(const ike_crypto *c, EVP_PKEY *key, uint8_t method, uint8_t hash, const ike_iov *data, size_t n,
		 uint8_t *out, size_t cap, size_t *len)
{
	if (method == M_DIGSIG)
		return sign_digsig(c, key, hash, data, n, out, cap, len);
	if (method == M_RSA) {
		if (!EVP_PKEY_is_a(key, "RSA"))
			return -IKE_CRYPTO_EUNSUPPORTED;
		*len = cap;
		return evp_sign(c->md[IKE_MD_SHA1], key, data, n, out, len);
	}
	uint8_t h;
	size_t half = 0;
	int bits = curve_bits(key);
	if (!bits || ecdsa_method(bits, &h, &half) != method)
		return -IKE_CRYPTO_EUNSUPPORTED; /* RFC 4754 ties each method to one curve */
	if (cap < 2 * half)
		return -IKE_CRYPTO_EINVAL;
	*len = 2 * half;
	return ecdsa_rs(c, key, h, data, n, half, out);
}

/* "an EC P-256 key" / "a 2048-bit RSA key", for messages about a scheme that does not fit the key. */
static void key_text(EVP_PKEY *k, char *out, size_t cap)
{
	int bits = curve_bits(k);
	char g[32];
	size_t gl = 0;
	if (bits)
		snprintf(out, cap, "an EC P-%d key", bits);
	else if (EVP_PKEY_is_a(k, "RSA"))
		snprintf(out, cap, "a %d-bit RSA key", EVP_PKEY_get_bits(k));
	else if (EVP_PKEY_is_a(k, "EC") && EVP_PKEY_get_group_name(k, g, sizeof(g), &gl))
		snprintf(out, cap, "an EC key on %s", g);
	else
		snprintf(out, cap, "a %s key", EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "unknown");
}

/* The ALGIDS entry an AlgorithmIdentifier names (NULL if none), its OID's name in oid[], its parameter type. */
static const algid *algid_parse(const uint8_t *der, size_t len, char *oid, size_t cap, int *ptype, bool *ok)
{
	const unsigned char *p = der;
	X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, (long)len);
	const ASN1_OBJECT *obj = NULL;
	*ptype = V_ASN1_UNDEF;
	if (alg)
		X509_ALGOR_get0(&obj, ptype, NULL, alg);
	*ok = obj && p == der + len;
	int nid = *ok ? OBJ_obj2nid(obj) : NID_undef;
	if (!*ok || OBJ_obj2txt(oid, (int)cap, obj, 0) <= 0)
		snprintf(oid, cap, "(unreadable OID)");
	X509_ALGOR_free(alg);
	ERR_clear_error();
	for (size_t i = 0; i < N_ALGIDS; i++)
		if (ALGIDS[i].nid == nid)
			return &ALGIDS[i];
	return NULL;
}

/* Method 14: the AlgorithmIdentifier names signature scheme and hash; it must fit the key. */
static int verify_digsig(const ike_crypto *c, EVP_PKEY *pub, const uint8_t *auth, size_t len, const ike_iov *data,
			 size_t n, char *what, size_t cap)
{
	if (len < 2 || (size_t)auth[0] + 1 >= len) {
		snprintf(what, cap, "RFC 7427 AlgorithmIdentifier length %u leaves no signature in %zu octets",
			 len ? auth[0] : 0u, len);
		return -IKE_CRYPTO_EINVAL;
	}
	size_t off = 1u + auth[0];
	if (ike_pss_is(auth + 1, auth[0]))
		return ike_pss_verify(c, pub, auth + 1, auth[0], 1, auth + off, len - off, data, n, what, cap);
	char oid[64], key[48];
	int ptype;
	bool parsed;
	const algid *a = algid_parse(auth + 1, auth[0], oid, sizeof(oid), &ptype, &parsed);
	bool rsa = EVP_PKEY_is_a(pub, "RSA");
	if (!parsed) {
		snprintf(what, cap, "RFC 7427 AlgorithmIdentifier (%u octets at offset 1) is not valid DER", auth[0]);
		return -IKE_CRYPTO_EINVAL;
	}
	key_text(pub, key, sizeof(key));
	/* Parameters are NULL or absent for these schemes (RFC 7427 section 3). */
	if (!a || (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)) {
		snprintf(what, cap, "%s%s", oid, a ? " with parameters" : "");
		return -IKE_CRYPTO_EUNSUPPORTED;
	}
	if (a->rsa != rsa || (!rsa && !curve_bits(pub))) {
		snprintf(what, cap, "%s with %s", oid, key);
		return -IKE_CRYPTO_EUNSUPPORTED;
	}
	return evp_verify(md_for(c, a->hash), pub, data, n, auth + off, len - off);
}

int ike_sig_verify_why(const ike_crypto *c, EVP_PKEY *pub, uint8_t method, const uint8_t *auth, size_t len,
		       const ike_iov *data, size_t n, char *what, size_t cap)
{
	char key[48];
	if (!len || len > IKE_SIG_MAX) {
		snprintf(what, cap, "AUTH data of %zu octets (1 to %d)", len, IKE_SIG_MAX);
		return -IKE_CRYPTO_EINVAL;
	}
	if (method == M_DIGSIG)
		return verify_digsig(c, pub, auth, len, data, n, what, cap);
	key_text(pub, key, sizeof(key));
	if (method == M_RSA) {
		if (EVP_PKEY_is_a(pub, "RSA"))
			return evp_verify(c->md[IKE_MD_SHA1], pub, data, n, auth, len);
		snprintf(what, cap, "%s with %s", ike_sig_name(method, 0, true), key);
		return -IKE_CRYPTO_EUNSUPPORTED;
	}
	uint8_t h;
	size_t half;
	int bits = curve_bits(pub);
	if (!bits || ecdsa_method(bits, &h, &half) != method) {
		/* RFC 4754 ties methods 9/10/11 to one curve each. */
		snprintf(what, cap, "%s (method %u) with %s", ike_sig_name(method, 0, false), method, key);
		return -IKE_CRYPTO_EUNSUPPORTED;
	}
	if (len != 2 * half)
		return -IKE_CRYPTO_EAUTH;
	uint8_t der[IKE_SIG_MAX];
	size_t dlen = sizeof(der);
	if (rs_to_der(auth, half, der, &dlen) != 0)
		return -IKE_CRYPTO_EAUTH;
	return evp_verify(md_for(c, h), pub, data, n, der, dlen);
}

int ike_sig_verify(const ike_crypto *c, EVP_PKEY *pub, uint8_t method, const uint8_t *auth, size_t len,
		   const ike_iov *data, size_t n)
{
	char what[160];
	return ike_sig_verify_why(c, pub, method, auth, len, data, n, what, sizeof(what));
}

int ike_sig_sign_pss(const ike_crypto *c, EVP_PKEY *key, uint8_t hash, ike_drbg *rng, const ike_iov *data,
		     size_t n, uint8_t *out, size_t cap, size_t *len)
{
	if (cap < 1 + IKE_PSS_ALGID_LEN || ike_pss_algid(hash, out + 1) != 0)
		return -IKE_CRYPTO_EUNSUPPORTED;
	out[0] = IKE_PSS_ALGID_LEN;
	size_t slen = 0;
	int rc = ike_pss_sign(c, key, hash, rng, data, n, out + 1 + IKE_PSS_ALGID_LEN, cap - 1 - IKE_PSS_ALGID_LEN,
			      &slen);
	*len = rc ? 0 : 1 + IKE_PSS_ALGID_LEN + slen;
	return rc;
}

int ike_sig_sign_pss_salt(const ike_crypto *c, EVP_PKEY *key, uint8_t hash, const uint8_t *salt,
			  const ike_iov *data, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	if (cap < 1 + IKE_PSS_ALGID_LEN || ike_pss_algid(hash, out + 1) != 0)
		return -IKE_CRYPTO_EUNSUPPORTED;
	out[0] = IKE_PSS_ALGID_LEN;
	size_t slen = 0;
	int rc = ike_pss_sign_salt(c, key, hash, salt, data, n, out + 1 + IKE_PSS_ALGID_LEN,
				   cap - 1 - IKE_PSS_ALGID_LEN, &slen);
	*len = rc ? 0 : 1 + IKE_PSS_ALGID_LEN + slen;
	return rc;
}

void ike_sig_describe(uint8_t method, const uint8_t *auth, size_t len, bool rsa, char *out, size_t cap)
{
	ike_pss_params pp;
	char what[160];
	if (method == M_DIGSIG && len > 1u + auth[0] && ike_pss_is(auth + 1, auth[0]) &&
	    ike_pss_parse(auth + 1, auth[0], 1, &pp, what, sizeof(what)) == 0)
		snprintf(out, cap, "RFC 7427 RSASSA-PSS SHA-%d salt %u", pp.hash == IKE_SIGHASH_SHA256 ? 256
								      : pp.hash == IKE_SIGHASH_SHA384 ? 384 : 512,
			 (unsigned)pp.salt);
	else
		snprintf(out, cap, "%s", ike_sig_name(method, method == M_DIGSIG ? ike_sig_hash_of(auth, len) : 0, rsa));
}

const char *ike_sig_name(uint8_t method, uint8_t hash, bool rsa)
{
	static const char *const digsig[2][5] = {
		{ "", "", "RFC 7427 ecdsa-with-SHA256", "RFC 7427 ecdsa-with-SHA384", "RFC 7427 ecdsa-with-SHA512" },
		{ "", "", "RFC 7427 sha256WithRSAEncryption", "RFC 7427 sha384WithRSAEncryption",
		  "RFC 7427 sha512WithRSAEncryption" },
	};
	switch (method) {
	case M_RSA: return "RSA PKCS#1 v1.5 SHA-1";
	case M_ECDSA256: return "ECDSA-256 SHA-256";
	case M_ECDSA384: return "ECDSA-384 SHA-384";
	case M_ECDSA521: return "ECDSA-521 SHA-512";
	case M_DIGSIG: return hash >= 2 && hash <= 4 ? digsig[rsa][hash] : "RFC 7427 Digital Signature";
	default: return "unknown";
	}
}

uint32_t ike_sig_charge_arg(EVP_PKEY *key)
{
	uint32_t bits = (uint32_t)EVP_PKEY_get_bits(key);
	return EVP_PKEY_is_a(key, "EC") ? bits | IKE_CHARGE_KEY_EC : bits;
}

bool ike_sig_is_rsa(EVP_PKEY *key)
{
	return EVP_PKEY_is_a(key, "RSA");
}

uint8_t ike_sig_hash_of(const uint8_t *auth, size_t len)
{
	for (size_t i = 0; len > 0 && i < N_ALGIDS; i++)
		if (auth[0] == ALGIDS[i].len && len > 1u + auth[0] && !memcmp(auth + 1, ALGIDS[i].der, auth[0]))
			return ALGIDS[i].hash;
	return 0;
}
