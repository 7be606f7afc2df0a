/* The pcap capture and Wireshark's IKEv2 key table: file layout, checksums checked independently, determinism, keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "crypto/registry.h"
#include "host/frame.h"
#include "keytab.h"
#include "pair.h"
#include "pcap.h"
#include "run.h"
#include "testfs.h"
#include "clirun.h"
#include "test_list.h.in"
#include "ws_names.h"

#define DEMO "lessons/01-first-tunnel/scenario.json"
#define SAMPLE_TABLE "tests/vectors/wireshark_ikev2_decryption_table.txt"

/* ---- small file helpers ---- */



/* Names in the directory, sorted and joined with ' ' ("" if empty). */
static void tdir_list(const tfs_dir *d, char *out, size_t cap)
{
	char names[16][NAME_MAX + 1];
	size_t n = 0;
	DIR *dir = opendir(d->path);
	assert_non_null(dir);
	for (struct dirent *e; (e = readdir(dir)) && n < 16;)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
	out[0] = 0;
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "", names[i]);
}


/* ---- an independent Internet checksum (RFC 1071), written apart from netsim/pcap_ip.c ---- */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32le(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static uint32_t add_words(uint32_t acc, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i += 2)
		acc += i + 1 < len ? rd16(p + i) : (uint32_t)p[i] << 8;
	return acc;
}

/* True when the one's-complement sum over everything that was checksummed comes out as all ones. */
static int sum_is_ffff(uint32_t acc)
{
	while (acc > 0xffff)
		acc = (acc >> 16) + (acc & 0xffff);
	return acc == 0xffff;
}

/* Verifies a UDP checksum from the packet bytes alone: pseudo-header built here, per RFC 768 / 8200. */
static void assert_udp_checksum(const uint8_t *ip, int v6)
{
	const uint8_t *udp = ip + (v6 ? 40 : 20);
	size_t ulen = rd16(udp + 4);
	uint32_t acc = v6 ? add_words(0, ip + 8, 32) : add_words(0, ip + 12, 8);
	acc += 17 + (uint32_t)ulen;
	acc = add_words(acc, udp, ulen);
	assert_true(rd16(udp + 6) != 0);
	assert_true(sum_is_ffff(acc));
}

static const ike_addr A4 = { 4, 500, { 192, 0, 2, 1 } }, B4 = { 4, 500, { 198, 51, 100, 1 } };

/* Writes the given records to a fresh pcap and returns its bytes. */
static uint8_t *write_pcap(const tfs_dir *d, const ike_addr *from, const ike_addr *to, const uint8_t *msg, size_t len,
			   int64_t now, size_t *flen)
{
	char path[128], err[256];
	tfs_dir_file(d, "t.pcap", path, sizeof(path));
	sim_pcap *p = sim_pcap_open(path, SIM_PCAP_CLASSIC, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(sim_pcap_iface(p, "a>b", NULL), 0); /* classic: counted, not written */
	sim_pcap_ike(p, 0, now, from, to, msg, len, "a comment classic pcap cannot hold");
	sim_pcap_ike(p, 0, now + 1, to, from, msg, len, NULL);
	assert_int_equal(sim_pcap_close(p, 1), 0);
	uint8_t *b = (uint8_t *)tfs_read(path, flen);
	assert_non_null(b);
	unlink(path);
	return b;
}

static void file_header_layout(void **state)
{
	(void)state;
	uint8_t h[SIM_PCAP_FILE_HDR];
	static const uint8_t want[SIM_PCAP_FILE_HDR] = { 0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
							 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0 };
	sim_pcap_file_header(h);
	assert_memory_equal(h, want, sizeof(want));
}

static void ipv4_record_layout_and_checksums(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "pcap");
	uint8_t msg[29]; /* odd: the checksum pads a zero byte */
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(0xa0 + i);
	size_t n;
	uint8_t *b = write_pcap(&d, &A4, &B4, msg, sizeof(msg), 1500000007, &n);
	size_t rec = 16 + 20 + 8 + sizeof(msg);
	assert_int_equal(n, 24 + 2 * rec);
	const uint8_t *r = b + 24, *ip = r + 16, *udp = ip + 20;
	assert_int_equal(rd32le(r), 1);             /* seconds */
	assert_int_equal(rd32le(r + 4), 500000007); /* nanoseconds */
	assert_int_equal(rd32le(r + 8), 28 + sizeof(msg));
	assert_int_equal(rd32le(r + 12), 28 + sizeof(msg));
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(rd16(ip + 2), 28 + sizeof(msg));
	assert_int_equal(ip[9], 17);
	assert_memory_equal(ip + 12, A4.ip, 4);
	assert_memory_equal(ip + 16, B4.ip, 4);
	assert_true(sum_is_ffff(add_words(0, ip, 20)));
	assert_int_equal(rd16(udp), 500);
	assert_int_equal(rd16(udp + 2), 500);
	assert_int_equal(rd16(udp + 4), 8 + sizeof(msg));
	assert_memory_equal(udp + 8, msg, sizeof(msg)); /* port 500: bare IKE, no marker */
	assert_udp_checksum(ip, 0);
	/* The second record: the other direction, 1 ns later, the next IPv4 Identification. */
	const uint8_t *r2 = r + rec, *ip2 = r2 + 16;
	assert_int_equal(rd32le(r2 + 4), 500000008);
	assert_int_equal(rd16(ip2 + 4), rd16(ip + 4) + 1);
	assert_memory_equal(ip2 + 12, B4.ip, 4);
	assert_true(sum_is_ffff(add_words(0, ip2, 20)));
	assert_udp_checksum(ip2, 0);
	free(b);
	tfs_dir_remove(&d);
}

