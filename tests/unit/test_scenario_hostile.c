/* Issue 7's hostile scenarios, one regression each: what the loader and `ikesim run` must refuse or say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "clirun.h"
#include "run.h"
#include "scenario.h"
#include "testfs.h"
#include "test_list.h.in"

#define H_NODES "\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\",\"addresses\":[\"198.51.100.1\"]}]"
#define H_LINK "\"links\":[{\"a\":\"a\",\"b\":\"b\",\"latency\":\"20ms\"}]"
#define H_PAIR(psk_a, psk_b)                                                                                  \
	"\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\",\"initiate\":true,\"auth\":{\"psk\":\"" psk_a \
	"\"}},{\"name\":\"c\",\"node\":\"b\",\"remote_node\":\"a\",\"auth\":{\"psk\":\"" psk_b "\"}}]"

/* Parses text (exact-size heap copy, so ASan sees overreads); the scenario, or NULL with err filled. */
static sim_scenario *parse(const char *text, size_t len, char *err, size_t cap)
{
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	err[0] = '\0';
	sim_scenario *sc = sim_scenario_parse("h.json", copy, len, err, cap);
	free(copy);
	return sc;
}

static void refused(const char *text, size_t len, const char *want)
{
	char err[512];
	sim_scenario *sc = parse(text, len, err, sizeof(err));
	if (sc) {
		sim_scenario_free(sc);
		fail_msg("accepted, wanted '%s': %.200s", want, text);
	}
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
	assert_null(strchr(err, '\n'));
}

static void refused_str(const char *text, const char *want) { refused(text, strlen(text), want); }

/* Item 1: "s\u0000A" and "s\u0000B" were both the key "s"; node names were cut the same way. */
static void nul_escapes_are_refused_with_path_and_position(void **state)
{
	(void)state;
	refused_str("{" H_NODES ",\n" H_LINK ",\n" H_PAIR("s\\u0000A", "s\\u0000B") "}",
		    "h.json:3:89: connections[0].auth.psk: a string must not contain NUL (\\u0000): give a binary key "
		    "in hex as \"0x...\"");
	refused_str("{\"nodes\":[{\"name\":\"a\\u0000x\",\"addresses\":[\"192.0.2.1\"]}]}",
		    "h.json:1:21: nodes[0].name: a string must not contain NUL (\\u0000)");
	refused_str("{\"description\":\"ok\",\"a\\u0000b\":1," H_NODES "}", "(a field name): a string must not contain NUL");
	/* An escaped backslash before "u0000" is text, not an escape. */
	char err[512];
	sim_scenario *sc = parse("{\"description\":\"C:\\\\u0000\"," H_NODES "}",
				 strlen("{\"description\":\"C:\\\\u0000\"," H_NODES "}"), err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_scenario_free(sc);
}

/* Item 2: empty faults/expect/connections arrays mean "none"; they used to fail without a message. */
static void empty_arrays_mean_none(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"{" H_NODES "," H_LINK ",\"connections\":[],\"faults\":[],\"expect\":[]}",
		"{" H_NODES "," H_LINK "," H_PAIR("k", "k") ",\"faults\":[]}",
		"{" H_NODES "," H_LINK "," H_PAIR("k", "k") ",\"expect\":[]}",
	};
	char err[512];
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		sim_scenario *sc = parse(texts[i], strlen(texts[i]), err, sizeof(err));
		if (!sc)
			fail_msg("case %zu refused: '%s'", i, err);
		assert_int_equal(sc->n_faults, 0);
		assert_int_equal(sc->n_expects, 0);
		sim_scenario_free(sc);
	}
	tfs_dir d;
	char path[128];
	tfs_dir_make(&d, "hostile");
	tfs_dir_file(&d, "empty.json", path, sizeof(path));
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(texts[0], f);
	fclose(f);
	char *argv[] = { "ikesim", "run", path };
	clirun r = clirun_call(cli_main, 3, argv);
	assert_int_equal(r.rc, CLI_OK);
	assert_int_equal(r.err_len, 0);
	assert_non_null(strstr(r.out, "datagrams: 0 sent"));
	clirun_free(&r);
	tfs_dir_remove(&d);
}

