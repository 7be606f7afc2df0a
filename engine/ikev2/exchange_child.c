/*
 * CREATE_CHILD_SA, responder of the exchange (RFC 7296 1.3): a new CHILD SA (1.3.1), the rekey of one
 * (1.3.3, N(REKEY_SA) names the SA by the initiator's inbound SPI, our outbound one), or an IKE SA rekey
 * (1.3.2, ike_rekey.c). PFS when the request carries KE. Error answers leave the IKE SA up; a request
 * without SA or Nonce (or TSi/TSr for a CHILD SA) is malformed (2.21.3).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/dh.h"
#include "ikev2/sa.h"

/* What the request is, once the SA payload is read. */
typedef struct ccsa_req {
	v2_sa sa;
	v2_ts_list tsi, tsr;
	const uint8_t *ni;
	size_t ni_len;
	v2_ke ke;
	bool has_ke;
	uint32_t rekey_spi; /* N(REKEY_SA): 0 for a new CHILD SA */
	uint8_t rekey_proto; /* its Protocol ID: ESP or AH */
} ccsa_req;

static int malformed(v2_ike_sa *sa, ike_time now, const v2_inbound *in, const char *why)
{
	v2_refuse_fatal(sa, now, in, V2_N_INVALID_SYNTAX, NULL, 0, why);
	return V2_H_GONE;
}

/* Reads TSi/TSr, KE and REKEY_SA; NULL, or why the request is malformed. */
static const char *read_child_req(const v2_chain *ch, ccsa_req *q)
{
	const v2_payload *pti = v2_chain_find(ch, V2_PL_TSI), *ptr = v2_chain_find(ch, V2_PL_TSR),
			 *pke = v2_chain_find(ch, V2_PL_KE), *prk = v2_chain_find_notify(ch, V2_N_REKEY_SA);
	if (!pti || !ptr || v2_parse_ts(pti->body, pti->len, &q->tsi) != V2_OK ||
	    v2_parse_ts(ptr->body, ptr->len, &q->tsr) != V2_OK)
		return "CREATE_CHILD_SA request for a CHILD SA without valid TSi and TSr";
	q->has_ke = pke != NULL;
	if (pke && v2_parse_ke(pke->body, pke->len, &q->ke) != V2_OK)
		return "malformed KE payload";
	if (prk) {
		v2_notify n;
		if (v2_parse_notify(prk->body, prk->len, &n) != V2_OK || n.spi_size != 4 ||
		    (n.protocol != IKE_PROTO_ESP && n.protocol != IKE_PROTO_AH))
			return "REKEY_SA notify without a 4-byte ESP SPI";
		q->rekey_proto = n.protocol;
		q->rekey_spi = ike_get_u32(n.spi);
	}
	return NULL;
}

/* Selects ESP and narrows TS for child config cfg into c; 0, or an error notify (with *group for INVALID_KE). */
static uint16_t choose(v2_ike_sa *sa, const ccsa_req *q, size_t cfg, v2_child_sa *c, uint8_t *num,
		       const v2_proposal **chosen, ike_ts *ti, size_t *ni, ike_ts *tr, size_t *nr, uint16_t *group)
{
	const ike_child_cfg *cc = &sa->conn->children[cfg];
	uint16_t kg = q->has_ke ? q->ke.group : 0;
	/* D-H is not ignored: a proposal with a group only matches one with that group (PFS both or neither) */
	if (v2_select(&cc->esp, &q->sa, ike_child_protocol(cc), kg, false, &c->algs, num, chosen) != 0 || (*chosen)->spi_size != 4)
		return V2_N_NO_PROPOSAL_CHOSEN;
	if (c->algs.dh && (!q->has_ke || q->ke.group != c->algs.dh)) {
		*group = c->algs.dh;
		return V2_N_INVALID_KE_PAYLOAD;
	}
	*ni = v2_ts_narrow(&q->tsi, cc->remote_ts, cc->n_remote_ts, ti, IKE_TS_MAX + 1);
	ike_ts own;
	uint8_t nl;
	const ike_ts *lts = v2_local_ts(sa, cc, &own, &nl);
	*nr = v2_ts_narrow(&q->tsr, lts, nl, tr, IKE_TS_MAX + 1);
	if (!*ni || !*nr || *ni > IKE_TS_MAX || *nr > IKE_TS_MAX)
		return V2_N_TS_UNACCEPTABLE;
	return 0;
}

