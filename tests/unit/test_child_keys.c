/*
 * The CHILD SA parameters the engine hands its host with IKE_EV_CHILD_UP (ike_child_keys): present with
 * and without reveal_keys, the same keys and SPIs seen from both ends, equal to the traced KEYMAT slices,
 * and for a rekey made by the IKE SA's responder the exchange's initiator (not the IKE SA's) owns ei/ai.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/registry.h"
#include "pair.h"
#include "test_list.h.in"

#define SEC (1000LL * 1000 * 1000)
#define MAX_UPS 4

/* A copy of one CHILD_UP view (the event's pointers die with the callback). */
typedef struct child_seen {
	ike_child_keys k;
	uint8_t ei[64], ai[64], er[64], ar[64];
	ike_ts local, remote;
} child_seen;

typedef struct seen {
	child_seen up[MAX_UPS];
	size_t n_up, other_with_child;
} seen;

static void record(pair *pr, int side, const ike_sa_event *ev)
{
	seen *s = &((seen *)pr->user)[side];
	if (ev->kind != IKE_EV_CHILD_UP) {
		s->other_with_child += ev->child != NULL;
		return;
	}
	assert_non_null(ev->child);
	assert_true(s->n_up < MAX_UPS);
	child_seen *c = &s->up[s->n_up++];
	const ike_child_keys *k = ev->child;
	assert_true(k->e_len <= 64 && k->a_len <= 64);
	assert_true(k->n_ts_local == 1 && k->n_ts_remote == 1);
	assert_int_equal(k->spi_in, ev->child_spi_in);
	assert_int_equal(k->spi_out, ev->child_spi_out);
	c->k = *k;
	memcpy(c->ei, k->ei, k->e_len);
	memcpy(c->er, k->er, k->e_len);
	if (k->a_len) {
		memcpy(c->ai, k->ai, k->a_len);
		memcpy(c->ar, k->ar, k->a_len);
	} else {
		assert_null(k->ai);
		assert_null(k->ar);
	}
	c->local = k->ts_local[0];
	c->remote = k->ts_remote[0];
}

static void hex_of(const uint8_t *b, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * len] = 0;
}

/* The view of one side equals the traced ESP_* kdf values (reveal on) of that side's last KEYMAT. */
static void matches_trace(const pair *pr, int side, const child_seen *c)
{
	char want[200], got[200];
	assert_true(pair_kdf_last(pr, side, "ESP_ENCR_I", want, sizeof(want)) > 0);
	hex_of(c->ei, c->k.e_len, got);
	assert_string_equal(got, want);
	assert_true(pair_kdf_last(pr, side, "ESP_ENCR_R", want, sizeof(want)) > 0);
	hex_of(c->er, c->k.e_len, got);
	assert_string_equal(got, want);
	if (!c->k.a_len)
		return;
	assert_true(pair_kdf_last(pr, side, "ESP_INTEG_I", want, sizeof(want)) > 0);
	hex_of(c->ai, c->k.a_len, got);
	assert_string_equal(got, want);
	assert_true(pair_kdf_last(pr, side, "ESP_INTEG_R", want, sizeof(want)) > 0);
	hex_of(c->ar, c->k.a_len, got);
	assert_string_equal(got, want);
}

/* Two views of one CHILD SA from its two ends: mirrored SPIs, selectors and roles, identical keys. */
static void mirrored(const child_seen *a, const child_seen *b)
{
	assert_int_equal(a->k.spi_in, b->k.spi_out);
	assert_int_equal(a->k.spi_out, b->k.spi_in);
	assert_true(a->k.initiator != b->k.initiator);
	assert_int_equal(a->k.encr, b->k.encr);
	assert_int_equal(a->k.encr_keylen, b->k.encr_keylen);
	assert_int_equal(a->k.integ, b->k.integ);
	assert_int_equal(a->k.esn, b->k.esn);
	assert_int_equal(a->k.e_len, b->k.e_len);
	assert_int_equal(a->k.a_len, b->k.a_len);
	assert_memory_equal(a->ei, b->ei, a->k.e_len);
	assert_memory_equal(a->er, b->er, a->k.e_len);
	assert_memory_equal(a->ai, b->ai, a->k.a_len);
	assert_memory_equal(a->ar, b->ar, a->k.a_len);
	assert_memory_equal(&a->local, &b->remote, sizeof(ike_ts));
	assert_memory_equal(&a->remote, &b->local, sizeof(ike_ts));
	assert_true(memcmp(a->ei, a->er, a->k.e_len) != 0); /* two directions, two keys */
	assert_int_equal(a->k.protocol, IKE_PROTO_ESP);
	assert_int_equal(a->k.mode, IKE_MODE_TUNNEL);
	assert_int_equal(a->k.pfs, b->k.pfs);
}

