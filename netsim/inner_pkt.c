/* Building and parsing the hosts' inner packets: RFC 791/8200 headers, RFC 792/4443 echo, RFC 768 UDP, RFC 9293 TCP. */
#include "inner_pkt.h"

#include <string.h>

#include "esp/ip.h"
#include "host/icmp.h"
#include "pcap.h" /* sim_pcap_sum / sim_pcap_fold: the Internet checksum */

static const uint8_t MAGIC[4] = { 'i', 'k', 's', 'f' }; /* lower case: "IK" reads as an ISO CLTP header to Wireshark's heuristics */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

static uint8_t proto_of(uint8_t kind, uint8_t family)
{
	if (kind == SIM_IN_UDP)
		return ESP_IPPROTO_UDP;
	if (kind == SIM_IN_TCP)
		return ESP_IPPROTO_TCP;
	return family == 6 ? ESP_IPPROTO_ICMPV6 : ESP_IPPROTO_ICMP;
}

static size_t l4_hdr(uint8_t kind) { return kind == SIM_IN_TCP ? 20 : 8; }

/* The pseudo-header sum (RFC 768, RFC 9293 3.1, RFC 8200 8.1); ICMPv4 has none. */
static uint32_t pseudo(const uint8_t *src, const uint8_t *dst, uint8_t family, uint8_t proto, size_t l4_len)
{
	size_t alen = family == 6 ? 16 : 4;
	uint8_t tail[8] = { 0 };
	put32(tail, (uint32_t)l4_len);
	tail[7] = proto;
	uint32_t s = sim_pcap_sum(0, src, alen);
	s = sim_pcap_sum(s, dst, alen);
	return sim_pcap_sum(s, tail, sizeof(tail));
}

static size_t csum_at(uint8_t kind) { return kind == SIM_IN_TCP ? 16 : kind == SIM_IN_UDP ? 6 : 2; }

/* The L4 header of each kind, checksum field zero. */
static void l4_build(const sim_inner *p, uint8_t *l4, size_t l4_len)
{
	if (p->kind == SIM_IN_UDP) {
		put16(l4, p->src.port);
		put16(l4 + 2, p->dst.port);
		put16(l4 + 4, (uint16_t)l4_len);
	} else if (p->kind == SIM_IN_TCP) {
		put16(l4, p->src.port);
		put16(l4 + 2, p->dst.port);
		put32(l4 + 4, p->tcp_seq);
		put32(l4 + 8, p->tcp_ack);
		l4[12] = 5 << 4;   /* data offset: 20 bytes, no options */
		l4[13] = 0x18;     /* PSH | ACK */
		put16(l4 + 14, 65535);
	}
}

/* The tag and fill bytes of a packet's payload, n bytes after its l4h-byte L4 header. */
static void payload(const sim_inner *p, uint8_t *tag, size_t n, size_t l4h)
{
	memcpy(tag, MAGIC, 4);
	put32(tag + 4, p->flow);
	put32(tag + 8, p->seq);
	tag[12] = p->reply;
	tag[13] = tag[14] = tag[15] = 0;
	put32(tag + 16, (uint32_t)((uint64_t)p->sent >> 32));
	put32(tag + 20, (uint32_t)p->sent);
	for (size_t i = SIM_TAG_LEN; i < n; i++)
		tag[i] = (uint8_t)(p->seq + l4h + i); /* the fill counts from the L4 header's start */
}

/* Echo request/reply: the payload in place, then engine/host's builder puts both headers around it. */
static size_t echo_build(const sim_inner *p, size_t len, uint8_t *out, size_t cap)
{
	size_t iph = p->src.family == 6 ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN;
	uint8_t *data = out + iph + IKE_HOST_ICMP_HDR_LEN;
	payload(p, data, len - iph - IKE_HOST_ICMP_HDR_LEN, IKE_HOST_ICMP_HDR_LEN);
	ike_host_echo e = { .family = p->src.family, .reply = p->kind == SIM_IN_ECHO_REPLY, .df = true,
			    .ip_id = (uint16_t)p->seq, .ident = p->echo_id, .seq = (uint16_t)p->seq, .data = data,
			    .data_len = len - iph - IKE_HOST_ICMP_HDR_LEN };
	memcpy(e.src, p->src.ip, 16);
	memcpy(e.dst, p->dst.ip, 16);
	return ike_host_echo_build(&e, out, cap) == len ? len : 0;
}

