/*
 * Rekey crypto floor with OpenSSL EVP directly. Everything that can be fetched or set up once is (HMAC with
 * its digest, AES-128-GCM, an X25519 keygen context, a private CTR-DRBG), so what is timed is the work each
 * rekey cannot avoid: random draws, X25519 keygen and derive, the PRF calls of RFC 7296 2.17/2.18, and one
 * AES-GCM seal and open per message of the operation.
 */
#include "floor_evp.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/kdf.h"
#include "crypto/registry.h"

#define NONCE 32
#define SHA256_LEN 32
#define KEYMAT_LEN 40              /* ESP AES-GCM-16-128: (16-byte key + 4-byte salt) each way */
#define IKE_KEYS_LEN 136           /* SK_d 32, SK_ei/er 20 each (AEAD: no SK_a), SK_pi/pr 32 each */
#define AAD 32                     /* IKE header + SK payload header (RFC 5282 5.1) */
#define IV 8
#define ICV 16
#define X25519_LEN 32
#define MAX_PT 4096

struct fl_ctx {
	EVP_MAC_CTX *hmac;       /* HMAC-SHA-256 with its digest set: duplicated for each PRF key */
	EVP_CIPHER *gcm;
	EVP_CIPHER_CTX *cctx;    /* reused for every seal and open */
	EVP_RAND_CTX *rng;
	EVP_PKEY_CTX *kg;        /* X25519 keygen, initialised once */
	uint8_t sk_d[SHA256_LEN], sk_e[2][20]; /* stand-ins for the IKE SA's keys */
};

fl_ctx *fl_new(void)
{
	fl_ctx *f = calloc(1, sizeof(*f));
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_RAND *rand = EVP_RAND_fetch(NULL, "CTR-DRBG", NULL);
	OSSL_PARAM mp[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0), OSSL_PARAM_construct_end() };
	OSSL_PARAM rp[] = { OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_CIPHER, "AES-256-CTR", 0),
			    OSSL_PARAM_construct_end() };
	int ok = f && mac && rand;
	if (ok) {
		f->hmac = EVP_MAC_CTX_new(mac);
		f->gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
		f->cctx = EVP_CIPHER_CTX_new();
		f->rng = EVP_RAND_CTX_new(rand, NULL);
		f->kg = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
		ok = f->hmac && f->gcm && f->cctx && f->rng && f->kg && EVP_MAC_CTX_set_params(f->hmac, mp) == 1 &&
		     EVP_RAND_instantiate(f->rng, 256, 0, NULL, 0, rp) == 1 && EVP_PKEY_keygen_init(f->kg) == 1 &&
		     EVP_RAND_generate(f->rng, f->sk_d, sizeof(f->sk_d), 256, 0, NULL, 0) == 1 &&
		     EVP_RAND_generate(f->rng, &f->sk_e[0][0], sizeof(f->sk_e), 256, 0, NULL, 0) == 1;
	}
	EVP_MAC_free(mac);
	EVP_RAND_free(rand);
	if (!ok) {
		fl_free(f);
		return NULL;
	}
	return f;
}

void fl_free(fl_ctx *f)
{
	if (!f)
		return;
	EVP_MAC_CTX_free(f->hmac);
	EVP_CIPHER_free(f->gcm);
	EVP_CIPHER_CTX_free(f->cctx);
	EVP_RAND_CTX_free(f->rng);
	EVP_PKEY_CTX_free(f->kg);
	OPENSSL_cleanse(f, sizeof(*f));
	free(f);
}

static int draw(fl_ctx *f, uint8_t *out, size_t n)
{
	return EVP_RAND_generate(f->rng, out, n, 256, 0, NULL, 0) == 1 ? 0 : -1;
}

