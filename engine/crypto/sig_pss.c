/* RSASSA-PSS in RFC 7427 AUTH data: RSASSA-PSS-params (RFC 4055 3.1), EMSA-PSS (RFC 8017 9.1), MGF1 (B.2.1). */
#include "crypto/sig_pss.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "crypto/crypto_int.h"
#include "crypto/sig.h"

/* OID contents (after tag and length): RFC 4055 section 2.1 and 3.1, NIST's hash arcs. */
static const uint8_t OID_PSS[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a };
static const uint8_t OID_MGF1[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08 };
static const uint8_t OID_SHA1[] = { 0x2b, 0x0e, 0x03, 0x02, 0x1a };
/* id-sha256 / 384 / 512 are 2.16.840.1.101.3.4.2.{1,2,3}: these bytes and a last one. */
static const uint8_t OID_SHA2_STEM[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02 };

/* RFC 7427 A.4.3 (SHA-256, MGF1-SHA-256, salt 32, trailer 1); the other hashes change the marked octets. */
static const uint8_t ALGID_TEMPLATE[IKE_PSS_ALGID_LEN] = {
	0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x39, 0xa0,
	0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
	0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
	0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03,
	0x02, 0x01, 0x20, 0xa3, 0x03, 0x02, 0x01, 0x01,
};
enum { AT_HASH_ARC = 0x1d, AT_MGF_HASH_ARC = 0x3b, AT_SALT = 0x42 };

enum { T_INT = 0x02, T_NULL = 0x05, T_OID = 0x06, T_SEQ = 0x30, T_CTX0 = 0xa0 };

/* A DER region: bytes, and where they start in the AUTH data (for messages). */
typedef struct der {
	const uint8_t *p;
	size_t len, off;
} der;

static int bad(char *what, size_t cap, const char *field, size_t off)
{
	snprintf(what, cap, "RSASSA-PSS AlgorithmIdentifier: bad %s at offset %zu", field, off);
	return -IKE_CRYPTO_EINVAL;
}

/* The next TLV, if its tag is `tag`: body in *body, d advanced. 1 found, 0 other tag or empty, -1 malformed. */
static int der_take(der *d, uint8_t tag, der *body)
{
	if (d->len == 0 || d->p[0] != tag)
		return 0;
	if (d->len < 2)
		return -1;
	size_t n = d->p[1], hdr = 2;
	if (n & 0x80) {
		size_t k = n & 0x7f;
		/* Definite long form, minimal: 1 or 2 length octets, no leading zero, not under 128. */
		if (k == 0 || k > 2 || d->len < 2 + k || d->p[2] == 0)
			return -1;
		n = k == 1 ? d->p[2] : (size_t)d->p[2] << 8 | d->p[3];
		if (n < 0x80)
			return -1;
		hdr += k;
	}
	if (n > d->len - hdr)
		return -1;
	body->p = d->p + hdr;
	body->len = n;
	body->off = d->off + hdr;
	d->p += hdr + n;
	d->len -= hdr + n;
	d->off += hdr + n;
	return 1;
}

/* The next TLV must be there with that tag; else a malformed-field error naming it. */
static int need(der *d, uint8_t tag, der *body, const char *field, char *what, size_t cap)
{
	size_t off = d->off;
	return der_take(d, tag, body) == 1 ? 0 : bad(what, cap, field, off);
}

static bool oid_is(const der *o, const uint8_t *want, size_t n)
{
	return o->len == n && !memcmp(o->p, want, n);
}

/* RFC 7427 hash id of a hash OID, 0 if not one we know. */
static uint8_t hash_of_oid(const der *o)
{
	if (oid_is(o, OID_SHA1, sizeof(OID_SHA1)))
		return IKE_SIGHASH_SHA1;
	if (o->len != sizeof(OID_SHA2_STEM) + 1 || memcmp(o->p, OID_SHA2_STEM, sizeof(OID_SHA2_STEM)))
		return 0;
	uint8_t arc = o->p[sizeof(OID_SHA2_STEM)];
	return arc == 1 ? IKE_SIGHASH_SHA256 : arc == 2 ? IKE_SIGHASH_SHA384 : arc == 3 ? IKE_SIGHASH_SHA512 : 0;
}

