/*
 * CREATE_CHILD_SA: CHILD SA rekeys with and without PFS, IKE SA rekeys (RFC 7296 2.18), simultaneous rekeys
 * of both kinds in both nonce orders (2.8.1, 2.8.2), a Delete racing a rekey, CHILD_SA_NOT_FOUND, an
 * INVALID_KE_PAYLOAD retry, additional CHILD SAs, and lifetimes with jitter. After each, both ends must hold
 * exactly one IKE SA and one CHILD SA of each kind with equal keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ikev2/sa.h"
#include "pair.h"
#include "test_list.h.in"

#define SEC (1000LL * 1000 * 1000)

static void up(pair *pr, const char *esp, uint64_t seed)
{
	pair_init(pr, "aes128gcm16-prfsha256-x25519", esp);
	pair_start(pr, seed);
	pair_run(pr, 10 * SEC);
}

static const v2_ike_sa *the_sa(const ike_peer *p)
{
	assert_int_equal(ike_peer_sa_count(p), 1);
	for (size_t b = 0; b < p->nbuckets; b++)
		if (p->by_local[b])
			return p->by_local[b];
	fail_msg("no SA");
	return NULL;
}

static size_t children(const v2_ike_sa *sa, uint8_t state)
{
	size_t n = 0;
	for (const v2_child_sa *c = sa->children; c; c = c->next)
		n += c->state == state;
	return n;
}

static size_t all_children(const v2_ike_sa *sa)
{
	size_t n = 0;
	for (const v2_child_sa *c = sa->children; c; c = c->next)
		n++;
	return n;
}

/* One IKE SA per side, the same SPIs, `n` CHILD SAs installed and paired by SPI, nothing else left over. */
static void settled(const pair *pr, size_t n)
{
	const v2_ike_sa *a = the_sa(pr->peer[0]), *b = the_sa(pr->peer[1]);
	assert_int_equal(a->state, V2_IKE_ESTABLISHED);
	assert_int_equal(b->state, V2_IKE_ESTABLISHED);
	assert_true(a->spi_i == b->spi_i && a->spi_r == b->spi_r);
	assert_int_equal(children(a, V2_CHILD_INSTALLED), n);
	assert_int_equal(all_children(a), n);
	assert_int_equal(all_children(b), n);
	for (const v2_child_sa *c = a->children; c; c = c->next) {
		const v2_child_sa *d = v2_child_find_in(b, c->spi_out);
		assert_non_null(d);
		assert_int_equal(d->spi_out, c->spi_in);
		assert_int_equal(d->state, V2_CHILD_INSTALLED);
		assert_int_equal(c->keymat_len, d->keymat_len);
		assert_memory_equal(c->keymat, d->keymat, c->keymat_len);
		assert_null(c->nonce_min);
		assert_null(d->nonce_min);
	}
	size_t ka = a->keys_len;
	assert_int_equal(ka, b->keys_len);
	assert_memory_equal(a->keys, b->keys, ka); /* SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr */
	assert_int_equal(a->ntasks + b->ntasks, 0);
	assert_null(a->req);
	assert_null(b->req);
}

static size_t errors(const pair *pr)
{
	return pair_count(pr, -1, " error {", NULL);
}

static void check_keymat_traced_equal(const pair *pr)
{
	char k0[512], k1[512];
	assert_true(pair_kdf_last(pr, 0, "KEYMAT", k0, sizeof(k0)) > 0);
	assert_true(pair_kdf_last(pr, 1, "KEYMAT", k1, sizeof(k1)) > 0);
	assert_string_equal(k0, k1);
}

