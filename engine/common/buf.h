/* Bounded byte cursor (reading) and bounded writer: every parser and builder uses these. */
#ifndef IKE_COMMON_BUF_H
#define IKE_COMMON_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A slice of bytes: pointer plus length; owns nothing. */
typedef struct ike_iov {
	const uint8_t *p;
	size_t len;
} ike_iov;

/* Reading cursor: once `err` is set every further read fails and returns zeros/NULL. */
typedef struct ike_cur {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
} ike_cur;

static inline ike_cur ike_cur_make(const uint8_t *p, size_t len)
{
	ike_cur c = { p, len, 0, false };
	return c;
}

static inline size_t ike_cur_left(const ike_cur *c) { return c->err ? 0 : c->len - c->off; }

/* Returns a pointer to the next n bytes and advances, or NULL (and sets err) if fewer remain. */
static inline const uint8_t *ike_cur_take(ike_cur *c, size_t n)
{
	if (c->err || n > c->len - c->off) {
		c->err = true;
		return NULL;
	}
	const uint8_t *r = c->p + c->off;
	c->off += n;
	return r;
}

static inline uint8_t ike_cur_u8(ike_cur *c)
{
	const uint8_t *b = ike_cur_take(c, 1);
	return b ? b[0] : 0;
}

static inline uint16_t ike_cur_u16(ike_cur *c)
{
	const uint8_t *b = ike_cur_take(c, 2);
	return b ? (uint16_t)((b[0] << 8) | b[1]) : 0;
}

static inline uint32_t ike_cur_u32(ike_cur *c)
{
	const uint8_t *b = ike_cur_take(c, 4);
	return b ? ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3] : 0;
}

static inline uint64_t ike_cur_u64(ike_cur *c)
{
	uint64_t hi = ike_cur_u32(c);
	return (hi << 32) | ike_cur_u32(c);
}

/* Writer over a caller-owned buffer: once `err` is set (overflow) nothing more is written. */
typedef struct ike_wbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool err;
} ike_wbuf;

static inline ike_wbuf ike_wbuf_make(uint8_t *p, size_t cap)
{
	ike_wbuf w = { p, cap, 0, false };
	return w;
}

/* Reserves n bytes and returns a pointer to them, or NULL on overflow. */
static inline uint8_t *ike_wbuf_room(ike_wbuf *w, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	uint8_t *r = w->p + w->len;
	w->len += n;
	return r;
}

static inline void ike_wbuf_bytes(ike_wbuf *w, const void *src, size_t n)
{
	uint8_t *d = ike_wbuf_room(w, n);
	if (d && n)
		memcpy(d, src, n);
}

static inline void ike_wbuf_u8(ike_wbuf *w, uint8_t v) { ike_wbuf_bytes(w, &v, 1); }

static inline void ike_put_u16(uint8_t *d, uint16_t v)
{
	d[0] = (uint8_t)(v >> 8);
	d[1] = (uint8_t)v;
}

static inline void ike_put_u32(uint8_t *d, uint32_t v)
{
	d[0] = (uint8_t)(v >> 24);
	d[1] = (uint8_t)(v >> 16);
	d[2] = (uint8_t)(v >> 8);
	d[3] = (uint8_t)v;
}

static inline void ike_put_u64(uint8_t *d, uint64_t v)
{
	ike_put_u32(d, (uint32_t)(v >> 32));
	ike_put_u32(d + 4, (uint32_t)v);
}

static inline uint16_t ike_get_u16(const uint8_t *s) { return (uint16_t)((s[0] << 8) | s[1]); }

static inline uint32_t ike_get_u32(const uint8_t *s)
{
	return ((uint32_t)s[0] << 24) | ((uint32_t)s[1] << 16) | ((uint32_t)s[2] << 8) | s[3];
}

static inline uint64_t ike_get_u64(const uint8_t *s)
{
	return ((uint64_t)ike_get_u32(s) << 32) | ike_get_u32(s + 4);
}

static inline void ike_wbuf_u16(ike_wbuf *w, uint16_t v)
{
	uint8_t *d = ike_wbuf_room(w, 2);
	if (d)
		ike_put_u16(d, v);
}

static inline void ike_wbuf_u32(ike_wbuf *w, uint32_t v)
{
	uint8_t *d = ike_wbuf_room(w, 4);
	if (d)
		ike_put_u32(d, v);
}

static inline void ike_wbuf_u64(ike_wbuf *w, uint64_t v)
{
	uint8_t *d = ike_wbuf_room(w, 8);
	if (d)
		ike_put_u64(d, v);
}

#endif
