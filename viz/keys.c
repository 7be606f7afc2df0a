/* `viz keys`: the key-derivation graph of an IKE SA (RFC 7296 2.14, 2.17, 2.18) from the trace's kdf events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys_int.h"

static int str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* An edge, unless an end is missing because the generation was full. */
void kg_edge(kctx *k, Agnode_t *from, Agnode_t *to)
{
	if (from && to)
		agedge(k->g, from, to, NULL, 1);
}

static int is_public(const char *n)
{
	static const char *const pub[] = { "Ni", "Nr", "SPIi", "SPIr", "KEi", "KEr" };
	for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
		if (strcmp(n, pub[i]) == 0)
			return 1;
	return 0;
}

/* The formula a known name is computed by, for the node's label; NULL for slices and unknown names. */
static const char *formula(const char *n, int rekey)
{
	if (strcmp(n, "SKEYSEED") == 0)
		return rekey ? "prf(SK_d (old), g^ir (new) | Ni | Nr)" : "prf(Ni | Nr, g^ir)";
	if (strcmp(n, "g^ir") == 0)
		return "Diffie-Hellman shared secret";
	if (strncmp(n, "g^ir", 4) == 0)
		return "Diffie-Hellman shared secret (PFS)";
	if (strncmp(n, "KEYMAT", 6) == 0)
		return rekey ? "prf+(SK_d, g^ir (new) | Ni | Nr)" : "prf+(SK_d, Ni | Nr)";
	return NULL;
}

static void style_for(Agnode_t *nd, const char *name)
{
	const char *fill = "#fdebd0";
	if (is_public(name))
		fill = "#d6eaf8", viz_gv_set(nd, "shape", "ellipse");
	else if (strcmp(name, "SKEYSEED") == 0 || strncmp(name, "g^ir", 4) == 0)
		fill = "#f9e79f";
	else if (strncmp(name, "KEYMAT", 6) == 0 || strncmp(name, "ESP_", 4) == 0)
		fill = "#d5f5e3";
	viz_gv_set(nd, "style", "filled");
	viz_gv_set(nd, "fillcolor", fill);
}

/*
 * Side margin grown with the longest label line: the layout measures text with Graphviz's built-in
 * Helvetica metrics, and the sans-serif fonts viewers substitute run up to ~15% wider.
 */
void kg_fit_margin(Agnode_t *nd, const char *label)
{
	size_t longest = 0, n = 0;
	for (const char *p = label; ; p++) {
		if (!*p || (p[0] == '\\' && p[1] == 'n')) {
			longest = n > longest ? n : longest, n = 0;
			if (!*p)
				break;
			p++;
		} else {
			n++;
		}
	}
	char m[32];
	snprintf(m, sizeof(m), "%.2f,0.06", 0.11 + 0.005 * (double)longest);
	viz_gv_set(nd, "margin", m);
}

