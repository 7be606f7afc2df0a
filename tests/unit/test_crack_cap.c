/*
 * `ikesim crack` input handling: the same exchange in every link type, IP version, port and file format the
 * reader takes (and as tshark rewrites it) gives the same psk-crack line; broken or unsuitable captures are
 * refused with the reason (Main Mode only, IKEv2 only, cut, encrypted, signatures, missing message, file
 * damage); word list rules (CRLF, 1 KiB lines, NUL bytes) and a 10^6-line list streamed.
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
#include "crack.h"
#include "crackfx.h"
#include "crypto/kdf_v1.h"
#include "test_list.h.in"
#include "testfs.h"
#include "tsharkfx.h"

#define CAP_MAX 16384

static clirun run3(const char *a1, const char *a2, const char *a3)
{
	char *argv[5] = { "crack", (char *)a1, (char *)a2, (char *)a3, NULL };
	return clirun_call(cli_crack, a3 ? 4 : a2 ? 3 : 2, argv);
}

static void must_contain(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, hay ? hay : "(null)");
}

/* --psk-hash of a capture file: rc and output. */
static clirun psk_hash_of(const char *path) { return run3(path, "--psk-hash", NULL); }

static void crack_capture_formats(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "crackcap");
	char path[128];
	cfx_am *x = malloc(sizeof(*x));
	uint8_t *buf = malloc(CAP_MAX);
	assert_true(x && buf);
	cfx_am_make(x, IKE_V1_SHA2_256, "letmein", 0x0123456789abcdefull, CFX_AUTH_PSK);
	const cfx_msg *m[] = { &x->m[0], &x->m[1], &x->m[2] };
	tfs_dir_file(&d, "ref.pcap", path, sizeof(path));
	cfx_write(path, buf, cfx_capture(m, 3, &(cfx_cap){ .link = 101 }, buf, CAP_MAX));
	clirun ref = psk_hash_of(path);
	assert_int_equal(ref.rc, 0);
	static const cfx_cap kinds[] = {
		{ .link = 1 }, { .link = 1, .v6 = true, .be = true }, { .link = 113, .natt = true },
		{ .link = 276, .v6 = true, .natt = true, .ng = true }, { .link = 0, .be = true }, { .link = 0, .v6 = true, .ng = true },
		{ .link = 101, .v6 = true, .natt = true, .be = true }, { .link = 1, .natt = true, .ng = true },
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		cfx_write(path, buf, cfx_capture(m, 3, &kinds[i], buf, CAP_MAX));
		clirun r = psk_hash_of(path);
		if (r.rc != 0 || strcmp(strchr(r.out, '\n'), strchr(ref.out, '\n')))
			fail_msg("kind %zu (link %u v6 %d natt %d ng %d be %d): rc %d\n%s%s", i, kinds[i].link, kinds[i].v6,
				 kinds[i].natt, kinds[i].ng, kinds[i].be, r.rc, r.out, r.err);
		must_contain(r.out, kinds[i].v6 ? "[2001:db8::1]:" : "192.0.2.1:");
		must_contain(r.out, kinds[i].natt ? ":4500 -> " : ":500 -> ");
		clirun_free(&r);
	}
	/* what tshark writes (its own pcapng and nanosecond pcap writers) reads the same */
	if (tsx_available()) {
		static const char *const fmts[] = { "pcapng", "nsecpcap" };
		char ref_path[128], args[300];
		tfs_dir_file(&d, "eth.pcap", ref_path, sizeof(ref_path));
		cfx_write(ref_path, buf, cfx_capture(m, 3, &(cfx_cap){ .link = 1, .v6 = true }, buf, CAP_MAX));
		for (size_t i = 0; i < 2; i++) {
			tfs_dir_file(&d, i ? "ts.pcap" : "ts.pcapng", path, sizeof(path));
			snprintf(args, sizeof(args), "-F %s -w %s", fmts[i], path);
			free(tsx_run(NULL, ref_path, args, NULL));
			clirun r = psk_hash_of(path);
			assert_int_equal(r.rc, 0);
			assert_string_equal(strchr(r.out, '\n'), strchr(ref.out, '\n'));
			clirun_free(&r);
		}
	}
	clirun_free(&ref);
	free(buf);
	free(x);
	tfs_dir_remove(&d);
}

