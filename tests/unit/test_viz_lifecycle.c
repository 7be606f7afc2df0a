/* viz after the handshake: rekeys, DPD, fragments and faults on the ladder; key generations; windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "cli.h"
#include "test_list.h.in"
#include "vizutil.h"

#define REKEY_TRACE "tests/viz/rekey.jsonl" /* hand-written: see tests/viz/README.md */

static int line_has(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return 1;
	return 0;
}

static viz_trace *load(const char *drop_ev)
{
	char msg[256];
	size_t len;
	char *text = vt_read_file(REKEY_TRACE, &len);
	assert_non_null(text);
	if (drop_ev) { /* leave out every line of that event */
		size_t w = 0;
		for (size_t r = 0; r < len;) {
			const char *nl = memchr(text + r, '\n', len - r);
			size_t n = nl ? (size_t)(nl - (text + r)) + 1 : len - r;
			if (!line_has(text + r, n, drop_ev))
				memmove(text + w, text + r, n), w += n;
			r += n;
		}
		len = w;
	}
	viz_trace *t = viz_trace_parse(REKEY_TRACE, text, len, msg, sizeof(msg));
	free(text);
	if (!t)
		fail_msg("%s", msg);
	return t;
}

static size_t count_xpath(xmlDocPtr d, const char *expr)
{
	char **s;
	size_t n = vt_xpath(d, expr, &s);
	vt_strs_free(s, n);
	return n;
}

static int has(xmlDocPtr d, const char *expr, const char *want)
{
	char **s;
	size_t n = vt_xpath(d, expr, &s);
	int found = 0;
	for (size_t i = 0; i < n; i++)
		found |= strcmp(s[i], want) == 0;
	vt_strs_free(s, n);
	return found;
}