/* For a new CHILD SA: the first child config that accepts the request (its config index), or -1 with err. */
static int find_cfg(v2_ike_sa *sa, const ccsa_req *q, uint16_t *err, uint16_t *group)
{
	v2_child_sa probe;
	ike_ts ti[IKE_TS_MAX + 1], tr[IKE_TS_MAX + 1];
	size_t ni, nr;
	uint8_t num;
	const v2_proposal *ch;
	*err = V2_N_TS_UNACCEPTABLE;
	for (size_t i = 0; i < sa->conn->n_children; i++) {
		memset(&probe, 0, sizeof(probe));
		uint16_t e = choose(sa, q, i, &probe, &num, &ch, ti, &ni, tr, &nr, group);
		if (!e)
			return (int)i;
		if (e != V2_N_TS_UNACCEPTABLE)
			*err = e; /* a config whose selectors fit but whose proposals do not: say that instead */
	}
	return -1;
}

/* Our answer's payloads (SA, Nr, [KEr], TSi, TSr) and the new CHILD SA's keys; 0 or -1. */
static int answer(v2_ike_sa *sa, ike_time now, const ccsa_req *q, v2_child_sa *c, uint8_t num, v2_builder *b,
		  uint8_t *nr, ike_dh **dh)
{
	ike_peer *p = sa->peer;
	uint8_t pub[1024], gir[1024], spi[4];
	size_t pub_len = 0, gl = 0;
	ike_drbg_bytes(&p->rng, nr, V2_NONCE_LEN);
	int rc = 0;
	if (c->algs.dh) {
		rc = ike_dh_generate(p->cfg.crypto, c->algs.dh, &p->rng, dh);
		v2_charge(p, IKE_CHARGE_DH_KEYGEN, c->algs.dh, 0);
		pub_len = ike_dh_public_len(c->algs.dh);
		if (rc == 0)
			rc = pub_len <= sizeof(pub) ? ike_dh_public(*dh, pub, sizeof(pub)) : -1;
		if (rc == 0)
			rc = v2_dh_shared(sa, *dh, &q->ke, gir, sizeof(gir), &gl);
	}
	c->pfs = c->algs.dh;
	c->exch_initiator = false; /* the peer's CREATE_CHILD_SA request made it */
	if (rc == 0)
		rc = v2_derive_child_keys(sa, c, now, q->ni, q->ni_len, nr, V2_NONCE_LEN, c->algs.dh ? gir : NULL, gl);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (rc != 0)
		return -1;
	v2_sa reply;
	v2_ts_list ts;
	ike_put_u32(spi, c->spi_in);
	v2_sa_from_algs(&c->algs, ike_child_protocol(&sa->conn->children[c->cfg]), num, spi, 4, &reply);
	v2_add_sa(b, &reply);
	v2_add_nonce(b, nr, V2_NONCE_LEN);
	if (c->algs.dh)
		v2_add_ke(b, c->algs.dh, pub, pub_len);
	v2_ts_to_wire(c->ts, c->n_ts_i, &ts);
	v2_add_ts(b, V2_PL_TSI, &ts);
	v2_ts_to_wire(c->ts + c->n_ts_i, c->n_ts_r, &ts);
	v2_add_ts(b, V2_PL_TSR, &ts);
	return b->w.err ? -1 : 0;
}

