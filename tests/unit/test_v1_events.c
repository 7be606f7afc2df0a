/*
 * IKEv1 trace events that IKEv2 has too (docs/trace.md): auth.verified on both sides for PSK (Main and Aggressive
 * Mode) and RSA signatures, child_sa.rekeyed on both sides of a Quick Mode renewal and ike_sa.rekeyed on the side
 * that renewed phase 1, with the matching SA events (IKE_EV_CHILD_REKEYED, IKE_EV_IKE_REKEYED, old SPIs); and the
 * CR (CERTREQ) that Main Mode 3/4 carry with RSA signatures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "certfx.h"
#include "crypto/cert.h"
#include "pair.h"
#include "wire/v1.h"
#include "test_list.h.in"

typedef struct evs {
	int child_rekeyed[2], ike_rekeyed[2], up_replacing[2];
	uint32_t old_in[2];
} evs;

static void hook(pair *pr, int side, const ike_sa_event *ev)
{
	evs *e = pr->user;
	if (ev->kind == IKE_EV_CHILD_REKEYED) {
		e->child_rekeyed[side]++;
		assert_true(ev->old_child_spi_in && ev->old_child_spi_in != ev->child_spi_in);
		e->old_in[side] = ev->old_child_spi_in;
	}
	if (ev->kind == IKE_EV_IKE_REKEYED) {
		e->ike_rekeyed[side]++;
		assert_true(ev->old_spi_i && ev->old_spi_i != ev->spi_i);
	}
	if (ev->kind == IKE_EV_IKE_UP && ev->old_spi_i)
		e->up_replacing[side]++;
}

static void v1_auth_verified_psk_and_rsa(void **state)
{
	(void)state;
	const certfx_set *r = certfx_get('r');
	for (int mode = 0; mode < 3; mode++) { /* Main Mode PSK, Aggressive Mode PSK, Main Mode RSA */
		pair pr;
		ike_cred *a = NULL, *b = NULL;
		pair_init(&pr, "aes128-sha256-modp2048", "aes128-sha256");
		pr.conn[0].version = pr.conn[1].version = 1;
		pr.conn[0].aggressive = pr.conn[1].aggressive = mode == 1;
		if (mode == 2) {
			a = certfx_cred(&r->a, &r->ca);
			b = certfx_cred(&r->b, &r->ca);
			pair_set_creds(&pr, a, b);
		}
		pair_start(&pr, 31);
		pair_run(&pr, 5 * IKE_NS_PER_SEC);
		const char *m = mode == 2 ? "\"method\":3,\"scheme\":\"RSA PKCS#1 v1.5 over" : "\"method\":1,\"scheme\":\"pre-shared key";
		assert_int_equal(pair_count(&pr, 0, "auth.verified", m), 1);
		assert_int_equal(pair_count(&pr, 1, "auth.verified", m), 1);
		assert_int_equal(pair_count(&pr, 0, "auth.verified", "HASH_R\",\"id\":\"gw-b.example\""), 1);
		assert_int_equal(pair_count(&pr, 1, "auth.verified", "HASH_I\",\"id\":\"gw-a.example\""), 1);
		assert_int_equal(pair_count(&pr, -1, "auth.verified", "\"subject\":\"CN=gw-"), mode == 2 ? 2 : 0);
		pair_free(&pr);
		ike_cred_free(a);
		ike_cred_free(b);
	}
	/* a wrong PSK verifies nothing */
	pair pr;
	pair_init(&pr, "aes128-sha256-modp2048", "aes128-sha256");
	pr.conn[0].version = pr.conn[1].version = 1;
	pr.conn[1].psk = (const uint8_t *)"other!";
	pair_start(&pr, 32);
	pair_run(&pr, 5 * IKE_NS_PER_SEC);
	assert_int_equal(pair_count(&pr, -1, "auth.verified", NULL), 0);
	pair_free(&pr);
}

