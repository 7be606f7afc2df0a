/*
 * RSASSA-PSS in RFC 7427 AUTH data (crypto/sig_pss.c). Signatures and AlgorithmIdentifiers made by OpenSSL
 * (its own PSS signer and its ALGORITHM_ID encoder) must verify through ike_sig_verify_why; ours must verify
 * with OpenSSL's PSS verifier and be the same bytes for the same DRBG seed; schemes we do not take are
 * reported as unsupported (with what they are), malformed parameters as malformed, never as a bad signature.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/drbg.h"
#include "crypto/sig.h"
#include "crypto/sig_pss.h"
#include "fuzzrand.h"
#include "test_list.h.in"

#define M14 14

static const uint8_t MSG_A[] = "RealMessage1 | NonceRData";
static const uint8_t MSG_B[] = " | prf(SK_pi, IDi')";

/* RFC 7427 appendix A.4.3: id-RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32, trailer 1 (72 octets). */
static const uint8_t A43[72] = {
	0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x39, 0xa0,
	0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
	0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
	0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03,
	0x02, 0x01, 0x20, 0xa3, 0x03, 0x02, 0x01, 0x01,
};
/* RFC 7427 A.4.1 (empty parameters: all defaults, so SHA-1) and A.4.2 (the SHA-1 defaults written out). */
static const uint8_t A41[15] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
				 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x00 };
static const uint8_t A42[64] = {
	0x30, 0x3e, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x31, 0xa0,
	0x0b, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0xa1, 0x18, 0x30, 0x16,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x09, 0x06, 0x05, 0x2b,
	0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x14, 0xa3, 0x03, 0x02, 0x01, 0x01,
};

typedef struct keys {
	EVP_PKEY *r1024, *r1537, *r2048, *ec;
} keys;

/* Keys made once for the whole file: RSA keygen is slow under ASan. */
static keys *get_keys(void)
{
	static keys k;
	if (!k.r2048) {
		k.r1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		/* modBits - 1 = 1536: emLen 192 < k 193, so EM gets a leading zero octet */
		k.r1537 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1537);
		k.r2048 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		k.ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		assert_true(k.r1024 && k.r1537 && k.r2048 && k.ec);
	}
	return &k;
}

static const EVP_MD *md_for(uint8_t hash)
{
	return hash == IKE_SIGHASH_SHA1 ? EVP_sha1() : hash == IKE_SIGHASH_SHA256 ? EVP_sha256()
	       : hash == IKE_SIGHASH_SHA384 ? EVP_sha384() : hash == 0xe0 ? EVP_sha224() : EVP_sha512();
}

/*
 * OpenSSL signs MSG_A|MSG_B with PSS (hash, MGF1 mgf, salt) and names the scheme with its own ALGORITHM_ID;
 * out = RFC 7427 AUTH data (length | AlgorithmIdentifier | signature). Returns its length.
 */
static size_t openssl_auth(EVP_PKEY *k, const EVP_MD *md, const EVP_MD *mgf, int salt, uint8_t *out, size_t cap)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	uint8_t aid[128];
	OSSL_PARAM p[2] = { OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, aid, sizeof(aid)),
			    OSSL_PARAM_END };
	assert_int_equal(EVP_DigestSignInit(m, &pc, md, NULL, k), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(pc, mgf), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, salt), 1);
	assert_int_equal(EVP_PKEY_CTX_get_params(pc, p), 1);
	size_t alen = p[0].return_size, slen = cap - 1 - alen;
	assert_true(alen > 0 && alen < 128 && 1 + alen < cap);
	out[0] = (uint8_t)alen;
	memcpy(out + 1, aid, alen);
	assert_int_equal(EVP_DigestSignUpdate(m, MSG_A, sizeof(MSG_A)), 1);
	assert_int_equal(EVP_DigestSignUpdate(m, MSG_B, sizeof(MSG_B)), 1);
	assert_int_equal(EVP_DigestSignFinal(m, out + 1 + alen, &slen), 1);
	EVP_MD_CTX_free(m);
	return 1 + alen + slen;
}

static int verify(ike_crypto *c, EVP_PKEY *k, const uint8_t *auth, size_t len, char *what, size_t cap)
{
	ike_iov d[2] = { { MSG_A, sizeof(MSG_A) }, { MSG_B, sizeof(MSG_B) } };
	what[0] = 0;
	return ike_sig_verify_why(c, k, M14, auth, len, d, 2, what, cap);
}

