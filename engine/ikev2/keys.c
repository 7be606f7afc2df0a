/* Key schedule of an IKE SA and its first CHILD SA (RFC 7296 2.14, 2.17), with kdf trace events. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/kdf.h"
#include "crypto/prf.h"
#include "ikev2/sa.h"

/* Offsets inside sa->keys: SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr. */
static size_t off_ai(const v2_ike_sa *sa) { return sa->prf_len; }
static size_t off_ar(const v2_ike_sa *sa) { return off_ai(sa) + sa->integ_key_len; }
static size_t off_ei(const v2_ike_sa *sa) { return off_ar(sa) + sa->integ_key_len; }
static size_t off_er(const v2_ike_sa *sa) { return off_ei(sa) + sa->encr_key_len; }
static size_t off_pi(const v2_ike_sa *sa) { return off_er(sa) + sa->encr_key_len; }
static size_t off_pr(const v2_ike_sa *sa) { return off_pi(sa) + sa->prf_len; }

const uint8_t *v2_key_d(const v2_ike_sa *sa) { return sa->keys; }
const uint8_t *v2_key_pi(const v2_ike_sa *sa) { return sa->keys + off_pi(sa); }
const uint8_t *v2_key_pr(const v2_ike_sa *sa) { return sa->keys + off_pr(sa); }

static void sk_keys(const v2_ike_sa *sa, bool initiator_side, ike_sk_keys *k)
{
	k->encr = sa->encr_alg;
	k->integ = sa->integ_alg;
	k->ekey = sa->keys + (initiator_side ? off_ei(sa) : off_er(sa));
	k->akey = sa->keys + (initiator_side ? off_ai(sa) : off_ar(sa));
}

void v2_sk_keys_out(const v2_ike_sa *sa, ike_sk_keys *k) { sk_keys(sa, sa->initiator, k); }
void v2_sk_keys_in(const v2_ike_sa *sa, ike_sk_keys *k) { sk_keys(sa, !sa->initiator, k); }

static const char sa_inputs[] = "[\"SKEYSEED\",\"Ni\",\"Nr\",\"SPIi\",\"SPIr\"]";

/* Sets the SA's algorithm objects and key lengths from sa->algs; -1 if one is unknown. */
static int key_lengths(v2_ike_sa *sa)
{
	const ike_alg *prf = ike_alg_find(IKE_TT_PRF, sa->algs.prf, 0);
	sa->encr_alg = ike_alg_find(IKE_TT_ENCR, sa->algs.encr, sa->algs.encr_keylen);
	sa->integ_alg = sa->algs.integ ? ike_alg_find(IKE_TT_INTEG, sa->algs.integ, 0) : NULL;
	if (!prf || !sa->encr_alg || (sa->algs.integ && !sa->integ_alg))
		return -1;
	sa->prf_len = prf->key_bytes;
	sa->integ_key_len = sa->integ_alg ? sa->integ_alg->key_bytes : 0;
	sa->encr_key_len = sa->encr_alg->key_bytes;
	return 0;
}

/* {SK_d | SK_ai | ... | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), into sa->keys, traced. */
static int keys_from_seed(v2_ike_sa *sa, ike_time now, const uint8_t *skeyseed, size_t seed_len)
{
	const ike_crypto *c = sa->peer->cfg.crypto;
	size_t total = off_pr(sa) + sa->prf_len;
	/* Keys from an earlier derivation are wiped before their memory goes back to the allocator. */
	OPENSSL_clear_free(sa->keys, sa->keys_len);
	sa->keys_len = 0;
	sa->keys = malloc(total);
	if (!sa->keys)
		return -1;
	sa->keys_len = (uint16_t)total;
	int rc = ike_v2_sa_keys(c, sa->algs.prf, skeyseed, seed_len, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
				sa->spi_i, sa->spi_r, sa->keys, total);
	v2_charge(sa->peer, IKE_CHARGE_PRF, sa->algs.prf, total);
	if (rc != 0)
		return -1;
	static const char *const names[7] = { "SK_d", "SK_ai", "SK_ar", "SK_ei", "SK_er", "SK_pi", "SK_pr" };
	size_t offs[8] = { 0, off_ai(sa), off_ar(sa), off_ei(sa), off_er(sa), off_pi(sa), off_pr(sa), total };
	for (int i = 0; i < 7; i++)
		if (offs[i + 1] > offs[i])
			v2_trace_kdf(sa, now, names[i], sa_inputs, sa->keys + offs[i], offs[i + 1] - offs[i]);
	return 0;
}

int v2_derive_ike_keys(v2_ike_sa *sa, ike_time now, const uint8_t *gir, size_t gir_len)
{
	const ike_crypto *c = sa->peer->cfg.crypto;
	if (key_lengths(sa) != 0)
		return -1;
	uint8_t skeyseed[IKE_PRF_MAX_OUT];
	size_t seed_len = ike_prf_out_len(sa->algs.prf);
	v2_trace_kdf(sa, now, "Ni", "[]", sa->ni, sa->ni_len);
	v2_trace_kdf(sa, now, "Nr", "[]", sa->nr, sa->nr_len);
	v2_trace_kdf(sa, now, "g^ir", "[\"KEi\",\"KEr\"]", gir, gir_len);
	if (ike_v2_skeyseed(c, sa->algs.prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len, gir, gir_len, skeyseed) != 0) {
		OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
		return -1;
	}
	v2_trace_kdf(sa, now, "SKEYSEED", "[\"Ni\",\"Nr\",\"g^ir\"]", skeyseed, seed_len);
	int rc = keys_from_seed(sa, now, skeyseed, seed_len);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	return rc;
}

