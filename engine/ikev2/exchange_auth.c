/*
 * IKE_AUTH (RFC 7296 1.2, 2.15) with PSK or signatures (auth_sig.c), carrying the first CHILD SA (ESP, tunnel mode) and its
 * traffic selectors (2.9). CHILD failures (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE) leave the IKE SA up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/prf.h"
#include "crypto/sig.h"
#include "ikev2/sa.h"
#include "peer/job.h"

/* The ID payload body as it goes on the wire: type, three reserved bytes, data. */
static size_t id_body(const ike_id *id, uint8_t *out)
{
	out[0] = id->type;
	out[1] = out[2] = out[3] = 0;
	memcpy(out + 4, id->data, id->len);
	return 4u + id->len;
}

/* Once IKE_AUTH is over, nonces and IKE_SA_INIT copies are no longer needed: keep the SA lean. */
static void drop_handshake_state(v2_ike_sa *sa)
{
	free(sa->ni);
	free(sa->nr);
	free(sa->init_i);
	free(sa->init_r);
	free(sa->cookie);
	sa->ni = sa->nr = sa->init_i = sa->init_r = sa->cookie = NULL;
	sa->ni_len = sa->nr_len = sa->init_i_len = sa->init_r_len = sa->cookie_len = 0;
}

static void child_record_error(v2_ike_sa *sa, uint16_t notify)
{
	ike_conn_rec *r = v2_rec(sa);
	if (r)
		r->last_error = notify;
}

/* Once up: lifetimes armed; the initiator queues the connection's further CHILD SAs (start = START). */
static void ike_up(v2_ike_sa *sa, ike_time now)
{
	v2_ike_arm_life(sa, now);
	if (sa->initiator && sa->reauth_old_i) {
		v2_reauth_up(sa, now); /* a reauthentication re-creates the CHILD SAs the old IKE SA held */
		return;
	}
	for (size_t i = 1; sa->initiator && i < sa->conn->n_children; i++)
		if (sa->conn->children[i].start == IKE_CHILD_START_START) {
			v2_task t = { .kind = V2_TASK_CHILD_CREATE, .reason = V2_WHY_MANUAL, .child = (uint16_t)i };
			(void)v2_task_queue(sa, now, &t);
		}
}

/* A CHILD SA that could not be agreed: traced, moved to DESTROYING and dropped from the list. */
static void child_refused(v2_ike_sa *sa, v2_child_sa *c, ike_time now, const char *what, uint16_t err, const char *why)
{
	child_record_error(sa, err);
	v2_trace_error(sa->peer, now, sa, what, why, err);
	v2_child_go(sa, c, now, V2_T_CHILD_REFUSED, why);
	v2_child_free(sa, c);
}

/* The first CHILD SA's KEYMAT: from IKE_SA_INIT's nonces, no PFS (RFC 7296 2.17). */
static int first_child_keys(v2_ike_sa *sa, v2_child_sa *ch, ike_time now)
{
	ch->exch_initiator = sa->initiator; /* IKE_AUTH's CHILD SA: the IKE SA's initiator starts the exchange */
	return v2_derive_child_keys(sa, ch, now, sa->ni, sa->ni_len, sa->nr, sa->nr_len, NULL, 0);
}



/* Our AUTH payload: its method and data (a PSK MAC, or a signature a crypto job made). */
typedef struct own_auth {
	uint8_t method;
	size_t len;
	const uint8_t *data;
} own_auth;

/* Our IKE_AUTH request into inner[0..cap) with our AUTH a; a long certificate chain may need more than
 * V2_MAX_MSG (fragments). */