static void ipv6_record_checksum(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "pcap");
	ike_addr a = { 6, 500, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }, c = { 6, 500, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
	uint8_t msg[40] = { 1, 2, 3 };
	size_t n;
	uint8_t *b = write_pcap(&d, &a, &c, msg, sizeof(msg), 0, &n);
	const uint8_t *ip = b + 24 + 16;
	assert_int_equal(rd32le(b + 24 + 8), 48 + sizeof(msg));
	assert_int_equal(ip[0] >> 4, 6);
	assert_int_equal(rd16(ip + 4), 8 + sizeof(msg)); /* payload length */
	assert_int_equal(ip[6], 17);
	assert_memory_equal(ip + 8, a.ip, 16);
	assert_udp_checksum(ip, 1);
	free(b);
	tfs_dir_remove(&d);
}

static void non_esp_marker_off_port_500(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "pcap");
	ike_addr a = A4, c = B4;
	a.port = 4500;
	c.port = 4500;
	uint8_t msg[28] = { 0x11, 0x22 };
	size_t n;
	uint8_t *b = write_pcap(&d, &a, &c, msg, sizeof(msg), 0, &n);
	const uint8_t *udp = b + 24 + 16 + 20;
	assert_int_equal(rd16(udp + 4), 8 + 4 + sizeof(msg));
	static const uint8_t zero[4];
	assert_memory_equal(udp + 8, zero, 4);
	assert_memory_equal(udp + 12, msg, sizeof(msg));
	assert_udp_checksum(b + 24 + 16, 0);
	free(b);
	assert_true(ike_host_frame_marked(4500, 4500));
	assert_true(ike_host_frame_marked(4500, 7000));
	assert_false(ike_host_frame_marked(500, 4500));
	assert_false(ike_host_frame_marked(4500, 500));
	tfs_dir_remove(&d);
}

