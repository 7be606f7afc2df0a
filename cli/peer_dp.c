/* `ikesim peer`'s data plane glue: SA events into peer_esp, ESP-in-UDP on the IKE socket, --ping, traces. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/frame.h"
#include "host/names.h"
#include "peer_dp.h"

#define DP_MAX_PKT 65536
#define DP_DROP_TRACE_BURST 8u /* ESP drops traced per second; the rest only counted (peer.end) */

int peer_dp_init(peer_dp *d, const peer_args *a, const ike_conn_cfg *c, const ike_crypto *crypto, int fd,
		 ike_host_trace *tr, FILE *out, char *err, size_t cap)
{
	memset(d, 0, sizeof(*d));
	d->fd = fd;
	d->tr = tr;
	d->node = a->id;
	d->local = c->local;
	d->out = out;
	d->marked = ike_host_frame_marked(c->local.port, c->remote.port);
	if (peer_ping_init(&d->ping, a, &c->children[0], err, cap) != 0)
		return -1;
	if (d->ping.active && !d->marked) {
		snprintf(err, cap, "--ping: ESP needs UDP encapsulation on ports other than 500 (RFC 3948 framing); "
				   "this peer sends no raw ESP");
		peer_ping_free(&d->ping);
		return -1;
	}
	d->rx = malloc(2 * (size_t)DP_MAX_PKT); /* inner packet, then the reply built from it */
	d->tx = malloc(DP_MAX_PKT);
	if (!d->rx || !d->tx || !(d->esp = peer_esp_new(crypto))) {
		snprintf(err, cap, "out of memory");
		peer_dp_free(d);
		return -1;
	}
	return 0;
}

void peer_dp_free(peer_dp *d)
{
	peer_esp_free(d->esp);
	peer_ping_free(&d->ping);
	free(d->rx);
	free(d->tx);
	d->esp = NULL;
	d->rx = d->tx = NULL;
}

static void trace(peer_dp *d, ike_time now, const char *ev, ike_jsonw *w)
{
	if (d->tr)
		ike_host_trace_event(d->tr, now, d->node, ev, w->buf);
}

static void trace_sa(peer_dp *d, ike_time now, const char *action, uint32_t in, uint32_t out, const char *why)
{
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "action", action);
	ike_jsonw_spi(&w, "spi-in", in);
	ike_jsonw_spi(&w, "spi-out", out);
	ike_jsonw_int(&w, "child-sas", (int64_t)peer_esp_children(d->esp));
	if (why)
		ike_jsonw_str(&w, "why", why);
	trace(d, now, "esp.sa", &w);
}

void peer_dp_event(peer_dp *d, ike_time now, const ike_sa_event *ev)
{
	char why[200];
	switch (ev->kind) {
	case IKE_EV_CHILD_UP:
		if (peer_esp_child_up(d->esp, ev, why, sizeof(why)) != 0) {
			trace_sa(d, now, "refused", ev->child_spi_in, ev->child_spi_out, why);
			break;
		}
		trace_sa(d, now, "installed", ev->child_spi_in, ev->child_spi_out, NULL);
		peer_ping_start(&d->ping, now);
		break;
	case IKE_EV_CHILD_DOWN:
		if (peer_esp_child_down(d->esp, ev->child_spi_in) == 0)
			trace_sa(d, now, "removed", ev->child_spi_in, ev->child_spi_out, NULL);
		break;
	case IKE_EV_IKE_UP:
		peer_esp_ike_up(d->esp, ev);
		break;
	case IKE_EV_IKE_DOWN:
	case IKE_EV_IKE_FAILED:
		if (peer_esp_ike_down(d->esp, ev))
			trace_sa(d, now, "removed", ev->child_spi_in, ev->child_spi_out, "its IKE SA is gone");
		break;
	default:
		break;
	}
}

/* Like the engine's refusals: DP_DROP_TRACE_BURST drops a second are traced. */
static void trace_drop(peer_dp *d, ike_time now, const char *dir, const char *why, uint32_t spi, size_t len)
{
	if (!d->tr)
		return;
	if (now >= d->drop_window) {
		d->drop_window = now + IKE_NS_PER_SEC;
		d->traced_drops = 0;
	}
	if (d->traced_drops++ >= DP_DROP_TRACE_BURST)
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "dir", dir);
	ike_jsonw_str(&w, "why", why);
	if (spi)
		ike_jsonw_spi(&w, "spi", spi);
	ike_jsonw_int(&w, "size", (int64_t)len);
	trace(d, now, "esp.drop", &w);
}

