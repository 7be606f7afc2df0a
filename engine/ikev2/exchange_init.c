/*
 * IKE_SA_INIT (RFC 7296 1.2, 2.6, 2.7, 2.10, 2.23): algorithms, KE, nonces, NAT detection,
 * INVALID_KE_PAYLOAD and COOKIE retries on the initiator side; responder cookies are in cookie.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/dh.h"
#include "ikev2/sa.h"
#include "peer/job.h"

#define V2_MAX_RESTARTS 5

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	if (d && n)
		memcpy(d, p, n);
	return d;
}

/* A request that cannot go out: a new SA is dropped, a retrying one fails; either way the SA is gone. */
static int init_start_failed(v2_ike_sa *sa, ike_time now, const char *why)
{
	if (sa->state != V2_IKE_CREATED) {
		v2_fail_local(sa, now, why);
		return -1;
	}
	v2_trace_error(sa->peer, now, sa, "initiate", why, 0);
	v2_sa_destroy(sa, now);
	return -1;
}

/* Our key pair could not be made: a retry fails the SA, a first attempt is dropped. Always -1. */
static int keygen_failed(v2_ike_sa *sa, ike_time now)
{
	const char *why = "cannot generate a key exchange value for the configured group";
	if (sa->state != V2_IKE_CREATED) {
		v2_fail(sa, now, V2_T_IKE_I_INIT_FAILED, 0, why);
		return -1;
	}
	v2_trace_error(sa->peer, now, sa, "initiate", why, 0);
	v2_sa_destroy(sa, now);
	return -1;
}

static int init_i_keyed(ike_job *j, ike_time now, bool late)
{
	(void)late; /* sending the request sets the SA's deadlines */
	v2_ike_sa *sa = j->owner;
	v2_job_detach(sa);
	if (j->rc != 0 || !j->dh)
		return keygen_failed(sa, now);
	sa->dh = j->dh;
	j->dh = NULL;
	return v2_init_start(sa, now);
}

/* Our key pair is a crypto job (ike.h): the request goes out when it is made, at once without a host pool. */
static int init_i_keygen(v2_ike_sa *sa, ike_time now)
{
	ike_peer *p = sa->peer;
	ike_job *j = ike_job_dh(p, sa, sa->ke_group, &p->rng, NULL, NULL, 0, init_i_keyed);
	if (!j)
		return keygen_failed(sa, now);
	v2_charge(p, IKE_CHARGE_DH_KEYGEN, sa->ke_group, 0);
	v2_job_attach(sa, j);
	return ike_job_go(j, now, 0);
}

int v2_init_start(v2_ike_sa *sa, ike_time now)
{
	const ike_conn_cfg *c = sa->conn;
	if (!sa->ke_group)
		sa->ke_group = c->ike.n && c->ike.p[0].n_dh ? c->ike.p[0].dh[0].id : 0;
	if (!sa->ni) {
		sa->ni = malloc(V2_NONCE_LEN);
		if (!sa->ni)
			return init_start_failed(sa, now, "out of memory for our nonce");
		sa->ni_len = V2_NONCE_LEN;
		ike_drbg_bytes(&sa->peer->rng, sa->ni, V2_NONCE_LEN);
	}
	if (!sa->dh)
		return init_i_keygen(sa, now);
	uint8_t buf[V2_MAX_MSG], pub[1024];
	size_t pub_len = ike_dh_public_len(sa->ke_group);
	if (pub_len > sizeof(pub) || ike_dh_public(sa->dh, pub, sizeof(pub)) != 0)
		return keygen_failed(sa, now);
	v2_header h;
	v2_header_for(sa, V2_IKE_SA_INIT, false, 0, &h);
	v2_builder b;
	v2_sa prop;
	v2_sa_from_config(&c->ike, IKE_PROTO_IKE, NULL, 0, false, &prop);
	v2_begin(&b, buf, sizeof(buf), &h);
	if (sa->cookie)
		v2_add_notify(&b, 0, NULL, 0, V2_N_COOKIE, sa->cookie, sa->cookie_len);
	v2_add_sa(&b, &prop);
	v2_add_ke(&b, sa->ke_group, pub, pub_len);
	v2_add_nonce(&b, sa->ni, sa->ni_len);
	v2_add_natd(sa, &b, 0);
	if (v2_frag_announce(c))
		v2_frag_add_supported(&b); /* RFC 7383 2.3 */
	v2_sig_add_init(sa, &b, false);
	size_t len = v2_finish(&b, 0);
	if (!len)
		return init_start_failed(sa, now, "our IKE_SA_INIT request does not fit in a message");
	free(sa->init_i);
	sa->init_i = dup_bytes(buf, len);
	sa->init_i_len = sa->init_i ? (uint16_t)len : 0;
	if (!sa->init_i) /* AUTH signs this message later: without our copy the SA could never authenticate */
		return init_start_failed(sa, now, "out of memory keeping our IKE_SA_INIT request");
	if (sa->state == V2_IKE_CREATED)
		v2_ike_go(sa, now, V2_T_IKE_I_START, NULL);
	if (v2_send_plain(sa, now, buf, len, false) != 0)
		return init_start_failed(sa, now, "out of memory keeping our IKE_SA_INIT request");
	return 0;
}