/* Quick Mode renewal at 3 s and 6 s, phase 1 renewal at 7 s (as test_v1_modes.c's v1_rekeys). */
static void v1_rekeyed_events(void **state)
{
	(void)state;
	pair pr;
	evs e = { 0 };
	pair_init(&pr, "aes256-sha256-modp2048", "aes128-sha256-modp2048");
	pr.conn[0].version = pr.conn[1].version = 1;
	pr.child[0].life.rekey = 3 * IKE_NS_PER_SEC;
	pr.conn[0].ike_life.rekey = 7 * IKE_NS_PER_SEC;
	pr.user = &e;
	pr.sa_hook = hook;
	pair_start(&pr, 11);
	pair_run(&pr, 8 * IKE_NS_PER_SEC);
	assert_int_equal(pair_count(&pr, 0, "child_sa.rekeyed", "\"pfs\":\"MODP_2048\",\"reason\":\"lifetime\""), 2);
	assert_int_equal(pair_count(&pr, 1, "child_sa.rekeyed", "\"pfs\":\"MODP_2048\",\"reason\":\"peer\""), 2);
	assert_int_equal(e.child_rekeyed[0], 2);
	assert_int_equal(e.child_rekeyed[1], 2);
	/* the two sides name the same pair of SAs, each from its own end */
	assert_int_equal(pair_count(&pr, 0, "ike_sa.rekeyed", "\"reason\":\"reauth\",\"dh-group\":\"MODP_2048\",\"mode\":\"make-before-break\""), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa.rekeyed", NULL), 0); /* as IKEv2's reauthentication: the side that renewed */
	assert_int_equal(e.ike_rekeyed[0], 1);
	assert_int_equal(e.up_replacing[0], 1);
	assert_int_equal(e.up_replacing[1], 0);
	pair_free(&pr);
}

/* MM3/MM4 with RSA signatures carry a CR: X.509 signature encoding, the trusted CA's subject DN (what makes charon
 * send its certificate without send_cert = always); with PSK there is none. */
static const ike_cred *cr_ca;
static int cr_seen;

static bool check_cr(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)pr, (void)side, (void)n;
	v1_header h;
	v1_chain c;
	if (v1_parse_header(data, len, &h, NULL) != V1_OK || (h.flags & V1_F_ENCRYPTION) || h.next_payload != V1_PL_KE ||
	    v1_parse_chain(h.next_payload, data + V1_HDR_LEN, len - V1_HDR_LEN, V1_HDR_LEN, false, &c, NULL) != V1_OK)
		return true;
	const v1_payload *cr = v1_chain_find(&c, V1_PL_CR);
	if (!cr_ca) {
		assert_null(cr);
		return true;
	}
	v1_cert cert;
	uint8_t dn[1024];
	int dl = ike_cred_ca_dn(cr_ca, 0, dn, sizeof(dn));
	assert_non_null(cr);
	assert_int_equal(v1_parse_cert(cr->body, cr->len, 0, &cert, NULL), V1_OK);
	assert_int_equal(cert.encoding, V1_CERT_X509_SIG);
	assert_true(dl > 0);
	assert_int_equal(cert.len, (size_t)dl);
	assert_memory_equal(cert.data, dn, (size_t)dl);
	assert_int_equal(ike_cred_ca_dn(cr_ca, 1, dn, sizeof(dn)), -1); /* one CA */
	cr_seen++;
	return true;
}

static void v1_certreq_in_mm3_mm4(void **state)
{
	(void)state;
	const certfx_set *r = certfx_get('r');
	for (int rsa = 0; rsa < 2; rsa++) {
		pair pr;
		ike_cred *a = certfx_cred(&r->a, &r->ca), *b = certfx_cred(&r->b, &r->ca);
		pair_init(&pr, "aes128-sha256-modp2048", "aes128-sha256");
		pr.conn[0].version = pr.conn[1].version = 1;
		if (rsa)
			pair_set_creds(&pr, a, b);
		cr_ca = rsa ? a : NULL;
		cr_seen = 0;
		pr.filter = check_cr;
		pair_start(&pr, 33);
		pair_run(&pr, 5 * IKE_NS_PER_SEC);
		assert_int_equal(cr_seen, rsa ? 2 : 0);
		assert_int_equal(pair_count(&pr, -1, "ike.tx", "[ KE No CERTREQ NAT-D NAT-D ]"), rsa ? 2 : 0);
		assert_int_equal(pair_count(&pr, -1, "auth.verified", NULL), 2);
		pair_free(&pr);
		ike_cred_free(a);
		ike_cred_free(b);
	}
}

size_t tests_v1_events(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_auth_verified_psk_and_rsa),
		cmocka_unit_test(v1_rekeyed_events),
		cmocka_unit_test(v1_certreq_in_mm3_mm4),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
