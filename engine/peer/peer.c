/*
 * The public ike_peer_* API: creation, the version dispatch of input and initiation (IKEv2 only; IKEv1 is
 * refused clearly), the deadline heap, connection status and the lifecycle actions that queue tasks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ikev1/v1_sa.h"
#include "ikev2/sa.h"
#include "peer/peer.h"

/* Retransmission timeouts base * factor^n for n = 0..tries, computed once so no floating point runs later. */
static ike_time *rtx_table(const ike_retransmit_cfg *r)
{
	ike_time *t = malloc(((size_t)r->tries + 1) * sizeof(*t));
	if (!t)
		return NULL;
	double f = r->factor > 0 ? r->factor : 1.0;
	for (size_t n = 0; n <= r->tries; n++) {
		double v = (double)r->base * pow(f, (double)n);
		/* saturated: a large factor^tries must overflow neither the cast nor a later sum */
		t[n] = v >= (double)IKE_TIME_NEVER ? IKE_TIME_NEVER : (ike_time)v;
	}
	return t;
}

static void free_tables(ike_peer *p)
{
	for (size_t i = 0; p->rtx && i < p->cfg.n_conns; i++)
		free(p->rtx[i]);
	free(p->rtx);
	free(p->rec);
}

ike_peer *ike_peer_new(const ike_peer_cfg *cfg, const ike_host *host)
{
	ike_peer *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->cfg = *cfg;
	p->host = *host;
	size_t n = cfg->n_conns ? cfg->n_conns : 1;
	p->rec = calloc(n, sizeof(*p->rec));
	p->rtx = calloc(n, sizeof(*p->rtx));
	bool ok = p->rec && p->rtx;
	for (size_t i = 0; ok && i < cfg->n_conns; i++)
		ok = (p->rtx[i] = rtx_table(&cfg->conns[i].retransmit)) != NULL;
	if (!ok) {
		free_tables(p);
		free(p);
		return NULL;
	}
	ike_drbg_init_with(&p->rng, cfg->crypto, cfg->seed, cfg->seed_len, cfg->name,
			   cfg->name ? strlen(cfg->name) : 0);
	return p;
}

void ike_peer_free(ike_peer *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nbuckets; i++)
		while (p->by_local[i])
			v2_sa_destroy(p->by_local[i], 0);
	v1_free_all(p);
	v2_index_free(p);
	free(p->by_local);
	free(p->by_remote);
	free(p->heap);
	free_tables(p);
	free(p->ho);
	free(p->cookie_rl);
	/* The cookie secret and the DRBG state both live in the peer object. */
	OPENSSL_clear_free(p, sizeof(*p));
}

int ike_peer_initiate(ike_peer *p, ike_time now, size_t conn)
{
	if (conn >= p->cfg.n_conns)
		return -1;
	if (p->cfg.conns[conn].version == 1)
		return v1_initiate(p, now, conn);
	return p->cfg.conns[conn].version == 2 ? v2_initiate(p, now, conn) : -1;
}

enum ike_input_result ike_peer_input(ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to,
				     const uint8_t *data, size_t len)
{
	/* RFC 7296 3.1 / RFC 2408 3.1: the version octet sits at offset 17 in both IKEv1 and IKEv2 headers. */
	if (len >= 28 && data[17] >> 4 == 1)
		return v1_input(p, now, from, to, data, len);
	return v2_input(p, now, from, to, data, len);
}

bool ike_peer_screen(ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		     size_t len, size_t pending)
{
	if (len >= 28 && data[17] >> 4 == 1)
		return false; /* IKEv1: no stateless answers here (no cookies, no limits before Main Mode state) */
	return v2_screen(p, now, from, to, data, len, pending);
}

ike_time ike_peer_next_deadline(const ike_peer *p)
{
	ike_time sa = p->heap_len ? p->heap[0]->timer_at : IKE_TIME_NEVER, ref = v2_refusal_deadline(p);
	ike_time v1 = v1_next_deadline(p);
	sa = sa < v1 ? sa : v1;
	return sa < ref ? sa : ref;
}

void ike_peer_flush(ike_peer *p, ike_time now) { v2_refusal_report(p, now); }

void ike_peer_expire(ike_peer *p, ike_time now)
{
	while (p->heap_len && p->heap[0]->timer_at <= now)
		v2_expire_sa(p->heap[0], now);
	if (v1_next_deadline(p) <= now)
		v1_expire(p, now);
	if (v2_refusal_deadline(p) <= now)
		v2_refusal_report(p, now);
}

size_t ike_peer_sa_count(const ike_peer *p)
{
	size_t n = p->nsas;
	for (const struct v1_ike_sa *sa = p->v1_sas; sa; sa = sa->next)
		n++;
	return n;
}

int ike_peer_conn_status(const ike_peer *p, size_t conn, ike_conn_status *st)
{
	if (conn >= p->cfg.n_conns)
		return -1;
	const ike_conn_rec *r = &p->rec[conn];
	memset(st, 0, sizeof(*st));
	st->ike_state = st->child_state = "NONE";
	st->last_error = r->last_error;
	st->timed_out = r->timed_out;
	st->remote = r->remote;
	if (r->ike_selected)
		v2_algs_format(&r->ike_algs, st->selected_ike, sizeof(st->selected_ike));
	if (r->esp_selected)
		v2_algs_format(&r->esp_algs, st->selected_esp, sizeof(st->selected_esp));
	if (p->cfg.conns[conn].version == 1)
		(void)v1_conn_status(p, conn, st);
	else
		(void)v2_conn_status(p, conn, st);
	return 0;
}

int ike_peer_delete(ike_peer *p, ike_time now, size_t conn)
{
	if (conn < p->cfg.n_conns && p->cfg.conns[conn].version == 1)
		return v1_delete_conn(p, now, conn);
	return conn >= p->cfg.n_conns ? -1 : v2_queue_on_conn(p, now, conn, V2_TASK_IKE_DELETE, 0, V2_WHY_MANUAL);
}

int ike_peer_rekey_child(ike_peer *p, ike_time now, size_t conn, size_t child)
{
	return ike_peer_rekey_child_why(p, now, conn, child, IKE_REKEY_MANUAL);
}

_Static_assert((int)V2_WHY_SEQ == (int)IKE_REKEY_SEQ, "ike_rekey_why values are v2_task_reason's");

int ike_peer_rekey_child_why(ike_peer *p, ike_time now, size_t conn, size_t child, uint8_t why)
{
	if (conn >= p->cfg.n_conns || child >= p->cfg.conns[conn].n_children || why > IKE_REKEY_SEQ)
		return -1;
	return v2_queue_on_conn(p, now, conn, V2_TASK_CHILD_REKEY, child, why);
}

int ike_peer_rekey_ike(ike_peer *p, ike_time now, size_t conn)
{
	return conn >= p->cfg.n_conns ? -1 : v2_queue_on_conn(p, now, conn, V2_TASK_IKE_REKEY, 0, V2_WHY_MANUAL);
}

int ike_peer_delete_child(ike_peer *p, ike_time now, size_t conn, size_t child)
{
	if (conn >= p->cfg.n_conns || child >= p->cfg.conns[conn].n_children)
		return -1;
	return v2_queue_on_conn(p, now, conn, V2_TASK_CHILD_DELETE, child, V2_WHY_MANUAL);
}
