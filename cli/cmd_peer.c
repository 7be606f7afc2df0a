/*
 * `ikesim peer`: the engine (the very objects the simulator runs) on a real UDP socket. One loop waits
 * in ppoll for a datagram, the engine's next deadline or a signal, feeds the engine, and repeats.
 */
#define _GNU_SOURCE /* ppoll(2): wait for the socket, a deadline or a signal without a lost-wakeup race */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "sigwait.h"
#include "common/jsonw.h"
#include "host/frame.h"
#include "host/names.h"
#include "host/trace.h"
#include "peer.h"
#include "peer_dp.h"
#include "peer_run.h"

/*
 * The only global mutable state: a signal handler can reach nothing else, and it may only write a
 * volatile sig_atomic_t. The loop reads it after every ppoll, where the signal is unblocked.
 */


/* Reads what is waiting on one socket (a bounded burst), sorted by RFC 3948 framing; IKE goes to the engine. */
static void drain(peer_run *r, int fd, const ike_addr *local)
{
	for (int i = 0; i < PEER_RX_BURST; i++) {
		ike_addr from;
		ssize_t n = peer_udp_recv(fd, r->buf, PEER_MAX_DGRAM, &from);
		if (n < 0)
			return;
		size_t off, len = (size_t)n;
		enum ike_host_dgram_kind kind = ike_host_frame_classify(r->buf, len, ike_host_frame_marked(local->port, from.port), &off);
		/* Captured before the engine sees it, so an answer comes after its request in the file (the data
		 * plane captures ESP itself, once it knows whether the packet was dropped). */
		if (kind != IKE_HOST_DG_ESP)
			peer_cap_udp(r->cap, &from, local, r->buf, len,
				     kind == IKE_HOST_DG_RUNT ? "dropped: too short to be IKE or ESP" : NULL);
		switch (kind) {
		case IKE_HOST_DG_IKE:
			ike_peer_input(r->peer, r->now, &from, local, r->buf + off, len - off);
			peer_check_child(r);
			break;
		case IKE_HOST_DG_KEEPALIVE:
			r->n_keepalive++;
			break;
		case IKE_HOST_DG_ESP:
			r->n_esp++;
			peer_dp_esp_in(&r->dp, r->now, r->buf, len, &from, local);
			break;
		case IKE_HOST_DG_RUNT:
			r->n_runt++;
			peer_drop_dgram(r, "datagram too short to be IKE or ESP", &from, len);
			break;
		}
	}
}

/* One turn: wait until a datagram, the engine's deadline, `until` or a signal; then serve what is due. */
static int turn(peer_run *r, ike_time until)
{
	ike_time d = ike_peer_next_deadline(r->peer);
	struct timespec ts, *tp = NULL;
	if (until < d)
		d = until;
	ike_time dp = peer_dp_tick(&r->dp, peer_clock_ns(r)); /* pings due now go out first */
	if (dp < d)
		d = dp;
	r->now = peer_clock_ns(r);
	if (d != IKE_TIME_NEVER) {
		ike_time w = d > r->now ? d - r->now : 0;
		ts = (struct timespec){ (time_t)(w / IKE_NS_PER_SEC), (long)(w % IKE_NS_PER_SEC) };
		tp = &ts;
	}
	struct pollfd pfd[2] = { { .fd = r->fd, .events = POLLIN }, { .fd = r->fd_natt, .events = POLLIN } };
	int n = ppoll(pfd, r->fd_natt >= 0 ? 2 : 1, tp, &r->waitmask);
	if (n < 0 && errno != EINTR)
		return -1;
	r->now = peer_clock_ns(r);
	if (n > 0 && (pfd[0].revents & POLLIN))
		drain(r, r->fd, &r->local_now);
	if (n > 0 && r->fd_natt >= 0 && (pfd[1].revents & POLLIN))
		drain(r, r->fd_natt, &r->natt_local);
	if (ike_peer_next_deadline(r->peer) <= r->now) {
		ike_peer_expire(r->peer, r->now);
		peer_check_child(r);
	}
	(void)peer_dp_tick(&r->dp, r->now);
	return 0;
}

