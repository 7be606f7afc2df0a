/* The word list of `ikesim crack`, streamed through a fixed buffer: a list of 10^6 words is never held whole. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "crack.h"

void crack_quoted(FILE *out, const uint8_t *p, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
			fputc(p[i], out);
		else
			fprintf(out, "\\x%02x", p[i]);
	}
	fputc('"', out);
}

double crack_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int crack_report(FILE *out, FILE *err, int got, const char *msg, const uint8_t *word, size_t len, const crack_words *w,
		 const char *path, double t0)
{
	double dt = crack_now() - t0, rate = dt > 0 ? (double)w->words / dt : 0;
	if (got < 0) {
		fprintf(err, "ikesim crack: %s\n", msg);
		return CRACK_BAD_INPUT;
	}
	if (got > 0) {
		fprintf(out, "PSK found: ");
		crack_quoted(out, word, len);
		fprintf(out, " (line %llu of %s; %llu words in %.3f s, %.0f words/s)\n", (unsigned long long)w->line, path,
			(unsigned long long)w->words, dt, rate);
		return CRACK_FOUND;
	}
	fprintf(out, "no PSK found: none of the %llu words of %s matched (%.3f s, %.0f words/s)\n",
		(unsigned long long)w->words, path, dt, rate);
	return CRACK_NOT_FOUND;
}

void crack_words_init(crack_words *w, FILE *f, const char *name)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->name = name;
}

/* Refills the buffer keeping the unread tail; false at the end of the file or on a read error. */
static bool refill(crack_words *w)
{
	if (w->eof)
		return false;
	memmove(w->buf, w->buf + w->pos, w->end - w->pos);
	w->end -= w->pos;
	w->pos = 0;
	size_t got = fread(w->buf + w->end, 1, sizeof(w->buf) - w->end, w->f);
	w->end += got;
	if (got == 0)
		w->eof = true;
	return got > 0;
}

int crack_words_next(crack_words *w, uint8_t *out, size_t *len, char *err, size_t errlen)
{
	for (;;) {
		uint8_t *nl = memchr(w->buf + w->pos, '\n', w->end - w->pos);
		if (!nl && w->end - w->pos <= CRACK_WORD_MAX + 1 && refill(w))
			continue; /* the line may go on past what is buffered */
		if (ferror(w->f)) {
			snprintf(err, errlen, "%s: read error after line %llu", w->name, (unsigned long long)w->line);
			return -1;
		}
		size_t n = nl ? (size_t)(nl - (w->buf + w->pos)) : w->end - w->pos;
		if (!nl && n == 0)
			return 0;
		uint64_t line = w->line + 1;
		const uint8_t *p = w->buf + w->pos;
		size_t wl = n && p[n - 1] == '\r' ? n - 1 : n; /* CRLF */
		if (wl > CRACK_WORD_MAX) {
			snprintf(err, errlen, "%s: line %llu is longer than %d bytes", w->name, (unsigned long long)line,
				 CRACK_WORD_MAX);
			return -1;
		}
		if (memchr(p, 0, wl)) {
			snprintf(err, errlen, "%s: line %llu holds a NUL byte (a binary file?)", w->name, (unsigned long long)line);
			return -1;
		}
		w->pos += nl ? n + 1 : n;
		w->line = line;
		if (!wl)
			continue; /* empty lines are skipped */
		memcpy(out, p, wl);
		*len = wl;
		w->words++;
		return 1;
	}
}

int crack_run(const char *path, crack_try_fn try_word, void *ctx, FILE *out, FILE *err)
{
	bool std_in = !strcmp(path, "-");
	FILE *f = std_in ? stdin : fopen(path, "rb");
	if (!f) {
		fprintf(err, "ikesim crack: %s: cannot open: %s\n", path, strerror(errno));
		return CRACK_BAD_INPUT;
	}
	crack_words *w = malloc(sizeof(*w));
	ike_crypto *c = ike_crypto_new();
	uint8_t word[CRACK_WORD_MAX];
	size_t len = 0;
	char msg[256];
	int rc = CRACK_ERR, got = 0, hit = 0;
	if (!w || !c) {
		fprintf(err, "ikesim crack: out of memory\n");
		goto done;
	}
	crack_words_init(w, f, path);
	double t0 = crack_now();
	while (!hit && (got = crack_words_next(w, word, &len, msg, sizeof(msg))) > 0)
		if ((hit = try_word(ctx, c, word, len, err)) < 0)
			goto done;
	rc = crack_report(out, err, got < 0 ? got : hit, msg, word, len, w, path, t0);
done:
	OPENSSL_cleanse(word, sizeof(word));
	if (w)
		OPENSSL_cleanse(w->buf, sizeof(w->buf));
	free(w);
	ike_crypto_free(c);
	if (!std_in)
		fclose(f);
	return rc;
}
