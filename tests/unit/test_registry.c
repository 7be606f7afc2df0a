/* Transform registry: IDs, names, RFC key/IV/ICV sizes, keywords and aliases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto/registry.h"
#include "test_list.h.in"

static void sizes_follow_the_rfcs(void **state)
{
	(void)state;
	const ike_alg *a = ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256);
	assert_non_null(a);
	assert_string_equal(a->name, "AES_GCM_16_256");
	/* RFC 4106/5282: 32-byte key + 4-byte salt, 8-byte IV, 16-byte ICV */
	assert_int_equal(a->key_bytes, 36);
	assert_int_equal(a->salt_bytes, 4);
	assert_int_equal(a->iv_bytes, 8);
	assert_int_equal(a->icv_bytes, 16);
	assert_true(a->aead);
	a = ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_8, 128);
	assert_int_equal(a->icv_bytes, 8);
	assert_string_equal(a->name, "AES_GCM_8_128");
	a = ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_CBC, 192);
	assert_string_equal(a->name, "AES_CBC_192");
	assert_int_equal(a->key_bytes, 24);
	assert_int_equal(a->iv_bytes, 16);
	assert_int_equal(a->block_bytes, 16);
	/* RFC 3686: key + 4-byte nonce, 8-byte IV */
	a = ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_CTR, 256);
	assert_string_equal(a->name, "AES_CTR_256");
	assert_int_equal(a->key_bytes, 36);
	assert_int_equal(a->iv_bytes, 8);
	/* RFC 7634: 32-byte key + 4-byte salt, no Key Length attribute */
	a = ike_alg_find(IKE_TT_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0);
	assert_string_equal(a->name, "CHACHA20_POLY1305");
	assert_int_equal(a->key_bytes, 36);
	assert_null(ike_alg_find(IKE_TT_ENCR, IKE_ENCR_CHACHA20_POLY1305, 256));
	assert_null(ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_CBC, 0));
	assert_null(ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_CBC, 512));
	a = ike_alg_find(IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0);
	assert_string_equal(a->name, "HMAC_SHA2_384_192");
	assert_int_equal(a->key_bytes, 48);
	assert_int_equal(a->icv_bytes, 24);
	assert_string_equal(ike_alg_find(IKE_TT_INTEG, IKE_INTEG_AES_XCBC_96, 0)->name, "AES_XCBC_96");
	assert_string_equal(ike_alg_find(IKE_TT_INTEG, IKE_INTEG_AES_CMAC_96, 0)->name, "AES_CMAC_96");
	assert_string_equal(ike_alg_find(IKE_TT_PRF, IKE_PRF_AES128_CMAC, 0)->name, "PRF_AES128_CMAC");
	assert_int_equal(ike_alg_find(IKE_TT_PRF, IKE_PRF_HMAC_SHA2_512, 0)->out_bytes, 64);
	assert_string_equal(ike_alg_find(IKE_TT_DH, IKE_DH_CURVE448, 0)->name, "CURVE_448");
	assert_string_equal(ike_alg_find(IKE_TT_DH, IKE_DH_ECP521, 0)->name, "ECP_521");
	assert_string_equal(ike_alg_find(IKE_TT_ESN, IKE_ESN_NO, 0)->name, "NO_EXT_SEQ");
}

