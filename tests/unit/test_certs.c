/* Credentials, certificate checks, AUTH signatures per method and the `ikesim certs` verb. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "certfx.h"
#include "cli.h"
#include "config/identity.h"
#include "crypto/sig.h"
#include "test_list.h.in"

static const uint8_t MSG[] = "IKE_SA_INIT | Nr | prf(SK_pi, IDi')";

static ike_peer_cert *peer_cert(const cli_pem *ee, const cli_pem *ca, int *rc)
{
	ike_cred *c = certfx_cred(ee, ca);
	/* Our own certificate's DER, checked as if a peer had sent it. */
	size_t len;
	const uint8_t *der = ike_cred_cert_der(c, &len);
	char detail[128];
	ike_peer_cert *pc = NULL;
	*rc = ike_peer_cert_verify(c, der, len, NULL, NULL, 0, &pc, detail, sizeof(detail));
	ike_cred_free(c);
	return pc;
}

static void sign_verify(const ike_crypto *cr, EVP_PKEY *k, uint8_t method, uint8_t hash, size_t want_len)
{
	uint8_t sig[IKE_SIG_MAX];
	size_t len = 0;
	ike_iov d = { MSG, sizeof(MSG) };
	assert_int_equal(ike_sig_sign(cr, k, method, hash, &d, 1, sig, sizeof(sig), &len), 0);
	if (want_len)
		assert_int_equal(len, want_len);
	assert_int_equal(ike_sig_verify(cr, k, method, sig, len, &d, 1), 0);
	sig[len - 1] ^= 1;
	assert_int_not_equal(ike_sig_verify(cr, k, method, sig, len, &d, 1), 0);
	sig[len - 1] ^= 1;
	ike_iov other = { MSG, sizeof(MSG) - 1 };
	assert_int_not_equal(ike_sig_verify(cr, k, method, sig, len, &other, 1), 0);
}

static void ecdsa_methods_fixed_length(void **state)
{
	(void)state;
	ike_crypto *cr = ike_crypto_new();
	static const struct { const char *curve; uint8_t method; size_t len; } cases[] = {
		{ "P-256", 9, 64 }, { "P-384", 10, 96 }, { "P-521", 11, 132 } };
	for (size_t i = 0; i < 3; i++) {
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", cases[i].curve);
		assert_non_null(k);
		sign_verify(cr, k, cases[i].method, 0, cases[i].len);
		sign_verify(cr, k, 14, IKE_SIGHASH_SHA256, 0);
		sign_verify(cr, k, 14, IKE_SIGHASH_SHA512, 0);
		/* RFC 4754 ties each method to its curve. */
		uint8_t sig[IKE_SIG_MAX];
		size_t len;
		ike_iov d = { MSG, sizeof(MSG) };
		assert_int_not_equal(ike_sig_sign(cr, k, cases[(i + 1) % 3].method, 0, &d, 1, sig, sizeof(sig), &len), 0);
		uint8_t m, h;
		assert_int_equal(ike_sig_choose(k, 0, &m, &h), 0);
		assert_int_equal(m, cases[i].method);
		EVP_PKEY_free(k);
	}
	ike_crypto_free(cr);
}

static void rsa_methods_and_rfc7427_layout(void **state)
{
	(void)state;
	ike_crypto *cr = ike_crypto_new();
	ike_cred *c = certfx_cred(&certfx_get('r')->a, &certfx_get('r')->ca);
	EVP_PKEY *k = ike_cred_pkey(c);
	sign_verify(cr, k, 1, 0, 256);
	sign_verify(cr, k, 14, IKE_SIGHASH_SHA384, 0);
	/* RFC 7427 Appendix A.1.2: sha256WithRSAEncryption with NULL parameters, then the 256-byte signature. */
	static const uint8_t algid[] = { 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 };
	uint8_t sig[IKE_SIG_MAX];
	size_t len;
	ike_iov d = { MSG, sizeof(MSG) };
	assert_int_equal(ike_sig_sign(cr, k, 14, IKE_SIGHASH_SHA256, &d, 1, sig, sizeof(sig), &len), 0);
	assert_int_equal(len, sizeof(algid) + 256);
	assert_memory_equal(sig, algid, sizeof(algid));
	assert_int_equal(ike_sig_hash_of(sig, len), IKE_SIGHASH_SHA256);
	/* A mangled AlgorithmIdentifier is refused, not guessed at. */
	sig[5] = 0x07;
	assert_int_not_equal(ike_sig_verify(cr, k, 14, sig, len, &d, 1), 0);
	uint8_t m, h;
	assert_int_equal(ike_sig_choose(k, 1u << IKE_SIGHASH_SHA512, &m, &h), 0);
	assert_true(m == 14 && h == IKE_SIGHASH_SHA512);
	assert_int_equal(ike_sig_choose(k, 1u << IKE_SIGHASH_SHA1, &m, &h), 0);
	assert_int_equal(m, 1); /* no common RFC 7427 hash: the legacy method */
	ike_cred_free(c);
	ike_crypto_free(cr);
}