/* prf+(key, s1 | s2 | s3) (RFC 7296 2.13): one keyed HMAC context, re-initialised with the same key per block. */
static int prf_plus(fl_ctx *f, const uint8_t *key, size_t klen, const uint8_t *const s[3], const size_t sl[3],
		    uint8_t *out, size_t len)
{
	EVP_MAC_CTX *m = EVP_MAC_CTX_dup(f->hmac);
	uint8_t t[SHA256_LEN];
	size_t tl = 0, got;
	int ok = m && EVP_MAC_init(m, key, klen, NULL) == 1;
	for (uint8_t n = 1; ok && len > 0; n++) {
		ok = (n == 1 || EVP_MAC_init(m, NULL, 0, NULL) == 1) && EVP_MAC_update(m, t, tl) == 1;
		for (int i = 0; ok && i < 3; i++)
			ok = !s[i] || EVP_MAC_update(m, s[i], sl[i]) == 1;
		ok = ok && EVP_MAC_update(m, &n, 1) == 1 && EVP_MAC_final(m, t, &got, sizeof(t)) == 1;
		size_t take = len < SHA256_LEN ? len : SHA256_LEN;
		if (ok)
			memcpy(out, t, take);
		out += take;
		len -= take;
		tl = SHA256_LEN;
	}
	EVP_MAC_CTX_free(m);
	OPENSSL_cleanse(t, sizeof(t));
	return ok ? 0 : -1;
}

/* prf(key, s1 | s2 | s3): one HMAC. */
static int prf(fl_ctx *f, const uint8_t *key, size_t klen, const uint8_t *const s[3], const size_t sl[3], uint8_t *out)
{
	EVP_MAC_CTX *m = EVP_MAC_CTX_dup(f->hmac);
	size_t got;
	int ok = m && EVP_MAC_init(m, key, klen, NULL) == 1;
	for (int i = 0; ok && i < 3; i++)
		ok = !s[i] || EVP_MAC_update(m, s[i], sl[i]) == 1;
	ok = ok && EVP_MAC_final(m, out, &got, SHA256_LEN) == 1;
	EVP_MAC_CTX_free(m);
	return ok ? 0 : -1;
}

/* One SK payload of pt_len plaintext bytes sealed by one side (IV already drawn) and opened by the other. */
static int seal_open(fl_ctx *f, int dir, const uint8_t iv[IV], size_t pt_len)
{
	uint8_t msg[AAD + IV + MAX_PT + ICV] = { 0 }, back[MAX_PT], nonce[12];
	int n = 0, ok = pt_len <= MAX_PT;
	memcpy(msg + AAD, iv, IV);
	uint8_t *ct = msg + AAD + IV, *tag = ct + pt_len;
	memset(back, 0, pt_len <= MAX_PT ? pt_len : 0);
	memcpy(nonce, f->sk_e[dir] + 16, 4);
	memcpy(nonce + 4, msg + AAD, IV);
	ok = ok && EVP_EncryptInit_ex2(f->cctx, f->gcm, f->sk_e[dir], nonce, NULL) == 1 &&
	     EVP_EncryptUpdate(f->cctx, NULL, &n, msg, AAD) == 1 &&
	     EVP_EncryptUpdate(f->cctx, ct, &n, back, (int)pt_len) == 1 &&
	     EVP_EncryptFinal_ex(f->cctx, ct + n, &n) == 1 &&
	     EVP_CIPHER_CTX_ctrl(f->cctx, EVP_CTRL_AEAD_GET_TAG, ICV, tag) == 1;
	ok = ok && EVP_DecryptInit_ex2(f->cctx, f->gcm, f->sk_e[dir], nonce, NULL) == 1 &&
	     EVP_DecryptUpdate(f->cctx, NULL, &n, msg, AAD) == 1 &&
	     EVP_DecryptUpdate(f->cctx, back, &n, ct, (int)pt_len) == 1 &&
	     EVP_CIPHER_CTX_ctrl(f->cctx, EVP_CTRL_AEAD_SET_TAG, ICV, tag) == 1 &&
	     EVP_DecryptFinal_ex(f->cctx, back + n, &n) == 1;
	return ok ? 0 : -1;
}

/* An X25519 key pair: the private key, and its public value in pub. */
static EVP_PKEY *keygen(fl_ctx *f, uint8_t pub[X25519_LEN])
{
	EVP_PKEY *k = NULL;
	size_t n = X25519_LEN;
	if (EVP_PKEY_keygen(f->kg, &k) != 1 || EVP_PKEY_get_raw_public_key(k, pub, &n) != 1 || n != X25519_LEN) {
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

/* g^ir from our key and the peer's public value; the peer check is left to the caller, as RFC 8031 allows. */
static int derive(EVP_PKEY *ours, const uint8_t pub[X25519_LEN], uint8_t gir[X25519_LEN])
{
	EVP_PKEY *peer = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, pub, X25519_LEN);
	EVP_PKEY_CTX *d = ours ? EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL) : NULL;
	size_t n = X25519_LEN;
	int ok = peer && d && EVP_PKEY_derive_init(d) == 1 && EVP_PKEY_derive_set_peer_ex(d, peer, 0) == 1 &&
		 EVP_PKEY_derive(d, gir, &n) == 1 && n == X25519_LEN;
	EVP_PKEY_CTX_free(d);
	EVP_PKEY_free(peer);
	return ok ? 0 : -1;
}

