/* Outer IPv4/IPv6 headers, RFC 3948 UDP headers and inner 5-tuples: bounded builders and parsers. */
#include <string.h>

#include "common/buf.h"
#include "esp/ip.h"

uint16_t esp_ipv4_checksum(const uint8_t *hdr, size_t hdr_len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < hdr_len; i += 2)
		if (i != 10) /* the checksum field itself counts as zero */
			sum += (uint32_t)hdr[i] << 8 | hdr[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t esp_ip_build(const esp_ip *h, size_t payload_len, uint8_t *out, size_t cap)
{
	uint8_t ttl = h->ttl ? h->ttl : 64;
	if (h->family == 4) {
		if (cap < ESP_IPV4_HDR_LEN || payload_len > 65535 - ESP_IPV4_HDR_LEN)
			return 0;
		out[0] = 0x45;
		out[1] = h->tos;
		ike_put_u16(out + 2, (uint16_t)(ESP_IPV4_HDR_LEN + payload_len));
		ike_put_u16(out + 4, h->id);
		ike_put_u16(out + 6, h->frag);
		out[8] = ttl;
		out[9] = h->proto;
		memcpy(out + 12, h->src, 4);
		memcpy(out + 16, h->dst, 4);
		ike_put_u16(out + 10, esp_ipv4_checksum(out, ESP_IPV4_HDR_LEN));
		return ESP_IPV4_HDR_LEN;
	}
	if (h->family != 6 || cap < ESP_IPV6_HDR_LEN || payload_len > 65535)
		return 0;
	ike_put_u32(out, 6u << 28 | (uint32_t)h->tos << 20 | (h->flow & 0xfffff));
	ike_put_u16(out + 4, (uint16_t)payload_len);
	out[6] = h->proto;
	out[7] = ttl;
	memcpy(out + 8, h->src, 16);
	memcpy(out + 24, h->dst, 16);
	return ESP_IPV6_HDR_LEN;
}

esp_status esp_ip_parse(const uint8_t *p, size_t len, esp_ip *h)
{
	memset(h, 0, sizeof(*h));
	if (!p || len < 1)
		return ESP_E_SHORT;
	uint8_t v = p[0] >> 4;
	if (v == 4) {
		size_t ihl = (size_t)(p[0] & 15) * 4;
		if (len < ESP_IPV4_HDR_LEN || ihl < ESP_IPV4_HDR_LEN || ihl > len)
			return ESP_E_SHORT;
		uint16_t total = ike_get_u16(p + 2);
		if (total < ihl || total > len)
			return ESP_E_SHORT;
		h->family = 4;
		h->tos = p[1];
		h->id = ike_get_u16(p + 4);
		h->frag = ike_get_u16(p + 6);
		h->ttl = p[8];
		h->proto = p[9];
		memcpy(h->src, p + 12, 4);
		memcpy(h->dst, p + 16, 4);
		h->hdr_len = (uint16_t)ihl;
		h->total_len = total;
		return ESP_OK;
	}
	if (v != 6 || len < ESP_IPV6_HDR_LEN)
		return ESP_E_SHORT;
	uint32_t w = ike_get_u32(p);
	size_t total = ESP_IPV6_HDR_LEN + (size_t)ike_get_u16(p + 4);
	if (total > len)
		return ESP_E_SHORT;
	h->family = 6;
	h->tos = (uint8_t)(w >> 20);
	h->flow = w & 0xfffff;
	h->proto = p[6];
	h->ttl = p[7];
	memcpy(h->src, p + 8, 16);
	memcpy(h->dst, p + 24, 16);
	h->hdr_len = ESP_IPV6_HDR_LEN;
	h->total_len = (uint32_t)total;
	return ESP_OK;
}

size_t esp_udp_build(uint16_t sport, uint16_t dport, size_t payload_len, uint8_t *out, size_t cap)
{
	if (cap < ESP_UDP_HDR_LEN || payload_len > 65535 - ESP_UDP_HDR_LEN)
		return 0;
	ike_put_u16(out, sport);
	ike_put_u16(out + 2, dport);
	ike_put_u16(out + 4, (uint16_t)(ESP_UDP_HDR_LEN + payload_len));
	ike_put_u16(out + 6, 0); /* RFC 3948 2.1: the checksum SHOULD be zero for ESP-in-UDP */
	return ESP_UDP_HDR_LEN;
}

esp_status esp_udp_parse(const uint8_t *p, size_t len, uint16_t *sport, uint16_t *dport, size_t *payload_len)
{
	if (!p || len < ESP_UDP_HDR_LEN)
		return ESP_E_SHORT;
	size_t ulen = ike_get_u16(p + 4);
	if (ulen < ESP_UDP_HDR_LEN || ulen > len)
		return ESP_E_SHORT;
	if (sport)
		*sport = ike_get_u16(p);
	if (dport)
		*dport = ike_get_u16(p + 2);
	if (payload_len)
		*payload_len = ulen - ESP_UDP_HDR_LEN;
	return ESP_OK;
}

/* Ports of the upper-layer header at l4 (len bytes); ICMP type/code as one 16-bit value in both. */
static void ports_of(esp_flow *f, const uint8_t *l4, size_t len)
{
	if ((f->proto == ESP_IPPROTO_TCP || f->proto == ESP_IPPROTO_UDP || f->proto == 132) && len >= 4) {
		f->sport = ike_get_u16(l4);
		f->dport = ike_get_u16(l4 + 2);
	} else if ((f->proto == ESP_IPPROTO_ICMP || f->proto == ESP_IPPROTO_ICMPV6) && len >= 2) {
		f->sport = f->dport = ike_get_u16(l4);
	}
}

esp_status esp_flow_of(const uint8_t *pkt, size_t len, esp_flow *f)
{
	memset(f, 0, sizeof(*f));
	esp_ip ip;
	esp_status st = esp_ip_parse(pkt, len, &ip);
	if (st != ESP_OK)
		return st;
	f->family = ip.family;
	f->proto = ip.proto;
	memcpy(f->src, ip.src, 16);
	memcpy(f->dst, ip.dst, 16);
	/* A non-first IPv4 fragment has no ports (RFC 4301 7: selectors match OPAQUE/ANY only). */
	if (ip.family == 4 && (ip.frag & 0x1fff))
		return ESP_OK;
	ports_of(f, pkt + ip.hdr_len, ip.total_len - ip.hdr_len);
	return ESP_OK;
}
