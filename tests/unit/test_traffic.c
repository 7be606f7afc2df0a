/*
 * Traffic through the simulated tunnels: inner packets built and parsed for real (checksums checked), flows
 * counted end to end, every ESP impairment dropped or accepted as RFC 4303 3.4.3 says, trap policies, the
 * SPD's "no policy" drops, IPv6 inside IPv4, and the loader's refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "esp/esp.h"
#include "inner_pkt.h"
#include "pair.h"
#include "run.h"
#include "sim.h"
#include "scenario.h"
#include "test_list.h.in"

static sim_inner sample(uint8_t kind, uint8_t family)
{
	sim_inner p = { .kind = kind, .flow = 3, .seq = 77, .reply = kind == SIM_IN_ECHO_REPLY, .sent = 123456789012LL,
			.echo_id = 9, .tcp_seq = 1001, .tcp_ack = 2002 };
	p.src.family = p.dst.family = family;
	if (family == 4) {
		memcpy(p.src.ip, (uint8_t[]){ 10, 1, 0, 10 }, 4);
		memcpy(p.dst.ip, (uint8_t[]){ 10, 2, 0, 20 }, 4);
	} else {
		memcpy(p.src.ip, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 10 }, 16);
		memcpy(p.dst.ip, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 20 }, 16);
	}
	p.src.port = 40000;
	p.dst.port = 5001;
	return p;
}

/* Every kind and family: parse(build(p)) == p; one flipped bit anywhere past the IP header is caught. */
static void inner_round_trip_and_checksums(void **state)
{
	(void)state;
	uint8_t buf[2000];
	const char *why;
	for (uint8_t fam = 4; fam <= 6; fam += 2)
		for (uint8_t k = SIM_IN_ECHO_REQ; k <= SIM_IN_TCP; k++) {
			sim_inner p = sample(k, fam), q;
			size_t n = sim_inner_build(&p, 301, buf, sizeof(buf)); /* odd: checksum padding */
			assert_int_equal(n, 301);
			assert_int_equal(sim_inner_parse(buf, n, &q, &why), 0);
			assert_int_equal(q.kind, k);
			assert_int_equal(q.flow, 3);
			assert_int_equal(q.seq, 77);
			assert_int_equal(q.sent, 123456789012LL);
			assert_memory_equal(q.src.ip, p.src.ip, 16);
			if (k == SIM_IN_UDP || k == SIM_IN_TCP)
				assert_int_equal(q.dst.port, 5001);
			if (k == SIM_IN_TCP)
				assert_int_equal(q.tcp_ack, 2002);
			size_t iph = fam == 4 ? 20 : 40;
			for (size_t at = iph; at < n; at += 37) {
				buf[at] ^= 0x01;
				assert_int_equal(sim_inner_parse(buf, n, &q, &why), -1);
				buf[at] ^= 0x01;
			}
			if (fam == 4) { /* the IPv4 header checksum */
				buf[8] ^= 0x10;
				assert_int_equal(sim_inner_parse(buf, n, &q, &why), -1);
				assert_string_equal(why, "IPv4 header checksum");
				buf[8] ^= 0x10;
			}
			assert_int_equal(sim_inner_build(&p, iph + 8 + SIM_TAG_LEN - 1 + (k == SIM_IN_TCP ? 12 : 0), buf,
							 sizeof(buf)),
					 0);
		}
}

