/*
 * libFuzzer target: the NAT box (netsim/nat.c). Bytes 0-3 configure it (mapping, filtering, flags,
 * a mapping limit of 1..16, a port range of 1..64 ports so exhaustion is reached, a timeout of 1..256 ms,
 * up to two forwarding rules); then records of 8 bytes each are datagrams: [time step, side|proto,
 * inside/outside host, port, remote host, remote port, what, flags], with a reboot or an explicit expiry
 * now and then. Invariants after every record: live mappings never exceed the limit, counters add up
 * (created = live + expired + flushed), a passed datagram's new addresses are IPv4 and, outbound, leave
 * from a pool address; inbound, it goes to an inside host; the next expiry never lies in the past.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nat.h"

static ike_addr mk(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	ike_addr x;
	memset(&x, 0, sizeof(x));
	x.family = 4;
	x.ip[0] = a;
	x.ip[1] = b;
	x.ip[2] = c;
	x.ip[3] = d;
	x.port = port;
	return x;
}

typedef struct fz {
	uint64_t events;
	int64_t last_at;
} fz;

static void on_event(void *ctx, const sim_nat_event *ev)
{
	fz *f = ctx;
	f->events++;
	if (ev->inside.family != 4 || ev->outside.family != 4)
		abort();
	f->last_at = ev->at;
}

static void check(const sim_nat *n, const sim_nat_cfg *c, int64_t now)
{
	sim_nat_stats st = sim_nat_get_stats(n);
	if (st.live > c->max_mappings || st.peak > c->max_mappings)
		abort(); /* the bound the configuration sets */
	if (st.created != st.live + st.expired + st.flushed)
		abort();
	if (sim_nat_next_expiry(n) <= now) /* everything due by now has gone */
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	sim_nat_cfg c;
	sim_nat_cfg_default(&c);
	c.mapping = (uint8_t)(data[0] % 3);
	c.filtering = (uint8_t)(data[0] / 3 % 3);
	c.refresh_inbound = data[1] & 1;
	c.port_preserve = (data[1] >> 1) & 1;
	c.port_parity = (data[1] >> 2) & 1;
	c.hairpin = (data[1] >> 3) & 1;
	c.n_pool = (uint8_t)(1 + ((data[1] >> 4) & 1));
	c.pool[0] = mk(203, 0, 113, 1, 0);
	c.pool[1] = mk(203, 0, 113, 2, 0);
	c.max_mappings = 1u + (data[2] & 15);
	c.port_lo = 1000;
	c.port_hi = (uint16_t)(1000 + (data[2] >> 2)); /* 1..64 ports */
	c.timeout = (int64_t)(1 + data[3]) * 1000000;
	c.n_fwd = (uint8_t)(data[1] >> 6 & 3) % 3;
	c.fwd[0] = (sim_nat_fwd){ 0, 500, mk(10, 0, 0, 1, 500) };
	c.fwd[1] = (sim_nat_fwd){ (uint8_t)(c.n_pool - 1), 4500, mk(10, 0, 0, 2, 4500) };
	fz f = { 0, 0 };
	sim_nat *n = sim_nat_new(&c, on_event, &f);
	if (!n)
		abort(); /* every configuration above is valid */
	int64_t now = 0;
	for (size_t off = 4; off + 8 <= size; off += 8) {
		const uint8_t *r = data + off;
		now += (int64_t)r[0] * 250000; /* up to 64 ms a step: timeouts are reached */
		uint8_t what = r[6];
		if (what == 0xfe) {
			sim_nat_flush(n, now);
			check(n, &c, now);
			continue;
		}
		if (what == 0xfd) {
			sim_nat_expire(n, now);
			check(n, &c, now);
			continue;
		}
		int side = r[1] & 1;
		uint8_t proto = (r[1] & 2) ? 50 : 17;
		ike_addr in = mk(10, 0, 0, (uint8_t)(r[2] & 7), (uint16_t)(498 + (r[3] & 7)));
		ike_addr rem = mk(198, 51, 100, (uint8_t)(r[4] & 3), (uint16_t)(500 + (r[5] & 3)));
		ike_addr pub = c.pool[r[2] % c.n_pool];
		pub.port = (uint16_t)(r[7] & 1 ? 1000 + (r[3] & 63) : 498 + (r[3] & 7));
		if (r[7] & 2 && r[7] & 4)
			pub.port = 500;
		if (r[7] & 8)
			rem.family = 6; /* ipv6: dropped */
		ike_addr from, to;
		if (side == SIM_NAT_INSIDE) {
			from = in;
			to = (r[7] & 16) ? pub : rem; /* hairpin, or out */
		} else {
			from = rem;
			to = (r[7] & 32) ? mk(10, 0, 0, 9, 500) : pub; /* routed through, or to the box */
		}
		ike_addr f0 = from, t0 = to;
		const char *why = sim_nat_process(n, now, side, proto, &from, &to);
		if (!why) {
			int to_pool = 0;
			for (uint8_t k = 0; k < c.n_pool; k++)
				to_pool |= !memcmp(t0.ip, c.pool[k].ip, 4);
			if (from.family != 4 || to.family != 4 || (proto != 17 && (to_pool || side == SIM_NAT_INSIDE)))
				abort(); /* only UDP is translated; other protocols pass only when routed through */
			if (side == SIM_NAT_INSIDE && !to_pool && memcmp(from.ip, c.pool[0].ip, 4) && memcmp(from.ip, c.pool[1].ip, 4))
				abort(); /* outbound leaves from the pool */
			if (to_pool && to.ip[0] != 10)
				abort(); /* to the box: in to an inside host */
			(void)f0;
		}
		check(n, &c, now);
	}
	sim_nat_free(n);
	return 0;
}
