/* `ikesim sweep SPEC -o DIR` and `ikesim sweep merge DIR`: a parameter grid as independent jobs, then one table. */
#define _XOPEN_SOURCE 700 /* realpath(3) */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "sweep.h"

static void sweep_usage(FILE *f)
{
	fprintf(f, "usage: ikesim sweep SPEC -o DIR [--runner parallel|slurm|none] [--jobs N] [--ikesim PATH]\n"
		   "       ikesim sweep merge DIR [-o TABLE.csv|TABLE.json] [--plot FILE.svg|FILE.png\n"
		   "                              [--x PARAM] [--y COLUMN] [--by PARAM] [--logx]]\n\n"
		   "A parameter sweep (docs/sweep.md): SPEC names a base scenario, the fields to vary and the values\n"
		   "each takes, and the result columns to keep; every point of the grid becomes DIR/jobs/NNNN.json,\n"
		   "one line of DIR/jobs.txt runs it (`ikesim run JOB --quiet --metrics DIR/out/NNNN.json`).\n"
		   "  --runner R   parallel (default): GNU parallel runs the jobs now, progress on stderr;\n"
		   "               slurm: write DIR/sweep.sbatch, a Slurm job array (submit it with sbatch);\n"
		   "               none: only write the jobs (run DIR/jobs.txt with any tool)\n"
		   "  --jobs N     jobs at once (parallel: default the number of CPUs; slurm: the array's limit)\n"
		   "  --ikesim P   the ikesim binary the jobs run (default: this one)\n"
		   "merge gathers every job's parameters and results into one table (default DIR/table.csv);\n"
		   "failed and missing jobs stay in it with their status and are listed on stderr.\n"
		   "  --plot F     a gnuplot chart of column --y (default the first) against parameter --x (default\n"
		   "               the first), one line per value of parameter --by; points that share x and\n"
		   "               group are drawn as their mean with the min and max as error bars;\n"
		   "               --logx: a logarithmic x axis\n"
		   "Exit: 0 every job ran (an expectation failing is a result), 1 a job failed or is missing, 2 bad input.\n");
}

typedef struct sweep_args {
	const char *spec, *dir, *bin, *runner;
	unsigned jobs;
} sweep_args;

