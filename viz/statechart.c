/* `viz states`: the IKE SA and CHILD SA machines drawn from the engine's own const transition tables. */
#include <stdio.h>
#include <string.h>

#include "ikev1/v1_sa.h"
#include "ikev2/states.h"
#include "viz_int.h"

#define MAX_STEPS 256 /* steps of one SA's path that are numbered in the picture */

typedef struct machine {
	const char *prefix, *title, *ev;
	const v2_transition *tr;
	size_t ntr, nstates;
	const char *(*name)(uint8_t);
} machine;

/* 0, 1: IKEv2; 2, 3: IKEv1 (viz_states_opts.ike == 1), same row type and state names. */
static const machine MACHINES[4] = {
	{ "ike", "IKE SA: v2_ike_transitions", "ike_sa.state", v2_ike_transitions, V2_T_IKE_NTRANS, V2_IKE_NSTATES,
	  v2_ike_state_name },
	{ "child", "CHILD SA: v2_child_transitions", "child_sa.state", v2_child_transitions, V2_T_CHILD_NTRANS,
	  V2_CHILD_NSTATES, v2_child_state_name },
	{ "ike", "ISAKMP SA: v1_ike_transitions", "ike_sa.state", v1_ike_transitions, V1_T_IKE_N, V2_IKE_NSTATES,
	  v2_ike_state_name },
	{ "child", "IPsec SA: v1_child_transitions", "child_sa.state", v1_child_transitions, V1_T_CHILD_N,
	  V2_CHILD_NSTATES, v2_child_state_name },
};

static unsigned char first_machine(const viz_states_opts *o) { return o->ike == 1 ? 2 : 0; }

/* The path one SA took: for each machine and row, the step numbers that executed it. */
typedef struct sa_path {
	const char *node, *ispi, *role;
	int found;
	size_t nsteps;
	unsigned char mach[MAX_STEPS];
	size_t row[MAX_STEPS];
} sa_path;

/* RFC 7296 3.1 exchange types; 0 in a table row means a timer or a local action. */
static const char *exchange_name(unsigned x)
{
	switch (x) {
	case 0: return "timer or local";
	case 2: return "ID_PROT"; /* IKEv1 (RFC 2409) */
	case 4: return "AGGRESSIVE";
	case 5: return "INFORMATIONAL_V1";
	case 32: return "QUICK_MODE";
	case 34: return "IKE_SA_INIT";
	case 35: return "IKE_AUTH";
	case 36: return "CREATE_CHILD_SA";
	case 37: return "INFORMATIONAL";
	default: return "?";
	}
}

static const char *role_name(unsigned r)
{
	return r == V2_ROLE_INITIATOR ? "initiator" : r == V2_ROLE_RESPONDER ? "responder" : "either role";
}

/* Appends text for a Graphviz label: backslashes escaped, wrapped at spaces near width columns. */
static void label_wrap(viz_buf *b, const char *s, size_t width)
{
	size_t col = 0;
	for (; *s; s++) {
		if (*s == ' ' && col > 0 && col + 1 + strcspn(s + 1, " ") > width) {
			viz_buf_puts(b, "\\n");
			col = 0;
			continue;
		}
		if (*s == '\\')
			viz_buf_puts(b, "\\\\");
		else
			viz_buf_put(b, s, 1);
		col++;
	}
}

/* The row a state event names: by its stable name, or (traces without "schema") by its index. */
static int find_row(const viz_trace *t, const viz_event *e, const machine *m, size_t *row, char *msg, size_t n)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(e->json, "transition");
	if (cJSON_IsString(j)) {
		for (*row = 0; *row < m->ntr; (*row)++)
			if (strcmp(m->tr[*row].name, j->valuestring) == 0)
				return 0;
		snprintf(msg, n, "%s:%zu: %s names transition \"%.40s\", which is not a row of the %s table", t->file,
			 e->line, e->ev, j->valuestring, m->prefix);
		return -1;
	}
	/* Row indices shift when rows are added: only traces from before names (no schema) carry them. */
	double d = cJSON_IsNumber(j) && t->schema == 0 ? j->valuedouble : -1;
	if (d < 0 || d >= (double)m->ntr || d != (double)(size_t)d) {
		snprintf(msg, n, "%s:%zu: %s with no valid \"transition\" (a row name of the %s table)", t->file, e->line,
			 e->ev, m->prefix);
		return -1;
	}
	*row = (size_t)d;
	return 0;
}

