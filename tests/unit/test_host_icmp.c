/* engine/host/icmp: ICMP/ICMPv6 echo built byte for byte (checksums computed independently) and parsed back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host/icmp.h"
#include "test_list.h.in"

static const uint8_t V6_SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t V6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* An IPv4 echo request, checksums worked out by a separate RFC 1071 implementation. */
static void echo_v4_byte_for_byte(void **state)
{
	(void)state;
	static const uint8_t want[] = { 0x45, 0x00, 0x00, 0x20, 0x00, 0x07, 0x40, 0x00, 0x40, 0x01, 0x26, 0xd2,
					0x0a, 0x01, 0x00, 0x01, 0x0a, 0x02, 0x00, 0x01, 0x08, 0x00, 0x21, 0x04,
					0x12, 0x34, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64 };
	ike_host_echo e = { .family = 4, .df = true, .ip_id = 7, .src = { 10, 1, 0, 1 }, .dst = { 10, 2, 0, 1 },
			    .ident = 0x1234, .seq = 1, .data = (const uint8_t *)"abcd", .data_len = 4 };
	uint8_t pkt[64];
	assert_int_equal(ike_host_echo_build(&e, pkt, sizeof(pkt)), sizeof(want));
	assert_memory_equal(pkt, want, sizeof(want));
	assert_int_equal(ike_host_echo_build(&e, pkt, sizeof(want) - 1), 0); /* one byte short */
	ike_host_echo r;
	const char *why = "x";
	assert_int_equal(ike_host_echo_parse(want, sizeof(want), &r, &why), 0);
	assert_null(why);
	assert_false(r.reply);
	assert_true(r.df);
	assert_int_equal(r.ident, 0x1234);
	assert_int_equal(r.seq, 1);
	assert_int_equal(r.ip_id, 7);
	assert_int_equal(r.data_len, 4);
	assert_memory_equal(r.data, "abcd", 4);
	assert_memory_equal(r.src, e.src, 4);
}

/* ICMPv6's checksum covers the pseudo-header: a reply with the data moved in place. */
static void echo_v6_reply_in_place(void **state)
{
	(void)state;
	uint8_t pkt[128];
	memcpy(pkt + 40 + 8, "abcd", 4); /* the data already where it goes */
	ike_host_echo e = { .family = 6, .reply = true, .ident = 0xbeef, .seq = 0x0102, .data = pkt + 48, .data_len = 4 };
	memcpy(e.src, V6_SRC, 16);
	memcpy(e.dst, V6_DST, 16);
	assert_int_equal(ike_host_echo_build(&e, pkt, sizeof(pkt)), 52);
	assert_int_equal(pkt[6], 58);      /* next header ICMPv6 */
	assert_int_equal(pkt[40], 129);    /* echo reply */
	assert_int_equal(pkt[42], 0x9e);   /* checksum from a separate implementation */
	assert_int_equal(pkt[43], 0x8b);
	assert_memory_equal(pkt + 48, "abcd", 4);
	ike_host_echo r;
	const char *why;
	assert_int_equal(ike_host_echo_parse(pkt, 52, &r, &why), 0);
	assert_true(r.reply);
	assert_int_equal(r.family, 6);
	assert_int_equal(r.seq, 0x0102);
	assert_memory_equal(r.dst, V6_DST, 16);
}

/* What the parser refuses, each with its reason. */
static void echo_parse_refusals(void **state)
{
	(void)state;
	uint8_t pkt[64], bad[64];
	ike_host_echo e = { .family = 4, .src = { 10, 1, 0, 1 }, .dst = { 10, 2, 0, 1 }, .seq = 9,
			    .data = (const uint8_t *)"payload!", .data_len = 8 };
	size_t n = ike_host_echo_build(&e, pkt, sizeof(pkt));
	assert_int_equal(n, 36);
	ike_host_echo r;
	const char *why;
	static const struct {
		size_t at;
		uint8_t x;
		const char *why;
	} cases[] = {
		{ 35, 0x01, "ICMP checksum" },          /* a data byte */
		{ 21, 0x01, "not ICMP echo" },          /* code 1 */
		{ 9, 0x10, "IPv4 header checksum" },    /* protocol 17, header checksum now wrong */
		{ 0, 0x01, "malformed IP header" },     /* version/IHL */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(bad, pkt, n);
		bad[cases[i].at] ^= cases[i].x;
		assert_int_equal(ike_host_echo_parse(bad, n, &r, &why), -1);
		if (strcmp(why, cases[i].why) != 0)
			fail_msg("case %zu: '%s', want '%s'", i, why, cases[i].why);
	}
	assert_int_equal(ike_host_echo_parse(pkt, n - 1, &r, &why), -1); /* shorter than the IP length */
	assert_string_equal(why, "malformed IP header");
	e.ip_id = 1;
	e.df = false;
	assert_int_equal(ike_host_echo_build(&e, bad, sizeof(bad)), n);
	bad[7] = 8; /* fragment offset 64: a later fragment is no echo of its own */
	bad[10] = bad[11] = 0;
	uint32_t s = 0;
	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)(bad[i] << 8 | bad[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	bad[10] = (uint8_t)(~s >> 8);
	bad[11] = (uint8_t)~s;
	assert_int_equal(ike_host_echo_parse(bad, n, &r, &why), -1);
	assert_string_equal(why, "not ICMP echo");
}

size_t tests_host_icmp(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(echo_v4_byte_for_byte),
		cmocka_unit_test(echo_v6_reply_in_place),
		cmocka_unit_test(echo_parse_refusals),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