/* An OID as OpenSSL names it ("sha224", or dotted), for messages. */
static void oid_text(const der *o, char *out, size_t cap)
{
	uint8_t tlv[2 + 126];
	snprintf(out, cap, "(unreadable OID)");
	if (o->len == 0 || o->len > sizeof(tlv) - 2)
		return;
	tlv[0] = T_OID;
	tlv[1] = (uint8_t)o->len;
	memcpy(tlv + 2, o->p, o->len);
	const unsigned char *q = tlv;
	ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &q, (long)(o->len + 2));
	if (obj && OBJ_obj2txt(out, (int)cap, obj, 0) <= 0)
		snprintf(out, cap, "(unreadable OID)");
	ASN1_OBJECT_free(obj);
	ERR_clear_error();
}

static const char *hash_name(uint8_t h)
{
	return h == IKE_SIGHASH_SHA1 ? "SHA-1" : h == IKE_SIGHASH_SHA256 ? "SHA-256"
	       : h == IKE_SIGHASH_SHA384 ? "SHA-384" : h == IKE_SIGHASH_SHA512 ? "SHA-512" : "?";
}

/* HashAlgorithm ::= SEQUENCE { OID, NULL or absent } (RFC 4055 2.1 allows both). *oid gets the OID. */
static int hash_algid(der *d, const char *field, der *oid, char *what, size_t cap)
{
	der seq, nul;
	if (need(d, T_SEQ, &seq, field, what, cap) || need(&seq, T_OID, oid, field, what, cap))
		return -IKE_CRYPTO_EINVAL;
	size_t off = seq.off;
	int r = der_take(&seq, T_NULL, &nul);
	if (r < 0 || (r == 1 && nul.len))
		return bad(what, cap, field, off);
	return seq.len ? bad(what, cap, field, seq.off) : 0;
}

/* INTEGER, non-negative, minimal, below 2^32. */
static int small_int(der *d, const char *field, uint32_t *v, char *what, size_t cap)
{
	der i;
	size_t off = d->off;
	if (need(d, T_INT, &i, field, what, cap))
		return -IKE_CRYPTO_EINVAL;
	if (i.len == 0 || (i.p[0] & 0x80) || (i.len > 1 && i.p[0] == 0 && !(i.p[1] & 0x80)) ||
	    i.len > 4 + (i.p[0] == 0) || d->len)
		return bad(what, cap, field, off);
	*v = 0;
	for (size_t k = 0; k < i.len; k++)
		*v = *v << 8 | i.p[k];
	return 0;
}

bool ike_pss_is(const uint8_t *p, size_t len)
{
	/* Lenient on the outer length's form (1 to 4 octets), so a badly encoded PSS identifier still reaches
	 * the strict parser and is reported as malformed rather than as some other scheme. */
	for (size_t at = 2; len > 0 && p[0] == T_SEQ && at <= 5; at++)
		if (len >= at + 2 + sizeof(OID_PSS) && p[at] == T_OID && p[at + 1] == sizeof(OID_PSS) &&
		    !memcmp(p + at + 2, OID_PSS, sizeof(OID_PSS)))
			return true;
	return false;
}

