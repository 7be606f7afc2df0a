/* File helpers shared by the tests: read a whole file, private temp directories. */
#ifndef IKE_TEST_TESTFS_H
#define IKE_TEST_TESTFS_H

#include <stddef.h>

/* The whole file, NUL-terminated (len may be NULL); NULL if it cannot be read. Caller frees. */
char *tfs_read(const char *path, size_t *len);

/* Like tfs_read, but fails the test if the file cannot be read. */
char *tfs_must_read(const char *path, size_t *len);

/* A fresh directory per test, so a leftover file of any name shows up. */
typedef struct tfs_dir {
	char path[64];
} tfs_dir;

/* Makes /tmp/ikesim-TAG-XXXXXX (fails the test if it cannot). */
void tfs_dir_make(tfs_dir *d, const char *tag);
void tfs_dir_file(const tfs_dir *d, const char *name, char *out, size_t cap);
/* Number of entries other than . and .. */
size_t tfs_dir_count(const tfs_dir *d);
/* Removes every file (and empty subdirectory) in d, then d itself. */
void tfs_dir_remove(const tfs_dir *d);

#endif
