/*
 * `ikesim peer`'s data plane. In process: two peer_esp instances fed the CHILD SA events both ends' engines
 * would report carry an echo request and its reply (AES-GCM and AES-CBC + HMAC-SHA2-256, IPv4 and IPv6,
 * tunnel and transport); a wrong key, a replay, a packet outside the selectors and an unknown SPI are
 * dropped and counted; a CHILD rekey and an IKE rekey are followed. As processes on 127.0.0.1 (peerproc.h):
 * two peers ping each other through their CHILD SA, and ESP modified on the way (a relay flips a ciphertext
 * bit) is dropped and counted as ICV failures while the ping says which requests went unanswered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto/registry.h"
#include "esp/ip.h"
#include "peer_dp.h"
#include "peerproc.h"
#include "testfs.h"
#include "test_list.h.in"

/* One end's view of a CHILD SA: the event its engine would hand the host. */
typedef struct end {
	ike_child_keys k;
	ike_ts tl, tr;
	ike_addr local, remote;
	ike_sa_event ev;
} end;

typedef struct pair {
	ike_crypto *c;
	peer_esp *a, *b; /* a initiated the CHILD SA */
	uint8_t ei[36], er[36], ai[32], ar[32];
	end ea, eb;
} pair;

static void ts(ike_ts *t, const char *cidr)
{
	char err[100];
	assert_int_equal(ike_ts_parse(cidr, t, err, sizeof(err)), 0);
}

static void addr(ike_addr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(ip, ':') ? 6 : 4;
	a->port = port;
	assert_int_equal(inet_pton(a->family == 4 ? AF_INET : AF_INET6, ip, a->ip), 1);
}

/* The event one end reports: initiator owns ei/ai; spi_in is its own. */
static void fill(end *e, const pair *p, bool initiator, uint32_t spi_in, uint32_t spi_out, uint16_t encr,
		 uint16_t integ, uint8_t mode, const char *lts, const char *rts)
{
	ts(&e->tl, lts);
	ts(&e->tr, rts);
	addr(&e->local, "127.0.0.1", initiator ? 4500 : 4501);
	addr(&e->remote, "127.0.0.1", initiator ? 4501 : 4500);
	e->k = (ike_child_keys){ .protocol = IKE_PROTO_ESP, .mode = mode, .initiator = initiator, .spi_in = spi_in,
				 .spi_out = spi_out, .encr = encr, .encr_keylen = 128, .integ = integ, .ei = p->ei,
				 .er = p->er, .ai = integ ? p->ai : NULL, .ar = integ ? p->ar : NULL,
				 .e_len = encr == IKE_ENCR_AES_GCM_16 ? 20 : 16, .a_len = integ ? 32 : 0,
				 .ts_local = &e->tl, .ts_remote = &e->tr, .n_ts_local = 1, .n_ts_remote = 1 };
	e->ev = (ike_sa_event){ .kind = IKE_EV_CHILD_UP, .local = &e->local, .remote = &e->remote, .spi_i = 0x11,
				.spi_r = 0x22, .child_spi_in = spi_in, .child_spi_out = spi_out, .child = &e->k };
}

/* Both ends with one CHILD SA (SPIs 0x1000 at a, 0x2000 at b); b's peer-side TS rts_b (a's local range). */
static void pair_up(pair *p, uint16_t encr, uint16_t integ, uint8_t mode, const char *ts_a, const char *ts_b)
{
	char why[200] = "";
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < 36; i++) {
		p->ei[i] = (uint8_t)(i + 1);
		p->er[i] = (uint8_t)(0x80 + i);
	}
	memset(p->ai, 0x5a, sizeof(p->ai));
	memset(p->ar, 0xa5, sizeof(p->ar));
	assert_non_null(p->c = ike_crypto_new());
	assert_non_null(p->a = peer_esp_new(p->c));
	assert_non_null(p->b = peer_esp_new(p->c));
	fill(&p->ea, p, true, 0x1000, 0x2000, encr, integ, mode, ts_a, ts_b);
	fill(&p->eb, p, false, 0x2000, 0x1000, encr, integ, mode, ts_b, ts_a);
	if (peer_esp_child_up(p->a, &p->ea.ev, why, sizeof(why)) != 0 ||
	    peer_esp_child_up(p->b, &p->eb.ev, why, sizeof(why)) != 0)
		fail_msg("child_up: %s", why);
	assert_int_equal(peer_esp_children(p->a), 1);
}

