/* Configuration and EAP payloads (RFC 7296 3.15-3.16); SKF lives in v2_frag.c. */
#include "wire/v2.h"

v2_status v2_parse_cp(const uint8_t *b, size_t len, v2_cp *out)
{
	if (!out || !b || len < 4)
		return V2_INVALID_SYNTAX;
	ike_cur c = ike_cur_make(b, len);
	out->type = ike_cur_u8(&c);
	(void)ike_cur_take(&c, 3);
	out->n = 0;
	/* Attributes: R bit | type (15) | length (2) | value; they must fill the payload. */
	while (ike_cur_left(&c) > 0) {
		uint16_t type = ike_cur_u16(&c) & 0x7fff;
		uint16_t alen = ike_cur_u16(&c);
		const uint8_t *v = ike_cur_take(&c, alen);
		if (c.err)
			return V2_INVALID_SYNTAX;
		if (out->n >= V2_MAX_CP_ATTRS)
			return V2_TOO_MANY;
		out->attr[out->n].type = type;
		out->attr[out->n].data = v;
		out->attr[out->n].len = alen;
		out->n++;
	}
	return V2_OK;
}

#define EAP_REQUEST 1
#define EAP_RESPONSE 2
#define EAP_SUCCESS 3
#define EAP_FAILURE 4

v2_status v2_parse_eap(const uint8_t *b, size_t len, v2_eap *out)
{
	if (!out || !b || len < 4)
		return V2_INVALID_SYNTAX;
	out->code = b[0];
	out->id = b[1];
	out->length = ike_get_u16(b + 2);
	/* RFC 3748 4: the EAP Length covers the whole EAP message, which is the whole payload body. */
	if (out->length != len)
		return V2_INVALID_SYNTAX;
	switch (out->code) {
	case EAP_REQUEST:
	case EAP_RESPONSE:
		if (len < 5)
			return V2_INVALID_SYNTAX;
		out->type = b[4];
		out->data = b + 5;
		out->len = len - 5;
		return V2_OK;
	case EAP_SUCCESS:
	case EAP_FAILURE:
		if (len != 4)
			return V2_INVALID_SYNTAX;
		out->type = 0;
		out->data = NULL;
		out->len = 0;
		return V2_OK;
	default:
		return V2_INVALID_SYNTAX;
	}
}
