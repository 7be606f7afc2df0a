/* ISAKMP decoder: every malformed case, with the status and the message offset its error names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h.in"
#include "v1fx.h"
#include "wire/v1.h"

/* One mutation of Main Mode message 1: bytes at `at` replaced, then the whole message decoded. */
typedef struct mut {
	size_t at;
	uint8_t b[2];
	uint8_t n;
	v1_status want;
	size_t off;
} mut;

/* Header, chain, SA, proposal, transform: decodes everything the way a receiver of message 1 would. */
static v1_status decode_all(const uint8_t *m, size_t len, v1_err *e)
{
	v1_header h;
	v1_chain c;
	v1_status st = v1_parse_header(m, len, &h, e);
	if (st == V1_OK)
		st = v1_parse_chain(h.next_payload, m + V1_HDR_LEN, h.length - V1_HDR_LEN, V1_HDR_LEN, false, &c, e);
	for (size_t i = 0; st == V1_OK && i < c.n; i++)
		st = v1_parse_payload(&c.pl[i], e);
	return st;
}

static void v1_message_one_mutations(void **state)
{
	(void)state;
	static const mut muts[] = {
		{ 17, { 0x20 }, 1, V1_BAD_VERSION, 17 },          /* major version 2 */
		{ 26, { 0, 200 }, 2, V1_DROP, 24 },               /* Length beyond the datagram */
		{ 26, { 0, 27 }, 2, V1_DROP, 24 },                /* Length below the header */
		{ 16, { 99 }, 1, V1_BAD_PAYLOAD_TYPE, 28 },       /* header names type 99 */
		{ 28, { 2 }, 1, V1_BAD_PAYLOAD_TYPE, 28 },        /* SA's Next Payload: a Proposal at top level */
		{ 30, { 0, 3 }, 2, V1_MALFORMED, 30 },            /* SA Payload Length below 4 */
		{ 30, { 0, 90 }, 2, V1_MALFORMED, 30 },           /* SA runs past the message */
		{ 34, { 0, 2 }, 2, V1_DOI_UNSUPPORTED, 32 },      /* DOI 2 */
		{ 39, { 2 }, 1, V1_SIT_UNSUPPORTED, 36 },         /* SIT_SECRECY */
		{ 40, { 5 }, 1, V1_BAD_PROPOSAL, 40 },            /* proposal Next Payload 5 */
		{ 42, { 0, 7 }, 2, V1_BAD_PROPOSAL, 42 },         /* proposal Length below 8 */
		{ 42, { 0, 60 }, 2, V1_BAD_PROPOSAL, 42 },        /* proposal runs past the SA */
		{ 46, { 17 }, 1, V1_BAD_PROPOSAL, 46 },           /* SPI Size above 16 */
		{ 46, { 12 }, 1, V1_BAD_PROPOSAL, 60 },           /* SPI eats the transform header: attribute bytes read as one */
		{ 47, { 0 }, 1, V1_BAD_PROPOSAL, 47 },            /* no transforms */
		{ 47, { 2 }, 1, V1_BAD_PROPOSAL, 47 },            /* # Transforms 2, one present */
		{ 47, { 17 }, 1, V1_TOO_MANY, 47 },               /* more than the decoder holds */
		{ 48, { 2 }, 1, V1_BAD_PROPOSAL, 48 },            /* transform Next Payload 2 */
		{ 48, { 3 }, 1, V1_BAD_PROPOSAL, 88 },            /* says another transform follows: none does */
		{ 50, { 0, 7 }, 2, V1_BAD_PROPOSAL, 50 },         /* transform Length below 8 */
		{ 50, { 0, 41 }, 2, V1_BAD_PROPOSAL, 50 },        /* transform runs past the proposal */
		{ 50, { 0, 38 }, 2, V1_MALFORMED, 82 },           /* last attribute's value cut short */
		{ 82, { 0, 5 }, 2, V1_MALFORMED, 82 },            /* TLV Length runs past the transform */
		{ 88, { 13 }, 1, V1_MALFORMED, 108 },             /* VID says more follows: nothing does */
		{ 90, { 0, 4 }, 2, V1_MALFORMED, 92 },            /* empty VID: the chain then has 16 stray bytes */
	};
	uint8_t m[sizeof(v1_mm1)];
	for (size_t i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		memcpy(m, v1_mm1, sizeof(m));
		memcpy(m + muts[i].at, muts[i].b, muts[i].n);
		v1_err e = { 0 };
		v1_status st = decode_all(m, sizeof(m), &e);
		if (st != muts[i].want || e.off != muts[i].off || !e.what)
			fail_msg("mutation %zu (byte %zu): status %d (%s) at %zu, want %d at %zu", i, muts[i].at, st,
				 e.what ? e.what : "-", e.off, muts[i].want, muts[i].off);
	}
}