static void first_child(const char *esp, uint16_t encr, size_t e_len, uint16_t integ, size_t a_len, bool esn)
{
	for (int hide = 0; hide < 2; hide++) {
		pair pr;
		seen s[2] = { 0 };
		pair_init(&pr, "aes128gcm16-prfsha256-x25519", esp);
		pr.user = s;
		pr.sa_hook = record;
		pr.hide_keys = hide;
		pr.record_trace = true;
		pair_start(&pr, 11);
		pair_run(&pr, 10 * SEC);
		assert_int_equal(s[0].n_up, 1);
		assert_int_equal(s[1].n_up, 1);
		assert_int_equal(s[0].other_with_child + s[1].other_with_child, 0);
		const child_seen *a = &s[0].up[0], *b = &s[1].up[0];
		assert_true(a->k.initiator); /* IKE_AUTH: the IKE SA's initiator starts the exchange */
		mirrored(a, b);
		assert_int_equal(a->k.encr, encr);
		assert_int_equal(a->k.e_len, e_len);
		assert_int_equal(a->k.integ, integ);
		assert_int_equal(a->k.a_len, a_len);
		assert_int_equal(a->k.esn, esn);
		for (int side = 0; side < 2; side++) {
			const child_seen *c = &s[side].up[0];
			assert_int_equal(c->k.child, 0);
			assert_ptr_equal(c->k.cfg, &pr.child[side]);
			assert_int_equal(c->k.rekey_of, 0);
			assert_int_equal(c->k.pfs, 0);
			if (!hide)
				matches_trace(&pr, side, c);
		}
		char tsa[64];
		ike_ts_format(&a->local, tsa, sizeof(tsa));
		assert_string_equal(tsa, "10.1.0.0/16");
		pair_free(&pr);
	}
}

static void child_up_aead(void **state)
{
	(void)state;
	first_child("aes128gcm16", IKE_ENCR_AES_GCM_16, 20, 0, 0, false);
	first_child("aes256gcm16-esn", IKE_ENCR_AES_GCM_16, 36, 0, 0, true);
}

static void child_up_cbc_hmac(void **state)
{
	(void)state;
	first_child("aes256-sha256", IKE_ENCR_AES_CBC, 32, IKE_INTEG_HMAC_SHA2_256_128, 32, false);
	first_child("aes128-sha1", IKE_ENCR_AES_CBC, 16, IKE_INTEG_HMAC_SHA1_96, 20, false);
}

/* A CHILD rekey started by the IKE SA's responder: that side initiated the exchange, so ei/ai are what it sends. */
static void rekey_by_responder(void **state)
{
	(void)state;
	pair pr;
	seen s[2] = { 0 };
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128-sha256-x25519");
	pr.user = s;
	pr.sa_hook = record;
	pr.record_trace = true;
	pair_start(&pr, 12);
	pair_run(&pr, 10 * SEC);
	uint32_t old_in = s[1].up[0].k.spi_in;
	assert_int_equal(ike_peer_rekey_child(pr.peer[1], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(s[0].n_up, 2);
	assert_int_equal(s[1].n_up, 2);
	const child_seen *a = &s[0].up[1], *b = &s[1].up[1];
	assert_true(b->k.initiator);
	mirrored(a, b);
	assert_int_equal(b->k.rekey_of, old_in);
	assert_int_equal(a->k.rekey_of, s[0].up[0].k.spi_in);
	assert_int_equal(a->k.pfs, IKE_DH_CURVE25519);
	assert_true(memcmp(a->ei, s[0].up[0].ei, a->k.e_len) != 0);
	matches_trace(&pr, 0, a);
	matches_trace(&pr, 1, b);
	pair_free(&pr);
}

size_t tests_child_keys(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(child_up_aead),
		cmocka_unit_test(child_up_cbc_hmac),
		cmocka_unit_test(rekey_by_responder),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