static sim_scenario *load(const char *path)
{
	char err[512];
	sim_scenario *sc = sim_scenario_load(path, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	return sc;
}

static void run(const sim_scenario *sc, sim_run_result *res)
{
	char err[512];
	sim_run_opts o = { 0 };
	if (sim_run_scenario(sc, &o, res, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

/* The impairment scenario, counted directly: which status each impaired packet got at gw-b. */
static void impairments_counted_by_status(void **state)
{
	(void)state;
	sim_scenario *sc = load("tests/scenarios/esp_impairments.json");
	sim_run_result res;
	run(sc, &res);
	const sim_esp_node_result *b = &res.esp_nodes[1];
	assert_int_equal(b->why[ESP_E_REPLAY], 1);     /* packet 5 again at once */
	assert_int_equal(b->why[ESP_E_ICV], 1);        /* packet 10, one byte flipped */
	assert_int_equal(b->why[ESP_E_OLD], 2);        /* packet 40 after 70 more; packet 120's copy after 75 */
	assert_int_equal(b->drops, 4);
	assert_int_equal(b->rx, 198);                  /* packet 20, 10 late, is inside the window: accepted */
	assert_int_equal(res.esp_nodes[0].tx, 200);
	assert_int_equal(res.flows[0].delivered, 198);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	sim_run_result_free(&res);
	/* Without the faults, all 200 arrive: the drops above are the impairments' doing. */
	sc->n_faults = 0;
	run(sc, &res);
	assert_int_equal(res.esp_nodes[1].rx, 200);
	assert_int_equal(res.esp_nodes[1].drops, 0);
	assert_int_equal(res.flows[0].delivered, 200);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

static int contains(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return 1;
	return 0;
}

/* The capture holds every impaired ESP packet with a comment saying what was done to it. */
static void impaired_packets_commented_in_the_capture(void **state)
{
	(void)state;
	char err[512], path[] = "/tmp/ikesim-traffic-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	sim_scenario *sc = load("tests/scenarios/esp_impairments.json");
	sim_run_result res;
	sim_run_opts o = { .pcap_path = path };
	if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	unlink(path);
	static const char *const notes[] = { "impaired: replayed copy (fault 0)", "impaired: one byte flipped, the ICV will fail (fault 1)",
					     "impaired: held back, now sent late (fault 2)", "impaired: held back, now sent late (fault 3)",
					     "impaired: replayed copy (fault 4)",
					     /* what gw-b refused, recorded again where and when it arrived */
					     "received by gw-b: dropped: replay", "received by gw-b: dropped: icv-mismatch",
					     "received by gw-b: dropped: outside-window" };
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (!contains(buf, n, notes[i]))
			fail_msg("no comment '%s' in the capture", notes[i]);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(4 << 20);
	assert_non_null(buf);
	*n = fread(buf, 1, 4 << 20, f);
	fclose(f);
	return buf;
}

/* Same scenario and seed, same trace and capture bytes, with ESP traffic, CBC IVs and impairments in them. */
static void same_seed_same_bytes(void **state)
{
	(void)state;
	char err[512], t[2][40], c[2][40];
	sim_scenario *sc = load("tests/scenarios/esp_impairments.json");
	for (int i = 0; i < 2; i++) {
		snprintf(t[i], sizeof(t[i]), "/tmp/ikesim-trf-t%d-XXXXXX", i);
		snprintf(c[i], sizeof(c[i]), "/tmp/ikesim-trf-c%d-XXXXXX", i);
		int a = mkstemp(t[i]), b = mkstemp(c[i]);
		assert_true(a >= 0 && b >= 0);
		close(a), close(b);
		sim_run_opts o = { .trace_path = t[i], .pcap_path = c[i] };
		sim_run_result res;
		if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		sim_run_result_free(&res);
	}
	for (int k = 0; k < 2; k++) {
		size_t n0, n1;
		char *a = slurp(k ? c[0] : t[0], &n0), *b = slurp(k ? c[1] : t[1], &n1);
		assert_true(n0 > 10000);
		assert_int_equal(n0, n1);
		assert_memory_equal(a, b, n0);
		free(a), free(b);
	}
	for (int i = 0; i < 2; i++)
		unlink(t[i]), unlink(c[i]);
	sim_scenario_free(sc);
}

/* Reordering exactly at the window's edge: 63 later packets still leave it inside (top - 63), 64 do not. */
static void reorder_at_the_window_edge(void **state)
{
	(void)state;
	sim_scenario *sc = load("tests/scenarios/esp_impairments.json");
	sim_fault_spec *f = &sc->faults[2];
	sim_run_result res;
	sc->n_faults = 3;
	for (uint32_t after = 63; after <= 64; after++) {
		f->after = after;
		run(sc, &res);
		assert_int_equal(res.esp_nodes[1].why[ESP_E_OLD], after == 64);
		assert_int_equal(res.flows[0].delivered, after == 64 ? 198 : 199); /* packet 10 fails its ICV either way */
		sim_run_result_free(&res);
	}
	sim_scenario_free(sc);
}

/* An ESP fault counts its node's packets from its `at` on: "the first packet sent at or after 2 s". */
static void esp_fault_counts_from_at(void **state)
{
	(void)state;
	sim_scenario *sc = load("tests/scenarios/esp_impairments.json");
	sim_fault_spec corrupt = sc->faults[1];
	corrupt.at = 2 * IKE_NS_PER_SEC; /* packets go every 10 ms from 1 s: the 101st is the first at 2 s */
	corrupt.nth = 1;
	sc->faults[0] = corrupt;
	sc->n_faults = 1;
	sim_run_result res;
	run(sc, &res);
	assert_int_equal(res.esp_nodes[1].why[ESP_E_ICV], 1);
	assert_int_equal(res.esp_nodes[1].drops, 1);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

/* A link down costs the packets sent meanwhile; a make-before-break rekey costs none. */
static void down_loses_rekey_does_not(void **state)
{
	(void)state;
	sim_scenario *sc = load("tests/scenarios/esp_down_then_rekey.json");
	sim_run_result res;
	run(sc, &res);
	assert_int_equal(res.flows[0].sent - res.flows[0].delivered, 10);
	assert_int_equal(res.flows[1].sent, 80);
	assert_int_equal(res.flows[1].delivered, 80);
	assert_int_equal(res.flows[1].replies, 40);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

static const char V6[] =
	"{\"duration\":\"4s\",\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\",\"addresses\":[\"198.51.100.1\"]}],"
	"\"links\":[{\"a\":\"a\",\"b\":\"b\",\"latency\":\"5ms\"}],"
	"\"connections\":[{\"name\":\"x\",\"node\":\"a\",\"remote_node\":\"b\",\"initiate\":true,\"auth\":{\"psk\":\"k\"},"
	"\"esp\":\"aes256-sha256\",\"local_ts\":[\"2001:db8:1::/48\"],\"remote_ts\":[\"2001:db8:2::/48\"]},"
	"{\"name\":\"y\",\"node\":\"b\",\"remote_node\":\"a\",\"auth\":{\"psk\":\"k\"},\"esp\":\"aes256-sha256\","
	"\"local_ts\":[\"2001:db8:2::/48\"],\"remote_ts\":[\"2001:db8:1::/48\"]}],"
	"\"hosts\":[{\"name\":\"h1\",\"address\":\"2001:db8:1::10\",\"gateway\":\"a\"},"
	"{\"name\":\"h2\",\"address\":\"2001:db8:2::20\",\"gateway\":\"b\"}],"
	"\"flows\":[{\"name\":\"p\",\"from\":\"h1\",\"to\":\"h2\",\"start\":\"1s\",\"count\":5,\"interval\":\"100ms\"},"
	"{\"name\":\"r\",\"from\":\"h2\",\"to\":\"h1\",\"kind\":\"reqresp\",\"start\":\"1s\",\"count\":4,\"interval\":\"100ms\",\"size\":300,\"resp_size\":1300}],"
	"\"expect\":[{\"flow\":\"p\",\"delivered\":10,\"lost\":0,\"latency_max\":\"5ms\"},{\"flow\":\"r\",\"sent\":8,\"delivered\":{\"min\":8}}]}";

/* IPv6 hosts inside an IPv4 tunnel, AES-CBC with HMAC-SHA-256, both directions start flows. */
static void ipv6_inside_ipv4_cbc(void **state)
{
	(void)state;
	char err[512];
	sim_scenario *sc = sim_scenario_parse("v6.json", V6, sizeof(V6) - 1, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_result res;
	run(sc, &res);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	assert_int_equal(res.flows[0].replies, 5);
	assert_int_equal(res.flows[1].replies, 4);
	assert_int_equal(res.flows[0].lat_min, 5000000);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

typedef struct got_ip {
	size_t n;
	uint8_t proto[4];
	size_t len[4];
} got_ip;

static void on_ip(void *ctx, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		  size_t len)
{
	got_ip *g = ctx;
	(void)now, (void)from, (void)to, (void)data;
	if (g->n < 4) {
		g->proto[g->n] = proto;
		g->len[g->n++] = len;
	}
}

/* Links carry ESP as IP protocol 50: delivered with its protocol, the MTU counting 20 header bytes, not 28. */
static void esp_crosses_links_as_protocol_50(void **state)
{
	(void)state;
	sim *s = sim_new(1);
	ike_addr a = { .family = 4, .ip = { 192, 0, 2, 1 } }, b = { .family = 4, .ip = { 198, 51, 100, 1 } };
	sim_link_cfg cfg = { .latency = 1000, .mtu = 1500 };
	got_ip g = { 0 };
	static uint8_t pkt[1500];
	assert_int_equal(sim_add_node(s, "a", NULL, NULL), 0);
	assert_int_equal(sim_add_node(s, "b", on_ip, &g), 1);
	assert_int_equal(sim_add_addr(s, 0, &a), 0);
	assert_int_equal(sim_add_addr(s, 1, &b), 0);
	assert_int_equal(sim_add_link(s, 0, 1, &cfg), 0);
	sim_send_ip(s, 0, SIM_PROTO_ESP, &a, &b, pkt, 1480); /* 20 + 1480 = 1500: fits */
	sim_send_ip(s, 0, SIM_PROTO_ESP, &a, &b, pkt, 1481);
	sim_send(s, 0, &a, &b, pkt, 1472);                  /* UDP: 28 + 1472 */
	sim_send(s, 0, &a, &b, pkt, 1473);
	sim_run(s, IKE_TIME_NEVER);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.proto[0], SIM_PROTO_ESP);
	assert_int_equal(g.len[0], 1480);
	assert_int_equal(g.proto[1], SIM_PROTO_UDP);
	assert_int_equal(sim_link_mtu_drops(s, 0).count, 2);
	sim_free(s);
}

static void nat_seen(pair *pr, int side, const ike_sa_event *ev)
{
	int *nat = pr->user;
	if (ev->kind == IKE_EV_CHILD_UP)
		nat[side] = ev->child->nat ? 1 : 0;
}

/* ike_child_keys.nat (what makes a gateway put its ESP in UDP): set on both ends when a NAT rewrote side 0's
 * source port from the first datagram on (RFC 7296 2.23 NAT detection), clear without one. */
static void child_keys_say_nat(void **state)
{
	(void)state;
	for (int natted = 0; natted < 2; natted++) {
		pair pr;
		int nat[2] = { -1, -1 };
		pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
		pr.user = nat;
		pr.sa_hook = nat_seen;
		pr.nat_port = natted ? 4501 : 0;
		pair_start(&pr, 5);
		pair_run(&pr, 10 * IKE_NS_PER_SEC);
		assert_int_equal(nat[0], natted);
		assert_int_equal(nat[1], natted);
		pair_free(&pr);
	}
}

/* Loader refusals name the field. */
static void loader_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *patch, *from, *to, *want;
	} cases[] = {
		{ "same gateway", "\"gateway\":\"b\"}],", "\"gateway\":\"a\"}],", "behind the same gateway" },
		{ "unknown host", "\"to\":\"h2\",\"start\"", "\"to\":\"h9\",\"start\"", "flows[0].to: no host or node named 'h9'" },
		{ "rate+interval", "\"count\":5,", "\"count\":5,\"rate\":10,", "flows[0].rate: give 'interval' or 'rate'" },
		{ "bad kind", "\"kind\":\"reqresp\"", "\"kind\":\"tcp\"", "unknown flow kind 'tcp'" },
		{ "tiny", "\"size\":300", "\"size\":40", "flows[1].size" },
		{ "no flow", "{\"flow\":\"p\",", "{\"flow\":\"q\",", "no flow named 'q'" },
		{ "reorder", "\"expect\":", "\"faults\":[{\"node\":\"a\",\"esp\":\"reorder\",\"nth\":3}],\"expect\":",
		  "reorder needs 'after' >= 1" },
		{ "esp kind", "\"expect\":", "\"faults\":[{\"node\":\"a\",\"esp\":\"drop\"}],\"expect\":",
		  "unknown ESP impairment 'drop'" },
		{ "host addr", "\"2001:db8:2::20\"", "\"198.51.100.1\"", "belongs to node 'b'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[sizeof(V6) + 200], err[512];
		const char *at = strstr(V6, cases[i].from);
		assert_non_null(at);
		int n = snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - V6), V6, cases[i].to, at + strlen(cases[i].from));
		sim_scenario *sc = sim_scenario_parse("t.json", text, (size_t)n, err, sizeof(err));
		if (sc || !strstr(err, cases[i].want))
			fail_msg("%s: got '%s'", cases[i].patch, sc ? "accepted" : err);
	}
}

/* rekey_packets: each soft expiry of gw-a's outbound SA rekeys the child, make-before-break, nothing lost;
 * without the limits the same flow never rekeys (the rekeys are the limits' doing). */
static void packet_limits_rekey_without_loss(void **state)
{
	(void)state;
	sim_scenario *sc = load("tests/scenarios/esp_rekey_packets.json");
	sim_run_result res;
	run(sc, &res);
	assert_int_equal(res.flows[0].sent, 100);
	assert_int_equal(res.flows[0].delivered, 100);
	assert_int_equal(res.rekeys[0], 3);
	assert_int_equal(res.esp_nodes[0].drops + res.esp_nodes[1].drops, 0);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	sim_run_result_free(&res);
	for (size_t n = 0; n < sc->n_nodes; n++) {
		ike_child_cfg *ch = (ike_child_cfg *)sc->nodes[n].conns[0].children;
		ch->life.packets = ch->life.rekey_packets = 0;
	}
	run(sc, &res);
	assert_int_equal(res.flows[0].delivered, 100);
	assert_int_equal(res.rekeys[0], 0);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

/* life_packets: past its hard limit the old SA carries nothing (hard-lifetime drops) until the new one is up. */
static void hard_limit_stops_the_sa(void **state)
{
	(void)state;
	sim_scenario *sc = load("tests/scenarios/esp_hard_lifetime.json");
	sim_run_result res;
	run(sc, &res);
	assert_int_equal(res.esp_nodes[0].why[ESP_E_LIFETIME], 15);
	assert_int_equal(res.esp_nodes[0].drops, 15);
	assert_int_equal(res.flows[0].delivered, 45);
	assert_int_equal(res.rekeys[0], 3);
	assert_int_equal(res.esp_nodes[1].drops, 0);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

/* Loader: life_* defaults to rekey_* + 10 % and must be larger. */
static void data_limits_loaded(void **state)
{
	(void)state;
	sim_scenario *sc = load("tests/scenarios/esp_rekey_packets.json");
	const ike_child_cfg *ch = &sc->nodes[0].conns[0].children[0];
	assert_int_equal(ch->life.rekey_packets, 30);
	assert_int_equal(ch->life.packets, 40);
	assert_int_equal(ch->life.rekey_bytes, 0);
	assert_int_equal(ch->life.bytes, 0);
	sim_scenario_free(sc);
	FILE *f = fopen("tests/scenarios/esp_rekey_packets.json", "rb");
	assert_non_null(f);
	static char text[16384], patched[16384 + 64];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	static const struct {
		const char *to, *want; /* "" want: loads, life_packets 33, life_bytes 1100 */
	} cases[] = {
		{ "\"rekey_packets\": 30,\n          \"life_packets\": 30", "life_packets: 30 must be more than rekey_packets" },
		{ "\"rekey_packets\": 30,\n          \"rekey_bytes\": 1000", "" },
		{ "\"rekey_packets\": 30.5,\n          \"life_packets\": 40", "expected a whole number" },
	};
	const char *from = "\"rekey_packets\": 30,\n          \"life_packets\": 40";
	const char *at = strstr(text, from);
	assert_non_null(at);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[512];
		int k = snprintf(patched, sizeof(patched), "%.*s%s%s", (int)(at - text), text, cases[i].to, at + strlen(from));
		sc = sim_scenario_parse("t.json", patched, (size_t)k, err, sizeof(err));
		if (!cases[i].want[0]) {
			if (!sc)
				fail_msg("%s", err);
			ch = &sc->nodes[0].conns[0].children[0];
			assert_int_equal(ch->life.packets, 33);
			assert_int_equal(ch->life.bytes, 1100);
			sim_scenario_free(sc);
		} else if (sc || !strstr(err, cases[i].want)) {
			fail_msg("case %zu: got '%s'", i, sc ? "accepted" : err);
		}
	}
}

size_t tests_traffic(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(inner_round_trip_and_checksums),
		cmocka_unit_test(impairments_counted_by_status),
		cmocka_unit_test(reorder_at_the_window_edge),
		cmocka_unit_test(impaired_packets_commented_in_the_capture),
		cmocka_unit_test(same_seed_same_bytes),
		cmocka_unit_test(esp_fault_counts_from_at),
		cmocka_unit_test(down_loses_rekey_does_not),
		cmocka_unit_test(ipv6_inside_ipv4_cbc),
		cmocka_unit_test(loader_refusals),
		cmocka_unit_test(child_keys_say_nat),
		cmocka_unit_test(esp_crosses_links_as_protocol_50),
		cmocka_unit_test(packet_limits_rekey_without_loss),
		cmocka_unit_test(hard_limit_stops_the_sa),
		cmocka_unit_test(data_limits_loaded),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
