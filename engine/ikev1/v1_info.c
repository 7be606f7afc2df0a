/*
 * Informational exchanges (RFC 2409 5.7): HASH(1) = prf(SKEYID_a, M-ID | N/D) protects them once phase 1 is
 * done. Error notifies end what they refuse; Delete(ISAKMP) ends the SA, Delete(ESP) the IPsec SA; DPD
 * (RFC 3706): R-U-THERE after dpd_delay without a message from the peer, answered with R-U-THERE-ACK
 * echoing the sequence number; unanswered through the retransmissions, the peer is dead (dpd_action).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ikev1/v1_sa.h"
#include "ikev2/sa.h"
#include "peer/peer.h"

static const char *const action_names[] = { "clear", "restart", "trap" };

static void trace_dpd(v1_ike_sa *sa, ike_time now, const char *action, const char *then)
{
	if (!sa->peer->host.trace)
		return;
	ike_time d = now > sa->last_rx ? now - sa->last_rx : 0;
	int64_t ms = d / (IKE_NS_PER_SEC / 1000);
	char num[32];
	snprintf(num, sizeof(num), "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "action", action);
	ike_jsonw_raw(&w, "after", num);
	if (then)
		ike_jsonw_str(&w, "dpd-action", then);
	ike_jsonw_int(&w, "seq", sa->dpd_seq);
	ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_spi(&w, "initiator-spi", sa->cky_i);
	ike_jsonw_spi(&w, "responder-spi", sa->cky_r);
	v2_emit(sa->peer, now, "dpd", &w);
}

void v1_send_info(v1_ike_sa *sa, ike_time now, const v1_notify *n, const v1_delete *d, size_t nd, bool waiting)
{
	uint8_t m[V1_MSG_MAX], zero[IKE_V1_MAX_HASH] = { 0 };
	uint32_t mid = 0;
	bool prot = sa->keyed && !sa->expect;
	if (prot)
		do
			ike_drbg_bytes(&sa->peer->rng, &mid, sizeof(mid));
		while (!mid);
	v1_header h = { .cky_i = sa->cky_i, .cky_r = sa->cky_r, .major = 1, .exchange = V1_EXCH_INFORMATIONAL,
			.msg_id = mid };
	v1_builder b;
	v1_begin(&b, m, sizeof(m), &h);
	size_t hl = sa->k.len, at = 0;
	if (prot) {
		v1_add_data(&b, V1_PL_HASH, zero, hl);
		at = v1_last_body(&b);
	}
	if (n)
		v1_add_notify(&b, n);
	for (size_t i = 0; i < nd; i++)
		v1_add_delete(&b, &d[i]);
	size_t len = v1_finish(&b, 0);
	v1_iv iv;
	if (!len || (prot && (ike_v1_hash1(sa->peer->cfg.crypto, &sa->k, mid, m + at + hl, len - at - hl, m + at) != 0 ||
			      v1_iv_phase2(sa->peer->cfg.crypto, &sa->ci, &sa->p1iv, mid, &iv) != 0))) {
		v1_trace_error(sa->peer, now, sa, "send", "Informational could not be built", 0);
		return;
	}
	if (waiting) {
		v1_send(sa, now, m, len, prot ? &iv : NULL, true, NULL);
		return;
	}
	/* a one-way message: the exchange's message stays the one to resend */
	uint8_t keep[V1_MSG_MAX];
	size_t keep_len = sa->tx_len;
	bool keep_wait = sa->waiting;
	ike_time keep_at = sa->timer_at;
	uint8_t keep_tries = sa->tries;
	memcpy(keep, sa->tx, keep_len);
	v1_send(sa, now, m, len, prot ? &iv : NULL, false, NULL);
	memcpy(sa->tx, keep, keep_len);
	sa->tx_len = keep_len;
	sa->waiting = keep_wait;
	sa->timer_at = keep_at;
	sa->tries = keep_tries;
}

/* The ISAKMP SA's two cookies as a Notify/Delete SPI. */
static void cookies(const v1_ike_sa *sa, uint8_t *spi)
{
	ike_put_u64(spi, sa->cky_i);
	ike_put_u64(spi + 8, sa->cky_r);
}

void v1_send_notify(v1_ike_sa *sa, ike_time now, uint16_t type)
{
	uint8_t spi[16];
	cookies(sa, spi);
	v1_notify n = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ISAKMP, .spi_size = 16, .type = type, .spi = spi };
	v1_send_info(sa, now, &n, NULL, 0, false);
}

