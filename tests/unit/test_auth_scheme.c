/*
 * An IKE_AUTH whose RFC 7427 AUTH names a scheme we do not take, end to end through the responder: the
 * initiator's real IKE_AUTH request is caught, opened with SK_ei (from the kdf trace), its AUTH data
 * replaced by one of the same length, sealed again and delivered. The responder must answer
 * AUTHENTICATION_FAILED (RFC 7427 section 5) and say "unsupported signature scheme <what>" in its error
 * trace and its SA event, and keep "signature does not verify" for a signature that is merely wrong.
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
#include "crypto/registry.h"
#include "crypto/sk.h"
#include "hexutil.h"
#include "pair.h"
#include "test_list.h.in"
#include "wire/v2.h"

#define SEC (1000LL * 1000 * 1000)
#define MAX_MSG 8192
#define AAD 32 /* IKE header (28) and the SK payload's generic header (4) */

typedef struct catch {
	uint8_t msg[MAX_MSG];
	size_t len;
	char why[256]; /* the responder's IKE_EV_IKE_FAILED why */
} catch;

/* Keeps the initiator's first IKE_AUTH request (its 2nd datagram) and drops it and its retransmissions. */
static bool hold_auth(pair *pr, int side, size_t n, const uint8_t *d, size_t len)
{
	catch *c = pr->user;
	if (side != 0 || n < 2)
		return true;
	if (n == 2 && len <= sizeof(c->msg)) {
		memcpy(c->msg, d, len);
		c->len = len;
	}
	return false;
}

static void on_sa(pair *pr, int side, const ike_sa_event *ev)
{
	catch *c = pr->user;
	if (side == 1 && ev->kind == IKE_EV_IKE_FAILED && ev->why)
		snprintf(c->why, sizeof(c->why), "%s", ev->why);
}

/* The AUTH payload's data in the inner chain pt (first payload type `first`); NULL if none. */
static uint8_t *auth_data(uint8_t *pt, size_t len, uint8_t first, size_t *dlen)
{
	uint8_t type = first;
	for (size_t off = 0; type && off + 4 <= len;) {
		size_t plen = ike_get_u16(pt + off + 2);
		if (plen < 4 || off + plen > len)
			return NULL;
		if (type == V2_PL_AUTH && plen > 8) {
			*dlen = plen - 8; /* generic header, method, 3 reserved octets */
			return pt + off + 8;
		}
		type = pt[off];
		off += plen;
	}
	return NULL;
}

/* What the test does to the AUTH data (same length in, same length out). */
typedef void (*rewrite)(uint8_t *auth, size_t len);

/* PSS with SHA-256 but the default MGF1-SHA-1 (OpenSSL's own DER for that choice), salt 32. */
static void pss_mgf1_sha1(uint8_t *a, size_t len)
{
	static const uint8_t algid[] = { 0x30, 0x23, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,
					 0x30, 0x16, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
					 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20 };
	a[0] = sizeof(algid);
	memcpy(a + 1, algid, sizeof(algid));
	memset(a + 1 + sizeof(algid), 0x33, len - 1 - sizeof(algid));
}

/* An OID that names no signature scheme (1.2.3.4.5). */
static void unknown_oid(uint8_t *a, size_t len)
{
	static const uint8_t algid[] = { 0x30, 0x06, 0x06, 0x04, 0x2a, 0x03, 0x04, 0x05 };
	a[0] = sizeof(algid);
	memcpy(a + 1, algid, sizeof(algid));
	memset(a + 1 + sizeof(algid), 0x44, len - 1 - sizeof(algid));
}

/* The initiator's own sha256WithRSAEncryption AUTH with one signature bit flipped. */
static void flip_signature(uint8_t *a, size_t len)
{
	a[len - 1] ^= 0x01;
}