static void mixed_families_are_skipped(void **state)
{
	(void)state;
	uint8_t out[128] = { 0 };
	ike_addr v6 = { 6, 500, { 0x20, 0x01 } };
	assert_int_equal(sim_pcap_ip_udp(out, sizeof(out), &A4, &v6, out, 4, 0), 0);
	assert_int_equal(sim_pcap_ip_udp(out, 30, &A4, &B4, out, 4, 0), 0); /* does not fit */
	assert_int_equal(sim_pcap_ip_udp(out, sizeof(out), &A4, &B4, (const uint8_t *)"abcd", 4, 0), 32);
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

static void run_to(const sim_scenario *sc, uint64_t seed, const char *pcap, const char *trace, int reveal,
		   sim_run_result *res)
{
	char err[512];
	sim_run_opts o = { .seed = seed, .seed_set = 1, .trace_path = trace, .reveal_keys = reveal, .pcap_path = pcap,
			   .pcap_format = SIM_PCAP_CLASSIC };
	assert_int_equal(sim_run_scenario(sc, &o, res, err, sizeof(err)), 0);
}

static void same_seed_same_bytes(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "pcap");
	char p1[128], p2[128], p3[128], k1[160], k2[160];
	tfs_dir_file(&d, "1.pcap", p1, sizeof(p1));
	tfs_dir_file(&d, "2.pcap", p2, sizeof(p2));
	tfs_dir_file(&d, "3.pcap", p3, sizeof(p3));
	sim_scenario *sc = load(DEMO);
	sim_run_result res;
	for (int i = 0; i < 3; i++) {
		run_to(sc, i == 2 ? 2 : 1, i == 0 ? p1 : i == 1 ? p2 : p3, NULL, 1, &res);
		sim_run_result_free(&res);
	}
	size_t n1, n2, n3, t1, t2;
	uint8_t *b1 = (uint8_t *)tfs_read(p1, &n1), *b2 = (uint8_t *)tfs_read(p2, &n2), *b3 = (uint8_t *)tfs_read(p3, &n3);
	snprintf(k1, sizeof(k1), "%s%s", p1, SIM_KEYTAB_SUFFIX);
	snprintf(k2, sizeof(k2), "%s%s", p2, SIM_KEYTAB_SUFFIX);
	uint8_t *tb1 = (uint8_t *)tfs_read(k1, &t1), *tb2 = (uint8_t *)tfs_read(k2, &t2);
	assert_non_null(b1);
	assert_non_null(b2);
	assert_non_null(b3);
	assert_non_null(tb1);
	assert_non_null(tb2);
	assert_true(n1 > 24 + 4 * 44);
	assert_int_equal(n1, n2);
	assert_memory_equal(b1, b2, n1);
	assert_int_equal(t1, t2);
	assert_memory_equal(tb1, tb2, t1);
	assert_true(n1 != n3 || memcmp(b1, b3, n1) != 0); /* another seed: other SPIs, nonces, keys */
	free(b1);
	free(b2);
	free(b3);
	free(tb1);
	free(tb2);
	sim_scenario_free(sc);
	tfs_dir_remove(&d);
}

static int is_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return len % 2 == 0;
}

/*
 * Checks one ikev2_decryption_table row: SPIi,SPIr (16 hex digits each),SK_ei,SK_er (hex),"encr",
 * SK_ai,SK_ar (hex, may be empty),"integ". Copies the fields into f[8] (quotes stripped).
 */
static int row_ok(const char *line, char f[8][300])
{
	size_t k = 0;
	const char *p = line;
	while (k < 8) {
		const char *end;
		if (*p == '"') {
			end = strchr(p + 1, '"');
			if (!end)
				return 0;
			snprintf(f[k], 300, "%.*s", (int)(end - p - 1), p + 1);
			end++;
		} else {
			end = p + strcspn(p, ",\n");
			if (!is_hex(p, (size_t)(end - p)))
				return 0;
			snprintf(f[k], 300, "%.*s", (int)(end - p), p);
		}
		k++;
		if (k < 8 && *end != ',')
			return 0;
		p = end + (k < 8);
		if (k == 8 && *end && *end != '\n')
			return 0;
	}
	return strlen(f[0]) == 16 && strlen(f[1]) == 16 && strlen(f[2]) == strlen(f[3]) && strlen(f[5]) == strlen(f[6]);
}

/* The row checker accepts every line of Wireshark's own sample file: it checks Wireshark's format. */
static void row_checker_accepts_wireshark_sample(void **state)
{
	(void)state;
	size_t n, rows = 0;
	char *t = tfs_read(SAMPLE_TABLE, &n), f[8][300];
	assert_non_null(t);
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		assert_true(row_ok(line, f));
		rows++;
	}
	assert_int_equal(rows, 9);
	free(t);
}

