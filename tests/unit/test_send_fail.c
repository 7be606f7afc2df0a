/*
 * A message of ours that cannot be built or sealed ends the SA with a trace error that says why,
 * instead of leaving it with no request and no timer. Triggered for real: a certificate chain sized so
 * the IKE_AUTH payloads fit the builder but the sealed message exceeds V2_MAX_MSG, and one larger still.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "certfx.h"
#include "ikev2/sa.h"
#include "pair.h"
#include "test_list.h.in"

#define SEC (1000LL * 1000 * 1000)
#define INTER_COMMENT 2600 /* each of two intermediates: with the end-entity, near V2_MAX_MSG */

/* A self-signed certificate for key k with an nsComment of `pad` bytes, so its DER size is ours to choose. */
static X509 *padded_cert(EVP_PKEY *k, const char *cn, size_t pad)
{
	X509 *x = X509_new();
	char *text = malloc(pad + 1);
	assert_non_null(x);
	assert_non_null(text);
	memset(text, 'x', pad);
	text[pad] = 0;
	X509_NAME *n = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0), 1);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, NID_netscape_comment, text);
	assert_non_null(e);
	int ok = X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
		 X509_set_issuer_name(x, n) && X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
		 X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365) && X509_set_pubkey(x, k) &&
		 X509_add_ext(x, e, -1) && X509_sign(x, k, EVP_sha256()) > 0;
	X509_EXTENSION_free(e);
	free(text);
	assert_true(ok);
	return x;
}

static int der_len(X509 *x) { return i2d_X509(x, NULL); }

/* End-entity of DER size `want` (within the few bytes an ECDSA signature varies by) for key k. */
static X509 *cert_of_size(EVP_PKEY *k, int want)
{
	size_t pad = 1000;
	for (int tries = 0; tries < 8; tries++) {
		X509 *x = padded_cert(k, "big.example", pad);
		int d = der_len(x);
		if (d >= want - 2 && d <= want + 2)
			return x;
		X509_free(x);
		pad = (size_t)((long)pad + (want - d));
	}
	fail_msg("could not make a certificate of %d DER bytes", want);
	return NULL;
}

/* Our credential: end-entity ee and two padded intermediates (a CERT payload is at most 4096 bytes). */
static ike_cred *big_cred(const certfx_set *s, const cli_pem *me, X509 *ee, EVP_PKEY *k)
{
	X509 *inter = padded_cert(k, "padding CA", INTER_COMMENT);
	BIO *b = BIO_new(BIO_s_mem());
	assert_non_null(b);
	assert_int_equal(PEM_write_bio_X509(b, ee), 1);
	assert_int_equal(PEM_write_bio_X509(b, inter), 1);
	assert_int_equal(PEM_write_bio_X509(b, inter), 1);
	char *pem = NULL;
	long n = BIO_get_mem_data(b, &pem);
	char err[256];
	ike_cred *c = NULL;
	if (ike_cred_from_pem((const uint8_t *)pem, (size_t)n, (const uint8_t *)me->key, me->key_len,
			      (const uint8_t *)s->ca.cert, s->ca.cert_len, &c, err, sizeof(err)) != 0)
		fail_msg("cred: %s", err);
	BIO_free(b);
	X509_free(inter);
	return c;
}

static EVP_PKEY *load_key(const cli_pem *p)
{
	BIO *b = BIO_new_mem_buf(p->key, (int)p->key_len);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	assert_non_null(k);
	return k;
}

/* The size of the first IKE_AUTH message `side` sent, 0 if none. */
static long auth_size(const pair *pr, int side)
{
	const char *kind = side ? "\"IKE_AUTH response" : "\"IKE_AUTH request";
	for (size_t i = 0; i < pr->ntrace; i++) {
		const char *l = pr->trace[i], *sz;
		if (l[0] == (char)('0' + side) && strstr(l, " ike.tx ") && strstr(l, kind) &&
		    (sz = strstr(l, "\"size\":")) != NULL)
			return strtol(sz + 7, NULL, 10);
	}
	return 0;
}

/* Runs a pair where `side` carries a chain with an end-entity of DER size ee_der; returns the pair. */
static void run_with(pair *pr, int side, int ee_der, ike_cred **creds, EVP_PKEY *k, X509 **ee_out)
{
	const certfx_set *s = certfx_get('e');
	const cli_pem *mine = side ? &s->b : &s->a, *theirs = side ? &s->a : &s->b;
	X509 *ee = cert_of_size(k, ee_der);
	creds[side] = big_cred(s, mine, ee, k);
	creds[!side] = certfx_cred(theirs, &s->ca);
	pair_init(pr, "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	pair_set_creds(pr, creds[0], creds[1]);
	pair_start(pr, 5);
	pair_run(pr, 120 * SEC);
	*ee_out = ee;
}

static void done(pair *pr, ike_cred **creds, X509 *ee)
{
	pair_free(pr);
	ike_cred_free(creds[0]);
	ike_cred_free(creds[1]);
	X509_free(ee);
}

/* Checks `side` ended its SA through a failure whose trace says `why`, and holds no SA. */
static void expect_failed(pair *pr, int side, const char *why)
{
	if (pair_count(pr, side, "ike_sa failed", why) != 1)
		fail_msg("side %d: no 'ike_sa failed' error saying '%s'", side, why);
	assert_int_equal(pair_count(pr, side, "ike_sa.state", "\"to\":\"DESTROYING\""), 1);
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
	assert_string_equal(st.ike_state, "NONE");
}

static void oversized(int side)
{
	EVP_PKEY *k = load_key(side ? &certfx_get('e')->b : &certfx_get('e')->a);
	ike_cred *creds[2];
	X509 *ee;
	pair pr;
	/* 1. A chain that fits: the message size it gives tells how much more makes it too big. */
	int ee0 = 1200;
	run_with(&pr, side, ee0, creds, k, &ee);
	long s0 = auth_size(&pr, side);
	int got0 = der_len(ee);
	done(&pr, creds, ee);
	assert_true(s0 > 0 && s0 < V2_MAX_MSG);
	/* 2. 24 bytes over the limit once sealed: the payloads (IV, ICV, headers off: 56+ bytes) still fit. */
	run_with(&pr, side, got0 + (int)(V2_MAX_MSG + 24 - s0), creds, k, &ee);
	assert_int_equal(auth_size(&pr, side), 0);
	assert_int_equal(pair_count(&pr, side, "\"what\":\"send\"", "could not build or seal the message"), 1);
	expect_failed(&pr, side, side ? "could not seal our IKE_AUTH response" : "could not seal our IKE_AUTH request");
	done(&pr, creds, ee);
	/* 3. Payloads that do not fit even before sealing. */
	run_with(&pr, side, got0 + (int)(V2_MAX_MSG + 300 - s0), creds, k, &ee);
	assert_int_equal(auth_size(&pr, side), 0);
	expect_failed(&pr, side, "does not fit in one message (8192 bytes)");
	done(&pr, creds, ee);
	EVP_PKEY_free(k);
}

static void initiator_request_too_big_fails_the_sa(void **state)
{
	(void)state;
	oversized(0);
}

static void responder_response_too_big_fails_the_sa(void **state)
{
	(void)state;
	oversized(1);
}

size_t tests_send_fail(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(initiator_request_too_big_fails_the_sa),
		cmocka_unit_test(responder_response_too_big_fails_the_sa),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
