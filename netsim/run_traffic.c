/*
 * The hosts' flows: each send builds real inner packets (inner_pkt.c) and hands them to the host's gateway
 * (node_ipsec.c); each packet a gateway delivers is parsed, counted against its flow with its one-way
 * latency, and answered when it is a ping or a request. Hosts sit on their gateway's inside subnet with no
 * delay of their own.
 */
#include <stdlib.h>
#include <string.h>

#include "esp/ip.h"
#include "inner_pkt.h"
#include "run_int.h"

#define PKT_MAX 9000

typedef struct rt_flow {
	runner *r;
	uint32_t idx;
	uint64_t pkts;   /* packets of the sender so far (requests for ping/reqresp): the next seq is pkts + 1 */
	int started;
	sim_flow_result st;
} rt_flow;

struct sim_traffic {
	rt_flow *flows;
	uint8_t pkt[PKT_MAX];
};

static const sim_flow_spec *spec(const rt_flow *f) { return &f->r->sc->flows[f->idx]; }

/* flow.start (start = 1) or flow.stop, on the sender's gateway. */
static void flow_event(rt_flow *f, int64_t now, int start)
{
	const runner *r = f->r;
	const sim_flow_spec *s = spec(f);
	static const char *const kinds[] = { "ping", "udp", "reqresp" };
	char fields[300];
	if (!r->tr && !r->watch)
		return;
	if (start)
		snprintf(fields, sizeof(fields), "\"flow\":\"%s\",\"kind\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"size\":%u",
			 s->name, kinds[s->kind], r->sc->hosts[s->from].name, r->sc->hosts[s->to].name, s->size);
	else
		snprintf(fields, sizeof(fields), "\"flow\":\"%s\",\"sent\":%llu", s->name, (unsigned long long)f->pkts);
	sim_rn_event(f->r, now, r->sc->hosts[s->from].gw, start ? "flow.start" : "flow.stop", fields);
}

/* One packet from host `from` to host `to` of the flow, handed to from's gateway. */
static void emit(rt_flow *f, int64_t now, uint8_t kind, uint32_t from, uint32_t to, uint32_t seq, uint8_t reply,
		 size_t size)
{
	runner *r = f->r;
	const sim_flow_spec *s = spec(f);
	const sim_host_spec *a = &r->sc->hosts[from], *b = &r->sc->hosts[to];
	sim_inner p = { .kind = kind, .src = a->addr, .dst = b->addr, .flow = f->idx, .seq = seq, .reply = reply,
			.sent = now, .echo_id = (uint16_t)(f->idx + 1) };
	uint16_t eph = (uint16_t)(32768 + f->idx % 28000); /* the client's port, fixed per flow */
	if (kind == SIM_IN_TCP) { /* one connection: each request and response continues the byte streams */
		uint32_t iph = a->addr.family == 6 ? 40 : 20, req = s->size - iph - 20, resp = s->resp_size - iph - 20;
		p.tcp_seq = 1 + (seq - 1) * (reply ? resp : req);
		p.tcp_ack = 1 + (reply ? seq * req : (seq - 1) * resp);
	}
	p.src.port = reply ? s->port : eph;
	p.dst.port = reply ? eph : s->port;
	size_t n = sim_inner_build(&p, size, r->traffic->pkt, sizeof(r->traffic->pkt));
	if (!n)
		return;
	f->st.sent++;
	r->last_activity = now;
	sim_ip_output(r, a->gw, now, r->traffic->pkt, n, s->name);
}

static void on_send(void *arg)
{
	rt_flow *f = arg;
	runner *r = f->r;
	const sim_flow_spec *s = spec(f);
	int64_t now = r->be.now(r->be.impl);
	static const uint8_t kinds[] = { SIM_IN_ECHO_REQ, SIM_IN_UDP, SIM_IN_TCP };
	if (!f->started) {
		f->started = 1;
		flow_event(f, now, 1);
	}
	for (uint32_t b = 0; b < s->burst && (!s->count || f->pkts < s->count); b++) {
		f->pkts++;
		emit(f, now, kinds[s->kind], s->from, s->to, (uint32_t)f->pkts, 0, s->size);
	}
	int64_t next = now > INT64_MAX - s->interval ? INT64_MAX : now + s->interval;
	if ((s->count && f->pkts >= s->count) || next >= s->stop || next > r->sc->duration) {
		flow_event(f, now, 0);
		return;
	}
	if (r->be.schedule(r->be.impl, next, on_send, f) != 0)
		r->failed = "out of memory scheduling a flow's next packet";
}

