/* IKEv2 KDF against NIST CAVP SP 800-135 (CAVS 17.3 IKEv2): SKEYSEED, DKM, child KEYMAT, rekey SKEYSEED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "crypto/kdf.h"
#include "crypto/prf.h"
#include "crypto/registry.h"
#include "hexutil.h"
#include "testfs.h"
#include "test_list.h.in"

typedef struct kdf_case {
	uint16_t prf;
	const char *ni, *nr, *gir, *gir_new, *spii, *spir;
	unsigned dkm_bits;
	const char *skeyseed, *dkm, *child, *child_dh, *rekey;
} kdf_case;

/* Transcribed from tests/vectors/ikev2_kdf_cavp.json (NIST CAVP SP 800-135, CAVS 17.3 ikev2.fax). */
static const kdf_case cases[] = {
	/* CAVS 17.3 IKEv2, SHA-1 COUNT = 0 (Ni/Nr 64 bits, g^ir 256 bits) */
	{ IKE_PRF_HMAC_SHA1, "32b50d5f4a3763f3", "9206a04b26564cb1", "4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52", "863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330", "34c9e7c188868785", "3ff77d760d2b2199", 1056, "a9a7b222b59f8f48645f28a1db5b5f5d7479cba7",
	  "a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002a2a63080e514a062768b76606f9fa5e992204fc5a670bde3f10d6b027113936a5c55b648a194ae587b0088d52204b702c979fa280870d2ed41efa9c549fd11198af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435a7a56cc4",
	  "8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c5811a8e7b5d1cdabd9560b2d5e092d1f24e2d4b85eccdf0ad0dc9abd94b51ee71814ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe20754a2d883ba0c2cf285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e664994d234cb4",
	  "bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d37301628190e38c66232eab4b3ab14c400a5197dd3730ed4820a8a10394d51e1c0400052f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8bbb5ffb7857240f9a05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054d56fd74c",
	  "63e81194946ebd05df7df5ebf5d8750056bf1f1d" },
	/* CAVS 17.3 IKEv2, SHA-256 COUNT = 0 (Ni/Nr 64 bits, g^ir 256 bits) */
	{ IKE_PRF_HMAC_SHA2_256, "3f302be1abcb28e1", "8c332ee006064c9b", "0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29", "25f3b12d6f282739256e39bf54eda53b60ffcf379bb7bcc90c27b4c4c578616c", "40dac39e1e1a8640", "8619a1cf9a6e4c07", 1056, "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe",
	  "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ece98aca531188d16041b3bb936d2dbb3b4993a6e768a809160de45d0283f273a6cdf6854379e31be72b8d3d1fa990cf9c5b015ca9f918a7df6253c958114a09d4e1c19bdcd4db14b29d98db1a74ad405c588662c14a04d0d36aa4ab55e90f8986d12d4aad",
	  "7d808e2b44635300e7025f1b640c431b13a9b3b891cd45a15261f4f3c4a7e39b3a3c8017ccc2b74610faf52ba3faf6d9e83c859b448217b24dadc82c9887460b7bd724236b9885914cc93b39d6c749e92f36b30c9eb6a9f59e396bc7c0ac4878512639cc612c5660ddb1a1fed360ac8b9b3f548f13482d0431b38eca293ef97681e179fc",
	  "67edd256e64542436173e3ca39ef1fdec3c8240b860df26f84caf5258578ff35df40ddc31ea210e0523988b7531c9dc3207e0e98e256214999c7712f73ff044a9cf6e3a5e421862b9ba140862f460ea5236527cf8346db9ac23feb6636e21fc7a18a94a2e9d4ad95356e278f46ac3fa53a75a058c87293cf38dd863e879f84d0e0935da3",
	  "2d63f6debc92048b4fef3889c4c99ca67d6496e0fac14a2bca9a2d6566ff2398" },
	/* CAVS 17.3 IKEv2, SHA-384 COUNT = 0 (Ni/Nr 64 bits, g^ir 256 bits) */
	{ IKE_PRF_HMAC_SHA2_384, "fd1b572a8e735591", "6013b0ef88dacd3d", "d3288cd87565101e88fe3bad918f31939d8dd26ff1071f8b2d7f447524e58d7c", "3358f620539473aee8d07e779764c4c6a9aabddc79a28e136b3bac021dbde44a", "2116ad07ce61f749", "24880e55f11a65b7", 1056, "69fe7a1ac94adaeb711295f5fe004b1a8d6a0b65d05692758ce8ad2f7a45f59d7d0b596f51f7dfcf3330061888f6a94f",
	  "4f904c2025c90c817ea5ff9b662a6fdb445a73b57cdf09eacd379b95e1f03cacb04cd6deeda4f952191dd9bc1f7a9502471a648d74dc06d38112de48a42501f6b1a3ad55c2099cd9a648e5f17e5bf3e34bf9b5953decb768a34f875fe2b78dca0c2fcca81ec1a412006dfaed38fa06882e61f4c148105fb8e231fdb33c4d484c001721d4",
	  "06126cc023ac8aabb3ae1ae2d583005a16d39e889efd09d588f2995883261e55f44f959072d25ea2f035a64ee8e2341421e7a2d95344282f6ff1f2a9ef236b5ec7eae4bb1074ce1f206461209c19dc05a61bbc10a5ec0391bdcd1d25831f8d1199af467359a13cb5f9b11187ad97379469f8a1ff3d612b18f165d32e3b5fc6440f447321",
	  "e31b1b94e0b2146ae66dfe223ca64ccf0895fb6c8862990b446b80a4a81fd801ed5fdbcee6e9455c4d56ee10cd73ea77d8c01f31d4e2fcc9d65765327e13f497f631ba09d99b39aff2ffa9082c59334a9eb082f795cde78989b1be547fde560eb49d5b262e86ef2e2094eab785008e3038dd7bb0d4ac7dac6f99d9c7945950f21b9f44de",
	  "e0548c1682e13bce454026b3b1bdf42985b24e4e7408095a7c529de38c3d1fcb04c9fe6868042a34c9614c6c99e3fcea" },
	/* CAVS 17.3 IKEv2, SHA-512 COUNT = 0 (Ni/Nr 64 bits, g^ir 256 bits) */
	{ IKE_PRF_HMAC_SHA2_512, "97c41a9b0a03e74c", "a659fd06e1746600", "276255c3eaace5c6db32b609aa86c0ef07bba4bf2dc4c262995efd95ca607c3f", "bb4015f7727b35532021336a9e4a6370ac8729b01fbb8f15d52236820fac4709", "ff43c5c689b95481", "e2ba607f30079bb7", 1056, "d6e74966b75fd2afab48be319d63d97c8a5d2ffe2e320763a462c664b36c3a944067d867c3a55fd8a7e5cca64b22e24415987e15549f09a81b455adaa5303df8",
	  "22259105314717dc73c210919ee9cb3ded774dc087e866aa3960404c0ed7b8e78e79b993888388e2e5cb238d4bfcb4cdee9da074a26e329d6c2f2f660cc9c711c941a2fb3d85a2e5d01e579c8f2c9d00fa6fabe76a137b00c7ff1b291899906588c26f073d819063238c4c844f0f8d221b65b76dbc9ed6f6368e5dba86b3e81b60eb44a1",
	  "2f1311a8e143e59d65bd9d8adc4e64c624313495c899697236bd0980c503717d0ad5dee13ff918e3f4f6505bc19a0a1352d20e99f704f6ef0c71124be1c97a1ad9aacf99a33c1cd00537aa922906d1db33fcd640f147953ac632f8a655f84daa1363e0b8322e82620c4bc27309bb1525387493398467b7c9561317e61d1f8be436388aa9",
	  "15a40cef7fc88a166526a4cdb5697dddbccf3c69a72b22c92c1f88e9ca9d9b5258c9f52684a7169efd4463f758e34ada6eb3f3805f194f6019b13acd11988e423f7630cb764f10a86eb28e14cba8596ee9255c853f7a903ef09de2ab5f84cc446359c604dc193a8d4c4e4b02174a4c04aa859e84934bbb60128b920b90124187c721c000",
	  "ecdaf3ccb990abc898a453b03fd56f9975275f150e1e571b0560b3cb2ee67289e82b899cdc2129fd821fe8aebea796f190765c25798f5883f923526551f16a4b" },
};

