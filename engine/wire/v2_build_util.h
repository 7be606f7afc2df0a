/* Builder internals shared by the v2_build*.c files: open and close one payload. */
#ifndef IKE_WIRE_V2_BUILD_UTIL_H
#define IKE_WIRE_V2_BUILD_UTIL_H

#include "wire/v2.h"

#define V2_NO_OFF SIZE_MAX

/* Writes a generic header, links it from the previous payload; returns its offset or V2_NO_OFF. */
static inline size_t v2b_open(v2_builder *b, uint8_t type, bool critical)
{
	if (b->sealed) {
		b->w.err = true; /* SK must be the last payload (3.14) */
		return V2_NO_OFF;
	}
	size_t at = b->w.len;
	uint8_t *h = ike_wbuf_room(&b->w, V2_GENERIC_HDR_LEN);
	if (!h)
		return V2_NO_OFF;
	h[0] = V2_PL_NONE;
	h[1] = critical ? 0x80 : 0;
	ike_put_u16(h + 2, V2_GENERIC_HDR_LEN);
	if (b->last_np_off != V2_NO_OFF)
		b->w.p[b->last_np_off] = type;
	if (b->first == V2_PL_NONE)
		b->first = type;
	b->last_np_off = at;
	return at;
}

/* Appends n bytes from p; a NULL source with a non-zero length is a caller bug, reported as err. */
static inline void v2b_bytes(v2_builder *b, const void *p, size_t n)
{
	if (n && !p) {
		b->w.err = true;
		return;
	}
	ike_wbuf_bytes(&b->w, p, n);
}

/* Patches a length field at `at` to cover everything written since; overflow of 16 bits is an error. */
static inline void v2b_close16(v2_builder *b, size_t at, size_t field_off)
{
	if (b->w.err || at == V2_NO_OFF)
		return;
	size_t n = b->w.len - at;
	if (n > UINT16_MAX) {
		b->w.err = true;
		return;
	}
	ike_put_u16(b->w.p + at + field_off, (uint16_t)n);
}

/* Closes a payload opened by v2b_open (its length field sits at byte 2). */
static inline void v2b_close(v2_builder *b, size_t at) { v2b_close16(b, at, 2); }

#endif
