/* ISAKMP builder: header, linked payload chain, SA/proposal/transform/attributes (RFC 2408 3). Never overflows. */
#include "wire/v1.h"

#define NO_OFF SIZE_MAX
#define ATTR_AF 0x8000

void v1_put_header(uint8_t *d, const v1_header *h)
{
	ike_put_u64(d, h->cky_i);
	ike_put_u64(d + 8, h->cky_r);
	d[16] = h->next_payload;
	d[17] = (uint8_t)((h->major << 4) | (h->minor & 0x0f));
	d[18] = h->exchange;
	d[19] = h->flags;
	ike_put_u32(d + 20, h->msg_id);
	ike_put_u32(d + 24, h->length);
}

void v1_begin(v1_builder *b, uint8_t *buf, size_t cap, const v1_header *h)
{
	b->w = ike_wbuf_make(buf, cap);
	b->hdr_off = 0;
	b->first = V1_PL_NONE;
	b->last_np_off = NO_OFF;
	b->last_off = NO_OFF;
	uint8_t *d = ike_wbuf_room(&b->w, V1_HDR_LEN);
	if (!d)
		return;
	v1_header t = *h;
	t.next_payload = V1_PL_NONE;
	t.length = 0;
	v1_put_header(d, &t);
	b->last_np_off = 16;
}

void v1_begin_chain(v1_builder *b, uint8_t *buf, size_t cap)
{
	b->w = ike_wbuf_make(buf, cap);
	b->hdr_off = SIZE_MAX;
	b->first = V1_PL_NONE;
	b->last_np_off = NO_OFF;
	b->last_off = NO_OFF;
}

/* A generic header linked from the previous payload's Next Payload byte; its offset or NO_OFF. */
static size_t open_pl(v1_builder *b, uint8_t type)
{
	size_t at = b->w.len;
	uint8_t *h = ike_wbuf_room(&b->w, V1_GENERIC_HDR_LEN);
	if (!h)
		return NO_OFF;
	h[0] = V1_PL_NONE;
	h[1] = 0;
	ike_put_u16(h + 2, V1_GENERIC_HDR_LEN);
	if (b->last_np_off != NO_OFF)
		b->w.p[b->last_np_off] = type;
	if (b->first == V1_PL_NONE)
		b->first = type;
	b->last_np_off = at;
	b->last_off = at;
	return at;
}

static void bytes(v1_builder *b, const void *p, size_t n)
{
	if (n && !p) {
		b->w.err = true; /* a NULL source with a length is a caller bug */
		return;
	}
	ike_wbuf_bytes(&b->w, p, n);
}

/* Patches the 16-bit length at at+2 to cover everything written since `at`. */
static void close_at(ike_wbuf *w, size_t at)
{
	if (w->err || at == NO_OFF)
		return;
	size_t n = w->len - at;
	if (n > UINT16_MAX) {
		w->err = true;
		return;
	}
	ike_put_u16(w->p + at + 2, (uint16_t)n);
}

void v1_add_raw(v1_builder *b, uint8_t type, const uint8_t *body, size_t len)
{
	size_t at = open_pl(b, type);
	if (at == NO_OFF)
		return;
	bytes(b, body, len);
	close_at(&b->w, at);
}

size_t v1_last_body(const v1_builder *b)
{
	return b->last_off == NO_OFF ? 0 : b->last_off + V1_GENERIC_HDR_LEN;
}

static void put_attrs(ike_wbuf *w, const v1_attr *a, uint8_t n)
{
	for (uint8_t i = 0; i < n; i++) {
		if (a[i].tv) {
			ike_wbuf_u16(w, (uint16_t)(ATTR_AF | a[i].type));
			ike_wbuf_u16(w, a[i].value);
			continue;
		}
		if (!a[i].data && a[i].len > sizeof(a[i].inl)) {
			w->err = true;
			return;
		}
		ike_wbuf_u16(w, (uint16_t)(a[i].type & 0x7fff));
		ike_wbuf_u16(w, a[i].len);
		ike_wbuf_bytes(w, v1_attr_bytes(&a[i]), a[i].len);
	}
}