/* With --ping, --hold counts from the end of pinging: the peer's counters can still be read meanwhile. */
static bool holding(peer_run *r)
{
	if (peer_dp_busy(&r->dp))
		return true;
	if (r->dp.ping.active && !r->ping_held) {
		r->ping_held = true;
		r->hold_until = r->now + r->a->hold;
	}
	return r->now < r->hold_until;
}

/* Initiator: after --hold (or a CHILD failure that left the IKE SA up) delete it; done once it is gone. */
static void initiator_step(peer_run *r)
{
	if (r->done || r->deleting ||
	    !(r->failed || (r->child_up && !peer_acts_pending(&r->acts, NULL) && !holding(r))))
		return;
	r->deleting = true;
	r->pending_deletes = ike_peer_delete(r->peer, r->now, 0);
	if (r->pending_deletes <= 0)
		r->done = true;
}

/* The timed actions that are due; a delete makes an initiator wait for its answer, then exit. */
static void run_actions(peer_run *r)
{
	char why[200];
	int deletes = 0;
	if (peer_acts_next(&r->acts) > r->now)
		return;
	if (peer_acts_run(&r->acts, r->peer, r->now, &deletes, why, sizeof(why)) != 0) {
		if (r->a->initiate)
			peer_run_fail(r, "action failed", 0, why);
		else
			peer_responder_failed(r, "action failed", 0, why);
	}
	if (deletes > 0) {
		r->deleting = r->a->initiate;
		r->pending_deletes = deletes;
	}
}

static void timed_out(peer_run *r)
{
	char why[160];
	ike_conn_status st;
	ike_peer_conn_status(r->peer, 0, &st);
	const char *act = NULL;
	if (r->child_up && peer_acts_pending(&r->acts, &act))
		snprintf(why, sizeof(why), "%s did not complete within --timeout %.3g s (IKE SA %s, CHILD SA %s)", act,
			 (double)r->a->timeout / 1e9, st.ike_state, st.child_state);
	else
		snprintf(why, sizeof(why), "no result within --timeout %.3g s (IKE SA %s, CHILD SA %s)",
			 (double)r->a->timeout / 1e9, st.ike_state, st.child_state);
	peer_run_fail(r, "timed out", 0, why);
}

/* --move-to (RFC 4555's trigger on a real host): both sockets move to the new address with their ports, the data
 * plane sends from there, and the engine is told our addresses (an initiator sends UPDATE_SA_ADDRESSES). */
static void move_now(peer_run *r)
{
	char msg[200];
	ike_addr l = r->local_now, n = r->natt_local;
	r->move_at = IKE_TIME_NEVER;
	if (inet_pton(l.family == 6 ? AF_INET6 : AF_INET, r->a->move_to, l.ip) != 1) {
		peer_run_fail(r, "--move-to failed", 0, "not an address");
		return;
	}
	memcpy(n.ip, l.ip, sizeof(n.ip));
	int fd = peer_udp_open(&l, msg, sizeof(msg)), fdn = r->fd_natt >= 0 ? peer_udp_open(&n, msg, sizeof(msg)) : -1;
	if (fd < 0 || (r->fd_natt >= 0 && fdn < 0)) {
		if (fd >= 0)
			close(fd);
		peer_run_fail(r, "--move-to failed", 0, msg);
		return;
	}
	close(r->fd);
	if (r->fd_natt >= 0)
		close(r->fd_natt);
	r->fd = r->dp.fd = fd;
	r->fd_natt = r->dp.fd_natt = fdn;
	r->local_now = r->dp.local = l;
	r->natt_local = n;
	ike_addr mine = l;
	mine.port = 0;
	int updates = ike_peer_addresses_changed(r->peer, r->now, &mine, 1, false);
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "to", r->a->move_to);
	ike_jsonw_int(&w, "updates", updates);
	peer_trace_host(r, "peer.moved", &w);
	peer_check_child(r);
}