static void make_id(char *out, size_t cap, size_t g, const char *name)
{
	size_t n = (size_t)snprintf(out, cap, "k%zu_", g + 1);
	for (; *name && n + 1 < cap; name++)
		out[n++] = (char)((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
						  (*name >= '0' && *name <= '9')
					  ? *name
					  : '_');
	out[n < cap ? n : cap - 1] = 0;
}

/* The graph node a name resolves to in generation gi, or NULL. */
Agnode_t *kg_lookup(kctx *k, size_t gi, const char *name)
{
	const gen *g = &k->gens[gi];
	for (size_t i = g->nnames; i-- > 0;)
		if (strcmp(g->name[i], name) == 0)
			return agnode(k->g, (char *)g->id[i], 0);
	return NULL;
}

/* Registers a new node for name in the current generation: "k1_SK_d", or "k1_KEYMAT_2" on repeats. */
Agnode_t *kg_define(kctx *k, const char *name, const char *label)
{
	gen *g = &k->gens[k->cur];
	if (g->nnames >= MAX_NAMES) {
		k->truncated = 1;
		return NULL;
	}
	size_t rep = 0;
	for (size_t i = 0; i < g->nnames; i++)
		rep += strcmp(g->name[i], name) == 0;
	char raw[80];
	snprintf(raw, sizeof(raw), rep ? "%s#%zu" : "%s", name, rep + 1);
	make_id(g->id[g->nnames], sizeof(g->id[0]), k->cur, raw);
	g->name[g->nnames] = name;
	Agnode_t *nd = viz_gv_node(k->sub, g->id[g->nnames], label);
	viz_gv_set(nd, "id", g->id[g->nnames]);
	style_for(nd, name);
	kg_fit_margin(nd, label);
	if (strcmp(name, "KEYMAT") == 0)
		g->last_keymat = g->nnames;
	g->nnames++;
	return nd;
}

/* A value the trace does not derive (SPIs, KE payloads, the old SK_d): resolved or made as a leaf. */
Agnode_t *kg_input(kctx *k, const viz_event *e, const char *name)
{
	Agnode_t *nd = kg_lookup(k, k->cur, name);
	if (nd)
		return nd;
	if (k->cur > 0 && strncmp(name, "SK_d", 4) == 0 && (nd = kg_lookup(k, k->cur - 1, "SK_d")) != NULL)
		return nd;
	viz_buf lab = { 0 };
	const char *spi = strcmp(name, "SPIi") == 0 ? viz_ev_str(e, "initiator-spi")
			  : strcmp(name, "SPIr") == 0 ? viz_ev_str(e, "responder-spi")
						      : NULL;
	if (k->cur > 0 && strncmp(name, "SK_d", 4) == 0) /* the previous generation is not drawn */
		viz_buf_printf(&lab, "%s\\nSK_d of IKE SA %s_i %s_r\\n(generation %zu)", name, k->gens[k->cur - 1].ispi,
			       k->gens[k->cur - 1].rspi, k->cur);
	else if (spi)
		viz_buf_printf(&lab, "%s\\n%s", name, spi);
	else if (strncmp(name, "KE", 2) == 0)
		viz_buf_printf(&lab, "%s\\n(public DH value)", name);
	else
		viz_buf_puts(&lab, name);
	nd = kg_define(k, name, lab.oom ? name : lab.p);
	viz_buf_free(&lab);
	return nd;
}

static const cJSON *inputs_of(const viz_event *e)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(e->json, "inputs");
	return cJSON_IsArray(in) ? in : NULL;
}

static int same_inputs(const viz_event *a, const viz_event *b)
{
	const cJSON *x = inputs_of(a), *y = inputs_of(b);
	return x && y && cJSON_Compare(x, y, 1);
}

/* The label of a derived value: name, formula and PRF, length, and the value shortened when revealed. */
static void value_label(viz_buf *lab, const viz_event *e, const char *name, int rekey, const char *prf)
{
	const char *f = formula(name, rekey), *v = viz_ev_str(e, "value");
	char shorter[40];
	viz_buf_puts(lab, name);
	if (f) /* on a line of its own: a long formula beside the name spills out of the box */
		viz_buf_printf(lab, "\\n= %s", f);
	if (prf && (strcmp(name, "SKEYSEED") == 0 || strncmp(name, "KEYMAT", 6) == 0))
		viz_buf_printf(lab, "\\nprf: %s", prf);
	viz_buf_printf(lab, "\\n%.0f bytes", viz_ev_num(e, "len", 0));
	if (v) {
		viz_short_hex(v, shorter, sizeof(shorter));
		viz_buf_printf(lab, "\\n%s", shorter);
	}
}

/* Adds a slice that the negotiated cipher made empty, so all seven SK_* (and four ESP_*) appear. */
static void empty_slice(kctx *k, Agnode_t *from, const char *name)
{
	viz_buf lab = { 0 };
	viz_buf_printf(&lab, "%s\\n0 bytes: AEAD cipher,\\nintegrity is built in", name);
	Agnode_t *nd = kg_define(k, name, lab.oom ? name : lab.p);
	viz_buf_free(&lab);
	if (!nd || !from)
		return;
	viz_gv_set(nd, "style", "dashed");
	viz_gv_set(agedge(k->g, from, nd, NULL, 1), "style", "dashed");
}

