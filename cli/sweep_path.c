/* Paths into a scenario ("populations[0].count", "nodes[gw].cookie_threshold", "seed") and setting what they name. */
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int is_sel_char(char c) { return is_name_char(c) || c == '.'; }

/* One step of a path: a member name, an index, or [NAME] (the element whose "name" is NAME). */
typedef struct step {
	char key[SWEEP_PATH_MAX];
	int kind; /* 0 member, 1 index, 2 by name, 3 every element ([*]) */
	size_t index;
} step;

/* Reads the step at *p; 1 read, 0 at the end, -1 malformed. */
static int next_step(const char **p, step *st, int first)
{
	const char *s = *p;
	size_t k = 0;
	if (!*s)
		return 0;
	if (*s == '[') {
		s++;
		while (is_sel_char(s[k]) || (s[k] == '*' && k == 0 && s[1] == ']'))
			k++;
		if (!k || s[k] != ']' || k >= sizeof(st->key))
			return -1;
		memcpy(st->key, s, k);
		st->key[k] = 0;
		st->kind = !strcmp(st->key, "*") ? 3 : strspn(st->key, "0123456789") == k ? 1 : 2;
		if (st->kind == 1 && (k > 7 || (k > 1 && st->key[0] == '0')))
			return -1;
		st->index = st->kind == 1 ? (size_t)strtoul(st->key, NULL, 10) : 0;
		*p = s + k + 1;
		return 1;
	}
	if (!first && *s++ != '.')
		return -1;
	while (is_name_char(s[k]))
		k++;
	if (!k || k >= sizeof(st->key))
		return -1;
	memcpy(st->key, s, k);
	st->key[k] = 0;
	st->kind = 0;
	*p = s + k;
	return 1;
}

int sweep_path_valid(const char *path)
{
	step st;
	int r, n = 0;
	while ((r = next_step(&path, &st, n == 0)) > 0) {
		if (n == 0 && st.kind != 0)
			return 0;
		n++;
	}
	return r == 0 && n > 0;
}

/* The element of array a selected by st; NULL with msg. */
static cJSON *select_elem(cJSON *a, const step *st, const char *where, char *msg, size_t n)
{
	if (!cJSON_IsArray(a)) {
		snprintf(msg, n, "%s is not an array", where);
		return NULL;
	}
	int size = cJSON_GetArraySize(a);
	if (st->kind == 1) {
		if (st->index >= (size_t)size) {
			snprintf(msg, n, "no element %zu (%s has %d)", st->index, where, size);
			return NULL;
		}
		return cJSON_GetArrayItem(a, (int)st->index);
	}
	cJSON *hit = NULL;
	for (cJSON *e = a->child; e; e = e->next) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
		if (cJSON_IsString(nm) && strcmp(nm->valuestring, st->key) == 0) {
			if (hit) {
				snprintf(msg, n, "two elements of %s are named '%s'", where, st->key);
				return NULL;
			}
			hit = e;
		}
	}
	if (!hit)
		snprintf(msg, n, "no element of %s is named '%s'", where, st->key);
	return hit;
}

/* Replaces (or adds, for a member) the field named by st in cur with a copy of v. */
static int put(cJSON *cur, const step *st, cJSON *old, const cJSON *v, char *msg, size_t n)
{
	cJSON *copy = cJSON_Duplicate(v, 1);
	int ok = copy && (st->kind != 0 ? cJSON_ReplaceItemViaPointer(cur, old, copy) /* array elements have no name */
			  : old ? cJSON_ReplaceItemInObjectCaseSensitive(cur, st->key, copy)
				: cJSON_AddItemToObject(cur, st->key, copy));
	if (!ok) {
		cJSON_Delete(copy);
		snprintf(msg, n, "out of memory");
		return -1;
	}
	return 0;
}

/* Applies the rest of the path (from p) at cur; [*] applies it at every element. */
static int set_at(cJSON *cur, const char *path, const char *p, const cJSON *v, char *msg, size_t n)
{
	char where[SWEEP_PATH_MAX + 16];
	step st;
	const char *q = p;
	if (next_step(&q, &st, p == path) <= 0) {
		snprintf(msg, n, "malformed path");
		return -1;
	}
	snprintf(where, sizeof(where), "%.*s", p == path ? 12 : (int)(p - path), p == path ? "the scenario" : path);
	int last = !*q;
	if (st.kind == 0) {
		if (!cJSON_IsObject(cur)) {
			snprintf(msg, n, "%s is not an object", where);
			return -1;
		}
		cJSON *child = cJSON_GetObjectItemCaseSensitive(cur, st.key);
		if (last)
			return put(cur, &st, child, v, msg, n);
		if (!child) {
			snprintf(msg, n, "the scenario has no %.*s", (int)(q - path), path);
			return -1;
		}
		return set_at(child, path, q, v, msg, n);
	}
	if (st.kind == 3) {
		if (!cJSON_IsArray(cur) || !cur->child) {
			snprintf(msg, n, "%s is not an array with elements", where);
			return -1;
		}
		for (cJSON *e = cur->child, *next; e; e = next) {
			next = e->next; /* put() replaces e */
			if (last ? put(cur, &st, e, v, msg, n) : set_at(e, path, q, v, msg, n))
				return -1;
		}
		return 0;
	}
	cJSON *e = select_elem(cur, &st, where, msg, n);
	if (!e)
		return -1;
	return last ? put(cur, &st, e, v, msg, n) : set_at(e, path, q, v, msg, n);
}

int sweep_path_set(cJSON *root, const char *path, const cJSON *v, char *msg, size_t n)
{
	if (!sweep_path_valid(path)) {
		snprintf(msg, n, "malformed path");
		return -1;
	}
	return set_at(root, path, path, v, msg, n);
}
