/* After a run: checking expectations and writing the summary event's fields. */
#include <stdio.h>
#include <string.h>

#include "host/names.h"
#include "run.h"
#include "sim.h" /* ike_host_addr_format */

/* One line naming the node, the connection, what was wanted and what was got. */
static size_t check_state(const sim_scenario *sc, size_t i, const ike_conn_status *st, const char *when, FILE *err)
{
	const sim_expect_spec *e = &sc->expects[i];
	const char *node = sc->nodes[e->node].name, *conn = sc->nodes[e->node].conns[e->conn].name;
	char b1[32], b2[32];
	size_t bad = 0;
	if (e->ike_state && strcmp(e->ike_state, st->ike_state ? st->ike_state : "NONE") != 0)
		bad += fprintf(err, "expect[%zu]: %s/%s: ike_state%s wanted %s, got %s\n", i, node, conn, when, e->ike_state,
			       st->ike_state ? st->ike_state : "NONE") > 0;
	if (e->child_state && strcmp(e->child_state, st->child_state ? st->child_state : "NONE") != 0)
		bad += fprintf(err, "expect[%zu]: %s/%s: child_state%s wanted %s, got %s\n", i, node, conn, when,
			       e->child_state, st->child_state ? st->child_state : "NONE") > 0;
	if (e->error >= 0 && (uint16_t)e->error != st->last_error)
		bad += fprintf(err, "expect[%zu]: %s/%s: error%s wanted %s, got %s\n", i, node, conn, when,
			       ike_host_notify_name((uint16_t)e->error, b1, sizeof(b1)),
			       ike_host_notify_name(st->last_error, b2, sizeof(b2))) > 0;
	if ((e->want_sas & 1) && (uint64_t)e->ike_sas != st->ike_sas)
		bad += fprintf(err, "expect[%zu]: %s/%s: ike_sas%s wanted %lld, got %u\n", i, node, conn, when,
			       (long long)e->ike_sas, (unsigned)st->ike_sas) > 0;
	if ((e->want_sas & 2) && (uint64_t)e->child_sas != st->child_sas)
		bad += fprintf(err, "expect[%zu]: %s/%s: child_sas%s wanted %lld, got %u\n", i, node, conn, when,
			       (long long)e->child_sas, (unsigned)st->child_sas) > 0;
	if (e->timed_out >= 0 && e->timed_out != (int8_t)st->timed_out)
		bad += fprintf(err, "expect[%zu]: %s/%s: timed_out%s wanted %s, got %s\n", i, node, conn, when,
			       e->timed_out ? "true" : "false", st->timed_out ? "true" : "false") > 0;
	return bad ? 1 : 0;
}

/* "3", "2..5", "at least 2", "at most 5" */
static void fmt_range(const sim_expect_spec *e, char *out, size_t cap)
{
	if (e->min == e->max)
		snprintf(out, cap, "%llu", (unsigned long long)e->min);
	else if (e->max == (uint64_t)INT64_MAX)
		snprintf(out, cap, "at least %llu", (unsigned long long)e->min);
	else if (e->min == 0)
		snprintf(out, cap, "at most %llu", (unsigned long long)e->max);
	else
		snprintf(out, cap, "%llu..%llu", (unsigned long long)e->min, (unsigned long long)e->max);
}

/* Counted expectations: trace events in a range, or messages of an exchange. */
static size_t check_count(const sim_scenario *sc, size_t i, uint64_t got, FILE *err)
{
	const sim_expect_spec *e = &sc->expects[i];
	char want[64], from[32], to[32] = "end";
	if (got >= e->min && got <= e->max)
		return 0;
	fmt_range(e, want, sizeof(want));
	if (e->kind == SIM_EXPECT_MESSAGES) {
		fprintf(err, "expect[%zu]: %s: %s %s sent wanted %s, got %llu\n", i, sc->nodes[e->node].name,
			sim_exchange_name(e->exchange), e->response < 0 ? "messages" : e->response ? "responses" : "requests",
			want, (unsigned long long)got);
		return 1;
	}
	ike_host_time_format(from, sizeof(from), e->from);
	if (e->to != INT64_MAX)
		ike_host_time_format(to, sizeof(to), e->to);
	char span[80] = "";
	if (e->window > 0) {
		char w[32];
		ike_host_time_format(w, sizeof(w), e->window);
		snprintf(span, sizeof(span), " (most in any %s s)", w);
	}
	fprintf(err, "expect[%zu]: %s%s%s: %s%s%s%s events in [%s, %s]%s wanted %s, got %llu\n", i, sc->nodes[e->node].name,
		e->conn_name ? "/" : "", e->conn_name ? e->conn_name : "", e->event, e->why ? " (why " : "",
		e->why ? e->why : "", e->why ? ")" : "", from, to, span, want, (unsigned long long)got);
	return 1;
}

