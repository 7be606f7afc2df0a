/* Scenario faults: datagrams to drop by count, links going down, nodes rebooting or moving, one exchange's n-th message. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define MAX_ITEMS 1000000u

/* "gw-a-gw-b": the split point is the one '-' that leaves two known node names on either side. */
static int split_link_name(const sim_scenario *sc, const char *s, int32_t *a, int32_t *b)
{
	char buf[160];
	int found = 0;
	if (strlen(s) >= sizeof(buf))
		return -1;
	for (const char *d = strchr(s, '-'); d; d = strchr(d + 1, '-')) {
		/* Node names are at most 63 long: no need to hash the splits that cannot match. */
		if (d - s > 63)
			break;
		if (strlen(d + 1) > 63)
			continue;
		snprintf(buf, sizeof(buf), "%.*s", (int)(d - s), s);
		int32_t x = sim_scn_find_node(sc, buf), y = sim_scn_find_node(sc, d + 1);
		if (x >= 0 && y >= 0) {
			*a = x;
			*b = y;
			found++;
		}
	}
	return found == 1 ? 0 : -1;
}

static int parse_fault_link(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_fault_spec *f)
{
	static const char *const keys[] = { "a", "b", NULL };
	char p[SIM_PATH_MAX];
	const sim_jv *l = sim_jv_get(o, "link");
	f->link_a = f->link_b = -1;
	if (!l)
		return 0;
	sim_scn_sub(p, path, "link");
	if (sim_jv_is_string(l)) {
		if (split_link_name(sc, l->valuestring, &f->link_a, &f->link_b) != 0)
			return sim_scn_fail(c, p, "'%.64s' does not name a link as \"A-B\" unambiguously (or use {\"a\":..,\"b\":..})",
					    l->valuestring);
	} else {
		if (sim_scn_object(c, l, p, keys))
			return -1;
		if ((f->link_a = sim_scn_node_ref(c, sc, l, p, "a", 1)) < 0 ||
		    (f->link_b = sim_scn_node_ref(c, sc, l, p, "b", 1)) < 0)
			return -1;
	}
	if (sim_scn_find_link(sc, (uint32_t)f->link_a, (uint32_t)f->link_b) >= 0)
		return 0;
	return sim_scn_fail(c, p, "there is no link between '%s' and '%s'", sc->nodes[f->link_a].name,
			    sc->nodes[f->link_b].name);
}

/* Which kind a fault object is: by the one field that names it. */
static int fault_kind(sim_scn *c, const sim_jv *o, const char *path, uint8_t *kind)
{
	static const char *const marks[] = { "drop_nth", "drop_next", "down", "reboot", "exchange", "esp", "move" };
	static const uint8_t kinds[] = { SIM_FAULT_DROP,     SIM_FAULT_DROP, SIM_FAULT_LINK_DOWN, SIM_FAULT_REBOOT,
					 SIM_FAULT_EXCHANGE, SIM_FAULT_ESP,  SIM_FAULT_MOVE };
	int n = 0;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (sim_jv_get(o, marks[i])) {
			*kind = kinds[i];
			n++;
		}
	if (n != 1)
		return sim_scn_fail(c, path, "give exactly one of 'drop_nth', 'drop_next', 'down', 'reboot', 'exchange', 'esp' or 'move'");
	return 0;
}

/* Fields another kind of fault uses are refused by name, not ignored. */
static int only_fields(sim_scn *c, const sim_jv *o, const char *path, const char *const *allowed, const char *what)
{
	char p[SIM_PATH_MAX];
	for (const sim_jv *m = o->child; m; m = m->next) {
		size_t i = 0;
		while (allowed[i] && strcmp(allowed[i], m->string) != 0)
			i++;
		sim_scn_sub(p, path, m->string);
		if (!allowed[i])
			return sim_scn_fail(c, p, "not a field of a %s fault", what);
	}
	return 0;
}

