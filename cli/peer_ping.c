/* `ikesim peer --ping`: ICMP/ICMPv6 echo (RFC 792, RFC 4443) built and answered on inner addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esp/ip.h"
#include "host/icmp.h"
#include "peer_dp.h"

#define PING_DATA 56                           /* ping(8)'s default payload */
#define PING_WAIT_MIN IKE_NS_PER_SEC            /* how long the last request may wait for its reply */
#define PING_RESPONDER_DELAY (IKE_NS_PER_SEC / 5) /* the initiator installs its SA after our IKE_AUTH response */

int peer_ping_flag(peer_args *a, const char *flag, const char *val, FILE *err)
{
	char *end;
	if (strcmp(flag, "--ping") == 0 || strcmp(flag, "--inner-addr") == 0) {
		*(strcmp(flag, "--ping") == 0 ? &a->ping : &a->inner_addr) = val;
		return 1;
	}
	if (strcmp(flag, "--count") == 0) {
		errno = 0;
		unsigned long v = strtoul(val, &end, 10);
		if (errno || *end || val[0] < '0' || val[0] > '9' || v < 1 || v > PEER_PING_MAX) {
			fprintf(err, "ikesim peer: --count wants 1 to %u echo requests, got '%s'\n", PEER_PING_MAX, val);
			return -1;
		}
		a->ping_count = (uint32_t)v;
		return 1;
	}
	if (strcmp(flag, "--interval") == 0) {
		errno = 0;
		double v = strtod(val, &end);
		if (errno || end == val || *end || !(v >= 0.001) || v > 3600) {
			fprintf(err, "ikesim peer: --interval wants seconds from 0.001 to 3600, got '%s'\n", val);
			return -1;
		}
		a->ping_interval = (ike_time)(v * 1e9);
		return 1;
	}
	return 0;
}

static int parse_ip(const char *flag, const char *text, uint8_t *family, uint8_t ip[16], char *err, size_t cap)
{
	memset(ip, 0, 16);
	if (inet_pton(AF_INET, text, ip) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, text, ip) == 1)
		*family = 6;
	else {
		snprintf(err, cap, "%s '%s': not an IPv4 or IPv6 address", flag, text);
		return -1;
	}
	return 0;
}

int peer_ping_init(peer_ping *p, const peer_args *a, const ike_child_cfg *ch, char *err, size_t cap)
{
	memset(p, 0, sizeof(*p));
	uint8_t fam = 0;
	if (a->inner_addr) {
		if (parse_ip("--inner-addr", a->inner_addr, &p->family, p->self, err, cap) != 0)
			return -1;
	} else if (ch->n_local_ts) { /* the first address of --local-ts */
		p->family = ch->local_ts[0].family;
		memcpy(p->self, ch->local_ts[0].start, 16);
	}
	if (!a->ping)
		return 0;
	if (parse_ip("--ping", a->ping, &fam, p->dst, err, cap) != 0)
		return -1;
	if (fam != p->family) {
		snprintf(err, cap, "--ping %s: not the family of our inner address (--inner-addr, or the first --local-ts)", a->ping);
		return -1;
	}
	p->active = true;
	p->count = a->ping_count ? a->ping_count : 10;
	p->interval = a->ping_interval ? a->ping_interval : IKE_NS_PER_SEC;
	/* IKEv1: the Quick Mode initiator sends the last message (QM3), the responder installs on it: wait too */
	p->start_delay = a->initiate && a->ike_version != 1 ? 0 : PING_RESPONDER_DELAY;
	p->wait = p->interval > PING_WAIT_MIN ? p->interval : PING_WAIT_MIN;
	p->ident = (uint16_t)(getpid() & 0xffff);
	p->rtt_min = IKE_TIME_NEVER;
	p->sent_at = calloc(p->count, sizeof(*p->sent_at));
	p->got = calloc((p->count + 7) / 8, 1);
	if (!p->sent_at || !p->got) {
		snprintf(err, cap, "--count %u: out of memory", p->count);
		peer_ping_free(p);
		return -1;
	}
	return 0;
}

void peer_ping_free(peer_ping *p)
{
	free(p->sent_at);
	free(p->got);
	p->sent_at = NULL;
	p->got = NULL;
}

void peer_ping_start(peer_ping *p, ike_time now)
{
	if (!p->active || p->started)
		return;
	p->started = true;
	p->next = now + p->start_delay;
}

ike_time peer_ping_next(const peer_ping *p)
{
	if (!p->active || !p->started || p->done)
		return IKE_TIME_NEVER;
	return p->sent < p->count ? p->next : p->last_sent + p->wait;
}

