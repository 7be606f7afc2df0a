/*
 * Reading captures for `ikesim crack`: classic pcap (either byte order, micro- or nanosecond) and pcapng
 * (sections of either byte order, several interfaces), from a memory image. Link types: Ethernet (with
 * 802.1Q/802.1ad tags), raw IP (101, 228, 229), Linux cooked v1 (113) and v2 (276), BSD loopback (0, 108).
 * Each packet that is UDP to or from port 500 or 4500 (after the RFC 3948 non-ESP marker) over IPv4 or
 * IPv6 comes out as one datagram; everything else is counted and skipped. Bounded: no read past the image.
 */
#ifndef IKE_HOST_CAPREAD_H
#define IKE_HOST_CAPREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"

#define IKE_CAP_MAX_IFACES 64

typedef struct ike_cap_reader {
	const uint8_t *buf;
	size_t len, off;
	bool ng;      /* pcapng, else classic pcap */
	bool swap;    /* file (or current section) written big-endian */
	uint32_t linktype;               /* classic pcap */
	uint16_t nif;                    /* pcapng interfaces of the current section */
	uint16_t if_link[IKE_CAP_MAX_IFACES];
	uint32_t frame;                  /* packets seen so far: Wireshark's frame numbers */
	/* counts of what was skipped, for the "nothing found" message */
	uint32_t n_not_ip, n_not_udp, n_other_port, n_esp, n_keepalive, n_fragment, n_bad_link;
} ike_cap_reader;

/* Why a datagram cannot be used as it stands. */
enum ike_cap_cut { IKE_CAP_WHOLE = 0, IKE_CAP_TRUNCATED = 1 };

typedef struct ike_cap_dgram {
	uint32_t frame;      /* 1-based */
	ike_addr src, dst;
	const uint8_t *ike;  /* the IKE message: after the non-ESP marker on 4500 */
	size_t len;          /* bytes present */
	size_t want;         /* bytes the UDP header announced (after the marker): > len when cut */
	int cut;             /* IKE_CAP_TRUNCATED: the capture holds fewer bytes than the datagram had */
} ike_cap_dgram;

/* Checks the file header; 0, or -1 with one line in err ("not a pcap or pcapng file (magic 0x...)"). */
int ike_cap_open(ike_cap_reader *r, const uint8_t *buf, size_t len, char *err, size_t errlen);

/* The next IKE datagram: 1, 0 at the end, -1 (err set, naming the frame and offset) on a broken file. */
int ike_cap_next(ike_cap_reader *r, ike_cap_dgram *d, char *err, size_t errlen);

/* One link-layer frame of the given link type to an IKE datagram: 1 IKE, 0 skipped (counted in r). */
int ike_cap_frame(ike_cap_reader *r, uint32_t linktype, const uint8_t *p, size_t caplen, size_t origlen,
		  ike_cap_dgram *d);

#endif