static bool group_configured(const ike_conn_cfg *c, uint16_t group)
{
	for (uint8_t i = 0; i < c->ike.n; i++)
		for (uint8_t j = 0; j < c->ike.p[i].n_dh; j++)
			if (c->ike.p[i].dh[j].id == group)
				return true;
	return false;
}

/* COOKIE or INVALID_KE_PAYLOAD: start IKE_SA_INIT over as asked. Returns true if handled. */
static bool init_i_retry(v2_ike_sa *sa, ike_time now, const v2_inbound *in)
{
	const v2_payload *ck = v2_chain_find_notify(&in->outer, V2_N_COOKIE);
	const v2_payload *ike = v2_chain_find_notify(&in->outer, V2_N_INVALID_KE_PAYLOAD);
	if (!ck && !ike)
		return false;
	v2_notify n;
	const v2_payload *pl = ck ? ck : ike;
	const char *why = NULL;
	if (v2_parse_notify(pl->body, pl->len, &n) != V2_OK)
		why = "malformed COOKIE/INVALID_KE_PAYLOAD notify";
	else if (++sa->restarts > V2_MAX_RESTARTS)
		why = "too many IKE_SA_INIT restarts";
	if (!why && ck) {
		if (n.len < 1 || n.len > 64)
			why = "COOKIE of invalid length";
		else {
			free(sa->cookie);
			sa->cookie = dup_bytes(n.data, n.len);
			sa->cookie_len = (uint16_t)n.len;
		}
	} else if (!why) {
		uint16_t g = n.len == 2 ? ike_get_u16(n.data) : 0;
		if (!g || g == sa->ke_group || !group_configured(sa->conn, g))
			why = "INVALID_KE_PAYLOAD asks for a group we did not propose";
		else {
			sa->ke_group = g;
			ike_dh_free(sa->dh);
			sa->dh = NULL;
		}
	}
	if (why) {
		v2_fail(sa, now, V2_T_IKE_I_INIT_FAILED, ck ? V2_N_COOKIE : V2_N_INVALID_KE_PAYLOAD, why);
		return true;
	}
	v2_ike_go(sa, now, V2_T_IKE_I_RETRY, ck ? "responder demands a COOKIE: retry with it"
						: "responder wants another DH group: retry with it");
	sa->init_err = 0; /* a new request: earlier error notifies answered the old one */
	free(sa->req);
	sa->req = NULL;
	/* On failure the SA is already gone (failed with a why); there is nothing more to do here. */
	(void)v2_init_start(sa, now);
	return true;
}

/*
 * RFC 7296 2.21.1: an error notify in IKE_SA_INIT is unauthenticated, so one alone must not end the
 * attempt. We keep the request outstanding and give up only when the answer to a retransmission is an
 * error again, or when the retransmissions run out (v2_init_i_gave_up).
 */
static void init_i_error(v2_ike_sa *sa, ike_time now, uint16_t err)
{
	if (sa->init_err && sa->retries > sa->init_err_try) {
		v2_fail(sa, now, V2_T_IKE_I_INIT_FAILED, err,
			"responder answered IKE_SA_INIT with an error notify, again after a retransmission");
		return;
	}
	if (!sa->init_err) {
		sa->init_err = err;
		sa->init_err_try = sa->retries;
	}
	v2_trace_error(sa->peer, now, sa, "IKE_SA_INIT error notify",
		       "unprotected and possibly forged: keep waiting for a valid response (RFC 7296 2.21.1)", err);
}

bool v2_init_i_gave_up(v2_ike_sa *sa, ike_time now)
{
	if (!sa->init_err || sa->req_exchange != V2_IKE_SA_INIT || sa->state != V2_IKE_CONNECTING)
		return false;
	char why[128];
	snprintf(why, sizeof(why), "no valid IKE_SA_INIT response after %u retransmissions, only an unprotected error notify",
		 sa->retries);
	ike_conn_rec *r = v2_rec(sa);
	v2_fail(sa, now, V2_T_IKE_TIMEOUT, sa->init_err, why);
	if (r)
		r->timed_out = true;
	return true;
}

