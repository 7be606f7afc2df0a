/* `ikesim load`'s results: failures by reason, latency percentiles, the human report and the JSON file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonw.h"
#include "load.h"

void load_stats_fail(load_stats *s, const char *why)
{
	s->failed++;
	for (uint32_t i = 0; i < s->n_reasons; i++)
		if (strcmp(s->reasons[i].why, why) == 0) {
			s->reasons[i].n++;
			return;
		}
	if (s->n_reasons == LOAD_MAX_REASONS) {
		s->other_reasons++;
		return;
	}
	snprintf(s->reasons[s->n_reasons].why, sizeof(s->reasons[0].why), "%s", why);
	s->reasons[s->n_reasons++].n = 1;
}

static int cmp_time(const void *x, const void *y)
{
	ike_time a = *(const ike_time *)x, b = *(const ike_time *)y;
	return (a > b) - (a < b);
}

ike_time load_stats_pct(const load_stats *s, double p)
{
	if (!s->n_lat)
		return 0;
	/* nearest rank: the smallest value with at least p% of the sample at or below it */
	double r = p / 100.0 * s->n_lat;
	uint32_t k = (uint32_t)r;
	if ((double)k < r)
		k++;
	return s->lat[k ? k - 1 : 0];
}

static double ms(ike_time t) { return (double)t / 1e6; }

/* Milliseconds with microsecond resolution as a JSON number. */
static void jw_ms(ike_jsonw *w, const char *key, ike_time t)
{
	char b[40];
	snprintf(b, sizeof(b), "%.3f", ms(t));
	ike_jsonw_raw(w, key, b);
}

static int write_json(const load_stats *s, const load_args *a, double rate, char *err, size_t errlen)
{
	ike_jsonw w, l, f;
	ike_jsonw_init(&w);
	ike_jsonw_init(&l);
	ike_jsonw_init(&f);
	ike_jsonw_str(&w, "remote", a->remote);
	ike_jsonw_int(&w, "count", a->count);
	ike_jsonw_int(&w, "concurrency", a->concurrency);
	jw_ms(&w, "rate", (ike_time)(a->rate * 1e6));
	ike_jsonw_int(&w, "started", s->started);
	ike_jsonw_int(&w, "established", s->n_lat);
	ike_jsonw_int(&w, "failed", s->failed);
	ike_jsonw_int(&w, "unfinished", s->started - s->n_lat - s->failed);
	jw_ms(&w, "duration_ms", s->duration);
	jw_ms(&w, "setups_per_s", (ike_time)(rate * 1e6));
	static const double P[] = { 50, 90, 99 };
	static const char *const K[] = { "p50", "p90", "p99" };
	jw_ms(&l, "min", s->n_lat ? s->lat[0] : 0);
	for (int i = 0; i < 3; i++)
		jw_ms(&l, K[i], load_stats_pct(s, P[i]));
	jw_ms(&l, "max", s->n_lat ? s->lat[s->n_lat - 1] : 0);
	for (uint32_t i = 0; i < s->n_reasons; i++)
		ike_jsonw_int(&f, s->reasons[i].why, s->reasons[i].n);
	if (s->other_reasons)
		ike_jsonw_int(&f, "other", s->other_reasons);
	ike_jsonw_int(&w, "retransmissions", (int64_t)s->setup_retransmits);
	ike_jsonw_int(&w, "retransmissions_deleting", (int64_t)(s->retransmits - s->setup_retransmits));
	ike_jsonw_int(&w, "datagrams_sent", (int64_t)s->sent);
	ike_jsonw_int(&w, "datagrams_received", (int64_t)s->received);
	ike_jsonw_int(&w, "send_errors", (int64_t)s->send_errors);
	FILE *fp = fopen(a->json, "w");
	if (!fp) {
		snprintf(err, errlen, "--json %s: %s", a->json, strerror(errno));
		return -1;
	}
	int bad = fprintf(fp, "{%s,\"latency_ms\":{%s},\"failures\":{%s}}\n", w.buf, l.buf, f.buf) < 0;
	if (fclose(fp) != 0 || bad) {
		snprintf(err, errlen, "--json %s: writing failed", a->json);
		return -1;
	}
	return 0;
}

int load_stats_report(load_stats *s, const load_args *a, FILE *out, char *err, size_t errlen)
{
	qsort(s->lat, s->n_lat, sizeof(s->lat[0]), cmp_time);
	double secs = (double)s->duration / 1e9;
	double rate = secs > 0 ? s->n_lat / secs : 0;
	fprintf(out, "ikesim load: %u of %u established in %.3f s (%.1f setups/s), %u failed, %u unfinished\n", s->n_lat,
		a->count, secs, rate, s->failed, s->started - s->n_lat - s->failed);
	if (s->n_lat)
		fprintf(out, "ikesim load: latency ms: min %.1f p50 %.1f p90 %.1f p99 %.1f max %.1f\n", ms(s->lat[0]),
			ms(load_stats_pct(s, 50)), ms(load_stats_pct(s, 90)), ms(load_stats_pct(s, 99)),
			ms(s->lat[s->n_lat - 1]));
	fprintf(out, "ikesim load: %llu retransmission(s) while setting up (%llu deleting), %llu datagrams sent, "
		"%llu received, %llu send error(s)\n", (unsigned long long)s->setup_retransmits,
		(unsigned long long)(s->retransmits - s->setup_retransmits), (unsigned long long)s->sent, (unsigned long long)s->received,
		(unsigned long long)s->send_errors);
	for (uint32_t i = 0; i < s->n_reasons; i++)
		fprintf(out, "ikesim load: failed %u: %s\n", s->reasons[i].n, s->reasons[i].why);
	if (s->other_reasons)
		fprintf(out, "ikesim load: failed %u: other reasons\n", s->other_reasons);
	return a->json ? write_json(s, a, rate, err, errlen) : 0;
}