/* Every truncation of the message fails cleanly; trailing bytes are an error unless they are padding. */
static void v1_truncation_and_padding(void **state)
{
	(void)state;
	v1_err e;
	v1_header h;
	for (size_t n = 0; n < V1_HDR_LEN; n++) {
		assert_int_equal(v1_parse_header(v1_mm1, n, &h, &e), V1_DROP);
		assert_int_equal(e.off, n);
	}
	v1_chain c;
	for (size_t n = 0; n < sizeof(v1_mm1) - V1_HDR_LEN; n++)
		assert_int_not_equal(v1_parse_chain(V1_PL_SA, v1_mm1 + V1_HDR_LEN, n, V1_HDR_LEN, true, &c, &e), V1_OK);
	uint8_t m[sizeof(v1_mm1) + 5] = { 0 };
	memcpy(m, v1_mm1, sizeof(v1_mm1));
	m[sizeof(m) - 1] = 4; /* a pad-length style last byte: any content is accepted */
	assert_int_equal(v1_parse_chain(V1_PL_SA, m + V1_HDR_LEN, sizeof(m) - V1_HDR_LEN, V1_HDR_LEN, false, &c, &e),
			 V1_MALFORMED);
	assert_int_equal(e.off, 108);
	assert_int_equal(v1_parse_chain(V1_PL_SA, m + V1_HDR_LEN, sizeof(m) - V1_HDR_LEN, V1_HDR_LEN, true, &c, &e),
			 V1_OK);
	assert_int_equal(c.pad, 5);
	assert_int_equal(c.n, 2);
}

static void v1_too_many_payloads(void **state)
{
	(void)state;
	uint8_t buf[V1_GENERIC_HDR_LEN * (V1_MAX_PAYLOADS + 1) + V1_MAX_PAYLOADS + 1];
	static const uint8_t one = 1;
	v1_builder b;
	v1_begin_chain(&b, buf, sizeof(buf));
	for (int i = 0; i < V1_MAX_PAYLOADS + 1; i++)
		v1_add_data(&b, V1_PL_VID, &one, 1);
	size_t len = v1_finish(&b, 0);
	assert_int_equal(len, sizeof(buf));
	v1_chain c;
	v1_err e;
	assert_int_equal(v1_parse_chain(V1_PL_VID, buf, len, 0, false, &c, &e), V1_TOO_MANY);
	assert_int_equal(e.off, 5 * V1_MAX_PAYLOADS);
	buf[5 * (V1_MAX_PAYLOADS - 1)] = V1_PL_NONE; /* end the chain at the 48th payload */
	assert_int_equal(v1_parse_chain(V1_PL_VID, buf, len - 5, 0, false, &c, &e), V1_OK);
	assert_int_equal(c.n, V1_MAX_PAYLOADS);
	assert_int_equal(v1_parse_chain(15, buf, len, 0, false, &c, &e), V1_BAD_PAYLOAD_TYPE); /* SAK: not IKE */
	assert_int_equal(e.bad_type, 15);
	assert_int_equal(v1_status_notify(V1_BAD_PAYLOAD_TYPE), V1_N_INVALID_PAYLOAD_TYPE);
	assert_int_equal(v1_status_notify(V1_TOO_MANY), V1_N_PAYLOAD_MALFORMED);
}

/* A typed parser on body bytes at base 100: status and offset. */
typedef struct small {
	uint8_t type;
	uint8_t b[24];
	uint8_t n;
	v1_status want;
	size_t off;
} small;

