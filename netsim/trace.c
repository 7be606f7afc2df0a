/* The trace sink. Callers skip all formatting when the sink is NULL, so an untraced run pays nothing. */
#include "trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sim_trace {
	FILE *f;
	int owned;      /* 1: we opened f and must rename/remove tmp_path; 2: we opened path itself */
	char *tmp_path; /* where lines go until the run is committed */
	char *path;
	int io_error;
};

#define APPEND(...) n += (size_t)snprintf(n < cap ? out + n : NULL, n < cap ? cap - n : 0, __VA_ARGS__)

size_t sim_time_format(char *out, size_t cap, int64_t ns)
{
	size_t n = 0;
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	APPEND("%s%llu.%09llu", ns < 0 ? "-" : "", (unsigned long long)(u / 1000000000u),
	       (unsigned long long)(u % 1000000000u));
	return n;
}

size_t sim_json_str(char *out, size_t cap, const char *s)
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

size_t sim_trace_format(char *out, size_t cap, int64_t now, const char *node, const char *ev, const char *fields)
{
	size_t n = 0;
	APPEND("{\"t\":");
	n += sim_time_format(n < cap ? out + n : NULL, n < cap ? cap - n : 0, now);
	APPEND(",\"node\":");
	n += sim_json_str(n < cap ? out + n : NULL, n < cap ? cap - n : 0, node);
	APPEND(",\"ev\":");
	n += sim_json_str(n < cap ? out + n : NULL, n < cap ? cap - n : 0, ev);
	if (fields && *fields)
		APPEND(",%s", fields);
	APPEND("}\n");
	return n;
}

void sim_trace_event(sim_trace *t, int64_t now, const char *node, const char *ev, const char *fields)
{
	char line[1024];
	if (!t)
		return;
	size_t n = sim_trace_format(line, sizeof(line), now, node, ev, fields);
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
	sim_trace_format(big, n + 1, now, node, ev, fields);
	if (fwrite(big, 1, n, t->f) != n)
		t->io_error = 1;
	free(big);
}

sim_trace *sim_trace_stream(FILE *f)
{
	sim_trace *t = calloc(1, sizeof(*t));
	if (t)
		t->f = f;
	return t;
}

sim_trace *sim_trace_open(const char *path, char *err, size_t errlen)
{
	sim_trace *t = calloc(1, sizeof(*t));
	size_t len = strlen(path);
	if (t) {
		t->path = strdup(path);
		t->tmp_path = malloc(len + 8);
	}
	if (!t || !t->path || !t->tmp_path) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: cannot create trace file: it is a directory", path);
		goto fail;
	}
	/* A device or pipe (/dev/stdout, a FIFO) is written in place: renaming over it would replace it. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (!(t->f = fopen(path, "w"))) {
			snprintf(err, errlen, "%s: cannot open trace output: %s", path, strerror(errno));
			goto fail;
		}
		t->owned = 2;
		return t;
	}
	memcpy(t->tmp_path, path, len);
	memcpy(t->tmp_path + len, ".XXXXXX", 8);
	int fd = mkstemp(t->tmp_path);
	if (fd < 0 || !(t->f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "%s: cannot create trace file: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(t->tmp_path);
		}
		goto fail;
	}
	t->owned = 1;
	return t;
fail:
	if (t) {
		free(t->path);
		free(t->tmp_path);
		free(t);
	}
	return NULL;
}

int sim_trace_close(sim_trace *t, int commit)
{
	if (!t)
		return 0;
	int rc = t->io_error ? -1 : 0;
	if (fflush(t->f) != 0)
		rc = -1;
	if (t->owned == 2 && fclose(t->f) != 0)
		rc = -1;
	if (t->owned == 1) {
		if (fclose(t->f) != 0)
			rc = -1;
		if (commit && rc == 0 && rename(t->tmp_path, t->path) != 0)
			rc = -1;
		if (!commit || rc != 0)
			unlink(t->tmp_path);
	}
	free(t->path);
	free(t->tmp_path);
	free(t);
	return rc;
}
