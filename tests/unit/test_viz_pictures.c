/* viz: key graphs, ladders and the report carry what the trace says; same trace, same bytes; README pictures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "test_list.h.in"
#include "vizutil.h"

static void assert_has(char **set, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(set[i], s) == 0)
			return;
	fail_msg("'%s' missing", s);
}

static void keys_svg(const viz_trace *t, const char *node, viz_buf *b)
{
	viz_keys_opts o = { t, node, NULL, 0 };
	char msg[256];
	if (viz_keys(&o, VIZ_FMT_SVG, b, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
}

/* SKEYSEED from Ni, Nr, g^ir; seven SK_* slices of one prf+ stream; KEYMAT from SK_d; values shortened. */
static void check_keys(const viz_trace *t, int aead)
{
	static const char *const sk[] = { "SK_d", "SK_ai", "SK_ar", "SK_ei", "SK_er", "SK_pi", "SK_pr" };
	static const char *const edges[] = { "k1_Ni->k1_SKEYSEED", "k1_Nr->k1_SKEYSEED", "k1_g_ir->k1_SKEYSEED",
					     "k1_KEi->k1_g_ir", "k1_SKEYSEED->k1_prfplus_4", "k1_SPIi->k1_prfplus_4",
					     "k1_SK_d->k1_KEYMAT", "k1_KEYMAT->k1_ESP_ENCR_I" };
	viz_buf b = { 0 };
	keys_svg(t, "gw-a", &b);
	xmlDocPtr d = vt_xml(&b);
	char **ids, **titles, id[32];
	size_t ni = vt_xpath(d, "//s:g[@class='node']/@id", &ids);
	size_t nt = vt_xpath(d, "//s:g[@class='edge']/s:title", &titles);
	for (size_t i = 0; i < 7; i++) {
		snprintf(id, sizeof(id), "k1_%s", sk[i]);
		assert_has(ids, ni, id);
		char *text = vt_text_of(d, id), edge[64];
		assert_true(strncmp(text, sk[i], strlen(sk[i])) == 0);
		int empty = strstr(text, "0 bytes: AEAD") != NULL;
		assert_int_equal(empty, aead && (i == 1 || i == 2));
		snprintf(edge, sizeof(edge), "k1_prfplus_4->%s", id);
		assert_has(titles, nt, edge);
		free(text);
	}
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		assert_has(titles, nt, edges[i]);
	char *seed = vt_text_of(d, "k1_SKEYSEED");
	assert_non_null(strstr(seed, "SKEYSEED = prf(Ni | Nr, g^ir)"));
	assert_non_null(strstr(seed, "85f5b73b...dbb6"));
	free(seed);
	vt_strs_free(ids, ni);
	vt_strs_free(titles, nt);
	xmlFreeDoc(d);
	viz_buf_free(&b);
}

static void keys_demo(void **state)
{
	(void)state;
	viz_trace *t = vt_run(DEMO_SCENARIO);
	check_keys(t, 1);
	viz_trace_free(t);
}