/* OpenSSL's PSS signatures with SHA-256/384/512 and several salt lengths verify; any change breaks them. */
static void openssl_signatures_verify(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	keys *k = get_keys();
	EVP_PKEY *rsa[2] = { k->r2048, k->r1537 };
	uint8_t auth[IKE_SIG_MAX];
	char what[160];
	for (uint8_t h = IKE_SIGHASH_SHA256; h <= IKE_SIGHASH_SHA512; h++) {
		int hlen = EVP_MD_get_size(md_for(h));
		for (size_t ki = 0; ki < 2; ki++) {
			int max = ((EVP_PKEY_get_bits(rsa[ki]) - 1 + 7) / 8) - hlen - 2;
			int salts[4] = { 0, 20, hlen, max };
			for (size_t s = 0; s < 4; s++) {
				size_t len = openssl_auth(rsa[ki], md_for(h), md_for(h), salts[s], auth, sizeof(auth));
				if (verify(c, rsa[ki], auth, len, what, sizeof(what)) != 0)
					fail_msg("hash %u salt %d key %d: %s", h, salts[s], EVP_PKEY_get_bits(rsa[ki]), what);
				char desc[96], want[96];
				ike_sig_describe(M14, auth, len, true, desc, sizeof(desc));
				snprintf(want, sizeof(want), "RFC 7427 RSASSA-PSS SHA-%d salt %d", 8 * hlen, salts[s]);
				assert_string_equal(desc, want);
				/* Tampered signature, or other signed octets: a bad signature, nothing else. */
				auth[len - 7] ^= 0x10;
				assert_int_equal(verify(c, rsa[ki], auth, len, what, sizeof(what)), -IKE_CRYPTO_EAUTH);
				auth[len - 7] ^= 0x10;
				ike_iov other = { MSG_A, sizeof(MSG_A) };
				assert_int_equal(ike_sig_verify_why(c, rsa[ki], M14, auth, len, &other, 1, what, sizeof(what)),
						 -IKE_CRYPTO_EAUTH);
				/* One octet short: RFC 8017 8.1.2 wants exactly k octets. */
				assert_int_equal(verify(c, rsa[ki], auth, len - 1, what, sizeof(what)), -IKE_CRYPTO_EAUTH);
				/* The wrong key. */
				assert_int_not_equal(verify(c, rsa[1 - ki], auth, len, what, sizeof(what)), 0);
			}
		}
	}
	ike_crypto_free(c);
}

/* Our SHA-256 AlgorithmIdentifier is RFC 7427 A.4.3 octet for octet; OpenSSL reads the 384/512 ones right. */
static void our_algid_encodings(void **state)
{
	(void)state;
	uint8_t a[IKE_PSS_ALGID_LEN];
	assert_int_equal(ike_pss_algid(IKE_SIGHASH_SHA256, a), 0);
	assert_memory_equal(a, A43, sizeof(A43));
	assert_int_not_equal(ike_pss_algid(IKE_SIGHASH_SHA1, a), 0);
	static const int want_nid[3] = { NID_sha256, NID_sha384, NID_sha512 };
	for (uint8_t h = IKE_SIGHASH_SHA256; h <= IKE_SIGHASH_SHA512; h++) {
		assert_int_equal(ike_pss_algid(h, a), 0);
		const unsigned char *p = a;
		X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, sizeof(a));
		assert_non_null(alg);
		assert_ptr_equal(p, a + sizeof(a));
		const ASN1_OBJECT *obj;
		int ptype;
		const void *pval;
		X509_ALGOR_get0(&obj, &ptype, &pval, alg);
		assert_int_equal(OBJ_obj2nid(obj), NID_rsassaPss);
		assert_int_equal(ptype, V_ASN1_SEQUENCE);
		RSA_PSS_PARAMS *pss = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), alg->parameter);
		assert_non_null(pss);
		assert_int_equal(OBJ_obj2nid(pss->hashAlgorithm->algorithm), want_nid[h - IKE_SIGHASH_SHA256]);
		assert_int_equal(OBJ_obj2nid(pss->maskGenAlgorithm->algorithm), NID_mgf1);
		X509_ALGOR *mh = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), pss->maskGenAlgorithm->parameter);
		assert_non_null(mh);
		assert_int_equal(OBJ_obj2nid(mh->algorithm), want_nid[h - IKE_SIGHASH_SHA256]);
		assert_int_equal(ASN1_INTEGER_get(pss->saltLength), EVP_MD_get_size(md_for(h)));
		assert_int_equal(ASN1_INTEGER_get(pss->trailerField), 1);
		X509_ALGOR_free(mh);
		RSA_PSS_PARAMS_free(pss);
		X509_ALGOR_free(alg);
		ike_pss_params pp;
		char what[128];
		assert_int_equal(ike_pss_parse(a, sizeof(a), 1, &pp, what, sizeof(what)), 0);
		assert_int_equal(pp.hash, h);
		assert_int_equal(pp.mgf_hash, h);
	}
}