static void auth_i_build(v2_ike_sa *sa, ike_time now, uint8_t *inner, size_t cap, const own_auth *a)
{
	const ike_conn_cfg *c = sa->conn;
	uint8_t spi[4];
	ike_id me;
	v2_own_id(sa, &me);
	v2_child_free_all(sa);
	v2_child_sa *ch = v2_child_new(sa, 0);
	if (!ch) {
		v2_fail_local(sa, now, "out of memory for the first CHILD SA");
		return;
	}
	ch->spi_in = v2_child_new_spi(sa);
	ike_put_u32(spi, ch->spi_in);
	v2_sa prop_buf, *prop = &prop_buf;
	v2_ts_list ts_buf, *ts = &ts_buf;
	v2_builder b;
	v2_begin_chain(&b, inner, cap);
	v2_add_id(&b, V2_PL_IDI, me.type, me.data, me.len);
	v2_sig_add_certs(sa, &b);
	if (v2_ic_wanted(sa))
		v2_add_notify(&b, 0, NULL, 0, V2_N_INITIAL_CONTACT, NULL, 0);
	v2_sig_add_certreq(sa, &b); /* where charon puts it: after INITIAL_CONTACT, before IDr */
	if (c->remote_id.type)
		v2_add_id(&b, V2_PL_IDR, c->remote_id.type, c->remote_id.data, c->remote_id.len);
	v2_add_auth(&b, a->method, a->data, a->len);
	v2_sa_from_config(&c->children[0].esp, ike_child_protocol(&c->children[0]), spi, 4, true, prop);
	v2_add_sa(&b, prop);
	ike_ts own;
	uint8_t nl;
	const ike_ts *lts = v2_local_ts(sa, &c->children[0], &own, &nl);
	v2_ts_to_wire(lts, nl, ts);
	v2_add_ts(&b, V2_PL_TSI, ts);
	v2_ts_to_wire(c->children[0].remote_ts, c->children[0].n_remote_ts, ts);
	v2_add_ts(&b, V2_PL_TSR, ts);
	v2_mobike_add_auth(sa, &b);
	if (b.w.err) {
		char line[96];
		snprintf(line, sizeof(line), "IKE_AUTH request does not fit in one message (%zu bytes%s)", cap,
			 cap > V2_MAX_MSG ? ", in fragments" : "");
		v2_fail(sa, now, V2_T_IKE_I_AUTH_FAILED, 0, line);
		return;
	}
	v2_child_go(sa, ch, now, V2_T_CHILD_INSTALLING, NULL);
	(void)v2_send_request(sa, now, V2_IKE_AUTH, inner, b.w.len, b.first, "could not seal our IKE_AUTH request");
}

static void auth_i_send_with(v2_ike_sa *sa, ike_time now, const own_auth *a)
{
	size_t cap = v2_build_cap(sa, V2_IKE_AUTH);
	uint8_t *inner = malloc(cap);
	if (!inner) {
		v2_fail_local(sa, now, "out of memory for our IKE_AUTH request");
		return;
	}
	auth_i_build(sa, now, inner, cap, a);
	free(inner);
}

/* Our signature is made (the crypto job is back): the request goes out. */
static int auth_i_signed(ike_job *j, ike_time now, bool late)
{
	v2_ike_sa *sa = j->owner;
	ike_peer *p = sa->peer;
	uint64_t spi = v2_our_spi(sa);
	v2_job_detach(sa);
	if (j->rc != 0) {
		v2_fail(sa, now, V2_T_IKE_I_AUTH_FAILED, 0, "cannot sign our AUTH payload");
		return 0;
	}
	own_auth a = { j->method, j->sig_len, j->sig };
	auth_i_send_with(sa, now, &a);
	if (late && v2_sa_alive(p, spi, sa)) /* what v2_input does after a handler */
		v2_settle(sa, now);
	return 0;
}

/* The id body of our own identity, for AUTH. */
static size_t own_id_body(const v2_ike_sa *sa, uint8_t *out)
{
	ike_id me;
	v2_own_id(sa, &me);
	return id_body(&me, out);
}

void v2_auth_i_send(v2_ike_sa *sa, ike_time now)
{
	uint8_t idb[4 + IKE_ID_MAX], auth[IKE_PRF_MAX_OUT];
	size_t idlen = own_id_body(sa, idb);
	const char *why = NULL;
	if (sa->conn->auth == IKE_AUTH_PUBKEY) { /* a signature is a crypto job (ike.h), at once without a host pool */
		ike_job *j = NULL;
		if (v2_sig_job(sa, true, idb, idlen, auth_i_signed, &j, &why) != 0) {
			v2_fail(sa, now, V2_T_IKE_I_AUTH_FAILED, 0, why);
			return;
		}
		v2_job_attach(sa, j);
		(void)ike_job_go(j, now, 0);
		return;
	}
	own_auth a = { V2_AUTH_SHARED_KEY_MIC, 0, auth };
	if (v2_psk_auth(sa, true, idb, idlen, auth, &a.len) != 0) {
		v2_fail(sa, now, V2_T_IKE_I_AUTH_FAILED, 0, "cannot compute AUTH (no PSK configured?)");
		return;
	}
	auth_i_send_with(sa, now, &a);
}

