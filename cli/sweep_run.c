/* Running the job list: GNU parallel here and now, or a Slurm job array script for a cluster. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "host/afile.h"
#include "sweep.h"

int sweep_write_sbatch(const sweep_spec *s, const sweep_plan *p, FILE *err)
{
	char path[4200], msg[600];
	if (strpbrk(p->dir, " \t\n'\"\\$`%")) {
		fprintf(err, "ikesim sweep: --runner slurm: '%s' has a character #SBATCH lines cannot carry "
			     "(space, quote, backslash, $, `, %%): choose another -o DIR\n", p->dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/sweep.sbatch", p->dir);
	ike_host_afile *a = ike_host_afile_open(path, "Slurm script", msg, sizeof(msg));
	if (!a) {
		fprintf(err, "ikesim sweep: %s\n", msg);
		return -1;
	}
	FILE *f = ike_host_afile_stream(a);
	fprintf(f, "#!/bin/sh\n"
		   "# ikesim sweep of %s: a Slurm job array, task i runs line i of jobs.txt (docs/sweep.md).\n"
		   "# Submit: sbatch %s    When every task is done: ikesim sweep merge %s\n",
		s->file, path, p->dir);
	fprintf(f, "#SBATCH --job-name=ikesim-sweep\n#SBATCH --array=1-%zu", s->n_points);
	if (p->jobs)
		fprintf(f, "%%%u", p->jobs); /* at most this many tasks at once */
	fprintf(f, "\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n#SBATCH --output=%s/log/slurm-%%a.txt\n", p->dir);
	fprintf(f, "line=$(sed -n \"${SLURM_ARRAY_TASK_ID:?not a Slurm array task}p\" %s/jobs.txt)\n"
		   "[ -n \"$line\" ] || { echo \"sweep.sbatch: no job $SLURM_ARRAY_TASK_ID in %s/jobs.txt\" >&2; exit 1; }\n"
		   "exec /bin/sh -c \"$line\"\n",
		p->dir, p->dir);
	if (ike_host_afile_close(a, 1) != 0) {
		fprintf(err, "ikesim sweep: writing %s failed\n", path);
		return -1;
	}
	if (chmod(path, 0755) != 0)
		fprintf(err, "ikesim sweep: note: cannot make %s executable: %s\n", path, strerror(errno));
	if (s->n_points > 1000)
		fprintf(err, "ikesim sweep: note: %zu tasks: Slurm's default MaxArraySize (1001) allows task ids up to 1000; "
			     "ask your admin or split the sweep\n", s->n_points);
	return 0;
}

/* The child: parallel over jobs.txt, stdout into the pipe, stderr into DIR/parallel.log. Never returns. */
static void exec_parallel(const char *bin, const sweep_plan *p, int out_fd, int log_fd)
{
	char jobs[32], list[4200], joblog[4200];
	snprintf(jobs, sizeof(jobs), "%u", p->jobs ? p->jobs : 1);
	snprintf(list, sizeof(list), "%s/jobs.txt", p->dir);
	snprintf(joblog, sizeof(joblog), "%s/joblog.tsv", p->dir);
	if (dup2(out_fd, 1) < 0 || dup2(log_fd, 2) < 0)
		_exit(126);
	setenv("PARALLEL_SHELL", "/bin/sh", 1); /* the job lines are POSIX sh whatever the user's shell is */
	execlp(bin, bin, "--will-cite", "--jobs", jobs, "--halt", "never", "--joblog", joblog, "-a", list,
	       (char *)NULL);
	_exit(127);
}

/* Reads "NNNN STATUS" lines as jobs end and says so on err; counts them. */
static void follow(FILE *in, const sweep_spec *s, const sweep_plan *p, FILE *err, size_t *done, size_t *bad)
{
	char line[128];
	while (fgets(line, sizeof(line), in)) {
		unsigned long job = 0;
		int st = -1;
		if (sscanf(line, "%lu %d", &job, &st) != 2)
			continue;
		(*done)++;
		*bad += st != 0 && st != CLI_EXPECT_FAILED;
		fprintf(err, "ikesim sweep: %zu/%zu done: job %0*lu %s", *done, s->n_points, p->width, job,
			st == 0 ? "ok" : st == CLI_EXPECT_FAILED ? "ran, an expectation failed" : "FAILED");
		if (st != 0 && st != CLI_EXPECT_FAILED)
			fprintf(err, " (exit %d, see %s/log/%0*lu.txt)", st, p->dir, p->width, job);
		fputc('\n', err);
		fflush(err);
	}
}

int sweep_run_parallel(const sweep_spec *s, const sweep_plan *p, FILE *err)
{
	const char *bin = getenv("IKESIM_PARALLEL");
	char logp[4200];
	int fds[2];
	bin = bin && bin[0] ? bin : "parallel";
	snprintf(logp, sizeof(logp), "%s/parallel.log", p->dir);
	int log_fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (log_fd < 0 || pipe(fds) != 0) {
		fprintf(err, "ikesim sweep: cannot start parallel: %s\n", strerror(errno));
		if (log_fd >= 0)
			close(log_fd);
		return -1;
	}
	fflush(err);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		exec_parallel(bin, p, fds[1], log_fd);
	}
	close(fds[1]);
	close(log_fd);
	if (pid < 0) {
		close(fds[0]);
		fprintf(err, "ikesim sweep: cannot start parallel: %s\n", strerror(errno));
		return -1;
	}
	size_t done = 0, bad = 0;
	FILE *in = fdopen(fds[0], "r");
	if (in)
		follow(in, s, p, err, &done, &bad);
	in ? fclose(in) : close(fds[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			fprintf(err, "ikesim sweep: waiting for parallel: %s\n", strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && !done) {
		fprintf(err, "ikesim sweep: cannot run '%s': the parallel runner needs GNU parallel (Debian's "
			     "'parallel'; 'make deps' installs it), or use --runner none and run %s/jobs.txt yourself\n",
			bin, p->dir);
		return -1;
	}
	if (done < s->n_points) {
		fprintf(err, "ikesim sweep: only %zu of %zu jobs ran (parallel %s %d; see %s)\n", done, s->n_points,
			WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), logp);
		return -1;
	}
	return bad ? 1 : 0;
}
