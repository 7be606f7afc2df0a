/*
 * `ikesim load`: a real-UDP IKEv2 load generator. One engine peer holds N connections, one per setup, each on
 * its own source port; a loop starts them at --rate with at most --concurrency in flight, feeds the engine
 * what the sockets receive (epoll), runs its timers, and measures each setup from its first IKE_SA_INIT to its
 * CHILD SA. strongSwan's load-tester does the same inside charon; this one is the very engine the simulator runs.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "sigwait.h"
#include "host/frame.h"
#include "host/names.h"
#include "load_run.h"

#define LOAD_DELETE_GRACE (10 * IKE_NS_PER_SEC)
#define LOAD_EPOLL_BATCH 256
#define LOAD_DELETE_BATCH 64
/* Setups started per turn of the loop: between batches the replies that came in are read, so a burst's early
 * setups answer their COOKIEs while the later ones start, as independent clients would (all at once, they
 * waited until every start was done and then hit the gateway's receive buffer in one rush, docs/load.md). */
#define LOAD_START_BATCH 16

static ike_time clock_ns(const load_run *r)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ike_time)(ts.tv_sec - r->t0.tv_sec) * IKE_NS_PER_SEC + (ts.tv_nsec - r->t0.tv_nsec);
}

static void host_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	load_run *r = ctx;
	int64_t i = load_net_slot(r, from);
	size_t n = ike_host_frame_wrap(ike_host_frame_marked(from->port, to->port), data, len, r->tx, sizeof(r->tx));
	if (i < 0 || !n || peer_udp_send(r->slots[i].fd, to, r->tx, n) != 0) {
		r->st.send_errors++;
		return;
	}
	r->st.sent++;
}

/* Only the retransmissions are counted; the engine formats every event, which costs little next to the crypto. */
static void host_trace(void *ctx, ike_time now, const char *ev, const char *fields)
{
	load_run *r = ctx;
	(void)now, (void)fields;
	if (strcmp(ev, "ike.retransmit") == 0)
		r->st.retransmits++;
}

/* A setup ends: established (latency kept) or failed (its reason counted). */
static void finish(load_run *r, uint32_t i, const char *why)
{
	load_slot *s = &r->slots[i];
	if (s->state != LOAD_INFLIGHT)
		return;
	s->state = why ? LOAD_FAILED : LOAD_UP;
	s->ike_up = false;
	r->st.inflight--;
	r->last_done = r->now;
	if (why)
		load_stats_fail(&r->st, why);
	else
		r->st.lat[r->st.n_lat++] = r->now - s->t_start;
}

static int64_t slot_of(const load_run *r, const ike_sa_event *ev)
{
	if (!ev->conn || strncmp(ev->conn, "load-", 5) != 0)
		return -1;
	unsigned long i = strtoul(ev->conn + 5, NULL, 10);
	return i < r->n ? (int64_t)i : -1;
}

static void host_sa_event(void *ctx, ike_time now, const ike_sa_event *ev)
{
	load_run *r = ctx;
	char why[160], name[40];
	int64_t i = slot_of(r, ev);
	(void)now;
	if (i < 0)
		return;
	load_slot *s = &r->slots[i];
	switch (ev->kind) {
	case IKE_EV_IKE_UP:
		s->ike_up = s->state == LOAD_INFLIGHT;
		r->pending = s->ike_up ? i : r->pending;
		break;
	case IKE_EV_CHILD_UP:
		if (!ev->old_child_spi_in && !ev->old_child_spi_out)
			finish(r, (uint32_t)i, NULL);
		break;
	case IKE_EV_CHILD_FAILED:
	case IKE_EV_IKE_FAILED:
		if (ev->notify)
			snprintf(why, sizeof(why), "%s %s", ev->kind == IKE_EV_IKE_FAILED ? "IKE SA:" : "CHILD SA:",
				 ike_host_notify_name(ev->notify, name, sizeof(name)));
		else
			snprintf(why, sizeof(why), "%s %.120s", ev->kind == IKE_EV_IKE_FAILED ? "IKE SA:" : "CHILD SA:",
				 ev->why ? ev->why : "failed");
		finish(r, (uint32_t)i, why);
		if (s->state == LOAD_UP && ev->kind == IKE_EV_IKE_FAILED && r->deletes)
			r->deletes--;
		break;
	case IKE_EV_IKE_DOWN:
		finish(r, (uint32_t)i, "IKE SA deleted before its CHILD SA was up");
		if (r->deletes)
			r->deletes--;
		break;
	default:
		break;
	}
}

/* The engine reports an IKE SA that came up without its CHILD SA by no event of its own: one input's check. */
static void check_child(load_run *r)
{
	if (r->pending < 0)
		return;
	uint32_t i = (uint32_t)r->pending;
	r->pending = -1;
	if (!r->slots[i].ike_up || r->slots[i].state != LOAD_INFLIGHT)
		return;
	ike_conn_status st;
	char why[120], name[40];
	ike_peer_conn_status(r->peer, i, &st);
	snprintf(why, sizeof(why), "CHILD SA: %s",
		 st.last_error ? ike_host_notify_name(st.last_error, name, sizeof(name)) : "not created with the IKE SA");
	finish(r, i, why);
}