typedef struct bad_case {
	const char *name, *want;
} bad_case;

/* Writes case i's capture; the expectations are in the table below. */
static size_t bad_capture(size_t i, cfx_am *x, cfx_am *rsa, uint8_t *buf)
{
	static cfx_msg a, b;
	a = x->m[0], b = x->m[1];
	const cfx_msg *two[] = { &a, &b };
	cfx_cap raw = { .link = 101 };
	switch (i) {
	case 0: a.b[18] = b.b[18] = 2; return cfx_capture(two, 2, &raw, buf, CAP_MAX); /* ID_PROT */
	case 1: a.b[17] = b.b[17] = 0x20; return cfx_capture(two, 2, &raw, buf, CAP_MAX); /* version 2.0 */
	case 2: return cfx_capture(two, 1, &raw, buf, CAP_MAX);
	case 3: return cfx_capture(two + 1, 1, &raw, buf, CAP_MAX);
	case 4: return cfx_capture(two, 2, &(cfx_cap){ .link = 1, .snap = 400 }, buf, CAP_MAX);
	case 5: b.b[19] |= 1; return cfx_capture(two, 2, &raw, buf, CAP_MAX); /* E flag on message 2 */
	case 6: a.b[19] |= 1; return cfx_capture(two, 2, &raw, buf, CAP_MAX);
	case 7: {
		const cfx_msg *r2[] = { &rsa->m[0], &rsa->m[1] };
		return cfx_capture(r2, 2, &raw, buf, CAP_MAX);
	}
	case 8: b.b[28 + 3] ^= 0x40; return cfx_capture(two, 2, &raw, buf, CAP_MAX); /* SA length */
	case 9: return cfx_capture(two, 2, &raw, buf, CAP_MAX) - 10;
	case 10: return cfx_capture(two, 2, &(cfx_cap){ .link = 1, .ng = true }, buf, CAP_MAX) - 3;
	case 11: memcpy(buf, "hello, world\n", 13); return 13;
	case 12: return 0;
	case 13: return cfx_capture(two, 0, &raw, buf, CAP_MAX);
	case 14: return cfx_capture(two, 2, &(cfx_cap){ .link = 147 }, buf, CAP_MAX); /* a user link type */
	default: { /* the header's Length beyond the datagram */
		ike_put_u32(b.b + 24, (uint32_t)b.len + 8);
		return cfx_capture(two, 2, &raw, buf, CAP_MAX);
	}
	}
}

static const bad_case BAD[] = {
	{ "Main Mode only", "Main Mode hides the identity and needs the DH secret: this attack needs Aggressive Mode" },
	{ "IKEv2 only", "IKEv2 only (2 messages)" },
	{ "no message 2", "frame 1: no message 2 (the responder's answer) in the capture" },
	{ "no message 1", "frame 1: message 1 (the initiator's) is not in the capture" },
	{ "snap length", "frame 1: Aggressive Mode message cut short: " },
	{ "encrypted 2", "frame 2: the responder's message is encrypted (E flag): HASH_R cannot be read" },
	{ "encrypted 1", "frame 1: message 1 is encrypted (E flag)" },
	{ "signatures", "frame 2: authentication method 3 (RSA signatures): not a pre-shared key" },
	{ "bad SA length", "frame 2: Aggressive Mode message: " },
	{ "pcap cut", "frame 2: record at offset " },
	{ "pcapng cut", "cut short (" },
	{ "text", "not a pcap or pcapng file" },
	{ "empty", "too short for a capture (0 bytes)" },
	{ "no packets", "no IKEv1 Aggressive Mode exchange (0 frames, 0 IKE datagrams" },
	{ "unknown link", "2 of an unknown link type" },
	{ "header length", "frame 2: Aggressive Mode message, header: Length below 28 or beyond the datagram" },
};

