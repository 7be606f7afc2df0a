/* `ikesim report TRACE -o FILE.html`: the whole run on one self-contained page. */
#include <string.h>

#include "cli.h"
#include "viz.h"

static void report_usage(FILE *f)
{
	fprintf(f, "usage: ikesim report TRACE [--metrics METRICS.json] -o FILE.html\n\n"
		   "Writes one HTML page with no external references: the run's summary, the message ladder,\n"
		   "the path of every IKE SA through the state tables and the key derivation graphs.\n"
		   "With --metrics (a file of 'ikesim run --metrics' for the same run), the storm plot too\n"
		   "(drawn by gnuplot, see docs/metrics.md).\n");
}

int cli_report(int argc, char **argv, FILE *out, FILE *err)
{
	const char *trace = NULL, *path = NULL, *metrics = NULL;
	char msg[512];
	for (int i = 1; i < argc; i++) {
		const char *v = argv[i];
		if (strcmp(v, "--help") == 0 || strcmp(v, "-h") == 0) {
			report_usage(out);
			return CLI_OK;
		}
		if (strcmp(v, "-o") == 0 || strcmp(v, "--output") == 0 || strcmp(v, "--metrics") == 0) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(err, "ikesim report: %s needs a value\n", v);
				return CLI_USAGE;
			}
			*(v[2] == 'm' ? &metrics : &path) = argv[++i];
		} else if ((v[0] == '-' && v[1]) || trace) {
			fprintf(err, "ikesim report: unexpected argument '%s' (try 'ikesim report --help')\n", v);
			return CLI_USAGE;
		} else {
			trace = v;
		}
	}
	if (!trace || !path) {
		fprintf(err, "ikesim report: need TRACE and -o FILE.html (try 'ikesim report --help')\n");
		return CLI_USAGE;
	}
	viz_trace *t = viz_trace_load(trace, msg, sizeof(msg));
	if (!t) {
		fprintf(err, "ikesim report: %s\n", msg);
		return CLI_USAGE;
	}
	viz_buf b = { 0 };
	int rc = viz_report_metrics(t, metrics, &b, msg, sizeof(msg));
	if (rc == 0)
		rc = viz_buf_write_file(&b, path, msg, sizeof(msg));
	if (rc == 0)
		fprintf(out, "%s\n", path);
	else
		fprintf(err, "ikesim report: %s\n", msg);
	viz_buf_free(&b);
	viz_trace_free(t);
	return rc == 0 ? CLI_OK : CLI_ERR;
}
