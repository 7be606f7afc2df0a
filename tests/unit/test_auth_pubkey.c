/*
 * Public-key authentication end to end between two in-process peers: RSA and ECDSA, legacy and RFC 7427;
 * with ECDSA keys the same seeds give the same bytes on the wire (RFC 6979 nonces).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certfx.h"
#include "pair.h"
#include "test_list.h.in"
#include "wire/v2.h"

#define SEC (1000LL * 1000 * 1000)

static void expect_state(pair *pr, int side, const char *ike, uint16_t err)
{
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
	if (strcmp(st.ike_state, ike) || st.last_error != err)
		fail_msg("side %d: ike %s error %u; wanted %s %u", side, st.ike_state, st.last_error, ike, err);
}

/* Runs a handshake between a (side 0) and b (side 1); rfc7427 off makes both use the legacy methods. */
static void run(pair *pr, ike_cred *a, ike_cred *b, bool rfc7427)
{
	ike_cred_set_rfc7427(a, rfc7427);
	ike_cred_set_rfc7427(b, rfc7427);
	pair_init(pr, "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	pair_set_creds(pr, a, b);
	pair_start(pr, 3);
	pair_run(pr, 60 * SEC);
}

static void establishes(char kind, bool rfc7427, const char *scheme)
{
	const certfx_set *s = certfx_get(kind);
	ike_cred *a = certfx_cred(&s->a, &s->ca), *b = certfx_cred(&s->b, &s->ca);
	pair pr;
	run(&pr, a, b, rfc7427);
	expect_state(&pr, 0, "ESTABLISHED", 0);
	expect_state(&pr, 1, "ESTABLISHED", 0);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", rfc7427 ? "N(NATD_D_IP) N(HASH_ALG) ]" : "N(NATD_D_IP) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", rfc7427 ? "N(NATD_D_IP) CERTREQ N(HASH_ALG) ]"
							      : "N(NATD_D_IP) CERTREQ ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.rx", "IKE_AUTH request 1 [ IDi CERT N(INIT_CONTACT) CERTREQ IDr AUTH SA TSi TSr ]"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.rx", "IKE_AUTH response 1 [ IDr CERT AUTH SA TSi TSr ]"), 1);
	assert_int_equal(pair_count(&pr, 0, "auth.verified", scheme), 1);
	assert_int_equal(pair_count(&pr, 1, "auth.verified", scheme), 1);
	assert_int_equal(pair_count(&pr, 1, "auth.verified", "CN=gw-a.example"), 1);
	assert_int_equal(pair_count(&pr, 0, "auth.verified", "CN=gw-b.example"), 1);
	pair_free(&pr);
	ike_cred_free(a);
	ike_cred_free(b);
}

static void rsa_method_1(void **state)
{
	(void)state;
	establishes('r', false, "\"method\":1,\"scheme\":\"RSA PKCS#1 v1.5 SHA-1\"");
}

static void rsa_method_14(void **state)
{
	(void)state;
	establishes('r', true, "\"method\":14,\"scheme\":\"RFC 7427 sha256WithRSAEncryption\"");
}

static void ecdsa_method_9(void **state)
{
	(void)state;
	establishes('e', false, "\"method\":9,\"scheme\":\"ECDSA-256 SHA-256\"");
}

static void ecdsa_method_14(void **state)
{
	(void)state;
	establishes('e', true, "\"method\":14,\"scheme\":\"RFC 7427 ecdsa-with-SHA256\"");
}

/* Every datagram both sides sent, concatenated in order (the pair's filter hook; drops nothing). */
typedef struct wire_log {
	uint8_t *bytes;
	size_t len;
} wire_log;

static bool log_wire(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)side;
	(void)n;
	wire_log *w = pr->user;
	w->bytes = realloc(w->bytes, w->len + len);
	assert_non_null(w->bytes);
	memcpy(w->bytes + w->len, data, len);
	w->len += len;
	return true;
}