/* Item 6: keys the engine cannot use are refused at load, naming the field and the limit. */
static void oversized_psks_are_refused_at_load(void **state)
{
	(void)state;
	const size_t n = 65536;
	const char *head = "{" H_NODES "," H_LINK ",\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\","
			   "\"auth\":{\"psk\":\"";
	size_t hl = strlen(head), cap = hl + 2 * n + 16;
	char *text = malloc(cap);
	assert_non_null(text);
	memcpy(text, head, hl);
	memset(text + hl, 'k', n);
	memcpy(text + hl + n, "\"}}]}", 6);
	refused_str(text, "connections[0].auth.psk: the pre-shared key is 65536 bytes, over the limit of 65535 bytes");
	text[hl + n - 1] = '"'; /* 65535 bytes: the largest the engine takes */
	memcpy(text + hl + n, "}}]}", 5);
	char err[512];
	sim_scenario *sc = parse(text, strlen(text), err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->nodes[0].conns[0].psk_len, 65535);
	sim_scenario_free(sc);
	memcpy(text + hl, "0x", 2);
	memset(text + hl + 2, 'a', 2 * n);
	memcpy(text + hl + 2 + 2 * n, "\"}}]}", 6);
	refused_str(text, "connections[0].auth.psk: the 0x key is 65536 bytes (131072 hex digits), over the limit of 65535 "
			  "bytes (131070 digits)");
	free(text);
}

/* Item 8: nothing may follow the top-level value, and a raw NUL byte is refused wherever it is. */
static void trailing_data_and_raw_nul_are_refused(void **state)
{
	(void)state;
	static const char good[] = "{" H_NODES "}";
	char buf[sizeof(good) + 16];
	refused_str("{" H_NODES "}\n  x", "h.json:2:3: unexpected data after the top-level JSON value");
	refused_str("{" H_NODES "} {}", "unexpected data after the top-level JSON value");
	memcpy(buf, good, sizeof(good) - 1);
	memcpy(buf + sizeof(good) - 1, "\0garbage", 8);
	refused(buf, sizeof(good) - 1 + 8, "h.json:1:93: a NUL byte in the file");
	buf[10] = '\0'; /* inside a field name */
	refused(buf, sizeof(good) - 1, "h.json:1:11: a NUL byte in the file");
}

/* Item 11: a valid-JSON file whose tree would cost many times its size is refused before it is built. */
static void dense_json_is_refused_before_the_tree(void **state)
{
	(void)state;
	const size_t n = 4u << 20;
	char *text = malloc(n);
	assert_non_null(text);
	text[0] = '[';
	for (size_t i = 1; i + 1 < n; i += 2)
		memcpy(text + i, "0,", 2);
	text[n - 2] = '0';
	text[n - 1] = ']';
	refused(text, n, "h.json: too dense to load: 2097152 JSON values would take 80 MiB in memory, more than 6 times "
			 "the file's size (4096 KiB) allows");
	/* A deep nest is refused by depth, and says so. */
	memset(text, 0, n);
	size_t k = 0;
	for (int i = 0; i < 40; i++)
		k += (size_t)sprintf(text + k, "{\"a\":");
	text[k++] = '1';
	memset(text + k, '}', 40);
	refused(text, k + 40, "h.json:1:161: a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a: nesting deeper "
			      "than 32 levels");
	free(text);
}

/* Item 12: a connection starved by MTU drops says so in the summary line and the summary event. */
static void mtu_drops_are_named_in_the_summary(void **state)
{
	(void)state;
	tfs_dir d;
	char trace[128];
	tfs_dir_make(&d, "hostile");
	tfs_dir_file(&d, "t.jsonl", trace, sizeof(trace));
	char *argv[] = { "ikesim", "run", "tests/scenarios/cert_rsa_mtu1280.json", "--trace", trace };
	clirun r = clirun_call(cli_main, 5, argv);
	assert_int_equal(r.rc, CLI_OK);
	/* MOBIKE offered: IKE_AUTH from port 4500 (RFC 4555 3.3), with the non-ESP marker and N(MOBIKE_SUP) N(NO_ADD_ADDR) */
	if (!strstr(r.out, "gw-a/site-a: IKE NONE with 198.51.100.1:4500 [AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256], "
			   "CHILD NONE, timed out (6 datagrams of up to 1372 bytes dropped on gw-a's links as larger than "
			   "the link MTU 1280)\n"))
		fail_msg("summary lacks the MTU note: %s", r.out);
	char *t = tfs_must_read(trace, NULL);
	assert_non_null(strstr(t, "\"timed_out\":true,\"remote\":\"198.51.100.1:4500\",\"mtu_drops\":{\"count\":6,"
				  "\"largest\":1372,\"mtu\":1280}"));
	free(t);
	clirun_free(&r);
	tfs_dir_remove(&d);
}

