/*
 * RFC 3948 framing as charon applies it: on any port pair without 500, every IKE message (IKE_SA_INIT
 * included) starts with four zero bytes, the non-ESP marker; a datagram without it is ESP-in-UDP (its
 * first four bytes are a non-zero SPI); one 0xFF byte is a NAT keepalive. Port 500 carries bare IKE.
 */
#include <string.h>

#include "host/frame.h"

bool ike_host_frame_marked(uint16_t local_port, uint16_t remote_port)
{
	return local_port != 500 && remote_port != 500;
}

enum ike_host_dgram_kind ike_host_frame_classify(const uint8_t *d, size_t len, bool marked, size_t *ike_off)
{
	static const uint8_t zero[IKE_HOST_MARKER_LEN];
	*ike_off = 0;
	if (len == 1 && d[0] == 0xFF)
		return IKE_HOST_DG_KEEPALIVE;
	if (!marked)
		return len ? IKE_HOST_DG_IKE : IKE_HOST_DG_RUNT;
	if (len < IKE_HOST_MARKER_LEN)
		return IKE_HOST_DG_RUNT;
	if (memcmp(d, zero, IKE_HOST_MARKER_LEN) != 0)
		return IKE_HOST_DG_ESP;
	*ike_off = IKE_HOST_MARKER_LEN;
	return IKE_HOST_DG_IKE;
}

size_t ike_host_frame_wrap(bool marked, const uint8_t *ike, size_t len, uint8_t *out, size_t cap)
{
	size_t off = marked ? IKE_HOST_MARKER_LEN : 0;
	if (len > cap || cap - len < off)
		return 0;
	memset(out, 0, off);
	if (len) /* ike may be NULL for an empty message */
		memcpy(out + off, ike, len);
	return off + len;
}