/* The prf+ stream a slice is cut from: one node per distinct input list with two or more slices. */
static Agnode_t *stream_of(kctx *k, const viz_event *e)
{
	const gen *g = &k->gens[k->cur];
	const cJSON *in = inputs_of(e);
	size_t users = 0, first = 0;
	for (size_t i = 0; i < g->nev; i++)
		if (same_inputs(g->ev[i], e) && users++ == 0)
			first = i;
	if (!in || cJSON_GetArraySize(in) < 2 || users < 2)
		return NULL;
	char key[48];
	snprintf(key, sizeof(key), "k%zu_prfplus_%zu", k->cur + 1, first);
	Agnode_t *j = agnode(k->g, key, 0);
	if (j)
		return j;
	viz_buf lab = { 0 };
	int i = 0;
	for (const cJSON *x = in->child; x; x = x->next, i++)
		viz_buf_printf(&lab, "%s%s", i == 0 ? "prf+(" : i == 1 ? ", " : " | ",
			       cJSON_IsString(x) ? x->valuestring : "?");
	viz_buf_puts(&lab, ")");
	if (g->prf)
		viz_buf_printf(&lab, "\\nprf: %s", g->prf);
	j = viz_gv_node(k->sub, key, lab.oom ? "prf+" : lab.p);
	kg_fit_margin(j, lab.oom ? "prf+" : lab.p);
	viz_buf_free(&lab);
	viz_gv_set(j, "id", key);
	viz_gv_set(j, "shape", "box");
	viz_gv_set(j, "style", "dashed");
	for (const cJSON *x = in->child; x; x = x->next)
		if (cJSON_IsString(x))
			kg_edge(k, kg_input(k, e, x->valuestring), j);
	return j;
}

static int integ_since_keymat(const gen *g)
{
	for (size_t i = g->last_keymat + 1; g->last_keymat != (size_t)-1 && i < g->nnames; i++)
		if (strcmp(g->name[i], "ESP_INTEG_I") == 0)
			return 1;
	return 0;
}

