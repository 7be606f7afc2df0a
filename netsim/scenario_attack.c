/* Scenario "attackers" (docs/attacks.md): { "node", "kind", ... } — a node that floods, downgrades or poses as a gateway. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define MAX_ATTACKERS 64
#define WORDLIST_MAX (8u << 20) /* a teaching word list; `ikesim crack` streams bigger ones */
#define PATH_CAP 1024

static const char *const KINDS[] = { "spoof_flood", "mitm_downgrade", "rogue_responder", NULL };


/* IKEv2 proposals only: IKEv1's legacy keywords have no IKEv2 transform here. */
static int v2_proposals(sim_scn *c, const sim_jv *o, const char *path, const char *key, const char *dflt,
			ike_proposal_list *out)
{
	char p[SIM_PATH_MAX];
	if (sim_scn_proposals(c, o, path, key, IKE_PROTO_IKE, dflt, out))
		return -1;
	sim_scn_sub(p, path, key);
	if (ike_proposals_v1_only(out))
		return sim_scn_fail(c, p, "3des and md5 exist in IKEv1 only: the attackers speak IKEv2");
	return 0;
}

static int parse_flood(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_attack_spec *a)
{
	const char *src;
	char p[SIM_PATH_MAX];
	int32_t t = sim_scn_node_ref(c, sc, o, path, "target", 1);
	if (t < 0 || sim_scn_str(c, o, path, "sources", 1, &src) < 0 ||
	    sim_scn_num(c, o, path, "rate", 1, 0.001, 100000.0, &a->rate) < 0)
		return -1;
	sim_scn_sub(p, path, "sources");
	if (sim_scn_parse_prefix(src, &a->prefix, &a->plen))
		return sim_scn_fail(c, p, "'%.64s' is not an address or address/prefix-length", src);
	a->target = sc->nodes[t].addrs[0];
	a->target.port = 500;
	sim_scn_sub(p, path, "target");
	if ((uint32_t)t == a->node)
		return sim_scn_fail(c, p, "the attacker cannot flood itself");
	if (a->target.family != a->prefix.family)
		return sim_scn_fail(c, p, "'%s''s first address and the sources are of different families", sc->nodes[t].name);
	a->stop = sc->duration;
	if (sim_scn_time(c, o, path, "start", 0, &a->start) < 0 || sim_scn_time(c, o, path, "stop", 0, &a->stop) < 0)
		return -1;
	sim_scn_sub(p, path, "stop");
	if (a->stop < a->start)
		return sim_scn_fail(c, p, "the flood stops before it starts");
	return v2_proposals(c, o, path, "ike", "aes128gcm16-prfsha256-x25519", &a->ike);
}

/* Relative names are relative to the scenario file's directory (as certificates are). */
static int read_words(sim_scn *c, sim_scenario *sc, const char *p, sim_attack_spec *a)
{
	char path[PATH_CAP];
	const char *slash = strrchr(sc->file, '/');
	int n = a->wordlist[0] == '/' || !slash
			? snprintf(path, sizeof(path), "%s", a->wordlist)
			: snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - sc->file), sc->file, a->wordlist);
	if (n <= 0 || n >= (int)sizeof(path))
		return sim_scn_fail(c, p, "file name too long");
	FILE *f = fopen(path, "rb");
	if (!f)
		return sim_scn_fail(c, p, "cannot read %s: %s", path, strerror(errno));
	uint8_t *buf = malloc(WORDLIST_MAX + 1);
	size_t len = buf ? fread(buf, 1, WORDLIST_MAX + 1, f) : 0;
	int bad = !buf || ferror(f) || len > WORDLIST_MAX;
	fclose(f);
	if (bad) {
		free(buf);
		return sim_scn_fail(c, p, "cannot read %s: %s", path, !buf ? "out of memory" : len > WORDLIST_MAX ? "larger than 8 MiB" : "read error");
	}
	if (memchr(buf, 0, len)) {
		free(buf);
		return sim_scn_fail(c, p, "%s holds a NUL byte: not a word list", path);
	}
	uint8_t *fit = realloc(buf, len ? len : 1); /* keep what the file holds, not the 8 MiB bound */
	if (fit)
		buf = fit;
	if (!(a->words = sim_scn_keep(sc, buf)))
		return sim_scn_fail(c, p, "out of memory");
	a->words_len = len;
	return 0;
}

