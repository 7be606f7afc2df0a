/* IKE identities: parsing strongSwan-style text into typed RFC 7296 IDs, formatting and matching. */
#include "config/identity.h"
#include "config/identity_dn.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* RFC 7296 3.5 ID types. */
enum { ID_IPV4 = 1, ID_FQDN = 2, ID_RFC822 = 3, ID_IPV6 = 5, ID_DN = 9, ID_KEY_ID = 11 };

static int fail(char *err, size_t errlen, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	return -1;
}

static int set_bytes(ike_id *out, uint8_t type, const void *p, size_t len, char *err, size_t errlen)
{
	if (len > IKE_ID_MAX)
		return fail(err, errlen, "identity longer than 256 bytes");
	out->type = type;
	out->len = (uint16_t)len;
	memcpy(out->data, p, len);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "@#0a1b..." is strongSwan's spelling of a KEY_ID. */
static int parse_key_id(const char *hex, ike_id *out, char *err, size_t errlen)
{
	size_t n = strlen(hex);
	if (n == 0 || n % 2 || n / 2 > IKE_ID_MAX)
		return fail(err, errlen, "key id needs an even number of hex digits (at most 512)");
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return fail(err, errlen, "key id has a non-hex digit");
		out->data[i] = (uint8_t)(hi << 4 | lo);
	}
	out->type = ID_KEY_ID;
	out->len = (uint16_t)(n / 2);
	return 0;
}

int ike_id_parse(const char *text, ike_id *out, char *err, size_t errlen)
{
	uint8_t ip[16];
	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return fail(err, errlen, "empty identity");
	if (strcmp(text, "%any") == 0)
		return 0;
	if (inet_pton(AF_INET, text, ip) == 1)
		return set_bytes(out, ID_IPV4, ip, 4, err, errlen);
	if (inet_pton(AF_INET6, text, ip) == 1)
		return set_bytes(out, ID_IPV6, ip, 16, err, errlen);
	if (strncmp(text, "@#", 2) == 0)
		return parse_key_id(text + 2, out, err, errlen);
	if (text[0] == '@') /* strongSwan: a leading '@' forces an FQDN */
		return text[1] ? set_bytes(out, ID_FQDN, text + 1, strlen(text + 1), err, errlen)
			       : fail(err, errlen, "empty FQDN after '@'");
	if (strchr(text, '=')) {
		size_t len;
		if (ike_dn_encode(text, out->data, sizeof(out->data), &len, err, errlen) != 0)
			return -1;
		out->type = ID_DN;
		out->len = (uint16_t)len;
		return 0;
	}
	if (strchr(text, '@'))
		return set_bytes(out, ID_RFC822, text, strlen(text), err, errlen);
	return set_bytes(out, ID_FQDN, text, strlen(text), err, errlen);
}

/* Copies printable ASCII, replacing anything else with '?', so traces stay valid text. */
static size_t put_text(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t i;
	for (i = 0; i < len && i + 1 < cap; i++)
		out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	if (cap)
		out[i < cap ? i : cap - 1] = '\0';
	return len;
}

size_t ike_id_format(const ike_id *id, char *out, size_t cap)
{
	char tmp[INET6_ADDRSTRLEN];
	switch (id->type) {
	case 0:
		return (size_t)snprintf(out, cap, "%%any");
	case ID_IPV4:
	case ID_IPV6:
		if (id->len != (id->type == ID_IPV4 ? 4 : 16) ||
		    !inet_ntop(id->type == ID_IPV4 ? AF_INET : AF_INET6, id->data, tmp, sizeof(tmp)))
			return (size_t)snprintf(out, cap, "(bad IP id)");
		return (size_t)snprintf(out, cap, "%s", tmp);
	case ID_FQDN:
	case ID_RFC822:
		return put_text(id->data, id->len, out, cap);
	case ID_DN:
		return ike_dn_format(id->data, id->len, out, cap);
	default: {
		size_t n = (size_t)snprintf(out, cap, "@#");
		for (size_t i = 0; i < id->len; i++)
			n += (size_t)snprintf(n < cap ? out + n : NULL, n < cap ? cap - n : 0, "%02x", id->data[i]);
		return n;
	}
	}
}

/* "*.example.org" style wildcards, as strongSwan allows for FQDN and RFC822 IDs. */
static int wildcard_matches(const ike_id *want, const uint8_t *got, size_t got_len)
{
	if (want->len == 0 || want->data[0] != '*')
		return 0;
	size_t suffix = want->len - 1u;
	return got_len >= suffix && strncasecmp((const char *)want->data + 1, (const char *)got + got_len - suffix,
						suffix) == 0;
}

int ike_id_matches(const ike_id *want, const uint8_t got_type, const uint8_t *got, size_t got_len)
{
	if (want->type == 0)
		return 1;
	if (want->type != got_type)
		return 0;
	if (got_type == ID_FQDN || got_type == ID_RFC822) {
		if (want->len == got_len && strncasecmp((const char *)want->data, (const char *)got, got_len) == 0)
			return 1;
		return wildcard_matches(want, got, got_len);
	}
	return want->len == got_len && memcmp(want->data, got, got_len) == 0;
}
