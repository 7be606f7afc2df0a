/* Credentials from PEM bytes: our certificate (+ intermediates), private key and trusted CAs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "crypto/cert_int.h"
#include "crypto/hash.h"

static int fail(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char ossl[160] = "";
	if (e)
		ERR_error_string_n(e, ossl, sizeof(ossl));
	ERR_clear_error(); /* OpenSSL's queue is per thread: leave it clean for the next caller */
	if (err && errlen)
		snprintf(err, errlen, "%s%s%s", what, e ? ": " : "", ossl);
	return -1;
}

/* DER copy of a certificate, kept so the exchange code can put it in CERT payloads as is. */
static uint8_t *to_der(X509 *x, size_t *len)
{
	int n = i2d_X509(x, NULL);
	if (n <= 0 || n > IKE_CERT_MAX_DER)
		return NULL;
	uint8_t *der = malloc((size_t)n), *p = der;
	if (der && i2d_X509(x, &p) != n) {
		free(der);
		return NULL;
	}
	*len = (size_t)n;
	return der;
}

/* Every certificate of a PEM bundle, in order; NULL if there is none or one is malformed. */
static STACK_OF(X509) *read_certs(const uint8_t *pem, size_t len)
{
	if (!pem || !len || len > (1u << 24))
		return NULL;
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *x;
	while (b && sk && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(sk, x))
			X509_free(x);
	/* The loop ends at the first block that is not a certificate: "no start line" at EOF is normal. */
	unsigned long e = ERR_peek_last_error();
	if (e && ERR_GET_REASON(e) == PEM_R_NO_START_LINE && sk && sk_X509_num(sk) > 0)
		ERR_clear_error();
	BIO_free(b);
	if (sk && (sk_X509_num(sk) == 0 || ERR_peek_error())) {
		sk_X509_pop_free(sk, X509_free);
		return NULL;
	}
	return sk;
}

static EVP_PKEY *read_key(const uint8_t *pem, size_t len)
{
	if (!pem || !len || len > (1u << 24))
		return NULL;
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	return k;
}

static int key_supported(EVP_PKEY *k)
{
	if (EVP_PKEY_is_a(k, "RSA"))
		return EVP_PKEY_get_bits(k) >= 1024;
	if (!EVP_PKEY_is_a(k, "EC"))
		return 0;
	char g[32];
	size_t gl = 0;
	if (!EVP_PKEY_get_group_name(k, g, sizeof(g), &gl))
		return 0;
	return !strcmp(g, "prime256v1") || !strcmp(g, "secp384r1") || !strcmp(g, "secp521r1");
}

/* Our own certificate and intermediates go into c; 0 or -1 with err. */
static int load_own(ike_cred *c, const uint8_t *cert, size_t cert_len, char *err, size_t errlen)
{
	STACK_OF(X509) *own = read_certs(cert, cert_len);
	if (!own)
		return fail(err, errlen, "certificate PEM holds no valid certificate");
	int n = sk_X509_num(own);
	if (n - 1 > IKE_CERT_MAX_CHAIN) {
		sk_X509_pop_free(own, X509_free);
		return fail(err, errlen, "certificate PEM holds more than " IKE_CERT_MAX_CHAIN_TEXT " intermediates");
	}
	c->cert = sk_X509_shift(own);
	for (int i = 1; i < n; i++)
		c->chain[c->n_chain++] = sk_X509_shift(own);
	sk_X509_free(own);
	c->cert_der = to_der(c->cert, &c->cert_der_len);
	for (size_t i = 0; i < c->n_chain; i++)
		if (!(c->chain_der[i] = to_der(c->chain[i], &c->chain_der_len[i])))
			return fail(err, errlen, "intermediate certificate too large");
	return c->cert_der ? 0 : fail(err, errlen, "certificate too large (over 4096 bytes DER)");
}

static int load_cas(ike_cred *c, const uint8_t *ca, size_t ca_len, char *err, size_t errlen)
{
	c->cas = read_certs(ca, ca_len);
	if (!c->cas)
		return fail(err, errlen, "CA PEM holds no valid certificate");
	c->store = X509_STORE_new();
	if (!c->store)
		return fail(err, errlen, "out of memory");
	for (int i = 0; i < sk_X509_num(c->cas); i++)
		if (!X509_STORE_add_cert(c->store, sk_X509_value(c->cas, i)))
			return fail(err, errlen, "cannot add CA certificate to the trust store");
	return 0;
}

