/*
 * `ikesim peer`'s engine host: the ike_host callbacks (send on the SA's socket, trace, SA events that count
 * tunnels and drive the data plane) and the loop's failure and drop reporting.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "host/frame.h"
#include "host/names.h"
#include "peer_run.h"

ike_time peer_clock_ns(const peer_run *r)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ike_time)(ts.tv_sec - r->t0.tv_sec) * IKE_NS_PER_SEC + (ts.tv_nsec - r->t0.tv_nsec);
}

void peer_trace_host(peer_run *r, const char *ev, ike_jsonw *w)
{
	if (r->tr)
		ike_host_trace_event(r->tr, r->now, r->a->id, ev, w->buf);
}

void peer_run_fail(peer_run *r, const char *fmt_prefix, uint16_t notify, const char *why)
{
	char name[40];
	if (r->failed)
		return; /* the first failure is the cause; later ones follow from it */
	r->failed = true;
	if (notify)
		snprintf(r->why, sizeof(r->why), "%s: %s (%s)", fmt_prefix, ike_host_notify_name(notify, name, sizeof(name)),
			 why ? why : "no detail");
	else
		snprintf(r->why, sizeof(r->why), "%s: %s", fmt_prefix, why ? why : "no detail");
}

/* The socket bound to our side of a datagram: the NAT-T port's once the engine moved there. */
static int sock_for(const peer_run *r, const ike_addr *from)
{
	return r->fd_natt >= 0 && from->port == r->natt_local.port ? r->fd_natt : r->fd;
}

/* A datagram that is no IKE message (a NAT keepalive): as given, without the non-ESP marker. */
void peer_host_send_raw(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	peer_run *r = ctx;
	if (peer_udp_send(sock_for(r, from), to, data, len) == 0) {
		r->n_keepalive_sent++;
		peer_cap_udp(r->cap, from, to, data, len, NULL);
		return;
	}
	r->n_send_err++;
	peer_cap_udp(r->cap, from, to, data, len, "not sent");
}

void peer_host_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	peer_run *r = ctx;
	size_t n = ike_host_frame_wrap(ike_host_frame_marked(from->port, to->port), data, len, r->tx, sizeof(r->tx));
	if (n && peer_udp_send(sock_for(r, from), to, r->tx, n) == 0) {
		peer_cap_udp(r->cap, from, to, r->tx, n, NULL);
		return;
	}
	char why[120];
	snprintf(why, sizeof(why), "not sent: %s", n ? strerror(errno) : "datagram too large");
	if (n)
		peer_cap_udp(r->cap, from, to, r->tx, n, why);
	r->n_send_err++;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "why", n ? strerror(errno) : "datagram too large");
	ike_jsonw_int(&w, "size", (int64_t)len);
	peer_trace_host(r, "peer.send-error", &w);
}

void peer_host_trace(void *ctx, ike_time now, const char *ev, const char *fields)
{
	peer_run *r = ctx;
	ike_host_trace_event(r->tr, now, r->a->id, ev, fields);
}

/*
 * A responder serves whoever comes: a failed attempt (a forged IKE_SA_INIT left half-open, a wrong
 * PSK) is remembered, and decides the exit only if no CHILD SA was ever established. A failure that
 * carries a notify explains more than a timeout, so it replaces one.
 */
void peer_responder_failed(peer_run *r, const char *prefix, uint16_t notify, const char *why)
{
	r->n_failed_attempts++;
	if (r->failed && (r->fail_notify || !notify))
		return;
	r->failed = false;
	peer_run_fail(r, prefix, notify, why);
	r->fail_notify = notify;
}

/* Initiator: an IKE SA going down that is not the current one was replaced by a rekey; the run goes on. */
static bool replaced_sa(const peer_run *r, const ike_sa_event *ev)
{
	return r->a->initiate && r->cur_spi_i && (ev->spi_i != r->cur_spi_i || ev->spi_r != r->cur_spi_r);
}

/*
 * A rekey or reauthentication, whichever side started it, is no new tunnel: the engine names the SA a new one
 * replaces (old SPIs in IKE_UP/CHILD_UP) and reports the completed replacement (IKE_REKEYED, CHILD_REKEYED).
 * The CHILD SAs a reauthentication re-creates come up in the replacing IKE SA. True if ev is one of those.
 */
