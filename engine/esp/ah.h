/* AH (RFC 4302): integrity over the whole IP packet with mutable fields zeroed; tunnel and transport mode. */
#ifndef IKE_ESP_AH_H
#define IKE_ESP_AH_H

#include <stddef.h>
#include <stdint.h>

#include "esp/esp.h"
#include "esp/ip.h"

typedef struct ah_sa ah_sa;

/*
 * Creates an AH SA from the ESP parameter block: spi, dir, mode, esn, integ_id/integ_key, replay_window,
 * soft/hard, test_seq are used; encr_* must be 0/NULL. NULL and why[cap] on failure.
 */
ah_sa *ah_sa_new(const ike_crypto *c, const esp_sa_params *p, char *why, size_t cap);
void ah_sa_free(ah_sa *sa);

uint32_t ah_sa_spi(const ah_sa *sa);
uint8_t ah_sa_dir(const ah_sa *sa);

/* AH header length for this SA's ICV (12 + ICV, padded to 4 bytes for IPv4, 8 for IPv6). */
size_t ah_hdr_len(const ah_sa *sa, uint8_t family);

/*
 * Protects one packet; out gets a whole IP packet carrying AH.
 * Tunnel: in is the inner IP packet, outer gives the new header's family/addresses/ttl/tos/id (proto ignored).
 * Transport: in is the whole original IP packet (no IPv4 options, no IPv6 extension headers); outer ignored.
 */
esp_status ah_encap(ah_sa *sa, const esp_ip *outer, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
		    size_t *out_len);

/*
 * Verifies a whole IP packet carrying AH (checks in RFC 4302 3.4 order: replay before ICV, window after).
 * out gets the inner IP packet (tunnel) or the upper-layer payload (transport); rx as for ESP.
 */
esp_status ah_decap(ah_sa *sa, const uint8_t *in, size_t len, uint8_t *out, size_t cap, esp_rx *rx);

/* The AH SPI of a whole IP packet whose protocol is AH; 0 if it is not one or is truncated. */
uint32_t ah_packet_spi(const uint8_t *in, size_t len);

const esp_sa_stats *ah_sa_stats_of(const ah_sa *sa);
int ah_sa_expiry(const ah_sa *sa);
/* Which limit ah_sa_expiry reports (enum esp_limit, as esp_sa_expiry_cause). */
int ah_sa_expiry_cause(const ah_sa *sa);

#endif
