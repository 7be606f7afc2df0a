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

#define V2_MAX_RESTARTS 5

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	if (d && n)
		memcpy(d, p, n);
	return d;
}

static int make_ke(v2_ike_sa *sa, uint16_t group, uint8_t *pub, size_t cap, size_t *len)
{
	ike_peer *p = sa->peer;
	if (!sa->dh && ike_dh_generate(p->cfg.crypto, group, &p->rng, &sa->dh) != 0)
		return -1;
	v2_charge(p, IKE_CHARGE_DH_KEYGEN, group, 0);
	*len = ike_dh_public_len(group);
	return *len <= cap ? ike_dh_public(sa->dh, pub, cap) : -1;
}

/* g^ir from the peer's KE, then the key pair is dropped: no idle OpenSSL objects per SA. */
static int finish_dh(v2_ike_sa *sa, ike_time now, const v2_ke *ke)
{
	uint8_t gir[1024];
	size_t n = ike_dh_secret_len(ke->group);
	int rc = n && n <= sizeof(gir) ? ike_dh_derive(sa->peer->cfg.crypto, sa->dh, ke->data, ke->len, gir, sizeof(gir))
				       : -1;
	v2_charge(sa->peer, IKE_CHARGE_DH_DERIVE, ke->group, 0);
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	if (rc == 0)
		rc = v2_derive_ike_keys(sa, now, gir, n);
	OPENSSL_cleanse(gir, sizeof(gir));
	return rc;
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
	uint8_t buf[V2_MAX_MSG], pub[1024];
	size_t pub_len = 0;
	if (make_ke(sa, sa->ke_group, pub, sizeof(pub), &pub_len) != 0) {
		const char *why = "cannot generate a key exchange value for the configured group";
		if (sa->state != V2_IKE_CREATED) {
			v2_fail(sa, now, V2_T_IKE_I_INIT_FAILED, 0, why);
			return -1;
		}
		v2_trace_error(sa->peer, now, sa, "initiate", why, 0);
		v2_sa_destroy(sa, now);
		return -1;
	}
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
	if (!sa->nr || !sa->init_r || finish_dh(sa, now, &ke) != 0) {
		v2_fail(sa, now, V2_T_IKE_I_INIT_FAILED, V2_N_INVALID_SYNTAX, "key exchange failed (RFC 6989 checks)");
		return V2_H_GONE;
	}
	v2_natd_check(sa, now, &in->outer, sa->spi_r);
	v2_sig_read_init(sa, &in->outer);
	v2_frag_negotiate(sa, &in->outer);
	ike_conn_rec *r = v2_rec(sa);
	r->ike_algs = sa->algs;
	r->ike_selected = true;
	v2_trace_selected(sa, now, "ike", &sa->algs);
	v2_request_done(sa, now);
	v2_natt_float(sa, now); /* RFC 7296 2.23: IKE_AUTH goes from the NAT-T ports */
	v2_auth_i_send(sa, now);
	return V2_H_OK;
}

/* Responder: the first configured connection whose addresses fit the datagram's. */
static int find_conn(const ike_peer *p, const ike_addr *local, const ike_addr *remote)
{
	static const uint8_t zero[16];
	for (size_t i = 0; i < p->cfg.n_conns; i++) {
		const ike_conn_cfg *c = &p->cfg.conns[i];
		size_t ll = c->local.family == 4 ? 4 : 16, rl = c->remote.family == 4 ? 4 : 16;
		bool lok = !c->local.family || !memcmp(c->local.ip, zero, ll) || /* 0.0.0.0: a population's template */
			   (c->local.family == local->family && !memcmp(c->local.ip, local->ip, ll));
		bool rok = !c->remote.family || !memcmp(c->remote.ip, zero, rl) ||
			   (c->remote.family == remote->family && !memcmp(c->remote.ip, remote->ip, rl));
		if (c->version == 2 && lok && rok)
			return (int)i;
	}
	return -1;
}

void v2_init_r_refuse(ike_peer *p, ike_time now, const v2_inbound *in, int conn, uint16_t notify,
		      const uint8_t *data, size_t len, const char *why)
{
	uint8_t buf[128];
	v2_header h = { .spi_i = in->hdr.spi_i, .major = 2, .exchange = V2_IKE_SA_INIT, .flags = V2_F_RESPONSE };
	v2_builder b;
	v2_begin(&b, buf, sizeof(buf), &h);
	v2_add_notify(&b, 0, NULL, 0, notify, data, len);
	size_t n = v2_finish(&b, 0);
	if (conn >= 0 && notify != V2_N_INVALID_KE_PAYLOAD)
		p->rec[conn].last_error = notify;
	bool detail = in->rx_traced || v2_refusal_trace(p, now, notify == V2_N_COOKIE ? V2_REF_COOKIE : V2_REF_REFUSED);
	if (detail && !in->rx_traced && in->outer_ok)
		v2_trace_msg(p, now, "ike.rx", &in->hdr, &in->outer, NULL, in->raw_len, in->from, in->to);
	if (detail)
		v2_trace_error(p, now, NULL, "IKE_SA_INIT refused", why, notify);
	if (!n)
		return;
	if (detail && v2_tracing(p)) {
		v2_header hh;
		v2_chain ch;
		uint8_t bad;
		if (v2_parse_header(buf, n, &hh) == V2_OK &&
		    v2_parse_chain(hh.next_payload, buf + V2_HDR_LEN, n - V2_HDR_LEN, V2_HDR_LEN, &ch, &bad) == V2_OK)
			v2_trace_msg(p, now, "ike.tx", &hh, &ch, NULL, n, in->to, in->from);
	}
	v2_send_raw(p, now, in->to, in->from, buf, n);
}