/* An outbound SA reached a data limit: esp.expire, and at the first limit a CHILD rekey asked of the engine
 * with that limit as its reason (as a kernel's expire message makes charon rekey). */
static void expired(peer_dp *d, ike_time now)
{
	peer_esp_expiry x;
	if (!peer_esp_take_expiry(d->esp, &x))
		return;
	static const char *const whys[] = { "none", "packets", "bytes", "seq" };
	int got = -1;
	if (x.first && d->peer) {
		got = ike_peer_rekey_child_why(d->peer, now, 0, 0, x.why);
		d->rekeys_asked += got > 0;
	}
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_spi(&w, "spi", x.spi_out);
	ike_jsonw_str(&w, "limit", x.level == ESP_EXPIRY_HARD ? "hard" : "soft");
	ike_jsonw_str(&w, "reason", whys[x.why < 4 ? x.why : 0]);
	ike_jsonw_int(&w, "packets", (int64_t)x.packets);
	ike_jsonw_int(&w, "bytes", (int64_t)x.bytes);
	ike_jsonw_str(&w, "rekey", !x.first ? "already asked" : got > 0 ? "asked" : "no IKE SA to rekey on");
	trace(d, now, "esp.expire", &w);
}

/* One inner packet out through its CHILD SA, ESP-in-UDP to the IKE SA's peer address. */
static void send_inner(peer_dp *d, ike_time now, const uint8_t *pkt, size_t len)
{
	uint8_t *esp = d->tx;
	size_t n = 0;
	ike_addr to;
	esp_status s = peer_esp_output(d->esp, pkt, len, esp, DP_MAX_PKT, &n, &to);
	expired(d, now);
	if (s != ESP_OK)
		trace_drop(d, now, "out", s == ESP_E_NO_SA ? "no CHILD SA covers the packet" : esp_status_name(s), 0, len);
	else if (peer_udp_send(d->fd, &to, esp, n) != 0) {
		char why[120];
		snprintf(why, sizeof(why), "not sent: %s", strerror(errno));
		d->send_errors++;
		trace_drop(d, now, "out", why, esp_packet_spi(esp, n), n);
		peer_cap_udp(d->cap, &d->local, &to, esp, n, why);
	} else {
		peer_cap_udp(d->cap, &d->local, &to, esp, n, NULL);
	}
}

static void trace_ping(peer_dp *d, ike_time now, const char *ev, uint16_t seq, ike_time rtt)
{
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_int(&w, "seq", seq);
	if (rtt >= 0)
		ike_jsonw_int(&w, "rtt-us", rtt / 1000);
	trace(d, now, ev, &w);
}

void peer_dp_esp_in(peer_dp *d, ike_time now, const uint8_t *dgram, size_t len, const ike_addr *from)
{
	char why[80];
	uint8_t *in = d->rx;
	size_t n = 0, rl = 0;
	uint32_t spi = 0;
	uint16_t seq = 0;
	ike_time rtt = -1;
	int s = peer_esp_input(d->esp, dgram, len, in, DP_MAX_PKT, &n, &spi);
	snprintf(why, sizeof(why), "dropped: ESP %s", peer_esp_status_name(s));
	peer_cap_udp(d->cap, from, &d->local, dgram, len, s == ESP_OK ? NULL : why);
	if (s != ESP_OK) {
		trace_drop(d, now, "in", peer_esp_status_name(s), spi, len);
		return;
	}
	enum peer_ping_rx k = peer_ping_rx(&d->ping, now, in, n, in + DP_MAX_PKT, DP_MAX_PKT, &rl, &seq, &rtt);
	if (k == PEER_PING_RX_REQUEST) {
		trace_ping(d, now, "ping.answered", seq, -1);
		send_inner(d, now, in + DP_MAX_PKT, rl);
	} else if (k == PEER_PING_RX_REPLY || k == PEER_PING_RX_DUP) {
		trace_ping(d, now, k == PEER_PING_RX_REPLY ? "ping.reply" : "ping.duplicate", seq, rtt);
		if (d->ping.done)
			(void)peer_dp_finish(d, now); /* the last answer: say so while the SAs are still up */
	} else {
		d->unconsumed++; /* delivered, but nothing here consumes it (no TUN device behind this peer) */
	}
}

