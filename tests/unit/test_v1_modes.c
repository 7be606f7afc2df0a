/*
 * IKEv1 Main Mode (PSK) and Quick Mode between two engine peers (pair.h with version 1): both reach
 * ESTABLISHED/INSTALLED, the ESP keys each side hands its data plane are the other's mirror, PFS changes the
 * KEYMAT, a wrong PSK and a proposal mismatch fail with the right notify, lost messages are retransmitted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "certfx.h"
#include "common/buf.h"
#include "pair.h"
#include "test_list.h.in"

typedef struct seen {
	ike_child_keys k[2];
	uint8_t keys[2][4][64];
	int up[2], ike_up[2], failed[2];
	uint8_t m[16][2048];
	size_t mlen[16], nm;
	int mside[16];
} seen;

static void record(pair *pr, int side, const ike_sa_event *ev)
{
	seen *s = pr->user;
	if (ev->kind == IKE_EV_IKE_UP)
		s->ike_up[side]++;
	if (ev->kind == IKE_EV_IKE_FAILED)
		s->failed[side]++;
	if (ev->kind != IKE_EV_CHILD_UP || !ev->child)
		return;
	s->up[side]++;
	s->k[side] = *ev->child;
	const uint8_t *src[4] = { ev->child->ei, ev->child->er, ev->child->ai, ev->child->ar };
	for (int i = 0; i < 4; i++)
		if (src[i])
			memcpy(s->keys[side][i], src[i], i < 2 ? ev->child->e_len : ev->child->a_len);
}

static void v1_pair(pair *pr, seen *s, const char *ike, const char *esp)
{
	memset(s, 0, sizeof(*s));
	pair_init(pr, ike, esp);
	pr->conn[0].version = pr->conn[1].version = 1;
	pr->user = s;
	pr->sa_hook = record;
}

static void expect_up(pair *pr, const seen *s)
{
	for (int side = 0; side < 2; side++) {
		ike_conn_status st;
		assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
		assert_string_equal(st.ike_state, "ESTABLISHED");
		assert_string_equal(st.child_state, "INSTALLED");
		assert_int_equal(s->up[side], 1);
		assert_int_equal(s->ike_up[side], 1);
	}
	const ike_child_keys *i = &s->k[0], *r = &s->k[1];
	assert_true(i->initiator && !r->initiator);
	assert_int_equal(i->spi_in, r->spi_out);
	assert_int_equal(i->spi_out, r->spi_in);
	assert_int_equal(i->e_len, r->e_len);
	assert_int_equal(i->a_len, r->a_len);
	/* ei/ai protect what the initiator sends: both sides must hold the same bytes for each direction */
	assert_memory_equal(s->keys[0][0], s->keys[1][0], i->e_len);
	assert_memory_equal(s->keys[0][1], s->keys[1][1], i->e_len);
	assert_memory_not_equal(s->keys[0][0], s->keys[0][1], i->e_len);
	if (i->a_len) {
		assert_memory_equal(s->keys[0][2], s->keys[1][2], i->a_len);
		assert_memory_equal(s->keys[0][3], s->keys[1][3], i->a_len);
	}
}

static void v1_main_quick_psk(void **state)
{
	(void)state;
	pair pr;
	seen s;
	v1_pair(&pr, &s, "aes256-sha256-modp2048", "aes128-sha256");
	pair_start(&pr, 1);
	pair_run(&pr, 10 * IKE_NS_PER_SEC);
	expect_up(&pr, &s);
	assert_int_equal(s.k[0].pfs, 0);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "ID_PROT"), 3);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "ID_PROT"), 3);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "QUICK_MODE"), 2);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "QUICK_MODE"), 1);
	assert_int_equal(pair_count(&pr, -1, "ike.retransmit", NULL), 0);
	assert_int_equal(pair_count(&pr, 0, "i-auth-ok", NULL), 1);
	assert_int_equal(pair_count(&pr, 1, "r-installed", NULL), 1);
	ike_conn_status st;
	ike_peer_conn_status(pr.peer[0], 0, &st);
	assert_string_equal(st.selected_ike, "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048");
	assert_string_equal(st.selected_esp, "AES_CBC_128/HMAC_SHA2_256_128");
	assert_int_equal(pair_count(&pr, -1, "sa.selected", "\"sa\":\"ike\",\"proposal\":\"AES_CBC_256/HMAC_SHA2_256_128/"
							"PRF_HMAC_SHA2_256/MODP_2048\""), 2);
	assert_int_equal(pair_count(&pr, -1, "sa.selected", "\"hash-alg\":\"SHA2_256\",\"auth-method\":\"PSK\""), 2);
	assert_int_equal(pair_count(&pr, -1, "sa.selected", "\"sa\":\"esp\",\"proposal\":\"AES_CBC_128/HMAC_SHA2_256_128\""), 2);
	pair_free(&pr);
}

