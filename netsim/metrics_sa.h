/* The sampler's per-IKE-SA memory: when an initiator started it and whether a request of it is unanswered. */
#ifndef SIM_METRICS_SA_H
#define SIM_METRICS_SA_H

#include <stddef.h>
#include <stdint.h>

/* Key: node, the node's boot generation (a reboot makes old entries unreachable), initiator SPI. */
typedef struct sim_msa {
	uint64_t spi;
	uint32_t node, gen;
	int64_t start;   /* first IKE_SA_INIT / MM1 sent; -1 when not an initiator's or already measured */
	uint8_t used;    /* slot taken */
	uint8_t waiting; /* a request is unanswered */
} sim_msa;

typedef struct sim_msa_table {
	sim_msa *slots;
	size_t cap, n; /* cap: a power of two, kept at least twice n */
} sim_msa_table;

/* The entry for the key, or NULL. */
sim_msa *sim_msa_find(sim_msa_table *t, uint32_t node, uint32_t gen, uint64_t spi);
/* The entry for the key, created (start -1, not waiting) if absent; NULL out of memory. */
sim_msa *sim_msa_get(sim_msa_table *t, uint32_t node, uint32_t gen, uint64_t spi);
/* Removes e (a pointer returned by find/get, valid until the next get or remove). */
void sim_msa_remove(sim_msa_table *t, sim_msa *e);
void sim_msa_free(sim_msa_table *t);

#endif
