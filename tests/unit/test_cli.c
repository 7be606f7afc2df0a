/* The ikesim command line in-process through cli_main: exit codes, one-line errors, no partial trace files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "testfs.h"
#include "clirun.h"
#include "test_list.h.in"

/* A two-gateway scenario; SCN(...) splices text into it so each bad case differs in one place. */
#define SCN(top, link_extra, ike, expect)                                                                      \
	"{" top "\"seed\":1,\"duration\":\"10s\","                                                              \
	"\"nodes\":[{\"name\":\"gw-a\",\"addresses\":[\"192.0.2.1\"]},"                                          \
	"{\"name\":\"gw-b\",\"addresses\":[\"198.51.100.1\"]}],"                                                 \
	"\"links\":[{\"a\":\"gw-a\",\"b\":\"gw-b\",\"latency\":\"20ms\"" link_extra "}],"                        \
	"\"connections\":["                                                                                    \
	"{\"name\":\"site-a\",\"node\":\"gw-a\",\"remote_node\":\"gw-b\",\"initiate\":true,\"ike\":\"" ike "\","  \
	"\"auth\":{\"psk\":\"s3cret\"}},"                                                                      \
	"{\"name\":\"site-b\",\"node\":\"gw-b\",\"remote_node\":\"gw-a\",\"auth\":{\"psk\":\"s3cret\"}}],"        \
	"\"expect\":[{\"node\":\"gw-a\",\"conn\":\"site-a\",\"ike_state\":\"" expect "\"}]}"
#define IKE_OK "aes128gcm16-prfsha256-x25519"
#define GOOD SCN("", "", IKE_OK, "ESTABLISHED")

/* Runs `ikesim ARGS...` (NULL-terminated) in-process with both streams captured in memory. */
static clirun run_cli(const char *first, ...)
{
	char *argv[16] = { "ikesim" };
	int argc = 1;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	return clirun_call(cli_main, argc, argv);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}


static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}




