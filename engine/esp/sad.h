/* Security Association Database: a host's ESP and AH SAs, by (protocol, direction, SPI) in a hash table. */
#ifndef IKE_ESP_SAD_H
#define IKE_ESP_SAD_H

#include <stddef.h>
#include <stdint.h>

#include "esp/ah.h"
#include "esp/esp.h"

typedef struct esp_sad esp_sad;

/* An empty SAD; NULL on allocation failure. */
esp_sad *esp_sad_new(void);

/* Frees the SAD and every SA it holds. */
void esp_sad_free(esp_sad *d);

/* Takes ownership of sa. ESP_E_ARG for SPI 0..255 (reserved, RFC 4303 2.1) or a (dir, SPI) already present. */
esp_status esp_sad_add(esp_sad *d, esp_sa *sa);
esp_status esp_sad_add_ah(esp_sad *d, ah_sa *sa);

/* The SA for (dir, spi), or NULL. The SAD keeps ownership. */
esp_sa *esp_sad_find(const esp_sad *d, uint8_t dir, uint32_t spi);
ah_sa *esp_sad_find_ah(const esp_sad *d, uint8_t dir, uint32_t spi);

/* Removes and frees the SA; 0 if it was there, -1 if not. */
int esp_sad_del(esp_sad *d, uint8_t dir, uint32_t spi);
int esp_sad_del_ah(esp_sad *d, uint8_t dir, uint32_t spi);

/* Number of SAs held (ESP and AH). */
size_t esp_sad_count(const esp_sad *d);

/* Inbound ESP by SPI: finds the SA and decaps; ESP_E_NO_SA (counted in esp_sad_unknown_spi) if none. */
esp_status esp_sad_decap(esp_sad *d, const uint8_t *in, size_t len, uint8_t *out, size_t cap, esp_rx *rx,
			 esp_sa **sa_out);

/* Inbound packets whose SPI matched no SA (RFC 4303 3.4.2: discard, auditable event). */
uint64_t esp_sad_unknown_spi(const esp_sad *d);

#endif
