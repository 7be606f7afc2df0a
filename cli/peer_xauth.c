/*
 * `ikesim peer --ike 1` as an XAUTH road warrior or gateway: the client's password from --xauth-password-file or
 * IKESIM_XAUTH_PASSWORD (never a command-line value: `ps` would show it), the gateway's users from
 * --xauth-users FILE (`user:password` lines, '#' comments), --pool CIDR for Mode Config, --modecfg on the client.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "peer.h"

#define USERS_FILE_MAX 65536u
#define USERS_MAX 1024u

/* A private file's (or pipe's) bytes into a fresh buffer of at most cap bytes (warns when others may read it). */
static char *read_private(const char *flag, const char *path, size_t cap, size_t *len, FILE *warn, char *err,
			  size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))) {
		snprintf(err, errlen, "%s %s: %s", flag, path, fd < 0 || errno ? strerror(errno) : "not a file or a pipe");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)))
		fprintf(warn, "ikesim peer: warning: %s %s can be read or changed by other users (mode %04o); chmod 600 it\n",
			flag, path, (unsigned)(st.st_mode & 07777));
	char *b = malloc(cap + 1);
	size_t n = 0;
	while (b && n <= cap) {
		ssize_t k = read(fd, b + n, cap + 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	if (!b || n > cap) {
		snprintf(err, errlen, "%s %s: %s", flag, path, b ? "too long" : "out of memory");
		if (b)
			OPENSSL_clear_free(b, cap + 1);
		return NULL;
	}
	b[n] = 0;
	*len = n;
	return b;
}

/* 1..IKE_XAUTH_MAX bytes; a name has no control characters (nor ':' in the file format). */
static const char *bad_cred(const char *s, size_t n, bool name)
{
	if (n == 0 || n > IKE_XAUTH_MAX)
		return name ? "the user name must be 1 to 128 bytes" : "the password must be 1 to 128 bytes";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || (name && s[i] == ':'))
			return name ? "a control character or ':' in the user name" : "a control character in the password";
	return NULL;
}

static int load_password(const peer_args *a, peer_cred_files *cf, FILE *warn, char *err, size_t errlen)
{
	size_t n = 0;
	char *b;
	if (a->xauth_password_file) {
		if (!(b = read_private("--xauth-password-file", a->xauth_password_file, IKE_XAUTH_MAX + 2, &n, warn, err,
				       errlen)))
			return -1;
		if (n && b[n - 1] == '\n') /* `echo pass > f` means "pass" */
			n -= 1 + (n > 1 && b[n - 2] == '\r');
	} else {
		n = strlen(a->xauth_password_env);
		if (!(b = malloc(n + 1)))
			return snprintf(err, errlen, "IKESIM_XAUTH_PASSWORD: out of memory"), -1;
		memcpy(b, a->xauth_password_env, n + 1);
	}
	const char *why = bad_cred(b, n, false);
	if (why) {
		snprintf(err, errlen, "%s: %s", a->xauth_password_file ? "--xauth-password-file" : "IKESIM_XAUTH_PASSWORD",
			 why);
		OPENSSL_clear_free(b, n + 1);
		return -1;
	}
	cf->xauth_password = (uint8_t *)b;
	cf->xauth_password_len = n;
	return 0;
}

/* One `user:password` line (cut in place); blank lines and '#' comments are skipped. 0, or -1 + err. */
static int take_line(const char *path, size_t lineno, char *line, peer_cred_files *cf, char *err, size_t errlen)
{
	size_t n = strlen(line);
	if (n && line[n - 1] == '\r')
		line[--n] = 0;
	if (!n || line[0] == '#')
		return 0;
	char *colon = strchr(line, ':');
	const char *why = !colon ? "expected user:password" : cf->n_xauth_users >= USERS_MAX ? "more than 1024 users" : NULL;
	if (!why && !(why = bad_cred(line, (size_t)(colon - line), true)))
		why = bad_cred(colon + 1, strlen(colon + 1), false);
	for (size_t i = 0; !why && i < cf->n_xauth_users; i++)
		if (strlen(cf->xauth_users[i].user) == (size_t)(colon - line) &&
		    !memcmp(cf->xauth_users[i].user, line, (size_t)(colon - line)))
			why = "this user is already listed";
	if (why) {
		snprintf(err, errlen, "--xauth-users %s:%zu: %s", path, lineno, why);
		return -1;
	}
	*colon = 0;
	cf->xauth_users[cf->n_xauth_users++] = (ike_xauth_user){ .user = line, .password = (const uint8_t *)colon + 1,
								 .password_len = strlen(colon + 1) };
	return 0;
}

