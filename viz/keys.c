/* `viz keys`: the key-derivation graph of an IKE SA (RFC 7296 2.14, 2.17, 2.18) from the trace's kdf events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz_int.h"

#define MAX_NAMES 128 /* distinct values named in one IKE SA generation */

/* One IKE SA's derivations: its kdf events and what each name resolves to (the latest with that name). */
typedef struct gen {
	const char *ispi, *rspi;
	const viz_event *ev[MAX_NAMES];
	size_t nev;
	const char *name[MAX_NAMES];
	char id[MAX_NAMES][80];
	size_t nnames;
	size_t last_keymat; /* nnames index of the latest KEYMAT, or (size_t)-1 */
} gen;

#define MAX_GENS 16 /* IKE SAs drawn in one rekey chain */

typedef struct kctx {
	Agraph_t *g, *sub; /* the graph, and the current generation's cluster */
	gen *gens;
	size_t ngens, cur;
} kctx;

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
	if (strncmp(n, "KEYMAT", 6) == 0)
		return "prf+(SK_d, Ni | Nr)";
	return NULL;
}

static void style_for(Agnode_t *nd, const char *name)
{
	const char *fill = "#fdebd0";
	if (is_public(name))
		fill = "#d6eaf8", viz_gv_set(nd, "shape", "ellipse");
	else if (strcmp(name, "SKEYSEED") == 0 || strcmp(name, "g^ir") == 0)
		fill = "#f9e79f";
	else if (strncmp(name, "KEYMAT", 6) == 0 || strncmp(name, "ESP_", 4) == 0)
		fill = "#d5f5e3";
	viz_gv_set(nd, "style", "filled");
	viz_gv_set(nd, "fillcolor", fill);
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
static Agnode_t *lookup(kctx *k, size_t gi, const char *name)
{
	const gen *g = &k->gens[gi];
	for (size_t i = g->nnames; i-- > 0;)
		if (strcmp(g->name[i], name) == 0)
			return agnode(k->g, (char *)g->id[i], 0);
	return NULL;
}

/* Registers a new node for name in the current generation: "k1_SK_d", or "k1_KEYMAT_2" on repeats. */
static Agnode_t *define(kctx *k, const char *name, const char *label)
{
	gen *g = &k->gens[k->cur];
	if (g->nnames >= MAX_NAMES)
		return NULL;
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
	if (strcmp(name, "KEYMAT") == 0)
		g->last_keymat = g->nnames;
	g->nnames++;
	return nd;
}

/* A value the trace does not derive (SPIs, KE payloads, the old SK_d): resolved or made as a leaf. */
static Agnode_t *input_node(kctx *k, const viz_event *e, const char *name)
{
	Agnode_t *nd = lookup(k, k->cur, name);
	if (nd)
		return nd;
	if (k->cur > 0 && strncmp(name, "SK_d", 4) == 0 && (nd = lookup(k, k->cur - 1, "SK_d")) != NULL)
		return nd;
	viz_buf lab = { 0 };
	const char *spi = strcmp(name, "SPIi") == 0 ? viz_ev_str(e, "initiator-spi")
			  : strcmp(name, "SPIr") == 0 ? viz_ev_str(e, "responder-spi")
						      : NULL;
	if (spi)
		viz_buf_printf(&lab, "%s\\n%s", name, spi);
	else if (strncmp(name, "KE", 2) == 0)
		viz_buf_printf(&lab, "%s\\n(public DH value)", name);
	else
		viz_buf_puts(&lab, name);
	nd = define(k, name, lab.oom ? name : lab.p);
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

/* The label of a derived value: name, formula, length, and the value shortened when revealed. */
static void value_label(viz_buf *lab, const viz_event *e, const char *name, int rekey)
{
	const char *f = formula(name, rekey), *v = viz_ev_str(e, "value");
	char shorter[40];
	viz_buf_puts(lab, name);
	if (f)
		viz_buf_printf(lab, " = %s", f);
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
	Agnode_t *nd = define(k, name, lab.oom ? name : lab.p);
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
	j = viz_gv_node(k->sub, key, lab.oom ? "prf+" : lab.p);
	viz_buf_free(&lab);
	viz_gv_set(j, "id", key);
	viz_gv_set(j, "shape", "box");
	viz_gv_set(j, "style", "dashed");
	for (const cJSON *x = in->child; x; x = x->next)
		if (cJSON_IsString(x))
			agedge(k->g, input_node(k, e, x->valuestring), j, NULL, 1);
	return j;
}

static int integ_since_keymat(const gen *g)
{
	for (size_t i = g->last_keymat + 1; g->last_keymat != (size_t)-1 && i < g->nnames; i++)
		if (strcmp(g->name[i], "ESP_INTEG_I") == 0)
			return 1;
	return 0;
}

static int is_rekey(const viz_event *e)
{
	const cJSON *in = inputs_of(e);
	for (const cJSON *x = in ? in->child : NULL; x; x = x->next)
		if (cJSON_IsString(x) && strncmp(x->valuestring, "SK_d", 4) == 0)
			return 1;
	return 0;
}

static void draw_event(kctx *k, const viz_event *e)
{
	const char *name = viz_ev_str(e, "name");
	gen *g = &k->gens[k->cur];
	Agnode_t *src = stream_of(k, e), *keymat = lookup(k, k->cur, "KEYMAT");
	int esp_aead = strcmp(name, "ESP_ENCR_R") == 0 && keymat && !integ_since_keymat(g);
	if (strcmp(name, "SK_ei") == 0 && !lookup(k, k->cur, "SK_ai")) {
		empty_slice(k, src, "SK_ai");
		empty_slice(k, src, "SK_ar");
	}
	if (esp_aead)
		empty_slice(k, keymat, "ESP_INTEG_I");
	viz_buf lab = { 0 };
	value_label(&lab, e, name, strcmp(name, "SKEYSEED") == 0 && is_rekey(e));
	Agnode_t *nd = define(k, name, lab.oom ? name : lab.p);
	viz_buf_free(&lab);
	if (!nd)
		return;
	const cJSON *in = inputs_of(e);
	if (src)
		agedge(k->g, src, nd, NULL, 1);
	else
		for (const cJSON *x = in ? in->child : NULL; x; x = x->next)
			if (cJSON_IsString(x))
				agedge(k->g, input_node(k, e, x->valuestring), nd, NULL, 1);
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

/* Groups the chosen node's kdf events by IKE SA: the chosen SA, then the SAs that rekey it. */
static int collect(const viz_keys_opts *o, kctx *k, const char **node, char *msg, size_t n)
{
	const viz_trace *t = o->trace;
	const char *conn = NULL;
	for (size_t i = 0; i < t->n; i++) {
		const viz_event *e = &t->ev[i];
		const char *ispi = viz_ev_str(e, "initiator-spi"), *rspi = viz_ev_str(e, "responder-spi");
		const char *name = viz_ev_str(e, "name"), *c = viz_ev_str(e, "conn");
		if (strcmp(e->ev, "kdf") != 0 || !ispi || !rspi || !name || !inputs_of(e))
			continue;
		if (!*node) {
			if ((o->node && strcmp(o->node, e->node) != 0) ||
			    (o->spi && strcmp(o->spi, ispi) != 0 && strcmp(o->spi, rspi) != 0))
				continue;
			*node = e->node, conn = c;
		}
		if (strcmp(e->node, *node) != 0 || (conn && c && strcmp(conn, c) != 0))
			continue;
		gen *g = gen_for(k, ispi, rspi, 1);
		if (g && g->nev < MAX_NAMES)
			g->ev[g->nev++] = e;
	}
	/* Only SAs keyed from the previous one's SK_d continue the chain; any other SA ends it. */
	for (size_t gi = 1; gi < k->ngens; gi++) {
		int rekey = 0;
		for (size_t j = 0; j < k->gens[gi].nev; j++)
			if (strcmp(viz_ev_str(k->gens[gi].ev[j], "name"), "SKEYSEED") == 0)
				rekey = is_rekey(k->gens[gi].ev[j]);
		if (!rekey) {
			k->ngens = gi;
			break;
		}
	}
	if (!*node)
		snprintf(msg, n, "%s: no kdf events%s%s%s%s in the trace", t->file, o->node ? " on node " : "",
			 o->node ? o->node : "", o->spi ? " for SPI " : "", o->spi ? o->spi : "");
	return *node ? 0 : -1;
}

static void graph_label(kctx *k, const char *node)
{
	int revealed = 0;
	for (size_t i = 0; i < k->ngens; i++)
		for (size_t j = 0; j < k->gens[i].nev; j++)
			revealed |= viz_ev_str(k->gens[i].ev[j], "value") && !is_public(viz_ev_str(k->gens[i].ev[j], "name"));
	viz_buf t = { 0 };
	viz_buf_printf(&t, "Key derivation on %s (RFC 7296 2.14, 2.17)", node);
	if (!revealed)
		viz_buf_puts(&t, "\\nkey values are not in this trace: run with --reveal-keys to see them");
	viz_gv_set(k->g, "label", t.oom ? "" : t.p);
	viz_buf_free(&t);
}

int viz_keys(const viz_keys_opts *o, viz_format fmt, viz_buf *out, char *msg, size_t msglen)
{
	kctx k = { 0 };
	const char *node = NULL;
	k.gens = calloc(MAX_GENS, sizeof(*k.gens));
	if (!k.gens) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	int rc = collect(o, &k, &node, msg, msglen);
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
		graph_label(&k, node);
		for (k.cur = 0; k.cur < k.ngens; k.cur++) {
			char cname[32], title[96];
			snprintf(cname, sizeof(cname), "cluster_sa%zu", k.cur + 1);
			snprintf(title, sizeof(title), "IKE SA %s_i %s_r%s", k.gens[k.cur].ispi, k.gens[k.cur].rspi,
				 k.cur ? " (rekeyed from the one above)" : "");
			k.sub = agsubg(k.g, cname, 1);
			viz_gv_set(k.sub, "label", title);
			for (size_t j = 0; j < k.gens[k.cur].nev; j++)
				draw_event(&k, k.gens[k.cur].ev[j]);
		}
		rc = viz_gv_render(k.g, fmt, out, msg, msglen);
		agclose(k.g);
	}
	free(k.gens);
	return rc;
}
