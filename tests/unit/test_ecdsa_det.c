/*
 * Deterministic ECDSA (crypto/ecdsa_det.c) against the published vectors of RFC 6979 appendix A.2.5
 * (P-256), A.2.6 (P-384) and A.2.7 (P-521): the nonce k, r and s must match, and OpenSSL's own EVP
 * verifier must accept every signature, so a bug in our arithmetic cannot hide behind our own verifier.
 * Then crypto/sig.c: ECDSA AUTH data (methods 9/10/11 and RFC 7427) is the same bytes every time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "crypto/crypto_int.h"
#include "crypto/ecdsa_det.h"
#include "crypto/sig.h"
#include "hexutil.h"
#include "test_list.h.in"

typedef struct det_key {
	const char *group, *x, *ux, *uy;
} det_key;

/* The key pairs of A.2.5, A.2.6 and A.2.7 (x, and U = xG as Ux, Uy). */
static const det_key P256 = {
	"prime256v1", "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
	"60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
	"7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299",
};
static const det_key P384 = {
	"secp384r1",
	"6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5",
	"EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13",
	"8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720",
};
static const det_key P521 = {
	"secp521r1",
	"0FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75CAA896EB32F1F47C70855836A6D16FCC1466F6D"
	"8FBEC67DB89EC0C08B0E996B83538",
	"1894550D0785932E00EAA23B694F213F8C3121F86DC97A04E5A7167DB4E5BCD371123D46E45DB6B5D5370A7F20FB633155D3"
	"8FFA16D2BD761DCAC474B9A2F5023A4",
	"0493101C962CD4D2FDDF782285E64584139C2F91B47F87FF82354D6630F746A28A0DB25741B5B34A828008B22ACC23F924FA"
	"AFBD4D33F81EA66956DFEAA2BFDFCF5",
};

typedef struct det_vec {
	const det_key *key;
	int slot; /* crypto_int.h digest slot */
	const char *msg, *k, *r, *s;
} det_vec;

/* RFC 6979 appendix A.2.5-A.2.7, the SHA-2 hashes IKEv2 uses (hash shorter and longer than q, too). */
static const det_vec VECS[] = {
	{ &P256, IKE_MD_SHA256, "sample", "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60",
	  "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
	  "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8" },
	{ &P256, IKE_MD_SHA256, "test", "D16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0",
	  "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
	  "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083" },
	{ &P256, IKE_MD_SHA512, "sample", "5FA81C63109BADB88C1F367B47DA606DA28CAD69AA22C4FE6AD7DF73A7173AA5",
	  "8496A60B5E9B47C825488827E0495B0E3FA109EC4568FD3F8D1097678EB97F00",
	  "2362AB1ADBE2B8ADF9CB9EDAB740EA6049C028114F2460F96554F61FAE3302FE" },
	{ &P256, IKE_MD_SHA384, "test", "16AEFFA357260B04B1DD199693960740066C1A8F3E8EDD79070AA914D361B3B8",
	  "83910E8B48BB0C74244EBDF7F07A1C5413D61472BD941EF3920E623FBCCEBEB6",
	  "8DDBEC54CF8CD5874883841D712142A56A8D0F218F5003CB0296B6B509619F2C" },
	{ &P384, IKE_MD_SHA384, "sample",
	  "94ED910D1A099DAD3254E9242AE85ABDE4BA15168EAF0CA87A555FD56D10FBCA2907E3E83BA95368623B8C4686915CF9",
	  "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46",
	  "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8" },
	{ &P384, IKE_MD_SHA384, "test",
	  "015EE46A5BF88773ED9123A5AB0807962D193719503C527B031B4C2D225092ADA71F4A459BC0DA98ADB95837DB8312EA",
	  "8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB",
	  "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5" },
	{ &P384, IKE_MD_SHA256, "sample",
	  "180AE9F9AEC5438A44BC159A1FCB277C7BE54FA20E7CF404B490650A8ACC414E375572342863C899F9F2EDF9747A9B60",
	  "21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD",
	  "F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0AB0" },
	{ &P384, IKE_MD_SHA512, "sample",
	  "92FC3C7183A883E24216D1141F1A8976C5B0DD797DFA597E3D7B32198BD35331A4E966532593A52980D0E3AAA5E10EC3",
	  "ED0959D5880AB2D869AE7F6C2915C6D60F96507F9CB3E047C0046861DA4A799CFE30F35CC900056D7C99CD7882433709",
	  "512C8CCEEE3890A84058CE1E22DBC2198F42323CE8ACA9135329F03C068E5112DC7CC3EF3446DEFCEB01A45C2667FDD5" },
	{ &P521, IKE_MD_SHA512, "sample",
	  "1DAE2EA071F8110DC26882D4D5EAE0621A3256FC8847FB9022E2B7D28E6F10198B1574FDD03A9053C08A1854A168AA5A57470E"
	  "C97DD5CE090124EF52A2F7ECBFFD3",
	  "0C328FAFCBD79DD77850370C46325D987CB525569FB63C5D3BC53950E6D4C5F174E25A1EE9017B5D450606ADD152B534931D7D"
	  "4E8455CC91F9B15BF05EC36E377FA",
	  "0617CCE7CF5064806C467F678D3B4080D6F1CC50AF26CA209417308281B68AF282623EAA63E5B5C0723D8B8C37FF0777B1A20F"
	  "8CCB1DCCC43997F1EE0E44DA4A67A" },
	{ &P521, IKE_MD_SHA512, "test",
	  "16200813020EC986863BEDFC1B121F605C1215645018AEA1A7B215A564DE9EB1B38A67AA1128B80CE391C4FB71187654AAA343"
	  "1027BFC7F395766CA988C964DC56D",
	  "13E99020ABF5CEE7525D16B69B229652AB6BDF2AFFCAEF38773B4B7D08725F10CDB93482FDCC54EDCEE91ECA4166B2A7C6265E"
	  "F0CE2BD7051B7CEF945BABD47EE6D",
	  "1FBD0013C674AA79CB39849527916CE301C66EA7CE8B80682786AD60F98F7E78A19CA69EFF5C57400E3B3A0AD66CE0978214D1"
	  "3BAF4E9AC60752F7B155E2DE4DCE3" },
	{ &P521, IKE_MD_SHA256, "sample",
	  "0EDF38AFCAAECAB4383358B34D67C9F2216C8382AAEA44A3DAD5FDC9C32575761793FEF24EB0FC276DFC4F6E3EC476752F043C"
	  "F01415387470BCBD8678ED2C7E1A0",
	  "1511BB4D675114FE266FC4372B87682BAECC01D3CC62CF2303C92B3526012659D16876E25C7C1E57648F23B73564D67F61C6F1"
	  "4D527D54972810421E7D87589E1A7",
	  "04A171143A83163D6DF460AAF61522695F207A58B95C0644D87E52AA1A347916E4F7A72930B1BC06DBE22CE3F58264AFD23704"
	  "CBB63B29B931F7DE6C9D949A7ECFC" },
};

