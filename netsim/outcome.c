/* After a run: checking expectations and writing the summary event's fields. */
#include <stdio.h>
#include <string.h>

#include "host/names.h"
#include "run.h"

/* One line naming the node, the connection, what was wanted and what was got. */
static size_t check_one(const sim_scenario *sc, size_t i, const ike_conn_status *st, FILE *err)
{
	const sim_expect_spec *e = &sc->expects[i];
	const char *node = sc->nodes[e->node].name, *conn = sc->nodes[e->node].conns[e->conn].name;
	char b1[32], b2[32];
	size_t bad = 0;
	if (e->ike_state && strcmp(e->ike_state, st->ike_state ? st->ike_state : "NONE") != 0)
		bad += fprintf(err, "expect[%zu]: %s/%s: ike_state wanted %s, got %s\n", i, node, conn, e->ike_state,
			       st->ike_state ? st->ike_state : "NONE") > 0;
	if (e->child_state && strcmp(e->child_state, st->child_state ? st->child_state : "NONE") != 0)
		bad += fprintf(err, "expect[%zu]: %s/%s: child_state wanted %s, got %s\n", i, node, conn,
			       e->child_state, st->child_state ? st->child_state : "NONE") > 0;
	if (e->error >= 0 && (uint16_t)e->error != st->last_error)
		bad += fprintf(err, "expect[%zu]: %s/%s: error wanted %s, got %s\n", i, node, conn,
			       ike_host_notify_name((uint16_t)e->error, b1, sizeof(b1)),
			       ike_host_notify_name(st->last_error, b2, sizeof(b2))) > 0;
	if (e->timed_out >= 0 && e->timed_out != (int8_t)st->timed_out)
		bad += fprintf(err, "expect[%zu]: %s/%s: timed_out wanted %s, got %s\n", i, node, conn,
			       e->timed_out ? "true" : "false", st->timed_out ? "true" : "false") > 0;
	return bad ? 1 : 0;
}

size_t sim_check_expects(const sim_scenario *sc, const sim_run_result *res, FILE *err)
{
	size_t failed = 0;
	for (size_t i = 0; i < sc->n_expects; i++) {
		const sim_expect_spec *e = &sc->expects[i];
		failed += check_one(sc, i, &res->status[res->first[e->node] + e->conn], err);
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

static void conn_fields(const ike_conn_status *st, const char *name, const sim_mtu_note *mtu, FILE *f)
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
	if (mtu && mtu->count && starved(st)) /* only then: traces without MTU drops stay byte-identical */
		fprintf(f, ",\"mtu_drops\":{\"count\":%llu,\"largest\":%zu,\"mtu\":%u}", (unsigned long long)mtu->count,
			mtu->largest, mtu->mtu);
	fputc('}', f);
}

void sim_summary_fields(const sim_scenario *sc, const sim_run_result *res, const sim *s, FILE *f)
{
	fprintf(f, "\"virtual_time\":%.9f,\"seed\":%llu,", (double)res->end_time / 1e9, (unsigned long long)res->seed);
	fprintf(f, "\"datagrams\":{\"sent\":%llu,\"delivered\":%llu,\"dropped\":%llu},\"nodes\":[",
		(unsigned long long)res->total.sent, (unsigned long long)res->total.delivered,
		(unsigned long long)res->total.dropped);
	for (size_t i = 0; i < sc->n_nodes; i++) {
		sim_counts c = sim_node_counts(s, (uint32_t)i);
		fprintf(f, "%s{", i ? "," : "");
		put_str(f, "name", sc->nodes[i].name);
		fprintf(f, ",\"sent\":%llu,\"delivered\":%llu,\"dropped\":%llu,\"conns\":[", (unsigned long long)c.sent,
			(unsigned long long)c.delivered, (unsigned long long)c.dropped);
		for (size_t k = 0; k < sc->nodes[i].n_conns; k++) {
			if (k)
				fputc(',', f);
			conn_fields(&res->status[res->first[i] + k], sc->nodes[i].conns[k].name,
				    res->mtu ? &res->mtu[i] : NULL, f);
		}
		fputs("]}", f);
	}
	fputc(']', f);
}
