/*
 * RFC 3948 framing as charon applies it: on any port pair without 500, every IKE message (IKE_SA_INIT
 * included) starts with four zero bytes, the non-ESP marker; a datagram without it is ESP-in-UDP (its
 * first four bytes are a non-zero SPI); one 0xFF byte is a NAT keepalive. Port 500 carries bare IKE.
 */
#include <string.h>

#include "peer.h"

bool peer_frame_marked(uint16_t local_port, uint16_t remote_port) { return local_port != 500 && remote_port != 500; }

enum peer_dgram_kind peer_frame_classify(const uint8_t *d, size_t len, bool marked, size_t *ike_off)
{
	static const uint8_t zero[PEER_MARKER_LEN];
	*ike_off = 0;
	if (len == 1 && d[0] == 0xFF)
		return PEER_DG_KEEPALIVE;
	if (!marked)
		return len ? PEER_DG_IKE : PEER_DG_RUNT;
	if (len < PEER_MARKER_LEN)
		return PEER_DG_RUNT;
	if (memcmp(d, zero, PEER_MARKER_LEN) != 0)
		return PEER_DG_ESP;
	*ike_off = PEER_MARKER_LEN;
	return PEER_DG_IKE;
}

size_t peer_frame_wrap(bool marked, const uint8_t *ike, size_t len, uint8_t *out, size_t cap)
{
	size_t off = marked ? PEER_MARKER_LEN : 0;
	if (len > cap || cap - len < off)
		return 0;
	memset(out, 0, off);
	memcpy(out + off, ike, len);
	return off + len;
}
