/*
 * IKEv1 proposals from the connection's strongSwan-style lists: phase 1 is one ISAKMP proposal with one transform
 * per (encryption, hash, group) combination (RFC 2409 5); phase 2 one ESP proposal with one transform per
 * (encryption, integrity, PFS group). The responder takes the first offered transform it also has.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/registry.h"
#include "ikev1/v1_sa.h"
#include "ikev2/sa.h"

#define V1_DEFAULT_P1_LIFE 28800u /* strongSwan's 8 h when no lifetime is configured */
#define V1_DEFAULT_P2_LIFE 3600u

static uint16_t hash_of_prf(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_MD5: return V1_HASH_MD5;
	case IKE_PRF_HMAC_SHA1: return V1_HASH_SHA1;
	case IKE_PRF_HMAC_SHA2_256: return V1_HASH_SHA2_256;
	case IKE_PRF_HMAC_SHA2_384: return V1_HASH_SHA2_384;
	case IKE_PRF_HMAC_SHA2_512: return V1_HASH_SHA2_512;
	default: return 0;
	}
}

static uint16_t prf_of_hash(uint16_t h)
{
	switch (h) {
	case V1_HASH_MD5: return IKE_PRF_HMAC_MD5;
	case V1_HASH_SHA1: return IKE_PRF_HMAC_SHA1;
	case V1_HASH_SHA2_256: return IKE_PRF_HMAC_SHA2_256;
	case V1_HASH_SHA2_384: return IKE_PRF_HMAC_SHA2_384;
	case V1_HASH_SHA2_512: return IKE_PRF_HMAC_SHA2_512;
	default: return 0;
	}
}

static uint16_t aalg_of_integ(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_MD5_96: return V1_AALG_HMAC_MD5;
	case IKE_INTEG_HMAC_SHA1_96: return V1_AALG_HMAC_SHA1;
	case IKE_INTEG_HMAC_SHA2_256_128: return V1_AALG_HMAC_SHA2_256;
	case IKE_INTEG_HMAC_SHA2_384_192: return V1_AALG_HMAC_SHA2_384;
	case IKE_INTEG_HMAC_SHA2_512_256: return V1_AALG_HMAC_SHA2_512;
	default: return 0;
	}
}

const char *v1_alg_name(uint8_t type, uint16_t id, uint16_t keylen)
{
	if (type == IKE_TT_ENCR && id == IKE_ENCR_3DES)
		return "3DES_CBC"; /* strongSwan's names for the legacy transforms the registry leaves out */
	if (type == IKE_TT_INTEG && id == IKE_INTEG_HMAC_MD5_96)
		return "HMAC_MD5_96";
	if (type == IKE_TT_PRF && id == IKE_PRF_HMAC_MD5)
		return "PRF_HMAC_MD5";
	return ike_transform_name(type, id, keylen);
}

size_t v1_encr_key_bytes(uint16_t encr, uint16_t keylen)
{
	if (encr == IKE_ENCR_3DES)
		return 24; /* RFC 2451: three 64-bit DES keys */
	const ike_alg *e = ike_alg_find(IKE_TT_ENCR, encr, keylen);
	return e ? e->key_bytes : 0;
}

size_t v1_integ_key_bytes(uint16_t integ)
{
	return integ == IKE_INTEG_HMAC_MD5_96 ? 16 : ike_integ_key_len(integ); /* RFC 2403: the 128-bit MD5 key */
}

uint16_t v1_p1_cipher(const v1_p1 *a)
{
	return a->encr == V1_ENCR_3DES ? IKE_V1_ENCR_3DES : IKE_V1_ENCR_AES_CBC;
}

static uint32_t life_s(const ike_life_cfg *l, uint32_t dflt)
{
	ike_time t = l->rekey > l->reauth ? l->rekey : l->reauth;
	return t > 0 ? (uint32_t)((t + l->over) / IKE_NS_PER_SEC) : dflt;
}

