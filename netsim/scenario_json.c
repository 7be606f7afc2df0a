/* Path-aware accessors over the loader's JSON tree: every rejection becomes one "file: path: reason" line. */
#include "scenario_json.h"
#include "scenario.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies src with control bytes as \xHH: a key like "a\nb" from the file must not split the one error line. */
static void one_line(char *dst, size_t cap, const char *src)
{
	size_t n = 0;
	if (!cap)
		return;
	for (const unsigned char *p = (const unsigned char *)src; *p && n + 5 < cap; p++) {
		if (*p < 0x20 || *p == 0x7f)
			n += (size_t)snprintf(dst + n, cap - n, "\\x%02x", *p);
		else
			dst[n++] = (char)*p;
	}
	dst[n] = '\0';
}

int sim_scn_fail(sim_scn *c, const char *path, const char *fmt, ...)
{
	char why[256], line[768];
	va_list ap;
	if (c->failed)
		return -1;
	c->failed = 1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s: %s: %s", c->file, path && *path ? path : "(top level)", why);
	one_line(c->err, c->errlen, line);
	return -1;
}

/* Appends s at out[*n], truncating like snprintf at SIM_PATH_MAX - 1 characters. */
static void append(char *out, size_t *n, const char *s, size_t len)
{
	if (len > SIM_PATH_MAX - 1 - *n)
		len = SIM_PATH_MAX - 1 - *n;
	memcpy(out + *n, s, len);
	*n += len;
	out[*n] = '\0';
}

/* Paths are built for every field read, so plain copies instead of snprintf (a tenth of a large load). */
void sim_scn_sub(char *out, const char *path, const char *key)
{
	size_t n = 0;
	append(out, &n, path, strlen(path));
	if (*path)
		append(out, &n, ".", 1);
	append(out, &n, key, strlen(key));
}

void sim_scn_idx(char *out, const char *path, size_t i)
{
	char digits[24];
	size_t d = sizeof(digits), n = 0;
	digits[--d] = ']';
	do
		digits[--d] = (char)('0' + i % 10);
	while ((i /= 10) != 0);
	digits[--d] = '[';
	append(out, &n, path, strlen(path));
	append(out, &n, digits + d, sizeof(digits) - d);
}

static const char *type_name(const sim_jv *v)
{
	if (sim_jv_is_string(v))
		return "a string";
	if (sim_jv_is_number(v))
		return "a number";
	if (sim_jv_is_bool(v))
		return "a boolean";
	if (sim_jv_is_null(v))
		return "null";
	if (sim_jv_is_array(v))
		return "an array";
	return "an object";
}

int sim_scn_object(sim_scn *c, const sim_jv *o, const char *path, const char *const *allowed)
{
	char p[SIM_PATH_MAX];
	if (!sim_jv_is_object(o))
		return sim_scn_fail(c, path, "expected an object, got %s", type_name(o));
	for (const sim_jv *m = o->child; m; m = m->next) {
		sim_scn_sub(p, path, m->string);
		size_t i = 0;
		while (allowed[i] && strcmp(allowed[i], m->string) != 0)
			i++;
		if (!allowed[i])
			return sim_scn_fail(c, p, "unknown field '%s'", m->string);
		for (const sim_jv *e = o->child; e != m; e = e->next)
			if (strcmp(e->string, m->string) == 0)
				return sim_scn_fail(c, p, "field '%s' appears twice", m->string);
	}
	return 0;
}

/* Looks key up; 1 found, 0 absent and optional, -1 absent and required. */
static int member(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, const sim_jv **v,
		  char *p)
{
	sim_scn_sub(p, path, key);
	*v = sim_jv_get(o, key);
	if (*v)
		return 1;
	return required ? sim_scn_fail(c, p, "missing required field '%s'", key) : 0;
}

int sim_scn_str(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, const char **out)
{
	char p[SIM_PATH_MAX];
	const sim_jv *v;
	int r = member(c, o, path, key, required, &v, p);
	if (r <= 0)
		return r;
	if (!sim_jv_is_string(v))
		return sim_scn_fail(c, p, "expected a string, got %s", type_name(v));
	*out = v->valuestring;
	return 1;
}

int sim_scn_num(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, double lo,
		double hi, double *out)
{
	char p[SIM_PATH_MAX];
	const sim_jv *v;
	int r = member(c, o, path, key, required, &v, p);
	if (r <= 0)
		return r;
	if (!sim_jv_is_number(v))
		return sim_scn_fail(c, p, "expected a number, got %s", type_name(v));
	if (!(v->valuedouble >= lo && v->valuedouble <= hi)) {
		char a[40], b[40], d[40];
		return sim_scn_fail(c, p, "%s is out of range [%s, %s]", sim_fmt_num(a, sizeof(a), v->valuedouble),
				    sim_fmt_num(b, sizeof(b), lo), sim_fmt_num(d, sizeof(d), hi));
	}
	*out = v->valuedouble;
	return 1;
}

char *sim_fmt_num(char *out, size_t cap, double v)
{
	/* Whole numbers print every digit ("4294967296", not "4.29497e+09"); others the shortest exact form. */
	if (v == floor(v) && fabs(v) < 1e18) {
		snprintf(out, cap, "%.0f", v);
		return out;
	}
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
	return out;
}