/* The value after argv[*i], or NULL after an error line. */
static const char *value(int argc, char **argv, int *i, FILE *err)
{
	if (*i + 1 >= argc || !argv[*i + 1][0]) {
		fprintf(err, "ikesim sweep: %s needs a value\n", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

/* 0, 1 for --help, -1 after one error line. */
static int parse_run_args(int argc, char **argv, sweep_args *a, FILE *err)
{
	memset(a, 0, sizeof(*a));
	a->runner = "parallel";
	for (int i = 1; i < argc; i++) {
		const char *v = argv[i], *x;
		if (!strcmp(v, "--help") || !strcmp(v, "-h"))
			return 1;
		if (!strcmp(v, "-o") || !strcmp(v, "--runner") || !strcmp(v, "--ikesim") || !strcmp(v, "--jobs")) {
			if (!(x = value(argc, argv, &i, err)))
				return -1;
			if (v[1] == 'o')
				a->dir = x;
			else if (v[2] == 'r')
				a->runner = x;
			else if (v[2] == 'i')
				a->bin = x;
			else {
				char *end;
				unsigned long n = strtoul(x, &end, 10);
				if (*end || x[0] < '0' || x[0] > '9' || n < 1 || n > 4096) {
					fprintf(err, "ikesim sweep: --jobs wants a number from 1 to 4096, got '%s'\n", x);
					return -1;
				}
				a->jobs = (unsigned)n;
			}
		} else if (v[0] == '-' && v[1]) {
			fprintf(err, "ikesim sweep: unknown option '%s' (try 'ikesim sweep --help')\n", v);
			return -1;
		} else if (a->spec) {
			fprintf(err, "ikesim sweep: one spec at a time ('%s' and '%s')\n", a->spec, v);
			return -1;
		} else {
			a->spec = v;
		}
	}
	if (!a->spec || !a->dir) {
		fprintf(err, "ikesim sweep: %s (try 'ikesim sweep --help')\n", !a->spec ? "missing SPEC" : "missing -o DIR");
		return -1;
	}
	if (strcmp(a->runner, "parallel") && strcmp(a->runner, "slurm") && strcmp(a->runner, "none")) {
		fprintf(err, "ikesim sweep: --runner wants parallel, slurm or none, got '%s'\n", a->runner);
		return -1;
	}
	return 0;
}

/* mkdir -p: DIR's missing parents too. 0, or -1 with errno. */
static int make_dirs(const char *path)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
		return errno = ENAMETOOLONG, -1;
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, 0777) != 0 && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* DIR made and named absolutely (jobs.txt and the Slurm script run from anywhere); the binary too. */
static int resolve(const sweep_args *a, char *dir, char *bin, FILE *err)
{
	if (make_dirs(a->dir) != 0) {
		fprintf(err, "ikesim sweep: cannot create %s: %s\n", a->dir, strerror(errno));
		return -1;
	}
	if (!realpath(a->dir, dir)) {
		fprintf(err, "ikesim sweep: %s: %s\n", a->dir, strerror(errno));
		return -1;
	}
	ssize_t k = a->bin ? 0 : readlink("/proc/self/exe", bin, PATH_MAX - 1);
	if (a->bin ? !realpath(a->bin, bin) : k < 0) {
		fprintf(err, "ikesim sweep: %s: %s\n", a->bin ? a->bin : "cannot find this program (/proc/self/exe)",
			strerror(errno));
		return -1;
	}
	if (!a->bin)
		bin[k] = 0;
	if (access(bin, X_OK) != 0) {
		fprintf(err, "ikesim sweep: --ikesim %s: not an executable: %s\n", bin, strerror(errno));
		return -1;
	}
	if (strchr(dir, '\n') || strchr(bin, '\n')) {
		fprintf(err, "ikesim sweep: a newline in a path cannot go into a job list\n");
		return -1;
	}
	return 0;
}

static int cmd_sweep_run(int argc, char **argv, FILE *out, FILE *err)
{
	sweep_args a;
	sweep_spec s;
	char msg[1024], dir[PATH_MAX], bin[PATH_MAX];
	int r = parse_run_args(argc, argv, &a, err);
	if (r != 0) {
		if (r > 0)
			sweep_usage(out);
		return r > 0 ? CLI_OK : CLI_USAGE;
	}
	if (sweep_spec_load(&s, a.spec, msg, sizeof(msg)) != 0) {
		fprintf(err, "%s\n", msg);
		return CLI_USAGE;
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	sweep_plan p = { dir, bin, a.jobs ? a.jobs : strcmp(a.runner, "parallel") ? 0 : cpus > 0 ? (unsigned)cpus : 1, 4 };
	for (size_t k = s.n_points; k >= 10000; k /= 10)
		p.width++;
	int rc = resolve(&a, dir, bin, err) == 0 && sweep_write_jobs(&s, &p, err) == 0 ? CLI_OK : CLI_USAGE;
	if (rc == CLI_OK)
		fprintf(err, "ikesim sweep: %zu job%s in %s/jobs.txt\n", s.n_points, s.n_points == 1 ? "" : "s", dir);
	if (rc == CLI_OK && !strcmp(a.runner, "slurm")) {
		rc = sweep_write_sbatch(&s, &p, err) == 0 ? CLI_OK : CLI_ERR;
		if (rc == CLI_OK)
			fprintf(out, "submit: sbatch %s/sweep.sbatch\nthen:   ikesim sweep merge %s\n", dir, dir);
	} else if (rc == CLI_OK && !strcmp(a.runner, "parallel")) {
		r = sweep_run_parallel(&s, &p, err);
		rc = r == 0 ? CLI_OK : CLI_ERR;
		if (r >= 0)
			fprintf(out, "%zu job%s ran%s; merge: ikesim sweep merge %s\n", s.n_points, s.n_points == 1 ? "" : "s",
				r ? " (some failed)" : "", dir);
	} else if (rc == CLI_OK) {
		fprintf(out, "run: sh %s/jobs.txt (or any tool, a line a job); then: ikesim sweep merge %s\n", dir, dir);
	}
	sweep_spec_free(&s);
	return rc;
}

static int cmd_sweep_merge(int argc, char **argv, FILE *out, FILE *err)
{
	sweep_merge_opts o = { 0 };
	char msg[1024], def[PATH_MAX];
	for (int i = 1; i < argc; i++) {
		const char *v = argv[i], **slot = NULL;
		if (!strcmp(v, "--help") || !strcmp(v, "-h")) {
			sweep_usage(out);
			return CLI_OK;
		}
		if (!strcmp(v, "--logx")) {
			o.logx = 1;
			continue;
		}
		slot = !strcmp(v, "-o") ? &o.out : !strcmp(v, "--plot") ? &o.plot : !strcmp(v, "--x") ? &o.x
		     : !strcmp(v, "--y") ? &o.y : !strcmp(v, "--by") ? &o.by : NULL;
		if (slot && !(*slot = value(argc, argv, &i, err)))
			return CLI_USAGE;
		if (slot)
			continue;
		if (v[0] == '-' && v[1]) {
			fprintf(err, "ikesim sweep merge: unknown option '%s' (try 'ikesim sweep --help')\n", v);
			return CLI_USAGE;
		}
		if (o.dir) {
			fprintf(err, "ikesim sweep merge: one DIR at a time ('%s' and '%s')\n", o.dir, v);
			return CLI_USAGE;
		}
		o.dir = v;
	}
	if (!o.dir) {
		fprintf(err, "ikesim sweep merge: missing DIR (try 'ikesim sweep --help')\n");
		return CLI_USAGE;
	}
	if ((o.x || o.y || o.by || o.logx) && !o.plot) {
		fprintf(err, "ikesim sweep merge: --x, --y, --by and --logx choose what --plot draws: --plot is missing\n");
		return CLI_USAGE;
	}
	if (!o.out && snprintf(def, sizeof(def), "%s/table.csv", o.dir) < (int)sizeof(def))
		o.out = def;
	sweep_table t;
	if (sweep_table_load(&t, o.dir, err, msg, sizeof(msg)) != 0) {
		fprintf(err, "ikesim sweep merge: %s\n", msg);
		return CLI_USAGE;
	}
	int rc = sweep_table_write(&t, o.out, msg, sizeof(msg)) == 0 ? CLI_OK : CLI_ERR;
	if (rc == CLI_OK && o.plot && sweep_plot(&t, o.plot, o.x, o.y, o.by, o.logx, msg, sizeof(msg)) != 0)
		rc = strncmp(msg, "--", 2) == 0 ? CLI_USAGE : CLI_ERR;
	if (rc != CLI_OK)
		fprintf(err, "ikesim sweep merge: %s\n", msg);
	else
		fprintf(out, "%zu point%s (%zu failed, %zu missing): %s%s%s\n", t.n_rows, t.n_rows == 1 ? "" : "s", t.failed,
			t.missing, o.out, o.plot ? ", " : "", o.plot ? o.plot : "");
	if (rc == CLI_OK && (t.failed || t.missing))
		rc = CLI_ERR;
	sweep_table_free(&t);
	return rc;
}

int cli_sweep(int argc, char **argv, FILE *out, FILE *err)
{
	if (argc >= 2 && !strcmp(argv[1], "merge"))
		return cmd_sweep_merge(argc - 1, argv + 1, out, err);
	return cmd_sweep_run(argc, argv, out, err);
}