static void pair_down(pair *p)
{
	peer_esp_free(p->a);
	peer_esp_free(p->b);
	ike_crypto_free(p->c);
}

/* from -> to: seals pkt at `from`, opens it at `to`; the status of the open (inner packet in inner). */
static int carry(peer_esp *from, peer_esp *to, const uint8_t *pkt, size_t len, uint8_t *inner, size_t *ilen,
		 uint8_t *esp, size_t *elen)
{
	ike_addr dst;
	uint32_t spi;
	assert_int_equal(peer_esp_output(from, pkt, len, esp, 2048, elen, &dst), ESP_OK);
	assert_int_equal(dst.port == 4500 || dst.port == 4501, 1);
	return peer_esp_input(to, esp, *elen, inner, 2048, ilen, &spi);
}

/* a pings b's inner address once: request a -> b, b answers, reply b -> a; a counts it. */
static void ping_once(pair *p, const char *self_a, const char *self_b, const char *ts_b)
{
	peer_args aa = { .ping = self_b, .inner_addr = self_a, .initiate = true, .ping_count = 1 };
	peer_args ab = { .inner_addr = self_b };
	ike_child_cfg ch = { .n_local_ts = 1 };
	ts(&ch.local_ts[0], ts_b);
	peer_ping pa, pb;
	char err[200], line[200];
	uint8_t req[256], inner[2048], esp[2048], reply[2048];
	size_t n, il, el, rl;
	uint16_t seq;
	ike_time rtt = 0;
	assert_int_equal(peer_ping_init(&pa, &aa, &ch, err, sizeof(err)), 0);
	assert_int_equal(peer_ping_init(&pb, &ab, &ch, err, sizeof(err)), 0);
	peer_ping_start(&pa, 1000);
	assert_true((n = peer_ping_due(&pa, 1000, req, sizeof(req), &seq)) > 0);
	assert_int_equal(carry(p->a, p->b, req, n, inner, &il, esp, &el), ESP_OK);
	size_t hl = strchr(self_a, ':') ? ESP_IPV6_HDR_LEN : ESP_IPV4_HDR_LEN; /* transport rebuilds the header */
	assert_int_equal(il, n);
	assert_memory_equal(inner + hl, req + hl, n - hl);
	assert_int_equal(peer_ping_rx(&pb, 2000, inner, il, reply, sizeof(reply), &rl, &seq, &rtt), PEER_PING_RX_REQUEST);
	assert_int_equal(carry(p->b, p->a, reply, rl, inner, &il, esp, &el), ESP_OK);
	assert_int_equal(peer_ping_rx(&pa, 3000, inner, il, reply, sizeof(reply), &rl, &seq, &rtt), PEER_PING_RX_REPLY);
	assert_int_equal(rtt, 2000);
	assert_true(pa.done);
	peer_ping_summary(&pa, line, sizeof(line));
	assert_string_equal(line, "ping: 1 sent, 1 answered, rtt min/avg/max 0.002/0.002/0.002 ms");
	/* the same reply again is a duplicate, not a second answer */
	assert_int_equal(peer_ping_rx(&pa, 3500, inner, il, reply, sizeof(reply), &rl, &seq, &rtt), PEER_PING_RX_DUP);
	assert_int_equal(pa.answered, 1);
	peer_ping_free(&pa);
	peer_ping_free(&pb);
}

