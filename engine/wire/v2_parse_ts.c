/* Traffic Selector payloads TSi/TSr (RFC 7296 3.13). */
#include "wire/v2.h"

/* Selector length fixed by the TS type: 8 header/port bytes plus two addresses. */
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
		t->type = ike_cur_u8(&c);
		t->ip_proto = ike_cur_u8(&c);
		uint16_t slen = ike_cur_u16(&c);
		size_t want = selector_len(t->type);
		/* Unknown selector types cannot be represented; their length must still match ours. */
		if (c.err || want == 0 || slen != want)
			return V2_INVALID_SYNTAX;
		t->start_port = ike_cur_u16(&c);
		t->end_port = ike_cur_u16(&c);
		size_t alen = (want - 8) / 2;
		const uint8_t *s = ike_cur_take(&c, alen);
		const uint8_t *e = ike_cur_take(&c, alen);
		if (c.err)
			return V2_INVALID_SYNTAX;
		memset(t->start, 0, sizeof(t->start));
		memset(t->end, 0, sizeof(t->end));
		memcpy(t->start, s, alen);
		memcpy(t->end, e, alen);
		out->n = (uint8_t)(i + 1);
	}
	return ike_cur_left(&c) == 0 ? V2_OK : V2_INVALID_SYNTAX;
}
