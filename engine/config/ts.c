/* Traffic selectors: strongSwan's "10.1.0.0/16[udp/500]" syntax, ranges, formatting and narrowing. */
#include "config/identity.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, arg);
	return -1;
}

static const struct {
	const char *name;
	uint8_t proto;
} PROTOS[] = { { "any", 0 }, { "%any", 0 }, { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "icmpv6", 58 },
	       { "ipv6-icmp", 58 }, { "sctp", 132 } };

/* Parses a decimal number in [0, max] spanning exactly [s, e). */
static int parse_uint(const char *s, const char *e, unsigned long max, unsigned long *out)
{
	char buf[16];
	if (e <= s || (size_t)(e - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	for (const char *p = buf; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	*out = strtoul(buf, NULL, 10);
	return *out <= max ? 0 : -1;
}

static int parse_proto(const char *s, const char *e, uint8_t *out)
{
	unsigned long v;
	if (s == e) {
		*out = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(PROTOS) / sizeof(PROTOS[0]); i++)
		if (strlen(PROTOS[i].name) == (size_t)(e - s) && memcmp(PROTOS[i].name, s, (size_t)(e - s)) == 0) {
			*out = PROTOS[i].proto;
			return 0;
		}
	if (parse_uint(s, e, 255, &v) != 0)
		return -1;
	*out = (uint8_t)v;
	return 0;
}

/* OPAQUE ports (RFC 7296 3.13.1): start 65535, end 0, for traffic whose ports cannot be seen. */
static bool ports_opaque(const ike_ts *ts)
{
	return ts->start_port == 65535 && ts->end_port == 0;
}

/* "500", "1000-2000", "%any" or empty (all ports), "%opaque" (strongSwan's word for OPAQUE). */
static int parse_ports(const char *s, const char *e, ike_ts *ts)
{
	unsigned long a, b;
	ts->start_port = 0;
	ts->end_port = 65535;
	if (s == e || ((size_t)(e - s) == 4 && memcmp(s, "%any", 4) == 0))
		return 0;
	if ((size_t)(e - s) == 7 && memcmp(s, "%opaque", 7) == 0) {
		ts->start_port = 65535;
		ts->end_port = 0;
		return 0;
	}
	const char *dash = memchr(s, '-', (size_t)(e - s));
	if (parse_uint(s, dash ? dash : e, 65535, &a) != 0)
		return -1;
	b = a;
	if (dash && parse_uint(dash + 1, e, 65535, &b) != 0)
		return -1;
	if (a > b)
		return -1;
	ts->start_port = (uint16_t)a;
	ts->end_port = (uint16_t)b;
	return 0;
}

/* The "[proto/port]" suffix; s points at '['. */
static int parse_suffix(const char *s, ike_ts *ts, char *err, size_t errlen)
{
	const char *close = strchr(s, ']');
	if (!close || close[1] != '\0')
		return fail(err, errlen, "'%s' needs the form [proto/port]", s);
	const char *body = s + 1, *slash = memchr(body, '/', (size_t)(close - body));
	if (parse_proto(body, slash ? slash : close, &ts->ip_proto) != 0)
		return fail(err, errlen, "unknown protocol in '%s'", s);
	if (parse_ports(slash ? slash + 1 : close, close, ts) != 0)
		return fail(err, errlen, "bad port or port range in '%s'", s);
	return 0;
}

static int parse_ip(const char *s, uint8_t *family, uint8_t ip[16])
{
	memset(ip, 0, 16);
	if (inet_pton(AF_INET, s, ip) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip) == 1) {
		*family = 6;
		return 0;
	}
	return -1;
}

/* Sets start/end from a prefix: host bits cleared in start and set in end. */
static void apply_prefix(ike_ts *ts, const uint8_t ip[16], unsigned bits)
{
	unsigned total = ts->family == 4 ? 32 : 128;
	memcpy(ts->start, ip, 16);
	memcpy(ts->end, ip, 16);
	for (unsigned i = bits; i < total; i++) {
		uint8_t m = (uint8_t)(0x80u >> (i % 8));
		ts->start[i / 8] &= (uint8_t)~m;
		ts->end[i / 8] |= m;
	}
}

static int addr_cmp(const ike_ts *ts, const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, ts->family == 4 ? 4 : 16);
}

/* The address part: "a/len", "a" (a host), or "a-b" (a range). */
static int parse_addr_part(const char *text, ike_ts *ts, char *err, size_t errlen)
{
	uint8_t ip[16], ip2[16], fam2;
	unsigned long bits;
	char *slash = strchr(text, '/'), *dash = strchr(text, '-');
	if (dash) {
		*dash = '\0';
		if (parse_ip(text, &ts->family, ip) || parse_ip(dash + 1, &fam2, ip2) || fam2 != ts->family)
			return fail(err, errlen, "'%s' is not a range of two addresses of one family", text);
		memcpy(ts->start, ip, 16);
		memcpy(ts->end, ip2, 16);
		if (addr_cmp(ts, ts->start, ts->end) > 0)
			return fail(err, errlen, "range starting at '%s' ends before it starts", text);
		return 0;
	}
	if (slash)
		*slash = '\0';
	if (parse_ip(text, &ts->family, ip))
		return fail(err, errlen, "'%s' is not an IPv4 or IPv6 address", text);
	bits = ts->family == 4 ? 32 : 128;
	if (slash && parse_uint(slash + 1, slash + 1 + strlen(slash + 1), bits, &bits) != 0)
		return fail(err, errlen, "bad prefix length after '%s/'", text);
	apply_prefix(ts, ip, (unsigned)bits);
	return 0;
}

int ike_ts_parse(const char *text, ike_ts *out, char *err, size_t errlen)
{
	char buf[128];
	memset(out, 0, sizeof(*out));
	out->end_port = 65535;
	if (!text || !*text)
		return fail(err, errlen, "%s", "empty traffic selector");
	if (strlen(text) >= sizeof(buf))
		return fail(err, errlen, "%s", "traffic selector too long");
	snprintf(buf, sizeof(buf), "%s", text);
	char *br = strchr(buf, '[');
	if (br) {
		if (parse_suffix(text + (br - buf), out, err, errlen) != 0)
			return -1;
		*br = '\0';
	}
	return parse_addr_part(buf, out, err, errlen);
}

/* Prefix length if [start, end] is exactly one CIDR block, else -1. */
static int prefix_len(const ike_ts *ts)
{
	unsigned total = ts->family == 4 ? 32 : 128, i = 0;
	while (i < total && !((ts->start[i / 8] ^ ts->end[i / 8]) & (0x80u >> (i % 8))))
		i++;
	for (unsigned j = i; j < total; j++) {
		unsigned m = 0x80u >> (j % 8);
		if ((ts->start[j / 8] & m) || !(ts->end[j / 8] & m))
			return -1;
	}
	return (int)i;
}

static const char *proto_name(uint8_t p)
{
	for (size_t i = 0; i < sizeof(PROTOS) / sizeof(PROTOS[0]); i++)
		if (PROTOS[i].proto == p && p != 0)
			return PROTOS[i].name;
	return NULL;
}

#define APPEND(...) n += (size_t)snprintf(n < cap ? out + n : NULL, n < cap ? cap - n : 0, __VA_ARGS__)

size_t ike_ts_format(const ike_ts *ts, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN] = "?", b[INET6_ADDRSTRLEN] = "?";
	int af = ts->family == 4 ? AF_INET : AF_INET6, plen = prefix_len(ts);
	size_t n = 0;
	inet_ntop(af, ts->start, a, sizeof(a));
	inet_ntop(af, ts->end, b, sizeof(b));
	if (plen >= 0)
		APPEND("%s/%d", a, plen);
	else
		APPEND("%s-%s", a, b);
	bool all_ports = ts->start_port == 0 && ts->end_port == 65535;
	if (ts->ip_proto == 0 && all_ports)
		return n;
	const char *pn = proto_name(ts->ip_proto);
	if (pn)
		APPEND("[%s", pn);
	else
		APPEND("[%s", ts->ip_proto ? "" : "any");
	if (!pn && ts->ip_proto)
		APPEND("%u", ts->ip_proto);
	if (ports_opaque(ts))
		APPEND("/%%opaque");
	else if (!all_ports && ts->start_port == ts->end_port)
		APPEND("/%u", ts->start_port);
	else if (!all_ports)
		APPEND("/%u-%u", ts->start_port, ts->end_port);
	APPEND("]");
	return n;
}

