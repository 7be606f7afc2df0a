/* strongSwan-syntax proposals: parsing, implied PRFs, aliases, errors, display format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/proposal.h"
#include "crypto/registry.h"
#include "test_list.h.in"

static void fmt_eq(const ike_proposal *p, const char *want)
{
	char buf[256];
	size_t n = ike_proposal_format(p, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void ike_proposals_valid(void **state)
{
	(void)state;
	ike_proposal_list l;
	char err[128];
	assert_int_equal(ike_proposals_parse("aes128gcm16-prfsha256-x25519,aes256-sha256-modp2048", IKE_PROTO_IKE, &l,
					     err, sizeof(err)),
			 0);
	assert_int_equal(l.n, 2);
	fmt_eq(&l.p[0], "AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519");
	/* integrity without prf implies the PRF of the same hash */
	fmt_eq(&l.p[1], "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048");
	assert_int_equal(l.p[1].encr[0].id, IKE_ENCR_AES_CBC);
	assert_int_equal(l.p[1].encr[0].keylen, 256);
	assert_int_equal(l.p[1].protocol, IKE_PROTO_IKE);

	/* multi-algorithm proposal, aliases, dedup of the same transform */
	assert_int_equal(ike_proposals_parse("aes-aes256ctr-sha1-sha2_512-aesxcbc-modp3072-ecp256-curve448-x448",
					     IKE_PROTO_IKE, &l, err, sizeof(err)),
			 0);
	fmt_eq(&l.p[0], "AES_CBC_128/AES_CTR_256/HMAC_SHA1_96/HMAC_SHA2_512_256/AES_XCBC_96/PRF_HMAC_SHA1/"
			"PRF_HMAC_SHA2_512/PRF_AES128_XCBC/MODP_3072/ECP_256/CURVE_448");
	assert_int_equal(l.p[0].n_dh, 3);
	/* an explicit prf wins over the implied ones */
	assert_int_equal(ike_proposals_parse(" aes192-sha384-prfaescmac-ecp521 , aes256gcm96-chacha20poly1305-prfsha512-modp8192",
					     IKE_PROTO_IKE, &l, err, sizeof(err)),
			 0);
	fmt_eq(&l.p[0], "AES_CBC_192/HMAC_SHA2_384_192/PRF_AES128_CMAC/ECP_521");
	fmt_eq(&l.p[1], "AES_GCM_12_256/CHACHA20_POLY1305/PRF_HMAC_SHA2_512/MODP_8192");
	assert_int_equal(ike_proposals_parse("aes128gcm-prfsha384-ecp384", IKE_PROTO_IKE, &l, err, sizeof(err)), 0);
	assert_int_equal(l.p[0].encr[0].id, IKE_ENCR_AES_GCM_16);
}

static void esp_proposals_valid(void **state)
{
	(void)state;
	ike_proposal_list l;
	char err[128];
	assert_int_equal(ike_proposals_parse("aes128gcm16,aes256-sha256-modp2048-esn-noesn", IKE_PROTO_ESP, &l, err,
					     sizeof(err)),
			 0);
	assert_int_equal(l.n, 2);
	fmt_eq(&l.p[0], "AES_GCM_16_128/NO_EXT_SEQ");
	fmt_eq(&l.p[1], "AES_CBC_256/HMAC_SHA2_256_128/MODP_2048/EXT_SEQ/NO_EXT_SEQ");
	assert_int_equal(l.p[1].n_prf, 0);
	assert_int_equal(l.p[0].protocol, IKE_PROTO_ESP);
}

