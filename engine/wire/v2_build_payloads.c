/* Builders for the fixed-prefix payloads: KE, ID, AUTH, Nonce, Notify, Delete, CERT, VID (RFC 7296 3.4-3.12). */
#include "wire/v2.h"
#include "wire/v2_build_util.h"

/* Opens a payload, writes a small prefix and a data tail, closes it. */
static void add_prefixed(v2_builder *b, uint8_t type, const uint8_t *pre, size_t pre_len, const uint8_t *data,
			 size_t len)
{
	size_t at = v2b_open(b, type, false);
	if (at == V2_NO_OFF)
		return;
	v2b_bytes(b, pre, pre_len);
	v2b_bytes(b, data, len);
	v2b_close(b, at);
}

void v2_add_ke(v2_builder *b, uint16_t group, const uint8_t *data, size_t len)
{
	uint8_t pre[4] = { 0 };
	ike_put_u16(pre, group);
	add_prefixed(b, V2_PL_KE, pre, sizeof(pre), data, len);
}

void v2_add_id(v2_builder *b, uint8_t pl_type, uint8_t id_type, const uint8_t *data, size_t len)
{
	uint8_t pre[4] = { id_type, 0, 0, 0 };
	add_prefixed(b, pl_type, pre, sizeof(pre), data, len);
}

void v2_add_auth(v2_builder *b, uint8_t method, const uint8_t *data, size_t len)
{
	uint8_t pre[4] = { method, 0, 0, 0 };
	add_prefixed(b, V2_PL_AUTH, pre, sizeof(pre), data, len);
}

void v2_add_nonce(v2_builder *b, const uint8_t *data, size_t len)
{
	add_prefixed(b, V2_PL_NONCE, NULL, 0, data, len);
}

void v2_add_vid(v2_builder *b, const uint8_t *data, size_t len)
{
	add_prefixed(b, V2_PL_VID, NULL, 0, data, len);
}

void v2_add_cert(v2_builder *b, uint8_t pl_type, uint8_t encoding, const uint8_t *data, size_t len)
{
	add_prefixed(b, pl_type, &encoding, 1, data, len);
}

void v2_add_notify(v2_builder *b, uint8_t protocol, const uint8_t *spi, uint8_t spi_size, uint16_t type,
		   const uint8_t *data, size_t len)
{
	size_t at = v2b_open(b, V2_PL_NOTIFY, false);
	if (at == V2_NO_OFF)
		return;
	ike_wbuf_u8(&b->w, protocol);
	ike_wbuf_u8(&b->w, spi_size);
	ike_wbuf_u16(&b->w, type);
	v2b_bytes(b, spi, spi_size);
	v2b_bytes(b, data, len);
	v2b_close(b, at);
}

void v2_add_delete(v2_builder *b, uint8_t protocol, uint8_t spi_size, const uint8_t *spis, uint16_t n)
{
	size_t at = v2b_open(b, V2_PL_DELETE, false);
	if (at == V2_NO_OFF)
		return;
	ike_wbuf_u8(&b->w, protocol);
	ike_wbuf_u8(&b->w, spi_size);
	ike_wbuf_u16(&b->w, n);
	v2b_bytes(b, spis, (size_t)n * spi_size);
	v2b_close(b, at);
}
