/*
 * `ikesim load`'s command line: its own flags (--count, --rate, ...) are taken here; the rest (proposals, IDs,
 * selectors, PSK) are `ikesim peer`'s and go to peer_args_parse, so both verbs read them the same way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

void load_args_usage(FILE *f)
{
	fprintf(f,
		"usage: ikesim load --remote ADDR:PORT --count N [--rate R] [--concurrency K]\n"
		"                   [--local ADDR[-ADDR2]] [--ports P-Q] [--local-id-pattern 'rw%%u.example' | --id ID]\n"
		"                   --proposals P --esp-proposals P --remote-id ID --local-ts CIDR --remote-ts CIDR\n"
		"                   [--psk-file FILE | IKESIM_PSK=...] [--timeout S] [--retransmit BASE,FACTOR,TRIES]\n"
		"                   [--json FILE] [--quiet] [--no-delete]\n"
		"\n"
		"One IKEv2 engine peer opens N IKE SAs, each with its CHILD SA, against one gateway over real UDP: every\n"
		"setup has its own source port (one socket each; with an address range, ports are reused per address),\n"
		"its own SPIs and, with --local-id-pattern, its own identity (%%u is the setup's index, from 0).\n"
		"  --count N         setups to make (1..%u)\n"
		"  --rate R          setups started per second (default: no limit)\n"
		"  --concurrency K   setups in flight at most (default: N, all at once)\n"
		"  --local A[-B]     our address(es), IPv4 ranges need the addresses on an interface (default 127.0.0.1)\n"
		"  --ports P-Q       source ports per address (default 30000 up, as many as needed)\n"
		"  --timeout S       give up on what is not up after S seconds (default 300)\n"
		"  --retransmit B,F,T  initiator retransmissions: B s x F^n, T tries (default strongSwan's 4,1.8,5)\n"
		"  --json FILE       the results as JSON (setups/s, latency percentiles, failures by reason)\n"
		"  --quiet           no progress line on stderr\n"
		"  --no-delete       leave the SAs up at the end (default: delete them, up to 10 s)\n"
		"Other flags are `ikesim peer`'s (see 'ikesim peer --help'); the PSK from --psk-file or IKESIM_PSK.\n"
		"Latency: from the first IKE_SA_INIT sent to the CHILD SA installed.\n",
		LOAD_MAX_COUNT);
}

static int number(const char *flag, const char *val, double lo, double hi, double *out, FILE *err)
{
	char *end;
	errno = 0;
	double v = strtod(val, &end);
	if (errno || end == val || *end || !(v >= lo) || v > hi) {
		fprintf(err, "ikesim load: %s wants a number from %g to %g, got '%s'\n", flag, lo, hi, val);
		return -1;
	}
	*out = v;
	return 0;
}

static int whole(const char *flag, const char *val, uint32_t lo, uint32_t hi, uint32_t *out, FILE *err)
{
	double v;
	if (number(flag, val, lo, hi, &v, err) != 0)
		return -1;
	if (v != (double)(uint32_t)v) {
		fprintf(err, "ikesim load: %s wants a whole number, got '%s'\n", flag, val);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* --local-id-pattern: exactly one %u and no other conversion, so snprintf with the index is safe. */
static int check_pattern(const char *p, FILE *err)
{
	int n_u = 0;
	for (const char *c = p; *c; c++) {
		if (*c != '%')
			continue;
		if (c[1] == 'u')
			n_u++, c++;
		else if (c[1] == '%')
			c++;
		else {
			fprintf(err, "ikesim load: --local-id-pattern '%s': only %%u (the index) and %%%% may follow %%\n", p);
			return -1;
		}
	}
	if (n_u != 1) {
		fprintf(err, "ikesim load: --local-id-pattern '%s' needs exactly one %%u\n", p);
		return -1;
	}
	return 0;
}

static int retransmit(load_args *a, const char *val, FILE *err)
{
	char *e1, *e2, *e3;
	errno = 0;
	double b = strtod(val, &e1), f = *e1 == ',' ? strtod(e1 + 1, &e2) : -1;
	long t = f >= 0 && *e2 == ',' ? strtol(e2 + 1, &e3, 10) : -1;
	if (errno || t < 0 || *e3 || !(b > 0 && b <= 3600) || !(f >= 1 && f <= 10) || t > 20) {
		fprintf(err, "ikesim load: --retransmit wants BASE,FACTOR,TRIES (0 < BASE <= 3600 s, 1 <= FACTOR <= 10, "
			     "0 <= TRIES <= 20), got '%s'\n", val);
		return -1;
	}
	a->rt_base = b;
	a->rt_factor = f;
	a->rt_tries = (uint32_t)t;
	return 0;
}

/* Flags of `ikesim peer` that make no sense for a load run (one capture, data plane, one lifecycle). */
static const char *const REFUSED[] = { "--initiate", "--trace", "--pcap", "--ping", "--move-to", "--hold",
				       "--rekey-child-after", "--rekey-ike-after", "--delete-after", "--reveal-keys" };