/* Every name we write is spelt as Wireshark spells it: the sample's names, and the families we added. */
static void names_cover_registry(void **state)
{
	(void)state;
	size_t n_all, n;
	const ike_alg *all = ike_alg_all(&n_all);
	char *sample = tfs_read(SAMPLE_TABLE, &n);
	assert_non_null(sample);
	for (size_t i = 0; i < n_all; i++) {
		bool checked;
		if (all[i].type == IKE_TT_ENCR) {
			const char *w = sim_ws_ikev2_encr(all[i].id, all[i].keylen_bits);
			if (all[i].id == IKE_ENCR_CHACHA20_POLY1305) {
				assert_null(w); /* Wireshark 4.0's IKEv2 table has no ChaCha20-Poly1305 */
				continue;
			}
			assert_non_null(w);
			char want[64];
			if (all[i].aead)
				snprintf(want, sizeof(want), "AES-GCM-%u with %u octet ICV [RFC5282]", all[i].keylen_bits,
					 all[i].icv_bytes);
			else
				snprintf(want, sizeof(want), "AES-%s-%u [%s]", all[i].id == IKE_ENCR_AES_CBC ? "CBC" : "CTR",
					 all[i].keylen_bits, all[i].id == IKE_ENCR_AES_CBC ? "RFC3602" : "RFC5930");
			assert_string_equal(w, want);
		} else if (all[i].type == IKE_TT_INTEG) {
			const char *w = sim_ws_ikev2_integ(all[i].id, &checked);
			assert_non_null(w);
			if (checked)
				assert_int_equal(strncmp(w, "HMAC_", 5), 0);
			else
				assert_string_equal(w, "ANY 96-bits of Authentication [No Checking]");
		}
	}
	/* Spot checks against the sample's exact spelling. */
	const char *from_sample[] = { sim_ws_ikev2_encr(IKE_ENCR_AES_CBC, 256), sim_ws_ikev2_encr(IKE_ENCR_AES_CTR, 128),
				      sim_ws_ikev2_encr(IKE_ENCR_AES_GCM_16, 256), sim_ws_ikev2_encr(IKE_ENCR_AES_GCM_8, 256),
				      sim_ws_ikev2_integ(IKE_INTEG_HMAC_SHA2_256_128, &(bool){ 0 }),
				      sim_ws_ikev2_integ(IKE_INTEG_HMAC_SHA2_512_256, &(bool){ 0 }),
				      sim_ws_ikev2_integ(IKE_INTEG_AES_XCBC_96, &(bool){ 0 }), SIM_WS_INTEG_NONE };
	for (size_t i = 0; i < sizeof(from_sample) / sizeof(from_sample[0]); i++) {
		char q[80];
		snprintf(q, sizeof(q), "\"%s\"", from_sample[i]);
		assert_non_null(strstr(sample, q));
	}
	free(sample);
}

/* The value of the first kdf event `name` of `node` in a trace file, as hex into out. */
static void trace_kdf(const char *trace, const char *node, const char *name, char *out, size_t cap)
{
	size_t n;
	char *t = tfs_read(trace, &n), pat_node[64], pat_name[64];
	assert_non_null(t);
	snprintf(pat_node, sizeof(pat_node), "\"node\":\"%s\"", node);
	snprintf(pat_name, sizeof(pat_name), "\"ev\":\"kdf\",\"name\":\"%s\"", name);
	out[0] = 0;
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, pat_node) && strstr(line, pat_name)) {
			const char *v = strstr(line, "\"value\":\"");
			assert_non_null(v);
			v += 9;
			snprintf(out, cap, "%.*s", (int)strcspn(v, "\""), v);
			break;
		}
	free(t);
	assert_true(out[0] != 0);
}