static void esp_ping_gcm_cbc_v4_v6_tunnel_transport(void **state)
{
	(void)state;
	pair p;
	pair_up(&p, IKE_ENCR_AES_GCM_16, 0, IKE_MODE_TUNNEL, "10.1.0.0/16", "10.2.0.0/16");
	ping_once(&p, "10.1.0.1", "10.2.0.1", "10.2.0.0/16");
	assert_int_equal(peer_esp_stats_of(p.a)->out_packets, 1);
	assert_int_equal(peer_esp_stats_of(p.b)->in_packets, 1);
	pair_down(&p);
	pair_up(&p, IKE_ENCR_AES_CBC, IKE_INTEG_HMAC_SHA2_256_128, IKE_MODE_TUNNEL, "2001:db8:1::/48", "2001:db8:2::/48");
	ping_once(&p, "2001:db8:1::1", "2001:db8:2::1", "2001:db8:2::/48");
	pair_down(&p);
	/* transport: the inner addresses are the IKE SA's (both 127.0.0.1 here) */
	pair_up(&p, IKE_ENCR_AES_CBC, IKE_INTEG_HMAC_SHA2_256_128, IKE_MODE_TRANSPORT, "127.0.0.1/32", "127.0.0.1/32");
	ping_once(&p, "127.0.0.1", "127.0.0.1", "127.0.0.1/32");
	pair_down(&p);
}

/* An echo request a sends to b's 10.2.0.1 from `src`. */
static size_t request_from(const char *src, uint8_t *pkt, size_t cap)
{
	peer_args a = { .ping = "10.2.0.1", .inner_addr = src, .initiate = true, .ping_count = 1 };
	ike_child_cfg ch = { 0 };
	peer_ping pp;
	char err[100];
	uint16_t seq;
	assert_int_equal(peer_ping_init(&pp, &a, &ch, err, sizeof(err)), 0);
	peer_ping_start(&pp, 1);
	size_t n = peer_ping_due(&pp, 1, pkt, cap, &seq);
	peer_ping_free(&pp);
	return n;
}

static void esp_drops_wrong_key_replay_policy_unknown_spi(void **state)
{
	(void)state;
	pair p;
	uint8_t pkt[256], inner[2048], esp[2048];
	size_t n, il, el;
	ike_addr dst;
	uint32_t spi;
	pair_up(&p, IKE_ENCR_AES_CBC, IKE_INTEG_HMAC_SHA2_256_128, IKE_MODE_TUNNEL, "10.1.0.0/16", "10.2.0.0/16");
	n = request_from("10.1.0.1", pkt, sizeof(pkt));
	assert_int_equal(carry(p.a, p.b, pkt, n, inner, &il, esp, &el), ESP_OK);
	/* the same packet again: a replay (RFC 4303 3.4.3) */
	assert_int_equal(peer_esp_input(p.b, esp, el, inner, sizeof(inner), &il, &spi), ESP_E_REPLAY);
	assert_int_equal(spi, 0x2000);
	/* not covered by a's policy: nothing sent */
	n = request_from("10.9.0.1", pkt, sizeof(pkt));
	assert_int_equal(peer_esp_output(p.a, pkt, n, esp, sizeof(esp), &el, &dst), ESP_E_NO_SA);
	assert_int_equal(peer_esp_stats_of(p.a)->out_drops[ESP_E_NO_SA], 1);
	/* an SPI b does not have */
	n = request_from("10.1.0.1", pkt, sizeof(pkt));
	assert_int_equal(peer_esp_output(p.a, pkt, n, esp, sizeof(esp), &el, &dst), ESP_OK);
	esp[3] ^= 0x40;
	assert_int_equal(peer_esp_input(p.b, esp, el, inner, sizeof(inner), &il, &spi), ESP_E_NO_SA);
	assert_int_equal(peer_esp_stats_of(p.b)->in_drops[ESP_E_NO_SA], 1);
	pair_down(&p);
	/* b derived a different integrity key for a's direction: every packet fails its ICV, counted */
	pair_up(&p, IKE_ENCR_AES_CBC, IKE_INTEG_HMAC_SHA2_256_128, IKE_MODE_TUNNEL, "10.1.0.0/16", "10.2.0.0/16");
	uint8_t wrong[32];
	memcpy(wrong, p.ai, 32);
	wrong[7] ^= 1;
	char why[200];
	assert_int_equal(peer_esp_child_down(p.b, 0x2000), 0);
	p.eb.k.ai = wrong;
	assert_int_equal(peer_esp_child_up(p.b, &p.eb.ev, why, sizeof(why)), 0);
	for (int i = 0; i < 3; i++) {
		n = request_from("10.1.0.1", pkt, sizeof(pkt));
		assert_int_equal(carry(p.a, p.b, pkt, n, inner, &il, esp, &el), ESP_E_ICV);
	}
	assert_int_equal(peer_esp_stats_of(p.b)->in_drops[ESP_E_ICV], 3);
	assert_int_equal(peer_esp_stats_of(p.b)->in_packets, 0);
	pair_down(&p);
	/* b accepts only 10.1.0.1 from a; a may send from all of 10.1.0.0/16: 10.1.0.5 decrypts, then is refused */
	pair_up(&p, IKE_ENCR_AES_GCM_16, 0, IKE_MODE_TUNNEL, "10.1.0.0/16", "10.2.0.0/16");
	ts(&p.eb.tr, "10.1.0.1/32");
	assert_int_equal(peer_esp_child_down(p.b, 0x2000), 0);
	assert_int_equal(peer_esp_child_up(p.b, &p.eb.ev, why, sizeof(why)), 0);
	n = request_from("10.1.0.5", pkt, sizeof(pkt));
	assert_int_equal(carry(p.a, p.b, pkt, n, inner, &il, esp, &el), PEER_ESP_E_POLICY);
	assert_int_equal(peer_esp_stats_of(p.b)->in_drops[PEER_ESP_E_POLICY], 1);
	assert_string_equal(peer_esp_status_name(PEER_ESP_E_POLICY), "policy");
	n = request_from("10.1.0.1", pkt, sizeof(pkt));
	assert_int_equal(carry(p.a, p.b, pkt, n, inner, &il, esp, &el), ESP_OK);
	pair_down(&p);
}

