/*
 * Configuration rules in `expect` (docs/scenario.md, "Rules"): what an exercise demands of the configuration
 * itself, so that it cannot be passed by breaking its rules ({"config": PATH, "min" | "max" | "contains" |
 * "equals" | "present": ..., "rule": TEXT}). Decided against the scenario's own JSON when it loads, reported
 * with the run's other expectations.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define RULE_GOT_MAX 96

/* One step of a path: key, key[N], or key[NAME] (the element whose "name" is NAME). */
static const sim_jv *step(const sim_jv *v, const char *seg, size_t len)
{
	const char *br = memchr(seg, '[', len);
	size_t klen = br ? (size_t)(br - seg) : len;
	char key[64];
	if (klen >= sizeof(key))
		return NULL;
	memcpy(key, seg, klen);
	key[klen] = 0;
	if (klen && !(v = sim_jv_is_object(v) ? sim_jv_get(v, key) : NULL))
		return NULL;
	if (!br)
		return v;
	const char *in = br + 1, *close = memchr(in, ']', len - (size_t)(in - seg));
	if (!close || close + 1 != seg + len || !sim_jv_is_array(v))
		return NULL;
	size_t n = (size_t)(close - in);
	char *end = NULL;
	unsigned long idx = n ? strtoul(in, &end, 10) : 0;
	if (n && end == close)
		return sim_jv_at(v, idx);
	for (const sim_jv *e = v->child; e; e = e->next) {
		const sim_jv *name = sim_jv_get(e, "name");
		if (sim_jv_is_string(name) && strlen(name->valuestring) == n && !memcmp(name->valuestring, in, n))
			return e;
	}
	return NULL;
}

static const sim_jv *lookup(const sim_jv *root, const char *path)
{
	const sim_jv *v = root;
	for (const char *s = path; v && *s;) {
		const char *dot = s;
		int depth = 0;
		while (*dot && (*dot != '.' || depth)) { /* a name in brackets may hold dots */
			depth += *dot == '[' ? 1 : *dot == ']' ? -1 : 0;
			dot++;
		}
		v = step(v, s, (size_t)(dot - s));
		s = *dot ? dot + 1 : dot;
	}
	return v;
}

static int jv_equal(const sim_jv *a, const sim_jv *b)
{
	if (!a || !b || a->type != b->type)
		return 0;
	switch (a->type) {
	case SIM_JV_NUMBER: return a->valuedouble == b->valuedouble;
	case SIM_JV_STRING: return strcmp(a->valuestring, b->valuestring) == 0;
	case SIM_JV_ARRAY:
		for (a = a->child, b = b->child; a && b; a = a->next, b = b->next)
			if (!jv_equal(a, b))
				return 0;
		return !a && !b;
	case SIM_JV_OBJECT:
		if (a->size != b->size)
			return 0;
		for (const sim_jv *m = a->child; m; m = m->next)
			if (!jv_equal(m, sim_jv_get(b, m->string)))
				return 0;
		return 1;
	default: return 1;
	}
}

/* A number, or a duration string in ns. */
static int quantity(const sim_jv *v, double *out)
{
	int64_t ns;
	if (sim_jv_is_number(v)) {
		*out = v->valuedouble;
		return 0;
	}
	if (sim_jv_is_string(v) && sim_parse_duration(v->valuestring, &ns) == 0) {
		*out = (double)ns;
		return 0;
	}
	return -1;
}

static void describe(const sim_jv *v, char *out, size_t cap)
{
	if (!v)
		snprintf(out, cap, "missing");
	else if (sim_jv_is_string(v))
		snprintf(out, cap, "\"%.*s\"", (int)(cap > 8 ? cap - 8 : 1), v->valuestring);
	else if (sim_jv_is_number(v))
		snprintf(out, cap, "%g", v->valuedouble);
	else if (sim_jv_is_array(v) || sim_jv_is_object(v))
		snprintf(out, cap, "%s with %zu %s", sim_jv_is_array(v) ? "a list" : "an object", v->size,
			 v->size == 1 ? "entry" : "entries");
	else
		snprintf(out, cap, "%s", sim_jv_is_null(v) ? "null" : sim_jv_is_true(v) ? "true" : "false");
}

