/*
 * RFC 7296 error handling once a request has decrypted (issue 8, section 2, items 1 and 2): CREATE_CHILD_SA
 * refused with NO_ADDITIONAL_SAS and answered from the cache, unknown exchange types and malformed requests
 * answered with INVALID_SYNTAX and fatal on both sides, and the handlers under mutated requests. Requests
 * are forged with the pair's real keys (sealfx.h) and delivered through the pair.
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
#include "sealfx.h"
#include "test_list.h.in"
#include "wire/v2.h"

#define SEC SEALFX_SEC
#define MSG_MAX SEALFX_MSG_MAX

/* ---- item 1: CREATE_CHILD_SA and unknown exchange types ---- */

static void create_child_sa_requests_are_answered(void **state)
{
	(void)state;
	pair pr;
	sealfx_conf c = { 0 };
	sealfx_keys k;
	uint8_t inner[1024], first_answer[MSG_MAX];
	v2_builder b;
	sealfx_establish(&pr, &c, 31);
	sealfx_read_keys(&pr, &k);

	/* a new CHILD SA (RFC 7296 1.3.1) within the configured selectors: created */
	v2_begin_chain(&b, inner, sizeof(inner));
	sealfx_add_child(&b, true);
	sealfx_request(&pr, &k, V2_CREATE_CHILD_SA, 2, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "CREATE_CHILD_SA response 2 [ SA No TSi TSr ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "child_sa.state", "\"transition\":\"c-installed\""), 1);
	size_t first_len = c.last_len[1];
	memcpy(first_answer, c.last[1], first_len);

	/* the same request again: the cached answer, byte for byte (2.1), and no second CHILD SA */
	size_t sends = c.sends[1];
	sealfx_request(&pr, &k, V2_CREATE_CHILD_SA, 2, &b);
	assert_int_equal(c.sends[1], sends + 1);
	assert_int_equal(pair_count(&pr, 1, "ike.dup", "\"msgid\":2"), 1);
	assert_int_equal(c.last_len[1], first_len);
	assert_memory_equal(c.last[1], first_answer, first_len);
	assert_int_equal(pair_count(&pr, 1, "child_sa.state", "\"transition\":\"c-installed\""), 1);

	/* a rekey of a CHILD SA we do not have (N(REKEY_SA) with an unknown SPI): CHILD_SA_NOT_FOUND (3.10.1) */
	v2_begin_chain(&b, inner, sizeof(inner));
	uint8_t spi[4] = { 9, 9, 9, 9 }; /* not the 01020304 the new CHILD SA above was made with */
	v2_add_notify(&b, 3, spi, 4, V2_N_REKEY_SA, NULL, 0);
	sealfx_add_child(&b, true);
	sealfx_request(&pr, &k, V2_CREATE_CHILD_SA, 3, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "CREATE_CHILD_SA response 3 [ N(NO_CHILD_SA) ]"), 1);

	/* an empty INFORMATIONAL 4 is answered; the IKE SA and its CHILD SAs are still there */
	v2_begin_chain(&b, inner, sizeof(inner));
	sealfx_request(&pr, &k, V2_INFORMATIONAL, 4, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 4"), 1);
	sealfx_expect(&pr, 1, "ESTABLISHED", "INSTALLED", 0);

	/* an ESP proposal without TSi/TSr is malformed (2.21.3): INVALID_SYNTAX ends the IKE SA */
	v2_begin_chain(&b, inner, sizeof(inner));
	sealfx_add_child(&b, false);
	sealfx_request(&pr, &k, V2_CREATE_CHILD_SA, 5, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "CREATE_CHILD_SA response 5 [ N(INVAL_SYN) ]"), 1);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);
}

static void create_child_sa_without_nonce_is_invalid_syntax(void **state)
{
	(void)state;
	pair pr;
	sealfx_conf c = { 0 };
	sealfx_keys k;
	uint8_t inner[1024];
	v2_builder b;
	sealfx_establish(&pr, &c, 32);
	sealfx_read_keys(&pr, &k);
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_sa sa = { .n = 1 };
	sa.prop[0] = (v2_proposal){ .num = 1, .protocol = 3, .spi_size = 4, .spi = { 1, 2, 3, 4 }, .n = 1 };
	sa.prop[0].t[0] = (v2_transform){ 1, IKE_ENCR_AES_GCM_16, 128 };
	v2_add_sa(&b, &sa);
	sealfx_request(&pr, &k, V2_CREATE_CHILD_SA, 2, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "CREATE_CHILD_SA response 2 [ N(INVAL_SYN) ]"), 1);
	sealfx_expect(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);
}