/* One side's new keys: KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr), or SKEYSEED = prf(SK_d, g^ir | Ni | Nr) and
 * SK_* = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). spis: SPIi | SPIr (16 bytes). */
static int side_keys(fl_ctx *f, uint8_t kind, const uint8_t *gir, const uint8_t *ni, const uint8_t *nr,
		     const uint8_t *spis, uint8_t *out)
{
	if (kind != FL_IKE) {
		const uint8_t *s[3] = { kind == FL_CHILD_PFS ? gir : NULL, ni, nr };
		const size_t sl[3] = { X25519_LEN, NONCE, NONCE };
		return prf_plus(f, f->sk_d, SHA256_LEN, s, sl, out, KEYMAT_LEN);
	}
	uint8_t seed[SHA256_LEN];
	const uint8_t *s[3] = { gir, ni, nr }, *s2[3] = { ni, nr, spis };
	const size_t sl[3] = { X25519_LEN, NONCE, NONCE }, sl2[3] = { NONCE, NONCE, 16 };
	int rc = prf(f, f->sk_d, SHA256_LEN, s, sl, seed) | prf_plus(f, seed, SHA256_LEN, s2, sl2, out, IKE_KEYS_LEN);
	OPENSSL_cleanse(seed, sizeof(seed));
	return rc;
}

/*
 * Initiator: draws Ni, its new SPI and the request's IV at once (and makes an X25519 key), seals the request.
 * Responder: opens it, draws Nr, SPI and IV (and a key), seals the response; both derive g^ir and their keys.
 * Every further message (the Delete of the old SA and its answer) is one more draw of an IV, seal and open.
 */
int fl_run_op(fl_ctx *f, const fl_op *op)
{
	uint8_t rnd[2][NONCE + 8 + IV] = { { 0 } }, pub[2][X25519_LEN], gir[2][X25519_LEN], keys[2][IKE_KEYS_LEN],
		spis[16], iv[IV];
	bool dh = op->kind != FL_CHILD;
	size_t spi = op->kind == FL_IKE ? 8 : 4;
	EVP_PKEY *k[2] = { NULL, NULL };
	int rc = op->n_msgs >= 2 ? 0 : -1;
	for (int s = 0; rc == 0 && s < 2; s++) {
		rc = draw(f, rnd[s], NONCE + spi + IV);
		if (rc == 0 && dh && !(k[s] = keygen(f, pub[s])))
			rc = -1;
		rc |= seal_open(f, s, rnd[s] + NONCE + spi, op->pt_len[s]);
	}
	memcpy(spis, rnd[0] + NONCE, 8); /* IKE rekey: the new SPIi | SPIr (CHILD rekeys do not use them) */
	memcpy(spis + 8, rnd[1] + NONCE, 8);
	for (int s = 0; rc == 0 && s < 2; s++) {
		if (dh)
			rc = derive(k[s], pub[!s], gir[s]);
		rc |= side_keys(f, op->kind, gir[s], rnd[0], rnd[1], spis, keys[s]);
	}
	for (size_t i = 2; rc == 0 && i < op->n_msgs; i++)
		rc = draw(f, iv, IV) | seal_open(f, (int)(i & 1), iv, op->pt_len[i]);
	EVP_PKEY_free(k[0]);
	EVP_PKEY_free(k[1]);
	rc |= dh && memcmp(gir[0], gir[1], X25519_LEN) != 0;
	rc |= memcmp(keys[0], keys[1], op->kind == FL_IKE ? IKE_KEYS_LEN : KEYMAT_LEN) != 0;
	OPENSSL_cleanse(keys, sizeof(keys));
	OPENSSL_cleanse(gir, sizeof(gir));
	return rc;
}

