/* `ikesim trace`, `ikesim lesson` and `ikesim scenario set` in-process: selection, output forms, hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "clirun.h"
#include "testfs.h"
#include "trace_read.h"
#include "test_list.h.in"

/* A small trace in the engine's own form (times with 9 decimals, fields as docs/trace.md has them). */
static const char TRACE[] =
	"{\"t\":0.000000000,\"node\":\"sim\",\"ev\":\"sim.start\",\"schema\":1,\"scenario\":\"x.json\",\"seed\":1,"
	"\"duration\":10.000000000,\"nodes\":2,\"links\":1}\n"
	"{\"t\":0.000000000,\"node\":\"gw-a\",\"ev\":\"ike.tx\",\"summary\":\"IKE_SA_INIT request 0 [ SA KE No ]\","
	"\"exchange\":\"IKE_SA_INIT\",\"msgid\":0,\"flags\":\"I\",\"size\":208,\"from\":\"192.0.2.1:500\","
	"\"to\":\"198.51.100.1:500\",\"initiator-spi\":\"8059928337c25b67\",\"responder-spi\":\"0000000000000000\"}\n"
	"{\"t\":0.020000000,\"node\":\"gw-b\",\"ev\":\"ike_sa.state\",\"from\":\"CREATED\",\"to\":\"CONNECTING\","
	"\"why\":\"answer\",\"transition\":\"r-init\",\"role\":\"responder\",\"conn\":\"site-b\","
	"\"initiator-spi\":\"8059928337c25b67\",\"responder-spi\":\"27828255f37b7d68\"}\n"
	"{\"t\":0.020000000,\"node\":\"gw-b\",\"ev\":\"kdf\",\"name\":\"Ni\",\"inputs\":[],\"len\":32,"
	"\"initiator-spi\":\"8059928337c25b67\",\"responder-spi\":\"27828255f37b7d68\"}\n"
	"{\"t\":0.060000000,\"node\":\"gw-b\",\"ev\":\"child_sa.state\",\"from\":\"INSTALLING\",\"to\":\"INSTALLED\","
	"\"why\":\"ok\",\"transition\":\"installed\",\"conn\":\"site-b\",\"child\":\"site-b\",\"spi-in\":\"76423227\","
	"\"spi-out\":\"f55e0a6a\",\"initiator-spi\":\"8059928337c25b67\"}\n"
	"{\"t\":1.000000000,\"node\":\"gw-a\",\"ev\":\"esp.tx\",\"spi\":\"0x76423227\",\"seq\":1,\"size\":120}\n"
	"{\"t\":1.500000000,\"node\":\"gw-a\",\"ev\":\"ike.tx\",\"summary\":\"INFORMATIONAL request 2 [ ]\","
	"\"exchange\":\"INFORMATIONAL\",\"msgid\":2,\"size\":80}\n"
	"{\"t\":2.000000000,\"node\":\"sim\",\"ev\":\"summary\",\"virtual_time\":1.5,\"seed\":1,"
	"\"datagrams\":{\"sent\":3,\"delivered\":3,\"dropped\":0},\"nodes\":[]}\n";

typedef struct fx {
	tfs_dir d;
	char trace[128];
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	tfs_dir_make(&f->d, "trace");
	tfs_dir_file(&f->d, "t.jsonl", f->trace, sizeof(f->trace));
	FILE *o = fopen(f->trace, "w");
	assert_non_null(o);
	assert_int_equal(fwrite(TRACE, 1, sizeof(TRACE) - 1, o), sizeof(TRACE) - 1);
	assert_int_equal(fclose(o), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	tfs_dir_remove(&f->d);
	free(f);
	return 0;
}

static clirun run_cli(const char *first, ...)
{
	char *argv[24] = { "ikesim" };
	int argc = 1;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && argc < 23; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	return clirun_call(cli_main, argc, argv);
}

static size_t lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *o = fopen(path, "wb");
	assert_non_null(o);
	assert_int_equal(fwrite(text, 1, len, o), len);
	assert_int_equal(fclose(o), 0);
}

