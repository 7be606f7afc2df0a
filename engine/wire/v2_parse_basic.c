/* Fixed-prefix payloads: KE, ID, AUTH, Nonce, CERT/CERTREQ (RFC 7296 3.4-3.9). */
#include "wire/v2.h"

v2_status v2_parse_ke(const uint8_t *b, size_t len, v2_ke *out)
{
	/* Group (2) | RESERVED (2) | key exchange data; data length is checked against the group later. */
	if (!out || !b || len < 4)
		return V2_INVALID_SYNTAX;
	out->group = ike_get_u16(b);
	out->data = b + 4;
	out->len = len - 4;
	return V2_OK;
}

v2_status v2_parse_id(const uint8_t *b, size_t len, v2_id *out)
{
	/* ID Type (1) | RESERVED (3) | data; address IDs have a fixed size. */
	if (!out || !b || len < 4)
		return V2_INVALID_SYNTAX;
	out->type = b[0];
	out->data = b + 4;
	out->len = len - 4;
	if (out->type == V2_ID_IPV4_ADDR && out->len != 4)
		return V2_INVALID_SYNTAX;
	if (out->type == V2_ID_IPV6_ADDR && out->len != 16)
		return V2_INVALID_SYNTAX;
	return V2_OK;
}

v2_status v2_parse_auth(const uint8_t *b, size_t len, v2_auth *out)
{
	/* Auth Method (1) | RESERVED (3) | authentication data (never empty). */
	if (!out || !b || len < 5)
		return V2_INVALID_SYNTAX;
	out->method = b[0];
	out->data = b + 4;
	out->len = len - 4;
	return V2_OK;
}

v2_status v2_parse_nonce(const uint8_t *b, size_t len)
{
	/* 3.9: the nonce is between 16 and 256 octets. */
	if (!b || len < 16 || len > 256)
		return V2_INVALID_SYNTAX;
	return V2_OK;
}

v2_status v2_parse_cert(const uint8_t *b, size_t len, v2_cert *out)
{
	/* Encoding (1) | certificate data or CA hashes. */
	if (!out || !b || len < 1)
		return V2_INVALID_SYNTAX;
	out->encoding = b[0];
	out->data = b + 1;
	out->len = len - 1;
	return V2_OK;
}