static void v1_quick_pfs_gcm(void **state)
{
	(void)state;
	pair pr;
	seen s;
	v1_pair(&pr, &s, "aes128-sha1-modp2048", "aes256gcm16-ecp256");
	pair_start(&pr, 2);
	pair_run(&pr, 10 * IKE_NS_PER_SEC);
	expect_up(&pr, &s);
	assert_int_equal(s.k[0].pfs, 19);
	assert_int_equal(s.k[0].a_len, 0);
	assert_int_equal(s.k[0].e_len, 36); /* AES-256 key + 4 salt bytes */
	assert_int_equal(pair_count(&pr, 0, "QUICK_MODE request", "KE"), 1);
	pair_free(&pr);
}

static void v1_wrong_psk(void **state)
{
	(void)state;
	pair pr;
	seen s;
	v1_pair(&pr, &s, "aes256-sha256-modp2048", "aes128-sha256");
	pr.conn[1].psk = (const uint8_t *)"other!";
	pair_start(&pr, 3);
	pair_run(&pr, 30 * IKE_NS_PER_SEC);
	ike_conn_status st;
	ike_peer_conn_status(pr.peer[1], 0, &st);
	assert_string_equal(st.ike_state, "NONE");
	assert_int_equal(st.last_error, 24); /* AUTHENTICATION-FAILED */
	ike_peer_conn_status(pr.peer[0], 0, &st);
	assert_string_equal(st.ike_state, "NONE");
	assert_int_equal(st.last_error, 24);
	assert_int_equal(s.up[0] + s.up[1], 0);
	assert_int_equal(pair_count(&pr, 1, "auth-failed", NULL), 1);
	pair_free(&pr);
}

static void v1_no_proposal(void **state)
{
	(void)state;
	pair pr;
	seen s;
	v1_pair(&pr, &s, "aes256-sha256-modp2048", "aes128-sha256");
	pair_set_proposals(&pr.conn[1].ike, "aes128-sha1-modp3072", 1);
	pair_start(&pr, 4);
	pair_run(&pr, 30 * IKE_NS_PER_SEC);
	ike_conn_status st;
	ike_peer_conn_status(pr.peer[0], 0, &st);
	assert_string_equal(st.ike_state, "NONE");
	assert_int_equal(st.last_error, 14); /* NO-PROPOSAL-CHOSEN */
	assert_int_equal(pair_count(&pr, 1, "r-refused", NULL), 1);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);
}

/* Quick Mode with PFS offered by one side only: NO-PROPOSAL-CHOSEN in phase 2, the ISAKMP SA stays. */
static void v1_quick_no_proposal(void **state)
{
	(void)state;
	pair pr;
	seen s;
	v1_pair(&pr, &s, "aes256-sha256-modp2048", "aes128-sha256-modp2048");
	pair_set_proposals(&pr.child[1].esp, "aes128-sha256", 3);
	pair_start(&pr, 5);
	pair_run(&pr, 30 * IKE_NS_PER_SEC);
	ike_conn_status st;
	ike_peer_conn_status(pr.peer[0], 0, &st);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_string_equal(st.child_state, "NONE"); /* the refused IPsec SA is gone, as IKEv2 reports it */
	assert_int_equal(st.child_sas, 0);
	assert_int_equal(st.last_error, 14);
	pair_free(&pr);
}

/* Drop the n-th datagram of side 0 (MM3) and of side 1 (MM6): both are recovered by retransmission. */
static bool drop_some(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)pr;
	(void)data;
	(void)len;
	return !((side == 0 && n == 2) || (side == 1 && n == 3) || (side == 1 && n == 4));
}

static void v1_retransmit(void **state)
{
	(void)state;
	pair pr;
	seen s;
	v1_pair(&pr, &s, "aes256-sha256-modp2048", "aes128-sha256");
	pr.filter = drop_some;
	pair_start(&pr, 6);
	pair_run(&pr, 60 * IKE_NS_PER_SEC);
	expect_up(&pr, &s);
	assert_true(pair_count(&pr, 0, "ike.retransmit", "no answer") >= 2);
	assert_true(pair_count(&pr, 1, "ike.dup", "resent our answer") >= 1); /* MM6 again for a repeated MM5 */
	pair_free(&pr);
}