/* After our answer went out for a rekey of `old`: it is replaced (or, rekeyed by us too, a collision). */
static void peer_replaced(v2_ike_sa *sa, ike_time now, v2_child_sa *old, v2_child_sa *c, const ccsa_req *q,
			  const uint8_t *nr)
{
	if (old->state == V2_CHILD_INSTALLED) {
		v2_child_go(sa, old, now, V2_T_CHILD_R_REKEYED, NULL);
		v2_trace_child_rekeyed(sa, now, old, c, V2_WHY_PEER);
		return;
	}
	/* 2.8.1: we are rekeying it too; the verdict waits for our own response (child_create.c) */
	v2_trace_child_rekeyed(sa, now, old, c, V2_WHY_COLLISION);
	v2_child_sa *ours = v2_child_find_in(sa, sa->pending_child);
	if (ours && ours->rekey_of == old->spi_in &&
	    v2_child_keep_nonce(c, q->ni, q->ni_len, nr, V2_NONCE_LEN) == 0)
		ours->peer_rekey = c->spi_in;
}

/* Why a CHILD SA named by REKEY_SA cannot be rekeyed now (RFC 7296 2.25.1, 3.10.1); 0 if it can. */
static uint16_t rekey_refusal(const v2_child_sa *old, const char **why)
{
	if (!old) {
		*why = "REKEY_SA names a CHILD SA we do not have";
		return V2_N_CHILD_SA_NOT_FOUND;
	}
	if (old->redundant) {
		*why = "the CHILD SA to rekey lost a simultaneous rekey and is deleted next (RFC 7296 2.8.1)";
		return V2_N_TEMPORARY_FAILURE;
	}
	if (old->state == V2_CHILD_INSTALLED || old->state == V2_CHILD_REKEYING)
		return 0;
	*why = old->state == V2_CHILD_DELETING ? "the CHILD SA to rekey is being deleted"
					       : "the CHILD SA to rekey is being replaced already";
	return V2_N_TEMPORARY_FAILURE;
}

/* A new or rekeyed CHILD SA: choose, answer, install. */
static int child_req(v2_ike_sa *sa, ike_time now, const v2_inbound *in, ccsa_req *q)
{
	const char *why = NULL;
	uint16_t err = 0, group = 0;
	v2_child_sa *old = NULL;
	int cfg;
	if (q->rekey_spi) {
		old = v2_child_find_out(sa, q->rekey_spi);
		if (old && v2_child_proto(sa, old) != q->rekey_proto)
			old = NULL; /* an SPI of the other protocol names no SA of ours: CHILD_SA_NOT_FOUND */
		if ((err = rekey_refusal(old, &why)) != 0)
			return v2_ccsa_refuse(sa, now, in, err, NULL, 0, why);
		cfg = old->cfg;
	} else if ((cfg = find_cfg(sa, q, &err, &group)) < 0) {
		uint8_t g[2];
		ike_put_u16(g, group);
		return v2_ccsa_refuse(sa, now, in, err, err == V2_N_INVALID_KE_PAYLOAD ? g : NULL, err == V2_N_INVALID_KE_PAYLOAD ? 2 : 0,
			      "no CHILD SA of this connection accepts the proposals and traffic selectors");
	}
	v2_child_sa *c = v2_child_new(sa, (uint16_t)cfg);
	if (!c)
		return v2_ccsa_refuse(sa, now, in, V2_N_NO_ADDITIONAL_SAS, NULL, 0, "out of memory for a CHILD SA");
	v2_child_go(sa, c, now, V2_T_CHILD_C_INSTALLING, NULL);
	ike_ts ti[IKE_TS_MAX + 1], tr[IKE_TS_MAX + 1];
	size_t ni = 0, nr_ts = 0;
	uint8_t num = 0, inner[V2_MAX_MSG], nr[V2_NONCE_LEN], g[2];
	const v2_proposal *chosen = NULL;
	err = choose(sa, q, (size_t)cfg, c, &num, &chosen, ti, &ni, tr, &nr_ts, &group);
	ike_dh *dh = NULL;
	v2_builder b;
	v2_begin_chain(&b, inner, sizeof(inner));
	if (!err) {
		c->spi_out = ike_get_u32(chosen->spi);
		c->spi_in = v2_child_new_spi(sa);
		if (v2_child_set_ts(c, ti, ni, tr, nr_ts) != 0 || answer(sa, now, q, c, num, &b, nr, &dh) != 0)
			err = V2_N_NO_PROPOSAL_CHOSEN;
	}
	ike_dh_free(dh);
	if (err) {
		ike_put_u16(g, group);
		v2_child_go(sa, c, now, V2_T_CHILD_C_REFUSED, NULL);
		v2_child_free(sa, c);
		return v2_ccsa_refuse(sa, now, in, err, err == V2_N_INVALID_KE_PAYLOAD ? g : NULL,
			      err == V2_N_INVALID_KE_PAYLOAD ? 2 : 0, "the CHILD SA cannot be agreed");
	}
	if (v2_send_sk(sa, now, V2_CREATE_CHILD_SA, true, in->hdr.msg_id, inner, b.w.len, b.first) != 0) {
		v2_fail_local(sa, now, "could not seal our CREATE_CHILD_SA response");
		return V2_H_GONE;
	}
	c->rekey_of = old ? old->spi_in : 0;
	v2_child_up(sa, c, now, V2_T_CHILD_C_INSTALLED);
	if (old)
		peer_replaced(sa, now, old, c, q, nr);
	return V2_H_OK;
}