static void serve(peer_run *r)
{
	ike_time end = r->a->timeout ? r->a->timeout : IKE_TIME_NEVER;
	if (r->a->initiate && ike_peer_initiate(r->peer, peer_clock_ns(r), 0) != 0)
		peer_run_fail(r, "cannot initiate", 0, "out of memory");
	while (!cli_signal() && !r->done) {
		r->now = peer_clock_ns(r);
		run_actions(r);
		if (r->a->initiate)
			initiator_step(r);
		if (r->done)
			break;
		if (r->now >= end) {
			if (r->a->initiate)
				timed_out(r);
			break;
		}
		ike_time until = end;
		if (r->a->initiate && r->child_up && !r->deleting && r->hold_until < until)
			until = r->hold_until;
		if (peer_acts_next(&r->acts) < until)
			until = peer_acts_next(&r->acts);
		if (r->move_at <= r->now)
			move_now(r);
		if (r->move_at < until)
			until = r->move_at;
		if (turn(r, until) != 0) {
			peer_run_fail(r, "waiting for datagrams failed", 0, strerror(errno));
			break;
		}
	}
	if (cli_signal() && r->a->initiate && !r->child_up)
		peer_run_fail(r, "interrupted", 0, cli_signal() == SIGINT ? "SIGINT before the SAs were up" : "SIGTERM before the SAs were up");
}

/* Deletes what is still established and waits briefly for the answers; a second signal cuts it short. */
static void shutdown_sas(peer_run *r)
{
	cli_signal_clear();
	r->now = peer_clock_ns(r);
	int n = ike_peer_delete(r->peer, r->now, 0);
	if (n > 0) {
		r->deleting = true;
		r->pending_deletes = n;
	} else if (r->done || !r->deleting) {
		r->pending_deletes = 0;
	}
	ike_time end = r->now + PEER_SHUTDOWN_GRACE;
	while (r->pending_deletes > 0 && !cli_signal() && peer_clock_ns(r) < end)
		if (turn(r, end) != 0)
			break;
}

static void trace_end(peer_run *r, const ike_conn_status *st)
{
	ike_jsonw w;
	ike_jsonw_init(&w);
	bool failed = r->failed && (r->a->initiate || !r->child_up);
	ike_jsonw_str(&w, "outcome", failed ? "failed" : r->child_up ? "established" : "nothing established");
	if (failed)
		ike_jsonw_str(&w, "why", r->why);
	if (!r->a->initiate)
		ike_jsonw_int(&w, "failed-attempts", (int64_t)r->n_failed_attempts);
	ike_jsonw_int(&w, "ike-sas", r->ike_up);
	ike_jsonw_int(&w, "child-sas", r->child_up);
	ike_jsonw_int(&w, "rekeys", (int64_t)r->rekeys);
	ike_jsonw_str(&w, "ike-state", st->ike_state);
	ike_jsonw_str(&w, "child-state", st->child_state);
	ike_jsonw_int(&w, "esp-datagrams", (int64_t)r->n_esp);
	peer_dp_trace_end(&r->dp, &w);
	ike_jsonw_int(&w, "runts-dropped", (int64_t)r->n_runt);
	ike_jsonw_int(&w, "keepalives", (int64_t)r->n_keepalive);
	ike_jsonw_int(&w, "keepalives-sent", (int64_t)r->n_keepalive_sent);
	ike_jsonw_int(&w, "send-errors", (int64_t)r->n_send_err);
	r->now = peer_clock_ns(r);
	peer_trace_host(r, "peer.end", &w);
}

