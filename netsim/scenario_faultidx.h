/* Fault matching in time proportional to the faults that act, not to every fault of the scenario. */
#ifndef SIM_SCENARIO_FAULTIDX_H
#define SIM_SCENARIO_FAULTIDX_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* Faults grouped by what they match (sender node, link): each group counts its datagrams once. */
typedef struct sim_fault_index sim_fault_index;

/* Indexes n faults (f must outlive the index); NULL when out of memory. */
sim_fault_index *sim_fault_index_new(const sim_fault_spec *f, size_t n);
/*
 * One datagram sent at `now` (never earlier than the previous call's) by node `from` to node `to`
 * (UINT32_MAX: no route). 1 if some fault drops it, as if every fault counted its matching datagrams.
 * -1 when out of memory.
 */
int sim_fault_index_match(sim_fault_index *x, int64_t now, uint32_t from, uint32_t to);
void sim_fault_index_free(sim_fault_index *x);

#endif
