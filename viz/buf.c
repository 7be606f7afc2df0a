/* viz_buf: the one growable byte buffer every picture is built in, and its atomic write to a file. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "viz.h"

static int grow(viz_buf *b, size_t extra)
{
	if (b->oom)
		return -1;
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void viz_buf_put(viz_buf *b, const char *s, size_t n)
{
	if (grow(b, n) != 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void viz_buf_puts(viz_buf *b, const char *s)
{
	viz_buf_put(b, s, strlen(s));
}

void viz_buf_printf(viz_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void viz_buf_xml(viz_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': viz_buf_puts(b, "&amp;"); break;
		case '<': viz_buf_puts(b, "&lt;"); break;
		case '>': viz_buf_puts(b, "&gt;"); break;
		case '"': viz_buf_puts(b, "&quot;"); break;
		case '\'': viz_buf_puts(b, "&#39;"); break;
		default:
			/* Control characters are not allowed in XML 1.0; they never belong in a label. */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				viz_buf_put(b, "?", 1);
			else
				viz_buf_put(b, s, 1);
		}
	}
}

void viz_buf_free(viz_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int viz_buf_write_file(const viz_buf *b, const char *path, char *msg, size_t msglen)
{
	if (b->oom) {
		snprintf(msg, msglen, "%s: out of memory while drawing", path);
		return -1;
	}
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	if (!tmp) {
		snprintf(msg, msglen, "%s: out of memory", path);
		return -1;
	}
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	int ok = f && fwrite(b->p ? b->p : "", 1, b->len, f) == b->len;
	int saved = errno;
	if (f && fclose(f) != 0)
		ok = 0, saved = errno;
	if (ok && rename(tmp, path) != 0)
		ok = 0, saved = errno;
	if (!ok) {
		if (f)
			remove(tmp);
		snprintf(msg, msglen, "%s: cannot write: %s", path, strerror(saved));
	}
	free(tmp);
	return ok ? 0 : -1;
}
