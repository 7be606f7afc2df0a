/* Fragmentation settings: the scenario fields `fragmentation`/`fragment_size` and `ikesim peer`'s flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "peer.h"
#include "scenario.h"
#include "scntest.h"
#include "test_list.h.in"

#define NODES6 "\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\",\"2001:db8::1\"]}," \
	       "{\"name\":\"b\",\"addresses\":[\"198.51.100.1\",\"2001:db8::2\"]},{\"name\":\"z\",\"addresses\":[\"203.0.113.9\"]}]"
#define CONN(node, peer, extra) \
	"{\"name\":\"c\",\"node\":\"" node "\",\"remote_node\":\"" peer "\",\"auth\":{\"psk\":\"s\"}" extra "}"

static sim_scenario *load(const char *text, char *err, size_t errlen)
{
	char path[64];
	return scntest_load_text(text, err, errlen, path, sizeof(path));
}

static void frag_cfg_scenario_defaults_follow_the_links(void **state)
{
	(void)state;
	char err[512];
	/* a-b at MTU 1000, a-z at the default 1500; b's IPv6 connection; z has only the 1500 link */
	sim_scenario *sc = load("{" NODES6 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"mtu\":1000},{\"a\":\"a\",\"b\":\"z\"}],"
				"\"connections\":[" CONN("a", "b", "") "," CONN("b", "a", ",\"local\":\"2001:db8::2\"") ","
				CONN("z", "a", ",\"fragmentation\":\"force\",\"fragment_size\":300") "]}",
				err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->nodes[0].conns[0].fragmentation, IKE_FRAG_YES); /* strongSwan's default */
	assert_int_equal(sc->nodes[0].conns[0].fragment_size, 1000 - 28);   /* smallest link, IPv4 */
	assert_int_equal(sc->nodes[1].conns[0].fragment_size, 1000 - 48);   /* IPv6 headers */
	assert_int_equal(sc->nodes[2].conns[0].fragmentation, IKE_FRAG_FORCE);
	assert_int_equal(sc->nodes[2].conns[0].fragment_size, 300);
	sim_scenario_free(sc);
	/* without a small link: never above a 1280-byte IP datagram */
	sc = load("{" NODES6 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"mtu\":9000}],\"connections\":[" CONN("a", "b", "") ","
		  CONN("b", "a", ",\"fragmentation\":\"no\"") "," CONN("z", "a", ",\"fragmentation\":\"accept\"") "]}",
		  err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->nodes[0].conns[0].fragment_size, 1252);
	assert_int_equal(sc->nodes[1].conns[0].fragmentation, IKE_FRAG_NO);
	assert_int_equal(sc->nodes[2].conns[0].fragmentation, IKE_FRAG_ACCEPT);
	assert_int_equal(sc->nodes[2].conns[0].fragment_size, 1252); /* no link at all */
	sim_scenario_free(sc);
	/* a link too small for any fragment: the smallest size the engine can fill */
	sc = load("{" NODES6 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"mtu\":100}],\"connections\":[" CONN("a", "b", "") "]}",
		  err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->nodes[0].conns[0].fragment_size, IKE_FRAG_SIZE_MIN);
	sim_scenario_free(sc);
}

static void frag_cfg_scenario_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *extra, *want;
	} bad[] = {
		{ ",\"fragmentation\":\"maybe\"",
		  "connections[0].fragmentation: 'maybe' is not one of \"yes\", \"no\", \"force\", \"accept\"" },
		{ ",\"fragmentation\":true", "connections[0].fragmentation: expected a string" },
		{ ",\"fragment_size\":127", "connections[0].fragment_size: 127 is out of range [128, 65507]" },
		{ ",\"fragment_size\":65508", "connections[0].fragment_size: 65508 is out of range [128, 65507]" },
		{ ",\"fragment_sise\":500", "connections[0].fragment_sise: unknown field" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024], err[512];
		snprintf(text, sizeof(text), "{" NODES6 ",\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\","
			 "\"auth\":{\"psk\":\"s\"}%s}]}", bad[i].extra);
		sim_scenario *sc = load(text, err, sizeof(err));
		assert_null(sc);
		if (!strstr(err, bad[i].want))
			fail_msg("case %zu: got '%s', wanted '%s'", i, err, bad[i].want);
	}
}

static int parse(const char **argv, int argc, peer_args *a, char **msg)
{
	size_t len;
	FILE *f = open_memstream(msg, &len);
	int rc = peer_args_parse(argc, (char **)argv, a, f);
	fclose(f);
	return rc;
}

static void frag_cfg_peer_flags(void **state)
{
	(void)state;
	peer_args a;
	char *msg = NULL;
	const char *argv[] = { "peer", "--local", "127.0.0.1:500", "--remote", "127.0.0.1:501", "--proposals",
			       "aes128gcm16-prfsha256-x25519", "--esp-proposals", "aes128gcm16", "--id", "a.example",
			       "--remote-id", "b.example", "--local-ts", "10.0.0.0/8", "--remote-ts", "10.0.0.0/8",
			       "--psk", "s", NULL, NULL, NULL, NULL };
	int n = 19;
	assert_int_equal(parse(argv, n, &a, &msg), 0);
	free(msg);
	assert_int_equal(a.fragmentation, IKE_FRAG_YES);
	ike_conn_cfg c;
	ike_child_cfg ch;
	peer_cred_files cf = { 0 };
	uint8_t psk[1] = { 's' };
	cf.psk = psk;
	cf.psk_len = 1;
	char err[256];
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, err, sizeof(err)), 0);
	assert_int_equal(c.fragmentation, IKE_FRAG_YES);
	assert_int_equal(c.fragment_size, 1252); /* port 500: no marker */
	argv[n] = "--fragmentation";
	argv[n + 1] = "force";
	argv[n + 2] = "--fragment-size";
	argv[n + 3] = "600";
	argv[2] = "127.0.0.1:4500";
	assert_int_equal(parse(argv, n + 4, &a, &msg), 0);
	free(msg);
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, err, sizeof(err)), 0);
	assert_int_equal(c.fragmentation, IKE_FRAG_FORCE);
	assert_int_equal(c.fragment_size, 596); /* the non-ESP marker comes out of the UDP payload */
	argv[n + 1] = "sometimes";
	assert_int_equal(parse(argv, n + 4, &a, &msg), -1);
	assert_non_null(strstr(msg, "--fragmentation wants yes, no, force or accept, got 'sometimes'"));
	free(msg);
	argv[n + 1] = "no";
	argv[n + 3] = "100";
	assert_int_equal(parse(argv, n + 4, &a, &msg), -1);
	assert_non_null(strstr(msg, "--fragment-size wants 128 to 65507 bytes, got '100'"));
	free(msg);
	argv[n + 3] = "big";
	assert_int_equal(parse(argv, n + 4, &a, &msg), -1);
	assert_non_null(strstr(msg, "--fragment-size wants a whole number"));
	free(msg);
}

size_t tests_frag_cfg(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(frag_cfg_scenario_defaults_follow_the_links),
		cmocka_unit_test(frag_cfg_scenario_refusals),
		cmocka_unit_test(frag_cfg_peer_flags),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
