/*
 * pcapng captures: block layout read back by an independent parser, one interface per link end, every
 * datagram captured where it is sent (lost ones with a comment saying why), same seed same bytes, and, when
 * tshark is installed, ESP sealed with the keys of the esp_sa table decrypting in Wireshark 4.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/registry.h"
#include "espfx.h"
#include "hexutil.h"
#include "pcap.h"
#include "run.h"
#include "testfs.h"
#include "test_list.h.in"
#include "tsharkfx.h"

#define DEMO "lessons/01-first-tunnel/scenario.json"

/* ---- an independent pcapng reader (little-endian files only, as we write them) ---- */

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

typedef struct ng_pkt {
	uint32_t iface;
	uint64_t ts;
	const uint8_t *data;
	uint32_t len;
	char comment[1100];
} ng_pkt;

typedef struct ng_file {
	uint8_t *bytes;
	size_t n_ifaces, n_pkts;
	char ifname[16][80];
	uint8_t tsresol[16];
	ng_pkt pkts[64];
} ng_file;

/* Options from p to end: copies option `want` (a string) into out; returns the value of option 9 (tsresol) or 6. */
static uint8_t read_opts(const uint8_t *p, const uint8_t *end, uint16_t want, char *out, size_t cap)
{
	uint8_t res = 6;
	out[0] = 0;
	while (p + 4 <= end) {
		uint16_t code = le16(p), len = le16(p + 2);
		assert_true(p + 4 + len <= end);
		if (code == 0)
			break;
		if (code == want)
			snprintf(out, cap, "%.*s", (int)len, (const char *)p + 4);
		if (code == 9)
			res = p[4];
		p += 4 + ((len + 3u) & ~3u);
	}
	return res;
}

static void ng_read(const char *path, ng_file *f)
{
	size_t n;
	memset(f, 0, sizeof(*f));
	f->bytes = (uint8_t *)tfs_must_read(path, &n);
	const uint8_t *p = f->bytes, *end = p + n;
	assert_true(n >= 28);
	assert_int_equal(le32(p), 0x0a0d0d0a);
	assert_int_equal(le32(p + 8), 0x1a2b3c4d);
	assert_int_equal(le16(p + 12), 1);
	while (p < end) {
		assert_true(p + 12 <= end);
		uint32_t type = le32(p), len = le32(p + 4);
		assert_true(len >= 12 && len % 4 == 0 && p + len <= end);
		assert_int_equal(le32(p + len - 4), len); /* trailing copy of the length */
		if (type == 1) {
			assert_true(f->n_ifaces < 16);
			assert_int_equal(le16(p + 8), 101); /* LINKTYPE_RAW */
			f->tsresol[f->n_ifaces] = read_opts(p + 16, p + len - 4, 2, f->ifname[f->n_ifaces], 80);
			f->n_ifaces++;
		} else if (type == 6) {
			assert_true(f->n_pkts < 64);
			ng_pkt *k = &f->pkts[f->n_pkts++];
			k->iface = le32(p + 8);
			assert_true(k->iface < f->n_ifaces); /* declared before use */
			k->ts = (uint64_t)le32(p + 12) << 32 | le32(p + 16);
			k->len = le32(p + 20);
			assert_int_equal(le32(p + 24), k->len);
			k->data = p + 28;
			(void)read_opts(p + 28 + ((k->len + 3u) & ~3u), p + len - 4, 1, k->comment, sizeof(k->comment));
		} else {
			assert_int_equal(type, 0x0a0d0d0a); /* nothing else is written */
		}
		p += len;
	}
}

/* ---- layout ---- */

static const ike_addr A4 = { 4, 500, { 192, 0, 2, 1 } }, B4 = { 4, 500, { 198, 51, 100, 1 } };