/* Item 13: hex-float durations, signed or spaced seeds; exact integers in range errors. */
static void numbers_are_plain_and_errors_exact(void **state)
{
	(void)state;
	refused_str("{\"duration\":\"0x10s\"," H_NODES "}", "h.json: duration: bad duration \"0x10s\"");
	refused_str("{\"duration\":\" 10s\"," H_NODES "}", "h.json: duration: bad duration");
	refused_str("{\"duration\":\"1e3s\"," H_NODES "}", "h.json: duration: bad duration");
	refused_str("{\"seed\":\" -1\"," H_NODES "}", "h.json: seed: ' -1' is not an unsigned 64-bit integer");
	refused_str("{\"seed\":\"+1\"," H_NODES "}", "h.json: seed: '+1' is not an unsigned 64-bit integer");
	refused_str("{\"seed\":\"0x0x1\"," H_NODES "}", "h.json: seed: '0x0x1' is not an unsigned 64-bit integer");
	refused_str("{" H_NODES "," H_LINK "," H_PAIR("k", "k") ",\"faults\":[{\"node\":\"a\",\"drop_nth\":4294967296}]}",
		    "h.json: faults[0].drop_nth: 4294967296 is out of range [1, 4294967295]");
	refused_str("{\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"],\"cookie_threshold\":0.5}]}",
		    "h.json: nodes[0].cookie_threshold: expected a whole number, got 0.5");
	char err[512];
	static const char ok[] = "{\"seed\":\"010\",\"duration\":\"1.5s\"," H_NODES "}";
	sim_scenario *sc = parse(ok, strlen(ok), err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->seed, 10); /* decimal, not octal */
	assert_int_equal(sc->duration, 1500000000);
	sim_scenario_free(sc);
}

