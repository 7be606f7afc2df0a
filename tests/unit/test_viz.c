/* viz: the state diagram is the engine's tables, key graphs and ladders say what the trace says, all well-formed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ikev2/states.h"
#include "test_list.h.in"
#include "host/trace.h"
#include "vizutil.h"

static const char *exchange(unsigned x)
{
	return x == 34 ? "IKE_SA_INIT" : x == 35 ? "IKE_AUTH" : x == 36 ? "CREATE_CHILD_SA" : x == 37 ? "INFORMATIONAL"
	       : x == 0 ? "timer or local" : "?";
}

static const char *role(unsigned r)
{
	return r == V2_ROLE_INITIATOR ? "initiator" : r == V2_ROLE_RESPONDER ? "responder" : "either role";
}

static int in_set(char **set, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(set[i], s) == 0)
			return 1;
	return 0;
}

/* Rows drawn: all but the quiet dispatch-only ones (they never change a state). */
static size_t drawn(const v2_transition *tr, size_t ntr)
{
	size_t n = 0;
	for (size_t r = 0; r < ntr; r++)
		n += !(tr[r].flags & V2_TRF_QUIET);
	return n;
}

/* Node ids, edge ids, edge ends and labels of one machine against its table, both directions. */
static void check_machine(xmlDocPtr d, const char *pre, const v2_transition *tr, size_t ntr, size_t nstates,
			  const char *(*name)(uint8_t))
{
	char **nodes, **edges, expr[128], id[64], want[512];
	snprintf(expr, sizeof(expr), "//s:g[@class='node' and starts-with(@id,'%s_')]/@id", pre);
	size_t nn = vt_xpath(d, expr, &nodes);
	snprintf(expr, sizeof(expr), "//s:g[@class='edge' and starts-with(@id,'%s_')]/@id", pre);
	size_t ne = vt_xpath(d, expr, &edges);
	assert_int_equal(nn, nstates);
	assert_int_equal(ne, drawn(tr, ntr));
	for (size_t s = 0; s < nstates; s++) {
		snprintf(id, sizeof(id), "%s_%s", pre, name((uint8_t)s));
		assert_true(in_set(nodes, nn, id));
		char *text = vt_text_of(d, id);
		assert_string_equal(text, name((uint8_t)s));
		free(text);
	}
	for (size_t r = 0; r < ntr; r++) {
		snprintf(id, sizeof(id), "%s_%s", pre, tr[r].name);
		if (tr[r].flags & V2_TRF_QUIET) {
			assert_false(in_set(edges, ne, id));
			continue;
		}
		assert_true(in_set(edges, ne, id));
		char **title;
		snprintf(expr, sizeof(expr), "//s:g[@id='%s']/s:title", id);
		assert_int_equal(vt_xpath(d, expr, &title), 1);
		snprintf(want, sizeof(want), "%s:%s->%s:%s", pre, name(tr[r].from), pre, name(tr[r].to));
		assert_string_equal(title[0], want);
		vt_strs_free(title, 1);
		char *text = vt_text_of(d, id);
		snprintf(want, sizeof(want), "%s: %s, %s %s", tr[r].name, exchange(tr[r].exchange), role(tr[r].role),
			 tr[r].story);
		assert_non_null(strstr(text, want));
		free(text);
	}
	vt_strs_free(nodes, nn);
	vt_strs_free(edges, ne);
}

/* Row names are what traces and pictures use: present, short, lower-case words and '-', unique per table. */
static void check_names(const v2_transition *tr, size_t ntr)
{
	for (size_t r = 0; r < ntr; r++) {
		const char *s = tr[r].name;
		if (!s || !*s || strlen(s) > 24 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(s))
			fail_msg("row %zu: bad name '%s'", r, s ? s : "(null)");
		for (size_t q = 0; q < r; q++)
			if (strcmp(tr[q].name, s) == 0)
				fail_msg("rows %zu and %zu are both named '%s'", q, r, s);
	}
}

static void row_names_unique(void **state)
{
	(void)state;
	check_names(v2_ike_transitions, V2_T_IKE_NTRANS);
	check_names(v2_child_transitions, V2_T_CHILD_NTRANS);
	/* Names stay as they were published in traces (docs/trace.md): spot-check both ends of each table. */
	assert_string_equal(v2_ike_transitions[V2_T_IKE_I_START].name, "i-start");
	assert_string_equal(v2_ike_transitions[V2_T_IKE_R_AUTH_OK].name, "r-auth-ok");
	assert_string_equal(v2_ike_transitions[V2_T_IKE_LOCAL_FAIL_UP].name, "local-fail-up");
	assert_string_equal(v2_child_transitions[V2_T_CHILD_INSTALLING].name, "installing");
	assert_string_equal(v2_child_transitions[V2_T_CHILD_IKE_DELETED].name, "ike-deleted");
}

