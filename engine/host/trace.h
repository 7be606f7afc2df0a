/* JSON Lines trace sink: {"t":<s.9 decimals>,"node":"..","ev":"..",<fields>} one event a line. */
#ifndef IKE_HOST_TRACE_H
#define IKE_HOST_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Trace format version, carried as "schema" by the first event (docs/trace.md); bumped on incompatible change. */
#define IKE_HOST_TRACE_SCHEMA 1

typedef struct ike_host_trace ike_host_trace;

/* Opens a sink that writes to a temp file beside path, renamed onto path by ike_host_trace_close(.., 1). */
ike_host_trace *ike_host_trace_open(const char *path, char *err, size_t errlen);
/* A sink over an open stream the caller keeps owning (tests, stdout). NULL on allocation failure. */
ike_host_trace *ike_host_trace_stream(FILE *f);
/* Flushes and frees; commit=1 renames the temp file into place, 0 removes it. 0, or -1 on write error. */
int ike_host_trace_close(ike_host_trace *t, int commit);

/* Writes one event; fields is a JSON object body without braces ("" or NULL for none). t may be NULL. */
void ike_host_trace_event(ike_host_trace *t, int64_t now, const char *node, const char *ev, const char *fields);

/* Formats one line (with '\n') into out; returns the length needed, like snprintf. */
size_t ike_host_trace_format(char *out, size_t cap, int64_t now, const char *node, const char *ev, const char *fields);

/* Writes s as a JSON string literal (with quotes) into out; returns the length needed. */
size_t ike_host_json_str(char *out, size_t cap, const char *s);

/* Formats ns as seconds with 9 decimals ("1.250000000"); returns the length needed. */
size_t ike_host_time_format(char *out, size_t cap, int64_t ns);

#endif
