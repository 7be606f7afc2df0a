/* Names and strongSwan-style one-line summaries of IKEv2 messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/v2.h"
#include "test_list.h.in"

static void names(void **state)
{
	(void)state;
	assert_string_equal(v2_exchange_name(V2_IKE_SA_INIT), "IKE_SA_INIT");
	assert_string_equal(v2_exchange_name(V2_INFORMATIONAL), "INFORMATIONAL");
	assert_string_equal(v2_exchange_name(99), "EXCHANGE_99");
	assert_string_equal(v2_exchange_name(0), "EXCHANGE_0");
	assert_string_equal(v2_exchange_name(255), "EXCHANGE_255");
	assert_string_equal(v2_exchange_name(107), "EXCHANGE_107");
	assert_string_equal(v2_payload_short(V2_PL_NONCE), "No");
	assert_string_equal(v2_payload_short(V2_PL_IDR), "IDr");
	assert_string_equal(v2_payload_short(V2_PL_SK), "E");
	assert_string_equal(v2_payload_short(V2_PL_SKF), "EF");
	assert_string_equal(v2_payload_short(200), "UNKNOWN_200");
	assert_string_equal(v2_payload_short(5), "UNKNOWN_5");
	assert_string_equal(v2_notify_name(V2_N_NO_PROPOSAL_CHOSEN), "NO_PROPOSAL_CHOSEN");
	assert_string_equal(v2_notify_short(V2_N_NO_PROPOSAL_CHOSEN), "NO_PROP");
	assert_string_equal(v2_notify_short(V2_N_NAT_DETECTION_SOURCE_IP), "NATD_S_IP");
	assert_string_equal(v2_notify_short(V2_N_IKEV2_FRAGMENTATION_SUPPORTED), "FRAG_SUP");
	assert_string_equal(v2_notify_short(V2_N_SIGNATURE_HASH_ALGORITHMS), "HASH_ALG");
	assert_string_equal(v2_notify_name(V2_N_CHILD_SA_NOT_FOUND), "CHILD_SA_NOT_FOUND");
	assert_false(v2_notify_known(12345));
	assert_string_equal(v2_notify_name(12345), "UNKNOWN");
	/* Every notify in the header's enum has both names. */
	const uint16_t all[] = { 1, 4, 5, 7, 9, 11, 14, 17, 24, 34, 35, 36, 37, 38, 39, 43, 44, 16384, 16385,
				 16386, 16387, 16388, 16389, 16390, 16391, 16392, 16393, 16394, 16395, 16396,
				 16404, 16430, 16431 };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		assert_true(v2_notify_known(all[i]));
}

static size_t build_sa_init(uint8_t *buf, size_t cap)
{
	v2_header h = { 1, 0, 0, 2, 0, V2_IKE_SA_INIT, V2_F_INITIATOR, 0, 0 };
	v2_sa sa;
	memset(&sa, 0, sizeof(sa));
	sa.n = 1;
	sa.prop[0] = (v2_proposal){ .num = 1, .protocol = 1, .n = 1 };
	sa.prop[0].t[0] = (v2_transform){ 4, 19, 0 };
	uint8_t d[32] = { 0 };
	v2_builder b;
	v2_begin(&b, buf, cap, &h);
	v2_add_sa(&b, &sa);
	v2_add_ke(&b, 19, d, 32);
	v2_add_nonce(&b, d, 32);
	v2_add_notify(&b, 0, NULL, 0, V2_N_NAT_DETECTION_SOURCE_IP, d, 20);
	v2_add_notify(&b, 0, NULL, 0, V2_N_NAT_DETECTION_DESTINATION_IP, d, 20);
	v2_add_notify(&b, 0, NULL, 0, 40000, NULL, 0);
	v2_add_vid(&b, d, 16);
	return v2_finish(&b, 0);
}