/* The child cfg reaches the SAs: a's soft/hard packet limits (expiry reported once per level), b's window of 2. */
static void esp_limits_and_window_from_the_child_cfg(void **state)
{
	(void)state;
	pair p;
	uint8_t pkt[256], inner[2048], esp[4][2048];
	size_t n, il, el[4];
	uint32_t spi;
	ike_addr dst;
	char why[200];
	peer_esp_expiry x;
	ike_child_cfg ca = { .life = { .rekey_packets = 2, .packets = 3 } }, cb = { .replay_window = 2 };
	pair_up(&p, IKE_ENCR_AES_GCM_16, 0, IKE_MODE_TUNNEL, "10.1.0.0/16", "10.2.0.0/16");
	assert_int_equal(peer_esp_child_down(p.a, 0x1000), 0);
	assert_int_equal(peer_esp_child_down(p.b, 0x2000), 0);
	p.ea.k.cfg = &ca;
	p.eb.k.cfg = &cb;
	if (peer_esp_child_up(p.a, &p.ea.ev, why, sizeof(why)) != 0 || peer_esp_child_up(p.b, &p.eb.ev, why, sizeof(why)) != 0)
		fail_msg("child_up: %s", why);
	n = request_from("10.1.0.1", pkt, sizeof(pkt));
	assert_int_equal(peer_esp_output(p.a, pkt, n, esp[0], sizeof(esp[0]), &el[0], &dst), ESP_OK);
	assert_false(peer_esp_take_expiry(p.a, &x));
	assert_int_equal(peer_esp_output(p.a, pkt, n, esp[1], sizeof(esp[1]), &el[1], &dst), ESP_OK);
	assert_true(peer_esp_take_expiry(p.a, &x)); /* 2 packets: soft, the first limit, for packets */
	assert_int_equal(x.level, ESP_EXPIRY_SOFT);
	assert_int_equal(x.why, IKE_REKEY_PACKETS);
	assert_true(x.first);
	assert_int_equal(x.spi_out, 0x2000);
	assert_false(peer_esp_take_expiry(p.a, &x)); /* once */
	assert_int_equal(peer_esp_output(p.a, pkt, n, esp[2], sizeof(esp[2]), &el[2], &dst), ESP_OK);
	assert_true(peer_esp_take_expiry(p.a, &x)); /* 3 packets: hard, no second rekey asked */
	assert_int_equal(x.level, ESP_EXPIRY_HARD);
	assert_false(x.first);
	assert_int_equal(peer_esp_output(p.a, pkt, n, esp[3], sizeof(esp[3]), &el[3], &dst), ESP_E_LIFETIME);
	assert_false(peer_esp_take_expiry(p.a, &x));
	/* b's window of 2: after packet 3, packet 1 is left of it; with the default 64 it would be taken */
	assert_int_equal(peer_esp_input(p.b, esp[2], el[2], inner, sizeof(inner), &il, &spi), ESP_OK);
	assert_int_equal(peer_esp_input(p.b, esp[1], el[1], inner, sizeof(inner), &il, &spi), ESP_OK);
	assert_int_equal(peer_esp_input(p.b, esp[0], el[0], inner, sizeof(inner), &il, &spi), ESP_E_OLD);
	pair_down(&p);
}

