/* Trace lines: time with 9 decimals, escaped strings, engine fields appended verbatim, atomic files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "host/trace.h"
#include "test_list.h.in"

static void line_format(void **state)
{
	(void)state;
	char out[256];
	size_t n = ike_host_trace_format(out, sizeof(out), 1250000000LL, "gw-a", "ike.tx", "\"msgid\":0,\"size\":312");
	assert_string_equal(out, "{\"t\":1.250000000,\"node\":\"gw-a\",\"ev\":\"ike.tx\",\"msgid\":0,\"size\":312}\n");
	assert_int_equal(n, strlen(out));
	ike_host_trace_format(out, sizeof(out), 7, "q\"\\\n\x01", "sim.start", "");
	assert_string_equal(out, "{\"t\":0.000000007,\"node\":\"q\\\"\\\\\\n\\u0001\",\"ev\":\"sim.start\"}\n");
	ike_host_trace_format(out, sizeof(out), 0, "n", "x", NULL);
	assert_string_equal(out, "{\"t\":0.000000000,\"node\":\"n\",\"ev\":\"x\"}\n");
	char small[8];
	n = ike_host_trace_format(small, sizeof(small), 0, "n", "x", NULL);
	assert_int_equal(n, strlen(out));
	assert_int_equal(strlen(small), 7);
	ike_host_time_format(out, sizeof(out), 123456789012345LL);
	assert_string_equal(out, "123456.789012345");
}

static void null_sink_is_a_no_op(void **state)
{
	(void)state;
	ike_host_trace_event(NULL, 0, "a", "b", "\"c\":1");
	assert_int_equal(ike_host_trace_close(NULL, 1), 0);
}

static void long_fields_are_not_truncated(void **state)
{
	(void)state;
	char *buf = NULL, *fields = malloc(5000);
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ike_host_trace *t = ike_host_trace_stream(f);
	memset(fields, 'x', 4999);
	memcpy(fields, "\"v\":\"", 5);
	fields[4998] = '"';
	fields[4999] = '\0';
	ike_host_trace_event(t, 0, "n", "kdf", fields);
	assert_int_equal(ike_host_trace_close(t, 1), 0);
	fclose(f);
	assert_int_equal(len, strlen("{\"t\":0.000000000,\"node\":\"n\",\"ev\":\"kdf\",") + 4999 + 2);
	free(buf);
	free(fields);
}

static void file_appears_only_on_commit(void **state)
{
	(void)state;
	char err[256], path[] = "/tmp/ikesim-trace-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	ike_host_trace *t = ike_host_trace_open(path, err, sizeof(err));
	assert_non_null(t);
	ike_host_trace_event(t, 0, "n", "e", NULL);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(ike_host_trace_close(t, 0), 0);
	assert_int_equal(access(path, F_OK), -1);
	t = ike_host_trace_open(path, err, sizeof(err));
	ike_host_trace_event(t, 0, "n", "e", NULL);
	assert_int_equal(ike_host_trace_close(t, 1), 0);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
	assert_null(ike_host_trace_open("/nonexistent/dir/t.jsonl", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot create trace file"));
}

size_t tests_trace(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(line_format),
		cmocka_unit_test(null_sink_is_a_no_op),
		cmocka_unit_test(long_fields_are_not_truncated),
		cmocka_unit_test(file_appears_only_on_commit),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