static void summary_plain(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t n = build_sa_init(buf, sizeof(buf));
	v2_header h;
	v2_chain c;
	assert_int_equal(v2_parse_header(buf, n, &h), V2_OK);
	assert_int_equal(v2_parse_chain(h.next_payload, buf + 28, n - 28, 28, &c, NULL), V2_OK);
	char s[200];
	const char *want = "IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(40000) V ]";
	assert_int_equal(v2_summary(&h, &c, NULL, s, sizeof(s)), strlen(want));
	assert_string_equal(s, want);
	/* Truncation keeps a terminated prefix; zero capacity writes nothing. */
	char small[12];
	memset(small, 'x', sizeof(small));
	assert_int_equal(v2_summary(&h, &c, NULL, small, sizeof(small)), 11);
	assert_string_equal(small, "IKE_SA_INIT");
	assert_int_equal(v2_summary(&h, &c, NULL, small, 0), 0);
	assert_int_equal(small[0], 'I');
	char one[1];
	assert_int_equal(v2_summary(&h, &c, NULL, one, 1), 0);
	assert_int_equal(one[0], '\0');
}

static void summary_encrypted(void **state)
{
	(void)state;
	uint8_t buf[512], inner_buf[512];
	v2_header h = { 1, 2, 0, 2, 0, V2_IKE_AUTH, V2_F_RESPONSE, 1, 0 };
	v2_builder b;
	uint8_t d[32] = { 0 };
	/* Inner (decrypted) chain. */
	v2_begin_chain(&b, inner_buf, sizeof(inner_buf));
	v2_add_id(&b, V2_PL_IDR, V2_ID_FQDN, (const uint8_t *)"gw", 2);
	v2_add_auth(&b, V2_AUTH_SHARED_KEY_MIC, d, 32);
	v2_cp cp = { .type = 2, .n = 0 };
	v2_add_cp(&b, &cp);
	v2_eap eap = { .code = 1, .id = 1, .type = 1 };
	v2_add_eap(&b, &eap);
	v2_add_notify(&b, 0, NULL, 0, V2_N_MOBIKE_SUPPORTED, NULL, 0);
	size_t in_len = v2_finish(&b, 0);
	v2_chain inner;
	assert_int_equal(v2_parse_chain(b.first, inner_buf, in_len, 0, &inner, NULL), V2_OK);
	/* Outer message: just SK. */
	v2_begin(&b, buf, sizeof(buf), &h);
	size_t off = v2_add_sk_header(&b, inner.pl[0].type, 40);
	memset(buf + off, 0, 40);
	size_t n = v2_finish(&b, 40);
	v2_header g;
	v2_chain outer;
	assert_int_equal(v2_parse_header(buf, n, &g), V2_OK);
	assert_int_equal(v2_parse_chain(g.next_payload, buf + 28, n - 28, 28, &outer, NULL), V2_OK);
	char s[200];
	v2_summary(&g, &outer, NULL, s, sizeof(s));
	assert_string_equal(s, "IKE_AUTH response 1 [ E ]");
	v2_summary(&g, &outer, &inner, s, sizeof(s));
	assert_string_equal(s, "IKE_AUTH response 1 [ IDr AUTH CPRP EAP/REQ/ID N(MOBIKE_SUP) ]");
	/* A fragment shows its number and total. */
	const uint8_t skf[] = { V2_PL_IDI, 0, 0, 8, 0, 2, 0, 5 };
	assert_int_equal(v2_parse_chain(V2_PL_SKF, skf, sizeof(skf), 28, &outer, NULL), V2_OK);
	v2_summary(&g, &outer, NULL, s, sizeof(s));
	assert_string_equal(s, "IKE_AUTH response 1 [ EF(2/5) ]");
	/* Empty INFORMATIONAL. */
	v2_header info = { 1, 2, 0, 2, 0, V2_INFORMATIONAL, 0, 4294967295u, 0 };
	outer.n = 0;
	v2_summary(&info, &outer, NULL, s, sizeof(s));
	assert_string_equal(s, "INFORMATIONAL request 4294967295 [ ]");
}

size_t tests_wire_summary(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(summary_plain),
		cmocka_unit_test(summary_encrypted),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
