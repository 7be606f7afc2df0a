/* `ikesim viz states|keys|ladder`: pictures of the state tables, the key derivation and the messages. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "viz.h"

typedef struct viz_args {
	const char *what, *trace, *out, *node, *nodes, *spi, *ike, *from_s, *to_s, *gen_s, *esp_s, *role_s;
	int role; /* --role parsed (VIZ_ROLE_*) */
	viz_esp_mode esp; /* --esp parsed */
	int64_t from, to; /* --from/--to parsed, ns (to 0: to the end) */
	unsigned generation; /* --generation parsed; 0: every generation */
} viz_args;

static void viz_usage(FILE *f)
{
	fprintf(f, "usage: ikesim viz states [--ike 1|2] [--trace FILE [--node NAME] [--sa SPI]]\n"
		   "                        [--role initiator|responder|all] -o FILE.(svg|png|dot)\n"
		   "       ikesim viz keys TRACE [--sa SPI] [--node NAME] [--generation N] -o FILE.(svg|png|dot)\n"
		   "       ikesim viz ladder TRACE [--nodes A,B,...] [--from T] [--to T] [--esp auto|bands|all|none]\n"
		   "                        -o FILE.svg\n"
		   "       ikesim viz storm METRICS.json -o FILE.(svg|png)\n\n"
		   "  states   the IKE SA and CHILD SA state machines, from the engine's transition tables;\n"
		   "           with --trace, the path one IKE SA took is highlighted (--node, --sa pick which) among\n"
		   "           the rows of its role (--role picks a role's rows, or all of them)\n"
		   "  keys     the key derivation of an IKE SA from the trace's kdf events (values need a trace\n"
		   "           written with --reveal-keys); IKE SAs rekeyed from it follow, one generation each\n"
		   "           (--generation N draws only the Nth)\n"
		   "  ladder   the messages over virtual time, one lifeline per node; losses and retransmissions,\n"
		   "           rekeys, DPD, fragments, faults; --from/--to cut a window (T: 90, 1.5s, 250ms, 30min, 4h);\n"
		   "           ESP packets one arrow each, or, above %d in the window, one band per run on an SA\n"
		   "           (--esp bands|all forces either, --esp none leaves the data plane out)\n"
		   "  storm    the storm metrics of 'ikesim run --metrics' (docs/metrics.md) drawn by gnuplot: SAs up,\n"
		   "           half-open and requests in flight over time, retransmissions, cookies and drops per\n"
		   "           interval, the setup latency histogram\n"
		   "The output format follows the -o extension. See docs/viz.md.\n", VIZ_ESP_AUTO_MAX);
}

/* Options that take a value: the flag and where in viz_args it goes. */
static const char **opt_slot(viz_args *a, const char *v)
{
	if (strcmp(v, "-o") == 0 || strcmp(v, "--output") == 0)
		return &a->out;
	if (strcmp(v, "--trace") == 0)
		return &a->trace;
	if (strcmp(v, "--node") == 0)
		return &a->node;
	if (strcmp(v, "--nodes") == 0)
		return &a->nodes;
	if (strcmp(v, "--sa") == 0)
		return &a->spi;
	if (strcmp(v, "--ike") == 0)
		return &a->ike;
	if (strcmp(v, "--from") == 0)
		return &a->from_s;
	if (strcmp(v, "--to") == 0)
		return &a->to_s;
	if (strcmp(v, "--generation") == 0)
		return &a->gen_s;
	if (strcmp(v, "--esp") == 0)
		return &a->esp_s;
	if (strcmp(v, "--role") == 0)
		return &a->role_s;
	return NULL;
}

/* 0, 1 for --help, or -1 after one error line. */
static int parse_args(int argc, char **argv, viz_args *a, FILE *err)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *v = argv[i];
		const char **slot = opt_slot(a, v);
		if (strcmp(v, "--help") == 0 || strcmp(v, "-h") == 0)
			return 1;
		if (slot) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(err, "ikesim viz: %s needs a value\n", v);
				return -1;
			}
			*slot = argv[++i];
		} else if (v[0] == '-' && v[1]) {
			fprintf(err, "ikesim viz: unknown option '%s' (try 'ikesim viz --help')\n", v);
			return -1;
		} else if (!a->what) {
			a->what = v;
		} else if (!a->trace && strcmp(a->what, "states") != 0) {
			a->trace = v;
		} else {
			fprintf(err, "ikesim viz: unexpected argument '%s'\n", v);
			return -1;
		}
	}
	return 0;
}