/* Side 1 goes silent after Quick Mode 2 (its 4th datagram): side 0's R-U-THERE is never answered. */
static bool silent_after_qm(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)pr;
	(void)data;
	(void)len;
	return side == 0 || n <= 4;
}

static void v1_dpd_dead_and_answered(void **state)
{
	(void)state;
	for (int silent = 0; silent < 2; silent++) {
		pair pr;
		seen s;
		v1_pair(&pr, &s, "aes256-sha256-modp2048", "aes128-sha256");
		pr.conn[0].dpd_delay = 5 * IKE_NS_PER_SEC;
		pr.conn[0].dpd_action = IKE_DPD_CLEAR;
		if (silent)
			pr.filter = silent_after_qm;
		pair_start(&pr, 7);
		pair_run(&pr, (silent ? 20 : 12) * IKE_NS_PER_SEC);
		ike_conn_status st;
		ike_peer_conn_status(pr.peer[0], 0, &st);
		if (!silent) {
			assert_string_equal(st.ike_state, "ESTABLISHED");
			assert_int_equal(pair_count(&pr, 0, "dpd", "\"answered\""), 2); /* at 5 s and 10 s */
			assert_int_equal(pair_count(&pr, 1, "INFORMATIONAL", "N(R-U-THERE-ACK)"), 2);
			assert_int_equal(pair_count(&pr, 0, "ike.rx", "R-U-THERE-ACK"), 2);
		} else {
			assert_string_equal(st.ike_state, "NONE");
			assert_true(st.timed_out);
			assert_int_equal(pair_count(&pr, 0, "ike.retransmit", "INFORMATIONAL"), 3);
			assert_int_equal(pair_count(&pr, 0, "dpd", "\"dead\""), 1);
			assert_int_equal(pair_count(&pr, 0, "dead-peer", NULL), 1);
			assert_int_equal(pair_count(&pr, 0, "child_sa.state", "\"gone\""), 1);
		}
		pair_free(&pr);
	}
}

static void v1_delete_both(void **state)
{
	(void)state;
	pair pr;
	seen s;
	v1_pair(&pr, &s, "aes256-sha256-modp2048", "aes128-sha256");
	pair_start(&pr, 8);
	pair_run(&pr, 2 * IKE_NS_PER_SEC);
	expect_up(&pr, &s);
	assert_int_equal(ike_peer_delete(pr.peer[0], pr.now, 0), 1);
	pair_run_pending(&pr, 4 * IKE_NS_PER_SEC);
	for (int side = 0; side < 2; side++) {
		ike_conn_status st;
		ike_peer_conn_status(pr.peer[side], 0, &st);
		assert_string_equal(st.ike_state, "NONE");
		assert_int_equal(ike_peer_sa_count(pr.peer[side]), 0);
	}
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "INFORMATIONAL request"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "[ HASH D(ESP) D(ISAKMP) ]\",\"exchange\":\"INFORMATIONAL\",\"msgid\""), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "\"flags\":\"E\""), 4); /* MM5, QM1, QM3, the Delete */
	assert_int_equal(pair_count(&pr, 1, "delete-recv", NULL), 1);
	assert_int_equal(pair_count(&pr, 1, "child_sa.state", "\"deleted\""), 1);
	pair_free(&pr);
}

static void v1_aggressive_psk(void **state)
{
	(void)state;
	for (int refuse = 0; refuse < 2; refuse++) {
		pair pr;
		seen s;
		v1_pair(&pr, &s, "aes128-sha256-modp2048,aes256-sha1-ecp256", "aes128-sha256");
		pr.conn[0].aggressive = true;
		pr.conn[1].aggressive = !refuse; /* a responder takes Aggressive Mode only when configured to */
		pair_start(&pr, 9);
		pair_run(&pr, 10 * IKE_NS_PER_SEC);
		if (refuse) {
			ike_conn_status st;
			ike_peer_conn_status(pr.peer[0], 0, &st);
			assert_string_equal(st.ike_state, "NONE");
			assert_int_equal(st.last_error, 14);
			assert_int_equal(pair_count(&pr, 1, "r-refused", "not enabled"), 1);
			pair_free(&pr);
			continue;
		}
		expect_up(&pr, &s);
		assert_int_equal(pair_count(&pr, 0, "ike.tx", "AGGRESSIVE request 0 [ SA KE No ID V V ]"), 1);
		assert_int_equal(pair_count(&pr, 1, "ike.tx", "AGGRESSIVE response 0 [ SA KE No ID HASH V V NAT-D NAT-D ]"), 1);
		assert_int_equal(pair_count(&pr, 0, "ike.tx", "AGGRESSIVE request 0 [ HASH NAT-D NAT-D ]"), 1);
		assert_int_equal(pair_count(&pr, -1, "ike.tx", "ID_PROT"), 0);
		assert_int_equal(pair_count(&pr, 0, "am-i-auth-ok", NULL), 1);
		assert_int_equal(pair_count(&pr, 1, "am-r-auth-ok", NULL), 1);
		ike_conn_status st;
		ike_peer_conn_status(pr.peer[1], 0, &st);
		assert_string_equal(st.selected_ike, "AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048");
		pair_free(&pr);
	}
}