static bool auth_check(const v2_ike_sa *sa, ike_time now, bool initiator_auth, const v2_chain *inner,
		       const v2_payload *pid, const v2_payload *pauth, v2_id *idp, char *why, size_t cap)
{
	v2_id id = { 0 };
	v2_auth a;
	uint8_t want[IKE_PRF_MAX_OUT];
	size_t wlen = 0;
	const ike_id *expect = &sa->conn->remote_id;
	const char *w = NULL;
	if (!pid || !pauth || v2_parse_id(pid->body, pid->len, &id) != V2_OK ||
	    v2_parse_auth(pauth->body, pauth->len, &a) != V2_OK)
		w = "missing or malformed ID or AUTH payload";
	else if (!ike_id_matches(expect, id.type, id.data, id.len)) {
		/* say what came and what was wanted: a student cannot see inside the encrypted IDi/IDr */
		ike_id got = { .type = id.type, .len = (uint16_t)(id.len < IKE_ID_MAX ? id.len : IKE_ID_MAX) };
		memcpy(got.data, id.data, got.len);
		char g[128], c[128];
		ike_id_format(&got, g, sizeof(g));
		ike_id_format(expect, c, sizeof(c));
		snprintf(why, cap, "peer's identity does not match the configured remote ID (received %.38s, configured %.38s)",
			 g, c);
		*idp = id;
		return false;
	}
	else if (sa->conn->auth == IKE_AUTH_PUBKEY) {
		*idp = id;
		return v2_sig_verify(sa, now, initiator_auth, inner, pid, &id, &a, why, cap);
	}
	else if (a.method != V2_AUTH_SHARED_KEY_MIC)
		w = "peer used an authentication method other than PSK";
	else if (v2_psk_auth(sa, initiator_auth, pid->body, pid->len, want, &wlen) != 0 || a.len != wlen ||
		 !ike_ct_equal(a.data, want, wlen))
		w = "AUTH payload does not verify (wrong pre-shared key?)";
	if (w)
		snprintf(why, cap, "%s", w);
	*idp = id;
	return !w;
}

/* The peer's ID and AUTH checked; on success its ID is kept for INITIAL_CONTACT (initial_contact.c). */
static bool auth_ok(v2_ike_sa *sa, ike_time now, bool initiator_auth, const v2_chain *inner, const v2_payload *pid,
		    const v2_payload *pauth, char *why, size_t cap)
{
	v2_id id = { 0 };
	if (!auth_check(sa, now, initiator_auth, inner, pid, pauth, &id, why, cap))
		return false;
	/* out of memory: the SA just cannot tell later whether another one is from the same peer */
	(void)v2_ic_remember(sa, id.type, id.data, id.len);
	return true;
}

/* The CHILD SA payloads of an IKE_AUTH message, decoded. */
typedef struct child_payloads {
	v2_sa sa;
	v2_ts_list tsi, tsr;
} child_payloads;

/*
 * RFC 7296 1.2 makes SA, TSi and TSr part of every IKE_AUTH message; only RFC 6023 (childless IKE SAs,
 * which we never announce) lets them all go. A missing or undecodable one makes the message malformed:
 * INVALID_SYNTAX, not TS_UNACCEPTABLE, which is a policy answer to selectors that were read (2.9).
 */
static const char *child_payloads_read(const v2_chain *ch, child_payloads *out)
{
	const v2_payload *psa = v2_chain_find(ch, V2_PL_SA), *pti = v2_chain_find(ch, V2_PL_TSI),
			 *ptr = v2_chain_find(ch, V2_PL_TSR);
	if (!psa && !pti && !ptr)
		return "IKE_AUTH without SA, TSi and TSr, but childless IKE SAs (RFC 6023) were not negotiated";
	if (!psa || !pti || !ptr)
		return "IKE_AUTH lacks one of SA, TSi and TSr (RFC 7296 1.2)";
	if (v2_parse_sa(psa->body, psa->len, &out->sa) != V2_OK || v2_parse_ts(pti->body, pti->len, &out->tsi) != V2_OK ||
	    v2_parse_ts(ptr->body, ptr->len, &out->tsr) != V2_OK)
		return "malformed SA or traffic selectors in IKE_AUTH";
	return NULL;
}