static void ecdsa_rfc7427_layout(void **state)
{
	(void)state;
	ike_crypto *cr = ike_crypto_new();
	ike_cred *c = certfx_cred(&certfx_get('e')->a, &certfx_get('e')->ca);
	static const uint8_t algid[] = { 0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
	uint8_t sig[IKE_SIG_MAX];
	size_t len;
	ike_iov d = { MSG, sizeof(MSG) };
	assert_int_equal(ike_sig_sign(cr, ike_cred_pkey(c), 14, IKE_SIGHASH_SHA256, &d, 1, sig, sizeof(sig), &len), 0);
	assert_memory_equal(sig, algid, sizeof(algid));
	assert_int_equal(sig[sizeof(algid)], 0x30); /* the signature is a DER ECDSA-Sig-Value */
	assert_int_equal(sig[sizeof(algid) + 1] + 2, len - sizeof(algid));
	ike_cred_free(c);
	ike_crypto_free(cr);
}

static void cred_errors(void **state)
{
	(void)state;
	const certfx_set *s = certfx_get('e');
	char err[256];
	ike_cred *c = NULL;
	const uint8_t *cert = (const uint8_t *)s->a.cert, *key = (const uint8_t *)s->a.key, *ca = (const uint8_t *)s->ca.cert;
	assert_int_equal(ike_cred_from_pem((const uint8_t *)"junk", 4, key, s->a.key_len, ca, s->ca.cert_len, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no valid certificate"));
	assert_int_equal(ike_cred_from_pem(cert, s->a.cert_len, (const uint8_t *)s->b.key, s->b.key_len, ca, s->ca.cert_len, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not match"));
	assert_int_equal(ike_cred_from_pem(cert, s->a.cert_len, cert, s->a.cert_len, ca, s->ca.cert_len, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no valid private key"));
	assert_int_equal(ike_cred_from_pem(cert, s->a.cert_len, key, s->a.key_len, NULL, 0, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CA PEM"));
	assert_null(c);
	c = certfx_cred(&s->a, &s->ca);
	uint8_t req[64];
	assert_int_equal(ike_cred_certreq(c, req, sizeof(req)), 20);
	ike_cred_free(c);
}

static void chain_and_id_binding(void **state)
{
	(void)state;
	const certfx_set *e = certfx_get('e'), *o = certfx_get('o');
	int rc;
	ike_peer_cert *pc = peer_cert(&e->a, &e->ca, &rc);
	assert_int_equal(rc, 0);
	assert_true(ike_peer_cert_matches_id(pc, 2, (const uint8_t *)"gw-a.example", 12));
	assert_true(ike_peer_cert_matches_id(pc, 2, (const uint8_t *)"GW-A.example", 12));
	assert_false(ike_peer_cert_matches_id(pc, 2, (const uint8_t *)"gw-b.example", 12));
	assert_false(ike_peer_cert_matches_id(pc, 3, (const uint8_t *)"gw-a.example", 12));
	ike_id dn;
	char err[64];
	assert_int_equal(ike_id_parse("CN=gw-a.example", &dn, err, sizeof(err)), 0);
	assert_true(ike_peer_cert_matches_id(pc, dn.type, dn.data, dn.len));
	assert_int_equal(ike_id_parse("CN=gw-b.example", &dn, err, sizeof(err)), 0);
	assert_false(ike_peer_cert_matches_id(pc, dn.type, dn.data, dn.len));
	ike_peer_cert_free(pc);
	/* Signed by another CA: refused however well it names its holder. */
	ike_cred *mine = certfx_cred(&e->b, &e->ca), *theirs = certfx_cred(&o->a, &o->ca);
	size_t len;
	const uint8_t *der = ike_cred_cert_der(theirs, &len);
	char detail[128];
	pc = NULL;
	assert_int_equal(ike_peer_cert_verify(mine, der, len, NULL, NULL, 0, &pc, detail, sizeof(detail)), -IKE_CERT_EUNTRUSTED);
	assert_null(pc);
	assert_int_equal(ike_peer_cert_verify(mine, der, len - 1, NULL, NULL, 0, &pc, detail, sizeof(detail)), -IKE_CERT_EPARSE);
	ike_cred_free(mine);
	ike_cred_free(theirs);
}

/* IP and email names get IP and email subjectAltNames. */
static void address_and_email_names(void **state)
{
	(void)state;
	char err[256];
	cli_keyspec ks;
	assert_int_equal(cli_keyspec_ecdsa("P-256", &ks, err, sizeof(err)), 0);
	cli_certgen *g = cli_certgen_new(&ks, "ikesim test CA", 30, err, sizeof(err));
	assert_non_null(g);
	cli_pem ca, ip, mail;
	assert_int_equal(cli_certgen_ca(g, &ca, err, sizeof(err)), 0);
	assert_int_equal(cli_certgen_issue(g, "192.0.2.7", &ip, err, sizeof(err)), 0);
	assert_int_equal(cli_certgen_issue(g, "ops@example.org", &mail, err, sizeof(err)), 0);
	assert_int_equal(cli_certgen_issue(g, "../x", &mail, err, sizeof(err)) == 0, 0);
	int rc;
	ike_peer_cert *pc = peer_cert(&ip, &ca, &rc);
	static const uint8_t addr[4] = { 192, 0, 2, 7 }, other[4] = { 192, 0, 2, 8 };
	assert_true(ike_peer_cert_matches_id(pc, 1, addr, 4));
	assert_false(ike_peer_cert_matches_id(pc, 1, other, 4));
	ike_peer_cert_free(pc);
	pc = peer_cert(&mail, &ca, &rc);
	assert_true(ike_peer_cert_matches_id(pc, 3, (const uint8_t *)"ops@example.org", 15));
	assert_false(ike_peer_cert_matches_id(pc, 2, (const uint8_t *)"ops@example.org", 15));
	ike_peer_cert_free(pc);
	cli_pem_free(&ca);
	cli_pem_free(&ip);
	cli_pem_free(&mail);
	cli_certgen_free(g);
}

static int certs_verb(const char *dir, const char *a1, const char *a2, const char *a3)
{
	char *argv[] = { "ikesim", "certs", "--out", (char *)dir, (char *)a1, (char *)a2, (char *)a3, NULL };
	int argc = 4 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL);
	FILE *out = tmpfile(), *err = tmpfile();
	int rc = cli_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return rc;
}

static void certs_verb_writes_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/ikesim-certs-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	assert_int_equal(certs_verb(dir, "--ecdsa", "P-384", "gw-a.example"), CLI_OK);
	struct stat st;
	snprintf(path, sizeof(path), "%s/gw-a.example.key", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	static const char *const files[] = { "ca.pem", "ca.key", "gw-a.example.pem", "gw-a.example.key" };
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(stat(path, &st), 0);
		unlink(path);
	}
	assert_int_equal(certs_verb(dir, "--rsa", "100", "x"), CLI_USAGE);
	assert_int_equal(certs_verb(dir, "--ecdsa", "P-256", NULL), CLI_USAGE);
	assert_int_equal(certs_verb(dir, "a/b", NULL, NULL), CLI_USAGE);
	assert_int_equal(certs_verb(dir, "x", "x", NULL), CLI_USAGE);
	assert_int_equal(certs_verb("/nonexistent/dir", "x", NULL, NULL), CLI_ERR);
	rmdir(dir);
}

size_t tests_certs(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(ecdsa_methods_fixed_length), cmocka_unit_test(rsa_methods_and_rfc7427_layout),
		cmocka_unit_test(ecdsa_rfc7427_layout),       cmocka_unit_test(cred_errors),
		cmocka_unit_test(chain_and_id_binding),       cmocka_unit_test(address_and_email_names),
		cmocka_unit_test(certs_verb_writes_files),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
