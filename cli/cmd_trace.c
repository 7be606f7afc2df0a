/* `ikesim trace`: filter and print the events of a trace (or of a scenario's run), streaming, in bounded memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "trace_filter.h"
#include "trace_read.h"
#include "trace_run.h"
#include "viz.h" /* viz_parse_time */

#define MAX_SHOWN_ERRORS 10 /* malformed lines reported one by one; the rest only counted */
#define MAX_EV_NAMES 1024   /* --count's distinct event names; more share one "(other)" row */

typedef struct trace_args {
	const char *input, *seed;
	trace_filter f;
	char fields[TRACE_FILTER_MAX][TRACE_NAME_MAX];
	size_t n_fields;
	int json, count, reveal;
	size_t max_line;
	unsigned long long max_events; /* 0: all */
} trace_args;

typedef struct ev_count {
	char name[TRACE_NAME_MAX];
	unsigned long long n;
} ev_count;

static void trace_usage(FILE *f)
{
	fprintf(f, "usage: ikesim trace [FILTERS] [--fields A,B,... | --json | --count] TRACE.jsonl|-|SCENARIO.json\n\n"
		   "Prints the events of a trace (docs/trace.md) that pass every filter, one readable line each.\n"
		   "A scenario file instead of a trace is run first (as 'ikesim run', quietly) and its trace read.\n"
		   "Filters (each repeatable or comma-separated; an event must pass all of them):\n"
		   "  --node N        events of node N\n"
		   "  --ev PATTERN    event names: exact (ike.tx), a prefix (ike.*), a suffix (*state); each may\n"
		   "                  add [FIELD=VALUE] conditions that hold for it alone:\n"
		   "                  --ev 'dpd,ike.tx[exchange=INFORMATIONAL]' (dpd events, and INFORMATIONAL sends)\n"
		   "  --sa SPI        events whose SPI fields (initiator-spi, spi-in, spi, ...) start with SPI\n"
		   "  --from T --to T virtual time window, inclusive (T: 0.04, 40ms, 2s, 5min)\n"
		   "  --where F=V     field F has the value V (\"exchange=QUICK_MODE\", \"notify=AUTHENTICATION_FAILED\")\n"
		   "  --max N         stop after N events\n"
		   "Output (one of):\n"
		   "  (default)       time, node, event and the event's key fields\n"
		   "  --fields A,B    a table of those fields, in that order, with a header; '-' when absent;\n"
		   "                  nested fields with dots (datagrams.sent)\n"
		   "  --json          the selected lines unchanged (JSON Lines)\n"
		   "  --count         how many of each event name were selected\n"
		   "Other:\n"
		   "  --seed N, --reveal-keys  passed to the run when the input is a scenario\n"
		   "  --max-line B    longest line accepted, bytes (default %u); longer ones are reported and skipped\n"
		   "Exit: 0, 2 bad usage or malformed lines (each named on stderr: file, line, byte offset), 1 read error.\n",
		TRACE_LINE_MAX_DEFAULT);
}

/* An option with a value; 0 handled, 1 not this kind of option, -1 error (msg). */
static int value_opt(trace_args *a, const char *v, const char *val, char *msg, size_t n)
{
	int64_t ns;
	char *end;
	if (!strcmp(v, "--node"))
		return trace_filter_add(a->f.nodes, &a->f.n_nodes, v, val, msg, n);
	if (!strcmp(v, "--ev"))
		return trace_filter_add_ev(&a->f, val, msg, n);
	if (!strcmp(v, "--fields"))
		return trace_filter_add(a->fields, &a->n_fields, v, val, msg, n);
	if (!strcmp(v, "--sa"))
		return trace_filter_set_sa(&a->f, val, msg, n);
	if (!strcmp(v, "--where"))
		return trace_filter_add_where(&a->f, val, msg, n);
	if (!strcmp(v, "--seed")) {
		a->seed = val;
		return 0;
	}
	if (!strcmp(v, "--from") || !strcmp(v, "--to")) {
		if (viz_parse_time(val, &ns) != 0) {
			snprintf(msg, n, "%s wants a virtual time (0.04, 40ms, 2s, 5min), got '%.64s'", v, val);
			return -1;
		}
		*(v[2] == 'f' ? &a->f.has_from : &a->f.has_to) = 1;
		*(v[2] == 'f' ? &a->f.from : &a->f.to) = (double)ns / 1e9;
		return 0;
	}
	if (!strcmp(v, "--max") || !strcmp(v, "--max-line")) {
		unsigned long long x = strtoull(val, &end, 10);
		if (!*val || *end || *val == '-' || x == 0 || (v[5] && x > (1ull << 30))) {
			snprintf(msg, n, "%s wants a whole number from 1%s, got '%.64s'", v, v[5] ? " to 1073741824" : "",
				 val);
			return -1;
		}
		if (v[5])
			a->max_line = (size_t)x;
		else
			a->max_events = x;
		return 0;
	}
	return 1;
}

