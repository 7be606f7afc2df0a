/* RFC 3948 framing of IKE on the wire, a pure function of ports and bytes: shared by `ikesim peer` and the pcap. */
#ifndef IKE_HOST_FRAME_H
#define IKE_HOST_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ike_host_dgram_kind {
	IKE_HOST_DG_IKE,       /* an IKE message at *ike_off */
	IKE_HOST_DG_KEEPALIVE, /* a NAT keepalive (one 0xFF byte): ignore */
	IKE_HOST_DG_ESP,       /* ESP-in-UDP (no non-ESP marker on a marker port): not ours to handle */
	IKE_HOST_DG_RUNT,      /* too short to be anything */
};

#define IKE_HOST_MARKER_LEN 4 /* the non-ESP marker: four zero bytes where an ESP SPI would be */

/* True when the datagram between these ports carries the non-ESP marker: neither port is 500. */
bool ike_host_frame_marked(uint16_t local_port, uint16_t remote_port);
/* Sorts a received datagram; for IKE_HOST_DG_IKE, *ike_off is where the IKE header starts. */
enum ike_host_dgram_kind ike_host_frame_classify(const uint8_t *d, size_t len, bool marked, size_t *ike_off);
/* Writes the datagram for an IKE message (marker first when marked) into out; its length, 0 if cap is short. */
size_t ike_host_frame_wrap(bool marked, const uint8_t *ike, size_t len, uint8_t *out, size_t cap);

#endif
