/*
 * Issue 8, acceptance 3: a 24-hour virtual run of 100 peer pairs with the strongSwan profile's lifetimes
 * (CHILD rekey_time 1 h, rand_time = over_time = 6 min; IKE rekey_time 4 h, rand_time = over_time = 24 min).
 * Every SA is alive at the end, each end holds exactly one IKE SA and one CHILD SA (the pair's two ends the
 * same SAs), and the number of rekeys per pair lies within what the lifetimes and their jitter allow.
 *
 * The bounds. Both ends arm their own rekey timer when an SA is installed, at rekey_time - U[0, rand_time]
 * drawn from their own DRBG; the earlier timer starts the rekey and the new SA re-arms both ends (a CHILD SA
 * keeps its timers when an IKE rekey moves it). So consecutive rekeys of one pair are d apart with
 * rekey_time - rand_time <= d <= rekey_time + delta, where delta is a few seconds at most: one round trip
 * (20 ms here), a wait behind the other kind's exchange in the task queue, a retry 1-3 s after a
 * TEMPORARY_FAILURE (RFC 7296 2.25). The lower bounds below hold for any delta under 156 s (CHILD) and
 * 40 min (IKE). The first CHILD SA is up at t0 < 1.1 s (starts staggered over 0.99 s, two round trips).
 * Rekeys (rounds) in [0, 24 h]:
 *   CHILD: at least floor((24 h - t0) / (60 min + delta)) = 23, at most floor(24 h / 54 min) = 26;
 *   IKE:   at least floor((24 h - t0) / (4 h + delta)) = 5,   at most floor(24 h / 3 h 36 min) = 6.
 * Typical: the earlier of two draws comes 60 - 4 = 56 min after the last on average, so 25 or 26 CHILD
 * rekeys, and always 6 IKE rekeys (a 24 h run takes 6 rounds of at most 4 h only if all six land early).
 * When both timers fire within one round trip the requests cross (RFC 7296 2.8.1/2.8.2): each end then
 * reports two rekeyed events with reason "collision" and the nonces pick one survivor. So per node the
 * events are rounds + collisions: in [23, 2 x 26] (CHILD) and [5, 2 x 6] (IKE); the exact per-round count
 * comes from the trace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "run.h"
#include "scenario.h"
#include "testfs.h"
#include "test_list.h.in"

#define PAIRS 100
#define CHILD_MIN 23
#define CHILD_MAX 26
#define IKE_MIN 5
#define IKE_MAX 6
#define LIVE_MAX 4 /* SAs one end may hold at once: old, new and a colliding new one */
#define KEYLEN 48  /* "16 hex digits/16 hex digits" */
#define S(x) ((int64_t)(x) * 1000000000LL)

/* The scenario: pair k is node i<k> (initiates at k x 10 ms) and node r<k>, on their own 10 ms link. */
static char *longrun_json(size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	assert_non_null(f);
	fprintf(f, "{\"description\":\"100 pairs, strongSwan profile, 24 h\",\"seed\":6,\"duration\":\"24h\",\"nodes\":[");
	for (int k = 0; k < PAIRS; k++)
		fprintf(f, "%s{\"name\":\"i%d\",\"addresses\":[\"10.0.%d.%d\"],\"profile\":\"strongswan\"},"
			   "{\"name\":\"r%d\",\"addresses\":[\"10.1.%d.%d\"],\"profile\":\"strongswan\"}",
			k ? "," : "", k, k / 200, k % 200 + 1, k, k / 200, k % 200 + 1);
	fprintf(f, "],\"links\":[");
	for (int k = 0; k < PAIRS; k++)
		fprintf(f, "%s{\"a\":\"i%d\",\"b\":\"r%d\",\"latency\":\"10ms\"}", k ? "," : "", k, k);
	fprintf(f, "],\"connections\":[");
	for (int k = 0; k < PAIRS; k++)
		fprintf(f, "%s{\"name\":\"c\",\"node\":\"i%d\",\"remote_node\":\"r%d\",\"initiate\":true,\"at\":\"%dms\","
			   "\"auth\":{\"psk\":\"longrun\"},\"local_ts\":[\"10.8.0.0/16\"],\"remote_ts\":[\"10.9.0.0/16\"]},"
			   "{\"name\":\"c\",\"node\":\"r%d\",\"remote_node\":\"i%d\",\"auth\":{\"psk\":\"longrun\"},"
			   "\"local_ts\":[\"10.9.0.0/16\"],\"remote_ts\":[\"10.8.0.0/16\"]}",
			k ? "," : "", k, k, 10 * k, k, k);
	fprintf(f, "],\"expect\":[");
	for (int n = 0; n < 2 * PAIRS; n++) {
		char node[16];
		snprintf(node, sizeof(node), "%c%d", n % 2 ? 'r' : 'i', n / 2);
		fprintf(f, "%s{\"node\":\"%s\",\"conn\":\"c\",\"ike_state\":\"ESTABLISHED\",\"child_state\":\"INSTALLED\"},"
			   "{\"node\":\"%s\",\"event\":\"child_sa.rekeyed\",\"min\":%d,\"max\":%d},"
			   "{\"node\":\"%s\",\"event\":\"ike_sa.rekeyed\",\"min\":%d,\"max\":%d},"
			   "{\"node\":\"%s\",\"event\":\"ike.retransmit\",\"count\":0}",
			n ? "," : "", node, node, CHILD_MIN, 2 * CHILD_MAX, node, IKE_MIN, 2 * IKE_MAX, node);
	}
	fprintf(f, "]}");
	assert_int_equal(fclose(f), 0);
	return text;
}