/* A flow's counters and latency against what the expectation wants. */
static size_t check_flow(const sim_scenario *sc, size_t i, const sim_run_result *res, FILE *err)
{
	static const char *const names[SIM_FC_N] = { "sent", "delivered", "lost" };
	const sim_expect_spec *e = &sc->expects[i];
	const sim_flow_result *f = res->flows ? &res->flows[e->flow] : NULL;
	sim_flow_result zero = { 0 };
	if (!f)
		f = &zero;
	uint64_t got[SIM_FC_N] = { f->sent, f->delivered, f->sent - f->delivered };
	size_t bad = 0;
	for (int k = 0; k < SIM_FC_N; k++) {
		if (!(e->fwant & (1u << k)) || (got[k] >= e->fmin[k] && got[k] <= e->fmax[k]))
			continue;
		sim_expect_spec r = { .min = e->fmin[k], .max = e->fmax[k] };
		char want[64];
		fmt_range(&r, want, sizeof(want));
		bad += fprintf(err, "expect[%zu]: flow %s: %s wanted %s, got %llu\n", i, sc->flows[e->flow].name, names[k], want,
			       (unsigned long long)got[k]) > 0;
	}
	if (e->latency_max >= 0 && f->lat_max > e->latency_max) {
		char w[32], g[32];
		ike_host_time_format(w, sizeof(w), e->latency_max);
		ike_host_time_format(g, sizeof(g), f->lat_max);
		bad += fprintf(err, "expect[%zu]: flow %s: latency at most %s s wanted, got %s s\n", i, sc->flows[e->flow].name,
			       w, g) > 0;
	}
	return bad ? 1 : 0;
}

size_t sim_check_expects(const sim_scenario *sc, const sim_run_result *res, FILE *err)
{
	size_t failed = 0;
	for (size_t i = 0; i < sc->n_expects; i++) {
		const sim_expect_spec *e = &sc->expects[i];
		char when[48], t[32];
		switch (e->kind) {
		case SIM_EXPECT_EVENTS:
		case SIM_EXPECT_MESSAGES:
			failed += check_count(sc, i, res->counts ? res->counts[i] : 0, err);
			break;
		case SIM_EXPECT_FLOW:
			failed += check_flow(sc, i, res, err);
			break;
		case SIM_EXPECT_METRIC:
			failed += sim_check_metric(sc, i, res, err);
			break;
		case SIM_EXPECT_CONFIG:
			if (!e->rule_ok) {
				fprintf(err, "expect[%zu]: rule broken: %s (%s is %s)\n", i, e->rule ? e->rule : "configuration rule",
					e->rule_path, e->rule_got);
				failed++;
			}
			break;
		case SIM_EXPECT_AT:
			ike_host_time_format(t, sizeof(t), e->at);
			snprintf(when, sizeof(when), " at %s s", t);
			if (res->sampled && res->sampled[i]) {
				failed += check_state(sc, i, &res->samples[i], when, err);
				break;
			}
			fprintf(err, "expect[%zu]: %s/%s: not sampled: the run ended before %s s\n", i, sc->nodes[e->node].name,
				sc->nodes[e->node].conns[e->conn].name, t);
			failed++;
			break;
		default:
			failed += check_state(sc, i, &res->status[res->first[e->node] + e->conn], "", err);
		}
	}
	return failed;
}

/* A connection that never got up, or timed out: where dropped datagrams explain the outcome. */
static int starved(const ike_conn_status *st)
{
	return st->timed_out || !st->ike_state || strcmp(st->ike_state, "ESTABLISHED") != 0;
}

