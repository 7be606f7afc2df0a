/* Finding and reading the lessons folder: the binary's own place, never the working directory's guess. */
#define _XOPEN_SOURCE 700 /* realpath(3) */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lesson_dir.h"

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int lesson_root(char *out, size_t cap, char *msg, size_t n)
{
	const char *env = getenv("IKESIM_LESSONS");
	if (env && *env) {
		if (!is_dir(env)) {
			snprintf(msg, n, "IKESIM_LESSONS='%.200s' is not a folder", env);
			return -1;
		}
		return snprintf(out, cap, "%s", env) < (int)cap ? 0 : -1;
	}
	char exe[LESSON_PATH_MAX], cand[LESSON_PATH_MAX + 64];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (k <= 0) {
		snprintf(msg, n, "cannot find the ikesim binary's folder (/proc/self/exe): set IKESIM_LESSONS");
		return -1;
	}
	exe[k] = 0;
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	static const char *const REL[] = { "../share/ikesim/lessons", "../../lessons", "../lessons" };
	for (size_t i = 0; i < sizeof(REL) / sizeof(REL[0]); i++) {
		snprintf(cand, sizeof(cand), "%s/%s", exe, REL[i]);
		char real[PATH_MAX];
		if (is_dir(cand) && realpath(cand, real) && snprintf(out, cap, "%s", real) < (int)cap)
			return 0;
	}
	snprintf(msg, n, "no lessons folder beside %.200s (looked for ../share/ikesim/lessons, ../../lessons, "
			 "../lessons): set IKESIM_LESSONS", exe);
	return -1;
}

/* path relative to the working directory when it lies under it ("lessons/01-x"), else as it is. */
static void display_path(const char *path, char *out, size_t cap)
{
	char cwd[PATH_MAX], real[PATH_MAX];
	size_t k;
	if (getcwd(cwd, sizeof(cwd)) && realpath(path, real) && (k = strlen(cwd)) && strncmp(real, cwd, k) == 0 &&
	    real[k] == '/' && snprintf(out, cap, "%s", real + k + 1) < (int)cap)
		return;
	if (snprintf(out, cap, "%s", path) >= (int)cap)
		out[0] = 0;
}

/* The README's first "# " heading, "Lesson N: " cut; "" when there is none. */
static void read_title(const char *dir, char *out, size_t cap)
{
	char path[LESSON_PATH_MAX + 16], line[512];
	out[0] = 0;
	FILE *f = snprintf(path, sizeof(path), "%s/README.md", dir) < (int)sizeof(path) ? fopen(path, "r") : NULL;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "# ", 2) != 0)
			continue;
		line[strcspn(line, "\r\n")] = 0;
		const char *t = line + 2, *colon = strchr(t, ':');
		if (strncmp(t, "Lesson ", 7) == 0 && colon)
			t = colon + 1 + (colon[1] == ' ');
		if (snprintf(out, cap, "%s", t) >= (int)cap)
			memcpy(out + cap - 4, "...", 4); /* a long title, cut */
		break;
	}
	fclose(f);
}

static int by_num(const void *a, const void *b)
{
	const lesson *x = a, *y = b;
	return x->num != y->num ? (x->num > y->num) - (x->num < y->num) : strcmp(x->name, y->name);
}

int lesson_scan(const char *root, lesson *ls, size_t cap, char *msg, size_t n)
{
	DIR *d = opendir(root);
	if (!d) {
		snprintf(msg, n, "%s: cannot open: %s", root, strerror(errno));
		return -1;
	}
	size_t count = 0;
	struct dirent *e;
	char full[LESSON_PATH_MAX + 300];
	while ((e = readdir(d)) && count < cap) {
		const char *s = e->d_name;
		if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] == '-') || strlen(s) >= 256)
			continue;
		snprintf(full, sizeof(full), "%s/%s", root, s);
		if (!is_dir(full))
			continue;
		lesson *l = &ls[count++];
		memset(l, 0, sizeof(*l));
		l->num = (s[0] - '0') * 10 + (s[1] - '0');
		snprintf(l->name, sizeof(l->name), "%s", s);
		display_path(full, l->dir, sizeof(l->dir));
		read_title(full, l->title, sizeof(l->title));
		char **ex = NULL;
		int k = lesson_exercises(full, &ex);
		l->n_exercises = k > 0 ? (size_t)k : 0;
		for (int i = 0; i < k; i++)
			free(ex[i]);
		free(ex);
	}
	closedir(d);
	qsort(ls, count, sizeof(*ls), by_num);
	return (int)count;
}

const lesson *lesson_find(const lesson *ls, size_t n, const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);
	for (size_t i = 0; i < n; i++)
		if ((!*end && end != arg && v == ls[i].num) || strcmp(arg, ls[i].name) == 0)
			return &ls[i];
	return NULL;
}

static int by_ex_num(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '-'), *y = strrchr(*(char *const *)b, '-');
	long p = strtol(x + 1, NULL, 10), q = strtol(y + 1, NULL, 10);
	return (p > q) - (p < q);
}

int lesson_exercises(const char *dir, char ***out)
{
	char pat[LESSON_PATH_MAX + 32];
	glob_t g;
	*out = NULL;
	snprintf(pat, sizeof(pat), "%s/exercise-[0-9]*.json", dir);
	int r = glob(pat, 0, NULL, &g);
	if (r == GLOB_NOMATCH)
		return 0;
	if (r != 0)
		return -1;
	char **v = calloc(g.gl_pathc ? g.gl_pathc : 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; v && i < g.gl_pathc; i++)
		if ((v[k] = strdup(g.gl_pathv[i])) != NULL)
			k++;
	globfree(&g);
	if (!v)
		return -1;
	qsort(v, k, sizeof(*v), by_ex_num);
	*out = v;
	return (int)k;
}
