/* Runs a scenario for `ikesim trace` through cli_run itself, so a scenario's trace is exactly `ikesim run`'s. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "trace_read.h"
#include "trace_run.h"

int trace_input_is_scenario(const char *path)
{
	size_t k = strlen(path);
	if (k < 5 || strcmp(path + k - 5, ".json") != 0)
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	trace_reader r;
	char msg[256];
	const char *line;
	size_t len;
	trace_reader_init(&r, f, path, 1u << 20);
	int scenario = 1;
	if (trace_reader_next(&r, &line, &len, msg, sizeof(msg)) == TRACE_RD_LINE) {
		cJSON *ev = trace_event_parse(&r, line, len, msg, sizeof(msg));
		scenario = ev == NULL; /* a trace saved as .json reads as a trace */
		cJSON_Delete(ev);
	}
	trace_reader_free(&r);
	fclose(f);
	return scenario;
}

/* Copies the run's stderr, leaving out its expect[...] lines (the trace is what was asked for). */
static void forward_errors(FILE *tmp, FILE *err)
{
	char line[1024];
	int skip = 0, at_start = 1;
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp)) {
		if (at_start)
			skip = strncmp(line, "expect[", 7) == 0;
		if (!skip)
			fputs(line, err);
		at_start = strchr(line, '\n') != NULL;
	}
}

int trace_run_scenario(const char *scenario, const char *seed, int reveal, char *path, size_t cap, FILE *err)
{
	const char *tmpdir = getenv("TMPDIR");
	char dir[4096];
	path[0] = 0;
	if (snprintf(dir, sizeof(dir), "%s/ikesim-trace-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp") >= (int)sizeof(dir) ||
	    !mkdtemp(dir) || snprintf(path, cap, "%s/trace.jsonl", dir) >= (int)cap) {
		fprintf(err, "ikesim trace: cannot make a temporary directory for the run's trace\n");
		if (dir[0] && access(dir, F_OK) == 0)
			rmdir(dir);
		path[0] = 0;
		return CLI_ERR;
	}
	char *argv[8] = { "run", (char *)scenario, "--trace", path, "--quiet" };
	int argc = 5;
	if (seed)
		argv[argc++] = "--seed", argv[argc++] = (char *)seed;
	if (reveal)
		argv[argc++] = "--reveal-keys";
	FILE *null = fopen("/dev/null", "w"), *tmp = tmpfile();
	if (!null || !tmp) {
		fprintf(err, "ikesim trace: cannot open a scratch file for the run\n");
		if (null)
			fclose(null);
		if (tmp)
			fclose(tmp);
		trace_run_cleanup(path);
		return CLI_ERR;
	}
	int rc = cli_run(argc, argv, null, tmp);
	forward_errors(tmp, err);
	fclose(null);
	fclose(tmp);
	if (rc == CLI_EXPECT_FAILED)
		fprintf(err, "ikesim trace: note: %s's expectations do not all hold ('ikesim run %s' says which)\n",
			scenario, scenario);
	if (rc == CLI_OK || rc == CLI_EXPECT_FAILED)
		return CLI_OK;
	trace_run_cleanup(path);
	return rc;
}

void trace_run_cleanup(const char *path)
{
	if (!path[0])
		return;
	unlink(path);
	const char *slash = strrchr(path, '/');
	char dir[4096];
	if (slash && snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) < (int)sizeof(dir))
		rmdir(dir);
}