/* One of ours (with its value at argv[*i + 1]): 1 taken, 0 not ours, -1 error. */
static int own_flag(load_args *a, int argc, char **argv, int *i, FILE *err)
{
	static const char *const names[] = { "--remote", "--local", "--ports", "--local-id-pattern", "--json",
					     "--count", "--concurrency", "--rate", "--timeout", "--retransmit" };
	const char *f = argv[*i];
	size_t k = 0, n = sizeof(names) / sizeof(names[0]);
	while (k < n && strcmp(f, names[k]) != 0)
		k++;
	if (k == n)
		return 0;
	if (*i + 1 >= argc || !argv[*i + 1][0]) {
		fprintf(err, "ikesim load: %s needs a value\n", f);
		return -1;
	}
	const char *v = argv[++*i];
	double d;
	switch (k) {
	case 0: a->remote = v; return 1;
	case 1: a->local = v; return 1;
	case 2: a->ports = v; return 1;
	case 3: a->id_pattern = v; return check_pattern(v, err) ? -1 : 1;
	case 4: a->json = v; return 1;
	case 5: return whole(f, v, 1, LOAD_MAX_COUNT, &a->count, err) ? -1 : 1;
	case 6: return whole(f, v, 1, LOAD_MAX_COUNT, &a->concurrency, err) ? -1 : 1;
	case 7: return number(f, v, 0.001, 1e6, &a->rate, err) ? -1 : 1;
	case 8:
		if (number(f, v, 0.001, 86400, &d, err) != 0)
			return -1;
		a->timeout = (ike_time)(d * 1e9);
		return 1;
	default: return retransmit(a, v, err) ? -1 : 1;
	}
}

int load_args_parse(int argc, char **argv, load_args *a, FILE *err)
{
	memset(a, 0, sizeof(*a));
	a->timeout = 300 * IKE_NS_PER_SEC;
	a->rt_base = 4.0, a->rt_factor = 1.8, a->rt_tries = 5;
	char *rest[80];
	int n_rest = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
		for (size_t k = 0; k < sizeof(REFUSED) / sizeof(REFUSED[0]); k++)
			if (strcmp(argv[i], REFUSED[k]) == 0) {
				fprintf(err, "ikesim load: %s is `ikesim peer`'s, not a load run's\n", argv[i]);
				return -1;
			}
		if (strcmp(argv[i], "--quiet") == 0) {
			a->quiet = true;
			continue;
		}
		if (strcmp(argv[i], "--no-delete") == 0) {
			a->no_delete = true;
			continue;
		}
		int r = own_flag(a, argc, argv, &i, err);
		if (r < 0)
			return -1;
		if (r == 0 && n_rest >= (int)(sizeof(rest) / sizeof(rest[0]))) {
			fprintf(err, "ikesim load: too many arguments\n");
			return -1;
		}
		if (r == 0)
			rest[n_rest++] = argv[i];
	}
	if (!a->remote || !a->count) {
		fprintf(err, "ikesim load: missing %s (try 'ikesim load --help')\n", !a->remote ? "--remote" : "--count");
		return -1;
	}
	/* Sockets on 127.0.0.1 cannot reach anything else: every setup would just time out. */
	if (!a->local && strncmp(a->remote, "127.", 4) != 0) {
		fprintf(err, "ikesim load: --local ADDR[-ADDR2] is needed for a --remote outside 127.0.0.0/8\n");
		return -1;
	}
	if (!a->concurrency || a->concurrency > a->count)
		a->concurrency = a->count;
	/* The placeholder local address: the range's first (its port is set per setup later). */
	const char *l = a->local ? a->local : "127.0.0.1";
	size_t ll = strcspn(l, "-");
	if (ll >= 60 || strchr(l, ':')) {
		fprintf(err, "ikesim load: --local '%s' is not ADDR or ADDR-ADDR2 (IPv4)\n", l);
		return -1;
	}
	snprintf(a->local0, sizeof(a->local0), "%.*s:1", (int)ll, l);
	a->pargc = 5; /* slots 0..4: "peer", --local, --remote, set below */
	/* Ours first: a trailing flag of the rest without its value must not take one of them as its value. */
	a->pargv[a->pargc++] = "--initiate";
	if (a->id_pattern) {
		a->pargv[a->pargc++] = "--id";
		a->pargv[a->pargc++] = (char *)a->id_pattern; /* parsed per setup; only its form is checked here */
	}
	for (int k = 0; k < n_rest; k++)
		a->pargv[a->pargc++] = rest[k];
	a->pargv[a->pargc] = NULL;
	char *head[5] = { "peer", "--local", a->local0, "--remote", (char *)a->remote };
	memcpy(a->pargv, head, sizeof(head));
	return peer_args_parse(a->pargc, a->pargv, &a->peer, err);
}
