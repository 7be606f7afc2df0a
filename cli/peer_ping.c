/* `ikesim peer --ping`: ICMP/ICMPv6 echo (RFC 792, RFC 4443) built and answered on inner addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esp/ip.h"
#include "peer_dp.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO 8
#define ICMP6_ECHO 128
#define ICMP6_ECHO_REPLY 129
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
	p->start_delay = a->initiate ? 0 : PING_RESPONDER_DELAY;
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

/* RFC 1071 one's complement sum over len bytes, added to sum. */
static uint32_t sum16(uint32_t sum, const uint8_t *d, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(d[i] << 8 | d[i + 1]);
	if (len & 1)
		sum += (uint32_t)(d[len - 1] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The ICMP checksum; ICMPv6 covers a pseudo-header of addresses, length and next header (RFC 4443 2.3). */
static uint16_t icmp_sum(const esp_ip *h, const uint8_t *icmp, size_t len)
{
	uint32_t s = 0;
	if (h->family == 6) {
		uint8_t ph[8] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, 0, 0, 0,
				  ESP_IPPROTO_ICMPV6 };
		s = sum16(sum16(sum16(0, h->src, 16), h->dst, 16), ph, sizeof(ph));
	}
	return fold(sum16(s, icmp, len));
}

/* An echo request or reply of `len` ICMP bytes (header and data already at pkt + header) around it. */
static size_t finish(const esp_ip *h, uint8_t *pkt, size_t cap, size_t icmp_len)
{
	size_t hl = esp_ip_build(h, icmp_len, pkt, cap);
	if (!hl)
		return 0;
	uint8_t *m = pkt + hl;
	m[2] = m[3] = 0;
	uint16_t c = icmp_sum(h, m, icmp_len);
	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
	return hl + icmp_len;
}

static size_t echo_request(const peer_ping *p, uint16_t seq, uint8_t *pkt, size_t cap)
{
	esp_ip h = { .family = p->family, .proto = p->family == 4 ? ESP_IPPROTO_ICMP : ESP_IPPROTO_ICMPV6, .ttl = 64,
		     .id = seq, .frag = 0x4000 };
	size_t hl = p->family == 4 ? ESP_IPV4_HDR_LEN : ESP_IPV6_HDR_LEN;
	if (cap < hl + 8 + PING_DATA)
		return 0;
	memcpy(h.src, p->self, 16);
	memcpy(h.dst, p->dst, 16);
	uint8_t *m = pkt + hl;
	m[0] = p->family == 4 ? ICMP_ECHO : ICMP6_ECHO;
	m[1] = 0;
	m[4] = (uint8_t)(p->ident >> 8);
	m[5] = (uint8_t)p->ident;
	m[6] = (uint8_t)(seq >> 8);
	m[7] = (uint8_t)seq;
	for (size_t i = 0; i < PING_DATA; i++)
		m[8 + i] = (uint8_t)(0x10 + i); /* ping(8)'s pattern: easy to spot in a decrypted capture */
	return finish(&h, pkt, cap, 8 + PING_DATA);
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

/* The reply to an echo request to us: addresses swapped, type changed, the rest echoed (RFC 792). */
static size_t answer(const esp_ip *in, const uint8_t *icmp, size_t len, uint8_t *reply, size_t cap)
{
	esp_ip h = { .family = in->family, .proto = in->proto, .ttl = 64 };
	size_t hl = in->family == 4 ? ESP_IPV4_HDR_LEN : ESP_IPV6_HDR_LEN;
	if (hl + len > cap)
		return 0;
	memcpy(h.src, in->dst, 16);
	memcpy(h.dst, in->src, 16);
	memcpy(reply + hl, icmp, len);
	reply[hl] = in->family == 4 ? ICMP_ECHO_REPLY : ICMP6_ECHO_REPLY;
	return finish(&h, reply, cap, len);
}

enum peer_ping_rx peer_ping_rx(peer_ping *p, ike_time now, const uint8_t *pkt, size_t len, uint8_t *reply,
			       size_t cap, size_t *reply_len, uint16_t *seq, ike_time *rtt)
{
	esp_ip h;
	enum peer_ping_rx kind = PEER_PING_RX_OTHER;
	*reply_len = 0;
	if (esp_ip_parse(pkt, len, &h) != ESP_OK || h.family != p->family || memcmp(h.dst, p->self, 16) != 0)
		return kind;
	const uint8_t *m = pkt + h.hdr_len;
	size_t ml = h.total_len - h.hdr_len;
	bool v4 = h.family == 4;
	if ((h.proto != (v4 ? ESP_IPPROTO_ICMP : ESP_IPPROTO_ICMPV6)) || ml < 8 || (v4 && (h.frag & 0x3fff)) ||
	    icmp_sum(&h, m, ml) != 0)
		return kind; /* not ICMP, a fragment, or a bad checksum: not ours to answer or count */
	*seq = (uint16_t)(m[6] << 8 | m[7]);
	if (m[0] == (v4 ? ICMP_ECHO : ICMP6_ECHO) && m[1] == 0) {
		*reply_len = answer(&h, m, ml, reply, cap);
		if (*reply_len)
			p->echo_answered++;
		return *reply_len ? PEER_PING_RX_REQUEST : kind;
	}
	if (m[0] == (v4 ? ICMP_ECHO_REPLY : ICMP6_ECHO_REPLY) && p->active && (uint16_t)(m[4] << 8 | m[5]) == p->ident)
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