static bool replacement(peer_run *r, const ike_sa_event *ev)
{
	switch (ev->kind) {
	case IKE_EV_IKE_REKEYED:
		r->cur_spi_i = ev->spi_i; /* the survivor, also after a collision */
		r->cur_spi_r = ev->spi_r;
		r->rekeys++;
		(void)peer_acts_event(&r->acts, ev->kind); /* our --rekey-ike-after is done */
		return true;
	case IKE_EV_CHILD_REKEYED:
		r->rekeys++;
		(void)peer_acts_event(&r->acts, ev->kind);
		return true;
	case IKE_EV_IKE_UP:
		if (!ev->old_spi_i && !ev->old_spi_r)
			return false;
		r->repl_spi_i = ev->spi_i;
		r->repl_spi_r = ev->spi_r;
		return true;
	case IKE_EV_CHILD_UP:
		return ev->old_child_spi_in || ev->old_child_spi_out ||
		       (r->repl_spi_i && ev->spi_i == r->repl_spi_i && ev->spi_r == r->repl_spi_r);
	default:
		return false;
	}
}

void peer_host_sa_event(void *ctx, ike_time now, const ike_sa_event *ev)
{
	peer_run *r = ctx;
	peer_cap_sa_event(r->cap, ev);
	if (r->dp_up)
		peer_dp_event(&r->dp, now, ev);
	if (ev->kind == IKE_EV_IKE_UP) {
		r->cur_spi_i = ev->spi_i;
		r->cur_spi_r = ev->spi_r;
	}
	if (replacement(r, ev))
		return;
	if (ev->kind == IKE_EV_IKE_DOWN && replaced_sa(r, ev))
		return;
	(void)peer_acts_event(&r->acts, ev->kind); /* a Delete we asked for: its IKE_DOWN still ends the run */
	switch (ev->kind) {
	case IKE_EV_IKE_UP:
		r->ike_up++;
		r->child_pending = true;
		break;
	case IKE_EV_CHILD_UP:
		r->child_up++;
		r->up_spi_i = ev->spi_i;
		r->up_spi_r = ev->spi_r;
		r->child_pending = false;
		if (r->child_up == 1)
			peer_acts_arm(&r->acts, r->a, now);
		if (r->child_up == 1 && r->a->move_to)
			r->move_at = now + r->a->move_after;
		if (r->a->initiate && r->child_up == 1)
			r->hold_until = now + r->a->hold;
		break;
	case IKE_EV_IKE_DOWN:
		r->pending_deletes--;
		r->done |= r->a->initiate; /* our Delete was answered, or the responder deleted first */
		break;
	case IKE_EV_IKE_FAILED:
		r->pending_deletes--;
		if (r->a->initiate) {
			peer_run_fail(r, "IKE SA failed", ev->notify, ev->why);
			r->done = true; /* an initiator holds just this one IKE SA */
		} else {
			/* The SA we counted as up failed after all (the initiator rejected our AUTH): not a success. */
			if (r->child_up && ev->spi_i == r->up_spi_i && ev->spi_r == r->up_spi_r) {
				r->child_up--;
				r->up_spi_i = r->up_spi_r = 0;
			}
			peer_responder_failed(r, "IKE SA failed", ev->notify, ev->why);
		}
		break;
	default:
		break;
	}
}

/* The engine reports no CHILD failure event: an IKE SA that came up without its CHILD SA is one (IKEv1: once
 * no Quick Mode runs any more). */
void peer_check_child(peer_run *r)
{
	if (!r->child_pending)
		return;
	r->child_pending = false;
	ike_conn_status st;
	ike_peer_conn_status(r->peer, 0, &st);
	if (strcmp(st.child_state, "INSTALLED") == 0) /* a rekeyed IKE SA: its CHILD SAs moved over */
		return;
	/* IKEv1: the IPsec SA comes from a Quick Mode after phase 1; while it runs, look again later */
	if (r->a->ike_version == 1 && (!strcmp(st.child_state, "INSTALLING") || !strcmp(st.child_state, "CREATED") ||
				       (!strcmp(st.child_state, "NONE") && !strcmp(st.ike_state, "ESTABLISHED") && !st.last_error))) {
		r->child_pending = true;
		return;
	}
	if (r->a->initiate)
		peer_run_fail(r, "CHILD SA failed", st.last_error, "IKE SA established without it");
	else
		peer_responder_failed(r, "CHILD SA failed", st.last_error, "IKE SA established without it");
}

/* Like the engine's refusals: 8 dropped datagrams a second are traced, the rest only counted (peer.end has the totals). */
static bool drop_traced(peer_run *r)
{
	if (r->now >= r->drop_window_end) {
		r->drop_window_end = r->now + IKE_NS_PER_SEC;
		r->drop_traced = 0;
	}
	return r->drop_traced++ < PEER_DROP_TRACE_BURST;
}

void peer_drop_dgram(peer_run *r, const char *why, const ike_addr *from, size_t len)
{
	char a[64];
	if (!r->tr || !drop_traced(r))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "why", why);
	ike_host_addr_format(from, a, sizeof(a));
	ike_jsonw_str(&w, "from", a);
	ike_jsonw_int(&w, "size", (int64_t)len);
	peer_trace_host(r, "peer.drop", &w);
}
