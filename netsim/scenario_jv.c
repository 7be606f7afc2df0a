/* A strict recursive-descent JSON parser over a bounded cursor, into preallocated nodes and one string buffer. */
#include "scenario_jv.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_lex.h"

typedef struct jv_doc {
	char *strings;
	sim_jv nodes[];
} jv_doc;

typedef struct jp {
	const char *t;
	size_t len, pos;
	jv_doc *doc;
	size_t n, max; /* nodes used, nodes allocated */
	size_t str;    /* string bytes used */
	int depth;
} jp;

static int ws(jp *p)
{
	while (p->pos < p->len && (p->t[p->pos] == ' ' || p->t[p->pos] == '\t' || p->t[p->pos] == '\n' ||
				   p->t[p->pos] == '\r'))
		p->pos++;
	return p->pos < p->len;
}

static int hex4(const char *s, uint32_t *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++) {
		char ch = s[i];
		int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
						   : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*out = *out << 4 | (uint32_t)d;
	}
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A \uXXXX escape at t[pos] == 'u' (a surrogate pair takes both escapes); the code point, or -1. */
static int unicode(jp *p, uint32_t *cp)
{
	uint32_t lo;
	if (p->pos + 5 > p->len || hex4(p->t + p->pos + 1, cp))
		return -1;
	p->pos += 5;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return -1;
	if (*cp < 0xd800 || *cp > 0xdbff)
		return *cp == 0 ? -1 : 0; /* NUL would cut the C string short: never a value */
	if (p->pos + 6 > p->len || p->t[p->pos] != '\\' || p->t[p->pos + 1] != 'u' || hex4(p->t + p->pos + 2, &lo) ||
	    lo < 0xdc00 || lo > 0xdfff)
		return -1;
	p->pos += 6;
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* A string at t[pos] == '"', unescaped into the buffer; NULL on error (pos at the fault). */
static const char *string(jp *p)
{
	char *out = p->doc->strings + p->str, *o = out;
	p->pos++;
	while (p->pos < p->len && p->t[p->pos] != '"') {
		char ch = p->t[p->pos];
		if (ch == '\0')
			return NULL;
		if (ch != '\\') {
			*o++ = ch;
			p->pos++;
			continue;
		}
		if (++p->pos >= p->len)
			return NULL;
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *e = strchr(from, p->t[p->pos]);
		if (e && *e) {
			*o++ = to[e - from];
			p->pos++;
		} else if (p->t[p->pos] == 'u') {
			uint32_t cp;
			if (unicode(p, &cp))
				return NULL;
			o += put_utf8(o, cp);
		} else {
			return NULL;
		}
	}
	if (p->pos >= p->len)
		return NULL;
	p->pos++;
	*o++ = '\0';
	p->str += (size_t)(o - out);
	return out;
}

static int digits(jp *p)
{
	size_t start = p->pos;
	while (p->pos < p->len && p->t[p->pos] >= '0' && p->t[p->pos] <= '9')
		p->pos++;
	return p->pos > start ? 0 : -1;
}

/* RFC 8259 numbers only: no '+', no leading zeros, no bare '.'; converted by strtod from a bounded copy. */
static int number(jp *p, double *out)
{
	char buf[128];
	size_t start = p->pos;
	if (p->t[p->pos] == '-')
		p->pos++;
	if (p->pos < p->len && p->t[p->pos] == '0')
		p->pos++;
	else if (digits(p))
		return -1;
	if (p->pos < p->len && p->t[p->pos] == '.') {
		p->pos++;
		if (digits(p))
			return -1;
	}
	if (p->pos < p->len && (p->t[p->pos] == 'e' || p->t[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->t[p->pos] == '+' || p->t[p->pos] == '-'))
			p->pos++;
		if (digits(p))
			return -1;
	}
	if (p->pos - start >= sizeof(buf)) {
		p->pos = start;
		return -1;
	}
	memcpy(buf, p->t + start, p->pos - start);
	buf[p->pos - start] = '\0';
	*out = strtod(buf, NULL);
	return 0;
}

static sim_jv *value(jp *p);

/* Elements or members up to the closing bracket; pos is just past the opening one. */
static int children(jp *p, sim_jv *v, char close)
{
	sim_jv **tail = &v->child;
	if (ws(p) && p->t[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		if (close == '}') {
			if (!ws(p) || p->t[p->pos] != '"' || !(key = string(p)))
				return -1;
			if (!ws(p) || p->t[p->pos] != ':')
				return -1;
			p->pos++;
		}
		sim_jv *c = value(p);
		if (!c)
			return -1;
		c->string = key;
		*tail = c;
		tail = &c->next;
		v->size++;
		if (!ws(p))
			return -1;
		if (p->t[p->pos] == close) {
			p->pos++;
			return 0;
		}
		if (p->t[p->pos] != ',')
			return -1;
		p->pos++;
	}
}

static int literal(jp *p, const char *word, uint32_t type, sim_jv *v)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->t + p->pos, word, n) != 0)
		return -1;
	p->pos += n;
	v->type = type;
	return 0;
}

