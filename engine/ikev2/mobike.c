/*
 * MOBIKE (RFC 4555): MOBIKE_SUPPORTED and our address list in IKE_AUTH, the initiator's UPDATE_SA_ADDRESSES when
 * its addresses change (or its path dies), the responder's move on an authenticated update, return routability
 * checks with COOKIE2, and NAT mapping changes seen through NAT detection in liveness checks (4555 3.8).
 * Only the initiator decides addresses (4555 3.5); the responder never follows implicitly (4555 3.8).
 */
#include <string.h>

#include "ikev2/sa.h"

#define COOKIE2_MIN 8  /* RFC 4555 4.2.5: 8 to 64 octets */
#define COOKIE2_MAX 64

static void trace_mobike(const v2_ike_sa *sa, ike_time now, const char *action, const char *why)
{
	if (!v2_tracing(sa->peer))
		return;
	char a[64];
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "action", action);
	v2_addr_str(&sa->local, a, sizeof(a));
	ike_jsonw_str(&w, "local", a);
	v2_addr_str(&sa->remote, a, sizeof(a));
	ike_jsonw_str(&w, "remote", a);
	if (why)
		ike_jsonw_str(&w, "why", why);
	v2_emit_sa(sa, now, "ike.mobike", &w);
}

static bool same_ip(const ike_addr *a, const ike_addr *b)
{
	return a->family == b->family && memcmp(a->ip, b->ip, a->family == 4 ? 4u : 16u) == 0;
}

/* True if the host never told us its addresses, or told one with a's IP. */
static bool have_ip(const ike_peer *p, const ike_addr *a)
{
	if (!p->n_addrs)
		return true;
	for (uint8_t i = 0; i < p->n_addrs; i++)
		if (same_ip(&p->addrs[i], a))
			return true;
	return false;
}

/* ADDITIONAL_IP4/6_ADDRESS for each of our addresses but the one in use, else NO_ADDITIONAL_ADDRESSES (4555 3.6). */
static void add_addresses(const v2_ike_sa *sa, v2_builder *b)
{
	const ike_peer *p = sa->peer;
	size_t extra = 0;
	for (uint8_t i = 0; i < p->n_addrs; i++) {
		const ike_addr *a = &p->addrs[i];
		if (same_ip(a, &sa->local))
			continue;
		bool v4 = a->family == 4;
		v2_add_notify(b, 0, NULL, 0, v4 ? V2_N_ADDITIONAL_IP4_ADDRESS : V2_N_ADDITIONAL_IP6_ADDRESS, a->ip,
			      v4 ? 4u : 16u);
		extra++;
	}
	if (!extra)
		v2_add_notify(b, 0, NULL, 0, V2_N_NO_ADDITIONAL_ADDRESSES, NULL, 0);
}

void v2_mobike_add_auth(v2_ike_sa *sa, v2_builder *b)
{
	if (!sa->conn || !sa->conn->mobike || (!sa->initiator && !sa->mobike))
		return; /* a responder answers MOBIKE_SUPPORTED only to an initiator that sent it */
	v2_add_notify(b, 0, NULL, 0, V2_N_MOBIKE_SUPPORTED, NULL, 0);
	add_addresses(sa, b);
}

void v2_mobike_read_auth(v2_ike_sa *sa, const v2_chain *inner)
{
	sa->mobike = sa->conn && sa->conn->mobike && v2_chain_find_notify(inner, V2_N_MOBIKE_SUPPORTED);
}

void v2_add_natd_now(v2_ike_sa *sa, v2_builder *b) { v2_add_natd(sa, b, sa->spi_r); }

/* The data of the first notify of `type` in ch that parses, or NULL. */
static const v2_notify *find_notify(const v2_chain *ch, uint16_t type, v2_notify *n)
{
	for (uint8_t i = 0; i < ch->n; i++)
		if (ch->pl[i].type == V2_PL_NOTIFY && v2_parse_notify(ch->pl[i].body, ch->pl[i].len, n) == V2_OK &&
		    n->type == type)
			return n;
	return NULL;
}