/* The four optional context-tagged fields, in order; absent ones keep their RFC 4055 defaults. */
static int parse_fields(der *params, ike_pss_params *o, char *what, size_t cap)
{
	der f, oid, mgf_oid, mgf;
	int r;
	if ((r = der_take(params, T_CTX0, &f)) < 0)
		return bad(what, cap, "hashAlgorithm", params->off);
	if (r && hash_algid(&f, "hashAlgorithm", &oid, what, cap))
		return -IKE_CRYPTO_EINVAL;
	if (r && f.len)
		return bad(what, cap, "hashAlgorithm (trailing octets)", f.off);
	o->hash = r ? hash_of_oid(&oid) : IKE_SIGHASH_SHA1;
	if (r && !o->hash) {
		char t[64];
		oid_text(&oid, t, sizeof(t));
		snprintf(what, cap, "RSASSA-PSS with hash %s", t);
		return -IKE_CRYPTO_EUNSUPPORTED;
	}
	if ((r = der_take(params, T_CTX0 + 1, &f)) < 0)
		return bad(what, cap, "maskGenAlgorithm", params->off);
	o->mgf1 = true;
	o->mgf_hash = IKE_SIGHASH_SHA1;
	if (r) {
		if (need(&f, T_SEQ, &mgf, "maskGenAlgorithm", what, cap))
			return -IKE_CRYPTO_EINVAL;
		if (f.len)
			return bad(what, cap, "maskGenAlgorithm (trailing octets)", f.off);
		if (need(&mgf, T_OID, &mgf_oid, "maskGenAlgorithm", what, cap))
			return -IKE_CRYPTO_EINVAL;
		o->mgf1 = oid_is(&mgf_oid, OID_MGF1, sizeof(OID_MGF1));
		/* Only MGF1's parameter is known to be a hash AlgorithmIdentifier. */
		if (o->mgf1 && hash_algid(&mgf, "MGF1 hash", &oid, what, cap))
			return -IKE_CRYPTO_EINVAL;
		if (o->mgf1 && mgf.len)
			return bad(what, cap, "MGF1 hash (trailing octets)", mgf.off);
		o->mgf_hash = o->mgf1 ? hash_of_oid(&oid) : 0;
		if (!o->mgf1 || !o->mgf_hash) {
			char t[64];
			oid_text(o->mgf1 ? &oid : &mgf_oid, t, sizeof(t));
			snprintf(what, cap, o->mgf1 ? "RSASSA-PSS with MGF1 hash %s" : "RSASSA-PSS with mask generation %s", t);
			return -IKE_CRYPTO_EUNSUPPORTED;
		}
	}
	o->salt = 20;
	o->trailer = 1;
	if ((r = der_take(params, T_CTX0 + 2, &f)) < 0 || (r && small_int(&f, "saltLength", &o->salt, what, cap)))
		return r < 0 ? bad(what, cap, "saltLength", params->off) : -IKE_CRYPTO_EINVAL;
	if ((r = der_take(params, T_CTX0 + 3, &f)) < 0 || (r && small_int(&f, "trailerField", &o->trailer, what, cap)))
		return r < 0 ? bad(what, cap, "trailerField", params->off) : -IKE_CRYPTO_EINVAL;
	if (params->len)
		return bad(what, cap, "RSASSA-PSS-params (unexpected field)", params->off);
	return 0;
}

int ike_pss_parse(const uint8_t *p, size_t len, size_t base, ike_pss_params *o, char *what, size_t cap)
{
	der d = { p, len, base }, seq, oid, params;
	memset(o, 0, sizeof(*o));
	if (need(&d, T_SEQ, &seq, "AlgorithmIdentifier", what, cap))
		return -IKE_CRYPTO_EINVAL;
	if (d.len)
		return bad(what, cap, "AlgorithmIdentifier (trailing octets)", d.off);
	size_t at = seq.off;
	if (need(&seq, T_OID, &oid, "algorithm", what, cap))
		return -IKE_CRYPTO_EINVAL;
	if (!oid_is(&oid, OID_PSS, sizeof(OID_PSS)))
		return bad(what, cap, "algorithm (not id-RSASSA-PSS)", at);
	/* RFC 4055 3.1: id-RSASSA-PSS always carries RSASSA-PSS-params (A.4.1's empty SEQUENCE = all defaults). */
	if (need(&seq, T_SEQ, &params, "RSASSA-PSS-params", what, cap))
		return -IKE_CRYPTO_EINVAL;
	if (seq.len)
		return bad(what, cap, "AlgorithmIdentifier (unexpected field)", seq.off);
	int rc = parse_fields(&params, o, what, cap);
	if (rc)
		return rc;
	if (o->hash < IKE_SIGHASH_SHA256) {
		snprintf(what, cap, "RSASSA-PSS with hash %s", hash_name(o->hash));
		return -IKE_CRYPTO_EUNSUPPORTED;
	}
	if (o->mgf_hash != o->hash) {
		snprintf(what, cap, "RSASSA-PSS with MGF1-%s and hash %s", hash_name(o->mgf_hash), hash_name(o->hash));
		return -IKE_CRYPTO_EUNSUPPORTED;
	}
	if (o->trailer != 1) {
		snprintf(what, cap, "RSASSA-PSS with trailer field %u", (unsigned)o->trailer);
		return -IKE_CRYPTO_EUNSUPPORTED;
	}
	return 0;
}

