/*
 * `ikesim crack` (cli/cmd_crack.c): an Aggressive Mode exchange made with the IKEv1 foundations (real group 14
 * DH, PSK "letmein") is captured and its PSK found from a word list, or reported absent; the psk-crack line
 * (ike-scan's format) matches the values the exchange used, and ike-scan's own psk-crack cracks it when
 * installed; several exchanges, --exchange, --list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "clirun.h"
#include "crackfx.h"
#include "crypto/kdf_v1.h"
#include "test_list.h.in"
#include "testfs.h"

#define CAP_MAX 16384

/* Writes the exchange's messages as a capture in d/name; the path goes to out. */
static void capture(const tfs_dir *d, const char *name, const cfx_msg *const *m, int n, const cfx_cap *o, char *out,
		    size_t cap)
{
	uint8_t *buf = malloc(CAP_MAX);
	assert_non_null(buf);
	tfs_dir_file(d, name, out, cap);
	cfx_write(out, buf, cfx_capture(m, n, o, buf, CAP_MAX));
	free(buf);
}

static clirun crack(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
	char *argv[7] = { "crack", (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5, NULL };
	int argc = 1;
	while (argc < 6 && argv[argc])
		argc++;
	return clirun_call(cli_crack, argc, argv);
}

static void must_contain(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, hay ? hay : "(null)");
}

static void crack_finds_psk_at_line_1000(void **state)
{
	(void)state;
	static const uint16_t hashes[] = { IKE_V1_SHA1, IKE_V1_SHA2_256, IKE_V1_MD5 };
	tfs_dir d;
	tfs_dir_make(&d, "crack");
	char cap[128], words[128];
	tfs_dir_file(&d, "words.txt", words, sizeof(words));
	size_t nw = cfx_words(words, 1500, 1000, "letmein");
	assert_true(nw > 1000);
	for (size_t h = 0; h < sizeof(hashes) / sizeof(hashes[0]); h++) {
		cfx_am *x = malloc(sizeof(*x));
		assert_non_null(x);
		cfx_am_make(x, hashes[h], "letmein", 0x1122334455667700ull + h, CFX_AUTH_PSK);
		const cfx_msg *m[] = { &x->m[0], &x->m[1], &x->m[2] };
		capture(&d, "am.pcap", m, 3, &(cfx_cap){ .link = 101 }, cap, sizeof(cap));
		clirun r = crack(cap, "--wordlist", words, NULL, NULL);
		assert_int_equal(r.rc, 0);
		must_contain(r.out, "PSK found: \"letmein\" (line 1000 of ");
		must_contain(r.out, "frames 1 and 2, 192.0.2.1:500 -> 192.0.2.2:500");
		must_contain(r.out, "responder ID ID_FQDN \"vpn.example.net\"");
		must_contain(r.out, hashes[h] == IKE_V1_SHA1 ? "hash SHA1" : hashes[h] == IKE_V1_MD5 ? "hash MD5" : "hash SHA2-256");
		clirun_free(&r);
		free(x);
	}
	tfs_dir_remove(&d);
}

static void crack_reports_no_match(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "crack");
	char cap[128], words[128], want[256];
	cfx_am *x = malloc(sizeof(*x));
	assert_non_null(x);
	cfx_am_make(x, IKE_V1_SHA2_256, "letmein", 0x0102030405060708ull, CFX_AUTH_PSK);
	const cfx_msg *m[] = { &x->m[0], &x->m[1] };
	capture(&d, "am.pcap", m, 2, &(cfx_cap){ .link = 1 }, cap, sizeof(cap));
	tfs_dir_file(&d, "words.txt", words, sizeof(words));
	size_t nw = cfx_words(words, 1000, 0, NULL);
	clirun r = crack(cap, "--wordlist", words, NULL, NULL);
	assert_int_equal(r.rc, 3);
	snprintf(want, sizeof(want), "no PSK found: none of the %zu words of %s matched", nw, words);
	must_contain(r.out, want);
	clirun_free(&r);
	/* a PSK that differs in its last byte is not taken for it */
	FILE *f = fopen(words, "w");
	assert_non_null(f);
	fputs("letmeiN\nletmei\nletmein \n", f);
	assert_int_equal(fclose(f), 0);
	r = crack(cap, "--wordlist", words, NULL, NULL);
	assert_int_equal(r.rc, 3);
	must_contain(r.out, "none of the 3 words");
	clirun_free(&r);
	free(x);
	tfs_dir_remove(&d);
}