/* --from, --to and --generation into numbers; 0 or -1 after one error line. */
static int check_numbers(viz_args *a, FILE *err)
{
	const char *bad = a->from_s && viz_parse_time(a->from_s, &a->from) != 0 ? "--from"
			  : a->to_s && viz_parse_time(a->to_s, &a->to) != 0	  ? "--to"
										  : NULL;
	if (bad) {
		fprintf(err, "ikesim viz %s: %s %s: not a time (seconds, or with ms, s, min, h, d)\n", a->what, bad,
			strcmp(bad, "--to") == 0 ? a->to_s : a->from_s);
		return -1;
	}
	if (a->to_s && a->to <= a->from) {
		fprintf(err, "ikesim viz %s: --to %s must be later than --from%s%s\n", a->what, a->to_s,
			a->from_s ? " " : " (0)", a->from_s ? a->from_s : "");
		return -1;
	}
	char *end = NULL;
	unsigned long g = a->gen_s ? strtoul(a->gen_s, &end, 10) : 0;
	if (a->gen_s && (!*a->gen_s || *end || g < 1 || g > 1000 || a->gen_s[0] == '-' || a->gen_s[0] == '+')) {
		fprintf(err, "ikesim viz %s: --generation %s: a number from 1 (the first IKE SA of the chain)\n", a->what,
			a->gen_s);
		return -1;
	}
	a->generation = (unsigned)g;
	static const char *const modes[] = { "auto", "bands", "all", "none" }; /* enum viz_esp_mode order */
	int mode = a->esp_s ? -1 : VIZ_ESP_AUTO;
	for (int i = 0; a->esp_s && i < 4; i++)
		mode = strcmp(a->esp_s, modes[i]) == 0 ? i : mode;
	if (mode < 0) {
		fprintf(err, "ikesim viz %s: --esp %s: auto, bands, all or none\n", a->what, a->esp_s);
		return -1;
	}
	a->esp = (viz_esp_mode)mode;
	static const char *const roles[] = { "initiator", "responder", "all" }; /* VIZ_ROLE_INITIATOR.. order */
	a->role = VIZ_ROLE_AUTO;
	for (int i = 0; a->role_s && i < 3; i++)
		a->role = strcmp(a->role_s, roles[i]) == 0 ? VIZ_ROLE_INITIATOR + i : a->role;
	if (a->role_s && a->role == VIZ_ROLE_AUTO) {
		fprintf(err, "ikesim viz %s: --role %s: initiator, responder or all\n", a->what, a->role_s);
		return -1;
	}
	return 0;
}

/* Checks the combination of verb, options and output name; 0 or -1 after one error line. */
static int check_args(viz_args *a, viz_format *fmt, FILE *err)
{
	int states = strcmp(a->what, "states") == 0, keys = strcmp(a->what, "keys") == 0;
	int ladder = strcmp(a->what, "ladder") == 0;
	if (!states && !keys && !ladder) {
		fprintf(err, "ikesim viz: unknown picture '%s' (states, keys, ladder or storm)\n", a->what);
		return -1;
	}
	if (!a->out) {
		fprintf(err, "ikesim viz %s: missing -o FILE\n", a->what);
		return -1;
	}
	if (!states && !a->trace) {
		fprintf(err, "ikesim viz %s: missing TRACE (a file written by 'ikesim run --trace')\n", a->what);
		return -1;
	}
	if (a->ike && strcmp(a->ike, "2") != 0 && strcmp(a->ike, "1") != 0) {
		fprintf(err, "ikesim viz: --ike %s: the tables are IKEv2's (--ike 2) or IKEv1's (--ike 1)\n", a->ike);
		return -1;
	}
	if (((a->ike || a->role_s) && !states) || ((a->nodes || a->from_s || a->to_s || a->esp_s) && !ladder) || ((a->node || a->spi) && ladder) ||
	    ((a->node || a->spi) && states && !a->trace) || (a->gen_s && !keys)) {
		fprintf(err, "ikesim viz %s: option not valid here (try 'ikesim viz --help')\n", a->what);
		return -1;
	}
	if (check_numbers(a, err) != 0)
		return -1;
	*fmt = viz_format_of(a->out);
	if (*fmt == VIZ_FMT_NONE || (ladder && *fmt != VIZ_FMT_SVG)) {
		fprintf(err, "ikesim viz %s: -o %s: the name must end in %s\n", a->what, a->out,
			ladder ? ".svg" : ".svg, .png or .dot");
		return -1;
	}
	return 0;
}

