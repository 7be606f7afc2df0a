/*
 * AH (RFC 4302) negotiated by IKEv2: `ah_proposals` parsing (integrity only), Protocol ID 2 SA payloads chosen
 * by the responder, KEYMAT of integrity keys only (RFC 7296 2.17: ai | ar), PFS rekeys with REKEY_SA for AH
 * from either side, Deletes with protocol AH, and an ESP proposal against an AH one ending in NO_PROPOSAL_CHOSEN.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/registry.h"
#include "pair.h"
#include "run.h"
#include "scenario.h"
#include "test_list.h.in"
#include "testfs.h"

#define SEC (1000LL * 1000 * 1000)
#define MAX_UPS 4

typedef struct ah_seen {
	ike_child_keys k;
	uint8_t ai[64], ar[64];
} ah_seen;

typedef struct ah_log {
	ah_seen up[MAX_UPS];
	size_t n_up, n_down;
} ah_log;

static void record(pair *pr, int side, const ike_sa_event *ev)
{
	ah_log *s = &((ah_log *)pr->user)[side];
	if (ev->kind == IKE_EV_CHILD_DOWN)
		s->n_down++;
	if (ev->kind != IKE_EV_CHILD_UP)
		return;
	assert_true(s->n_up < MAX_UPS);
	ah_seen *c = &s->up[s->n_up++];
	const ike_child_keys *k = ev->child;
	assert_non_null(k);
	assert_true(k->a_len > 0 && k->a_len <= 64);
	c->k = *k;
	memcpy(c->ai, k->ai, k->a_len);
	memcpy(c->ar, k->ar, k->a_len);
}

/* Both sides' AH proposals (PFS when text has a group), keys revealed, the pair run to an IKE SA with its child. */
static void start_ah(pair *pr, ah_log *s, const char *text, uint64_t seed)
{
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	for (int side = 0; side < 2; side++)
		pair_set_proposals(&pr->child[side].esp, text, IKE_PROTO_AH);
	pr->user = s;
	pr->sa_hook = record;
	pair_start(pr, seed);
	pair_run(pr, 10 * SEC);
}

static void hex_of(const uint8_t *b, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * len] = 0;
}

/* One AH CHILD SA seen from its two ends: AH, no encryption keys, mirrored SPIs, the same traced ai/ar. */
static void ah_mirrored(const pair *pr, const ah_seen *a, const ah_seen *b, uint16_t integ, size_t a_len)
{
	const ah_seen *v[2] = { a, b };
	for (int side = 0; side < 2; side++) {
		const ike_child_keys *k = &v[side]->k;
		assert_int_equal(k->protocol, IKE_PROTO_AH);
		assert_int_equal(k->encr, 0);
		assert_int_equal(k->e_len, 0);
		assert_null(k->ei);
		assert_null(k->er);
		assert_int_equal(k->integ, integ);
		assert_int_equal(k->a_len, a_len);
		char want[600], got[600];
		assert_true(pair_kdf_last(pr, side, "AH_INTEG_I", want, sizeof(want)) > 0);
		hex_of(v[side]->ai, a_len, got);
		assert_string_equal(got, want);
		assert_true(pair_kdf_last(pr, side, "AH_INTEG_R", want, sizeof(want)) > 0);
		hex_of(v[side]->ar, a_len, got);
		assert_string_equal(got, want);
		/* KEYMAT is ai | ar: twice the integrity key, hex-encoded in the trace */
		assert_true(pair_kdf_last(pr, side, "KEYMAT", want, sizeof(want)) > 0);
		assert_int_equal(strlen(want), 4 * a_len);
		assert_int_equal(pair_kdf_last(pr, side, "ESP_ENCR_I", want, sizeof(want)), 0);
	}
	assert_int_equal(a->k.spi_in, b->k.spi_out);
	assert_int_equal(a->k.spi_out, b->k.spi_in);
	assert_true(a->k.initiator != b->k.initiator);
	assert_memory_equal(a->ai, b->ai, a_len);
	assert_memory_equal(a->ar, b->ar, a_len);
	assert_true(memcmp(a->ai, a->ar, a_len) != 0);
}