int sim_mtu_why(const sim_scenario *sc, const sim_run_result *res, size_t node, const ike_conn_status *st, char *buf,
		size_t cap)
{
	const sim_mtu_note *m = res->mtu ? &res->mtu[node] : NULL;
	buf[0] = '\0';
	if (!m || !m->count || !starved(st))
		return 0;
	snprintf(buf, cap, "%llu datagram%s of up to %zu bytes dropped on %s's links as larger than the link MTU %u",
		 (unsigned long long)m->count, m->count == 1 ? "" : "s", m->largest, sc->nodes[node].name, m->mtu);
	return 1;
}

static void put_str(FILE *f, const char *key, const char *v)
{
	char buf[256];
	ike_host_json_str(buf, sizeof(buf), v ? v : "");
	fprintf(f, "\"%s\":%s", key, buf);
}

static void conn_fields(const ike_conn_status *st, const char *name, const sim_mtu_note *mtu, uint64_t rekeys,
			FILE *f)
{
	char err[32], remote[64];
	fputc('{', f);
	put_str(f, "name", name);
	fputc(',', f);
	put_str(f, "ike_state", st->ike_state ? st->ike_state : "NONE");
	fputc(',', f);
	put_str(f, "child_state", st->child_state ? st->child_state : "NONE");
	fputc(',', f);
	put_str(f, "ike", st->selected_ike);
	fputc(',', f);
	put_str(f, "esp", st->selected_esp);
	fputc(',', f);
	put_str(f, "error", ike_host_notify_name(st->last_error, err, sizeof(err)));
	fprintf(f, ",\"timed_out\":%s", st->timed_out ? "true" : "false");
	if (st->remote.family) {
		ike_host_addr_format(&st->remote, remote, sizeof(remote));
		fputc(',', f);
		put_str(f, "remote", remote);
	}
	if (rekeys) /* only then, as mtu_drops below */
		fprintf(f, ",\"rekeys\":%llu", (unsigned long long)rekeys);
	if (mtu && mtu->count && starved(st)) /* only then: traces without MTU drops stay byte-identical */
		fprintf(f, ",\"mtu_drops\":{\"count\":%llu,\"largest\":%zu,\"mtu\":%u}", (unsigned long long)mtu->count,
			mtu->largest, mtu->mtu);
	fputc('}', f);
}

/* A node's data plane: ESP packets sent, accepted, dropped (by why), acquires. */
static void esp_fields(const sim_esp_node_result *e, FILE *f)
{
	if (!e->tx && !e->rx && !e->drops)
		return;
	fprintf(f, ",\"esp\":{\"tx\":%llu,\"rx\":%llu,\"acquires\":%llu,\"drops\":{", (unsigned long long)e->tx,
		(unsigned long long)e->rx, (unsigned long long)e->acquires);
	int first = 1;
	for (size_t k = 0; k < SIM_XD_N; k++)
		if (e->why[k]) {
			fprintf(f, "%s\"%s\":%llu", first ? "" : ",", sim_ip_why_name(k), (unsigned long long)e->why[k]);
			first = 0;
		}
	fputs("}}", f);
}

/* Per flow: packets sent, delivered, lost, answers back, one-way latency in seconds. */
static void flow_fields(const sim_scenario *sc, const sim_run_result *res, FILE *f)
{
	if (!res->flows)
		return;
	fputs(",\"flows\":[", f);
	for (size_t i = 0; i < sc->n_flows; i++) {
		const sim_flow_result *r = &res->flows[i];
		fprintf(f, "%s{", i ? "," : "");
		put_str(f, "name", sc->flows[i].name);
		fprintf(f, ",\"sent\":%llu,\"delivered\":%llu,\"lost\":%llu,\"replies\":%llu", (unsigned long long)r->sent,
			(unsigned long long)r->delivered, (unsigned long long)(r->sent - r->delivered),
			(unsigned long long)r->replies);
		if (r->delivered)
			fprintf(f, ",\"latency\":{\"min\":%.9f,\"avg\":%.9f,\"max\":%.9f}", (double)r->lat_min / 1e9,
				(double)r->lat_sum / 1e9 / (double)r->delivered, (double)r->lat_max / 1e9);
		fputc('}', f);
	}
	fputc(']', f);
}

