/* From what the IKE engine reports (IKE_EV_CHILD_UP's ike_child_keys) to engine/esp SAs and SPD policies. */
#ifndef IKE_ESP_CHILD_H
#define IKE_ESP_CHILD_H

#include <stddef.h>
#include <stdint.h>

#include "esp/esp.h"
#include "esp/spd.h"
#include "ike.h"

/*
 * Fills p for one direction of the CHILD SA k: SPI (spi_out / spi_in), mode, ESN, transforms, and the KEYMAT
 * slices of that direction (ours out = ei/ai when k->initiator, else er/ar). Inbound gets the child cfg's replay
 * window (k->cfg->replay_window; the default 64 without a cfg). p points into k's buffers: call esp_sa_new / ah_sa_new while they live (inside sa_event). The host
 * adds iv_seed (outbound CBC), lifetimes, TFC, UDP ports. 0, or -1 and why[cap].
 */
int esp_params_from_child(const ike_child_keys *k, uint8_t dir, esp_sa_params *p, char *why, size_t cap);

/*
 * Adds PROTECT policies for every (local, remote) selector pair of k, outbound through out and inbound
 * expecting in, with the host's id (to remove or re-point on a rekey); appended in selector order.
 * The number added, or -1 on failure (those added stay).
 */
int esp_spd_add_child(esp_spd *s, const ike_child_keys *k, uint64_t id, esp_sa *out, esp_sa *in);

#endif