bool v1_p1_offer(const ike_conn_cfg *conn, v1_sa *out)
{
	memset(out, 0, sizeof(*out));
	*out = (v1_sa){ .doi = V1_DOI_IPSEC, .situation = V1_SIT_IDENTITY_ONLY, .n = 1 };
	v1_proposal *pr = &out->prop[0];
	*pr = (v1_proposal){ .num = 1, .protocol = V1_PROTO_ISAKMP };
	uint32_t life = life_s(&conn->ike_life, V1_DEFAULT_P1_LIFE);
	for (size_t i = 0; i < conn->ike.n; i++) {
		const ike_proposal *p = &conn->ike.p[i];
		for (size_t e = 0; e < p->n_encr; e++)
			for (size_t h = 0; h < p->n_prf; h++)
				for (size_t d = 0; d < p->n_dh; d++) {
					uint16_t hash = hash_of_prf(p->prf[h].id), id = p->encr[e].id;
					bool des3 = id == IKE_ENCR_3DES;
					if ((id != IKE_ENCR_AES_CBC && !des3) || !hash || pr->n >= V1_MAX_TRANSFORMS)
						continue; /* IKEv1 phase 1 here: AES-CBC or 3DES-CBC with an HMAC hash */
					v1_transform *t = &pr->t[pr->n];
					*t = (v1_transform){ .num = (uint8_t)(pr->n + 1), .id = V1_KEY_IKE };
					v1_tr_add(t, v1_attr_tv(V1_A_ENCR, des3 ? V1_ENCR_3DES : V1_ENCR_AES));
					if (!des3) /* no Key Length for a fixed-length cipher (RFC 2409 App. A) */
						v1_tr_add(t, v1_attr_tv(V1_A_KEY_LENGTH, p->encr[e].keylen ? p->encr[e].keylen : 128));
					v1_tr_add(t, v1_attr_tv(V1_A_HASH, hash));
					v1_tr_add(t, v1_attr_tv(V1_A_AUTH, conn->auth == IKE_AUTH_PUBKEY ? V1_AUTH_RSA_SIG
												  : v1_psk_method(conn)));
					v1_tr_add(t, v1_attr_tv(V1_A_GROUP, p->dh[d].id));
					v1_tr_add(t, v1_attr_tv(V1_A_LIFE_TYPE, V1_LIFE_SECONDS));
					v1_tr_add(t, v1_attr_var(V1_A_LIFE_DURATION, life, 4));
					pr->n++;
				}
	}
	return pr->n > 0;
}

static bool p1_acceptable(const ike_conn_cfg *conn, const v1_p1_attrs *a)
{
	uint16_t want_auth = conn->auth == IKE_AUTH_PUBKEY ? V1_AUTH_RSA_SIG : v1_psk_method(conn);
	bool des3 = a->encr == V1_ENCR_3DES;
	if ((a->encr != V1_ENCR_AES && !des3) || a->auth != want_auth || a->prf || (des3 && a->key_len && a->key_len != 192))
		return false;
	uint16_t kl = a->key_len ? a->key_len : 128;
	for (size_t i = 0; i < conn->ike.n; i++) {
		const ike_proposal *p = &conn->ike.p[i];
		bool e = false, h = false, d = false;
		for (size_t j = 0; j < p->n_encr; j++)
			e |= des3 ? p->encr[j].id == IKE_ENCR_3DES
				  : p->encr[j].id == IKE_ENCR_AES_CBC && (p->encr[j].keylen ? p->encr[j].keylen : 128) == kl;
		for (size_t j = 0; j < p->n_prf; j++)
			h |= hash_of_prf(p->prf[j].id) == a->hash;
		for (size_t j = 0; j < p->n_dh; j++)
			d |= p->dh[j].id == a->group;
		if (e && h && d)
			return true;
	}
	return false;
}

static void p1_fill(const v1_p1_attrs *a, v1_p1 *alg)
{
	uint16_t kl = a->encr == V1_ENCR_3DES ? 0 : a->key_len ? a->key_len : 128; /* 3DES: none (192 implied) */
	*alg = (v1_p1){ .encr = a->encr, .key_len = kl, .hash = a->hash, .auth = a->auth,
			.group = a->group, .life = (uint32_t)a->life_seconds };
}

bool v1_p1_select(const ike_conn_cfg *conn, const v1_sa *offer, v1_p1 *alg, v1_sa *reply)
{
	for (size_t i = 0; i < offer->n; i++) {
		const v1_proposal *pr = &offer->prop[i];
		if (pr->protocol != V1_PROTO_ISAKMP)
			continue;
		for (size_t j = 0; j < pr->n; j++) {
			v1_p1_attrs a;
			if (pr->t[j].id != V1_KEY_IKE || v1_decode_p1(&pr->t[j], &a, NULL) != V1_OK || !p1_acceptable(conn, &a))
				continue;
			p1_fill(&a, alg);
			*reply = (v1_sa){ .doi = offer->doi, .situation = offer->situation, .n = 1 };
			reply->prop[0] = *pr;
			reply->prop[0].n = 1;
			reply->prop[0].t[0] = pr->t[j];
			return true;
		}
	}
	return false;
}

