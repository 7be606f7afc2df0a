/* DN text <-> DER: each RDN is a SET holding one AttributeTypeAndValue (the common single-valued form). */
#include "config/identity_dn.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"

enum { TAG_OID = 0x06, TAG_UTF8 = 0x0c, TAG_PRINTABLE = 0x13, TAG_IA5 = 0x16, TAG_SEQ = 0x30, TAG_SET = 0x31 };

typedef struct dn_attr {
	const char *name, *alias;
	uint8_t oid[9];
	uint8_t oid_len;
	uint8_t str_tag; /* RFC 5280: countryName is PrintableString, PKCS#9 emailAddress IA5String */
} dn_attr;

static const dn_attr ATTRS[] = {
	{ "C", NULL, { 0x55, 0x04, 0x06 }, 3, TAG_PRINTABLE },
	{ "ST", NULL, { 0x55, 0x04, 0x08 }, 3, TAG_UTF8 },
	{ "L", NULL, { 0x55, 0x04, 0x07 }, 3, TAG_UTF8 },
	{ "O", NULL, { 0x55, 0x04, 0x0a }, 3, TAG_UTF8 },
	{ "OU", NULL, { 0x55, 0x04, 0x0b }, 3, TAG_UTF8 },
	{ "CN", NULL, { 0x55, 0x04, 0x03 }, 3, TAG_UTF8 },
	{ "E", "emailAddress", { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 }, 9, TAG_IA5 },
};
#define N_ATTRS (sizeof(ATTRS) / sizeof(ATTRS[0]))

static int fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, arg);
	return -1;
}

/* DER definite length: short form below 128, else one or two length bytes (names stay < 64 KiB). */
static void put_len(ike_wbuf *w, size_t n)
{
	if (n < 0x80) {
		ike_wbuf_u8(w, (uint8_t)n);
	} else if (n < 0x100) {
		ike_wbuf_u8(w, 0x81);
		ike_wbuf_u8(w, (uint8_t)n);
	} else {
		ike_wbuf_u8(w, 0x82);
		ike_wbuf_u16(w, (uint16_t)n);
	}
}

static void put_tlv(ike_wbuf *w, uint8_t tag, const void *v, size_t n)
{
	ike_wbuf_u8(w, tag);
	put_len(w, n);
	ike_wbuf_bytes(w, v, n);
}

static const dn_attr *find_attr(const char *key, size_t n)
{
	for (size_t i = 0; i < N_ATTRS; i++) {
		if (strlen(ATTRS[i].name) == n && strncasecmp(ATTRS[i].name, key, n) == 0)
			return &ATTRS[i];
		if (ATTRS[i].alias && strlen(ATTRS[i].alias) == n && strncasecmp(ATTRS[i].alias, key, n) == 0)
			return &ATTRS[i];
	}
	return NULL;
}

/* Trims spaces around [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* Appends one RDN "KEY=value" (the text between separators) to w. */
static int add_rdn(ike_wbuf *w, const char *s, const char *e, char *err, size_t errlen)
{
	char part[300];
	trim(&s, &e);
	const char *eq = memchr(s, '=', (size_t)(e - s));
	snprintf(part, sizeof(part), "%.*s", (int)(e - s), s);
	if (!eq)
		return fail(err, errlen, "DN part '%s' is not KEY=value", part);
	const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
	trim(&ks, &ke);
	trim(&vs, &ve);
	const dn_attr *a = find_attr(ks, (size_t)(ke - ks));
	if (!a)
		return fail(err, errlen, "unknown DN attribute in '%s' (C, ST, L, O, OU, CN, E)", part);
	if (vs == ve)
		return fail(err, errlen, "empty value in DN part '%s'", part);
	uint8_t atv[300], rdn[310];
	ike_wbuf wa = ike_wbuf_make(atv, sizeof(atv)), wr = ike_wbuf_make(rdn, sizeof(rdn));
	put_tlv(&wa, TAG_OID, a->oid, a->oid_len);
	put_tlv(&wa, a->str_tag, vs, (size_t)(ve - vs));
	put_tlv(&wr, TAG_SEQ, atv, wa.len);
	put_tlv(w, TAG_SET, rdn, wr.len);
	if (wa.err || wr.err || w->err)
		return fail(err, errlen, "%s", "distinguished name too long");
	return 0;
}

