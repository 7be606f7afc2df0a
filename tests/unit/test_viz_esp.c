/* viz ladder, the data plane: ESP packets as arrows or bands, drops as an X with the reason, same bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h.in"
#include "vizutil.h"

#define NPKT 1000 /* a run long enough that one arrow per packet would be 1,000 rows */

static size_t count_xpath(xmlDocPtr d, const char *expr)
{
	char **s;
	size_t n = vt_xpath(d, expr, &s);
	vt_strs_free(s, n);
	return n;
}

/* The texts an XPath selects, joined by " | " (for failure messages and substring checks); free() it. */
static char *texts(xmlDocPtr d, const char *expr)
{
	char **s;
	size_t n = vt_xpath(d, expr, &s);
	viz_buf b = { 0 };
	for (size_t i = 0; i < n; i++)
		viz_buf_printf(&b, "%s%s", i ? " | " : "", s[i]);
	vt_strs_free(s, n);
	viz_buf_puts(&b, "");
	return b.p;
}

static void assert_texts(xmlDocPtr d, const char *expr, const char *want)
{
	char *got = texts(d, expr);
	if (strcmp(got, want) != 0)
		fail_msg("%s:\n got  %s\n want %s", expr, got, want);
	free(got);
}

static xmlDocPtr ladder(const viz_trace *t, viz_esp_mode mode, int64_t from, viz_buf *b)
{
	viz_ladder_opts o = { t, NULL, from, 0, mode };
	char msg[256];
	if (viz_ladder(&o, b, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	return vt_xml(b);
}

/* gw-a sends NPKT packets on one SA (gw-b misses seq 700), a CHILD SA state change halfway, then five
 * outbound drops in a row, a replay drop at gw-b, one more packet lost on the link. */
static viz_trace *synthetic(void)
{
	viz_buf b = { 0 };
	char msg[256];
	viz_buf_puts(&b, "{\"t\":0,\"node\":\"sim\",\"ev\":\"sim.start\",\"schema\":1,\"scenario\":\"synthetic\",\"seed\":7}\n");
	for (int k = 1; k <= NPKT + 1; k++) {
		double t = 1 + k * 0.001;
		if (k == NPKT / 2 + 1)
			viz_buf_printf(&b, "{\"t\":%.6f,\"node\":\"gw-a\",\"ev\":\"child_sa.state\",\"from\":\"INSTALLED\","
					   "\"to\":\"REKEYING\",\"child\":\"net\",\"spi-in\":\"22222222\"}\n", t - 0.0002);
		if (k == NPKT + 1) {
			for (int d = 0; d < 5; d++)
				viz_buf_printf(&b, "{\"t\":%.6f,\"node\":\"gw-a\",\"ev\":\"esp.drop\",\"why\":\"no policy\","
						   "\"dir\":\"out\",\"flow\":\"guest\"}\n", t - 0.0005 + d * 0.00001);
			viz_buf_printf(&b, "{\"t\":%.6f,\"node\":\"gw-b\",\"ev\":\"esp.drop\",\"why\":\"replay\",\"dir\":\"in\","
					   "\"spi\":\"0x11111111\"}\n", t - 0.0002);
		}
		viz_buf_printf(&b, "{\"t\":%.6f,\"node\":\"gw-a\",\"ev\":\"esp.tx\",\"spi\":\"0x11111111\",\"seq\":%d,"
				   "\"size\":120,\"inner\":84,\"to\":\"198.51.100.1\",\"flow\":\"f\"}\n", t, k);
		if (k == NPKT + 1)
			viz_buf_printf(&b, "{\"t\":%.6f,\"node\":\"gw-a\",\"ev\":\"link.drop\",\"why\":\"loss\",\"proto\":50,"
					   "\"from\":\"192.0.2.1\",\"to\":\"198.51.100.1\",\"size\":140}\n", t);
		else if (k != 700)
			viz_buf_printf(&b, "{\"t\":%.6f,\"node\":\"gw-b\",\"ev\":\"esp.rx\",\"spi\":\"0x11111111\",\"seq\":%d,"
					   "\"size\":120,\"inner\":84,\"flow\":\"f\"}\n", t + 0.0005, k);
	}
	assert_false(b.oom);
	viz_trace *t = viz_trace_parse("synthetic.jsonl", b.p, b.len, msg, sizeof(msg));
	viz_buf_free(&b);
	if (!t)
		fail_msg("%s", msg);
	return t;
}

/* 1,000 packets are two bands (the state change ends the first), repeated drops are one row. */
static void esp_bands(void **state)
{
	(void)state;
	viz_trace *t = synthetic();
	viz_buf b = { 0 };
	xmlDocPtr d = ladder(t, VIZ_ESP_AUTO, 0, &b);
	assert_texts(d, "//s:g[@class='esp-band']/s:text",
		     "ESP 0x11111111 seq 1..500: 500 packets, 120 B each, all received, until 1.500 s | "
		     "ESP 0x11111111 seq 501..1000: 500 packets, 120 B each, 499 received, until 2.000 s | "
		     "ESP 0x11111111 seq 1001: 1 packet, 120 B, 0 received");
	assert_texts(d, "//s:g[@class='esp-drop']/s:text",
		     "5 \xc3\x97 not sent: no policy (flow guest) | dropped ESP 0x11111111: replay | "
		     "ESP lost on the link (loss)");
	assert_int_equal(count_xpath(d, "//s:g[@class='esp-drop'][s:path]/s:text"), 3); /* each drop is an X */
	assert_int_equal(count_xpath(d, "//s:text[@class='esp']"), 0);     /* no packet of its own */
	assert_int_equal(count_xpath(d, "//s:g[@class='state']"), 1);
	assert_int_equal(count_xpath(d, "//s:text[@class='time']"), 6); /* a row each: bands, marks */
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* --esp all: one arrow per packet, each labelled with SPI, seq and size; the drops are not folded. */
static void esp_every_packet(void **state)
{
	(void)state;
	viz_trace *t = synthetic();
	viz_buf b = { 0 };
	xmlDocPtr d = ladder(t, VIZ_ESP_ALL, 0, &b);
	assert_int_equal(count_xpath(d, "//s:text[@class='esp']"), NPKT + 1);
	assert_int_equal(count_xpath(d, "//s:text[@class='esp'][.='ESP 0x11111111 seq 700, 120 B']"), 1);
	assert_int_equal(count_xpath(d, "//s:g[@class='esp-band']"), 0);
	assert_int_equal(count_xpath(d, "//s:g[@class='esp-drop']"), 6);
	/* seq 700 has no reception: dashed to the bottom; seq 1001 ends in the link's X */
	assert_int_equal(count_xpath(d, "//s:g[@class='message']/s:title[starts-with(., 'not accepted')]"), 1);
	assert_texts(d, "//s:text[@class='fate']", "lost (loss)");
	xmlFreeDoc(d);
	viz_buf_free(&b);
	d = ladder(t, VIZ_ESP_NONE, 0, &b);
	assert_int_equal(count_xpath(d, "//s:*[starts-with(@class, 'esp')]"), 0);
	assert_int_equal(count_xpath(d, "//s:g[@class='state']"), 1);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* The lesson's replay run: runs split where the network or gw-b acted, every packet counted once. */
static void esp_replay_lesson(void **state)
{
	(void)state;
	viz_trace *t = vt_run("lessons/04-esp/replay.json");
	viz_buf b = { 0 };
	xmlDocPtr d = ladder(t, VIZ_ESP_AUTO, 0, &b);
	char **s;
	size_t n = vt_xpath(d, "//s:g[@class='esp-band']/s:text", &s), sent = 0, recv = 0;
	assert_int_equal(n, 9);
	for (size_t i = 0; i < n; i++) {
		unsigned lo, hi = 0, cnt = 0, got = 0;
		char tail[64] = "";
		if (sscanf(s[i], "ESP 0x%*x seq %u..%u: %u packets, 236 B each, %63[^,]", &lo, &hi, &cnt, tail) == 4) {
			got = strcmp(tail, "all received") == 0 ? cnt : (unsigned)atoi(tail);
		} else {
			assert_int_equal(sscanf(s[i], "ESP 0x%*x seq %u: 1 packet, 236 B, %63[^,]", &lo, tail), 2);
			hi = lo, cnt = 1, got = strcmp(tail, "received") == 0;
		}
		assert_int_equal(hi - lo + 1, cnt);
		sent += cnt, recv += got;
	}
	vt_strs_free(s, n);
	assert_int_equal(sent, 100);
	assert_int_equal(recv, 98); /* 10 (tampered) and 30 (outside the window) never accepted */
	assert_texts(d, "//s:g[@class='esp-drop']/s:text",
		     "dropped ESP 0x76423227: replay | dropped ESP 0x76423227: icv-mismatch | "
		     "dropped ESP 0x76423227: replay | dropped ESP 0x76423227: outside-window");
	assert_texts(d, "//s:g[@class='esp-impair']/s:text",
		     "network: sends ESP seq 5 twice | network: flips a byte of ESP seq 10 | "
		     "network: holds ESP seq 20 back behind 10 packets | network: holds ESP seq 30 back behind 70 packets | "
		     "network: copies ESP seq 50, replays it 45 packets later");
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* Few packets: every one drawn; a rekey moves them from the old SA to the new one. */
static void esp_rekey_lesson(void **state)
{
	(void)state;
	viz_trace *t = vt_run("lessons/04-esp/rekey.json");
	viz_buf b = { 0 };
	viz_ladder_opts o = { t, NULL, 1550000000, 1700000000, VIZ_ESP_AUTO };
	char msg[256];
	assert_int_equal(viz_ladder(&o, &b, msg, sizeof(msg)), 0);
	xmlDocPtr d = vt_xml(&b);
	char *all = texts(d, "//s:text[@class='esp']");
	/* old SA through seq 31 (make-before-break), the new one from seq 1 */
	const char *old = strstr(all, "ESP 0x76423227 seq 31, 236 B"), *neu = strstr(all, " seq 1, 236 B");
	if (!old || !neu || neu < old)
		fail_msg("ESP labels in order: %s", all);
	free(all);
	assert_int_equal(count_xpath(d, "//s:g[@class='esp-sa']"), 1); /* the soft limit that asked for the rekey */
	assert_int_equal(count_xpath(d, "//s:g[@class='rekey']"), 2);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* Same trace, same bytes, in every mode; the lesson's committed pictures are what the code draws now. */
static void esp_deterministic(void **state)
{
	(void)state;
	viz_trace *t = synthetic();
	for (viz_esp_mode m = VIZ_ESP_AUTO; m <= VIZ_ESP_NONE; m++) {
		viz_buf a = { 0 }, c = { 0 };
		viz_ladder_opts o = { t, NULL, 0, 0, m };
		char msg[256];
		assert_int_equal(viz_ladder(&o, &a, msg, sizeof(msg)), 0);
		assert_int_equal(viz_ladder(&o, &c, msg, sizeof(msg)), 0);
		assert_int_equal(a.len, c.len);
		assert_memory_equal(a.p, c.p, a.len);
		viz_buf_free(&a);
		viz_buf_free(&c);
	}
	viz_trace_free(t);
	static const struct {
		const char *scenario, *committed;
	} pics[] = { { "lessons/04-esp/replay.json", "lessons/04-esp/img/replay-ladder.svg" },
		     { "lessons/04-esp/encap.json", "lessons/04-esp/img/encap-ladder.svg" } };
	for (size_t i = 0; i < sizeof(pics) / sizeof(pics[0]); i++) {
		viz_trace *r = vt_run(pics[i].scenario);
		viz_buf b = { 0 };
		viz_ladder_opts o = { r, NULL, 900000000, 0, VIZ_ESP_AUTO }; /* as `make pictures`: --from 0.9 */
		char msg[256];
		size_t len;
		assert_int_equal(viz_ladder(&o, &b, msg, sizeof(msg)), 0);
		char *want = vt_read_file(pics[i].committed, &len);
		assert_non_null(want);
		if (len != b.len || memcmp(want, b.p, len) != 0)
			fail_msg("%s does not regenerate byte-identically: run 'make pictures'", pics[i].committed);
		free(want);
		viz_buf_free(&b);
		viz_trace_free(r);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(esp_bands),	     cmocka_unit_test(esp_every_packet),	cmocka_unit_test(esp_replay_lesson),
	cmocka_unit_test(esp_rekey_lesson), cmocka_unit_test(esp_deterministic),
};

size_t tests_viz_esp(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