/* g^ir is known (the crypto job is back): keys, then IKE_AUTH. The response is re-read from our copy. */
static int init_i_derived(ike_job *j, ike_time now, bool late)
{
	v2_ike_sa *sa = j->owner;
	ike_peer *p = sa->peer;
	uint64_t spi = v2_our_spi(sa);
	v2_job_detach(sa);
	v2_header h;
	v2_chain outer;
	if (j->rc != 0 || v2_derive_ike_keys(sa, now, j->secret, j->secret_len) != 0 ||
	    v2_reparse(sa->init_r, sa->init_r_len, &h, &outer) != 0) {
		v2_fail(sa, now, V2_T_IKE_I_INIT_FAILED, V2_N_INVALID_SYNTAX, "key exchange failed (RFC 6989 checks)");
		return V2_H_GONE;
	}
	v2_natd_check(sa, now, &outer, sa->spi_r);
	v2_sig_read_init(sa, &outer);
	v2_frag_negotiate(sa, &outer);
	ike_conn_rec *r = v2_rec(sa);
	r->ike_algs = sa->algs;
	r->ike_selected = true;
	v2_trace_selected(sa, now, "ike", &sa->algs);
	v2_request_done(sa, now);
	v2_natt_float(sa, now); /* RFC 7296 2.23: IKE_AUTH goes from the NAT-T ports */
	v2_auth_i_send(sa, now);
	if (late && v2_sa_alive(p, spi, sa)) /* what v2_input does after a handler */
		v2_settle(sa, now);
	return V2_H_OK;
}

int v2_init_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	if (init_i_retry(sa, now, in)) /* the SA may have failed meanwhile: the completion step checks */
		return V2_H_OK;
	uint16_t err = v2_chain_first_error(&in->outer);
	if (err) {
		init_i_error(sa, now, err);
		return V2_H_OK;
	}
	const v2_payload *psa = v2_chain_find(&in->outer, V2_PL_SA), *pke = v2_chain_find(&in->outer, V2_PL_KE),
			 *pno = v2_chain_find(&in->outer, V2_PL_NONCE);
	v2_sa chosen_buf, *chosen = &chosen_buf;
	v2_ke ke;
	const v2_proposal *prop;
	const char *why = NULL;
	char whybuf[320];
	uint16_t notify = V2_N_INVALID_SYNTAX;
	if (!psa || !pke || !pno || v2_parse_sa(psa->body, psa->len, chosen) != V2_OK ||
	    v2_parse_ke(pke->body, pke->len, &ke) != V2_OK || v2_parse_nonce(pno->body, pno->len) != V2_OK ||
	    in->hdr.spi_r == 0)
		why = "IKE_SA_INIT response lacks a valid SA, KE, Nonce or SPIr";
	else if (v2_accept_choice(&sa->conn->ike, chosen, IKE_PROTO_IKE, false, &sa->algs, &prop) != 0) {
		why = v2_accept_refusal(&sa->conn->ike, chosen, IKE_PROTO_IKE, false, whybuf, sizeof(whybuf));
		notify = V2_N_NO_PROPOSAL_CHOSEN;
	} else if (ke.group != sa->algs.dh || ke.group != sa->ke_group)
		why = "responder's KE group differs from the chosen one";
	if (why) {
		v2_fail(sa, now, V2_T_IKE_I_INIT_FAILED, notify, why);
		return V2_H_GONE;
	}
	sa->nr = dup_bytes(pno->body, pno->len);
	sa->nr_len = pno->len;
	sa->init_r = dup_bytes(in->raw, in->hdr.length);
	sa->init_r_len = (uint16_t)in->hdr.length;
	v2_sa_set_spi_r(sa, in->hdr.spi_r);
	ike_job *j = sa->nr && sa->init_r ? ike_job_dh(sa->peer, sa, ke.group, NULL, sa->dh, ke.data, ke.len, init_i_derived)
					 : NULL;
	if (!j) {
		v2_fail(sa, now, V2_T_IKE_I_INIT_FAILED, V2_N_INVALID_SYNTAX, "out of memory for the key exchange");
		return V2_H_GONE;
	}
	sa->dh = NULL; /* the job holds our key pair now and frees it */
	v2_charge(sa->peer, IKE_CHARGE_DH_DERIVE, ke.group, 0);
	v2_job_attach(sa, j);
	return ike_job_go(j, now, V2_H_OK);
}
