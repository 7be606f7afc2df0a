/* The crypto floor: exactly the crypto one handshake needs, with no engine or simulator around it. */
#include <malloc.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "crypto/dh.h"
#include "crypto/kdf.h"
#include "crypto/prf.h"
#include "crypto/registry.h"
#include "crypto/sk.h"

#define PRF IKE_PRF_HMAC_SHA2_256
#define GROUP IKE_DH_CURVE25519
#define KEYS_LEN (32 + 20 + 20 + 32 + 32) /* SK_d, SK_ei, SK_er, SK_pi, SK_pr for AES-GCM-16-128 */
#define AUTH_MSG 300                      /* inner payloads of an IKE_AUTH message, roughly */
#define AAD 32                            /* IKE header + SK payload header */

double bench_cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

size_t bench_heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();
	return m.uordblks + m.hblkhd; /* arena chunks in use + mmapped blocks */
}

/* One PSK AUTH value as RFC 7296 2.15 computes it: three PRF calls. */
static int psk_auth(const ike_crypto *c, const uint8_t *sk_p, const uint8_t *init_msg, const uint8_t *nonce,
		    uint8_t out[32])
{
	static const char pad[] = "Key Pad for IKEv2";
	static const uint8_t psk[] = "bench pre-shared key";
	static const uint8_t id[] = { 1, 0, 0, 0, 10, 0, 0, 1 };
	uint8_t maced[32], inner[32];
	ike_iov iv_id = { id, sizeof(id) }, iv_pad = { (const uint8_t *)pad, sizeof(pad) - 1 };
	ike_iov so[3] = { { init_msg, 250 }, { nonce, 32 }, { maced, 32 } };
	return ike_prf(c, PRF, sk_p, 32, &iv_id, 1, maced) | ike_prf(c, PRF, psk, sizeof(psk) - 1, &iv_pad, 1, inner) |
	       ike_prf(c, PRF, inner, 32, so, 3, out);
}

/* One side's SKEYSEED, SK_* and child KEYMAT. */
static int side_keys(const ike_crypto *c, const uint8_t *gir, const uint8_t *ni, const uint8_t *nr,
		     uint8_t keys[KEYS_LEN], uint8_t keymat[40])
{
	uint8_t seed[32];
	return ike_v2_skeyseed(c, PRF, ni, 32, nr, 32, gir, 32, seed) |
	       ike_v2_sa_keys(c, PRF, seed, 32, ni, 32, nr, 32, 0x1111, 0x2222, keys, KEYS_LEN) |
	       ike_v2_child_keymat(c, PRF, keys, 32, NULL, 0, ni, 32, nr, 32, keymat, 40);
}

/* A sealed message from one side, opened by the other. */
static int seal_open(const ike_crypto *c, const ike_sk_keys *k, ike_drbg *rng)
{
	uint8_t msg[1024] = { 0 }, pt[AUTH_MSG] = { 0 }, back[1024];
	size_t body = 0, got = 0;
	int rc = ike_sk_seal(c, k, rng, msg, AAD, pt, sizeof(pt), sizeof(msg), &body);
	rc |= ike_sk_open(c, k, msg, AAD, body, back, sizeof(back), &got);
	return rc | (got != sizeof(pt));
}

static int one_handshake(const ike_crypto *c, ike_drbg *rng, const ike_alg *encr)
{
	uint8_t ni[32], nr[32], pub_i[32], pub_r[32], g_i[32], g_r[32], init[250] = { 0 };
	uint8_t keys[2][KEYS_LEN], keymat[2][40], auth[32];
	ike_dh *di = NULL, *dr = NULL;
	ike_drbg_bytes(rng, ni, sizeof(ni));
	ike_drbg_bytes(rng, nr, sizeof(nr));
	int rc = ike_dh_generate(c, GROUP, rng, &di) | ike_dh_generate(c, GROUP, rng, &dr);
	if (rc == 0)
		rc = ike_dh_public(di, pub_i, 32) | ike_dh_public(dr, pub_r, 32) |
		     ike_dh_derive(c, di, pub_r, 32, g_i, 32) | ike_dh_derive(c, dr, pub_i, 32, g_r, 32);
	ike_dh_free(di);
	ike_dh_free(dr);
	rc |= side_keys(c, g_i, ni, nr, keys[0], keymat[0]) | side_keys(c, g_r, ni, nr, keys[1], keymat[1]);
	/* AUTHi (SK_pi, Nr) computed by the initiator and checked by the responder; AUTHr the other way. */
	rc |= psk_auth(c, keys[0] + 72, init, nr, auth) | psk_auth(c, keys[1] + 72, init, nr, auth) |
	      psk_auth(c, keys[1] + 104, init, ni, auth) | psk_auth(c, keys[0] + 104, init, ni, auth);
	ike_sk_keys ki = { encr, NULL, keys[0] + 32, NULL }, kr = { encr, NULL, keys[0] + 52, NULL };
	rc |= seal_open(c, &ki, rng) | seal_open(c, &kr, rng);
	return rc;
}

double bench_crypto_floor_us(const ike_crypto *c, int batches, int per_batch)
{
	const ike_alg *encr = ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128);
	ike_drbg rng;
	double best = -1;
	if (!encr)
		return -1;
	ike_drbg_init_with(&rng, c, "floor", 5, NULL, 0);
	for (int b = 0; b < batches; b++) {
		double t0 = bench_cpu_seconds();
		for (int i = 0; i < per_batch; i++)
			if (one_handshake(c, &rng, encr) != 0)
				return -1;
		double us = (bench_cpu_seconds() - t0) * 1e6 / per_batch;
		if (best < 0 || us < best)
			best = us;
	}
	return best;
}
