/* Which trace events `ikesim trace` selects (node, SA, event name, time, field values) and how it prints them. */
#ifndef CLI_TRACE_FILTER_H
#define CLI_TRACE_FILTER_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define TRACE_FILTER_MAX 32 /* values per option (--node, --ev, --where, --fields) */
#define TRACE_NAME_MAX 128  /* a node, event, field name or SPI prefix */

typedef struct trace_where {
	char field[TRACE_NAME_MAX];
	char value[TRACE_NAME_MAX];
} trace_where;

/* All conditions must hold; within --node and --ev any one value does. Empty lists select everything. */
typedef struct trace_filter {
	char nodes[TRACE_FILTER_MAX][TRACE_NAME_MAX];
	size_t n_nodes;
	char evs[TRACE_FILTER_MAX][TRACE_NAME_MAX]; /* "ike.tx", "ike.*", "*state", "*"; "ike.tx[exchange=X]" */
	size_t n_evs;
	char sa[TRACE_NAME_MAX]; /* SPI or its prefix, lower case, no "0x"; "" for any */
	trace_where where[TRACE_FILTER_MAX];
	size_t n_where;
	int has_from, has_to;
	double from, to; /* virtual seconds, inclusive */
} trace_filter;

/* Adds the comma-separated values of an option to list (of n, at most TRACE_FILTER_MAX). 0, or -1 with msg. */
int trace_filter_add(char (*list)[TRACE_NAME_MAX], size_t *n, const char *opt, const char *values, char *msg,
		     size_t cap);
/* --ev values: NAME, PREFIX* or *SUFFIX, each with optional [FIELD=VALUE] conditions; 0, or -1 with msg. */
int trace_filter_add_ev(trace_filter *f, const char *values, char *msg, size_t cap);
/* --where FIELD=VALUE; 0, or -1 with msg. */
int trace_filter_add_where(trace_filter *f, const char *arg, char *msg, size_t cap);
/* --sa SPI-or-prefix (hex digits, an optional 0x); 0, or -1 with msg. */
int trace_filter_set_sa(trace_filter *f, const char *arg, char *msg, size_t cap);

/* 1 when the event (a parsed trace line) passes every condition. */
int trace_filter_match(const trace_filter *f, const cJSON *ev);

/* The event's time exactly as the line wrote it (9 decimals from ikesim), else formatted; returns out. */
const char *trace_time_text(const char *line, const cJSON *ev, char *out, size_t cap);
/* A field by name, or by a dotted path into nested objects ("datagrams.sent"); NULL when absent. */
const cJSON *trace_field(const cJSON *ev, const char *name);
/* A value as text: strings unquoted with control characters made '?', numbers in shortest form, arrays of
 * scalars joined with ',', other values compact JSON; cut to cap - 1 bytes. Returns out. */
const char *trace_value_text(const cJSON *v, char *out, size_t cap);

/* One event as a readable line: time, node, event, its key fields. */
void trace_print_readable(FILE *out, const char *line, const cJSON *ev);
/* The given fields of one event as text cells ("-" for a missing one, "t" exactly as written) into cells[n]. */
void trace_field_cells(const char *line, const cJSON *ev, char (*fields)[TRACE_NAME_MAX], size_t n,
		       char (*cells)[1024]);

#define TRACE_TABLE_ROWS 256 /* rows held back to size the columns; later rows reuse those widths */

/* --fields output: a header and aligned columns, in bounded memory (rows past the first batch are printed at once). */
typedef struct trace_table {
	char (*fields)[TRACE_NAME_MAX];
	size_t n;
	size_t width[TRACE_FILTER_MAX];
	char *rows[TRACE_TABLE_ROWS]; /* cells joined by 0x1f; owned */
	size_t n_rows;
	int flushed;
} trace_table;

void trace_table_init(trace_table *t, char (*fields)[TRACE_NAME_MAX], size_t n);
/* Adds one event's row; 0, or -1 when out of memory. */
int trace_table_add(trace_table *t, FILE *out, const char *line, const cJSON *ev);
/* Prints what is held back and frees it. */
void trace_table_finish(trace_table *t, FILE *out);

#endif