int ike_cred_from_pem_part(const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len,
			   const uint8_t *ca, size_t ca_len, ike_cred **out, int *part, char *err, size_t errlen)
{
	*out = NULL;
	*part = IKE_CRED_PART_NONE;
	ike_cred *c = calloc(1, sizeof(*c));
	if (!c)
		return fail(err, errlen, "out of memory");
	int rc = load_own(c, cert, cert_len, err, errlen);
	if (rc != 0)
		*part = IKE_CRED_PART_CERT;
	else if (!(c->key = read_key(key, key_len)))
		rc = fail(err, errlen, "key PEM holds no valid private key");
	else if (!key_supported(c->key))
		rc = fail(err, errlen, "private key is neither RSA (>= 1024 bits) nor EC P-256/P-384/P-521");
	else if (X509_check_private_key(c->cert, c->key) != 1)
		rc = fail(err, errlen, "private key does not match the certificate");
	if (rc != 0 && !*part)
		*part = IKE_CRED_PART_KEY;
	if (rc == 0 && (rc = load_cas(c, ca, ca_len, err, errlen)) != 0)
		*part = IKE_CRED_PART_CA;
	if (rc != 0) {
		ike_cred_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int ike_cred_from_pem(const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len, const uint8_t *ca,
		      size_t ca_len, ike_cred **out, char *err, size_t errlen)
{
	int part;
	return ike_cred_from_pem_part(cert, cert_len, key, key_len, ca, ca_len, out, &part, err, errlen);
}

/* Seconds from the epoch to x's notBefore (ASN1_TIME_diff avoids timegm, which C17/POSIX lack). */
static int64_t not_before(X509 *x, const ASN1_TIME *epoch)
{
	int days = 0, secs = 0;
	if (!ASN1_TIME_diff(&days, &secs, epoch, X509_get0_notBefore(x)))
		return 0;
	return (int64_t)days * 86400 + secs;
}

int64_t ike_cred_latest_not_before(const ike_cred *c)
{
	ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
	int64_t t = epoch ? not_before(c->cert, epoch) : 0, u;
	for (size_t i = 0; epoch && i < c->n_chain; i++)
		if ((u = not_before(c->chain[i], epoch)) > t)
			t = u;
	for (int i = 0; epoch && i < sk_X509_num(c->cas); i++)
		if ((u = not_before(sk_X509_value(c->cas, i), epoch)) > t)
			t = u;
	ASN1_TIME_free(epoch);
	return t;
}

void ike_cred_free(ike_cred *c)
{
	if (!c)
		return;
	X509_free(c->cert);
	free(c->cert_der);
	for (size_t i = 0; i < c->n_chain; i++) {
		X509_free(c->chain[i]);
		free(c->chain_der[i]);
	}
	EVP_PKEY_free(c->key);
	X509_STORE_free(c->store);
	sk_X509_pop_free(c->cas, X509_free);
	free(c);
}

void ike_cred_set_check_time(ike_cred *c, int64_t unix_seconds)
{
	c->check_time = unix_seconds;
}

void ike_cred_set_rfc7427(ike_cred *c, bool on)
{
	c->no_rfc7427 = !on;
}

bool ike_cred_rfc7427(const ike_cred *c)
{
	return !c->no_rfc7427;
}

int ike_cred_set_rsa_pss(ike_cred *c, bool on)
{
	if (on && !EVP_PKEY_is_a(c->key, "RSA"))
		return -1;
	c->rsa_pss = on;
	return 0;
}

bool ike_cred_rsa_pss(const ike_cred *c)
{
	return c->rsa_pss;
}

const uint8_t *ike_cred_cert_der(const ike_cred *c, size_t *len)
{
	*len = c->cert_der_len;
	return c->cert_der;
}

const uint8_t *ike_cred_chain_der(const ike_cred *c, size_t i, size_t *len)
{
	if (i >= c->n_chain)
		return NULL;
	*len = c->chain_der_len[i];
	return c->chain_der[i];
}

int ike_cred_certreq(const ike_cred *c, uint8_t *out, size_t cap)
{
	size_t at = 0;
	for (int i = 0; i < sk_X509_num(c->cas); i++) {
		unsigned char *spki = NULL;
		int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(sk_X509_value(c->cas, i)), &spki);
		if (n <= 0 || at + IKE_SHA1_LEN > cap) {
			OPENSSL_free(spki);
			return -1;
		}
		ike_iov v = { spki, (size_t)n };
		int rc = ike_sha1(NULL, &v, 1, out + at);
		OPENSSL_free(spki);
		if (rc != 0)
			return -1;
		at += IKE_SHA1_LEN;
	}
	return (int)at;
}

int ike_cred_ca_dn(const ike_cred *c, size_t i, uint8_t *out, size_t cap)
{
	if (i >= (size_t)sk_X509_num(c->cas))
		return -1;
	unsigned char *der = NULL;
	int n = i2d_X509_NAME(X509_get_subject_name(sk_X509_value(c->cas, (int)i)), &der);
	int rc = n > 0 && (size_t)n <= cap ? n : -1;
	if (rc > 0)
		memcpy(out, der, (size_t)n);
	OPENSSL_free(der);
	return rc;
}

char ike_cred_key_kind(const ike_cred *c, unsigned *bits)
{
	*bits = (unsigned)EVP_PKEY_get_bits(c->key);
	return EVP_PKEY_is_a(c->key, "RSA") ? 'r' : 'e';
}

EVP_PKEY *ike_cred_pkey(const ike_cred *c)
{
	return c->key;
}