/* RFC 7296 2.21.2: a malformed IKE_AUTH request is refused whole with INVALID_SYNTAX, before AUTH is checked. */
static const char *auth_request_syntax(const v2_chain *ch, child_payloads *out)
{
	const v2_payload *pid = v2_chain_find(ch, V2_PL_IDI), *pauth = v2_chain_find(ch, V2_PL_AUTH);
	v2_id id;
	v2_auth a;
	if (!pid || v2_parse_id(pid->body, pid->len, &id) != V2_OK)
		return "IKE_AUTH request without a valid IDi";
	if (!pauth || v2_parse_auth(pauth->body, pauth->len, &a) != V2_OK)
		return "IKE_AUTH request without a valid AUTH";
	return child_payloads_read(ch, out);
}

/* Responder side of the CHILD SA: pick ESP in our order, narrow TS; adds SA/TSi/TSr or an error notify. */
static void child_r(v2_ike_sa *sa, ike_time now, child_payloads *cp, v2_builder *b)
{
	const ike_child_cfg *cc = &sa->conn->children[0];
	v2_child_sa *ch = v2_child_new(sa, 0);
	if (!ch) {
		v2_add_notify(b, 0, NULL, 0, V2_N_NO_ADDITIONAL_SAS, NULL, 0);
		v2_trace_error(sa->peer, now, sa, "child_sa refused", "out of memory for a CHILD SA", V2_N_NO_ADDITIONAL_SAS);
		return;
	}
	v2_child_go(sa, ch, now, V2_T_CHILD_INSTALLING, NULL);
	v2_sa *theirs = &cp->sa;
	v2_ts_list *tsi = &cp->tsi, *tsr = &cp->tsr;
	const v2_proposal *chosen = NULL;
	uint8_t num = 0;
	uint16_t err = 0;
	const char *why = NULL;
	char whybuf[320];
	ike_ts ti[IKE_TS_MAX + 1], tr[IKE_TS_MAX + 1];
	size_t ni = 0, nr = 0;
	if (v2_select(&cc->esp, theirs, ike_child_protocol(cc), 0, true, &ch->algs, &num, &chosen) != 0 || chosen->spi_size != 4) {
		err = V2_N_NO_PROPOSAL_CHOSEN;
		why = chosen ? "the chosen ESP proposal has no 4-byte SPI"
			     : v2_select_refusal(&cc->esp, theirs, ike_child_protocol(cc), true, whybuf, sizeof(whybuf));
	} else {
		ni = v2_ts_narrow(tsi, cc->remote_ts, cc->n_remote_ts, ti, IKE_TS_MAX + 1);
		ike_ts own;
		uint8_t nl;
		const ike_ts *lts = v2_local_ts(sa, cc, &own, &nl);
		nr = v2_ts_narrow(tsr, lts, nl, tr, IKE_TS_MAX + 1);
		if (!ni || !nr) {
			err = V2_N_TS_UNACCEPTABLE;
			why = v2_ts_refusal(tsi, tsr, whybuf, sizeof(whybuf));
		} else if (ni > IKE_TS_MAX || nr > IKE_TS_MAX) {
			err = V2_N_TS_UNACCEPTABLE;
			why = "narrowing gives more than " V2_STR(IKE_TS_MAX) " traffic selectors on a side (our limit)";
		}
	}
	if (!err) {
		ch->spi_out = ike_get_u32(chosen->spi);
		ch->spi_in = v2_child_new_spi(sa);
		if (v2_child_set_ts(ch, ti, ni, tr, nr) != 0 || first_child_keys(sa, ch, now) != 0) {
			err = V2_N_NO_PROPOSAL_CHOSEN;
			why = "cannot derive CHILD SA keys";
		}
	}
	if (err) {
		v2_add_notify(b, 0, NULL, 0, err, NULL, 0);
		child_refused(sa, ch, now, "child_sa refused", err, why);
		return;
	}
	uint8_t spi[4];
	v2_sa reply;
	ike_put_u32(spi, ch->spi_in);
	v2_sa_from_algs(&ch->algs, ike_child_protocol(cc), num, spi, 4, &reply);
	v2_add_sa(b, &reply);
	v2_ts_to_wire(ch->ts, ch->n_ts_i, tsi);
	v2_add_ts(b, V2_PL_TSI, tsi);
	v2_ts_to_wire(ch->ts + ch->n_ts_i, ch->n_ts_r, tsr);
	v2_add_ts(b, V2_PL_TSR, tsr);
	v2_child_up(sa, ch, now, V2_T_CHILD_INSTALLED);
}