static void pcapng_layout(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "pcapng");
	char path[128], err[256], longc[1500];
	tfs_dir_file(&d, "t.pcapng", path, sizeof(path));
	sim_pcap *p = sim_pcap_open(path, SIM_PCAP_PCAPNG, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(sim_pcap_iface(p, "gw-a>gw-b", "link 0"), 0);
	assert_int_equal(sim_pcap_iface(p, "gw-b>gw-a", NULL), 1);
	uint8_t msg[29] = { 0x11 }, esp[37] = { 0, 0, 0x10, 0x01 };
	sim_pcap_ike(p, 0, 1500000007, &A4, &B4, msg, sizeof(msg), "dropped: loss");
	sim_pcap_ike(p, 1, 5000000000LL + 3, &B4, &A4, msg, sizeof(msg), NULL);
	memset(longc, 'x', sizeof(longc) - 1);
	longc[sizeof(longc) - 1] = 0;
	sim_pcap_packet(p, 0, 7, SIM_IPPROTO_ESP, &A4, &B4, esp, sizeof(esp), longc);
	sim_pcap_ike(p, 5, 8, &A4, &B4, msg, sizeof(msg), NULL); /* no such interface: skipped, not written */
	assert_int_equal(sim_pcap_skipped(p), 1);
	assert_int_equal(sim_pcap_close(p, 1), 0);
	ng_file f;
	ng_read(path, &f);
	assert_int_equal(f.n_ifaces, 2);
	assert_string_equal(f.ifname[0], "gw-a>gw-b");
	assert_string_equal(f.ifname[1], "gw-b>gw-a");
	assert_int_equal(f.tsresol[0], 9);
	assert_int_equal(f.tsresol[1], 9);
	assert_int_equal(f.n_pkts, 3);
	assert_int_equal(f.pkts[0].ts, 1500000007);
	assert_string_equal(f.pkts[0].comment, "dropped: loss");
	assert_int_equal(f.pkts[0].len, 28 + sizeof(msg));
	assert_int_equal(f.pkts[1].iface, 1);
	assert_int_equal(f.pkts[1].ts, 5000000003ULL);
	assert_string_equal(f.pkts[1].comment, "");
	const ng_pkt *e = &f.pkts[2];
	assert_int_equal(e->len, 20 + sizeof(esp)); /* IP + the ESP packet as is */
	assert_int_equal(e->data[9], 50);
	assert_memory_equal(e->data + 20, esp, sizeof(esp));
	assert_int_equal(strlen(e->comment), SIM_PCAP_COMMENT_MAX);
	free(f.bytes);
	tfs_dir_remove(&d);
}

/* ---- whole runs ---- */

static sim_scenario *load(const char *path)
{
	char err[512];
	sim_scenario *sc = sim_scenario_load(path, err, sizeof(err));
	if (!sc)
		print_message("%s\n", err);
	assert_non_null(sc);
	return sc;
}

static void run(const sim_scenario *sc, const char *pcap, const char *trace, int format, int reveal,
		sim_run_result *res)
{
	char err[512];
	sim_run_opts o = { .trace_path = trace, .reveal_keys = reveal, .pcap_path = pcap, .pcap_format = format };
	assert_int_equal(sim_run_scenario(sc, &o, res, err, sizeof(err)), 0);
}

/* The node of the scenario that owns addr, or -1. */
static int owner(const sim_scenario *sc, const uint8_t *ip4)
{
	for (size_t i = 0; i < sc->n_nodes; i++)
		for (size_t k = 0; k < sc->nodes[i].n_addrs; k++)
			if (sc->nodes[i].addrs[k].family == 4 && memcmp(sc->nodes[i].addrs[k].ip, ip4, 4) == 0)
				return (int)i;
	return -1;
}

/* Every datagram sent is in the capture, on its sender's link end; each link.drop has its comment. */
static void capture_where_sent(const char *scn, const char *why)
{
	tfs_dir d;
	tfs_dir_make(&d, "pcapng");
	char pcap[128], classic[128], trace[128];
	tfs_dir_file(&d, "t.pcapng", pcap, sizeof(pcap));
	tfs_dir_file(&d, "t.pcap", classic, sizeof(classic));
	tfs_dir_file(&d, "t.jsonl", trace, sizeof(trace));
	sim_scenario *sc = load(scn);
	sim_run_result res;
	run(sc, pcap, trace, SIM_PCAP_PCAPNG, 0, &res);
	ng_file f;
	ng_read(pcap, &f);
	assert_int_equal(f.n_ifaces, 2 * sc->n_links);
	assert_int_equal(f.n_pkts, res.total.sent);
	size_t commented = 0;
	uint64_t last = 0;
	for (size_t i = 0; i < f.n_pkts; i++) {
		const ng_pkt *k = &f.pkts[i];
		const sim_link_spec *l = &sc->links[k->iface / 2];
		assert_int_equal(owner(sc, k->data + 12), (int)(k->iface % 2 ? l->b : l->a)); /* the sender's end */
		assert_true(k->ts >= last); /* send order is time order */
		last = k->ts;
		commented += k->comment[0] != 0;
		if (k->comment[0])
			assert_non_null(strstr(k->comment, why));
	}
	char *t = tfs_must_read(trace, NULL);
	assert_int_equal(commented, tsx_count_lines(t, "\"ev\":\"link.drop\""));
	assert_int_equal(commented, res.total.dropped);
	assert_true(commented > 0);
	free(t);
	free(f.bytes);
	sim_run_result_free(&res);
	/* Classic pcap: no comments, so only what crossed the links. */
	run(sc, classic, NULL, SIM_PCAP_CLASSIC, 0, &res);
	size_t n;
	uint8_t *b = (uint8_t *)tfs_must_read(classic, &n);
	size_t recs = 0;
	for (size_t at = 24; at + 16 <= n; at += 16 + le32(b + at + 8))
		recs++;
	assert_int_equal(recs, res.total.sent - res.total.dropped);
	free(b);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	tfs_dir_remove(&d);
}