static int parse_drop(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_fault_spec *f)
{
	static const char *const keys[] = { "at", "node", "link", "drop_nth", "drop_next", NULL };
	int64_t nth = 0, next = 0;
	char p[SIM_PATH_MAX];
	if (only_fields(c, o, path, keys, "drop_nth/drop_next"))
		return -1;
	if (sim_jv_get(o, "node") && (f->node = sim_scn_node_ref(c, sc, o, path, "node", 1)) < 0)
		return -1;
	if (parse_fault_link(c, sc, o, path, f))
		return -1;
	sim_scn_sub(p, path, "node");
	if (f->node >= 0 && f->link_a >= 0 && f->node != f->link_a && f->node != f->link_b)
		return sim_scn_fail(c, p, "node '%s' is not an end of the fault's link", sc->nodes[f->node].name);
	int r1 = sim_scn_int(c, o, path, "drop_nth", 0, 1, UINT32_MAX, &nth);
	int r2 = r1 < 0 ? -1 : sim_scn_int(c, o, path, "drop_next", 0, 1, UINT32_MAX, &next);
	if (r1 < 0 || r2 < 0)
		return -1;
	f->nth = r1 ? (uint32_t)nth : 1;
	f->count = r1 ? 1 : (uint32_t)next;
	return 0;
}

/* { "link": "a-b", "down": "10s", "up": "40s" }: `up` optional, after `down`. */
static int parse_down(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_fault_spec *f)
{
	static const char *const keys[] = { "link", "down", "up", NULL };
	char p[SIM_PATH_MAX];
	if (only_fields(c, o, path, keys, "link down"))
		return -1;
	sim_scn_sub(p, path, "link");
	if (!sim_jv_get(o, "link"))
		return sim_scn_fail(c, p, "missing required field 'link' (the link that goes down)");
	f->until = -1;
	if (parse_fault_link(c, sc, o, path, f) || sim_scn_time(c, o, path, "down", 1, &f->at) < 0 ||
	    sim_scn_time(c, o, path, "up", 0, &f->until) < 0)
		return -1;
	sim_scn_sub(p, path, "up");
	if (f->until >= 0 && f->until <= f->at)
		return sim_scn_fail(c, p, "the link must come up after it went down");
	return 0;
}

/* { "node": "gw-b", "reboot": "60s", "restart_after": "5s" } */
static int parse_reboot(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_fault_spec *f)
{
	static const char *const keys[] = { "node", "reboot", "restart_after", NULL };
	if (only_fields(c, o, path, keys, "reboot"))
		return -1;
	if ((f->node = sim_scn_node_ref(c, sc, o, path, "node", 1)) < 0 ||
	    sim_scn_time(c, o, path, "reboot", 1, &f->at) < 0 ||
	    sim_scn_time(c, o, path, "restart_after", 0, &f->restart_after) < 0)
		return -1;
	return 0;
}

/* { "node": "gw-a", "exchange": "CREATE_CHILD_SA", "nth": 2, "response": false, "at": "0s" } */
static int parse_exchange(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_fault_spec *f)
{
	static const char *const keys[] = { "at", "node", "exchange", "nth", "response", NULL };
	const char *name;
	int64_t nth = 1;
	int resp = 0;
	char p[SIM_PATH_MAX];
	if (only_fields(c, o, path, keys, "exchange"))
		return -1;
	if ((f->node = sim_scn_node_ref(c, sc, o, path, "node", 1)) < 0 ||
	    sim_scn_str(c, o, path, "exchange", 1, &name) < 0 || sim_scn_int(c, o, path, "nth", 0, 1, UINT32_MAX, &nth) < 0)
		return -1;
	int r = sim_scn_bool(c, o, path, "response", 0, &resp);
	if (r < 0)
		return -1;
	sim_scn_sub(p, path, "exchange");
	int x = sim_exchange_parse(name);
	if (x < 0)
		return sim_scn_fail(c, p, "unknown exchange '%.40s' (IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL, ID_PROT, AGGRESSIVE, QUICK_MODE, ...)",
				    name);
	if (r && x < 34)
		return sim_scn_fail(c, p, "'%.40s' is an IKEv1 exchange: its messages carry no response flag, so "
				    "\"response\" cannot be told", name);
	f->exchange = (uint8_t)x;
	f->nth = (uint32_t)nth;
	f->count = 1;
	f->response = r ? (int8_t)resp : -1;
	return 0;
}

