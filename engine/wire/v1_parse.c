/* The small ISAKMP payloads: KE, ID, CERT/CR, HASH/SIG/Nonce/VID/NAT-D, Notify, Delete, NAT-OA (RFC 2408 3.7-3.16). */
#include "wire/v1.h"

#define NONCE_MIN 8
#define NONCE_MAX 256

static v1_status fail(v1_err *err, v1_status st, size_t off, const char *what)
{
	if (err) {
		err->st = st;
		err->off = off;
		err->what = what;
	}
	return st;
}

v1_status v1_parse_ke(const uint8_t *b, size_t len, size_t base, v1_data *out, v1_err *err)
{
	return v1_parse_data(V1_PL_KE, b, len, base, out, err);
}

v1_status v1_parse_data(uint8_t type, const uint8_t *b, size_t len, size_t base, v1_data *out, v1_err *err)
{
	out->data = b;
	out->len = len;
	if (type == V1_PL_NONCE && (len < NONCE_MIN || len > NONCE_MAX))
		return fail(err, V1_MALFORMED, base, "Nonce: not 8..256 bytes (RFC 2409 5)");
	if (len == 0)
		return fail(err, V1_MALFORMED, base, "payload: empty body");
	return V1_OK;
}

/* Address-bearing ID types need exactly their address bytes (RFC 2407 4.6.2.1). */
static size_t id_fixed_len(uint8_t type)
{
	switch (type) {
	case V1_ID_IPV4_ADDR: return 4;
	case V1_ID_IPV4_ADDR_SUBNET:
	case V1_ID_IPV4_ADDR_RANGE: return 8;
	case V1_ID_IPV6_ADDR: return 16;
	case V1_ID_IPV6_ADDR_SUBNET:
	case V1_ID_IPV6_ADDR_RANGE: return 32;
	default: return 0;
	}
}

v1_status v1_parse_id(const uint8_t *b, size_t len, size_t base, v1_id *out, v1_err *err)
{
	if (len < 4)
		return fail(err, V1_MALFORMED, base, "ID: shorter than 4 bytes");
	out->type = b[0];
	out->protocol = b[1];
	out->port = ike_get_u16(b + 2);
	out->data = b + 4;
	out->len = len - 4;
	if (out->type < V1_ID_IPV4_ADDR || out->type > V1_ID_KEY_ID)
		return fail(err, V1_BAD_ID, base, "ID: unknown ID Type");
	size_t want = id_fixed_len(out->type);
	if (want && out->len != want)
		return fail(err, V1_BAD_ID, base + 4, "ID: address length does not fit the ID Type");
	if (!want && out->len == 0)
		return fail(err, V1_BAD_ID, base + 4, "ID: empty identification data");
	return V1_OK;
}

v1_status v1_parse_cert(const uint8_t *b, size_t len, size_t base, v1_cert *out, v1_err *err)
{
	if (len < 1)
		return fail(err, V1_MALFORMED, base, "CERT: no encoding byte");
	out->encoding = b[0];
	out->data = b + 1;
	out->len = len - 1;
	return V1_OK;
}

v1_status v1_parse_notify(const uint8_t *b, size_t len, size_t base, v1_notify *out, v1_err *err)
{
	ike_cur c = ike_cur_make(b, len);
	out->doi = ike_cur_u32(&c);
	out->protocol = ike_cur_u8(&c);
	out->spi_size = ike_cur_u8(&c);
	out->type = ike_cur_u16(&c);
	if (c.err)
		return fail(err, V1_MALFORMED, base, "N: shorter than 8 bytes");
	if (out->doi != V1_DOI_ISAKMP && out->doi != V1_DOI_IPSEC)
		return fail(err, V1_DOI_UNSUPPORTED, base, "N: DOI is neither 0 nor 1");
	if (out->spi_size > V1_MAX_SPI)
		return fail(err, V1_MALFORMED, base + 5, "N: SPI Size above 16");
	out->spi = ike_cur_take(&c, out->spi_size);
	if (!out->spi)
		return fail(err, V1_MALFORMED, base + 5, "N: SPI runs past the payload");
	out->len = ike_cur_left(&c);
	out->data = out->len ? ike_cur_take(&c, out->len) : NULL;
	return V1_OK;
}

