/* JSON Lines trace sink: {"t":<s.9 decimals>,"node":"..","ev":"..",<fields>} one event a line. */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Version of the trace format, carried as "schema" by the first event (docs/trace.md); bumped on incompatible change. */
#define SIM_TRACE_SCHEMA 1

typedef struct sim_trace sim_trace;

/* Opens a sink that writes to a temp file beside path, renamed onto path by sim_trace_close(.., 1). */
sim_trace *sim_trace_open(const char *path, char *err, size_t errlen);
/* A sink over an open stream the caller keeps owning (tests, stdout). NULL on allocation failure. */
sim_trace *sim_trace_stream(FILE *f);
/* Flushes and frees; commit=1 renames the temp file into place, 0 removes it. 0, or -1 on write error. */
int sim_trace_close(sim_trace *t, int commit);

/* Writes one event; fields is a JSON object body without braces ("" or NULL for none). t may be NULL. */
void sim_trace_event(sim_trace *t, int64_t now, const char *node, const char *ev, const char *fields);

/* Formats one line (with '\n') into out; returns the length needed, like snprintf. */
size_t sim_trace_format(char *out, size_t cap, int64_t now, const char *node, const char *ev, const char *fields);

/* Writes s as a JSON string literal (with quotes) into out; returns the length needed. */
size_t sim_json_str(char *out, size_t cap, const char *s);

/* Formats ns as seconds with 9 decimals ("1.250000000"); returns the length needed. */
size_t sim_time_format(char *out, size_t cap, int64_t ns);

#endif
