/* JSON field writer: escapes strings, never writes past the buffer, drops a field that does not fit. */
#include "common/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void ike_jsonw_init(ike_jsonw *w)
{
	w->len = 0;
	w->first = true;
	w->buf[0] = '\0';
}

/* Appends n bytes if they fit (keeping room for the NUL); returns false otherwise. */
static bool put(ike_jsonw *w, const char *s, size_t n)
{
	if (n >= IKE_JSONW_CAP - w->len)
		return false;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
	return true;
}

static bool put_escaped(ike_jsonw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (!put(w, "\"", 1))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char e[6];
		size_t n;
		if (*p == '"' || *p == '\\') {
			e[0] = '\\';
			e[1] = (char)*p;
			n = 2;
		} else if (*p < 0x20 || *p == 0x7f) {
			memcpy(e, "\\u00", 4);
			e[4] = hex[*p >> 4];
			e[5] = hex[*p & 15];
			n = 6;
		} else {
			e[0] = (char)*p;
			n = 1;
		}
		if (!put(w, e, n))
			return false;
	}
	return put(w, "\"", 1);
}

/* Starts a field; on failure later, the caller rolls back to `mark`. */
static bool key(ike_jsonw *w, const char *k)
{
	if (!w->first && !put(w, ",", 1))
		return false;
	return put_escaped(w, k) && put(w, ":", 1);
}

static void finish(ike_jsonw *w, size_t mark, bool first, bool ok)
{
	if (ok) {
		w->first = false;
		return;
	}
	w->len = mark;
	w->buf[mark] = '\0';
	w->first = first;
}

void ike_jsonw_str(ike_jsonw *w, const char *k, const char *val)
{
	size_t mark = w->len;
	bool first = w->first;
	finish(w, mark, first, key(w, k) && put_escaped(w, val ? val : ""));
}

void ike_jsonw_int(ike_jsonw *w, const char *k, int64_t val)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRId64, val);
	size_t mark = w->len;
	bool first = w->first;
	finish(w, mark, first, key(w, k) && put(w, num, (size_t)n));
}

void ike_jsonw_bool(ike_jsonw *w, const char *k, bool val)
{
	size_t mark = w->len;
	bool first = w->first;
	finish(w, mark, first, key(w, k) && put(w, val ? "true" : "false", val ? 4 : 5));
}

void ike_jsonw_hex(ike_jsonw *w, const char *k, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t mark = w->len;
	bool first = w->first;
	bool ok = key(w, k) && put(w, "\"", 1);
	for (size_t i = 0; ok && i < n; i++) {
		char two[2] = { hex[p[i] >> 4], hex[p[i] & 15] };
		ok = put(w, two, 2);
	}
	finish(w, mark, first, ok && put(w, "\"", 1));
}

void ike_jsonw_spi(ike_jsonw *w, const char *k, uint64_t spi)
{
	char s[17];
	snprintf(s, sizeof(s), "%016" PRIx64, spi);
	ike_jsonw_str(w, k, s);
}

void ike_jsonw_raw(ike_jsonw *w, const char *k, const char *json)
{
	size_t mark = w->len;
	bool first = w->first;
	finish(w, mark, first, key(w, k) && put(w, json, strlen(json)));
}
