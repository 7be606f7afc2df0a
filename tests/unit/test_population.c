/*
 * Populations (netsim/scenario_pop.c, docs/population.md): what the loader refuses, that members share one
 * connection config and each still uses its own address as identity and selector, start-time spreads drawn
 * from the run's seed, and a population behind a NAT named by the population's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "run.h"
#include "scenario.h"
#include "scntest.h"
#include "test_list.h.in"

#define GW_CONN                                                                                                   \
	"{\"name\":\"rw\",\"node\":\"gw\",\"remote\":\"0.0.0.0\",\"auth\":{\"psk\":\"k\"},\"local_id\":\"gw.example\","   \
	"\"local_ts\":[\"10.0.0.0/16\"],\"remote_ts\":[\"100.64.0.0/10\"]}"

/* A gateway and one population; `pop` is spliced into the population object, `more` after it (top level). */
static sim_scenario *load(const char *pop, const char *more, char *err, size_t errlen)
{
	char text[8192];
	snprintf(text, sizeof(text),
		 "{\"duration\":\"20s\",\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]},"
		 "{\"name\":\"x1\",\"addresses\":[\"192.0.2.9\"]}],"
		 "\"populations\":[{\"name\":\"rw\",\"count\":20,\"addresses\":\"100.64.0.1\",\"link\":{\"to\":\"gw\","
		 "\"latency\":\"5ms\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"},"
		 "\"remote_ts\":[\"10.0.0.0/16\"]}%s}]%s,\"connections\":[" GW_CONN "]}",
		 pop, more);
	return sim_scenario_parse("t.json", text, strlen(text), err, errlen);
}

static void expect_refusal(const char *pop, const char *more, const char *want)
{
	char err[512];
	sim_scenario *sc = load(pop, more, err, sizeof(err));
	if (!want) {
		if (!sc)
			fail_msg("%s", err);
		sim_scenario_free(sc);
		return;
	}
	if (sc)
		fail_msg("loaded, wanted '%s'", want);
	if (!strstr(err, want))
		fail_msg("wanted '%s' in: %s", want, err);
}

static void loader_refuses_bad_populations(void **state)
{
	(void)state;
	expect_refusal("", "", NULL);
	expect_refusal(",\"start\":\"1s\"", "", NULL);
	expect_refusal(",\"start\":{\"poisson\":{\"rate\":10}}", "", NULL);
	expect_refusal(",\"count\":0", "", "populations[0].count");
	expect_refusal(",\"count\":2000001", "", "populations[0].count");
	expect_refusal(",\"count\":1.5", "", "populations[0].count");
	expect_refusal(",\"size\":3", "", "populations[0].size: unknown field");
	expect_refusal(",\"start\":{\"uniform\":{\"from\":\"5s\",\"to\":\"1s\"}}", "", "populations[0].start.uniform: 'to' is before 'from'");
	expect_refusal(",\"start\":{\"uniform\":{\"from\":\"0s\",\"to\":\"30s\"}}", "", "populations[0].start: 30.000 s is after the run ends");
	expect_refusal(",\"start\":{}", "", "populations[0].start: give one of");
	expect_refusal(",\"start\":{\"poisson\":{\"rate\":0}}", "", "populations[0].start.poisson.rate");
	expect_refusal(",\"start\":{\"poisson\":{\"from\":\"1s\"}}", "", "populations[0].start.poisson.rate");
	expect_refusal(",\"start\":\"soon\"", "", "populations[0].start");
}

