/* `ikesim peer` child processes for the process tests; only our own PIDs are ever signalled. */
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

#include "peerproc.h"
#include "testfs.h"

extern char **environ;

void pu_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int pu_bind(uint16_t port, uint16_t *got)
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
uint16_t pu_free_port(void)
{
	uint16_t p = 0;
	int fd = pu_bind(0, &p);
	assert_true(fd >= 0);
	close(fd);
	return p;
}

/* Waits until a child bound `port` (our own bind then fails); false after ~5 s. */
bool pu_wait_bound(uint16_t port)
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

bool pu_setup(pu_env *e)
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

void pu_spawn(pu_proc *p, const pu_env *e, const char *name, char *const argv[])
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
int pu_wait(pu_proc *p, long limit_ms)
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


bool pu_file_has(const char *path, const char *needle)
{
	char *s = tfs_read(path, NULL);
	bool yes = s && strstr(s, needle) != NULL;
	if (!yes)
		print_message("%s lacks '%s'; it holds:\n%.2000s\n", path, needle, s ? s : "");
	free(s);
	return yes;
}

void pu_show(const char *path)
{
	char *s = tfs_read(path, NULL);
	print_message("%s: %.2000s\n", path, s ? s : "");
	free(s);
}

int pu_stop(pu_proc *p, long limit_ms)
{
	kill(p->pid, SIGTERM);
	return pu_wait(p, limit_ms);
}

static void both_ok(pu_proc *i, pu_proc *r, long i_ms, long r_ms, bool stop, const char *also, const char *needle)
{
	int irc = pu_wait(i, i_ms);
	int rrc = stop ? pu_stop(r, r_ms) : pu_wait(r, r_ms);
	if (irc == 0 && rrc == 0 && (!also || pu_file_has(also, needle)))
		return;
	print_message("initiator %d, responder %d\n", irc, rrc);
	pu_show(i->err);
	pu_show(r->err);
	if (also)
		pu_show(also);
	assert_int_equal(irc, 0);
	assert_int_equal(rrc, 0);
	assert_true(pu_file_has(also, needle));
}

void pu_wait_both_ok(pu_proc *i, pu_proc *r, long i_ms, long r_ms, const char *also, const char *needle)
{
	both_ok(i, r, i_ms, r_ms, false, also, needle);
}

void pu_wait_then_stop_ok(pu_proc *i, pu_proc *r, long i_ms, long r_ms)
{
	both_ok(i, r, i_ms, r_ms, true, NULL, NULL);
}

void pu_cleanup(const pu_env *e)
{
	static const char *const files[] = { "i.out", "i.err", "r.out", "r.err", "i.trace", "r.trace" };
	char path[128];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", e->dir, files[i]);
		unlink(path);
	}
	rmdir(e->dir);
}

/* argv for one side; timeout NULL = the default; trace adds --trace DIR/{i,r}.trace. */
char *const *pu_argv(pu_args *a, const pu_env *e, bool initiator, const char *psk, const char *timeout,
			    bool trace, const char *const *extra)
{
	size_t n = 0;
	snprintf(a->local, sizeof(a->local), "127.0.0.1:%u", initiator ? e->port_i : e->port_r);
	snprintf(a->remote, sizeof(a->remote), "127.0.0.1:%u", initiator ? e->port_r : e->port_i);
	snprintf(a->trace, sizeof(a->trace), "%s/%s.trace", e->dir, initiator ? "i" : "r");
	const char *fixed[] = { "ikesim", "peer", "--local", a->local, "--remote", a->remote, "--ike", "2",
				"--proposals", PU_IKE, "--esp-proposals", PU_ESP,
				"--id", initiator ? "a.example" : "b.example",
				"--remote-id", initiator ? "b.example" : "a.example",
				"--local-ts", initiator ? "10.1.0.0/16" : "10.2.0.0/16",
				"--remote-ts", initiator ? "10.2.0.0/16" : "10.1.0.0/16" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		a->argv[n++] = (char *)fixed[i];
	if (psk) {
		a->argv[n++] = "--psk";
		a->argv[n++] = (char *)psk;
	}
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
	for (size_t i = 0; extra && extra[i] && n + 1 < sizeof(a->argv) / sizeof(a->argv[0]); i++)
		a->argv[n++] = (char *)extra[i];
	a->argv[n] = NULL;
	return a->argv;
}

void pu_start_responder(pu_proc *r, const pu_env *e, pu_args *ra, const char *psk, const char *timeout,
			       bool trace, const char *const *extra)
{
	pu_spawn(r, e, "r", pu_argv(ra, e, false, psk, timeout, trace, extra));
	if (!pu_wait_bound(e->port_r)) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		fail_msg("the responder never bound port %u", e->port_r);
	}
}

