/*
 * udp_blast: sends COUNT reproducible junk datagrams to one loopback UDP port, for the interop run's
 * fuzz-then-charon row (tests/interop/README.md). Plain POSIX sockets, no dependencies.
 *
 *   udp_blast NETNS ADDR PORT COUNT SEED [BURST [PAUSE_US]]
 *
 * ADDR must be an IPv4 loopback address (127.0.0.0/8) and the process must already run inside the
 * network namespace NETNS (a name under /run/netns, or a path), i.e. under `ip netns exec NETNS`:
 * it refuses anything else. Each
 * datagram is 0..1500 bytes and one of: random bytes; the 4-byte non-ESP marker and a plausible IKEv2
 * header (random SPIs, exchange, flags, message ID, length), then random payload bytes; a single 0xFF
 * keepalive. After every BURST datagrams (default 16) it pauses PAUSE_US microseconds (default 1000) and
 * reads any answers. Last line: "udp_blast: sent N ...". Exit 0 when all were sent, 1 on a send error
 * (e.g. the port closed), 2 on bad arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define UB_MAX_LEN 1500
#define UB_MAX_COUNT 1000000UL
#define UB_MARKER 4
#define UB_HDR 28

/* splitmix64: a seed of 0 is as good as any other, and the stream depends only on the seed. */
static uint64_t ub_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint32_t ub_below(uint64_t *s, uint32_t n) { return (uint32_t)(ub_next(s) % n); }

static void ub_fill(uint64_t *s, uint8_t *d, size_t len)
{
	for (size_t i = 0; i < len; i++)
		d[i] = (uint8_t)ub_next(s);
}

static void ub_put32(uint8_t *d, uint32_t v)
{
	d[0] = (uint8_t)(v >> 24), d[1] = (uint8_t)(v >> 16), d[2] = (uint8_t)(v >> 8), d[3] = (uint8_t)v;
}

/* Marker + IKEv2 header (RFC 7296 3.1) with mostly plausible fields, so the datagram reaches the parser. */
static size_t ub_ike_shaped(uint64_t *s, uint8_t *d)
{
	/* One in ten is cut inside the header: the parser's length checks get a turn too. */
	size_t len = ub_below(s, 10) == 0 ? UB_MARKER + ub_below(s, UB_HDR)
					  : UB_MARKER + UB_HDR + ub_below(s, UB_MAX_LEN - UB_MARKER - UB_HDR + 1);
	ub_fill(s, d, len);
	memset(d, 0, UB_MARKER);
	if (len < UB_MARKER + UB_HDR)
		return len;
	uint8_t *h = d + UB_MARKER;
	uint32_t ike_len = (uint32_t)(len - UB_MARKER);
	/* SPIs stay random (bytes 0..15); half the time SPIr is zero, as in an IKE_SA_INIT request. */
	if (ub_below(s, 2))
		memset(h + 8, 0, 8);
	static const uint8_t first[] = { 0, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 53 };
	if (ub_below(s, 4))
		h[16] = first[ub_below(s, sizeof(first))];
	if (ub_below(s, 10))
		h[17] = 0x20; /* version 2.0 */
	if (ub_below(s, 5))
		h[18] = (uint8_t)(34 + ub_below(s, 4)); /* IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL */
	static const uint8_t flags[] = { 0x08, 0x20, 0x28, 0x00, 0x10 };
	if (ub_below(s, 4))
		h[19] = flags[ub_below(s, sizeof(flags))];
	if (ub_below(s, 2))
		ub_put32(h + 20, ub_below(s, 4)); /* small message IDs, else random */
	switch (ub_below(s, 5)) {
	case 0:
		ike_len = ub_below(s, 2000); /* anything */
		break;
	case 1:
		ike_len = ike_len + ub_below(s, 9) - 4; /* off by a little either way */
		break;
	default:
		break; /* exact */
	}
	ub_put32(h + 24, ike_len);
	size_t room = len - UB_MARKER - UB_HDR;
	switch (ub_below(s, 3)) {
	case 0: { /* one generic payload header (RFC 7296 3.2) whose length mostly fits the rest */
		if (room < 4)
			break;
		uint8_t *p = h + UB_HDR;
		p[0] = first[ub_below(s, sizeof(first))];
		p[1] = ub_below(s, 4) ? 0 : 0x80; /* critical bit now and then */
		uint32_t plen = ub_below(s, 3) ? (uint32_t)room : ub_below(s, (uint32_t)room + 1);
		p[2] = (uint8_t)(plen >> 8), p[3] = (uint8_t)plen;
		break;
	}
	case 1: { /* a well-formed chain of 1..6 payloads with random bodies: the payload parsers get a turn */
		size_t off = UB_HDR, left = room;
		int n = 1 + (int)ub_below(s, 6);
		uint8_t *prev_next = h + 16;
		for (int i = 0; i < n && left >= 4; i++) {
			size_t plen = i == n - 1 ? left : 4 + ub_below(s, (uint32_t)(left - 4 + 1));
			*prev_next = first[1 + ub_below(s, sizeof(first) - 1)];
			h[off + 1] = 0;
			h[off + 2] = (uint8_t)(plen >> 8), h[off + 3] = (uint8_t)plen;
			prev_next = h + off;
			off += plen, left -= plen;
		}
		*prev_next = 0; /* last payload: no next */
		break;
	}
	default:
		break; /* random bytes after the header */
	}
	return len;
}

