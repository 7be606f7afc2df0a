/* File helpers shared by the tests. */
#include "testfs.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

char *tfs_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			char *nb = realloc(buf, cap + 1);
			assert_non_null(nb);
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *tfs_must_read(const char *path, size_t *len)
{
	char *b = tfs_read(path, len);
	if (!b)
		fail_msg("cannot read %s", path);
	return b;
}

void tfs_dir_make(tfs_dir *d, const char *tag)
{
	snprintf(d->path, sizeof(d->path), "/tmp/ikesim-%s-XXXXXX", tag);
	assert_non_null(mkdtemp(d->path));
}

void tfs_dir_file(const tfs_dir *d, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", d->path, name);
}

size_t tfs_dir_count(const tfs_dir *d)
{
	DIR *dir = opendir(d->path);
	size_t n = 0;
	assert_non_null(dir);
	for (struct dirent *e; (e = readdir(dir));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dir);
	return n;
}

void tfs_dir_remove(const tfs_dir *d)
{
	DIR *dir = opendir(d->path);
	char p[512];
	if (dir) {
		for (struct dirent *e; (e = readdir(dir));)
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(p, sizeof(p), "%s/%s", d->path, e->d_name);
				if (unlink(p) != 0)
					rmdir(p);
			}
		closedir(dir);
	}
	rmdir(d->path);
}
