/* Transport-mode ESP at a simulated gateway (RFC 4303 3.1.1): which packets it may carry, and the IP header back. */
#ifndef SIM_NODE_TRANSPORT_H
#define SIM_NODE_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "esp/ip.h"
#include "ike.h"

/* True when pkt is the gateway's own: a whole fixed-header IP packet from local to remote (the SA's addresses).
 * h gets its header (the payload starts at h->hdr_len). */
int sim_tp_own(const ike_addr *local, const ike_addr *remote, const uint8_t *pkt, size_t len, esp_ip *h);

/* The payload at buf (*len bytes) gets back the IP header of the ESP packet it came in (from -> to, protocol
 * proto): moved up, header written in front, *len grown. 0, or -1 if cap is short or the families differ. */
int sim_tp_header(uint8_t *buf, size_t cap, const ike_addr *from, const ike_addr *to, uint8_t proto, size_t *len);

#endif
