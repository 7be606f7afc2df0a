/* Encrypted Fragment payload (SKF, RFC 7383 2.5): parse and build its fixed part; the crypto is SK's. */
#include "wire/v2.h"
#include "wire/v2_build_util.h"

v2_status v2_parse_skf(const uint8_t *b, size_t len, v2_skf *out)
{
	if (!out || !b || len < V2_SKF_HDR_LEN)
		return V2_INVALID_SYNTAX;
	out->frag_num = ike_get_u16(b);
	out->total = ike_get_u16(b + 2);
	/* 2.6: both non-zero and Fragment Number <= Total Fragments (a zero total fails the second test). */
	if (out->frag_num == 0 || out->frag_num > out->total)
		return V2_INVALID_SYNTAX;
	out->data = b + V2_SKF_HDR_LEN;
	out->len = len - V2_SKF_HDR_LEN;
	return V2_OK;
}

size_t v2_add_skf_header(v2_builder *b, uint8_t inner_first, uint16_t frag_num, uint16_t total, size_t body_len)
{
	if (frag_num == 0 || frag_num > total) {
		b->w.err = true;
		return 0;
	}
	size_t at = v2b_open(b, V2_PL_SKF, false);
	if (at == V2_NO_OFF)
		return 0;
	uint8_t *nums = ike_wbuf_room(&b->w, V2_SKF_HDR_LEN);
	if (!nums || body_len > UINT16_MAX - V2_GENERIC_HDR_LEN - V2_SKF_HDR_LEN) {
		b->w.err = true;
		return 0;
	}
	ike_put_u16(nums, frag_num);
	ike_put_u16(nums + 2, total);
	/* 2.5: only the first fragment names the first inner payload. */
	b->w.p[at] = frag_num == 1 ? inner_first : V2_PL_NONE;
	ike_put_u16(b->w.p + at + 2, (uint16_t)(V2_GENERIC_HDR_LEN + V2_SKF_HDR_LEN + body_len));
	b->sealed = true;
	b->last_np_off = V2_NO_OFF;
	return b->w.len;
}
