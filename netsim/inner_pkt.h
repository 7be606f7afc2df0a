/*
 * Inner packets of the simulated hosts' flows, built and parsed for real: IPv4/IPv6 headers (esp/ip.h),
 * ICMP/ICMPv6 echo, UDP and TCP segments with their checksums, and a 24-byte tag at the start of the
 * payload that names the flow, the packet and when it was sent (what the receiving host measures with).
 */
#ifndef SIM_INNER_PKT_H
#define SIM_INNER_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

#define SIM_TAG_LEN 24

enum sim_inner_kind { SIM_IN_ECHO_REQ, SIM_IN_ECHO_REPLY, SIM_IN_UDP, SIM_IN_TCP };

/* What a packet says; built from it and parsed back into it. */
typedef struct sim_inner {
	uint8_t kind;          /* enum sim_inner_kind */
	ike_addr src, dst;     /* addresses (and ports for UDP/TCP) */
	uint32_t flow, seq;    /* the tag: which flow, which packet of it */
	uint8_t reply;         /* the tag: 1 for the answer to a request (ping reply, reqresp response) */
	int64_t sent;          /* the tag: virtual time the first byte left the host */
	uint16_t echo_id;      /* ICMP identifier */
	uint32_t tcp_seq, tcp_ack; /* TCP sequence and acknowledgment numbers */
} sim_inner;

/* Builds the packet of total length len (IP header included) into out; len, or 0 if too small or cap short. */
size_t sim_inner_build(const sim_inner *p, size_t len, uint8_t *out, size_t cap);

/* Parses a packet: header fields, checksums (IPv4 header and L4), and the tag. 0, or -1 with *why set. */
int sim_inner_parse(const uint8_t *pkt, size_t len, sim_inner *p, const char **why);

#endif
