/*
 * IKEv1 trace events that IKEv2 has too (docs/trace.md): auth.verified (the peer's HASH or signature checked out,
 * PSK and RSA), child_sa.rekeyed (a Quick Mode replaced an IPsec SA) and ike_sa.rekeyed (a new Main/Aggressive
 * Mode replaced an ISAKMP SA: IKEv1 renews phase 1 by reauthenticating), with the matching SA events.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/registry.h"
#include "ikev1/v1_sa.h"
#include "ikev2/sa.h"
#include "peer/peer.h"

void v1_trace_verified(v1_ike_sa *sa, ike_time now, const uint8_t *id_b, size_t id_len, const char *subject)
{
	if (!v2_tracing(sa->peer))
		return;
	ike_id id = { 0 };
	char ids[IKE_ID_MAX * 3];
	v1_id v;
	if (id_b && v1_parse_id(id_b, id_len, 0, &v, NULL) == V1_OK && v.len <= sizeof(id.data)) {
		id.type = v.type; /* the RFC 2407 ID types we use have RFC 7296's numbers */
		id.len = (uint16_t)v.len;
		memcpy(id.data, v.data, v.len);
	}
	ike_id_format(&id, ids, sizeof(ids));
	bool sig = sa->alg.auth == V1_AUTH_RSA_SIG;
	const char *what = sa->initiator ? "HASH_R" : "HASH_I";
	char scheme[64];
	snprintf(scheme, sizeof(scheme), sig ? "RSA PKCS#1 v1.5 over %s" : "pre-shared key %s", what);
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_int(&w, "method", sa->alg.auth); /* the phase 1 Authentication Method: 1 PSK, 3 RSA signatures */
	ike_jsonw_str(&w, "scheme", scheme);
	ike_jsonw_str(&w, "id", ids);
	if (subject)
		ike_jsonw_str(&w, "subject", subject);
	ike_jsonw_spi(&w, "initiator-spi", sa->cky_i);
	ike_jsonw_spi(&w, "responder-spi", sa->cky_r);
	v2_emit(sa->peer, now, "auth.verified", &w);
}

static void spi_str(ike_jsonw *w, const char *key, uint32_t spi)
{
	char s[12];
	snprintf(s, sizeof(s), "%08x", spi);
	ike_jsonw_str(w, key, s);
}

void v1_trace_child_rekeyed(v1_ike_sa *sa, ike_time now)
{
	const v1_child *o = &sa->old, *n = &sa->child;
	if (sa->peer->host.sa_event) {
		ike_sa_event ev = { .kind = IKE_EV_CHILD_REKEYED, .conn = sa->conn->name, .remote = &sa->remote,
				    .local = &sa->local, .spi_i = sa->cky_i, .spi_r = sa->cky_r, .child_spi_in = n->spi_in,
				    .child_spi_out = n->spi_out, .old_child_spi_in = o->spi_in, .old_child_spi_out = o->spi_out };
		sa->peer->host.sa_event(sa->peer->host.ctx, now, &ev);
	}
	if (!v2_tracing(sa->peer))
		return;
	const ike_child_cfg *cc = &sa->conn->children[0];
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_str(&w, "child", cc->name ? cc->name : sa->conn->name);
	spi_str(&w, "old-spi-in", o->spi_in);
	spi_str(&w, "old-spi-out", o->spi_out);
	spi_str(&w, "spi-in", n->spi_in);
	spi_str(&w, "spi-out", n->spi_out);
	ike_jsonw_str(&w, "pfs", n->alg.pfs ? ike_transform_name(IKE_TT_DH, n->alg.pfs, 0) : "none");
	/* the side that sent Quick Mode 1 renewed at its lifetime; the other side only answered */
	ike_jsonw_str(&w, "reason", n->qm_init ? "lifetime" : "peer");
	ike_jsonw_spi(&w, "initiator-spi", sa->cky_i);
	ike_jsonw_spi(&w, "responder-spi", sa->cky_r);
	v2_emit(sa->peer, now, "child_sa.rekeyed", &w);
}

void v1_trace_ike_rekeyed(const v1_ike_sa *old, v1_ike_sa *nsa, ike_time now)
{
	if (nsa->peer->host.sa_event) {
		ike_sa_event ev = { .kind = IKE_EV_IKE_REKEYED, .conn = nsa->conn->name, .remote = &nsa->remote,
				    .local = &nsa->local, .spi_i = nsa->cky_i, .spi_r = nsa->cky_r, .old_spi_i = old->cky_i,
				    .old_spi_r = old->cky_r };
		nsa->peer->host.sa_event(nsa->peer->host.ctx, now, &ev);
	}
	if (!v2_tracing(nsa->peer))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "conn", nsa->conn->name);
	ike_jsonw_spi(&w, "old-initiator-spi", old->cky_i);
	ike_jsonw_spi(&w, "old-responder-spi", old->cky_r);
	ike_jsonw_spi(&w, "initiator-spi", nsa->cky_i);
	ike_jsonw_spi(&w, "responder-spi", nsa->cky_r);
	ike_jsonw_str(&w, "reason", "reauth"); /* a new phase 1 with full authentication, no SKEYID chain */
	ike_jsonw_str(&w, "dh-group", ike_transform_name(IKE_TT_DH, nsa->alg.group, 0));
	ike_jsonw_str(&w, "mode", "make-before-break");
	v2_emit(nsa->peer, now, "ike_sa.rekeyed", &w);
}
