/*
 * Each simulated node's IPsec data plane, as a kernel keeps it beside its IKE daemon: a SAD and an SPD
 * (engine/esp) filled from the engine's CHILD_UP/CHILD_DOWN events. Inner packets from the node's hosts go
 * out through the SPD (protect, trap, or dropped for want of a policy); ESP arriving is decapsulated, checked
 * against the SA's selectors and handed to the host it is for (run_traffic.c).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/drbg.h"
#include "esp/child.h"
#include "esp/ip.h"
#include "esp/sad.h"
#include "esp/spd.h"
#include "node_ipsec_int.h"
#include "node_transport.h"
#include "run_int.h"

_Static_assert((int)SIM_XD_NO_POLICY == (int)ESP_STATUS_COUNT, "drop reasons follow esp_status");

const char *sim_ip_why_name(size_t why)
{
	static const char *const extra[] = { "no policy", "acquire", "discard", "inbound policy", "no host",
					     "transport mode", "malformed inner packet" };
	if (why < ESP_STATUS_COUNT)
		return esp_status_name((esp_status)why);
	why -= ESP_STATUS_COUNT;
	return why < sizeof(extra) / sizeof(extra[0]) ? extra[why] : "?";
}

static int tracing(const runner *r) { return r->tr || r->watch; }

static void ip_str(const ike_addr *a, char *out, size_t cap)
{
	if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, out, (socklen_t)cap))
		snprintf(out, cap, "?");
}

/* esp.drop with why, direction, SPI (0: none known) and the flow (NULL: unknown); counted per node. */
static void drop_p(runner *r, uint32_t node, int64_t now, size_t why, const char *dir, uint32_t spi, const char *flow,
		   bool ah)
{
	sim_ipsec *ip = &r->ipsec[node];
	ip->st.drops++;
	ip->st.why[why]++;
	if (!tracing(r))
		return;
	char f[200];
	int k = snprintf(f, sizeof(f), "\"why\":\"%s\",\"dir\":\"%s\"", sim_ip_why_name(why), dir);
	if (spi)
		k += snprintf(f + k, sizeof(f) - (size_t)k, ",\"spi\":\"0x%08x\"", spi);
	if (flow)
		k += snprintf(f + k, sizeof(f) - (size_t)k, ",\"flow\":\"%s\"", flow);
	if (ah)
		snprintf(f + k, sizeof(f) - (size_t)k, ",\"proto\":\"ah\"");
	sim_rn_event(r, now, node, "esp.drop", f);
}

static void drop(runner *r, uint32_t node, int64_t now, size_t why, const char *dir, uint32_t spi, const char *flow)
{
	drop_p(r, node, now, why, dir, spi, flow, false);
}

int sim_ip_setup(runner *r)
{
	const sim_scenario *sc = r->sc;
	if (!sc->n_hosts)
		return 0;
	if (!(r->ipsec = calloc(sc->n_nodes, sizeof(*r->ipsec))) || !(r->esp_buf = malloc(BUF_LEN)) ||
	    !(r->esp_seen = calloc(sc->n_faults + 1, sizeof(*r->esp_seen))))
		return -1;
	for (uint32_t i = 0; i < sc->n_nodes; i++) {
		sim_ipsec *ip = &r->ipsec[i];
		if (!(ip->sad = esp_sad_new()) || !(ip->spd = esp_spd_new()) ||
		    !(ip->acquiring = calloc(sc->nodes[i].n_conns + 1, 1)))
			return -1;
		ike_drbg_init(&ip->iv, r->nodes[i].seed0, sizeof(r->nodes[i].seed0), "esp-iv", 6);
		/* start_action trap: the child's configured selectors, each pair a TRAP policy (a kernel's acquire). */
		for (size_t c = 0; c < sc->nodes[i].n_conns; c++) {
			const ike_conn_cfg *cc = &sc->nodes[i].conns[c];
			for (size_t k = 0; k < cc->n_children; k++) {
				const ike_child_cfg *ch = &cc->children[k];
				if (ch->start != IKE_CHILD_START_TRAP)
					continue;
				for (size_t a = 0; a < ch->n_local_ts; a++)
					for (size_t b = 0; b < ch->n_remote_ts; b++) {
						esp_policy p = { .id = TRAP_ID | c << 8 | k, .dir = ESP_DIR_OUT,
								 .action = ESP_ACT_TRAP, .local = ch->local_ts[a],
								 .remote = ch->remote_ts[b] };
						if (esp_spd_add(ip->spd, &p))
							return -1;
					}
			}
		}
	}
	return 0;
}