static void v1_aggressive_wrong_psk(void **state)
{
	(void)state;
	pair pr;
	seen s;
	v1_pair(&pr, &s, "aes128-sha256-modp2048", "aes128-sha256");
	pr.conn[0].aggressive = pr.conn[1].aggressive = true;
	pr.conn[1].psk = (const uint8_t *)"other!";
	pair_start(&pr, 10);
	pair_run(&pr, 30 * IKE_NS_PER_SEC);
	ike_conn_status st;
	ike_peer_conn_status(pr.peer[0], 0, &st);
	assert_string_equal(st.ike_state, "NONE");
	assert_int_equal(st.last_error, 24); /* the initiator finds HASH_R wrong */
	assert_int_equal(pair_count(&pr, 0, "auth-failed", "HASH_R does not verify"), 1);
	pair_free(&pr);
}

/* Phase 2 rekey every 3 s (a new Quick Mode, then Delete(ESP) of the old SA) and phase 1 at 7 s (a new Main Mode
 * and Quick Mode, then Delete of the old ISAKMP SA and its IPsec SA). */
static void v1_rekeys(void **state)
{
	(void)state;
	pair pr;
	seen s;
	v1_pair(&pr, &s, "aes256-sha256-modp2048", "aes128-sha256-modp2048");
	pr.child[0].life.rekey = 3 * IKE_NS_PER_SEC;
	pr.conn[0].ike_life.rekey = 7 * IKE_NS_PER_SEC;
	pair_start(&pr, 11);
	pair_run(&pr, 8 * IKE_NS_PER_SEC);
	for (int side = 0; side < 2; side++) {
		ike_conn_status st;
		ike_peer_conn_status(pr.peer[side], 0, &st);
		assert_string_equal(st.ike_state, "ESTABLISHED");
		assert_string_equal(st.child_state, "INSTALLED");
		assert_int_equal(st.ike_sas, 1);
		assert_int_equal(st.child_sas, 1);
		/* Quick Modes: at 0, 3 and 6 s on the first ISAKMP SA, then one on the new ISAKMP SA at 7 s */
		assert_int_equal(s.up[side], 4);
		assert_int_equal(s.ike_up[side], 2);
		assert_int_equal(pair_count(&pr, side, "child_sa.state", "\"rekeyed\""), 2);
		assert_int_equal(pair_count(&pr, side, "child_sa.state", "\"deleted\""), 1); /* with the old ISAKMP SA */
	}
	assert_int_equal(pair_count(&pr, 0, "delete-sent", "replaced by a new ISAKMP SA"), 1);
	assert_int_equal(pair_count(&pr, 1, "delete-recv", NULL), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "[ HASH D(ESP) ]"), 2);
	assert_int_equal(pair_count(&pr, 0, "kdf", "g(qm)^xy (PFS)"), 4);
	assert_int_equal(s.k[0].rekey_of, 0); /* the last one came with a new ISAKMP SA */
	assert_int_equal(ike_peer_sa_count(pr.peer[0]), 1); /* the old ISAKMP SA is gone on both sides */
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 1);
	pair_free(&pr);
}

/* Main Mode with RSA signatures: ID CERT SIG in MM5/MM6, SKEYID from the nonces and g^xy; a certificate from
 * another CA is refused with AUTHENTICATION-FAILED. */
