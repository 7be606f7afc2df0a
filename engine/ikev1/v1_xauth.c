/*
 * TRANSACTION exchanges (draft-dukes-ike-mode-cfg-02: HDR*, HASH, ATTR with HASH = prf(SKEYID_a, M-ID | ATTR),
 * their own M-ID and IV chain like Quick Mode) and XAUTH over them (draft-ietf-ipsec-isakmp-xauth-06): after
 * phase 1 the gateway REQUESTs a name and a password, the client REPLYs, the gateway SETs XAUTH-STATUS and the
 * client ACKs. Passwords are never traced (only their length) and every copy is wiped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ikev1/v1_sa.h"
#include "ikev2/sa.h"
#include "peer/peer.h"

static const ike_crypto *cry(const v1_ike_sa *sa) { return sa->peer->cfg.crypto; }

uint16_t v1_psk_method(const ike_conn_cfg *conn)
{
	return conn->xauth_user || conn->n_xauth_users ? V1_AUTH_XAUTH_INIT_PSK : V1_AUTH_PSK;
}

bool v1_xauth_passed(const v1_ike_sa *sa)
{
	return !sa->conn->n_xauth_users || sa->xauth == V1_XA_OK || sa->xauth == V1_XA_SET_OK;
}

bool v1_xauth_pending(const v1_ike_sa *sa)
{
	return sa->initiator && sa->conn->xauth_user && sa->xauth != V1_XA_OK;
}

const v1_attr *v1_cfg_find(const v1_cfg *cfg, uint16_t type)
{
	for (uint8_t i = 0; i < cfg->n; i++)
		if (cfg->attr[i].type == type)
			return &cfg->attr[i];
	return NULL;
}

void v1_user_str(const uint8_t *u, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++)
		out[k++] = u[i] >= 0x20 && u[i] < 0x7f ? (char)u[i] : '?';
	out[k] = 0;
}

/* The `xauth` trace event: never the password, only how long it was. */
static void trace_xauth(v1_ike_sa *sa, ike_time now, const char *result, const char *user, size_t pw_len)
{
	if (!sa->peer->host.trace)
		return;
	char pw[32];
	snprintf(pw, sizeof(pw), "%zu bytes", pw_len);
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "role", sa->conn->n_xauth_users ? "gateway" : "client");
	ike_jsonw_str(&w, "result", result);
	ike_jsonw_str(&w, "user", user ? user : "");
	ike_jsonw_str(&w, "password", pw);
	ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_spi(&w, "initiator-spi", sa->cky_i);
	ike_jsonw_spi(&w, "responder-spi", sa->cky_r);
	v2_emit(sa->peer, now, "xauth", &w);
}

/* auth.verified as IKEv2 traces a verified peer: method 65001 (XAUTHInitPreShared), the user as subject. */
static void trace_verified(v1_ike_sa *sa, ike_time now, const char *user)
{
	if (!sa->peer->host.trace)
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_int(&w, "method", V1_AUTH_XAUTH_INIT_PSK);
	ike_jsonw_str(&w, "scheme", "XAUTH generic (user name and password)");
	ike_jsonw_str(&w, "subject", user);
	v2_emit(sa->peer, now, "auth.verified", &w);
}

void v1_txn_send(v1_ike_sa *sa, ike_time now, const v1_cfg *cfg, bool fresh, bool waiting)
{
	v1_txn *t = &sa->txn;
	if (fresh) { /* a new exchange: a new M-ID, its IV from the last phase 1 block (RFC 2409 App. B) */
		do
			ike_drbg_bytes(&sa->peer->rng, &t->msg_id, sizeof(t->msg_id));
		while (!t->msg_id);
		t->mcfg_asked = false;
		if (v1_iv_phase2(cry(sa), &sa->ci, &sa->p1iv, t->msg_id, &t->iv) != 0) {
			v1_trace_error(sa->peer, now, sa, "send", "TRANSACTION IV could not be derived", 0);
			return;
		}
	}
	uint8_t m[V1_MSG_MAX], zero[IKE_V1_MAX_HASH] = { 0 };
	v1_header h = { .cky_i = sa->cky_i, .cky_r = sa->cky_r, .major = 1, .exchange = V1_EXCH_TRANSACTION,
			.msg_id = t->msg_id };
	v1_builder b;
	v1_begin(&b, m, sizeof(m), &h);
	v1_add_data(&b, V1_PL_HASH, zero, sa->k.len);
	size_t at = v1_last_body(&b);
	v1_add_cfg(&b, cfg);
	size_t len = v1_finish(&b, 0), rest = at + sa->k.len;
	if (!len || ike_v1_hash1(cry(sa), &sa->k, t->msg_id, m + rest, len - rest, m + at) != 0) {
		v1_trace_error(sa->peer, now, sa, "send", "TRANSACTION message could not be built", 0);
		OPENSSL_cleanse(m, sizeof(m));
		return;
	}
	bool req = cfg->type == V1_CFG_REQUEST || cfg->type == V1_CFG_SET;
	v1_send(sa, now, m, len, &t->iv, waiting, req ? "request" : "response");
	if (fresh) /* a new exchange answers nothing: a repeat of the message being handled gets no copy of it */
		sa->sent_in_input = false;
	OPENSSL_cleanse(m, sizeof(m)); /* a REPLY held the password in clear before sealing */
}