/* Checks that a state event executed the row it names; 0, or -1 with FILE:LINE in msg. */
static int check_row(const viz_trace *t, const viz_event *e, const machine *m, size_t *row, char *msg, size_t n)
{
	const char *from = viz_ev_str(e, "from"), *to = viz_ev_str(e, "to");
	if (find_row(t, e, m, row, msg, n) != 0)
		return -1;
	const v2_transition *r = &m->tr[*row];
	if (!from || !to || strcmp(from, m->name(r->from)) != 0 || strcmp(to, m->name(r->to)) != 0) {
		snprintf(msg, n, "%s:%zu: %s row %s is %s -> %s in the table, the trace says %s -> %s", t->file,
			 e->line, m->prefix, r->name, m->name(r->from), m->name(r->to), from ? from : "?", to ? to : "?");
		return -1;
	}
	return 0;
}

/* Picks the SA: the first ike_sa.state event matching node and SPI fixes the node and initiator SPI. */
static int pick_sa(const viz_states_opts *o, sa_path *p, char *msg, size_t n)
{
	for (size_t i = 0; i < o->trace->n && !p->found; i++) {
		const viz_event *e = &o->trace->ev[i];
		const char *ispi = viz_ev_str(e, "initiator-spi"), *rspi = viz_ev_str(e, "responder-spi");
		if (strcmp(e->ev, "ike_sa.state") != 0 || !ispi || (o->node && strcmp(o->node, e->node) != 0))
			continue;
		if (o->spi && strcmp(o->spi, ispi) != 0 && (!rspi || strcmp(o->spi, rspi) != 0))
			continue;
		p->node = e->node, p->ispi = ispi, p->role = viz_ev_str(e, "role"), p->found = 1;
	}
	if (!p->found)
		snprintf(msg, n, "%s: no IKE SA%s%s%s%s in the trace", o->trace->file, o->node ? " on node " : "",
			 o->node ? o->node : "", o->spi ? " with SPI " : "", o->spi ? o->spi : "");
	return p->found ? 0 : -1;
}

static int collect_path(const viz_states_opts *o, sa_path *p, char *msg, size_t n)
{
	if (pick_sa(o, p, msg, n) != 0)
		return -1;
	for (size_t i = 0; i < o->trace->n; i++) {
		const viz_event *e = &o->trace->ev[i];
		const char *ispi = viz_ev_str(e, "initiator-spi");
		for (unsigned char k = first_machine(o); k < first_machine(o) + 2; k++) {
			if (strcmp(e->ev, MACHINES[k].ev) != 0 || strcmp(e->node, p->node) != 0 || !ispi ||
			    strcmp(ispi, p->ispi) != 0)
				continue;
			size_t row;
			if (check_row(o->trace, e, &MACHINES[k], &row, msg, n) != 0)
				return -1;
			if (p->nsteps < MAX_STEPS) {
				p->mach[p->nsteps] = k;
				p->row[p->nsteps++] = row;
			}
		}
	}
	return 0;
}

/* "step 1, 3" for the steps that executed row r of machine k; empty when none. */
static void steps_of(const sa_path *p, unsigned char k, size_t r, viz_buf *b)
{
	for (size_t i = 0; p && i < p->nsteps; i++)
		if (p->mach[i] == k && p->row[i] == r)
			viz_buf_printf(b, "%s%zu", b->len ? ", " : "step ", i + 1);
}

static int state_visited(const sa_path *p, unsigned char k, size_t s)
{
	for (size_t i = 0; p && i < p->nsteps; i++)
		if (p->mach[i] == k && (MACHINES[k].tr[p->row[i]].from == s || MACHINES[k].tr[p->row[i]].to == s))
			return 1;
	return 0;
}

