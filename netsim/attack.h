/* The runner's attacker nodes (docs/attacks.md): flood, man in the middle, rogue responder. */
#ifndef SIM_ATTACK_H
#define SIM_ATTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run_int.h"

/* After the routers and NAT boxes: each attacker's timers, forwarding hook and state. 0, or -1 out of memory. */
int sim_atk_setup(runner *r, uint64_t seed);
void sim_atk_free(runner *r);
/* A datagram reaching node: true when an attacker of that node took it (the node's engine never sees it). */
bool sim_atk_deliver(runner *r, uint32_t node, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to,
		     const uint8_t *data, size_t len);

#endif