/* Builds and sends the IKE_SA_INIT response once the SA exists and keys are derived. */
/* Our IKE_SA_INIT response could not be built or kept: say so before the caller drops the SA. */
static int respond_failed(v2_ike_sa *sa, ike_time now)
{
	v2_trace_error(sa->peer, now, sa, "ike_sa failed", "could not build or keep our IKE_SA_INIT response", 0);
	return -1;
}

static int init_r_respond(v2_ike_sa *sa, ike_time now, uint8_t prop_num)
{
	uint8_t buf[V2_MAX_MSG], pub[1024];
	size_t pub_len = ike_dh_public_len(sa->algs.dh);
	if (pub_len > sizeof(pub) || ike_dh_public(sa->dh, pub, sizeof(pub)) != 0)
		return respond_failed(sa, now);
	v2_sa reply;
	v2_sa_from_algs(&sa->algs, IKE_PROTO_IKE, prop_num, NULL, 0, &reply);
	v2_header h;
	v2_header_for(sa, V2_IKE_SA_INIT, true, 0, &h);
	v2_builder b;
	v2_begin(&b, buf, sizeof(buf), &h);
	v2_add_sa(&b, &reply);
	v2_add_ke(&b, sa->algs.dh, pub, pub_len);
	v2_add_nonce(&b, sa->nr, sa->nr_len);
	v2_add_natd(sa, &b, sa->spi_r);
	if (sa->frag)
		v2_frag_add_supported(&b); /* RFC 7383 2.3: only when the initiator announced it too */
	v2_sig_add_init(sa, &b, true);
	size_t len = v2_finish(&b, 0);
	if (!len)
		return respond_failed(sa, now);
	sa->init_r = dup_bytes(buf, len);
	if (!sa->init_r) /* our AUTH signs this response: without it the SA could never authenticate */
		return respond_failed(sa, now);
	sa->init_r_len = (uint16_t)len;
	v2_ike_go(sa, now, V2_T_IKE_R_INIT, NULL);
	if (v2_send_plain(sa, now, buf, len, true) != 0)
		return respond_failed(sa, now);
	ike_time hot = sa->peer->cfg.half_open_timeout > 0 ? sa->peer->cfg.half_open_timeout : V2_HALF_OPEN_TIMEOUT;
	v2_dl_set(sa, V2_DL_HALF_OPEN, v2_time_after(now, hot));
	return 0;
}

/* strongSwan's block_threshold, init_limit_half_open and ikesa_limit: past them a request is dropped without a word.
 * Its receiver checks the first two before a job exists; ikesa_limit is the SA manager's, so a screen skips it. */
bool v2_init_r_within_limits(ike_peer *p, ike_time now, const v2_inbound *in, size_t pending, bool screen)
{
	const ike_peer_cfg *c = &p->cfg;
	char why[96];
	enum v2_refusal r;
	uint32_t n;
	if (c->block_threshold && (n = v2_ho_count(p, in->from)) >= c->block_threshold) {
		r = V2_REF_BLOCKED;
		snprintf(why, sizeof(why), "%u half-open SAs from this IP (block threshold %u)", n, c->block_threshold);
	} else if (c->half_open_limit && p->half_open + pending >= c->half_open_limit) {
		r = V2_REF_LIMIT;
		snprintf(why, sizeof(why), "%zu half-open SAs (limit %u)", p->half_open + pending, c->half_open_limit);
	} else if (!screen && c->ikesa_limit && p->nsas >= c->ikesa_limit) {
		r = V2_REF_LIMIT;
		snprintf(why, sizeof(why), "%zu IKE SAs (ikesa_limit %u)", p->nsas, c->ikesa_limit);
	} else {
		return true;
	}
	if (v2_refusal_trace(p, now, r)) {
		v2_trace_msg(p, now, "ike.rx", &in->hdr, &in->outer, NULL, in->raw_len, in->from, in->to);
		v2_trace_error(p, now, NULL, "IKE_SA_INIT dropped", why, 0);
	}
	return false;
}