static void send_dpd(v1_ike_sa *sa, ike_time now, uint16_t type, uint32_t seq)
{
	uint8_t spi[16], data[4];
	cookies(sa, spi);
	ike_put_u32(data, seq);
	v1_notify n = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ISAKMP, .spi_size = 16, .type = type, .spi = spi,
			.data = data, .len = 4 };
	v1_send_info(sa, now, &n, NULL, 0, type == V1_N_DPD_R_U_THERE);
}

void v1_dpd_send(v1_ike_sa *sa, ike_time now)
{
	if (!sa->dpd_seq) /* RFC 3706 5.5: the first sequence number is random */
		ike_drbg_bytes(&sa->peer->rng, &sa->dpd_seq, sizeof(sa->dpd_seq));
	sa->dpd_seq = (sa->dpd_seq + 1) & 0x7fffffffu;
	sa->dpd_out = true;
	trace_dpd(sa, now, "sent", NULL);
	send_dpd(sa, now, V1_N_DPD_R_U_THERE, sa->dpd_seq);
}

void v1_dead(v1_ike_sa *sa, ike_time now)
{
	ike_peer *p = sa->peer;
	size_t conn = sa->conn_idx;
	uint8_t act = sa->conn->dpd_action < 3 ? sa->conn->dpd_action : IKE_DPD_CLEAR;
	trace_dpd(sa, now, "dead", action_names[act]);
	v1_fail(sa, now, V1_T_DEAD, 0, "no answer after all retransmissions");
	if (act == IKE_DPD_RESTART)
		(void)v1_initiate(p, now, conn);
}

/* Ends the IPsec SA (Delete(ESP) sent or received). */
static void child_deleted(v1_ike_sa *sa, ike_time now, const char *why)
{
	if (sa->child.state != V2_CHILD_INSTALLED)
		return;
	v1_child_go(sa, now, V1_T_C_DELETE, why);
	v1_event(sa, now, IKE_EV_CHILD_DOWN, 0, why);
}

void v1_delete_sa(v1_ike_sa *sa, ike_time now, const char *why)
{
	uint8_t ck[16], esp[4], esp_old[4];
	cookies(sa, ck);
	ike_put_u32(esp, sa->child.spi_in);
	ike_put_u32(esp_old, sa->old.spi_in);
	v1_delete d[3];
	size_t n = 0;
	if (sa->old.used && sa->old.state == V2_CHILD_INSTALLED)
		d[n++] = (v1_delete){ .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ESP, .spi_size = 4, .n = 1, .spis = esp_old };
	if (sa->child.state == V2_CHILD_INSTALLED)
		d[n++] = (v1_delete){ .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ESP, .spi_size = 4, .n = 1, .spis = esp };
	d[n++] = (v1_delete){ .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ISAKMP, .spi_size = 16, .n = 1, .spis = ck };
	v1_send_info(sa, now, NULL, d, n, false);
	if (sa->old.used && sa->old.state == V2_CHILD_INSTALLED)
		v1_old_gone(sa, now, V1_T_C_DELETE, why);
	child_deleted(sa, now, why);
	sa->waiting = false;
	v1_ike_go(sa, now, V1_T_DELETE_SENT, why);
	v1_event(sa, now, IKE_EV_IKE_DOWN, 0, why);
	v1_sa_free(sa);
}

int v1_delete_conn(ike_peer *p, ike_time now, size_t conn)
{
	int n = 0;
	for (bool again = true; again;) {
		again = false;
		for (v1_ike_sa *sa = p->v1_sas; sa; sa = sa->next)
			if (sa->conn_idx == conn && sa->state == V2_IKE_ESTABLISHED) {
				v1_delete_sa(sa, now, "deleted by us");
				n++;
				again = true;
				break;
			}
	}
	return n;
}

/* The payloads after HASH(1) verify; plaintext Informationals (phase 1 not done) have no HASH. */
static bool hash_ok(v1_ike_sa *sa, const v1_header *h, const v1_chain *c, const uint8_t *pt, size_t ptl)
{
	if (!(h->flags & V1_F_ENCRYPTION))
		return !sa->keyed || sa->expect; /* before phase 1 completed only */
	if (c->n < 2 || c->pl[0].type != V1_PL_HASH || c->pl[0].len != sa->k.len)
		return false;
	size_t start = (size_t)c->pl[1].offset - V1_HDR_LEN;
	uint8_t want[IKE_V1_MAX_HASH];
	return ike_v1_hash1(sa->peer->cfg.crypto, &sa->k, h->msg_id, pt + start, ptl - c->pad - start, want) == 0 &&
	       !CRYPTO_memcmp(want, c->pl[0].body, sa->k.len);
}

