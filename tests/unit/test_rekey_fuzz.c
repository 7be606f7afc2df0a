/*
 * CREATE_CHILD_SA behind decryption under mutation, sealed with the pair's real keys (sealfx.h): mutated
 * requests (a new CHILD SA with KE, a CHILD rekey naming the real CHILD SA, an IKE rekey) to the responder,
 * and mutated responses to our own CHILD and IKE rekeys (with and without PFS) to the initiator.
 * ASan/UBSan catch bad accesses and leaks; the checks are that every request is answered and nothing piles up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fuzzrand.h"
#include "ikev2/sa.h"
#include "sealfx.h"
#include "test_list.h.in"
#include "wire/v2.h"

#define SEC SEALFX_SEC
#define REQUESTS 3000
#define RESPONSES 600

static uint32_t side0_child_spi(const pair *pr)
{
	const ike_peer *p = pr->peer[0];
	for (size_t b = 0; b < p->nbuckets; b++)
		for (const v2_ike_sa *sa = p->by_local[b]; sa; sa = sa->next_local)
			if (sa->children)
				return sa->children->spi_in;
	return 0;
}

/* The three request bases: new CHILD SA with PFS, CHILD rekey of the real CHILD SA, IKE rekey. */
static size_t base_request(int which, uint32_t child_spi, uint8_t *buf, size_t cap, uint8_t *first)
{
	v2_builder b;
	v2_begin_chain(&b, buf, cap);
	uint8_t ke[32];
	for (int i = 0; i < 32; i++)
		ke[i] = (uint8_t)(9 + 7 * i);
	if (which == 2) {
		v2_sa sa = { .n = 1 };
		sa.prop[0] = (v2_proposal){ .num = 1, .protocol = 1, .spi_size = 8, .spi = { 1, 2, 3, 4, 5, 6, 7, 8 }, .n = 3 };
		sa.prop[0].t[0] = (v2_transform){ 1, IKE_ENCR_AES_GCM_16, 128 };
		sa.prop[0].t[1] = (v2_transform){ 2, 5, 0 };  /* PRF_HMAC_SHA2_256 */
		sa.prop[0].t[2] = (v2_transform){ 4, 31, 0 }; /* x25519 */
		v2_add_sa(&b, &sa);
		uint8_t nonce[32] = { 3 };
		v2_add_nonce(&b, nonce, sizeof(nonce));
		v2_add_ke(&b, 31, ke, sizeof(ke));
	} else {
		if (which == 1) {
			uint8_t spi[4];
			ike_put_u32(spi, child_spi);
			v2_add_notify(&b, 3, spi, 4, V2_N_REKEY_SA, NULL, 0);
		}
		sealfx_add_child(&b, true);
		if (which == 0)
			v2_add_ke(&b, 31, ke, sizeof(ke));
	}
	*first = b.first;
	return b.w.err ? 0 : b.w.len;
}