/* One junk datagram into d; kind[0..2] counts random / IKE-shaped / keepalive. */
static size_t ub_make(uint64_t *s, uint8_t *d, unsigned long kind[3])
{
	uint32_t r = ub_below(s, 100);
	if (r < 2) {
		kind[2]++;
		d[0] = 0xFF;
		return 1;
	}
	if (r < 45) {
		kind[1]++;
		return ub_ike_shaped(s, d);
	}
	kind[0]++;
	size_t len = ub_below(s, UB_MAX_LEN + 1);
	ub_fill(s, d, len);
	return len;
}

/* 1 if this process runs in the network namespace NETNS: the junk must stay inside the harness's one. */
static int ub_in_netns(const char *netns)
{
	char path[512];
	struct stat self, want;
	/* A bare name is what `ip netns add` made under /run/netns; anything with a slash is a path. */
	if (snprintf(path, sizeof(path), "%s%s", strchr(netns, '/') ? "" : "/run/netns/", netns) >= (int)sizeof(path))
		return 0;
	if (stat("/proc/self/ns/net", &self) != 0 || stat(path, &want) != 0)
		return 0;
	return self.st_dev == want.st_dev && self.st_ino == want.st_ino;
}

static int ub_number(const char *arg, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-' || v > max)
		return -1;
	*out = v;
	return 0;
}

static void ub_pause(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	uint64_t port, count, seed, burst = 16, pause_us = 1000;
	struct sockaddr_in to = { .sin_family = AF_INET };
	if (argc < 6 || argc > 8 || inet_pton(AF_INET, argv[2], &to.sin_addr) != 1 || ub_number(argv[3], 65535, &port) ||
	    port == 0 || ub_number(argv[4], UB_MAX_COUNT, &count) || ub_number(argv[5], UINT64_MAX, &seed) ||
	    (argc > 6 && (ub_number(argv[6], 100000, &burst) || burst == 0)) ||
	    (argc > 7 && ub_number(argv[7], 1000000, &pause_us))) {
		fprintf(stderr,
			"usage: udp_blast NETNS ADDR PORT COUNT SEED [BURST [PAUSE_US]]  (ADDR in 127.0.0.0/8, COUNT <= %lu)\n",
			UB_MAX_COUNT);
		return 2;
	}
	if ((ntohl(to.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "udp_blast: %s is not a loopback address; refusing\n", argv[2]);
		return 2;
	}
	if (!ub_in_netns(argv[1])) {
		fprintf(stderr, "udp_blast: not running inside network namespace %s (use ip netns exec); refusing\n", argv[1]);
		return 2;
	}
	to.sin_port = htons((uint16_t)port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	/* Connected, so a closed port (the peer died) shows up as ECONNREFUSED on a later send. */
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0) {
		fprintf(stderr, "udp_blast: socket/connect: %s\n", strerror(errno));
		return 1;
	}
	uint8_t d[UB_MAX_LEN], in[65536];
	unsigned long kind[3] = { 0, 0, 0 }, sent = 0, replies = 0, errors = 0;
	int first_err = 0;
	uint64_t s = seed;
	for (uint64_t k = 0; k < count; k++) {
		size_t len = ub_make(&s, d, kind);
		ssize_t n;
		/* A full socket buffer is back-pressure, not a failure: wait and send the same datagram again. */
		for (int tries = 0; (n = send(fd, d, len, 0)) < 0 && (errno == ENOBUFS || errno == EAGAIN) && tries < 100; tries++)
			ub_pause(1000);
		if (n == (ssize_t)len) {
			sent++;
		} else {
			if (!first_err)
				first_err = n < 0 ? errno : EMSGSIZE;
			errors++;
		}
		if ((k + 1) % burst == 0 || k + 1 == count) {
			ub_pause((long)pause_us);
			while (recv(fd, in, sizeof(in), MSG_DONTWAIT) >= 0)
				replies++;
			/* recv consumes a pending ICMP error, so it is counted here rather than by the next send. */
			if (errno == ECONNREFUSED) {
				if (!first_err)
					first_err = errno;
				errors++;
			}
		}
	}
	close(fd);
	printf("udp_blast: sent %lu of %" PRIu64 " datagrams to %s:%" PRIu64 " (seed %" PRIu64
	       "): %lu random, %lu IKE-shaped, %lu keepalives; %lu replies; %lu send errors%s%s\n",
	       sent, count, argv[2], port, seed, kind[0], kind[1], kind[2], replies, errors, first_err ? ", first: " : "",
	       first_err ? strerror(first_err) : "");
	return errors ? 1 : 0;
}