int sim_rt_setup(runner *r)
{
	const sim_scenario *sc = r->sc;
	if (!sc->n_flows)
		return 0;
	if (!(r->traffic = calloc(1, sizeof(*r->traffic))) || !(r->traffic->flows = calloc(sc->n_flows, sizeof(rt_flow))))
		return -1;
	for (uint32_t i = 0; i < sc->n_flows; i++) {
		rt_flow *f = &r->traffic->flows[i];
		*f = (rt_flow){ .r = r, .idx = i, .st = { .lat_min = INT64_MAX } };
		if (sc->flows[i].start <= sc->duration && r->be.schedule(r->be.impl, sc->flows[i].start, on_send, f) != 0)
			return -1;
	}
	return 0;
}

void sim_rt_free(runner *r)
{
	if (!r->traffic)
		return;
	free(r->traffic->flows);
	free(r->traffic);
	r->traffic = NULL;
}

const char *sim_rt_flow_name(const runner *r, const uint8_t *pkt, size_t len)
{
	sim_inner p;
	const char *why;
	if (!r->sc->n_flows || sim_inner_parse(pkt, len, &p, &why) != 0 || p.flow >= r->sc->n_flows)
		return NULL;
	return r->sc->flows[p.flow].name;
}

static int32_t host_at(const runner *r, uint32_t gw, const ike_addr *a)
{
	for (size_t i = 0; i < r->sc->n_hosts; i++) {
		const sim_host_spec *h = &r->sc->hosts[i];
		if (h->gw == gw && h->addr.family == a->family && memcmp(h->addr.ip, a->ip, a->family == 6 ? 16 : 4) == 0)
			return (int32_t)i;
	}
	return -1;
}

int sim_rt_deliver(runner *r, uint32_t node, int64_t now, const uint8_t *pkt, size_t len)
{
	sim_inner p;
	const char *why;
	esp_flow fl;
	ike_addr dst = { 0 };
	if (esp_flow_of(pkt, len, &fl) != ESP_OK)
		return 0;
	dst.family = fl.family;
	memcpy(dst.ip, fl.dst, 16);
	int32_t host = host_at(r, node, &dst);
	if (host < 0)
		return 0;
	r->last_activity = now;
	if (sim_inner_parse(pkt, len, &p, &why) != 0 || !r->traffic || p.flow >= r->sc->n_flows) {
		char f[120];
		snprintf(f, sizeof(f), "\"what\":\"host\",\"host\":\"%s\",\"why\":\"%s\"", r->sc->hosts[host].name,
			 why ? why : "no such flow");
		sim_rn_event(r, now, node, "error", f);
		return 1;
	}
	rt_flow *f = &r->traffic->flows[p.flow];
	const sim_flow_spec *s = spec(f);
	int64_t lat = now - p.sent;
	f->st.delivered++;
	f->st.lat_sum += lat;
	f->st.lat_min = lat < f->st.lat_min ? lat : f->st.lat_min;
	f->st.lat_max = lat > f->st.lat_max ? lat : f->st.lat_max;
	if (p.reply) {
		f->st.replies++;
		return 1;
	}
	if (p.kind == SIM_IN_ECHO_REQ) /* the echo reply carries the request's data back (RFC 792, RFC 4443 4.2) */
		emit(f, now, SIM_IN_ECHO_REPLY, s->to, s->from, p.seq, 1, len);
	else if (p.kind == SIM_IN_TCP)
		emit(f, now, SIM_IN_TCP, s->to, s->from, p.seq, 1, s->resp_size);
	return 1;
}

int sim_rt_collect(runner *r, sim_run_result *res)
{
	if (!r->traffic)
		return 0;
	if (!(res->flows = calloc(r->sc->n_flows, sizeof(*res->flows))))
		return -1;
	for (size_t i = 0; i < r->sc->n_flows; i++) {
		res->flows[i] = r->traffic->flows[i].st;
		if (!res->flows[i].delivered)
			res->flows[i].lat_min = 0;
	}
	return 0;
}
