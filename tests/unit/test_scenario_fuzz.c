/* Scenario loader fuzz: JSON-aware mutations of the real scenario files; every result is a valid scenario
 * or one "file..." error line, and a sample of the valid ones also runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>

#include <cmocka.h>

#include "ns3/backend_ns3.h"
#include "run.h"
#include "scenario.h"
#include "testfs.h"
#include "test_list.h.in"

#define FZ_ITERATIONS 20000
#define FZ_RUN_EVERY 500               /* run every Nth valid mutant */
#define FZ_RUN_CAP (3 * IKE_NS_PER_SEC) /* virtual-time cap for those runs */
#define FZ_MAX_SEEDS 64
#define FZ_MAX_TOKENS 4096

typedef struct fz_rng {
	uint64_t s;
} fz_rng;

/* xorshift64*: deterministic across platforms, so a failing iteration can be replayed by its number. */
static uint64_t fz_next(fz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static size_t fz_below(fz_rng *r, size_t n) { return n ? (size_t)(fz_next(r) % n) : 0; }

typedef struct fz_buf {
	char *p;
	size_t len, cap;
} fz_buf;

static void fz_reserve(fz_buf *b, size_t need)
{
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	assert_non_null(p);
	b->p = p;
	b->cap = cap;
}

/* Replaces len bytes at pos with the n bytes of s. */
static void fz_splice(fz_buf *b, size_t pos, size_t len, const char *s, size_t n)
{
	fz_reserve(b, b->len - len + n + 1);
	memmove(b->p + pos + n, b->p + pos + len, b->len - pos - len);
	memcpy(b->p + pos, s, n);
	b->len = b->len - len + n;
}

enum { TOK_STR, TOK_ATOM, TOK_PUNCT };

typedef struct fz_tok {
	size_t at, len;
	int kind;
} fz_tok;

/* A rough JSON lexer (tolerant of already-broken text): strings, atoms (numbers, literals), punctuation. */
static size_t fz_lex(const fz_buf *b, fz_tok *t, size_t max)
{
	size_t n = 0, i = 0;
	while (i < b->len && n < max) {
		char ch = b->p[i];
		if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
			i++;
			continue;
		}
		size_t start = i;
		int kind = TOK_PUNCT;
		if (ch == '"') {
			kind = TOK_STR;
			for (i++; i < b->len && b->p[i] != '"'; i++)
				if (b->p[i] == '\\')
					i++;
			i = i < b->len ? i + 1 : b->len;
		} else if (strchr("{}[]:,", ch)) {
			i++;
		} else {
			kind = TOK_ATOM;
			while (i < b->len && !strchr("{}[]:,\" \n\t\r", b->p[i]))
				i++;
		}
		t[n++] = (fz_tok){ start, i - start, kind };
	}
	return n;
}

/* Values of every JSON type and the numbers that sit on or past the loader's limits. */
static const char *const FZ_VALUES[] = {
	"null", "true", "false", "0", "-0", "-1", "1", "0.5", "1e308", "1e400", "-1e400", "2.5e-320",
	"18446744073709551616", "9007199254740993", "4294967296", "65536", "9e9", "9.1e9", "[]", "{}", "[1,2]",
	"{\"a\":1}", "\"\"", "\"x\"", "\"-5ms\"", "\"1e400s\"", "\"9000000000s\"", "\".s\"", "\"0x\"", "\"0xzz\"",
	"\"\\u0000\"", "\"\\ud800\"", "\"a\\nb\"", "\"\\u001b[31m\"", "\"gw-a\"", "\"gw-b\"", "\"gw-a-gw-b\"",
	"\"ESTABLISHED\"", "\"NONE\"", "\"AUTHENTICATION_FAILED\"", "\"::1\"", "\"192.0.2.1\"", "\"10.0.0.0/33\"",
	"\"%any\"", "\"aes128-sha1-modp1024\"", "\"aes128gcm16-prfsha256-x25519,aes256-sha512-ecp521\"",
};
#define FZ_N_VALUES (sizeof(FZ_VALUES) / sizeof(FZ_VALUES[0]))