/* Runs IKE_SA_INIT, rewrites the caught IKE_AUTH request's AUTH data and hands it to the responder. */
static void inject(pair *pr, catch *c, ike_cred *cr[2], rewrite fn)
{
	const certfx_set *s = certfx_get('r');
	cr[0] = certfx_cred(&s->a, &s->ca);
	cr[1] = certfx_cred(&s->b, &s->ca);
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pair_set_creds(pr, cr[0], cr[1]);
	memset(c, 0, sizeof(*c));
	pr->user = c;
	pr->filter = hold_auth;
	pr->sa_hook = on_sa;
	pair_start(pr, 11);
	pair_run(pr, SEC / 2); /* IKE_SA_INIT done, the IKE_AUTH request caught, no retransmission yet */
	assert_true(c->len > AAD);

	char hex[128];
	uint8_t ekey[64], pt[MAX_MSG];
	assert_int_equal(pair_kdf_value(pr, 1, "SK_ei", hex, sizeof(hex)), 40);
	assert_int_equal(unhex(hex, ekey, sizeof(ekey)), 20);
	ike_sk_keys k = { ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128), NULL, ekey, NULL };
	size_t ptlen = 0, dlen = 0, body = 0;
	assert_int_equal(ike_sk_open(pr->crypto, &k, c->msg, AAD, c->len - AAD, pt, sizeof(pt), &ptlen), 0);
	uint8_t *a = auth_data(pt, ptlen, c->msg[28], &dlen);
	assert_non_null(a);
	assert_int_equal(a[-4], 14); /* RFC 7427 Digital Signature */
	assert_int_equal(dlen, 1 + 15 + 256); /* sha256WithRSAEncryption, RSA-2048 */
	if (fn)
		fn(a, dlen);
	ike_drbg rng;
	ike_drbg_init(&rng, "iv", 2, "test", 4);
	assert_int_equal(ike_sk_seal(pr->crypto, &k, &rng, c->msg, AAD, pt, ptlen, sizeof(c->msg), &body), 0);
	assert_int_equal(AAD + body, c->len);
	ike_peer_input(pr->peer[1], pr->now, &pr->conn[0].local, &pr->conn[0].remote, c->msg, c->len);
	/* Hand the responder's answer to the initiator. */
	for (size_t i = 0; i < pr->nq; i++)
		if (pr->q[i].to_peer == 0)
			ike_peer_input(pr->peer[0], pr->now, &pr->q[i].from, &pr->q[i].to, pr->q[i].data, pr->q[i].len);
}

static void done(pair *pr, ike_cred *cr[2])
{
	pair_free(pr);
	ike_cred_free(cr[0]);
	ike_cred_free(cr[1]);
}

static void refused(rewrite fn, const char *why)
{
	pair pr;
	catch c;
	ike_cred *cr[2];
	inject(&pr, &c, cr, fn);
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
	assert_int_equal(st.last_error, V2_N_AUTHENTICATION_FAILED);
	assert_string_equal(st.ike_state, "NONE");
	if (pair_count(&pr, 1, "error", why) != 1)
		fail_msg("no error trace with '%s'", why);
	if (!strstr(c.why, why))
		fail_msg("SA event why '%s' lacks '%s'", c.why, why);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "IKE_AUTH response 1 [ N(AUTH_FAILED) ]"), 1);
	assert_int_equal(pair_count(&pr, -1, "auth.verified", NULL), 0);
	/* The initiator hears AUTHENTICATION_FAILED. */
	assert_int_equal(ike_peer_conn_status(pr.peer[0], 0, &st), 0);
	assert_int_equal(st.last_error, V2_N_AUTHENTICATION_FAILED);
	done(&pr, cr);
}

static void pss_with_mgf1_sha1_is_unsupported(void **state)
{
	(void)state;
	refused(pss_mgf1_sha1, "unsupported signature scheme RSASSA-PSS with MGF1-SHA-1 and hash SHA-256");
}

static void unknown_oid_is_unsupported(void **state)
{
	(void)state;
	refused(unknown_oid, "unsupported signature scheme 1.2.3.4.5");
}

static void wrong_signature_does_not_verify(void **state)
{
	(void)state;
	refused(flip_signature, "signature does not verify");
}

/* The unchanged message goes through: the rewriting itself is sound. */
static void untouched_auth_establishes(void **state)
{
	(void)state;
	pair pr;
	catch c;
	ike_cred *cr[2];
	inject(&pr, &c, cr, NULL);
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_int_equal(pair_count(&pr, 1, "auth.verified", "sha256WithRSAEncryption"), 1);
	done(&pr, cr);
}

size_t tests_auth_scheme(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(pss_with_mgf1_sha1_is_unsupported),
		cmocka_unit_test(unknown_oid_is_unsupported),
		cmocka_unit_test(wrong_signature_does_not_verify),
		cmocka_unit_test(untouched_auth_establishes),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