static void v1_small_payload_errors(void **state)
{
	(void)state;
	static const small cases[] = {
		{ V1_PL_ID, { 1, 0, 0 }, 3, V1_MALFORMED, 100 },
		{ V1_PL_ID, { 0, 0, 0, 0, 1 }, 5, V1_BAD_ID, 100 },
		{ V1_PL_ID, { 12, 0, 0, 0, 1 }, 5, V1_BAD_ID, 100 },
		{ V1_PL_ID, { 1, 17, 1, 244, 10, 0, 0, 1, 9 }, 9, V1_BAD_ID, 104 },
		{ V1_PL_ID, { 4, 0, 0, 0, 10, 0, 0, 0 }, 8, V1_BAD_ID, 104 },
		{ V1_PL_ID, { 2, 0, 0, 0 }, 4, V1_BAD_ID, 104 },
		{ V1_PL_ID, { 2, 0, 0, 0, 'a' }, 5, V1_OK, 0 },
		{ V1_PL_NONCE, { 1, 2, 3, 4, 5, 6, 7 }, 7, V1_MALFORMED, 100 },
		{ V1_PL_NONCE, { 1, 2, 3, 4, 5, 6, 7, 8 }, 8, V1_OK, 0 },
		{ V1_PL_HASH, { 0 }, 0, V1_MALFORMED, 100 },
		{ V1_PL_KE, { 0 }, 0, V1_MALFORMED, 100 },
		{ V1_PL_CERT, { 0 }, 0, V1_MALFORMED, 100 },
		{ V1_PL_CR, { 4 }, 1, V1_OK, 0 },
		{ V1_PL_N, { 0, 0, 0, 1, 1, 0, 0 }, 7, V1_MALFORMED, 100 },
		{ V1_PL_N, { 0, 0, 0, 5, 1, 0, 0, 14 }, 8, V1_DOI_UNSUPPORTED, 100 },
		{ V1_PL_N, { 0, 0, 0, 1, 1, 17, 0, 14 }, 8, V1_MALFORMED, 105 },
		{ V1_PL_N, { 0, 0, 0, 1, 1, 4, 0, 14, 1, 2, 3 }, 11, V1_MALFORMED, 105 },
		{ V1_PL_N, { 0, 0, 0, 0, 1, 0, 0, 14 }, 8, V1_OK, 0 },
		{ V1_PL_D, { 0, 0, 0, 1, 3, 4, 0 }, 7, V1_MALFORMED, 100 },
		{ V1_PL_D, { 0, 0, 0, 9, 3, 4, 0, 1, 1, 2, 3, 4 }, 12, V1_DOI_UNSUPPORTED, 100 },
		{ V1_PL_D, { 0, 0, 0, 1, 3, 0, 0, 1 }, 8, V1_MALFORMED, 105 },
		{ V1_PL_D, { 0, 0, 0, 1, 3, 17, 0, 1 }, 8, V1_MALFORMED, 105 },
		{ V1_PL_D, { 0, 0, 0, 1, 3, 4, 0, 0 }, 8, V1_MALFORMED, 106 },
		{ V1_PL_D, { 0, 0, 0, 1, 3, 4, 0, 65 }, 8, V1_TOO_MANY, 106 },
		{ V1_PL_D, { 0, 0, 0, 1, 3, 4, 0, 2, 1, 2, 3, 4 }, 12, V1_MALFORMED, 106 },
		{ V1_PL_D, { 0, 0, 0, 1, 3, 4, 0, 1, 1, 2, 3, 4 }, 12, V1_OK, 0 },
		{ V1_PL_NATOA, { 1, 0, 0 }, 3, V1_MALFORMED, 100 },
		{ V1_PL_NATOA, { 2, 0, 0, 0, 1, 2, 3, 4 }, 8, V1_BAD_ID, 100 },
		{ V1_PL_NATOA, { 1, 0, 0, 0, 1, 2, 3 }, 7, V1_MALFORMED, 104 },
		{ V1_PL_NATOA, { 5, 0, 0, 0, 1, 2, 3, 4 }, 8, V1_MALFORMED, 104 },
		{ V1_PL_ATTR, { 1, 0, 0 }, 3, V1_MALFORMED, 100 },
		{ V1_PL_ATTR, { 1, 0, 0, 0, 0x40, 1, 0, 4, 1 }, 9, V1_MALFORMED, 106 },
		{ V1_PL_ATTR, { 1, 0, 0, 0, 0x80, 1, 0 }, 7, V1_MALFORMED, 104 },
		{ V1_PL_SA, { 0, 0, 0 }, 3, V1_MALFORMED, 100 },
		{ V1_PL_SA, { 0, 0, 0, 1, 0, 0 }, 6, V1_MALFORMED, 104 },
		{ V1_PL_SA, { 0, 0, 0, 1, 0, 0, 0, 1 }, 8, V1_BAD_PROPOSAL, 108 },
		{ V1_PL_FRAG, { 1 }, 1, V1_OK, 0 }, /* private-use types are kept, not parsed */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v1_payload p = { .type = cases[i].type, .offset = 96, .body = cases[i].b, .len = cases[i].n };
		v1_err e = { 0 };
		v1_status st = v1_parse_payload(&p, &e);
		if (st != cases[i].want || (st && e.off != cases[i].off))
			fail_msg("case %zu (%s): status %d (%s) at %zu, want %d at %zu", i, v1_payload_short(cases[i].type),
				 st, e.what ? e.what : "-", e.off, cases[i].want, cases[i].off);
	}
	static const uint8_t big[257];
	assert_int_equal(v1_parse_data(V1_PL_NONCE, big, sizeof(big), 0, &(v1_data){ 0 }, NULL), V1_MALFORMED);
}

size_t tests_v1_wire_err(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_message_one_mutations),
		cmocka_unit_test(v1_truncation_and_padding),
		cmocka_unit_test(v1_too_many_payloads),
		cmocka_unit_test(v1_small_payload_errors),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