/* Starts what --rate and --concurrency allow now, at most LOAD_START_BATCH (the loop comes back at once). */
static void start_due(load_run *r)
{
	const load_args *a = r->a;
	for (int k = 0; k < LOAD_START_BATCH && r->next < r->n && r->st.inflight < a->concurrency; k++) {
		if (a->rate > 0 && r->next > 0 && (double)(r->now - r->first_start) * a->rate / 1e9 < (double)r->next)
			return;
		uint32_t i = r->next++;
		if (i == 0)
			r->first_start = r->now;
		r->slots[i].state = LOAD_INFLIGHT;
		r->slots[i].t_start = r->now;
		r->st.inflight++;
		r->st.started++;
		if (ike_peer_initiate(r->peer, r->now, i) != 0)
			finish(r, i, "cannot initiate (out of memory)");
		check_child(r);
	}
}

/* When start_due may start the next setup; IKE_TIME_NEVER when only a finished setup can make room. */
static ike_time next_start(const load_run *r)
{
	if (r->next >= r->n || r->st.inflight >= r->a->concurrency)
		return IKE_TIME_NEVER;
	if (r->a->rate <= 0)
		return r->now;
	return r->first_start + (ike_time)((double)r->next * 1e9 / r->a->rate);
}

static void drain(load_run *r, uint32_t i)
{
	ike_addr local;
	load_net_addr(r, i, &local);
	for (int k = 0; k < 16; k++) {
		ike_addr from;
		ssize_t n = peer_udp_recv(r->slots[i].fd, r->rx, sizeof(r->rx), &from);
		if (n < 0)
			return;
		size_t off;
		r->st.received++;
		r->now = clock_ns(r); /* each datagram's own time: a burst must not share one latency */
		if (ike_host_frame_classify(r->rx, (size_t)n, ike_host_frame_marked(local.port, from.port), &off) !=
		    IKE_HOST_DG_IKE)
			continue;
		ike_peer_input(r->peer, r->now, &from, &local, r->rx + off, (size_t)n - off);
		check_child(r);
	}
}

/* One wait: a datagram, the engine's deadline, the next start or `until`. -1 when epoll fails. */
static int turn(load_run *r, ike_time until)
{
	struct epoll_event evs[LOAD_EPOLL_BATCH];
	ike_time d = ike_peer_next_deadline(r->peer), s = next_start(r);
	d = s < d ? s : d;
	d = until < d ? until : d;
	r->now = clock_ns(r);
	int ms = d <= r->now ? 0 : d - r->now > 1000 * IKE_NS_PER_SEC ? 1000000 : (int)((d - r->now + 999999) / 1000000);
	int n = epoll_pwait(r->ep, evs, LOAD_EPOLL_BATCH, ms, &r->waitmask);
	if (n < 0 && errno != EINTR)
		return -1;
	r->now = clock_ns(r);
	for (int k = 0; k < n; k++)
		drain(r, evs[k].data.u32);
	if (ike_peer_next_deadline(r->peer) <= r->now) {
		ike_peer_expire(r->peer, r->now);
		check_child(r);
	}
	start_due(r);
	return 0;
}

static void progress(load_run *r, ike_time *next, bool last)
{
	if (r->a->quiet || (!last && r->now < *next))
		return;
	*next = r->now + IKE_NS_PER_SEC;
	fprintf(stderr, "\rload: %.1f s, %u/%u up, %u in flight, %u failed, %llu retransmissions%s",
		(double)r->now / 1e9, r->st.n_lat, r->a->count, r->st.inflight, r->st.failed,
		(unsigned long long)r->st.retransmits, last ? "\n" : "");
	fflush(stderr);
}

