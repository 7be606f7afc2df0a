/* Atomic output files, shared by the trace, the pcap and the key tables. */
#include "host/afile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ike_host_afile {
	FILE *f;
	int in_place;   /* a device or pipe: written directly, never renamed or removed */
	char *tmp_path; /* where bytes go until commit */
	char *path;
};

ike_host_afile *ike_host_afile_open(const char *path, const char *what, char *err, size_t errlen)
{
	ike_host_afile *a = calloc(1, sizeof(*a));
	size_t len = strlen(path);
	if (a) {
		a->path = strdup(path);
		a->tmp_path = malloc(len + 8);
	}
	if (!a || !a->path || !a->tmp_path) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: cannot create %s file: it is a directory", path, what);
		goto fail;
	}
	/* A device or pipe (/dev/stdout, a FIFO) is written in place: renaming over it would replace it. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (!(a->f = fopen(path, "w"))) {
			snprintf(err, errlen, "%s: cannot open %s output: %s", path, what, strerror(errno));
			goto fail;
		}
		a->in_place = 1;
		return a;
	}
	memcpy(a->tmp_path, path, len);
	memcpy(a->tmp_path + len, ".XXXXXX", 8);
	int fd = mkstemp(a->tmp_path);
	if (fd < 0 || !(a->f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "%s: cannot create %s file: %s", path, what, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(a->tmp_path);
		}
		goto fail;
	}
	return a;
fail:
	if (a) {
		free(a->path);
		free(a->tmp_path);
		free(a);
	}
	return NULL;
}

FILE *ike_host_afile_stream(ike_host_afile *a) { return a->f; }

int ike_host_afile_close(ike_host_afile *a, int commit)
{
	if (!a)
		return 0;
	int rc = fclose(a->f) == 0 ? 0 : -1;
	if (!a->in_place) {
		if (commit && rc == 0 && rename(a->tmp_path, a->path) != 0)
			rc = -1;
		if (!commit || rc != 0)
			unlink(a->tmp_path);
	}
	free(a->path);
	free(a->tmp_path);
	free(a);
	return rc;
}