/* 0, 1 for --help, -1 after one error line. */
static int parse_args(int argc, char **argv, trace_args *a, FILE *err)
{
	char msg[256];
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *v = argv[i];
		if (!strcmp(v, "--help") || !strcmp(v, "-h"))
			return 1;
		if (!strcmp(v, "--json") || !strcmp(v, "--count") || !strcmp(v, "--reveal-keys")) {
			*(v[2] == 'j' ? &a->json : v[2] == 'c' ? &a->count : &a->reveal) = 1;
			continue;
		}
		if (v[0] == '-' && v[1]) {
			if (i + 1 >= argc) {
				int known = value_opt(a, v, "", msg, sizeof(msg)) != 1;
				fprintf(err, known ? "ikesim trace: %s needs a value\n"
						   : "ikesim trace: unknown option '%s' (try 'ikesim trace --help')\n", v);
				return -1;
			}
			int r = value_opt(a, v, argv[i + 1], msg, sizeof(msg));
			if (r == 1)
				fprintf(err, "ikesim trace: unknown option '%s' (try 'ikesim trace --help')\n", v);
			else if (r < 0)
				fprintf(err, "ikesim trace: %s\n", msg);
			if (r)
				return -1;
			i++;
		} else if (a->input) {
			fprintf(err, "ikesim trace: one input at a time ('%s' and '%s')\n", a->input, v);
			return -1;
		} else {
			a->input = v;
		}
	}
	if (!a->input) {
		fprintf(err, "ikesim trace: missing TRACE (a .jsonl file, '-' for stdin, or a scenario)\n");
		return -1;
	}
	if (a->json + a->count + (a->n_fields > 0) > 1) {
		fprintf(err, "ikesim trace: --fields, --json and --count each choose the output: pick one\n");
		return -1;
	}
	if (a->f.has_from && a->f.has_to && a->f.from > a->f.to) {
		fprintf(err, "ikesim trace: --from is after --to: nothing could be selected\n");
		return -1;
	}
	return 0;
}

static void count_event(ev_count *c, size_t *n, const char *name)
{
	size_t i = 0;
	while (i < *n && strcmp(c[i].name, name) != 0)
		i++;
	if (i == *n && *n < MAX_EV_NAMES) {
		snprintf(c[i].name, sizeof(c[i].name), "%s", name);
		(*n)++;
	} else if (i == *n) {
		i = MAX_EV_NAMES; /* the "(other)" row */
		snprintf(c[i].name, sizeof(c[i].name), "(other)");
	}
	c[i].n++;
}

