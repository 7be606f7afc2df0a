/* Notify and Delete payloads (RFC 7296 3.10, 3.11). */
#include "wire/v2.h"

#define PROTO_IKE 1
#define PROTO_AH 2
#define PROTO_ESP 3

v2_status v2_parse_notify(const uint8_t *b, size_t len, v2_notify *out)
{
	if (!out || !b || len < 4)
		return V2_INVALID_SYNTAX;
	ike_cur c = ike_cur_make(b, len);
	out->protocol = ike_cur_u8(&c);
	out->spi_size = ike_cur_u8(&c);
	out->type = ike_cur_u16(&c);
	/* SPI sizes: 0 (none / IKE SA), 4 (AH/ESP), 8 (tolerated: an IKE SPI). */
	if (out->spi_size != 0 && out->spi_size != 4 && out->spi_size != 8)
		return V2_INVALID_SYNTAX;
	out->spi = ike_cur_take(&c, out->spi_size);
	if (c.err)
		return V2_INVALID_SYNTAX;
	if (out->spi_size == 0)
		out->spi = NULL;
	out->len = ike_cur_left(&c);
	out->data = b + c.off;
	return V2_OK;
}

v2_status v2_parse_delete(const uint8_t *b, size_t len, v2_delete *out)
{
	if (!out || !b || len < 4)
		return V2_INVALID_SYNTAX;
	out->protocol = b[0];
	out->spi_size = b[1];
	out->n = ike_get_u16(b + 2);
	out->spis = b + 4;
	/* 3.11: the IKE SA is deleted with no SPI; AH/ESP list 4-byte SPIs. */
	if (out->protocol == PROTO_IKE) {
		if (out->spi_size != 0 || out->n != 0)
			return V2_INVALID_SYNTAX;
	} else if (out->protocol == PROTO_AH || out->protocol == PROTO_ESP) {
		if (out->spi_size != 4 || out->n == 0)
			return V2_INVALID_SYNTAX;
	} else {
		return V2_INVALID_SYNTAX;
	}
	if (out->n > V2_MAX_DELETE_SPIS)
		return V2_TOO_MANY;
	if ((size_t)out->n * out->spi_size != len - 4)
		return V2_INVALID_SYNTAX;
	return V2_OK;
}