/* What one end did, from its trace events. */
typedef struct end_tally {
	size_t child[3], ike[3];          /* rekeyed events by reason: lifetime (we started it), peer, collision */
	size_t child_deletes, ike_deletes; /* "delete-sent": a redundant SA after a collision, or a hard expiry */
	char ike_live[LIVE_MAX][KEYLEN];       /* "initiator-spi/responder-spi" of the IKE SAs up */
	char child_live[LIVE_MAX][KEYLEN];     /* "spi-in/spi-out" of the CHILD SAs installed */
	size_t n_ike, n_child;
	/* Time between rounds as this end sees them ([0] CHILD, [1] IKE): from its first SA up to each rekey,
	 * the second event of a collision (same round, within a second) not counted as a round. */
	double last[2], sum[2], lo[2], hi[2];
	size_t gaps[2];
} end_tally;

/* A round of kind (0 CHILD, 1 IKE) seen at t: the time since the previous one joins the statistics. */
static void round_at(end_tally *e, int kind, double t, bool first)
{
	double gap = t - e->last[kind];
	if (first || gap < 1.0) {
		e->last[kind] = first ? t : e->last[kind];
		return;
	}
	e->lo[kind] = e->gaps[kind] && e->lo[kind] < gap ? e->lo[kind] : gap;
	e->hi[kind] = e->gaps[kind] && e->hi[kind] > gap ? e->hi[kind] : gap;
	e->sum[kind] += gap;
	e->gaps[kind]++;
	e->last[kind] = t;
}

/* The "t" of a trace line, in seconds. */
static double line_time(const char *line)
{
	const char *p = strstr(line, "\"t\":");
	assert_non_null(p);
	return strtod(p + 4, NULL);
}

/* Copies the string value of "key" in a trace line into out ("" if absent). */
static const char *field(const char *line, const char *key, char *out, size_t cap)
{
	char want[40];
	snprintf(want, sizeof(want), "\"%s\":\"", key);
	const char *p = strstr(line, want);
	out[0] = '\0';
	if (p) {
		p += strlen(want);
		size_t n = strcspn(p, "\"");
		assert_true(n < cap);
		memcpy(out, p, n);
		out[n] = '\0';
	}
	return out;
}

static void live_add(char (*set)[KEYLEN], size_t *n, const char *key)
{
	assert_true(*n < LIVE_MAX);
	snprintf(set[(*n)++], KEYLEN, "%s", key);
}

static void live_remove(char (*set)[KEYLEN], size_t *n, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(set[i], key)) {
			memcpy(set[i], set[--*n], KEYLEN);
			return;
		}
}

static int reason_index(const char *r)
{
	if (!strcmp(r, "lifetime"))
		return 0;
	if (!strcmp(r, "peer"))
		return 1;
	if (!strcmp(r, "collision"))
		return 2;
	fail_msg("unexpected rekey reason '%s'", r);
	return -1;
}