static void crack_refuses_bad_captures(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "crackbad");
	char path[128], words[128];
	cfx_am *x = malloc(sizeof(*x)), *rsa = malloc(sizeof(*rsa));
	uint8_t *buf = malloc(CAP_MAX);
	assert_true(x && rsa && buf);
	cfx_am_make(x, IKE_V1_SHA1, "letmein", 0x1111111111111111ull, CFX_AUTH_PSK);
	cfx_am_make(rsa, IKE_V1_SHA1, "letmein", 0x2222222222222222ull, CFX_AUTH_RSA);
	tfs_dir_file(&d, "words.txt", words, sizeof(words));
	cfx_words(words, 10, 5, "letmein");
	tfs_dir_file(&d, "bad.pcap", path, sizeof(path));
	for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
		cfx_write(path, buf, bad_capture(i, x, rsa, buf));
		clirun r = run3(path, "--wordlist", words);
		if (r.rc != 2 || !strstr(r.err, BAD[i].want))
			fail_msg("%s: rc %d, want 2 and \"%s\" in:\n%s%s", BAD[i].name, r.rc, BAD[i].want, r.err, r.out);
		clirun_free(&r);
	}
	clirun r = run3("/nonexistent/x.pcap", "--wordlist", words);
	assert_int_equal(r.rc, 2);
	must_contain(r.err, "cannot open");
	clirun_free(&r);
	r = run3(path, NULL, NULL);
	assert_int_equal(r.rc, 2);
	must_contain(r.err, "need CAPTURE and --wordlist FILE");
	clirun_free(&r);
	free(buf);
	free(rsa);
	free(x);
	tfs_dir_remove(&d);
}

/* CRLF, a last line without its end, the 1024-byte limit, NUL bytes, a missing file. */
static void crack_wordlist_rules(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "crackwl");
	char cap[128], words[128];
	char *big = malloc(1100);
	cfx_am *x = malloc(sizeof(*x));
	uint8_t *buf = malloc(CAP_MAX);
	assert_true(big && x && buf);
	memset(big, 'k', 1024);
	big[1024] = 0;
	cfx_am_make(x, IKE_V1_SHA1, big, 0x3333333333333333ull, CFX_AUTH_PSK); /* a 1024-byte PSK */
	const cfx_msg *m[] = { &x->m[0], &x->m[1] };
	tfs_dir_file(&d, "am.pcap", cap, sizeof(cap));
	cfx_write(cap, buf, cfx_capture(m, 2, &(cfx_cap){ .link = 101 }, buf, CAP_MAX));
	tfs_dir_file(&d, "w.txt", words, sizeof(words));
	FILE *f = fopen(words, "wb");
	assert_non_null(f);
	fprintf(f, "a\r\n\r\n\nb\r\n%s\r\n", big);
	assert_int_equal(fclose(f), 0);
	clirun r = run3(cap, "--wordlist", words);
	assert_int_equal(r.rc, 0);
	must_contain(r.out, "(line 5 of ");
	must_contain(r.out, "; 3 words in ");
	clirun_free(&r);
	big[1024] = 'k', big[1025] = 0; /* 1025 bytes: refused, not cut to the PSK */
	f = fopen(words, "wb");
	assert_non_null(f);
	fprintf(f, "a\n%s\n", big);
	assert_int_equal(fclose(f), 0);
	r = run3(cap, "--wordlist", words);
	assert_int_equal(r.rc, 2);
	must_contain(r.err, "line 2 is longer than 1024 bytes");
	clirun_free(&r);
	f = fopen(words, "wb");
	assert_non_null(f);
	fwrite("one\ntwo\nth\0ree\n", 1, 15, f);
	assert_int_equal(fclose(f), 0);
	r = run3(cap, "--wordlist", words);
	assert_int_equal(r.rc, 2);
	must_contain(r.err, "line 3 holds a NUL byte");
	clirun_free(&r);
	big[1024] = 0;
	f = fopen(words, "wb"); /* the PSK on a last line without a line end */
	assert_non_null(f);
	fprintf(f, "x\n%s", big);
	assert_int_equal(fclose(f), 0);
	r = run3(cap, "--wordlist", words);
	assert_int_equal(r.rc, 0);
	clirun_free(&r);
	r = run3(cap, "--wordlist", "/nonexistent/words");
	assert_int_equal(r.rc, 2);
	must_contain(r.err, "cannot open");
	clirun_free(&r);
	free(buf);
	free(x);
	free(big);
	tfs_dir_remove(&d);
}

