/* Builder core: message header, raw payloads, SK header and the final length patch (RFC 7296 3.1-3.2, 3.14). */
#include "wire/v2.h"
#include "wire/v2_build_util.h"

void v2_begin(v2_builder *b, uint8_t *buf, size_t cap, const v2_header *h)
{
	b->w = ike_wbuf_make(buf, cap);
	b->hdr_off = 0;
	b->first = V2_PL_NONE;
	b->sealed = false;
	b->last_np_off = V2_NO_OFF;
	uint8_t *d = ike_wbuf_room(&b->w, V2_HDR_LEN);
	if (!d)
		return;
	ike_put_u64(d, h->spi_i);
	ike_put_u64(d + 8, h->spi_r);
	d[16] = V2_PL_NONE;
	d[17] = (uint8_t)((h->major << 4) | (h->minor & 0x0f));
	d[18] = h->exchange;
	d[19] = h->flags;
	ike_put_u32(d + 20, h->msg_id);
	ike_put_u32(d + 24, 0);
	b->last_np_off = 16; /* the header's Next Payload names the first payload */
}

void v2_begin_chain(v2_builder *b, uint8_t *buf, size_t cap)
{
	b->w = ike_wbuf_make(buf, cap);
	b->hdr_off = SIZE_MAX;
	b->last_np_off = V2_NO_OFF;
	b->first = V2_PL_NONE;
	b->sealed = false;
}

void v2_add_raw(v2_builder *b, uint8_t type, bool critical, const uint8_t *body, size_t len)
{
	size_t at = v2b_open(b, type, critical);
	if (at == V2_NO_OFF)
		return;
	v2b_bytes(b, body, len);
	v2b_close(b, at);
}

size_t v2_add_sk_header(v2_builder *b, uint8_t inner_first, size_t body_len)
{
	size_t at = v2b_open(b, V2_PL_SK, false);
	if (at == V2_NO_OFF)
		return 0;
	if (body_len > UINT16_MAX - V2_GENERIC_HDR_LEN) {
		b->w.err = true;
		return 0;
	}
	b->w.p[at] = inner_first; /* 3.14: SK's Next Payload is the first payload inside it */
	ike_put_u16(b->w.p + at + 2, (uint16_t)(V2_GENERIC_HDR_LEN + body_len));
	b->sealed = true;
	b->last_np_off = V2_NO_OFF;
	return b->w.len;
}

size_t v2_finish(v2_builder *b, size_t extra)
{
	if (b->w.err || extra > b->w.cap - b->w.len)
		return 0;
	size_t total = b->w.len + extra;
	if (b->hdr_off == SIZE_MAX)
		return total;
	size_t msg_len = total - b->hdr_off;
	if (msg_len > UINT32_MAX)
		return 0;
	ike_put_u32(b->w.p + b->hdr_off + 24, (uint32_t)msg_len);
	return msg_len;
}