static void unknown_exchange_is_refused_only_after_decryption(void **state)
{
	(void)state;
	pair pr;
	sealfx_conf c = { 0 };
	sealfx_keys k;
	uint8_t inner[64], msg[MSG_MAX];
	v2_builder b;
	sealfx_establish(&pr, &c, 33);
	sealfx_read_keys(&pr, &k);
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_notify(&b, 0, NULL, 0, V2_N_INITIAL_CONTACT, NULL, 0);

	/* a broken ICV: dropped before anything is answered */
	size_t n = sealfx_seal(&pr, &k, 0, 99, false, 2, b.first, inner, b.w.len, msg, sizeof(msg));
	msg[n - 1] ^= 1;
	size_t sends = c.sends[1];
	sealfx_inject(&pr, 1, msg, n);
	pair_run_pending(&pr, pr.now + 5 * SEC);
	assert_int_equal(c.sends[1], sends);
	assert_int_equal(pair_count(&pr, 1, "drop", "integrity check failed"), 1);

	/* a response of an unknown exchange: never answered (3.1, R flag) */
	n = sealfx_seal(&pr, &k, 0, 99, true, 0, b.first, inner, b.w.len, msg, sizeof(msg));
	sealfx_inject(&pr, 1, msg, n);
	pair_run_pending(&pr, pr.now + 5 * SEC);
	assert_int_equal(c.sends[1], sends);
	sealfx_expect(&pr, 1, "ESTABLISHED", "INSTALLED", 0);

	/* a genuine request of exchange type 99: INVALID_SYNTAX, and the IKE SA is gone (3.10.1, 2.21.3) */
	sealfx_request(&pr, &k, 99, 2, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "EXCHANGE_99 response 2 [ N(INVAL_SYN) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa failed", "request of an unknown exchange type"), 1);
	sealfx_expect(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);

	/* a known exchange out of place (IKE_AUTH once established): the same */
	memset(&c, 0, sizeof(c));
	sealfx_establish(&pr, &c, 34);
	sealfx_read_keys(&pr, &k);
	sealfx_request(&pr, &k, V2_IKE_AUTH, 2, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "IKE_AUTH response 2 [ N(INVAL_SYN) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa.state", "\"to\":\"DESTROYING\""), 1);
	sealfx_expect(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	pair_free(&pr);
}

/* ---- item 2: INVALID_SYNTAX is fatal on both sides ---- */

/* Side 0's Delete request goes out with a Delete payload that claims two SPIs and carries one. */
static bool bad_delete(pair *pr, int side, const uint8_t *d, size_t len)
{
	(void)len;
	if (side != 0 || d[18] != V2_INFORMATIONAL || (d[19] & V2_F_RESPONSE))
		return true;
	sealfx_keys k;
	uint8_t inner[64], msg[MSG_MAX];
	v2_builder b;
	static const uint8_t body[] = { 3, 4, 0, 2, 0xc0, 0xff, 0xee, 0x01 };
	sealfx_read_keys(pr, &k);
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_raw(&b, V2_PL_DELETE, false, body, sizeof(body));
	size_t n = sealfx_seal(pr, &k, 0, V2_INFORMATIONAL, false, ike_get_u32(d + 20), b.first, inner, b.w.len, msg, sizeof(msg));
	sealfx_inject(pr, 1, msg, n);
	return false;
}

static void malformed_delete_is_fatal_on_both_sides(void **state)
{
	(void)state;
	pair pr;
	sealfx_conf c = { 0 };
	sealfx_establish(&pr, &c, 35);
	c.rewrite = bad_delete;
	assert_int_equal(ike_peer_delete(pr.peer[0], pr.now, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 2 [ N(INVAL_SYN) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa failed", "malformed Delete payload"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike_sa failed", "peer answered INVALID_SYNTAX"), 1);
	sealfx_expect(&pr, 0, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	sealfx_expect(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]) + ike_peer_sa_count(pr.peer[1]), 0);
	/* no Delete went out for it: side 1 sent only its answer */
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL request"), 0);
	pair_free(&pr);
}

