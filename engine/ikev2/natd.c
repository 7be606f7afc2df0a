/* NAT detection notifies (RFC 7296 2.23): SHA-1(SPIi | SPIr | IP | port). */
#include "crypto/hash.h"
#include "ikev2/sa.h"

int v2_natd_hash(const ike_crypto *c, uint64_t spi_i, uint64_t spi_r, const ike_addr *a, uint8_t out[20])
{
	uint8_t spis[16], port[2];
	ike_put_u64(spis, spi_i);
	ike_put_u64(spis + 8, spi_r);
	ike_put_u16(port, a->port);
	ike_iov in[3] = { { spis, 16 }, { a->ip, a->family == 4 ? 4u : 16u }, { port, 2 } };
	return ike_sha1(c, in, 3, out);
}

void v2_add_natd(const ike_crypto *c, v2_builder *b, uint64_t spi_i, uint64_t spi_r, const ike_addr *src, const ike_addr *dst)
{
	uint8_t h[20];
	if (v2_natd_hash(c, spi_i, spi_r, src, h) == 0)
		v2_add_notify(b, 0, NULL, 0, V2_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	if (v2_natd_hash(c, spi_i, spi_r, dst, h) == 0)
		v2_add_notify(b, 0, NULL, 0, V2_N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h));
}