/* Field names of every scenario object, so renamed keys hit real-but-misplaced fields too. */
static const char *const FZ_KEYS[] = {
	"description", "seed", "duration", "nodes", "links", "connections", "faults", "expect", "name", "addresses",
	"a", "b", "latency", "jitter", "loss", "mtu", "node", "remote_node", "remote", "local", "version",
	"initiate", "at", "ike", "esp", "auth", "psk", "local_id", "remote_id", "local_ts", "remote_ts",
	"ike_lifetime", "child_lifetime", "retransmit", "timeout", "factor", "tries", "link", "drop_nth",
	"drop_next", "conn", "ike_state", "child_state", "error", "timed_out", "bogus",
};
#define FZ_N_KEYS (sizeof(FZ_KEYS) / sizeof(FZ_KEYS[0]))

/* A nested array or object of depth 1..2000 (the loader refuses past 32). */
static void fz_deep(fz_rng *r, fz_buf *out)
{
	size_t depth = 1 + fz_below(r, 2000);
	int obj = (int)fz_below(r, 2);
	out->len = 0;
	for (size_t i = 0; i < depth; i++)
		fz_splice(out, out->len, 0, obj ? "{\"a\":" : "[", obj ? 5 : 1);
	fz_splice(out, out->len, 0, "1", 1);
	for (size_t i = 0; i < depth; i++)
		fz_splice(out, out->len, 0, obj ? "}" : "]", 1);
}

/* A string literal of up to 70,000 bytes: plain, escapes, or raw bytes that are not UTF-8. */
static void fz_long_string(fz_rng *r, fz_buf *out)
{
	size_t n = 1 + fz_below(r, 70000);
	int style = (int)fz_below(r, 3);
	out->len = 0;
	fz_reserve(out, n + 3);
	out->p[out->len++] = '"';
	for (size_t i = 0; i < n; i++)
		out->p[out->len++] = style == 0 ? 'a' : style == 1 ? (char)(0x80 + fz_below(r, 0x80)) : "ab\\n-."[i % 5];
	if (out->p[out->len - 1] == '\\')
		out->len--;
	out->p[out->len++] = '"';
}

/* One mutation of b; scratch holds generated replacement text. */
static void fz_mutate(fz_rng *r, fz_buf *b, fz_buf *scratch, fz_tok *tok)
{
	size_t nt = fz_lex(b, tok, FZ_MAX_TOKENS);
	size_t op = fz_below(r, 13);
	if (b->len == 0 || nt == 0) {
		fz_splice(b, 0, 0, "{}", 2);
		return;
	}
	const fz_tok *t = &tok[fz_below(r, nt)], *u = &tok[fz_below(r, nt)];
	switch (op) {
	case 0: { /* flip one bit */
		size_t at = fz_below(r, b->len);
		b->p[at] ^= (char)(1u << fz_below(r, 8));
		break;
	}
	case 1: { /* any byte, NUL and non-ASCII included */
		char ch = (char)fz_below(r, 256);
		size_t at = fz_below(r, b->len), del = fz_below(r, 2); /* drawn in order: argument order is unspecified */
		fz_splice(b, at, del < b->len - at ? del : 0, &ch, 1);
		break;
	}
	case 2: /* truncate */
		b->len = fz_below(r, b->len);
		break;
	case 3: /* delete one token or a short run of them */
		fz_splice(b, t->at, t->len, "", 0);
		if (fz_below(r, 4) == 0 && u->at > t->at + t->len) {
			size_t from = t->at, to = u->at - t->len;
			fz_splice(b, from, to - from < 400 ? to - from : 400, "", 0);
		}
		break;
	case 4: { /* duplicate a token in place or elsewhere */
		scratch->len = 0;
		fz_splice(scratch, 0, 0, b->p + t->at, t->len);
		fz_splice(b, fz_below(r, 2) ? t->at : u->at, 0, scratch->p, scratch->len);
		break;
	}
	case 5:
	case 6: { /* a value of another type */
		const char *v = FZ_VALUES[fz_below(r, FZ_N_VALUES)];
		if (t->kind != TOK_PUNCT)
			fz_splice(b, t->at, t->len, v, strlen(v));
		break;
	}
	case 7: /* deep nesting in place of a value */
		fz_deep(r, scratch);
		if (t->kind != TOK_PUNCT)
			fz_splice(b, t->at, t->len, scratch->p, scratch->len);
		break;
	case 8: /* a long string */
		fz_long_string(r, scratch);
		if (t->kind == TOK_STR)
			fz_splice(b, t->at, t->len, scratch->p, scratch->len);
		break;
	case 9: /* raw non-UTF-8 bytes inside a string */
		if (t->kind == TOK_STR && t->len >= 2) {
			static const char bad[][3] = { "\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf", "\x80" };
			const char *s = bad[fz_below(r, 5)];
			fz_splice(b, t->at + 1 + fz_below(r, t->len - 1), 0, s, strlen(s));
		}
		break;
	case 10: { /* copy one string over another: dangling names, duplicates, misplaced values */
		if (t->kind == TOK_STR && u->kind == TOK_STR && t != u) {
			scratch->len = 0;
			fz_splice(scratch, 0, 0, b->p + u->at, u->len);
			fz_splice(b, t->at, t->len, scratch->p, scratch->len);
		}
		break;
	}
	case 11: { /* rename a key (or any string) to another scenario field */
		char k[40];
		int n = snprintf(k, sizeof(k), "\"%s\"", FZ_KEYS[fz_below(r, FZ_N_KEYS)]);
		if (t->kind == TOK_STR)
			fz_splice(b, t->at, t->len, k, (size_t)n);
		break;
	}
	default: { /* a huge or odd number for any atom */
		char num[48];
		static const char *const fmt[] = { "%llu", "-%llu", "%llu.5e%u", "0.%llue-%u" };
		size_t f = fz_below(r, 4);
		unsigned long long mant = fz_next(r);
		unsigned exp10 = (unsigned)fz_below(r, 400);
		int n = snprintf(num, sizeof(num), fmt[f], mant, exp10);
		if (t->kind == TOK_ATOM)
			fz_splice(b, t->at, t->len, num, (size_t)n);
		break;
	}
	}
}