int fl_self_check(fl_ctx *f)
{
	ike_crypto *c = ike_crypto_new();
	uint8_t gir[X25519_LEN], ni[NONCE], nr[NONCE], spis[16], want[IKE_KEYS_LEN], got[IKE_KEYS_LEN], seed[SHA256_LEN];
	for (size_t i = 0; i < NONCE; i++) {
		gir[i] = (uint8_t)i;
		ni[i] = (uint8_t)(0x40 + i);
		nr[i] = (uint8_t)(0x80 + i);
	}
	for (int i = 0; i < 16; i++)
		spis[i] = (uint8_t)(i + 1);
	int rc = c ? 0 : -1;
	for (uint8_t kind = 0; rc == 0 && kind < FL_N; kind++) {
		size_t len = kind == FL_IKE ? IKE_KEYS_LEN : KEYMAT_LEN;
		if (kind == FL_IKE)
			rc = ike_v2_skeyseed_rekey(c, IKE_PRF_HMAC_SHA2_256, f->sk_d, SHA256_LEN, gir, sizeof(gir), ni, NONCE,
						   nr, NONCE, seed) |
			     ike_v2_sa_keys(c, IKE_PRF_HMAC_SHA2_256, seed, SHA256_LEN, ni, NONCE, nr, NONCE,
					    0x0102030405060708ull, 0x090a0b0c0d0e0f10ull, want, len);
		else
			rc = ike_v2_child_keymat(c, IKE_PRF_HMAC_SHA2_256, f->sk_d, SHA256_LEN, kind == FL_CHILD_PFS ? gir : NULL,
						 kind == FL_CHILD_PFS ? sizeof(gir) : 0, ni, NONCE, nr, NONCE, want, len);
		rc |= side_keys(f, kind, gir, ni, nr, spis, got);
		rc |= memcmp(want, got, len) != 0;
	}
	ike_crypto_free(c);
	return rc;
}

/* One PSK AUTH value (RFC 7296 2.15): prf(prf(PSK, "Key Pad for IKEv2"), msg | nonce | prf(SK_p, ID')). */
static int psk_auth(fl_ctx *f, const uint8_t *sk_p, const uint8_t *msg, size_t msg_len, const uint8_t *nonce,
		    uint8_t out[SHA256_LEN])
{
	static const uint8_t psk[] = "storm pre-shared key", pad[] = "Key Pad for IKEv2";
	static const uint8_t id[] = { 1, 0, 0, 0, 100, 64, 0, 1 }; /* ID_IPV4_ADDR payload body */
	uint8_t maced[SHA256_LEN], kp[SHA256_LEN];
	const uint8_t *s1[3] = { id, NULL, NULL }, *s2[3] = { pad, NULL, NULL }, *s3[3] = { msg, nonce, maced };
	const size_t l1[3] = { sizeof(id), 0, 0 }, l2[3] = { sizeof(pad) - 1, 0, 0 }, l3[3] = { msg_len, NONCE, SHA256_LEN };
	int rc = prf(f, sk_p, SHA256_LEN, s1, l1, maced) | prf(f, psk, sizeof(psk) - 1, s2, l2, kp) |
		 prf(f, kp, SHA256_LEN, s3, l3, out);
	OPENSSL_cleanse(kp, sizeof(kp));
	return rc;
}

/* One end's SKEYSEED = prf(Ni | Nr, g^ir), SK_* = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), KEYMAT = prf+(SK_d, Ni | Nr). */
static int init_keys(fl_ctx *f, const uint8_t *gir, const uint8_t *ni, const uint8_t *nr, const uint8_t *spis,
		     uint8_t keys[IKE_KEYS_LEN], uint8_t keymat[KEYMAT_LEN])
{
	uint8_t nonces[2 * NONCE], seed[SHA256_LEN];
	memcpy(nonces, ni, NONCE);
	memcpy(nonces + NONCE, nr, NONCE);
	const uint8_t *s[3] = { gir, NULL, NULL }, *s2[3] = { ni, nr, spis }, *s3[3] = { ni, nr, NULL };
	const size_t sl[3] = { X25519_LEN, 0, 0 }, sl2[3] = { NONCE, NONCE, 16 }, sl3[3] = { NONCE, NONCE, 0 };
	int rc = prf(f, nonces, sizeof(nonces), s, sl, seed) | prf_plus(f, seed, SHA256_LEN, s2, sl2, keys, IKE_KEYS_LEN);
	rc |= prf_plus(f, keys, SHA256_LEN, s3, sl3, keymat, KEYMAT_LEN); /* SK_d is the first 32 bytes */
	OPENSSL_cleanse(seed, sizeof(seed));
	return rc;
}

