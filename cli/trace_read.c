/* The bounded line reader behind `ikesim trace`: chunked reads, an upper bound on a line, exact positions in errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace_read.h"

void trace_reader_init(trace_reader *r, FILE *f, const char *name, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->name = name;
	r->max = max ? max : TRACE_LINE_MAX_DEFAULT;
}

void trace_reader_free(trace_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}

/* Appends k bytes to the line being built, growing the buffer up to max + 1; -1 when out of memory. */
static int append(trace_reader *r, size_t have, const char *p, size_t k)
{
	if (have + k + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < have + k + 1)
			cap *= 2;
		if (cap > r->max + 1)
			cap = r->max + 1; /* have + k <= max here, so this still fits */
		char *b = realloc(r->buf, cap);
		if (!b)
			return -1;
		r->buf = b;
		r->cap = cap;
	}
	memcpy(r->buf + have, p, k);
	return 0;
}

/* Refills the chunk; 1 got bytes, 0 end of file, -1 read error (msg set). */
static int refill(trace_reader *r, char *msg, size_t n)
{
	r->ck_pos = 0;
	r->ck_len = fread(r->chunk, 1, sizeof(r->chunk), r->f);
	if (r->ck_len)
		return 1;
	if (ferror(r->f)) {
		snprintf(msg, n, "%s: read error after byte %llu: %s", r->name, (unsigned long long)r->pos,
			 strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

int trace_reader_next(trace_reader *r, const char **line, size_t *len, char *msg, size_t n)
{
	size_t have = 0;
	uint64_t total = 0; /* the line's length even past max */
	int started = 0, newline = 0;
	r->offset = r->pos;
	while (!newline) {
		if (r->ck_pos == r->ck_len) {
			int k = refill(r, msg, n);
			if (k < 0)
				return TRACE_RD_IOERR;
			if (k == 0)
				break;
		}
		started = 1;
		const char *p = r->chunk + r->ck_pos;
		size_t avail = r->ck_len - r->ck_pos;
		const char *nl = memchr(p, '\n', avail);
		size_t k = nl ? (size_t)(nl - p) : avail;
		if (total + k <= r->max && append(r, have, p, k) != 0) {
			snprintf(msg, n, "%s:%llu (byte %llu): out of memory", r->name, (unsigned long long)(r->line + 1),
				 (unsigned long long)r->offset);
			return TRACE_RD_IOERR;
		}
		if (total + k <= r->max)
			have += k;
		total += k;
		newline = nl != NULL;
		r->ck_pos += k + (size_t)newline;
		r->pos += k + (size_t)newline;
	}
	if (!started)
		return TRACE_RD_EOF;
	r->line++;
	if (total > r->max) {
		snprintf(msg, n, "%s:%llu (byte %llu): line of %llu bytes, longer than the %zu a trace line may have "
				 "(--max-line raises the bound): skipped",
			 r->name, (unsigned long long)r->line, (unsigned long long)r->offset, (unsigned long long)total,
			 r->max);
		return TRACE_RD_BAD;
	}
	if (have && r->buf[have - 1] == '\r')
		have--;
	if (append(r, have, "", 0) != 0) { /* a buffer even for an empty first line */
		snprintf(msg, n, "%s: out of memory", r->name);
		return TRACE_RD_IOERR;
	}
	r->buf[have] = 0;
	const char *nul = memchr(r->buf, 0, have);
	if (nul) {
		snprintf(msg, n, "%s:%llu (byte %llu): NUL byte in the line (a binary file, or a corrupt trace): skipped",
			 r->name, (unsigned long long)r->line, (unsigned long long)(r->offset + (uint64_t)(nul - r->buf)));
		return TRACE_RD_BAD;
	}
	*line = r->buf;
	*len = have;
	return TRACE_RD_LINE;
}

cJSON *trace_event_parse(const trace_reader *r, const char *line, size_t len, char *msg, size_t n)
{
	const char *end = NULL;
	unsigned long long ln = (unsigned long long)r->line, off = (unsigned long long)r->offset;
	cJSON *j = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (!j) {
		size_t col = end && end >= line && end <= line + len ? (size_t)(end - line) : 0;
		if (col + 1 >= len) /* cJSON stops at the last byte when the line runs out */
			snprintf(msg, n, "%s:%llu (byte %llu): truncated JSON: the line ends inside a value", r->name, ln,
				 off + len);
		else
			snprintf(msg, n, "%s:%llu (byte %llu): not JSON at column %zu", r->name, ln, off + col, col + 1);
		return NULL;
	}
	while (end && end < line + len && (*end == ' ' || *end == '\t'))
		end++;
	const char *why = NULL;
	if (end && end < line + len)
		why = "text after the JSON object";
	else if (!cJSON_IsObject(j))
		why = "not a JSON object";
	else if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "t")))
		why = "not a trace event: no numeric \"t\"";
	else if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "node")))
		why = "not a trace event: no \"node\" string";
	else if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "ev")))
		why = "not a trace event: no \"ev\" string";
	if (why) {
		size_t col = end && end < line + len && end >= line ? (size_t)(end - line) : 0;
		snprintf(msg, n, "%s:%llu (byte %llu): %s", r->name, ln, off + col, why);
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}