/* The acceptance test: the drawn node and edge sets are exactly the tables' states and rows. */
static void states_equal_tables(void **state)
{
	(void)state;
	viz_states_opts o = { 0 };
	viz_buf b = { 0 };
	char msg[256];
	assert_int_equal(viz_states(&o, VIZ_FMT_SVG, &b, msg, sizeof(msg)), 0);
	xmlDocPtr d = vt_xml(&b);
	check_machine(d, "ike", v2_ike_transitions, V2_T_IKE_NTRANS, V2_IKE_NSTATES, v2_ike_state_name);
	check_machine(d, "child", v2_child_transitions, V2_T_CHILD_NTRANS, V2_CHILD_NSTATES, v2_child_state_name);
	char **all;
	size_t n = vt_xpath(d, "//s:g[@class='node' or @class='edge']", &all);
	assert_int_equal(n, V2_IKE_NSTATES + V2_CHILD_NSTATES + drawn(v2_ike_transitions, V2_T_IKE_NTRANS) +
				    drawn(v2_child_transitions, V2_T_CHILD_NTRANS));
	vt_strs_free(all, n);
	xmlFreeDoc(d);
	viz_buf_free(&b);
}

/* Highlighted edges are exactly the rows the SA executed, in order. */
static void check_path(const viz_trace *t, const char *node, const char *const *rows, size_t nrows)
{
	viz_states_opts o = { t, node, NULL, 2 };
	viz_buf b = { 0 };
	char msg[256], **hot;
	assert_int_equal(viz_states(&o, VIZ_FMT_SVG, &b, msg, sizeof(msg)), 0);
	xmlDocPtr d = vt_xml(&b);
	size_t n = vt_xpath(d, "//s:g[@class='edge' and .//s:path[@stroke='#c0392b']]/@id", &hot);
	assert_int_equal(n, nrows);
	for (size_t i = 0; i < nrows; i++) {
		assert_true(in_set(hot, n, rows[i]));
		char *text = vt_text_of(d, rows[i]), want[32];
		snprintf(want, sizeof(want), "[step %zu", i + 1);
		assert_non_null(strstr(text, want));
		free(text);
	}
	vt_strs_free(hot, n);
	xmlFreeDoc(d);
	viz_buf_free(&b);
}

