/* ICMP/ICMPv6 echo in an IP packet, built and checked for real (RFC 792, RFC 4443, RFC 1071 checksums). */
#include "host/icmp.h"

#include <string.h>

#include "esp/ip.h"

enum { ECHO_REPLY = 0, ECHO = 8, ECHO6 = 128, ECHO6_REPLY = 129 };

/* RFC 1071 one's complement sum over len bytes, added to sum. */
static uint32_t sum16(uint32_t sum, const uint8_t *d, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(d[i] << 8 | d[i + 1]);
	if (len & 1)
		sum += (uint32_t)(d[len - 1] << 8);
	return sum;
}

uint16_t ike_host_icmp_sum(uint8_t family, const uint8_t *src, const uint8_t *dst, const uint8_t *icmp, size_t len)
{
	uint32_t s = 0;
	if (family == 6) { /* ICMPv6 covers addresses, length and next header (RFC 4443 2.3, RFC 8200 8.1) */
		uint8_t ph[8] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, 0, 0, 0,
				  ESP_IPPROTO_ICMPV6 };
		s = sum16(sum16(sum16(0, src, 16), dst, 16), ph, sizeof(ph));
	}
	s = sum16(s, icmp, len);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

size_t ike_host_echo_build(const ike_host_echo *e, uint8_t *out, size_t cap)
{
	bool v6 = e->family == 6;
	size_t hl = v6 ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN, ml = IKE_HOST_ICMP_HDR_LEN + e->data_len;
	if ((e->family != 4 && !v6) || e->data_len > 65535 || hl + ml > cap || hl + ml > 65535 || (e->data_len && !e->data))
		return 0;
	esp_ip h = { .family = e->family, .proto = v6 ? ESP_IPPROTO_ICMPV6 : ESP_IPPROTO_ICMP, .ttl = 64, .id = e->ip_id,
		     .frag = e->df ? 0x4000 : 0 };
	memcpy(h.src, e->src, 16);
	memcpy(h.dst, e->dst, 16);
	uint8_t *m = out + hl;
	if (e->data_len)
		memmove(m + IKE_HOST_ICMP_HDR_LEN, e->data, e->data_len); /* before the headers: data may overlap them */
	if (esp_ip_build(&h, ml, out, cap) != hl)
		return 0;
	m[0] = e->reply ? (v6 ? ECHO6_REPLY : ECHO_REPLY) : (v6 ? ECHO6 : ECHO);
	m[1] = 0;
	m[2] = m[3] = 0;
	m[4] = (uint8_t)(e->ident >> 8);
	m[5] = (uint8_t)e->ident;
	m[6] = (uint8_t)(e->seq >> 8);
	m[7] = (uint8_t)e->seq;
	uint16_t c = ike_host_icmp_sum(e->family, h.src, h.dst, m, ml);
	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
	return hl + ml;
}

int ike_host_echo_parse(const uint8_t *pkt, size_t len, ike_host_echo *e, const char **why)
{
	esp_ip h;
	*why = "malformed IP header";
	if (esp_ip_parse(pkt, len, &h) != ESP_OK || h.total_len != len)
		return -1;
	*why = "IPv4 header checksum";
	if (h.family == 4 && esp_ipv4_checksum(pkt, h.hdr_len) != (uint16_t)(pkt[10] << 8 | pkt[11]))
		return -1;
	bool v6 = h.family == 6;
	const uint8_t *m = pkt + h.hdr_len;
	size_t ml = len - h.hdr_len;
	*why = "not ICMP echo";
	if (h.proto != (v6 ? ESP_IPPROTO_ICMPV6 : ESP_IPPROTO_ICMP) || (!v6 && (h.frag & 0x3fff)) ||
	    ml < IKE_HOST_ICMP_HDR_LEN || m[1] != 0 ||
	    (m[0] != (v6 ? ECHO6 : ECHO) && m[0] != (v6 ? ECHO6_REPLY : ECHO_REPLY)))
		return -1;
	*why = "ICMP checksum";
	if (ike_host_icmp_sum(h.family, h.src, h.dst, m, ml) != 0)
		return -1;
	memset(e, 0, sizeof(*e));
	e->family = h.family;
	e->reply = m[0] == (v6 ? ECHO6_REPLY : ECHO_REPLY);
	e->df = !v6 && (h.frag & 0x4000);
	e->ip_id = h.id;
	memcpy(e->src, h.src, 16);
	memcpy(e->dst, h.dst, 16);
	e->ident = (uint16_t)(m[4] << 8 | m[5]);
	e->seq = (uint16_t)(m[6] << 8 | m[7]);
	e->data = m + IKE_HOST_ICMP_HDR_LEN;
	e->data_len = ml - IKE_HOST_ICMP_HDR_LEN;
	*why = NULL;
	return 0;
}