int sim_scn_int(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, int64_t lo,
		int64_t hi, int64_t *out)
{
	char p[SIM_PATH_MAX];
	double d;
	int r = sim_scn_num(c, o, path, key, required, (double)lo, (double)hi, &d);
	if (r <= 0)
		return r;
	sim_scn_sub(p, path, key);
	if (d != floor(d)) {
		char a[40];
		return sim_scn_fail(c, p, "expected a whole number, got %s", sim_fmt_num(a, sizeof(a), d));
	}
	*out = (int64_t)d;
	return 1;
}

int sim_scn_bool(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, int *out)
{
	char p[SIM_PATH_MAX];
	const sim_jv *v;
	int r = member(c, o, path, key, required, &v, p);
	if (r <= 0)
		return r;
	if (!sim_jv_is_bool(v))
		return sim_scn_fail(c, p, "expected true or false, got %s", type_name(v));
	*out = sim_jv_is_true(v);
	return 1;
}

int sim_scn_array(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, size_t max,
		  const sim_jv **out, size_t *n)
{
	char p[SIM_PATH_MAX];
	const sim_jv *v;
	int r = member(c, o, path, key, required, &v, p);
	if (r <= 0)
		return r;
	if (!sim_jv_is_array(v))
		return sim_scn_fail(c, p, "expected an array, got %s", type_name(v));
	*n = v->size;
	if (*n > max)
		return sim_scn_fail(c, p, "at most %zu entries allowed, got %zu", max, *n);
	*out = v;
	return 1;
}

int sim_scn_items(sim_scn *c, const sim_jv *root, const char *key, size_t max, size_t elem, sim_scn_item_fn fn,
		  const void *ctx, void **items, size_t *n)
{
	const sim_jv *arr;
	size_t len = 0;
	char p[SIM_PATH_MAX];
	*items = NULL;
	*n = 0;
	int r = sim_scn_array(c, root, "", key, 0, max, &arr, &len);
	if (r <= 0 || len == 0)
		return r < 0 ? -1 : 0;
	if (!(*items = calloc(len, elem)))
		return sim_scn_fail(c, key, "out of memory");
	for (const sim_jv *o = arr->child; o; o = o->next) {
		sim_scn_idx(p, key, *n);
		if (fn(c, ctx, o, p, (char *)*items + *n * elem) != 0)
			return -1;
		(*n)++;
	}
	return 0;
}

int sim_parse_duration(const char *s, int64_t *out)
{
	static const struct {
		const char *unit;
		double ns;
	} U[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
	char *end;
	size_t digits = 0, k = 0;
	if (!s)
		return -1;
	/* Plain decimal only: strtod alone would also take "0x10" (hex float), "1e3", "inf" and leading spaces. */
	for (int dot = 0; (s[k] >= '0' && s[k] <= '9') || (s[k] == '.' && !dot); k++) {
		dot |= s[k] == '.';
		digits += s[k] != '.';
	}
	if (!digits)
		return -1;
	double v = strtod(s, &end);
	if (end != s + k)
		return -1;
	for (size_t i = 0; i < sizeof(U) / sizeof(U[0]); i++) {
		if (strcmp(end, U[i].unit) != 0)
			continue;
		double ns = v * U[i].ns;
		if (!isfinite(ns) || ns < 0 || ns > 9.0e18)
			return -1;
		*out = (int64_t)llround(ns);
		return 0;
	}
	return -1;
}

int sim_scn_time(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, int64_t *out)
{
	char p[SIM_PATH_MAX];
	const sim_jv *v;
	int r = member(c, o, path, key, required, &v, p);
	if (r <= 0)
		return r;
	if (sim_jv_is_number(v)) {
		char a[40];
		if (!(v->valuedouble >= 0))
			return sim_scn_fail(c, p, "a duration must not be negative, got %s",
					    sim_fmt_num(a, sizeof(a), v->valuedouble));
		if (v->valuedouble > 9.0e9)
			return sim_scn_fail(c, p, "duration %s s is too long (at most 9000000000 s)",
					    sim_fmt_num(a, sizeof(a), v->valuedouble));
		*out = (int64_t)llround(v->valuedouble * 1e9);
		return 1;
	}
	if (!sim_jv_is_string(v))
		return sim_scn_fail(c, p, "expected a duration (\"250ms\", \"10s\" or seconds), got %s", type_name(v));
	if (v->valuestring[0] == '-')
		return sim_scn_fail(c, p, "a duration must not be negative, got \"%s\"", v->valuestring);
	if (sim_parse_duration(v->valuestring, out) != 0)
		return sim_scn_fail(c, p, "bad duration \"%.40s\" (use e.g. \"250ms\", \"10s\", \"1.5s\", \"2m\", \"1h\")",
				    v->valuestring);
	return 1;
}

int sim_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *d = hex ? s + 2 : s;
	size_t i = 0;
	/* Digits only: strtoull alone would skip spaces, take a sign (" -1" is 2^64-1) and read "010" as octal. */
	while ((d[i] >= '0' && d[i] <= '9') ||
	       (hex && ((d[i] >= 'a' && d[i] <= 'f') || (d[i] >= 'A' && d[i] <= 'F'))))
		i++;
	if (i == 0 || d[i])
		return -1;
	errno = 0;
	*out = strtoull(d, &end, hex ? 16 : 10);
	return errno || *end ? -1 : 0;
}

int sim_parse_addr(const char *s, ike_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->port = 500;
	if (inet_pton(AF_INET, s, addr->ip) == 1)
		addr->family = 4;
	else if (inet_pton(AF_INET6, s, addr->ip) == 1)
		addr->family = 6;
	else
		return -1;
	return 0;
}

int sim_valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
		      *s == '_' || *s == '-'))
			return 0;
	return 1;
}
