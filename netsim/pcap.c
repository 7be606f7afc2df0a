/* The capture sink: a file header (pcapng: section + interfaces), then one record per packet handed over. */
#include "pcap.h"

#include <stdlib.h>
#include <string.h>

#include "host/afile.h"
#include "host/frame.h"

#define PKT_MAX (40 + 8 + SIM_PCAP_MAX_UDP)
#define BLOCK_MAX 1024 /* SHB, IDB, an EPB's fixed part or its tail (padding, comment, length) */

struct sim_pcap {
	ike_host_afile *af;
	FILE *f;
	int format;       /* enum sim_pcap_format */
	uint32_t n_ifaces;
	uint16_t ip_id;   /* IPv4 Identification: counts records, deterministic */
	uint64_t skipped;
	int io_error;
	uint8_t block[BLOCK_MAX];
	uint8_t pkt[PKT_MAX]; /* one packet under construction */
	uint8_t frame[SIM_PCAP_MAX_UDP]; /* marker + IKE message */
};

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void emit(sim_pcap *p, const uint8_t *b, size_t n)
{
	if (n && fwrite(b, 1, n, p->f) != n)
		p->io_error = 1;
}

sim_pcap *sim_pcap_open(const char *path, int format, char *err, size_t errlen)
{
	if (format != SIM_PCAP_PCAPNG && format != SIM_PCAP_CLASSIC) {
		snprintf(err, errlen, "%s: unknown capture format %d", path, format);
		return NULL;
	}
	sim_pcap *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	p->format = format;
	if (!(p->af = ike_host_afile_open(path, "pcap", err, errlen))) {
		free(p);
		return NULL;
	}
	p->f = ike_host_afile_stream(p->af);
	if (format == SIM_PCAP_CLASSIC) {
		sim_pcap_file_header(p->block);
		emit(p, p->block, SIM_PCAP_FILE_HDR);
	} else {
		emit(p, p->block, sim_pcapng_shb(p->block, sizeof(p->block)));
	}
	return p;
}

int sim_pcap_close(sim_pcap *p, int commit)
{
	if (!p)
		return 0;
	int rc = p->io_error ? -1 : 0;
	if (fflush(p->f) != 0)
		rc = -1;
	if (ike_host_afile_close(p->af, commit && rc == 0) != 0)
		rc = -1;
	free(p);
	return rc;
}

int sim_pcap_format_of(const sim_pcap *p) { return p->format; }

uint64_t sim_pcap_skipped(const sim_pcap *p) { return p ? p->skipped : 0; }

uint32_t sim_pcap_iface(sim_pcap *p, const char *name, const char *descr)
{
	if (!p)
		return 0;
	if (p->format == SIM_PCAP_PCAPNG) {
		size_t n = sim_pcapng_idb(p->block, sizeof(p->block), name, descr);
		if (!n)
			p->io_error = 1; /* cannot happen: names are cut to fit */
		emit(p, p->block, n);
	}
	return p->n_ifaces++;
}

/* The record around p->pkt[0..n): classic header or EPB head, the packet, EPB tail. */
static void write_record(sim_pcap *p, uint32_t iface, int64_t now, size_t n, const char *comment)
{
	uint64_t t = now < 0 ? 0 : (uint64_t)now;
	if (p->format == SIM_PCAP_CLASSIC) {
		uint8_t rec[SIM_PCAP_REC_HDR];
		put32le(rec, (uint32_t)(t / 1000000000u)); /* 32-bit seconds: wraps after 136 virtual years */
		put32le(rec + 4, (uint32_t)(t % 1000000000u));
		put32le(rec + 8, (uint32_t)n);
		put32le(rec + 12, (uint32_t)n);
		emit(p, rec, sizeof(rec));
		emit(p, p->pkt, n);
		return;
	}
	if (iface >= p->n_ifaces) { /* a packet on an undeclared interface would make the file unreadable */
		p->skipped++;
		return;
	}
	sim_pcapng_epb_head(p->block, iface, t, n, comment);
	emit(p, p->block, SIM_PCAPNG_EPB_HEAD);
	emit(p, p->pkt, n);
	emit(p, p->block, sim_pcapng_epb_tail(p->block, sizeof(p->block), n, comment));
}

void sim_pcap_packet(sim_pcap *p, uint32_t iface, int64_t now, uint8_t proto, const ike_addr *from,
		     const ike_addr *to, const uint8_t *data, size_t len, const char *comment)
{
	if (!p)
		return;
	size_t n = sim_pcap_ip(p->pkt, sizeof(p->pkt), proto, from, to, data, len, p->ip_id);
	if (!n) {
		p->skipped++;
		return;
	}
	p->ip_id++;
	write_record(p, iface, now, n, comment);
}

void sim_pcap_udp(sim_pcap *p, uint32_t iface, int64_t now, const ike_addr *from, const ike_addr *to,
		  const uint8_t *data, size_t len, const char *comment)
{
	sim_pcap_packet(p, iface, now, SIM_IPPROTO_UDP, from, to, data, len, comment);
}

void sim_pcap_ike(sim_pcap *p, uint32_t iface, int64_t now, const ike_addr *from, const ike_addr *to,
		  const uint8_t *msg, size_t len, const char *comment)
{
	if (!p)
		return;
	if (!ike_host_frame_marked(from->port, to->port)) {
		sim_pcap_udp(p, iface, now, from, to, msg, len, comment);
		return;
	}
	size_t n = ike_host_frame_wrap(true, msg, len, p->frame, sizeof(p->frame));
	if (!n) { /* too big for one record */
		p->skipped++;
		return;
	}
	sim_pcap_udp(p, iface, now, from, to, p->frame, n, comment);
}