static int run(load_run *r, FILE *err)
{
	ike_time end = r->a->timeout, tick = 0;
	r->now = clock_ns(r);
	start_due(r);
	while (!cli_signal() && r->st.n_lat + r->st.failed < r->n && r->now < end) {
		if (turn(r, end) != 0) {
			fprintf(err, "ikesim load: epoll_wait: %s\n", strerror(errno));
			return -1;
		}
		progress(r, &tick, false);
	}
	r->st.duration = (r->st.n_lat + r->st.failed ? r->last_done : r->now) - r->first_start;
	progress(r, &tick, true);
	if (cli_signal())
		fprintf(err, "ikesim load: %s: no more setups started; the report covers what was done\n",
			cli_signal() == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
	r->st.setup_retransmits = r->st.retransmits;
	if (r->a->no_delete)
		return 0;
	/* Leave the gateway as we found it: every established IKE SA deleted, LOAD_DELETE_BATCH at a time (a burst
	 * of all of them overflows a gateway's receive buffer), answers awaited a while. */
	ike_time stop = r->now + LOAD_DELETE_GRACE;
	uint32_t i = 0;
	int first = cli_signal_count();
	while (r->now < stop && cli_signal_count() == first) { /* a second signal stops the deletes too */
		for (; i < r->n && r->deletes < LOAD_DELETE_BATCH; i++)
			if (r->slots[i].state == LOAD_UP && ike_peer_delete(r->peer, r->now, i) > 0)
				r->deletes++;
		if (!r->deletes || turn(r, stop) != 0)
			break;
	}
	return 0;
}

static int build(load_run *r, char *err, size_t errlen)
{
	const load_args *a = r->a;
	r->n = a->count;
	r->pending = -1;
	r->ep = -1;
	if (load_net_plan(r, err, errlen) != 0)
		return -1;
	r->conns = calloc(r->n, sizeof(*r->conns));
	r->names = calloc(r->n, sizeof(*r->names));
	r->slots = calloc(r->n, sizeof(*r->slots));
	r->st.lat = calloc(r->n, sizeof(*r->st.lat));
	if (!r->conns || !r->names || !r->slots || !r->st.lat) {
		snprintf(err, errlen, "out of memory for %u setups", r->n);
		return -1;
	}
	for (uint32_t i = 0; i < r->n; i++) {
		ike_conn_cfg *c = &r->conns[i];
		r->slots[i].fd = -1;
		*c = r->tmpl;
		snprintf(r->names[i], sizeof(r->names[i]), "load-%u", i);
		c->name = r->names[i];
		load_net_addr(r, i, &c->local);
		c->natt_port = c->local.port; /* each setup keeps its own socket */
		c->keepalive = 0;
		c->retransmit = (ike_retransmit_cfg){ (ike_time)(a->rt_base * 1e9), a->rt_factor, (uint8_t)a->rt_tries };
		if (a->id_pattern) {
			char id[IKE_ID_MAX], e[120];
			snprintf(id, sizeof(id), a->id_pattern, i);
			if (ike_id_parse(id, &c->local_id, e, sizeof(e)) != 0 || !c->local_id.type) {
				snprintf(err, errlen, "--local-id-pattern gives '%.100s': %.100s", id, c->local_id.type ? e : "%any");
				return -1;
			}
		}
	}
	return load_net_open(r, err, errlen);
}

static int setup_engine(load_run *r, char *err, size_t errlen)
{
	uint8_t seed[32];
	if (!(r->crypto = ike_crypto_new())) {
		snprintf(err, errlen, "cannot initialise OpenSSL crypto");
		return -1;
	}
	if (peer_os_random(seed, sizeof(seed)) != 0) {
		snprintf(err, errlen, "cannot read the OS random source: %s", strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	ike_host host = { .ctx = r, .send = host_send, .trace = host_trace, .sa_event = host_sa_event };
	ike_peer_cfg pc = { .name = "load", .crypto = r->crypto, .seed = seed, .seed_len = sizeof(seed),
			    .conns = r->conns, .n_conns = r->n };
	r->peer = ike_peer_new(&pc, &host);
	OPENSSL_cleanse(seed, sizeof(seed));
	if (!r->peer) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void teardown(load_run *r)
{
	ike_peer_free(r->peer);
	load_net_close(r);
	if (r->crypto)
		ike_crypto_free(r->crypto);
	peer_cred_files_free(&r->cf);
	free(r->conns);
	free(r->names);
	free(r->slots);
	free(r->st.lat);
	free(r);
}

int cli_load(int argc, char **argv, FILE *out, FILE *err)
{
	load_args a;
	char msg[300];
	int rc = load_args_parse(argc, argv, &a, err);
	if (rc != 0) {
		if (rc > 0)
			load_args_usage(out);
		return rc > 0 ? CLI_OK : CLI_USAGE;
	}
	load_run *r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(err, "ikesim load: out of memory\n");
		return CLI_ERR;
	}
	r->a = &a;
	r->ep = -1;
	if (peer_psk_load(&a.peer, &r->cf, err, msg, sizeof(msg)) != 0 ||
	    peer_conn_build(&a.peer, &r->tmpl, &r->child, &r->cf, msg, sizeof(msg)) != 0 || build(r, msg, sizeof(msg)) != 0) {
		fprintf(err, "ikesim load: %s\n", msg);
		teardown(r);
		return CLI_USAGE;
	}
	msg[0] = '\0';
	cli_sigstate ss; /* a signal stops starting setups, deletes what is up, still reports */
	cli_signals_on(&ss, &r->waitmask);
	int failed = setup_engine(r, msg, sizeof(msg)) != 0 || run(r, err) != 0;
	cli_signals_off(&ss);
	if (failed) {
		if (msg[0]) /* run() says what failed itself */
			fprintf(err, "ikesim load: %s\n", msg);
		teardown(r);
		return CLI_ERR;
	}
	rc = load_stats_report(&r->st, &a, out, msg, sizeof(msg));
	if (rc != 0)
		fprintf(err, "ikesim load: %s\n", msg);
	rc = rc != 0 || r->st.n_lat < a.count || cli_signal() ? CLI_ERR : CLI_OK;
	teardown(r);
	return rc;
}