/* { "node": "gw-a", "esp": "replay" | "corrupt" | "reorder", "nth": 5, "after": 3, "at": "0s" } */
static int parse_esp(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_fault_spec *f)
{
	static const char *const keys[] = { "at", "node", "esp", "nth", "after", NULL };
	static const char *const what[] = { "replay", "corrupt", "reorder", NULL }; /* enum sim_esp_impair */
	const char *name;
	int64_t nth = 1, after = 0;
	char p[SIM_PATH_MAX];
	if (only_fields(c, o, path, keys, "esp"))
		return -1;
	if ((f->node = sim_scn_node_ref(c, sc, o, path, "node", 1)) < 0 || sim_scn_str(c, o, path, "esp", 1, &name) < 0 ||
	    sim_scn_int(c, o, path, "nth", 0, 1, UINT32_MAX, &nth) < 0 ||
	    sim_scn_int(c, o, path, "after", 0, 0, 1000000, &after) < 0)
		return -1;
	uint8_t k = 0;
	while (what[k] && strcmp(what[k], name) != 0)
		k++;
	sim_scn_sub(p, path, "esp");
	if (!what[k])
		return sim_scn_fail(c, p, "unknown ESP impairment '%.40s' (replay, corrupt or reorder)", name);
	sim_scn_sub(p, path, "after");
	if (k == SIM_ESP_CORRUPT && sim_jv_get(o, "after"))
		return sim_scn_fail(c, p, "a corrupted packet is sent at once: 'after' is for replay and reorder");
	if (k == SIM_ESP_REORDER && after < 1)
		return sim_scn_fail(c, p, "reorder needs 'after' >= 1 (how many later packets overtake it)");
	f->esp = k;
	f->nth = (uint32_t)nth;
	f->count = 1;
	f->after = (uint32_t)after;
	return 0;
}

/* { "node": "rw", "move": "30s", "address": "10.2.0.2", "via": "lte" }: an uplink switch (RFC 4555's trigger) */
static int parse_move(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_fault_spec *f)
{
	static const char *const keys[] = { "node", "move", "address", "via", NULL };
	const char *addr;
	char p[SIM_PATH_MAX];
	if (only_fields(c, o, path, keys, "move"))
		return -1;
	if ((f->node = sim_scn_node_ref(c, sc, o, path, "node", 1)) < 0 || sim_scn_time(c, o, path, "move", 1, &f->at) < 0 ||
	    sim_scn_str(c, o, path, "address", 1, &addr) < 0)
		return -1;
	sim_scn_sub(p, path, "address");
	if (sim_parse_addr(addr, &f->addr) != 0)
		return sim_scn_fail(c, p, "'%.64s' is not an IPv4 or IPv6 address", addr);
	f->addr.port = 0;
	const sim_node_spec *n = &sc->nodes[f->node];
	bool own = false, family = false;
	for (size_t k = 0; k < n->n_addrs; k++) {
		own |= n->addrs[k].family == f->addr.family && !memcmp(n->addrs[k].ip, f->addr.ip, 16);
		family |= n->addrs[k].family == f->addr.family;
	}
	if (!own && sim_scn_addr_taken(sc, &f->addr))
		return sim_scn_fail(c, p, "%.64s belongs to another node", addr);
	for (size_t h = 0; h < sc->n_hosts; h++) /* hosts' addresses are no node's, moved or not */
		if (sc->hosts[h].addr.family == f->addr.family && !memcmp(sc->hosts[h].addr.ip, f->addr.ip, 16))
			return sim_scn_fail(c, p, "%.64s belongs to host '%s'", addr, sc->hosts[h].name);
	if (!family)
		return sim_scn_fail(c, p, "node '%s' has no address of this family to move from", n->name);
	f->via = -1;
	if (sim_jv_get(o, "via")) {
		if ((f->via = sim_scn_node_ref(c, sc, o, path, "via", 1)) < 0)
			return -1;
		sim_scn_sub(p, path, "via");
		if (sim_scn_find_link(sc, (uint32_t)f->node, (uint32_t)f->via) < 0)
			return sim_scn_fail(c, p, "'%s' is not a neighbour of '%s'", sc->nodes[f->via].name, n->name);
		if (!sc->nodes[f->via].forward) /* as a route's via: a default route through it would go nowhere */
			return sim_scn_fail(c, p, "'%s' does not forward (give it \"router\": true or a \"nat\")",
					    sc->nodes[f->via].name);
	}
	return 0;
}

