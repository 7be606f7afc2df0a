/*
 * Where `ikesim peer` takes its pre-shared key from: --psk-file (kept private), the IKESIM_PSK
 * environment variable, or --psk (which `ps` shows to every local user, so it warns).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "peer.h"

static int keep(peer_cred_files *cf, const uint8_t *s, size_t n, const char *src, char *err, size_t errlen)
{
	if (n == 0) {
		snprintf(err, errlen, "%s: the PSK is empty", src);
		return -1;
	}
	if (n > IKE_PSK_MAX) {
		snprintf(err, errlen, "%s: the PSK is %zu bytes; at most %u are allowed (the PRF's key limit)", src, n,
			 IKE_PSK_MAX);
		return -1;
	}
	if (!(cf->psk = malloc(n))) {
		snprintf(err, errlen, "%s: out of memory", src);
		return -1;
	}
	memcpy(cf->psk, s, n);
	cf->psk_len = n;
	return 0;
}

/* The file's bytes, one trailing newline (LF or CRLF) dropped: `echo secret > f` means "secret". */
static int from_file(const char *path, peer_cred_files *cf, FILE *warn, char *err, size_t errlen)
{
	uint8_t buf[IKE_PSK_MAX + 3];
	struct stat st;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "--psk-file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* A pipe is fine too: `--psk-file <(pass show vpn)` keeps the secret off the disk as well. */
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		snprintf(err, errlen, "--psk-file %s: not a regular file or a pipe", path);
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)))
		fprintf(warn, "ikesim peer: warning: --psk-file %s can be read or changed by other users (mode %04o); "
			      "chmod 600 it\n", path, (unsigned)(st.st_mode & 07777));
	for (;;) {
		ssize_t k = read(fd, buf + n, sizeof(buf) - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(err, errlen, "--psk-file %s: %s", path, strerror(errno));
			close(fd);
			OPENSSL_cleanse(buf, sizeof(buf));
			return -1;
		}
		if (k == 0 || (n += (size_t)k) == sizeof(buf))
			break;
	}
	close(fd);
	if (n && buf[n - 1] == '\n')
		n -= 1 + (n > 1 && buf[n - 2] == '\r');
	char src[300];
	snprintf(src, sizeof(src), "--psk-file %s", path);
	int rc = n >= sizeof(buf) - 2 ? (snprintf(err, errlen, "%s: the PSK is longer than %u bytes", src, IKE_PSK_MAX), -1)
				      : keep(cf, buf, n, src, err, errlen);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int peer_psk_load(const peer_args *a, peer_cred_files *cf, FILE *warn, char *err, size_t errlen)
{
	if (a->psk && a->psk_file) {
		snprintf(err, errlen, "--psk and --psk-file exclude each other");
		return -1;
	}
	if (a->psk_file)
		return from_file(a->psk_file, cf, warn, err, errlen);
	if (a->psk) {
		fprintf(warn, "ikesim peer: warning: --psk puts the secret where `ps` shows it to every local user; "
			      "prefer --psk-file FILE or the IKESIM_PSK environment variable\n");
		return keep(cf, (const uint8_t *)a->psk, strlen(a->psk), "--psk", err, errlen);
	}
	if (a->psk_env && !(a->cert || a->key || a->ca))
		return keep(cf, (const uint8_t *)a->psk_env, strlen(a->psk_env), "IKESIM_PSK", err, errlen);
	return 0;
}