static int report(peer_run *r, FILE *out, FILE *err)
{
	char a[64];
	ike_conn_status st;
	ike_peer_conn_status(r->peer, 0, &st);
	ike_peer_flush(r->peer, peer_clock_ns(r));
	r->ping_failed = peer_dp_finish(&r->dp, peer_clock_ns(r)) != 0;
	trace_end(r, &st);
	if (r->failed && (r->a->initiate || !r->child_up)) {
		fprintf(err, "ikesim peer: %s\n", r->why);
		return CLI_ERR;
	}
	if (!r->child_up) {
		char name[40] = "";
		if (st.last_error)
			snprintf(name, sizeof(name), " (last error %s)", ike_host_notify_name(st.last_error, a, sizeof(a)));
		fprintf(err, "ikesim peer: no IKE SA with a CHILD SA was established%s%s\n",
			r->a->timeout ? " before --timeout" : "", name);
		return CLI_ERR;
	}
	ike_host_addr_format(&st.remote, a, sizeof(a));
	fprintf(out, "ikesim peer: %u IKE SA(s) with CHILD SA established, last with %s [%s] [%s]%s\n", r->child_up,
		a, st.selected_ike, st.selected_esp, r->a->initiate ? ", deleted" : "");
	if (r->n_runt)
		fprintf(out, "ikesim peer: dropped %lu runt datagram(s)\n", r->n_runt);
	peer_dp_report(&r->dp, r->n_esp, out);
	if (r->n_failed_attempts)
		fprintf(out, "ikesim peer: %lu other attempt(s) failed; the first one worth reporting: %s\n",
			r->n_failed_attempts, r->why);
	if (r->ping_failed) {
		fprintf(err, "ikesim peer: --ping: %u of %u echo request(s) answered\n", r->dp.ping.answered,
			r->dp.ping.count);
		return CLI_ERR;
	}
	return CLI_OK;
}

static void trace_start(peer_run *r)
{
	char l[64], m[64];
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_int(&w, "schema", IKE_HOST_TRACE_SCHEMA);
	ike_jsonw_str(&w, "role", r->a->initiate ? "initiator" : "responder");
	ike_host_addr_format(&r->conn.local, l, sizeof(l));
	ike_host_addr_format(&r->conn.remote, m, sizeof(m));
	ike_jsonw_str(&w, "local", l);
	ike_jsonw_str(&w, "remote", m);
	if (r->fd_natt >= 0)
		ike_jsonw_int(&w, "natt-port", r->natt_local.port);
	ike_jsonw_bool(&w, "non-esp-marker", ike_host_frame_marked(r->conn.local.port, r->conn.remote.port));
	r->now = 0;
	peer_trace_host(r, "peer.start", &w);
}