/* Where two port selectors meet: OPAQUE meets only OPAQUE and ANY, since ANY includes it (RFC 7296 3.13.1). */
static bool ports_meet(const ike_ts *a, const ike_ts *b, uint16_t *lo, uint16_t *hi)
{
	if (ports_opaque(a) || ports_opaque(b)) {
		const ike_ts *o = ports_opaque(a) ? b : a;
		*lo = 65535;
		*hi = 0;
		return ports_opaque(o) || (o->start_port == 0 && o->end_port == 65535);
	}
	*lo = a->start_port > b->start_port ? a->start_port : b->start_port;
	*hi = a->end_port < b->end_port ? a->end_port : b->end_port;
	return *lo <= *hi;
}

int ike_ts_intersect(const ike_ts *a, const ike_ts *b, ike_ts *out)
{
	ike_ts r;
	if (a->family != b->family)
		return 0;
	if (a->ip_proto && b->ip_proto && a->ip_proto != b->ip_proto)
		return 0;
	memset(&r, 0, sizeof(r));
	r.family = a->family;
	r.ip_proto = a->ip_proto ? a->ip_proto : b->ip_proto;
	if (!ports_meet(a, b, &r.start_port, &r.end_port))
		return 0;
	memcpy(r.start, addr_cmp(a, a->start, b->start) >= 0 ? a->start : b->start, 16);
	memcpy(r.end, addr_cmp(a, a->end, b->end) <= 0 ? a->end : b->end, 16);
	if (addr_cmp(&r, r.start, r.end) > 0)
		return 0;
	*out = r;
	return 1;
}
