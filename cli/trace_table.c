/* `ikesim trace --fields`: aligned columns from a first batch of rows, then streaming with those widths. */
#include <stdlib.h>
#include <string.h>

#include "trace_filter.h"

void trace_table_init(trace_table *t, char (*fields)[TRACE_NAME_MAX], size_t n)
{
	memset(t, 0, sizeof(*t));
	t->fields = fields;
	t->n = n;
	for (size_t i = 0; i < n; i++)
		t->width[i] = strlen(fields[i]);
}

/* One row of n cells; the last is not padded, so lines carry no trailing blanks. */
static void print_row(const trace_table *t, FILE *out, const char *const *cells)
{
	for (size_t i = 0; i < t->n; i++) {
		size_t k = strlen(cells[i]);
		fputs(cells[i], out);
		if (i + 1 < t->n)
			fprintf(out, "%*s", (int)(t->width[i] > k ? t->width[i] - k + 2 : 2), "");
	}
	fputc('\n', out);
}

/* Splits a held row (cells joined by 0x1f) in place and prints it. */
static void print_held(const trace_table *t, FILE *out, char *row)
{
	const char *cells[TRACE_FILTER_MAX];
	for (size_t i = 0; i < t->n; i++) {
		cells[i] = row;
		char *sep = strchr(row, 0x1f);
		if (sep)
			*sep = 0, row = sep + 1;
		else
			row += strlen(row);
	}
	print_row(t, out, cells);
}

static void flush(trace_table *t, FILE *out)
{
	const char *head[TRACE_FILTER_MAX];
	for (size_t i = 0; i < t->n; i++)
		head[i] = t->fields[i];
	print_row(t, out, head);
	for (size_t r = 0; r < t->n_rows; r++) {
		print_held(t, out, t->rows[r]);
		free(t->rows[r]);
		t->rows[r] = NULL;
	}
	t->n_rows = 0;
	t->flushed = 1;
}

int trace_table_add(trace_table *t, FILE *out, const char *line, const cJSON *ev)
{
	static const size_t CELL = sizeof(((char(*)[1024])0)[0]);
	char (*cells)[1024] = malloc(t->n * CELL);
	const char *ptr[TRACE_FILTER_MAX];
	if (!cells)
		return -1;
	trace_field_cells(line, ev, t->fields, t->n, cells);
	if (t->flushed) {
		for (size_t i = 0; i < t->n; i++)
			ptr[i] = cells[i];
		print_row(t, out, ptr);
		free(cells);
		return 0;
	}
	size_t len = 0;
	for (size_t i = 0; i < t->n; i++) {
		size_t k = strlen(cells[i]);
		len += k + 1;
		if (k > t->width[i])
			t->width[i] = k;
	}
	char *row = malloc(len + 1);
	if (!row) {
		free(cells);
		return -1;
	}
	row[0] = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			strcat(row, "\x1f");
		strcat(row, cells[i]);
	}
	free(cells);
	t->rows[t->n_rows++] = row;
	if (t->n_rows == TRACE_TABLE_ROWS)
		flush(t, out);
	return 0;
}

void trace_table_finish(trace_table *t, FILE *out)
{
	if (!t->flushed && t->n_rows)
		flush(t, out);
	for (size_t r = 0; r < t->n_rows; r++)
		free(t->rows[r]);
	t->n_rows = 0;
}