bool v1_p1_from_reply(const v1_sa *reply, v1_p1 *alg)
{
	v1_p1_attrs a;
	if (reply->n != 1 || reply->prop[0].n != 1 || v1_decode_p1(&reply->prop[0].t[0], &a, NULL) != V1_OK)
		return false;
	p1_fill(&a, alg);
	return (a.encr == V1_ENCR_AES || a.encr == V1_ENCR_3DES) && ike_v1_hash_len(a.hash) > 0;
}

static void put_spi(v1_proposal *pr, uint32_t spi)
{
	pr->spi_size = 4;
	pr->spi[0] = (uint8_t)(spi >> 24);
	pr->spi[1] = (uint8_t)(spi >> 16);
	pr->spi[2] = (uint8_t)(spi >> 8);
	pr->spi[3] = (uint8_t)spi;
}

bool v1_p2_offer(const ike_child_cfg *ch, uint32_t spi, uint32_t life, v1_sa *out)
{
	memset(out, 0, sizeof(*out));
	*out = (v1_sa){ .doi = V1_DOI_IPSEC, .situation = V1_SIT_IDENTITY_ONLY, .n = 1 };
	v1_proposal *pr = &out->prop[0];
	*pr = (v1_proposal){ .num = 1, .protocol = V1_PROTO_ESP };
	put_spi(pr, spi);
	uint16_t mode = ch->mode == IKE_MODE_TRANSPORT ? V1_ENCAP_TRANSPORT : V1_ENCAP_TUNNEL;
	for (size_t i = 0; i < ch->esp.n; i++) {
		const ike_proposal *p = &ch->esp.p[i];
		size_t ni = p->n_integ ? p->n_integ : 1, nd = p->n_dh ? p->n_dh : 1;
		for (size_t e = 0; e < p->n_encr; e++)
			for (size_t g = 0; g < ni; g++)
				for (size_t d = 0; d < nd; d++) {
					uint16_t id = p->encr[e].id, aalg = p->n_integ ? aalg_of_integ(p->integ[g].id) : 0;
					bool aead = id == IKE_ENCR_AES_GCM_16, des3 = id == IKE_ENCR_3DES;
					if ((id != IKE_ENCR_AES_CBC && !aead && !des3) || (!aead && !aalg) ||
					    pr->n >= V1_MAX_TRANSFORMS)
						continue;
					v1_transform *t = &pr->t[pr->n];
					*t = (v1_transform){ .num = (uint8_t)(pr->n + 1), .id = (uint8_t)id }; /* same ids */
					v1_tr_add(t, v1_attr_tv(V1_IA_LIFE_TYPE, V1_LIFE_SECONDS));
					v1_tr_add(t, v1_attr_var(V1_IA_LIFE_DURATION, life, 4));
					if (p->n_dh && p->dh[d].id)
						v1_tr_add(t, v1_attr_tv(V1_IA_GROUP, p->dh[d].id));
					v1_tr_add(t, v1_attr_tv(V1_IA_ENCAP, mode));
					if (aalg)
						v1_tr_add(t, v1_attr_tv(V1_IA_AUTH_ALG, aalg));
					if (!des3) /* RFC 2407 4.5: no Key Length for a fixed-length cipher */
						v1_tr_add(t, v1_attr_tv(V1_IA_KEY_LENGTH, p->encr[e].keylen ? p->encr[e].keylen : 128));
					pr->n++;
				}
	}
	return pr->n > 0;
}

static bool p2_decode(const v1_transform *t, v1_p2 *alg)
{
	v1_p2_attrs a;
	if (v1_decode_p2(t, &a, NULL) != V1_OK)
		return false;
	uint16_t integ = 0;
	switch (a.auth_alg) {
	case 0: break;
	case V1_AALG_HMAC_MD5: integ = IKE_INTEG_HMAC_MD5_96; break;
	case V1_AALG_HMAC_SHA1: integ = IKE_INTEG_HMAC_SHA1_96; break;
	case V1_AALG_HMAC_SHA2_256: integ = IKE_INTEG_HMAC_SHA2_256_128; break;
	case V1_AALG_HMAC_SHA2_384: integ = IKE_INTEG_HMAC_SHA2_384_192; break;
	case V1_AALG_HMAC_SHA2_512: integ = IKE_INTEG_HMAC_SHA2_512_256; break;
	default: return false;
	}
	bool des3 = t->id == V1_ESP_3DES;
	if (des3 && a.key_len && a.key_len != 192)
		return false;
	*alg = (v1_p2){ .encr = t->id, .encr_keylen = des3 ? 0 : a.key_len ? a.key_len : 128, .integ = integ, .pfs = a.group,
			.v1_id = t->id, .v1_aalg = a.auth_alg, .life = (uint32_t)a.life_seconds };
	return ((t->id == V1_ESP_AES || des3) && integ) || (t->id == V1_ESP_AES_GCM_16 && !integ);
}

