/*
 * A node's UDP receive buffer and receiver thread (docs/cpu.md, "rcvbuf" and "receiver"): in strongSwan one
 * receiver thread reads every datagram from the kernel's socket buffer, answers what needs no state (a COOKIE,
 * a block_threshold or init_limit_half_open drop) and only then queues a job for the workers. Datagrams that
 * find their socket's buffer full are dropped by the kernel (`cpu.drop`, why "rcvbuf"). The receiver reads one
 * datagram at a time, first in first out, each costing it `costs.receiver` of virtual time; at the end of that
 * time it asks the engine (ike_peer_screen) and either the answer leaves or the datagram becomes a job
 * (sim_cpu_enqueue). Without "receiver" (and "rcvbuf") none of this exists and datagrams go straight to the
 * job queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/frame.h"
#include "metrics.h"
#include "run_int.h"
#include "wire/v1.h"
#include "wire/v2.h"

#define RX_SOCKS 8 /* local ports with a buffer of their own (charon: 500 and 4500); more share the last */

typedef struct rx_dg {
	struct rx_dg *next;
	ike_addr from, to;
	uint32_t truesize;
	uint8_t sock;
	size_t len;
	uint8_t data[];
} rx_dg;

typedef struct sim_node_rx {
	rnode *n;
	const sim_cpu_spec *spec;
	rx_dg *head, *tail;  /* the socket buffers' datagrams in arrival order */
	rx_dg *reading;      /* the receiver's datagram; its end event is pending */
	uint32_t epoch;      /* bumped by a reboot: a read under way then ends without effect */
	size_t pending;      /* new IKE_SA_INIT requests queued as jobs and not yet started (half-open to strongSwan) */
	uint16_t port[RX_SOCKS];
	uint64_t used[RX_SOCKS]; /* bytes charged to each socket now */
	uint8_t n_socks;
	uint64_t drops, screened, reads, peak;
	int64_t busy;
} sim_node_rx;

/*
 * What Linux charges a UDP socket for a datagram that came over loopback (skb->truesize), from the sk_buff
 * allocation: the UDP payload plus UDP, IP, link header room and alignment slack (59 bytes), cache-line
 * aligned, plus the shared info (320), in the small-head cache (576) or a power-of-two kmalloc bucket, plus the
 * sk_buff itself (256). Checked on this machine (kernel 6.18, tests/load/rcvbuf_probe.py): payloads of 0..197
 * bytes cost 832, 198..645 cost 1280, 646..1669 cost 2304, and floor(rcvbuf / truesize) of them fit.
 */
uint32_t sim_rx_truesize(size_t payload)
{
	size_t need = ((payload + 59 + 63) & ~(size_t)63) + 320, head = 576;
	if (need > head)
		for (head = 1024; head < need; head <<= 1)
			;
	return (uint32_t)(head + 256);
}

static int64_t now_of(const runner *r) { return r->be.now(r->be.impl); }

static bool v2_init_request(const uint8_t *d, size_t len)
{
	return len >= 28 && (d[17] >> 4) == 2 && d[18] == 34 && !(d[19] & 0x20);
}

static uint8_t sock_of(sim_node_rx *x, uint16_t port)
{
	for (uint8_t k = 0; k < x->n_socks; k++)
		if (x->port[k] == port)
			return k;
	if (x->n_socks == RX_SOCKS)
		return RX_SOCKS - 1;
	x->port[x->n_socks] = port;
	return x->n_socks++;
}

static void rx_drop(sim_node_rx *x, int64_t now, const uint8_t *d, size_t len, uint8_t sock, uint32_t truesize)
{
	char f[200];
	x->drops++;
	const char *e = len < 28 ? "?" : (d[17] >> 4) == 1 ? v1_exchange_name(d[18]) : v2_exchange_name(d[18]);
	snprintf(f, sizeof(f), "\"why\":\"rcvbuf\",\"port\":%u,\"bytes\":%llu,\"truesize\":%u,\"exchange\":\"%s\"",
		 x->port[sock], (unsigned long long)x->used[sock], truesize, e);
	sim_rn_event(x->n->r, now, x->n->idx, "cpu.drop", f);
}

static void rx_next(sim_node_rx *x, int64_t now);

/* The receiver has read a datagram: the engine settles it now, or it waits for a worker. */
static void rx_done(void *arg)
{
	sim_node_rx *x = arg;
	rnode *n = x->n;
	int64_t now = now_of(n->r);
	rx_dg *g = x->reading;
	x->reading = NULL;
	if (g && g->sock == UINT8_MAX) { /* read before a reboot: the process that read it is gone */
		free(g);
		g = NULL;
	}
	if (g) {
		n->r->last_activity = now;
		if (ike_peer_screen(n->peer, now, &g->from, &g->to, g->data, g->len, x->pending)) {
			x->screened++;
			sim_rn_rearm(n); /* the engine's count of refusals may have armed its report */
		} else {
			bool init = v2_init_request(g->data, g->len);
			x->pending += init; /* before the hand-off: an idle core takes the job (sim_rx_taken) at once */
			if (!sim_cpu_enqueue(n, now, &g->from, &g->to, g->data, g->len))
				x->pending -= init;
		}
		free(g);
	}
	rx_next(x, now);
}