/* contains: each wanted string a substring of a string value, or an element of a list value. */
static int holds_all(const sim_jv *v, const sim_jv *want)
{
	for (const sim_jv *w = sim_jv_is_array(want) ? want->child : want; w; w = sim_jv_is_array(want) ? w->next : NULL) {
		int found = 0;
		if (sim_jv_is_string(v))
			found = strstr(v->valuestring, w->valuestring) != NULL;
		for (const sim_jv *e = sim_jv_is_array(v) ? v->child : NULL; e && !found; e = e->next)
			found = jv_equal(e, w);
		if (!found)
			return 0;
	}
	return 1;
}

static int checks(sim_scn *c, const sim_jv *o, const char *path, const sim_jv *v, int *ok)
{
	const sim_jv *mn = sim_jv_get(o, "min"), *mx = sim_jv_get(o, "max"), *has = sim_jv_get(o, "contains"),
		     *eq = sim_jv_get(o, "equals"), *pr = sim_jv_get(o, "present");
	char p[SIM_PATH_MAX];
	if (!mn && !mx && !has && !eq && !pr)
		return sim_scn_fail(c, path, "a rule needs min, max, contains, equals or present");
	double lo = -INFINITY, hi = INFINITY, x;
	if ((mn && quantity(mn, &lo)) || (mx && quantity(mx, &hi))) {
		sim_scn_sub(p, path, mn && quantity(mn, &lo) ? "min" : "max");
		return sim_scn_fail(c, p, "wants a number or a duration (\"1s\")");
	}
	if (has && !sim_jv_is_string(has) && !sim_jv_is_array(has)) {
		sim_scn_sub(p, path, "contains");
		return sim_scn_fail(c, p, "wants a string or a list of strings");
	}
	for (const sim_jv *w = sim_jv_is_array(has) ? has->child : NULL; w; w = w->next)
		if (!sim_jv_is_string(w)) {
			sim_scn_sub(p, path, "contains");
			return sim_scn_fail(c, p, "wants a string or a list of strings");
		}
	if (pr && !sim_jv_is_bool(pr)) {
		sim_scn_sub(p, path, "present");
		return sim_scn_fail(c, p, "wants true or false");
	}
	*ok = 1;
	if (pr)
		*ok &= (v != NULL) == sim_jv_is_true(pr);
	if (mn || mx)
		*ok &= v && quantity(v, &x) == 0 && x >= lo && x <= hi;
	if (has)
		*ok &= v && holds_all(v, has);
	if (eq)
		*ok &= jv_equal(v, eq);
	return 0;
}

int sim_scn_rule_expect(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e)
{
	static const char *const keys[] = { "config", "rule", "min", "max", "contains", "equals", "present", NULL };
	const char *cfg = NULL, *rule = NULL;
	e->kind = SIM_EXPECT_CONFIG;
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "config", 1, &cfg) < 0 ||
	    sim_scn_str(c, o, path, "rule", 0, &rule) < 0)
		return -1;
	const sim_jv *root = ((const sim_scn_owned *)sc->owned)->root;
	const sim_jv *v = lookup(root, cfg);
	int ok = 0;
	if (checks(c, o, path, v, &ok) != 0)
		return -1;
	char *got = malloc(RULE_GOT_MAX);
	if (!got || !sim_scn_keep(sc, got))
		return sim_scn_fail(c, path, "out of memory");
	describe(v, got, RULE_GOT_MAX);
	e->rule = rule;
	e->rule_path = cfg;
	e->rule_got = got;
	e->rule_ok = (uint8_t)ok;
	return 0;
}
