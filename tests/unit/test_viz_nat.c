/* viz ladder, NAT boxes: arrows bend at a dot where they cross a NAT and say what it rewrote, NAT drops end
 * the arrow in a red X box with the reason, mapping marks sit beside the NAT's lane, keepalives fold. */
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

static size_t count_xpath(xmlDocPtr d, const char *expr)
{
	char **s;
	size_t n = vt_xpath(d, expr, &s);
	vt_strs_free(s, n);
	return n;
}

static void assert_texts(xmlDocPtr d, const char *expr, const char *want)
{
	char **s;
	size_t n = vt_xpath(d, expr, &s);
	viz_buf b = { 0 };
	for (size_t i = 0; i < n; i++)
		viz_buf_printf(&b, "%s%s", i ? " | " : "", s[i]);
	viz_buf_puts(&b, "");
	vt_strs_free(s, n);
	if (strcmp(b.p, want) != 0)
		fail_msg("%s:\n got  %s\n want %s", expr, b.p, want);
	viz_buf_free(&b);
}

static xmlDocPtr ladder(const viz_trace *t, const char *nodes, viz_buf *b)
{
	viz_ladder_opts o = { t, nodes, 0, 0, VIZ_ESP_AUTO };
	char msg[256];
	if (viz_ladder(&o, b, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	return vt_xml(b);
}

/* Lesson 5's demonstration: every datagram crosses the NAT; IKE says what was rewritten, keepalives fold. */
static void nat_crossings_and_keepalives(void **state)
{
	(void)state;
	viz_trace *t = vt_run("lessons/05-nat-traversal/scenario.json");
	viz_buf b = { 0 };
	xmlDocPtr d = ladder(t, NULL, &b);
	/* 4 IKE messages and 4 ESP packets, each crossing once */
	assert_int_equal(count_xpath(d, "//s:g[@class='message']/s:circle[@class='nat-cross']"), 8);
	assert_int_equal(count_xpath(d, "//s:g[@class='message'][s:circle]/s:line"), 16);
	assert_texts(d, "//s:text[@class='nat-rewrite']",
		     "from 10.1.0.2:500 \xe2\x86\x92 203.0.113.1:500 | to 203.0.113.1:500 \xe2\x86\x92 10.1.0.2:500 | "
		     "from 10.1.0.2:4500 \xe2\x86\x92 203.0.113.1:4500 | to 203.0.113.1:4500 \xe2\x86\x92 10.1.0.2:4500");
	/* the two refreshes come from the two keepalives, folded with them */
	assert_texts(d, "//s:g[@class='nat-map']/s:text",
		     "map created 10.1.0.2:500 \xe2\x87\x84 203.0.113.1:500 | map created 10.1.0.2:4500 \xe2\x87\x84 203.0.113.1:4500");
	assert_texts(d, "//s:g[@class='keepalive']/s:text", "keepalive \xc3\x97 2, every 20 s until 40.088 s");
	assert_int_equal(count_xpath(d, "//s:circle[not(@class='nat-cross')]"), 1); /* the legend's */
	xmlFreeDoc(d);
	viz_buf_free(&b);
	/* without the NAT's lane nothing bends and nothing is said about it */
	d = ladder(t, "gw-a,gw-b", &b);
	assert_int_equal(count_xpath(d, "//s:circle"), 0);
	assert_int_equal(count_xpath(d, "//s:g[@class='nat-map']"), 0);
	assert_int_equal(count_xpath(d, "//s:g[@class='keepalive']"), 1);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* The broken mapping: the stranger's packet and the gateway's DPD end at the NAT's lane, in red X boxes. */
static void nat_drops_end_arrows(void **state)
{
	(void)state;
	viz_trace *t = vt_run("tests/scenarios/nat_course_port_restricted_keepalive_off.json");
	viz_buf b = { 0 };
	xmlDocPtr d = ladder(t, NULL, &b);
	assert_texts(d, "//s:g[@class='nat-drop']/s:text",
		     "NAT drops it: filtered (198.51.100.7:500 \xe2\x86\x92 203.0.113.1:500) | "
		     "NAT drops it: no-mapping (198.51.100.1:4500 \xe2\x86\x92 203.0.113.1:4500) | "
		     "NAT drops it: no-mapping (198.51.100.1:4500 \xe2\x86\x92 203.0.113.1:4500) | "
		     "NAT drops it: no-mapping (198.51.100.1:4500 \xe2\x86\x92 203.0.113.1:4500)");
	assert_int_equal(count_xpath(d, "//s:g[@class='nat-drop']/s:path"), 4); /* each with its X */
	/* four red arrows with no head and no X of their own: they end under a drop box */
	assert_int_equal(count_xpath(d, "//s:g[@class='message'][not(s:line/@marker-end)][not(s:path)]"
				      "/s:line[@stroke='#c0392b']"),
			 4);
	assert_texts(d, "//s:g[@class='nat-map']/s:text",
		     "map created 10.1.0.2:500 \xe2\x87\x84 203.0.113.1:500 | map created 10.1.0.2:4500 \xe2\x87\x84 203.0.113.1:4500 | "
		     "map expired 10.1.0.2:500 \xe2\x87\x84 203.0.113.1:500 | map expired 10.1.0.2:4500 \xe2\x87\x84 203.0.113.1:4500");
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* A datagram through two NATs (both gateways behind one) says both rewrites, and bends at both lanes. */
static void nat_two_in_series(void **state)
{
	(void)state;
	viz_trace *t = vt_run("tests/scenarios/nat_course_two_sites_port_forward.json");
	viz_buf b = { 0 };
	xmlDocPtr d = ladder(t, NULL, &b);
	char **s;
	size_t n = vt_xpath(d, "//s:text[@class='nat-rewrite']", &s);
	assert_int_equal(n, 4);
	assert_string_equal(s[0], "from 10.1.0.2:500 \xe2\x86\x92 203.0.113.1:500, to 198.51.100.1:500 \xe2\x86\x92 10.2.0.2:500");
	vt_strs_free(s, n);
	assert_int_equal(count_xpath(d, "//s:g[@class='message'][count(s:circle)=2]"), 10); /* 4 IKE + 6 ESP */
	assert_texts(d, "//s:g[@class='nat-map']/s:text[contains(., 'forwarded')]",
		     "map created 10.2.0.2:500 \xe2\x87\x84 198.51.100.1:500 (forwarded) | "
		     "map created 10.2.0.2:4500 \xe2\x87\x84 198.51.100.1:4500 (forwarded)");
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

size_t tests_viz_nat(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(nat_crossings_and_keepalives),
		cmocka_unit_test(nat_drops_end_arrows),
		cmocka_unit_test(nat_two_in_series),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