static void lost_datagrams_carry_why(void **state)
{
	(void)state;
	capture_where_sent("tests/scenarios/fault_link_down.json", "dropped: link-down");
	capture_where_sent("tests/scenarios/cert_rsa_mtu1280.json", "dropped: larger than MTU 1280 (IP packet of ");
	capture_where_sent("tests/scenarios/lost_auth_retransmit.json", "dropped: fault");
}

static void pcapng_same_seed_same_bytes(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "pcapng");
	char p[2][128];
	tfs_dir_file(&d, "1.pcapng", p[0], sizeof(p[0]));
	tfs_dir_file(&d, "2.pcapng", p[1], sizeof(p[1]));
	sim_scenario *sc = load("tests/scenarios/fault_link_down.json");
	for (int i = 0; i < 2; i++) {
		sim_run_result res;
		run(sc, p[i], NULL, SIM_PCAP_PCAPNG, 1, &res);
		sim_run_result_free(&res);
	}
	size_t n1, n2;
	char *a = tfs_must_read(p[0], &n1), *b = tfs_must_read(p[1], &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1);
	free(a);
	free(b);
	char k1[160], k2[160];
	snprintf(k1, sizeof(k1), "%s%s", p[0], SIM_ESPTAB_SUFFIX);
	snprintf(k2, sizeof(k2), "%s%s", p[1], SIM_ESPTAB_SUFFIX);
	a = tfs_must_read(k1, &n1);
	b = tfs_must_read(k2, &n2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	sim_scenario_free(sc);
	tfs_dir_remove(&d);
}

/* ---- tshark: ESP with the esp_sa table's keys ---- */

typedef struct esp_row {
	ike_addr src, dst;
	espfx_sa sa;
	uint8_t ekey[40], akey[64];
} esp_row;

/* The n-th quoted field of a row, copied into out. */
static void field(const char *line, int n, char *out, size_t cap)
{
	const char *p = line;
	for (int i = 0; i < n; i++)
		p = strchr(strchr(p, '"') + 1, '"') + 2; /* past the closing quote and the comma */
	const char *q = strchr(p + 1, '"');
	snprintf(out, cap, "%.*s", (int)(q - p - 1), p + 1);
}

static size_t read_esp_sa(const char *path, esp_row *rows, size_t cap)
{
	char *t = tfs_must_read(path, NULL), f[160];
	size_t n = 0;
	for (char *line = strtok(t, "\n"); line && n < cap; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		esp_row *r = &rows[n++];
		memset(r, 0, sizeof(*r));
		r->src.family = r->dst.family = 4;
		field(line, 1, f, sizeof(f));
		assert_int_equal(sscanf(f, "%hhu.%hhu.%hhu.%hhu", &r->src.ip[0], &r->src.ip[1], &r->src.ip[2], &r->src.ip[3]), 4);
		field(line, 2, f, sizeof(f));
		assert_int_equal(sscanf(f, "%hhu.%hhu.%hhu.%hhu", &r->dst.ip[0], &r->dst.ip[1], &r->dst.ip[2], &r->dst.ip[3]), 4);
		field(line, 3, f, sizeof(f));
		r->sa.spi = (uint32_t)strtoul(f, NULL, 16);
		field(line, 4, f, sizeof(f));
		r->sa.encr = strstr(f, "GCM") ? IKE_ENCR_AES_GCM_16 : IKE_ENCR_AES_CBC;
		field(line, 5, f, sizeof(f));
		r->sa.e_len = unhex(f + 2, r->ekey, sizeof(r->ekey));
		field(line, 6, f, sizeof(f));
		r->sa.integ = strstr(f, "SHA-256-128") ? IKE_INTEG_HMAC_SHA2_256_128 : 0;
		field(line, 7, f, sizeof(f));
		r->sa.a_len = f[0] ? unhex(f + 2, r->akey, sizeof(r->akey)) : 0;
		r->sa.ekey = r->ekey;
		r->sa.akey = r->akey;
	}
	free(t);
	return n;
}

/* An ICMP echo request 10.1.0.1 -> 10.2.0.1 as the inner packet of tunnel mode. */
static size_t inner_ping(uint8_t *out, size_t cap, uint16_t seq)
{
	ike_addr s = { 4, 0, { 10, 1, 0, 1 } }, d = { 4, 0, { 10, 2, 0, 1 } };
	uint8_t icmp[16] = { 8, 0, 0, 0, 0x12, 0x34, (uint8_t)(seq >> 8), (uint8_t)seq, 'i', 'k', 'e', 's', 'i', 'm' };
	uint16_t c = sim_pcap_fold(sim_pcap_sum(0, icmp, sizeof(icmp)));
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return sim_pcap_ip(out, cap, 1, &s, &d, icmp, sizeof(icmp), seq);
}

