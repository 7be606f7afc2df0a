/* Output-collision checks: "--trace x --pcap ./x" or "--trace scenario.json" would lose a file. */
#define _XOPEN_SOURCE 700 /* realpath(3) */
#include "run_paths.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RP_MAX 8 /* outputs at most */

typedef struct rp_id {
	int exists;
	dev_t dev;
	ino_t ino;
	char norm[PATH_MAX];
} rp_id;

/* Lexically folds "//", "/./" and "dir/.." of an absolute path in place. */
static void fold(char *p)
{
	char *out = p, *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		char *e = s;
		while (*e && *e != '/')
			e++;
		size_t len = (size_t)(e - s);
		if (len == 1 && s[0] == '.') {
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (out > p && *--out != '/') {
			}
		} else if (len) {
			*out++ = '/';
			memmove(out, s, len);
			out += len;
		}
		s = e;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

/* An absolute path: the real path of the directory (if it exists) plus the last component, else folded. */
static int normalise(const char *path, char *out, size_t cap)
{
	char joined[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
	size_t n = 0;
	if (path[0] != '/') {
		if (!getcwd(joined, sizeof(joined)))
			return -1;
		n = strlen(joined);
	}
	if (n + strlen(path) + 2 > sizeof(joined))
		return -1;
	snprintf(joined + n, sizeof(joined) - n, "%s%s", n ? "/" : "", path);
	/* The directory as the kernel resolves it ("link/.." follows the link); folded text only if it is missing. */
	const char *slash = strrchr(joined, '/');
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - joined), joined);
	if (realpath(dir[0] ? dir : "/", real)) {
		size_t rl = strcmp(real, "/") == 0 ? 0 : strlen(real), sl = strlen(slash);
		if (rl + sl + 1 <= cap) {
			memcpy(out, real, rl);
			memcpy(out + rl, slash, sl + 1);
			return 0;
		}
	}
	fold(joined);
	snprintf(out, cap, "%s", joined);
	return 0;
}

static int identify(const char *path, rp_id *id)
{
	struct stat st;
	id->exists = stat(path, &st) == 0;
	if (id->exists) {
		id->dev = st.st_dev;
		id->ino = st.st_ino;
	}
	return normalise(path, id->norm, sizeof(id->norm));
}

static int same(const rp_id *a, const rp_id *b)
{
	if (a->exists && b->exists)
		return a->dev == b->dev && a->ino == b->ino;
	return strcmp(a->norm, b->norm) == 0;
}

/* One line for a collision of output o with file x (an input, or another output). */
static void say(const cli_run_file *o, const cli_run_file *x, FILE *err)
{
	if (!x->output)
		fprintf(err, "ikesim run: %s '%s' would overwrite %s '%s'\n", o->what, o->path, x->what, x->path);
	else
		fprintf(err, "ikesim run: %s '%s' and %s '%s' name the same file\n", x->what, x->path, o->what, o->path);
}

int cli_run_paths_check(const cli_run_file *files, size_t n, FILE *err)
{
	rp_id outs[RP_MAX], in;
	size_t no = 0;
	const cli_run_file *of[RP_MAX];
	/* Outputs are few (trace, pcap, key table); inputs may be many certificate files: O(outputs x files). */
	for (size_t i = 0; i < n; i++) {
		if (!files[i].output)
			continue;
		if (no == RP_MAX || identify(files[i].path, &outs[no]) != 0) {
			fprintf(err, "ikesim run: %s '%s': path too long\n", files[i].what, files[i].path);
			return -1;
		}
		for (size_t k = 0; k < no; k++)
			if (same(&outs[k], &outs[no])) {
				say(&files[i], of[k], err);
				return -1;
			}
		of[no++] = &files[i];
	}
	for (size_t i = 0; i < n && no; i++) {
		if (files[i].output || identify(files[i].path, &in) != 0)
			continue; /* an input path too long to resolve cannot be written either */
		for (size_t k = 0; k < no; k++)
			if (same(&outs[k], &in)) {
				say(of[k], &files[i], err);
				return -1;
			}
	}
	return 0;
}
