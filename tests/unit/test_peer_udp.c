/*
 * `ikesim peer` as real processes on 127.0.0.1: two peers establish and delete, a wrong PSK fails on both
 * sides, and 10,000 junk datagrams do not stop a responder from serving. The binary comes from
 * $IKESIM_BIN (the Makefile sets it); every child gets a hard time limit and only our own PIDs are killed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testfs.h"
#include "test_list.h.in"

extern char **environ;

#define PU_IKE "aes128gcm16-prfsha256-x25519"
#define PU_ESP "aes128gcm16"

typedef struct pu_proc {
	pid_t pid;
	char out[128], err[128]; /* files holding its stdout and stderr */
} pu_proc;

typedef struct pu_env {
	const char *bin;
	char dir[64];
	uint16_t port_i, port_r;
} pu_env;

static void pu_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int pu_bind(uint16_t port, uint16_t *got)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	socklen_t sl = sizeof(sa);
	if (got && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		*got = ntohs(sa.sin_port);
	return fd;
}

/* A port the kernel just handed out and we released: free unless something races us for it. */
static uint16_t pu_free_port(void)
{
	uint16_t p = 0;
	int fd = pu_bind(0, &p);
	assert_true(fd >= 0);
	close(fd);
	return p;
}

/* Waits until a child bound `port` (our own bind then fails); false after ~5 s. */
static bool pu_wait_bound(uint16_t port)
{
	for (int i = 0; i < 500; i++) {
		int fd = pu_bind(port, NULL);
		if (fd < 0 && errno == EADDRINUSE)
			return true;
		if (fd >= 0)
			close(fd);
		pu_sleep_ms(10);
	}
	return false;
}

static bool pu_setup(pu_env *e)
{
	e->bin = getenv("IKESIM_BIN");
	if (!e->bin || !*e->bin) {
		print_message("IKESIM_BIN not set: skipping the `ikesim peer` process test (make test sets it)\n");
		return false;
	}
	snprintf(e->dir, sizeof(e->dir), "/tmp/ikesim-peer-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	e->port_i = pu_free_port();
	do
		e->port_r = pu_free_port();
	while (e->port_r == e->port_i);
	return true;
}

static void pu_spawn(pu_proc *p, const pu_env *e, const char *name, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	snprintf(p->out, sizeof(p->out), "%s/%s.out", e->dir, name);
	snprintf(p->err, sizeof(p->err), "%s/%s.err", e->dir, name);
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	posix_spawn_file_actions_addopen(&fa, 1, p->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, p->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int rc = posix_spawn(&p->pid, e->bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		fail_msg("cannot start %s: %s", e->bin, strerror(rc));
}

/* Exit status of our child; past `limit_ms` it is killed (this PID only) and the test fails. */
static int pu_wait(pu_proc *p, long limit_ms)
{
	int st = 0;
	for (long waited = 0;; waited += 10) {
		pid_t r = waitpid(p->pid, &st, WNOHANG);
		if (r == p->pid)
			break;
		if (waited >= limit_ms) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &st, 0);
			fail_msg("ikesim peer (pid %d) still running after %ld ms: killed", (int)p->pid, limit_ms);
		}
		pu_sleep_ms(10);
	}
	if (!WIFEXITED(st))
		fail_msg("ikesim peer (pid %d) died from signal %d", (int)p->pid, WTERMSIG(st));
	return WEXITSTATUS(st);
}


static bool pu_file_has(const char *path, const char *needle)
{
	char *s = tfs_read(path, NULL);
	bool yes = s && strstr(s, needle) != NULL;
	if (!yes)
		print_message("%s lacks '%s'; it holds:\n%.2000s\n", path, needle, s ? s : "");
	free(s);
	return yes;
}

static void pu_show(const char *path)
{
	char *s = tfs_read(path, NULL);
	print_message("%s: %.2000s\n", path, s ? s : "");
	free(s);
}

static void pu_cleanup(const pu_env *e)
{
	static const char *const files[] = { "i.out", "i.err", "r.out", "r.err", "i.trace", "r.trace" };
	char path[128];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", e->dir, files[i]);
		unlink(path);
	}
	rmdir(e->dir);
}

typedef struct pu_args {
	char local[32], remote[32], trace[128];
	char *argv[40];
} pu_args;

/* argv for one side; timeout NULL = the default; trace adds --trace DIR/{i,r}.trace. */
static char *const *pu_argv(pu_args *a, const pu_env *e, bool initiator, const char *psk, const char *timeout,
			    bool trace)
{
	size_t n = 0;
	snprintf(a->local, sizeof(a->local), "127.0.0.1:%u", initiator ? e->port_i : e->port_r);
	snprintf(a->remote, sizeof(a->remote), "127.0.0.1:%u", initiator ? e->port_r : e->port_i);
	snprintf(a->trace, sizeof(a->trace), "%s/%s.trace", e->dir, initiator ? "i" : "r");
	const char *fixed[] = { "ikesim", "peer", "--local", a->local, "--remote", a->remote, "--ike", "2",
				"--proposals", PU_IKE, "--esp-proposals", PU_ESP, "--psk", psk,
				"--id", initiator ? "a.example" : "b.example",
				"--remote-id", initiator ? "b.example" : "a.example",
				"--local-ts", initiator ? "10.1.0.0/16" : "10.2.0.0/16",
				"--remote-ts", initiator ? "10.2.0.0/16" : "10.1.0.0/16" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		a->argv[n++] = (char *)fixed[i];
	if (initiator) {
		a->argv[n++] = "--initiate";
		a->argv[n++] = "--hold";
		a->argv[n++] = "0";
	}
	if (timeout) {
		a->argv[n++] = "--timeout";
		a->argv[n++] = (char *)timeout;
	}
	if (trace) {
		a->argv[n++] = "--trace";
		a->argv[n++] = a->trace;
	}
	a->argv[n] = NULL;
	return a->argv;
}

static void pu_start_responder(pu_proc *r, const pu_env *e, pu_args *ra, const char *psk, const char *timeout,
			       bool trace)
{
	pu_spawn(r, e, "r", pu_argv(ra, e, false, psk, timeout, trace));
	if (!pu_wait_bound(e->port_r)) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		fail_msg("the responder never bound port %u", e->port_r);
	}
}