/* One trace line: the SA sets and counters of the end it names. */
static void tally_line(end_tally *e, const char *line, const char *ev)
{
	char a[20], b[20], key[KEYLEN], to[24], tr[40];
	if (!strcmp(ev, "child_sa.rekeyed") || !strcmp(ev, "ike_sa.rekeyed")) {
		(ev[0] == 'c' ? e->child : e->ike)[reason_index(field(line, "reason", a, sizeof(a)))]++;
		round_at(e, ev[0] == 'i', line_time(line), false);
		return;
	}
	bool ike = !strcmp(ev, "ike_sa.state");
	if (!ike && strcmp(ev, "child_sa.state"))
		return;
	field(line, "to", to, sizeof(to));
	field(line, "transition", tr, sizeof(tr));
	if (!strcmp(tr, "delete-sent"))
		++*(ike ? &e->ike_deletes : &e->child_deletes);
	if (!strcmp(tr, "installed") || !strcmp(tr, "i-auth-ok") || !strcmp(tr, "r-auth-ok"))
		round_at(e, ike, line_time(line), true); /* the first SA of each kind: the clock starts */
	field(line, ike ? "initiator-spi" : "spi-in", a, sizeof(a));
	field(line, ike ? "responder-spi" : "spi-out", b, sizeof(b));
	snprintf(key, sizeof(key), "%s/%s", a, b);
	char (*set)[KEYLEN] = ike ? e->ike_live : e->child_live;
	size_t *n = ike ? &e->n_ike : &e->n_child;
	if (!strcmp(to, ike ? "ESTABLISHED" : "INSTALLED"))
		live_add(set, n, key);
	else if (!strcmp(to, "DESTROYING"))
		live_remove(set, n, key);
}

/* Reads the trace into per-end tallies: ends[2k] is i<k>, ends[2k + 1] is r<k>; other lines must be errors-free. */
static void tally_trace(const char *path, end_tally *ends, size_t *errors)
{
	char *text = tfs_must_read(path, NULL), node[16], ev[32];
	*errors = 0;
	for (char *line = text, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		field(line, "ev", ev, sizeof(ev));
		if (!strcmp(ev, "error")) {
			char why[64];
			print_message("longrun: %s\n", line);
			/* a rekey meeting the other kind's exchange is refused and retried: the only error allowed */
			assert_non_null(strstr(field(line, "notify", why, sizeof(why)), "TEMPORARY_FAILURE"));
			(*errors)++;
		}
		field(line, "node", node, sizeof(node));
		if ((node[0] != 'i' && node[0] != 'r') || !node[1])
			continue;
		int k = atoi(node + 1);
		assert_true(k >= 0 && k < PAIRS);
		tally_line(&ends[2 * k + (node[0] == 'r')], line, ev);
	}
	free(text);
}

/*
 * One pair: each end holds exactly one IKE SA and one CHILD SA, the same ones (SPIs match across); what one
 * end started the other saw as the peer's; the rounds are within the bounds above; every "delete-sent" was a
 * collision's redundant SA, never a hard expiry. Adds the pair's rounds and collisions to tot.
 */
static void check_pair(int k, const end_tally *i, const end_tally *r, size_t tot[6])
{
	char want[KEYLEN];
	assert_int_equal(i->n_ike, 1);
	assert_int_equal(r->n_ike, 1);
	assert_int_equal(i->n_child, 1);
	assert_int_equal(r->n_child, 1);
	assert_string_equal(i->ike_live[0], r->ike_live[0]);
	snprintf(want, sizeof(want), "%.8s/%.8s", r->child_live[0] + 9, r->child_live[0]);
	assert_string_equal(i->child_live[0], want); /* our spi-in is the peer's spi-out */
	const size_t *ci = i->child, *cr = r->child, *ii = i->ike, *ir = r->ike;
	assert_int_equal(ci[1], cr[0]);
	assert_int_equal(cr[1], ci[0]);
	assert_int_equal(ii[1], ir[0]);
	assert_int_equal(ir[1], ii[0]);
	assert_int_equal(ci[2], cr[2]);
	assert_int_equal(ii[2], ir[2]);
	assert_int_equal(ci[2] % 2 + ii[2] % 2, 0); /* two collision events per end and round */
	size_t child = ci[0] + cr[0] + ci[2] / 2, ike = ii[0] + ir[0] + ii[2] / 2;
	if (child < CHILD_MIN || child > CHILD_MAX || ike < IKE_MIN || ike > IKE_MAX)
		fail_msg("pair %d: %zu CHILD rekeys (want %d..%d), %zu IKE rekeys (want %d..%d)", k, child, CHILD_MIN,
			 CHILD_MAX, ike, IKE_MIN, IKE_MAX);
	assert_int_equal(i->child_deletes + r->child_deletes, ci[2] / 2);
	assert_int_equal(i->ike_deletes + r->ike_deletes, ii[2] / 2);
	size_t add[6] = { child, ike, ci[0] + ii[0], cr[0] + ir[0], ci[2] / 2, ii[2] / 2 };
	for (int j = 0; j < 6; j++)
		tot[j] += add[j];
}