/* One ECDSA handshake at seed 7, keeping its wire bytes and trace lines. */
static void ecdsa_run(ike_cred *a, ike_cred *b, bool rfc7427, wire_log *w, pair *pr)
{
	ike_cred_set_rfc7427(a, rfc7427);
	ike_cred_set_rfc7427(b, rfc7427);
	pair_init(pr, "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	pair_set_creds(pr, a, b);
	pr->filter = log_wire;
	pr->user = w;
	pair_start(pr, 7);
	pair_run(pr, 60 * SEC);
	expect_state(pr, 0, "ESTABLISHED", 0);
	expect_state(pr, 1, "ESTABLISHED", 0);
}

/* RFC 6979 nonces: two runs with the same seeds send the same bytes (AUTH included) and trace the same lines. */
static void ecdsa_same_seed_same_bytes(void **state)
{
	(void)state;
	const certfx_set *s = certfx_get('e');
	ike_cred *a = certfx_cred(&s->a, &s->ca), *b = certfx_cred(&s->b, &s->ca);
	for (int rfc7427 = 0; rfc7427 < 2; rfc7427++) {
		wire_log w[2] = { { NULL, 0 }, { NULL, 0 } };
		pair pr[2];
		for (int i = 0; i < 2; i++)
			ecdsa_run(a, b, rfc7427, &w[i], &pr[i]);
		assert_int_equal(pair_count(&pr[0], -1, "auth.verified", rfc7427 ? "\"method\":14" : "\"method\":9"), 2);
		assert_true(w[0].len > 1000);
		assert_int_equal(w[0].len, w[1].len);
		assert_memory_equal(w[0].bytes, w[1].bytes, w[0].len);
		assert_int_equal(pr[0].ntrace, pr[1].ntrace);
		for (size_t i = 0; i < pr[0].ntrace; i++)
			assert_string_equal(pr[0].trace[i], pr[1].trace[i]);
		for (int i = 0; i < 2; i++) {
			pair_free(&pr[i]);
			free(w[i].bytes);
		}
	}
	ike_cred_free(a);
	ike_cred_free(b);
}

/* One RSA handshake at `seed` with each side's RSASSA-PSS choice, keeping wire bytes (w may be NULL). */
static void pss_run(pair *pr, bool pss_a, bool pss_b, bool rfc7427, uint64_t seed, wire_log *w, ike_cred *cr[2])
{
	const certfx_set *s = certfx_get('r');
	ike_cred *a = cr[0] = certfx_cred(&s->a, &s->ca), *b = cr[1] = certfx_cred(&s->b, &s->ca);
	assert_int_equal(ike_cred_set_rsa_pss(a, pss_a), 0);
	assert_int_equal(ike_cred_set_rsa_pss(b, pss_b), 0);
	ike_cred_set_rfc7427(a, rfc7427);
	ike_cred_set_rfc7427(b, rfc7427);
	pair_init(pr, "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	pair_set_creds(pr, a, b);
	pr->filter = w ? log_wire : NULL;
	pr->user = w;
	pair_start(pr, seed);
	pair_run(pr, 60 * SEC);
	expect_state(pr, 0, "ESTABLISHED", 0);
	expect_state(pr, 1, "ESTABLISHED", 0);
}

/* pair_free, then the credentials its peers pointed to. */
static void pss_done(pair *pr, ike_cred *cr[2])
{
	pair_free(pr);
	ike_cred_free(cr[0]);
	ike_cred_free(cr[1]);
}

#define PSS_SCHEME "\"method\":14,\"scheme\":\"RFC 7427 RSASSA-PSS SHA-256 salt 32\""

/* Both sides sign with PSS; its salt comes from the peers' DRBGs, so the same seed sends the same bytes. */
static void rsa_pss_same_seed_same_bytes(void **state)
{
	(void)state;
	wire_log w[3] = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
	pair pr[3];
	ike_cred *cr[3][2];
	for (int i = 0; i < 3; i++)
		pss_run(&pr[i], true, true, true, i < 2 ? 7 : 8, &w[i], cr[i]);
	assert_int_equal(pair_count(&pr[0], 0, "auth.verified", PSS_SCHEME), 1);
	assert_int_equal(pair_count(&pr[0], 1, "auth.verified", PSS_SCHEME), 1);
	assert_true(w[0].len > 1000);
	assert_int_equal(w[0].len, w[1].len);
	assert_memory_equal(w[0].bytes, w[1].bytes, w[0].len);
	assert_true(w[2].len != w[0].len || memcmp(w[0].bytes, w[2].bytes, w[0].len) != 0);
	for (int i = 0; i < 3; i++) {
		pss_done(&pr[i], cr[i]);
		free(w[i].bytes);
	}
}

/* PSS is per side; without SIGNATURE_HASH_ALGORITHMS there is no method 14, so no PSS either (method 1). */
static void rsa_pss_one_side_and_legacy(void **state)
{
	(void)state;
	pair pr;
	ike_cred *cr[2];
	pss_run(&pr, true, false, true, 3, NULL, cr);
	assert_int_equal(pair_count(&pr, 1, "auth.verified", PSS_SCHEME), 1);
	assert_int_equal(pair_count(&pr, 0, "auth.verified", "RFC 7427 sha256WithRSAEncryption"), 1);
	pss_done(&pr, cr);
	pss_run(&pr, true, true, false, 3, NULL, cr);
	assert_int_equal(pair_count(&pr, -1, "auth.verified", "\"method\":1,"), 2);
	pss_done(&pr, cr);
	/* An ECDSA credential refuses the flag. */
	const certfx_set *e = certfx_get('e');
	ike_cred *c = certfx_cred(&e->a, &e->ca);
	assert_int_equal(ike_cred_set_rsa_pss(c, true), -1);
	assert_false(ike_cred_rsa_pss(c));
	assert_int_equal(ike_cred_set_rsa_pss(c, false), 0);
	ike_cred_free(c);
}

/* Mixed keys: an RSA initiator and an ECDSA responder trusting each other's CA. */
static void rsa_initiator_ecdsa_responder(void **state)
{
	(void)state;
	const certfx_set *r = certfx_get('r'), *e = certfx_get('e');
	ike_cred *a = certfx_cred(&r->a, &e->ca), *b = certfx_cred(&e->b, &r->ca);
	pair pr;
	run(&pr, a, b, true);
	expect_state(&pr, 0, "ESTABLISHED", 0);
	expect_state(&pr, 1, "ESTABLISHED", 0);
	assert_int_equal(pair_count(&pr, 1, "auth.verified", "sha256WithRSAEncryption"), 1);
	assert_int_equal(pair_count(&pr, 0, "auth.verified", "ecdsa-with-SHA256"), 1);
	pair_free(&pr);
	ike_cred_free(a);
	ike_cred_free(b);
}

static void untrusted_ca_fails_both_sides(void **state)
{
	(void)state;
	const certfx_set *e = certfx_get('e'), *o = certfx_get('o');
	ike_cred *a = certfx_cred(&o->a, &e->ca), *b = certfx_cred(&e->b, &e->ca);
	pair pr;
	run(&pr, a, b, true);
	expect_state(&pr, 0, "NONE", V2_N_AUTHENTICATION_FAILED);
	expect_state(&pr, 1, "NONE", V2_N_AUTHENTICATION_FAILED);
	assert_int_equal(pair_count(&pr, 1, "error", "certificate not trusted"), 1);
	assert_int_equal(pair_count(&pr, -1, "auth.verified", NULL), 0);
	pair_free(&pr);
	ike_cred_free(a);
	ike_cred_free(b);
}

/* The responder's certificate is trusted but names gw-b while it claims to be gw-x (configured both ends). */
static void id_mismatch_fails(void **state)
{
	(void)state;
	const certfx_set *e = certfx_get('e');
	ike_cred *a = certfx_cred(&e->a, &e->ca), *b = certfx_cred(&e->b, &e->ca);
	pair pr;
	ike_cred_set_rfc7427(a, true);
	ike_cred_set_rfc7427(b, true);
	pair_init(&pr, "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	pair_set_creds(&pr, a, b);
	char err[64];
	assert_int_equal(ike_id_parse("gw-x.example", &pr.conn[1].local_id, err, sizeof(err)), 0);
	assert_int_equal(ike_id_parse("gw-x.example", &pr.conn[0].remote_id, err, sizeof(err)), 0);
	pair_start(&pr, 4);
	pair_run(&pr, 60 * SEC);
	expect_state(&pr, 0, "NONE", V2_N_AUTHENTICATION_FAILED);
	assert_int_equal(pair_count(&pr, 0, "error", "ID does not match certificate"), 1);
	pair_free(&pr);
	ike_cred_free(a);
	ike_cred_free(b);
}

/* A host that says it is the year 2000 rejects certificates not yet valid then. */
static void check_time_is_the_hosts(void **state)
{
	(void)state;
	const certfx_set *e = certfx_get('e');
	ike_cred *a = certfx_cred(&e->a, &e->ca), *b = certfx_cred(&e->b, &e->ca);
	ike_cred_set_check_time(b, 946684800);
	pair pr;
	run(&pr, a, b, true);
	expect_state(&pr, 1, "NONE", V2_N_AUTHENTICATION_FAILED);
	assert_int_equal(pair_count(&pr, 1, "error", "certificate is not yet valid"), 1);
	pair_free(&pr);
	ike_cred_free(a);
	ike_cred_free(b);
}

/* PSK on one side, certificates on the other: refused, never a crash. */
static void psk_against_pubkey_fails(void **state)
{
	(void)state;
	const certfx_set *e = certfx_get('e');
	ike_cred *b = certfx_cred(&e->b, &e->ca);
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	pr.conn[1].auth = IKE_AUTH_PUBKEY;
	pr.conn[1].cred = b;
	pair_start(&pr, 5);
	pair_run(&pr, 60 * SEC);
	expect_state(&pr, 1, "NONE", V2_N_AUTHENTICATION_FAILED);
	assert_int_equal(pair_count(&pr, 1, "error", "not a signature"), 1);
	pair_free(&pr);
	ike_cred_free(b);
}

size_t tests_auth_pubkey(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(rsa_method_1),
		cmocka_unit_test(rsa_method_14),
		cmocka_unit_test(ecdsa_method_9),
		cmocka_unit_test(ecdsa_method_14),
		cmocka_unit_test(ecdsa_same_seed_same_bytes),
		cmocka_unit_test(rsa_pss_same_seed_same_bytes),
		cmocka_unit_test(rsa_pss_one_side_and_legacy),
		cmocka_unit_test(rsa_initiator_ecdsa_responder),
		cmocka_unit_test(untrusted_ca_fails_both_sides),
		cmocka_unit_test(id_mismatch_fails),
		cmocka_unit_test(check_time_is_the_hosts),
		cmocka_unit_test(psk_against_pubkey_fails),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
