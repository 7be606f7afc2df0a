/* Builders for payloads with inner structure: SA, TS, CP, EAP (RFC 7296 3.3, 3.13, 3.15, 3.16). */
#include "wire/v2.h"
#include "wire/v2_build_util.h"

static void put_transform(v2_builder *b, const v2_proposal *p, uint8_t i, bool last)
{
	const v2_transform *t = &p->t[i];
	size_t at = b->w.len;
	ike_wbuf_u8(&b->w, last ? 0 : 3);
	ike_wbuf_u8(&b->w, 0);
	ike_wbuf_u16(&b->w, 0); /* patched below */
	ike_wbuf_u8(&b->w, t->type);
	ike_wbuf_u8(&b->w, 0);
	ike_wbuf_u16(&b->w, t->id);
	if (t->keylen) {
		ike_wbuf_u16(&b->w, 0x8000 | 14); /* Key Length, TV form (3.3.5) */
		ike_wbuf_u16(&b->w, t->keylen);
	}
	/* Tests and the fuzzer's round trip write an attribute we do not understand back (TV form, value 0). */
	if (v2_attr_unknown(p, i) && p->unknown_attr[i] != 14) {
		ike_wbuf_u16(&b->w, (uint16_t)(0x8000 | p->unknown_attr[i]));
		ike_wbuf_u16(&b->w, 0);
	}
	v2b_close16(b, at, 2);
}

static void put_proposal(v2_builder *b, const v2_proposal *p, bool last)
{
	if (p->spi_size > sizeof(p->spi) || p->n > V2_MAX_TRANSFORMS) {
		b->w.err = true;
		return;
	}
	size_t at = b->w.len;
	ike_wbuf_u8(&b->w, last ? 0 : 2);
	ike_wbuf_u8(&b->w, 0);
	ike_wbuf_u16(&b->w, 0);
	ike_wbuf_u8(&b->w, p->num);
	ike_wbuf_u8(&b->w, p->protocol);
	ike_wbuf_u8(&b->w, p->spi_size);
	ike_wbuf_u8(&b->w, p->n);
	v2b_bytes(b, p->spi, p->spi_size);
	for (uint8_t i = 0; i < p->n; i++)
		put_transform(b, p, i, i + 1 == p->n);
	v2b_close16(b, at, 2);
}

void v2_add_sa(v2_builder *b, const v2_sa *sa)
{
	size_t at = v2b_open(b, V2_PL_SA, false);
	if (at == V2_NO_OFF)
		return;
	if (sa->n > V2_MAX_PROPOSALS)
		b->w.err = true;
	for (uint8_t i = 0; i < sa->n && !b->w.err; i++)
		put_proposal(b, &sa->prop[i], i + 1 == sa->n);
	v2b_close(b, at);
}

void v2_add_ts(v2_builder *b, uint8_t pl_type, const v2_ts_list *ts)
{
	size_t at = v2b_open(b, pl_type, false);
	if (at == V2_NO_OFF)
		return;
	if (ts->n > V2_MAX_TS)
		b->w.err = true;
	ike_wbuf_u8(&b->w, ts->n);
	v2b_bytes(b, (const uint8_t[3]){ 0, 0, 0 }, 3);
	for (uint8_t i = 0; i < ts->n && !b->w.err; i++) {
		const v2_ts *t = &ts->ts[i];
		size_t alen = t->type == V2_TS_IPV4_ADDR_RANGE ? 4 : t->type == V2_TS_IPV6_ADDR_RANGE ? 16 : 0;
		if (!alen) {
			/* A type we do not know is written back as parsed (header, raw bytes); without them it cannot be. */
			if (!t->raw || t->raw_len > 0xffff - 4) {
				b->w.err = true;
				return;
			}
			ike_wbuf_u8(&b->w, t->type);
			ike_wbuf_u8(&b->w, t->ip_proto);
			ike_wbuf_u16(&b->w, (uint16_t)(4 + t->raw_len));
			v2b_bytes(b, t->raw, t->raw_len);
			continue;
		}
		ike_wbuf_u8(&b->w, t->type);
		ike_wbuf_u8(&b->w, t->ip_proto);
		ike_wbuf_u16(&b->w, (uint16_t)(8 + 2 * alen));
		ike_wbuf_u16(&b->w, t->start_port);
		ike_wbuf_u16(&b->w, t->end_port);
		v2b_bytes(b, t->start, alen);
		v2b_bytes(b, t->end, alen);
	}
	v2b_close(b, at);
}

void v2_add_cp(v2_builder *b, const v2_cp *cp)
{
	size_t at = v2b_open(b, V2_PL_CP, false);
	if (at == V2_NO_OFF)
		return;
	if (cp->n > V2_MAX_CP_ATTRS)
		b->w.err = true;
	ike_wbuf_u8(&b->w, cp->type);
	v2b_bytes(b, (const uint8_t[3]){ 0, 0, 0 }, 3);
	for (uint8_t i = 0; i < cp->n && !b->w.err; i++) {
		ike_wbuf_u16(&b->w, cp->attr[i].type & 0x7fff);
		ike_wbuf_u16(&b->w, cp->attr[i].len);
		v2b_bytes(b, cp->attr[i].data, cp->attr[i].len);
	}
	v2b_close(b, at);
}

void v2_add_eap(v2_builder *b, const v2_eap *eap)
{
	size_t at = v2b_open(b, V2_PL_EAP, false);
	if (at == V2_NO_OFF)
		return;
	/* Success/Failure are 4 bytes; Request/Response carry a type and data; Length is computed here. */
	bool typed = eap->code == 1 || eap->code == 2;
	ike_wbuf_u8(&b->w, eap->code);
	ike_wbuf_u8(&b->w, eap->id);
	ike_wbuf_u16(&b->w, 0);
	if (typed) {
		ike_wbuf_u8(&b->w, eap->type);
		v2b_bytes(b, eap->data, eap->len);
	}
	v2b_close16(b, at + V2_GENERIC_HDR_LEN, 2);
	v2b_close(b, at);
}
