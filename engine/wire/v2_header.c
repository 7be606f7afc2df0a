/* Fixed IKE header decoding (RFC 7296 3.1). */
#include "wire/v2.h"

/*
 * Length policy: a datagram shorter than 28 bytes, or whose Length field is below 28 or beyond the
 * datagram, is dropped (nothing trustworthy to answer). Bytes after Length are ignored: callers
 * parse msg[28..h->length) only, and the integrity check covers exactly that range.
 */
v2_status v2_parse_header(const uint8_t *msg, size_t len, v2_header *h)
{
	if (!msg || !h || len < V2_HDR_LEN)
		return V2_DROP;
	ike_cur c = ike_cur_make(msg, len);
	h->spi_i = ike_cur_u64(&c);
	h->spi_r = ike_cur_u64(&c);
	h->next_payload = ike_cur_u8(&c);
	uint8_t ver = ike_cur_u8(&c);
	h->major = (uint8_t)(ver >> 4);
	h->minor = (uint8_t)(ver & 0x0f);
	h->exchange = ike_cur_u8(&c);
	h->flags = ike_cur_u8(&c);
	h->msg_id = ike_cur_u32(&c);
	h->length = ike_cur_u32(&c);
	if (c.err)
		return V2_DROP;
	/* Version before length: a v1 or v3 peer must get INVALID_MAJOR_VERSION (2.5). */
	if (h->major != 2)
		return V2_BAD_VERSION;
	if (h->length < V2_HDR_LEN || h->length > len)
		return V2_DROP;
	return V2_OK;
}
