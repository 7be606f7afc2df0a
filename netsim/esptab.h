/*
 * Wireshark's ESP key table (UAT file `esp_sa`), collected from the engine's IKE_EV_CHILD_UP events:
 * one row per CHILD SA direction (outer source, destination, SPI, algorithms, keys). Both ends report
 * each direction; their reports are merged, and an address the two ends see differently (a NAT between
 * them) becomes Wireshark's "*" wildcard.
 */
#ifndef SIM_ESPTAB_H
#define SIM_ESPTAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ike.h"

#define SIM_ESPTAB_SUFFIX ".esp_sa"

typedef struct sim_esptab sim_esptab;

/* What a written table holds: rows, directions Wireshark cannot decrypt (a comment each), rows without ICV check. */
typedef struct sim_esptab_stats {
	size_t rows, undecryptable, unchecked;
} sim_esptab_stats;

sim_esptab *sim_esptab_new(void);
void sim_esptab_free(sim_esptab *t);
/* Copies both directions of one ESP CHILD SA as seen from one end (local/remote: its outer addresses); AH ones are
 * skipped (Wireshark needs no keys to show AH); 0 or -1. */
int sim_esptab_add(sim_esptab *t, const ike_addr *local, const ike_addr *remote, const ike_child_keys *k);
/* Writes the table (a comment header, then rows in first-seen order); 0, or -1 on a write error. */
int sim_esptab_write(const sim_esptab *t, FILE *f, sim_esptab_stats *st);

/* One direction of a CHILD SA, as a row is written. src_any/dst_any: write "*" for that address. */
typedef struct sim_esp_dir {
	uint8_t family; /* 4 or 6 */
	uint8_t src[16], dst[16];
	bool src_any, dst_any;
	uint32_t spi;
	uint16_t encr, encr_keylen, integ;
	const uint8_t *ekey, *akey;
	size_t e_len, a_len;
} sim_esp_dir;

/* One row (with '\n') into f; returns 1 for a row, 0 for a comment line (Wireshark cannot decrypt it). */
int sim_esptab_line(FILE *f, const sim_esp_dir *d, int *unchecked);

#endif