static bool p2_acceptable(const ike_child_cfg *ch, const v1_p2 *a)
{
	for (size_t i = 0; i < ch->esp.n; i++) {
		const ike_proposal *p = &ch->esp.p[i];
		bool e = false, g = !p->n_integ && !a->integ, d = !p->n_dh && !a->pfs;
		for (size_t j = 0; j < p->n_encr; j++)
			e |= p->encr[j].id == a->encr &&
			     (a->encr == IKE_ENCR_3DES || (p->encr[j].keylen ? p->encr[j].keylen : 128) == a->encr_keylen);
		for (size_t j = 0; j < p->n_integ; j++)
			g |= p->integ[j].id == a->integ;
		for (size_t j = 0; j < p->n_dh; j++)
			d |= p->dh[j].id == a->pfs;
		if (e && g && d)
			return true;
	}
	return false;
}

static uint32_t get_spi(const v1_proposal *pr)
{
	return pr->spi_size == 4 ? (uint32_t)pr->spi[0] << 24 | (uint32_t)pr->spi[1] << 16 | (uint32_t)pr->spi[2] << 8 |
					   pr->spi[3]
				 : 0;
}

bool v1_p2_select(const ike_child_cfg *ch, const v1_sa *offer, uint32_t spi, v1_p2 *alg, v1_sa *reply,
		  uint32_t *peer_spi)
{
	for (size_t i = 0; i < offer->n; i++) {
		const v1_proposal *pr = &offer->prop[i];
		if (pr->protocol != V1_PROTO_ESP || !get_spi(pr))
			continue;
		for (size_t j = 0; j < pr->n; j++) {
			if (!p2_decode(&pr->t[j], alg) || !p2_acceptable(ch, alg))
				continue;
			*peer_spi = get_spi(pr);
			*reply = (v1_sa){ .doi = offer->doi, .situation = offer->situation, .n = 1 };
			reply->prop[0] = *pr;
			reply->prop[0].n = 1;
			reply->prop[0].t[0] = pr->t[j];
			put_spi(&reply->prop[0], spi);
			return true;
		}
	}
	return false;
}

bool v1_p2_from_reply(const v1_sa *reply, v1_p2 *alg, uint32_t *peer_spi)
{
	if (reply->n != 1 || reply->prop[0].n != 1 || reply->prop[0].protocol != V1_PROTO_ESP)
		return false;
	*peer_spi = get_spi(&reply->prop[0]);
	return *peer_spi && p2_decode(&reply->prop[0].t[0], alg);
}

/* strongSwan's display form, "AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" (v2_algs_format's),
 * with names for the legacy transforms. */
static void algs_format(uint16_t encr, uint16_t kl, uint16_t integ, uint16_t prf, uint16_t dh, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s", v1_alg_name(IKE_TT_ENCR, encr, kl));
	if (integ && n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, "/%s", v1_alg_name(IKE_TT_INTEG, integ, 0));
	if (prf && n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, "/%s", v1_alg_name(IKE_TT_PRF, prf, 0));
	if (dh && n >= 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, "/%s", ike_transform_name(IKE_TT_DH, dh, 0));
}

void v1_p1_format(const v1_p1 *a, char *out, size_t cap)
{
	uint16_t prf = prf_of_hash(a->hash), integ = 0;
	switch (prf) { /* strongSwan shows IKEv1's hash twice: as integrity and as PRF */
	case IKE_PRF_HMAC_MD5: integ = IKE_INTEG_HMAC_MD5_96; break;
	case IKE_PRF_HMAC_SHA1: integ = IKE_INTEG_HMAC_SHA1_96; break;
	case IKE_PRF_HMAC_SHA2_256: integ = IKE_INTEG_HMAC_SHA2_256_128; break;
	case IKE_PRF_HMAC_SHA2_384: integ = IKE_INTEG_HMAC_SHA2_384_192; break;
	case IKE_PRF_HMAC_SHA2_512: integ = IKE_INTEG_HMAC_SHA2_512_256; break;
	default: break;
	}
	algs_format(a->encr == V1_ENCR_3DES ? IKE_ENCR_3DES : IKE_ENCR_AES_CBC, a->key_len, integ, prf, a->group, out, cap);
}

void v1_p2_format(const v1_p2 *a, char *out, size_t cap)
{
	algs_format(a->encr, a->encr_keylen, a->integ, 0, a->pfs, out, cap);
}