static int draw(const viz_args *a, viz_format fmt, const viz_trace *t, viz_buf *b, char *msg, size_t n)
{
	if (a->what[0] == 's') {
		viz_states_opts o = { t, a->node, a->spi, a->ike && strcmp(a->ike, "1") == 0 ? 1 : 2 };
		return viz_states_role(&o, a->role, fmt, b, msg, n);
	}
	if (a->what[0] == 'k') {
		viz_keys_opts o = { t, a->node, a->spi, a->generation };
		return viz_keys(&o, fmt, b, msg, n);
	}
	viz_ladder_opts o = { t, a->nodes, a->from, a->to, a->esp };
	return viz_ladder(&o, b, msg, n);
}

/* `ikesim viz storm METRICS.json -o FILE.(svg|png)` */
static int viz_storm_cmd(int argc, char **argv, FILE *out, FILE *err)
{
	const char *in = NULL, *path = NULL;
	char msg[512];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(err, "ikesim viz storm: %s needs a value\n", argv[i]);
				return CLI_USAGE;
			}
			path = argv[++i];
		} else if ((argv[i][0] == '-' && argv[i][1]) || in) {
			fprintf(err, "ikesim viz storm: unexpected argument '%s' (try 'ikesim viz --help')\n", argv[i]);
			return CLI_USAGE;
		} else {
			in = argv[i];
		}
	}
	viz_format fmt = path ? viz_format_of(path) : VIZ_FMT_NONE;
	if (!in || !path || (fmt != VIZ_FMT_SVG && fmt != VIZ_FMT_PNG)) {
		fprintf(err, "ikesim viz storm: need METRICS.json (from 'ikesim run --metrics') and -o FILE.svg or .png\n");
		return CLI_USAGE;
	}
	viz_buf b = { 0 };
	int rc = viz_storm(in, fmt, &b, msg, sizeof(msg));
	if (rc == 0)
		rc = viz_buf_write_file(&b, path, msg, sizeof(msg));
	if (rc == 0)
		fprintf(out, "%s\n", path);
	else
		fprintf(err, "ikesim viz storm: %s\n", msg);
	viz_buf_free(&b);
	return rc == 0 ? CLI_OK : CLI_ERR;
}

int cli_viz(int argc, char **argv, FILE *out, FILE *err)
{
	if (argc > 1 && strcmp(argv[1], "storm") == 0)
		return viz_storm_cmd(argc, argv, out, err);
	viz_args a;
	viz_format fmt = VIZ_FMT_NONE;
	char msg[512];
	int r = parse_args(argc, argv, &a, err);
	if (r > 0 || (r == 0 && !a.what)) {
		viz_usage(r > 0 ? out : err);
		return r > 0 ? CLI_OK : CLI_USAGE;
	}
	if (r < 0 || check_args(&a, &fmt, err) != 0)
		return CLI_USAGE;
	viz_trace *t = NULL;
	if (a.trace && !(t = viz_trace_load(a.trace, msg, sizeof(msg)))) {
		fprintf(err, "ikesim viz: %s\n", msg);
		return CLI_USAGE;
	}
	viz_buf b = { 0 };
	int rc = draw(&a, fmt, t, &b, msg, sizeof(msg));
	if (rc == 0)
		rc = viz_buf_write_file(&b, a.out, msg, sizeof(msg));
	if (rc == 0)
		fprintf(out, "%s\n", a.out);
	else
		fprintf(err, "ikesim viz %s: %s\n", a.what, msg);
	viz_buf_free(&b);
	viz_trace_free(t);
	return rc == 0 ? CLI_OK : CLI_ERR;
}