/* OpenSSL's own PSS verifier, told the exact parameters we claim (salt = hash length). */
static bool openssl_accepts(EVP_PKEY *k, uint8_t hash, const uint8_t *sig, size_t len)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	const EVP_MD *md = md_for(hash);
	int ok = EVP_DigestVerifyInit(m, &pc, md, NULL, k) == 1 &&
		 EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md) == 1 &&
		 EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, EVP_MD_get_size(md)) == 1 &&
		 EVP_DigestVerifyUpdate(m, MSG_A, sizeof(MSG_A)) == 1 && EVP_DigestVerifyUpdate(m, MSG_B, sizeof(MSG_B)) == 1 &&
		 EVP_DigestVerifyFinal(m, sig, len) == 1;
	EVP_MD_CTX_free(m);
	return ok;
}

static size_t our_sign(ike_crypto *c, EVP_PKEY *k, uint8_t hash, const char *seed, uint8_t *out, size_t cap)
{
	ike_drbg rng;
	ike_drbg_init(&rng, seed, strlen(seed), "pss", 3);
	ike_iov d[2] = { { MSG_A, sizeof(MSG_A) }, { MSG_B, sizeof(MSG_B) } };
	size_t len = 0;
	assert_int_equal(ike_sig_sign_pss(c, k, hash, &rng, d, 2, out, cap, &len), 0);
	return len;
}

/* Our signatures: OpenSSL's verifier accepts them; the same DRBG seed gives the same bytes, another seed not. */
static void our_signatures_deterministic_and_valid(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	keys *k = get_keys();
	EVP_PKEY *rsa[3] = { k->r2048, k->r1537, k->r1024 };
	uint8_t a[IKE_SIG_MAX], b[IKE_SIG_MAX];
	char what[160];
	for (size_t ki = 0; ki < 3; ki++)
		for (uint8_t h = IKE_SIGHASH_SHA256; h <= IKE_SIGHASH_SHA512; h++) {
			size_t klen = (size_t)EVP_PKEY_get_size(rsa[ki]);
			ike_iov d[2] = { { MSG_A, sizeof(MSG_A) }, { MSG_B, sizeof(MSG_B) } };
			size_t len = 0;
			ike_drbg rng;
			ike_drbg_init(&rng, "s", 1, "pss", 3);
			if (ki == 2 && h == IKE_SIGHASH_SHA512) {
				/* 1024-bit key: emLen 128 < 64 + 64 + 2, no room for a 64-octet salt. */
				assert_int_equal(ike_sig_sign_pss(c, rsa[ki], h, &rng, d, 2, a, sizeof(a), &len),
						 -IKE_CRYPTO_EUNSUPPORTED);
				continue;
			}
			size_t la = our_sign(c, rsa[ki], h, "seed one", a, sizeof(a));
			size_t lb = our_sign(c, rsa[ki], h, "seed one", b, sizeof(b));
			assert_int_equal(la, 1 + IKE_PSS_ALGID_LEN + klen);
			assert_int_equal(a[0], IKE_PSS_ALGID_LEN);
			assert_int_equal(la, lb);
			assert_memory_equal(a, b, la);
			assert_true(openssl_accepts(rsa[ki], h, a + 1 + IKE_PSS_ALGID_LEN, klen));
			if (verify(c, rsa[ki], a, la, what, sizeof(what)) != 0)
				fail_msg("own verify: %s", what);
			lb = our_sign(c, rsa[ki], h, "seed two", b, sizeof(b));
			assert_memory_not_equal(a, b, la); /* the salt is the DRBG's */
			assert_true(openssl_accepts(rsa[ki], h, b + 1 + IKE_PSS_ALGID_LEN, klen));
			a[la - 1] ^= 1;
			assert_false(openssl_accepts(rsa[ki], h, a + 1 + IKE_PSS_ALGID_LEN, klen));
			assert_int_equal(verify(c, rsa[ki], a, la, what, sizeof(what)), -IKE_CRYPTO_EAUTH);
		}
	/* Not for EC keys, nor SHA-1, nor into too small a buffer. */
	ike_drbg rng;
	ike_drbg_init(&rng, "s", 1, "pss", 3);
	ike_iov d = { MSG_A, sizeof(MSG_A) };
	size_t len;
	assert_int_equal(ike_sig_sign_pss(c, k->ec, IKE_SIGHASH_SHA256, &rng, &d, 1, a, sizeof(a), &len),
			 -IKE_CRYPTO_EUNSUPPORTED);
	assert_int_equal(ike_sig_sign_pss(c, k->r2048, IKE_SIGHASH_SHA1, &rng, &d, 1, a, sizeof(a), &len),
			 -IKE_CRYPTO_EUNSUPPORTED);
	assert_int_not_equal(ike_sig_sign_pss(c, k->r2048, IKE_SIGHASH_SHA256, &rng, &d, 1, a, 200, &len), 0);
	ike_crypto_free(c);
}

