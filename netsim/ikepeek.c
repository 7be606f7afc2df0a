/* RFC 7296 3.1 (and RFC 2408 3.1) header offsets: SPIs/cookies 0-15, next payload 16, version 17, exchange type 18,
 * flags 19. */
#include "ikepeek.h"

#define IKE_HDR_LEN 28

int sim_ike_peek(const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len, uint8_t *exchange,
		 uint8_t *flags)
{
	size_t off = 0;
	if ((from->port == 4500 || to->port == 4500) && len >= 4) {
		/* With the marker it is IKE; without it a 4500 datagram is ESP, unless the sender never frames
		 * (the simulator's engine sends bare IKE): then the SPI bytes are there, and version tells. */
		if (!d[0] && !d[1] && !d[2] && !d[3])
			off = 4;
	}
	if (len < off + IKE_HDR_LEN || (d[off + 17] >> 4 != 2 && d[off + 17] >> 4 != 1))
		return -1;
	*exchange = d[off + 18];
	/* IKEv1's flags (E, C, A: RFC 2408 3.1) say nothing about request or response */
	*flags = d[off + 17] >> 4 == 2 ? d[off + 19] : 0;
	return 0;
}
