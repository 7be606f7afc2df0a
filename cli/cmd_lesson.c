/* `ikesim lesson`: the course from the command line: list, show, run a lesson, grade its exercises. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lesson_dir.h"

static void lesson_usage(FILE *f)
{
	fprintf(f, "usage: ikesim lesson list\n"
		   "       ikesim lesson show N\n"
		   "       ikesim lesson run N [SCENARIO] [RUN-OPTIONS...]\n"
		   "       ikesim lesson check N [FILE|K]\n\n"
		   "  list    every lesson: number, title, how many graded exercises\n"
		   "  show    print lesson N's README (its text, commands and questions)\n"
		   "  run     run one of lesson N's scenarios as 'ikesim run' does: SCENARIO(.json) of its folder,\n"
		   "          else scenario.json, else the first one its README runs; the options go to 'run'\n"
		   "          (--trace FILE, --seed N, --reveal-keys, --pcap FILE...)\n"
		   "  check   grade FILE (or lesson N's exercise-K.json; without either, each of lesson N's\n"
		   "          exercises in turn): PASS, or FAIL with the expectations that do not hold\n"
		   "N is the lesson's number (2 or 02) or its folder name. Lessons are found in $IKESIM_LESSONS, else\n"
		   "beside the binary (the repository's lessons/, or share/ikesim/lessons when installed).\n"
		   "Exit as 'ikesim run': 0 all pass, 3 an expectation failed, 2 bad input, 1 run error.\n");
}

/* Loads the lesson list (ls must hold LESSON_MAX); its count, or -1 after an error line. */
static int load(lesson *ls, FILE *err)
{
	char root[LESSON_PATH_MAX], msg[512];
	if (lesson_root(root, sizeof(root), msg, sizeof(msg)) != 0) {
		fprintf(err, "ikesim lesson: %s\n", msg);
		return -1;
	}
	int n = lesson_scan(root, ls, LESSON_MAX, msg, sizeof(msg));
	if (n < 0)
		fprintf(err, "ikesim lesson: %s\n", msg);
	else if (n == 0)
		fprintf(err, "ikesim lesson: %s holds no lesson folders (NN-name)\n", root);
	return n > 0 ? n : -1;
}

static int do_list(const lesson *ls, size_t n, FILE *out)
{
	fprintf(out, " N  %-66s  exercises\n", "lesson");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%02d  %-66.66s  %9zu\n", ls[i].num, ls[i].title[0] ? ls[i].title : ls[i].name,
			ls[i].n_exercises);
	return CLI_OK;
}

static int do_show(const lesson *l, FILE *out, FILE *err)
{
	char path[LESSON_PATH_MAX + 16], buf[8192];
	snprintf(path, sizeof(path), "%s/README.md", l->dir);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(err, "ikesim lesson: %s: cannot open\n", path);
		return CLI_ERR;
	}
	size_t k;
	while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, k, out);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		fprintf(err, "ikesim lesson: %s: read error\n", path);
	return bad ? CLI_ERR : CLI_OK;
}

/* The first scenario of the lesson's folder that its README runs ("ikesim run DIR/NAME.json"), into out; 0 or -1. */
static int readme_scenario(const lesson *l, char *out, size_t cap)
{
	char path[LESSON_PATH_MAX + 16], line[1024];
	snprintf(path, sizeof(path), "%s/README.md", l->dir);
	FILE *f = fopen(path, "r");
	int found = -1;
	while (f && found && fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "ikesim run lessons/");
		const char *name = p ? strstr(p, l->name) : NULL;
		if (!name || name[strlen(l->name)] != '/')
			continue;
		name += strlen(l->name) + 1;
		size_t k = strcspn(name, " \t\r\n");
		if (k > 5 && strncmp(name + k - 5, ".json", 5) == 0 && !memchr(name, '/', k) &&
		    snprintf(out, cap, "%s/%.*s", l->dir, (int)k, name) < (int)cap)
			found = 0;
	}
	if (f)
		fclose(f);
	return found;
}

/* Which scenario `lesson run` runs: NAME(.json) in the lesson's folder, else scenario.json, else the README's first. */
static int pick_scenario(const lesson *l, const char *name, char *out, size_t cap, FILE *err)
{
	if (name) {
		size_t k = strlen(name);
		int ext = k > 5 && strcmp(name + k - 5, ".json") == 0;
		if (strchr(name, '/') || snprintf(out, cap, "%s/%s%s", l->dir, name, ext ? "" : ".json") >= (int)cap ||
		    access(out, R_OK) != 0) {
			fprintf(err, "ikesim lesson: lesson %02d has no scenario '%.64s' (its folder: %s)\n", l->num, name, l->dir);
			return -1;
		}
		return 0;
	}
	if (snprintf(out, cap, "%s/scenario.json", l->dir) < (int)cap && access(out, R_OK) == 0)
		return 0;
	if (readme_scenario(l, out, cap) == 0)
		return 0;
	fprintf(err, "ikesim lesson: lesson %02d has no scenario.json and its README runs none\n", l->num);
	return -1;
}