static enum ike_input_result on_notify(v1_ike_sa *sa, ike_time now, const v1_notify *n)
{
	if ((n->type == V1_N_DPD_R_U_THERE || n->type == V1_N_DPD_R_U_THERE_ACK) && n->len == 4) {
		uint32_t seq = ike_get_u32(n->data);
		if (n->type == V1_N_DPD_R_U_THERE) {
			send_dpd(sa, now, V1_N_DPD_R_U_THERE_ACK, seq);
			return IKE_INPUT_PROCESSED;
		}
		if (!sa->dpd_out || seq != sa->dpd_seq)
			return IKE_INPUT_DROPPED; /* a late ACK of an older check */
		sa->dpd_out = sa->waiting = false;
		sa->timer_at = IKE_TIME_NEVER;
		sa->last_rx = now;
		trace_dpd(sa, now, "answered", NULL);
		return IKE_INPUT_PROCESSED;
	}
	if (n->type == V1_N_INITIAL_CONTACT && sa->state == V2_IKE_ESTABLISHED && sa->peer_id_ok) {
		v1_ic_received(sa, now); /* v1_info_recv takes only protected Informationals once established */
		return IKE_INPUT_PROCESSED;
	}
	if (n->type >= V1_N_ERROR_MAX)
		return IKE_INPUT_PROCESSED;
	if (sa->state == V2_IKE_CONNECTING) {
		enum v1_ike_tr t = n->type == V1_N_NO_PROPOSAL_CHOSEN ? V1_T_NO_PROP
				 : n->type == V1_N_AUTHENTICATION_FAILED ? V1_T_AUTH_FAILED
									 : V1_T_TIMEOUT;
		v1_fail(sa, now, t, n->type, "the peer sent an error notify");
	} else if (sa->child.state == V2_CHILD_INSTALLING) {
		sa->peer->rec[sa->conn_idx].last_error = n->type;
		v1_child_go(sa, now, V1_T_C_FAILED, "the peer refused the Quick Mode");
		v1_event(sa, now, IKE_EV_CHILD_FAILED, n->type, "the peer refused the Quick Mode");
		v1_qm_abandon(sa, now); /* a refused rekey keeps the IPsec SA it would have replaced */
	}
	return IKE_INPUT_PROCESSED;
}

enum ike_input_result v1_info_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c,
				   const uint8_t *pt, size_t pt_len)
{
	if (!hash_ok(sa, h, c, pt, pt_len)) {
		v1_trace_error(sa->peer, now, sa, "drop", "Informational without a valid HASH(1)", 0);
		return IKE_INPUT_DROPPED;
	}
	for (uint8_t i = 0; i < c->n; i++) {
		const v1_payload *pl = &c->pl[i];
		if (pl->type == V1_PL_N) {
			v1_notify n;
			if (v1_parse_notify(pl->body, pl->len, pl->offset + 4u, &n, NULL) != V1_OK)
				return IKE_INPUT_DROPPED;
			ike_peer *p = sa->peer;
			enum ike_input_result r = on_notify(sa, now, &n);
			if (!v1_alive(p, sa))
				return r;
		} else if (pl->type == V1_PL_D && (h->flags & V1_F_ENCRYPTION)) {
			v1_delete d;
			if (v1_parse_delete(pl->body, pl->len, pl->offset + 4u, &d, NULL) != V1_OK)
				return IKE_INPUT_DROPPED;
			if (d.protocol == V1_PROTO_ESP && d.spi_size == 4) {
				for (uint16_t k = 0; k < d.n; k++) {
					uint32_t spi = ike_get_u32(d.spis + 4u * k);
					if (sa->old.used && sa->old.state == V2_CHILD_INSTALLED && spi == sa->old.spi_out)
						v1_old_gone(sa, now, sa->child.rekey_of == sa->old.spi_in ? V1_T_C_REKEYED
													 : V1_T_C_DELETE,
							    "the peer deleted it");
					else if (spi == sa->child.spi_out)
						child_deleted(sa, now, "the peer deleted it");
				}
			} else if (d.protocol == V1_PROTO_ISAKMP && sa->state == V2_IKE_ESTABLISHED) {
				if (sa->old.used && sa->old.state == V2_CHILD_INSTALLED)
					v1_old_gone(sa, now, V1_T_C_DELETE, "its ISAKMP SA was deleted");
				if (sa->child.state == V2_CHILD_INSTALLED)
					child_deleted(sa, now, "its ISAKMP SA was deleted");
				v1_ike_go(sa, now, V1_T_DELETE_RECV, NULL);
				v1_event(sa, now, IKE_EV_IKE_DOWN, 0, "deleted by the peer");
				v1_sa_free(sa);
				return IKE_INPUT_PROCESSED;
			}
		}
	}
	return IKE_INPUT_PROCESSED;
}