void sim_ip_free(runner *r)
{
	for (size_t i = 0; r->ipsec && i < r->sc->n_nodes; i++) {
		sim_ipsec *ip = &r->ipsec[i];
		esp_spd_free(ip->spd); /* policies borrow the SAD's SAs: first */
		esp_sad_free(ip->sad);
		free(ip->kids);
		free(ip->acquiring);
		sim_ipi_free_held(ip);
		OPENSSL_cleanse(&ip->iv, sizeof(ip->iv));
	}
	free(r->ipsec);
	free(r->esp_buf);
	free(r->esp_seen);
	r->esp_seen = NULL;
	r->ipsec = NULL;
	r->esp_buf = NULL;
}

static size_t conn_index(const runner *r, uint32_t node, const char *name)
{
	const sim_node_spec *ns = &r->sc->nodes[node];
	for (size_t c = 0; name && c < ns->n_conns; c++)
		if (strcmp(ns->conns[c].name, name) == 0)
			return c;
	return ns->n_conns;
}

/* Which of the connection's children cfg is (the engine hands the host a pointer into children[]). */
static size_t child_index(const runner *r, uint32_t node, size_t conn, const ike_child_cfg *cfg)
{
	if (conn >= r->sc->nodes[node].n_conns || !cfg)
		return SIZE_MAX;
	const ike_conn_cfg *cc = &r->sc->nodes[node].conns[conn];
	for (size_t i = 0; i < cc->n_children; i++)
		if (&cc->children[i] == cfg)
			return i;
	return SIZE_MAX;
}

/* One direction of the CHILD SA from the engine's view (esp/child.h); the SA or NULL (why filled). */
/* The ESP or AH parameters of one direction, with the child's data limits; 0 or -1 (why filled). */
static int sa_params(const ike_child_keys *k, uint8_t dir, esp_sa_params *p, char *why, size_t cap)
{
	if (esp_params_from_child(k, dir, p, why, cap) != 0)
		return -1;
	if (k->cfg) {
		p->hard.packets = k->cfg->life.packets;
		p->hard.bytes = k->cfg->life.bytes;
		p->soft.packets = k->cfg->life.rekey_packets;
		p->soft.bytes = k->cfg->life.rekey_bytes;
	}
	return 0;
}

static esp_sa *make_sa(runner *r, sim_ipsec *ip, const ike_child_keys *k, uint8_t dir, bool encap, const ike_sa_event *ev,
		       char *why, size_t cap)
{
	esp_sa_params p;
	uint8_t seed[32];
	if (sa_params(k, dir, &p, why, cap) != 0)
		return NULL;
	ike_drbg_bytes(&ip->iv, seed, sizeof(seed));
	p.iv_seed = seed;
	p.iv_seed_len = sizeof(seed);
	if (encap) {
		p.encap_sport = ev->local->port != 500 ? ev->local->port : ENCAP_PORT;
		p.encap_dport = ev->remote->port != 500 ? ev->remote->port : ENCAP_PORT;
	}
	esp_sa *sa = esp_sa_new(r->crypto, &p, why, cap);
	OPENSSL_cleanse(seed, sizeof(seed));
	return sa;
}

static int add_kid(sim_ipsec *ip, const ip_child *c)
{
	if (ip->n_kids == ip->cap_kids) {
		size_t cap = ip->cap_kids ? 2 * ip->cap_kids : 4;
		ip_child *k = realloc(ip->kids, cap * sizeof(*k));
		if (!k)
			return -1;
		ip->kids = k;
		ip->cap_kids = cap;
	}
	ip->kids[ip->n_kids++] = *c;
	return 0;
}

