/* `ikesim peer`'s SAD and SPD: what IKE_EV_CHILD_UP hands over becomes two ESP SAs and outbound policies. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "esp/child.h"
#include "esp/ip.h"
#include "esp/sad.h"
#include "esp/spd.h"
#include "peer_dp.h"

#define PE_MOVES 4 /* IKE rekeys remembered until the old SA is gone (they overlap only briefly) */

/* One installed CHILD SA as the host keeps it: which IKE SA it belongs to, where its ESP goes, its selectors. */
typedef struct pe_child {
	uint32_t spi_in, spi_out;
	uint64_t ike_i, ike_r;     /* the IKE SA that holds it (a rekeyed IKE SA takes it over) */
	ike_addr local, remote;    /* outer addresses: ESP-in-UDP goes to remote */
	uint8_t mode;              /* enum esp_mode */
	uint8_t expired;           /* enum esp_expiry the outbound SA last reported: each level reported once */
	uint8_t n_local, n_remote;
	ike_ts ts_local[IKE_TS_MAX], ts_remote[IKE_TS_MAX];
} pe_child;

struct peer_esp {
	const ike_crypto *crypto;
	esp_sad *sad;
	esp_spd *spd;
	pe_child *kids;
	size_t n, cap;
	uint64_t up_i, up_r; /* the IKE SA that came up last */
	uint64_t moved[PE_MOVES][4]; /* recent IKE rekeys: old SPIs i, r -> new SPIs i, r */
	size_t n_moved;
	peer_esp_stats st;
	peer_esp_expiry exp;  /* the last limit an outbound SA reached, until peer_esp_take_expiry */
	bool exp_new;
};

peer_esp *peer_esp_new(const ike_crypto *crypto)
{
	peer_esp *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->crypto = crypto;
	e->sad = esp_sad_new();
	e->spd = esp_spd_new();
	if (!e->sad || !e->spd) {
		peer_esp_free(e);
		return NULL;
	}
	return e;
}

void peer_esp_free(peer_esp *e)
{
	if (!e)
		return;
	esp_sad_free(e->sad);
	esp_spd_free(e->spd);
	free(e->kids);
	free(e);
}

static pe_child *find_child(const peer_esp *e, uint32_t spi_in)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->kids[i].spi_in == spi_in)
			return &e->kids[i];
	return NULL;
}

/* One direction's SA from the CHILD SA's KEYMAT: the exchange initiator's keys protect what it sends. */
static esp_sa *make_sa(const peer_esp *e, const ike_child_keys *k, uint8_t dir, const ike_addr *local,
		       const ike_addr *remote, char *why, size_t cap)
{
	uint8_t seed[32];
	esp_sa_params p;
	if (esp_params_from_child(k, dir, &p, why, cap) != 0)
		return NULL;
	if (peer_os_random(seed, sizeof(seed)) != 0) {
		snprintf(why, cap, "cannot read the OS random source for the IV generator");
		return NULL;
	}
	/* RFC 3948: ESP-in-UDP on the IKE SA's ports; the IV generator seeded from the OS */
	p.encap_sport = dir == ESP_DIR_OUT ? local->port : remote->port;
	p.encap_dport = dir == ESP_DIR_OUT ? remote->port : local->port;
	p.iv_seed = seed;
	p.iv_seed_len = sizeof(seed);
	if (k->cfg) { /* --rekey-packets ... --life-bytes: soft asks for a rekey, hard stops the SA */
		p.soft = (esp_limits){ k->cfg->life.rekey_packets, k->cfg->life.rekey_bytes };
		p.hard = (esp_limits){ k->cfg->life.packets, k->cfg->life.bytes };
	}
	esp_sa *sa = esp_sa_new(e->crypto, &p, why, cap);
	OPENSSL_cleanse(seed, sizeof(seed));
	return sa;
}

