/* IPv4/IPv6 (+ UDP) headers for the capture: exact lengths, the IPv4 header checksum, the UDP checksum. */
#include <string.h>

#include "pcap.h"

#define IP4_HDR 20
#define IP6_HDR 40
#define UDP_HDR 8
#define IP_TTL 64
#define IPPROTO_UDP_NUM 17

static void put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void sim_pcap_file_header(uint8_t out[SIM_PCAP_FILE_HDR])
{
	put32le(out, SIM_PCAP_MAGIC_NS);
	out[4] = 2; /* version 2.4, little-endian 16-bit fields */
	out[5] = 0;
	out[6] = 4;
	out[7] = 0;
	put32le(out + 8, 0);  /* thiszone */
	put32le(out + 12, 0); /* sigfigs */
	put32le(out + 16, SIM_PCAP_SNAPLEN);
	put32le(out + 20, SIM_PCAP_LINKTYPE_RAW);
}

uint32_t sim_pcap_sum(uint32_t sum, const uint8_t *buf, size_t len)
{
	size_t i = 0;
	for (; i + 1 < len; i += 2)
		sum += (uint32_t)buf[i] << 8 | buf[i + 1];
	if (i < len)
		sum += (uint32_t)buf[i] << 8; /* odd length: pad with a zero byte */
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t sim_pcap_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* UDP checksum over the pseudo-header (addresses, protocol, UDP length) and the UDP header + data. */
static void udp_checksum(uint8_t *udp, size_t udp_len, const ike_addr *from, const ike_addr *to)
{
	size_t alen = from->family == 4 ? 4 : 16;
	/* zero, protocol, length: the IPv4 layout; IPv6's 32-bit length and 24 zero bits sum the same */
	uint8_t pseudo[4] = { 0, IPPROTO_UDP_NUM, 0, 0 };
	put16be(pseudo + 2, (uint16_t)udp_len);
	uint32_t s = sim_pcap_sum(0, from->ip, alen);
	s = sim_pcap_sum(s, to->ip, alen);
	s = sim_pcap_sum(s, pseudo, sizeof(pseudo));
	s = sim_pcap_sum(s, udp, udp_len);
	uint16_t c = sim_pcap_fold(s);
	put16be(udp + 6, c ? c : 0xffff); /* 0 means "no checksum" in UDP: send all ones instead */
}

/* The IPv4 (20 bytes, DF, TTL 64) or IPv6 (40 bytes, hop limit 64) header for payload_len bytes of proto. */
static void ip_header(uint8_t *ip, uint8_t proto, const ike_addr *from, const ike_addr *to, size_t payload_len,
		      uint16_t ip_id)
{
	if (from->family == 4) {
		memset(ip, 0, IP4_HDR);
		ip[0] = 0x45; /* version 4, 5 words of header */
		put16be(ip + 2, (uint16_t)(IP4_HDR + payload_len));
		put16be(ip + 4, ip_id);
		ip[6] = 0x40; /* DF: the simulator drops what exceeds the MTU rather than fragmenting */
		ip[8] = IP_TTL;
		ip[9] = proto;
		memcpy(ip + 12, from->ip, 4);
		memcpy(ip + 16, to->ip, 4);
		put16be(ip + 10, sim_pcap_fold(sim_pcap_sum(0, ip, IP4_HDR)));
	} else {
		memset(ip, 0, IP6_HDR);
		ip[0] = 0x60;
		put16be(ip + 4, (uint16_t)payload_len);
		ip[6] = proto;
		ip[7] = IP_TTL;
		memcpy(ip + 8, from->ip, 16);
		memcpy(ip + 24, to->ip, 16);
	}
}

size_t sim_pcap_ip(uint8_t *out, size_t cap, uint8_t proto, const ike_addr *from, const ike_addr *to,
		   const uint8_t *data, size_t len, uint16_t ip_id)
{
	if (from->family != to->family || (from->family != 4 && from->family != 6) || len > SIM_PCAP_MAX_UDP)
		return 0;
	size_t ip_len = from->family == 4 ? IP4_HDR : IP6_HDR, pl_len = (proto == IPPROTO_UDP_NUM ? UDP_HDR : 0) + len;
	if (cap < ip_len + pl_len)
		return 0;
	ip_header(out, proto, from, to, pl_len, ip_id);
	uint8_t *pl = out + ip_len;
	if (proto != IPPROTO_UDP_NUM) {
		if (len)
			memcpy(pl, data, len);
		return ip_len + pl_len;
	}
	memset(pl, 0, UDP_HDR);
	put16be(pl, from->port);
	put16be(pl + 2, to->port);
	put16be(pl + 4, (uint16_t)pl_len);
	if (len)
		memcpy(pl + UDP_HDR, data, len);
	udp_checksum(pl, pl_len, from, to);
	return ip_len + pl_len;
}

size_t sim_pcap_ip_udp(uint8_t *out, size_t cap, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		       size_t len, uint16_t ip_id)
{
	return sim_pcap_ip(out, cap, IPPROTO_UDP_NUM, from, to, data, len, ip_id);
}