static void expect_error(const char *text, uint8_t proto, const char *needle)
{
	ike_proposal_list l;
	char err[128];
	assert_int_equal(ike_proposals_parse(text, proto, &l, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' lacks '%s'", text, err, needle);
	assert_null(strchr(err, '\n'));
	assert_int_equal(l.n, 0);
}

static void errors_name_proposal_and_keyword(void **state)
{
	(void)state;
	expect_error("aes129-sha256-modp2048", IKE_PROTO_IKE, "unknown keyword 'aes129' in proposal 1");
	expect_error("aes128-sha256-modp2048,aes128-sha256-foo", IKE_PROTO_IKE, "'foo' in proposal 2");
	expect_error("aes128gcm16-sha256-x25519", IKE_PROTO_IKE, "AEAD algorithm with integrity algorithm in proposal 1");
	expect_error("aes128-sha256", IKE_PROTO_IKE, "no DH group in proposal 1");
	expect_error("aes128gcm16-x25519", IKE_PROTO_IKE, "no PRF algorithm in proposal 1");
	expect_error("aes128-prfsha256-x25519", IKE_PROTO_IKE, "no integrity algorithm in proposal 1");
	expect_error("sha256-modp2048", IKE_PROTO_IKE, "no encryption algorithm in proposal 1");
	expect_error("aes128--sha256-modp2048", IKE_PROTO_IKE, "empty keyword in proposal 1");
	expect_error("aes128-sha256-modp2048,", IKE_PROTO_IKE, "empty proposal 2");
	expect_error("", IKE_PROTO_IKE, "empty proposal 1");
	expect_error("aes128-aes128gcm16-sha256-modp2048", IKE_PROTO_IKE, "mixes AEAD");
	expect_error("aes128-sha256-modp2048-esn", IKE_PROTO_IKE, "ESN keyword 'esn'");
	expect_error("aes128-sha256-prfsha256", IKE_PROTO_ESP, "PRF keyword 'prfsha256' not allowed in ESP proposal 1");
	expect_error("AES128-sha256-modp2048", IKE_PROTO_IKE, "'AES128'");
	expect_error("aes128-sha256-modp768-modp1024-modp1536-modp2048-modp3072-modp4096-modp6144-modp8192-ecp256",
		     IKE_PROTO_IKE, "too many DH");
	expect_error("aes128gcm16,aes128gcm16,aes128gcm16,aes128gcm16,aes128gcm16,aes128gcm16,aes128gcm16,"
		     "aes128gcm16,aes128gcm16",
		     IKE_PROTO_ESP, "too many proposals");
	expect_error("aes128-sha256", IKE_PROTO_AH, "encryption algorithm 'aes128' not allowed in AH proposal 1");
	expect_error("aes128-sha256", 4, "unsupported protocol");
	ike_proposal_list l;
	assert_int_equal(ike_proposals_parse(NULL, IKE_PROTO_IKE, &l, NULL, 0), -1);
	assert_int_equal(ike_proposals_parse("aes128-sha1-modp2048", IKE_PROTO_IKE, NULL, NULL, 0), -1);
	/* a tiny error buffer is truncated, not overrun */
	char small[8];
	assert_int_equal(ike_proposals_parse("nope", IKE_PROTO_IKE, &l, small, sizeof(small)), -1);
	assert_int_equal(strlen(small), 7);
}

static void format_truncates_safely(void **state)
{
	(void)state;
	ike_proposal_list l;
	assert_int_equal(ike_proposals_parse("aes256-sha256-modp2048", IKE_PROTO_IKE, &l, NULL, 0), 0);
	char buf[10];
	size_t n = ike_proposal_format(&l.p[0], buf, sizeof(buf));
	assert_int_equal(n, strlen("AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"));
	assert_string_equal(buf, "AES_CBC_2");
	assert_int_equal(ike_proposal_format(&l.p[0], NULL, 0), n);
	ike_proposal odd;
	memset(&odd, 0, sizeof(odd));
	odd.n_encr = 200; /* corrupted counts are clamped */
	odd.encr[0].id = 999;
	char big[1024];
	ike_proposal_format(&odd, big, sizeof(big));
	assert_non_null(strstr(big, "ENCR_UNKNOWN"));
	assert_int_equal(ike_proposal_format(NULL, big, sizeof(big)), 0);
	assert_string_equal(big, "");
}

size_t tests_proposal(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(ike_proposals_valid),
		cmocka_unit_test(esp_proposals_valid),
		cmocka_unit_test(errors_name_proposal_and_keyword),
		cmocka_unit_test(format_truncates_safely),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
