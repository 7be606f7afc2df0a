/* The vectors runner: expected outcome for every repo vector file, and malformed input never crashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "test_list.h.in"
#include "vectors.h"

/* Runs cli_vectors on one file, capturing both streams. */
static clirun run1(const char *path)
{
	char *argv[] = { "vectors", (char *)path };
	return clirun_call(cli_vectors, 2, argv);
}

static void expect(const char *path, int ok, const char *summary)
{
	clirun r = run1(path);
	if (!strstr(r.out, summary) || (r.rc == 0) != ok)
		fail_msg("%s: rc %d, out \"%s\", err \"%s\"", path, r.rc, r.out, r.err);
	clirun_free(&r);
}

static void repo_files_have_expected_outcomes(void **state)
{
	(void)state;
	expect("tests/vectors/ikev2_kdf_cavp.json", 1, "18 passed, 0 failed\n");
	expect("tests/vectors/modp_groups.json", 1, "8 passed, 0 failed\n");
	expect("tests/vectors/rfc3566_aes_xcbc_mac_96.json", 1, "7 passed, 0 failed\n");
	expect("tests/vectors/rfc3686_aes_ctr_esp.json", 1, "9 passed, 0 failed\n");
	expect("tests/vectors/rfc4231_hmac_sha2.json", 1, "7 passed, 0 failed\n");
	expect("tests/vectors/rfc4434_aes_xcbc_prf_128.json", 1, "3 passed, 0 failed\n");
	expect("tests/vectors/rfc4615_aes_cmac_prf_128.json", 1, "3 passed, 0 failed\n");
	expect("tests/vectors/rfc4868_hmac_sha2_ipsec.json", 1, "18 passed, 0 failed\n");
	expect("tests/vectors/rfc5903_ecp_ikev2.json", 1, "3 passed, 0 failed\n");
	expect("tests/vectors/rfc7748_x25519.json", 1, "4 passed, 0 failed\n");
	/* Whole ESP packets go through engine/esp (cli/vectors_esp.c). */
	expect("tests/vectors/rfc3602_aes_cbc_esp.json", 1, "8 passed, 0 failed\n");
	expect("tests/vectors/gcm_esp_draft_mcgrew.json", 1, "14 passed, 0 failed\n");
	expect("tests/vectors/rfc7634_chacha20poly1305_esp_ikev2.json", 1, "2 passed, 0 failed\n");
	/* IKEv1 SKEYID* through engine/crypto/kdf_v1.c (one-byte changes: test_v1_kdf.c). */
	expect("tests/vectors/ikev1_kdf_psk_cavp.json", 1, "23 passed, 0 failed\n");
	expect("tests/vectors/ikev1_kdf_dsa_cavp.json", 1, "23 passed, 0 failed\n");
}

static void all_must_pass_for_success(void **state)
{
	(void)state;
	char *argv[] = { "vectors", "tests/vectors/rfc4231_hmac_sha2.json", "tests/vectors/rfc7748_x25519.json" };
	FILE *null = fopen("/dev/null", "w");
	assert_non_null(null);
	assert_int_equal(cli_vectors(3, argv, null, null), 0);
	char *argv2[] = { "vectors", "tests/vectors/rfc4231_hmac_sha2.json", "/nonexistent/ikesim.json" };
	assert_int_not_equal(cli_vectors(3, argv2, null, null), 0);
	assert_int_not_equal(cli_vectors(1, argv, null, null), 0);
	fclose(null);
}

/* Writes text to a fresh temp file, runs it, checks rc != 0 and that err mentions `needle`. */
static void expect_bad(const char *text, const char *needle)
{
	char path[] = "/tmp/ikesim_vectors_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	clirun r = run1(path);
	unlink(path);
	if (r.rc == 0 || !strstr(r.err, needle))
		fail_msg("input %s: rc %d, err \"%s\" lacks \"%s\"", text, r.rc, r.err, needle);
	clirun_free(&r);
}

static void malformed_files_fail_cleanly(void **state)
{
	(void)state;
	expect_bad("", "not a vector file");
	expect_bad("{\"kind\": \"x25519\", \"cases\": [", "not a vector file");
	expect_bad("[1, 2, 3]", "not a vector file");
	expect_bad("{\"kind\": 7, \"cases\": []}", "not a vector file");
	expect_bad("{\"kind\": \"x25519\", \"cases\": {}}", "not a vector file");
	expect_bad("{\"kind\": \"rot13\", \"cases\": []}", "unknown kind \"rot13\"");
	expect_bad("{\"kind\": \"hmac-sha2\", \"cases\": [42]}", "case 0: field -: case is not an object");
	expect_bad("{\"kind\": \"hmac-sha2\", \"cases\": [{\"data\": \"00\"}]}", "case 0: field key: missing");
	expect_bad("{\"kind\": \"aes-xcbc-prf-128\", \"cases\": [{\"key\": \"0g\", \"message\": \"\", \"prf_output\": \"00\"}]}",
		   "case 0: field key: bad hex digit");
	expect_bad("{\"kind\": \"aes-xcbc-prf-128\", \"cases\": [{\"key\": \"000\", \"message\": \"\", \"prf_output\": \"00\"}]}",
		   "case 0: field key: bad hex length");
	expect_bad("{\"kind\": \"aes-cmac-prf-128\", \"cases\": [{\"key\": \"00\", \"message\": \"\", \"prf_output\": \"00\"}]}",
		   "case 0: field prf_output: mismatch");
	expect_bad("{\"kind\": \"ecp-dh\", \"cases\": [{\"group\": 1e300}]}", "case 0: field group: missing or not an integer");
	expect_bad("{\"kind\": \"ecp-dh\", \"cases\": [{\"group\": 19.5}]}", "field group");
	expect_bad("{\"kind\": \"modp-groups\", \"cases\": [{\"group\": 14, \"bits\": 2048, \"generator\": 2, \"prime\": \"ff\"}]}",
		   "field bits");
	expect_bad("{\"kind\": \"x25519\", \"cases\": [{\"scalar\": \"00\", \"u\": \"00\", \"output\": \"00\"}]}",
		   "must be 32 bytes");
	expect_bad("{\"kind\": \"ikev2-kdf\", \"cases\": [{\"hash\": \"MD5\"}]}", "case 0: field hash: unknown hash");
	expect_bad("{\"kind\": \"aes-ctr\", \"cases\": [{}, {\"key\": \"00\", \"iv\": \"00\", \"nonce\": \"00\", \"plaintext\": \"\"}]}",
		   "case 1: field key/iv/nonce");
	expect_bad("{\"kind\": \"chacha20poly1305-esp-ikev2\", \"cases\": [{\"type\": \"ikev2-sk-chacha20-poly1305\","
		   "\"key\": \"00\", \"salt\": \"00\", \"ike_message\": \"00\", \"notify_payload\": \"\"}]}",
		   "case 0: field key/salt/ike_message");
	expect_bad("{\"kind\": \"x25519\", \"cases\": []}", ""); /* no case at all proves nothing */
	clirun r = run1("/nonexistent/ikesim.json");
	assert_int_not_equal(r.rc, 0);
	assert_non_null(strstr(r.err, "cannot open"));
	clirun_free(&r);
}

size_t tests_vectors(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(repo_files_have_expected_outcomes),
		cmocka_unit_test(all_must_pass_for_success),
		cmocka_unit_test(malformed_files_fail_cleanly),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