static void loader_refuses_bad_members(void **state)
{
	(void)state;
	char err[512];
	const char *base = "{\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]},"
			   "{\"name\":\"rw3\",\"addresses\":[\"192.0.2.3\"]}],\"populations\":[%s]}";
	const struct {
		const char *pop, *want;
	} cases[] = {
		{ "{\"name\":\"rw\",\"count\":5,\"addresses\":\"100.64.0.1\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}",
		  "populations[0].name: member 'rw3' has the name of another node" },
		{ "{\"name\":\"r\",\"count\":5,\"addresses\":\"198.51.99.254\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}",
		  "populations[0].addresses: member 'r4' would get 198.51.100.1, which another node has" },
		{ "{\"name\":\"r\",\"count\":2,\"addresses\":\"255.255.255.255\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}",
		  "populations[0].addresses: member 2 would need an address past the end" },
		{ "{\"name\":\"r\",\"count\":2,\"addresses\":\"10.0.0.300\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}",
		  "populations[0].addresses: expected the first member's" },
		{ "{\"name\":\"r\",\"count\":2,\"addresses\":\"10.0.0.1\",\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}",
		  "populations[0].link: missing required field 'link'" },
		{ "{\"name\":\"r\",\"count\":2,\"addresses\":\"10.0.0.1\",\"link\":{\"to\":\"nobody\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}",
		  "populations[0].link.to" },
		{ "{\"name\":\"r\",\"count\":2,\"addresses\":\"10.0.0.1\",\"link\":{\"to\":\"gw\"}}",
		  "populations[0]: give one of 'connection' and 'mix'" },
		{ "{\"name\":\"r\",\"count\":2,\"addresses\":\"10.0.0.1\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"},\"local_id\":\"me\"}}",
		  "populations[0].connection.local_id: unknown field" },
		{ "{\"name\":\"r\",\"count\":2,\"addresses\":\"10.0.0.1\",\"link\":{\"to\":\"gw\"},\"connection\":{\"node\":\"gw\",\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}",
		  "populations[0].connection.node: unknown field" },
		{ "{\"name\":\"r\",\"count\":2,\"addresses\":\"10.0.0.1\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"version\":1,\"auth\":{\"psk\":\"k\"}}}",
		  "populations[0].connection.version: populations are IKEv2 only for now" },
		{ "{\"name\":\"r\",\"count\":2,\"addresses\":\"10.0.0.1\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}},\"start\":{\"uniform\":{\"to\":\"1s\"}}},"
		  "{\"name\":\"r\",\"count\":2,\"addresses\":\"10.1.0.1\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}",
		  "populations[1].name: duplicate population name 'r'" },
		{ "{\"name\":\"r-\\u0000\",\"count\":2,\"addresses\":\"10.0.0.1\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}",
		  "t.json" },
		{ "{\"name\":\"p2345678901234567890123456789012345678901234567890x\",\"count\":2,\"addresses\":\"10.0.0.1\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}",
		  "populations[0].name: 'p2345678901234567890123456789012345678901234567890x' is not a valid population name" },
		{ "{\"name\":\"r\",\"count\":2,\"addresses\":\"10.0.0.1\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"initiate\":false,\"auth\":{\"psk\":\"k\"}},\"start\":{\"poisson\":{\"rate\":1}}}",
		  "populations[0].start: members that only respond" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[4096];
		snprintf(text, sizeof(text), base, cases[i].pop);
		sim_scenario *sc = sim_scenario_parse("t.json", text, strlen(text), err, sizeof(err));
		if (sc || !strstr(err, cases[i].want))
			fail_msg("case %zu: wanted '%s', got: %s", i, cases[i].want, sc ? "(loaded)" : err);
	}
	/* a connection of its own on a member is refused: the member's is the population's */
	sim_scenario *sc = load("", ",\"links\":[{\"a\":\"gw\",\"b\":\"x1\"}]", err, sizeof(err));
	assert_non_null(sc);
	sim_scenario_free(sc);
	char text[4096];
	snprintf(text, sizeof(text),
		 "{\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]}],\"populations\":[{\"name\":\"r\",\"count\":2,"
		 "\"addresses\":\"10.0.0.1\",\"link\":{\"to\":\"gw\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}],"
		 "\"connections\":[{\"name\":\"x\",\"node\":\"r1\",\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}]}");
	sc = sim_scenario_parse("t.json", text, strlen(text), err, sizeof(err));
	assert_null(sc);
	assert_non_null(strstr(err, "connections[0].node: 'r1' is a population's member"));
}

static void members_share_one_config(void **state)
{
	(void)state;
	char err[512];
	sim_scenario *sc = load("", "", err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->n_pops, 1);
	const sim_pop_spec *ps = &sc->pops[0];
	assert_int_equal(ps->count, 20);
	assert_int_equal(sim_scenario_node(sc, "rw1"), (int32_t)ps->first);
	assert_int_equal(sim_scenario_node(sc, "rw20"), (int32_t)(ps->first + 19));
	assert_int_equal(sim_scenario_node(sc, "rw21"), -1);
	for (uint32_t k = 0; k < ps->count; k++) {
		const sim_node_spec *n = &sc->nodes[ps->first + k];
		assert_ptr_equal(n->conns, ps->conn); /* one config, not N copies */
		assert_int_equal(n->addrs[0].ip[3], 1 + k);
	}
	assert_int_equal(ps->conn->local_id.type, 0);             /* each member is its address */
	assert_int_equal(ps->conn->children[0].n_local_ts, 0);    /* and selects its address */
	assert_int_equal(ps->conn->children[0].n_remote_ts, 1);
	sim_scenario_free(sc);
}

