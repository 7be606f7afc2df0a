/* `ikesim load`'s sockets: one UDP socket per setup, on the slots --local and --ports describe, under one epoll. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "load_run.h"

static uint32_t ip4(const uint8_t *b) { return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]; }

static int parse_range(const char *text, char *err, size_t errlen, load_run *r)
{
	char a[64], b[64];
	const char *dash = strchr(text, '-');
	size_t la = dash ? (size_t)(dash - text) : strlen(text);
	uint8_t end[4];
	if (la >= sizeof(a) || (dash && strlen(dash + 1) >= sizeof(b))) {
		snprintf(err, errlen, "--local '%s': too long", text);
		return -1;
	}
	memcpy(a, text, la);
	a[la] = 0;
	snprintf(b, sizeof(b), "%s", dash ? dash + 1 : a);
	if (inet_pton(AF_INET, a, r->ip0) != 1 || inet_pton(AF_INET, b, end) != 1 || ip4(end) < ip4(r->ip0) ||
	    ip4(end) - ip4(r->ip0) >= 65536) {
		snprintf(err, errlen, "--local '%s': not an IPv4 address or a range A-B (B >= A, at most 65,536)", text);
		return -1;
	}
	r->n_addrs = ip4(end) - ip4(r->ip0) + 1;
	return 0;
}

int load_net_plan(load_run *r, char *err, size_t errlen)
{
	const load_args *a = r->a;
	if (parse_range(a->local ? a->local : "127.0.0.1", err, errlen, r) != 0)
		return -1;
	uint32_t per = (a->count + r->n_addrs - 1) / r->n_addrs, p = 30000, q;
	q = p + per - 1;
	if (a->ports) {
		char *e1, *e2;
		unsigned long x = strtoul(a->ports, &e1, 10), y = *e1 == '-' ? strtoul(e1 + 1, &e2, 10) : 0;
		if (*e1 != '-' || *e2 || x == 0 || y > 65535 || y < x || a->ports[0] == '-') {
			snprintf(err, errlen, "--ports '%s' is not P-Q (1 <= P <= Q <= 65535)", a->ports);
			return -1;
		}
		p = (uint32_t)x, q = (uint32_t)y;
	}
	if (q > 65535 || (uint64_t)(q - p + 1) * r->n_addrs < a->count) {
		snprintf(err, errlen, "--count %u needs %u source ports per address of --local (%u address(es)); "
			 "--ports %u-%u has %u", a->count, per, r->n_addrs, p, q > 65535 ? 65535 : q,
			 q > 65535 ? 65536 - p : q - p + 1);
		return -1;
	}
	r->port0 = (uint16_t)p;
	r->n_ports = (uint16_t)(q - p + 1);
	return 0;
}

void load_net_addr(const load_run *r, uint32_t i, ike_addr *out)
{
	uint32_t ip = ip4(r->ip0) + i / r->n_ports;
	memset(out, 0, sizeof(*out));
	out->family = 4;
	out->port = (uint16_t)(r->port0 + i % r->n_ports);
	out->ip[0] = (uint8_t)(ip >> 24), out->ip[1] = (uint8_t)(ip >> 16), out->ip[2] = (uint8_t)(ip >> 8);
	out->ip[3] = (uint8_t)ip;
}

int64_t load_net_slot(const load_run *r, const ike_addr *a)
{
	if (a->family != 4 || a->port < r->port0 || a->port - r->port0 >= r->n_ports)
		return -1;
	uint32_t d = ip4(a->ip) - ip4(r->ip0);
	if (ip4(a->ip) < ip4(r->ip0) || d >= r->n_addrs)
		return -1;
	uint64_t i = (uint64_t)d * r->n_ports + (uint32_t)(a->port - r->port0);
	return i < r->n ? (int64_t)i : -1;
}

/* One fd a socket, plus a few for files and epoll. */
static int enough_fds(uint32_t n, char *err, size_t errlen)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)n + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
		snprintf(err, errlen, "--count %u needs %llu open files; the hard limit is %llu (ulimit -Hn)", n,
			 (unsigned long long)want, (unsigned long long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		snprintf(err, errlen, "raising the open-file limit to %llu: %s", (unsigned long long)want, strerror(errno));
		return -1;
	}
	return 0;
}

int load_net_open(load_run *r, char *err, size_t errlen)
{
	char msg[200];
	if (enough_fds(r->n, err, errlen) != 0)
		return -1;
	if ((r->ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		return -1;
	}
	for (uint32_t i = 0; i < r->n; i++) {
		ike_addr l;
		load_net_addr(r, i, &l);
		if ((r->slots[i].fd = peer_udp_open(&l, msg, sizeof(msg))) < 0) {
			snprintf(err, errlen, "setup %u: %s", i, msg);
			return -1;
		}
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
		if (epoll_ctl(r->ep, EPOLL_CTL_ADD, r->slots[i].fd, &ev) != 0) {
			snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

void load_net_close(load_run *r)
{
	for (uint32_t i = 0; r->slots && i < r->n; i++)
		if (r->slots[i].fd >= 0)
			close(r->slots[i].fd);
	if (r->ep >= 0)
		close(r->ep);
}
