/*
 * What the CREATE_CHILD_SA files share: the D-H group for PFS, our request's nonce and key, g^ir, nonce
 * order for collisions (RFC 7296 2.8), lifetimes with jitter, and the *.rekeyed trace events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/dh.h"
#include "ikev2/sa.h"

uint16_t v2_child_pfs_group(const ike_child_cfg *cc)
{
	for (uint8_t i = 0; i < cc->esp.n; i++)
		if (cc->esp.p[i].n_dh)
			return cc->esp.p[i].dh[0].id;
	return 0;
}

void v2_ccsa_scratch_free(v2_ike_sa *sa)
{
	free(sa->xn);
	sa->xn = NULL;
	sa->xn_len = 0;
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	sa->xgroup = 0;
}

int v2_ccsa_scratch_new(v2_ike_sa *sa, uint16_t group, uint8_t *pub, size_t cap, size_t *pub_len)
{
	ike_peer *p = sa->peer;
	v2_ccsa_scratch_free(sa);
	sa->xn = malloc(V2_NONCE_LEN);
	if (!sa->xn)
		return -1;
	sa->xn_len = V2_NONCE_LEN;
	ike_drbg_bytes(&p->rng, sa->xn, V2_NONCE_LEN);
	sa->xgroup = group;
	*pub_len = 0;
	if (!group)
		return 0;
	if (ike_dh_generate(p->cfg.crypto, group, &p->rng, &sa->dh) != 0)
		return -1;
	v2_charge(p, IKE_CHARGE_DH_KEYGEN, group, 0);
	*pub_len = ike_dh_public_len(group);
	return *pub_len <= cap ? ike_dh_public(sa->dh, pub, cap) : -1;
}

int v2_dh_shared(v2_ike_sa *sa, ike_dh *ours, const v2_ke *ke, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = ike_dh_secret_len(ke->group);
	if (!ours || !n || n > cap)
		return -1;
	int rc = ike_dh_derive(sa->peer->cfg.crypto, ours, ke->data, ke->len, out, cap);
	v2_charge(sa->peer, IKE_CHARGE_DH_DERIVE, ke->group, 0);
	*len = n;
	return rc;
}

int v2_nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

int v2_child_keep_nonce(v2_child_sa *c, const uint8_t *n1, size_t l1, const uint8_t *n2, size_t l2)
{
	bool first = v2_nonce_cmp(n1, l1, n2, l2) <= 0;
	const uint8_t *n = first ? n1 : n2;
	size_t l = first ? l1 : l2;
	free(c->nonce_min);
	c->nonce_min = malloc(l);
	c->nonce_min_len = c->nonce_min ? (uint16_t)l : 0;
	if (!c->nonce_min)
		return -1;
	memcpy(c->nonce_min, n, l);
	return 0;
}

void v2_child_arm_life(v2_ike_sa *sa, v2_child_sa *c, ike_time now)
{
	const ike_life_cfg *l = &sa->conn->children[c->cfg].life;
	c->dl[V2_CDL_REKEY] = v2_life_soft(sa->peer, now, l, l->rekey);
	c->dl[V2_CDL_EXPIRE] = l->over > 0 ? v2_life_hard(now, l) : IKE_TIME_NEVER;
	v2_dl_refresh(sa);
}

void v2_child_up(v2_ike_sa *sa, v2_child_sa *c, ike_time now, enum v2_child_tr t)
{
	ike_conn_rec *r = v2_rec(sa);
	if (r) {
		r->esp_algs = c->algs;
		r->esp_selected = true;
	}
	v2_trace_selected(sa, now, v2_child_proto(sa, c) == IKE_PROTO_AH ? "ah" : "esp", &c->algs);
	v2_child_go(sa, c, now, t, NULL);
	v2_child_event(sa, c, now, IKE_EV_CHILD_UP, 0, NULL);
	v2_child_arm_life(sa, c, now);
}

void v2_ike_arm_life(v2_ike_sa *sa, ike_time now)
{
	const ike_life_cfg *l = &sa->conn->ike_life;
	sa->dl[V2_DL_REKEY] = v2_life_soft(sa->peer, now, l, l->rekey);
	sa->dl[V2_DL_REAUTH] = v2_life_soft(sa->peer, now, l, l->reauth);
	sa->dl[V2_DL_EXPIRE] = l->over > 0 ? v2_life_hard(now, l) : IKE_TIME_NEVER;
	v2_dl_refresh(sa);
}

static const char *reason_name(uint8_t r)
{
	switch (r) {
	case V2_WHY_LIFETIME: return "lifetime";
	case V2_WHY_REAUTH: return "reauth";
	case V2_WHY_COLLISION: return "collision";
	case V2_WHY_PEER: return "peer";
	case V2_WHY_PACKETS: return "packets";
	case V2_WHY_BYTES: return "bytes";
	case V2_WHY_SEQ: return "seq";
	default: return "manual";
	}
}

static void spi_str(ike_jsonw *w, const char *key, uint32_t spi)
{
	char s[12];
	snprintf(s, sizeof(s), "%08x", spi);
	ike_jsonw_str(w, key, s);
}

void v2_trace_child_rekeyed(v2_ike_sa *sa, ike_time now, const v2_child_sa *old, const v2_child_sa *nw, uint8_t reason)
{
	v2_replaced_event(sa, now, IKE_EV_CHILD_REKEYED, 0, 0, old, nw);
	if (!v2_tracing(sa->peer))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	if (sa->conn) {
		ike_jsonw_str(&w, "conn", sa->conn->name);
		if (nw->cfg < sa->conn->n_children && sa->conn->children[nw->cfg].name)
			ike_jsonw_str(&w, "child", sa->conn->children[nw->cfg].name);
	}
	spi_str(&w, "old-spi-in", old->spi_in);
	spi_str(&w, "old-spi-out", old->spi_out);
	spi_str(&w, "spi-in", nw->spi_in);
	spi_str(&w, "spi-out", nw->spi_out);
	ike_jsonw_str(&w, "pfs", nw->pfs ? ike_transform_name(IKE_TT_DH, nw->pfs, 0) : "none");
	ike_jsonw_str(&w, "reason", reason_name(reason));
	ike_jsonw_spi(&w, "initiator-spi", sa->spi_i);
	ike_jsonw_spi(&w, "responder-spi", sa->spi_r);
	v2_emit(sa->peer, now, "child_sa.rekeyed", &w);
}

void v2_trace_ike_rekeyed(const v2_ike_sa *old, v2_ike_sa *nsa, ike_time now, uint8_t reason)
{
	v2_replaced_event(nsa, now, IKE_EV_IKE_REKEYED, old->spi_i, old->spi_r, NULL, NULL);
	if (!v2_tracing(old->peer))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	if (old->conn)
		ike_jsonw_str(&w, "conn", old->conn->name);
	ike_jsonw_spi(&w, "old-initiator-spi", old->spi_i);
	ike_jsonw_spi(&w, "old-responder-spi", old->spi_r);
	ike_jsonw_spi(&w, "initiator-spi", nsa->spi_i);
	ike_jsonw_spi(&w, "responder-spi", nsa->spi_r);
	ike_jsonw_str(&w, "reason", reason_name(reason));
	ike_jsonw_str(&w, "dh-group", ike_transform_name(IKE_TT_DH, nsa->algs.dh, 0));
	v2_emit(old->peer, now, "ike_sa.rekeyed", &w);
}

int v2_ccsa_refuse(v2_ike_sa *sa, ike_time now, const v2_inbound *in, uint16_t notify, const uint8_t *d, size_t n,
		   const char *why)
{
	v2_trace_error(sa->peer, now, sa, "request refused", why, notify);
	if (v2_answer_notify(sa, now, in, notify, d, n) != 0) {
		v2_fail_local(sa, now, "could not seal our CREATE_CHILD_SA answer");
		return V2_H_GONE;
	}
	return V2_H_OK;
}

uint8_t v2_child_proto(const v2_ike_sa *sa, const v2_child_sa *c)
{
	return sa->conn && c->cfg < sa->conn->n_children ? ike_child_protocol(&sa->conn->children[c->cfg]) : IKE_PROTO_ESP;
}