static const EVP_MD *md_of(const ike_crypto *c, uint8_t hash)
{
	return hash >= IKE_SIGHASH_SHA1 && hash <= IKE_SIGHASH_SHA512 ? c->md[IKE_MD_SHA1 + (hash - IKE_SIGHASH_SHA1)]
								       : NULL;
}

int ike_pss_algid(uint8_t hash, uint8_t out[IKE_PSS_ALGID_LEN])
{
	if (hash < IKE_SIGHASH_SHA256 || hash > IKE_SIGHASH_SHA512)
		return -IKE_CRYPTO_EUNSUPPORTED;
	memcpy(out, ALGID_TEMPLATE, IKE_PSS_ALGID_LEN);
	out[AT_HASH_ARC] = out[AT_MGF_HASH_ARC] = (uint8_t)(hash - 1); /* id-sha256 ends .1, 384 .2, 512 .3 */
	out[AT_SALT] = (uint8_t)(32 + 16 * (hash - IKE_SIGHASH_SHA256)); /* salt = hash length (RFC 8247 3.2) */
	return 0;
}

static int digest(const EVP_MD *md, const ike_iov *data, size_t n, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex2(ctx, md, NULL) == 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, data[i].p, data[i].len) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -IKE_CRYPTO_EOSSL;
}

/* emLen of RFC 8017 9.1: octets of a (modBits - 1)-bit integer. */
static size_t em_len(EVP_PKEY *k)
{
	int bits = EVP_PKEY_get_bits(k);
	return bits > 1 ? ((size_t)bits - 1 + 7) / 8 : 0;
}

int ike_pss_verify(const ike_crypto *c, EVP_PKEY *pub, const uint8_t *der_p, size_t dlen, size_t base,
		   const uint8_t *sig, size_t slen, const ike_iov *data, size_t n, char *what, size_t cap)
{
	ike_pss_params pp;
	int rc = ike_pss_parse(der_p, dlen, base, &pp, what, cap);
	if (rc)
		return rc;
	if (!EVP_PKEY_is_a(pub, "RSA")) {
		snprintf(what, cap, "RSASSA-PSS with a non-RSA key in the certificate");
		return -IKE_CRYPTO_EUNSUPPORTED;
	}
	const EVP_MD *md = md_of(c, pp.hash);
	size_t hlen = (size_t)EVP_MD_get_size(md), em = em_len(pub);
	if (em < hlen + 2 || pp.salt > em - hlen - 2) {
		snprintf(what, cap, "RSASSA-PSS salt length %u too long for a %d-bit key", (unsigned)pp.salt,
			 EVP_PKEY_get_bits(pub));
		return -IKE_CRYPTO_EUNSUPPORTED;
	}
	/* RFC 8017 8.1.2 step 1: a signature is exactly k octets (OpenSSL would take shorter ones). */
	if (slen != (size_t)EVP_PKEY_get_size(pub))
		return -IKE_CRYPTO_EAUTH;
	uint8_t mhash[EVP_MAX_MD_SIZE];
	if (digest(md, data, n, mhash))
		return -IKE_CRYPTO_EOSSL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
	int ok = ctx && EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		 EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1 &&
		 EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, (int)pp.salt) == 1;
	int v = ok ? EVP_PKEY_verify(ctx, sig, slen, mhash, hlen) : -1;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error(); /* a failed verify leaves errors queued: keep them from the next caller */
	return !ok ? -IKE_CRYPTO_EOSSL : v == 1 ? 0 : -IKE_CRYPTO_EAUTH;
}

/* RFC 8017 B.2.1: out[0..len) ^= MGF1(seed) with hash md. */
static int mgf1_xor(const EVP_MD *md, const uint8_t *seed, size_t slen, uint8_t *out, size_t len)
{
	size_t hlen = (size_t)EVP_MD_get_size(md);
	uint8_t block[EVP_MAX_MD_SIZE], ctr[4];
	for (uint32_t i = 0; (size_t)i * hlen < len; i++) {
		ike_put_u32(ctr, i);
		ike_iov in[2] = { { seed, slen }, { ctr, 4 } };
		if (digest(md, in, 2, block))
			return -IKE_CRYPTO_EOSSL;
		for (size_t j = 0; j < hlen && (size_t)i * hlen + j < len; j++)
			out[(size_t)i * hlen + j] ^= block[j];
	}
	return 0;
}

