/*
 * Where RSASSA-PSS signing is switched on: the scenario auth object's "rsa_pss" and `ikesim peer --rsa-pss`.
 * The scenario tests/scenarios/cert_rsa_pss.json must sign with PSS both ways, byte-identically per seed;
 * misuse (with a PSK, with an ECDSA key, not a boolean) is one line naming the field.
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

#include "crypto/cert.h"
#include "peer.h"
#include "run.h"
#include "scenario.h"
#include "test_list.h.in"
#include "testfs.h"

#define PSS_FILE "tests/scenarios/cert_rsa_pss.json"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static char *traced(const char *trace_path)
{
	char err[512];
	sim_scenario *sc = sim_scenario_load(PSS_FILE, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	for (size_t i = 0; i < 2; i++)
		assert_true(ike_cred_rsa_pss(sc->nodes[i].conns[0].cred));
	sim_run_opts o = { .trace_path = trace_path };
	sim_run_result res;
	if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	size_t len;
	return tfs_must_read(trace_path, &len);
}

static void scenario_signs_pss_same_bytes(void **state)
{
	(void)state;
	char a[] = "/tmp/ikesim-pss-a-XXXXXX", b[] = "/tmp/ikesim-pss-b-XXXXXX";
	int fa = mkstemp(a), fb = mkstemp(b);
	assert_true(fa >= 0 && fb >= 0);
	close(fa), close(fb);
	char *ta = traced(a), *tb = traced(b);
	assert_int_equal(count(ta, "\"scheme\":\"RFC 7427 RSASSA-PSS SHA-256 salt 32\""), 2);
	assert_string_equal(ta, tb);
	free(ta), free(tb);
	unlink(a), unlink(b);
}

#define NODES                                                  \
	"\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]}," \
	"{\"name\":\"b\",\"addresses\":[\"198.51.100.1\"]}],"
#define SCN(auth)                                                                        \
	"{" NODES "\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\"," \
	"\"auth\":{" auth "}}]}"
#define FILES(kind) "\"cert\":\"certs/" kind "/gw-a.example.pem\",\"key\":\"certs/" kind "/gw-a.example.key\"," \
		    "\"ca\":\"certs/" kind "/ca.pem\""

static void scenario_misuse_named(void **state)
{
	(void)state;
	static const struct {
		const char *json, *want;
	} bad[] = {
		{ SCN("\"psk\":\"x\",\"rsa_pss\":true"),
		  "connections[0].auth.rsa_pss: only for certificate authentication" },
		{ SCN(FILES("ecdsa") ",\"rsa_pss\":true"),
		  "connections[0].auth.key: tests/scenarios/certs/ecdsa/gw-a.example.key: \"rsa_pss\" needs an RSA key" },
		{ SCN(FILES("rsa") ",\"rsa_pss\":\"yes\""), "connections[0].auth.rsa_pss: expected" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[512], want[300];
		sim_scenario *sc = sim_scenario_parse("tests/scenarios/inline.json", bad[i].json, strlen(bad[i].json), err,
						      sizeof(err));
		snprintf(want, sizeof(want), "tests/scenarios/inline.json: %s", bad[i].want);
		if (sc || strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: got '%s', wanted '%s...'", i, sc ? "(loaded)" : err, want);
	}
	/* false is the default, and allowed with ECDSA keys. */
	const char *ok = SCN(FILES("ecdsa") ",\"rsa_pss\":false");
	char err[512];
	sim_scenario *sc = sim_scenario_parse("tests/scenarios/inline.json", ok, strlen(ok), err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_false(ike_cred_rsa_pss(sc->nodes[0].conns[0].cred));
	sim_scenario_free(sc);
}

/* Parses a peer command line; returns peer_args_parse's result, the error text in err. */
static int parse_peer(const char *extra[], size_t n, peer_args *a, char *err, size_t cap)
{
	char *argv[32] = { "peer", "--local", "127.0.0.1:4520", "--remote", "127.0.0.1:4510", "--proposals",
			   "aes128gcm16-prfsha256-x25519", "--esp-proposals", "aes128gcm16", "--id", "a.test",
			   "--remote-id", "b.test", "--local-ts", "10.2.0.1/32", "--remote-ts", "10.1.0.1/32" };
	int argc = 17;
	for (size_t i = 0; i < n; i++)
		argv[argc++] = (char *)extra[i];
	FILE *f = fmemopen(err, cap, "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	int rc = peer_args_parse(argc, argv, a, f);
	fclose(f);
	return rc;
}

static void peer_flag(void **state)
{
	(void)state;
	peer_args a;
	char err[256] = "";
	const char *psk[] = { "--psk", "x", "--rsa-pss" };
	assert_int_equal(parse_peer(psk, 3, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--rsa-pss needs --cert/--key/--ca, not a PSK"));
	const char *ec[] = { "--cert", "tests/scenarios/certs/ecdsa/gw-a.example.pem", "--key",
			     "tests/scenarios/certs/ecdsa/gw-a.example.key", "--ca", "tests/scenarios/certs/ecdsa/ca.pem",
			     "--rsa-pss" };
	assert_int_equal(parse_peer(ec, 7, &a, err, sizeof(err)), 0);
	assert_true(a.rsa_pss);
	ike_conn_cfg c;
	ike_child_cfg ch;
	peer_cred_files cf;
	memset(&c, 0, sizeof(c));
	memset(&cf, 0, sizeof(cf));
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--rsa-pss: the key in tests/scenarios/certs/ecdsa/gw-a.example.key is not an RSA key"));
	peer_cred_files_free(&cf);
	const char *rsa[] = { "--cert", "tests/scenarios/certs/rsa/gw-a.example.pem", "--key",
			      "tests/scenarios/certs/rsa/gw-a.example.key", "--ca", "tests/scenarios/certs/rsa/ca.pem",
			      "--rsa-pss" };
	assert_int_equal(parse_peer(rsa, 7, &a, err, sizeof(err)), 0);
	memset(&c, 0, sizeof(c));
	memset(&cf, 0, sizeof(cf));
	if (peer_conn_build(&a, &c, &ch, &cf, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(ike_cred_rsa_pss(c.cred));
	peer_cred_files_free(&cf);
	char *help = NULL;
	size_t hl = 0;
	FILE *h = open_memstream(&help, &hl);
	peer_args_usage(h);
	fclose(h);
	assert_non_null(strstr(help, "--rsa-pss"));
	free(help);
}

size_t tests_pss_config(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(scenario_signs_pss_same_bytes),
		cmocka_unit_test(scenario_misuse_named),
		cmocka_unit_test(peer_flag),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
