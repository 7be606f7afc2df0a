/* `ikesim trace`'s input: a bounded JSON Lines reader and the check that a line is a trace event (docs/trace.md). */
#ifndef CLI_TRACE_READ_H
#define CLI_TRACE_READ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define TRACE_LINE_MAX_DEFAULT (16u << 20) /* a storm's summary line can be megabytes; larger is not a trace of ours */
#define TRACE_CHUNK 65536

/* Reads lines of at most max bytes from f, in chunks: memory stays within max + TRACE_CHUNK whatever the file. */
typedef struct trace_reader {
	FILE *f;
	const char *name;    /* the file as the user named it, for messages */
	size_t max;          /* longest line accepted, bytes (without the newline) */
	char *buf;           /* the current line, NUL-terminated; owned */
	size_t cap;
	char chunk[TRACE_CHUNK];
	size_t ck_len, ck_pos;
	uint64_t line;       /* 1-based number of the line last returned */
	uint64_t offset;     /* byte offset in the file where that line starts */
	uint64_t pos;        /* bytes consumed so far */
} trace_reader;

enum { TRACE_RD_EOF = 0, TRACE_RD_LINE = 1, TRACE_RD_BAD = -1, TRACE_RD_IOERR = -2 };

/* Sets up r over f (not owned); name appears in messages. */
void trace_reader_init(trace_reader *r, FILE *f, const char *name, size_t max);
/* Frees the line buffer (not the FILE). */
void trace_reader_free(trace_reader *r);

/*
 * The next line, without its newline (and a CR before it): TRACE_RD_LINE with line and len set (NUL-terminated,
 * valid until the next call), TRACE_RD_EOF, TRACE_RD_BAD (an overlong line, skipped, or one holding a NUL byte:
 * "FILE:LINE (byte OFFSET): why" in msg; reading may go on) or TRACE_RD_IOERR (msg says why; stop).
 */
int trace_reader_next(trace_reader *r, const char **line, size_t *len, char *msg, size_t n);

/*
 * Parses the line just read as a trace event: a JSON object with a numeric "t", a string "node" and a string
 * "ev", nothing after it. Returns it (caller frees with cJSON_Delete), or NULL with "FILE:LINE (byte OFFSET): why".
 */
cJSON *trace_event_parse(const trace_reader *r, const char *line, size_t len, char *msg, size_t n);

#endif