static void malformed_inner_chain_is_fatal_critical_payload_is_not(void **state)
{
	(void)state;
	pair pr;
	sealfx_conf c = { 0 };
	sealfx_keys k;
	uint8_t inner[64], msg[MSG_MAX];
	sealfx_establish(&pr, &c, 36);
	sealfx_read_keys(&pr, &k);
	/* a Notify whose length runs past the end of the plaintext */
	static const uint8_t broken[] = { 0, 0, 0, 40, 0, 0, 0x40, 0x00 };
	size_t n = sealfx_seal(&pr, &k, 0, V2_INFORMATIONAL, false, 2, V2_PL_NOTIFY, broken, sizeof(broken), msg, sizeof(msg));
	sealfx_inject(&pr, 1, msg, n);
	pair_run_pending(&pr, pr.now + 5 * SEC);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 2 [ N(INVAL_SYN) ]"), 1);
	sealfx_expect(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	pair_free(&pr);

	/* after IKE_AUTH an unsupported critical payload is answered but not fatal (2.21.3 names INVALID_SYNTAX only) */
	memset(&c, 0, sizeof(c));
	sealfx_establish(&pr, &c, 37);
	sealfx_read_keys(&pr, &k);
	v2_builder b;
	uint8_t junk[4] = { 0 };
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_raw(&b, 200, true, junk, sizeof(junk));
	sealfx_request(&pr, &k, V2_INFORMATIONAL, 2, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 2 [ N(CRIT) ]"), 1);
	sealfx_expect(&pr, 1, "ESTABLISHED", "INSTALLED", 0);
	pair_free(&pr);
}

/* ---- the handlers behind decryption under mutated requests sealed with the real keys ---- */

#define MUTATED 5000

static void established_handlers_survive_mutated_requests(void **state)
{
	(void)state;
	pair pr;
	sealfx_conf c;
	sealfx_keys k;
	uint8_t base[3][512], inner[512];
	size_t base_len[3];
	uint8_t base_first[3];
	static const uint8_t exch[3] = { V2_CREATE_CHILD_SA, V2_INFORMATIONAL, 99 };
	v2_builder b;
	v2_begin_chain(&b, base[0], sizeof(base[0]));
	sealfx_add_child(&b, true);
	base_len[0] = b.w.len, base_first[0] = b.first;
	v2_begin_chain(&b, base[1], sizeof(base[1]));
	uint8_t spi[4] = { 0xc0, 0xff, 0xee, 0x01 };
	v2_add_delete(&b, 3, 4, spi, 1);
	v2_add_notify(&b, 0, NULL, 0, V2_N_AUTHENTICATION_FAILED, NULL, 0);
	base_len[1] = b.w.len, base_first[1] = b.first;
	v2_begin_chain(&b, base[2], sizeof(base[2]));
	v2_add_notify(&b, 0, NULL, 0, V2_N_INITIAL_CONTACT, NULL, 0);
	base_len[2] = b.w.len, base_first[2] = b.first;
	uint64_t rs = 0x5eed0fc0ffeeULL;
	uint32_t msgid = 2;
	size_t pairs = 0, kept = 0;
	bool up = false;
	for (size_t it = 0; it < MUTATED; it++) {
		if (!up) {
			if (pairs++)
				pair_free(&pr);
			memset(&c, 0, sizeof(c));
			sealfx_establish(&pr, &c, 100 + it);
			pr.record_trace = false; /* the keys are read; the trace would only fill up */
			sealfx_read_keys(&pr, &k);
			msgid = 2;
			up = true;
		}
		size_t w = fuzz_below(&rs, 20);
		size_t pick = w < 9 ? 0 : w < 18 ? 1 : 2;
		memcpy(inner, base[pick], base_len[pick]);
		size_t ilen = fuzz_mutate(&rs, inner, base_len[pick]);
		uint8_t first = fuzz_below(&rs, 8) ? base_first[pick] : (uint8_t)fuzz_rnd(&rs);
		uint8_t msg[MSG_MAX];
		size_t n = sealfx_seal(&pr, &k, 0, exch[pick], false, msgid, first, inner, ilen, msg, sizeof(msg));
		size_t sends = c.sends[1];
		sealfx_inject(&pr, 1, msg, n);
		pair_run_pending(&pr, pr.now + 5 * SEC);
		/* every request that decrypted is answered exactly once (2.21.3), whatever became of the SA */
		assert_int_equal(c.sends[1], sends + 1);
		ike_conn_status st;
		assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
		up = strcmp(st.ike_state, "ESTABLISHED") == 0;
		kept += up;
		msgid++;
		assert_true(ike_peer_sa_count(pr.peer[1]) <= 1);
	}
	print_message("%d mutated requests: %zu pairs established, the SA survived %zu of them\n", MUTATED, pairs, kept);
	assert_true(kept > 0 && pairs > 1);
	pair_free(&pr);
}

size_t tests_conformance(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(create_child_sa_requests_are_answered),
		cmocka_unit_test(create_child_sa_without_nonce_is_invalid_syntax),
		cmocka_unit_test(unknown_exchange_is_refused_only_after_decryption),
		cmocka_unit_test(malformed_delete_is_fatal_on_both_sides),
		cmocka_unit_test(malformed_inner_chain_is_fatal_critical_payload_is_not),
		cmocka_unit_test(established_handlers_survive_mutated_requests),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