/* Outbound policies for every (local, remote) selector pair, inserted first: the newest CHILD SA wins. */
static int add_policies(peer_esp *e, const pe_child *c, esp_sa *out)
{
	for (uint8_t l = 0; l < c->n_local; l++)
		for (uint8_t r = 0; r < c->n_remote; r++) {
			esp_policy p = { .id = c->spi_in, .dir = ESP_DIR_OUT, .action = ESP_ACT_PROTECT,
					 .local = c->ts_local[l], .remote = c->ts_remote[r], .sa = out };
			if (p.local.family == p.remote.family && esp_spd_insert(e->spd, 0, &p) != 0)
				return -1;
		}
	return 0;
}

static int grow(peer_esp *e)
{
	if (e->n < e->cap)
		return 0;
	size_t nc = e->cap ? e->cap * 2 : 4;
	pe_child *k = realloc(e->kids, nc * sizeof(*k));
	if (!k)
		return -1;
	e->kids = k;
	e->cap = nc;
	return 0;
}

static pe_child child_of(const ike_sa_event *ev)
{
	const ike_child_keys *k = ev->child;
	pe_child c = { .spi_in = k->spi_in, .spi_out = k->spi_out, .ike_i = ev->spi_i, .ike_r = ev->spi_r,
		       .local = *ev->local, .remote = *ev->remote,
		       .mode = k->mode == IKE_MODE_TRANSPORT ? ESP_MODE_TRANSPORT : ESP_MODE_TUNNEL };
	c.n_local = (uint8_t)(k->n_ts_local < IKE_TS_MAX ? k->n_ts_local : IKE_TS_MAX);
	c.n_remote = (uint8_t)(k->n_ts_remote < IKE_TS_MAX ? k->n_ts_remote : IKE_TS_MAX);
	memcpy(c.ts_local, k->ts_local, c.n_local * sizeof(ike_ts));
	memcpy(c.ts_remote, k->ts_remote, c.n_remote * sizeof(ike_ts));
	return c;
}

int peer_esp_child_up(peer_esp *e, const ike_sa_event *ev, char *why, size_t cap)
{
	const ike_child_keys *k = ev->child;
	if (!k || !ev->local || !ev->remote) {
		snprintf(why, cap, "CHILD SA event without its keys");
		return -1;
	}
	if (k->protocol != IKE_PROTO_ESP) { /* this host's IPsec packets ride its UDP socket, and RFC 3948 has no AH-in-UDP */
		snprintf(why, cap, "CHILD SA %08x is AH: the peer sends IPsec only as ESP in UDP (RFC 3948 has no AH form)",
			 k->spi_in);
		return -1;
	}
	if (find_child(e, k->spi_in) || grow(e) != 0) {
		snprintf(why, cap, "CHILD SA %08x: %s", k->spi_in, find_child(e, k->spi_in) ? "already installed" : "out of memory");
		return -1;
	}
	esp_sa *in = make_sa(e, k, ESP_DIR_IN, ev->local, ev->remote, why, cap);
	esp_sa *out = in ? make_sa(e, k, ESP_DIR_OUT, ev->local, ev->remote, why, cap) : NULL;
	if (!out || esp_sad_add(e->sad, in) != ESP_OK) {
		esp_sa_free(in);
		esp_sa_free(out);
		if (out)
			snprintf(why, cap, "CHILD SA %08x: inbound SPI refused by the SAD", k->spi_in);
		return -1;
	}
	if (esp_sad_add(e->sad, out) != ESP_OK) {
		esp_sa_free(out);
		esp_sad_del(e->sad, ESP_DIR_IN, k->spi_in);
		snprintf(why, cap, "CHILD SA %08x: outbound SPI %08x refused by the SAD", k->spi_in, k->spi_out);
		return -1;
	}
	e->kids[e->n] = child_of(ev);
	if (add_policies(e, &e->kids[e->n], out) != 0) {
		esp_spd_remove(e->spd, k->spi_in);
		esp_sad_del(e->sad, ESP_DIR_IN, k->spi_in);
		esp_sad_del(e->sad, ESP_DIR_OUT, k->spi_out);
		snprintf(why, cap, "CHILD SA %08x: out of memory for its policies", k->spi_in);
		return -1;
	}
	e->n++;
	e->st.installed++;
	return 0;
}