/* Runs text with the seed given (seed_set); the trace's bytes (caller frees). */
static char *run_text(const char *text, uint64_t seed, int seed_set, sim_run_result *keep)
{
	sim_run_opts o = { .seed = seed, .seed_set = seed_set };
	return scntest_run(text, &o, keep);
}

static const char *const SPREAD =
	"{\"duration\":\"20s\",\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]}],"
	"\"populations\":[{\"name\":\"rw\",\"count\":40,\"addresses\":\"100.64.0.1\",\"link\":{\"to\":\"gw\","
	"\"latency\":\"5ms\"},\"start\":%s,\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"},"
	"\"remote_ts\":[\"10.0.0.0/16\"]}}],\"connections\":[" GW_CONN "],"
	"\"expect\":[{\"node\":\"gw\",\"conn\":\"rw\",\"ike_sas\":40,\"child_sas\":40},"
	"{\"node\":\"rw40\",\"conn\":\"rw\",\"ike_state\":\"ESTABLISHED\",\"child_state\":\"INSTALLED\"}]}";

/* The first IKE_SA_INIT of member name in the trace: its start time (s), or -1. */
static double first_tx(const char *trace, const char *name)
{
	char key[64];
	snprintf(key, sizeof(key), "\"node\":\"%s\",\"ev\":\"ike.tx\"", name);
	const char *p = strstr(trace, key);
	if (!p)
		return -1;
	while (p > trace && p[-1] != '{')
		p--;
	return strtod(p + 4, NULL); /* {"t":... */
}