/* Gateway, phase 1 done: REQUEST(XAUTH-TYPE generic, USER-NAME, USER-PASSWORD). */
static void xauth_start(v1_ike_sa *sa, ike_time now)
{
	v1_cfg r = { .type = V1_CFG_REQUEST, .n = 3 };
	ike_drbg_bytes(&sa->peer->rng, &r.identifier, sizeof(r.identifier));
	r.attr[0] = v1_attr_tv(V1_CA_XAUTH_TYPE, 0);
	r.attr[1] = (v1_attr){ .type = V1_CA_XAUTH_USER_NAME };
	r.attr[2] = (v1_attr){ .type = V1_CA_XAUTH_USER_PASSWORD };
	sa->txn.ident = r.identifier;
	sa->xauth = V1_XA_ASKED;
	if (!sa->aggressive && sa->tx_len && (sa->mm6 = malloc(sa->tx_len))) { /* tx is MM6: kept for a repeated MM5 */
		memcpy(sa->mm6, sa->tx, sa->tx_len);
		sa->mm6_len = sa->tx_len;
	}
	v1_txn_send(sa, now, &r, true, true);
}

void v1_after_phase1(v1_ike_sa *sa, ike_time now)
{
	const ike_conn_cfg *cc = sa->conn;
	if (!sa->initiator) {
		if (cc->n_xauth_users)
			xauth_start(sa, now);
		return;
	}
	if (cc->xauth_user)
		return; /* the gateway asks first */
	if (cc->modecfg)
		v1_mcfg_request(sa, now);
	else
		v1_qm_start(sa, now);
}

/* The configured user whose name and password these are, or NULL (compared in constant time per user). */
static const ike_xauth_user *find_user(const ike_conn_cfg *cc, const v1_attr *u, const v1_attr *pw)
{
	const ike_xauth_user *hit = NULL;
	for (size_t i = 0; i < cc->n_xauth_users; i++) {
		const ike_xauth_user *x = &cc->xauth_users[i];
		size_t ul = strlen(x->user);
		bool name = ul == u->len && !memcmp(x->user, v1_attr_bytes(u), ul);
		bool pass = x->password_len == pw->len && !CRYPTO_memcmp(x->password, v1_attr_bytes(pw), pw->len);
		if (name && pass && !hit)
			hit = x;
	}
	return hit;
}

/* Gateway: the client's REPLY; SET(XAUTH-STATUS) with the verdict, in a new exchange. */
static enum ike_input_result gw_reply(v1_ike_sa *sa, ike_time now, const v1_cfg *cfg)
{
	/* the M-ID (under HASH) binds an answer to our exchange: charon answers with identifier 0, so it is not checked */
	if (sa->xauth != V1_XA_ASKED || cfg->type != V1_CFG_REPLY) {
		v1_trace_error(sa->peer, now, sa, "drop", "XAUTH message that answers nothing we asked", 0);
		return IKE_INPUT_DROPPED;
	}
	free(sa->mm6); /* the client has phase 1: MM6 arrived */
	sa->mm6 = NULL;
	sa->mm6_len = 0;
	const v1_attr *u = v1_cfg_find(cfg, V1_CA_XAUTH_USER_NAME), *pw = v1_cfg_find(cfg, V1_CA_XAUTH_USER_PASSWORD);
	bool shaped = u && pw && !u->tv && !pw->tv && u->len <= IKE_XAUTH_MAX && pw->len <= IKE_XAUTH_MAX;
	const ike_xauth_user *hit = shaped ? find_user(sa->conn, u, pw) : NULL;
	char name[IKE_XAUTH_MAX + 1] = "";
	if (u && !u->tv)
		v1_user_str(v1_attr_bytes(u), u->len, name, sizeof(name));
	trace_xauth(sa, now, hit ? "ok" : "failed", name, pw && !pw->tv ? pw->len : 0);
	v1_cfg set = { .type = V1_CFG_SET, .n = 1 };
	ike_drbg_bytes(&sa->peer->rng, &set.identifier, sizeof(set.identifier));
	set.attr[0] = v1_attr_tv(V1_CA_XAUTH_STATUS, hit ? 1 : 0);
	sa->txn.ident = set.identifier;
	sa->xauth = hit ? V1_XA_SET_OK : V1_XA_SET_FAIL;
	if (hit) {
		snprintf(sa->xuser, sizeof(sa->xuser), "%s", hit->user);
		trace_verified(sa, now, name);
		char why[IKE_XAUTH_MAX + 48];
		snprintf(why, sizeof(why), "XAUTH: user %s authenticated", name);
		v1_ike_go(sa, now, V1_T_XAUTH_OK, why);
	} else
		sa->peer->rec[sa->conn_idx].last_error = V1_N_AUTHENTICATION_FAILED;
	v1_txn_send(sa, now, &set, true, true);
	return IKE_INPUT_PROCESSED;
}