/* AUTH data = length | algid | a k-octet dummy signature (schemes refused before any RSA operation). */
static size_t with_algid(const uint8_t *algid, size_t alen, size_t siglen, uint8_t *out)
{
	out[0] = (uint8_t)alen;
	memcpy(out + 1, algid, alen);
	memset(out + 1 + alen, 0x5a, siglen);
	return 1 + alen + siglen;
}

static void expect(ike_crypto *c, EVP_PKEY *k, const uint8_t *auth, size_t len, int rc, const char *what_has)
{
	char what[160];
	int got = verify(c, k, auth, len, what, sizeof(what));
	if (got != rc || !strstr(what, what_has))
		fail_msg("got %d \"%s\"; wanted %d with \"%s\"", got, what, rc, what_has);
}

/* Schemes we refuse are named, and are not "signature does not verify". */
static void unsupported_schemes_named(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	keys *k = get_keys();
	uint8_t auth[IKE_SIG_MAX], a[IKE_SIG_MAX];
	size_t len;
	const int US = -IKE_CRYPTO_EUNSUPPORTED;
	/* An OID nobody assigned to a signature scheme (1.2.3.4.5), no parameters. */
	static const uint8_t unknown[] = { 0x30, 0x06, 0x06, 0x04, 0x2a, 0x03, 0x04, 0x05 };
	len = with_algid(unknown, sizeof(unknown), 256, auth);
	expect(c, k->r2048, auth, len, US, "1.2.3.4.5");
	/* A real signature by OpenSSL, but with MGF1-SHA-1 under SHA-256. */
	len = openssl_auth(k->r2048, EVP_sha256(), EVP_sha1(), 32, auth, sizeof(auth));
	expect(c, k->r2048, auth, len, US, "RSASSA-PSS with MGF1-SHA-1 and hash SHA-256");
	len = openssl_auth(k->r2048, EVP_sha1(), EVP_sha1(), 20, auth, sizeof(auth));
	expect(c, k->r2048, auth, len, US, "RSASSA-PSS with hash SHA-1");
	len = openssl_auth(k->r2048, EVP_sha224(), EVP_sha224(), 28, auth, sizeof(auth));
	expect(c, k->r2048, auth, len, US, "RSASSA-PSS with hash sha224");
	len = openssl_auth(k->r2048, EVP_sha512(), EVP_sha256(), 64, auth, sizeof(auth));
	expect(c, k->r2048, auth, len, US, "RSASSA-PSS with MGF1-SHA-256 and hash SHA-512");
	/* RFC 7427 A.4.1 and A.4.2: PSS with the SHA-1 defaults. */
	expect(c, k->r2048, auth, with_algid(A41, sizeof(A41), 256, auth), US, "RSASSA-PSS with hash SHA-1");
	expect(c, k->r2048, auth, with_algid(A42, sizeof(A42), 256, auth), US, "RSASSA-PSS with hash SHA-1");
	/* A.4.3 with trailer field 2 (0xbc is the only trailer RFC 8017 defines: value 1). */
	memcpy(a, A43, sizeof(A43));
	a[71] = 2;
	expect(c, k->r2048, auth, with_algid(a, sizeof(A43), 256, auth), US, "RSASSA-PSS with trailer field 2");
	/* SHA-512 with a 64-octet salt does not fit a 1024-bit key (emLen 128 < 64 + 64 + 2). */
	assert_int_equal(ike_pss_algid(IKE_SIGHASH_SHA512, a), 0);
	expect(c, k->r1024, auth, with_algid(a, IKE_PSS_ALGID_LEN, 128, auth), US,
	       "RSASSA-PSS salt length 64 too long for a 1024-bit key");
	/* A.4.3 with salt 127: too long for 1024 bits with SHA-256 too (at most 94). */
	memcpy(a, A43, sizeof(A43));
	a[66] = 0x7f;
	expect(c, k->r1024, auth, with_algid(a, sizeof(A43), 128, auth), US, "salt length 127 too long");
	/* PSS, or sha256WithRSAEncryption, against an EC certificate key. */
	expect(c, k->ec, auth, with_algid(A43, sizeof(A43), 64, auth), US, "RSASSA-PSS with a non-RSA key");
	static const uint8_t rsa256[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
					  0x05, 0x00 };
	expect(c, k->ec, auth, with_algid(rsa256, sizeof(rsa256), 64, auth), US,
	       "sha256WithRSAEncryption with an EC P-256 key");
	/* Method 1 with an EC key, method 9 with an RSA key. */
	char what[160];
	ike_iov d = { MSG_A, sizeof(MSG_A) };
	assert_int_equal(ike_sig_verify_why(c, k->ec, 1, auth, 64, &d, 1, what, sizeof(what)), US);
	assert_non_null(strstr(what, "with an EC P-256 key"));
	assert_int_equal(ike_sig_verify_why(c, k->r2048, 9, auth, 64, &d, 1, what, sizeof(what)), US);
	assert_non_null(strstr(what, "a 2048-bit RSA key"));
	ike_crypto_free(c);
}