int peer_esp_child_down(peer_esp *e, uint32_t spi_in)
{
	pe_child *c = find_child(e, spi_in);
	if (!c)
		return -1;
	esp_spd_remove(e->spd, c->spi_in);
	esp_sad_del(e->sad, ESP_DIR_IN, c->spi_in);
	esp_sad_del(e->sad, ESP_DIR_OUT, c->spi_out);
	*c = e->kids[--e->n];
	e->st.removed++;
	return 0;
}

void peer_esp_ike_up(peer_esp *e, const ike_sa_event *ev)
{
	e->up_i = ev->spi_i;
	e->up_r = ev->spi_r;
	if (ev->old_spi_i || ev->old_spi_r) { /* made by a rekey (or a reauthentication) of that IKE SA */
		uint64_t *m = e->moved[e->n_moved++ % PE_MOVES];
		m[0] = ev->old_spi_i, m[1] = ev->old_spi_r, m[2] = ev->spi_i, m[3] = ev->spi_r;
	}
}

/* The IKE SA that replaced (i, r), if the events said so; else the one that came up last. */
static void successor(const peer_esp *e, uint64_t i, uint64_t r, uint64_t *ni, uint64_t *nr)
{
	*ni = e->up_i;
	*nr = e->up_r;
	for (size_t k = 0; k < PE_MOVES && k < e->n_moved; k++)
		if (e->moved[k][0] == i && e->moved[k][1] == r) {
			*ni = e->moved[k][2];
			*nr = e->moved[k][3];
		}
}

size_t peer_esp_ike_down(peer_esp *e, const ike_sa_event *ev)
{
	size_t removed = 0;
	uint64_t ni, nr;
	/* The event names the SA's first CHILD SA: none left means they moved to the rekeyed IKE SA (a
	 * reauthentication's old SA keeps its own CHILD SAs, the new one has new ones). */
	bool moved = ev->child_spi_in == 0;
	successor(e, ev->spi_i, ev->spi_r, &ni, &nr);
	for (size_t i = 0; i < e->n;) {
		pe_child *c = &e->kids[i];
		if (c->ike_i != ev->spi_i || c->ike_r != ev->spi_r) {
			i++;
		} else if (moved) {
			c->ike_i = ni; /* the rekeyed IKE SA (it came up before the old one went) holds it now */
			c->ike_r = nr;
			i++;
		} else {
			peer_esp_child_down(e, c->spi_in);
			removed++;
		}
	}
	return removed;
}

/* The outbound SA passed a limit (or cannot send for one): remembered once per level for the host to act on. */
static void note_expiry(peer_esp *e, pe_child *c, const esp_sa *sa, esp_status s)
{
	int level = s == ESP_E_LIFETIME || s == ESP_E_SEQ ? ESP_EXPIRY_HARD : esp_sa_expiry(sa);
	if (level <= c->expired)
		return;
	const esp_sa_stats *st = esp_sa_stats_of(sa);
	e->exp = (peer_esp_expiry){ .spi_out = c->spi_out, .level = (uint8_t)level,
				    .first = c->expired == ESP_EXPIRY_NONE, .why = (uint8_t)esp_sa_expiry_cause(sa),
				    .packets = st->packets, .bytes = st->bytes, .seq = st->seq };
	e->exp_new = true;
	c->expired = (uint8_t)level;
}

bool peer_esp_take_expiry(peer_esp *e, peer_esp_expiry *x)
{
	if (!e->exp_new)
		return false;
	*x = e->exp;
	e->exp_new = false;
	return true;
}