static void peer_processes_establish_and_delete(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	pu_start_responder(&r, &e, &ra, "sesame", "10", true);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", true));
	int irc = pu_wait(&i, 20000);
	int rrc = pu_wait(&r, 20000);
	char ti[128], tr[128];
	snprintf(ti, sizeof(ti), "%s/i.trace", e.dir);
	snprintf(tr, sizeof(tr), "%s/r.trace", e.dir);
	if (irc != 0 || rrc != 0)
		print_message("initiator %d, responder %d\n", irc, rrc), pu_show(i.err), pu_show(r.err);
	assert_int_equal(irc, 0);
	assert_int_equal(rrc, 0);
	assert_true(pu_file_has(i.out, "established"));
	assert_true(pu_file_has(r.out, "established"));
	for (int k = 0; k < 2; k++) {
		const char *t = k ? tr : ti;
		assert_true(pu_file_has(t, "\"to\":\"ESTABLISHED\""));
		assert_true(pu_file_has(t, "\"to\":\"INSTALLED\""));
		assert_true(pu_file_has(t, "INFORMATIONAL request 2 [ D ]"));
		assert_true(pu_file_has(t, "\"non-esp-marker\":true"));
	}
	pu_cleanup(&e);
}

static void peer_processes_wrong_psk_fail(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	pu_start_responder(&r, &e, &ra, "right", "3", false);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "wrong", "10", false));
	int irc = pu_wait(&i, 15000);
	int rrc = pu_wait(&r, 15000);
	assert_int_not_equal(irc, 0);
	assert_int_not_equal(rrc, 0);
	assert_true(pu_file_has(i.err, "AUTHENTICATION_FAILED"));
	assert_true(pu_file_has(r.err, "AUTHENTICATION_FAILED"));
	pu_cleanup(&e);
}

/* xorshift64*: reproducible junk. */
static uint64_t pu_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* One junk datagram: random bytes, a marker + mutated IKE header, a keepalive, or an ESP-looking one. */
static size_t pu_junk(uint64_t *s, uint8_t *d, size_t cap)
{
	size_t len = (size_t)(pu_rand(s) % (cap + 1));
	for (size_t k = 0; k < len; k++)
		d[k] = (uint8_t)pu_rand(s);
	switch (pu_rand(s) % 8) {
	case 0:
		d[0] = 0xFF;
		return 1;
	case 1: case 2: case 3:
		if (len < 4 + 28)
			len = 4 + 28;
		memset(d, 0, 4);                                    /* non-ESP marker */
		d[4 + 17] = 0x20;                                   /* version 2.0 */
		d[4 + 18] = (uint8_t)(34 + pu_rand(s) % 4);         /* IKE_SA_INIT .. INFORMATIONAL */
		d[4 + 19] = (uint8_t)(pu_rand(s) % 2 ? 0x08 : 0x20); /* I or R flag */
		if (pu_rand(s) % 2)
			memset(d + 4 + 8, 0, 8 + 4);               /* SPIr and message ID 0, as in IKE_SA_INIT */
		uint32_t ikelen = (uint32_t)(pu_rand(s) % 4 ? len - 4 : pu_rand(s) % 2000);
		d[4 + 24] = (uint8_t)(ikelen >> 24), d[4 + 25] = (uint8_t)(ikelen >> 16);
		d[4 + 26] = (uint8_t)(ikelen >> 8), d[4 + 27] = (uint8_t)ikelen;
		d[4 + pu_rand(s) % 28] ^= (uint8_t)(1u << (pu_rand(s) % 8)); /* one mutated header bit */
		return len;
	default:
		return len;
	}
}

static void peer_process_survives_10000_junk_datagrams(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	pu_start_responder(&r, &e, &ra, "sesame", "20", false);
	uint16_t junk_port;
	int fd = pu_bind(0, &junk_port);
	assert_true(fd >= 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(e.port_r) };
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	uint8_t d[1500];
	uint64_t seed = 0x1cebeef5eed5ULL;
	for (int k = 0; k < 10000; k++) {
		size_t n = pu_junk(&seed, d, sizeof(d));
		(void)sendto(fd, d, n, 0, (struct sockaddr *)&to, sizeof(to));
		if (k % 100 == 99)
			pu_sleep_ms(1); /* let it read: the point is that it parses them, not that the kernel drops them */
	}
	close(fd);
	assert_int_equal(waitpid(r.pid, NULL, WNOHANG), 0); /* still serving */
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", false));
	int irc = pu_wait(&i, 20000);
	kill(r.pid, SIGTERM);
	int rrc = pu_wait(&r, 10000);
	if (irc != 0 || rrc != 0)
		print_message("initiator %d, responder %d\n", irc, rrc), pu_show(i.err), pu_show(r.err);
	assert_int_equal(irc, 0);
	assert_int_equal(rrc, 0);
	assert_true(pu_file_has(r.out, "established"));
	assert_true(pu_file_has(r.out, "ESP-in-UDP"));
	pu_cleanup(&e);
}

size_t tests_peer_udp(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(peer_processes_establish_and_delete),
		cmocka_unit_test(peer_processes_wrong_psk_fail),
		cmocka_unit_test(peer_process_survives_10000_junk_datagrams),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
