/* Fixtures for the crack tests: an Aggressive Mode exchange by hand (RFC 2409 5) and captures of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crackfx.h"
#include "crypto/dh.h"
#include "crypto/drbg.h"
#include "crypto/kdf_v1.h"
#include "ikev1/v1_crypt.h"
#include "wire/v1.h"

#define GROUP 14

static const uint8_t ID_I[] = "initiator.example", ID_R[] = "vpn.example.net";

static void sa_of(v1_sa *sa, uint16_t hash, uint16_t auth)
{
	memset(sa, 0, sizeof(*sa));
	sa->doi = V1_DOI_IPSEC, sa->situation = V1_SIT_IDENTITY_ONLY, sa->n = 1;
	sa->prop[0] = (v1_proposal){ .num = 1, .protocol = V1_PROTO_ISAKMP, .n = 1 };
	v1_transform *t = &sa->prop[0].t[0];
	t->num = 1, t->id = V1_KEY_IKE;
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_ENCR, V1_ENCR_AES)));
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_KEY_LENGTH, 128)));
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_HASH, hash)));
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_AUTH, auth)));
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_GROUP, GROUP)));
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_LIFE_TYPE, V1_LIFE_SECONDS)));
	assert_true(v1_tr_add(t, v1_attr_var(V1_A_LIFE_DURATION, 28800, 4)));
}

static void parse(const cfx_msg *m, v1_chain *c)
{
	v1_header h;
	assert_int_equal(v1_parse_header(m->b, m->len, &h, NULL), V1_OK);
	assert_int_equal(v1_parse_chain(h.next_payload, m->b + V1_HDR_LEN, h.length - V1_HDR_LEN, V1_HDR_LEN, false, c, NULL),
			 V1_OK);
}

/* SKEYID from the PSK, then SKEYID_d/a/e from g^xy. */
static void keys(const ike_crypto *c, ike_v1_keys *k, uint16_t hash, const char *psk, const cfx_am *x, const uint8_t *gxy)
{
	memset(k, 0, sizeof(*k));
	k->hash = hash;
	k->len = (uint8_t)ike_v1_hash_len(hash);
	assert_int_equal(ike_v1_skeyid_psk(c, hash, (const uint8_t *)psk, strlen(psk), x->ni, sizeof(x->ni), x->nr,
					   sizeof(x->nr), k->skeyid), 0);
	assert_int_equal(ike_v1_skeyids(c, k, gxy, 256, x->cky_i, x->cky_r), 0);
}

static size_t message1(cfx_am *x, uint16_t hash)
{
	v1_sa sa;
	sa_of(&sa, hash, CFX_AUTH_PSK);
	v1_header h = { .cky_i = x->cky_i, .major = 1, .exchange = V1_EXCH_AGGRESSIVE };
	v1_builder b;
	v1_begin(&b, x->m[0].b, CFX_MSG, &h);
	v1_add_sa(&b, &sa);
	v1_add_ke(&b, x->gxi, 256);
	v1_add_data(&b, V1_PL_NONCE, x->ni, sizeof(x->ni));
	v1_id id = { .type = V1_ID_FQDN, .protocol = 17, .port = 500, .data = ID_I, .len = sizeof(ID_I) - 1 };
	v1_add_id(&b, &id);
	return v1_finish(&b, 0);
}

/* AM2: SA KE Nr IDir HASH_R (SIG for RSA) V(DPD). */
static size_t message2(const ike_crypto *c, cfx_am *x, const ike_v1_keys *k, uint16_t hash, uint16_t auth)
{
	v1_sa sa;
	sa_of(&sa, hash, auth);
	v1_id id = { .type = V1_ID_FQDN, .protocol = 17, .port = 500, .data = ID_R, .len = sizeof(ID_R) - 1 };
	x->idir_len = 4 + id.len;
	x->idir_b[0] = V1_ID_FQDN, x->idir_b[1] = 17, x->idir_b[2] = 500 >> 8, x->idir_b[3] = 500 & 0xff;
	memcpy(x->idir_b + 4, ID_R, id.len);
	x->hash_len = k->len;
	assert_int_equal(ike_v1_hash_auth(c, k, true, x->gxi, 256, x->gxr, 256, x->cky_i, x->cky_r, x->sai_b, x->sai_len,
					  x->idir_b, x->idir_len, x->hash_r), 0);
	v1_header h = { .cky_i = x->cky_i, .cky_r = x->cky_r, .major = 1, .exchange = V1_EXCH_AGGRESSIVE };
	v1_builder b;
	v1_begin(&b, x->m[1].b, CFX_MSG, &h);
	v1_add_sa(&b, &sa);
	v1_add_ke(&b, x->gxr, 256);
	v1_add_data(&b, V1_PL_NONCE, x->nr, sizeof(x->nr));
	v1_add_id(&b, &id);
	v1_add_data(&b, auth == CFX_AUTH_RSA ? V1_PL_SIG : V1_PL_HASH, x->hash_r, x->hash_len);
	size_t vl;
	const uint8_t *vid = v1_vid_bytes(V1_VID_DPD, &vl);
	v1_add_data(&b, V1_PL_VID, vid, vl);
	return v1_finish(&b, 0);
}

