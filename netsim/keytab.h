/*
 * Wireshark's IKEv2 key table (UAT file `ikev2_decryption_table`), collected from the engine's
 * IKE_UP/IKE_FAILED events: one row per IKE SA, the first report of an SPI pair wins.
 */
#ifndef SIM_KEYTAB_H
#define SIM_KEYTAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ike.h"

#define SIM_KEYTAB_SUFFIX ".ikev2_decryption_table"

typedef struct sim_keytab sim_keytab;

/* What a written table holds: rows Wireshark decrypts, SAs it cannot (a comment line each), rows without ICV check. */
typedef struct sim_keytab_stats {
	size_t rows, undecryptable, unchecked;
} sim_keytab_stats;

sim_keytab *sim_keytab_new(void);
void sim_keytab_free(sim_keytab *kt);
/* Copies one IKE SA's keys; 0, or -1 when out of memory or a key is longer than any we derive. */
int sim_keytab_add(sim_keytab *kt, uint64_t spi_i, uint64_t spi_r, const ike_sa_keys *k);
/* Writes the table (a comment header, then rows in first-seen order); 0, or -1 on a write error. */
int sim_keytab_write(const sim_keytab *kt, FILE *f, sim_keytab_stats *st);
#define SIM_KEYTAB_V1_SUFFIX ".ikev1_decryption_table"
/* IKEv1 ISAKMP SAs collected (their rows stay out of the IKEv2 table). */
size_t sim_keytab_v1_count(const sim_keytab *kt);
/* Wireshark's ikev1_decryption_table: "<initiator cookie>,<Ka>" per ISAKMP SA (v1_ws_key_line); 0 or -1. */
int sim_keytab_write_v1(const sim_keytab *kt, FILE *f, size_t *rows);

/* One row (with '\n') for k into f; returns 1 for a row, 0 for a comment line (Wireshark cannot decrypt it). */
int sim_keytab_line(FILE *f, uint64_t spi_i, uint64_t spi_r, const ike_sa_keys *k, int *unchecked);

#endif
