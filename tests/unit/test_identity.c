/* Identities and traffic selectors: strongSwan syntax in, RFC 7296 bytes out, narrowing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/identity.h"
#include "test_list.h.in"

static void id_types_follow_strongswan(void **state)
{
	(void)state;
	ike_id id;
	char err[128], out[300];
	assert_int_equal(ike_id_parse("%any", &id, err, sizeof(err)), 0);
	assert_int_equal(id.type, 0);
	assert_int_equal(ike_id_parse("192.0.2.1", &id, err, sizeof(err)), 0);
	assert_int_equal(id.type, 1);
	assert_int_equal(id.len, 4);
	assert_memory_equal(id.data, "\xc0\x00\x02\x01", 4);
	assert_int_equal(ike_id_parse("2001:db8::1", &id, err, sizeof(err)), 0);
	assert_int_equal(id.type, 5);
	assert_int_equal(id.len, 16);
	ike_id_format(&id, out, sizeof(out));
	assert_string_equal(out, "2001:db8::1");
	assert_int_equal(ike_id_parse("alice@example.org", &id, err, sizeof(err)), 0);
	assert_int_equal(id.type, 3);
	assert_int_equal(ike_id_parse("gw-b.example", &id, err, sizeof(err)), 0);
	assert_int_equal(id.type, 2);
	assert_int_equal(ike_id_parse("@10.0.0.1", &id, err, sizeof(err)), 0);
	assert_int_equal(id.type, 2);
	assert_int_equal(ike_id_parse("@#0aff", &id, err, sizeof(err)), 0);
	assert_int_equal(id.type, 11);
	ike_id_format(&id, out, sizeof(out));
	assert_string_equal(out, "@#0aff");
	assert_int_equal(ike_id_parse("", &id, err, sizeof(err)), -1);
}

static void dn_is_der_encoded(void **state)
{
	(void)state;
	ike_id id;
	char err[128], out[300];
	assert_int_equal(ike_id_parse("C=CH, CN=a", &id, err, sizeof(err)), 0);
	assert_int_equal(id.type, 9);
	static const uint8_t want[] = { 0x30, 0x19, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13,
					0x02, 'C',  'H',  0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03,
					0x0c, 0x01, 'a' };
	assert_int_equal(id.len, sizeof(want));
	assert_memory_equal(id.data, want, sizeof(want));
	ike_id_format(&id, out, sizeof(out));
	assert_string_equal(out, "C=CH, CN=a");
	assert_int_equal(ike_id_parse("C=CH,O=Org, OU=Lab,CN=gw, E=x@y.org, ST=Z, L=B", &id, err, sizeof(err)), 0);
	ike_id_format(&id, out, sizeof(out));
	assert_string_equal(out, "C=CH, O=Org, OU=Lab, CN=gw, E=x@y.org, ST=Z, L=B");
	assert_int_equal(ike_id_parse("C=CH, XX=1", &id, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown DN attribute"));
	assert_int_equal(ike_id_parse("CN=", &id, err, sizeof(err)), -1);
	char big[400];
	memset(big, 'x', sizeof(big));
	memcpy(big, "CN=", 3);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ike_id_parse(big, &id, err, sizeof(err)), -1);
}

static void id_matching(void **state)
{
	(void)state;
	ike_id want, any;
	char err[64];
	ike_id_parse("%any", &any, err, sizeof(err));
	assert_true(ike_id_matches(&any, 2, (const uint8_t *)"x", 1));
	ike_id_parse("gw.example", &want, err, sizeof(err));
	assert_true(ike_id_matches(&want, 2, (const uint8_t *)"GW.example", 10));
	assert_false(ike_id_matches(&want, 3, (const uint8_t *)"gw.example", 10));
	assert_false(ike_id_matches(&want, 2, (const uint8_t *)"gw.exampl", 9));
	ike_id_parse("*.example", &want, err, sizeof(err));
	assert_true(ike_id_matches(&want, 2, (const uint8_t *)"a.example", 9));
	assert_false(ike_id_matches(&want, 2, (const uint8_t *)"example", 7));
	ike_id_parse("10.0.0.1", &want, err, sizeof(err));
	assert_true(ike_id_matches(&want, 1, (const uint8_t *)"\x0a\x00\x00\x01", 4));
	assert_false(ike_id_matches(&want, 1, (const uint8_t *)"\x0a\x00\x00\x02", 4));
}

static void ts_round_trip(const char *in, const char *want)
{
	ike_ts ts;
	char err[128], out[128];
	assert_int_equal(ike_ts_parse(in, &ts, err, sizeof(err)), 0);
	ike_ts_format(&ts, out, sizeof(out));
	assert_string_equal(out, want);
}

static void ts_parse_and_format(void **state)
{
	(void)state;
	ts_round_trip("10.1.0.0/16", "10.1.0.0/16");
	ts_round_trip("10.1.2.3/16", "10.1.0.0/16");
	ts_round_trip("10.1.0.1", "10.1.0.1/32");
	ts_round_trip("0.0.0.0/0", "0.0.0.0/0");
	ts_round_trip("10.1.0.0/16[udp/500]", "10.1.0.0/16[udp/500]");
	ts_round_trip("10.1.0.0/16[17/500]", "10.1.0.0/16[udp/500]");
	ts_round_trip("10.1.0.0/16[tcp]", "10.1.0.0/16[tcp]");
	ts_round_trip("10.1.0.0/16[tcp/1000-2000]", "10.1.0.0/16[tcp/1000-2000]");
	ts_round_trip("10.1.0.0/16[/53]", "10.1.0.0/16[any/53]");
	ts_round_trip("10.1.0.0/16[99]", "10.1.0.0/16[99]");
	ts_round_trip("10.1.0.5-10.1.0.20", "10.1.0.5-10.1.0.20");
	ts_round_trip("10.1.0.0-10.1.0.255", "10.1.0.0/24");
	ts_round_trip("2001:db8::/32", "2001:db8::/32");
	ts_round_trip("::/0[icmpv6]", "::/0[icmpv6]");
	ike_ts ts;
	char err[128];
	static const char *bad[] = { "", "10.1.0.0/33", "10.1.0.0/", "nothing", "10.1.0.9-10.1.0.1", "10.0.0.1-::1",
				     "10.1.0.0/16[bogus/1]", "10.1.0.0/16[udp/70000]", "10.1.0.0/16[udp/9-1]",
				     "10.1.0.0/16[udp", "10.1.0.0/16[udp]x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(ike_ts_parse(bad[i], &ts, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
	}
}

static void ts_intersection_narrows(void **state)
{
	(void)state;
	ike_ts a, b, r;
	char err[64], out[128];
	ike_ts_parse("10.0.0.0/8", &a, err, sizeof(err));
	ike_ts_parse("10.1.0.0/16[udp/500]", &b, err, sizeof(err));
	assert_int_equal(ike_ts_intersect(&a, &b, &r), 1);
	ike_ts_format(&r, out, sizeof(out));
	assert_string_equal(out, "10.1.0.0/16[udp/500]");
	ike_ts_parse("10.1.0.100-10.2.0.5", &a, err, sizeof(err));
	assert_int_equal(ike_ts_intersect(&a, &b, &r), 1);
	ike_ts_format(&r, out, sizeof(out));
	assert_string_equal(out, "10.1.0.100-10.1.255.255[udp/500]");
	ike_ts_parse("10.2.0.0/16", &a, err, sizeof(err));
	assert_int_equal(ike_ts_intersect(&a, &b, &r), 0);
	ike_ts_parse("10.1.0.0/16[tcp]", &a, err, sizeof(err));
	assert_int_equal(ike_ts_intersect(&a, &b, &r), 0);
	ike_ts_parse("10.1.0.0/16[udp/600-700]", &a, err, sizeof(err));
	assert_int_equal(ike_ts_intersect(&a, &b, &r), 0);
	ike_ts_parse("::/0", &a, err, sizeof(err));
	assert_int_equal(ike_ts_intersect(&a, &b, &r), 0);
}

size_t tests_identity(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(id_types_follow_strongswan), cmocka_unit_test(dn_is_der_encoded),
		cmocka_unit_test(id_matching),		      cmocka_unit_test(ts_parse_and_format),
		cmocka_unit_test(ts_intersection_narrows),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