void cfx_am_make(cfx_am *x, uint16_t hash, const char *psk, uint64_t cky_i, uint16_t auth)
{
	memset(x, 0, sizeof(*x));
	x->cky_i = cky_i, x->cky_r = cky_i ^ 0x5a5a5a5a00000001ull, x->hash = hash;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	ike_drbg ri, rr;
	ike_drbg_init(&ri, &cky_i, sizeof(cky_i), "cfx-i", 5);
	ike_drbg_init(&rr, &cky_i, sizeof(cky_i), "cfx-r", 5);
	ike_drbg_bytes(&ri, x->ni, sizeof(x->ni));
	ike_drbg_bytes(&rr, x->nr, sizeof(x->nr));
	ike_dh *di, *dr;
	assert_int_equal(ike_dh_generate(c, GROUP, &ri, &di), 0);
	assert_int_equal(ike_dh_generate(c, GROUP, &rr, &dr), 0);
	assert_int_equal(ike_dh_public(di, x->gxi, 256), 0);
	assert_int_equal(ike_dh_public(dr, x->gxr, 256), 0);
	x->m[0].len = message1(x, hash), x->m[0].from_i = true;
	v1_chain ch;
	parse(&x->m[0], &ch); /* the responder reads AM1: SAi_b, g^xi, Ni as sent */
	const v1_payload *sai = v1_chain_find(&ch, V1_PL_SA);
	assert_true(sai && sai->len <= sizeof(x->sai_b));
	memcpy(x->sai_b, sai->body, sai->len);
	x->sai_len = sai->len;
	uint8_t gxy_i[256], gxy_r[256];
	assert_int_equal(ike_dh_derive(c, dr, x->gxi, 256, gxy_r, sizeof(gxy_r)), 0);
	ike_v1_keys kr, ki;
	keys(c, &kr, hash, psk, x, gxy_r);
	x->m[1].len = message2(c, x, &kr, hash, auth);
	assert_true(x->m[0].len && x->m[1].len);
	/* the initiator checks HASH_R with its own g^xy and keys, then answers HASH_I, encrypted */
	assert_int_equal(ike_dh_derive(c, di, x->gxr, 256, gxy_i, sizeof(gxy_i)), 0);
	assert_memory_equal(gxy_i, gxy_r, 256);
	keys(c, &ki, hash, psk, x, gxy_i);
	uint8_t want[64], hash_i[64];
	assert_int_equal(ike_v1_hash_auth(c, &ki, true, x->gxi, 256, x->gxr, 256, x->cky_i, x->cky_r, x->sai_b, x->sai_len,
					  x->idir_b, x->idir_len, want), 0);
	assert_memory_equal(want, x->hash_r, ki.len);
	static const uint8_t idii_b[4 + sizeof(ID_I) - 1] = { V1_ID_FQDN, 17, 500 >> 8, 500 & 0xff, 'i', 'n', 'i', 't', 'i',
							       'a', 't', 'o', 'r', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e' };
	assert_int_equal(ike_v1_hash_auth(c, &ki, false, x->gxi, 256, x->gxr, 256, x->cky_i, x->cky_r, x->sai_b, x->sai_len,
					  idii_b, sizeof(idii_b), hash_i), 0);
	v1_header h = { .cky_i = x->cky_i, .cky_r = x->cky_r, .major = 1, .exchange = V1_EXCH_AGGRESSIVE };
	v1_builder b;
	v1_begin(&b, x->m[2].b, CFX_MSG, &h);
	v1_add_data(&b, V1_PL_HASH, hash_i, ki.len);
	size_t n = v1_finish(&b, 0), sealed;
	v1_cipher ci;
	v1_iv iv;
	assert_int_equal(v1_cipher_init(c, &ki, IKE_V1_ENCR_AES_CBC, 128, &ci), 0);
	assert_int_equal(v1_iv_phase1(c, &ci, x->gxi, 256, x->gxr, 256, &iv), 0);
	assert_int_equal(v1_seal(c, &ci, &iv, x->m[2].b, n, CFX_MSG, &sealed), 0);
	x->m[2].len = sealed, x->m[2].from_i = true;
	v1_cipher_wipe(&ci);
	ike_v1_keys_wipe(&ki);
	ike_v1_keys_wipe(&kr);
	ike_dh_free(di);
	ike_dh_free(dr);
	ike_crypto_free(c);
}
