/* Traffic Selector payloads TSi/TSr (RFC 7296 3.13). */
#include "wire/v2.h"

/* Selector length fixed by the TS type: 8 header/port bytes plus two addresses; 0 for types we do not know. */
static size_t selector_len(uint8_t type)
{
	switch (type) {
	case V2_TS_IPV4_ADDR_RANGE:
		return 8 + 2 * 4;
	case V2_TS_IPV6_ADDR_RANGE:
		return 8 + 2 * 16;
	default:
		return 0;
	}
}

/*
 * A selector of a type we do not know (RFC 9478's TS_SECLABEL, say) is kept as a view of its bytes: it is
 * not an error, policy skips it and narrows with the others. Its length must still cover its own header.
 */
static v2_status unknown_selector(ike_cur *c, uint16_t slen, v2_ts *t)
{
	if (slen < 4)
		return V2_INVALID_SYNTAX;
	t->raw_len = (uint16_t)(slen - 4);
	t->raw = ike_cur_take(c, t->raw_len);
	if (c->err)
		return V2_INVALID_SYNTAX;
	return V2_OK;
}

v2_status v2_parse_ts(const uint8_t *b, size_t len, v2_ts_list *out)
{
	if (!out || (!b && len))
		return V2_INVALID_SYNTAX;
	ike_cur c = ike_cur_make(b, len);
	out->n = 0;
	uint8_t count = ike_cur_u8(&c);
	(void)ike_cur_take(&c, 3);
	if (c.err || count == 0)
		return V2_INVALID_SYNTAX;
	if (count > V2_MAX_TS)
		return V2_TOO_MANY;
	for (uint8_t i = 0; i < count; i++) {
		v2_ts *t = &out->ts[i];
		memset(t, 0, sizeof(*t));
		t->type = ike_cur_u8(&c);
		t->ip_proto = ike_cur_u8(&c);
		uint16_t slen = ike_cur_u16(&c);
		size_t want = selector_len(t->type);
		if (c.err)
			return V2_INVALID_SYNTAX;
		if (want == 0) {
			if (unknown_selector(&c, slen, t) != V2_OK)
				return V2_INVALID_SYNTAX;
			out->n = (uint8_t)(i + 1);
			continue;
		}
		/* A type we know must have its exact length. */
		if (slen != want)
			return V2_INVALID_SYNTAX;
		t->start_port = ike_cur_u16(&c);
		t->end_port = ike_cur_u16(&c);
		size_t alen = (want - 8) / 2;
		const uint8_t *s = ike_cur_take(&c, alen);
		const uint8_t *e = ike_cur_take(&c, alen);
		if (c.err)
			return V2_INVALID_SYNTAX;
		memcpy(t->start, s, alen);
		memcpy(t->end, e, alen);
		out->n = (uint8_t)(i + 1);
	}
	return ike_cur_left(&c) == 0 ? V2_OK : V2_INVALID_SYNTAX;
}