static void esp_follows_child_rekey_and_ike_rekey(void **state)
{
	(void)state;
	pair p;
	char why[200];
	uint8_t pkt[256], esp[2048];
	size_t n, el;
	ike_addr dst;
	pair_up(&p, IKE_ENCR_AES_GCM_16, 0, IKE_MODE_TUNNEL, "10.1.0.0/16", "10.2.0.0/16");
	/* a CHILD rekey: the new SA (0x1001/0x2001) is used for what a sends at once, the old one still there */
	p.ea.k.spi_in = p.ea.ev.child_spi_in = 0x1001;
	p.ea.k.spi_out = p.ea.ev.child_spi_out = 0x2001;
	p.ea.k.rekey_of = 0x1000;
	assert_int_equal(peer_esp_child_up(p.a, &p.ea.ev, why, sizeof(why)), 0);
	assert_int_equal(peer_esp_children(p.a), 2);
	n = request_from("10.1.0.1", pkt, sizeof(pkt));
	assert_int_equal(peer_esp_output(p.a, pkt, n, esp, sizeof(esp), &el, &dst), ESP_OK);
	assert_int_equal(esp_packet_spi(esp, el), 0x2001);
	assert_int_equal(peer_esp_child_down(p.a, 0x1000), 0);
	assert_int_equal(peer_esp_child_down(p.a, 0x1000), -1);
	/* an IKE rekey: the new IKE SA comes up naming the old one; another (unrelated) IKE SA comes up; the
	 * old one goes without CHILD SAs (they moved to its successor, not to the last one up) */
	ike_sa_event up = { .kind = IKE_EV_IKE_UP, .spi_i = 0x33, .spi_r = 0x44, .old_spi_i = 0x11, .old_spi_r = 0x22 };
	ike_sa_event other = { .kind = IKE_EV_IKE_UP, .spi_i = 0x55, .spi_r = 0x66 };
	ike_sa_event old = { .kind = IKE_EV_IKE_DOWN, .spi_i = 0x11, .spi_r = 0x22 };
	peer_esp_ike_up(p.a, &up);
	peer_esp_ike_up(p.a, &other);
	assert_int_equal(peer_esp_ike_down(p.a, &old), 0);
	assert_int_equal(peer_esp_children(p.a), 1);
	/* the old IKE SA's SPIs no longer hold it; the new one's Delete (naming a CHILD SA) takes it along */
	old.child_spi_in = 0x1001;
	assert_int_equal(peer_esp_ike_down(p.a, &old), 0);
	ike_sa_event gone = { .kind = IKE_EV_IKE_DOWN, .spi_i = 0x55, .spi_r = 0x66, .child_spi_in = 0x7777 };
	assert_int_equal(peer_esp_ike_down(p.a, &gone), 0);
	gone.spi_i = 0x33, gone.spi_r = 0x44, gone.child_spi_in = 0x1001;
	assert_int_equal(peer_esp_ike_down(p.a, &gone), 1);
	assert_int_equal(peer_esp_children(p.a), 0);
	assert_int_equal(peer_esp_output(p.a, pkt, n, esp, sizeof(esp), &el, &dst), ESP_E_NO_SA);
	assert_int_equal(peer_esp_stats_of(p.a)->installed, 2);
	assert_int_equal(peer_esp_stats_of(p.a)->removed, 2);
	/* AH has no data path here */
	p.eb.k.protocol = IKE_PROTO_AH;
	assert_int_equal(peer_esp_child_up(p.b, &p.eb.ev, why, sizeof(why)), -1);
	pair_down(&p);
}