static void v1_main_mode_rsa(void **state)
{
	(void)state;
	const certfx_set *r = certfx_get('r'), *o = certfx_get('o');
	for (int bad = 0; bad < 2; bad++) {
		pair pr;
		seen s;
		v1_pair(&pr, &s, "aes256-sha256-modp2048", "aes128-sha256");
		ike_cred *a = certfx_cred(&r->a, &r->ca), *b = bad ? certfx_cred(&r->b, &o->ca) : certfx_cred(&r->b, &r->ca);
		pair_set_creds(&pr, a, b);
		pair_start(&pr, 12);
		pair_run(&pr, 10 * IKE_NS_PER_SEC);
		if (!bad) {
			expect_up(&pr, &s);
			assert_int_equal(pair_count(&pr, 0, "ike.tx", "ID_PROT request 0 [ ID CERT SIG N(INITIAL-CONTACT) ]"), 1);
			assert_int_equal(pair_count(&pr, 1, "ike.tx", "ID_PROT response 0 [ ID CERT SIG ]"), 1);
			assert_int_equal(pair_count(&pr, -1, "kdf", "\"inputs\":[\"Ni\",\"Nr\",\"g^xy\"]"), 2);
		} else {
			ike_conn_status st;
			ike_peer_conn_status(pr.peer[1], 0, &st);
			assert_string_equal(st.ike_state, "NONE");
			assert_int_equal(st.last_error, 24);
			assert_int_equal(pair_count(&pr, 1, "auth-failed", "certificate is not trusted"), 1);
		}
		pair_free(&pr);
		ike_cred_free(a);
		ike_cred_free(b);
	}
}

/* Keeps every datagram (for the mutation test) and lets it through. */
static bool keep_all(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)n;
	seen *s = pr->user;
	if (s->nm < 16 && len <= sizeof(s->m[0])) {
		memcpy(s->m[s->nm], data, len);
		s->mlen[s->nm] = len;
		s->mside[s->nm++] = side;
	}
	return true;
}

/* Bit flips and truncations of each message, fed back to both established peers: dropped or refused, never a
 * crash (ASan), and the SAs stay up (nothing unauthenticated changes them). */
static void v1_mutations(void **state)
{
	(void)state;
	pair pr;
	seen s;
	v1_pair(&pr, &s, "aes256-sha256-modp2048", "aes128-sha256-modp2048");
	pr.filter = keep_all;
	pair_start(&pr, 13);
	pair_run(&pr, 2 * IKE_NS_PER_SEC);
	expect_up(&pr, &s);
	assert_int_equal(s.nm, 9); /* MM1..MM6, QM1..QM3 */
	uint8_t buf[2048];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (size_t k = 0; k < s.nm; k++) {
		int to = 1 - s.mside[k];
		for (int round = 0; round < 200; round++) {
			size_t len = s.mlen[k];
			memcpy(buf, s.m[k], len);
			for (int f = 0; f < 1 + round % 3; f++) { /* one to three bytes changed anywhere */
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				buf[x % len] ^= (uint8_t)(1u << (x >> 32) % 8);
			}
			if (round % 5 == 4) { /* and truncated, with the header Length following or not */
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				len = 1 + (size_t)(x % len);
				if (round % 10 == 9 && len >= 28)
					ike_put_u32(buf + 24, (uint32_t)len);
			}
			(void)ike_peer_input(pr.peer[to], pr.now, &pr.conn[to].remote, &pr.conn[to].local, buf, len);
		}
	}
	for (int side = 0; side < 2; side++) {
		ike_conn_status st;
		ike_peer_conn_status(pr.peer[side], 0, &st);
		assert_string_equal(st.ike_state, "ESTABLISHED");
		assert_string_equal(st.child_state, "INSTALLED");
	}
	assert_true(ike_peer_sa_count(pr.peer[1]) > 1); /* mutated Main Mode 1s made half-open responder SAs... */
	pair_run_pending(&pr, 40 * IKE_NS_PER_SEC);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 1); /* ...which the half-open timeout removed */
	assert_int_equal(ike_peer_sa_count(pr.peer[0]), 1);
	pair_free(&pr);
}

size_t tests_v1_modes(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_main_quick_psk),   cmocka_unit_test(v1_quick_pfs_gcm),
		cmocka_unit_test(v1_wrong_psk),        cmocka_unit_test(v1_no_proposal),
		cmocka_unit_test(v1_quick_no_proposal), cmocka_unit_test(v1_retransmit),
		cmocka_unit_test(v1_dpd_dead_and_answered), cmocka_unit_test(v1_delete_both),
		cmocka_unit_test(v1_aggressive_psk), cmocka_unit_test(v1_aggressive_wrong_psk),
		cmocka_unit_test(v1_rekeys), cmocka_unit_test(v1_main_mode_rsa),
		cmocka_unit_test(v1_mutations),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