static int parse_attacker(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, sim_attack_spec *a)
{
	static const char *const keys[] = { "node", "kind", "target", "sources", "rate", "start", "stop", "ike", "keep",
					    "wordlist", NULL };
	static const char *const per_kind[][8] = {
		{ "target", "sources", "rate", "start", "stop", "ike", NULL },
		{ "keep", NULL },
		{ "wordlist", NULL },
	};
	const char *kind;
	char p[SIM_PATH_MAX];
	int32_t node;
	if (sim_scn_object(c, o, path, keys) || (node = sim_scn_node_ref(c, sc, o, path, "node", 1)) < 0 ||
	    sim_scn_str(c, o, path, "kind", 1, &kind) < 0)
		return -1;
	a->node = (uint32_t)node;
	uint8_t k = 0;
	while (KINDS[k] && strcmp(KINDS[k], kind))
		k++;
	sim_scn_sub(p, path, "kind");
	if (!KINDS[k])
		return sim_scn_fail(c, p, "'%.40s' is not one of spoof_flood, mitm_downgrade, rogue_responder", kind);
	a->kind = k;
	for (size_t i = 0; keys[i]; i++) { /* a field of another kind is a mistake, not a no-op */
		size_t j = 0;
		while (per_kind[k][j] && strcmp(per_kind[k][j], keys[i]))
			j++;
		if (i > 1 && !per_kind[k][j] && sim_jv_get(o, keys[i])) {
			sim_scn_sub(p, path, keys[i]);
			return sim_scn_fail(c, p, "a %s attacker has no '%s'", kind, keys[i]);
		}
	}
	const sim_node_spec *ns = &sc->nodes[node];
	sim_scn_sub(p, path, "node");
	if (ns->n_conns || ns->pop)
		return sim_scn_fail(c, p, "'%s' runs connections: an attacker's node runs none of its own", ns->name);
	if (k == SIM_ATK_FLOOD)
		return parse_flood(c, sc, o, path, a);
	if (k == SIM_ATK_DOWNGRADE) {
		if (!ns->forward || ns->nat)
			return sim_scn_fail(c, p, "a man in the middle forwards: give '%s' \"router\": true (and no \"nat\")", ns->name);
		if (v2_proposals(c, o, path, "keep", "aes128-sha1-modp1024", &a->ike))
			return -1;
		sim_scn_sub(p, path, "keep");
		return a->ike.n == 1 ? 0 : sim_scn_fail(c, p, "one proposal (it may list several choices of a type: \"aes128-sha1-modp1024-modp768\")");
	}
	if (sim_scn_str(c, o, path, "wordlist", 0, &a->wordlist) < 0)
		return -1;
	sim_scn_sub(p, path, "wordlist");
	return a->wordlist ? read_words(c, sc, p, a) : 0;
}

static int parse_item(sim_scn *c, const void *ctx, const sim_jv *o, const char *path, void *item)
{
	return parse_attacker(c, (sim_scenario *)(uintptr_t)ctx, o, path, item);
}

int sim_scn_attackers(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	void *items = NULL;
	int r = sim_scn_items(c, root, "attackers", MAX_ATTACKERS, sizeof(*sc->attacks), parse_item, sc, &items,
			      &sc->n_attacks);
	sc->attacks = items;
	for (size_t i = 0; !r && i < sc->n_attacks; i++)
		for (size_t j = 0; j < i; j++)
			if (sc->attacks[i].node == sc->attacks[j].node) {
				char p[SIM_PATH_MAX];
				snprintf(p, sizeof(p), "attackers[%zu].node", i);
				return sim_scn_fail(c, p, "'%s' is already an attacker", sc->nodes[sc->attacks[i].node].name);
			}
	return r;
}