/* An idle receiver takes the oldest datagram: it leaves the socket buffer now, its read takes costs.receiver. */
static void rx_next(sim_node_rx *x, int64_t now)
{
	rx_dg *g = x->head;
	if (x->reading || !g)
		return;
	if (!(x->head = g->next))
		x->tail = NULL;
	x->used[g->sock] -= g->truesize;
	x->reading = g;
	x->reads++;
	int64_t cost = x->spec->costs.receiver;
	x->busy += cost;
	if (x->n->r->be.schedule(x->n->r->be.impl, now + cost, rx_done, x) != 0) {
		x->n->r->failed = "out of memory scheduling the receiver's read";
		x->reading = NULL;
		free(g);
	}
}

bool sim_rx_datagram(rnode *n, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len)
{
	sim_node_rx *x = n->r->rx ? n->r->rx[n->idx] : NULL;
	if (!x)
		return false;
	if (n->r->metrics)
		sim_metrics_tick(n->r->metrics, now);
	uint8_t sock = sock_of(x, to->port);
	/* the kernel saw the UDP payload: the IKE message and, beside ESP-in-UDP, its 4-byte non-ESP marker */
	size_t payload = len + (ike_host_frame_marked(to->port, from->port) ? IKE_HOST_MARKER_LEN : 0);
	uint32_t ts = sim_rx_truesize(payload);
	/* Linux (udp.c, __udp_enqueue_schedule_skb) refuses what would exceed sk_rcvbuf, but an empty buffer
	 * always takes one datagram (checked here too: a 2,304-byte buffer holds one 8,448-byte datagram). */
	if (x->spec->rcvbuf && x->used[sock] && x->used[sock] + ts > x->spec->rcvbuf) {
		rx_drop(x, now, d, len, sock, ts);
		return true;
	}
	rx_dg *g = malloc(sizeof(*g) + len);
	if (!g) {
		n->r->failed = "out of memory holding a received datagram";
		return true;
	}
	*g = (rx_dg){ .from = *from, .to = *to, .truesize = ts, .sock = sock, .len = len };
	memcpy(g->data, d, len);
	if (x->tail)
		x->tail->next = g;
	else
		x->head = g;
	x->tail = g;
	if ((x->used[sock] += ts) > x->peak)
		x->peak = x->used[sock];
	rx_next(x, now);
	return true;
}

void sim_rx_taken(rnode *n, const uint8_t *d, size_t len)
{
	sim_node_rx *x = n->r->rx ? n->r->rx[n->idx] : NULL;
	if (x && x->pending && v2_init_request(d, len))
		x->pending--;
}

void sim_rx_reboot(rnode *n)
{
	sim_node_rx *x = n->r->rx ? n->r->rx[n->idx] : NULL;
	if (!x)
		return;
	for (rx_dg *g = x->head, *nx; g; g = nx) {
		nx = g->next;
		free(g);
	}
	x->head = x->tail = NULL;
	memset(x->used, 0, sizeof(x->used));
	x->pending = 0;
	if (x->reading)
		x->reading->sock = UINT8_MAX; /* its end event comes and finds it void */
}

int sim_rx_setup(runner *r)
{
	for (uint32_t i = 0; i < r->sc->n_nodes; i++) {
		const sim_cpu_spec *s = r->sc->nodes[i].cpu;
		if (!s || !s->receiver)
			continue;
		if (!r->rx && !(r->rx = calloc(r->sc->n_nodes, sizeof(*r->rx))))
			return -1;
		if (!(r->rx[i] = calloc(1, sizeof(**r->rx))))
			return -1;
		r->rx[i]->n = &r->nodes[i];
		r->rx[i]->spec = s;
	}
	return 0;
}

void sim_rx_free(runner *r)
{
	for (uint32_t i = 0; r->rx && i < r->sc->n_nodes; i++) {
		sim_node_rx *x = r->rx[i];
		if (!x)
			continue;
		sim_rx_reboot(x->n);
		free(x->reading);
		free(x);
	}
	free(r->rx);
	r->rx = NULL;
}

void sim_rx_collect(const runner *r, sim_run_result *res)
{
	for (uint32_t i = 0; r->rx && res->cpu_nodes && i < r->sc->n_nodes; i++) {
		const sim_node_rx *x = r->rx[i];
		if (!x)
			continue;
		sim_cpu_stats *s = &res->cpu_nodes[i];
		s->receiver = true;
		s->drops += x->drops;
		s->rcvbuf_drops = x->drops;
		s->rx_reads = x->reads;
		s->rx_screened = x->screened;
		s->rx_busy = x->busy;
		s->rcvbuf_peak = x->peak;
	}
}
