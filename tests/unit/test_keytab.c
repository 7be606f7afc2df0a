/* The Wireshark IKEv2 key table: one row per IKE SA (rekeyed ones too), the peer's second report dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keytab.h"
#include "test_list.h.in"

/* AES-CBC-128 with HMAC-SHA2-256-128 keys filled with one byte each, so rows are told apart by eye. */
static ike_sa_keys cbc_keys(uint8_t *buf, uint8_t fill)
{
	memset(buf, fill, 96);
	return (ike_sa_keys){ .encr = 12, .encr_keylen = 128, .integ = 12, .ei = buf, .er = buf + 16, .ai = buf + 32,
			      .ar = buf + 64, .e_len = 16, .a_len = 32 };
}

static char *write_table(const sim_keytab *kt, sim_keytab_stats *st)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(sim_keytab_write(kt, f, st), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static size_t lines_starting(const char *text, const char *prefix)
{
	size_t n = 0;
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	return n;
}

/* An IKE SA and the SA that rekeyed it (new SPIs, new keys): two rows, in the order they came up. */
static void keytab_rekeyed_sa_gets_a_row(void **state)
{
	(void)state;
	uint8_t a[96], b[96];
	sim_keytab *kt = sim_keytab_new();
	assert_non_null(kt);
	ike_sa_keys k1 = cbc_keys(a, 0x11), k2 = cbc_keys(b, 0x22);
	assert_int_equal(sim_keytab_add(kt, 0x8059928337c25b67ULL, 0x27828255f37b7d68ULL, &k1), 0); /* initiator */
	assert_int_equal(sim_keytab_add(kt, 0x8059928337c25b67ULL, 0x27828255f37b7d68ULL, &k1), 0); /* responder */
	assert_int_equal(sim_keytab_add(kt, 0x4b1d6f0c9a2e7735ULL, 0xc3e09a51d7f26b08ULL, &k2), 0); /* rekeyed */
	assert_int_equal(sim_keytab_add(kt, 0x4b1d6f0c9a2e7735ULL, 0xc3e09a51d7f26b08ULL, &k2), 0);
	sim_keytab_stats st;
	char *text = write_table(kt, &st);
	assert_int_equal(st.rows, 2);
	assert_int_equal(st.undecryptable, 0);
	assert_int_equal(lines_starting(text, "8059928337c25b67,27828255f37b7d68,11111111"), 1);
	assert_int_equal(lines_starting(text, "4b1d6f0c9a2e7735,c3e09a51d7f26b08,22222222"), 1);
	const char *first = strstr(text, "8059928337c25b67,"), *second = strstr(text, "4b1d6f0c9a2e7735,");
	assert_true(first && second && first < second);
	assert_non_null(strstr(second, ",\"AES-CBC-128 [RFC3602]\","));
	assert_non_null(strstr(second, ",\"HMAC_SHA2_256_128 [RFC4868]\"\n"));
	free(text);
	sim_keytab_free(kt);
}

/* Same initiator SPI, another responder SPI (two SAs of a collision): both kept; the key of a row is the pair. */
static void keytab_pair_is_the_key(void **state)
{
	(void)state;
	uint8_t a[96], b[96];
	sim_keytab *kt = sim_keytab_new();
	assert_non_null(kt);
	ike_sa_keys k1 = cbc_keys(a, 0x33), k2 = cbc_keys(b, 0x44);
	assert_int_equal(sim_keytab_add(kt, 0x0102030405060708ULL, 0x1111111111111111ULL, &k1), 0);
	assert_int_equal(sim_keytab_add(kt, 0x0102030405060708ULL, 0x2222222222222222ULL, &k2), 0);
	assert_int_equal(sim_keytab_add(kt, 0x0102030405060708ULL, 0x1111111111111111ULL, &k2), 0); /* late duplicate */
	sim_keytab_stats st;
	char *text = write_table(kt, &st);
	assert_int_equal(st.rows, 2);
	assert_int_equal(lines_starting(text, "0102030405060708,1111111111111111,33333333"), 1); /* first report wins */
	assert_int_equal(lines_starting(text, "0102030405060708,2222222222222222,44444444"), 1);
	free(text);
	sim_keytab_free(kt);
}

/* AES-XCBC-96: Wireshark's "no checking" entry takes no SK_a (with one, tshark says "Error loading table"). */
static void keytab_unchecked_integrity_has_no_key(void **state)
{
	(void)state;
	uint8_t a[96];
	sim_keytab *kt = sim_keytab_new();
	assert_non_null(kt);
	ike_sa_keys k = cbc_keys(a, 0x33);
	k.integ = 5; /* AUTH_AES_XCBC_96 */
	k.a_len = 16;
	assert_int_equal(sim_keytab_add(kt, 1, 2, &k), 0);
	sim_keytab_stats st;
	char *text = write_table(kt, &st);
	assert_int_equal(st.rows, 1);
	assert_int_equal(st.unchecked, 1);
	assert_non_null(strstr(text, ",\"AES-CBC-128 [RFC3602]\",,,\"ANY 96-bits of Authentication [No Checking]\"\n"));
	free(text);
	sim_keytab_free(kt);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(keytab_rekeyed_sa_gets_a_row),
	cmocka_unit_test(keytab_pair_is_the_key),
	cmocka_unit_test(keytab_unchecked_integrity_has_no_key),
};

size_t tests_keytab(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
