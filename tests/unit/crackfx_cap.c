/* Captures of the crack fixtures in the link types and file formats real tools write, and word lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "crackfx.h"

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put32o(uint8_t *p, uint32_t v, bool be)
{
	if (be)
		ike_put_u32(p, v);
	else
		put32le(p, v);
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Link header for IP version v; its length. */
static size_t link_hdr(uint8_t *p, uint32_t link, int v, bool from_i)
{
	uint16_t et = v == 4 ? 0x0800 : 0x86dd;
	static const uint8_t mac_i[6] = { 2, 0, 0, 0, 0, 1 }, mac_r[6] = { 2, 0, 0, 0, 0, 2 };
	switch (link) {
	case 1:
		memcpy(p, from_i ? mac_r : mac_i, 6);
		memcpy(p + 6, from_i ? mac_i : mac_r, 6);
		ike_put_u16(p + 12, et);
		return 14;
	case 113: /* Linux cooked v1: packet type, ARPHRD_ETHER, address length, address, protocol */
		memset(p, 0, 16);
		ike_put_u16(p, from_i ? 4 : 0);
		ike_put_u16(p + 2, 1);
		ike_put_u16(p + 4, 6);
		memcpy(p + 6, from_i ? mac_i : mac_r, 6);
		ike_put_u16(p + 14, et);
		return 16;
	case 276: /* v2: protocol, reserved, ifindex, ARPHRD, packet type, address length, address */
		memset(p, 0, 20);
		ike_put_u16(p, et);
		ike_put_u32(p + 4, 2);
		ike_put_u16(p + 8, 1);
		p[10] = from_i ? 4 : 0;
		p[11] = 6;
		memcpy(p + 12, from_i ? mac_i : mac_r, 6);
		return 20;
	case 0: /* BSD loopback: AF_INET 2, AF_INET6 30 (macOS), host order, little-endian here */
		put32le(p, v == 4 ? 2 : 30);
		return 4;
	default: return 0; /* 101 raw */
	}
}

/* IP + UDP (+ marker) + message at p; its length. */
static size_t ip_pkt(uint8_t *p, const cfx_msg *m, const cfx_cap *o)
{
	size_t mk = o->natt ? 4 : 0, ulen = 8 + mk + m->len, ih = o->v6 ? 40 : 20;
	uint16_t port = o->natt ? 4500 : 500;
	memset(p, 0, ih + 8 + mk);
	uint8_t a = m->from_i ? 1 : 2, z = m->from_i ? 2 : 1;
	uint8_t *u = p + ih;
	if (o->v6) {
		p[0] = 0x60;
		ike_put_u16(p + 4, (uint16_t)ulen);
		p[6] = 17, p[7] = 64;
		static const uint8_t pfx[15] = { 0x20, 0x01, 0x0d, 0xb8 };
		memcpy(p + 8, pfx, 15), p[23] = a;
		memcpy(p + 24, pfx, 15), p[39] = z;
	} else {
		p[0] = 0x45;
		ike_put_u16(p + 2, (uint16_t)(ih + ulen));
		p[8] = 64, p[9] = 17;
		memcpy(p + 12, (uint8_t[]){ 192, 0, 2, a, 192, 0, 2, z }, 8);
		ike_put_u16(p + 10, fold(sum16(0, p, 20)));
	}
	ike_put_u16(u, port);
	ike_put_u16(u + 2, port);
	ike_put_u16(u + 4, (uint16_t)ulen);
	memcpy(u + 8 + mk, m->b, m->len);
	if (o->v6) { /* the UDP checksum is mandatory over IPv6 (RFC 8200 8.1) */
		uint8_t ph[8] = { 0, 0, (uint8_t)(ulen >> 8), (uint8_t)ulen, 0, 0, 0, 17 };
		uint16_t s = fold(sum16(sum16(sum16(0, p + 8, 32), ph, 8), u, ulen));
		ike_put_u16(u + 6, s ? s : 0xffff);
	}
	return ih + ulen;
}

size_t cfx_capture(const cfx_msg *const *m, int n, const cfx_cap *o, uint8_t *out, size_t cap)
{
	size_t at = 0;
	assert_true(cap >= 64);
	if (o->ng) {
		static const uint8_t shb[28] = { 0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
						 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0 };
		memcpy(out, shb, 28);
		uint8_t idb[20] = { 1, 0, 0, 0, 20, 0, 0, 0 };
		idb[8] = (uint8_t)o->link, idb[9] = (uint8_t)(o->link >> 8);
		put32le(idb + 12, 65535);
		put32le(idb + 16, 20);
		memcpy(out + 28, idb, 20);
		at = 48;
	} else {
		put32o(out, 0xa1b2c3d4u, o->be);
		out[4] = o->be ? 0 : 2, out[5] = o->be ? 2 : 0, out[6] = o->be ? 0 : 4, out[7] = o->be ? 4 : 0;
		memset(out + 8, 0, 8);
		put32o(out + 16, 65535, o->be);
		put32o(out + 20, o->link, o->be);
		at = 24;
	}
	for (int i = 0; i < n; i++) {
		uint8_t pkt[CFX_MSG + 128];
		size_t l = link_hdr(pkt, o->link, o->v6 ? 6 : 4, m[i]->from_i);
		l += ip_pkt(pkt + l, m[i], o);
		size_t incl = o->snap && o->snap < l ? o->snap : l, pad = o->ng ? (4 - incl % 4) % 4 : 0;
		size_t rec = o->ng ? 28 + incl + pad + 4 : 16 + incl;
		assert_true(at + rec <= cap);
		uint8_t *r = out + at;
		if (o->ng) {
			put32le(r, 6);
			put32le(r + 4, (uint32_t)rec);
			put32le(r + 8, 0);
			put32le(r + 12, 0);
			put32le(r + 16, 1000000u * (uint32_t)(i + 1));
			put32le(r + 20, (uint32_t)incl);
			put32le(r + 24, (uint32_t)l);
			memcpy(r + 28, pkt, incl);
			memset(r + 28 + incl, 0, pad);
			put32le(r + rec - 4, (uint32_t)rec);
		} else {
			put32o(r, 1700000000u + (uint32_t)i, o->be);
			put32o(r + 4, 0, o->be);
			put32o(r + 8, (uint32_t)incl, o->be);
			put32o(r + 12, (uint32_t)l, o->be);
			memcpy(r + 16, pkt, incl);
		}
		at += rec;
	}
	return at;
}

void cfx_write(const char *path, const void *b, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

size_t cfx_words(const char *path, size_t lines, size_t at, const char *psk)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	size_t words = 0;
	for (size_t i = 1; i <= lines; i++) {
		if (i == at)
			fprintf(f, "%s\n", psk);
		else if (i % 97 == 0)
			fputs(i % 2 ? "\r\n" : "\n", f);
		else
			fprintf(f, "guess%zu%s", i * 7919 % 100003, i % 3 ? "\n" : "\r\n");
		words += i == at || i % 97 != 0;
	}
	assert_int_equal(fclose(f), 0);
	return words;
}