static void print_counts(FILE *out, ev_count *c, size_t n)
{
	unsigned long long total = 0;
	for (size_t i = 0; i <= MAX_EV_NAMES; i++) {
		if (i >= n && (i < MAX_EV_NAMES || !c[i].n))
			continue;
		for (char *p = c[i].name; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		fprintf(out, "%10llu  %s\n", c[i].n, c[i].name);
		total += c[i].n;
	}
	fprintf(out, "%10llu  in all\n", total);
}

/* Reads every line of f and prints what passes; returns the exit code. */
static int filter_stream(const trace_args *a, FILE *f, const char *name, FILE *out, FILE *err)
{
	trace_reader r;
	char msg[512];
	const char *line;
	size_t len, n_names = 0;
	unsigned long long bad = 0, shown = 0;
	ev_count *counts = a->count ? calloc(MAX_EV_NAMES + 1, sizeof(*counts)) : NULL;
	if (a->count && !counts) {
		fprintf(err, "ikesim trace: out of memory\n");
		return CLI_ERR;
	}
	trace_table tab;
	trace_table_init(&tab, (char(*)[TRACE_NAME_MAX])a->fields, a->n_fields);
	trace_reader_init(&r, f, name, a->max_line);
	int rc, st = CLI_OK;
	while ((rc = trace_reader_next(&r, &line, &len, msg, sizeof(msg))) != TRACE_RD_EOF) {
		cJSON *ev = NULL;
		if (rc == TRACE_RD_IOERR) {
			fprintf(err, "ikesim trace: %s\n", msg);
			st = CLI_ERR;
			break;
		}
		if (rc == TRACE_RD_LINE && len == strspn(line, " \t"))
			continue; /* blank lines carry nothing */
		if (rc == TRACE_RD_LINE)
			ev = trace_event_parse(&r, line, len, msg, sizeof(msg));
		if (!ev) {
			if (bad++ < MAX_SHOWN_ERRORS)
				fprintf(err, "ikesim trace: %s\n", msg);
			continue;
		}
		if (trace_filter_match(&a->f, ev)) {
			if (a->count)
				count_event(counts, &n_names, cJSON_GetObjectItemCaseSensitive(ev, "ev")->valuestring);
			else if (a->json)
				fprintf(out, "%s\n", line);
			else if (!a->n_fields)
				trace_print_readable(out, line, ev);
			else if (trace_table_add(&tab, out, line, ev) != 0)
				fprintf(err, "ikesim trace: out of memory\n"), st = CLI_ERR;
			shown++;
		}
		cJSON_Delete(ev);
		if ((a->max_events && shown >= a->max_events) || ferror(out) || st != CLI_OK)
			break;
	}
	if (a->count)
		print_counts(out, counts, n_names);
	trace_table_finish(&tab, out);
	if (bad > MAX_SHOWN_ERRORS)
		fprintf(err, "ikesim trace: %s: %llu malformed lines in all (the first %d shown)\n", name, bad,
			MAX_SHOWN_ERRORS);
	if (bad && st == CLI_OK)
		st = CLI_USAGE;
	free(counts);
	trace_reader_free(&r);
	return st;
}

int cli_trace(int argc, char **argv, FILE *out, FILE *err)
{
	trace_args a;
	int r = parse_args(argc, argv, &a, err);
	if (r != 0) {
		if (r > 0)
			trace_usage(out);
		return r > 0 ? CLI_OK : CLI_USAGE;
	}
	if (strcmp(a.input, "-") == 0)
		return filter_stream(&a, stdin, "(stdin)", out, err);
	if (trace_input_is_scenario(a.input)) {
		char path[4096];
		int rc = trace_run_scenario(a.input, a.seed, a.reveal, path, sizeof(path), err);
		if (rc != CLI_OK)
			return rc;
		FILE *f = fopen(path, "rb");
		rc = f ? filter_stream(&a, f, a.input, out, err) : CLI_ERR;
		if (f)
			fclose(f);
		trace_run_cleanup(path);
		return rc;
	}
	if (a.seed || a.reveal) {
		fprintf(err, "ikesim trace: --seed and --reveal-keys are for a scenario, and '%s' is a trace\n", a.input);
		return CLI_USAGE;
	}
	FILE *f = fopen(a.input, "rb");
	if (!f) {
		fprintf(err, "ikesim trace: %s: cannot open: %s\n", a.input, strerror(errno));
		return CLI_USAGE;
	}
	int rc = filter_stream(&a, f, a.input, out, err);
	fclose(f);
	return rc;
}