static int has_input(const viz_event *e, const char *prefix)
{
	const cJSON *in = inputs_of(e);
	for (const cJSON *x = in ? in->child : NULL; x; x = x->next)
		if (cJSON_IsString(x) && strncmp(x->valuestring, prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

/* An SKEYSEED keyed from an SK_d (RFC 7296 2.18), or a KEYMAT with a fresh Diffie-Hellman value (2.17). */
static int is_rekey(const viz_event *e)
{
	const char *n = viz_ev_str(e, "name");
	if (n && strncmp(n, "KEYMAT", 6) == 0)
		return has_input(e, "g^ir");
	return has_input(e, "SK_d");
}

static void draw_event(kctx *k, const viz_event *e)
{
	const char *name = viz_ev_str(e, "name");
	gen *g = &k->gens[k->cur];
	Agnode_t *src = strncmp(name, "SK_", 3) == 0 ? stream_of(k, e) : NULL, *keymat = kg_lookup(k, k->cur, "KEYMAT");
	int esp_aead = strcmp(name, "ESP_ENCR_R") == 0 && keymat && !integ_since_keymat(g);
	if (strcmp(name, "SK_ei") == 0 && !kg_lookup(k, k->cur, "SK_ai")) {
		empty_slice(k, src, "SK_ai");
		empty_slice(k, src, "SK_ar");
	}
	if (esp_aead)
		empty_slice(k, keymat, "ESP_INTEG_I");
	viz_buf lab = { 0 };
	value_label(&lab, e, name, is_rekey(e), g->prf);
	Agnode_t *nd = kg_define(k, name, lab.oom ? name : lab.p);
	viz_buf_free(&lab);
	if (!nd)
		return;
	const cJSON *in = inputs_of(e);
	if (src)
		agedge(k->g, src, nd, NULL, 1);
	else
		for (const cJSON *x = in ? in->child : NULL; x; x = x->next)
			if (cJSON_IsString(x))
				kg_edge(k, kg_input(k, e, x->valuestring), nd);
	if (esp_aead)
		empty_slice(k, keymat, "ESP_INTEG_R");
}

static gen *gen_for(kctx *k, const char *ispi, const char *rspi, int may_add)
{
	for (size_t i = 0; i < k->ngens; i++)
		if (strcmp(k->gens[i].ispi, ispi) == 0 && strcmp(k->gens[i].rspi, rspi) == 0)
			return &k->gens[i];
	if (!may_add || k->ngens >= MAX_GENS)
		return NULL;
	gen *g = &k->gens[k->ngens++];
	g->ispi = ispi, g->rspi = rspi, g->last_keymat = (size_t)-1;
	return g;
}

static int gen_is_rekey(const gen *g)
{
	for (size_t j = 0; j < g->nev; j++)
		if (strcmp(viz_ev_str(g->ev[j], "name"), "SKEYSEED") == 0)
			return is_rekey(g->ev[j]);
	return 0;
}

/* The ike_sa.rekeyed event on node that replaced SA g, or NULL. */
static const viz_event *rekeyed_from(const viz_trace *t, const char *node, const gen *g)
{
	for (size_t i = 0; i < t->n; i++) {
		const viz_event *e = &t->ev[i];
		const char *oi = viz_ev_str(e, "old-initiator-spi"), *or = viz_ev_str(e, "old-responder-spi");
		if (strcmp(e->ev, "ike_sa.rekeyed") == 0 && strcmp(e->node, node) == 0 && oi && or &&
		    strcmp(oi, g->ispi) == 0 && strcmp(or, g->rspi) == 0)
			return e;
	}
	return NULL;
}

/* Each SA's PRF from its sa.selected on node. */
static void find_prfs(const viz_trace *t, const char *node, kctx *k)
{
	for (size_t i = 0; i < t->n; i++) {
		const viz_event *e = &t->ev[i];
		const char *ispi = viz_ev_str(e, "initiator-spi"), *rspi = viz_ev_str(e, "responder-spi");
		gen *g = strcmp(e->ev, "sa.selected") == 0 && strcmp(e->node, node) == 0 && ispi && rspi &&
				 str_eq(viz_ev_str(e, "sa"), "ike")
			     ? gen_for(k, ispi, rspi, 0)
			     : NULL;
		if (g && viz_ev_str(e, "prf-alg"))
			g->prf = viz_ev_str(e, "prf-alg");
	}
}

/*
 * Orders the SAs into a chain from the first: each next one is the SA an ike_sa.rekeyed event names as
 * the replacement (the kdf events carry each SA's own SPIs); a trace without those events falls back to
 * the next SA in trace order whose SKEYSEED takes an SK_d. 0, or -1 when out of memory.
 */
static int chain(const viz_trace *t, const char *node, kctx *k)
{
	gen *all = k->gens, *ch = calloc(MAX_GENS, sizeof(*ch));
	size_t n = k->ngens, m = 0, at = 0;
	if (!ch)
		return -1;
	find_prfs(t, node, k);
	ch[m++] = all[0];
	while (m < MAX_GENS) {
		const viz_event *r = rekeyed_from(t, node, &ch[m - 1]);
		size_t next = n;
		for (size_t j = 0; r && j < n; j++)
			if (str_eq(all[j].ispi, viz_ev_str(r, "initiator-spi")) &&
			    str_eq(all[j].rspi, viz_ev_str(r, "responder-spi")))
				next = j;
		if (!r && at + 1 < n && gen_is_rekey(&all[at + 1]))
			next = at + 1;
		if (next >= n || next == 0)
			break;
		ch[m] = all[next];
		ch[m].reason = r ? viz_ev_str(r, "reason") : NULL;
		ch[m].prf = ch[m].prf ? ch[m].prf : ch[m - 1].prf;
		at = next, m++;
	}
	free(all);
	k->gens = ch, k->ngens = m;
	return 0;
}

/* Without --node, the initiator of the chosen SA (as in the README's and the report's pictures) when it
 * derived keys; else NULL: the first node that did. Three linear scans: long traces stay fast. */
static const char *initiator_node(const viz_keys_opts *o)
{
	const viz_trace *t = o->trace;
	const char *ispi = NULL, *who = NULL;
	for (size_t i = 0; i < t->n && !ispi; i++) {
		const viz_event *e = &t->ev[i];
		const char *is = viz_ev_str(e, "initiator-spi"), *rs = viz_ev_str(e, "responder-spi");
		if (strcmp(e->ev, "kdf") == 0 && is && rs && (!o->spi || strcmp(o->spi, is) == 0 || strcmp(o->spi, rs) == 0))
			ispi = is;
	}
	for (size_t i = 0; i < t->n && ispi && !who; i++)
		if (strcmp(t->ev[i].ev, "ike_sa.state") == 0 && str_eq(viz_ev_str(&t->ev[i], "role"), "initiator") &&
		    str_eq(viz_ev_str(&t->ev[i], "initiator-spi"), ispi))
			who = t->ev[i].node;
	for (size_t i = 0; i < t->n && who; i++)
		if (strcmp(t->ev[i].ev, "kdf") == 0 && strcmp(t->ev[i].node, who) == 0 &&
		    str_eq(viz_ev_str(&t->ev[i], "initiator-spi"), ispi))
			return who;
	return NULL;
}

/* Groups the chosen node's kdf events by IKE SA: the chosen SA, then the SAs that rekey it. */
static int collect(const viz_keys_opts *o, kctx *k, const char **node, char *msg, size_t n)
{
	const viz_trace *t = o->trace;
	const char *conn = NULL, *want = o->node ? o->node : initiator_node(o);
	for (size_t i = 0; i < t->n; i++) {
		const viz_event *e = &t->ev[i];
		const char *ispi = viz_ev_str(e, "initiator-spi"), *rspi = viz_ev_str(e, "responder-spi");
		const char *name = viz_ev_str(e, "name"), *c = viz_ev_str(e, "conn");
		if (strcmp(e->ev, "kdf") != 0 || !ispi || !rspi || !name || !inputs_of(e))
			continue;
		if (!*node) {
			if ((want && strcmp(want, e->node) != 0) ||
			    (o->spi && strcmp(o->spi, ispi) != 0 && strcmp(o->spi, rspi) != 0))
				continue;
			*node = e->node, conn = c;
		}
		if (strcmp(e->node, *node) != 0 || (conn && c && strcmp(conn, c) != 0))
			continue;
		gen *g = gen_for(k, ispi, rspi, 1);
		if (g && g->nev < MAX_NAMES)
			g->ev[g->nev++] = e;
		else
			k->truncated = 1;
	}
	if (!*node)
		snprintf(msg, n, "%s: no kdf events%s%s%s%s in the trace", t->file, o->node ? " on node " : "",
			 o->node ? o->node : "", o->spi ? " for SPI " : "", o->spi ? o->spi : "");
	return *node ? 0 : -1;
}

static void graph_label(kctx *k, const char *node)
{
	int revealed = 0;
	for (size_t i = k->first; i <= k->last; i++)
		for (size_t j = 0; j < k->gens[i].nev; j++)
			revealed |= viz_ev_str(k->gens[i].ev[j], "value") && !is_public(viz_ev_str(k->gens[i].ev[j], "name"));
	viz_buf t = { 0 };
	viz_buf_printf(&t, "Key derivation on %s (RFC 7296 2.14, 2.17%s)", node, k->ngens > 1 ? ", 2.18" : "");
	if (!revealed)
		viz_buf_puts(&t, "\\nkey values are not in this trace: run with --reveal-keys to see them");
	if (k->truncated)
		viz_buf_printf(&t, "\\nnot all drawn: at most %d values per IKE SA and %d IKE SAs", MAX_NAMES, MAX_GENS);
	viz_gv_set(k->g, "label", t.oom ? "" : t.p);
	viz_buf_free(&t);
}

/* The slices of each prf+ stream and KEYMAT side by side on one rank, in prf+ order, whatever the edges
 * below them (AUTH, messages) would make of their ranks. */
static void same_rank_slices(kctx *k)
{
	const gen *g = &k->gens[k->cur];
	char name[96];
	for (Agnode_t *nd = agfstnode(k->sub); nd; nd = agnxtnode(k->sub, nd)) {
		const char *nm = agnameof(nd);
		if (!strstr(nm, "_prfplus_") && !strstr(nm, "_KEYMAT"))
			continue;
		snprintf(name, sizeof(name), "rank_%s", nm);
		Agraph_t *r = agsubg(k->sub, name, 1);
		viz_gv_set(r, "rank", "same");
		Agnode_t *prev = NULL;
		for (size_t i = 0; i < g->nnames; i++) { /* in the order they were cut from the stream */
			Agnode_t *x = agnode(k->g, (char *)g->id[i], 0);
			if (!x || !agedge(k->g, nd, x, NULL, 0) || agsubnode(r, x, 0))
				continue;
			agsubnode(r, x, 1);
			if (prev) /* a flat edge keeps its two ends in this order, left to right */
				viz_gv_set(agedge(k->g, prev, x, NULL, 1), "style", "invis");
			prev = x;
		}
	}
}

/* One cluster per generation drawn, titled with its SPIs and, past the first, where it came from. */
static void draw_generations(kctx *k)
{
	for (k->cur = k->first; k->cur <= k->last; k->cur++) {
		const gen *g = &k->gens[k->cur];
		char cname[32];
		viz_buf title = { 0 };
		snprintf(cname, sizeof(cname), "cluster_sa%zu", k->cur + 1);
		if (k->ngens > 1)
			viz_buf_printf(&title, "generation %zu: ", k->cur + 1);
		viz_buf_printf(&title, "IKE SA %s_i %s_r", g->ispi, g->rspi);
		if (k->cur > 0)
			viz_buf_printf(&title, "\\nrekeyed from generation %zu%s%s%s: SKEYSEED from its SK_d", k->cur,
				       g->reason ? " (" : "", g->reason ? g->reason : "", g->reason ? ")" : "");
		k->sub = k->gens[k->cur].sub = agsubg(k->g, cname, 1);
		viz_gv_set(k->sub, "label", title.oom ? "" : title.p);
		viz_buf_free(&title);
		for (size_t j = 0; j < g->nev; j++)
			draw_event(k, g->ev[j]);
		same_rank_slices(k);
		kg_messages(k);
	}
}

/*
 * Stacks the generations top to bottom instead of side by side: an invisible node below every node of
 * generation i and above every source of generation i + 1, so a long chain grows down, not across.
 */
static void stack_generations(kctx *k)
{
	for (size_t gi = k->first; gi < k->last; gi++) {
		char id[32];
		snprintf(id, sizeof(id), "k%zu_below", gi + 1);
		Agnode_t *a = viz_gv_node(k->g, id, "");
		viz_gv_set(a, "style", "invis");
		viz_gv_set(a, "width", "0.01");
		viz_gv_set(a, "height", "0.01");
		const gen *g = &k->gens[gi], *next = &k->gens[gi + 1];
		/* From the nodes that fan out (prf+ streams, KEYMATs), two ranks down: below their slices, and as
		 * their last out-edge it keeps the slices in prf+ order (a sink's edge would reorder them). */
		for (Agnode_t *nd = agfstnode(g->sub); nd; nd = agnxtnode(g->sub, nd)) {
			const char *nm = agnameof(nd);
			if (!strstr(nm, "_prfplus_") && !strstr(nm, "_KEYMAT"))
				continue;
			Agedge_t *e = agedge(k->g, nd, a, NULL, 1);
			viz_gv_set(e, "style", "invis");
			viz_gv_set(e, "minlen", "2");
		}
		for (size_t i = 0; i < next->nnames; i++) {
			Agnode_t *nd = agnode(k->g, (char *)next->id[i], 0);
			if (nd && !agfstin(k->g, nd))
				viz_gv_set(agedge(k->g, a, nd, NULL, 1), "style", "invis");
		}
	}
}

/* --generation N picks one link of the chain; 0 or -1 with msg. */
static int pick_generations(const viz_keys_opts *o, kctx *k, char *msg, size_t n)
{
	k->first = 0, k->last = k->ngens - 1;
	if (!o->generation)
		return 0;
	if (o->generation > k->ngens) {
		snprintf(msg, n, "%s: --generation %u: IKE SA %s_i has %zu generation%s in this trace", o->trace->file,
			 o->generation, k->gens[0].ispi, k->ngens, k->ngens == 1 ? "" : "s");
		return -1;
	}
	k->first = k->last = o->generation - 1;
	return 0;
}

int viz_keys(const viz_keys_opts *o, viz_format fmt, viz_buf *out, char *msg, size_t msglen)
{
	kctx k = { .t = o->trace };
	const char *node = NULL;
	k.gens = calloc(MAX_GENS, sizeof(*k.gens));
	if (!k.gens) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	int rc = collect(o, &k, &node, msg, msglen);
	if (rc == 0 && chain(o->trace, node, &k) != 0) {
		snprintf(msg, msglen, "out of memory");
		rc = -1;
	}
	if (rc == 0)
		rc = pick_generations(o, &k, msg, msglen);
	if (rc == 0 && !(k.g = viz_gv_open("ikev2_keys"))) {
		snprintf(msg, msglen, "graphviz: cannot create a graph");
		rc = -1;
	}
	if (rc == 0) {
		agattr(k.g, AGRAPH, "fontname", "Helvetica");
		agattr(k.g, AGRAPH, "labelloc", "t");
		agattr(k.g, AGRAPH, "ordering", "out"); /* slices left to right in prf+ order */
		agattr(k.g, AGNODE, "shape", "box");
		agattr(k.g, AGNODE, "fontname", "Helvetica");
		agattr(k.g, AGNODE, "fontsize", "11");
		agattr(k.g, AGEDGE, "fontname", "Helvetica");
		draw_generations(&k);
		stack_generations(&k);
		graph_label(&k, node); /* last: it says whether everything fitted */
		rc = viz_gv_render(k.g, fmt, out, msg, msglen);
		agclose(k.g);
	}
	free(k.gens);
	return rc;
}