ike_time peer_dp_tick(peer_dp *d, ike_time now)
{
	uint8_t pkt[256];
	uint16_t seq = 0;
	size_t n;
	while ((n = peer_ping_due(&d->ping, now, pkt, sizeof(pkt), &seq)) > 0) {
		trace_ping(d, now, "ping.sent", seq, -1);
		send_inner(d, now, pkt, n);
	}
	if (d->ping.done)
		(void)peer_dp_finish(d, now);
	return peer_ping_next(&d->ping);
}

bool peer_dp_busy(const peer_dp *d) { return d->ping.active && !d->ping.done; }

int peer_dp_finish(peer_dp *d, ike_time now)
{
	char line[200];
	if (!d->ping.active)
		return 0;
	peer_ping_summary(&d->ping, line, sizeof(line));
	if (!d->summary_printed) {
		/* printed as soon as pinging ends, so a script can wait for it while the SAs stay up */
		fprintf(d->out, "%s\n", line);
		fflush(d->out);
		d->summary_printed = true;
		ike_jsonw w;
		ike_jsonw_init(&w);
		ike_jsonw_int(&w, "sent", d->ping.sent);
		ike_jsonw_int(&w, "answered", d->ping.answered);
		ike_jsonw_str(&w, "summary", line);
		trace(d, now, "ping.done", &w);
	}
	return d->ping.sent == d->ping.count && d->ping.answered == d->ping.count ? 0 : -1;
}

void peer_dp_trace_end(const peer_dp *d, ike_jsonw *w)
{
	const peer_esp_stats *s = peer_esp_stats_of(d->esp);
	ike_jsonw_int(w, "esp-in", (int64_t)s->in_packets);
	ike_jsonw_int(w, "esp-out", (int64_t)s->out_packets);
	for (int i = 1; i < PEER_ESP_N_STATUS; i++) {
		char k[40];
		if (s->in_drops[i]) {
			snprintf(k, sizeof(k), "esp-in-%s", peer_esp_status_name(i));
			ike_jsonw_int(w, k, (int64_t)s->in_drops[i]);
		}
		if (s->out_drops[i]) {
			snprintf(k, sizeof(k), "esp-out-%s", peer_esp_status_name(i));
			ike_jsonw_int(w, k, (int64_t)s->out_drops[i]);
		}
	}
	if (d->ping.active)
		ike_jsonw_int(w, "pings-answered", d->ping.answered);
	if (d->rekeys_asked)
		ike_jsonw_int(w, "data-rekeys-asked", (int64_t)d->rekeys_asked);
	ike_jsonw_int(w, "echo-requests-answered", (int64_t)d->ping.echo_answered);
	if (d->unconsumed)
		ike_jsonw_int(w, "inner-unused", (int64_t)d->unconsumed); /* opened fine, but not ICMP echo for us */
	if (d->send_errors)
		ike_jsonw_int(w, "esp-send-errors", (int64_t)d->send_errors);
}

void peer_dp_report(const peer_dp *d, unsigned long received, FILE *out)
{
	const peer_esp_stats *s = peer_esp_stats_of(d->esp);
	char why[300] = "";
	size_t n = 0;
	uint64_t dropped = 0;
	if (!received && !s->out_packets)
		return;
	for (int i = 1; i < PEER_ESP_N_STATUS; i++)
		if (s->in_drops[i] && n < sizeof(why)) {
			dropped += s->in_drops[i];
			n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%s %llu", n ? ", " : " (", peer_esp_status_name(i),
					      (unsigned long long)s->in_drops[i]);
		}
	fprintf(out, "ikesim peer: ESP-in-UDP: %lu received, %llu opened, %llu dropped%s%s; %llu sent\n", received,
		(unsigned long long)s->in_packets, (unsigned long long)dropped, why, n ? ")" : "",
		(unsigned long long)s->out_packets);
}
