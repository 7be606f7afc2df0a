/*
 * AH (RFC 4302) on the simulated wire: links carry an IP payload from the SPI on (backend.h), while AH
 * authenticates the outer IP header too. Both ends therefore use the same outer header, built from the
 * addresses alone (DF, TTL 64, Identification 0, as the capture writes it bar the capture's own Identification).
 */
#include <stdlib.h>
#include <string.h>

#include "esp/ah.h"
#include "esp/ip.h"
#include "esp/sad.h"
#include "run_int.h"

/* The outer header both ends authenticate: only addresses and protocol vary. */
static esp_ip outer_of(const ike_addr *from, const ike_addr *to)
{
	esp_ip h = { .family = from->family == 6 ? 6 : 4, .proto = ESP_IPPROTO_AH, .ttl = 64 };
	if (h.family == 4)
		h.frag = 0x4000; /* DF, like every simulated packet (mutable for AH anyway) */
	memcpy(h.src, from->ip, h.family == 6 ? 16 : 4);
	memcpy(h.dst, to->ip, h.family == 6 ? 16 : 4);
	return h;
}

int sim_ah_wrap(ah_sa *sa, const ike_addr *from, const ike_addr *to, const uint8_t *pkt, size_t len,
		uint8_t *out, size_t cap, size_t *off, size_t *n)
{
	esp_ip h = outer_of(from, to);
	esp_status s = ah_encap(sa, &h, pkt, len, out, cap, n);
	*off = h.family == 6 ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN;
	return s;
}

int sim_ah_unwrap(esp_sad *sad, const ike_addr *from, const ike_addr *to, const uint8_t *ah, size_t len,
			 uint8_t *out, size_t cap, esp_rx *rx, uint32_t *spi)
{
	esp_ip h = outer_of(from, to);
	size_t hl = h.family == 6 ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN;
	*spi = len >= 8 ? (uint32_t)ah[4] << 24 | (uint32_t)ah[5] << 16 | (uint32_t)ah[6] << 8 | ah[7] : 0;
	if (len < 12 || len > 65535 - hl)
		return ESP_E_SHORT;
	ah_sa *sa = esp_sad_find_ah(sad, ESP_DIR_IN, *spi);
	if (!sa)
		return ESP_E_NO_SA;
	uint8_t *whole = malloc(hl + len);
	if (!whole)
		return ESP_E_SPACE;
	esp_status s = esp_ip_build(&h, len, whole, hl + len) ? ESP_OK : ESP_E_SPACE;
	if (s == ESP_OK) {
		memcpy(whole + hl, ah, len);
		s = ah_decap(sa, whole, hl + len, out, cap, rx);
	}
	free(whole);
	return s;
}
