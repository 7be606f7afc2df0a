/*
 * `ikesim peer --pcap FILE`: what the peer sends and receives on its socket, as on the wire (RFC 3948
 * framing included), stamped with the real time, in a pcapng (or classic pcap) with one interface, the
 * socket; with --reveal-keys Wireshark's two key tables beside it, as `ikesim run` writes them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esptab.h"
#include "host/afile.h"
#include "keytab.h"
#include "pcap.h"
#include "peer.h"
#include "run_paths.h"
#include "sim.h" /* ike_host_addr_format */

struct peer_cap {
	const char *path;
	sim_pcap *pcap;
	sim_keytab *keys;
	sim_esptab *esp;
	ike_host_afile *keys_file, *esp_file;
	int keys_failed;
	sim_keytab_stats keys_st;
	sim_esptab_stats esp_st;
};

/* Wall-clock nanoseconds: a real capture lines up with tcpdump's of the same exchange. */
static int64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * IKE_NS_PER_SEC + ts.tv_nsec;
}

static ike_host_afile *open_beside(const char *path, const char *suffix, const char *what, char *err, size_t errlen)
{
	char p[4096];
	if (snprintf(p, sizeof(p), "%s%s", path, suffix) >= (int)sizeof(p)) {
		snprintf(err, errlen, "--pcap '%.64s...': path too long", path);
		return NULL;
	}
	return ike_host_afile_open(p, what, err, errlen);
}

peer_cap *peer_cap_open(const char *path, bool classic, bool reveal, const ike_addr *local, char *err, size_t errlen)
{
	peer_cap *c = calloc(1, sizeof(*c));
	char name[80], descr[200];
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	c->path = path;
	if (!(c->pcap = sim_pcap_open(path, classic ? SIM_PCAP_CLASSIC : SIM_PCAP_PCAPNG, err, errlen)))
		goto fail;
	ike_host_addr_format(local, name, sizeof(name));
	snprintf(descr, sizeof(descr), "the UDP socket of ikesim peer on %s: what it sends and receives", name);
	sim_pcap_iface(c->pcap, name, descr);
	if (!reveal)
		return c;
	if (!(c->keys = sim_keytab_new()) || !(c->esp = sim_esptab_new())) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	if (!(c->keys_file = open_beside(path, SIM_KEYTAB_SUFFIX, "key table", err, errlen)) ||
	    !(c->esp_file = open_beside(path, SIM_ESPTAB_SUFFIX, "esp_sa table", err, errlen)))
		goto fail;
	return c;
fail:
	peer_cap_close(c, 0, NULL, NULL, 0);
	return NULL;
}

void peer_cap_udp(peer_cap *c, const ike_addr *from, const ike_addr *to, const uint8_t *wire, size_t len,
		  const char *comment)
{
	if (c)
		sim_pcap_udp(c->pcap, 0, wall_ns(), from, to, wire, len, comment);
}

void peer_cap_sa_event(peer_cap *c, const ike_sa_event *ev)
{
	if (!c || !c->keys)
		return;
	if (ev->keys && sim_keytab_add(c->keys, ev->spi_i, ev->spi_r, ev->keys) != 0)
		c->keys_failed = 1;
	if (ev->child && ev->local && ev->remote && sim_esptab_add(c->esp, ev->local, ev->remote, ev->child) != 0)
		c->keys_failed = 1;
}

/* Notes what the capture lacks, as `ikesim run` does. */
static void notes(const peer_cap *c, FILE *note)
{
	if (!note)
		return;
	if (!c->keys)
		fprintf(note, "ikesim peer: no key table without --reveal-keys (the pcap's encrypted payloads stay opaque)\n");
	if (c->keys_st.undecryptable || c->esp_st.undecryptable)
		fprintf(note, "ikesim peer: note: %zu IKE SA(s) and %zu CHILD SA direction(s) use ChaCha20-Poly1305, which "
			      "Wireshark 4.0 cannot decrypt (commented out in the key tables)\n",
			c->keys_st.undecryptable, c->esp_st.undecryptable);
	if (sim_pcap_skipped(c->pcap))
		fprintf(note, "ikesim peer: warning: %llu datagram(s) not captured\n",
			(unsigned long long)sim_pcap_skipped(c->pcap));
}