static void states_path_highlighted(void **state)
{
	(void)state;
	viz_trace *t = vt_run(DEMO_SCENARIO);
	static const char *const init[] = { "ike_i-start", "child_installing", "ike_i-auth-ok", "child_installed" };
	static const char *const resp[] = { "ike_r-init", "ike_r-auth-ok", "child_installing", "child_installed" };
	check_path(t, "gw-a", init, 4);
	check_path(t, "gw-b", resp, 4);
	viz_states_opts o = { t, "gw-c", NULL, 2 };
	viz_buf b = { 0 };
	char msg[256];
	assert_int_equal(viz_states(&o, VIZ_FMT_SVG, &b, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "no IKE SA on node gw-c"));
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* A trace whose transition disagrees with the table, or names none of its rows, is refused naming file and line. */
static void states_row_mismatch(void **state)
{
	(void)state;
	static const char *const start[] = { "{\"t\":0.0,\"node\":\"sim\",\"ev\":\"sim.start\"}\n",
					     "{\"t\":0.0,\"node\":\"sim\",\"ev\":\"sim.start\",\"schema\":1}\n" };
	static const struct {
		int schema;
		const char *transition, *to, *want;
	} cases[] = {
		/* traces from before the schema field name rows by index, later ones by name */
		{ 0, "0", "ESTABLISHED", "x.jsonl:2: ike row i-start is CREATED -> CONNECTING in the table" },
		{ 1, "\"i-start\"", "ESTABLISHED", "x.jsonl:2: ike row i-start is CREATED -> CONNECTING in the table" },
		{ 1, "\"no-such-row\"", "CONNECTING", "x.jsonl:2: ike_sa.state names transition \"no-such-row\"" },
		{ 1, "0", "CONNECTING", "x.jsonl:2: ike_sa.state with no valid \"transition\"" },
		{ 0, "99", "CONNECTING", "x.jsonl:2: ike_sa.state with no valid \"transition\"" },
		{ 0, "\"i-start\"", "CONNECTING", NULL },
		{ 0, "0", "CONNECTING", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char txt[512], msg[256];
		snprintf(txt, sizeof(txt),
			 "%s{\"t\":0.1,\"node\":\"a\",\"ev\":\"ike_sa.state\",\"from\":\"CREATED\",\"to\":\"%s\","
			 "\"transition\":%s,\"initiator-spi\":\"01\"}\n",
			 start[cases[i].schema], cases[i].to, cases[i].transition);
		viz_trace *t = viz_trace_parse("x.jsonl", txt, strlen(txt), msg, sizeof(msg));
		assert_non_null(t);
		viz_states_opts o = { t, NULL, NULL, 2 };
		viz_buf b = { 0 };
		int rc = viz_states(&o, VIZ_FMT_SVG, &b, msg, sizeof(msg));
		if (cases[i].want ? rc != -1 || !strstr(msg, cases[i].want) : rc != 0)
			fail_msg("case %zu: rc %d, '%s'", i, rc, rc ? msg : "");
		viz_buf_free(&b);
		viz_trace_free(t);
	}
}

static void trace_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "{\"t\":0,\"node\":\"a\",\"ev\":\"x\"}\n\n{\"t\":1,\"node\":", "x.jsonl:3: not a JSON object" },
		{ "{\"t\":0,\"node\":\"a\",\"ev\":\"x\"}\n[1,2]\n", "x.jsonl:2: not a JSON object" },
		{ "{\"t\":\"0\",\"node\":\"a\",\"ev\":\"x\"}\n", "x.jsonl:1: an event needs" },
		{ "{\"t\":-1,\"node\":\"a\",\"ev\":\"x\"}\n", "x.jsonl:1: an event needs" },
		{ "\n\n", "x.jsonl: no events" },
		{ "\n{\"t\":0,\"node\":\"sim\",\"ev\":\"sim.start\",\"schema\":2}\n", "x.jsonl:2: trace \"schema\" 2 is newer" },
		{ "{\"t\":0,\"node\":\"a\",\"ev\":\"peer.start\",\"schema\":\"1\"}\n", "x.jsonl:1: \"schema\" must be" },
		{ "{\"t\":0,\"node\":\"a\",\"ev\":\"peer.start\",\"schema\":1.5}\n", "x.jsonl:1: \"schema\" must be" },
		{ "{\"t\":0,\"node\":\"a\",\"ev\":\"peer.start\",\"schema\":0}\n", "x.jsonl:1: \"schema\" must be" },
	};
	char msg[256];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		viz_trace *t = viz_trace_parse("x.jsonl", cases[i].text, strlen(cases[i].text), msg, sizeof(msg));
		assert_null(t);
		assert_non_null(strstr(msg, cases[i].want));
	}
	size_t big = VIZ_MAX_LINE + 10;
	char *line = malloc(big + 1);
	memset(line, ' ', big);
	line[big] = 0;
	assert_null(viz_trace_parse("x.jsonl", line, big, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "x.jsonl:1: line longer than"));
	free(line);
	assert_null(viz_trace_load("/nonexistent/t.jsonl", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "/nonexistent/t.jsonl: No such file"));
}

/* Traces from before the schema field load as they did; the field is read only from the first event. */
static void trace_schema_optional(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"{\"t\":0,\"node\":\"sim\",\"ev\":\"sim.start\",\"seed\":1}\n",
		"{\"t\":0,\"node\":\"sim\",\"ev\":\"sim.start\",\"schema\":1,\"seed\":1}\n",
		"{\"t\":0,\"node\":\"a\",\"ev\":\"peer.start\",\"schema\":1}\n{\"t\":1,\"node\":\"a\",\"ev\":\"x\",\"schema\":9}\n",
	};
	static const int want[] = { 0, 1, 1 };
	char msg[256];
	for (size_t i = 0; i < 3; i++) {
		viz_trace *t = viz_trace_parse("x.jsonl", ok[i], strlen(ok[i]), msg, sizeof(msg));
		if (!t)
			fail_msg("case %zu: %s", i, msg);
		assert_int_equal(t->schema, want[i]);
		viz_trace_free(t);
	}
	/* What the simulator writes is what viz reads. */
	assert_int_equal(IKE_HOST_TRACE_SCHEMA, VIZ_TRACE_SCHEMA);
	viz_trace *t = vt_run(DEMO_SCENARIO);
	assert_int_equal(t->schema, IKE_HOST_TRACE_SCHEMA);
	assert_string_equal(t->ev[0].ev, "sim.start");
	viz_trace_free(t);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(row_names_unique),
	cmocka_unit_test(states_equal_tables),
	cmocka_unit_test(states_path_highlighted),
	cmocka_unit_test(states_row_mismatch),
	cmocka_unit_test(trace_errors),
	cmocka_unit_test(trace_schema_optional),
};

size_t tests_viz(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