/* Whether row r is drawn: not a dispatch-only row, and a row of the role shown (V2_ROLE_ANY: every row). */
static int row_shown(const v2_transition *r, unsigned role)
{
	return !(r->flags & V2_TRF_QUIET) && (r->role & role) != 0;
}

static int state_used(const machine *m, size_t s, unsigned role)
{
	for (size_t r = 0; r < m->ntr; r++)
		if (row_shown(&m->tr[r], role) && (m->tr[r].from == s || m->tr[r].to == s))
			return 1;
	return 0;
}

static void add_states(Agraph_t *sub, unsigned char k, const sa_path *p, unsigned role)
{
	const machine *m = &MACHINES[k];
	char name[64];
	for (size_t s = 0; s < m->nstates; s++) {
		snprintf(name, sizeof(name), "%s:%s", m->prefix, m->name((uint8_t)s));
		Agnode_t *nd = viz_gv_node(sub, name, m->name((uint8_t)s));
		snprintf(name, sizeof(name), "%s_%s", m->prefix, m->name((uint8_t)s));
		viz_gv_set(nd, "id", name);
		if (!state_used(m, s, role)) {
			viz_gv_set(nd, "style", "rounded,dashed");
			viz_gv_set(nd, "fontcolor", "gray40");
			viz_gv_set(nd, "tooltip", role == V2_ROLE_ANY ? "no row of the table reaches this state in this release"
								      : "no row of this role reaches this state in this release");
		} else if (state_visited(p, k, s)) {
			viz_gv_set(nd, "style", "rounded,filled");
			viz_gv_set(nd, "fillcolor", "#fde3c8");
		}
	}
}

/*
 * One edge per drawn row. The whole table (no trace) labels every row with its story; with a trace, the rows
 * the SA took keep theirs and the others say only name and exchange (the story is their tooltip), so the
 * labels do not pile up and the picture stays readable at report width.
 */
static void add_rows(Agraph_t *sub, unsigned char k, const sa_path *p, unsigned role)
{
	const machine *m = &MACHINES[k];
	char a[64], b[64], key[48];
	for (size_t r = 0; r < m->ntr; r++) {
		const v2_transition *t = &m->tr[r];
		if (!row_shown(t, role)) /* dispatch-only rows never change a state; the other role's rows are not ours */
			continue;
		snprintf(a, sizeof(a), "%s:%s", m->prefix, m->name(t->from));
		snprintf(b, sizeof(b), "%s:%s", m->prefix, m->name(t->to));
		snprintf(key, sizeof(key), "%s_%s", m->prefix, t->name);
		Agedge_t *e = agedge(sub, agnode(sub, a, 0), agnode(sub, b, 0), key, 1);
		viz_buf steps = { 0 }, lab = { 0 }, tip = { 0 };
		steps_of(p, k, r, &steps);
		if (steps.len)
			viz_buf_printf(&lab, "[%s]\\n", steps.p);
		if (!p || steps.len) {
			viz_buf_printf(&lab, "%s: %s, %s\\n", t->name, exchange_name(t->exchange), role_name(t->role));
			label_wrap(&lab, t->story, 34);
		} else {
			viz_buf_printf(&lab, "%s", t->name);
		}
		viz_buf_printf(&tip, "%s: %s, %s: %s (%s)", t->name, exchange_name(t->exchange), role_name(t->role),
			       t->story, t->trigger);
		viz_gv_set(e, "id", key);
		viz_gv_set(e, "label", lab.oom ? "?" : lab.p);
		viz_gv_set(e, "tooltip", tip.oom ? t->trigger : tip.p);
		if (steps.len) {
			viz_gv_set(e, "color", "#c0392b");
			viz_gv_set(e, "fontcolor", "#c0392b");
			viz_gv_set(e, "penwidth", "2.5");
			viz_gv_set(e, "fontsize", "11");
		}
		viz_buf_free(&steps);
		viz_buf_free(&lab);
		viz_buf_free(&tip);
	}
}

