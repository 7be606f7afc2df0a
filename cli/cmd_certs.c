/* `ikesim certs`: a throw-away test CA and one certificate + key per name, written as PEM files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certgen.h"
#include "cli.h"

#define CERTS_MAX_NAMES 64

typedef struct certs_args {
	const char *out;
	cli_keyspec ks;
	int days;
	int n;
	const char *names[CERTS_MAX_NAMES];
} certs_args;

static void certs_usage(FILE *f)
{
	fprintf(f, "usage: ikesim certs --out DIR [--rsa BITS | --ecdsa CURVE] [--days N] NAME...\n\n"
		   "Makes a test CA (CN=ikesim test CA) and, per NAME, a certificate with subject CN=NAME and\n"
		   "subjectAltName DNS:NAME (IP:NAME for an address, email:NAME if it contains '@').\n"
		   "Writes DIR/ca.pem, DIR/ca.key, DIR/NAME.pem and DIR/NAME.key (keys mode 0600).\n"
		   "  --rsa BITS      RSA keys of BITS bits (e.g. 2048)\n"
		   "  --ecdsa CURVE   ECDSA keys on P-256 (default), P-384 or P-521\n"
		   "  --days N        validity in days (default 3650)\n"
		   "For tests and lessons only: keys are not encrypted. See docs/certificates.md.\n");
}

static int usage_error(FILE *err, const char *msg)
{
	fprintf(err, "ikesim certs: %s (try 'ikesim certs --help')\n", msg);
	return -1;
}

static int parse_days(const char *s, int *out)
{
	char *end;
	long d = s && *s ? strtol(s, &end, 10) : 0;
	if (!s || !*s || *end || d < 1 || d > 36500)
		return -1;
	*out = (int)d;
	return 0;
}

/* A name appearing twice would overwrite its own files. */
static int seen(const certs_args *a, const char *name)
{
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->names[i], name) == 0)
			return 1;
	return 0;
}

/* 0, 1 for --help, or -1 after one error line. */
static int parse_args(int argc, char **argv, certs_args *a, FILE *err)
{
	char e[160];
	int have_key = 0;
	memset(a, 0, sizeof(*a));
	a->days = 3650;
	cli_keyspec_ecdsa("P-256", &a->ks, e, sizeof(e));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(s, "--help") || !strcmp(s, "-h"))
			return 1;
		if (!strcmp(s, "--out") || !strcmp(s, "--days") || !strcmp(s, "--rsa") || !strcmp(s, "--ecdsa")) {
			if (!v)
				return usage_error(err, "an option lacks its value");
			i++;
			if (!strcmp(s, "--out"))
				a->out = v;
			else if (!strcmp(s, "--days") && parse_days(v, &a->days) != 0)
				return usage_error(err, "--days wants a number of days from 1 to 36500");
			else if (!strcmp(s, "--rsa") || !strcmp(s, "--ecdsa")) {
				if (have_key++)
					return usage_error(err, "give one of --rsa and --ecdsa");
				int rc = s[2] == 'r' ? cli_keyspec_rsa(v, &a->ks, e, sizeof(e))
						     : cli_keyspec_ecdsa(v, &a->ks, e, sizeof(e));
				if (rc != 0)
					return usage_error(err, e);
			}
		} else if (s[0] == '-') {
			snprintf(e, sizeof(e), "unknown option '%.64s'", s);
			return usage_error(err, e);
		} else if (!cli_certgen_name_ok(s)) {
			snprintf(e, sizeof(e), "'%.64s' is not a usable name (letters, digits, . - _ @ :; not 'ca')", s);
			return usage_error(err, e);
		} else if (a->n >= CERTS_MAX_NAMES || seen(a, s)) {
			return usage_error(err, a->n >= CERTS_MAX_NAMES ? "at most 64 names" : "a name is given twice");
		} else
			a->names[a->n++] = s;
	}
	if (!a->out)
		return usage_error(err, "--out DIR is required");
	if (!a->n)
		return usage_error(err, "give at least one NAME");
	return 0;
}

/* Writes one file with `mode` (fchmod too: an existing key file must not keep looser permissions). */
static int write_file(const char *dir, const char *name, const char *ext, const char *text, size_t len, mode_t mode,
		      FILE *out, FILE *err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	int ok = fd >= 0 && fchmod(fd, mode) == 0;
	for (size_t at = 0; ok && at < len;) {
		ssize_t w = write(fd, text + at, len - at);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		at += ok ? (size_t)w : 0;
	}
	int saved = errno;
	if (fd >= 0 && close(fd) != 0 && ok) {
		ok = 0;
		saved = errno;
	}
	if (!ok) {
		fprintf(err, "ikesim certs: cannot write %s: %s\n", path, strerror(saved));
		return -1;
	}
	fprintf(out, "wrote %s\n", path);
	return 0;
}

static int write_pair(const char *dir, const char *name, const cli_pem *p, FILE *out, FILE *err)
{
	if (write_file(dir, name, "pem", p->cert, p->cert_len, 0644, out, err) != 0)
		return -1;
	return write_file(dir, name, "key", p->key, p->key_len, 0600, out, err);
}

static int make_all(const certs_args *a, FILE *out, FILE *err)
{
	char e[256];
	cli_pem pem;
	cli_certgen *g = cli_certgen_new(&a->ks, "ikesim test CA", a->days, e, sizeof(e));
	if (!g) {
		fprintf(err, "ikesim certs: %s\n", e);
		return CLI_ERR;
	}
	int rc = cli_certgen_ca(g, &pem, e, sizeof(e));
	if (rc == 0) {
		rc = write_pair(a->out, "ca", &pem, out, err);
		cli_pem_free(&pem);
	} else
		fprintf(err, "ikesim certs: %s\n", e);
	for (int i = 0; rc == 0 && i < a->n; i++) {
		rc = cli_certgen_issue(g, a->names[i], &pem, e, sizeof(e));
		if (rc != 0) {
			fprintf(err, "ikesim certs: %s: %s\n", a->names[i], e);
			break;
		}
		rc = write_pair(a->out, a->names[i], &pem, out, err);
		cli_pem_free(&pem);
	}
	cli_certgen_free(g);
	return rc == 0 ? CLI_OK : CLI_ERR;
}

int cli_certs(int argc, char **argv, FILE *out, FILE *err)
{
	certs_args a;
	int rc = parse_args(argc, argv, &a, err);
	if (rc == 1) {
		certs_usage(out);
		return CLI_OK;
	}
	if (rc != 0)
		return CLI_USAGE;
	if (mkdir(a.out, 0755) != 0 && errno != EEXIST) {
		fprintf(err, "ikesim certs: cannot create %s: %s\n", a.out, strerror(errno));
		return CLI_ERR;
	}
	return make_all(&a, out, err);
}