static int parse_fault(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_fault_spec *f)
{
	static const char *const keys[] = { "at", "node", "link", "drop_nth", "drop_next", "down", "up", "reboot",
					    "restart_after", "exchange", "nth", "response", "esp", "after", "move", "address",
					    "via", NULL };
	if (sim_scn_object(c, o, path, keys) || fault_kind(c, o, path, &f->kind) ||
	    sim_scn_time(c, o, path, "at", 0, &f->at) < 0)
		return -1;
	f->node = f->link_a = f->link_b = -1;
	int r;
	switch (f->kind) {
	case SIM_FAULT_LINK_DOWN:
		r = parse_down(c, sc, o, path, f);
		break;
	case SIM_FAULT_REBOOT:
		r = parse_reboot(c, sc, o, path, f);
		break;
	case SIM_FAULT_EXCHANGE:
		r = parse_exchange(c, sc, o, path, f);
		break;
	case SIM_FAULT_ESP:
		r = parse_esp(c, sc, o, path, f);
		break;
	case SIM_FAULT_MOVE:
		r = parse_move(c, sc, o, path, f);
		break;
	default:
		r = parse_drop(c, sc, o, path, f);
	}
	/* a fault that would start after the run ends would silently do nothing */
	const char *key = f->kind == SIM_FAULT_LINK_DOWN ? "down"
			  : f->kind == SIM_FAULT_REBOOT  ? "reboot"
			  : f->kind == SIM_FAULT_MOVE    ? "move"
							 : "at";
	return r ? r : sim_scn_within_run(c, sc, path, key, f->at);
}

static int parse_fault_item(sim_scn *c, const void *sc, const sim_jv *o, const char *path, void *item)
{
	return parse_fault(c, sc, o, path, item);
}

/* Two nodes moving to one address would both own it: the run could not give it to the second. */
static int moves_collide(sim_scn *c, const sim_scenario *sc)
{
	for (size_t i = 0; i < sc->n_faults; i++)
		for (size_t j = 0; j < i && sc->faults[i].kind == SIM_FAULT_MOVE; j++) {
			const sim_fault_spec *a = &sc->faults[j], *b = &sc->faults[i];
			if (a->kind != SIM_FAULT_MOVE || a->node == b->node || a->addr.family != b->addr.family ||
			    memcmp(a->addr.ip, b->addr.ip, b->addr.family == 4 ? 4u : 16u))
				continue;
			char p[SIM_PATH_MAX], ip[64];
			snprintf(p, sizeof(p), "faults[%zu].address", i);
			if (!inet_ntop(b->addr.family == 6 ? AF_INET6 : AF_INET, b->addr.ip, ip, sizeof(ip)))
				snprintf(ip, sizeof(ip), "?");
			return sim_scn_fail(c, p, "%s is where faults[%zu] moves '%s'", ip, j, sc->nodes[a->node].name);
		}
	return 0;
}

int sim_scn_faults(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	void *items;
	int r = sim_scn_items(c, root, "faults", MAX_ITEMS, sizeof(*sc->faults), parse_fault_item, sc, &items,
			      &sc->n_faults);
	sc->faults = items;
	return r ? r : moves_collide(c, sc);
}

/* RFC 7296 3.1 exchange types, the later ones an IKEv2 peer may send (RFC 5723, 9242, 9370), and IKEv1's
 * (RFC 2408 4.1, RFC 2409 5.5, draft-ietf-ipsec-isakmp-mode-cfg); IKEv1's INFORMATIONAL (5) is INFORMATIONAL_V1. */
static const struct {
	uint8_t type;
	const char *name;
} EXCHANGES[] = { { 34, "IKE_SA_INIT" },        { 35, "IKE_AUTH" },         { 36, "CREATE_CHILD_SA" },
		  { 37, "INFORMATIONAL" },      { 38, "IKE_SESSION_RESUME" }, { 43, "IKE_INTERMEDIATE" },
		  { 44, "IKE_FOLLOWUP_KE" },    { 2, "ID_PROT" },             { 4, "AGGRESSIVE" },
		  { 5, "INFORMATIONAL_V1" },    { 6, "TRANSACTION" },         { 32, "QUICK_MODE" } };

int sim_exchange_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(EXCHANGES) / sizeof(EXCHANGES[0]); i++)
		if (strcmp(name, EXCHANGES[i].name) == 0)
			return EXCHANGES[i].type;
	return -1;
}

const char *sim_exchange_name(uint8_t type)
{
	for (size_t i = 0; i < sizeof(EXCHANGES) / sizeof(EXCHANGES[0]); i++)
		if (EXCHANGES[i].type == type)
			return EXCHANGES[i].name;
	return NULL;
}
