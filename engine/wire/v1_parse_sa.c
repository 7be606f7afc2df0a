/* SA payload: DOI, situation, proposals, transforms and data attributes (RFC 2408 3.4-3.6, 3.3; RFC 2407 4.6.1). */
#include "wire/v1.h"

#define ATTR_AF 0x8000
#define SIT_SECRECY 2
#define SIT_INTEGRITY 4

static v1_status fail(v1_err *err, v1_status st, size_t off, const char *what)
{
	if (err) {
		err->st = st;
		err->off = off;
		err->what = what;
	}
	return st;
}

v1_attr v1_attr_tv(uint16_t type, uint16_t value)
{
	v1_attr a = { .type = type & 0x7fff, .tv = true, .value = value };
	return a;
}

v1_attr v1_attr_var(uint16_t type, uint64_t v, uint8_t bytes)
{
	v1_attr a = { .type = type & 0x7fff, .tv = false };
	uint8_t need = 1;
	while (need < 8 && (v >> (8 * need)))
		need++;
	if (bytes < need)
		bytes = need;
	if (bytes > 8)
		bytes = 8;
	a.len = bytes;
	for (uint8_t i = 0; i < bytes; i++)
		a.inl[bytes - 1 - i] = (uint8_t)(v >> (8 * i));
	return a;
}

bool v1_tr_add(v1_transform *t, v1_attr a)
{
	if (t->nattr >= V1_MAX_ATTRS)
		return false;
	t->attr[t->nattr++] = a;
	return true;
}

bool v1_attr_u64(const v1_attr *a, uint64_t *v)
{
	*v = 0;
	if (a->tv) {
		*v = a->value;
		return true;
	}
	const uint8_t *p = v1_attr_bytes(a);
	if (a->len == 0)
		return false;
	for (uint16_t i = 0; i < a->len; i++) {
		if ((*v >> 56) != 0)
			return false; /* more than 64 significant bits */
		*v = (*v << 8) | p[i];
	}
	return true;
}

/* Data attributes filling buf[0..len) (base = offset of buf). */
static v1_status parse_attrs(const uint8_t *buf, size_t len, size_t base, v1_attr *out, uint8_t max, uint8_t *n,
			     v1_err *err)
{
	ike_cur c = ike_cur_make(buf, len);
	*n = 0;
	while (ike_cur_left(&c) > 0) {
		size_t at = c.off;
		uint16_t af_type = ike_cur_u16(&c);
		uint16_t v = ike_cur_u16(&c);
		if (c.err)
			return fail(err, V1_MALFORMED, base + at, "attribute: truncated header");
		if (*n >= max)
			return fail(err, V1_TOO_MANY, base + at, "attribute: more than this decoder holds");
		v1_attr *a = &out[(*n)++];
		*a = (v1_attr){ .type = af_type & 0x7fff, .tv = (af_type & ATTR_AF) != 0 };
		if (a->tv) {
			a->value = v;
			continue;
		}
		a->len = v;
		a->data = ike_cur_take(&c, v);
		if (!a->data)
			return fail(err, V1_MALFORMED, base + at + 2, "attribute: Length runs past the transform");
	}
	return V1_OK;
}

/* One transform payload at c (its generic header included); np receives its Next Payload. */
static v1_status parse_transform(ike_cur *c, size_t base, v1_transform *t, uint8_t *np, v1_err *err)
{
	size_t at = c->off;
	*np = ike_cur_u8(c);
	(void)ike_cur_u8(c);
	uint16_t tlen = ike_cur_u16(c);
	if (c->err)
		return fail(err, V1_BAD_PROPOSAL, base + at, "transform: truncated header");
	if (*np != V1_PL_NONE && *np != V1_PL_T)
		return fail(err, V1_BAD_PROPOSAL, base + at, "transform: Next Payload is neither 0 nor 3");
	if (tlen < 8)
		return fail(err, V1_BAD_PROPOSAL, base + at + 2, "transform: Payload Length below 8");
	const uint8_t *tb = ike_cur_take(c, (size_t)tlen - 4);
	if (!tb)
		return fail(err, V1_BAD_PROPOSAL, base + at + 2, "transform: Payload Length runs past the proposal");
	t->num = tb[0];
	t->id = tb[1];
	return parse_attrs(tb + 4, (size_t)tlen - 8, base + at + 8, t->attr, V1_MAX_ATTRS, &t->nattr, err);
}