/* Gateway: the client ACKed our SET; a refused user's ISAKMP SA ends now (Delete, then the xauth-failed row). */
static enum ike_input_result gw_ack(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_cfg *cfg)
{
	if ((sa->xauth != V1_XA_SET_OK && sa->xauth != V1_XA_SET_FAIL) || cfg->type != V1_CFG_ACK ||
	    h->msg_id != sa->txn.msg_id) {
		v1_trace_error(sa->peer, now, sa, "drop", "XAUTH ACK for no SET of ours", 0);
		return IKE_INPUT_DROPPED;
	}
	sa->waiting = false;
	sa->timer_at = IKE_TIME_NEVER;
	if (sa->xauth == V1_XA_SET_OK) {
		sa->xauth = V1_XA_OK;
		return IKE_INPUT_PROCESSED;
	}
	uint8_t spi[16];
	ike_put_u64(spi, sa->cky_i);
	ike_put_u64(spi + 8, sa->cky_r);
	v1_delete d = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ISAKMP, .spi_size = 16, .n = 1, .spis = spi };
	v1_send_info(sa, now, NULL, &d, 1, false);
	v1_fail(sa, now, V1_T_XAUTH_FAILED, V1_N_AUTHENTICATION_FAILED, "XAUTH: the user's name or password is wrong");
	return IKE_INPUT_PROCESSED;
}

/* Client: the gateway's REQUEST gets our name and password (generic XAUTH only). */
static enum ike_input_result cl_request(v1_ike_sa *sa, ike_time now, const v1_cfg *cfg)
{
	const ike_conn_cfg *cc = sa->conn;
	const v1_attr *ty = v1_cfg_find(cfg, V1_CA_XAUTH_TYPE);
	uint64_t type = 0;
	if (!cc->xauth_user || (ty && (!v1_attr_u64(ty, &type) || type != 0))) {
		v1_fail(sa, now, V1_T_XAUTH_FAILED, 0, cc->xauth_user ? "XAUTH: the gateway asks for a type other than generic"
								      : "XAUTH: the gateway asks for credentials we do not have");
		return IKE_INPUT_REFUSED;
	}
	v1_cfg r = { .type = V1_CFG_REPLY, .identifier = cfg->identifier };
	if (ty)
		r.attr[r.n++] = v1_attr_tv(V1_CA_XAUTH_TYPE, 0);
	r.attr[r.n++] = (v1_attr){ .type = V1_CA_XAUTH_USER_NAME, .data = (const uint8_t *)cc->xauth_user,
				   .len = (uint16_t)strlen(cc->xauth_user) };
	r.attr[r.n++] = (v1_attr){ .type = V1_CA_XAUTH_USER_PASSWORD, .data = cc->xauth_password,
				   .len = (uint16_t)cc->xauth_password_len };
	sa->xauth = V1_XA_ASKED;
	char name[IKE_XAUTH_MAX + 1];
	v1_user_str((const uint8_t *)cc->xauth_user, strlen(cc->xauth_user), name, sizeof(name));
	trace_xauth(sa, now, "answered", name, cc->xauth_password_len);
	v1_txn_send(sa, now, &r, false, false);
	return IKE_INPUT_PROCESSED;
}

