/*
 * IKE_SA_INIT, responder side (RFC 7296 1.2, 2.6, 2.10): connection and proposal choice, the limits of
 * strongSwan's overload knobs, our KE as a crypto job (ike.h), and the response once g^ir is known.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/dh.h"
#include "ikev2/sa.h"
#include "peer/job.h"

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	if (d && n)
		memcpy(d, p, n);
	return d;
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

/* Our key pair and g^ir are known (the crypto job is back): keys, then the response. The request is re-read
 * from our copy of it; a peer value that failed RFC 6989's checks is refused as the request would have been. */
static int init_r_keyed(ike_job *j, ike_time now, bool late)
{
	(void)late; /* the response sets the SA's half-open deadline */
	v2_ike_sa *sa = j->owner;
	ike_peer *p = sa->peer;
	v2_job_detach(sa);
	sa->dh = j->dh;
	j->dh = NULL;
	v2_inbound in_buf, *in = &in_buf;
	memset(in, 0, offsetof(v2_inbound, plain));
	in->raw = sa->init_i;
	in->raw_len = in->hdr.length = sa->init_i_len;
	in->from = &sa->init_from;
	in->to = &sa->resp_from;
	in->outer_ok = in->rx_traced = true;
	if (!sa->dh || v2_reparse(sa->init_i, sa->init_i_len, &in->hdr, &in->outer) != 0) {
		v2_sa_destroy(sa, now);
		return IKE_INPUT_DROPPED;
	}
	int ci = sa->conn_idx;
	if (j->rc != 0 || v2_derive_ike_keys(sa, now, j->secret, j->secret_len) != 0) {
		v2_init_r_refuse(p, now, in, ci, V2_N_INVALID_SYNTAX, NULL, 0, "peer's KE value failed RFC 6989 checks");
		v2_sa_destroy(sa, now);
		return IKE_INPUT_REFUSED;
	}
	v2_natd_check(sa, now, &in->outer, 0); /* the request's hashes were made with SPIr = 0 */
	v2_sig_read_init(sa, &in->outer);
	v2_frag_negotiate(sa, &in->outer);
	p->rec[ci].ike_algs = sa->algs;
	p->rec[ci].ike_selected = true;
	v2_trace_selected(sa, now, "ike", &sa->algs);
	if (init_r_respond(sa, now, (uint8_t)j->aux) != 0) {
		v2_sa_destroy(sa, now);
		return IKE_INPUT_DROPPED;
	}
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	return IKE_INPUT_PROCESSED;
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
	ike_job *j = sa->ni && sa->nr && sa->init_i ? ike_job_dh(p, sa, algs.dh, &p->rng, NULL, ke.data, ke.len, init_r_keyed)
						  : NULL;
	if (!j) {
		v2_sa_destroy(sa, now);
		return IKE_INPUT_DROPPED;
	}
	v2_charge(p, IKE_CHARGE_DH_KEYGEN, algs.dh, 0);
	ike_drbg_bytes(&p->rng, sa->nr, V2_NONCE_LEN);
	v2_charge(p, IKE_CHARGE_DH_DERIVE, algs.dh, 0);
	j->aux = num;
	v2_job_attach(sa, j);
	return (enum ike_input_result)ike_job_go(j, now, IKE_INPUT_PROCESSED);
}