/* Answers the peer's IKE_AUTH request, building the response in inner[0..cap). */
/* The rest of the responder's IKE_AUTH once our AUTH a is known: the IKE SA is up, the CHILD SA answered. */
static int auth_r_finish(v2_ike_sa *sa, ike_time now, const v2_chain *req, uint32_t msgid, const own_auth *a)
{
	char why[160];
	child_payloads cp_buf, *cp = &cp_buf;
	const char *bad = auth_request_syntax(req, cp); /* checked before: this only fills cp */
	size_t cap = v2_build_cap(sa, V2_IKE_AUTH);
	uint8_t *inner = bad ? NULL : malloc(cap);
	if (!inner) {
		v2_fail_local(sa, now, bad ? bad : "out of memory for our IKE_AUTH response");
		return V2_H_GONE;
	}
	ike_id me;
	v2_own_id(sa, &me);
	v2_dl_set(sa, V2_DL_HALF_OPEN, IKE_TIME_NEVER);
	v2_mobike_read_auth(sa, req);
	v2_ike_go(sa, now, V2_T_IKE_R_AUTH_OK, NULL);
	v2_sa_event(sa, now, IKE_EV_IKE_UP, 0, NULL);
	ike_up(sa, now);
	if (v2_chain_find_notify(req, V2_N_INITIAL_CONTACT))
		v2_ic_received(sa, now);
	v2_builder b;
	v2_begin_chain(&b, inner, cap);
	v2_add_id(&b, V2_PL_IDR, me.type, me.data, me.len);
	v2_sig_add_certs(sa, &b);
	v2_add_auth(&b, a->method, a->data, a->len);
	child_r(sa, now, cp, &b);
	v2_mobike_add_auth(sa, &b);
	drop_handshake_state(sa);
	int rc = V2_H_OK;
	/* Certificates can overflow the builder: a truncated chain must not be sealed and sent. */
	if (b.w.err) {
		snprintf(why, sizeof(why), "our IKE_AUTH response does not fit in one message (%zu bytes%s)", cap,
			 cap > V2_MAX_MSG ? ", in fragments" : "");
		v2_fail_local(sa, now, why);
		rc = V2_H_GONE;
	} else if (v2_send_sk(sa, now, V2_IKE_AUTH, true, msgid, inner, b.w.len, b.first) != 0) {
		v2_fail_local(sa, now, "could not seal our IKE_AUTH response");
		rc = V2_H_GONE;
	}
	free(inner);
	return rc;
}

/* Our signature is made (the crypto job is back): the request kept in the job is read again and answered. */
static int auth_r_signed(ike_job *j, ike_time now, bool late)
{
	v2_ike_sa *sa = j->owner;
	ike_peer *p = sa->peer;
	uint64_t spi = v2_our_spi(sa);
	v2_job_detach(sa);
	v2_chain req;
	uint8_t bad = 0;
	if (j->rc != 0 || v2_parse_chain(j->ctx_len ? j->ctx[0] : 0, j->ctx + 1, j->ctx_len ? j->ctx_len - 1 : 0, 0, &req,
					 &bad) != V2_OK) {
		v2_fail(sa, now, V2_T_IKE_R_AUTH_FAILED, 0, "cannot sign our AUTH payload");
		return V2_H_GONE;
	}
	own_auth a = { j->method, j->sig_len, j->sig };
	int rc = auth_r_finish(sa, now, &req, j->aux, &a);
	if (late && rc != V2_H_GONE && v2_sa_alive(p, spi, sa)) /* what v2_input does after a handler */
		v2_settle(sa, now);
	return rc;
}

/* The decrypted request's payloads, for the resume of a signing job: first type, then the bytes. */
static int keep_request(ike_job *j, const v2_inbound *in)
{
	const v2_chain *c = &in->inner;
	const uint8_t *from = c->n ? c->pl[0].body - 4 : NULL, *to = c->n ? c->pl[c->n - 1].body + c->pl[c->n - 1].len : NULL;
	size_t n = c->n ? (size_t)(to - from) : 0;
	if (!(j->ctx = malloc(n + 1)))
		return -1;
	j->ctx[0] = c->n ? c->pl[0].type : 0;
	if (n)
		memcpy(j->ctx + 1, from, n);
	j->ctx_len = n + 1;
	j->aux = in->hdr.msg_id;
	return 0;
}