static void parse_ah(void **state)
{
	(void)state;
	ike_proposal_list pl;
	char err[128];
	assert_int_equal(ike_proposals_parse("sha256-sha1", IKE_PROTO_AH, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.n, 1);
	assert_int_equal(pl.p[0].protocol, IKE_PROTO_AH);
	assert_int_equal(pl.p[0].n_encr, 0);
	assert_int_equal(pl.p[0].n_integ, 2);
	assert_int_equal(pl.p[0].n_esn, 1);
	assert_int_equal(pl.p[0].esn[0].id, IKE_ESN_NO);
	assert_int_equal(ike_proposals_parse("sha256-modp2048-esn,sha512", IKE_PROTO_AH, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.n, 2);
	assert_int_equal(pl.p[0].n_dh, 1);
	assert_int_equal(pl.p[0].esn[0].id, IKE_ESN_YES);
	char shown[96];
	ike_proposal_format(&pl.p[0], shown, sizeof(shown));
	assert_string_equal(shown, "HMAC_SHA2_256_128/MODP_2048/EXT_SEQ");
	assert_int_equal(ike_proposals_parse("aes128-sha256", IKE_PROTO_AH, &pl, err, sizeof(err)), -1);
	assert_string_equal(err, "encryption algorithm 'aes128' not allowed in AH proposal 1");
	assert_int_equal(ike_proposals_parse("sha256,aes128gcm16", IKE_PROTO_AH, &pl, err, sizeof(err)), -1);
	assert_string_equal(err, "encryption algorithm 'aes128gcm16' not allowed in AH proposal 2");
	assert_int_equal(ike_proposals_parse("modp2048", IKE_PROTO_AH, &pl, err, sizeof(err)), -1);
	assert_string_equal(err, "no integrity algorithm in AH proposal 1");
	assert_int_equal(ike_proposals_parse("sha256-prfsha256", IKE_PROTO_AH, &pl, err, sizeof(err)), -1);
	assert_string_equal(err, "PRF keyword 'prfsha256' not allowed in AH proposal 1");
}

/* The first CHILD SA in IKE_AUTH as AH: selected by the responder, keys of the integrity length only. */
static void first_child_ah(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		uint16_t integ;
		size_t a_len;
	} cases[] = { { "sha1", IKE_INTEG_HMAC_SHA1_96, 20 },
		      { "sha256", IKE_INTEG_HMAC_SHA2_256_128, 32 },
		      { "sha384", IKE_INTEG_HMAC_SHA2_384_192, 48 },
		      { "sha512-sha256", IKE_INTEG_HMAC_SHA2_512_256, 64 } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pair pr;
		ah_log s[2] = { 0 };
		start_ah(&pr, s, cases[i].text, 21 + i);
		assert_int_equal(s[0].n_up, 1);
		assert_int_equal(s[1].n_up, 1);
		assert_true(s[0].up[0].k.initiator);
		ah_mirrored(&pr, &s[0].up[0], &s[1].up[0], cases[i].integ, cases[i].a_len);
		for (int side = 0; side < 2; side++) {
			assert_int_equal(pair_count(&pr, side, "sa.selected", "\"sa\":\"ah\""), 1);
			assert_int_equal(pair_count(&pr, side, "sa.selected", "encr-alg"), 1); /* the IKE SA's only */
			ike_conn_status st;
			assert_int_equal(ike_peer_conn_status(pr.peer[side], 0, &st), 0);
			assert_string_equal(st.child_state, "INSTALLED");
			assert_string_equal(st.selected_esp, ike_transform_name(IKE_TT_INTEG, cases[i].integ, 0));
		}
		pair_free(&pr);
	}
}

/* A CHILD rekey of an AH SA with PFS, started by side `by`: a new AH SA, new keys, the old one deleted. */
static void rekey_from(int by)
{
	pair pr;
	ah_log s[2] = { 0 };
	start_ah(&pr, s, "sha256-x25519", 31 + (uint64_t)by);
	assert_int_equal(s[0].n_up, 1);
	assert_int_equal(ike_peer_rekey_child(pr.peer[by], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(s[0].n_up, 2);
	assert_int_equal(s[1].n_up, 2);
	const ah_seen *a = &s[0].up[1], *b = &s[1].up[1];
	assert_int_equal(by ? b->k.initiator : a->k.initiator, true);
	ah_mirrored(&pr, a, b, IKE_INTEG_HMAC_SHA2_256_128, 32);
	assert_int_equal(a->k.pfs, IKE_DH_CURVE25519);
	assert_int_equal(a->k.rekey_of, s[0].up[0].k.spi_in);
	assert_int_equal(b->k.rekey_of, s[1].up[0].k.spi_in);
	assert_true(memcmp(a->ai, s[0].up[0].ai, 32) != 0);
	assert_int_equal(s[0].n_down, 1); /* the old AH SA, deleted by a Delete with protocol AH */
	assert_int_equal(s[1].n_down, 1);
	assert_int_equal(pair_count(&pr, -1, "error", NULL), 0);
	pair_free(&pr);
}

static void rekey_ah_pfs(void **state)
{
	(void)state;
	rekey_from(0);
	rekey_from(1);
}

/* ike_peer_delete_child on an AH CHILD SA: both sides take it down, the IKE SA stays. */
static void delete_ah(void **state)
{
	(void)state;
	for (int by = 0; by < 2; by++) {
		pair pr;
		ah_log s[2] = { 0 };
		start_ah(&pr, s, "sha384", 41 + (uint64_t)by);
		assert_int_equal(ike_peer_delete_child(pr.peer[by], pr.now, 0, 0), 1);
		pair_run_pending(&pr, pr.now + 10 * SEC);
		assert_int_equal(s[0].n_down, 1);
		assert_int_equal(s[1].n_down, 1);
		for (int side = 0; side < 2; side++) {
			ike_conn_status st;
			assert_int_equal(ike_peer_conn_status(pr.peer[side], 0, &st), 0);
			assert_string_equal(st.ike_state, "ESTABLISHED");
			assert_int_equal(st.child_sas, 0);
		}
		pair_free(&pr);
	}
}

/* One side offers AH, the other accepts only ESP (or the reverse): the responder answers NO_PROPOSAL_CHOSEN. */
static void mismatch_from(int ah_side)
{
	pair pr;
	ah_log s[2] = { 0 };
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128-sha256");
	pair_set_proposals(&pr.child[ah_side].esp, "sha256", IKE_PROTO_AH);
	pr.user = s;
	pr.sa_hook = record;
	pair_start(&pr, 51 + (uint64_t)ah_side);
	pair_run(&pr, 10 * SEC);
	assert_int_equal(s[0].n_up + s[1].n_up, 0);
	assert_true(pair_count(&pr, 1, "child_sa refused", "proposal 1 is for protocol") >= 1);
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr.peer[0], 0, &st), 0);
	assert_int_equal(st.last_error, 14); /* NO_PROPOSAL_CHOSEN */
	assert_string_equal(st.ike_state, "ESTABLISHED"); /* RFC 7296 1.2: the IKE SA survives the refused child */
	pair_free(&pr);
}

static void mismatch_esp_ah(void **state)
{
	(void)state;
	mismatch_from(0);
	mismatch_from(1);
}

/* The number after "key": in a trace line, -1 if absent. */
static long num_field(const char *line, const char *key)
{
	const char *at = strstr(line, key);
	return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

/*
 * tests/scenarios/ah_two_sites.json through the simulator: every packet of either gateway goes as AH
 * (proto "ah"), exactly 28 bytes (AH header 12 + 16-byte ICV) longer than its inner packet, and arrives.
 */
static void scenario_flows_over_ah(void **state)
{
	(void)state;
	tfs_dir d;
	char trace[160], err[512], line[2048];
	tfs_dir_make(&d, "ah");
	tfs_dir_file(&d, "t.jsonl", trace, sizeof(trace));
	sim_scenario *sc = sim_scenario_load("tests/scenarios/ah_two_sites.json", err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_opts o = { .trace_path = trace };
	sim_run_result res;
	assert_int_equal(sim_run_scenario(sc, &o, &res, err, sizeof(err)), 0);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	FILE *f = fopen(trace, "r");
	assert_non_null(f);
	size_t tx = 0, rx = 0, drops = 0, selected = 0;
	while (fgets(line, sizeof(line), f)) {
		bool is_tx = strstr(line, "\"ev\":\"esp.tx\"") != NULL, is_rx = strstr(line, "\"ev\":\"esp.rx\"") != NULL;
		drops += strstr(line, "\"ev\":\"esp.drop\"") != NULL;
		selected += strstr(line, "\"ev\":\"sa.selected\",\"sa\":\"ah\",\"proposal\":\"HMAC_SHA2_256_128\"") != NULL;
		if (!is_tx && !is_rx)
			continue;
		assert_non_null(strstr(line, ",\"proto\":\"ah\"}"));
		assert_int_equal(num_field(line, "\"size\":"), num_field(line, "\"inner\":") + 28);
		tx += is_tx;
		rx += is_rx;
	}
	fclose(f);
	assert_int_equal(tx, 110);
	assert_int_equal(rx, 110);
	assert_int_equal(drops, 0);
	assert_int_equal(selected, 2);
}

size_t tests_ah(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(parse_ah),
		cmocka_unit_test(first_child_ah),
		cmocka_unit_test(rekey_ah_pfs),
		cmocka_unit_test(delete_ah),
		cmocka_unit_test(mismatch_esp_ah),
		cmocka_unit_test(scenario_flows_over_ah),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