static int do_run(const lesson *l, int argc, char **argv, FILE *out, FILE *err)
{
	char scn[LESSON_PATH_MAX + 64];
	const char *name = argc > 0 && argv[0][0] != '-' ? argv[0] : NULL;
	if (pick_scenario(l, name, scn, sizeof(scn), err) != 0)
		return CLI_USAGE;
	if (name)
		argc--, argv++;
	char **v = calloc((size_t)argc + 2, sizeof(*v));
	if (!v) {
		fprintf(err, "ikesim lesson: out of memory\n");
		return CLI_ERR;
	}
	v[0] = "run";
	v[1] = scn;
	for (int i = 0; i < argc; i++)
		v[i + 2] = argv[i];
	int rc = cli_run(argc + 2, v, out, err);
	free(v);
	return rc;
}

/* Grades one file: a PASS line, or FAIL/ERROR with the run's reasons indented; the run's exit code. */
static int check_one(const char *file, FILE *out, FILE *err)
{
	char *argv[] = { "run", (char *)file, "--quiet" };
	FILE *null = fopen("/dev/null", "w"), *tmp = tmpfile();
	if (!null || !tmp) {
		fprintf(err, "ikesim lesson: cannot open a scratch file\n");
		if (null)
			fclose(null);
		if (tmp)
			fclose(tmp);
		return CLI_ERR;
	}
	int rc = cli_run(3, argv, null, tmp);
	fprintf(out, "%s: %s\n", file,
		rc == CLI_OK ? "PASS" : rc == CLI_EXPECT_FAILED ? "FAIL" : rc == CLI_USAGE ? "ERROR (bad input)" : "ERROR");
	char line[1024];
	int at_start = 1;
	rewind(tmp);
	while (rc != CLI_OK && fgets(line, sizeof(line), tmp)) {
		fprintf(out, "%s%s", at_start ? "    " : "", line);
		at_start = strchr(line, '\n') != NULL;
	}
	fclose(null);
	fclose(tmp);
	return rc;
}

/* The worst of two exit codes: bad input, then run errors, then failed expectations. */
static int worse(int a, int b)
{
	static const int rank[] = { [CLI_OK] = 0, [CLI_EXPECT_FAILED] = 1, [CLI_ERR] = 2, [CLI_USAGE] = 3 };
	return rank[b] > rank[a] ? b : a;
}

static int do_check(const lesson *l, const char *what, FILE *out, FILE *err)
{
	char path[LESSON_PATH_MAX + 64];
	char *end;
	if (what) {
		long k = strtol(what, &end, 10);
		if (!*end && end != what && k > 0 && k < 1000) {
			snprintf(path, sizeof(path), "%s/exercise-%ld.json", l->dir, k);
			what = path;
		}
		return check_one(what, out, err);
	}
	char **ex = NULL;
	int n = lesson_exercises(l->dir, &ex);
	if (n <= 0) {
		fprintf(err, "ikesim lesson: lesson %02d has no exercises to check\n", l->num);
		free(ex);
		return CLI_USAGE;
	}
	int rc = CLI_OK, passed = 0;
	for (int i = 0; i < n; i++) {
		int r = check_one(ex[i], out, err);
		passed += r == CLI_OK;
		rc = worse(rc, r);
		free(ex[i]);
	}
	free(ex);
	fprintf(out, "lesson %02d: %d of %d exercises pass\n", l->num, passed, n);
	return rc;
}

int cli_lesson(int argc, char **argv, FILE *out, FILE *err)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		lesson_usage(argc < 2 ? err : out);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	const char *sub = argv[1];
	int list = !strcmp(sub, "list");
	if (!list && strcmp(sub, "show") && strcmp(sub, "run") && strcmp(sub, "check")) {
		fprintf(err, "ikesim lesson: unknown subcommand '%.64s' (list, show, run, check)\n", sub);
		return CLI_USAGE;
	}
	if ((list && argc != 2) || (!list && argc < 3) || ((!strcmp(sub, "show")) && argc != 3) ||
	    (!strcmp(sub, "check") && argc > 4)) {
		fprintf(err, "ikesim lesson: %s: wrong arguments (try 'ikesim lesson --help')\n", sub);
		return CLI_USAGE;
	}
	lesson *ls = calloc(LESSON_MAX, sizeof(*ls));
	if (!ls) {
		fprintf(err, "ikesim lesson: out of memory\n");
		return CLI_ERR;
	}
	int n = load(ls, err), rc = CLI_USAGE;
	const lesson *l = n > 0 && !list ? lesson_find(ls, (size_t)n, argv[2]) : NULL;
	if (n > 0 && !list && !l)
		fprintf(err, "ikesim lesson: no lesson '%.64s' ('ikesim lesson list' shows them)\n", argv[2]);
	else if (n > 0 && list)
		rc = do_list(ls, (size_t)n, out);
	else if (l && !strcmp(sub, "show"))
		rc = do_show(l, out, err);
	else if (l && !strcmp(sub, "run"))
		rc = do_run(l, argc - 3, argv + 3, out, err);
	else if (l)
		rc = do_check(l, argc == 4 ? argv[3] : NULL, out, err);
	free(ls);
	return rc;
}
