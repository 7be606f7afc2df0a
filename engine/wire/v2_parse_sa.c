/* SA payload: proposals, transforms and their attributes (RFC 7296 3.3). */
#include "wire/v2.h"

#define LAST_PROPOSAL 0
#define MORE_PROPOSALS 2
#define LAST_TRANSFORM 0
#define MORE_TRANSFORMS 3
#define ATTR_TV 0x8000
#define ATTR_KEY_LENGTH 14

/* Notes the first attribute we do not understand: transform i is then unacceptable, not malformed (3.3.6). */
static void note_unknown(v2_proposal *p, uint8_t i, uint16_t atype)
{
	if (!v2_attr_unknown(p, i)) {
		p->attr_unknown |= 1u << i;
		p->unknown_attr[i] = atype;
	}
}

/* Attributes of transform i of p; Key Length must use the TV form (3.3.5). */
static v2_status parse_attrs(ike_cur *c, v2_proposal *p, uint8_t i)
{
	v2_transform *t = &p->t[i];
	while (ike_cur_left(c) > 0) {
		uint16_t af_type = ike_cur_u16(c);
		uint16_t v = ike_cur_u16(c);
		if (c->err)
			return V2_INVALID_SYNTAX;
		uint16_t atype = af_type & 0x7fff;
		if (af_type & ATTR_TV) {
			if (atype == ATTR_KEY_LENGTH)
				t->keylen = v;
			else
				note_unknown(p, i, atype);
			continue;
		}
		if (atype == ATTR_KEY_LENGTH || !ike_cur_take(c, v))
			return V2_INVALID_SYNTAX;
		note_unknown(p, i, atype);
	}
	return V2_OK;
}

static v2_status parse_transforms(ike_cur *c, uint8_t count, v2_proposal *p)
{
	uint8_t more = MORE_TRANSFORMS;
	p->n = 0;
	p->attr_unknown = 0;
	memset(p->unknown_attr, 0, sizeof(p->unknown_attr));
	while (more == MORE_TRANSFORMS) {
		more = ike_cur_u8(c);
		(void)ike_cur_u8(c);
		uint16_t tlen = ike_cur_u16(c);
		if (c->err || (more != LAST_TRANSFORM && more != MORE_TRANSFORMS) || tlen < 8)
			return V2_INVALID_SYNTAX;
		const uint8_t *tb = ike_cur_take(c, (size_t)tlen - 4);
		if (!tb)
			return V2_INVALID_SYNTAX;
		if (p->n >= V2_MAX_TRANSFORMS)
			return V2_TOO_MANY;
		v2_transform *t = &p->t[p->n++];
		ike_cur tc = ike_cur_make(tb, (size_t)tlen - 4);
		t->type = ike_cur_u8(&tc);
		(void)ike_cur_u8(&tc);
		t->id = ike_cur_u16(&tc);
		t->keylen = 0;
		v2_status st = parse_attrs(&tc, p, (uint8_t)(p->n - 1));
		if (st != V2_OK)
			return st;
	}
	/* The count field and the transforms must agree, and fill the proposal exactly. */
	if (p->n != count || ike_cur_left(c) != 0)
		return V2_INVALID_SYNTAX;
	return V2_OK;
}

static v2_status parse_proposal(const uint8_t *b, size_t len, v2_proposal *p)
{
	ike_cur c = ike_cur_make(b, len);
	p->num = ike_cur_u8(&c);
	p->protocol = ike_cur_u8(&c);
	p->spi_size = ike_cur_u8(&c);
	uint8_t count = ike_cur_u8(&c);
	/* SPI sizes used by IKE: 0 (IKE_SA_INIT), 4 (AH/ESP), 8 (IKE rekey). */
	if (c.err || (p->spi_size != 0 && p->spi_size != 4 && p->spi_size != 8))
		return V2_INVALID_SYNTAX;
	const uint8_t *spi = ike_cur_take(&c, p->spi_size);
	if (!spi)
		return V2_INVALID_SYNTAX;
	memset(p->spi, 0, sizeof(p->spi));
	if (p->spi_size)
		memcpy(p->spi, spi, p->spi_size);
	if (count == 0)
		return V2_INVALID_SYNTAX;
	return parse_transforms(&c, count, p);
}

v2_status v2_parse_sa(const uint8_t *b, size_t len, v2_sa *out)
{
	if (!out || (!b && len))
		return V2_INVALID_SYNTAX;
	ike_cur c = ike_cur_make(b, len);
	out->n = 0;
	uint8_t more = MORE_PROPOSALS;
	while (more == MORE_PROPOSALS) {
		more = ike_cur_u8(&c);
		(void)ike_cur_u8(&c);
		uint16_t plen = ike_cur_u16(&c);
		if (c.err || (more != LAST_PROPOSAL && more != MORE_PROPOSALS) || plen < 8)
			return V2_INVALID_SYNTAX;
		const uint8_t *pb = ike_cur_take(&c, (size_t)plen - 4);
		if (!pb)
			return V2_INVALID_SYNTAX;
		if (out->n >= V2_MAX_PROPOSALS)
			return V2_TOO_MANY;
		v2_proposal *p = &out->prop[out->n];
		v2_status st = parse_proposal(pb, (size_t)plen - 4, p);
		if (st != V2_OK)
			return st;
		/* 3.3.1: numbers start at 1 and go up by one; a reply carries one proposal with the chosen number. */
		if (p->num == 0 || (out->n > 0 && p->num != out->prop[out->n - 1].num + 1))
			return V2_INVALID_SYNTAX;
		out->n++;
	}
	return ike_cur_left(&c) == 0 ? V2_OK : V2_INVALID_SYNTAX;
}