int v2_child_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	const v2_payload *psa = v2_chain_find(&in->inner, V2_PL_SA), *pno = v2_chain_find(&in->inner, V2_PL_NONCE);
	ccsa_req q_buf, *q = &q_buf;
	memset(q, 0, sizeof(*q));
	/* Every form carries SA and Ni: without them the request is malformed (2.21.3). */
	if (!psa || !pno)
		return malformed(sa, now, in, "CREATE_CHILD_SA request without SA or Nonce");
	if (v2_parse_sa(psa->body, psa->len, &q->sa) != V2_OK || v2_parse_nonce(pno->body, pno->len) != V2_OK)
		return malformed(sa, now, in, "malformed SA or Nonce in a CREATE_CHILD_SA request");
	q->ni = pno->body;
	q->ni_len = pno->len;
	bool ike = q->sa.n && q->sa.prop[0].protocol == IKE_PROTO_IKE;
	if (sa->state == V2_IKE_DELETING || sa->state == V2_IKE_REKEYED)
		return v2_ccsa_refuse(sa, now, in, ike || v2_chain_find_notify(&in->inner, V2_N_REKEY_SA) ? V2_N_TEMPORARY_FAILURE
												 : V2_N_NO_ADDITIONAL_SAS,
			      NULL, 0, "the IKE SA is being deleted or replaced (RFC 7296 2.25)");
	/* 2.8.2: the peer's new IKE SA while our crossing rekey is unsettled: its CHILD SAs are still on the old
	 * one, and whether it survives is not known yet; the peer retries later */
	if (sa->unsettled)
		return v2_ccsa_refuse(sa, now, in, V2_N_TEMPORARY_FAILURE, NULL, 0,
			      "this new IKE SA's collision with our rekey is not settled yet (RFC 7296 2.8.2, 2.25)");
	/* 2.25.2: no IKE rekey under another exchange of ours (its answer would reach a replaced SA), and no
	 * CHILD SA work while we rekey the IKE SA; a crossing IKE rekey is a collision (2.8.2), answered */
	if ((ike && sa->req && sa->state != V2_IKE_REKEYING) || (!ike && sa->state == V2_IKE_REKEYING))
		return v2_ccsa_refuse(sa, now, in, V2_N_TEMPORARY_FAILURE, NULL, 0,
			      ike ? "an exchange of ours is in progress on this IKE SA"
				  : "the IKE SA is being rekeyed (RFC 7296 2.25.2)");
	if (ike)
		return v2_ike_rekey_r_recv(sa, now, in, &q->sa);
	const char *bad = read_child_req(&in->inner, q);
	if (bad)
		return malformed(sa, now, in, bad);
	return child_req(sa, now, in, q);
}