/* A CBC+HMAC run: one row, in Wireshark's format, holding exactly the keys the trace's kdf events show. */
static void key_table_row_matches_kdf(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "pcap");
	char scn[128], pcap[128], trace[128], table[160], f[8][300], v[300];
	tfs_dir_file(&d, "cbc.json", scn, sizeof(scn));
	tfs_dir_file(&d, "x.pcap", pcap, sizeof(pcap));
	tfs_dir_file(&d, "x.jsonl", trace, sizeof(trace));
	snprintf(table, sizeof(table), "%s%s", pcap, SIM_KEYTAB_SUFFIX);
	size_t n;
	char *demo = tfs_read(DEMO, &n);
	assert_non_null(demo);
	FILE *o = fopen(scn, "w");
	assert_non_null(o);
	for (char *p = demo, *hit; *p; p = hit + strlen("aes128gcm16-prfsha256-x25519")) {
		if (!(hit = strstr(p, "aes128gcm16-prfsha256-x25519"))) {
			fputs(p, o);
			break;
		}
		fprintf(o, "%.*saes256-sha256-x25519", (int)(hit - p), p);
	}
	fclose(o);
	free(demo);
	sim_scenario *sc = load(scn);
	sim_run_result res;
	run_to(sc, 1, pcap, trace, 1, &res);
	assert_int_equal(res.keys.rows, 1);
	assert_int_equal(res.keys.undecryptable, 0);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	char *t = tfs_read(table, &n);
	assert_non_null(t);
	assert_int_equal(t[0], '#');
	char *row = strchr(t, '\n') + 1;
	assert_true(row_ok(row, f));
	assert_string_equal(strchr(row, '\n'), "\n"); /* exactly one row: both ends' reports merged */
	assert_string_equal(f[4], "AES-CBC-256 [RFC3602]");
	assert_string_equal(f[7], "HMAC_SHA2_256_128 [RFC4868]");
	static const char *const names[] = { "initiator-spi", "responder-spi" };
	for (int i = 0; i < 2; i++) {
		char pat[64];
		snprintf(pat, sizeof(pat), "\"%s\":\"%s\"", names[i], f[i]);
		char *tr = tfs_read(trace, &n);
		assert_non_null(strstr(tr, pat));
		free(tr);
	}
	static const char *const kdf[] = { "SK_ei", "SK_er", NULL, "SK_ai", "SK_ar" }; /* f[2..6] */
	for (int i = 0; i < 5; i++) {
		if (!kdf[i])
			continue;
		trace_kdf(trace, "gw-b", kdf[i], v, sizeof(v));
		assert_string_equal(f[2 + i], v);
	}
	free(t);
	tfs_dir_remove(&d);
}

/* ---- the engine's side: keys with IKE_UP only when reveal_keys is set ---- */

typedef struct seen_keys {
	int ups, with_keys;
	char ei[80], ar[140];
	uint16_t encr, integ;
} seen_keys;

static void hex_of(const uint8_t *b, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * len] = 0;
}

static void record_up(pair *pr, int side, const ike_sa_event *ev)
{
	seen_keys *s = &((seen_keys *)pr->user)[side];
	if (ev->kind != IKE_EV_IKE_UP)
		return;
	s->ups++;
	if (!ev->keys)
		return;
	s->with_keys++;
	s->encr = ev->keys->encr;
	s->integ = ev->keys->integ;
	hex_of(ev->keys->ei, ev->keys->e_len, s->ei);
	hex_of(ev->keys->ar, ev->keys->a_len, s->ar);
}

static void engine_reveals_keys_only_when_asked(void **state)
{
	(void)state;
	for (int hide = 0; hide < 2; hide++) {
		pair pr;
		seen_keys seen[2] = { 0 };
		pair_init(&pr, "aes128-sha256-x25519", "aes128gcm16");
		pr.user = seen;
		pr.sa_hook = record_up;
		pr.hide_keys = hide;
		pr.record_trace = true;
		pair_start(&pr, 7);
		pair_run(&pr, 10 * IKE_NS_PER_SEC);
		char want[140];
		for (int s = 0; s < 2; s++) {
			assert_int_equal(seen[s].ups, 1);
			assert_int_equal(seen[s].with_keys, !hide);
			if (hide)
				continue;
			assert_int_equal(seen[s].encr, IKE_ENCR_AES_CBC);
			assert_int_equal(seen[s].integ, IKE_INTEG_HMAC_SHA2_256_128);
			/* SK_ei/SK_ar are the initiator's/responder's keys on both sides, as the kdf events say. */
			assert_true(pair_kdf_value(&pr, s, "SK_ei", want, sizeof(want)) > 0);
			assert_string_equal(seen[s].ei, want);
			assert_true(pair_kdf_value(&pr, s, "SK_ar", want, sizeof(want)) > 0);
			assert_string_equal(seen[s].ar, want);
		}
		pair_free(&pr);
	}
}

/* ---- the command line ---- */