/* The RFC prints P-521 values with an odd number of hex digits: right-align hex into n octets. */
static void unhex_n(const char *hex, uint8_t *out, size_t n)
{
	char buf[2 * IKE_ECDSA_DET_MAX_HALF + 1];
	size_t len = strlen(hex);
	assert_true(len <= 2 * n);
	memset(buf, '0', 2 * n - len);
	memcpy(buf + 2 * n - len, hex, len + 1);
	assert_int_equal(unhex(buf, out, n), n);
}

/* The RFC's key pair as an OpenSSL key: x as the private key, 04 | Ux | Uy as the public point. */
static EVP_PKEY *make_key(const det_key *dk, size_t half)
{
	uint8_t x[IKE_ECDSA_DET_MAX_HALF], pub[1 + 2 * IKE_ECDSA_DET_MAX_HALF];
	unhex_n(dk->x, x, half);
	pub[0] = 0x04;
	unhex_n(dk->ux, pub + 1, half);
	unhex_n(dk->uy, pub + 1 + half, half);
	BIGNUM *bx = BN_bin2bn(x, (int)half, NULL);
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	assert_true(bx && b && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, dk->group, 0) &&
		    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, bx) &&
		    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * half));
	OSSL_PARAM *p = OSSL_PARAM_BLD_to_param(b);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;
	assert_true(p && ctx && EVP_PKEY_fromdata_init(ctx) == 1 && EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEYPAIR, p) == 1);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
	BN_free(bx);
	return k;
}

/* OpenSSL's EVP verifier on the DER form of (r, s) over msg. */
static int openssl_verifies(EVP_PKEY *k, const EVP_MD *md, const char *msg, const uint8_t *r, const uint8_t *s,
			    size_t half)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	assert_true(sig && ECDSA_SIG_set0(sig, BN_bin2bn(r, (int)half, NULL), BN_bin2bn(s, (int)half, NULL)));
	unsigned char *der = NULL;
	int dl = i2d_ECDSA_SIG(sig, &der);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	assert_true(dl > 0 && ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, k) == 1);
	int v = EVP_DigestVerify(ctx, der, (size_t)dl, (const unsigned char *)msg, strlen(msg));
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	return v;
}

