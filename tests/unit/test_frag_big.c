/*
 * RFC 7383 lifts the 8 KiB limit of one IKE message: a 20 KB IKE_AUTH (a long certificate chain) is built
 * and sent in fragments when fragmentation was negotiated, in either direction, and still refused with a
 * clear error when it was not.
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
#define EXTRA_CERTS 7    /* intermediates sent after the end-entity certificate */
#define EXTRA_COMMENT 2700 /* bytes of nsComment in each: about 2.9 KB of DER, 21 KB of IKE_AUTH in all */

/* A self-signed certificate for key k carrying `pad` bytes of nsComment (an untrusted extra the peer ignores). */
static X509 *filler_cert(EVP_PKEY *k, size_t pad)
{
	X509 *x = X509_new();
	char *text = malloc(pad + 1);
	assert_non_null(x);
	assert_non_null(text);
	memset(text, 'y', pad);
	text[pad] = 0;
	X509_NAME *n = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"filler", -1, -1, 0), 1);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, NID_netscape_comment, text);
	assert_non_null(e);
	int ok = X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), 7) &&
		 X509_set_issuer_name(x, n) && X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
		 X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365) && X509_set_pubkey(x, k) &&
		 X509_add_ext(x, e, -1) && X509_sign(x, k, EVP_sha256()) > 0;
	X509_EXTENSION_free(e);
	free(text);
	assert_true(ok);
	return x;
}

/* me's credential with EXTRA_CERTS filler intermediates after its own certificate. */
static ike_cred *long_chain(const certfx_set *s, const cli_pem *me)
{
	BIO *kb = BIO_new_mem_buf(me->key, (int)me->key_len);
	EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	BIO_free(kb);
	assert_non_null(k);
	X509 *filler = filler_cert(k, EXTRA_COMMENT);
	BIO *b = BIO_new(BIO_s_mem());
	assert_non_null(b);
	assert_int_equal(BIO_write(b, me->cert, (int)me->cert_len), (int)me->cert_len);
	for (int i = 0; i < EXTRA_CERTS; i++)
		assert_int_equal(PEM_write_bio_X509(b, filler), 1);
	char *pem = NULL;
	long n = BIO_get_mem_data(b, &pem);
	char err[256];
	ike_cred *c = NULL;
	if (ike_cred_from_pem((const uint8_t *)pem, (size_t)n, (const uint8_t *)me->key, me->key_len,
			      (const uint8_t *)s->ca.cert, s->ca.cert_len, &c, err, sizeof(err)) != 0)
		fail_msg("cred: %s", err);
	BIO_free(b);
	X509_free(filler);
	EVP_PKEY_free(k);
	return c;
}

/* The `size` of side's first ike.frag event of `action` for IKE_AUTH; 0 if none. */
static long frag_size(const pair *pr, int side, const char *action)
{
	char want[80];
	snprintf(want, sizeof(want), "\"action\":\"%s\",\"exchange\":\"IKE_AUTH\"", action);
	for (size_t i = 0; i < pr->ntrace; i++) {
		const char *l = pr->trace[i], *sz;
		if (l[0] == (char)('0' + side) && strstr(l, " ike.frag ") && strstr(l, want) &&
		    (sz = strstr(l, "\"size\":")) != NULL)
			return strtol(sz + 7, NULL, 10);
	}
	return 0;
}

/* Side `big` carries the long chain; fragmentation `mode` on both sides. */
static void run(pair *pr, ike_cred **creds, int big, uint8_t mode)
{
	const certfx_set *s = certfx_get('e');
	creds[big] = long_chain(s, big ? &s->b : &s->a);
	creds[!big] = certfx_cred(big ? &s->a : &s->b, &s->ca);
	pair_init(pr, "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	pair_set_creds(pr, creds[0], creds[1]);
	pr->conn[0].fragmentation = pr->conn[1].fragmentation = mode;
	pair_start(pr, 9);
	pair_run(pr, 60 * SEC);
}

static void done(pair *pr, ike_cred **creds)
{
	pair_free(pr);
	ike_cred_free(creds[0]);
	ike_cred_free(creds[1]);
}

static void twenty_kb_auth(int big)
{
	pair pr;
	ike_cred *creds[2];
	run(&pr, creds, big, IKE_FRAG_YES);
	for (int s = 0; s < 2; s++) {
		ike_conn_status st;
		assert_int_equal(ike_peer_conn_status(pr.peer[s], 0, &st), 0);
		assert_string_equal(st.ike_state, "ESTABLISHED");
		assert_string_equal(st.child_state, "INSTALLED");
	}
	long split = frag_size(&pr, big, "split"), whole = frag_size(&pr, !big, "reassembled");
	assert_true(split >= 20000 && split < 65536);
	assert_int_equal(whole, split);
	/* all 8 certificates arrived */
	assert_int_equal(pair_count(&pr, !big, "ike.frag", "CERT CERT CERT CERT CERT CERT CERT CERT"), 1);
	/* at most 1232 bytes a datagram (the default fragment size): at least 17 of them */
	const char *msg = big ? "IKE_AUTH response 1 [ EF(" : "IKE_AUTH request 1 [ EF(";
	assert_true(pair_count(&pr, big, "ike.tx", msg) >= 17);
	assert_int_equal(pair_count(&pr, -1, " error {", NULL), 0);
	done(&pr, creds);
	/* without fragmentation the builder's 8 KiB stay the limit, and the SA fails saying so */
	run(&pr, creds, big, IKE_FRAG_NO);
	assert_int_equal(pair_count(&pr, big, "ike_sa failed", "does not fit in one message (8192 bytes)"), 1);
	done(&pr, creds);
}

static void twenty_kb_auth_request(void **state)
{
	(void)state;
	twenty_kb_auth(0);
}

static void twenty_kb_auth_response(void **state)
{
	(void)state;
	twenty_kb_auth(1);
}

size_t tests_frag_big(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(twenty_kb_auth_request),
		cmocka_unit_test(twenty_kb_auth_response),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