static clirun run_cli(char **argv, int argc) { return clirun_call(cli_main, argc, argv); }

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void no_key_table_without_reveal(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "pcap");
	char pcap[128], list[512];
	tfs_dir_file(&d, "run.pcap", pcap, sizeof(pcap));
	char *argv[] = { "ikesim", "run", DEMO, "--pcap", pcap, "--quiet" };
	clirun r = run_cli(argv, 6);
	assert_int_equal(r.rc, CLI_OK);
	assert_int_equal(count(r.err, "no key table without --reveal-keys"), 1);
	tdir_list(&d, list, sizeof(list));
	assert_string_equal(list, "run.pcap");
	clirun_free(&r);
	char *argv2[] = { "ikesim", "run", DEMO, "--pcap", pcap, "--quiet", "--reveal-keys" };
	r = run_cli(argv2, 7);
	assert_int_equal(r.rc, CLI_OK);
	assert_int_equal(count(r.err, "no key table"), 0);
	tdir_list(&d, list, sizeof(list));
	assert_string_equal(list, "run.pcap run.pcap.esp_sa run.pcap.ikev2_decryption_table");
	clirun_free(&r);
	tfs_dir_remove(&d);
}

static void no_partial_files_on_bad_input(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "pcap");
	char scn[128], pcap[128], trace[128], list[512], missing[160];
	tfs_dir_file(&d, "bad.json", scn, sizeof(scn));
	tfs_dir_file(&d, "out.pcap", pcap, sizeof(pcap));
	tfs_dir_file(&d, "out.jsonl", trace, sizeof(trace));
	snprintf(missing, sizeof(missing), "%s/no/such/dir.pcap", d.path);
	FILE *f = fopen(scn, "w");
	assert_non_null(f);
	fputs("{\"seed\":1,\"nodes\":[{\"name\":\"a\"", f); /* truncated JSON */
	fclose(f);
	struct {
		char *argv[9];
		int argc, rc;
		const char *err;
	} cases[] = {
		{ { "ikesim", "run", scn, "--pcap", pcap, "--reveal-keys", "--trace", trace }, 8, CLI_USAGE, "" },
		{ { "ikesim", "run", DEMO, "--pcap" }, 4, CLI_USAGE, "--pcap needs a value" },
		{ { "ikesim", "run", DEMO, "--pcap", "" }, 5, CLI_USAGE, "--pcap needs a value" },
		{ { "ikesim", "run", DEMO, "--pcap", pcap, "--trace", pcap }, 7, CLI_USAGE, "name the same file" },
		{ { "ikesim", "run", DEMO, "--pcap", d.path, "--reveal-keys" }, 6, CLI_ERR, "it is a directory" },
		{ { "ikesim", "run", DEMO, "--pcap", missing, "--reveal-keys", "--trace", trace }, 8, CLI_ERR,
		  "cannot create pcap file" },
		{ { "ikesim", "run", DEMO, "--pcap", "/dev/null", "--reveal-keys" }, 6, CLI_USAGE, "not a regular file" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		clirun r = run_cli(cases[i].argv, cases[i].argc);
		assert_int_equal(r.rc, cases[i].rc);
		assert_non_null(strstr(r.err, cases[i].err));
		/* One error line; the --reveal-keys warning comes before it once the scenario loaded. */
		assert_int_equal(count(r.err, "\n") - count(r.err, "WARNING: --reveal-keys"), 1);
		tdir_list(&d, list, sizeof(list));
		assert_string_equal(list, "bad.json");
		clirun_free(&r);
	}
	tfs_dir_remove(&d);
}

size_t tests_pcap(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(file_header_layout),
		cmocka_unit_test(ipv4_record_layout_and_checksums),
		cmocka_unit_test(ipv6_record_checksum),
		cmocka_unit_test(non_esp_marker_off_port_500),
		cmocka_unit_test(mixed_families_are_skipped),
		cmocka_unit_test(same_seed_same_bytes),
		cmocka_unit_test(row_checker_accepts_wireshark_sample),
		cmocka_unit_test(names_cover_registry),
		cmocka_unit_test(key_table_row_matches_kdf),
		cmocka_unit_test(engine_reveals_keys_only_when_asked),
		cmocka_unit_test(no_key_table_without_reveal),
		cmocka_unit_test(no_partial_files_on_bad_input),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