static void help_and_version(void **state)
{
	(void)state;
	clirun r = run_cli("--help", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_non_null(strstr(r.out, "usage: ikesim"));
	assert_non_null(strstr(r.out, "vectors"));
	assert_int_equal(r.err_len, 0);
	clirun_free(&r);
	r = run_cli("--version", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_string_equal(r.out, "ikesim " CLI_VERSION "\n");
	clirun_free(&r);
	r = run_cli("run", "--help", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_non_null(strstr(r.out, "--seed"));
	clirun_free(&r);
	r = run_cli("vectors", "--help", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_non_null(strstr(r.out, "usage: ikesim vectors"));
	clirun_free(&r);
	r = run_cli(NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	assert_non_null(strstr(r.err, "usage: ikesim"));
	clirun_free(&r);
}

/* Each wrong command line: exit 2, nothing on out, one error line naming the culprit. */
static void wrong_flags_are_one_line(void **state)
{
	(void)state;
	static const struct {
		const char *a[4], *want;
	} cases[] = {
		{ { "frobnicate" }, "unknown verb 'frobnicate'" },
		{ { "--frobnicate" }, "unknown option '--frobnicate'" },
		{ { "run" }, "missing SCENARIO" },
		{ { "run", "x.json", "--frob" }, "unknown option '--frob'" },
		{ { "run", "x.json", "--seed" }, "--seed needs a value" },
		{ { "run", "x.json", "--seed", "-1" }, "--seed wants an unsigned 64-bit integer, got '-1'" },
		{ { "run", "x.json", "--seed", "12abc" }, "got '12abc'" },
		{ { "run", "x.json", "--seed", "18446744073709551616" }, "unsigned 64-bit" },
		{ { "run", "x.json", "--trace" }, "--trace needs a value" },
		{ { "run", "x.json", "y.json" }, "one scenario at a time" },
		{ { "vectors" }, "usage: ikesim vectors" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		clirun r = run_cli(cases[i].a[0], cases[i].a[1], cases[i].a[2], cases[i].a[3], NULL);
		if (r.rc != CLI_USAGE || count_lines(r.err) != 1 || !strstr(r.err, cases[i].want) || r.out_len)
			fail_msg("case %zu: rc %d, out '%s', err '%s'; wanted 2 and one line with '%s'", i, r.rc, r.out,
				 r.err, cases[i].want);
		clirun_free(&r);
	}
}

/* Bad scenarios: exit 2, one "file: json.path: reason" line, no trace file, an old trace left untouched. */
static void bad_scenarios_leave_no_trace(void **state)
{
	(void)state;
	static const struct {
		const char *name, *text, *want; /* want follows "FILE: " (or "FILE:" for JSON syntax) */
	} cases[] = {
		{ "missing.json", NULL, "cannot read: No such file or directory" },
		{ "dir.json", "", "cannot read: Is a directory" },
		{ "syntax.json", "{\"seed\":1,\n\"nodes\":[{,]}", "2:" },
		{ "empty.json", "", "invalid JSON" },
		{ "unknown.json", SCN("\"colour\":\"blue\",", "", IKE_OK, "ESTABLISHED"), " colour: unknown field 'colour'" },
		{ "dangling.json",
		  "{\"nodes\":[{\"name\":\"gw-a\",\"addresses\":[\"192.0.2.1\"]}],"
		  "\"links\":[{\"a\":\"gw-a\",\"b\":\"gw-z\"}]}",
		  " links[0].b: no node named 'gw-z'" },
		{ "proposal.json", SCN("", "", "aes128gcm16-prfsha256-x25519-bogus", "ESTABLISHED"),
		  " connections[0].ike: " },
		{ "neglat.json", SCN("", ",\"jitter\":-0.005", IKE_OK, "ESTABLISHED"),
		  " links[0].jitter: a duration must not be negative" },
		{ "neglat2.json", "{\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\","
				  "\"addresses\":[\"192.0.2.2\"]}],\"links\":[{\"a\":\"a\",\"b\":\"b\",\"latency\":\"-5ms\"}]}",
		  " links[0].latency: a duration must not be negative" },
		{ "state.json", SCN("", "", IKE_OK, "UP"), " expect[0].ike_state: unknown state 'UP'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tfs_dir d;
		char scn[128], trace[128], old_trace[128], prefix[160];
		tfs_dir_make(&d, "cli");
		tfs_dir_file(&d, cases[i].name, scn, sizeof(scn));
		tfs_dir_file(&d, "trace.jsonl", trace, sizeof(trace));
		tfs_dir_file(&d, "old.jsonl", old_trace, sizeof(old_trace));
		if (strcmp(cases[i].name, "dir.json") == 0)
			assert_int_equal(mkdir(scn, 0700), 0);
		else if (cases[i].text)
			write_text(scn, cases[i].text);
		write_text(old_trace, "old\n");
		size_t before = tfs_dir_count(&d);
		clirun r = run_cli("run", scn, "--trace", trace, NULL);
		snprintf(prefix, sizeof(prefix), "%s:", scn);
		if (r.rc != CLI_USAGE || count_lines(r.err) != 1 || strncmp(r.err, prefix, strlen(prefix)) != 0 ||
		    !strstr(r.err, cases[i].want) || r.out_len)
			fail_msg("%s: rc %d, err '%s'; wanted 2 and one line '%s ...%s'", cases[i].name, r.rc, r.err, prefix,
				 cases[i].want);
		assert_int_equal(access(trace, F_OK), -1);
		assert_int_equal(tfs_dir_count(&d), before);
		clirun_free(&r);
		r = run_cli("run", scn, "--trace", old_trace, NULL);
		assert_int_equal(r.rc, CLI_USAGE);
		char *old = tfs_read(old_trace, NULL);
		assert_string_equal(old, "old\n");
		free(old);
		clirun_free(&r);
		tfs_dir_remove(&d);
	}
}

static void failed_expect_exits_3(void **state)
{
	(void)state;
	tfs_dir d;
	char scn[128];
	tfs_dir_make(&d, "cli");
	tfs_dir_file(&d, "expect.json", scn, sizeof(scn));
	write_text(scn, SCN("", "", IKE_OK, "DELETING"));
	clirun r = run_cli("run", scn, NULL);
	assert_int_equal(r.rc, CLI_EXPECT_FAILED);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "expect[0]: gw-a/site-a: ike_state wanted DELETING, got ESTABLISHED"));
	assert_non_null(strstr(r.out, "expectations: 0 of 1 hold"));
	clirun_free(&r);
	write_text(scn, GOOD);
	r = run_cli("run", scn, "--quiet", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_int_equal(r.out_len + r.err_len, 0);
	clirun_free(&r);
	tfs_dir_remove(&d);
}

/* The first "initiator-spi" value in a trace, or "" if none. */
static void first_spi(const char *trace, char out[17])
{
	const char *p = strstr(trace, "\"initiator-spi\":\"");
	out[0] = '\0';
	if (p)
		snprintf(out, 17, "%s", p + strlen("\"initiator-spi\":\""));
}

static void same_seed_same_trace(void **state)
{
	(void)state;
	tfs_dir d;
	char scn[128], t1[128], t2[128], t3[128], s1[17], s3[17];
	tfs_dir_make(&d, "cli");
	tfs_dir_file(&d, "good.json", scn, sizeof(scn));
	tfs_dir_file(&d, "t1.jsonl", t1, sizeof(t1));
	tfs_dir_file(&d, "t2.jsonl", t2, sizeof(t2));
	tfs_dir_file(&d, "t3.jsonl", t3, sizeof(t3));
	write_text(scn, GOOD);
	const char *traces[] = { t1, t2, t3 }, *seeds[] = { "7", "7", "8" };
	for (size_t i = 0; i < 3; i++) {
		clirun r = run_cli("run", scn, "--trace", traces[i], "--seed", seeds[i], NULL);
		if (r.rc != CLI_OK)
			fail_msg("run %zu: rc %d: %s", i, r.rc, r.err);
		assert_non_null(strstr(r.out, "(seed "));
		assert_non_null(strstr(r.out, seeds[i]));
		clirun_free(&r);
	}
	char *a = tfs_read(t1, NULL), *b = tfs_read(t2, NULL), *c = tfs_read(t3, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_true(strlen(a) > 100);
	assert_string_equal(a, b);
	/* The first event names the trace format (docs/trace.md). */
	static const char first[] = "{\"t\":0.000000000,\"node\":\"sim\",\"ev\":\"sim.start\",\"schema\":1,";
	assert_true(strncmp(a, first, sizeof(first) - 1) == 0);
	first_spi(a, s1);
	first_spi(c, s3);
	assert_int_equal(strlen(s1), 16);
	assert_int_equal(strlen(s3), 16);
	assert_string_not_equal(s1, s3);
	assert_non_null(strstr(c, "\"seed\":8"));
	free(a);
	free(b);
	free(c);
	assert_int_equal(tfs_dir_count(&d), 4); /* the scenario and three traces, no temp files */
	tfs_dir_remove(&d);
}

/* A trace that cannot be created is a run error (1) in one line, and nothing else is written. */
static void unwritable_trace_is_one_line(void **state)
{
	(void)state;
	tfs_dir d;
	char scn[128], trace[160];
	tfs_dir_make(&d, "cli");
	tfs_dir_file(&d, "good.json", scn, sizeof(scn));
	tfs_dir_file(&d, "no/such/dir/t.jsonl", trace, sizeof(trace));
	write_text(scn, GOOD);
	clirun r = run_cli("run", scn, "--trace", trace, NULL);
	assert_int_equal(r.rc, CLI_ERR);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, trace));
	assert_int_equal(r.out_len, 0);
	clirun_free(&r);
	tfs_dir_remove(&d);
}

/* A directory is refused up front; a FIFO (like /dev/stdout in a pipe) is written in place, not renamed over. */
static void trace_to_directory_or_fifo(void **state)
{
	(void)state;
	tfs_dir d;
	char scn[128], sub[128], fifo[128];
	struct stat st;
	tfs_dir_make(&d, "cli");
	tfs_dir_file(&d, "good.json", scn, sizeof(scn));
	tfs_dir_file(&d, "sub", sub, sizeof(sub));
	tfs_dir_file(&d, "fifo", fifo, sizeof(fifo));
	write_text(scn, GOOD);
	assert_int_equal(mkdir(sub, 0700), 0);
	clirun r = run_cli("run", scn, "--trace", sub, "--quiet", NULL);
	assert_int_equal(r.rc, CLI_ERR);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "it is a directory"));
	clirun_free(&r);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	int fd = open(fifo, O_RDWR | O_NONBLOCK); /* our own end keeps the writer from blocking; the trace fits the pipe */
	assert_true(fd >= 0);
	r = run_cli("run", scn, "--trace", fifo, "--quiet", NULL);
	if (r.rc != CLI_OK)
		fail_msg("rc %d: %s", r.rc, r.err);
	clirun_free(&r);
	assert_int_equal(stat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	char head[32] = { 0 };
	assert_true(read(fd, head, sizeof(head) - 1) > 0);
	assert_non_null(strstr(head, "{\"t\":0.000000000"));
	close(fd);
	assert_int_equal(tfs_dir_count(&d), 2);
	tfs_dir_remove(&d);
}

static void vectors_verb(void **state)
{
	(void)state;
	clirun r = run_cli("vectors", "tests/vectors/rfc4231_hmac_sha2.json", NULL);
	if (r.rc != CLI_OK)
		fail_msg("rc %d: %s%s", r.rc, r.out, r.err);
	assert_non_null(strstr(r.out, "rfc4231_hmac_sha2.json: 7 passed, 0 failed"));
	clirun_free(&r);
	tfs_dir d;
	char f[128];
	tfs_dir_make(&d, "cli");
	tfs_dir_file(&d, "kind.json", f, sizeof(f));
	write_text(f, "{\"kind\":\"rot13\",\"cases\":[]}");
	r = run_cli("vectors", f, NULL);
	assert_int_not_equal(r.rc, CLI_OK);
	assert_non_null(strstr(r.err, "unknown kind \"rot13\""));
	clirun_free(&r);
	r = run_cli("vectors", "tests/vectors/rfc4231_hmac_sha2.json", f, NULL);
	assert_int_not_equal(r.rc, CLI_OK);
	clirun_free(&r);
	tfs_dir_remove(&d);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(help_and_version),
	cmocka_unit_test(wrong_flags_are_one_line),
	cmocka_unit_test(bad_scenarios_leave_no_trace),
	cmocka_unit_test(failed_expect_exits_3),
	cmocka_unit_test(same_seed_same_trace),
	cmocka_unit_test(unwritable_trace_is_one_line),
	cmocka_unit_test(trace_to_directory_or_fifo),
	cmocka_unit_test(vectors_verb),
};

size_t tests_cli(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