static int auth_r(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	char why[160];
	child_payloads cp_buf, *cp = &cp_buf;
	const char *bad = auth_request_syntax(&in->inner, cp);
	if (bad) {
		v2_refuse_fatal(sa, now, in, V2_N_INVALID_SYNTAX, NULL, 0, bad);
		return V2_H_GONE;
	}
	if (!auth_ok(sa, now, true, &in->inner, v2_chain_find(&in->inner, V2_PL_IDI), v2_chain_find(&in->inner, V2_PL_AUTH),
		     why, sizeof(why))) {
		uint8_t inner[64];
		v2_builder b;
		v2_begin_chain(&b, inner, sizeof(inner));
		v2_add_notify(&b, 0, NULL, 0, V2_N_AUTHENTICATION_FAILED, NULL, 0);
		/* The SA fails next either way; a failed answer has already traced its own error. */
		(void)v2_send_sk(sa, now, V2_IKE_AUTH, true, in->hdr.msg_id, inner, b.w.len, b.first);
		v2_fail(sa, now, V2_T_IKE_R_AUTH_FAILED, V2_N_AUTHENTICATION_FAILED, why);
		return V2_H_GONE;
	}
	uint8_t idb[4 + IKE_ID_MAX], auth[IKE_PRF_MAX_OUT];
	size_t idlen = own_id_body(sa, idb);
	if (sa->conn->auth == IKE_AUTH_PUBKEY) { /* a signature is a crypto job (ike.h), at once without a host pool */
		ike_job *j = NULL;
		const char *w = NULL;
		if (v2_sig_job(sa, false, idb, idlen, auth_r_signed, &j, &w) != 0) {
			v2_fail(sa, now, V2_T_IKE_R_AUTH_FAILED, 0, w);
			return V2_H_GONE;
		}
		if (keep_request(j, in) != 0) {
			ike_job_free(j);
			v2_fail_local(sa, now, "out of memory keeping the IKE_AUTH request");
			return V2_H_GONE;
		}
		v2_job_attach(sa, j);
		return ike_job_go(j, now, V2_H_OK);
	}
	own_auth a = { V2_AUTH_SHARED_KEY_MIC, 0, auth };
	if (v2_psk_auth(sa, false, idb, idlen, auth, &a.len) != 0) {
		v2_fail(sa, now, V2_T_IKE_R_AUTH_FAILED, 0, "cannot compute our AUTH");
		return V2_H_GONE;
	}
	return auth_r_finish(sa, now, &in->inner, in->hdr.msg_id, &a);
}

int v2_auth_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in) { return auth_r(sa, now, in); }

/* Initiator side of the CHILD SA: the answer must be one of our proposals and within our selectors. */
static void child_i(v2_ike_sa *sa, ike_time now, const v2_inbound *in, child_payloads *cp)
{
	const ike_child_cfg *cc = &sa->conn->children[0];
	v2_child_sa *ch = sa->children;
	ike_ts own;
	uint8_t nl = 0;
	const ike_ts *lts = v2_local_ts(sa, cc, &own, &nl);
	if (!ch)
		return;
	uint16_t err = v2_chain_first_error(&in->inner);
	const char *why = err ? "responder refused the CHILD SA" : NULL;
	char whybuf[320];
	const v2_proposal *prop = NULL;
	ike_ts ti[IKE_TS_MAX], tr[IKE_TS_MAX];
	size_t ni = 0, nr = 0;
	if (!err && (v2_accept_choice(&cc->esp, &cp->sa, ike_child_protocol(cc), true, &ch->algs, &prop) != 0 ||
		     prop->spi_size != 4)) {
		err = V2_N_NO_PROPOSAL_CHOSEN;
		why = prop ? "the chosen ESP proposal has no 4-byte SPI"
			   : v2_accept_refusal(&cc->esp, &cp->sa, ike_child_protocol(cc), true, whybuf, sizeof(whybuf));
	} else if (!err && (!v2_ts_within(&cp->tsi, lts, nl, ti, IKE_TS_MAX, &ni) ||
			    !v2_ts_within(&cp->tsr, cc->remote_ts, cc->n_remote_ts, tr, IKE_TS_MAX, &nr))) {
		err = V2_N_TS_UNACCEPTABLE;
		why = "responder's traffic selectors are not within ours";
	}
	if (!err) {
		ch->spi_out = ike_get_u32(prop->spi);
		if (v2_child_set_ts(ch, ti, ni, tr, nr) != 0 || first_child_keys(sa, ch, now) != 0) {
			err = V2_N_NO_PROPOSAL_CHOSEN;
			why = "cannot derive CHILD SA keys";
		}
	}
	if (err) {
		child_refused(sa, ch, now, "child_sa failed", err, why);
		return;
	}
	v2_child_up(sa, ch, now, V2_T_CHILD_INSTALLED);
}

