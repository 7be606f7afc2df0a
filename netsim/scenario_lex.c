/* The pre-scan: one pass over the raw text with a fixed-size stack, no allocation. */
#include "scenario_lex.h"

#include <stdio.h>
#include <string.h>

#include "scenario_json.h"
#include "scenario_jv.h"

typedef struct frame {
	char kind;      /* '{' or '[' */
	int want_key;   /* in an object: the next string is a member name */
	size_t index;   /* in an array: the current element */
	size_t key_off, key_len; /* in an object: the current member's name, raw */
} frame;

typedef struct lexer {
	const char *file, *text;
	size_t len;
	char *err;
	size_t errlen;
	frame st[SIM_SCN_DEPTH_MAX];
	size_t depth;
	sim_scn_lex_stats *stats;
} lexer;

void sim_scn_position(const char *text, size_t at, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < at; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Appends a raw member name, control bytes as \xHH so the error stays one printable line. */
static size_t put_key(char *out, size_t n, size_t cap, const char *k, size_t len)
{
	for (size_t i = 0; i < len && n + 5 < cap; i++) {
		unsigned char ch = (unsigned char)k[i];
		if (ch < 0x20 || ch == 0x7f)
			n += (size_t)snprintf(out + n, cap - n, "\\x%02x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n] = '\0';
	return n;
}

/* The path of the value being read, as the loader's errors spell it ("connections[0].auth.psk"). */
static void path_of(const lexer *lx, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < lx->depth && n + 24 < cap; i++) {
		const frame *f = &lx->st[i];
		if (f->kind == '[') {
			n += (size_t)snprintf(out + n, cap - n, "[%zu]", f->index);
		} else if (!f->want_key) {
			if (n)
				out[n++] = '.';
			n = put_key(out, n, cap, lx->text + f->key_off, f->key_len);
		}
	}
}

static int fail_at(lexer *lx, size_t at, const char *path, const char *why)
{
	size_t line, col;
	sim_scn_position(lx->text, at, &line, &col);
	if (path)
		snprintf(lx->err, lx->errlen, "%s:%zu:%zu: %s: %s", lx->file, line, col, *path ? path : "(top level)", why);
	else
		snprintf(lx->err, lx->errlen, "%s:%zu:%zu: %s", lx->file, line, col, why);
	return -1;
}

/* A string at text[i] == '"'; returns the offset after it (len when unterminated: the parser reports that). */
static size_t scan_string(lexer *lx, size_t i, int *bad)
{
	size_t j = i + 1;
	*bad = 0;
	while (j < lx->len && lx->text[j] != '"') {
		if (lx->text[j] == '\0')
			return j; /* the caller's raw-NUL check reports it */
		if (lx->text[j] == '\\') {
			if (j + 5 < lx->len && memcmp(lx->text + j + 1, "u0000", 5) == 0) {
				*bad = 1;
				return j;
			}
			j++;
		}
		j++;
	}
	return j;
}

static int on_string(lexer *lx, size_t i)
{
	int bad;
	size_t j = scan_string(lx, i, &bad);
	frame *top = lx->depth ? &lx->st[lx->depth - 1] : NULL;
	int is_key = top && top->kind == '{' && top->want_key;
	if (bad || (j < lx->len && lx->text[j] == '\0')) {
		char path[SIM_PATH_MAX];
		int psk = !is_key && top && top->kind == '{' && top->key_len == 3 &&
			  memcmp(lx->text + top->key_off, "psk", 3) == 0;
		if (!bad)
			return fail_at(lx, j, NULL, "a NUL byte in the file (JSON text cannot contain one)");
		path_of(lx, path, sizeof(path));
		if (is_key)
			snprintf(path + strlen(path), sizeof(path) - strlen(path), "%s(a field name)", *path ? "." : "");
		return fail_at(lx, j, path,
			       psk ? "a string must not contain NUL (\\u0000): give a binary key in hex as \"0x...\""
				   : "a string must not contain NUL (\\u0000)");
	}
	if (is_key) {
		top->key_off = i + 1;
		top->key_len = j - i - 1;
		top->want_key = 0;
	} else {
		lx->stats->values++;
	}
	return (int)(j < lx->len ? j + 1 - i : j - i);
}

static int push(lexer *lx, size_t i)
{
	char path[SIM_PATH_MAX], why[64];
	if (lx->depth == SIM_SCN_DEPTH_MAX) {
		path_of(lx, path, sizeof(path));
		snprintf(why, sizeof(why), "nesting deeper than %d levels", SIM_SCN_DEPTH_MAX);
		return fail_at(lx, i, path, why);
	}
	lx->st[lx->depth++] = (frame){ lx->text[i], lx->text[i] == '{', 0, 0, 0 };
	lx->stats->values++;
	return 0;
}

static int is_delim(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == ',' || ch == ':' || ch == '[' ||
	       ch == ']' || ch == '{' || ch == '}' || ch == '"' || ch == '\0';
}

static int scan(lexer *lx)
{
	size_t i = 0;
	while (i < lx->len) {
		char ch = lx->text[i];
		frame *top = lx->depth ? &lx->st[lx->depth - 1] : NULL;
		if (ch == '\0')
			return fail_at(lx, i, NULL, "a NUL byte in the file (JSON text cannot contain one)");
		if (ch == '"') {
			int step = on_string(lx, i);
			if (step < 0)
				return -1;
			i += (size_t)step;
			continue;
		}
		if (ch == '{' || ch == '[') {
			if (push(lx, i))
				return -1;
		} else if (ch == '}' || ch == ']') {
			lx->depth -= lx->depth ? 1 : 0;
		} else if (ch == ',' && top) {
			top->index++;
			top->want_key = top->kind == '{';
		} else if (!is_delim(ch)) {
			while (i + 1 < lx->len && !is_delim(lx->text[i + 1]))
				i++; /* a number or literal: one value, no allocation of its own */
			lx->stats->values++;
		}
		i++;
	}
	return 0;
}

int sim_scn_lex(const char *file, const char *text, size_t len, sim_scn_lex_stats *st, char *err, size_t errlen)
{
	lexer lx = { .file = file, .text = text, .len = len, .err = err, .errlen = errlen, .stats = st };
	memset(st, 0, sizeof(*st));
	if (scan(&lx))
		return -1;
	/* Strings need at most the text's length again; the nodes are what density can blow up. */
	st->tree_cost = SIM_JV_COST(st->values);
	if (st->tree_cost > SIM_SCN_MEM_FACTOR * len + SIM_SCN_MEM_SLACK) {
		snprintf(err, errlen,
			 "%s: too dense to load: %zu JSON values would take %zu MiB in memory, more than %u times the "
			 "file's size (%zu KiB) allows",
			 file, st->values, st->tree_cost >> 20, SIM_SCN_MEM_FACTOR, len >> 10);
		return -1;
	}
	return 0;
}