void v2_mobike_info_r(v2_ike_sa *sa, ike_time now, const v2_inbound *in, v2_builder *b)
{
	if (!sa->mobike)
		return;
	v2_notify n;
	bool natd = find_notify(&in->inner, V2_N_NAT_DETECTION_DESTINATION_IP, &n) != NULL;
	if (v2_chain_find_notify(&in->inner, V2_N_UPDATE_SA_ADDRESSES) && sa->state == V2_IKE_ESTABLISHED) {
		ike_addr orm = sa->remote;
		/* 4555 3.5: the addresses come from the IP header of the authenticated request */
		v2_sa_move(sa, now, in->to, in->from, "UPDATE_SA_ADDRESSES (RFC 4555 3.5)");
		if (natd)
			v2_natd_check(sa, now, &in->inner, sa->spi_r);
		trace_mobike(sa, now, "update-received", NULL);
		if (!v2_same_addr(&orm, &sa->remote)) { /* 3.7: does the peer really receive at its new address? */
			v2_task t = { .kind = V2_TASK_MOBIKE_RR, .reason = V2_WHY_PEER };
			(void)v2_task_queue(sa, now, &t);
		}
	}
	if (natd) /* 3.8: NATD in a request is answered with ours, over the addresses the response goes between */
		v2_add_natd_at(sa, b, sa->spi_r, &sa->resp_from, &sa->resp_to);
	if (find_notify(&in->inner, V2_N_COOKIE2, &n) && n.len >= COOKIE2_MIN && n.len <= COOKIE2_MAX)
		v2_add_notify(b, 0, NULL, 0, V2_N_COOKIE2, n.data, n.len); /* 3.7: copied as it is */
}

/* Remembers the peer's NATD_D hash (what it saw of our address); true if it differs from the last one. */
bool v2_mobike_natd_d(v2_ike_sa *sa, const v2_chain *ch)
{
	v2_notify n;
	if (!find_notify(ch, V2_N_NAT_DETECTION_DESTINATION_IP, &n) || n.len != sizeof(sa->natd_d))
		return false;
	bool changed = sa->natd_d_set && memcmp(sa->natd_d, n.data, sizeof(sa->natd_d)) != 0;
	memcpy(sa->natd_d, n.data, sizeof(sa->natd_d));
	sa->natd_d_set = true;
	return changed;
}

int v2_mobike_info_i(v2_ike_sa *sa, ike_time now, const v2_task *done, const v2_inbound *in)
{
	bool upd = done->kind == V2_TASK_MOBIKE_UPDATE, rr = done->kind == V2_TASK_MOBIKE_RR;
	if (upd || rr) {
		v2_notify n;
		if (!find_notify(&in->inner, V2_N_COOKIE2, &n) || n.len != sizeof(sa->cookie2) ||
		    memcmp(n.data, sa->cookie2, sizeof(sa->cookie2)) != 0) {
			v2_fail_local(sa, now, "COOKIE2 not echoed as sent: the IKE SA is closed (RFC 4555 3.7)");
			return -1;
		}
	}
	if (rr) {
		trace_mobike(sa, now, "rr-check-passed", "the peer answered our COOKIE2 at its new address");
		return 0;
	}
	if (!sa->mobike || !sa->initiator || (!upd && done->kind != V2_TASK_DPD))
		return 0;
	bool changed = v2_mobike_natd_d(sa, &in->inner);
	if (upd) {
		if (v2_chain_find_notify(&in->inner, V2_N_NAT_DETECTION_DESTINATION_IP))
			v2_natd_check(sa, now, &in->inner, sa->spi_r);
		trace_mobike(sa, now, "update-answered", NULL);
		v2_natt_up(sa, now); /* behind a NAT now where we were not: keepalives start */
	} else if (changed) { /* 3.8: the responder saw us from another address or port: a NAT mapping changed */
		trace_mobike(sa, now, "nat-mapping-changed", "NAT_DETECTION_DESTINATION_IP differs from the last one");
		v2_task t = { .kind = V2_TASK_MOBIKE_UPDATE, .reason = V2_WHY_PEER };
		(void)v2_task_queue(sa, now, &t);
	}
	return 0;
}

int v2_mobike_update_start(v2_ike_sa *sa, ike_time now)
{
	if (!sa->mobike || sa->state != V2_IKE_ESTABLISHED)
		return 1;
	uint8_t inner[512];
	v2_builder b;
	v2_begin_chain(&b, inner, sizeof(inner));
	ike_drbg_bytes(&sa->peer->rng, sa->cookie2, sizeof(sa->cookie2));
	v2_add_notify(&b, 0, NULL, 0, V2_N_UPDATE_SA_ADDRESSES, NULL, 0);
	v2_add_natd_now(sa, &b);
	add_addresses(sa, &b);
	v2_add_notify(&b, 0, NULL, 0, V2_N_COOKIE2, sa->cookie2, sizeof(sa->cookie2));
	trace_mobike(sa, now, "update-sent", NULL);
	return v2_send_request(sa, now, V2_INFORMATIONAL, inner, b.w.len, b.first,
			       "could not seal our UPDATE_SA_ADDRESSES request");
}

