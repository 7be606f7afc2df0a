/* The pcap capture: file layout, checksums checked independently, determinism, the files a run writes or not.
 * The key table's rows and the engine's key reports: test_pcap_keys.c. */
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
#include "host/frame.h"
#include "keytab.h"
#include "pcap.h"
#include "run.h"
#include "testfs.h"
#include "clirun.h"
#include "test_list.h.in"

#define DEMO "lessons/01-first-tunnel/scenario.json"

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
		cmocka_unit_test(no_key_table_without_reveal),
		cmocka_unit_test(no_partial_files_on_bad_input),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