/* Broken DER is "malformed" with an offset; no mutation of a valid AUTH payload is accepted or crashes. */
static void malformed_params(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	keys *k = get_keys();
	uint8_t auth[IKE_SIG_MAX], a[80];
	const int BAD = -IKE_CRYPTO_EINVAL;
	/* Outer SEQUENCE in the non-minimal long form (0x81 0x46). */
	a[0] = 0x30;
	a[1] = 0x81;
	memcpy(a + 2, A43 + 1, sizeof(A43) - 1);
	expect(c, k->r2048, auth, with_algid(a, sizeof(A43) + 1, 256, auth), BAD, "offset 1");
	/* Indefinite length. */
	memcpy(a, A43, sizeof(A43));
	a[14] = 0x80;
	expect(c, k->r2048, auth, with_algid(a, sizeof(A43), 256, auth), BAD, "bad RSASSA-PSS-params at offset 14");
	/* saltLength as a negative INTEGER, then with a leading zero octet. */
	memcpy(a, A43, sizeof(A43));
	a[66] = 0x80;
	expect(c, k->r2048, auth, with_algid(a, sizeof(A43), 256, auth), BAD, "bad saltLength");
	/* hashAlgorithm with parameters other than NULL (an INTEGER 0 in NULL's place). */
	memcpy(a, A43, sizeof(A43));
	a[30] = 0x02;
	a[31] = 0x00;
	expect(c, k->r2048, auth, with_algid(a, sizeof(A43), 256, auth), BAD, "bad hashAlgorithm");
	/* Fields out of order: [3] before [2]. */
	memcpy(a, A43, sizeof(A43));
	memcpy(a + 62, A43 + 67, 5);
	memcpy(a + 67, A43 + 62, 5);
	expect(c, k->r2048, auth, with_algid(a, sizeof(A43), 256, auth), BAD, "unexpected field");
	/* id-RSASSA-PSS without parameters. */
	static const uint8_t bare[] = { 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a };
	expect(c, k->r2048, auth, with_algid(bare, sizeof(bare), 256, auth), BAD, "RSASSA-PSS-params");
	/* The AlgorithmIdentifier length byte runs past the AUTH data. */
	auth[0] = 200;
	expect(c, k->r2048, auth, 100, BAD, "leaves no signature");
	/* Every truncation of the AlgorithmIdentifier, and three flips of every octet of a good AUTH payload. */
	ike_drbg rng;
	ike_drbg_init(&rng, "m", 1, "pss", 3);
	ike_iov d[2] = { { MSG_A, sizeof(MSG_A) }, { MSG_B, sizeof(MSG_B) } };
	size_t len = 0;
	char what[160];
	assert_int_equal(ike_sig_sign_pss(c, k->r1537, IKE_SIGHASH_SHA256, &rng, d, 2, auth, sizeof(auth), &len), 0);
	for (size_t cut = 1; cut < IKE_PSS_ALGID_LEN; cut++) {
		uint8_t t[IKE_SIG_MAX];
		size_t tl = with_algid(auth + 1, cut, 129, t);
		assert_int_equal(ike_sig_verify_why(c, k->r1537, M14, t, tl, d, 2, what, sizeof(what)), BAD);
	}
	static const uint8_t flips[3] = { 0x01, 0x80, 0xff };
	for (size_t i = 0; i < 1 + IKE_PSS_ALGID_LEN; i++)
		for (size_t f = 0; f < 3; f++) {
			auth[i] ^= flips[f];
			if (ike_sig_verify_why(c, k->r1537, M14, auth, len, d, 2, what, sizeof(what)) == 0)
				fail_msg("flip %02x at %zu accepted", flips[f], i);
			auth[i] ^= flips[f];
		}
	assert_int_equal(ike_sig_verify_why(c, k->r1537, M14, auth, len, d, 2, what, sizeof(what)), 0);
	ike_crypto_free(c);
}