static bool same_addr(const ike_addr *a, const ike_addr *b)
{
	return a->family == b->family && a->port == b->port && memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

size_t peer_esp_moved(peer_esp *e, const ike_sa_event *ev)
{
	size_t n = 0;
	if (!ev->old_local || !ev->old_remote || !ev->local || !ev->remote)
		return 0;
	for (size_t i = 0; i < e->n; i++) {
		pe_child *c = &e->kids[i];
		if (same_addr(&c->local, ev->old_local) && same_addr(&c->remote, ev->old_remote)) {
			c->local = *ev->local;
			c->remote = *ev->remote;
			n++;
		}
	}
	return n;
}

esp_status peer_esp_output(peer_esp *e, const uint8_t *pkt, size_t len, uint8_t *out, size_t cap, size_t *out_len,
			   ike_addr *from, ike_addr *to)
{
	esp_flow f;
	esp_ip ip;
	esp_status s = esp_flow_of(pkt, len, &f);
	esp_policy *p = s == ESP_OK ? esp_spd_lookup(e->spd, ESP_DIR_OUT, &f) : NULL;
	pe_child *c = p && p->sa ? find_child(e, (uint32_t)p->id) : NULL;
	if (s == ESP_OK && !c)
		s = ESP_E_NO_SA;
	if (s == ESP_OK && c->mode == ESP_MODE_TRANSPORT) {
		(void)esp_ip_parse(pkt, len, &ip); /* transport: the upper-layer payload goes, the header does not */
		s = esp_encap(p->sa, ip.proto, pkt + ip.hdr_len, ip.total_len - ip.hdr_len, out, cap, out_len);
	} else if (s == ESP_OK) {
		s = esp_encap(p->sa, 0, pkt, len, out, cap, out_len);
	}
	if (c && (s == ESP_OK || s == ESP_E_LIFETIME || s == ESP_E_SEQ))
		note_expiry(e, c, p->sa, s);
	if (s != ESP_OK) {
		e->st.out_drops[s]++;
		return s;
	}
	*to = c->remote;
	*from = c->local;
	e->st.out_packets++;
	return ESP_OK;
}

/* Transport mode: the payload gets an IP header from the IKE SA's addresses (peer -> us). */
static int add_header(const pe_child *c, uint8_t proto, uint8_t *out, size_t cap, size_t *len)
{
	esp_ip h = { .family = c->remote.family, .proto = proto, .ttl = 64 };
	size_t hl = c->remote.family == 4 ? ESP_IPV4_HDR_LEN : ESP_IPV6_HDR_LEN;
	if (*len + hl > cap)
		return ESP_E_SPACE;
	memcpy(h.src, c->remote.ip, 16);
	memcpy(h.dst, c->local.ip, 16);
	memmove(out + hl, out, *len);
	if (esp_ip_build(&h, *len, out, cap) != hl)
		return ESP_E_SPACE;
	*len += hl;
	return ESP_OK;
}

/* RFC 4301 5.2: an inbound packet must lie inside the selectors of the SA it came through. */
static bool inside(const pe_child *c, const uint8_t *pkt, size_t len)
{
	esp_flow f;
	if (esp_flow_of(pkt, len, &f) != ESP_OK)
		return false;
	for (uint8_t l = 0; l < c->n_local; l++)
		for (uint8_t r = 0; r < c->n_remote; r++)
			if (esp_ts_match(&c->ts_local[l], &c->ts_remote[r], ESP_DIR_IN, &f))
				return true;
	return false;
}

int peer_esp_input(peer_esp *e, const uint8_t *d, size_t len, uint8_t *out, size_t cap, size_t *inner_len,
		   uint32_t *spi)
{
	esp_rx rx;
	esp_sa *sa = NULL;
	*spi = esp_packet_spi(d, len);
	int s = esp_sad_decap(e->sad, d, len, out, cap, &rx, &sa);
	pe_child *c = s == ESP_OK ? find_child(e, *spi) : NULL;
	if (s == ESP_OK && !c)
		s = ESP_E_NO_SA;
	*inner_len = s == ESP_OK ? rx.len : 0;
	if (s == ESP_OK && c->mode == ESP_MODE_TRANSPORT)
		s = add_header(c, rx.next_hdr, out, cap, inner_len);
	if (s == ESP_OK && !inside(c, out, *inner_len))
		s = PEER_ESP_E_POLICY;
	if (s != ESP_OK) {
		e->st.in_drops[s]++;
		return s;
	}
	e->st.in_packets++;
	return ESP_OK;
}

const peer_esp_stats *peer_esp_stats_of(const peer_esp *e) { return &e->st; }
size_t peer_esp_children(const peer_esp *e) { return e->n; }

const char *peer_esp_status_name(int s)
{
	return s == PEER_ESP_E_POLICY ? "policy" : esp_status_name((esp_status)s);
}