v1_status v1_parse_delete(const uint8_t *b, size_t len, size_t base, v1_delete *out, v1_err *err)
{
	ike_cur c = ike_cur_make(b, len);
	out->doi = ike_cur_u32(&c);
	out->protocol = ike_cur_u8(&c);
	out->spi_size = ike_cur_u8(&c);
	out->n = ike_cur_u16(&c);
	if (c.err)
		return fail(err, V1_MALFORMED, base, "D: shorter than 8 bytes");
	if (out->doi != V1_DOI_ISAKMP && out->doi != V1_DOI_IPSEC)
		return fail(err, V1_DOI_UNSUPPORTED, base, "D: DOI is neither 0 nor 1");
	if (out->spi_size == 0 || out->spi_size > V1_MAX_SPI)
		return fail(err, V1_MALFORMED, base + 5, "D: SPI Size not 1..16");
	if (out->n == 0 || out->n > V1_MAX_DELETE_SPIS)
		return fail(err, out->n ? V1_TOO_MANY : V1_MALFORMED, base + 6, "D: # of SPIs not 1..64");
	if ((size_t)out->n * out->spi_size != ike_cur_left(&c))
		return fail(err, V1_MALFORMED, base + 6, "D: # of SPIs x SPI Size differs from the payload");
	out->spis = c.p + c.off;
	return V1_OK;
}

v1_status v1_parse_natoa(const uint8_t *b, size_t len, size_t base, v1_natoa *out, v1_err *err)
{
	if (len < 4)
		return fail(err, V1_MALFORMED, base, "NAT-OA: shorter than 4 bytes");
	out->id_type = b[0];
	memset(out->addr, 0, sizeof(out->addr));
	size_t alen = out->id_type == V1_ID_IPV4_ADDR ? 4 : out->id_type == V1_ID_IPV6_ADDR ? 16 : 0;
	if (!alen)
		return fail(err, V1_BAD_ID, base, "NAT-OA: ID Type is neither IPV4_ADDR nor IPV6_ADDR");
	if (len != 4 + alen)
		return fail(err, V1_MALFORMED, base + 4, "NAT-OA: address length does not fit the ID Type");
	memcpy(out->addr, b + 4, alen);
	return V1_OK;
}

v1_status v1_parse_payload(const v1_payload *p, v1_err *err)
{
	union {
		v1_sa sa;
		v1_data d;
		v1_id id;
		v1_cert cert;
		v1_notify n;
		v1_delete del;
		v1_natoa oa;
		v1_cfg cfg;
	} u;
	size_t base = (size_t)p->offset + V1_GENERIC_HDR_LEN;
	switch (p->type) {
	case V1_PL_SA: return v1_parse_sa(p->body, p->len, base, &u.sa, err);
	case V1_PL_ID: return v1_parse_id(p->body, p->len, base, &u.id, err);
	case V1_PL_CERT:
	case V1_PL_CR: return v1_parse_cert(p->body, p->len, base, &u.cert, err);
	case V1_PL_N: return v1_parse_notify(p->body, p->len, base, &u.n, err);
	case V1_PL_D: return v1_parse_delete(p->body, p->len, base, &u.del, err);
	case V1_PL_NATOA:
	case V1_PL_NATOA_DRAFT: return v1_parse_natoa(p->body, p->len, base, &u.oa, err);
	case V1_PL_ATTR: return v1_parse_cfg(p->body, p->len, base, &u.cfg, err);
	case V1_PL_KE:
	case V1_PL_HASH:
	case V1_PL_SIG:
	case V1_PL_NONCE:
	case V1_PL_VID:
	case V1_PL_NATD:
	case V1_PL_NATD_DRAFT: return v1_parse_data(p->type, p->body, p->len, base, &u.d, err);
	default: return V1_OK;
	}
}