static void put_proposal(ike_wbuf *w, const v1_proposal *p, bool last)
{
	size_t at = w->len;
	ike_wbuf_u8(w, last ? V1_PL_NONE : V1_PL_P);
	ike_wbuf_u8(w, 0);
	ike_wbuf_u16(w, 0);
	ike_wbuf_u8(w, p->num);
	ike_wbuf_u8(w, p->protocol);
	ike_wbuf_u8(w, p->spi_size);
	ike_wbuf_u8(w, p->n);
	if (p->spi_size > V1_MAX_SPI || p->n > V1_MAX_TRANSFORMS) {
		w->err = true;
		return;
	}
	ike_wbuf_bytes(w, p->spi, p->spi_size);
	for (uint8_t i = 0; i < p->n; i++) {
		const v1_transform *t = &p->t[i];
		size_t tat = w->len;
		ike_wbuf_u8(w, i + 1 == p->n ? V1_PL_NONE : V1_PL_T);
		ike_wbuf_u8(w, 0);
		ike_wbuf_u16(w, 0);
		ike_wbuf_u8(w, t->num);
		ike_wbuf_u8(w, t->id);
		ike_wbuf_u16(w, 0);
		put_attrs(w, t->attr, t->nattr > V1_MAX_ATTRS ? V1_MAX_ATTRS : t->nattr);
		close_at(w, tat);
	}
	close_at(w, at);
}

void v1_add_sa(v1_builder *b, const v1_sa *sa)
{
	size_t at = open_pl(b, V1_PL_SA);
	if (at == NO_OFF)
		return;
	ike_wbuf_u32(&b->w, sa->doi);
	ike_wbuf_u32(&b->w, sa->situation);
	if (sa->n > V1_MAX_PROPOSALS)
		b->w.err = true;
	for (uint8_t i = 0; i < sa->n && !b->w.err; i++)
		put_proposal(&b->w, &sa->prop[i], i + 1 == sa->n);
	close_at(&b->w, at);
}

void v1_add_ke(v1_builder *b, const uint8_t *data, size_t len) { v1_add_raw(b, V1_PL_KE, data, len); }

void v1_add_id(v1_builder *b, const v1_id *id)
{
	size_t at = open_pl(b, V1_PL_ID);
	if (at == NO_OFF)
		return;
	ike_wbuf_u8(&b->w, id->type);
	ike_wbuf_u8(&b->w, id->protocol);
	ike_wbuf_u16(&b->w, id->port);
	bytes(b, id->data, id->len);
	close_at(&b->w, at);
}

void v1_add_cert(v1_builder *b, uint8_t type, uint8_t encoding, const uint8_t *data, size_t len)
{
	size_t at = open_pl(b, type);
	if (at == NO_OFF)
		return;
	ike_wbuf_u8(&b->w, encoding);
	bytes(b, data, len);
	close_at(&b->w, at);
}

void v1_add_notify(v1_builder *b, const v1_notify *n)
{
	size_t at = open_pl(b, V1_PL_N);
	if (at == NO_OFF)
		return;
	ike_wbuf_u32(&b->w, n->doi);
	ike_wbuf_u8(&b->w, n->protocol);
	ike_wbuf_u8(&b->w, n->spi_size);
	ike_wbuf_u16(&b->w, n->type);
	bytes(b, n->spi, n->spi_size);
	bytes(b, n->data, n->len);
	close_at(&b->w, at);
}

void v1_add_delete(v1_builder *b, const v1_delete *d)
{
	size_t at = open_pl(b, V1_PL_D);
	if (at == NO_OFF)
		return;
	ike_wbuf_u32(&b->w, d->doi);
	ike_wbuf_u8(&b->w, d->protocol);
	ike_wbuf_u8(&b->w, d->spi_size);
	ike_wbuf_u16(&b->w, d->n);
	bytes(b, d->spis, (size_t)d->n * d->spi_size);
	close_at(&b->w, at);
}

void v1_add_natoa(v1_builder *b, uint8_t type, const v1_natoa *oa)
{
	size_t at = open_pl(b, type);
	if (at == NO_OFF)
		return;
	ike_wbuf_u8(&b->w, oa->id_type);
	ike_wbuf_u8(&b->w, 0);
	ike_wbuf_u16(&b->w, 0);
	ike_wbuf_bytes(&b->w, oa->addr, oa->id_type == V1_ID_IPV6_ADDR ? 16 : 4);
	close_at(&b->w, at);
}

void v1_add_cfg(v1_builder *b, const v1_cfg *cfg)
{
	size_t at = open_pl(b, V1_PL_ATTR);
	if (at == NO_OFF)
		return;
	ike_wbuf_u8(&b->w, cfg->type);
	ike_wbuf_u8(&b->w, 0);
	ike_wbuf_u16(&b->w, cfg->identifier);
	put_attrs(&b->w, cfg->attr, cfg->n > V1_MAX_CFG_ATTRS ? V1_MAX_CFG_ATTRS : cfg->n);
	close_at(&b->w, at);
}

size_t v1_finish(v1_builder *b, size_t extra)
{
	if (b->w.err || extra > b->w.cap - b->w.len)
		return 0;
	size_t total = b->w.len + extra;
	if (b->hdr_off == SIZE_MAX)
		return total;
	if (total > UINT32_MAX)
		return 0;
	ike_put_u32(b->w.p + b->hdr_off + 24, (uint32_t)total);
	return total;
}