#define BIG 4096

/* Runs every derivation of one case and compares with the expected hex strings. */
static void run_case(const ike_crypto *c, const kdf_case *k)
{
	uint8_t *b = calloc(12, BIG);
	assert_non_null(b);
	uint8_t *ni = b, *nr = b + BIG, *gir = b + 2 * BIG, *gnew = b + 3 * BIG, *spi = b + 4 * BIG;
	uint8_t *exp = b + 5 * BIG, *out = b + 6 * BIG;
	size_t nil = unhex(k->ni, ni, BIG), nrl = unhex(k->nr, nr, BIG), gl = unhex(k->gir, gir, BIG);
	size_t gnl = unhex(k->gir_new, gnew, BIG);
	assert_int_equal(unhex(k->spii, spi, 8), 8);
	assert_int_equal(unhex(k->spir, spi + 8, 8), 8);
	uint64_t spi_i = ike_get_u64(spi), spi_r = ike_get_u64(spi + 8);
	size_t hl = ike_prf_out_len(k->prf), dl = k->dkm_bits / 8;

	uint8_t skeyseed[64];
	assert_int_equal(ike_v2_skeyseed(c, k->prf, ni, nil, nr, nrl, gir, gl, skeyseed), 0);
	assert_int_equal(unhex(k->skeyseed, exp, BIG), hl);
	assert_memory_equal(skeyseed, exp, hl);

	assert_int_equal(ike_v2_sa_keys(c, k->prf, skeyseed, hl, ni, nil, nr, nrl, spi_i, spi_r, out, dl), 0);
	assert_int_equal(unhex(k->dkm, exp, BIG), dl);
	assert_memory_equal(out, exp, dl);
	const uint8_t *sk_d = exp; /* SK_d is the first prf-output-length bytes of the DKM */
	uint8_t skd[64];
	memcpy(skd, sk_d, hl);

	assert_int_equal(ike_v2_child_keymat(c, k->prf, skd, hl, NULL, 0, ni, nil, nr, nrl, out, dl), 0);
	assert_int_equal(unhex(k->child, exp, BIG), dl);
	assert_memory_equal(out, exp, dl);

	assert_int_equal(ike_v2_child_keymat(c, k->prf, skd, hl, gnew, gnl, ni, nil, nr, nrl, out, dl), 0);
	assert_int_equal(unhex(k->child_dh, exp, BIG), dl);
	assert_memory_equal(out, exp, dl);

	assert_int_equal(ike_v2_skeyseed_rekey(c, k->prf, skd, hl, gnew, gnl, ni, nil, nr, nrl, out), 0);
	assert_int_equal(unhex(k->rekey, exp, BIG), hl);
	assert_memory_equal(out, exp, hl);
	free(b);
}