int v2_mobike_rr_start(v2_ike_sa *sa, ike_time now)
{
	if (!sa->mobike || sa->state != V2_IKE_ESTABLISHED)
		return 1;
	uint8_t inner[64];
	v2_builder b;
	v2_begin_chain(&b, inner, sizeof(inner));
	ike_drbg_bytes(&sa->peer->rng, sa->cookie2, sizeof(sa->cookie2));
	v2_add_notify(&b, 0, NULL, 0, V2_N_COOKIE2, sa->cookie2, sizeof(sa->cookie2));
	trace_mobike(sa, now, "rr-check-sent", NULL);
	return v2_send_request(sa, now, V2_INFORMATIONAL, inner, b.w.len, b.first,
			       "could not seal our return routability check");
}

void v2_mobike_add_dpd(v2_ike_sa *sa, v2_builder *b)
{
	if (sa->mobike && sa->initiator && sa->nat_local)
		v2_add_natd_now(sa, b);
}

/* Our first address of a's family other than a's IP, starting after a's own position; NULL if none. */
static const ike_addr *other_addr(const ike_peer *p, const ike_addr *a)
{
	uint8_t at = 0;
	for (uint8_t i = 0; i < p->n_addrs; i++)
		if (same_ip(&p->addrs[i], a))
			at = (uint8_t)(i + 1);
	for (uint8_t k = 0; k < p->n_addrs; k++) {
		const ike_addr *c = &p->addrs[(at + k) % p->n_addrs];
		if (c->family == a->family && !same_ip(c, a))
			return c;
	}
	return NULL;
}

/* Moves sa's local address to `to` (port kept) and queues UPDATE_SA_ADDRESSES. */
static void move_local(v2_ike_sa *sa, ike_time now, const ike_addr *to, const char *why)
{
	ike_addr l = *to;
	l.port = sa->local.port;
	v2_sa_move(sa, now, &l, &sa->remote, why);
	v2_task t = { .kind = V2_TASK_MOBIKE_UPDATE, .reason = V2_WHY_MANUAL };
	(void)v2_task_queue(sa, now, &t);
}

bool v2_mobike_try_other(v2_ike_sa *sa, ike_time now)
{
	if (!sa->mobike || !sa->initiator || sa->state != V2_IKE_ESTABLISHED)
		return false;
	const ike_addr *o = other_addr(sa->peer, &sa->local);
	if (!o || sa->mob_tries >= sa->peer->n_addrs)
		return false;
	sa->mob_tries++;
	move_local(sa, now, o, "our path is dead (retransmissions ran out): another of our addresses (RFC 4555 3.5)");
	sa->retries = 0; /* the outstanding request goes on from the new address (3.5) */
	return true;
}

ike_addr v2_mobike_local(const ike_peer *p, const ike_conn_cfg *c)
{
	ike_addr l = c->local;
	if (have_ip(p, &l))
		return l;
	for (uint8_t i = 0; i < p->n_addrs; i++)
		if (p->addrs[i].family == l.family) {
			memcpy(l.ip, p->addrs[i].ip, sizeof(l.ip));
			break;
		}
	return l;
}

/* One SA after an address change: moves if its address is gone, or updates anyway when forced. */
static int sa_addresses_changed(v2_ike_sa *sa, ike_time now, bool force)
{
	if (!sa->mobike || !sa->initiator || sa->state != V2_IKE_ESTABLISHED)
		return 0;
	sa->mob_tries = 0;
	if (!have_ip(sa->peer, &sa->local)) {
		const ike_addr *o = other_addr(sa->peer, &sa->local);
		if (!o)
			return 0; /* no address of its family left: it waits for one */
		move_local(sa, now, o, "our address is gone: UPDATE_SA_ADDRESSES from the new one (RFC 4555 3.5)");
		return 1;
	}
	if (!force)
		return 0;
	v2_task t = { .kind = V2_TASK_MOBIKE_UPDATE, .reason = V2_WHY_MANUAL };
	return v2_task_queue(sa, now, &t) == 0 ? 1 : 0;
}

int ike_peer_addresses_changed(ike_peer *p, ike_time now, const ike_addr *addrs, size_t n, bool force)
{
	if (!p || n > IKE_ADDRS_MAX || (n && !addrs))
		return -1;
	for (size_t i = 0; i < n; i++)
		p->addrs[i] = addrs[i];
	p->n_addrs = (uint8_t)n;
	int moved = 0;
	for (size_t c = 0; c < p->cfg.n_conns; c++)
		for (v2_ike_sa *sa = p->rec[c].sas, *next; sa; sa = next) {
			next = sa->conn_next;
			uint64_t spi = v2_our_spi(sa);
			moved += sa_addresses_changed(sa, now, force);
			if (v2_sa_alive(p, spi, sa))
				v2_settle(sa, now);
		}
	return moved;
}
