/*
 * One hop over a link, defined once for every backend (built-in and ns-3), so that the same scenario and seed
 * give the same losses and delays whichever simulator carries the datagrams.
 */
#ifndef SIM_HOP_H
#define SIM_HOP_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "crypto/drbg.h"

/* The IP length a datagram takes on a link: the payload plus the IP header (and UDP's for SIM_PROTO_UDP). */
size_t sim_hop_ip_len(uint8_t proto, const ike_addr *to, size_t len);

/* Seeds one direction's stream: the scenario seed (big-endian) and "link:" + sender + ">" + receiver. */
void sim_hop_seed(ike_drbg *d, uint64_t seed, const char *from, const char *to);

/* Whether a hop needs the direction's stream at all (a link without loss or jitter never draws). */
int sim_hop_draws(const sim_link_cfg *cfg);

/*
 * Decides one hop in this order: MTU ("mtu"), loss ("loss", one draw when loss > 0), then
 * *delay = latency + uniform[0, jitter] (one draw when jitter > 0), saturated. rng may be NULL only when
 * sim_hop_draws() is 0. Returns the drop reason, or NULL with *delay set.
 */
const char *sim_hop_decide(const sim_link_cfg *cfg, ike_drbg *rng, size_t ip_len, uint64_t *delay);

/* The fields of a link.drop event (why, from, to, size; proto for ESP/AH) into out; its length. */
size_t sim_hop_drop_fields(char *out, size_t cap, const char *why, uint8_t proto, const ike_addr *from,
			   const ike_addr *to, size_t len);

#endif