/* One hard-coded CAVP case per hash (SHA-1, SHA-256, SHA-384, SHA-512). */
static void cavp_ikev2_one_case_per_hash(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(c, &cases[i]);
	ike_crypto_free(c);
}


static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* Every case of the published file (when run from the repository root; skipped otherwise). */
static void cavp_ikev2_all_cases_from_json(void **state)
{
	(void)state;
	char *text = tfs_read("tests/vectors/ikev2_kdf_cavp.json", NULL);
	if (!text) {
		skip();
		return;
	}
	cJSON *root = cJSON_Parse(text);
	free(text);
	assert_non_null(root);
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "cases"), *it;
	int n = 0;
	cJSON_ArrayForEach(it, arr)
	{
		const char *h = str(it, "hash");
		kdf_case k = {
			.prf = !strcmp(h, "SHA-1")     ? IKE_PRF_HMAC_SHA1
			       : !strcmp(h, "SHA-256") ? IKE_PRF_HMAC_SHA2_256
			       : !strcmp(h, "SHA-384") ? IKE_PRF_HMAC_SHA2_384
						       : IKE_PRF_HMAC_SHA2_512,
			.ni = str(it, "ni"), .nr = str(it, "nr"), .gir = str(it, "gir"), .gir_new = str(it, "gir_new"),
			.spii = str(it, "spii"), .spir = str(it, "spir"),
			.skeyseed = str(it, "skeyseed"), .dkm = str(it, "dkm"), .child = str(it, "dkm_child_sa"),
			.child_dh = str(it, "dkm_child_sa_dh"), .rekey = str(it, "skeyseed_rekey"),
		};
		const cJSON *bits = cJSON_GetObjectItemCaseSensitive(it, "dkm_len_bits");
		const cJSON *cbits = cJSON_GetObjectItemCaseSensitive(it, "child_dkm_len_bits");
		assert_true(cJSON_IsNumber(bits) && cJSON_IsNumber(cbits));
		assert_int_equal(bits->valueint, cbits->valueint);
		k.dkm_bits = (unsigned)bits->valueint;
		run_case(c, &k);
		n++;
	}
	assert_int_equal(n, 18);
	ike_crypto_free(c);
	cJSON_Delete(root);
}

/* AES PRFs use only the first 64 bits of each nonce for SKEYSEED (RFC 7296 2.14). */
static void skeyseed_aes_prf_truncates_nonces(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	uint8_t ni[32], nr[32], gir[32], a[16], b[16], key[16];
	for (int i = 0; i < 32; i++) {
		ni[i] = (uint8_t)i;
		nr[i] = (uint8_t)(100 + i);
		gir[i] = (uint8_t)(200 + i);
	}
	assert_int_equal(ike_v2_skeyseed(c, IKE_PRF_AES128_XCBC, ni, 32, nr, 32, gir, 32, a), 0);
	memcpy(key, ni, 8);
	memcpy(key + 8, nr, 8);
	ike_iov d = { gir, 32 };
	assert_int_equal(ike_prf(c, IKE_PRF_AES128_XCBC, key, 16, &d, 1, b), 0);
	assert_memory_equal(a, b, 16);
	assert_int_equal(ike_v2_skeyseed(c, IKE_PRF_AES128_CMAC, ni, 4, nr, 32, gir, 32, a), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_v2_skeyseed(c, 77, ni, 8, nr, 8, gir, 32, a), -IKE_CRYPTO_EUNSUPPORTED);
	assert_int_equal(ike_v2_sa_keys(c, IKE_PRF_HMAC_SHA1, a, 16, ni, 8, nr, 8, 1, 2, b, 20 * 256),
			 -IKE_CRYPTO_EINVAL);
	ike_crypto_free(c);
}

size_t tests_kdf(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(cavp_ikev2_one_case_per_hash),
		cmocka_unit_test(cavp_ikev2_all_cases_from_json),
		cmocka_unit_test(skeyseed_aes_prf_truncates_nonces),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