static xmlDocPtr ladder(const viz_trace *t, int64_t from, int64_t to, viz_buf *b)
{
	viz_ladder_opts o = { t, NULL, from, to, VIZ_ESP_AUTO };
	char msg[256];
	if (viz_ladder(&o, b, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	return vt_xml(b);
}

/* Every exchange of the day is an arrow; rekeys, DPD, fragments, the link fault and quiet gaps are drawn. */
static void ladder_lifecycle(void **state)
{
	(void)state;
	viz_trace *t = load(NULL);
	viz_buf b = { 0 };
	xmlDocPtr d = ladder(t, 0, 0, &b);
	size_t tx = 0, retx = 0;
	for (size_t i = 0; i < t->n; i++)
		tx += strcmp(t->ev[i].ev, "ike.tx") == 0, retx += strcmp(t->ev[i].ev, "ike.retransmit") == 0;
	assert_int_equal(tx, 18);
	assert_int_equal(retx, 2);
	assert_int_equal(count_xpath(d, "//s:text[@class='msg']"), tx + retx);
	assert_true(has(d, "//s:text[@class='msg']", "CREATE_CHILD_SA request 3 SK{ N(REKEY_SA) SA No KE TSi TSr } under SK_ei, 250 B"));
	assert_true(has(d, "//s:text[@class='msg']", "INFORMATIONAL request 6 SK{ D } under SK_ei, 65 B"));
	assert_true(has(d, "//s:text[@class='msg']",
			"IKE_AUTH request 1 SK{ IDi CERT N(INIT_CONTACT) IDr AUTH SA TSi TSr } under SK_ei, 2890 B in 3 fragments"));
	assert_int_equal(count_xpath(d, "//s:text[@class='fate']"), 2); /* the DPD probe lost twice on the down link */
	assert_int_equal(count_xpath(d, "//s:g[@class='rekey']"), 4);
	assert_true(has(d, "//s:g[@class='rekey']/s:text", "IKE rekeyed 80599283 \xe2\x86\x92 4b1d6f0c (lifetime)"));
	assert_true(has(d, "//s:g[@class='rekey']/s:text",
			"CHILD net rekeyed f55e0a6a \xe2\x86\x92 c1d2e3f4 (lifetime, PFS CURVE_25519)"));
	assert_true(has(d, "//s:g[@class='rekey']/s:title",
			"IKE SA 8059928337c25b67_i 27828255f37b7d68_r replaced by 4b1d6f0c9a2e7735_i c3e09a51d7f26b08_r, "
			"DH CURVE_25519"));
	assert_int_equal(count_xpath(d, "//s:g[@class='dpd']"), 2);
	assert_int_equal(count_xpath(d, "//s:g[@class='frag']"), 2);
	assert_int_equal(count_xpath(d, "//s:rect[@class='link-down']"), 1);
	assert_int_equal(count_xpath(d, "//s:g[@class='fault']"), 2);
	assert_true(has(d, "//s:g[@class='fault']/s:text", "link gw-a-gw-b down: nothing passes"));
	assert_int_equal(count_xpath(d, "//s:g[@class='elision']"), 4); /* the four gaps of a minute or more */
	assert_true(has(d, "//s:g[@class='elision']/s:text", "10710.670 s later (2 h 58 min of quiet)"));
	/* State boxes say whose SA: the IKE SA's SPI, the CHILD SA's name and inbound SPI. */
	assert_true(has(d, "//s:g[@class='state']/s:text", "IKE 4b1d6f0c ESTABLISHED"));
	assert_true(has(d, "//s:g[@class='state']/s:text", "CHILD net c1d2e3f4 INSTALLED"));
	assert_null(strstr(b.p, "mystery"));
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* --from/--to: only what happens in the window; a message crossing its edge is a short stub saying so. */
static void ladder_window(void **state)
{
	(void)state;
	viz_trace *t = load(NULL);
	viz_buf b = { 0 };
	xmlDocPtr d = ladder(t, 3000000000000LL, 15000000000000LL, &b);
	assert_int_equal(count_xpath(d, "//s:text[@class='msg']"), 8);
	assert_int_equal(count_xpath(d, "//s:g[@class='rekey']"), 2);
	assert_int_equal(count_xpath(d, "//s:g[@class='dpd']"), 0);
	assert_int_equal(count_xpath(d, "//s:rect[@class='link-down']"), 0);
	assert_non_null(strstr(b.p, ", from 3000.000 s to 15000.000 s</text>"));
	xmlFreeDoc(d);
	viz_buf_free(&b);
	/* The fragmented IKE_AUTH request leaves at 0.040 s and arrives at 0.060 s. */
	d = ladder(t, 50000000, 100000000, &b);
	assert_true(has(d, "//s:text[@class='msg']",
			"IKE_AUTH request 1 SK{ IDi CERT N(INIT_CONTACT) IDr AUTH SA TSi TSr } under SK_ei, 2890 B in 3 fragments "
			"(sent at 0.040 s)"));
	xmlFreeDoc(d);
	viz_buf_free(&b);
	d = ladder(t, 0, 50000000, &b);
	assert_true(has(d, "//s:g[@class='message']/s:title", "arrives after the window"));
	assert_int_equal(count_xpath(d, "//s:rect[@class='link-down']"), 0);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	/* Inside the link-down: the band covers the whole window. */
	d = ladder(t, 20000000000LL, 41000000000LL, &b);
	assert_int_equal(count_xpath(d, "//s:rect[@class='link-down']"), 1);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_ladder_opts o = { t, NULL, 100000000000LL, 200000000000LL, VIZ_ESP_AUTO };
	char msg[256];
	assert_int_equal(viz_ladder(&o, &b, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "tests/viz/rekey.jsonl: nothing to draw between 100.000 s and 200.000");
	viz_buf_free(&b);
	viz_trace_free(t);
}

static xmlDocPtr keys(const viz_trace *t, const char *spi, unsigned gen, viz_buf *b)
{
	viz_keys_opts o = { t, "gw-a", spi, gen };
	char msg[256];
	if (viz_keys(&o, VIZ_FMT_SVG, b, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	return vt_xml(b);
}

#define EDGE(s) "//s:g[@class='edge']/s:title[text()='" s "']"

/* Three generations: each SKEYSEED from the previous SK_d, CHILD KEYMATs under the SA that made them. */
static void check_chain(xmlDocPtr d)
{
	assert_int_equal(count_xpath(d, "//s:g[@class='cluster']"), 3);
	assert_int_equal(count_xpath(d, EDGE("k1_SK_d->k2_SKEYSEED")), 1);
	assert_int_equal(count_xpath(d, EDGE("k2_SK_d->k3_SKEYSEED")), 1);
	/* Edges between generations: only those two. */
	assert_int_equal(count_xpath(d, "//s:g[@class='edge']/s:title[substring(text(),1,2)!=substring(substring-after("
					"text(),'->'),1,2)]"),
			 2);
	assert_int_equal(count_xpath(d, "//s:g[@class='node' and contains(@id,'_KEYMAT')]"), 3);
	assert_int_equal(count_xpath(d, EDGE("k1_SK_d->k1_KEYMAT_2")), 1);
	assert_int_equal(count_xpath(d, EDGE("k1_g_ir__PFS_->k1_KEYMAT_2")), 1);
	assert_int_equal(count_xpath(d, EDGE("k2_SK_d->k2_KEYMAT")), 1);
	assert_int_equal(count_xpath(d, "//s:g[@class='node' and starts-with(@id,'k3_') and contains(@id,'KEYMAT')]"), 0);
	char *s2 = vt_text_of(d, "k2_SKEYSEED"), *s3 = vt_text_of(d, "k3_SKEYSEED"), *km = vt_text_of(d, "k1_KEYMAT_2");
	assert_non_null(strstr(s2, "SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) prf: PRF_HMAC_SHA2_256"));
	assert_non_null(strstr(s3, "prf: PRF_HMAC_SHA2_384")); /* its own sa.selected */
	assert_non_null(strstr(km, "KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr)"));
	free(s2), free(s3), free(km);
}

static void keys_generations(void **state)
{
	(void)state;
	viz_trace *t = load(NULL);
	viz_buf b = { 0 };
	xmlDocPtr d = keys(t, NULL, 0, &b);
	check_chain(d);
	assert_true(has(d, "//s:g[@class='cluster']/s:text", "rekeyed from generation 1 (lifetime): SKEYSEED from its SK_d"));
	assert_true(has(d, "//s:g[@class='cluster']/s:text", "generation 3: IKE SA 9e77a2c4015bd3f1_i 12ab5e9f6c8d0e44_r"));
	assert_true(has(d, "//s:text", "Key derivation on gw-a (RFC 7296 2.14, 2.17, 2.18)"));
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
	/* A trace without ike_sa.rekeyed events still chains, by the SKEYSEEDs that take an SK_d. */
	t = load("\"ike_sa.rekeyed\"");
	d = keys(t, NULL, 0, &b);
	check_chain(d);
	assert_false(has(d, "//s:g[@class='cluster']/s:text", "rekeyed from generation 1 (lifetime): SKEYSEED from its SK_d"));
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* --generation N draws one link; the old SK_d becomes a leaf naming the SA it came from. --sa starts later. */
static void keys_pick(void **state)
{
	(void)state;
	viz_trace *t = load(NULL);
	viz_buf b = { 0 };
	xmlDocPtr d = keys(t, NULL, 2, &b);
	assert_int_equal(count_xpath(d, "//s:g[@class='cluster']"), 1);
	assert_int_equal(count_xpath(d, "//s:g[@class='node' and not(starts-with(@id,'k2_'))]"), 0);
	assert_int_equal(count_xpath(d, EDGE("k2_SK_d_old_->k2_SKEYSEED")), 1);
	char *leaf = vt_text_of(d, "k2_SK_d_old_");
	assert_string_equal(leaf, "SK_d(old) SK_d of IKE SA 8059928337c25b67_i 27828255f37b7d68_r (generation 1)");
	free(leaf);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	d = keys(t, "c3e09a51d7f26b08", 0, &b); /* the responder SPI of generation 2 */
	assert_int_equal(count_xpath(d, "//s:g[@class='cluster']"), 2);
	assert_true(has(d, "//s:g[@class='cluster']/s:text", "generation 1: IKE SA 4b1d6f0c9a2e7735_i c3e09a51d7f26b08_r"));
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_keys_opts o = { t, "gw-a", NULL, 4 };
	char msg[256];
	assert_int_equal(viz_keys(&o, VIZ_FMT_SVG, &b, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "tests/viz/rekey.jsonl: --generation 4: IKE SA 8059928337c25b67_i has 3 generations in "
				 "this trace");
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* Events viz does not know, and known events missing their fields, are drawn with '?' or skipped, never fatal. */
static void tolerant(void **state)
{
	(void)state;
	static const char trace[] =
		"{\"t\":0,\"node\":\"sim\",\"ev\":\"sim.start\",\"schema\":1}\n"
		"{\"t\":0,\"node\":\"a\",\"ev\":\"ike_sa.rekeyed\"}\n"
		"{\"t\":0,\"node\":\"a\",\"ev\":\"child_sa.rekeyed\",\"spi-in\":7}\n"
		"{\"t\":1,\"node\":\"a\",\"ev\":\"dpd\"}\n"
		"{\"t\":1,\"node\":\"b\",\"ev\":\"ike.frag\",\"action\":\"dropped\"}\n"
		"{\"t\":2,\"node\":\"sim\",\"ev\":\"fault\",\"kind\":\"link-down\"}\n"
		"{\"t\":2,\"node\":\"b\",\"ev\":\"fault\",\"kind\":\"reboot\",\"boot\":2}\n"
		"{\"t\":2,\"node\":\"b\",\"ev\":\"fault\",\"kind\":\"drop-nth\",\"exchange\":\"IKE_AUTH\",\"nth\":2,"
		"\"response\":true}\n"
		"{\"t\":3,\"node\":\"a\",\"ev\":\"ike.tx\",\"summary\":\"INFORMATIONAL request 2 [ ]\",\"msgid\":2,"
		"\"flags\":\"I\",\"to\":\"10.0.0.2:500\"}\n"
		"{\"t\":3,\"node\":\"a\",\"ev\":\"link.drop\",\"why\":\"fault\"}\n"
		"{\"t\":3,\"node\":\"b\",\"ev\":\"something.new\",\"x\":[1,2]}\n"
		"{\"t\":4,\"node\":\"c\",\"ev\":\"dpd\",\"action\":\"dead\"}\n";
	char msg[256];
	viz_trace *t = viz_trace_parse("t.jsonl", trace, sizeof(trace) - 1, msg, sizeof(msg));
	assert_non_null(t);
	viz_buf b = { 0 };
	viz_ladder_opts o = { t, "a,b,c", 0, 0, VIZ_ESP_AUTO };
	assert_int_equal(viz_ladder(&o, &b, msg, sizeof(msg)), 0);
	xmlDocPtr d = vt_xml(&b);
	assert_true(has(d, "//s:g[@class='rekey']/s:text", "IKE rekeyed ? \xe2\x86\x92 ? (?)"));
	assert_true(has(d, "//s:g[@class='dpd']/s:text", "DPD: peer ?"));
	assert_true(has(d, "//s:g[@class='dpd']/s:text", "DPD: peer dead"));
	assert_true(has(d, "//s:g[@class='frag']/s:text", "fragment dropped: ?"));
	assert_true(has(d, "//s:g[@class='fault']/s:text", "REBOOT (boot 2): all state lost"));
	assert_true(has(d, "//s:g[@class='fault']/s:text", "fault: drop IKE_AUTH response #2"));
	assert_true(has(d, "//s:g[@class='fault']/s:text", "link ? down: nothing passes"));
	assert_int_equal(count_xpath(d, "//s:rect[@class='link-down']"), 1); /* never up again: to the bottom */
	/* The receiver of the lost probe is unknown (it never sent or received): the address is named instead. */
	assert_true(has(d, "//s:text[@class='fate']", "lost (fault) on the way to 10.0.0.2:500"));
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* A day of INFORMATIONAL exchanges every 90 s: every message drawn, every gap elided; an hour's window. */
static void ladder_long_run(void **state)
{
	(void)state;
	viz_buf text = { 0 };
	viz_buf_puts(&text, "{\"t\":0,\"node\":\"sim\",\"ev\":\"sim.start\",\"schema\":1}\n");
	static const char *const fmt = "{\"t\":%.9f,\"node\":\"%s\",\"ev\":\"ike.%s\",\"summary\":\"INFORMATIONAL %s "
				       "%u [ ]\",\"msgid\":%u,\"flags\":\"%s\",\"initiator-spi\":\"0102030405060708\"}\n";
	for (unsigned k = 0; k < 960; k++) {
		double t0 = k * 90.0;
		viz_buf_printf(&text, fmt, t0, "a", "tx", "request", k, k, "I");
		viz_buf_printf(&text, fmt, t0 + 0.02, "b", "rx", "request", k, k, "I");
		viz_buf_printf(&text, fmt, t0 + 0.02, "b", "tx", "response", k, k, "R");
		viz_buf_printf(&text, fmt, t0 + 0.04, "a", "rx", "response", k, k, "R");
	}
	assert_false(text.oom);
	char msg[256];
	viz_trace *t = viz_trace_parse("day.jsonl", text.p, text.len, msg, sizeof(msg));
	assert_non_null(t);
	viz_buf_free(&text);
	viz_buf b = { 0 };
	xmlDocPtr d = ladder(t, 0, 0, &b);
	assert_int_equal(count_xpath(d, "//s:text[@class='msg']"), 1920);
	assert_int_equal(count_xpath(d, "//s:g[@class='elision']"), 959);
	assert_int_equal(count_xpath(d, "//s:g[@class='message']/s:title"), 0); /* all delivered */
	xmlFreeDoc(d);
	viz_buf_free(&b);
	d = ladder(t, 3600000000000LL, 7200000000000LL, &b);
	assert_int_equal(count_xpath(d, "//s:text[@class='msg']"), 81); /* exchanges 40..79, and 80's request */
	assert_int_equal(count_xpath(d, "//s:g[@class='elision']"), 40);
	assert_true(has(d, "//s:g[@class='message']/s:title", "arrives after the window"));
	assert_true(has(d, "//s:text[@class='msg']", "INFORMATIONAL request 40 [ ]"));
	assert_false(has(d, "//s:text[@class='msg']", "INFORMATIONAL request 39 [ ]"));
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* A longer rekey chain than one picture holds: drawn up to the limit, said in the title, never a crash. */
static void keys_truncated(void **state)
{
	(void)state;
	viz_buf text = { 0 };
	static const char *const fmt = "{\"t\":%u,\"node\":\"a\",\"ev\":\"kdf\",\"name\":\"%s\",\"inputs\":%s,\"len\":32,"
				       "\"initiator-spi\":\"%016x\",\"responder-spi\":\"1112131415161718\"}\n";
	for (unsigned i = 1; i <= 40; i++) {
		viz_buf_printf(&text, fmt, i, "SKEYSEED", i == 1 ? "[\"Ni\",\"Nr\",\"g^ir\"]" : "[\"SK_d(old)\",\"g^ir\",\"Ni\",\"Nr\"]", i);
		viz_buf_printf(&text, fmt, i, "SK_d", "[\"SKEYSEED\",\"Ni\",\"Nr\",\"SPIi\",\"SPIr\"]", i);
	}
	char msg[256];
	viz_trace *t = viz_trace_parse("many.jsonl", text.p, text.len, msg, sizeof(msg));
	assert_non_null(t);
	viz_buf_free(&text);
	viz_buf b = { 0 };
	viz_keys_opts o = { t, NULL, NULL, 0 };
	assert_int_equal(viz_keys(&o, VIZ_FMT_SVG, &b, msg, sizeof(msg)), 0);
	xmlDocPtr d = vt_xml(&b);
	assert_int_equal(count_xpath(d, "//s:g[@class='cluster']"), 32);
	assert_non_null(strstr(b.p, "not all drawn: at most 512 values per IKE SA and 32 IKE SAs"));
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* Real fault traces from the simulator: the link-down band with the losses inside it, the reboot box. */
static void ladder_real_faults(void **state)
{
	(void)state;
	viz_trace *t = vt_run("tests/scenarios/fault_link_down.json");
	viz_buf b = { 0 };
	xmlDocPtr d = ladder(t, 0, 0, &b);
	assert_int_equal(count_xpath(d, "//s:rect[@class='link-down']"), 1);
	assert_int_equal(count_xpath(d, "//s:g[@class='fault']"), 2);
	assert_int_equal(count_xpath(d, "//s:text[@class='fate']"), 2);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
	t = vt_run("tests/scenarios/fault_reboot.json");
	d = ladder(t, 0, 0, &b);
	assert_true(has(d, "//s:g[@class='fault']/s:text", "REBOOT (boot 1): all state lost"));
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* Runs tests/viz/rekey_run.json with --pcap --reveal-keys; returns the trace, the key table's text in *table. */
static viz_trace *run_with_keys(char **table)
{
	char dir[] = "/tmp/ikesim-vizrk-XXXXXX", trace[64], pcap[64], keys[96], esp[96];
	assert_non_null(mkdtemp(dir));
	snprintf(trace, sizeof(trace), "%s/t.jsonl", dir);
	snprintf(pcap, sizeof(pcap), "%s/t.pcap", dir);
	snprintf(keys, sizeof(keys), "%s.ikev2_decryption_table", pcap);
	snprintf(esp, sizeof(esp), "%s.esp_sa", pcap);
	char *argv[] = { "ikesim", "run", "tests/viz/rekey_run.json", "--trace", trace, "--pcap", pcap, "--reveal-keys",
			 "--quiet", NULL };
	char *o = NULL, *e = NULL;
	size_t ol = 0, el = 0;
	FILE *out = open_memstream(&o, &ol), *err = open_memstream(&e, &el);
	int rc = cli_main(9, argv, out, err);
	fclose(out);
	fclose(err);
	if (rc != CLI_OK)
		fail_msg("ikesim run: %d: %s", rc, e);
	free(o), free(e);
	char msg[256];
	viz_trace *t = viz_trace_load(trace, msg, sizeof(msg));
	*table = vt_read_file(keys, NULL);
	unlink(trace), unlink(pcap), unlink(keys), unlink(esp), rmdir(dir);
	if (!t || !*table)
		fail_msg("%s", t ? "no key table" : msg);
	return t;
}

/*
 * A real run with rekeys: the key table has a line for every IKE SA (the first and each rekeyed one),
 * the key graph a generation for each, chained by SK_d; CHILD rekeys with PFS hang off their SA's SK_d.
 */
static void real_rekeys(void **state)
{
	(void)state;
	char *table;
	viz_trace *t = run_with_keys(&table);
	size_t rekeys = 0, rows = 0, child_rekeys = 0;
	for (size_t i = 0; i < t->n; i++) {
		rekeys += strcmp(t->ev[i].ev, "ike_sa.rekeyed") == 0 && strcmp(t->ev[i].node, "gw-a") == 0;
		child_rekeys += strcmp(t->ev[i].ev, "child_sa.rekeyed") == 0 && strcmp(t->ev[i].node, "gw-a") == 0;
	}
	assert_true(rekeys >= 2); /* ~70 s lifetimes over 200 s */
	assert_true(child_rekeys >= 4);
	for (const char *p = table; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		rows += *p != '#' && *p != '\n';
	assert_int_equal(rows, rekeys + 1);
	for (size_t i = 0; i < t->n; i++) /* each rekeyed SA's SPI pair has its line */
		if (strcmp(t->ev[i].ev, "ike_sa.rekeyed") == 0) {
			char pair[40];
			snprintf(pair, sizeof(pair), "\n%s,%s,", viz_ev_str(&t->ev[i], "initiator-spi"),
				 viz_ev_str(&t->ev[i], "responder-spi"));
			assert_non_null(strstr(table, pair));
		}
	free(table);
	viz_buf b = { 0 };
	xmlDocPtr d = keys(t, NULL, 0, &b);
	assert_int_equal(count_xpath(d, "//s:g[@class='cluster']"), rekeys + 1);
	for (size_t g = 1; g <= rekeys; g++) {
		char e[64];
		snprintf(e, sizeof(e), EDGE("k%zu_SK_d->k%zu_SKEYSEED"), g, g + 1);
		assert_int_equal(count_xpath(d, e), 1);
	}
	assert_int_equal(count_xpath(d, "//s:g[@class='node' and contains(@id,'_KEYMAT')]"), 1 + child_rekeys);
	assert_int_equal(count_xpath(d, "//s:g[@class='node' and contains(@id,'_g_ir__PFS_')]"), child_rekeys);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	d = ladder(t, 0, 0, &b);
	size_t tx = 0;
	for (size_t i = 0; i < t->n; i++)
		tx += strcmp(t->ev[i].ev, "ike.tx") == 0;
	assert_int_equal(count_xpath(d, "//s:text[@class='msg']"), tx);
	assert_int_equal(count_xpath(d, "//s:g[@class='rekey']"), 2 * (rekeys + child_rekeys)); /* both ends */
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* The report draws one key graph per chain, not one per generation. */
static void report_one_chain(void **state)
{
	(void)state;
	viz_trace *t = load(NULL);
	viz_buf b = { 0 };
	char msg[256];
	assert_int_equal(viz_report(t, &b, msg, sizeof(msg)), 0);
	assert_int_equal(occurrences(b.p, "generation 3: IKE SA 9e77a2c4015bd3f1_i"), 1);
	assert_int_equal(occurrences(b.p, "generation 1: IKE SA 8059928337c25b67_i"), 1);
	assert_int_equal(occurrences(b.p, "generation 1: IKE SA 4b1d6f0c9a2e7735_i"), 0);
	viz_buf_free(&b);
	viz_trace_free(t);
}

static void parse_time(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int64_t ns;
	} ok[] = { { "0", 0 }, { "90", 90000000000LL }, { "1.5s", 1500000000 }, { "250ms", 250000000 },
		   { "30min", 1800000000000LL }, { "4h", 14400000000000LL }, { "1d", 86400000000000LL }, { ".5", 500000000 } };
	static const char *const bad[] = { "", "-1", "1x", "h", "1 h", "+3", "1e400", "3651d", "nan", "inf" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t v = -1;
		assert_int_equal(viz_parse_time(ok[i].s, &v), 0);
		assert_int_equal(v, ok[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v = 0;
		if (viz_parse_time(bad[i], &v) == 0)
			fail_msg("'%s' accepted", bad[i]);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(ladder_lifecycle), cmocka_unit_test(ladder_window), cmocka_unit_test(keys_generations),
	cmocka_unit_test(keys_pick),	    cmocka_unit_test(tolerant),	     cmocka_unit_test(parse_time),
	cmocka_unit_test(report_one_chain), cmocka_unit_test(ladder_long_run),	     cmocka_unit_test(keys_truncated),
	cmocka_unit_test(ladder_real_faults), cmocka_unit_test(real_rekeys),
};

size_t tests_viz_lifecycle(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
