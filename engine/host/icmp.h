/*
 * ICMP and ICMPv6 echo (RFC 792, RFC 4443 4.1-4.2) inside a fixed IPv4/IPv6 header: one builder and one parser
 * for every host that pings through a tunnel (the simulator's ping flows, `ikesim peer --ping`).
 */
#ifndef IKE_HOST_ICMP_H
#define IKE_HOST_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_HOST_ICMP_HDR_LEN 8 /* type, code, checksum, identifier, sequence number */

/* One echo request or reply and the IP header around it. */
typedef struct ike_host_echo {
	uint8_t family;           /* 4 or 6 */
	bool reply;               /* echo reply (type 0 / 129), else request (8 / 128) */
	bool df;                  /* build: IPv4 Don't Fragment */
	uint16_t ip_id;           /* build: IPv4 identification */
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint16_t ident, seq;
	const uint8_t *data;      /* the echo data; parse: points into the packet */
	size_t data_len;
} ike_host_echo;

/*
 * Writes IP header | echo header | data into out with both checksums (ICMPv6's over its pseudo-header, RFC 4443
 * 2.3); data may already lie where it goes (out + IP header + 8: it is moved, not copied over itself).
 * The packet's length, or 0 if cap is short or the packet would exceed 65535 bytes.
 */
size_t ike_host_echo_build(const ike_host_echo *e, uint8_t *out, size_t cap);

/*
 * Reads an echo request or reply: the IP header must be whole and fill len, IPv4 unfragmented with a good header
 * checksum, the protocol ICMP (IPv4) or ICMPv6 (IPv6), code 0 and a good ICMP checksum. 0 with e filled, or -1
 * with *why: "malformed IP header", "IPv4 header checksum", "not ICMP echo", "ICMP checksum".
 */
int ike_host_echo_parse(const uint8_t *pkt, size_t len, ike_host_echo *e, const char **why);

/* The ICMP checksum of len bytes at icmp (its checksum field included: 0 over a good message). */
uint16_t ike_host_icmp_sum(uint8_t family, const uint8_t *src, const uint8_t *dst, const uint8_t *icmp, size_t len);

#endif
