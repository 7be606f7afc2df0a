/* The trace sink. Callers skip all formatting when the sink is NULL, so an untraced run pays nothing. */
#include "host/trace.h"

#include <stdlib.h>
#include <string.h>

#include "host/afile.h"

struct ike_host_trace {
	FILE *f;
	ike_host_afile *af;  /* NULL for a caller's stream */
	int io_error;
};

#define APPEND(...) n += (size_t)snprintf(n < cap ? out + n : NULL, n < cap ? cap - n : 0, __VA_ARGS__)

size_t ike_host_time_format(char *out, size_t cap, int64_t ns)
{
	size_t n = 0;
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	APPEND("%s%llu.%09llu", ns < 0 ? "-" : "", (unsigned long long)(u / 1000000000u),
	       (unsigned long long)(u % 1000000000u));
	return n;
}

size_t ike_host_json_str(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	APPEND("\"");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			APPEND("\\%c", *p);
		else if (*p == '\n')
			APPEND("\\n");
		else if (*p < 0x20 || *p == 0x7f)
			APPEND("\\u%04x", *p);
		else
			APPEND("%c", *p);
	}
	APPEND("\"");
	return n;
}

size_t ike_host_trace_format(char *out, size_t cap, int64_t now, const char *node, const char *ev, const char *fields)
{
	size_t n = 0;
	APPEND("{\"t\":");
	n += ike_host_time_format(n < cap ? out + n : NULL, n < cap ? cap - n : 0, now);
	APPEND(",\"node\":");
	n += ike_host_json_str(n < cap ? out + n : NULL, n < cap ? cap - n : 0, node);
	APPEND(",\"ev\":");
	n += ike_host_json_str(n < cap ? out + n : NULL, n < cap ? cap - n : 0, ev);
	if (fields && *fields)
		APPEND(",%s", fields);
	APPEND("}\n");
	return n;
}

void ike_host_trace_event(ike_host_trace *t, int64_t now, const char *node, const char *ev, const char *fields)
{
	char line[1024];
	if (!t)
		return;
	size_t n = ike_host_trace_format(line, sizeof(line), now, node, ev, fields);
	if (n < sizeof(line)) {
		if (fwrite(line, 1, n, t->f) != n)
			t->io_error = 1;
		return;
	}
	char *big = malloc(n + 1); /* rare: long fields (e.g. revealed keys, big summaries) */
	if (!big) {
		t->io_error = 1;
		return;
	}
	ike_host_trace_format(big, n + 1, now, node, ev, fields);
	if (fwrite(big, 1, n, t->f) != n)
		t->io_error = 1;
	free(big);
}

ike_host_trace *ike_host_trace_stream(FILE *f)
{
	ike_host_trace *t = calloc(1, sizeof(*t));
	if (t)
		t->f = f;
	return t;
}

ike_host_trace *ike_host_trace_open(const char *path, char *err, size_t errlen)
{
	ike_host_trace *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (!(t->af = ike_host_afile_open(path, "trace", err, errlen))) {
		free(t);
		return NULL;
	}
	t->f = ike_host_afile_stream(t->af);
	return t;
}

int ike_host_trace_close(ike_host_trace *t, int commit)
{
	if (!t)
		return 0;
	int rc = t->io_error ? -1 : 0;
	if (fflush(t->f) != 0)
		rc = -1;
	if (t->af && ike_host_afile_close(t->af, commit && rc == 0) != 0)
		rc = -1;
	free(t);
	return rc;
}