int fl_run_init(fl_ctx *f, const fl_init *hs)
{
	uint8_t rnd[2][NONCE + 8] = { { 0 } }, ivs[2][IV + 4] = { { 0 } }, pub[2][X25519_LEN], gir[2][X25519_LEN], keys[2][IKE_KEYS_LEN],
		keymat[2][KEYMAT_LEN], spis[16], auth[4][SHA256_LEN], msg[2][1024] = { { 0 } };
	EVP_PKEY *k[2] = { NULL, NULL };
	int rc = hs->init_len[0] <= sizeof(msg[0]) && hs->init_len[1] <= sizeof(msg[1]) ? 0 : -1;
	for (int s = 0; rc == 0 && s < 2; s++) /* IKE_SA_INIT request, then response: in clear */
		rc = draw(f, rnd[s], sizeof(rnd[s])) | !(k[s] = keygen(f, pub[s]));
	memcpy(spis, rnd[0] + NONCE, 8);
	memcpy(spis + 8, rnd[1] + NONCE, 8);
	for (int s = 0; rc == 0 && s < 2; s++)
		rc = derive(k[s], pub[!s], gir[s]) | init_keys(f, gir[s], rnd[0], rnd[1], spis, keys[s], keymat[s]);
	/* SK_pi at 72, SK_pr at 104 (SK_d 32, SK_ei 20, SK_er 20). Each end makes its AUTH and checks the other's. */
	for (int s = 0; rc == 0 && s < 2; s++) {
		const uint8_t *sk_p = keys[s] + 72 + 32 * s;
		rc = draw(f, ivs[s], sizeof(ivs[s])) | psk_auth(f, sk_p, msg[s], hs->init_len[s], rnd[!s], auth[2 * s]) |
		     seal_open(f, s, ivs[s], hs->auth_pt[s]) |
		     psk_auth(f, keys[!s] + 72 + 32 * s, msg[s], hs->init_len[s], rnd[!s], auth[2 * s + 1]);
		rc |= memcmp(auth[2 * s], auth[2 * s + 1], SHA256_LEN) != 0;
	}
	EVP_PKEY_free(k[0]);
	EVP_PKEY_free(k[1]);
	rc |= memcmp(keys[0], keys[1], IKE_KEYS_LEN) != 0 || memcmp(keymat[0], keymat[1], KEYMAT_LEN) != 0;
	OPENSSL_cleanse(keys, sizeof(keys));
	OPENSSL_cleanse(keymat, sizeof(keymat));
	OPENSSL_cleanse(gir, sizeof(gir));
	return rc;
}

int fl_self_check_init(fl_ctx *f)
{
	ike_crypto *c = ike_crypto_new();
	uint8_t gir[X25519_LEN], ni[NONCE], nr[NONCE], spis[16], seed[SHA256_LEN], want[IKE_KEYS_LEN], got[IKE_KEYS_LEN],
		km_want[KEYMAT_LEN], km_got[KEYMAT_LEN];
	for (size_t i = 0; i < NONCE; i++) {
		gir[i] = (uint8_t)(0x11 + i);
		ni[i] = (uint8_t)(0x40 + i);
		nr[i] = (uint8_t)(0x80 + i);
	}
	for (int i = 0; i < 16; i++)
		spis[i] = (uint8_t)(i + 1);
	int rc = c ? 0 : -1;
	rc = rc ? rc
		: ike_v2_skeyseed(c, IKE_PRF_HMAC_SHA2_256, ni, NONCE, nr, NONCE, gir, sizeof(gir), seed) |
			  ike_v2_sa_keys(c, IKE_PRF_HMAC_SHA2_256, seed, SHA256_LEN, ni, NONCE, nr, NONCE,
					 0x0102030405060708ull, 0x090a0b0c0d0e0f10ull, want, IKE_KEYS_LEN) |
			  ike_v2_child_keymat(c, IKE_PRF_HMAC_SHA2_256, want, SHA256_LEN, NULL, 0, ni, NONCE, nr, NONCE,
					      km_want, KEYMAT_LEN) |
			  init_keys(f, gir, ni, nr, spis, got, km_got);
	rc |= memcmp(want, got, IKE_KEYS_LEN) != 0 || memcmp(km_want, km_got, KEYMAT_LEN) != 0;
	OPENSSL_cleanse(seed, sizeof(seed));
	ike_crypto_free(c);
	return rc;
}