/* Item 13: outputs that would overwrite each other, the key table or the scenario are refused first. */
static void colliding_outputs_are_refused(void **state)
{
	(void)state;
	tfs_dir d;
	char scn[128], x[128], dotx[160], pcap[128], keys[192], esp[192], sub[128], viasub[192];
	tfs_dir_make(&d, "hostile");
	tfs_dir_file(&d, "s.json", scn, sizeof(scn));
	tfs_dir_file(&d, "x", x, sizeof(x));
	tfs_dir_file(&d, "a.pcap", pcap, sizeof(pcap));
	tfs_dir_file(&d, "sub", sub, sizeof(sub));
	snprintf(dotx, sizeof(dotx), "%s/./x", d.path);
	snprintf(keys, sizeof(keys), "%s.ikev2_decryption_table", pcap);
	snprintf(esp, sizeof(esp), "%s.esp_sa", pcap);
	snprintf(viasub, sizeof(viasub), "%s/../s.json", sub);
	char *text = tfs_must_read("tests/scenarios/lost_auth_retransmit.json", NULL);
	FILE *f = fopen(scn, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(mkdir(sub, 0700), 0);
	struct {
		char *argv[8];
		int argc;
		const char *err;
	} cases[] = {
		{ { "ikesim", "run", scn, "--trace", x, "--pcap", dotx }, 7, "name the same file" },
		{ { "ikesim", "run", scn, "--trace", scn }, 5, "would overwrite the scenario" },
		{ { "ikesim", "run", scn, "--pcap", viasub }, 5, "--pcap '" },
		{ { "ikesim", "run", scn, "--trace", keys, "--pcap", pcap, "--reveal-keys" }, 8,
		  "and the key table '" },
		{ { "ikesim", "run", scn, "--trace", esp, "--pcap", pcap, "--reveal-keys" }, 8,
		  "and the esp_sa table '" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		clirun r = clirun_call(cli_main, cases[i].argc, cases[i].argv);
		assert_int_equal(r.rc, CLI_USAGE);
		if (!strstr(r.err, cases[i].err))
			fail_msg("case %zu: '%s' lacks '%s'", i, r.err, cases[i].err);
		clirun_free(&r);
		/* Nothing written, the scenario intact. */
		char *now = tfs_must_read(scn, NULL);
		assert_string_equal(now, text);
		free(now);
		assert_int_equal(tfs_dir_count(&d), 2);
	}
	free(text);
	rmdir(sub);
	tfs_dir_remove(&d);
}

/* Copies src to dst (small files only). */
static void copy_file(const char *src, const char *dst)
{
	size_t len;
	char *t = tfs_must_read(src, &len);
	FILE *f = fopen(dst, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(t, 1, len, f), len);
	fclose(f);
	free(t);
}

/* The certificate, key and CA files a scenario reads are inputs too: no output may overwrite them. */
static void outputs_never_overwrite_certificates(void **state)
{
	(void)state;
	static const char *const pems[] = { "ca.pem", "gw-a.example.pem", "gw-a.example.key", "gw-b.example.pem",
					    "gw-b.example.key" };
	tfs_dir d;
	char scn[128], src[128], dst[128], alias[192];
	tfs_dir_make(&d, "hostile");
	for (size_t i = 0; i < 5; i++) {
		snprintf(src, sizeof(src), "tests/scenarios/certs/rsa/%s", pems[i]);
		tfs_dir_file(&d, pems[i], dst, sizeof(dst));
		copy_file(src, dst);
	}
	/* The RSA scenario with its certificate paths made relative to the copy's directory. */
	char *text = tfs_must_read("tests/scenarios/cert_rsa.json", NULL);
	for (char *p; (p = strstr(text, "certs/rsa/"));)
		memmove(p, p + 10, strlen(p + 10) + 1);
	tfs_dir_file(&d, "s.json", scn, sizeof(scn));
	FILE *f = fopen(scn, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	tfs_dir_file(&d, "ca.pem", dst, sizeof(dst));
	snprintf(alias, sizeof(alias), "%s/./gw-b.example.key", d.path);
	char *ca = tfs_must_read(dst, NULL);
	char *argv[] = { "ikesim", "run", scn, "--trace", dst, "-q" };
	clirun r = clirun_call(cli_main, 6, argv);
	assert_int_equal(r.rc, CLI_USAGE);
	if (!strstr(r.err, "would overwrite the scenario's input"))
		fail_msg("%s", r.err);
	clirun_free(&r);
	char *argv2[] = { "ikesim", "run", scn, "--pcap", alias, "-q" };
	r = clirun_call(cli_main, 6, argv2);
	assert_int_equal(r.rc, CLI_USAGE);
	assert_non_null(strstr(r.err, "gw-b.example.key' would overwrite the scenario's input"));
	clirun_free(&r);
	char *now = tfs_must_read(dst, NULL);
	assert_string_equal(now, ca);
	free(now);
	free(ca);
	assert_int_equal(tfs_dir_count(&d), 6);
	tfs_dir_remove(&d);
}

/* reauth_time is implemented (engine/ikev2/reauth.c): a scenario giving it runs without a warning. */
static void reauth_time_runs_quietly(void **state)
{
	(void)state;
	tfs_dir d;
	char path[128];
	tfs_dir_make(&d, "hostile");
	tfs_dir_file(&d, "l.json", path, sizeof(path));
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"duration\":\"1s\"," H_NODES "," H_LINK ",\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":"
	      "\"b\",\"initiate\":true,\"reauth_time\":\"1h\",\"auth\":{\"psk\":\"k\"}},{\"name\":\"c\",\"node\":\"b\","
	      "\"remote_node\":\"a\",\"reauth_time\":\"2h\",\"child_lifetime\":\"10m\",\"auth\":{\"psk\":\"k\"}}]}",
	      f);
	fclose(f);
	char *argv[] = { "ikesim", "run", path, "--quiet" };
	clirun r = clirun_call(cli_main, 4, argv);
	assert_int_equal(r.rc, CLI_OK);
	assert_int_equal(r.err_len, 0);
	clirun_free(&r);
	tfs_dir_remove(&d);
}

/* Item 13: --seed takes digits only. */
static void cli_seed_is_plain(void **state)
{
	(void)state;
	char *argv[] = { "ikesim", "run", "tests/scenarios/lost_auth_retransmit.json", "--seed", " -1" };
	clirun r = clirun_call(cli_main, 5, argv);
	assert_int_equal(r.rc, CLI_USAGE);
	assert_non_null(strstr(r.err, "--seed wants an unsigned 64-bit integer, got ' -1'"));
	clirun_free(&r);
}

size_t tests_scenario_hostile(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(nul_escapes_are_refused_with_path_and_position),
		cmocka_unit_test(empty_arrays_mean_none),
		cmocka_unit_test(oversized_psks_are_refused_at_load),
		cmocka_unit_test(trailing_data_and_raw_nul_are_refused),
		cmocka_unit_test(dense_json_is_refused_before_the_tree),
		cmocka_unit_test(mtu_drops_are_named_in_the_summary),
		cmocka_unit_test(numbers_are_plain_and_errors_exact),
		cmocka_unit_test(colliding_outputs_are_refused),
		cmocka_unit_test(outputs_never_overwrite_certificates),
		cmocka_unit_test(reauth_time_runs_quietly),
		cmocka_unit_test(cli_seed_is_plain),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