static void spreads_follow_the_seed(void **state)
{
	(void)state;
	char text[4096];
	snprintf(text, sizeof(text), SPREAD, "{\"uniform\":{\"from\":\"1s\",\"to\":\"5s\"}}");
	char *a = run_text(text, 0, 0, NULL), *b = run_text(text, 0, 0, NULL), *c = run_text(text, 99, 1, NULL);
	assert_string_equal(a, b); /* same seed, same bytes */
	assert_string_not_equal(a, c);
	double lo = 1e9, hi = 0;
	for (int k = 1; k <= 40; k++) {
		char nm[16];
		snprintf(nm, sizeof(nm), "rw%d", k);
		double t = first_tx(a, nm);
		assert_true(t >= 1.0 && t <= 5.0);
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	assert_true(hi - lo > 2.0); /* spread over the window, not bunched */
	assert_non_null(strstr(a, "\"from\":\"100.64.0.40:500\""));
	assert_null(strstr(a, "\"ev\":\"ike.collision\"")); /* 40 different peers of one connection: no collision */
	free(a);
	free(b);
	free(c);
	snprintf(text, sizeof(text), SPREAD, "{\"poisson\":{\"rate\":20,\"from\":\"2s\"}}");
	a = run_text(text, 0, 0, NULL);
	double prev = 2.0, t40 = first_tx(a, "rw40");
	for (int k = 1; k <= 40; k++) {
		char nm[16];
		snprintf(nm, sizeof(nm), "rw%d", k);
		double t = first_tx(a, nm);
		assert_true(t >= prev); /* Poisson arrivals come in member order */
		prev = t;
	}
	assert_true(t40 > 2.5 && t40 < 6.0); /* 40 arrivals at 20/s: about 2 s after the first */
	free(a);
}

static void population_behind_a_nat(void **state)
{
	(void)state;
	const char *text =
		"{\"duration\":\"10s\",\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]},"
		"{\"name\":\"cgn\",\"addresses\":[\"203.0.113.1\",\"100.64.255.1\"],\"nat\":{\"type\":\"symmetric\","
		"\"inside\":[\"rw\"]}}],\"links\":[{\"a\":\"cgn\",\"b\":\"gw\",\"latency\":\"5ms\"}],"
		"\"populations\":[{\"name\":\"rw\",\"count\":30,\"addresses\":\"100.64.0.2\",\"link\":{\"to\":\"cgn\","
		"\"latency\":\"2ms\"},\"start\":{\"uniform\":{\"to\":\"1s\"}},\"connection\":{\"remote_node\":\"gw\","
		"\"auth\":{\"psk\":\"k\"},\"remote_ts\":[\"10.0.0.0/16\"]}}],"
		"\"connections\":[{\"name\":\"rw\",\"node\":\"gw\",\"remote\":\"0.0.0.0\",\"auth\":{\"psk\":\"k\"},"
		"\"local_ts\":[\"10.0.0.0/16\"],\"remote_ts\":[\"100.64.0.0/10\"]}],"
		"\"expect\":[{\"node\":\"gw\",\"conn\":\"rw\",\"ike_sas\":30,\"child_sas\":30}]}";
	sim_run_result res;
	char *t = run_text(text, 0, 0, &res);
	assert_non_null(strstr(t, "\"ev\":\"nat.map\""));
	assert_non_null(strstr(t, "\"ev\":\"ike.float\""));
	free(t);
	sim_run_result_free(&res);
}


/* A mix: 70 % strongSwan clients with x25519, 30 % libreswan ones with modp2048; one config per entry. */
static void a_mix_of_clients(void **state)
{
	(void)state;
	const char *text =
		"{\"duration\":\"20s\",\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]}],"
		"\"populations\":[{\"name\":\"rw\",\"count\":10,\"addresses\":\"100.64.0.1\",\"link\":{\"to\":\"gw\"},"
		"\"start\":{\"uniform\":{\"to\":\"1s\"}},\"mix\":["
		"{\"share\":0.7,\"profile\":\"strongswan\",\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"},"
		"\"ike\":\"aes128gcm16-prfsha256-x25519\",\"remote_ts\":[\"10.0.0.0/16\"]}},"
		"{\"share\":0.3,\"profile\":\"libreswan\",\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"},"
		"\"ike\":\"aes256-sha256-modp2048\",\"remote_ts\":[\"10.0.0.0/16\"]}}]}],"
		"\"connections\":[{\"name\":\"rw\",\"node\":\"gw\",\"remote\":\"0.0.0.0\",\"auth\":{\"psk\":\"k\"},"
		"\"ike\":\"aes128gcm16-prfsha256-x25519,aes256-sha256-modp2048\",\"local_ts\":[\"10.0.0.0/16\"],"
		"\"remote_ts\":[\"100.64.0.0/10\"]}],"
		"\"expect\":[{\"node\":\"gw\",\"conn\":\"rw\",\"ike_sas\":10,\"child_sas\":10}]}";
	char err[512];
	sim_scenario *sc = sim_scenario_parse("t.json", text, strlen(text), err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	const sim_pop_spec *ps = &sc->pops[0];
	const ike_conn_cfg *a = sc->nodes[ps->first].conns, *b = NULL;
	size_t na = 0, nb = 0;
	for (uint32_t k = 0; k < ps->count; k++) {
		const sim_node_spec *n = &sc->nodes[ps->first + k];
		if (n->conns == a)
			na++;
		else {
			b = b ? b : n->conns;
			assert_ptr_equal(n->conns, b); /* two configs in all, not ten */
			nb++;
		}
	}
	assert_int_equal(na, 7);
	assert_int_equal(nb, 3);
	assert_int_not_equal(sc->nodes[ps->first].profile, sc->nodes[ps->first + 1].profile); /* interleaved: a, b, a, ... */
	sim_scenario_free(sc);
	char *t = run_text(text, 0, 0, NULL);
	assert_non_null(strstr(t, "MODP_2048"));
	assert_non_null(strstr(t, "CURVE_25519"));
	free(t);
	/* refusals */
	const char *bad[][2] = {
		{ "\"mix\":[]", "populations[0].mix: a mix needs at least one entry" },
		{ "\"mix\":[{\"share\":0,\"connection\":{}}]", "populations[0].mix[0].share" },
		{ "\"mix\":[{\"share\":1}]", "populations[0].mix[0].connection: missing required field" },
		{ "\"mix\":[{\"share\":1,\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}],\"connection\":{}",
		  "populations[0]: give one of 'connection' and 'mix'" },
		{ "\"mix\":[{\"share\":1,\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}},"
		  "{\"share\":1,\"connection\":{\"name\":\"x\",\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"}}}]",
		  "populations[0].mix[1].connection: every entry of a mix has the same connection name" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char tx[2048];
		snprintf(tx, sizeof(tx),
			 "{\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]}],\"populations\":[{\"name\":\"rw\","
			 "\"count\":4,\"addresses\":\"100.64.0.1\",\"link\":{\"to\":\"gw\"},%s}]}",
			 bad[i][0]);
		sim_scenario *x = sim_scenario_parse("t.json", tx, strlen(tx), err, sizeof(err));
		if (x || !strstr(err, bad[i][1]))
			fail_msg("case %zu: wanted '%s', got: %s", i, bad[i][1], x ? "(loaded)" : err);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(loader_refuses_bad_populations),
	cmocka_unit_test(loader_refuses_bad_members),
	cmocka_unit_test(members_share_one_config),
	cmocka_unit_test(spreads_follow_the_seed),
	cmocka_unit_test(population_behind_a_nat),
	cmocka_unit_test(a_mix_of_clients),
};

size_t tests_population(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