size_t sim_inner_build(const sim_inner *p, size_t len, uint8_t *out, size_t cap)
{
	uint8_t fam = p->src.family, proto = proto_of(p->kind, fam);
	size_t iph = fam == 6 ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN, l4h = l4_hdr(p->kind);
	if (len < iph + l4h + SIM_TAG_LEN || len > cap || len > 65535)
		return 0;
	if (p->kind == SIM_IN_ECHO_REQ || p->kind == SIM_IN_ECHO_REPLY)
		return echo_build(p, len, out, cap);
	size_t l4_len = len - iph;
	esp_ip h = { .family = fam, .proto = proto, .ttl = 64, .id = (uint16_t)p->seq, .frag = 0x4000 };
	memcpy(h.src, p->src.ip, 16);
	memcpy(h.dst, p->dst.ip, 16);
	if (esp_ip_build(&h, l4_len, out, cap) != iph)
		return 0;
	uint8_t *l4 = out + iph, *tag = l4 + l4h;
	memset(l4, 0, l4h);
	l4_build(p, l4, l4_len);
	payload(p, tag, l4_len - l4h, l4h);
	uint32_t s = pseudo(p->src.ip, p->dst.ip, fam, proto, l4_len);
	uint16_t c = sim_pcap_fold(sim_pcap_sum(s, l4, l4_len));
	put16(l4 + csum_at(p->kind), c == 0 && p->kind == SIM_IN_UDP ? 0xffff : c);
	return len;
}

/* Which kind an IP protocol and ICMP type stand for; -1 for anything a flow never sends. */
static int kind_of(uint8_t proto, const uint8_t *l4)
{
	if (proto == ESP_IPPROTO_UDP)
		return SIM_IN_UDP;
	if (proto == ESP_IPPROTO_TCP)
		return SIM_IN_TCP;
	if (proto == ESP_IPPROTO_ICMP)
		return l4[0] == 8 ? SIM_IN_ECHO_REQ : l4[0] == 0 ? SIM_IN_ECHO_REPLY : -1;
	if (proto == ESP_IPPROTO_ICMPV6)
		return l4[0] == 128 ? SIM_IN_ECHO_REQ : l4[0] == 129 ? SIM_IN_ECHO_REPLY : -1;
	return -1;
}

int sim_inner_parse(const uint8_t *pkt, size_t len, sim_inner *p, const char **why)
{
	esp_ip h;
	*why = "malformed IP header";
	if (esp_ip_parse(pkt, len, &h) != ESP_OK || h.total_len != len)
		return -1;
	*why = "IPv4 header checksum";
	if (h.family == 4 && sim_pcap_fold(sim_pcap_sum(0, pkt, h.hdr_len)) != 0)
		return -1;
	const uint8_t *l4 = pkt + h.hdr_len;
	size_t l4_len = len - h.hdr_len;
	*why = "not a flow packet";
	int k = l4_len >= 8 ? kind_of(h.proto, l4) : -1;
	if (k < 0 || l4_len < l4_hdr((uint8_t)k) + SIM_TAG_LEN)
		return -1;
	memset(p, 0, sizeof(*p));
	p->kind = (uint8_t)k;
	p->src.family = p->dst.family = h.family;
	memcpy(p->src.ip, h.src, 16);
	memcpy(p->dst.ip, h.dst, 16);
	if (k == SIM_IN_ECHO_REQ || k == SIM_IN_ECHO_REPLY) { /* engine/host's echo parser: code, fragment, checksum */
		ike_host_echo e;
		const char *ew;
		if (ike_host_echo_parse(pkt, len, &e, &ew) != 0) {
			*why = strcmp(ew, "ICMP checksum") == 0 ? "L4 checksum" : "not a flow packet";
			return -1;
		}
		p->echo_id = e.ident;
	} else {
		uint32_t s = pseudo(h.src, h.dst, h.family, h.proto, l4_len);
		*why = "L4 checksum";
		if (sim_pcap_fold(sim_pcap_sum(s, l4, l4_len)) != 0 && !(k == SIM_IN_UDP && get16(l4 + 6) == 0 && h.family == 4))
			return -1;
		p->src.port = get16(l4);
		p->dst.port = get16(l4 + 2);
		if (k == SIM_IN_TCP) {
			p->tcp_seq = get32(l4 + 4);
			p->tcp_ack = get32(l4 + 8);
		}
	}
	const uint8_t *tag = l4 + l4_hdr((uint8_t)k);
	*why = "not a flow packet";
	if (memcmp(tag, MAGIC, 4) != 0)
		return -1;
	p->flow = get32(tag + 4);
	p->seq = get32(tag + 8);
	p->reply = tag[12];
	p->sent = (int64_t)((uint64_t)get32(tag + 16) << 32 | get32(tag + 20));
	*why = NULL;
	return 0;
}
