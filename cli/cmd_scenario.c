/* `ikesim scenario set`: a copy of a scenario with some fields changed, the edits lessons used to make with jq. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sweep.h" /* sweep_read_file, sweep_path_set: the sweep's path syntax */

static void scenario_usage(FILE *f)
{
	fprintf(f, "usage: ikesim scenario set FILE PATH=VALUE... [-o OUT]\n\n"
		   "Prints FILE (a scenario, docs/scenario.md) with each PATH set to VALUE, in order, as JSON\n"
		   "(to OUT with -o). PATH as in sweep specs (docs/sweep.md): duration, links[0].loss,\n"
		   "connections[1].auth.psk, nodes[gw-a].cpu (the element named gw-a), connections[*].ike (every\n"
		   "element); a leading '.' is allowed. VALUE is JSON when it reads as JSON (0.1, true,\n"
		   "[\"10.9.0.0/16\"], {\"psk\":\"x\"}, \"quoted\"), else the text as a string (60s, aes256-sha384-ecp384).\n"
		   "The result is not run or checked: 'ikesim run' does that.\n"
		   "Exit: 0, 2 bad usage, an unreadable FILE or a PATH that does not fit it.\n");
}

/* Applies one PATH=VALUE to root; 0, or -1 after one error line. */
static int apply(cJSON *root, const char *file, const char *arg, FILE *err)
{
	char path[SWEEP_PATH_MAX], msg[256];
	const char *eq = strchr(arg, '=');
	const char *p = arg[0] == '.' ? arg + 1 : arg;
	if (!eq || eq <= p || (size_t)(eq - p) >= sizeof(path)) {
		fprintf(err, "ikesim scenario: '%.80s': want PATH=VALUE (PATH under %d characters)\n", arg, SWEEP_PATH_MAX);
		return -1;
	}
	memcpy(path, p, (size_t)(eq - p));
	path[eq - p] = 0;
	if (!sweep_path_valid(path)) {
		fprintf(err, "ikesim scenario: '%s': malformed path (name(.name|[N]|[NAME]|[*])...)\n", path);
		return -1;
	}
	cJSON *v = cJSON_ParseWithOpts(eq + 1, NULL, 1); /* "60s" is a string, not 60 and junk */
	if (!v)
		v = cJSON_CreateString(eq + 1);
	if (!v) {
		fprintf(err, "ikesim scenario: out of memory\n");
		return -1;
	}
	int rc = sweep_path_set(root, path, v, msg, sizeof(msg));
	cJSON_Delete(v);
	if (rc != 0)
		fprintf(err, "ikesim scenario: %s: %s: %s\n", file, path, msg);
	return rc;
}

static int scenario_set(int argc, char **argv, FILE *out, FILE *err)
{
	const char *file = NULL, *dest = NULL;
	char msg[512];
	int first_set = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(err, "ikesim scenario: %s needs a file\n", argv[i]);
				return CLI_USAGE;
			}
			dest = argv[++i];
		} else if (!file) {
			file = argv[i];
			first_set = i + 1;
		}
	}
	if (!file || first_set >= argc) {
		fprintf(err, "ikesim scenario set: want FILE and at least one PATH=VALUE (try 'ikesim scenario --help')\n");
		return CLI_USAGE;
	}
	size_t len;
	char *text = sweep_read_file(file, SWEEP_FILE_MAX, &len, msg, sizeof(msg));
	if (!text) {
		fprintf(err, "ikesim scenario: %s\n", msg);
		return CLI_USAGE;
	}
	const char *end = NULL, *nul = memchr(text, 0, len);
	cJSON *root = nul ? NULL : cJSON_ParseWithOpts(text, &end, 1);
	if (!cJSON_IsObject(root)) {
		fprintf(err, "ikesim scenario: %s: %s (byte %zu)\n", file, nul ? "NUL byte in the file" : "not a JSON object",
			nul ? (size_t)(nul - text) : end && end >= text ? (size_t)(end - text) : (size_t)0);
		cJSON_Delete(root);
		free(text);
		return CLI_USAGE;
	}
	free(text);
	int rc = CLI_OK;
	for (int i = first_set; i < argc && rc == CLI_OK; i++) {
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output"))
			i++;
		else if (apply(root, file, argv[i], err) != 0)
			rc = CLI_USAGE;
	}
	char *js = rc == CLI_OK ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (rc != CLI_OK || !js) {
		if (rc == CLI_OK)
			fprintf(err, "ikesim scenario: out of memory\n");
		cJSON_free(js);
		return rc == CLI_OK ? CLI_ERR : rc;
	}
	FILE *f = dest ? fopen(dest, "w") : out;
	int bad = !f || fprintf(f, "%s\n", js) < 0;
	if (f && dest && fclose(f) != 0)
		bad = 1;
	if (bad) {
		fprintf(err, "ikesim scenario: cannot write %s\n", dest ? dest : "the output");
		rc = CLI_ERR;
	}
	cJSON_free(js);
	return rc;
}

int cli_scenario(int argc, char **argv, FILE *out, FILE *err)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		scenario_usage(argc < 2 ? err : out);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (strcmp(argv[1], "set") != 0) {
		fprintf(err, "ikesim scenario: unknown subcommand '%.64s' (only 'set' today)\n", argv[1]);
		return CLI_USAGE;
	}
	return scenario_set(argc, argv, out, err);
}