/* 10^6 lines go through the fixed buffer: every word seen once, in order, with its line number. */
static void crack_wordlist_streams(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "crackstream");
	char words[128];
	tfs_dir_file(&d, "w.txt", words, sizeof(words));
	size_t want = cfx_words(words, 1000000, 777777, "needle");
	FILE *f = fopen(words, "rb");
	assert_non_null(f);
	crack_words *w = malloc(sizeof(*w));
	assert_non_null(w);
	crack_words_init(w, f, words);
	uint8_t word[CRACK_WORD_MAX];
	size_t len;
	char err[200];
	int rc;
	uint64_t needle_line = 0;
	while ((rc = crack_words_next(w, word, &len, err, sizeof(err))) > 0) {
		if (len == 6 && !memcmp(word, "needle", 6))
			needle_line = w->line;
		if (word[len - 1] == '\r' || word[0] == '\n')
			fail_msg("line %llu: line end kept", (unsigned long long)w->line);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(w->words, want);
	assert_int_equal(w->line, 1000000);
	assert_int_equal(needle_line, 777777);
	fclose(f);
	free(w);
	tfs_dir_remove(&d);
}

/*
 * The fuzz target's seed captures (tests/fuzz/corpus/crack): two exchanges (SHA-1 and MD5) in six link
 * types and formats, each scanned to what it must hold. IKESIM_CRACK_SEEDS=DIR also writes them there.
 */
static void crack_fuzz_seeds(void **state)
{
	(void)state;
	const char *dir = getenv("IKESIM_CRACK_SEEDS");
	cfx_am *x = malloc(sizeof(*x)), *y = malloc(sizeof(*y));
	uint8_t *buf = malloc(CAP_MAX);
	ike_am_scan *s = malloc(sizeof(*s));
	assert_true(x && y && buf && s);
	cfx_am_make(x, IKE_V1_SHA1, "letmein", 0x5eed5eed00000001ull, CFX_AUTH_PSK);
	cfx_am_make(y, IKE_V1_MD5, "letmein", 0x5eed5eed00000002ull, CFX_AUTH_PSK);
	const cfx_msg *m[] = { &x->m[0], &y->m[0], &x->m[1], &y->m[1], &x->m[2] };
	static const cfx_cap kinds[] = {
		{ .link = 101 }, { .link = 1, .v6 = true, .natt = true, .ng = true }, { .link = 113, .be = true },
		{ .link = 276, .natt = true }, { .link = 0, .v6 = true, .ng = true }, { .link = 1, .snap = 300 },
	};
	static const uint32_t usable[] = { 1, 2, 1, 2, 1, 0 }; /* the odd ones lack x's message 1; the last is cut */
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t len = cfx_capture(i % 2 ? m : m + 1, i % 2 ? 5 : 3, &kinds[i], buf, CAP_MAX);
		char err[200];
		assert_int_equal(ike_am_scan_capture(buf, len, s, err, sizeof(err)), 0);
		assert_int_equal(s->n, 2);
		assert_int_equal(ike_am_usable(s), usable[i]);
		if (dir) {
			char path[512];
			snprintf(path, sizeof(path), "%s/seed%zu.cap", dir, i);
			cfx_write(path, buf, len);
		}
	}
	free(s);
	free(buf);
	free(y);
	free(x);
}

size_t tests_crack_cap(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(crack_capture_formats),
		cmocka_unit_test(crack_refuses_bad_captures),
		cmocka_unit_test(crack_wordlist_rules),
		cmocka_unit_test(crack_wordlist_streams),
		cmocka_unit_test(crack_fuzz_seeds),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