/* Crypto, seed, socket, trace, engine: 0, or -1 after one error line. */
static int setup(peer_run *r, FILE *out, FILE *err)
{
	char msg[300];
	uint8_t seed[32];
	r->fd = r->fd_natt = -1;
	if (!(r->crypto = ike_crypto_new())) {
		fprintf(err, "ikesim peer: cannot initialise OpenSSL crypto\n");
		return -1;
	}
	if (peer_os_random(seed, sizeof(seed)) != 0) {
		fprintf(err, "ikesim peer: cannot read the OS random source: %s\n", strerror(errno));
		return -1;
	}
	r->natt_local = r->local_now = r->conn.local;
	r->natt_local.port = peer_natt_local_port(&r->conn);
	r->move_at = IKE_TIME_NEVER;
	bool natt = r->natt_local.port != r->conn.local.port;
	if ((r->fd = peer_udp_open(&r->conn.local, msg, sizeof(msg))) < 0 ||
	    (natt && (r->fd_natt = peer_udp_open(&r->natt_local, msg, sizeof(msg))) < 0) ||
	    (r->a->trace && !(r->tr = ike_host_trace_open(r->a->trace, msg, sizeof(msg)))) ||
	    (r->a->pcap && !(r->cap = peer_cap_open(r->a->pcap, r->a->pcap_classic, r->a->reveal, &r->conn.local, msg,
						    sizeof(msg))))) {
		fprintf(err, "ikesim peer: %s\n", msg);
		return -1;
	}
	if (peer_dp_init(&r->dp, r->a, &r->conn, r->crypto, r->fd, r->tr, out, msg, sizeof(msg)) != 0) {
		fprintf(err, "ikesim peer: %s\n", msg);
		return -1;
	}
	r->dp_up = true;
	r->dp.cap = r->cap;
	r->dp.fd_natt = r->fd_natt;
	r->dp.natt_port = r->natt_local.port;
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	ike_host host = { .ctx = r, .send = peer_host_send, .trace = r->tr ? peer_host_trace : NULL,
			  .sa_event = peer_host_sa_event, .send_raw = peer_host_send_raw };
	ike_peer_cfg pc = { .name = r->a->id, .crypto = r->crypto, .seed = seed, .seed_len = sizeof(seed),
			    .conns = &r->conn, .n_conns = 1, .reveal_keys = r->a->reveal,
			    .cookie_threshold = r->a->cookie_threshold, .cookie_threshold_ip = r->a->cookie_threshold_ip,
			    .block_threshold = r->a->block_threshold, .half_open_limit = r->a->half_open_limit,
			    .half_open_timeout = r->a->half_open_timeout };
	r->buf = malloc(PEER_MAX_DGRAM);
	r->peer = r->buf ? ike_peer_new(&pc, &host) : NULL;
	r->dp.peer = r->peer; /* data limits ask it for CHILD rekeys */
	OPENSSL_cleanse(seed, sizeof(seed));
	if (!r->peer) {
		fprintf(err, "ikesim peer: out of memory\n");
		return -1;
	}
	trace_start(r);
	return 0;
}

static void teardown(peer_run *r, bool ran)
{
	char msg[300];
	ike_peer_free(r->peer);
	if (r->dp_up)
		peer_dp_free(&r->dp);
	/* A failed run's capture is kept too: it shows what went wrong. */
	if (peer_cap_close(r->cap, ran, stderr, msg, sizeof(msg)) != 0)
		fprintf(stderr, "ikesim peer: %s\n", msg);
	if (ike_host_trace_close(r->tr, 1) != 0)
		fprintf(stderr, "ikesim peer: writing the trace %s failed\n", r->a->trace);
	if (r->fd >= 0)
		close(r->fd);
	if (r->fd_natt >= 0)
		close(r->fd_natt);
	if (r->crypto)
		ike_crypto_free(r->crypto);
	peer_cred_files_free(&r->cf);
	free(r->buf);
	free(r);
}

int cli_peer(int argc, char **argv, FILE *out, FILE *err)
{
	peer_args a;
	char msg[300];
	int rc = peer_args_parse(argc, argv, &a, err);
	if (rc != 0) {
		if (rc > 0)
			peer_args_usage(out);
		return rc > 0 ? CLI_OK : CLI_USAGE;
	}
	peer_run *r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(err, "ikesim peer: out of memory\n");
		return CLI_ERR;
	}
	r->a = &a;
	r->fd = r->fd_natt = -1;
	if (peer_psk_load(&a, &r->cf, err, msg, sizeof(msg)) != 0 || peer_xauth_load(&a, &r->cf, err, msg, sizeof(msg)) != 0 ||
	    peer_conn_build(&a, &r->conn, &r->child, &r->cf, msg, sizeof(msg)) != 0) {
		fprintf(err, "ikesim peer: %s\n", msg);
		teardown(r, false);
		return CLI_USAGE;
	}
	if (a.reveal)
		fprintf(err, "WARNING: --reveal-keys: %s will contain secret key material. Teaching use only.\n",
			a.pcap && a.trace ? "the trace and the key tables" : a.pcap ? "the key tables" : "the trace");
	if (setup(r, out, err) != 0) {
		teardown(r, false);
		return CLI_ERR;
	}
	cli_sigstate ss;
	cli_signals_on(&ss, &r->waitmask);
	serve(r);
	shutdown_sas(r);
	cli_signals_off(&ss);
	rc = report(r, out, err);
	teardown(r, true);
	return rc;
}