enum ike_input_result v2_init_r_recv(ike_peer *p, ike_time now, v2_inbound *in)
{
	int ci = find_conn(p, in->to, in->from);
	const v2_payload *psa = v2_chain_find(&in->outer, V2_PL_SA), *pke = v2_chain_find(&in->outer, V2_PL_KE),
			 *pno = v2_chain_find(&in->outer, V2_PL_NONCE);
	v2_sa theirs_buf, *theirs = &theirs_buf;
	v2_ke ke;
	v2_algs algs;
	uint8_t num = 0;
	int ok = psa && pke && pno && v2_parse_sa(psa->body, psa->len, theirs) == V2_OK &&
		 v2_parse_ke(pke->body, pke->len, &ke) == V2_OK && v2_parse_nonce(pno->body, pno->len) == V2_OK;
	if (!ok) {
		v2_init_r_refuse(p, now, in, ci, V2_N_INVALID_SYNTAX, NULL, 0, "request lacks a valid SA, KE or Nonce");
		return IKE_INPUT_REFUSED;
	}
	/* Before any choice or DH work: under load an unproven source costs us one hash only. */
	if (!v2_cookie_admit(p, now, in, pno, 0))
		return IKE_INPUT_REFUSED; /* answered with N(COOKIE), or rate-limited */
	if (!v2_init_r_within_limits(p, now, in, 0, false))
		return IKE_INPUT_DROPPED;
	int sel = ci >= 0 ? v2_select(&p->cfg.conns[ci].ike, theirs, IKE_PROTO_IKE, ke.group, false, &algs, &num, NULL)
			  : -1;
	if (ci < 0 || sel != 0) {
		char whybuf[320];
		v2_init_r_refuse(p, now, in, ci, V2_N_NO_PROPOSAL_CHOSEN, NULL, 0,
			      ci < 0 ? "no connection configured for this peer"
				     : v2_select_refusal(&p->cfg.conns[ci].ike, theirs, IKE_PROTO_IKE, false, whybuf,
							 sizeof(whybuf)));
		return IKE_INPUT_REFUSED;
	}
	if (ke.group != algs.dh) {
		uint8_t g[2];
		ike_put_u16(g, algs.dh);
		v2_init_r_refuse(p, now, in, ci, V2_N_INVALID_KE_PAYLOAD, g, 2, "KE group is not the selected group");
		return IKE_INPUT_REFUSED;
	}
	/* Only now, with an SA to follow, is the request traced unconditionally (refusals are budgeted). */
	v2_trace_msg(p, now, "ike.rx", &in->hdr, &in->outer, NULL, in->raw_len, in->from, in->to);
	in->rx_traced = true;
	v2_ike_sa *sa = v2_sa_new(p, false, in->hdr.spi_i, v2_new_spi(p));
	if (!sa)
		return IKE_INPUT_DROPPED;
	v2_sa_set_conn(sa, (size_t)ci);
	sa->local = sa->resp_from = *in->to;
	sa->remote = sa->init_from = sa->resp_to = *in->from;
	v2_index_addr(sa);
	sa->algs = algs;
	sa->msgid_peer = 0;
	sa->ni = dup_bytes(pno->body, pno->len);
	sa->ni_len = pno->len;
	sa->nr = malloc(V2_NONCE_LEN);
	sa->nr_len = V2_NONCE_LEN;
	sa->init_i = dup_bytes(in->raw, in->hdr.length);
	sa->init_i_len = (uint16_t)in->hdr.length;
	uint8_t pub[1024];
	size_t pub_len;
	if (!sa->ni || !sa->nr || !sa->init_i || make_ke(sa, algs.dh, pub, sizeof(pub), &pub_len) != 0) {
		v2_sa_destroy(sa, now);
		return IKE_INPUT_DROPPED;
	}
	ike_drbg_bytes(&p->rng, sa->nr, V2_NONCE_LEN);
	/* Keep our key pair until the response is built, then derive. */
	ike_dh *kp = sa->dh;
	uint8_t gir[1024];
	size_t gl = ike_dh_secret_len(algs.dh);
	int rc = gl <= sizeof(gir) ? ike_dh_derive(p->cfg.crypto, kp, ke.data, ke.len, gir, sizeof(gir)) : -1;
	v2_charge(p, IKE_CHARGE_DH_DERIVE, algs.dh, 0);
	if (rc != 0 || v2_derive_ike_keys(sa, now, gir, gl) != 0) {
		OPENSSL_cleanse(gir, sizeof(gir));
		v2_init_r_refuse(p, now, in, ci, V2_N_INVALID_SYNTAX, NULL, 0, "peer's KE value failed RFC 6989 checks");
		v2_sa_destroy(sa, now);
		return IKE_INPUT_REFUSED;
	}
	OPENSSL_cleanse(gir, sizeof(gir));
	v2_natd_check(sa, now, &in->outer, 0); /* the request's hashes were made with SPIr = 0 */
	v2_sig_read_init(sa, &in->outer);
	v2_frag_negotiate(sa, &in->outer);
	p->rec[ci].ike_algs = algs;
	p->rec[ci].ike_selected = true;
	v2_trace_selected(sa, now, "ike", &algs);
	if (init_r_respond(sa, now, num) != 0) {
		v2_sa_destroy(sa, now);
		return IKE_INPUT_DROPPED;
	}
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	return IKE_INPUT_PROCESSED;
}