static size_t echo_request(const peer_ping *p, uint16_t seq, uint8_t *pkt, size_t cap)
{
	uint8_t data[PING_DATA];
	for (size_t i = 0; i < PING_DATA; i++)
		data[i] = (uint8_t)(0x10 + i); /* ping(8)'s pattern: easy to spot in a decrypted capture */
	ike_host_echo e = { .family = p->family, .df = true, .ip_id = seq, .ident = p->ident, .seq = seq,
			    .data = data, .data_len = PING_DATA };
	memcpy(e.src, p->self, 16);
	memcpy(e.dst, p->dst, 16);
	return ike_host_echo_build(&e, pkt, cap);
}

size_t peer_ping_due(peer_ping *p, ike_time now, uint8_t *pkt, size_t cap, uint16_t *seq)
{
	if (!p->active || !p->started || p->done)
		return 0;
	if (p->sent >= p->count) {
		p->done = p->answered == p->count || now >= p->last_sent + p->wait;
		return 0;
	}
	if (now < p->next)
		return 0;
	*seq = (uint16_t)p->sent;
	size_t n = echo_request(p, *seq, pkt, cap);
	p->sent_at[p->sent] = now > 0 ? now : 1;
	p->last_sent = now;
	p->sent++;
	p->next += p->interval;
	if (p->next < now) /* a late wake-up does not send a burst */
		p->next = now + p->interval;
	return n;
}

static void count_reply(peer_ping *p, ike_time now, uint16_t seq, enum peer_ping_rx *kind, ike_time *rtt)
{
	/* the sequence number wraps at 16 bits; the newest request with these low bits is the one answered */
	uint32_t i = seq;
	while (i + 65536u < p->sent)
		i += 65536u;
	if (i >= p->sent || !p->sent_at[i]) {
		p->late++;
		return;
	}
	if (p->got[i / 8] & (1u << (i % 8))) {
		p->dups++;
		*kind = PEER_PING_RX_DUP;
		return;
	}
	p->got[i / 8] |= (uint8_t)(1u << (i % 8));
	p->answered++;
	*rtt = now - p->sent_at[i];
	p->rtt_min = *rtt < p->rtt_min ? *rtt : p->rtt_min;
	p->rtt_max = *rtt > p->rtt_max ? *rtt : p->rtt_max;
	p->rtt_sum += *rtt;
	*kind = PEER_PING_RX_REPLY;
	if (p->sent == p->count && p->answered == p->count)
		p->done = true;
}

enum peer_ping_rx peer_ping_rx(peer_ping *p, ike_time now, const uint8_t *pkt, size_t len, uint8_t *reply,
			       size_t cap, size_t *reply_len, uint16_t *seq, ike_time *rtt)
{
	ike_host_echo e;
	const char *why;
	enum peer_ping_rx kind = PEER_PING_RX_OTHER;
	*reply_len = 0;
	/* not ICMP echo, a fragment, a bad checksum, or not to our inner address: not ours to answer or count */
	if (ike_host_echo_parse(pkt, len, &e, &why) != 0 || e.family != p->family || memcmp(e.dst, p->self, 16) != 0)
		return kind;
	*seq = e.seq;
	if (!e.reply) { /* the reply: addresses swapped, type changed, identifier, sequence and data echoed (RFC 792) */
		ike_host_echo r = { .family = e.family, .reply = true, .ident = e.ident, .seq = e.seq, .data = e.data,
				    .data_len = e.data_len };
		memcpy(r.src, e.dst, 16);
		memcpy(r.dst, e.src, 16);
		*reply_len = ike_host_echo_build(&r, reply, cap);
		if (*reply_len)
			p->echo_answered++;
		return *reply_len ? PEER_PING_RX_REQUEST : kind;
	}
	if (p->active && e.ident == p->ident)
		count_reply(p, now, *seq, &kind, rtt);
	return kind;
}

void peer_ping_summary(const peer_ping *p, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "ping: %u sent, %u answered", p->sent, p->answered);
	if (n > 0 && (size_t)n < cap && p->answered)
		n += snprintf(buf + n, cap - (size_t)n, ", rtt min/avg/max %.3f/%.3f/%.3f ms", (double)p->rtt_min / 1e6,
			      (double)p->rtt_sum / p->answered / 1e6, (double)p->rtt_max / 1e6);
	if (n > 0 && (size_t)n < cap && (p->dups || p->late))
		snprintf(buf + n, cap - (size_t)n, ", %u duplicate(s), %u unexpected", p->dups, p->late);
}