/* A non-AEAD suite derives real SK_ai/SK_ar: the demo scenario with AES-CBC and HMAC-SHA-256. */
static void keys_cbc(void **state)
{
	(void)state;
	static const char scn[] =
		"{\"seed\":1,\"duration\":\"10s\",\"nodes\":[{\"name\":\"gw-a\",\"addresses\":[\"192.0.2.1\"]},"
		"{\"name\":\"gw-b\",\"addresses\":[\"198.51.100.1\"]}],"
		"\"links\":[{\"a\":\"gw-a\",\"b\":\"gw-b\",\"latency\":\"20ms\"}],\"connections\":["
		"{\"name\":\"site-a\",\"node\":\"gw-a\",\"remote_node\":\"gw-b\",\"initiate\":true,"
		"\"ike\":\"aes128-sha256-x25519\",\"esp\":\"aes128-sha256\",\"auth\":{\"psk\":\"s3cret\"}},"
		"{\"name\":\"site-b\",\"node\":\"gw-b\",\"remote_node\":\"gw-a\",\"ike\":\"aes128-sha256-x25519\","
		"\"esp\":\"aes128-sha256\",\"auth\":{\"psk\":\"s3cret\"}}]}";
	viz_trace *t = vt_run_text(scn);
	viz_buf b = { 0 };
	keys_svg(t, "gw-a", &b);
	xmlDocPtr d = vt_xml(&b);
	char *ai = vt_text_of(d, "k1_SK_ai"), *integ = vt_text_of(d, "k1_ESP_INTEG_I");
	assert_non_null(strstr(ai, "32 bytes"));
	assert_non_null(strstr(integ, "32 bytes"));
	free(ai);
	free(integ);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* The ladder's message labels, in document order. */
static size_t ladder_msgs(const viz_trace *t, const char *nodes, char ***msgs, viz_buf *b)
{
	viz_ladder_opts o = { t, nodes, 0, 0, VIZ_ESP_AUTO };
	char msg[256];
	if (viz_ladder(&o, b, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	xmlDocPtr d = vt_xml(b);
	size_t n = vt_xpath(d, "//s:text[@class='msg']", msgs);
	xmlFreeDoc(d);
	return n;
}

/* Every message of the demo, in the order it was sent: its summary, the SK{} envelope and the key that
 * protects it (RFC 7296 3.14; IKE_SA_INIT is in clear), and its size. */
static void ladder_demo(void **state)
{
	(void)state;
	static const char *const want[] = {
		"IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ] in clear, 208 B",
		"IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ] in clear, 208 B",
		/* MOBIKE (on by default) adds N(MOBIKE_SUP) N(NO_ADD_ADDR): 16 bytes each way */
		"IKE_AUTH request 1 SK{ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) } under SK_ei, 245 B",
		"IKE_AUTH response 1 SK{ IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) } under SK_er, 217 B",
	};
	viz_trace *t = vt_run(DEMO_SCENARIO);
	viz_buf b = { 0 };
	char **msgs;
	size_t n = ladder_msgs(t, NULL, &msgs, &b), k = 0;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->ev[i].ev, "ike.tx") == 0) {
			assert_true(k < n && k < 4);
			const char *sum = viz_ev_str(&t->ev[i], "summary");
			assert_non_null(sum); /* the label is this message's */
			assert_memory_equal(msgs[k], sum, strcspn(sum, "["));
			assert_string_equal(msgs[k], want[k]);
			k++;
		}
	assert_int_equal(k, 4);
	assert_int_equal(n, 4);
	assert_null(strstr(b.p, "lost ("));
	vt_strs_free(msgs, n);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* A lost IKE_AUTH request: drawn as lost, then its retransmission delivered; the 4 s gap is marked. */
static void ladder_loss(void **state)
{
	(void)state;
	viz_trace *t = vt_run("tests/scenarios/lost_auth_retransmit.json");
	viz_buf b = { 0 };
	char **msgs;
	size_t n = ladder_msgs(t, "gw-b,gw-a", &msgs, &b);
	assert_int_equal(n, 5);
	assert_string_equal(msgs[2], "IKE_AUTH request 1 SK{ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) } "
				     "under SK_ei, 245 B");
	assert_string_equal(msgs[3], "retransmit #1: IKE_AUTH request 1 SK{ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MOBIKE_SUP) "
				     "N(NO_ADD_ADDR) } under SK_ei, 245 B");
	assert_non_null(strstr(b.p, ">lost (fault)</text>"));
	assert_non_null(strstr(b.p, ">4.000 s later</text>"));
	vt_strs_free(msgs, n);
	viz_buf_free(&b);
	viz_ladder_opts o = { t, "gw-a,nat-1", 0, 0, VIZ_ESP_AUTO };
	char msg[256];
	assert_int_equal(viz_ladder(&o, &b, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "no node 'nat-1' in the trace"));
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* The failure shows on the lifelines: the responder's error and both SAs going to DESTROYING. */
static void ladder_failure(void **state)
{
	(void)state;
	viz_trace *t = vt_run("tests/scenarios/wrong_psk.json");
	viz_buf b = { 0 };
	char **msgs;
	size_t n = ladder_msgs(t, NULL, &msgs, &b);
	assert_int_equal(n, 4);
	assert_string_equal(msgs[3], "IKE_AUTH response 1 SK{ N(AUTH_FAILED) } under SK_er, 65 B");
	assert_non_null(strstr(b.p, "error: AUTH payload does not verify"));
	assert_non_null(strstr(b.p, ">IKE 80599283 DESTROYING<")); /* which SA: its initiator SPI */
	vt_strs_free(msgs, n);
	viz_buf_free(&b);
	viz_trace_free(t);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* One page, nothing fetched: no URLs, no src/href, url() only to fragments within the page. */
static void report_self_contained(void **state)
{
	(void)state;
	viz_trace *t = vt_run(DEMO_SCENARIO);
	viz_buf b = { 0 };
	char msg[256];
	assert_int_equal(viz_report(t, &b, msg, sizeof(msg)), 0);
	assert_int_equal(count(b.p, "http"), 0);
	assert_int_equal(count(b.p, "src="), 0);
	assert_int_equal(count(b.p, "href"), 0);
	assert_int_equal(count(b.p, "@import"), 0);
	assert_int_equal(count(b.p, "url("), count(b.p, "url(#"));
	assert_int_equal(count(b.p, "<svg"), 4); /* ladder, two state paths, one key graph */
	assert_int_equal(count(b.p, "<!--"), 0);
	assert_non_null(
		strstr(b.p, "IKE_AUTH response 1 SK{ IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) } under SK_er, 217 B"));
	assert_non_null(strstr(b.p, "<td>AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519</td>"));
	viz_buf_free(&b);
	viz_trace_free(t);
}

typedef int (*draw_fn)(const viz_trace *t, viz_format f, viz_buf *b, char *msg, size_t n);

static int draw_states(const viz_trace *t, viz_format f, viz_buf *b, char *msg, size_t n)
{
	viz_states_opts o = { t, "gw-a", NULL, 2 };
	return viz_states(&o, f, b, msg, n);
}

static int draw_keys(const viz_trace *t, viz_format f, viz_buf *b, char *msg, size_t n)
{
	viz_keys_opts o = { t, "gw-a", NULL, 0 };
	return viz_keys(&o, f, b, msg, n);
}

static int draw_ladder(const viz_trace *t, viz_format f, viz_buf *b, char *msg, size_t n)
{
	(void)f;
	viz_ladder_opts o = { t, NULL, 0, 0, VIZ_ESP_AUTO };
	return viz_ladder(&o, b, msg, n);
}

/* Same trace, same bytes (for every format); and the README pictures are what `make pictures` makes. */
static void deterministic(void **state)
{
	(void)state;
	static const struct {
		draw_fn fn;
		const char *committed;
	} pics[] = { { draw_states, "docs/img/states.svg" }, { draw_keys, "docs/img/keys.svg" },
		     { draw_ladder, "docs/img/ladder.svg" } };
	viz_trace *t1 = vt_run(DEMO_SCENARIO), *t2 = vt_run(DEMO_SCENARIO);
	char msg[256];
	for (size_t i = 0; i < 3; i++)
		for (viz_format f = VIZ_FMT_SVG; f <= VIZ_FMT_DOT; f++) {
			viz_buf a = { 0 }, b = { 0 };
			assert_int_equal(pics[i].fn(t1, f, &a, msg, sizeof(msg)), 0);
			assert_int_equal(pics[i].fn(t2, f, &b, msg, sizeof(msg)), 0);
			if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
				fail_msg("picture %zu, format %d: two renderings differ", i, (int)f);
			viz_buf_free(&a);
			viz_buf_free(&b);
		}
	viz_trace_free(t1);
	viz_trace_free(t2);
	viz_trace *t = vt_run(DEMO_SCENARIO); /* same path as `make pictures` puts in the ladder's title */
	for (size_t i = 0; i < 3; i++) {
		viz_buf a = { 0 };
		size_t len;
		char *want = vt_read_file(pics[i].committed, &len);
		assert_non_null(want);
		assert_int_equal(pics[i].fn(t, VIZ_FMT_SVG, &a, msg, sizeof(msg)), 0);
		if (a.len != len || memcmp(a.p, want, len) != 0)
			fail_msg("%s does not regenerate byte-identically: run 'make pictures'", pics[i].committed);
		free(want);
		viz_buf_free(&a);
	}
	viz_trace_free(t);
}

static void png_renders(void **state)
{
	(void)state;
	viz_states_opts o = { 0 };
	viz_buf b = { 0 };
	char msg[256];
	assert_int_equal(viz_states(&o, VIZ_FMT_PNG, &b, msg, sizeof(msg)), 0);
	assert_true(b.len > 1000);
	assert_memory_equal(b.p, "\x89PNG\r\n\x1a\n", 8);
	viz_buf_free(&b);
}

typedef struct run_out {
	int rc;
	char *out, *err;
} run_out;

static run_out cli(int argc, const char **args)
{
	char *argv[16] = { "ikesim" };
	for (int i = 0; i < argc && i < 15; i++)
		argv[i + 1] = (char *)args[i];
	run_out r = { 0 };
	size_t ol, el;
	FILE *out = open_memstream(&r.out, &ol), *err = open_memstream(&r.err, &el);
	r.rc = cli_main(argc + 1, argv, out, err);
	fclose(out);
	fclose(err);
	return r;
}

#define CLI(...) cli(sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *), (const char *[]){ __VA_ARGS__ })

static void expect(run_out r, int rc, const char *in_err)
{
	if (r.rc != rc || (in_err && !strstr(r.err, in_err)))
		fail_msg("rc %d (want %d), stderr: %s", r.rc, rc, r.err);
	if (rc != CLI_OK && strncmp(r.err, "usage", 5) != 0)
		assert_int_equal(strchr(r.err, '\n') - r.err + 1, (long)strlen(r.err)); /* one line */
	free(r.out);
	free(r.err);
}

static void cli_viz_and_report(void **state)
{
	(void)state;
	char dir[] = "/tmp/ikesim-vizcli-XXXXXX", trace[64], bad[64], svg[64], html[64];
	assert_non_null(mkdtemp(dir));
	snprintf(trace, sizeof(trace), "%s/t.jsonl", dir);
	snprintf(bad, sizeof(bad), "%s/bad.jsonl", dir);
	snprintf(svg, sizeof(svg), "%s/s.svg", dir);
	snprintf(html, sizeof(html), "%s/r.html", dir);
	expect(CLI("run", DEMO_SCENARIO, "--trace", trace, "--quiet"), CLI_OK, NULL);
	FILE *f = fopen(bad, "w");
	assert_non_null(f);
	fputs("{\"t\":0,\"node\":\"sim\",\"ev\":\"sim.start\"}\n{\"t\":1,\n", f);
	fclose(f);
	expect(CLI("viz"), CLI_USAGE, "usage: ikesim viz");
	expect(CLI("viz", "pie", "-o", svg), CLI_USAGE, "unknown picture 'pie'");
	expect(CLI("viz", "states", "-o", "x.txt"), CLI_USAGE, "must end in .svg, .png or .dot");
	expect(CLI("viz", "states"), CLI_USAGE, "missing -o FILE");
	expect(CLI("viz", "states", "--ike", "3", "-o", svg), CLI_USAGE, "IKEv1's (--ike 1)");
	expect(CLI("viz", "states", "--ike", "1", "-o", svg), CLI_OK, NULL);
	expect(CLI("viz", "keys", "-o", svg), CLI_USAGE, "missing TRACE");
	expect(CLI("viz", "ladder", trace, "-o", "l.png"), CLI_USAGE, "must end in .svg");
	expect(CLI("viz", "ladder", trace, "--sa", "01", "-o", svg), CLI_USAGE, "option not valid here");
	expect(CLI("viz", "keys", "/nonexistent.jsonl", "-o", svg), CLI_USAGE, "/nonexistent.jsonl: No such file");
	expect(CLI("viz", "ladder", bad, "-o", svg), CLI_USAGE, "bad.jsonl:2: not a JSON object");
	expect(CLI("viz", "keys", trace, "--sa", "0123456789abcdef", "-o", svg), CLI_ERR, "no kdf events for SPI");
	expect(CLI("viz", "ladder", trace, "--from", "soon", "-o", svg), CLI_USAGE, "--from soon: not a time");
	expect(CLI("viz", "ladder", trace, "--to", "-1", "-o", svg), CLI_USAGE, "--to -1: not a time");
	expect(CLI("viz", "ladder", trace, "--from", "2s", "--to", "1500ms", "-o", svg), CLI_USAGE,
	       "--to 1500ms must be later than --from 2s");
	expect(CLI("viz", "keys", trace, "--from", "1", "-o", svg), CLI_USAGE, "option not valid here");
	expect(CLI("viz", "ladder", trace, "--generation", "1", "-o", svg), CLI_USAGE, "option not valid here");
	expect(CLI("viz", "ladder", trace, "--esp", "some", "-o", svg), CLI_USAGE, "--esp some: auto, bands, all or none");
	expect(CLI("viz", "keys", trace, "--esp", "all", "-o", svg), CLI_USAGE, "option not valid here");
	expect(CLI("viz", "ladder", trace, "--esp", "none", "-o", svg), CLI_OK, NULL);
	expect(CLI("viz", "keys", trace, "--generation", "0", "-o", svg), CLI_USAGE, "--generation 0: a number from 1");
	expect(CLI("viz", "keys", trace, "--generation", "2", "-o", svg), CLI_ERR, "has 1 generation in this trace");
	expect(CLI("viz", "ladder", trace, "--from", "10s", "-o", svg), CLI_ERR, "nothing to draw between 10.000 s");
	expect(CLI("viz", "ladder", trace, "--from", "20ms", "--to", "0.05", "-o", svg), CLI_OK, NULL);
	expect(CLI("viz", "keys", trace, "--generation", "1", "-o", svg), CLI_OK, NULL);
	expect(CLI("report", trace), CLI_USAGE, "need TRACE and -o");
	expect(CLI("viz", "states", "--ike", "2", "--trace", trace, "--node", "gw-b", "-o", svg), CLI_OK, NULL);
	expect(CLI("viz", "keys", trace, "-o", svg), CLI_OK, NULL);
	expect(CLI("viz", "ladder", trace, "--nodes", "gw-a,gw-b", "-o", svg), CLI_OK, NULL);
	run_out r = CLI("report", trace, "-o", html);
	assert_int_equal(r.rc, CLI_OK);
	assert_true(strncmp(r.out, html, strlen(html)) == 0);
	assert_string_equal(r.out + strlen(html), "\n");
	free(r.out);
	free(r.err);
	char *page = vt_read_file(html, NULL);
	assert_non_null(page);
	assert_true(strncmp(page, "<!DOCTYPE html>", 15) == 0);
	free(page);
	remove(trace), remove(bad), remove(svg), remove(html);
	assert_int_equal(rmdir(dir), 0); /* nothing else left: no temp files */
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(keys_demo),	     cmocka_unit_test(keys_cbc),
	cmocka_unit_test(ladder_demo),	     cmocka_unit_test(ladder_loss),
	cmocka_unit_test(ladder_failure),    cmocka_unit_test(report_self_contained),
	cmocka_unit_test(deterministic),     cmocka_unit_test(png_renders),
	cmocka_unit_test(cli_viz_and_report),
};

size_t tests_viz_pictures(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