/* IKEv1 ISAKMP SAs (`--ike 1`): Wireshark's ikev1_decryption_table beside the pcap, only when there are some. */
static int write_v1(const peer_cap *c, char *err, size_t errlen)
{
	ike_host_afile *f = open_beside(c->path, SIM_KEYTAB_V1_SUFFIX, "IKEv1 key table", err, errlen);
	size_t rows;
	if (!f)
		return -1;
	int bad = sim_keytab_write_v1(c->keys, ike_host_afile_stream(f), &rows);
	if (ike_host_afile_close(f, !bad) != 0 || bad) {
		snprintf(err, errlen, "%s%s: writing the IKEv1 key table failed", c->path, SIM_KEYTAB_V1_SUFFIX);
		return -1;
	}
	return 0;
}

int peer_cap_close(peer_cap *c, int commit, FILE *note, char *err, size_t errlen)
{
	if (!c)
		return 0;
	int rc = 0;
	if (commit && c->keys_file &&
	    (c->keys_failed || sim_keytab_write(c->keys, ike_host_afile_stream(c->keys_file), &c->keys_st) ||
	     sim_esptab_write(c->esp, ike_host_afile_stream(c->esp_file), &c->esp_st))) {
		snprintf(err, errlen, "%s: writing the key tables failed", c->path);
		commit = 0;
		rc = -1;
	}
	if (commit && c->keys && sim_keytab_v1_count(c->keys) && write_v1(c, err, errlen) != 0) {
		commit = 0;
		rc = -1;
	}
	if (commit)
		notes(c, note);
	if (sim_pcap_close(c->pcap, commit) != 0 && commit) {
		snprintf(err, errlen, "%s: writing the pcap failed", c->path);
		rc = -1;
	}
	if ((ike_host_afile_close(c->keys_file, commit) != 0 || ike_host_afile_close(c->esp_file, commit) != 0) &&
	    commit && rc == 0) {
		snprintf(err, errlen, "%s: writing the key tables failed", c->path);
		rc = -1;
	}
	sim_keytab_free(c->keys);
	sim_esptab_free(c->esp);
	free(c);
	return rc;
}

/* --trace, --pcap and the key tables beside it must not overwrite each other or an input file. */
int peer_cap_check(const peer_args *a, FILE *err)
{
	char keys[4096], esp[4096];
	cli_run_file f[8];
	size_t n = 0;
	if (a->trace)
		f[n++] = (cli_run_file){ "--trace", a->trace, 1 };
	if (a->pcap)
		f[n++] = (cli_run_file){ "--pcap", a->pcap, 1 };
	if (a->pcap && a->reveal) {
		if (snprintf(keys, sizeof(keys), "%s%s", a->pcap, SIM_KEYTAB_SUFFIX) >= (int)sizeof(keys) ||
		    snprintf(esp, sizeof(esp), "%s%s", a->pcap, SIM_ESPTAB_SUFFIX) >= (int)sizeof(esp)) {
			fprintf(err, "ikesim peer: --pcap '%.64s...': path too long\n", a->pcap);
			return -1;
		}
		f[n++] = (cli_run_file){ "the key table", keys, 1 };
		f[n++] = (cli_run_file){ "the esp_sa table", esp, 1 };
	}
	const char *inputs[] = { a->psk_file, a->cert, a->key, a->ca };
	for (size_t i = 0; i < 4; i++)
		if (inputs[i])
			f[n++] = (cli_run_file){ "an input file", inputs[i], 0 };
	if (n < 2 || !a->pcap)
		return 0;
	/* The check speaks as `ikesim run`; its one line is re-prefixed for us. */
	char *msg = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&msg, &len);
	int rc = m ? cli_run_paths_check(f, n, m) : -1;
	if (m && fclose(m) == 0 && msg && strncmp(msg, "ikesim run: ", 12) == 0)
		fprintf(err, "ikesim peer: %s", msg + 12);
	else if (rc != 0)
		fprintf(err, "ikesim peer: cannot check the output paths\n");
	free(msg);
	return rc;
}
