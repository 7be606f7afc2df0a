/*
 * The runner's capture: the pcap(ng) file and, with reveal_keys, Wireshark's two key tables beside it
 * (ikev2_decryption_table from IKE_UP/IKE_FAILED, esp_sa from CHILD_UP). All are temp files until the run
 * succeeds; on failure none is left behind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "run_int.h"

/* pcap_path + suffix as an atomic output file; NULL with one line in err. */
static ike_host_afile *open_beside(const char *pcap_path, const char *suffix, const char *what, char *err,
				   size_t errlen)
{
	size_t len = strlen(pcap_path) + strlen(suffix) + 1;
	char *path = malloc(len);
	if (!path) {
		snprintf(err, errlen, "%s: out of memory", pcap_path);
		return NULL;
	}
	snprintf(path, len, "%s%s", pcap_path, suffix);
	ike_host_afile *a = ike_host_afile_open(path, what, err, errlen);
	free(path);
	return a;
}

/* Why a datagram died or was changed, as its packet comment; NULL for one that goes on untouched. */
static const char *comment_for(const runner *r, size_t link, size_t len, size_t hdrs, const char *why, char *buf,
			       size_t cap)
{
	if (!why)
		return NULL;
	if (strcmp(why, "mtu") == 0)
		snprintf(buf, cap, "dropped: larger than MTU %u (IP packet of %zu bytes)", r->sc->links[link].cfg.mtu,
			 len + hdrs);
	else
		snprintf(buf, cap, "dropped: %s", why);
	return buf;
}

/* The backend's tap: each datagram on the interface of the link end that sent it, at the time it was sent. */
void sim_rc_tap(void *ctx, int64_t now, size_t link, int dir, uint8_t proto, const ike_addr *from,
		const ike_addr *to, const uint8_t *data, size_t len, const char *why)
{
	runner *r = ctx;
	char buf[160];
	if (why && sim_pcap_format_of(r->pcap) == SIM_PCAP_CLASSIC)
		return; /* classic pcap cannot say why: it holds what crossed the links */
	size_t hdrs = (to->family == 6 ? 40 : 20) + (proto == SIM_PROTO_UDP ? 8 : 0);
	const char *c = comment_for(r, link, len, hdrs, why, buf, sizeof(buf));
	if (!c && r->tap_note) /* it goes on, but not as its sender sealed it or not when it should have */
		c = r->tap_note;
	uint32_t iface = (uint32_t)(2 * link + (size_t)dir);
	/* The runner frames IKE per RFC 3948 itself (run.c), so a UDP payload is captured exactly as carried. */
	if (proto == SIM_PROTO_UDP)
		sim_pcap_udp(r->pcap, iface, now, from, to, data, len, c);
	else
		sim_pcap_packet(r->pcap, iface, now, proto, from, to, data, len, c);
}

/* Whose address a is: the node index, or n_nodes. */
static size_t node_of(const runner *r, const ike_addr *a)
{
	for (size_t i = 0; i < r->sc->n_nodes; i++)
		for (size_t k = 0; k < r->sc->nodes[i].n_addrs; k++) {
			const ike_addr *x = &r->sc->nodes[i].addrs[k];
			if (x->family == a->family && memcmp(x->ip, a->ip, a->family == 6 ? 16 : 4) == 0)
				return i;
		}
	return r->sc->n_nodes;
}

void sim_rc_rx_drop(runner *r, int64_t now, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to,
		    const uint8_t *data, size_t len, const char *why)
{
	if (!r->pcap || sim_pcap_format_of(r->pcap) == SIM_PCAP_CLASSIC)
		return; /* classic pcap has one record per datagram sent and no comments */
	/* The link end towards node: the one from the sender's node, else any (the last hop is not known). */
	size_t sender = node_of(r, from), best = SIZE_MAX;
	int dir = 0;
	for (size_t i = 0; i < r->sc->n_links; i++) {
		const sim_link_spec *l = &r->sc->links[i];
		if (l->a != node && l->b != node)
			continue;
		int d = l->a == node; /* 1: b->a arrives at a */
		uint32_t other = d ? l->b : l->a;
		if (best == SIZE_MAX || other == sender) {
			best = i;
			dir = d;
		}
		if (other == sender)
			break;
	}
	if (best == SIZE_MAX)
		return;
	sim_rc_rx_drop_on(r, now, best, dir, node, proto, from, to, data, len, why);
}

void sim_rc_rx_drop_on(runner *r, int64_t now, size_t link, int dir, uint32_t node, uint8_t proto, const ike_addr *from,
		       const ike_addr *to, const uint8_t *data, size_t len, const char *why)
{
	if (!r->pcap || sim_pcap_format_of(r->pcap) == SIM_PCAP_CLASSIC)
		return;
	char c[200];
	snprintf(c, sizeof(c), "received by %s: dropped: %s", r->sc->nodes[node].name, why);
	uint32_t iface = (uint32_t)(2 * link + (size_t)dir);
	if (proto == SIM_PROTO_UDP)
		sim_pcap_udp(r->pcap, iface, now, from, to, data, len, c);
	else
		sim_pcap_packet(r->pcap, iface, now, proto, from, to, data, len, c);
}

