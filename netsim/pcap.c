/* The pcap sink: a file header, then one record per datagram in the order the runner hands them over. */
#include "pcap.h"

#include <stdlib.h>
#include <string.h>

#include "host/afile.h"
#include "host/frame.h"

#define PKT_MAX (40 + 8 + SIM_PCAP_MAX_UDP)

struct sim_pcap {
	ike_host_afile *af;
	FILE *f;
	uint16_t ip_id;   /* IPv4 Identification: counts records, deterministic */
	uint64_t skipped;
	int io_error;
	uint8_t pkt[PKT_MAX]; /* one packet under construction */
	uint8_t frame[SIM_PCAP_MAX_UDP]; /* marker + IKE message */
};

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

sim_pcap *sim_pcap_open(const char *path, char *err, size_t errlen)
{
	sim_pcap *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (!(p->af = ike_host_afile_open(path, "pcap", err, errlen))) {
		free(p);
		return NULL;
	}
	p->f = ike_host_afile_stream(p->af);
	uint8_t hdr[SIM_PCAP_FILE_HDR];
	sim_pcap_file_header(hdr);
	if (fwrite(hdr, 1, sizeof(hdr), p->f) != sizeof(hdr))
		p->io_error = 1;
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

uint64_t sim_pcap_skipped(const sim_pcap *p) { return p ? p->skipped : 0; }

void sim_pcap_udp(sim_pcap *p, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		  size_t len)
{
	if (!p)
		return;
	size_t n = sim_pcap_ip_udp(p->pkt, sizeof(p->pkt), from, to, data, len, p->ip_id);
	if (!n) {
		p->skipped++;
		return;
	}
	p->ip_id++;
	uint64_t t = now < 0 ? 0 : (uint64_t)now;
	uint8_t rec[SIM_PCAP_REC_HDR];
	put32le(rec, (uint32_t)(t / 1000000000u)); /* 32-bit seconds: wraps after 136 virtual years */
	put32le(rec + 4, (uint32_t)(t % 1000000000u));
	put32le(rec + 8, (uint32_t)n);
	put32le(rec + 12, (uint32_t)n);
	if (fwrite(rec, 1, sizeof(rec), p->f) != sizeof(rec) || fwrite(p->pkt, 1, n, p->f) != n)
		p->io_error = 1;
}

void sim_pcap_ike(sim_pcap *p, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *msg,
		  size_t len)
{
	if (!p)
		return;
	if (!ike_host_frame_marked(from->port, to->port)) {
		sim_pcap_udp(p, now, from, to, msg, len);
		return;
	}
	size_t n = ike_host_frame_wrap(true, msg, len, p->frame, sizeof(p->frame));
	if (!n) { /* too big for one record */
		p->skipped++;
		return;
	}
	sim_pcap_udp(p, now, from, to, p->frame, n);
}
