/*
 * Captures as pcapng (the default: one interface per link end, packet comments) or classic pcap
 * (nanosecond timestamps). Both use LINKTYPE_RAW: each record is an IPv4 or IPv6 packet with its
 * headers built here (lengths and checksums computed) and a timestamp from virtual (or real) time,
 * so the same seed gives the same bytes.
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
#define SIM_PCAP_MAX_UDP 65000u    /* largest UDP (or other IP) payload we write (fits an IPv4 total length) */
#define SIM_PCAP_COMMENT_MAX 1000u /* longer packet comments are cut here */

#define SIM_IPPROTO_UDP 17
#define SIM_IPPROTO_ESP 50
#define SIM_IPPROTO_AH 51

enum sim_pcap_format { SIM_PCAP_PCAPNG = 0, SIM_PCAP_CLASSIC = 1 };

typedef struct sim_pcap sim_pcap;

/* Creates path atomically (temp file + rename at sim_pcap_close(.., 1)); NULL with one line in err. */
sim_pcap *sim_pcap_open(const char *path, int format, char *err, size_t errlen);
/* Writes the tail, frees; commit=1 puts the file in place, 0 removes it. 0, or -1 on a write error. */
int sim_pcap_close(sim_pcap *p, int commit);
int sim_pcap_format_of(const sim_pcap *p);

/*
 * Declares an interface (pcapng: an Interface Description Block with if_name, if_description when not
 * NULL, nanosecond if_tsresol); returns its id, 0, 1, ... in call order. Declare every interface before
 * the packets on it. Classic pcap has no interfaces: the ids are handed out and otherwise ignored.
 */
uint32_t sim_pcap_iface(sim_pcap *p, const char *name, const char *descr);

/*
 * One IP packet from -> to captured on interface iface at time now (ns). proto SIM_IPPROTO_UDP wraps data
 * in a UDP header made from the ports; any other protocol (SIM_IPPROTO_ESP: data = the ESP packet from its
 * SPI on) is the IP payload as is, ports ignored. comment (NULL = none) becomes the pcapng packet comment
 * (Wireshark's frame.comment): why a packet was dropped or impaired. Classic pcap cannot hold comments.
 */
void sim_pcap_packet(sim_pcap *p, uint32_t iface, int64_t now, uint8_t proto, const ike_addr *from,
		     const ike_addr *to, const uint8_t *data, size_t len, const char *comment);
/* One UDP datagram with the payload exactly as given (ESP-in-UDP on 4500, keepalives). */
void sim_pcap_udp(sim_pcap *p, uint32_t iface, int64_t now, const ike_addr *from, const ike_addr *to,
		  const uint8_t *data, size_t len, const char *comment);
/* One bare IKE message: prefixed by the non-ESP marker where RFC 3948 framing applies (neither port 500). */
void sim_pcap_ike(sim_pcap *p, uint32_t iface, int64_t now, const ike_addr *from, const ike_addr *to,
		  const uint8_t *msg, size_t len, const char *comment);
/* Records skipped (mixed address families, oversized payload); they are not in the file. */
uint64_t sim_pcap_skipped(const sim_pcap *p);

/* ---- pure helpers (pcap_ip.c, pcapng.c), exposed for tests ---- */

/* The 24-byte classic file header, little-endian. */
void sim_pcap_file_header(uint8_t out[SIM_PCAP_FILE_HDR]);
/*
 * Builds an IP packet of protocol proto carrying data (UDP: behind a UDP header) into out; returns its
 * length, or 0 if it does not fit cap, the families differ or are unknown. ip_id: IPv4 Identification.
 */
size_t sim_pcap_ip(uint8_t *out, size_t cap, uint8_t proto, const ike_addr *from, const ike_addr *to,
		   const uint8_t *data, size_t len, uint16_t ip_id);
/* sim_pcap_ip with proto UDP. */
size_t sim_pcap_ip_udp(uint8_t *out, size_t cap, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		       size_t len, uint16_t ip_id);
/* The Internet checksum (RFC 1071) of buf, continuing from a partial sum. */
uint32_t sim_pcap_sum(uint32_t sum, const uint8_t *buf, size_t len);
uint16_t sim_pcap_fold(uint32_t sum);

/* pcapng blocks, little-endian (pcapng.c). Each returns the block's length, 0 if cap is too small. */
size_t sim_pcapng_shb(uint8_t *out, size_t cap);
size_t sim_pcapng_idb(uint8_t *out, size_t cap, const char *name, const char *descr);
/* An Enhanced Packet Block's fixed part (28 bytes) and its tail after the padded packet data (options, length). */
#define SIM_PCAPNG_EPB_HEAD 28
size_t sim_pcapng_epb_len(size_t pkt_len, const char *comment);
void sim_pcapng_epb_head(uint8_t out[SIM_PCAPNG_EPB_HEAD], uint32_t iface, uint64_t ts_ns, size_t pkt_len,
			 const char *comment);
size_t sim_pcapng_epb_tail(uint8_t *out, size_t cap, size_t pkt_len, const char *comment);

#endif