/* pcapng: interfaces 2i and 2i+1 are link i's ends, a->b and b->a, named "sender>receiver". */
static void declare_ifaces(runner *r)
{
	char name[160], descr[200];
	for (size_t i = 0; i < r->sc->n_links; i++)
		for (int d = 0; d < 2; d++) {
			const char *a = r->sc->nodes[d ? r->sc->links[i].b : r->sc->links[i].a].name;
			const char *b = r->sc->nodes[d ? r->sc->links[i].a : r->sc->links[i].b].name;
			snprintf(name, sizeof(name), "%s>%s", a, b);
			snprintf(descr, sizeof(descr), "link %zu as sent by %s towards %s", i, a, b);
			sim_pcap_iface(r->pcap, name, descr);
		}
}

int sim_rc_open(runner *r, const sim_run_opts *o, char *err, size_t errlen)
{
	if (!o->pcap_path)
		return 0;
	if (!(r->pcap = sim_pcap_open(o->pcap_path, o->pcap_format, err, errlen)))
		return -1;
	declare_ifaces(r);
	r->be.set_tap(r->be.impl, sim_rc_tap, r);
	if (!o->reveal_keys)
		return 0;
	if (!(r->keys = sim_keytab_new()) || !(r->esp = sim_esptab_new())) {
		snprintf(err, errlen, "%s: out of memory", o->pcap_path);
		return -1;
	}
	if (!(r->keys_file = open_beside(o->pcap_path, SIM_KEYTAB_SUFFIX, "key table", err, errlen)))
		return -1;
	return (r->esp_file = open_beside(o->pcap_path, SIM_ESPTAB_SUFFIX, "esp_sa table", err, errlen)) ? 0 : -1;
}

/* Collects the keys a revealing engine shows: IKE SAs with IKE_UP/IKE_FAILED, CHILD SAs with CHILD_UP. */
void sim_rc_sa_event(runner *r, const ike_sa_event *ev)
{
	if (ev->keys && sim_keytab_add(r->keys, ev->spi_i, ev->spi_r, ev->keys) != 0)
		r->keys_failed = 1;
	if (ev->child && r->esp && ev->local && ev->remote &&
	    sim_esptab_add(r->esp, ev->local, ev->remote, ev->child) != 0)
		r->keys_failed = 1;
}

static int fail_table(const char *pcap_path, const char *suffix, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s%s: writing the key table failed", pcap_path, suffix);
	return -1;
}

int sim_rc_close(runner *r, const sim_run_opts *o, sim_run_result *res, char *err, size_t errlen)
{
	if (!r->pcap)
		return 0;
	res->pcap_skipped = sim_pcap_skipped(r->pcap);
	if (r->keys_file && (r->keys_failed || sim_keytab_write(r->keys, ike_host_afile_stream(r->keys_file), &res->keys)))
		return fail_table(o->pcap_path, SIM_KEYTAB_SUFFIX, err, errlen);
	if (r->esp_file && sim_esptab_write(r->esp, ike_host_afile_stream(r->esp_file), &res->esp))
		return fail_table(o->pcap_path, SIM_ESPTAB_SUFFIX, err, errlen);
	if (r->keys && sim_keytab_v1_count(r->keys)) { /* IKEv1 SAs: their own table, only when there are some */
		ike_host_afile *v1 = open_beside(o->pcap_path, SIM_KEYTAB_V1_SUFFIX, "IKEv1 key table", err, errlen);
		size_t rows;
		if (!v1)
			return -1;
		int bad = sim_keytab_write_v1(r->keys, ike_host_afile_stream(v1), &rows);
		if (ike_host_afile_close(v1, !bad) != 0 || bad)
			return fail_table(o->pcap_path, SIM_KEYTAB_V1_SUFFIX, err, errlen);
		res->keys_v1_rows = rows;
	}
	int rc = sim_pcap_close(r->pcap, 1);
	r->pcap = NULL;
	if (rc != 0) {
		snprintf(err, errlen, "%s: writing the pcap failed", o->pcap_path);
		return -1;
	}
	rc = ike_host_afile_close(r->keys_file, 1);
	r->keys_file = NULL;
	if (rc != 0)
		return fail_table(o->pcap_path, SIM_KEYTAB_SUFFIX, err, errlen);
	rc = ike_host_afile_close(r->esp_file, 1);
	r->esp_file = NULL;
	return rc != 0 ? fail_table(o->pcap_path, SIM_ESPTAB_SUFFIX, err, errlen) : 0;
}

void sim_rc_abort(runner *r)
{
	sim_pcap_close(r->pcap, 0);
	ike_host_afile_close(r->keys_file, 0);
	ike_host_afile_close(r->esp_file, 0);
	r->pcap = NULL;
	r->keys_file = r->esp_file = NULL;
}

void sim_rc_free(runner *r)
{
	sim_keytab_free(r->keys);
	sim_esptab_free(r->esp);
	r->keys = NULL;
	r->esp = NULL;
}