int v2_derive_rekeyed_keys(v2_ike_sa *nsa, const v2_ike_sa *old, ike_time now, const uint8_t *gir, size_t gir_len)
{
	const ike_crypto *c = nsa->peer->cfg.crypto;
	if (key_lengths(nsa) != 0)
		return -1;
	/* 2.18: the exchange belongs to the old IKE SA, so its PRF makes SKEYSEED; the new PRF makes the keys */
	uint8_t skeyseed[IKE_PRF_MAX_OUT];
	size_t seed_len = ike_prf_out_len(old->algs.prf);
	v2_trace_kdf(nsa, now, "Ni", "[]", nsa->ni, nsa->ni_len);
	v2_trace_kdf(nsa, now, "Nr", "[]", nsa->nr, nsa->nr_len);
	v2_trace_kdf(nsa, now, "g^ir", "[\"KEi\",\"KEr\"]", gir, gir_len);
	if (ike_v2_skeyseed_rekey(c, old->algs.prf, v2_key_d(old), old->prf_len, gir, gir_len, nsa->ni, nsa->ni_len,
				  nsa->nr, nsa->nr_len, skeyseed) != 0) {
		OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
		return -1;
	}
	v2_charge(nsa->peer, IKE_CHARGE_PRF, old->algs.prf, seed_len);
	v2_trace_kdf(nsa, now, "SKEYSEED", "[\"SK_d(old)\",\"g^ir\",\"Ni\",\"Nr\"]", skeyseed, seed_len);
	int rc = keys_from_seed(nsa, now, skeyseed, seed_len);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	return rc;
}

int v2_derive_child_keys(v2_ike_sa *sa, v2_child_sa *ch, ike_time now, const uint8_t *ni, size_t ni_len,
			 const uint8_t *nr, size_t nr_len, const uint8_t *gir, size_t gir_len)
{
	bool ah = v2_child_proto(sa, ch) == IKE_PROTO_AH; /* AH: integrity keys only, ai | ar (RFC 7296 2.17) */
	const ike_alg *e = ah ? NULL : ike_alg_find(IKE_TT_ENCR, ch->algs.encr, ch->algs.encr_keylen);
	const ike_alg *a = ch->algs.integ ? ike_alg_find(IKE_TT_INTEG, ch->algs.integ, 0) : NULL;
	if ((!ah && !e) || (ch->algs.integ && !a) || (ah && !a))
		return -1;
	size_t ek = e ? e->key_bytes : 0, ak = a ? a->key_bytes : 0, total = 2 * (ek + ak);
	OPENSSL_clear_free(ch->keymat, ch->keymat_len);
	ch->keymat_len = 0;
	ch->keymat = malloc(total);
	if (!ch->keymat)
		return -1;
	ch->keymat_len = (uint16_t)total;
	if (ike_v2_child_keymat(sa->peer->cfg.crypto, sa->algs.prf, v2_key_d(sa), sa->prf_len, gir, gir ? gir_len : 0,
				ni, ni_len, nr, nr_len, ch->keymat, total) != 0)
		return -1;
	v2_charge(sa->peer, IKE_CHARGE_PRF, sa->algs.prf, total);
	if (ni != sa->ni) { /* CREATE_CHILD_SA: its own nonces (IKE_AUTH's child reuses the traced IKE_SA_INIT ones) */
		v2_trace_kdf(sa, now, "Ni", "[]", ni, ni_len);
		v2_trace_kdf(sa, now, "Nr", "[]", nr, nr_len);
	}
	if (gir)
		v2_trace_kdf(sa, now, "g^ir (PFS)", "[\"KEi\",\"KEr\"]", gir, gir_len);
	v2_trace_kdf(sa, now, "KEYMAT", gir ? "[\"SK_d\",\"g^ir (PFS)\",\"Ni\",\"Nr\"]" : "[\"SK_d\",\"Ni\",\"Nr\"]",
		     ch->keymat, total);
	static const char *const esp[4] = { "ESP_ENCR_I", "ESP_INTEG_I", "ESP_ENCR_R", "ESP_INTEG_R" };
	static const char *const ahn[4] = { "", "AH_INTEG_I", "", "AH_INTEG_R" };
	const char *const *names = ah ? ahn : esp;
	size_t lens[4] = { ek, ak, ek, ak }, at = 0;
	for (int i = 0; i < 4; i++) {
		if (lens[i])
			v2_trace_kdf(sa, now, names[i], "[\"KEYMAT\"]", ch->keymat + at, lens[i]);
		at += lens[i];
	}
	return 0;
}