/* Runs scn with keys, seals two pings per esp_sa row (the second tampered), and asks tshark. */
static void esp_decrypts(const char *scn_text_from, const char *scn_text_to)
{
	tfs_dir d;
	tfs_dir_make(&d, "espws");
	char scn[128], pcap[128], esp_pcap[128], table[160], ws[160], cmd[512];
	tfs_dir_file(&d, "s.json", scn, sizeof(scn));
	tfs_dir_file(&d, "run.pcapng", pcap, sizeof(pcap));
	tfs_dir_file(&d, "esp.pcapng", esp_pcap, sizeof(esp_pcap));
	char *demo = tfs_must_read(DEMO, NULL), *p0 = demo, *at;
	FILE *f = fopen(scn, "w");
	assert_non_null(f);
	size_t swapped = 0;
	for (; (at = strstr(p0, scn_text_from)); p0 = at + strlen(scn_text_from), swapped++)
		fprintf(f, "%.*s%s", (int)(at - p0), p0, scn_text_to); /* both ends' proposals */
	fputs(p0, f);
	fclose(f);
	free(demo);
	assert_int_equal(swapped, 2);
	sim_scenario *sc = load(scn);
	sim_run_result res;
	run(sc, pcap, NULL, SIM_PCAP_PCAPNG, 1, &res);
	assert_int_equal(res.esp.rows, 2);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	snprintf(table, sizeof(table), "%s%s", pcap, SIM_ESPTAB_SUFFIX);
	esp_row rows[4];
	assert_int_equal(read_esp_sa(table, rows, 4), 2);
	char err[256];
	sim_pcap *p = sim_pcap_open(esp_pcap, SIM_PCAP_PCAPNG, err, sizeof(err));
	assert_non_null(p);
	sim_pcap_iface(p, "gw-a>gw-b", NULL);
	uint8_t in[128], pkt[256];
	for (size_t r = 0; r < 2; r++)
		for (uint32_t seq = 1; seq <= 2; seq++) {
			size_t il = inner_ping(in, sizeof(in), (uint16_t)seq);
			size_t n = espfx_seal(&rows[r].sa, seq, 4 /* IPv4 */, in, il, pkt, sizeof(pkt));
			assert_true(n > 0);
			if (seq == 2)
				pkt[n - 1] ^= 1; /* a bit flipped in the ICV */
			sim_pcap_packet(p, 0, (int64_t)(r * 2 + seq), SIM_IPPROTO_ESP, &rows[r].src, &rows[r].dst, pkt, n,
					seq == 2 ? "esp: ICV check failed" : NULL);
		}
	assert_int_equal(sim_pcap_close(p, 1), 0);
	snprintf(ws, sizeof(ws), "%s/ws", d.path);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp '%s' '%s/esp_sa'", ws, table, ws);
	assert_int_equal(system(cmd), 0);
	char *e = NULL;
	char *out = tsx_run(ws, esp_pcap, "-T fields -E separator=, -e esp.spi -e esp.icv_good -e icmp.type "
				   "-e frame.comment -e _ws.malformed", &e);
	assert_null(strstr(e, "Error loading table"));
	assert_int_equal(tsx_count_lines(out, ",1,8,,"), 2);  /* decrypted, ICV good, an echo request inside */
	assert_int_equal(tsx_count_lines(out, ",0,8,esp: ICV check failed,"), 2); /* decrypted, ICV bad */
	free(out);
	/* Without the table nothing inside shows. */
	out = tsx_run(NULL, esp_pcap, "-T fields -e icmp.type", NULL);
	assert_int_equal(tsx_count_lines(out, "8"), 0);
	free(out);
	free(e);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ws);
	assert_int_equal(system(cmd), 0);
	tfs_dir_remove(&d);
}

static void esp_sa_table_decrypts_in_tshark(void **state)
{
	(void)state;
	if (!tsx_available()) {
		print_message("tshark not installed: skipping (make pcap-check installs it)\n");
		skip();
	}
	esp_decrypts("\"esp\": \"aes128gcm16\"", "\"esp\": \"aes256gcm16\"");
	esp_decrypts("\"esp\": \"aes128gcm16\"", "\"esp\": \"aes128-sha256\"");
}

size_t tests_pcapng(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(pcapng_layout),
		cmocka_unit_test(lost_datagrams_carry_why),
		cmocka_unit_test(pcapng_same_seed_same_bytes),
		cmocka_unit_test(esp_sa_table_decrypts_in_tshark),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
