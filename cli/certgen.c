/* Test PKI: one CA key and certificate, then end-entity certificates with a subjectAltName per name. */
#include "certgen.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

struct cli_certgen {
	cli_keyspec ks;
	int days;
	EVP_PKEY *key;
	X509 *cert;
};

static int fail(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char ossl[160] = "";
	if (e)
		ERR_error_string_n(e, ossl, sizeof(ossl));
	ERR_clear_error();
	if (err && errlen)
		snprintf(err, errlen, "%s%s%s", what, e ? ": " : "", ossl);
	return -1;
}

int cli_keyspec_rsa(const char *bits, cli_keyspec *ks, char *err, size_t errlen)
{
	char *end;
	unsigned long b = bits ? strtoul(bits, &end, 10) : 0;
	if (!bits || !*bits || *end || b < 1024 || b > 8192 || b % 8) {
		snprintf(err, errlen, "--rsa wants a key size in bits, a multiple of 8 from 1024 to 8192 (e.g. 2048)");
		return -1;
	}
	*ks = (cli_keyspec){ .kind = 'r', .bits = (unsigned)b };
	return 0;
}

int cli_keyspec_ecdsa(const char *curve, cli_keyspec *ks, char *err, size_t errlen)
{
	static const char *const curves[] = { "P-256", "P-384", "P-521" };
	for (size_t i = 0; curve && i < 3; i++)
		if (strcmp(curve, curves[i]) == 0) {
			*ks = (cli_keyspec){ .kind = 'e', .curve = curves[i] };
			return 0;
		}
	snprintf(err, errlen, "--ecdsa wants a curve: P-256, P-384 or P-521");
	return -1;
}

int cli_certgen_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 64 || name[0] == '.' || name[0] == '-' || strcmp(name, "ca") == 0)
		return 0;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_@:") == n;
}

static EVP_PKEY *make_key(const cli_keyspec *ks)
{
	if (ks->kind == 'r')
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)ks->bits);
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", ks->curve);
}

/* 16 random octets from OpenSSL's OS-seeded generator, top bit clear so the INTEGER is positive. */
static int random_serial(X509 *x)
{
	uint8_t b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		return 0;
	b[0] = (uint8_t)((b[0] & 0x7f) | 0x01);
	BIGNUM *bn = BN_bin2bn(b, sizeof(b), NULL);
	ASN1_INTEGER *ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	int ok = ai && X509_set_serialNumber(x, ai);
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ok;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	int ok = e && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

/* Subject CN, validity from an hour ago (clock skew) for `days`, public key, random serial. */
static X509 *new_cert(const char *cn, EVP_PKEY *key, int days)
{
	X509 *x = X509_new();
	X509_NAME *n = x ? X509_get_subject_name(x) : NULL;
	int ok = x && X509_set_version(x, X509_VERSION_3) && random_serial(x) &&
		 X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) &&
		 X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
		 X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) && X509_set_pubkey(x, key);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

cli_certgen *cli_certgen_new(const cli_keyspec *ks, const char *cn, int days, char *err, size_t errlen)
{
	cli_certgen *g = calloc(1, sizeof(*g));
	if (!g) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	g->ks = *ks;
	g->days = days;
	g->key = make_key(ks);
	g->cert = g->key ? new_cert(cn, g->key, days) : NULL;
	int ok = g->cert && X509_set_issuer_name(g->cert, X509_get_subject_name(g->cert)) &&
		 add_ext(g->cert, g->cert, NID_basic_constraints, "critical,CA:TRUE") &&
		 add_ext(g->cert, g->cert, NID_key_usage, "critical,keyCertSign,cRLSign") &&
		 add_ext(g->cert, g->cert, NID_subject_key_identifier, "hash") &&
		 X509_sign(g->cert, g->key, EVP_sha256()) > 0;
	if (!ok) {
		fail(err, errlen, g->key ? "cannot make the CA certificate" : "cannot generate the CA key");
		cli_certgen_free(g);
		return NULL;
	}
	return g;
}

void cli_certgen_free(cli_certgen *g)
{
	if (!g)
		return;
	EVP_PKEY_free(g->key);
	X509_free(g->cert);
	free(g);
}

void cli_pem_free(cli_pem *p)
{
	free(p->cert);
	free(p->key);
	memset(p, 0, sizeof(*p));
}

/* Copies a memory BIO's contents into a NUL-terminated heap string. */
static char *bio_text(BIO *b, size_t *len)
{
	char *data = NULL;
	long n = b ? BIO_get_mem_data(b, &data) : 0;
	char *s = n > 0 ? malloc((size_t)n + 1) : NULL;
	if (s) {
		memcpy(s, data, (size_t)n);
		s[n] = '\0';
		*len = (size_t)n;
	}
	return s;
}

static int to_pem(X509 *x, EVP_PKEY *k, cli_pem *out)
{
	BIO *bc = BIO_new(BIO_s_mem()), *bk = BIO_new(BIO_s_mem());
	memset(out, 0, sizeof(*out));
	if (bc && bk && PEM_write_bio_X509(bc, x) && PEM_write_bio_PrivateKey(bk, k, NULL, NULL, 0, NULL, NULL)) {
		out->cert = bio_text(bc, &out->cert_len);
		out->key = bio_text(bk, &out->key_len);
	}
	BIO_free(bc);
	BIO_free(bk);
	if (!out->cert || !out->key) {
		cli_pem_free(out);
		return -1;
	}
	return 0;
}

int cli_certgen_ca(const cli_certgen *g, cli_pem *out, char *err, size_t errlen)
{
	return to_pem(g->cert, g->key, out) == 0 ? 0 : fail(err, errlen, "cannot write PEM");
}

/* "IP:a.b.c.d", "email:x@y" or "DNS:name", for the subjectAltName extension. */
static void san_for(const char *name, char *out, size_t cap)
{
	uint8_t ip[16];
	if (inet_pton(AF_INET, name, ip) == 1 || inet_pton(AF_INET6, name, ip) == 1)
		snprintf(out, cap, "IP:%s", name);
	else if (strchr(name, '@'))
		snprintf(out, cap, "email:%s", name);
	else
		snprintf(out, cap, "DNS:%s", name);
}

int cli_certgen_issue(cli_certgen *g, const char *name, cli_pem *out, char *err, size_t errlen)
{
	char san[96];
	if (!cli_certgen_name_ok(name)) {
		snprintf(err, errlen, "'%.64s' is not a usable name (letters, digits, . - _ @ :, at most 64)", name);
		return -1;
	}
	san_for(name, san, sizeof(san));
	EVP_PKEY *k = make_key(&g->ks);
	X509 *x = k ? new_cert(name, k, g->days) : NULL;
	int ok = x && X509_set_issuer_name(x, X509_get_subject_name(g->cert)) &&
		 add_ext(x, g->cert, NID_basic_constraints, "critical,CA:FALSE") &&
		 add_ext(x, g->cert, NID_key_usage, "critical,digitalSignature") &&
		 add_ext(x, g->cert, NID_subject_key_identifier, "hash") &&
		 add_ext(x, g->cert, NID_authority_key_identifier, "keyid:always") &&
		 add_ext(x, g->cert, NID_subject_alt_name, san) && X509_sign(x, g->key, EVP_sha256()) > 0 &&
		 to_pem(x, k, out) == 0;
	X509_free(x);
	EVP_PKEY_free(k);
	return ok ? 0 : fail(err, errlen, k ? "cannot make the certificate" : "cannot generate a key");
}