static void table_is_complete_and_unique(void **state)
{
	(void)state;
	size_t n, per[6] = { 0 };
	const ike_alg *all = ike_alg_all(&n);
	for (size_t i = 0; i < n; i++) {
		assert_true(all[i].type >= IKE_TT_ENCR && all[i].type <= IKE_TT_ESN);
		per[all[i].type]++;
		assert_ptr_equal(ike_alg_find(all[i].type, all[i].id, all[i].keylen_bits), &all[i]);
		assert_string_equal(ike_transform_name(all[i].type, all[i].id, all[i].keylen_bits), all[i].name);
		if (all[i].type == IKE_TT_ENCR && all[i].aead)
			assert_true(all[i].salt_bytes == 4 && all[i].icv_bytes >= 8);
	}
	assert_int_equal(per[IKE_TT_ENCR], 16);
	assert_int_equal(per[IKE_TT_PRF], 6);
	assert_int_equal(per[IKE_TT_INTEG], 6);
	assert_int_equal(per[IKE_TT_DH], 13);
	assert_int_equal(per[IKE_TT_ESN], 2);
	assert_string_equal(ike_transform_type_name(IKE_TT_DH), "DH");
	assert_string_equal(ike_transform_type_name(99), "UNKNOWN");
	assert_non_null(ike_transform_name(IKE_TT_ENCR, 3, 0));
	assert_non_null(ike_transform_name(0, 0, 0));
}

static const ike_keyword *kw(const char *w) { return ike_keyword_find(w, strlen(w)); }

static void keywords_and_aliases(void **state)
{
	(void)state;
	assert_int_equal(kw("aes")->id, IKE_ENCR_AES_CBC);
	assert_int_equal(kw("aes")->keylen_bits, 128);
	assert_int_equal(kw("aes256")->keylen_bits, 256);
	assert_int_equal(kw("aes192ctr")->id, IKE_ENCR_AES_CTR);
	assert_int_equal(kw("aes128gcm")->id, IKE_ENCR_AES_GCM_16);
	assert_int_equal(kw("aes256gcm128")->id, IKE_ENCR_AES_GCM_16);
	assert_int_equal(kw("aes256gcm96")->id, IKE_ENCR_AES_GCM_12);
	assert_int_equal(kw("aes192gcm64")->id, IKE_ENCR_AES_GCM_8);
	assert_int_equal(kw("aes192gcm8")->keylen_bits, 192);
	assert_int_equal(kw("chacha20poly1305")->keylen_bits, 0);
	assert_int_equal(kw("sha")->id, IKE_INTEG_HMAC_SHA1_96);
	assert_int_equal(kw("sha2_256")->implied_prf, IKE_PRF_HMAC_SHA2_256);
	assert_int_equal(kw("sha512")->implied_prf, IKE_PRF_HMAC_SHA2_512);
	assert_int_equal(kw("aesxcbc")->implied_prf, IKE_PRF_AES128_XCBC);
	assert_int_equal(kw("aescmac")->implied_prf, IKE_PRF_AES128_CMAC);
	assert_int_equal(kw("prfaescmac")->type, IKE_TT_PRF);
	assert_int_equal(kw("modp768")->id, IKE_DH_MODP768);
	assert_int_equal(kw("modp8192")->id, IKE_DH_MODP8192);
	assert_int_equal(kw("curve25519")->id, IKE_DH_CURVE25519);
	assert_int_equal(kw("x448")->id, IKE_DH_CURVE448);
	assert_int_equal(kw("esn")->id, IKE_ESN_YES);
	assert_int_equal(kw("noesn")->type, IKE_TT_ESN);
	/* every keyword names a registered transform */
	static const char *const all[] = { "aes128", "aes256ctr", "aes128gcm12", "aes256gcm", "sha384", "prfsha1",
					   "prfaesxcbc", "ecp384", "modp1536", "x25519", "esn" };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const ike_keyword *k = kw(all[i]);
		assert_non_null(k);
		assert_non_null(ike_alg_find(k->type, k->id, k->keylen_bits));
	}
	assert_null(kw("aes129"));
	assert_null(kw("AES128"));
	assert_ptr_equal(ike_keyword_find("aes128", 3), kw("aes"));
	assert_null(ike_keyword_find(NULL, 3));
	assert_null(kw(""));
}

size_t tests_registry(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(sizes_follow_the_rfcs),
		cmocka_unit_test(table_is_complete_and_unique),
		cmocka_unit_test(keywords_and_aliases),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
