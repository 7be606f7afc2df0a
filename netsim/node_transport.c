/* Transport mode at a gateway: ESP between the packet's own IP header and its payload, header rebuilt on receipt. */
#include "node_transport.h"

#include <string.h>

static int same_ip(const ike_addr *a, const uint8_t *ip, uint8_t family)
{
	return a->family == family && memcmp(a->ip, ip, family == 6 ? 16 : 4) == 0;
}

int sim_tp_own(const ike_addr *local, const ike_addr *remote, const uint8_t *pkt, size_t len, esp_ip *h)
{
	/* a host's packet forwarded by the gateway needs tunnel mode: its addresses are not the SA's */
	return esp_ip_parse(pkt, len, h) == ESP_OK && h->total_len == len && same_ip(local, h->src, h->family) &&
	       same_ip(remote, h->dst, h->family) && h->hdr_len == (h->family == 6 ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN);
}

int sim_tp_header(uint8_t *buf, size_t cap, const ike_addr *from, const ike_addr *to, uint8_t proto, size_t *len)
{
	esp_ip h = { .family = from->family, .proto = proto, .ttl = 64 };
	size_t hl = from->family == 6 ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN;
	if ((from->family != 4 && from->family != 6) || from->family != to->family || *len + hl > cap)
		return -1;
	memcpy(h.src, from->ip, 16);
	memcpy(h.dst, to->ip, 16);
	memmove(buf + hl, buf, *len);
	if (esp_ip_build(&h, *len, buf, cap) != hl)
		return -1;
	*len += hl;
	return 0;
}