static void hexcat(char *out, size_t cap, const uint8_t *p, size_t n)
{
	size_t at = strlen(out);
	for (size_t i = 0; i < n && at + 3 < cap; i++, at += 2)
		snprintf(out + at, cap - at, "%02x", p[i]);
}

/* The psk-crack line holds exactly the values the exchange used, in ike-scan's order; it cracks as a file too. */
static void crack_psk_hash_line(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "crack");
	char cap[128], words[128], line[128];
	cfx_am *x = malloc(sizeof(*x));
	char *want = calloc(1, 4096);
	assert_true(x && want);
	cfx_am_make(x, IKE_V1_SHA1, "letmein", 0xf00dfeedcafebeefull, CFX_AUTH_PSK);
	const cfx_msg *m[] = { &x->m[0], &x->m[1], &x->m[2] };
	capture(&d, "am.pcapng", m, 3, &(cfx_cap){ .link = 1, .ng = true }, cap, sizeof(cap));
	uint8_t ck[16];
	ike_put_u64(ck, x->cky_r);
	ike_put_u64(ck + 8, x->cky_i);
	hexcat(want, 4096, x->gxr, 256), strcat(want, ":");
	hexcat(want, 4096, x->gxi, 256), strcat(want, ":");
	hexcat(want, 4096, ck, 8), strcat(want, ":");
	hexcat(want, 4096, ck + 8, 8), strcat(want, ":");
	hexcat(want, 4096, x->sai_b, x->sai_len), strcat(want, ":");
	hexcat(want, 4096, x->idir_b, x->idir_len), strcat(want, ":");
	hexcat(want, 4096, x->ni, sizeof(x->ni)), strcat(want, ":");
	hexcat(want, 4096, x->nr, sizeof(x->nr)), strcat(want, ":");
	hexcat(want, 4096, x->hash_r, x->hash_len), strcat(want, "\n");
	clirun r = crack(cap, "--psk-hash", NULL, NULL, NULL);
	assert_int_equal(r.rc, 0);
	must_contain(r.out, want);
	clirun_free(&r);
	tfs_dir_file(&d, "am.psk", line, sizeof(line));
	cfx_write(line, want, strlen(want));
	tfs_dir_file(&d, "words.txt", words, sizeof(words));
	cfx_words(words, 50, 17, "letmein");
	r = crack(line, "--wordlist", words, NULL, NULL);
	assert_int_equal(r.rc, 0);
	must_contain(r.out, "psk-crack parameters, hash SHA1");
	must_contain(r.out, "PSK found: \"letmein\" (line 17 of ");
	clirun_free(&r);
	/* ike-scan's psk-crack, when installed, reads our line and finds the same key */
	if (system("command -v psk-crack >/dev/null 2>&1") == 0) {
		char cmd[512], out[4096] = "";
		snprintf(cmd, sizeof(cmd), "psk-crack -d %s %s 2>&1", words, line);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		size_t n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = 0;
		pclose(p);
		must_contain(out, "key \"letmein\" matches");
	}
	/* broken lines are refused with the field named */
	static const char *const bad[][2] = {
		{ "00:11\n", "fields where 9 are needed" },
		{ "0g:00:0000000000000000:0000000000000000:00:00:00:00:00112233445566778899aabbccddeeff\n", "field 1 (g_xr): not hex" },
		{ "00:00:00:0000000000000000:00:00:00:00:00112233445566778899aabbccddeeff\n", "cky_r is 1 bytes" },
		{ "00:00:0000000000000000:0000000000000000:00:00:00:00:0011\n", "hash_r is 2 bytes" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfx_write(line, bad[i][0], strlen(bad[i][0]));
		r = crack(line, "--wordlist", words, NULL, NULL);
		assert_int_equal(r.rc, 2);
		must_contain(r.err, bad[i][1]);
		clirun_free(&r);
	}
	free(want);
	free(x);
	tfs_dir_remove(&d);
}

