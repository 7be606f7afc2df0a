/* A peer's certificate: chain validation against our CAs and the IKE ID <-> certificate binding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "crypto/cert_int.h"

/* RFC 7296 3.5 ID types used here (the wire header's enum is not included in engine/crypto). */
enum { ID_IPV4 = 1, ID_FQDN = 2, ID_RFC822 = 3, ID_IPV6 = 5, ID_DN = 9 };

static X509 *parse_der(const uint8_t *der, size_t len)
{
	if (!der || !len || len > IKE_CERT_MAX_DER)
		return NULL;
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (x && p != der + len) { /* trailing bytes: not one certificate */
		X509_free(x);
		return NULL;
	}
	return x;
}

static int verify_fail(int code, char *detail, size_t cap, const char *why)
{
	ERR_clear_error(); /* leave OpenSSL's per-thread queue clean */
	if (detail && cap)
		snprintf(detail, cap, "%s", why);
	return -code;
}

/* X509_verify_cert with the host's check time (or none); 1 if trusted. */
static int chain_ok(const ike_cred *c, X509 *ee, STACK_OF(X509) *untrusted, char *detail, size_t cap)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, c->store, ee, untrusted)) {
		X509_STORE_CTX_free(ctx);
		return verify_fail(IKE_CERT_ENOMEM, detail, cap, "out of memory");
	}
	X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
	if (c->check_time)
		X509_VERIFY_PARAM_set_time(vp, (time_t)c->check_time);
	else
		X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_NO_CHECK_TIME); /* no clock given: do not invent one */
	int ok = X509_verify_cert(ctx) == 1;
	int rc = 0;
	if (!ok)
		rc = verify_fail(IKE_CERT_EUNTRUSTED, detail, cap,
				 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	return rc;
}

int ike_peer_cert_verify(const ike_cred *c, const uint8_t *der, size_t len, const uint8_t *const *chain,
			 const size_t *chain_len, size_t n_chain, ike_peer_cert **out, char *detail, size_t cap)
{
	*out = NULL;
	X509 *ee = parse_der(der, len);
	if (!ee)
		return verify_fail(IKE_CERT_EPARSE, detail, cap, "not a DER X.509 certificate");
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	int rc = untrusted ? 0 : verify_fail(IKE_CERT_ENOMEM, detail, cap, "out of memory");
	for (size_t i = 0; rc == 0 && i < n_chain && i < IKE_CERT_MAX_CHAIN; i++) {
		X509 *x = parse_der(chain[i], chain_len[i]);
		if (!x || !sk_X509_push(untrusted, x)) {
			X509_free(x);
			rc = verify_fail(IKE_CERT_EPARSE, detail, cap, "intermediate is not a DER X.509 certificate");
		}
	}
	if (rc == 0)
		rc = chain_ok(c, ee, untrusted, detail, cap);
	sk_X509_pop_free(untrusted, X509_free);
	ike_peer_cert *pc = rc == 0 ? calloc(1, sizeof(*pc)) : NULL;
	if (rc == 0 && (!pc || !(pc->pub = X509_get0_pubkey(ee))))
		rc = verify_fail(IKE_CERT_ENOMEM, detail, cap, "cannot extract the public key");
	if (rc != 0) {
		free(pc);
		X509_free(ee);
		return rc;
	}
	pc->cert = ee;
	*out = pc;
	return 0;
}

void ike_peer_cert_free(ike_peer_cert *pc)
{
	if (!pc)
		return;
	X509_free(pc->cert);
	free(pc);
}

EVP_PKEY *ike_peer_cert_pkey(const ike_peer_cert *pc)
{
	return pc->pub;
}

/* One subjectAltName entry against an ID of a SAN-backed type. */
static bool san_matches(const GENERAL_NAME *gn, uint8_t id_type, const uint8_t *id, size_t id_len)
{
	int t;
	const ASN1_STRING *s = GENERAL_NAME_get0_value(gn, &t);
	bool want = (id_type == ID_FQDN && t == GEN_DNS) || (id_type == ID_RFC822 && t == GEN_EMAIL) ||
		    ((id_type == ID_IPV4 || id_type == ID_IPV6) && t == GEN_IPADD);
	if (!want || !s || (size_t)ASN1_STRING_length(s) != id_len)
		return false;
	const unsigned char *v = ASN1_STRING_get0_data(s);
	if (t == GEN_IPADD)
		return memcmp(v, id, id_len) == 0;
	/* DNS names and mail domains compare without regard to case (RFC 5280 7.2, 7.5). */
	return strncasecmp((const char *)v, (const char *)id, id_len) == 0 && !memchr(id, 0, id_len);
}

/* The subject DN: the ID's DER Name must denote the same name (OpenSSL's canonical comparison). */
static bool dn_matches(X509 *x, const uint8_t *id, size_t id_len)
{
	const unsigned char *p = id;
	X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)id_len);
	bool ok = n && p == id + id_len && X509_NAME_cmp(n, X509_get_subject_name(x)) == 0;
	X509_NAME_free(n);
	ERR_clear_error();
	return ok;
}

bool ike_peer_cert_matches_id(const ike_peer_cert *pc, uint8_t id_type, const uint8_t *id, size_t id_len)
{
	if (id_type == ID_DN)
		return dn_matches(pc->cert, id, id_len);
	if (id_type != ID_FQDN && id_type != ID_RFC822 && id_type != ID_IPV4 && id_type != ID_IPV6)
		return false;
	GENERAL_NAMES *gens = X509_get_ext_d2i(pc->cert, NID_subject_alt_name, NULL, NULL);
	bool ok = false;
	for (int i = 0; gens && !ok && i < sk_GENERAL_NAME_num(gens); i++)
		ok = san_matches(sk_GENERAL_NAME_value(gens, i), id_type, id, id_len);
	GENERAL_NAMES_free(gens);
	return ok;
}

void ike_peer_cert_subject(const ike_peer_cert *pc, char *out, size_t cap)
{
	if (!cap)
		return;
	out[0] = '\0';
	BIO *b = BIO_new(BIO_s_mem());
	if (b && X509_NAME_print_ex(b, X509_get_subject_name(pc->cert), 0, XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)) >= 0) {
		int n = BIO_read(b, out, (int)cap - 1);
		out[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
}