/* The child's outbound PROTECT policies, newest first (AH ones name no esp_sa: the kid holds its SAs), and the kid. */
static int child_policies(runner *r, sim_ipsec *ip, uint32_t node, const ike_child_keys *k, ip_child *c, esp_sa *out)
{
	c->child = child_index(r, node, c->conn, k->cfg);
	memcpy(c->l, k->ts_local, c->n_l * sizeof(ike_ts));
	memcpy(c->r, k->ts_remote, c->n_r * sizeof(ike_ts));
	size_t pos = 0;
	for (size_t a = 0; a < c->n_l; a++)
		for (size_t b = 0; b < c->n_r; b++) {
			esp_policy p = { .id = k->spi_in, .dir = ESP_DIR_OUT, .action = ESP_ACT_PROTECT, .local = c->l[a],
					 .remote = c->r[b], .sa = out };
			if (esp_spd_insert(ip->spd, pos++, &p))
				return -1;
		}
	if (c->conn < r->sc->nodes[node].n_conns)
		ip->acquiring[c->conn] = 0;
	return add_kid(ip, c);
}

/* Both AH SAs into the SAD; 0, or -1 with why (AH has no UDP encapsulation: RFC 3948 defines it for ESP only). */
static int install_ah(runner *r, sim_ipsec *ip, const ike_child_keys *k, bool encap, ip_child *c, char *why, size_t cap)
{
	esp_sa_params p;
	if (encap) {
		snprintf(why, cap, "AH cannot cross NAT: RFC 3948 encapsulates only ESP in UDP");
		return -1;
	}
	for (uint8_t dir = ESP_DIR_OUT; dir <= ESP_DIR_IN; dir++) {
		ah_sa *sa = sa_params(k, dir, &p, why, cap) == 0 ? ah_sa_new(r->crypto, &p, why, cap) : NULL;
		if (sa && esp_sad_add_ah(ip->sad, sa) != ESP_OK) {
			ah_sa_free(sa);
			snprintf(why, cap, "SPI already installed");
			sa = NULL;
		}
		if (!sa) {
			if (dir == ESP_DIR_IN)
				esp_sad_del_ah(ip->sad, ESP_DIR_OUT, k->spi_out);
			return -1;
		}
		*(dir == ESP_DIR_OUT ? &c->ah_out : &c->ah_in) = sa;
	}
	return 0;
}

/* The newest SA's outbound policies go first: after a rekey traffic moves to it at once (make-before-break). */
static int child_up(runner *r, uint32_t node, int64_t now, const ike_sa_event *ev)
{
	sim_ipsec *ip = &r->ipsec[node];
	const ike_child_keys *k = ev->child;
	char why[160], f[300];
	bool encap = k->nat || r->sc->nodes[node].esp_encap;
	ip_child c = { .spi_in = k->spi_in, .spi_out = k->spi_out, .conn = conn_index(r, node, ev->conn), .mode = k->mode,
		       .encap = encap, .proto = k->protocol, .local = *ev->local, .remote = *ev->remote,
		       .n_l = (uint8_t)(k->n_ts_local < IKE_TS_MAX ? k->n_ts_local : IKE_TS_MAX),
		       .n_r = (uint8_t)(k->n_ts_remote < IKE_TS_MAX ? k->n_ts_remote : IKE_TS_MAX) };
	if (k->protocol == IKE_PROTO_AH) {
		if (install_ah(r, ip, k, encap, &c, why, sizeof(why)) != 0) {
			snprintf(f, sizeof(f), "\"what\":\"ah install\",\"spi\":\"0x%08x\",\"why\":\"%s\"", k->spi_in, why);
			sim_rn_event(r, now, node, "error", f);
			return -1;
		}
		return child_policies(r, ip, node, k, &c, NULL);
	}
	esp_sa *out = make_sa(r, ip, k, ESP_DIR_OUT, encap, ev, why, sizeof(why)), *in = NULL;
	if (out)
		in = make_sa(r, ip, k, ESP_DIR_IN, encap, ev, why, sizeof(why));
	if (!out || !in || esp_sad_add(ip->sad, out) != ESP_OK) {
		esp_sa_free(out);
		esp_sa_free(in);
		snprintf(f, sizeof(f), "\"what\":\"esp install\",\"spi\":\"0x%08x\",\"why\":\"%s\"", k->spi_in,
			 out && in ? "SPI already installed" : why);
		sim_rn_event(r, now, node, "error", f);
		return -1;
	}
	if (esp_sad_add(ip->sad, in) != ESP_OK) {
		esp_sa_free(in);
		esp_sad_del(ip->sad, ESP_DIR_OUT, k->spi_out);
		return -1;
	}
	return child_policies(r, ip, node, k, &c, out);
}

