/* gnuplot as a child process: the generated script from a temp file, the picture back from its stdout. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storm_int.h"

#define MAX_PICTURE (64u << 20)

/* A temp file named from TMPDIR; its fd, or -1. */
static int temp_file(char *name, size_t cap, const char *tag)
{
	const char *dir = getenv("TMPDIR");
	snprintf(name, cap, "%s/ikesim-storm-%s-XXXXXX", dir && dir[0] ? dir : "/tmp", tag);
	return mkstemp(name);
}

/* The whole of fd (from its start) appended to b; 0 or -1. */
static int slurp(int fd, viz_buf *b)
{
	char buf[65536];
	ssize_t k;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	while ((k = read(fd, buf, sizeof(buf))) > 0) {
		if (b->len + (size_t)k > MAX_PICTURE)
			return -1;
		viz_buf_put(b, buf, (size_t)k);
	}
	return k < 0 || b->oom ? -1 : 0;
}

/* Runs `gnuplot -d SCRIPT` (-d: no init files, so a user's ~/.gnuplot cannot change the picture). */
static int run_gnuplot(const char *script, int out_fd, int err_fd, char *msg, size_t n)
{
	const char *bin = getenv("IKESIM_GNUPLOT");
	bin = bin && bin[0] ? bin : "gnuplot";
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(msg, n, "cannot start gnuplot: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
			_exit(126);
		execlp(bin, bin, "-d", script, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(msg, n, "waiting for gnuplot: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		snprintf(msg, n, "cannot run '%s': gnuplot draws the storm plots; install Debian's gnuplot-nox "
			 "('make deps' does)", bin);
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char e[200] = "";
		ssize_t k = lseek(err_fd, 0, SEEK_SET) == 0 ? read(err_fd, e, sizeof(e) - 1) : 0;
		e[k > 0 ? k : 0] = 0;
		for (char *p = e; *p; p++)
			*p = *p == '\n' ? ' ' : *p;
		snprintf(msg, n, "gnuplot failed (%s %d): %s", WIFEXITED(st) ? "exit" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), e);
		return -1;
	}
	return 0;
}

int viz_storm(const char *metrics, viz_format fmt, viz_buf *out, char *msg, size_t n)
{
	storm_data d;
	viz_buf script = { 0 };
	char sname[512], oname[512], ename[512];
	int fds[3] = { -1, -1, -1 }, rc = -1;
	if (fmt != VIZ_FMT_SVG && fmt != VIZ_FMT_PNG) {
		snprintf(msg, n, "the storm plot is drawn as .svg or .png");
		return -1;
	}
	if (viz_storm_load(&d, metrics, msg, n) != 0)
		return -1;
	viz_storm_script(&d, fmt, &script);
	viz_storm_free(&d);
	if ((fds[0] = temp_file(sname, sizeof(sname), "plt")) < 0 || (fds[1] = temp_file(oname, sizeof(oname), "out")) < 0 ||
	    (fds[2] = temp_file(ename, sizeof(ename), "err")) < 0) {
		snprintf(msg, n, "cannot create a temp file for gnuplot: %s", strerror(errno));
		goto done;
	}
	if (script.oom || write(fds[0], script.p, script.len) != (ssize_t)script.len) {
		snprintf(msg, n, "cannot write gnuplot's script to %s", sname);
		goto done;
	}
	if (run_gnuplot(sname, fds[1], fds[2], msg, n) != 0)
		goto done;
	if (slurp(fds[1], out) != 0 || !out->len) {
		snprintf(msg, n, "gnuplot wrote no picture (or one over 64 MiB)");
		goto done;
	}
	rc = 0;
done:
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			unlink(i == 0 ? sname : i == 1 ? oname : ename);
		}
	viz_buf_free(&script);
	return rc;
}
