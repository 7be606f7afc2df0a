/*
 * Capture of a run as a classic pcap file (nanosecond timestamps, LINKTYPE_RAW: each record is an
 * IPv4 or IPv6 packet). One record per datagram, with IP and UDP headers built here (lengths and
 * checksums computed), timestamps from virtual time, so the same seed gives the same bytes.
 */
#ifndef SIM_PCAP_H
#define SIM_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"

#define SIM_PCAP_LINKTYPE_RAW 101  /* raw IP; the version nibble tells IPv4 from IPv6 */
#define SIM_PCAP_MAGIC_NS 0xa1b23c4du /* classic pcap with nanosecond timestamps */
#define SIM_PCAP_SNAPLEN 65535u
#define SIM_PCAP_FILE_HDR 24
#define SIM_PCAP_REC_HDR 16
#define SIM_PCAP_MAX_UDP 65000u    /* largest UDP payload we write (fits an IPv4 total length) */

typedef struct sim_pcap sim_pcap;

/* Creates path atomically (temp file + rename at sim_pcap_close(.., 1)); NULL with one line in err. */
sim_pcap *sim_pcap_open(const char *path, char *err, size_t errlen);
/* Writes the tail, frees; commit=1 puts the file in place, 0 removes it. 0, or -1 on a write error. */
int sim_pcap_close(sim_pcap *p, int commit);

/* One IKE message as it crosses the wire: prefixed by the non-ESP marker where RFC 3948 framing applies. */
void sim_pcap_ike(sim_pcap *p, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *msg,
		  size_t len);
/* One UDP datagram with the payload exactly as given (ESP-in-UDP, keepalives and marked IKE later). */
void sim_pcap_udp(sim_pcap *p, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		  size_t len);
/* Records skipped (mixed address families, oversized payload); they are not in the file. */
uint64_t sim_pcap_skipped(const sim_pcap *p);

/* ---- pure helpers (pcap_ip.c), exposed for tests ---- */

/* The 24-byte file header, little-endian. */
void sim_pcap_file_header(uint8_t out[SIM_PCAP_FILE_HDR]);
/*
 * Builds an IP+UDP packet carrying data into out; returns its length, or 0 if it does not fit cap,
 * the families differ or are unknown. ip_id goes into the IPv4 Identification field.
 */
size_t sim_pcap_ip_udp(uint8_t *out, size_t cap, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		       size_t len, uint16_t ip_id);
/* The Internet checksum (RFC 1071) of buf, continuing from a partial sum. */
uint32_t sim_pcap_sum(uint32_t sum, const uint8_t *buf, size_t len);
uint16_t sim_pcap_fold(uint32_t sum);

#endif
