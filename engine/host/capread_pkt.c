/*
 * One captured frame to an IKE datagram: link layer (Ethernet + VLAN tags, raw IP, Linux cooked v1/v2, BSD
 * loopback), IPv4 or IPv6 (extension headers skipped), UDP on port 500 or 4500 (RFC 3948: the non-ESP
 * marker is removed; ESP and NAT-keepalives are skipped). Cut packets are reported, not guessed at.
 */
#include <string.h>

#include "host/capread.h"

#define LT_NULL 0
#define LT_EN10MB 1
#define LT_RAW 101
#define LT_LOOP 108
#define LT_SLL 113
#define LT_IPV4 228
#define LT_IPV6 229
#define LT_SLL2 276
#define ET_IPV4 0x0800
#define ET_IPV6 0x86dd
#define ET_VLAN 0x8100
#define ET_QINQ 0x88a8
#define PORT_IKE 500
#define PORT_NATT 4500

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Network-layer protocol of a link header: 4, 6, or 0 (not IP); *skip = the header's length. */
static int link_ip(uint32_t lt, const uint8_t *p, size_t len, size_t *skip)
{
	uint16_t et;
	switch (lt) {
	case LT_RAW: *skip = 0; return len ? p[0] >> 4 : 0;
	case LT_IPV4: *skip = 0; return 4;
	case LT_IPV6: *skip = 0; return 6;
	case LT_EN10MB: {
		size_t at = 12;
		if (len < 14)
			return 0;
		et = be16(p + at);
		while ((et == ET_VLAN || et == ET_QINQ) && len >= at + 6) { /* 802.1Q / 802.1ad tags */
			at += 4;
			et = be16(p + at);
		}
		*skip = at + 2;
		break;
	}
	case LT_SLL: /* Linux cooked v1: protocol in the last two of 16 bytes */
		if (len < 16)
			return 0;
		et = be16(p + 14), *skip = 16;
		break;
	case LT_SLL2: /* v2: protocol first, 20 bytes */
		if (len < 20)
			return 0;
		et = be16(p), *skip = 20;
		break;
	case LT_NULL:
	case LT_LOOP: { /* 4-byte address family: host order (NULL) or network order (LOOP) */
		if (len < 4)
			return 0;
		uint32_t af = lt == LT_LOOP ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
					    : (p[0] || p[1] ? (uint32_t)p[0] | (uint32_t)p[1] << 8 : (uint32_t)p[3] | (uint32_t)p[2] << 8);
		*skip = 4;
		return af == 2 ? 4 : (af == 24 || af == 28 || af == 30) ? 6 : 0; /* AF_INET; AF_INET6 of BSDs, macOS */
	}
	default: return -1;
	}
	return et == ET_IPV4 ? 4 : et == ET_IPV6 ? 6 : 0;
}

/* The IP header: fills addresses, returns the UDP header's offset in p or 0 (not UDP, fragment: counted). */
static size_t ip_udp(ike_cap_reader *r, int ver, const uint8_t *p, size_t len, size_t *ip_end, ike_cap_dgram *d)
{
	if (ver == 4) {
		size_t ihl = len ? (size_t)(p[0] & 15) * 4 : 0;
		if (len < 20 || (p[0] >> 4) != 4 || ihl < 20 || ihl > len) {
			r->n_not_ip++;
			return 0;
		}
		uint16_t frag = be16(p + 6);
		if (p[9] != 17) {
			r->n_not_udp++;
			return 0;
		}
		if (frag & 0x3fff) { /* MF set or an offset: a fragment, not reassembled here */
			r->n_fragment++;
			return 0;
		}
		d->src.family = d->dst.family = 4;
		memcpy(d->src.ip, p + 12, 4);
		memcpy(d->dst.ip, p + 16, 4);
		size_t tot = be16(p + 2);
		*ip_end = tot >= ihl ? tot : len; /* TSO captures write 0: take what is there */
		return ihl;
	}
	if (len < 40 || (p[0] >> 4) != 6) {
		r->n_not_ip++;
		return 0;
	}
	d->src.family = d->dst.family = 6;
	memcpy(d->src.ip, p + 8, 16);
	memcpy(d->dst.ip, p + 24, 16);
	*ip_end = 40 + (size_t)be16(p + 4);
	uint8_t nh = p[6];
	size_t at = 40;
	for (int hops = 0; hops < 8; hops++) {
		if (nh == 17)
			return at;
		if (nh == 44) {
			r->n_fragment++;
			return 0;
		}
		if ((nh != 0 && nh != 43 && nh != 60) || len < at + 8) { /* hop-by-hop, routing, destination options */
			r->n_not_udp++;
			return 0;
		}
		nh = p[at];
		at += 8 + (size_t)p[at + 1] * 8;
	}
	r->n_not_udp++;
	return 0;
}

int ike_cap_frame(ike_cap_reader *r, uint32_t linktype, const uint8_t *p, size_t caplen, size_t origlen,
		  ike_cap_dgram *d)
{
	memset(d, 0, sizeof(*d));
	d->frame = r->frame;
	size_t skip = 0, ip_end = 0;
	int ver = link_ip(linktype, p, caplen, &skip);
	if (ver < 0) {
		r->n_bad_link++;
		return 0;
	}
	if ((ver != 4 && ver != 6) || skip > caplen) {
		r->n_not_ip++;
		return 0;
	}
	p += skip, caplen -= skip;
	origlen = origlen >= skip ? origlen - skip : 0;
	size_t u = ip_udp(r, ver, p, caplen, &ip_end, d);
	if (!u)
		return 0;
	if (caplen < u + 4) { /* cut before the ports: nothing tells it was IKE */
		r->n_not_udp++;
		return 0;
	}
	d->src.port = be16(p + u);
	d->dst.port = be16(p + u + 2);
	bool natt = d->src.port == PORT_NATT || d->dst.port == PORT_NATT;
	if (!natt && d->src.port != PORT_IKE && d->dst.port != PORT_IKE) {
		r->n_other_port++;
		return 0;
	}
	size_t ulen = caplen >= u + 8 ? be16(p + u + 4) : 0, have = caplen > u + 8 ? caplen - u - 8 : 0;
	size_t want = ulen >= 8 ? ulen - 8 : (ip_end > u + 8 ? ip_end - u - 8 : have);
	const uint8_t *data = p + u + 8;
	if (natt && !(d->src.port == PORT_IKE || d->dst.port == PORT_IKE)) {
		if (want == 1 && (have == 0 || data[0] == 0xff)) { /* NAT-keepalive (RFC 3948 2.3) */
			r->n_keepalive++;
			return 0;
		}
		if (have >= 4 && memcmp(data, "\0\0\0\0", 4)) { /* an SPI: ESP in UDP */
			r->n_esp++;
			return 0;
		}
		data += have >= 4 ? 4 : have;
		have = have >= 4 ? have - 4 : 0;
		want = want >= 4 ? want - 4 : 0;
	}
	d->ike = data;
	d->len = have < want ? have : want;
	d->want = want;
	d->cut = have < want ? IKE_CAP_TRUNCATED : IKE_CAP_WHOLE;
	return 1;
}