/* Client: SET(XAUTH-STATUS) is ACKed; OK goes on to Mode Config or Quick Mode, FAIL ends the ISAKMP SA. */
static enum ike_input_result cl_set(v1_ike_sa *sa, ike_time now, const v1_cfg *cfg)
{
	const v1_attr *st = v1_cfg_find(cfg, V1_CA_XAUTH_STATUS);
	uint64_t v = 0;
	bool ok = st && v1_attr_u64(st, &v) && v == 1;
	v1_cfg ack = { .type = V1_CFG_ACK, .identifier = cfg->identifier, .n = 1 };
	ack.attr[0] = v1_attr_tv(V1_CA_XAUTH_STATUS, ok ? 1 : 0);
	v1_txn_send(sa, now, &ack, false, false);
	char name[IKE_XAUTH_MAX + 1], why[IKE_XAUTH_MAX + 64];
	v1_user_str((const uint8_t *)sa->conn->xauth_user, strlen(sa->conn->xauth_user), name, sizeof(name));
	trace_xauth(sa, now, ok ? "ok" : "failed", name, sa->conn->xauth_password_len);
	if (!ok) {
		snprintf(why, sizeof(why), "XAUTH: the gateway refused user %s (XAUTH-STATUS FAIL)", name);
		v1_fail(sa, now, V1_T_XAUTH_FAILED, V1_N_AUTHENTICATION_FAILED, why);
		return IKE_INPUT_PROCESSED;
	}
	sa->xauth = V1_XA_OK;
	snprintf(why, sizeof(why), "XAUTH: user %s accepted by the gateway", name);
	v1_ike_go(sa, now, V1_T_XAUTH_OK, why);
	if (sa->conn->modecfg)
		v1_mcfg_request(sa, now);
	else if (!sa->child.used)
		v1_qm_start(sa, now);
	return IKE_INPUT_PROCESSED;
}

static bool is_xauth(const v1_cfg *cfg)
{
	for (uint8_t i = 0; i < cfg->n; i++)
		if (cfg->attr[i].type >= V1_CA_XAUTH_TYPE && cfg->attr[i].type <= V1_CA_XAUTH_STATUS + 2)
			return true;
	return false;
}

static enum ike_input_result dispatch(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_cfg *cfg)
{
	bool gw = sa->conn->n_xauth_users > 0;
	bool xa = is_xauth(cfg) || (gw && cfg->type == V1_CFG_ACK && (sa->xauth == V1_XA_SET_OK || sa->xauth == V1_XA_SET_FAIL));
	if (!xa)
		return v1_mcfg_recv(sa, now, h, cfg);
	if (gw)
		return cfg->type == V1_CFG_ACK ? gw_ack(sa, now, h, cfg) : gw_reply(sa, now, cfg);
	if (!sa->initiator || sa->xauth == V1_XA_OK || (cfg->type != V1_CFG_REQUEST && cfg->type != V1_CFG_SET)) {
		v1_trace_error(sa->peer, now, sa, "drop", "XAUTH message a client does not take now", 0);
		return IKE_INPUT_DROPPED;
	}
	return cfg->type == V1_CFG_REQUEST ? cl_request(sa, now, cfg) : cl_set(sa, now, cfg);
}

enum ike_input_result v1_txn_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c,
				  const uint8_t *pt, size_t pt_len)
{
	const v1_payload *ap = v1_chain_find(c, V1_PL_ATTR);
	uint8_t want[IKE_V1_MAX_HASH];
	if (c->n < 2 || c->pl[0].type != V1_PL_HASH || c->pl[0].len != sa->k.len || !ap) {
		v1_trace_error(sa->peer, now, sa, "drop", "TRANSACTION without HASH then ATTR", 0);
		return IKE_INPUT_DROPPED;
	}
	size_t start = (size_t)c->pl[1].offset - V1_HDR_LEN;
	if (ike_v1_hash1(cry(sa), &sa->k, h->msg_id, pt + start, pt_len - c->pad - start, want) != 0 ||
	    CRYPTO_memcmp(c->pl[0].body, want, sa->k.len)) {
		v1_trace_error(sa->peer, now, sa, "drop", "TRANSACTION HASH does not verify", 0);
		return IKE_INPUT_DROPPED;
	}
	v1_cfg cfg;
	v1_err e = { 0 };
	if (v1_parse_cfg(ap->body, ap->len, ap->offset + 4u, &cfg, &e) != V1_OK) {
		v1_trace_error(sa->peer, now, sa, "drop", e.what ? e.what : "ATTR payload malformed", 0);
		return IKE_INPUT_DROPPED;
	}
	bool answer = cfg.type == V1_CFG_REPLY || cfg.type == V1_CFG_ACK;
	if (answer && h->msg_id != sa->txn.msg_id) {
		v1_trace_error(sa->peer, now, sa, "drop", "TRANSACTION answer outside our exchange (M-ID)", 0);
		return IKE_INPUT_DROPPED;
	}
	v1_txn before = sa->txn; /* restored if the message is dropped: a retransmission must still decrypt */
	sa->txn.msg_id = h->msg_id; /* a REQUEST/SET of the peer starts its exchange: ours (if any) is over */
	sa->txn.iv = sa->next_iv;
	enum ike_input_result r = dispatch(sa, now, h, &cfg);
	if (r == IKE_INPUT_DROPPED && v1_alive(sa->peer, sa))
		sa->txn = before;
	return r;
}