/*
 * Rounds as one end saw them: every gap within [rekey_time - rand_time, rekey_time] (give or take the
 * round trips and a retry) and the gaps' sums added to acc for the mean.
 */
static void check_gaps(int k, const end_tally *e, double acc[2][2])
{
	static const double lo[2] = { 54 * 60 - 1, 216 * 60 - 1 }, hi[2] = { 60 * 60 + 5, 240 * 60 + 5 };
	for (int kind = 0; kind < 2; kind++) {
		if (!e->gaps[kind] || e->lo[kind] < lo[kind] || e->hi[kind] > hi[kind])
			fail_msg("pair %d: %s rekeys %.3f to %.3f s apart (%zu gaps), want %.0f to %.0f s", k,
				 kind ? "IKE" : "CHILD", e->lo[kind], e->hi[kind], e->gaps[kind], lo[kind], hi[kind]);
		acc[kind][0] += e->sum[kind];
		acc[kind][1] += (double)e->gaps[kind];
	}
}

/* The profile gives the numbers the bounds were derived from. */
static void profile_as_derived(const sim_scenario *sc)
{
	const ike_conn_cfg *c = &sc->nodes[0].conns[0];
	assert_int_equal(c->children[0].life.rekey, S(3600));
	assert_int_equal(c->children[0].life.rand, S(360));
	assert_int_equal(c->children[0].life.over, S(360));
	assert_int_equal(c->ike_life.rekey, S(4 * 3600));
	assert_int_equal(c->ike_life.rand, S(24 * 60));
	assert_int_equal(c->ike_life.over, S(24 * 60));
	assert_int_equal(c->ike_life.reauth, 0);
}

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hundred_pairs_for_24_hours(void **state)
{
	(void)state;
	double t0 = wall_seconds();
	size_t len, errors;
	char *text = longrun_json(&len), err[512], trace[128];
	sim_scenario *sc = sim_scenario_parse("longrun_100x24h.json", text, len, err, sizeof(err));
	free(text);
	if (!sc)
		fail_msg("%s", err);
	profile_as_derived(sc);
	tfs_dir dir;
	tfs_dir_make(&dir, "longrun");
	tfs_dir_file(&dir, "trace.jsonl", trace, sizeof(trace));
	sim_run_opts o = { .trace_path = trace };
	sim_run_result res;
	if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(res.end_time <= S(24 * 3600));
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	double t_run = wall_seconds() - t0;
	end_tally *ends = calloc(2 * PAIRS, sizeof(*ends));
	assert_non_null(ends);
	tally_trace(trace, ends, &errors);
	size_t tot[6] = { 0 };
	double acc[2][2] = { { 0 } };
	for (int k = 0; k < PAIRS; k++) {
		check_pair(k, &ends[2 * k], &ends[2 * k + 1], tot);
		check_gaps(k, &ends[2 * k], acc);
		check_gaps(k, &ends[2 * k + 1], acc);
	}
	/* The earlier of two draws: rekey_time - E[max of two U[0, rand_time]] = rekey_time - 2/3 rand_time,
	 * 56 min and 3 h 44 min (one timer alone would give 57 min and 3 h 48 min). */
	double child_mean = acc[0][0] / acc[0][1] / 60, ike_mean = acc[1][0] / acc[1][1] / 60;
	if (child_mean < 55.5 || child_mean > 56.5 || ike_mean < 222 || ike_mean > 226)
		fail_msg("mean gaps %.2f min (CHILD, want 56) and %.2f min (IKE, want 224)", child_mean, ike_mean);
	/* both ends' timers run: each side starts about half of the rekeys (expected 50 %, binomial sd ~1 %) */
	size_t started = tot[2] + tot[3];
	assert_true(tot[2] * 10 > started * 3 && tot[3] * 10 > started * 3);
	print_message("longrun: %d pairs, 24 h: %zu CHILD and %zu IKE rekeys; started by the IKE initiator %zu, by the "
		      "responder %zu; collisions %zu CHILD, %zu IKE; %zu TEMPORARY_FAILURE; mean gaps %.2f min CHILD, "
		      "%.2f min IKE; %.2f s wall (run %.2f s)\n", PAIRS, tot[0], tot[1], tot[2], tot[3], tot[4], tot[5],
		      errors, child_mean, ike_mean, wall_seconds() - t0, t_run);
	free(ends);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	tfs_dir_remove(&dir);
}

size_t tests_longrun(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(hundred_pairs_for_24_hours),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
