/*
 * Attacker nodes (docs/attacks.md): the spoofed flood against a half-open limit and against cookies, the man in
 * the middle whose downgrade ends at the first AUTH check, the rogue responder whose capture cracks a weak PSK
 * (in the run and with `ikesim crack`), the capture line's math against an independent HMAC, and the loader's
 * refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cli.h"
#include "clirun.h"
#include "crypto/registry.h"
#include "host/v2psk.h"
#include "run.h"
#include "scenario.h"
#include "testfs.h"
#include "test_list.h.in"

#define L8 "lessons/08-dos-and-cookies/"
#define L9 "lessons/09-downgrade-and-offline-attacks/"

/* text with the first occurrence of from replaced by to (fails the test if from is missing); caller frees. */
static char *edit(const char *text, const char *from, const char *to)
{
	const char *hit = strstr(text, from);
	if (!hit)
		fail_msg("'%s' not found", from);
	size_t head = (size_t)(hit - text), lf = strlen(from), lt = strlen(to), n = strlen(text) - lf + lt;
	char *out = malloc(n + 1);
	assert_non_null(out);
	memcpy(out, text, head);
	memcpy(out + head, to, lt);
	strcpy(out + head + lt, hit + lf);
	return out;
}

/* Runs a scenario's text (named file, relative paths resolve from it): failed expectations, the trace into *trace. */
static size_t run_text(const char *file, const char *text, char **trace, sim_run_result *res)
{
	char err[512], tpath[256];
	tfs_dir d;
	tfs_dir_make(&d, "atk");
	tfs_dir_file(&d, "t.jsonl", tpath, sizeof(tpath));
	sim_scenario *sc = sim_scenario_parse(file, text, strlen(text), err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_opts o = { .trace_path = trace ? tpath : NULL };
	if (sim_run_scenario(sc, &o, res, err, sizeof(err)))
		fail_msg("%s", err);
	FILE *quiet = fopen("/dev/null", "w");
	assert_non_null(quiet);
	size_t failed = sim_check_expects(sc, res, quiet);
	fclose(quiet);
	sim_scenario_free(sc);
	if (trace)
		*trace = tfs_must_read(tpath, NULL);
	tfs_dir_remove(&d);
	return failed;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Half-open limit alone: alice waits for her fourth retransmission; cookies: she is in at once, gw's state bounded. */
static void flood_limit_vs_cookies(void **state)
{
	(void)state;
	sim_run_result res;
	char *tr = NULL, *text = tfs_must_read(L8 "scenario.json", NULL);
	assert_int_equal(run_text(L8 "scenario.json", text, &tr, &res), 0);
	assert_int_equal(count(tr, "\"ev\":\"attack.flood\""), 1000);
	assert_non_null(strstr(tr, "\"ev\":\"attack.done\",\"sent\":1000"));
	assert_int_equal(count(tr, "\"node\":\"alice\",\"ev\":\"ike.retransmit\""), 4);
	assert_int_equal(count(tr, "N(COOKIE)"), 0);
	sim_run_result_free(&res);
	free(tr);
	char *ck0 = edit(text, "\"half_open_limit\": 100", "\"half_open_limit\": 100, \"cookie_threshold\": 30");
	char *ck = edit(ck0, "\"expect\": [", "\"expect\": [ {\"metric\": \"cookies\", \"min\": 960},"); /* the flood past 30 */
	free(ck0);
	assert_int_equal(run_text(L8 "scenario.json", ck, &tr, &res), 1); /* only the retransmission count now fails */
	assert_int_equal(count(tr, "\"node\":\"alice\",\"ev\":\"ike.retransmit\""), 0);
	assert_true(count(tr, "IKE_SA_INIT response 0 [ N(COOKIE) ]") >= 1); /* traced within the refusal budget only */
	assert_string_equal(res.status[res.first[0]].ike_state, "ESTABLISHED");
	sim_run_result_free(&res);
	free(tr);
	free(ck);
	free(text);
}

/* Same seed, same flood: the spoofed sources and SPIs come from the run's DRBG. */
static void flood_is_deterministic(void **state)
{
	(void)state;
	sim_run_result res;
	char *a = NULL, *b = NULL, *text = tfs_must_read(L8 "cookies.json", NULL);
	run_text(L8 "cookies.json", text, &a, &res);
	sim_run_result_free(&res);
	run_text(L8 "cookies.json", text, &b, &res);
	sim_run_result_free(&res);
	assert_string_equal(a, b);
	char *seeded = edit(text, "\"seed\": 8", "\"seed\": 9");
	free(b);
	run_text(L8 "cookies.json", seeded, &b, &res);
	sim_run_result_free(&res);
	assert_string_not_equal(a, b);
	free(a), free(b), free(seeded), free(text);
}

/* The rewrite happens, gw picks the weak proposal, and the AUTH check fails at gw first; without the
 * attacker (mallory a plain router) the same peers agree on the strong proposal. */
static void mitm_downgrade_fails_at_auth(void **state)
{
	(void)state;
	sim_run_result res;
	char *tr = NULL, *text = tfs_must_read(L9 "downgrade.json", NULL);
	assert_int_equal(run_text(L9 "downgrade.json", text, &tr, &res), 0);
	assert_int_equal(count(tr, "\"why\":\"rewrote the SA offer\""), 2);
	assert_non_null(strstr(tr, "\"node\":\"gw\",\"ev\":\"sa.selected\",\"sa\":\"ike\",\"proposal\":\"AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024\""));
	const char *gw_fail = strstr(tr, "\"node\":\"gw\",\"ev\":\"error\",\"what\":\"ike_sa failed\",\"why\":\"AUTH payload does not verify");
	const char *alice_fail = strstr(tr, "\"node\":\"alice\",\"ev\":\"error\",\"what\":\"ike_sa failed\",\"why\":\"responder sent AUTHENTICATION_FAILED");
	assert_non_null(gw_fail);
	assert_non_null(alice_fail);
	assert_true(gw_fail < alice_fail);
	sim_run_result_free(&res);
	free(tr);
	char *plain = edit(text, "\"keep\": \"aes128-sha1-modp1024\"", "\"keep\": \"aes128-sha1-ecp521\"");
	assert_int_equal(run_text(L9 "downgrade.json", plain, &tr, &res), 3); /* nothing to keep: no downgrade, tunnel up */
	assert_non_null(strstr(tr, "nothing to downgrade to: forwarded as it came"));
	assert_string_equal(res.status[res.first[0]].ike_state, "ESTABLISHED");
	sim_run_result_free(&res);
	free(tr), free(plain), free(text);
}

static int crack_cli(const char *capture, const char *words, char *out, size_t cap)
{
	char *argv[] = { "ikesim", "crack", (char *)capture, "--wordlist", (char *)words };
	clirun r = clirun_call(cli_main, 5, argv);
	snprintf(out, cap, "%s%s", r.out ? r.out : "", r.err ? r.err : "");
	int rc = r.rc;
	clirun_free(&r);
	return rc;
}

/* The rogue cracks "sunshine" in the run, `ikesim crack` on its trace too; a strong PSK survives both. */
static void rogue_capture_cracks_weak_psk(void **state)
{
	(void)state;
	sim_run_result res;
	char *tr = NULL, *text = tfs_must_read(L9 "rogue.json", NULL), out[2048], tpath[256];
	assert_int_equal(run_text(L9 "rogue.json", text, &tr, &res), 0);
	assert_non_null(strstr(tr, "\"why\":\"found\",\"psk\":\"sunshine\",\"line\":1873"));
	tfs_dir d;
	tfs_dir_make(&d, "atkcr");
	tfs_dir_file(&d, "t.jsonl", tpath, sizeof(tpath));
	FILE *f = fopen(tpath, "w");
	assert_non_null(f);
	fputs(tr, f);
	fclose(f);
	assert_int_equal(crack_cli(tpath, "lessons/06-ikev1/words.txt", out, sizeof(out)), 0);
	if (!strstr(out, "PSK found: \"sunshine\" (line 1873 of lessons/06-ikev1/words.txt"))
		fail_msg("crack: %s", out);
	sim_run_result_free(&res);
	free(tr);
	char *strong = edit(text, "\"psk\": \"sunshine\"", "\"psk\": \"kV9p-3mQz-Wt7e-Lx2r-Hc8n-Bf4j\"");
	assert_int_equal(run_text(L9 "rogue.json", strong, &tr, &res), 1); /* the "found" expectation fails */
	assert_non_null(strstr(tr, "\"ev\":\"attack.crack\",\"why\":\"not found\",\"words\":2000"));
	f = fopen(tpath, "w");
	assert_non_null(f);
	fputs(tr, f);
	fclose(f);
	assert_int_equal(crack_cli(tpath, "lessons/06-ikev1/words.txt", out, sizeof(out)), 3);
	assert_non_null(strstr(out, "none of the 2000 words"));
	tfs_dir_remove(&d);
	sim_run_result_free(&res);
	free(tr), free(strong), free(text);
}

/* RFC 7296 2.15 computed here with OpenSSL's one-shot HMAC, then checked through host/v2psk.h. */
static void v2psk_math_and_line(void **state)
{
	(void)state;
	uint8_t msg1[60], nr[32], sk_pi[32], idi[20] = { 2, 0, 0, 0 }, maced[32], key[32], auth[32], octets[60 + 32 + 32];
	unsigned ml = 0;
	for (size_t i = 0; i < sizeof(msg1); i++)
		msg1[i] = (uint8_t)(i * 7 + 1);
	memset(nr, 0x5a, sizeof(nr)), memset(sk_pi, 0xa5, sizeof(sk_pi));
	memcpy(idi + 4, "gw.example.org..", 16);
	assert_non_null(HMAC(EVP_sha256(), sk_pi, 32, idi, sizeof(idi), maced, &ml));
	assert_non_null(HMAC(EVP_sha256(), "letmein", 7, (const uint8_t *)"Key Pad for IKEv2", 17, key, &ml));
	memcpy(octets, msg1, 60), memcpy(octets + 60, nr, 32), memcpy(octets + 92, maced, 32);
	assert_non_null(HMAC(EVP_sha256(), key, 32, octets, sizeof(octets), auth, &ml));
	ike_v2psk t = { IKE_PRF_HMAC_SHA2_256, msg1, nr, sk_pi, idi, auth, 60, 32, 32, sizeof(idi), 32 };
	ike_crypto *c = ike_crypto_new();
	uint8_t m2[IKE_PRF_MAX_OUT];
	assert_int_equal(ike_host_v2psk_prepare(c, &t, m2), 0);
	assert_memory_equal(m2, maced, 32);
	assert_int_equal(ike_host_v2psk_try(c, &t, m2, (const uint8_t *)"letmein", 7), 1);
	assert_int_equal(ike_host_v2psk_try(c, &t, m2, (const uint8_t *)"letmein ", 8), 0);
	char line[1024], err[200];
	assert_true(ike_host_v2psk_line(&t, line, sizeof(line)) > 0);
	assert_int_equal(ike_host_v2psk_line(&t, line, 100), 0);
	ike_v2psk back;
	uint8_t *store = NULL;
	assert_int_equal(ike_host_v2psk_parse(line, strlen(line), &back, &store, err, sizeof(err)), 0);
	assert_int_equal(ike_host_v2psk_try(c, &back, m2, (const uint8_t *)"letmein", 7), 1);
	free(store);
	static const struct {
		const char *line, *why;
	} bad[] = {
		{ "ikev1-psk:5:00", "does not start" },	{ "ikev2-psk:99:00:00:00:00:00", "PRF" },
		{ "ikev2-psk:5:zz", "not hex" },		{ "ikev2-psk:5:00:11", "fields where 6" },
		{ "ikev2-psk:5:00:11:22:33:44:55", "more than 6" }, { "ikev2-psk:5::11:22:33:44", "empty" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(ike_host_v2psk_parse(bad[i].line, strlen(bad[i].line), &back, &store, err, sizeof(err)), -1);
		free(store);
		if (!strstr(err, bad[i].why))
			fail_msg("%s: '%s' lacks '%s'", bad[i].line, err, bad[i].why);
	}
	char *short_auth = edit(line, line + strlen(line) - 2, "");
	assert_int_equal(ike_host_v2psk_parse(short_auth, strlen(short_auth), &back, &store, err, sizeof(err)), -1);
	free(store);
	assert_non_null(strstr(err, "auth is not as long"));
	free(short_auth);
	ike_crypto_free(c);
}

static void loader_refuses(void **state)
{
	(void)state;
	static const struct {
		const char *file, *from, *to, *why;
	} cases[] = {
		{ L9 "downgrade.json", "\"node\": \"mallory\", \"kind\"", "\"node\": \"alice\", \"kind\"", "runs connections" },
		{ L9 "downgrade.json", "\"router\": true", "\"router\": false", "\"router\": true" },
		{ L9 "downgrade.json", "mitm_downgrade", "mitm", "is not one of" },
		{ L9 "downgrade.json", "\"keep\": \"aes128-sha1-modp1024\"", "\"keep\": \"aes128-sha1-modp1024, aes256-sha256-modp2048\"", "one proposal" },
		{ L9 "downgrade.json", "\"keep\": \"aes128-sha1-modp1024\"", "\"keep\": \"3des-sha1-modp1024\"", "IKEv1 only" },
		{ L9 "downgrade.json", "\"keep\": \"aes128-sha1-modp1024\"", "\"rate\": 5", "has no 'rate'" },
		{ L9 "rogue.json", "../06-ikev1/words.txt", "no-such-words.txt", "cannot read" },
		{ L8 "scenario.json", "\"target\": \"gw\"", "\"target\": \"mallory\"", "cannot flood itself" },
		{ L8 "scenario.json", "\"sources\": \"100.64.0.0/10\"", "\"sources\": \"100.64.0.0/33\"", "prefix-length" },
		{ L8 "scenario.json", "\"rate\": 100", "\"rate\": 0", "rate" },
		{ L8 "scenario.json", "\"stop\": \"11s\"", "\"stop\": \"0.5s\"", "stops before it starts" },
		{ L8 "scenario.json", "\"sources\": \"100.64.0.0/10\",", "\"sources\": \"2001:db8::/32\",", "different families" },
		{ L8 "scenario.json", "\"kind\": \"spoof_flood\", \"target\"", "\"kind\": \"spoof_flood\", \"wordlist\": \"x\", \"target\"", "has no 'wordlist'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = tfs_must_read(cases[i].file, NULL), err[512] = "";
		char *bad = edit(text, cases[i].from, cases[i].to);
		sim_scenario *sc = sim_scenario_parse(cases[i].file, bad, strlen(bad), err, sizeof(err));
		if (sc)
			fail_msg("case %zu loads", i);
		if (!strstr(err, cases[i].why) || !strstr(err, "attackers[0]"))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].why);
		free(bad), free(text);
	}
	char *text = tfs_must_read(L8 "scenario.json", NULL), err[512] = "";
	char *two = edit(text, "\"attackers\": [", "\"attackers\": [ { \"node\": \"mallory\", \"kind\": \"rogue_responder\" },");
	assert_null(sim_scenario_parse("two.json", two, strlen(two), err, sizeof(err)));
	assert_non_null(strstr(err, "attackers[1].node: 'mallory' is already an attacker"));
	free(two), free(text);
}

size_t tests_attack(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(flood_limit_vs_cookies),	  cmocka_unit_test(flood_is_deterministic),
		cmocka_unit_test(mitm_downgrade_fails_at_auth), cmocka_unit_test(rogue_capture_cracks_weak_psk),
		cmocka_unit_test(v2psk_math_and_line),	  cmocka_unit_test(loader_refuses),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
