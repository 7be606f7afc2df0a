/*
 * The liveness and delete handlers under hostile input with real keys: mutated INFORMATIONAL responses to our
 * liveness check, our CHILD Delete and our IKE Delete, and mutated INFORMATIONAL requests reaching an SA whose
 * Delete or liveness check is out, all sealed with the peer's real SK_e so they get past decryption.
 * ASan/UBSan catch bad accesses and leaks; each step checks the SA stays consistent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fuzzrand.h"
#include "pair.h"
#include "sealfx.h"
#include "test_list.h.in"
#include "wire/v2.h"

#define ROUNDS 6000
#define SEC SEALFX_SEC

/* Once up, everything side 1 sends is lost: the test answers in its place. */
static bool mute_side1(pair *pr, int side, const uint8_t *d, size_t len)
{
	(void)pr, (void)d, (void)len;
	return side != 1;
}

/* Inner chains a response or request may carry: empty, Deletes, notifies, and all of them. */
static size_t base_chain(size_t pick, uint32_t child_spi, uint8_t *out, size_t cap, uint8_t *first)
{
	v2_builder b;
	uint8_t spi[8], none[1] = { 0 };
	ike_put_u32(spi, child_spi);
	ike_put_u32(spi + 4, 0xc0ffee01);
	v2_begin_chain(&b, out, cap);
	if (pick == 1 || pick == 4)
		v2_add_delete(&b, 3, 4, spi, 2);
	if (pick == 2 || pick == 4)
		v2_add_delete(&b, 1, 0, none, 0);
	if (pick == 3 || pick == 4) {
		v2_add_notify(&b, 0, NULL, 0, V2_N_INVALID_SYNTAX, NULL, 0);
		v2_add_notify(&b, 3, spi, 4, V2_N_CHILD_SA_NOT_FOUND, NULL, 0);
	}
	assert_false(b.w.err);
	*first = b.first;
	return b.w.len;
}

typedef struct rig {
	pair pr;
	sealfx_conf c;
	sealfx_keys k;
	uint32_t child_spi; /* side 1's inbound ESP SPI (side 0's outbound): what side 1 would name in a Delete */
	uint32_t req1;      /* message ID of side 1's next forged request */
	bool up;
} rig;

static void rig_up(rig *r, uint64_t seed)
{
	memset(&r->c, 0, sizeof(r->c));
	pair_init(&r->pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	r->pr.conn[0].dpd_delay = 2 * SEC;
	r->pr.filter = sealfx_filter;
	r->pr.user = &r->c;
	pair_start(&r->pr, seed);
	pair_run(&r->pr, 1 * SEC);
	sealfx_expect(&r->pr, 0, "ESTABLISHED", "INSTALLED", 0);
	sealfx_read_keys(&r->pr, &r->k);
	/* the IKE_AUTH response (side 1's last message) names side 1's inbound SPI in its SA payload */
	uint8_t pt[SEALFX_MSG_MAX], first;
	size_t n = sealfx_open(&r->pr, &r->k, 1, r->c.last[1], r->c.last_len[1], pt, sizeof(pt), &first);
	v2_chain ch;
	uint8_t bad;
	v2_sa sa;
	assert_int_equal(v2_parse_chain(first, pt, n, 0, &ch, &bad), V2_OK);
	const v2_payload *psa = v2_chain_find(&ch, V2_PL_SA);
	assert_non_null(psa);
	assert_int_equal(v2_parse_sa(psa->body, psa->len, &sa), V2_OK);
	r->child_spi = ike_get_u32(sa.prop[0].spi);
	r->pr.record_trace = false;
	r->c.rewrite = mute_side1;
	r->req1 = 0;
	r->up = true;
}

/* Makes side 0 send a request: a liveness check (wait for it), a CHILD Delete or an IKE Delete. */
static void provoke(rig *r, size_t how)
{
	size_t sends = r->c.sends[0];
	if (how == 0)
		pair_run_pending(&r->pr, r->pr.now + 3 * SEC);
	else if (how == 1)
		(void)ike_peer_delete_child(r->pr.peer[0], r->pr.now, 0, 0);
	else
		(void)ike_peer_delete(r->pr.peer[0], r->pr.now, 0);
	if (r->c.sends[0] == sends) /* nothing went out (no CHILD SA left, say): a liveness check will */
		pair_run_pending(&r->pr, r->pr.now + 3 * SEC);
}

static void one_round(rig *r, uint64_t *rs)
{
	uint8_t inner[256], msg[SEALFX_MSG_MAX], first;
	size_t how = fuzz_below(rs, 6); /* liveness check 3/6, CHILD Delete 2/6, IKE Delete 1/6 */
	provoke(r, how < 3 ? 0 : how < 5 ? 1 : 2);
	const uint8_t *out = r->c.last[0];
	bool outstanding = r->c.last_len[0] > 28 && !(out[19] & V2_F_RESPONSE);
	size_t ilen = base_chain(fuzz_below(rs, 5), r->child_spi, inner, sizeof(inner), &first);
	ilen = fuzz_mutate(rs, inner, ilen);
	if (!fuzz_below(rs, 8))
		first = (uint8_t)fuzz_rnd(rs);
	size_t n;
	if (outstanding && fuzz_below(rs, 3)) { /* answer our request, mutated */
		n = sealfx_seal(&r->pr, &r->k, 1, out[18], true, ike_get_u32(out + 20), first, inner, ilen, msg,
				sizeof(msg));
	} else { /* a request of the peer reaching an SA with its own request out */
		n = sealfx_seal(&r->pr, &r->k, 1, V2_INFORMATIONAL, false, r->req1, first, inner, ilen, msg, sizeof(msg));
	}
	size_t sends = r->c.sends[0];
	sealfx_inject(&r->pr, 0, msg, n);
	pair_run_pending(&r->pr, r->pr.now + 100 * 1000 * 1000);
	if (r->c.sends[0] > sends && (r->c.last[0][19] & V2_F_RESPONSE))
		r->req1++; /* our forged request was taken and answered */
	assert_true(ike_peer_sa_count(r->pr.peer[0]) <= 1);
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(r->pr.peer[0], 0, &st), 0);
	r->up = strcmp(st.ike_state, "ESTABLISHED") == 0;
}

static void live_handlers_survive_mutated_messages(void **state)
{
	(void)state;
	rig *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	uint64_t rs = 0x11fe0ddba11ULL;
	size_t pairs = 0, kept = 0;
	for (size_t it = 0; it < ROUNDS; it++) {
		if (!r->up) {
			if (pairs++)
				pair_free(&r->pr);
			rig_up(r, 500 + it);
		}
		one_round(r, &rs);
		kept += r->up;
	}
	print_message("%d mutated INFORMATIONAL messages: %zu pairs, the SA survived %zu of them\n", ROUNDS, pairs, kept);
	assert_true(pairs > 1 && kept > 0);
	pair_free(&r->pr);
	free(r);
}

size_t tests_live_fuzz(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(live_handlers_survive_mutated_messages),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