int ike_dn_encode(const char *text, uint8_t *out, size_t cap, size_t *len, char *err, size_t errlen)
{
	uint8_t body[1024];
	ike_wbuf wb = ike_wbuf_make(body, sizeof(body));
	const char *s = text;
	for (;;) {
		const char *e = strchr(s, ',');
		if (!e)
			e = s + strlen(s);
		if (add_rdn(&wb, s, e, err, errlen) != 0)
			return -1;
		if (!*e)
			break;
		s = e + 1;
	}
	ike_wbuf w = ike_wbuf_make(out, cap);
	put_tlv(&w, TAG_SEQ, body, wb.len);
	if (w.err)
		return fail(err, errlen, "%s", "distinguished name too long");
	*len = w.len;
	return 0;
}

/* Reads one TLV with the given tag; NULL on mismatch or truncation. */
static const uint8_t *get_tlv(ike_cur *c, uint8_t tag, size_t *n)
{
	if (ike_cur_u8(c) != tag)
		c->err = true;
	size_t l = ike_cur_u8(c);
	if (l == 0x81)
		l = ike_cur_u8(c);
	else if (l == 0x82)
		l = ike_cur_u16(c);
	else if (l > 0x80)
		c->err = true;
	*n = l;
	return ike_cur_take(c, l);
}

static const char *attr_name(const uint8_t *oid, size_t n)
{
	for (size_t i = 0; i < N_ATTRS; i++)
		if (ATTRS[i].oid_len == n && memcmp(ATTRS[i].oid, oid, n) == 0)
			return ATTRS[i].name;
	return NULL;
}

#define APPEND(...) n += (size_t)snprintf(n < cap ? out + n : NULL, n < cap ? cap - n : 0, __VA_ARGS__)

/* Formats one AttributeTypeAndValue; unknown types print as dotted-hex OIDs. */
static size_t format_atv(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t n = 0, olen, vlen;
	ike_cur c = ike_cur_make(p, len);
	const uint8_t *oid = get_tlv(&c, TAG_OID, &olen);
	if (!oid || ike_cur_left(&c) < 2)
		return (size_t)snprintf(out, cap, "?");
	uint8_t vtag = c.p[c.off];
	const uint8_t *v = get_tlv(&c, vtag, &vlen);
	const char *name = attr_name(oid, olen);
	if (name) {
		APPEND("%s=", name);
	} else {
		for (size_t i = 0; i < olen; i++)
			APPEND("%s%02x", i ? ":" : "", oid[i]);
		APPEND("=");
	}
	for (size_t i = 0; v && i < vlen; i++)
		APPEND("%c", (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?');
	return n;
}

size_t ike_dn_format(const uint8_t *der, size_t len, char *out, size_t cap)
{
	size_t n = 0, blen, slen, alen;
	ike_cur c = ike_cur_make(der, len);
	const uint8_t *body = get_tlv(&c, TAG_SEQ, &blen);
	if (cap)
		out[0] = '\0';
	if (!body)
		return (size_t)snprintf(out, cap, "(bad DN)");
	ike_cur b = ike_cur_make(body, blen);
	while (ike_cur_left(&b) > 0) {
		const uint8_t *set = get_tlv(&b, TAG_SET, &slen);
		if (!set)
			break;
		ike_cur s = ike_cur_make(set, slen);
		const uint8_t *atv = get_tlv(&s, TAG_SEQ, &alen);
		if (!atv)
			break;
		if (n)
			APPEND(", ");
		n += format_atv(atv, alen, n < cap ? out + n : NULL, n < cap ? cap - n : 0);
	}
	return n;
}