static void child_down(runner *r, uint32_t node, uint32_t spi_in)
{
	sim_ipsec *ip = &r->ipsec[node];
	for (size_t i = 0; i < ip->n_kids; i++) {
		if (ip->kids[i].spi_in != spi_in)
			continue;
		esp_spd_remove(ip->spd, spi_in); /* before the SA the policies point at */
		if (ip->kids[i].proto == IKE_PROTO_AH) {
			esp_sad_del_ah(ip->sad, ESP_DIR_IN, spi_in);
			esp_sad_del_ah(ip->sad, ESP_DIR_OUT, ip->kids[i].spi_out);
		} else {
			esp_sad_del(ip->sad, ESP_DIR_IN, spi_in);
			esp_sad_del(ip->sad, ESP_DIR_OUT, ip->kids[i].spi_out);
		}
		ip->kids[i] = ip->kids[--ip->n_kids];
		return;
	}
}

static bool same_addr(const ike_addr *a, const ike_addr *b)
{
	return a->family == b->family && a->port == b->port && memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

/* IKE_EV_IKE_MOVED (RFC 7296 2.23): the CHILD SAs that went to the old outer addresses follow the IKE SA. */
static void ike_moved(runner *r, uint32_t node, const ike_sa_event *ev)
{
	sim_ipsec *ip = &r->ipsec[node];
	if (!ev->old_local || !ev->old_remote || !ev->local || !ev->remote)
		return;
	for (size_t i = 0; i < ip->n_kids; i++) {
		ip_child *c = &ip->kids[i];
		if (!same_addr(&c->local, ev->old_local) || !same_addr(&c->remote, ev->old_remote))
			continue;
		c->local = *ev->local;
		c->remote = *ev->remote;
		c->encap = true; /* the engine moves SAs only where NAT-T is in use: ESP goes in UDP from now on */
	}
}

void sim_ip_sa_event(runner *r, uint32_t node, int64_t now, const ike_sa_event *ev)
{
	if (!r->ipsec)
		return;
	sim_ipsec *ip = &r->ipsec[node];
	size_t c = conn_index(r, node, ev->conn);
	switch (ev->kind) {
	case IKE_EV_CHILD_UP:
		if (ev->child && ev->local && ev->remote)
			(void)child_up(r, node, now, ev); /* a refusal is traced as an error; the run goes on */
		break;
	case IKE_EV_CHILD_DOWN:
		child_down(r, node, ev->child_spi_in);
		break;
	case IKE_EV_IKE_MOVED:
		ike_moved(r, node, ev);
		break;
	case IKE_EV_IKE_FAILED:
	case IKE_EV_IKE_DOWN:
	case IKE_EV_CHILD_FAILED:
		if (c < r->sc->nodes[node].n_conns)
			ip->acquiring[c] = 0; /* the next packet on a trap asks again */
		break;
	default:
		break;
	}
}

void sim_ip_reset(runner *r, uint32_t node)
{
	if (!r->ipsec)
		return;
	sim_ipsec *ip = &r->ipsec[node];
	while (ip->n_kids)
		child_down(r, node, ip->kids[0].spi_in);
	memset(ip->acquiring, 0, r->sc->nodes[node].n_conns + 1);
	sim_ipi_free_held(ip);
}

static ip_child *kid_by_spi(sim_ipsec *ip, uint32_t spi_in)
{
	for (size_t i = 0; i < ip->n_kids; i++)
		if (ip->kids[i].spi_in == spi_in)
			return &ip->kids[i];
	return NULL;
}

/* A trap policy was hit: start the connection once (the kernel's acquire); the packet is dropped meanwhile. */
static void acquire(runner *r, uint32_t node, int64_t now, uint64_t id, const char *flow)
{
	sim_ipsec *ip = &r->ipsec[node];
	size_t conn = (size_t)((id & (TRAP_ID - 1)) >> 8);
	drop(r, node, now, SIM_XD_ACQUIRE, "out", 0, flow);
	if (conn >= r->sc->nodes[node].n_conns || ip->acquiring[conn])
		return;
	ike_conn_status st;
	/* An IKE SA already held (connecting, or up with narrower selectors than the trap's): no second one. */
	if (ike_peer_conn_status(r->nodes[node].peer, conn, &st) == 0 && st.ike_state && strcmp(st.ike_state, "NONE") != 0)
		return;
	ip->acquiring[conn] = 1;
	ip->st.acquires++;
	if (tracing(r)) {
		char f[120];
		snprintf(f, sizeof(f), "\"conn\":\"%s\"", r->sc->nodes[node].conns[conn].name);
		sim_rn_event(r, now, node, "esp.acquire", f);
	}
	sim_rn_initiate(&r->nodes[node], conn);
}

/* Sends one ESP packet (in UDP when the SA says so), with the node's ESP faults applied. */
static void send_esp(runner *r, uint32_t node, int64_t now, const ip_child *c, uint8_t *esp, size_t n, uint32_t spi,
		     uint64_t seq, size_t inner, const char *flow)
{
	sim_ipsec *ip = &r->ipsec[node];
	ike_addr from = c->local, to = c->remote;
	uint8_t proto = c->proto == IKE_PROTO_AH ? SIM_PROTO_AH : SIM_PROTO_ESP;
	if (c->encap) { /* RFC 3948: the ESP packet is the UDP payload, SPI first (never the non-ESP marker) */
		proto = SIM_PROTO_UDP;
		from.port = c->local.port != 500 ? c->local.port : ENCAP_PORT;
		to.port = c->remote.port != 500 ? c->remote.port : ENCAP_PORT;
	}
	ip->st.tx++;
	if (tracing(r)) {
		char f[300], dst[64];
		ip_str(&to, dst, sizeof(dst));
		int k = snprintf(f, sizeof(f), "\"spi\":\"0x%08x\",\"seq\":%llu,\"size\":%zu,\"inner\":%zu,\"to\":\"%s\"", spi,
				 (unsigned long long)seq, n, inner, dst);
		if (c->encap)
			k += snprintf(f + k, sizeof(f) - (size_t)k, ",\"encap\":%u", to.port);
		if (flow)
			k += snprintf(f + k, sizeof(f) - (size_t)k, ",\"flow\":\"%s\"", flow);
		if (c->proto == IKE_PROTO_AH)
			snprintf(f + k, sizeof(f) - (size_t)k, ",\"proto\":\"ah\"");
		sim_rn_event(r, now, node, "esp.tx", f);
	}
	int held = r->sc->n_faults && sim_ipi_impair(r, node, now, proto, &from, &to, esp, n, spi);
	if (!held) {
		r->tap_note = ip->note[0] ? ip->note : NULL;
		sim_ipi_put_on_wire(r, node, proto, &from, &to, esp, n);
		r->tap_note = NULL;
		ip->note[0] = '\0';
	}
	sim_ipi_release_held(r, node);
}

/*
 * The outbound SA passed a limit (soft: rekey_packets/_bytes or the sequence space nearly used; hard: it carries
 * no more): esp.expire once per level, and the child's rekey asked of the engine once, as a kernel's expire
 * message makes the IKE daemon rekey. The new SA takes the traffic as soon as it is installed (child_up).
 */
_Static_assert((int)ESP_LIMIT_SEQ == (int)IKE_REKEY_SEQ, "esp_limit_kind names ike_rekey_why's reasons");

static void expire(runner *r, uint32_t node, int64_t now, ip_child *c, int level, const esp_sa_stats *st, int cause)
{
	if (c->expired >= level)
		return;
	int asked = c->expired != ESP_EXPIRY_NONE;
	c->expired = (uint8_t)level;
	int got = -1;
	if (!asked && c->child != SIZE_MAX) {
		got = ike_peer_rekey_child_why(r->nodes[node].peer, now, c->conn, c->child,
					       (uint8_t)cause); /* traced as the rekey's reason */
		sim_rn_rearm(&r->nodes[node]);
	}
	if (!tracing(r))
		return;
	char f[320];
	static const char *const whys[] = { "none", "packets", "bytes", "seq" }; /* as ikesim peer's esp.expire */
	const ike_conn_cfg *cc = c->child != SIZE_MAX ? &r->sc->nodes[node].conns[c->conn] : NULL;
	snprintf(f, sizeof(f),
		 "\"spi\":\"0x%08x\",\"limit\":\"%s\",\"reason\":\"%s\",\"conn\":\"%s\",\"child\":\"%s\","
		 "\"packets\":%llu,\"bytes\":%llu,\"seq\":%llu,\"rekey\":\"%s\"",
		 c->spi_out, level == ESP_EXPIRY_HARD ? "hard" : "soft", whys[cause >= 0 && cause < 4 ? cause : 0],
		 cc ? cc->name : "?",
		 cc ? cc->children[c->child].name : "?", (unsigned long long)st->packets,
		 (unsigned long long)st->bytes, (unsigned long long)st->seq,
		 asked ? "already asked" : got > 0 ? "asked" : "no IKE SA to rekey on");
	sim_rn_event(r, now, node, "esp.expire", f);
}

/* One inner packet through the child's AH SA (tunnel mode): the link carries it from the AH header on. */
static void output_ah(runner *r, uint32_t node, int64_t now, ip_child *c, const uint8_t *pkt, size_t len,
		      const char *flow)
{
	size_t off = 0, n = 0;
	esp_status s = (esp_status)sim_ah_wrap(c->ah_out, &c->local, &c->remote, pkt, len, r->esp_buf, BUF_LEN, &off, &n);
	if (s != ESP_OK) {
		if (s == ESP_E_LIFETIME || s == ESP_E_SEQ)
			expire(r, node, now, c, ESP_EXPIRY_HARD, ah_sa_stats_of(c->ah_out), ah_sa_expiry_cause(c->ah_out));
		drop_p(r, node, now, (size_t)s, "out", c->spi_out, flow, true);
		return;
	}
	int ex = ah_sa_expiry(c->ah_out);
	if (ex != ESP_EXPIRY_NONE)
		expire(r, node, now, c, ex, ah_sa_stats_of(c->ah_out), ah_sa_expiry_cause(c->ah_out));
	send_esp(r, node, now, c, r->esp_buf + off, n - off, c->spi_out, ah_sa_stats_of(c->ah_out)->seq, len, flow);
}

void sim_ip_output(runner *r, uint32_t node, int64_t now, const uint8_t *pkt, size_t len, const char *flow)
{
	sim_ipsec *ip = &r->ipsec[node];
	esp_flow fl;
	size_t n = 0;
	if (esp_flow_of(pkt, len, &fl) != ESP_OK) {
		drop(r, node, now, SIM_XD_INNER, "out", 0, flow);
		return;
	}
	esp_policy *p = esp_spd_lookup(ip->spd, ESP_DIR_OUT, &fl);
	if (!p) {
		drop(r, node, now, SIM_XD_NO_POLICY, "out", 0, flow);
		return;
	}
	if (p->action == ESP_ACT_TRAP) {
		acquire(r, node, now, p->id, flow);
		return;
	}
	ip_child *c = p->action == ESP_ACT_PROTECT ? kid_by_spi(ip, (uint32_t)p->id) : NULL;
	if (!c || (!p->sa && !c->ah_out)) {
		drop(r, node, now, SIM_XD_DISCARD, "out", 0, flow);
		return;
	}
	esp_ip h = { 0 };
	/* transport mode carries the gateway's own packets only: forwarding for hosts takes tunnel mode */
	if (c->mode == IKE_MODE_TRANSPORT && !sim_tp_own(&c->local, &c->remote, pkt, len, &h)) {
		drop(r, node, now, SIM_XD_MODE, "out", c->spi_out, flow);
		return;
	}
	if (c->proto == IKE_PROTO_AH) {
		if (c->mode == IKE_MODE_TRANSPORT) /* not carried: the receiver rebuilds only a tunnel's outer header */
			drop_p(r, node, now, SIM_XD_MODE, "out", c->spi_out, flow, true);
		else
			output_ah(r, node, now, c, pkt, len, flow);
		return;
	}
	/* RFC 4303 3.1.1 transport: the IP header stays in front, ESP carries its payload, next header = its protocol */
	esp_status s = c->mode == IKE_MODE_TRANSPORT
			       ? esp_encap(p->sa, h.proto, pkt + h.hdr_len, len - h.hdr_len, r->esp_buf, BUF_LEN, &n)
			       : esp_encap(p->sa, 0, pkt, len, r->esp_buf, BUF_LEN, &n);
	if (s != ESP_OK) {
		if (s == ESP_E_LIFETIME || s == ESP_E_SEQ)
			expire(r, node, now, c, ESP_EXPIRY_HARD, esp_sa_stats_of(p->sa), esp_sa_expiry_cause(p->sa));
		drop(r, node, now, (size_t)s, "out", c->spi_out, flow);
		return;
	}
	int ex = esp_sa_expiry(p->sa);
	if (ex != ESP_EXPIRY_NONE)
		expire(r, node, now, c, ex, esp_sa_stats_of(p->sa), esp_sa_expiry_cause(p->sa));
	send_esp(r, node, now, c, r->esp_buf, n, c->spi_out, esp_sa_stats_of(p->sa)->seq, len, flow);
}

/* The inbound policy check (RFC 4301 5.2): the inner packet must fall within the SA's selectors. */
static int selectors_allow(const ip_child *c, const esp_flow *f)
{
	for (size_t a = 0; a < c->n_l; a++)
		for (size_t b = 0; b < c->n_r; b++)
			if (esp_ts_match(&c->l[a], &c->r[b], ESP_DIR_IN, f))
				return 1;
	return 0;
}

/* An inbound drop: traced and counted like any, and shown in the capture where the packet arrived. */
static void drop_in(runner *r, uint32_t node, int64_t now, size_t why, uint32_t spi, const char *flow,
		    const sim_ip_rx *in)
{
	drop_p(r, node, now, why, "in", spi, flow, in->proto == SIM_PROTO_AH);
	if (r->pcap)
		sim_rc_rx_drop(r, now, node, in->proto, in->from, in->to, in->data, in->len, sim_ip_why_name(why));
}

void sim_ip_input(runner *r, uint32_t node, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to,
		  const uint8_t *esp, size_t len)
{
	const sim_ip_rx in = { proto, from, to, esp, len };
	if (!r->ipsec)
		return;
	sim_ipsec *ip = &r->ipsec[node];
	esp_rx rx;
	esp_sa *sa = NULL;
	esp_flow fl;
	bool ah = proto == SIM_PROTO_AH;
	uint32_t spi = ah ? 0 : esp_packet_spi(esp, len);
	esp_status s = ah ? (esp_status)sim_ah_unwrap(ip->sad, from, to, esp, len, r->esp_buf, BUF_LEN, &rx, &spi)
			  : esp_sad_decap(ip->sad, esp, len, r->esp_buf, BUF_LEN, &rx, &sa);
	if (s != ESP_OK) {
		drop_in(r, node, now, (size_t)s, spi, NULL, &in);
		return;
	}
	ip_child *c = kid_by_spi(ip, spi);
	if (c && c->mode == IKE_MODE_TRANSPORT &&
	    (ah || sim_tp_header(r->esp_buf, BUF_LEN, from, to, rx.next_hdr, &rx.len) != 0))
		c = NULL; /* AH is carried in tunnel mode only (output_ah) */
	const char *flow = sim_rt_flow_name(r, r->esp_buf, rx.len);
	if (!c) {
		drop_in(r, node, now, SIM_XD_MODE, spi, flow, &in);
		return;
	}
	if (esp_flow_of(r->esp_buf, rx.len, &fl) != ESP_OK || !selectors_allow(c, &fl)) {
		drop_in(r, node, now, SIM_XD_POLICY_IN, spi, flow, &in);
		return;
	}
	ip->st.rx++;
	if (tracing(r)) {
		char f[200];
		int k = snprintf(f, sizeof(f), "\"spi\":\"0x%08x\",\"seq\":%llu,\"size\":%zu,\"inner\":%zu", spi,
				 (unsigned long long)rx.seq, len, rx.len);
		if (flow)
			k += snprintf(f + k, sizeof(f) - (size_t)k, ",\"flow\":\"%s\"", flow);
		if (ah)
			snprintf(f + k, sizeof(f) - (size_t)k, ",\"proto\":\"ah\"");
		sim_rn_event(r, now, node, "esp.rx", f);
	}
	if (!sim_rt_deliver(r, node, now, r->esp_buf, rx.len))
		drop_in(r, node, now, SIM_XD_NO_HOST, spi, flow, &in);
}

const sim_esp_node_result *sim_ip_stats(const runner *r, uint32_t node)
{
	return r->ipsec ? &r->ipsec[node].st : NULL;
}
