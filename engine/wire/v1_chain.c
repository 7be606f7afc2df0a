/* ISAKMP header and payload chain splitting (RFC 2408 3.1, 3.2, 5.1), with error offsets. */
#include "wire/v1.h"

/* Records the first error only: the earliest cause is the one worth reporting. */
static v1_status fail(v1_err *err, v1_status st, size_t off, const char *what)
{
	if (err) {
		err->st = st;
		err->off = off;
		err->what = what;
	}
	return st;
}

uint16_t v1_status_notify(v1_status st)
{
	switch (st) {
	case V1_OK: return 0;
	case V1_BAD_PAYLOAD_TYPE: return V1_N_INVALID_PAYLOAD_TYPE;
	case V1_BAD_VERSION: return V1_N_INVALID_MAJOR_VERSION;
	case V1_BAD_PROPOSAL: return V1_N_BAD_PROPOSAL_SYNTAX;
	case V1_DOI_UNSUPPORTED: return V1_N_DOI_NOT_SUPPORTED;
	case V1_SIT_UNSUPPORTED: return V1_N_SITUATION_NOT_SUPPORTED;
	case V1_ATTR_UNSUPPORTED: return V1_N_ATTRIBUTES_NOT_SUPPORTED;
	case V1_BAD_ID: return V1_N_INVALID_ID_INFORMATION;
	default: return V1_N_PAYLOAD_MALFORMED;
	}
}

const char *v1_status_name(v1_status st)
{
	static const char *const names[] = { "ok", "drop", "malformed", "invalid payload type", "bad version",
					     "too many", "bad proposal syntax", "DOI not supported",
					     "situation not supported", "attributes not supported", "invalid ID" };
	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

v1_status v1_parse_header(const uint8_t *msg, size_t len, v1_header *h, v1_err *err)
{
	if (!msg || !h || len < V1_HDR_LEN)
		return fail(err, V1_DROP, len, "header: shorter than 28 bytes");
	ike_cur c = ike_cur_make(msg, len);
	h->cky_i = ike_cur_u64(&c);
	h->cky_r = ike_cur_u64(&c);
	h->next_payload = ike_cur_u8(&c);
	uint8_t ver = ike_cur_u8(&c);
	h->major = ver >> 4;
	h->minor = ver & 0x0f;
	h->exchange = ike_cur_u8(&c);
	h->flags = ike_cur_u8(&c);
	h->msg_id = ike_cur_u32(&c);
	h->length = ike_cur_u32(&c);
	if (h->major != 1)
		return fail(err, V1_BAD_VERSION, 17, "header: major version is not 1");
	if (h->length < V1_HDR_LEN || h->length > len)
		return fail(err, V1_DROP, 24, "header: Length below 28 or beyond the datagram");
	return V1_OK;
}

bool v1_payload_known(uint8_t type)
{
	return type == V1_PL_SA || (type >= V1_PL_KE && type <= V1_PL_ATTR) || type == V1_PL_NATD ||
	       type == V1_PL_NATOA || type >= 128;
}

v1_status v1_parse_chain(uint8_t first, const uint8_t *buf, size_t len, size_t base, bool trailing_ok,
			 v1_chain *out, v1_err *err)
{
	if (!out || (!buf && len))
		return fail(err, V1_MALFORMED, base, "chain: no buffer");
	out->n = 0;
	out->pad = 0;
	ike_cur c = ike_cur_make(buf, len);
	uint8_t type = first;
	size_t prev_at = 0; /* the Next Payload byte naming `type` (for the first: reported at base) */
	while (type != V1_PL_NONE) {
		size_t at = c.off;
		if (!v1_payload_known(type)) {
			if (err)
				err->bad_type = type;
			return fail(err, V1_BAD_PAYLOAD_TYPE, base + prev_at,
				    "chain: Next Payload names a type not allowed here");
		}
		prev_at = at;
		uint8_t next = ike_cur_u8(&c);
		uint8_t reserved = ike_cur_u8(&c);
		uint16_t plen = ike_cur_u16(&c);
		if (c.err)
			return fail(err, V1_MALFORMED, base + at, "chain: truncated generic payload header");
		if (plen < V1_GENERIC_HDR_LEN)
			return fail(err, V1_MALFORMED, base + at + 2, "chain: Payload Length below 4");
		const uint8_t *body = ike_cur_take(&c, (size_t)plen - V1_GENERIC_HDR_LEN);
		if (!body)
			return fail(err, V1_MALFORMED, base + at + 2, "chain: Payload Length runs past the message");
		if (out->n >= V1_MAX_PAYLOADS || base + at > UINT16_MAX)
			return fail(err, V1_TOO_MANY, base + at, "chain: more payloads than this decoder holds");
		v1_payload *p = &out->pl[out->n++];
		p->type = type;
		p->reserved = reserved;
		p->offset = (uint16_t)(base + at);
		p->body = body;
		p->len = (uint16_t)(plen - V1_GENERIC_HDR_LEN);
		type = next;
	}
	size_t left = ike_cur_left(&c);
	if (left && !trailing_ok)
		return fail(err, V1_MALFORMED, base + c.off, "chain: bytes after the last payload");
	out->pad = left;
	return V1_OK;
}

const v1_payload *v1_chain_find_nth(const v1_chain *c, uint8_t type, unsigned nth)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (c->pl[i].type == type && nth-- == 0)
			return &c->pl[i];
	return NULL;
}

const v1_payload *v1_chain_find(const v1_chain *c, uint8_t type) { return v1_chain_find_nth(c, type, 0); }

const v1_payload *v1_chain_find_notify(const v1_chain *c, uint16_t notify_type)
{
	for (size_t i = 0; c && i < c->n; i++) {
		const v1_payload *p = &c->pl[i];
		/* Notify body: DOI(4) Protocol(1) SPI Size(1) Type(2) */
		if (p->type == V1_PL_N && p->len >= 8 && ike_get_u16(p->body + 6) == notify_type)
			return p;
	}
	return NULL;
}
