/*
 * viz: pictures of a run. Reads JSON Lines traces (docs/trace.md) and the engine's published state
 * tables (engine/ikev2/states.h); draws state machines and key graphs with Graphviz in-process,
 * the message ladder as hand-written SVG, and the self-contained HTML report. Same input, same bytes.
 */
#ifndef VIZ_VIZ_H
#define VIZ_VIZ_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* ---- growable byte buffer ---- */
typedef struct viz_buf {
	char *p;
	size_t len, cap;
	int oom; /* set once an allocation failed; later appends are ignored */
} viz_buf;

void viz_buf_put(viz_buf *b, const char *s, size_t n);
void viz_buf_puts(viz_buf *b, const char *s);
void viz_buf_printf(viz_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " ' escaped for XML/HTML text and attribute values. */
void viz_buf_xml(viz_buf *b, const char *s);
void viz_buf_free(viz_buf *b);
/* Writes the buffer to a temp file beside path and renames it into place (no partial files). 0 or -1. */
int viz_buf_write_file(const viz_buf *b, const char *path, char *msg, size_t msglen);

/* ---- traces ---- */
typedef struct viz_event {
	int64_t t;        /* virtual time in ns */
	const char *node; /* points into json */
	const char *ev;   /* points into json */
	size_t line;      /* 1-based line in the file */
	cJSON *json;
} viz_event;

typedef struct viz_trace {
	char *file;
	viz_event *ev;
	size_t n;
	int schema; /* the first event's "schema"; 0 for traces written before it existed (read as 1) */
} viz_trace;

#define VIZ_TRACE_SCHEMA 1     /* newest trace format viz reads (IKE_HOST_TRACE_SCHEMA in engine/host/trace.h) */
#define VIZ_MAX_LINE 65536     /* longest accepted trace line in bytes */
#define VIZ_MAX_EVENTS 1000000 /* most events accepted from one trace */

/* Loads a trace; NULL with "FILE:LINE: what is wrong" in msg. */
viz_trace *viz_trace_load(const char *path, char *msg, size_t msglen);
/* Parses a trace already in memory (name is used in messages). */
viz_trace *viz_trace_parse(const char *name, const char *text, size_t len, char *msg, size_t msglen);
void viz_trace_free(viz_trace *t);
/* A string field of an event, or NULL. */
const char *viz_ev_str(const viz_event *e, const char *field);
/* A numeric field of an event, or dflt. */
double viz_ev_num(const viz_event *e, const char *field, double dflt);
/* Parses a virtual time for --from/--to: seconds ("3600", "0.25") or with a unit (ms, s, min, h, d).
 * 0, or -1 when it is not a time >= 0 (at most ten years). */
int viz_parse_time(const char *s, int64_t *ns);
/* Formats ns as seconds with 3..9 decimals, trailing zeros past the millisecond dropped. */
void viz_time_str(int64_t ns, char *out, size_t cap);

/* ---- output formats ---- */
typedef enum viz_format { VIZ_FMT_NONE, VIZ_FMT_SVG, VIZ_FMT_PNG, VIZ_FMT_DOT } viz_format;

/* The format a file name asks for by its extension (.svg .png .dot), or VIZ_FMT_NONE. */
viz_format viz_format_of(const char *path);

/* ---- state machines ---- */
typedef struct viz_states_opts {
	const viz_trace *trace; /* NULL: the bare tables */
	const char *node;       /* whose SA to follow; NULL: the first node with an IKE SA */
	const char *spi;        /* which IKE SA (initiator or responder SPI); NULL: the node's first */
	int ike;                /* 1: the IKEv1 tables (v1_ike_transitions, v1_child_transitions); 0 or 2: IKEv2 */
} viz_states_opts;

/* Which rows a state diagram shows: one role's view (its rows and the either-role rows) or the whole table. */
enum { VIZ_ROLE_AUTO, VIZ_ROLE_INITIATOR, VIZ_ROLE_RESPONDER, VIZ_ROLE_ALL };

/* Draws the IKE SA and CHILD SA machines from v2_ike_transitions / v2_child_transitions. 0 or -1 with msg.
 * With a trace, the rows of the SA's role only (VIZ_ROLE_AUTO), the rows it took labelled in full. */
int viz_states(const viz_states_opts *o, viz_format fmt, viz_buf *out, char *msg, size_t msglen);
/* The same for the rows of one role (VIZ_ROLE_INITIATOR, VIZ_ROLE_RESPONDER), or all (VIZ_ROLE_ALL). */
int viz_states_role(const viz_states_opts *o, int role, viz_format fmt, viz_buf *out, char *msg, size_t msglen);

/* ---- key derivation ---- */
typedef struct viz_keys_opts {
	const viz_trace *trace;
	const char *node; /* whose derivations to draw; NULL: the first node that derived keys */
	const char *spi;  /* which IKE SA; NULL: the node's first, and the SAs that rekey it */
	unsigned generation; /* 1: only that SA, 2: only the SA that rekeyed it, ...; 0: the whole chain */
} viz_keys_opts;

int viz_keys(const viz_keys_opts *o, viz_format fmt, viz_buf *out, char *msg, size_t msglen);

/* ---- message ladder ---- */
/* How ESP packets are drawn: AUTO collapses runs into bands above VIZ_ESP_AUTO_MAX packets in the window. */
typedef enum viz_esp_mode { VIZ_ESP_AUTO, VIZ_ESP_BANDS, VIZ_ESP_ALL, VIZ_ESP_NONE } viz_esp_mode;
#define VIZ_ESP_AUTO_MAX 40

typedef struct viz_ladder_opts {
	const viz_trace *trace;
	const char *nodes; /* "A,B,C": lifelines to draw, in that order; NULL: every node of the run */
	int64_t from_ns;   /* draw only events at or after this virtual time */
	int64_t to_ns;     /* ... and at or before this one; 0: to the end */
	viz_esp_mode esp;  /* the data plane: bands, every packet, or not at all (0: AUTO) */
} viz_ladder_opts;

/* SVG only: drawn by hand, not by Graphviz. */
int viz_ladder(const viz_ladder_opts *o, viz_buf *out, char *msg, size_t msglen);

/* ---- report ---- */
int viz_report(const viz_trace *t, viz_buf *out, char *msg, size_t msglen);
/* The same with the storm plot of a metrics file (NULL: none) as its own section. */
int viz_report_metrics(const viz_trace *t, const char *metrics, viz_buf *out, char *msg, size_t msglen);

/* ---- storm plots (storm.c, storm_run.c; docs/metrics.md) ---- */
/* A metrics file written by `ikesim run --metrics` drawn by gnuplot (a child process; $IKESIM_GNUPLOT names
 * another binary) as SVG or PNG into out. 0, or -1 with msg (a bad file names the field; no gnuplot says
 * to install gnuplot-nox). */
int viz_storm(const char *metrics, viz_format fmt, viz_buf *out, char *msg, size_t msglen);

#endif