/* EMSA-PSS-ENCODE (RFC 8017 9.1.1) into em[0..k), a leading zero octet when emLen < k. */
static int emsa_pss(const EVP_MD *md, const uint8_t *mhash, const uint8_t *salt, size_t hlen, int bits,
		    uint8_t *em, size_t k)
{
	size_t em_octets = ((size_t)bits - 1 + 7) / 8, lead = k - em_octets, db = em_octets - hlen - 1;
	static const uint8_t zeros[8] = { 0 };
	uint8_t h[EVP_MAX_MD_SIZE];
	ike_iov m[3] = { { zeros, 8 }, { mhash, hlen }, { salt, hlen } }; /* M' = 0^8 | mHash | salt */
	if (digest(md, m, 3, h))
		return -IKE_CRYPTO_EOSSL;
	memset(em, 0, k);
	uint8_t *dbp = em + lead;
	dbp[db - hlen - 1] = 0x01; /* DB = PS | 0x01 | salt */
	memcpy(dbp + db - hlen, salt, hlen);
	if (mgf1_xor(md, h, hlen, dbp, db))
		return -IKE_CRYPTO_EOSSL;
	dbp[0] &= (uint8_t)(0xff >> (8 * em_octets - ((size_t)bits - 1))); /* clear the bits above emBits */
	memcpy(dbp + db, h, hlen);
	em[k - 1] = 0xbc;
	return 0;
}

int ike_pss_sign(const ike_crypto *c, EVP_PKEY *key, uint8_t hash, ike_drbg *rng, const ike_iov *data, size_t n,
		 uint8_t *out, size_t cap, size_t *len)
{
	const EVP_MD *md = md_of(c, hash);
	size_t hlen = md ? (size_t)EVP_MD_get_size(md) : 0;
	uint8_t salt[EVP_MAX_MD_SIZE];
	if (!md || hash < IKE_SIGHASH_SHA256 || !EVP_PKEY_is_a(key, "RSA") || em_len(key) < 2 * hlen + 2)
		return -IKE_CRYPTO_EUNSUPPORTED;
	/* The salt is the engine's, not OpenSSL's: same seed, same signature. */
	ike_drbg_bytes(rng, salt, hlen);
	int rc = ike_pss_sign_salt(c, key, hash, salt, data, n, out, cap, len);
	OPENSSL_cleanse(salt, sizeof(salt));
	return rc;
}

int ike_pss_sign_salt(const ike_crypto *c, EVP_PKEY *key, uint8_t hash, const uint8_t *salt, const ike_iov *data,
		      size_t n, uint8_t *out, size_t cap, size_t *len)
{
	const EVP_MD *md = md_of(c, hash);
	int bits = EVP_PKEY_get_bits(key);
	size_t k = (size_t)EVP_PKEY_get_size(key), hlen = md ? (size_t)EVP_MD_get_size(md) : 0;
	uint8_t em[1024], mhash[EVP_MAX_MD_SIZE];
	if (!md || hash < IKE_SIGHASH_SHA256 || !EVP_PKEY_is_a(key, "RSA") || k > sizeof(em) || em_len(key) < 2 * hlen + 2)
		return -IKE_CRYPTO_EUNSUPPORTED;
	if (cap < k)
		return -IKE_CRYPTO_EINVAL;
	int rc = digest(md, data, n, mhash);
	if (!rc)
		rc = emsa_pss(md, mhash, salt, hlen, bits, em, k);
	/* The RSA private operation alone (RSASP1): no padding, em is already the k-octet representative. */
	EVP_PKEY_CTX *ctx = rc ? NULL : EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	size_t slen = cap;
	int ok = ctx && EVP_PKEY_sign_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 &&
		 EVP_PKEY_sign(ctx, out, &slen, em, k) == 1 && slen == k;
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_cleanse(em, sizeof(em));
	ERR_clear_error();
	if (rc)
		return rc;
	*len = k;
	return ok ? 0 : -IKE_CRYPTO_EOSSL;
}