static void child_rekey(const char *esp, const char *pfs, int side, uint64_t seed)
{
	pair pr;
	up(&pr, esp, seed);
	uint32_t before = the_sa(pr.peer[0])->children->spi_in;
	assert_int_equal(ike_peer_rekey_child(pr.peer[side], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	settled(&pr, 1);
	assert_int_not_equal(the_sa(pr.peer[0])->children->spi_in, before);
	char want[64];
	snprintf(want, sizeof(want), "\"pfs\":\"%s\"", pfs);
	assert_int_equal(pair_count(&pr, side, "child_sa.rekeyed", "\"reason\":\"manual\""), 1);
	assert_int_equal(pair_count(&pr, !side, "child_sa.rekeyed", "\"reason\":\"peer\""), 1);
	assert_int_equal(pair_count(&pr, -1, "child_sa.rekeyed", want), 2);
	assert_int_equal(pair_count(&pr, side, "child_sa.state", "\"transition\":\"rekeyed-delete-sent\""), 1);
	assert_int_equal(pair_count(&pr, !side, "child_sa.state", "\"transition\":\"rekeyed-delete-recv\""), 1);
	assert_int_equal(pair_count(&pr, -1, "\"name\":\"g^ir (PFS)\"", NULL), strcmp(pfs, "none") ? 2 : 0);
	check_keymat_traced_equal(&pr);
	/* the rekey's own nonces are kdf events too (IKE_SA_INIT's and CREATE_CHILD_SA's), the same on both sides */
	assert_int_equal(pair_count(&pr, 0, "\"name\":\"Ni\"", NULL), 2);
	assert_int_equal(pair_count(&pr, 1, "\"name\":\"Nr\"", NULL), 2);
	char n0[128], n1[128], f0[128];
	assert_true(pair_kdf_last(&pr, 0, "Nr", n0, sizeof(n0)) > 0);
	assert_true(pair_kdf_last(&pr, 1, "Nr", n1, sizeof(n1)) > 0);
	assert_true(pair_kdf_value(&pr, 0, "Nr", f0, sizeof(f0)) > 0);
	assert_string_equal(n0, n1);
	assert_string_not_equal(n0, f0);
	assert_int_equal(errors(&pr), 0);
	pair_free(&pr);
}

static void child_rekey_without_pfs(void **state)
{
	(void)state;
	child_rekey("aes128gcm16", "none", 0, 41);
	child_rekey("aes256-sha256", "none", 1, 42);
}

static void child_rekey_with_pfs(void **state)
{
	(void)state;
	child_rekey("aes128gcm16-x25519", "CURVE_25519", 0, 43);
	child_rekey("aes256-sha256-modp2048", "MODP_2048", 1, 44);
}

static void ike_rekey(int side, uint64_t seed)
{
	pair pr;
	up(&pr, "aes128gcm16", seed);
	const v2_ike_sa *old = the_sa(pr.peer[0]);
	uint64_t si = old->spi_i, sr = old->spi_r;
	uint32_t child = old->children->spi_in;
	assert_int_equal(ike_peer_rekey_ike(pr.peer[side], pr.now, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	settled(&pr, 1);
	const v2_ike_sa *nsa = the_sa(pr.peer[0]);
	assert_true(nsa->spi_i != si && nsa->spi_r != sr);
	assert_int_equal(nsa->children->spi_in, child); /* the CHILD SA moved, untouched */
	assert_int_equal(nsa->initiator, side == 0);      /* the rekey's initiator is the new SA's initiator */
	assert_int_equal(pair_count(&pr, -1, "ike_sa.rekeyed", NULL), 2);
	assert_int_equal(pair_count(&pr, side, "ike_sa.rekeyed", "\"reason\":\"manual\""), 1);
	assert_int_equal(pair_count(&pr, -1, "\"name\":\"SKEYSEED\"", "SK_d(old)"), 2);
	assert_int_equal(pair_count(&pr, side, "ike_sa.state", "\"transition\":\"rekeyed-delete-sent\""), 1);
	assert_int_equal(pair_count(&pr, !side, "ike_sa.state", "\"transition\":\"rekeyed-delete-recv\""), 1);
	char k0[256], k1[256];
	assert_true(pair_kdf_last(&pr, 0, "SKEYSEED", k0, sizeof(k0)) > 0);
	assert_true(pair_kdf_last(&pr, 1, "SKEYSEED", k1, sizeof(k1)) > 0);
	assert_string_equal(k0, k1);
	assert_int_equal(errors(&pr), 0);
	/* the new IKE SA works: a CHILD rekey over it */
	assert_int_equal(ike_peer_rekey_child(pr.peer[!side], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	settled(&pr, 1);
	pair_free(&pr);
}

static void ike_rekey_both_sides(void **state)
{
	(void)state;
	ike_rekey(0, 51);
	ike_rekey(1, 52);
}

/* Both sides rekey at once; returns which side made the survivor (the side that deleted the old SA). */
static int simultaneous(bool ike, uint64_t seed)
{
	pair pr;
	up(&pr, ike ? "aes128gcm16" : "aes128gcm16-x25519", seed);
	for (int s = 0; s < 2; s++)
		assert_int_equal(ike ? ike_peer_rekey_ike(pr.peer[s], pr.now, 0) : ike_peer_rekey_child(pr.peer[s], pr.now, 0, 0),
				 1);
	pair_run_pending(&pr, pr.now + 60 * SEC);
	settled(&pr, 1);
	const char *ev = ike ? "ike_sa.state" : "child_sa.state";
	size_t d0 = pair_count(&pr, 0, ev, "\"transition\":\"rekeyed-delete-sent\"");
	size_t d1 = pair_count(&pr, 1, ev, "\"transition\":\"rekeyed-delete-sent\"");
	assert_int_equal(d0 + d1, 1); /* exactly one side deletes the old SA */
	/* and the other deleted its redundant new one */
	assert_int_equal(pair_count(&pr, d0 ? 1 : 0, ev, "\"transition\":\"delete-sent\""), 1);
	assert_int_equal(pair_count(&pr, -1, ike ? "ike_sa.rekeyed" : "child_sa.rekeyed", "\"reason\":\"collision\""),
			 ike ? 2 : 4);
	assert_int_equal(errors(&pr), 0);
	pair_free(&pr);
	return d0 ? 0 : 1;
}

static void collisions(bool ike)
{
	int won[2] = { 0, 0 };
	for (uint64_t seed = 60; seed < 72 && (!won[0] || !won[1]); seed++)
		won[simultaneous(ike, seed)]++;
	assert_true(won[0] > 0 && won[1] > 0); /* both nonce orders seen */
}

static void simultaneous_child_rekeys(void **state)
{
	(void)state;
	collisions(false);
}

static void simultaneous_ike_rekeys(void **state)
{
	(void)state;
	collisions(true);
}

/* The old IKE SA's hard expiry comes on side `exp` while its own rekey of it is out (side 0's alone, or both
 * sides' at once: a collision) (review H11): the delete the expiry queued is the old SA's own and stays with it;
 * the surviving new IKE SA and the CHILD SA it inherited live on. */
static void expiry_during_ike_rekey(int exp, bool both, uint64_t seed)
{
	pair pr;
	up(&pr, "aes128gcm16", seed);
	uint32_t child = the_sa(pr.peer[0])->children->spi_in;
	for (int s = 0; s <= (int)both; s++)
		assert_int_equal(ike_peer_rekey_ike(pr.peer[s], pr.now, 0), 1);
	v2_dl_set((v2_ike_sa *)the_sa(pr.peer[exp]), V2_DL_EXPIRE, pr.now + 1); /* the rekey request is in flight */
	pair_run_pending(&pr, pr.now + 60 * SEC);
	settled(&pr, 1);
	assert_int_equal(the_sa(pr.peer[0])->children->spi_in, child);
	assert_int_equal(pair_count(&pr, -1, "ike_sa.rekeyed", NULL), 2);
	assert_int_equal(errors(&pr), 0);
	pair_free(&pr);
}

static void expiry_delete_stays_with_old_sa(void **state)
{
	(void)state;
	expiry_during_ike_rekey(0, false, 91);
	for (uint64_t seed = 92; seed < 96; seed++) /* either side expires, either nonce order */
		for (int exp = 0; exp < 2; exp++)
			expiry_during_ike_rekey(exp, true, seed);
}

/* Side 0 rekeys the CHILD SA while side 1 deletes it: the Delete wins (TEMPORARY_FAILURE, 2.25.1). */
static void delete_during_rekey(void **state)
{
	(void)state;
	pair pr;
	up(&pr, "aes128gcm16", 81);
	assert_int_equal(ike_peer_rekey_child(pr.peer[0], pr.now, 0, 0), 1);
	assert_int_equal(ike_peer_delete_child(pr.peer[1], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	settled(&pr, 0);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "N(TEMP_FAIL)"), 1);
	assert_int_equal(pair_count(&pr, 0, "child_sa.state", "\"transition\":\"rekeying-delete-recv\""), 1);
	pair_free(&pr);
}

/* An IKE rekey crossing a CHILD rekey: each is refused with TEMPORARY_FAILURE (2.25.2), both retried later. */
static void ike_rekey_crossing_child_rekey(void **state)
{
	(void)state;
	pair pr;
	up(&pr, "aes128gcm16", 86);
	assert_int_equal(ike_peer_rekey_ike(pr.peer[0], pr.now, 0), 1);
	assert_int_equal(ike_peer_rekey_child(pr.peer[1], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 60 * SEC);
	settled(&pr, 1);
	assert_int_equal(pair_count(&pr, -1, "ike.tx", "N(TEMP_FAIL)"), 2);
	assert_int_equal(pair_count(&pr, -1, "ike_sa.rekeyed", NULL), 2);
	assert_int_equal(pair_count(&pr, -1, "child_sa.rekeyed", NULL), 2);
	pair_free(&pr);
}

/* The peer lost the CHILD SA: our rekey is answered CHILD_SA_NOT_FOUND and we drop ours too (3.10.1). */
static void child_sa_not_found(void **state)
{
	(void)state;
	pair pr;
	up(&pr, "aes128gcm16", 82);
	v2_ike_sa *b = (v2_ike_sa *)the_sa(pr.peer[1]);
	v2_child_free(b, b->children);
	assert_int_equal(ike_peer_rekey_child(pr.peer[0], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	settled(&pr, 0);
	assert_int_equal(pair_count(&pr, 0, "child_sa.state", "\"transition\":\"rekeying-gone\""), 1);
	pair_free(&pr);
}

/* PFS group mismatch: the responder names its group in INVALID_KE_PAYLOAD and the rekey goes again with it. */
static void invalid_ke_retry(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16-x25519");
	pair_set_proposals(&pr.child[0].esp, "aes128gcm16-modp2048-x25519", 3);
	pair_start(&pr, 83);
	pair_run(&pr, 10 * SEC);
	assert_int_equal(ike_peer_rekey_child(pr.peer[0], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	settled(&pr, 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "N(INVAL_KE)"), 1);
	assert_int_equal(pair_count(&pr, -1, "child_sa.rekeyed", "\"pfs\":\"CURVE_25519\""), 2);
	pair_free(&pr);
}

/* A second child config with start = START comes up in CREATE_CHILD_SA right after IKE_AUTH. */
static void additional_child(void **state)
{
	(void)state;
	pair pr;
	ike_child_cfg two[2][2];
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	for (int s = 0; s < 2; s++) {
		two[s][0] = pr.child[s];
		two[s][1] = pr.child[s];
		two[s][1].name = "second";
		two[s][1].start = IKE_CHILD_START_START;
		char err[64];
		assert_int_equal(ike_ts_parse(s ? "10.4.0.0/16" : "10.3.0.0/16", &two[s][1].local_ts[0], err, sizeof(err)), 0);
		assert_int_equal(ike_ts_parse(s ? "10.3.0.0/16" : "10.4.0.0/16", &two[s][1].remote_ts[0], err, sizeof(err)), 0);
		pr.conn[s].children = two[s];
		pr.conn[s].n_children = 2;
	}
	pair_start(&pr, 84);
	pair_run(&pr, 10 * SEC);
	settled(&pr, 2);
	assert_int_equal(pair_count(&pr, -1, "child_sa.state", "\"child\":\"second\",\"spi-in\""), 4);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "CREATE_CHILD_SA request 2"), 1);
	/* the second one rekeys on its own */
	assert_int_equal(ike_peer_rekey_child(pr.peer[1], pr.now, 0, 1), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	settled(&pr, 2);
	assert_int_equal(pair_count(&pr, -1, "child_sa.rekeyed", "\"child\":\"second\""), 2);
	pair_free(&pr);
}

/* An IKE rekey from the responder crossing the initiator's creation of a second CHILD SA: both refused with
 * TEMPORARY_FAILURE, both done on retry. */
static void ike_rekey_crossing_child_create(void **state)
{
	(void)state;
	pair pr;
	ike_child_cfg two[2][2];
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	for (int s = 0; s < 2; s++) {
		two[s][0] = two[s][1] = pr.child[s];
		two[s][1].name = "second";
		two[s][1].start = IKE_CHILD_START_START;
		pr.conn[s].children = two[s];
		pr.conn[s].n_children = 2;
	}
	pair_start(&pr, 87);
	pair_run(&pr, 35 * 1000 * 1000); /* the responder is up (30 ms), the initiator not yet (40 ms) */
	assert_int_equal(ike_peer_rekey_ike(pr.peer[1], pr.now, 0), 1);
	pair_run_pending(&pr, pr.now + 60 * SEC);
	settled(&pr, 2);
	assert_int_equal(pair_count(&pr, -1, "ike.tx", "N(TEMP_FAIL)"), 2);
	assert_int_equal(pair_count(&pr, -1, "ike_sa.rekeyed", NULL), 2);
	pair_free(&pr);
}

/* Lifetimes: rekeys at rekey - uniform[0, rand], never a hard expiry while rekeys succeed. */
static void lifetimes_with_jitter(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	for (int s = 0; s < 2; s++) {
		pr.child[s].life = (ike_life_cfg){ .rekey = 100 * SEC, .rand = 20 * SEC, .over = 10 * SEC };
		pr.conn[s].ike_life = (ike_life_cfg){ .rekey = 350 * SEC, .rand = 50 * SEC, .over = 30 * SEC };
	}
	pr.record_trace = true;
	pair_start(&pr, 85);
	pair_run(&pr, 1000 * SEC);
	settled(&pr, 1);
	/* every CHILD SA install is followed by the next one 80..100 s later (the earlier of both sides' timers) */
	ike_time last = -1;
	size_t n = 0;
	for (size_t i = 0; i < pr.ntrace; i++) {
		const char *l = pr.trace[i];
		if (l[0] != '0' || !strstr(l, "child_sa.state") || !strstr(l, "\"to\":\"INSTALLED\""))
			continue;
		if (last >= 0 && !strstr(l, "\"transition\":\"installed\"")) {
			ike_time d = pr.trace_t[i] - last;
			if (d < 80 * SEC - SEC || d > 100 * SEC + SEC)
				fail_msg("CHILD rekey %zu came %lld ms after the last install", n, (long long)(d / 1000000));
			n++;
		}
		last = pr.trace_t[i];
	}
	assert_true(n >= 9 && n <= 13);
	size_t ike = pair_count(&pr, 0, "ike_sa.rekeyed", "\"reason\":\"lifetime\"") +
		     pair_count(&pr, 0, "ike_sa.rekeyed", "\"reason\":\"peer\"");
	assert_true(ike >= 2 && ike <= 4);
	assert_int_equal(pair_count(&pr, -1, "child_sa.state", "\"transition\":\"delete-sent\""), 0);
	assert_int_equal(errors(&pr), 0);
	pair_free(&pr);
}

/* SA events of side 0, in order. */
typedef struct evlog {
	ike_sa_event ev[32];
	bool keys[32];
	size_t n;
} evlog;

static void log_event(pair *pr, int side, const ike_sa_event *ev)
{
	evlog *l = pr->user;
	if (side != 0 || l->n >= 32)
		return;
	l->keys[l->n] = ev->keys != NULL;
	l->ev[l->n] = *ev;
	l->ev[l->n].keys = NULL; /* views valid only during the callback */
	l->ev[l->n++].why = NULL;
}

/* A rekey the peer starts is reported as a replacement: IKE_UP / CHILD_UP naming the old SA, then *_REKEYED. */
static void sa_events_name_the_replaced_sa(void **state)
{
	(void)state;
	pair pr;
	evlog l = { .n = 0 };
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.user = &l;
	pr.sa_hook = log_event;
	pair_start(&pr, 88);
	pair_run(&pr, 10 * SEC);
	const v2_ike_sa *sa = the_sa(pr.peer[0]);
	uint64_t oi = sa->spi_i, or = sa->spi_r;
	uint32_t cin = sa->children->spi_in, cout = sa->children->spi_out;
	assert_int_equal(ike_peer_rekey_child(pr.peer[1], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(ike_peer_rekey_ike(pr.peer[1], pr.now, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	settled(&pr, 1);
	sa = the_sa(pr.peer[0]);
	/* IKE_UP (new, keys), CHILD_UP; CHILD_UP (rekey), CHILD_REKEYED, CHILD_DOWN (old); IKE_UP (rekey, keys),
	 * IKE_REKEYED, IKE_DOWN (old) */
	static const uint8_t want[] = { IKE_EV_IKE_UP, IKE_EV_CHILD_UP, IKE_EV_CHILD_UP, IKE_EV_CHILD_REKEYED,
					IKE_EV_CHILD_DOWN, IKE_EV_IKE_UP, IKE_EV_IKE_REKEYED, IKE_EV_IKE_DOWN };
	assert_int_equal(l.n, sizeof(want));
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.ev[i].kind, want[i]);
	assert_true(l.ev[0].old_spi_i == 0 && l.ev[1].old_child_spi_in == 0); /* a new tunnel */
	assert_true(l.ev[2].old_child_spi_in == cin && l.ev[2].old_child_spi_out == cout);
	assert_true(l.ev[3].old_child_spi_in == cin && l.ev[3].child_spi_in == l.ev[2].child_spi_in);
	assert_true(l.ev[5].old_spi_i == oi && l.ev[5].old_spi_r == or && l.ev[5].spi_i == sa->spi_i);
	assert_true(l.ev[6].old_spi_i == oi && l.ev[6].spi_i == sa->spi_i && l.ev[6].spi_r == sa->spi_r);
	/* keys (for Wireshark's key table) with the IKE_UP of each IKE SA, and nowhere else */
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.keys[i], i == 0 || i == 5);
	pair_free(&pr);
}

size_t tests_rekey(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(child_rekey_without_pfs),
		cmocka_unit_test(child_rekey_with_pfs),
		cmocka_unit_test(ike_rekey_both_sides),
		cmocka_unit_test(simultaneous_child_rekeys),
		cmocka_unit_test(simultaneous_ike_rekeys),
		cmocka_unit_test(delete_during_rekey),
		cmocka_unit_test(expiry_delete_stays_with_old_sa),
		cmocka_unit_test(ike_rekey_crossing_child_rekey),
		cmocka_unit_test(child_sa_not_found),
		cmocka_unit_test(invalid_ke_retry),
		cmocka_unit_test(additional_child),
		cmocka_unit_test(ike_rekey_crossing_child_create),
		cmocka_unit_test(lifetimes_with_jitter),
		cmocka_unit_test(sa_events_name_the_replaced_sa),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
