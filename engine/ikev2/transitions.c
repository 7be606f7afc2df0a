/* Executes state-table rows: checks the SA is in the row's `from` state, moves it, traces why. */
#include <stdio.h>

#include "ikev2/sa.h"

/* The connection's record keeps what outlives the SA: where it went (the current SA speaks for itself). */
static void update_record(v2_ike_sa *sa)
{
	ike_conn_rec *r = v2_rec(sa);
	if (r)
		r->remote = sa->remote;
}

static void trace_ike(const v2_ike_sa *sa, ike_time now, const v2_transition *tr, uint8_t from, const char *detail)
{
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "from", v2_ike_state_name(from));
	ike_jsonw_str(&w, "to", v2_ike_state_name(tr->to));
	ike_jsonw_str(&w, "why", detail ? detail : tr->story);
	ike_jsonw_str(&w, "transition", tr->name);
	ike_jsonw_str(&w, "role", sa->initiator ? "initiator" : "responder");
	v2_emit_sa(sa, now, "ike_sa.state", &w);
}

void v2_ike_go(v2_ike_sa *sa, ike_time now, enum v2_ike_tr t, const char *detail)
{
	const v2_transition *tr = &v2_ike_transitions[t];
	if (sa->state != tr->from) {
		v2_trace_error(sa->peer, now, sa, "state machine", "transition not allowed from this state", 0);
		return;
	}
	uint8_t from = sa->state;
	sa->state = tr->to;
	v2_half_open_track(sa, from, tr->to);
	update_record(sa);
	if (v2_tracing(sa->peer))
		trace_ike(sa, now, tr, from, detail);
	if (tr->to == V2_IKE_ESTABLISHED) {
		v2_live_up(sa, now);
		v2_natt_up(sa, now);
		if (sa->ntasks && !sa->req) /* tasks that waited while it was busy start at this instant */
			v2_dl_set(sa, V2_DL_SETTLE, now);
	}
	v2_collide_step(sa, now, from, tr->to);
}

/* ["10.1.0.0/16","10.3.0.0/16[udp/500]"]: selectors as a JSON list (their text needs no escaping). */
static void ts_list(const ike_ts *ts, size_t n, char *out, size_t cap)
{
	size_t at = 0;
	out[at++] = '[';
	for (size_t i = 0; i < n && at + 132 < cap; i++) {
		char one[128];
		ike_ts_format(&ts[i], one, sizeof(one));
		at += (size_t)snprintf(out + at, cap - at, "%s\"%s\"", i ? "," : "", one);
	}
	snprintf(out + at, cap - at, "]");
}

void v2_child_go(v2_ike_sa *sa, v2_child_sa *c, ike_time now, enum v2_child_tr t, const char *detail)
{
	const v2_transition *tr = &v2_child_transitions[t];
	if (!c || c->state != tr->from) {
		v2_trace_error(sa->peer, now, sa, "state machine", "CHILD transition not allowed from this state", 0);
		return;
	}
	uint8_t from = c->state;
	c->state = tr->to;
	if (!v2_tracing(sa->peer))
		return;
	char spi[12];
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "from", v2_child_state_name(from));
	ike_jsonw_str(&w, "to", v2_child_state_name(tr->to));
	ike_jsonw_str(&w, "why", detail ? detail : tr->story);
	ike_jsonw_str(&w, "transition", tr->name);
	if (sa->conn) {
		ike_jsonw_str(&w, "conn", sa->conn->name);
		if (c->cfg < sa->conn->n_children && sa->conn->children[c->cfg].name)
			ike_jsonw_str(&w, "child", sa->conn->children[c->cfg].name);
	}
	snprintf(spi, sizeof(spi), "%08x", c->spi_in);
	ike_jsonw_str(&w, "spi-in", spi);
	snprintf(spi, sizeof(spi), "%08x", c->spi_out);
	ike_jsonw_str(&w, "spi-out", spi);
	ike_jsonw_spi(&w, "initiator-spi", sa->spi_i);
	if (tr->to == V2_CHILD_INSTALLED) { /* the traffic selectors agreed (narrowed), as TSi and TSr of its exchange */
		char list[IKE_TS_MAX * 132 + 4];
		ts_list(c->ts, c->n_ts_i, list, sizeof(list));
		ike_jsonw_raw(&w, "tsi", list);
		ts_list(c->ts + c->n_ts_i, c->n_ts_r, list, sizeof(list));
		ike_jsonw_raw(&w, "tsr", list);
	}
	v2_emit(sa->peer, now, "child_sa.state", &w);
}