static void rfc6979_vectors(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(VECS) / sizeof(VECS[0]); i++) {
		const det_vec *v = &VECS[i];
		size_t half = v->key == &P256 ? 32 : v->key == &P384 ? 48 : 66;
		uint8_t h1[64], k[66], r[66], s[66], wk[66], wr[66], ws[66];
		unsigned int hl = 0;
		EVP_PKEY *key = make_key(v->key, half);
		assert_int_equal(EVP_Digest(v->msg, strlen(v->msg), h1, &hl, c->md[v->slot], NULL), 1);
		assert_int_equal(ike_ecdsa_det_sign(c, key, v->slot, h1, hl, r, s, half, k), 0);
		unhex_n(v->k, wk, half);
		unhex_n(v->r, wr, half);
		unhex_n(v->s, ws, half);
		print_message("RFC 6979 %s %s \"%s\"\n", v->key->group, EVP_MD_get0_name(c->md[v->slot]), v->msg);
		assert_memory_equal(k, wk, half);
		assert_memory_equal(r, wr, half);
		assert_memory_equal(s, ws, half);
		assert_int_equal(openssl_verifies(key, c->md[v->slot], v->msg, r, s, half), 1);
		s[half - 1] ^= 1; /* and the verifier is really looking */
		assert_int_not_equal(openssl_verifies(key, c->md[v->slot], v->msg, r, s, half), 1);
		EVP_PKEY_free(key);
	}
	ike_crypto_free(c);
}

/* Wrong sizes, hashes and key types are refused, never signed with. */
static void rejects_bad_arguments(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	EVP_PKEY *key = make_key(&P256, 32), *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	uint8_t h1[32] = { 1 }, r[66], s[66];
	assert_true(c && key && rsa);
	assert_int_equal(ike_ecdsa_det_sign(c, key, IKE_MD_SHA256, h1, 32, r, s, 48, NULL), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_ecdsa_det_sign(c, key, IKE_MD_SHA384, h1, 32, r, s, 32, NULL), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_ecdsa_det_sign(c, key, IKE_MD_COUNT, h1, 32, r, s, 32, NULL), -IKE_CRYPTO_EINVAL);
	assert_int_equal(ike_ecdsa_det_sign(c, rsa, IKE_MD_SHA256, h1, 32, r, s, 32, NULL), -IKE_CRYPTO_EINVAL);
	EVP_PKEY_free(key);
	EVP_PKEY_free(rsa);
	ike_crypto_free(c);
}

/* One AUTH method on one fresh key: signing twice gives the same bytes, and they verify. */
static void sig_is_deterministic(ike_crypto *c, EVP_PKEY *k, uint8_t method, uint8_t hash)
{
	static const uint8_t msg1[] = "RealMessage1", msg2[] = "NonceRData";
	const ike_iov data[2] = { { msg1, sizeof(msg1) }, { msg2, sizeof(msg2) } };
	uint8_t a[IKE_SIG_MAX], b[IKE_SIG_MAX];
	size_t la = 0, lb = 0;
	assert_int_equal(ike_sig_sign(c, k, method, hash, data, 2, a, sizeof(a), &la), 0);
	assert_int_equal(ike_sig_sign(c, k, method, hash, data, 2, b, sizeof(b), &lb), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	assert_int_equal(ike_sig_verify(c, k, method, a, la, data, 2), 0); /* OpenSSL's EVP verifier */
	a[la - 1] ^= 0x40;
	assert_int_not_equal(ike_sig_verify(c, k, method, a, la, data, 2), 0);
}

static void auth_signatures_are_deterministic(void **state)
{
	(void)state;
	static const char *const curves[3] = { "P-256", "P-384", "P-521" };
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	for (int i = 0; i < 3; i++) {
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curves[i]);
		assert_non_null(k);
		sig_is_deterministic(c, k, (uint8_t)(9 + i), 0); /* RFC 4754 r|s */
		for (uint8_t h = IKE_SIGHASH_SHA256; h <= IKE_SIGHASH_SHA512; h++)
			sig_is_deterministic(c, k, 14, h); /* RFC 7427 DER, every hash with every curve */
		EVP_PKEY_free(k);
	}
	ike_crypto_free(c);
}

size_t tests_ecdsa_det(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(rfc6979_vectors),
		cmocka_unit_test(rejects_bad_arguments),
		cmocka_unit_test(auth_signatures_are_deterministic),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