/* Two exchanges: the choice is asked for, --exchange picks, --list lists. */
static void crack_several_exchanges(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "crack");
	char cap[128], words[128];
	cfx_am *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	assert_true(a && b);
	cfx_am_make(a, IKE_V1_SHA1, "letmein", 0xaaaaaaaa00000001ull, CFX_AUTH_PSK);
	cfx_am_make(b, IKE_V1_SHA2_256, "hunter2", 0xbbbbbbbb00000002ull, CFX_AUTH_PSK);
	const cfx_msg *m[] = { &a->m[0], &b->m[0], &a->m[0], &a->m[1], &b->m[1], &b->m[2] }; /* AM1 retransmitted */
	capture(&d, "two.pcap", m, 6, &(cfx_cap){ .link = 101 }, cap, sizeof(cap));
	tfs_dir_file(&d, "words.txt", words, sizeof(words));
	cfx_words(words, 40, 30, "hunter2");
	clirun r = crack(cap, "--wordlist", words, NULL, NULL);
	assert_int_equal(r.rc, 2);
	must_contain(r.err, "holds 2 Aggressive Mode exchanges: choose one with --exchange N");
	must_contain(r.err, "  1  frames 1, 4  192.0.2.1:500 -> 192.0.2.2:500  CKY-I aaaaaaaa00000001: can be attacked");
	must_contain(r.err, "  2  frames 2, 5  192.0.2.1:500 -> 192.0.2.2:500  CKY-I bbbbbbbb00000002: can be attacked");
	clirun_free(&r);
	r = crack(cap, "--wordlist", words, "--exchange", "2");
	assert_int_equal(r.rc, 0);
	must_contain(r.out, "exchange 2 of 2, frames 2 and 5");
	must_contain(r.out, "PSK found: \"hunter2\" (line 30 of");
	clirun_free(&r);
	r = crack(cap, "--wordlist", words, "--exchange", "1");
	assert_int_equal(r.rc, 3);
	clirun_free(&r);
	r = crack(cap, "--wordlist", words, "--exchange", "3");
	assert_int_equal(r.rc, 2);
	must_contain(r.err, "--exchange 3: ");
	clirun_free(&r);
	r = crack(cap, "--list", NULL, NULL, NULL);
	assert_int_equal(r.rc, 0);
	must_contain(r.out, "2 Aggressive Mode exchanges");
	clirun_free(&r);
	/* only one of two can be attacked (the other lacks its message 2): taken without asking */
	const cfx_msg *m2[] = { &a->m[0], &b->m[0], &b->m[1] };
	capture(&d, "one.pcap", m2, 3, &(cfx_cap){ .link = 101 }, cap, sizeof(cap));
	r = crack(cap, "--wordlist", words, NULL, NULL);
	assert_int_equal(r.rc, 0);
	must_contain(r.out, "the only one of 2 Aggressive Mode exchanges that can be attacked");
	must_contain(r.out, "exchange 2 of 2, frames 2 and 3");
	must_contain(r.out, "PSK found: \"hunter2\"");
	clirun_free(&r);
	r = crack(cap, "--wordlist", words, "--exchange", "1");
	assert_int_equal(r.rc, 2);
	must_contain(r.err, "exchange 1 cannot be attacked: frame 1: no message 2");
	clirun_free(&r);
	free(a);
	free(b);
	tfs_dir_remove(&d);
}

size_t tests_crack(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(crack_finds_psk_at_line_1000),
		cmocka_unit_test(crack_reports_no_match),
		cmocka_unit_test(crack_psk_hash_line),
		cmocka_unit_test(crack_several_exchanges),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
