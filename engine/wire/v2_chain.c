/* Payload chain splitting (RFC 7296 3.2, 2.5; RFC 7383 2.5 for SKF). */
#include "wire/v2.h"

bool v2_payload_known(uint8_t type)
{
	return (type >= V2_PL_SA && type <= V2_PL_EAP) || type == V2_PL_SKF;
}

v2_status v2_parse_chain(uint8_t first, const uint8_t *buf, size_t len, size_t base_offset, v2_chain *out,
			 uint8_t *bad_type)
{
	if (!out || (!buf && len))
		return V2_INVALID_SYNTAX;
	out->n = 0;
	out->sk_inner_first = 0;
	ike_cur c = ike_cur_make(buf, len);
	uint8_t type = first;
	while (type != V2_PL_NONE) {
		size_t at = c.off;
		uint8_t next = ike_cur_u8(&c);
		uint8_t flags = ike_cur_u8(&c);
		uint16_t plen = ike_cur_u16(&c);
		if (c.err || plen < V2_GENERIC_HDR_LEN)
			return V2_INVALID_SYNTAX;
		const uint8_t *body = ike_cur_take(&c, (size_t)plen - V2_GENERIC_HDR_LEN);
		if (c.err)
			return V2_INVALID_SYNTAX; /* payload runs past the end of the chain */
		bool critical = (flags & 0x80) != 0;
		/* Reserved bits are ignored on receipt (3.2); the C bit matters only for unknown types (2.5). */
		if (!v2_payload_known(type) && critical) {
			if (bad_type)
				*bad_type = type;
			return V2_UNSUPPORTED_CRITICAL;
		}
		if (out->n >= V2_MAX_PAYLOADS || base_offset + at > UINT16_MAX)
			return V2_TOO_MANY;
		v2_payload *p = &out->pl[out->n++];
		p->type = type;
		p->critical = critical;
		p->offset = (uint16_t)(base_offset + at);
		p->body = body;
		p->len = (uint16_t)(plen - V2_GENERIC_HDR_LEN);
		if (type == V2_PL_SK || type == V2_PL_SKF) {
			/* Encrypted payloads end the outer chain; their Next Payload names the inner first one. */
			if (ike_cur_left(&c) != 0)
				return V2_INVALID_SYNTAX;
			out->sk_inner_first = next;
			return V2_OK;
		}
		type = next;
	}
	return ike_cur_left(&c) == 0 ? V2_OK : V2_INVALID_SYNTAX;
}

const v2_payload *v2_chain_find(const v2_chain *c, uint8_t type)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (c->pl[i].type == type)
			return &c->pl[i];
	return NULL;
}

uint16_t v2_chain_first_error(const v2_chain *c)
{
	for (size_t i = 0; c && i < c->n; i++) {
		v2_notify n;
		if (c->pl[i].type == V2_PL_NOTIFY && v2_parse_notify(c->pl[i].body, c->pl[i].len, &n) == V2_OK &&
		    n.type < V2_N_ERROR_MAX)
			return n.type;
	}
	return 0;
}

const v2_payload *v2_chain_find_notify(const v2_chain *c, uint16_t notify_type)
{
	for (size_t i = 0; c && i < c->n; i++) {
		const v2_payload *p = &c->pl[i];
		if (p->type == V2_PL_NOTIFY && p->len >= 4 && ike_get_u16(p->body + 2) == notify_type)
			return p;
	}
	return NULL;
}
