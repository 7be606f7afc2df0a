/* A glance at the IKE header of a datagram (exchange type, flags), for faults and counts; no parsing beyond it. */
#ifndef SIM_IKEPEEK_H
#define SIM_IKEPEEK_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

#define SIM_IKE_FLAG_RESPONSE 0x20 /* RFC 7296 3.1: the R bit */

/*
 * The exchange type and flags of the IKEv2 message in a datagram between from and to: after the RFC 3948
 * non-ESP marker (four zero octets) when either port is 4500 and it is there. 0, or -1 if the datagram does
 * not hold an IKEv2 header (too short, major version not 2). The simulator carries no ESP, so an unmarked
 * datagram on 4500 is taken for bare IKE.
 */
int sim_ike_peek(const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len, uint8_t *exchange,
		 uint8_t *flags);

#endif