static sim_jv *value(jp *p)
{
	if (!ws(p) || p->n == p->max)
		return NULL;
	sim_jv *v = &p->doc->nodes[p->n++];
	memset(v, 0, sizeof(*v));
	char ch = p->t[p->pos];
	int r;
	if (ch == '{' || ch == '[') {
		if (++p->depth > SIM_SCN_DEPTH_MAX)
			return NULL;
		v->type = ch == '{' ? SIM_JV_OBJECT : SIM_JV_ARRAY;
		p->pos++;
		r = children(p, v, ch == '{' ? '}' : ']');
		p->depth--;
	} else if (ch == '"') {
		v->type = SIM_JV_STRING;
		r = (v->valuestring = string(p)) ? 0 : -1;
	} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
		v->type = SIM_JV_NUMBER;
		r = number(p, &v->valuedouble);
	} else {
		r = literal(p, ch == 't' ? "true" : ch == 'f' ? "false" : "null",
			    ch == 't' ? SIM_JV_TRUE : ch == 'f' ? SIM_JV_FALSE : SIM_JV_NULL, v);
	}
	return r ? NULL : v;
}

sim_jv *sim_jv_parse(const char *text, size_t len, size_t max_values, size_t *end, size_t *err_at)
{
	jp p = { .t = text, .len = len, .max = max_values ? max_values : 1 };
	*err_at = SIZE_MAX; /* out of memory */
	if (p.max > (SIZE_MAX - sizeof(jv_doc)) / sizeof(sim_jv) ||
	    !(p.doc = malloc(sizeof(jv_doc) + p.max * sizeof(sim_jv))))
		return NULL;
	if (!(p.doc->strings = malloc(len + 1))) {
		free(p.doc);
		return NULL;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		p.pos = 3; /* a UTF-8 byte order mark, as editors on Windows write it (cJSON skipped it too) */
	sim_jv *root = value(&p);
	if (!root) {
		*err_at = p.pos;
		sim_jv_free(p.doc->nodes);
		return NULL;
	}
	*end = p.pos;
	return root;
}

void sim_jv_free(sim_jv *root)
{
	if (!root)
		return;
	jv_doc *d = (jv_doc *)(void *)((char *)root - offsetof(jv_doc, nodes));
	free(d->strings);
	free(d);
}

const sim_jv *sim_jv_get(const sim_jv *o, const char *key)
{
	if (!sim_jv_is_object(o))
		return NULL;
	for (const sim_jv *m = o->child; m; m = m->next)
		if (strcmp(m->string, key) == 0)
			return m;
	return NULL;
}

const sim_jv *sim_jv_at(const sim_jv *a, size_t i)
{
	const sim_jv *e = a && (a->type == SIM_JV_ARRAY || a->type == SIM_JV_OBJECT) ? a->child : NULL;
	while (e && i--)
		e = e->next;
	return e;
}