typedef struct fz_seed {
	char path[256];
	char *text;
	size_t len;
} fz_seed;


/* The lesson scenario and every JSON file in tests/scenarios, read from the repository root. */
static size_t load_seeds(fz_seed *seeds)
{
	glob_t g;
	size_t n = 0;
	snprintf(seeds[n++].path, sizeof(seeds[0].path), "lessons/01-first-tunnel/scenario.json");
	assert_int_equal(glob("tests/scenarios/*.json", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc && n < FZ_MAX_SEEDS; i++)
		snprintf(seeds[n++].path, sizeof(seeds[0].path), "%s", g.gl_pathv[i]);
	globfree(&g);
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++)
		seeds[i].text = tfs_must_read(seeds[i].path, &seeds[i].len);
	return n;
}

/* The contract of a refusal: non-empty, one line, starting with "FILE:". */
static void check_error(const char *file, const char *err, size_t iter)
{
	size_t fl = strlen(file);
	if (!err[0] || strchr(err, '\n') || strchr(err, '\r') || strncmp(err, file, fl) != 0 || err[fl] != ':')
		fail_msg("iteration %zu (%s): bad error line '%s'", iter, file, err);
	for (const unsigned char *p = (const unsigned char *)err; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			fail_msg("iteration %zu (%s): control byte 0x%02x in error '%s'", iter, file, *p, err);
}

/* Runs a valid mutant for at most FZ_RUN_CAP of virtual time; any outcome is fine, a crash is not. */
static void run_capped(sim_scenario *sc, size_t iter)
{
	sim_run_opts o = { 0 };
	sim_run_result res;
	char err[512];
	if (sc->backend == SIM_BACKEND_NS3 && !sim_backend_ns3_built())
		return; /* a mutant of a scenario that needs ns-3, in a binary without it */
	if (sc->duration > FZ_RUN_CAP)
		sc->duration = FZ_RUN_CAP;
	if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
		fail_msg("iteration %zu: run failed: %s", iter, err);
	FILE *null = fopen("/dev/null", "w");
	assert_non_null(null);
	(void)sim_check_expects(sc, &res, null);
	fclose(null);
	sim_run_result_free(&res);
}

static void mutated_scenarios_load_or_fail_cleanly(void **state)
{
	(void)state;
	fz_seed seeds[FZ_MAX_SEEDS];
	fz_buf b = { 0 }, scratch = { 0 };
	fz_tok *tok = calloc(FZ_MAX_TOKENS, sizeof(*tok));
	fz_rng r = { 0x9E3779B97F4A7C15ULL };
	char err[512];
	size_t n_seeds = load_seeds(seeds), valid = 0, runs = 0;
	assert_non_null(tok);
	/* Every unmutated file must load, or the mutants start from nothing. */
	for (size_t i = 0; i < n_seeds; i++) {
		sim_scenario *sc = sim_scenario_parse(seeds[i].path, seeds[i].text, seeds[i].len, err, sizeof(err));
		if (!sc)
			fail_msg("%s", err);
		sim_scenario_free(sc);
	}
	for (size_t iter = 0; iter < FZ_ITERATIONS; iter++) {
		const fz_seed *s = &seeds[fz_below(&r, n_seeds)];
		b.len = 0;
		fz_splice(&b, 0, 0, s->text, s->len);
		for (size_t m = 1 + fz_below(&r, 3); m > 0; m--)
			fz_mutate(&r, &b, &scratch, tok);
		/* An exact-size heap copy, so ASan sees any read past the end of the text. */
		char *text = malloc(b.len ? b.len : 1);
		assert_non_null(text);
		memcpy(text, b.p, b.len);
		memset(err, 0, sizeof(err));
		sim_scenario *sc = sim_scenario_parse(s->path, text, b.len, err, sizeof(err));
		if (sc) {
			assert_true(sc->n_nodes >= 1);
			if (++valid % FZ_RUN_EVERY == 0) {
				run_capped(sc, iter);
				runs++;
			}
			sim_scenario_free(sc);
		} else {
			check_error(s->path, err, iter);
		}
		free(text);
	}
	/* The mix must keep some mutants valid, or the later checks and runs are never reached. */
	print_message("scenario fuzz: %d mutants, %zu valid, %zu run\n", FZ_ITERATIONS, valid, runs);
	assert_true(valid >= FZ_ITERATIONS / 50);
	assert_true(runs >= 2);
	for (size_t i = 0; i < n_seeds; i++)
		free(seeds[i].text);
	free(b.p);
	free(scratch.p);
	free(tok);
}

/* Values at the edge of every range still run to the end without overflow (UBSan watches). */
static void extreme_values_run(void **state)
{
	(void)state;
	static const char *const cases[] = {
		/* latency + jitter past INT64_MAX */
		"{\"duration\":\"1s\",\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\","
		"\"addresses\":[\"192.0.2.2\"]}],\"links\":[{\"a\":\"a\",\"b\":\"b\",\"latency\":9e9,\"jitter\":9e9}],"
		"\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\",\"initiate\":true,"
		"\"auth\":{\"psk\":\"k\"}}]}",
		/* timeout x factor^tries past INT64_MAX, lost datagrams keep it retransmitting */
		"{\"duration\":9e9,\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\","
		"\"addresses\":[\"192.0.2.2\"]}],\"links\":[{\"a\":\"a\",\"b\":\"b\"}],"
		"\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\",\"initiate\":true,"
		"\"retransmit\":{\"timeout\":9e9,\"factor\":10,\"tries\":20},\"auth\":{\"psk\":\"k\"}}],"
		"\"faults\":[{\"node\":\"a\",\"drop_next\":4294967295}]}",
		/* initiation at the end of time over the slowest link */
		"{\"duration\":9e9,\"nodes\":[{\"name\":\"a\",\"addresses\":[\"::1\"]},{\"name\":\"b\","
		"\"addresses\":[\"::2\"]}],\"links\":[{\"a\":\"a\",\"b\":\"b\",\"latency\":9e9,\"mtu\":68}],"
		"\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\",\"initiate\":true,\"at\":9e9,"
		"\"auth\":{\"psk\":\"k\"}}]}",
	};
	char err[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sim_scenario *sc = sim_scenario_parse("edge.json", cases[i], strlen(cases[i]), err, sizeof(err));
		if (!sc)
			fail_msg("case %zu: %s", i, err);
		sim_run_opts o = { 0 };
		sim_run_result res;
		if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
			fail_msg("case %zu: %s", i, err);
		assert_true(res.end_time >= 0);
		sim_run_result_free(&res);
		sim_scenario_free(sc);
	}
}

/* A key with a newline and an escape byte in it still gives one printable error line. */
static void control_bytes_are_escaped(void **state)
{
	(void)state;
	static const char text[] = "{\"no\\nde\\u001bs\":[]}";
	char err[512];
	assert_null(sim_scenario_parse("ctl.json", text, strlen(text), err, sizeof(err)));
	assert_string_equal(err, "ctl.json: no\\x0ade\\x1bs: unknown field 'no\\x0ade\\x1bs'");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(control_bytes_are_escaped),
	cmocka_unit_test(mutated_scenarios_load_or_fail_cleanly),
	cmocka_unit_test(extreme_values_run),
};

size_t tests_scenario_fuzz(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