static void ping_flags_checked(void **state)
{
	(void)state;
	peer_args a = { 0 };
	char err[300];
	FILE *f = fmemopen(err, sizeof(err), "w");
	assert_non_null(f);
	assert_int_equal(peer_ping_flag(&a, "--count", "0", f), -1);
	assert_int_equal(peer_ping_flag(&a, "--count", "100001", f), -1);
	assert_int_equal(peer_ping_flag(&a, "--count", "12", f), 1);
	assert_int_equal(peer_ping_flag(&a, "--interval", "0", f), -1);
	assert_int_equal(peer_ping_flag(&a, "--interval", "0.02", f), 1);
	assert_int_equal(peer_ping_flag(&a, "--ping", "10.2.0.1", f), 1);
	assert_int_equal(peer_ping_flag(&a, "--hold", "1", f), 0);
	fclose(f);
	assert_int_equal(a.ping_count, 12);
	assert_int_equal(a.ping_interval, 20000000);
	ike_child_cfg ch = { .n_local_ts = 1 };
	ts(&ch.local_ts[0], "2001:db8::/64");
	peer_ping p;
	assert_int_equal(peer_ping_init(&p, &a, &ch, err, sizeof(err)), -1); /* IPv4 target, IPv6 inner address */
	assert_non_null(strstr(err, "not the family"));
	a.ping = "10.2.0.300";
	assert_int_equal(peer_ping_init(&p, &a, &ch, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--ping '10.2.0.300'"));
}

/* Both peers' traces (i.trace, r.trace) hold what each saw. */
static void peer_processes_ping_each_other(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	const char *rx[] = { "--inner-addr", "10.2.0.1", "--ping", "10.1.0.1", "--count", "5", "--interval", "0.02", NULL };
	const char *ix[] = { "--inner-addr", "10.1.0.1", "--ping", "10.2.0.1", "--count", "5", "--interval", "0.02",
			     "--hold", "1", NULL };
	pu_start_responder(&r, &e, &ra, "sesame", "2", true, rx);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", true, ix));
	pu_wait_both_ok(&i, &r, 20000, 20000, NULL, NULL);
	assert_true(pu_file_has(i.out, "ping: 5 sent, 5 answered, rtt min/avg/max "));
	assert_true(pu_file_has(r.out, "ping: 5 sent, 5 answered, rtt min/avg/max "));
	for (int k = 0; k < 2; k++) {
		const char *t = k ? ra.trace : ia.trace;
		assert_true(pu_file_has(t, "\"echo-requests-answered\":5"));
		assert_true(pu_file_has(t, "\"esp-in\":10,\"esp-out\":10,"));
		assert_true(pu_file_has(t, "\"ev\":\"esp.sa\",\"action\":\"installed\""));
		assert_true(pu_file_has(t, "\"ev\":\"ping.done\",\"sent\":5,\"answered\":5"));
	}
	assert_true(pu_file_has(ia.trace, "\"ev\":\"esp.sa\",\"action\":\"removed\""));
	pu_cleanup(&e);
}

/* True once pid has exited (not reaped: pu_wait does that). */
static bool exited(pid_t pid)
{
	siginfo_t si = { 0 };
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/*
 * A UDP relay between the initiator (who talks to fd) and the responder on port_r: it flips one ciphertext
 * byte in ESP datagrams number from..from+n-1 towards the responder. Runs until the initiator exits.
 */
static int relay(int fd, uint16_t port_r, pid_t ini, int from, int n)
{
	struct sockaddr_in ri = { .sin_family = AF_INET, .sin_port = htons(port_r) }, ii = { 0 }, src;
	ri.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	uint8_t d[4096];
	int esp = 0, flipped = 0;
	for (int k = 0; k < 1000 && !exited(ini); k++) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		if (poll(&pf, 1, 20) <= 0)
			continue;
		socklen_t sl = sizeof(src);
		ssize_t len = recvfrom(fd, d, sizeof(d), 0, (struct sockaddr *)&src, &sl);
		if (len <= 0)
			continue;
		bool to_r = src.sin_port != ri.sin_port;
		if (to_r)
			ii = src;
		if (to_r && len > 40 && (d[0] | d[1] | d[2] | d[3])) { /* ESP: no non-ESP marker */
			if (esp >= from && esp < from + n) {
				d[24] ^= 0x01;
				flipped++;
			}
			esp++;
		}
		const struct sockaddr_in *to = to_r ? &ri : &ii;
		assert_int_equal(sendto(fd, d, (size_t)len, 0, (const struct sockaddr *)to, sizeof(*to)), len);
	}
	return flipped;
}

static void peer_processes_tampered_esp_counts_icv_drops(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	uint16_t rp;
	int fd = pu_bind(0, &rp);
	assert_true(fd >= 0);
	char via[32];
	snprintf(via, sizeof(via), "127.0.0.1:%u", rp);
	const char *ix[] = { "--inner-addr", "10.1.0.1", "--ping", "10.2.0.1", "--count", "5", "--interval", "0.02",
			     "--remote", via, NULL };
	const char *rx[] = { "--inner-addr", "10.2.0.1", NULL };
	pu_start_responder(&r, &e, &ra, "sesame", "2", true, rx);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", true, ix));
	int flipped = relay(fd, e.port_r, i.pid, 1, 2); /* echo requests 1 and 2 arrive modified */
	close(fd);
	int irc = pu_wait(&i, 20000);
	int rrc = pu_wait(&r, 20000);
	assert_int_equal(flipped, 2);
	assert_int_equal(irc, 1); /* not every request was answered */
	assert_int_equal(rrc, 0);
	assert_true(pu_file_has(i.out, "ping: 5 sent, 3 answered"));
	assert_true(pu_file_has(ra.trace, "\"esp-in\":3,"));
	assert_true(pu_file_has(ra.trace, "\"esp-in-icv-mismatch\":2"));
	assert_true(pu_file_has(ra.trace, "\"ev\":\"esp.drop\",\"dir\":\"in\",\"why\":\"icv-mismatch\""));
	assert_true(pu_file_has(r.out, "ESP-in-UDP: 5 received, 3 opened, 2 dropped (icv-mismatch 2)"));
	pu_cleanup(&e);
}

static void peer_process_ping_unanswered_fails(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	/* 10.2.9.9 is inside the responder's selectors but not its inner address: nobody answers */
	const char *ix[] = { "--inner-addr", "10.1.0.1", "--ping", "10.2.9.9", "--count", "2", "--interval", "0.02", NULL };
	pu_start_responder(&r, &e, &ra, "sesame", "2", false, NULL);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", true, ix));
	int irc = pu_wait(&i, 20000);
	assert_int_equal(pu_wait(&r, 20000), 0);
	assert_int_equal(irc, 1);
	assert_true(pu_file_has(i.out, "ping: 2 sent, 0 answered"));
	assert_true(pu_file_has(i.err, "--ping: 0 of 2 echo request(s) answered"));
	pu_cleanup(&e);
}

size_t tests_peer_esp(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(esp_ping_gcm_cbc_v4_v6_tunnel_transport),
		cmocka_unit_test(esp_drops_wrong_key_replay_policy_unknown_spi),
		cmocka_unit_test(esp_limits_and_window_from_the_child_cfg),
		cmocka_unit_test(esp_follows_child_rekey_and_ike_rekey),
		cmocka_unit_test(ping_flags_checked),
		cmocka_unit_test(peer_processes_ping_each_other),
		cmocka_unit_test(peer_processes_tampered_esp_counts_icv_drops),
		cmocka_unit_test(peer_process_ping_unanswered_fails),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