/*
 * An error in the IKE_AUTH response (AUTH did not verify, the message is malformed): say so in an
 * INFORMATIONAL exchange (RFC 7296 2.21.2 allows it, strongSwan does it), so the responder does not keep
 * an IKE SA we abandon. Nobody waits for the answer.
 */
void v2_auth_i_tell(v2_ike_sa *sa, ike_time now, uint16_t notify)
{
	uint8_t inner[16];
	v2_builder b;
	v2_request_done(sa, now);
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_notify(&b, 0, NULL, 0, notify, NULL, 0);
	/* Every caller fails the SA right after: a failed seal has already traced its own error. */
	if (!b.w.err)
		(void)v2_send_sk(sa, now, V2_INFORMATIONAL, false, sa->msgid_next_req, inner, b.w.len, b.first);
}

int v2_auth_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	char why[160];
	const v2_payload *pid = v2_chain_find(&in->inner, V2_PL_IDR), *pauth = v2_chain_find(&in->inner, V2_PL_AUTH);
	if (v2_chain_find_notify(&in->inner, V2_N_AUTHENTICATION_FAILED)) {
		v2_fail(sa, now, V2_T_IKE_I_AUTH_FAILED, V2_N_AUTHENTICATION_FAILED,
			"responder sent AUTHENTICATION_FAILED");
		return V2_H_GONE;
	}
	/* 2.21.2: these two end the IKE SA too, even next to an AUTH payload */
	uint16_t fatal = v2_chain_find_notify(&in->inner, V2_N_INVALID_SYNTAX) ? V2_N_INVALID_SYNTAX
			 : v2_chain_find_notify(&in->inner, V2_N_UNSUPPORTED_CRITICAL_PAYLOAD)
				 ? V2_N_UNSUPPORTED_CRITICAL_PAYLOAD
				 : 0;
	if (fatal) {
		v2_fail(sa, now, V2_T_IKE_AUTH_SYNTAX, fatal, "responder found our IKE_AUTH request malformed");
		return V2_H_GONE;
	}
	uint16_t err = v2_chain_first_error(&in->inner);
	if (!pauth) {
		v2_fail(sa, now, V2_T_IKE_I_AUTH_FAILED, err, "IKE_AUTH response without AUTH");
		return V2_H_GONE;
	}
	/* Without an error notify the CHILD SA payloads must all be there (RFC 7296 1.2). */
	child_payloads cp_buf, *cp = &cp_buf;
	const char *bad = err ? NULL : child_payloads_read(&in->inner, cp);
	if (bad) {
		v2_bad_response(sa, now, in, bad);
		return V2_H_GONE;
	}
	if (!auth_ok(sa, now, false, &in->inner, pid, pauth, why, sizeof(why))) {
		v2_auth_i_tell(sa, now, V2_N_AUTHENTICATION_FAILED);
		v2_fail(sa, now, V2_T_IKE_I_AUTH_FAILED, V2_N_AUTHENTICATION_FAILED, why);
		return V2_H_GONE;
	}
	v2_request_done(sa, now);
	v2_mobike_read_auth(sa, &in->inner);
	v2_ike_go(sa, now, V2_T_IKE_I_AUTH_OK, NULL);
	v2_sa_event(sa, now, IKE_EV_IKE_UP, 0, NULL);
	ike_up(sa, now);
	child_i(sa, now, in, cp);
	drop_handshake_state(sa);
	return V2_H_OK;
}
