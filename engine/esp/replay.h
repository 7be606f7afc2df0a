/* Anti-replay window with ESN inference (RFC 4303 3.4.3 and Appendix A), shared by ESP and AH. */
#ifndef IKE_ESP_REPLAY_H
#define IKE_ESP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp/esp.h"

/* Window of `size` packets ending at `top` (highest authenticated sequence number); bit i = top - i seen. */
typedef struct esp_replay {
	uint64_t top;      /* highest authenticated sequence number (64 bits with ESN) */
	uint32_t size;     /* window size; 0 = anti-replay off */
	bool esn;          /* 64-bit sequence numbers */
	uint64_t *bits;    /* esp_replay_words(size) words owned by the caller */
} esp_replay;

/* Words of bitmap a window of size packets needs (at least 1). */
size_t esp_replay_words(uint32_t size);

/*
 * Sets up a window over caller storage bits[esp_replay_words(size)]; first = the lowest sequence number that
 * will be accepted (normally 1): everything below it counts as already received.
 */
void esp_replay_init(esp_replay *w, uint64_t *bits, uint32_t size, bool esn, uint64_t first);

/* The full sequence number a received low 32 bits stand for (RFC 4303 Appendix A2.2; identity without ESN). */
uint64_t esp_replay_infer(const esp_replay *w, uint32_t seq_lo);

/* Before the ICV: ESP_OK, ESP_E_REPLAY (seen), ESP_E_OLD (left of the window). Changes nothing. */
esp_status esp_replay_check(const esp_replay *w, uint64_t seq);

/* After the ICV verified: marks seq received and slides the window right if seq is new. */
void esp_replay_update(esp_replay *w, uint64_t seq);

#endif
