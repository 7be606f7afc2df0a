/* The scenario pre-scan on its own: what it refuses, where it points, what it counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario_jv.h"
#include "scenario_lex.h"
#include "test_list.h.in"

static int lex(const char *text, size_t len, sim_scn_lex_stats *st, char *err, size_t cap)
{
	char *copy = malloc(len ? len : 1); /* exact size: ASan catches a read past the end */
	assert_non_null(copy);
	memcpy(copy, text, len);
	err[0] = '\0';
	int r = sim_scn_lex("f", copy, len, st, err, cap);
	free(copy);
	return r;
}

static void lex_refuses(const char *text, size_t len, const char *want)
{
	sim_scn_lex_stats st;
	char err[512];
	if (lex(text, len, &st, err, sizeof(err)) == 0)
		fail_msg("accepted: %s", text);
	assert_string_equal(err, want);
}

static void refusals_name_position_and_path(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "{\"a\":[1,{\"b\":\"x\\u0000\"}]}", "f:1:16: a[1].b: a string must not contain NUL (\\u0000)" },
		{ "{\"auth\":\n {\"psk\":\"\\u0000\"}}",
		  "f:2:10: auth.psk: a string must not contain NUL (\\u0000): give a binary key in hex as \"0x...\"" },
		{ "[\"\\u0000\"]", "f:1:3: [0]: a string must not contain NUL (\\u0000)" },
		{ "\"\\u0000\"", "f:1:2: (top level): a string must not contain NUL (\\u0000)" },
		{ "{\"a\\n\\u0000\":1}", "f:1:6: (a field name): a string must not contain NUL (\\u0000)" },
		{ "{\"x\":{\"k\\u0001\":{\"z\\u0000\":1}}}", "f:1:20: x.k\\u0001.(a field name): a string must not contain NUL (\\u0000)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		lex_refuses(cases[i].text, strlen(cases[i].text), cases[i].want);
	lex_refuses("{\"a\":1}\0", 8, "f:1:8: a NUL byte in the file (JSON text cannot contain one)");
	lex_refuses("{\"a\":\"x\0y\"}", 11, "f:1:8: a NUL byte in the file (JSON text cannot contain one)");
	lex_refuses("{\"a\nb\":[\"\\u0000\"]}", 17, "f:2:6: a\\x0ab[0]: a string must not contain NUL (\\u0000)");
}

static void escapes_that_are_not_nul_pass(void **state)
{
	(void)state;
	static const char *const ok[] = { "\"\\\\u0000\"", "\"\\u0001\\u00000\"", "{\"a\":\"\\\"\\u0000\"}",
					  "\"\\u000\"", "[1,2,3]" };
	sim_scn_lex_stats st;
	char err[256];
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(lex(ok[i], strlen(ok[i]), &st, err, sizeof(err)), i == 0 ? 0 : -1);
	assert_int_equal(lex(ok[2], strlen(ok[2]), &st, err, sizeof(err)), -1); /* \" then a real \u0000 */
	assert_int_equal(lex(ok[3], strlen(ok[3]), &st, err, sizeof(err)), 0);  /* the parser reports the bad escape */
	assert_int_equal(lex(ok[4], strlen(ok[4]), &st, err, sizeof(err)), 0);
	assert_int_equal(st.values, 4);
}

static void depth_is_bounded(void **state)
{
	(void)state;
	char text[256], want[512];
	sim_scn_lex_stats st;
	char err[512];
	memset(text, '[', SIM_SCN_DEPTH_MAX);
	memset(text + SIM_SCN_DEPTH_MAX, ']', SIM_SCN_DEPTH_MAX);
	assert_int_equal(lex(text, 2 * SIM_SCN_DEPTH_MAX, &st, err, sizeof(err)), 0);
	memset(text, '[', SIM_SCN_DEPTH_MAX + 1);
	char path[256] = "";
	for (int i = 0; i < SIM_SCN_DEPTH_MAX; i++)
		strcat(path, "[0]");
	snprintf(want, sizeof(want), "f:1:%d: %s: nesting deeper than %d levels", SIM_SCN_DEPTH_MAX + 1, path,
		 SIM_SCN_DEPTH_MAX);
	lex_refuses(text, SIM_SCN_DEPTH_MAX + 1, want);
	/* Unbalanced closers do not underflow the stack. */
	assert_int_equal(lex("]]]}}{", 6, &st, err, sizeof(err)), 0);
}

/* The cost is the parser's nodes; strings need at most the text again and are not counted. */
static void counts_and_bound(void **state)
{
	(void)state;
	sim_scn_lex_stats st;
	char err[512];
	const char *t = "{\"name\":\"gw-a\",\"n\":[1,2.5e3,true,null]}";
	assert_int_equal(lex(t, strlen(t), &st, err, sizeof(err)), 0);
	assert_int_equal(st.values, 7); /* object, "gw-a", array, 4 atoms: a member name is part of its value */
	assert_int_equal(st.tree_cost, SIM_JV_COST(7));
	/* A long string is one value; 1 MiB of it passes. */
	size_t n = 1u << 20;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, 'x', n);
	big[0] = big[n - 1] = '"';
	assert_int_equal(lex(big, n, &st, err, sizeof(err)), 0);
	assert_int_equal(st.values, 1);
	/* The same megabyte of small values is over the bound, and the message says how far. */
	big[0] = '[';
	for (size_t i = 1; i + 1 < n; i += 2)
		memcpy(big + i, "0,", 2);
	big[n - 2] = '0';
	big[n - 1] = ']';
	assert_int_equal(lex(big, n, &st, err, sizeof(err)), -1);
	assert_string_equal(err, "f: too dense to load: 524288 JSON values would take 20 MiB in memory, more than 6 "
				 "times the file's size (1024 KiB) allows");
	free(big);
}

size_t tests_scenario_lex(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(refusals_name_position_and_path),
		cmocka_unit_test(escapes_that_are_not_nul_pass),
		cmocka_unit_test(depth_is_bounded),
		cmocka_unit_test(counts_and_bound),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
