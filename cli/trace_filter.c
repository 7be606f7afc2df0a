/* The selection half of `ikesim trace`: option values in, a yes/no per event out. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "trace_filter.h"

int trace_filter_add(char (*list)[TRACE_NAME_MAX], size_t *n, const char *opt, const char *values, char *msg,
		     size_t cap)
{
	const char *p = values;
	do {
		const char *comma = strchr(p, ',');
		size_t k = comma ? (size_t)(comma - p) : strlen(p);
		if (k == 0 || k >= TRACE_NAME_MAX) {
			snprintf(msg, cap, "%s wants names of 1 to %d characters, comma-separated, got '%.64s'", opt,
				 TRACE_NAME_MAX - 1, values);
			return -1;
		}
		if (*n >= TRACE_FILTER_MAX) {
			snprintf(msg, cap, "%s: at most %d values", opt, TRACE_FILTER_MAX);
			return -1;
		}
		memcpy(list[*n], p, k);
		list[(*n)++][k] = 0;
		p = comma ? comma + 1 : NULL;
	} while (p);
	return 0;
}

int trace_filter_add_where(trace_filter *f, const char *arg, char *msg, size_t cap)
{
	const char *eq = strchr(arg, '=');
	size_t k = eq ? (size_t)(eq - arg) : 0;
	if (!eq || k == 0 || k >= TRACE_NAME_MAX || strlen(eq + 1) >= TRACE_NAME_MAX) {
		snprintf(msg, cap, "--where wants FIELD=VALUE (each under %d characters), got '%.64s'", TRACE_NAME_MAX,
			 arg);
		return -1;
	}
	if (f->n_where >= TRACE_FILTER_MAX) {
		snprintf(msg, cap, "--where: at most %d conditions", TRACE_FILTER_MAX);
		return -1;
	}
	trace_where *w = &f->where[f->n_where++];
	memcpy(w->field, arg, k);
	w->field[k] = 0;
	strcpy(w->value, eq + 1);
	return 0;
}

int trace_filter_set_sa(trace_filter *f, const char *arg, char *msg, size_t cap)
{
	const char *p = (arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X')) ? arg + 2 : arg;
	size_t k = strlen(p);
	if (k == 0 || k > 16 || strspn(p, "0123456789abcdefABCDEF") != k) {
		snprintf(msg, cap, "--sa wants an SPI or its first hex digits (up to 16, '0x' allowed), got '%.64s'", arg);
		return -1;
	}
	for (size_t i = 0; i <= k; i++)
		f->sa[i] = (char)tolower((unsigned char)p[i]);
	return 0;
}

/* exact, "prefix*" or "*suffix" (a lone "*": anything), over the first k bytes of pat. */
static int name_match(const char *pat, size_t pl, const char *ev)
{
	size_t el = strlen(ev);
	if (pl && pat[pl - 1] == '*')
		return el >= pl - 1 && strncmp(pat, ev, pl - 1) == 0;
	if (pl && pat[0] == '*')
		return el >= pl - 1 && memcmp(ev + el - (pl - 1), pat + 1, pl - 1) == 0;
	return el == pl && memcmp(pat, ev, pl) == 0;
}

/* Checks the [FIELD=VALUE] conditions after an event name; 1 all hold (or none), 0 one fails, -1 malformed. */
static int conditions(const char *c, const cJSON *ev)
{
	char text[TRACE_NAME_MAX + 8];
	int ok = 1;
	while (*c) {
		const char *eq = strchr(c, '='), *close = strchr(c, ']');
		if (*c != '[' || !eq || !close || eq > close || eq == c + 1)
			return -1;
		char field[TRACE_NAME_MAX];
		snprintf(field, sizeof(field), "%.*s", (int)(eq - c - 1), c + 1);
		const cJSON *v = ev ? trace_field(ev, field) : NULL;
		if (ev && (!v || cJSON_IsObject(v) || cJSON_IsArray(v) ||
			   strlen(trace_value_text(v, text, sizeof(text))) != (size_t)(close - eq - 1) ||
			   memcmp(text, eq + 1, (size_t)(close - eq - 1)) != 0))
			ok = 0;
		c = close + 1;
	}
	return ok;
}

/* An --ev value: a name pattern, then optional [FIELD=VALUE] conditions ("ike.tx[exchange=QUICK_MODE]"). */
static int ev_match(const char *pat, const cJSON *ev, const char *name)
{
	const char *br = strchr(pat, '[');
	size_t pl = br ? (size_t)(br - pat) : strlen(pat);
	return name_match(pat, pl, name) && (!br || conditions(br, ev) == 1);
}

int trace_filter_add_ev(trace_filter *f, const char *values, char *msg, size_t cap)
{
	size_t before = f->n_evs;
	if (trace_filter_add(f->evs, &f->n_evs, "--ev", values, msg, cap) != 0)
		return -1;
	for (size_t i = before; i < f->n_evs; i++) {
		const char *br = strchr(f->evs[i], '[');
		if (br == f->evs[i] || (br && conditions(br, NULL) < 0)) {
			snprintf(msg, cap, "--ev wants NAME, PREFIX*, *SUFFIX, each with optional [FIELD=VALUE] conditions, "
					   "got '%.64s'", f->evs[i]);
			return -1;
		}
	}
	return 0;
}

/* Any field whose name holds "spi" (initiator-spi, spi-in, old-spi-out, spi...) starting with the prefix. */
static int sa_match(const char *prefix, const cJSON *ev)
{
	size_t k = strlen(prefix);
	for (const cJSON *c = ev->child; c; c = c->next) {
		if (!c->string || !strstr(c->string, "spi") || !cJSON_IsString(c))
			continue;
		const char *v = c->valuestring;
		if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
			v += 2;
		size_t i = 0;
		while (i < k && v[i] && tolower((unsigned char)v[i]) == prefix[i])
			i++;
		if (i == k)
			return 1;
	}
	return 0;
}

static int where_match(const trace_where *w, const cJSON *ev)
{
	char text[TRACE_NAME_MAX + 8];
	const cJSON *v = trace_field(ev, w->field);
	if (!v || cJSON_IsObject(v) || cJSON_IsArray(v))
		return 0;
	return strcmp(trace_value_text(v, text, sizeof(text)), w->value) == 0;
}

int trace_filter_match(const trace_filter *f, const cJSON *ev)
{
	const char *node = cJSON_GetObjectItemCaseSensitive(ev, "node")->valuestring;
	const char *name = cJSON_GetObjectItemCaseSensitive(ev, "ev")->valuestring;
	double t = cJSON_GetObjectItemCaseSensitive(ev, "t")->valuedouble;
	if ((f->has_from && t < f->from) || (f->has_to && t > f->to))
		return 0;
	size_t i = 0;
	while (i < f->n_nodes && strcmp(f->nodes[i], node) != 0)
		i++;
	if (f->n_nodes && i == f->n_nodes)
		return 0;
	for (i = 0; i < f->n_evs && !ev_match(f->evs[i], ev, name); i++)
		;
	if (f->n_evs && i == f->n_evs)
		return 0;
	if (f->sa[0] && !sa_match(f->sa, ev))
		return 0;
	for (i = 0; i < f->n_where; i++)
		if (!where_match(&f->where[i], ev))
			return 0;
	return 1;
}
