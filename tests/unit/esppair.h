/* Test fixture for engine/esp: SA pairs for every transform and inner packets to send through them. */
#ifndef IKE_TEST_ESPPAIR_H
#define IKE_TEST_ESPPAIR_H

#include <stddef.h>
#include <stdint.h>

#include "esp/esp.h"

/* One transform combination to test. */
typedef struct esppair_alg {
	const char *name;
	uint16_t encr, keylen, integ;
} esppair_alg;

/* Every ESP transform combination engine/esp supports; *n gets the count. */
const esppair_alg *esppair_algs(size_t *n);

/* Key storage the parameters point into. */
typedef struct esppair_keys {
	uint8_t e[64], a[64];
} esppair_keys;

/* Parameters for alg with deterministic keys (written to k, derived from seed); dir/mode/esn/window as given. */
esp_sa_params esppair_params(const esppair_alg *a, uint8_t dir, uint8_t mode, int esn, uint32_t window, uint8_t seed,
			   esppair_keys *k);

/* An outbound and inbound SA sharing keys (SPI 0x1000 + seed); fails the test on error. */
void esppair_pair(const ike_crypto *c, const esppair_alg *a, uint8_t mode, int esn, uint32_t window, uint8_t seed,
		esp_sa **out, esp_sa **in);

/* An IPv4 UDP packet 10.1.0.1:1234 -> 10.2.0.1:5678 of total length len (>= 28) into buf; returns len. */
size_t esppair_ipv4_udp(uint8_t *buf, size_t len, uint8_t fill);

/* An IPv6 UDP packet 2001:db8:1::1 -> 2001:db8:2::1 of total length len (>= 48). */
size_t esppair_ipv6_udp(uint8_t *buf, size_t len, uint8_t fill);

#endif
