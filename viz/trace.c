/* Reading a JSON Lines trace into memory, line by line, bounded, with errors that name FILE:LINE. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz.h"

static viz_trace *trace_new(const char *name)
{
	viz_trace *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->file = strdup(name);
	if (!t->file) {
		free(t);
		return NULL;
	}
	return t;
}

/* Parses one line into the next event; 0, or -1 with msg. Blank lines are skipped. */
static int add_line(viz_trace *t, size_t *cap, const char *line, size_t len, size_t lineno, char *msg,
		    size_t msglen)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len == 0)
		return 0;
	if (len > VIZ_MAX_LINE) {
		snprintf(msg, msglen, "%s:%zu: line longer than %d bytes", t->file, lineno, VIZ_MAX_LINE);
		return -1;
	}
	if (t->n >= VIZ_MAX_EVENTS) {
		snprintf(msg, msglen, "%s:%zu: more than %d events", t->file, lineno, VIZ_MAX_EVENTS);
		return -1;
	}
	cJSON *j = cJSON_ParseWithLength(line, len);
	if (!j || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		snprintf(msg, msglen, "%s:%zu: not a JSON object", t->file, lineno);
		return -1;
	}
	const cJSON *tt = cJSON_GetObjectItemCaseSensitive(j, "t");
	const cJSON *node = cJSON_GetObjectItemCaseSensitive(j, "node");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "ev");
	if (!cJSON_IsNumber(tt) || !cJSON_IsString(node) || !cJSON_IsString(ev) || !(tt->valuedouble >= 0) ||
	    tt->valuedouble > 1e9) {
		cJSON_Delete(j);
		snprintf(msg, msglen, "%s:%zu: an event needs \"t\" (seconds >= 0), \"node\" and \"ev\"", t->file,
			 lineno);
		return -1;
	}
	if (t->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		viz_event *p = realloc(t->ev, nc * sizeof(*p));
		if (!p) {
			cJSON_Delete(j);
			snprintf(msg, msglen, "%s:%zu: out of memory", t->file, lineno);
			return -1;
		}
		t->ev = p;
		*cap = nc;
	}
	t->ev[t->n++] = (viz_event){ llround(tt->valuedouble * 1e9), node->valuestring, ev->valuestring, lineno, j };
	return 0;
}

/* The first event's "schema", if any, must be one we read: a newer format would be misdrawn silently. */
static int check_schema(viz_trace *t, char *msg, size_t msglen)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(t->ev[0].json, "schema");
	if (!s)
		return 0;
	double v = cJSON_IsNumber(s) ? s->valuedouble : 0;
	if (!(v >= 1 && v <= 1e6 && v == (double)(int)v)) {
		snprintf(msg, msglen, "%s:%zu: \"schema\" must be a whole number from 1", t->file, t->ev[0].line);
		return -1;
	}
	if ((int)v > VIZ_TRACE_SCHEMA) {
		snprintf(msg, msglen, "%s:%zu: trace \"schema\" %d is newer than this ikesim reads (%d): use a newer ikesim",
			 t->file, t->ev[0].line, (int)v, VIZ_TRACE_SCHEMA);
		return -1;
	}
	t->schema = (int)v;
	return 0;
}

viz_trace *viz_trace_load(const char *path, char *msg, size_t msglen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	viz_trace *t = trace_new(path);
	char *line = NULL;
	size_t linecap = 0, cap = 0, lineno = 0;
	ssize_t n;
	int bad = !t;
	if (!t)
		snprintf(msg, msglen, "%s: out of memory", path);
	while (!bad && (n = getline(&line, &linecap, f)) >= 0)
		bad = add_line(t, &cap, line, (size_t)n, ++lineno, msg, msglen) != 0;
	if (!bad && ferror(f)) {
		snprintf(msg, msglen, "%s: read error", path);
		bad = 1;
	}
	free(line);
	fclose(f);
	if (!bad && t->n == 0) {
		snprintf(msg, msglen, "%s: no events (an empty trace)", path);
		bad = 1;
	}
	if (!bad)
		bad = check_schema(t, msg, msglen) != 0;
	if (bad) {
		viz_trace_free(t);
		return NULL;
	}
	return t;
}

viz_trace *viz_trace_parse(const char *name, const char *text, size_t len, char *msg, size_t msglen)
{
	viz_trace *t = trace_new(name);
	if (!t) {
		snprintf(msg, msglen, "%s: out of memory", name);
		return NULL;
	}
	size_t cap = 0, lineno = 0, at = 0;
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) + 1 : len - at;
		if (add_line(t, &cap, text + at, n, ++lineno, msg, msglen) != 0) {
			viz_trace_free(t);
			return NULL;
		}
		at += n;
	}
	if (t->n == 0) {
		snprintf(msg, msglen, "%s: no events (an empty trace)", name);
		viz_trace_free(t);
		return NULL;
	}
	if (check_schema(t, msg, msglen) != 0) {
		viz_trace_free(t);
		return NULL;
	}
	return t;
}

void viz_trace_free(viz_trace *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		cJSON_Delete(t->ev[i].json);
	free(t->ev);
	free(t->file);
	free(t);
}

const char *viz_ev_str(const viz_event *e, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e->json, field);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double viz_ev_num(const viz_event *e, const char *field, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e->json, field);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

void viz_time_str(int64_t ns, char *out, size_t cap)
{
	char f[16];
	ns = ns < 0 ? 0 : ns;
	snprintf(f, sizeof(f), "%09lld", (long long)(ns % 1000000000));
	/* Milliseconds are the natural grain of the simulator; finer digits only when they carry something. */
	for (size_t n = 9; n > 3 && f[n - 1] == '0'; n--)
		f[n - 1] = 0;
	snprintf(out, cap, "%lld.%s", (long long)(ns / 1000000000), f);
}

viz_format viz_format_of(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	if (!dot)
		return VIZ_FMT_NONE;
	if (strcmp(dot, ".svg") == 0)
		return VIZ_FMT_SVG;
	if (strcmp(dot, ".png") == 0)
		return VIZ_FMT_PNG;
	if (strcmp(dot, ".dot") == 0 || strcmp(dot, ".gv") == 0)
		return VIZ_FMT_DOT;
	return VIZ_FMT_NONE;
}

int viz_parse_time(const char *s, int64_t *ns)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = { { "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "min", 60e9 }, { "h", 3600e9 }, { "d", 86400e9 } };
	char *end = NULL;
	if (!s || !*s || !((*s >= '0' && *s <= '9') || *s == '.'))
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double ns_v = v * units[i].scale;
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (!(ns_v >= 0 && ns_v <= 3650 * 86400e9))
			return -1;
		*ns = llround(ns_v);
		return 0;
	}
	return -1;
}