/* Exact, prefix and suffix event patterns; several --ev values are alternatives. */
static void tcmd_ev_patterns(void **state)
{
	fx *f = *state;
	clirun r = run_cli("trace", f->trace, "--ev", "ike.tx", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_int_equal(lines(r.out), 2);
	assert_non_null(strstr(r.out, "0.000000000  gw-a    ike.tx          IKE_SA_INIT request 0 [ SA KE No ], 208 bytes, "
				      "192.0.2.1:500 -> 198.51.100.1:500\n"));
	clirun_free(&r);
	r = run_cli("trace", f->trace, "--ev", "*state", NULL);
	assert_int_equal(lines(r.out), 2);
	assert_non_null(strstr(r.out, "CREATED -> CONNECTING (r-init): answer\n"));
	assert_non_null(strstr(r.out, "INSTALLING -> INSTALLED (installed): ok [in 76423227 out f55e0a6a]\n"));
	clirun_free(&r);
	r = run_cli("trace", f->trace, "--ev", "ike*", "--ev", "esp.tx", NULL);
	assert_int_equal(lines(r.out), 4); /* ike.tx twice, ike_sa.state, esp.tx; not child_sa.state */
	assert_null(strstr(r.out, "child_sa.state"));
	clirun_free(&r);
	r = run_cli("trace", f->trace, "--ev", "sim.start,summary", NULL);
	assert_string_equal(r.out, "  0.000000000  sim     sim.start       x.json seed 1, 2 nodes, 1 links\n"
				   "  2.000000000  sim     summary         virtual time 1.5 s; datagrams: 3 sent, 3 delivered, "
				   "0 dropped\n");
	clirun_free(&r);
}

/* --node, --sa (with or without 0x, any SPI field), --from/--to inclusive, --where, --max. */
static void tcmd_selection(void **state)
{
	fx *f = *state;
	clirun r = run_cli("trace", f->trace, "--node", "gw-b", "--fields", "ev", NULL);
	assert_string_equal(r.out, "ev\nike_sa.state\nkdf\nchild_sa.state\n");
	clirun_free(&r);
	r = run_cli("trace", f->trace, "--sa", "0x7642", "--fields", "node,ev", NULL);
	assert_string_equal(r.out, "node  ev\ngw-b  child_sa.state\ngw-a  esp.tx\n");
	clirun_free(&r);
	r = run_cli("trace", f->trace, "--sa", "2782825", "--count", NULL);
	assert_string_equal(r.out, "         1  ike_sa.state\n         1  kdf\n         2  in all\n");
	clirun_free(&r);
	r = run_cli("trace", f->trace, "--from", "20ms", "--to", "1", "--fields", "t", NULL);
	assert_string_equal(r.out, "t\n0.020000000\n0.020000000\n0.060000000\n1.000000000\n");
	clirun_free(&r);
	r = run_cli("trace", f->trace, "--where", "exchange=INFORMATIONAL", "--where", "msgid=2", "--fields", "summary",
		    NULL);
	assert_string_equal(r.out, "summary\nINFORMATIONAL request 2 [ ]\n");
	clirun_free(&r);
	r = run_cli("trace", f->trace, "--ev", "ike.tx[exchange=INFORMATIONAL][msgid=2],sim*", "--fields", "ev,msgid", NULL);
	assert_string_equal(r.out, "ev         msgid\nsim.start  -\nike.tx     2\n");
	clirun_free(&r);
	r = run_cli("trace", f->trace, "--ev", "ike.tx[exchange=INFORMATIONAL][msgid=3]", "--count", NULL);
	assert_string_equal(r.out, "         0  in all\n");
	clirun_free(&r);
	r = run_cli("trace", f->trace, "--max", "2", "--json", NULL);
	assert_int_equal(lines(r.out), 2);
	clirun_free(&r);
}

/* --fields: a header, aligned columns, '-' for a missing field, [] for an empty list, nested paths. */
static void tcmd_fields_table(void **state)
{
	fx *f = *state;
	clirun r = run_cli("trace", f->trace, "--node", "gw-b,sim", "--fields", "node,name,inputs,datagrams.sent", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_string_equal(r.out, "node  name  inputs  datagrams.sent\n"
				   "sim   -     -       -\n"
				   "gw-b  -     -       -\n"
				   "gw-b  Ni    []      -\n"
				   "gw-b  -     -       -\n"
				   "sim   -     -       3\n");
	clirun_free(&r);
}

/* --json gives the selected lines byte for byte; --count counts per name in order of first appearance. */
static void tcmd_json_and_count(void **state)
{
	fx *f = *state;
	clirun r = run_cli("trace", f->trace, "--json", NULL);
	assert_string_equal(r.out, TRACE);
	clirun_free(&r);
	r = run_cli("trace", f->trace, "--count", "--node", "gw-a", NULL);
	assert_string_equal(r.out, "         2  ike.tx\n         1  esp.tx\n         3  in all\n");
	clirun_free(&r);
}

/* Each malformed line is named (file, line, byte offset, why) and skipped; the good ones still print; exit 2. */
static void tcmd_malformed_lines(void **state)
{
	fx *f = *state;
	char path[128];
	tfs_dir_file(&f->d, "bad.jsonl", path, sizeof(path));
	static const char BAD[] = "{\"t\":1,\"node\":\"a\",\"ev\":\"x\"}\n"   /* line 1, bytes 0..27 */
				  "{\"t\":2,\"node\":\"a\",\"ev\":\"y\"\n"    /* 2: truncated, 28..54 */
				  "{\"t\":3,\"node\":\"a\",\"e\0\":\"z\"}\n"  /* 3: a NUL at 75 */
				  "[1,2]\n"                                  /* 4: not an object, at 83 */
				  "{\"t\":4,\"node\":\"a\"}\n"               /* 5: no ev */
				  "{\"t\":5,\"node\":\"a\",\"ev\":\"w\"} x\n"  /* 6: text after it */
				  "\n"                                       /* 7: blank: fine */
				  "{\"t\":6,\"node\":\"a\",\"ev\":\"v\"}\r\n"; /* 8: CRLF: fine */
	write_file(path, BAD, sizeof(BAD) - 1);
	clirun r = run_cli("trace", path, "--fields", "ev", NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	assert_string_equal(r.out, "ev\nx\nv\n");
	char want[256];
	snprintf(want, sizeof(want), "%s:2 (byte 54): truncated JSON", path);
	assert_non_null(strstr(r.err, want));
	snprintf(want, sizeof(want), "%s:3 (byte 75): NUL byte in the line", path);
	assert_non_null(strstr(r.err, want));
	snprintf(want, sizeof(want), "%s:4 (byte 83): not a JSON object", path);
	assert_non_null(strstr(r.err, want));
	snprintf(want, sizeof(want), "%s:5 (byte 89): not a trace event: no \"ev\" string", path);
	assert_non_null(strstr(r.err, want));
	snprintf(want, sizeof(want), "%s:6 (byte 136): text after the JSON object", path);
	assert_non_null(strstr(r.err, want));
	clirun_free(&r);
}

/* A line over --max-line is skipped whatever its size, and says how long it was and what the bound is. */
static void tcmd_huge_line(void **state)
{
	fx *f = *state;
	char path[128];
	tfs_dir_file(&f->d, "huge.jsonl", path, sizeof(path));
	size_t big = 300000; /* several read chunks */
	char *text = malloc(big + 128);
	assert_non_null(text);
	int k = snprintf(text, 64, "{\"t\":1,\"node\":\"a\",\"ev\":\"x\",\"pad\":\"");
	memset(text + k, 'a', big);
	size_t len = (size_t)k + big;
	len += (size_t)sprintf(text + len, "\"}\n{\"t\":2,\"node\":\"b\",\"ev\":\"y\"}\n");
	write_file(path, text, len);
	clirun r = run_cli("trace", path, "--max-line", "1000", "--fields", "node", NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	assert_string_equal(r.out, "node\nb\n");
	char want[256];
	snprintf(want, sizeof(want), "%s:1 (byte 0): line of %zu bytes, longer than the 1000", path,
		 (size_t)k + big + 2);
	assert_non_null(strstr(r.err, want));
	clirun_free(&r);
	r = run_cli("trace", path, "--fields", "node", NULL); /* the default bound holds it */
	assert_int_equal(r.rc, CLI_OK);
	assert_string_equal(r.out, "node\na\nb\n");
	clirun_free(&r);
	free(text);
}

/* Control characters in a hostile trace never reach the terminal. */
static void tcmd_control_chars(void **state)
{
	fx *f = *state;
	char path[128];
	tfs_dir_file(&f->d, "esc.jsonl", path, sizeof(path));
	static const char ESC[] = "{\"t\":1,\"node\":\"a\\u001b[2J\",\"ev\":\"x\",\"why\":\"b\\u0007\\n\"}\n";
	write_file(path, ESC, sizeof(ESC) - 1);
	clirun r = run_cli("trace", path, NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_string_equal(r.out, "            1  a?[2J   x               why=b??\n");
	clirun_free(&r);
}

/* Bad usage is exit 2 with one line naming the problem. */
static void tcmd_bad_usage(void **state)
{
	fx *f = *state;
	static const char *const cases[][5] = {
		{ "--nope", NULL },
		{ "--from", "2", "--to", "1" },
		{ "--json", "--count", NULL },
		{ "--sa", "xyz", NULL },
		{ "--where", "novalue", NULL },
		{ "--max", "0", NULL },
		{ "--from", "soon", NULL },
		{ "--seed", "3", NULL }, /* a trace is not a scenario */
		{ "--ev", NULL },
		{ "--ev", "[exchange=X]" },
		{ "--ev", "ike.tx[exchange]" },
		{ "--ev", "ike.tx[exchange=X]junk" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[8] = { "ikesim", "trace", f->trace };
		int argc = 3;
		for (size_t k = 0; k < 5 && cases[i][k]; k++)
			argv[argc++] = (char *)cases[i][k];
		clirun r = clirun_call(cli_main, argc, argv);
		assert_int_equal(r.rc, CLI_USAGE);
		assert_int_equal(r.out_len, 0);
		assert_int_equal(lines(r.err), 1);
		clirun_free(&r);
	}
	clirun r = run_cli("trace", "/nonexistent/t.jsonl", NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	assert_non_null(strstr(r.err, "/nonexistent/t.jsonl: cannot open"));
	clirun_free(&r);
	r = run_cli("trace", NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	clirun_free(&r);
}

/* `-` reads standard input (through the real binary, whose stdin we can give it). */
static void tcmd_stdin(void **state)
{
	fx *f = *state;
	const char *bin = getenv("IKESIM_BIN");
	if (!bin || !*bin) {
		print_message("IKESIM_BIN not set: skipping the stdin test (make unit sets it)\n");
		return;
	}
	char cmd[512], buf[256] = "";
	snprintf(cmd, sizeof(cmd), "'%s' trace - --ev ike.tx --fields size < '%s'", bin, f->trace);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t k = fread(buf, 1, sizeof(buf) - 1, p);
	buf[k] = 0;
	assert_int_equal(pclose(p), 0);
	assert_string_equal(buf, "size\n208\n80\n");
}

/* --count keeps at most 1024 names apart; the rest share one "(other)" row, so memory stays bounded. */
static void tcmd_count_bounded(void **state)
{
	fx *f = *state;
	char path[128];
	tfs_dir_file(&f->d, "many.jsonl", path, sizeof(path));
	FILE *o = fopen(path, "w");
	assert_non_null(o);
	for (int i = 0; i < 1030; i++)
		fprintf(o, "{\"t\":%d,\"node\":\"a\",\"ev\":\"e%d\"}\n", i, i);
	assert_int_equal(fclose(o), 0);
	clirun r = run_cli("trace", path, "--count", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_non_null(strstr(r.out, "         1  e1023\n         6  (other)\n      1030  in all\n"));
	clirun_free(&r);
}

/* The reader on its own: lines across chunk boundaries, the last line without a newline, offsets. */
static void tcmd_reader_positions(void **state)
{
	(void)state;
	size_t n = 3 * TRACE_CHUNK;
	char *buf = malloc(n);
	assert_non_null(buf);
	memset(buf, 'x', n);
	buf[10] = '\n';
	buf[TRACE_CHUNK + 5] = '\n';
	FILE *m = fmemopen(buf, n, "rb");
	assert_non_null(m);
	trace_reader r;
	const char *line;
	size_t len;
	char msg[256];
	trace_reader_init(&r, m, "mem", 4 * TRACE_CHUNK);
	assert_int_equal(trace_reader_next(&r, &line, &len, msg, sizeof(msg)), TRACE_RD_LINE);
	assert_int_equal(len, 10);
	assert_int_equal(trace_reader_next(&r, &line, &len, msg, sizeof(msg)), TRACE_RD_LINE);
	assert_int_equal(len, TRACE_CHUNK + 5 - 11);
	assert_int_equal(r.offset, 11);
	assert_int_equal(trace_reader_next(&r, &line, &len, msg, sizeof(msg)), TRACE_RD_LINE);
	assert_int_equal(len, n - TRACE_CHUNK - 6);
	assert_int_equal(r.line, 3);
	assert_int_equal(trace_reader_next(&r, &line, &len, msg, sizeof(msg)), TRACE_RD_EOF);
	trace_reader_free(&r);
	fclose(m);
	free(buf);
}

/* A scenario instead of a trace is run first; its trace is the one `ikesim run` writes. */
static void tcmd_scenario_input(void **state)
{
	(void)state;
	clirun r = run_cli("trace", "lessons/01-first-tunnel/scenario.json", "--ev", "ike.tx", "--fields", "node,size",
			   NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_string_equal(r.out, "node  size\ngw-a  208\ngw-b  208\ngw-a  245\ngw-b  217\n");
	clirun_free(&r);
	r = run_cli("trace", "lessons/02-when-it-fails/exercise-1.json", "--ev", "error", "--node", "gw-b", "--fields",
		    "notify", "--max", "1", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_string_equal(r.out, "notify\nAUTHENTICATION_FAILED\n");
	assert_non_null(strstr(r.err, "expectations do not all hold"));
	clirun_free(&r);
}

/* scenario set: JSON values, plain strings, [NAME] and [*] paths; a path that does not fit is exit 2. */
static void tcmd_scenario_set(void **state)
{
	fx *f = *state;
	char path[128];
	tfs_dir_file(&f->d, "s.json", path, sizeof(path));
	static const char S[] = "{\"duration\":\"10s\",\"links\":[{\"a\":\"x\",\"b\":\"y\"}],"
				"\"connections\":[{\"name\":\"c1\",\"ike\":\"a\"},{\"name\":\"c2\",\"ike\":\"b\"}]}";
	write_file(path, S, sizeof(S) - 1);
	clirun r = run_cli("scenario", "set", path, ".links[0].loss=0.1", "duration=60s", "connections[*].ike=x",
			   "connections[c2].remote_ts=[\"10.9.0.0/16\"]", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_non_null(strstr(r.out, "\"loss\":\t0.1"));
	assert_non_null(strstr(r.out, "\"duration\":\t\"60s\""));
	assert_null(strstr(r.out, "\"ike\":\t\"a\""));
	assert_non_null(strstr(r.out, "\"remote_ts\":\t[\"10.9.0.0/16\"]"));
	clirun_free(&r);
	r = run_cli("scenario", "set", path, "connections[5].ike=x", NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	assert_non_null(strstr(r.err, "no element 5 (connections has 2)"));
	clirun_free(&r);
	r = run_cli("scenario", "set", path, "links[0]..loss=1", NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	clirun_free(&r);
	r = run_cli("scenario", "set", path, NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	clirun_free(&r);
}

/* A lessons folder of our own (IKESIM_LESSONS): list, show, check by number, by file and all. */
static void tcmd_lesson_commands(void **state)
{
	fx *f = *state;
	char dir[128], file[256];
	tfs_dir_file(&f->d, "les", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/02-two", dir);
	assert_int_equal(mkdir(file, 0700), 0);
	snprintf(file, sizeof(file), "%s/02-two/README.md", dir);
	write_file(file, "intro\n# Lesson 2: the second\ntext\n", 34);
	char ex[256];
	snprintf(ex, sizeof(ex), "%s/02-two/exercise-1.json", dir);
	char *good = tfs_must_read("lessons/01-first-tunnel/scenario.json", NULL);
	write_file(ex, good, strlen(good));
	snprintf(ex, sizeof(ex), "%s/02-two/exercise-2.json", dir);
	write_file(ex, "{\"seed\":1}", 10);
	free(good);
	assert_int_equal(setenv("IKESIM_LESSONS", dir, 1), 0);
	clirun r = run_cli("lesson", "list", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_non_null(strstr(r.out, "\n02  the second "));
	assert_non_null(strstr(r.out, "          2\n"));
	clirun_free(&r);
	r = run_cli("lesson", "show", "2", NULL);
	assert_string_equal(r.out, "intro\n# Lesson 2: the second\ntext\n");
	clirun_free(&r);
	r = run_cli("lesson", "check", "02", "1", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_non_null(strstr(r.out, "exercise-1.json: PASS\n"));
	clirun_free(&r);
	r = run_cli("lesson", "check", "02-two", NULL);
	assert_int_equal(r.rc, CLI_USAGE); /* exercise 2 is not a scenario */
	assert_non_null(strstr(r.out, "exercise-2.json: ERROR (bad input)\n    "));
	assert_non_null(strstr(r.out, "lesson 02: 1 of 2 exercises pass\n"));
	clirun_free(&r);
	r = run_cli("lesson", "show", "9", NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	clirun_free(&r);
	unsetenv("IKESIM_LESSONS");
	assert_int_equal(unlink(ex), 0);
	snprintf(ex, sizeof(ex), "%s/02-two/exercise-1.json", dir);
	assert_int_equal(unlink(ex), 0);
	assert_int_equal(unlink(file), 0);
	snprintf(file, sizeof(file), "%s/02-two", dir);
	assert_int_equal(rmdir(file), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* The repository's lessons, found beside the test binary: an exercise as shipped fails with the why. */
static void tcmd_lesson_shipped(void **state)
{
	(void)state;
	unsetenv("IKESIM_LESSONS");
	clirun r = run_cli("lesson", "check", "2", "1", NULL);
	assert_int_equal(r.rc, CLI_EXPECT_FAILED);
	assert_non_null(strstr(r.out, "lessons/02-when-it-fails/exercise-1.json: FAIL\n"
				      "    expect[0]: gw-a/site-a: ike_state wanted ESTABLISHED, got NONE\n"));
	clirun_free(&r);
	r = run_cli("lesson", "list", NULL);
	assert_non_null(strstr(r.out, "01  your first IKEv2 tunnel"));
	clirun_free(&r);
	r = run_cli("lesson", "run", "6", "--quiet", NULL); /* no scenario.json: the first one its README runs */
	assert_int_equal(r.rc, CLI_OK);
	clirun_free(&r);
	r = run_cli("lesson", "run", "06-ikev1", "aggressive", NULL);
	assert_int_equal(r.rc, CLI_OK);
	assert_non_null(strstr(r.out, "lessons/06-ikev1/aggressive.json (seed "));
	clirun_free(&r);
	r = run_cli("lesson", "run", "6", "../01-first-tunnel/scenario", NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	clirun_free(&r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
static const struct CMUnitTest tests[] = {
	T(tcmd_ev_patterns),	 T(tcmd_selection),	  T(tcmd_fields_table),	    T(tcmd_json_and_count),
	T(tcmd_malformed_lines), T(tcmd_huge_line),	  T(tcmd_control_chars),    T(tcmd_bad_usage),
	T(tcmd_reader_positions), T(tcmd_scenario_input), T(tcmd_scenario_set),	    T(tcmd_lesson_commands),
	T(tcmd_lesson_shipped),	 T(tcmd_stdin),		  T(tcmd_count_bounded),
};

size_t tests_trace_cmd(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