static v1_status parse_proposal(ike_cur *c, size_t base, v1_proposal *p, uint8_t *np, v1_err *err)
{
	size_t at = c->off;
	*np = ike_cur_u8(c);
	(void)ike_cur_u8(c);
	uint16_t plen = ike_cur_u16(c);
	if (c->err)
		return fail(err, V1_BAD_PROPOSAL, base + at, "proposal: truncated header");
	if (*np != V1_PL_NONE && *np != V1_PL_P)
		return fail(err, V1_BAD_PROPOSAL, base + at, "proposal: Next Payload is neither 0 nor 2");
	if (plen < 8)
		return fail(err, V1_BAD_PROPOSAL, base + at + 2, "proposal: Payload Length below 8");
	const uint8_t *pb = ike_cur_take(c, (size_t)plen - 4);
	if (!pb)
		return fail(err, V1_BAD_PROPOSAL, base + at + 2, "proposal: Payload Length runs past the SA");
	ike_cur pc = ike_cur_make(pb, (size_t)plen - 4);
	size_t pbase = base + at + 4;
	p->num = ike_cur_u8(&pc);
	p->protocol = ike_cur_u8(&pc);
	p->spi_size = ike_cur_u8(&pc);
	uint8_t ntr = ike_cur_u8(&pc);
	if (p->spi_size > V1_MAX_SPI)
		return fail(err, V1_BAD_PROPOSAL, pbase + 2, "proposal: SPI Size above 16");
	const uint8_t *spi = ike_cur_take(&pc, p->spi_size);
	if (!spi)
		return fail(err, V1_BAD_PROPOSAL, pbase + 2, "proposal: SPI runs past the proposal");
	memcpy(p->spi, spi, p->spi_size);
	if (ntr == 0)
		return fail(err, V1_BAD_PROPOSAL, pbase + 3, "proposal: no transforms");
	if (ntr > V1_MAX_TRANSFORMS)
		return fail(err, V1_TOO_MANY, pbase + 3, "proposal: more transforms than this decoder holds");
	p->n = 0;
	uint8_t tnp = V1_PL_T;
	while (tnp == V1_PL_T) {
		if (p->n >= ntr)
			return fail(err, V1_BAD_PROPOSAL, pbase + pc.off, "proposal: more transforms than # Transforms");
		v1_status st = parse_transform(&pc, pbase, &p->t[p->n], &tnp, err);
		if (st)
			return st;
		p->n++;
	}
	if (p->n != ntr)
		return fail(err, V1_BAD_PROPOSAL, pbase + 3, "proposal: # Transforms does not match the transforms");
	if (ike_cur_left(&pc))
		return fail(err, V1_BAD_PROPOSAL, pbase + pc.off, "proposal: bytes after the last transform");
	return V1_OK;
}

v1_status v1_parse_sa(const uint8_t *b, size_t len, size_t base, v1_sa *out, v1_err *err)
{
	ike_cur c = ike_cur_make(b, len);
	out->doi = ike_cur_u32(&c);
	if (c.err)
		return fail(err, V1_MALFORMED, base, "SA: no DOI");
	if (out->doi != V1_DOI_IPSEC)
		return fail(err, V1_DOI_UNSUPPORTED, base, "SA: DOI is not IPsec (1)");
	out->situation = ike_cur_u32(&c);
	if (c.err)
		return fail(err, V1_MALFORMED, base + 4, "SA: no Situation");
	/* Secrecy/integrity situations add labelled-domain fields (2407 4.6.1) nobody deploys. */
	if (out->situation & (SIT_SECRECY | SIT_INTEGRITY))
		return fail(err, V1_SIT_UNSUPPORTED, base + 4, "SA: only SIT_IDENTITY_ONLY is supported");
	out->n = 0;
	uint8_t np = V1_PL_P;
	while (np == V1_PL_P) {
		if (out->n >= V1_MAX_PROPOSALS)
			return fail(err, V1_TOO_MANY, base + c.off, "SA: more proposals than this decoder holds");
		v1_status st = parse_proposal(&c, base, &out->prop[out->n], &np, err);
		if (st)
			return st;
		out->n++;
	}
	if (ike_cur_left(&c))
		return fail(err, V1_MALFORMED, base + c.off, "SA: bytes after the last proposal");
	return V1_OK;
}

v1_status v1_parse_cfg(const uint8_t *b, size_t len, size_t base, v1_cfg *out, v1_err *err)
{
	if (len < 4)
		return fail(err, V1_MALFORMED, base, "ATTR: shorter than 4 bytes");
	out->type = b[0];
	out->identifier = ike_get_u16(b + 2);
	return parse_attrs(b + 4, len - 4, base + 4, out->attr, V1_MAX_CFG_ATTRS, &out->n, err);
}