static int load_users(const peer_args *a, peer_cred_files *cf, FILE *warn, char *err, size_t errlen)
{
	size_t n = 0;
	if (!(cf->xauth_file = read_private("--xauth-users", a->xauth_users, USERS_FILE_MAX, &n, warn, err, errlen)))
		return -1;
	cf->xauth_file_len = n + 1;
	if (memchr(cf->xauth_file, 0, n)) {
		snprintf(err, errlen, "--xauth-users %s: a NUL byte in the file", a->xauth_users);
		return -1;
	}
	if (!(cf->xauth_users = calloc(USERS_MAX, sizeof(*cf->xauth_users)))) {
		snprintf(err, errlen, "--xauth-users: out of memory");
		return -1;
	}
	size_t lineno = 0;
	for (char *p = cf->xauth_file, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		if (take_line(a->xauth_users, ++lineno, p, cf, err, errlen) != 0)
			return -1;
	}
	if (!cf->n_xauth_users) {
		snprintf(err, errlen, "--xauth-users %s: no user:password line", a->xauth_users);
		return -1;
	}
	return 0;
}

int peer_xauth_load(const peer_args *a, peer_cred_files *cf, FILE *warn, char *err, size_t errlen)
{
	if (a->xauth_user && !a->xauth_password_file && !a->xauth_password_env) {
		snprintf(err, errlen, "--xauth-user needs --xauth-password-file FILE or IKESIM_XAUTH_PASSWORD "
				      "(never a password on the command line)");
		return -1;
	}
	if (a->xauth_user && load_password(a, cf, warn, err, errlen) != 0)
		return -1;
	return a->xauth_users ? load_users(a, cf, warn, err, errlen) : 0;
}

static int parse_pool(const char *text, ike_conn_cfg *c, char *err, size_t errlen)
{
	char host[INET_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	char *end = NULL;
	long pl = slash ? strtol(slash + 1, &end, 10) : -1;
	size_t hl = slash ? (size_t)(slash - text) : 0;
	if (!slash || hl == 0 || hl >= sizeof(host) || !end || *end || slash[1] < '0' || slash[1] > '9') {
		snprintf(err, errlen, "--pool '%s': expected an IPv4 prefix like 10.3.0.0/24", text);
		return -1;
	}
	memcpy(host, text, hl);
	host[hl] = 0;
	if (inet_pton(AF_INET, host, c->pool) != 1 || pl < 16 || pl > 32) {
		snprintf(err, errlen, "--pool '%s': an IPv4 prefix of /16 to /32", text);
		return -1;
	}
	c->pool_prefix = (uint8_t)pl;
	return 0;
}

int peer_xauth_apply(const peer_args *a, const peer_cred_files *cf, ike_conn_cfg *c, char *err, size_t errlen)
{
	bool client = a->xauth_user || a->modecfg, gw = a->xauth_users || a->pool;
	if (!client && !gw)
		return 0;
	const char *why = c->version != 1 ? "XAUTH and Mode Config need --ike 1"
			  : client && gw ? "--xauth-user/--modecfg (client) and --xauth-users/--pool (gateway) exclude each other"
			  : a->xauth_user && bad_cred(a->xauth_user, strlen(a->xauth_user), true)
				  ? "--xauth-user: 1 to 128 bytes, no control characters or ':'"
			  : (a->xauth_user || a->xauth_users) && !cf->psk ? "XAUTH here goes with a PSK (XAUTHInitPreShared)"
			  : client && !a->initiate ? "an XAUTH or Mode Config client initiates (--initiate)"
							  : NULL;
	if (why) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	c->xauth_user = a->xauth_user;
	c->xauth_password = cf->xauth_password;
	c->xauth_password_len = cf->xauth_password_len;
	c->xauth_users = cf->xauth_users;
	c->n_xauth_users = cf->n_xauth_users;
	c->modecfg = a->modecfg;
	return a->pool ? parse_pool(a->pool, c, err, errlen) : 0;
}

void peer_xauth_free(peer_cred_files *cf)
{
	if (cf->xauth_password)
		OPENSSL_clear_free(cf->xauth_password, cf->xauth_password_len + 1);
	if (cf->xauth_file)
		OPENSSL_clear_free(cf->xauth_file, cf->xauth_file_len);
	free(cf->xauth_users);
	cf->xauth_password = NULL;
	cf->xauth_file = NULL;
	cf->xauth_users = NULL;
}
