/* The loader's JSON parser: RFC 8259 strictly, escapes decoded, errors at the offending byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario_jv.h"
#include "test_list.h.in"

/* Parses an exact-size copy (ASan sees overreads); the root or NULL with *bad set. */
static sim_jv *jv(const char *text, size_t max, size_t *end, size_t *bad)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	sim_jv *v = sim_jv_parse(copy, len, max, end, bad);
	free(copy); /* the tree keeps its own copies of every string */
	return v;
}

static void values_and_escapes(void **state)
{
	(void)state;
	size_t end, bad;
	sim_jv *v = jv(" {\"a\":[1,-0.5e3,true,false,null],\"s\":\"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"} x",
		       64, &end, &bad);
	assert_non_null(v);
	assert_int_equal(end, 75); /* just after the closing brace, before the trailing " x" */
	assert_true(sim_jv_is_object(v));
	assert_int_equal(v->size, 2);
	const sim_jv *a = sim_jv_get(v, "a");
	assert_true(sim_jv_is_array(a));
	assert_int_equal(a->size, 5);
	assert_true(sim_jv_is_number(sim_jv_at(a, 0)) && sim_jv_at(a, 0)->valuedouble == 1.0);
	assert_true(sim_jv_at(a, 1)->valuedouble == -500.0);
	assert_true(sim_jv_is_true(sim_jv_at(a, 2)));
	assert_true(sim_jv_is_bool(sim_jv_at(a, 3)) && !sim_jv_is_true(sim_jv_at(a, 3)));
	assert_true(sim_jv_is_null(sim_jv_at(a, 4)));
	assert_null(sim_jv_at(a, 5));
	assert_null(sim_jv_get(v, "A")); /* case-sensitive */
	assert_null(sim_jv_get(a, "a")); /* not an object */
	assert_string_equal(sim_jv_get(v, "s")->valuestring, "q\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
	assert_string_equal(sim_jv_get(v, "s")->string, "s");
	sim_jv_free(v);
	v = jv("{\"k\":1,\"k\":2}", 8, &end, &bad); /* duplicates are the loader's to refuse, with a path */
	assert_non_null(v);
	assert_true(sim_jv_get(v, "k")->valuedouble == 1.0);
	sim_jv_free(v);
	v = jv("01", 2, &end, &bad); /* "0", then data the caller refuses as trailing */
	assert_non_null(v);
	assert_int_equal(end, 1);
	sim_jv_free(v);
	v = jv("\xef\xbb\xbf[true]", 2, &end, &bad); /* a byte order mark is skipped */
	assert_non_null(v);
	assert_true(sim_jv_is_true(sim_jv_at(v, 0)));
	sim_jv_free(v);
	v = jv("1e400", 1, &end, &bad); /* out of double range: infinite, for the range checks to refuse */
	assert_non_null(v);
	assert_true(v->valuedouble > 1e308);
	sim_jv_free(v);
}

/* Each malformed text fails at the byte named. */
static void errors_point_at_the_fault(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t at;
	} bad[] = {
		{ "", 0 },		   { "  ", 2 },		   { "{", 1 },		    { "{\"a\"}", 4 },
		{ "{\"a\":}", 5 },	   { "[1,]", 3 },	   { "[1 2]", 3 },	    { "[01]", 2 },
		{ "+1", 0 },		   { "1.", 2 },		   { ".5", 0 },		    { "-", 1 },
		{ "1e", 2 },		   { "tru", 0 },	   { "nul", 0 },	    { "\"abc", 4 },
		{ "\"\\x\"", 2 },	   { "\"\\u12\"", 2 },	   { "\"\\u0000\"", 7 },    { "\"\\udc00\"", 7 },
		{ "\"\\ud800\"", 7 },	   { "\"\\ud800\\u0041\"", 7 }, { "{1:2}", 1 },	    { "[\"a\"\"b\"]", 4 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t end = 0, at = 0;
		sim_jv *v = jv(bad[i].text, 16, &end, &at);
		if (v) {
			sim_jv_free(v);
			fail_msg("accepted '%s'", bad[i].text);
		}
		if (at != bad[i].at)
			fail_msg("'%s': error at %zu, wanted %zu", bad[i].text, at, bad[i].at);
	}
}

/* More values than the pre-scan counted, or nesting past the limit, fail instead of overrunning. */
static void bounds_hold(void **state)
{
	(void)state;
	size_t end, bad;
	sim_jv *v = jv("[1,2,3]", 3, &end, &bad);
	assert_null(v);
	assert_int_equal(bad, 5);
	v = jv("[1,2,3]", 4, &end, &bad);
	assert_non_null(v);
	sim_jv_free(v);
	char deep[200];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	deep[199] = '\0';
	deep[99] = '1';
	assert_null(jv(deep, 200, &end, &bad));
	assert_true(bad < 99);
}

size_t tests_scenario_jv(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(values_and_escapes),
		cmocka_unit_test(errors_point_at_the_fault),
		cmocka_unit_test(bounds_hold),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