/*
 * The parameter parser alone, 50,000 mutations of A.4.2, A.4.3 and our SHA-512 encoding (bit flips, random
 * octets, truncation, growth, length octets set to extremes): every result is one of the three verdicts,
 * the message says where or what, and whatever parses is a scheme we take. ASan watches the reads.
 */
static void parser_survives_mutations(void **state)
{
	(void)state;
	uint8_t ours[IKE_PSS_ALGID_LEN];
	assert_int_equal(ike_pss_algid(IKE_SIGHASH_SHA512, ours), 0);
	const uint8_t *seeds[3] = { A42, A43, ours };
	const size_t lens[3] = { sizeof(A42), sizeof(A43), sizeof(ours) };
	uint64_t rs = 0x7427;
	size_t verdicts[3] = { 0, 0, 0 };
	for (int it = 0; it < 50000; it++) {
		uint8_t b[96];
		size_t si = fuzz_below(&rs, 3), len = lens[si];
		memcpy(b, seeds[si], len);
		for (size_t m = 1 + fuzz_below(&rs, 3); m; m--)
			switch (fuzz_below(&rs, 5)) {
			case 0: b[fuzz_below(&rs, len)] ^= (uint8_t)(1u << fuzz_below(&rs, 8)); break;
			case 1: b[fuzz_below(&rs, len)] = (uint8_t)fuzz_rnd(&rs); break;
			case 2: len = 1 + fuzz_below(&rs, len); break;
			case 3: while (len < sizeof(b) && fuzz_below(&rs, 4)) b[len++] = (uint8_t)fuzz_rnd(&rs); break;
			default: b[fuzz_below(&rs, len)] = fuzz_below(&rs, 2) ? 0x81 : 0x80; break;
			}
		/* An exact-size heap copy, so ASan sees any read past the end. */
		uint8_t *h = malloc(len);
		assert_non_null(h);
		memcpy(h, b, len);
		ike_pss_params pp;
		char what[160] = "";
		int rc = ike_pss_parse(h, len, 1, &pp, what, sizeof(what));
		free(h);
		if (rc == 0) {
			assert_true(pp.hash >= IKE_SIGHASH_SHA256 && pp.hash <= IKE_SIGHASH_SHA512);
			assert_int_equal(pp.mgf_hash, pp.hash);
			assert_int_equal(pp.trailer, 1);
			verdicts[0]++;
		} else if (rc == -IKE_CRYPTO_EINVAL) {
			assert_non_null(strstr(what, " at offset "));
			verdicts[1]++;
		} else {
			assert_int_equal(rc, -IKE_CRYPTO_EUNSUPPORTED);
			assert_non_null(strstr(what, "RSASSA-PSS with"));
			verdicts[2]++;
		}
	}
	/* All three verdicts occur: the mutations reach past the first check. */
	assert_true(verdicts[0] > 0 && verdicts[1] > 0 && verdicts[2] > 0);
}

static int free_keys(void **state)
{
	(void)state;
	keys *k = get_keys();
	EVP_PKEY_free(k->r1024);
	EVP_PKEY_free(k->r1537);
	EVP_PKEY_free(k->r2048);
	EVP_PKEY_free(k->ec);
	memset(k, 0, sizeof(*k));
	return 0;
}

size_t tests_sig_pss(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(openssl_signatures_verify),
		cmocka_unit_test(our_algid_encodings),
		cmocka_unit_test(our_signatures_deterministic_and_valid),
		cmocka_unit_test(unsupported_schemes_named),
		cmocka_unit_test(parser_survives_mutations),
		cmocka_unit_test_teardown(malformed_params, free_keys),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