/* A NAT box's counters: mappings created, expired, lost in reboots, the most alive at once, drops by why. */
static void nat_fields(const sim_nat_stats *n, FILE *f)
{
	fprintf(f, ",\"nat\":{\"created\":%llu,\"expired\":%llu,\"flushed\":%llu,\"live\":%u,\"peak\":%u,\"drops\":{",
		(unsigned long long)n->created, (unsigned long long)n->expired, (unsigned long long)n->flushed, n->live,
		n->peak);
	int first = 1;
	for (int k = 0; k < 6; k++)
		if (n->drops[k]) {
			fprintf(f, "%s\"%s\":%llu", first ? "" : ",", sim_nat_drop_name(k), (unsigned long long)n->drops[k]);
			first = 0;
		}
	fputs("}}", f);
}

static void cpu_fields(const sim_cpu_stats *c, int64_t end, FILE *f)
{
	double util = end > 0 && c->cores ? (double)c->busy / ((double)end * c->cores) : 0;
	fprintf(f, ",\"cpu\":{\"cores\":%u,\"busy\":%.9f,\"utilization\":%.4f,\"jobs\":%llu,\"drops\":%llu,"
		   "\"max_queue\":%zu,\"max_wait\":%.9f,\"mean_wait\":%.9f",
		c->cores, (double)c->busy / 1e9, util, (unsigned long long)c->jobs, (unsigned long long)c->drops, c->max_queue,
		(double)c->max_wait / 1e9, c->jobs ? (double)c->wait_total / 1e9 / (double)c->jobs : 0.0);
	if (c->receiver) /* only nodes with one: every other summary keeps its bytes */
		fprintf(f, ",\"receiver\":{\"reads\":%llu,\"settled\":%llu,\"busy\":%.9f,\"rcvbuf_drops\":%llu,"
			   "\"rcvbuf_peak\":%llu}",
			(unsigned long long)c->rx_reads, (unsigned long long)c->rx_screened, (double)c->rx_busy / 1e9,
			(unsigned long long)c->rcvbuf_drops, (unsigned long long)c->rcvbuf_peak);
	fputc('}', f);
}

void sim_summary_fields(const sim_scenario *sc, const sim_run_result *res, const sim_backend *be, FILE *f)
{
	fprintf(f, "\"virtual_time\":%.9f,\"seed\":%llu,", (double)res->end_time / 1e9, (unsigned long long)res->seed);
	fprintf(f, "\"datagrams\":{\"sent\":%llu,\"delivered\":%llu,\"dropped\":%llu},\"nodes\":[",
		(unsigned long long)res->total.sent, (unsigned long long)res->total.delivered,
		(unsigned long long)res->total.dropped);
	for (size_t i = 0; i < sc->n_nodes; i++) {
		sim_counts c = be->node_counts(be->impl, (uint32_t)i);
		fprintf(f, "%s{", i ? "," : "");
		put_str(f, "name", sc->nodes[i].name);
		fprintf(f, ",\"sent\":%llu,\"delivered\":%llu,\"dropped\":%llu,\"conns\":[", (unsigned long long)c.sent,
			(unsigned long long)c.delivered, (unsigned long long)c.dropped);
		for (size_t k = 0; k < sc->nodes[i].n_conns; k++) {
			if (k)
				fputc(',', f);
			conn_fields(&res->status[res->first[i] + k], sc->nodes[i].conns[k].name,
				    res->mtu ? &res->mtu[i] : NULL, res->rekeys ? res->rekeys[res->first[i] + k] : 0, f);
		}
		fputs("]", f);
		if (res->esp_nodes)
			esp_fields(&res->esp_nodes[i], f);
		if (res->nat_nodes && sc->nodes[i].nat)
			nat_fields(&res->nat_nodes[i], f);
		if (res->cpu_nodes && sc->nodes[i].cpu)
			cpu_fields(&res->cpu_nodes[i], res->end_time, f);
		fputs("}", f);
	}
	fputc(']', f);
	flow_fields(sc, res, f);
}