static void mutated_ccsa_requests(void **state)
{
	(void)state;
	pair pr;
	sealfx_conf c;
	sealfx_keys k;
	uint8_t inner[1024], msg[SEALFX_MSG_MAX], first;
	uint64_t rs = 0xcc5a0001ULL;
	uint32_t msgid = 2, child = 0;
	size_t pairs = 0, kept = 0;
	bool up = false;
	for (size_t it = 0; it < REQUESTS; it++) {
		if (!up) {
			if (pairs++)
				pair_free(&pr);
			memset(&c, 0, sizeof(c));
			sealfx_establish(&pr, &c, 300 + it);
			pr.record_trace = false;
			sealfx_read_keys(&pr, &k);
			child = side0_child_spi(&pr);
			msgid = 2;
			up = true;
		}
		size_t len = base_request((int)fuzz_below(&rs, 3), child, inner, sizeof(inner), &first);
		assert_true(len > 0);
		if (fuzz_below(&rs, 8))
			len = fuzz_mutate(&rs, inner, len);
		size_t n = sealfx_seal(&pr, &k, 0, V2_CREATE_CHILD_SA, false, msgid++, first, inner, len, msg, sizeof(msg));
		size_t sends = c.sends[1];
		sealfx_inject(&pr, 1, msg, n);
		pair_run_pending(&pr, pr.now + 2 * SEC);
		assert_true(c.sends[1] >= sends + 1); /* answered (a rekeyed SA may also send its own Delete) */
		assert_true(ike_peer_sa_count(pr.peer[1]) <= 3);
		ike_conn_status st;
		assert_int_equal(ike_peer_conn_status(pr.peer[0], 0, &st), 0);
		/* forged rekeys leave side 0 behind; start over once side 1's original IKE SA is no longer usable */
		const v2_ike_sa *s1 = v2_find_local(pr.peer[1], k.spi_r);
		up = s1 && s1->state == V2_IKE_ESTABLISHED && strcmp(st.ike_state, "ESTABLISHED") == 0;
		kept += up;
	}
	print_message("%d mutated CREATE_CHILD_SA requests: %zu pairs, the IKE SA stayed up after %zu\n", REQUESTS, pairs,
		      kept);
	assert_true(pairs > 1 && kept > 0);
	pair_free(&pr);
}

/* Side 1's CREATE_CHILD_SA responses are held back (the test sends a mutated copy instead). */
static bool hold_ccsa_response(pair *pr, int side, const uint8_t *d, size_t len)
{
	(void)pr;
	return !(side == 1 && len > 20 && d[18] == V2_CREATE_CHILD_SA && (d[19] & V2_F_RESPONSE));
}

static void mutated_ccsa_responses(void **state)
{
	(void)state;
	uint64_t rs = 0xcc5a0002ULL;
	size_t handled = 0;
	for (size_t it = 0; it < RESPONSES; it++) {
		pair pr;
		sealfx_conf c;
		sealfx_keys k;
		memset(&c, 0, sizeof(c));
		sealfx_establish(&pr, &c, 900 + it);
		pr.record_trace = false;
		sealfx_read_keys(&pr, &k);
		if (it % 3 == 1)
			for (int s = 0; s < 2; s++)
				pair_set_proposals(&pr.child[s].esp, "aes128gcm16-x25519", 3); /* PFS for the rekey */
		c.rewrite = hold_ccsa_response;
		int r = it % 3 == 2 ? ike_peer_rekey_ike(pr.peer[0], pr.now, 0) : ike_peer_rekey_child(pr.peer[0], pr.now, 0, 0);
		assert_int_equal(r, 1);
		pair_run_pending(&pr, pr.now + SEC / 2);
		const uint8_t *resp = c.last[1];
		assert_true(c.last_len[1] > 28 && resp[18] == V2_CREATE_CHILD_SA);
		uint8_t pt[SEALFX_MSG_MAX], msg[SEALFX_MSG_MAX], first;
		size_t len = sealfx_open(&pr, &k, 1, resp, c.last_len[1], pt, sizeof(pt), &first);
		if (fuzz_below(&rs, 10))
			len = fuzz_mutate(&rs, pt, len);
		if (!fuzz_below(&rs, 8))
			first = (uint8_t)fuzz_rnd(&rs);
		size_t n = sealfx_seal(&pr, &k, 1, V2_CREATE_CHILD_SA, true, ike_get_u32(resp + 20), first, pt, len, msg,
				       sizeof(msg));
		c.rewrite = NULL;
		sealfx_inject(&pr, 0, msg, n);
		pair_run_pending(&pr, pr.now + 30 * SEC);
		assert_true(ike_peer_sa_count(pr.peer[0]) <= 3);
		handled++;
		pair_free(&pr);
	}
	print_message("%zu mutated CREATE_CHILD_SA responses handled\n", handled);
}

size_t tests_rekey_fuzz(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(mutated_ccsa_requests),
		cmocka_unit_test(mutated_ccsa_responses),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