static void set_defaults(Agraph_t *g, const sa_path *p, int v1, unsigned role)
{
	agattr(g, AGRAPH, "fontname", "Helvetica");
	agattr(g, AGRAPH, "labelloc", "t");
	agattr(g, AGNODE, "shape", "box");
	agattr(g, AGNODE, "style", "rounded");
	agattr(g, AGNODE, "fontname", "Helvetica");
	agattr(g, AGNODE, "fontsize", "12");
	agattr(g, AGEDGE, "fontname", "Helvetica");
	agattr(g, AGEDGE, "fontsize", "10");
	viz_buf t = { 0 };
	viz_buf_puts(&t, v1 ? "IKEv1 state machines, drawn from the engine's tables (engine/ikev1/v1_states.c)"
			    : "IKEv2 state machines, drawn from the engine's tables (engine/ikev2/states.c)");
	if (p)
		viz_buf_printf(&t, "\\nhighlighted: the path of %s's IKE SA %s (%s), %zu steps", p->node, p->ispi,
			       p->role ? p->role : "?", p->nsteps);
	if (role != V2_ROLE_ANY)
		viz_buf_printf(&t, "\\nthe %s's rows and the rows of either role; %s", role_name(role),
			       p ? "hover an edge for its story" : "the other role's rows left out");
	viz_gv_set(g, "label", t.oom ? "" : t.p);
	viz_buf_free(&t);
}

/* The rows to draw: the role asked for, or with a trace (VIZ_ROLE_AUTO) the role the SA played. */
static unsigned shown_role(int want, const sa_path *p)
{
	if (want == VIZ_ROLE_INITIATOR || want == VIZ_ROLE_RESPONDER)
		return want == VIZ_ROLE_INITIATOR ? V2_ROLE_INITIATOR : V2_ROLE_RESPONDER;
	if (want == VIZ_ROLE_AUTO && p && p->role)
		return strcmp(p->role, "initiator") == 0 ? V2_ROLE_INITIATOR
		       : strcmp(p->role, "responder") == 0 ? V2_ROLE_RESPONDER : V2_ROLE_ANY;
	return V2_ROLE_ANY;
}

/* The CHILD SA machine below the IKE SA machine, not beside it: half the width, twice the readable size. */
static void stack_machines(Agraph_t *g, unsigned char k0)
{
	char a[64], b[64];
	snprintf(a, sizeof(a), "%s:%s", MACHINES[k0].prefix, MACHINES[k0].name((uint8_t)(MACHINES[k0].nstates - 1)));
	snprintf(b, sizeof(b), "%s:%s", MACHINES[k0 + 1].prefix, MACHINES[k0 + 1].name(0));
	Agnode_t *x = agnode(g, a, 0), *y = agnode(g, b, 0);
	if (x && y)
		viz_gv_set(agedge(g, x, y, "stack", 1), "style", "invis");
}

int viz_states(const viz_states_opts *o, viz_format fmt, viz_buf *out, char *msg, size_t msglen)
{
	return viz_states_role(o, VIZ_ROLE_AUTO, fmt, out, msg, msglen);
}

int viz_states_role(const viz_states_opts *o, int want, viz_format fmt, viz_buf *out, char *msg, size_t msglen)
{
	sa_path path = { 0 };
	if (o->trace && collect_path(o, &path, msg, msglen) != 0)
		return -1;
	const sa_path *p = o->trace ? &path : NULL;
	unsigned role = shown_role(want, p);
	Agraph_t *g = viz_gv_open(o->ike == 1 ? "ikev1_states" : "ikev2_states");
	if (!g) {
		snprintf(msg, msglen, "graphviz: cannot create a graph");
		return -1;
	}
	set_defaults(g, p, o->ike == 1, role);
	for (unsigned char k = first_machine(o); k < first_machine(o) + 2; k++) {
		char cname[32];
		snprintf(cname, sizeof(cname), "cluster_%s", MACHINES[k].prefix);
		Agraph_t *sub = agsubg(g, cname, 1);
		viz_gv_set(sub, "label", MACHINES[k].title);
		viz_gv_set(sub, "id", cname);
		add_states(sub, k, p, role);
		add_rows(sub, k, p, role);
	}
	if (p)
		stack_machines(g, first_machine(o));
	int rc = viz_gv_render(g, fmt, out, msg, msglen);
	agclose(g);
	return rc;
}
