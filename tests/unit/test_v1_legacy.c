/*
 * IKEv1's legacy transforms: the keywords "3des", "md5" ("prfmd5") parse for IKEv1 connections only; Main Mode
 * offers 3DES-CBC (Encryption 5), MD5 (Hash 1), MODP-1024 (Group 2) without a Key Length, Quick Mode ESP_3DES (3)
 * with HMAC-MD5 (Authentication Algorithm 1); both peers agree, derive mirrored 24-byte / 16-byte KEYMAT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/proposal.h"
#include "crypto/registry.h"
#include "pair.h"
#include "test_list.h.in"
#include "wire/v1.h"

static void v1_legacy_keywords_parse_for_v1_only(void **state)
{
	(void)state;
	ike_proposal_list pl;
	char err[160];
	assert_int_equal(ike_proposals_parse("3des-md5-modp1024", IKE_PROTO_IKE, &pl, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'3des' is for IKEv1 connections only"));
	assert_int_equal(ike_proposals_parse("aes128-md5", IKE_PROTO_ESP, &pl, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'md5' is for IKEv1"));
	assert_int_equal(ike_proposals_parse_v1("3des-md5-modp1024", IKE_PROTO_IKE, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.p[0].encr[0].id, IKE_ENCR_3DES);
	assert_int_equal(pl.p[0].encr[0].keylen, 0);
	assert_int_equal(pl.p[0].integ[0].id, IKE_INTEG_HMAC_MD5_96);
	assert_int_equal(pl.p[0].prf[0].id, IKE_PRF_HMAC_MD5); /* implied by md5, as sha256 implies prfsha256 */
	assert_int_equal(pl.p[0].dh[0].id, IKE_DH_MODP1024);
	assert_true(ike_proposals_v1_only(&pl));
	assert_int_equal(ike_proposals_parse_v1("aes256-sha1-modp1024", IKE_PROTO_IKE, &pl, err, sizeof(err)), 0);
	assert_false(ike_proposals_v1_only(&pl));
	assert_int_equal(ike_proposals_parse_v1("3des-sha1", IKE_PROTO_ESP, &pl, err, sizeof(err)), 0);
	assert_true(ike_proposals_v1_only(&pl));
	assert_int_equal(ike_proposals_parse_v1("3des-md6", IKE_PROTO_ESP, &pl, err, sizeof(err)), -1);
	assert_null(ike_keyword_find("3des", 4)); /* the shared table (IKEv2, ESP) stays without them */
}

static int offers_seen;

/* MM1's and QM1's transforms as RFC 2409 App. A / RFC 2407 4.5 write them. */
static bool check_offer(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)pr, (void)n;
	v1_header h;
	v1_chain c;
	v1_sa sa;
	if (side != 0 || v1_parse_header(data, len, &h, NULL) != V1_OK || h.exchange != V1_EXCH_ID_PROT ||
	    h.next_payload != V1_PL_SA)
		return true;
	assert_int_equal(v1_parse_chain(h.next_payload, data + V1_HDR_LEN, len - V1_HDR_LEN, V1_HDR_LEN, false, &c, NULL), V1_OK);
	assert_int_equal(v1_parse_sa(c.pl[0].body, c.pl[0].len, 0, &sa, NULL), V1_OK);
	v1_p1_attrs a;
	assert_int_equal(v1_decode_p1(&sa.prop[0].t[0], &a, NULL), V1_OK);
	assert_int_equal(a.encr, V1_ENCR_3DES);
	assert_int_equal(a.key_len, 0); /* no Key Length attribute for a fixed-length cipher */
	assert_int_equal(a.hash, V1_HASH_MD5);
	assert_int_equal(a.group, 2);
	offers_seen++;
	return true;
}

static void v1_legacy_3des_md5_end_to_end(void **state)
{
	(void)state;
	static const char *const esp[] = { "3des-md5", "3des-sha1-modp1024" };
	for (int k = 0; k < 2; k++) {
		pair pr;
		char err[160];
		pair_init(&pr, "aes128-sha256-modp2048", "aes128-sha256");
		for (int s = 0; s < 2; s++) {
			pr.conn[s].version = 1;
			assert_int_equal(ike_proposals_parse_v1(s ? "aes256-sha256-modp2048,3des-md5-modp1024" : "3des-md5-modp1024",
								IKE_PROTO_IKE, &pr.conn[s].ike, err, sizeof(err)), 0);
			assert_int_equal(ike_proposals_parse_v1(s ? "aes128-sha256,3des-md5,3des-sha1-modp1024" : esp[k],
								IKE_PROTO_ESP, &pr.child[s].esp, err, sizeof(err)), 0);
		}
		offers_seen = 0;
		pr.filter = check_offer;
		pair_start(&pr, 51);
		pair_run(&pr, 5 * IKE_NS_PER_SEC);
		assert_int_equal(offers_seen, 1);
		for (int s = 0; s < 2; s++) {
			ike_conn_status st;
			assert_int_equal(ike_peer_conn_status(pr.peer[s], 0, &st), 0);
			assert_string_equal(st.ike_state, "ESTABLISHED");
			assert_string_equal(st.child_state, "INSTALLED");
			assert_string_equal(st.selected_ike, "3DES_CBC/HMAC_MD5_96/PRF_HMAC_MD5/MODP_1024");
			assert_string_equal(st.selected_esp, k ? "3DES_CBC/HMAC_SHA1_96/MODP_1024" : "3DES_CBC/HMAC_MD5_96");
		}
		/* Ka: SKEYID_e (16 bytes of HMAC-MD5) is too short for 3DES: expanded to 24 (RFC 2409 App. B) */
		assert_int_equal(pair_count(&pr, 0, "kdf", "\"name\":\"Ka\",\"inputs\":[\"SKEYID_e\"],\"len\":24"), 1);
		/* KEYMAT: each direction 24 bytes of 3DES key and 16 (MD5) or 20 (SHA-1) of HMAC key */
		assert_int_equal(pair_count(&pr, -1, "kdf", k ? "\"name\":\"KEYMAT\",\"inputs\":[\"SKEYID_d\",\"g(qm)^xy (PFS)\"" : "\"name\":\"KEYMAT\""), 2);
		assert_int_equal(pair_count(&pr, -1, "kdf", k ? "\"len\":88" : "\"len\":80"), 2);
		char k0[256], k1[256];
		assert_true(pair_kdf_value(&pr, 0, "KEYMAT", k0, sizeof(k0)) > 0);
		assert_true(pair_kdf_value(&pr, 1, "KEYMAT", k1, sizeof(k1)) > 0);
		size_t half = strlen(k0) / 2; /* [KEYMAT(spi_in) | KEYMAT(spi_out)]: the halves cross over */
		assert_memory_equal(k0, k1 + half, half);
		assert_memory_equal(k0 + half, k1, half);
		pair_free(&pr);
	}
}

size_t tests_v1_legacy(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_legacy_keywords_parse_for_v1_only),
		cmocka_unit_test(v1_legacy_3des_md5_end_to_end),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
