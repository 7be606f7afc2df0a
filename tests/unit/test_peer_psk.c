/* `ikesim peer`'s PSK sources (--psk-file, IKESIM_PSK, --psk) and its DoS flags, in-process (issue 7, items 4, 6, 7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "peer.h"
#include "test_list.h.in"
#include "testfs.h"

typedef struct psk_case {
	tfs_dir dir;
	char file[128];
	FILE *warn;
	char *warn_buf;
	size_t warn_len;
	char err[300];
	peer_args a;
	peer_cred_files cf;
} psk_case;

static void case_open(psk_case *c, const void *content, size_t len, mode_t mode)
{
	memset(c, 0, sizeof(*c));
	tfs_dir_make(&c->dir, "psk");
	tfs_dir_file(&c->dir, "psk", c->file, sizeof(c->file));
	FILE *f = fopen(c->file, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(c->file, mode), 0);
	c->warn = open_memstream(&c->warn_buf, &c->warn_len);
	assert_non_null(c->warn);
	c->a.psk_file = c->file;
}

static int case_load(psk_case *c)
{
	int rc = peer_psk_load(&c->a, &c->cf, c->warn, c->err, sizeof(c->err));
	fflush(c->warn);
	return rc;
}

static void case_close(psk_case *c)
{
	fclose(c->warn);
	free(c->warn_buf);
	peer_cred_files_free(&c->cf);
	tfs_dir_remove(&c->dir);
}

static void psk_file_private_one_newline_dropped(void **state)
{
	(void)state;
	psk_case c;
	case_open(&c, "sesame\r\n", 8, 0600);
	assert_int_equal(case_load(&c), 0);
	assert_int_equal(c.cf.psk_len, 6);
	assert_memory_equal(c.cf.psk, "sesame", 6);
	assert_int_equal(c.warn_len, 0); /* mode 600: nothing to say */
	case_close(&c);
}

static void psk_file_binary_kept_whole(void **state)
{
	(void)state;
	psk_case c;
	static const uint8_t bin[] = { 's', 0, 'x', 0xff, '\n', 'A' };
	case_open(&c, bin, sizeof(bin), 0400);
	assert_int_equal(case_load(&c), 0);
	assert_int_equal(c.cf.psk_len, sizeof(bin)); /* a NUL does not cut it, a newline inside stays */
	assert_memory_equal(c.cf.psk, bin, sizeof(bin));
	case_close(&c);
}

static void psk_file_readable_by_others_warns(void **state)
{
	(void)state;
	psk_case c;
	case_open(&c, "sesame\n", 7, 0644);
	assert_int_equal(case_load(&c), 0);
	assert_non_null(strstr(c.warn_buf, "can be read or changed by other users (mode 0644)"));
	case_close(&c);
}

static void psk_file_errors(void **state)
{
	(void)state;
	psk_case c;
	case_open(&c, "\n", 1, 0600);
	assert_int_equal(case_load(&c), -1);
	assert_non_null(strstr(c.err, "the PSK is empty"));
	case_close(&c);
	/* 65,536 bytes: one more than the PRF takes as a key (it used to fail only at AUTH time) */
	uint8_t *big = malloc(IKE_PSK_MAX + 1);
	memset(big, 'k', IKE_PSK_MAX + 1);
	case_open(&c, big, IKE_PSK_MAX + 1, 0600);
	assert_int_equal(case_load(&c), -1);
	assert_non_null(strstr(c.err, "longer than 65535 bytes"));
	case_close(&c);
	case_open(&c, big, IKE_PSK_MAX, 0600);
	assert_int_equal(case_load(&c), 0);
	assert_int_equal(c.cf.psk_len, IKE_PSK_MAX);
	case_close(&c);
	free(big);
	case_open(&c, "x", 1, 0600);
	c.a.psk_file = "/nonexistent/ikesim-psk";
	assert_int_equal(case_load(&c), -1);
	assert_non_null(strstr(c.err, "--psk-file /nonexistent/ikesim-psk: No such file"));
	c.a.psk_file = c.dir.path;
	assert_int_equal(case_load(&c), -1);
	assert_non_null(strstr(c.err, "not a regular file or a pipe"));
	c.a.psk_file = c.file;
	c.a.psk = "also";
	assert_int_equal(case_load(&c), -1);
	assert_non_null(strstr(c.err, "exclude each other"));
	case_close(&c);
}

static void psk_from_a_pipe(void **state)
{
	(void)state;
	psk_case c;
	int fds[2];
	char path[64];
	case_open(&c, "x", 1, 0600);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "piped secret\n", 13), 13);
	close(fds[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	c.a.psk_file = path; /* what a shell's <(...) hands over */
	assert_int_equal(case_load(&c), 0);
	assert_int_equal(c.cf.psk_len, 12);
	assert_memory_equal(c.cf.psk, "piped secret", 12);
	assert_int_equal(c.warn_len, 0);
	close(fds[0]);
	case_close(&c);
}

static void psk_from_env_and_command_line(void **state)
{
	(void)state;
	psk_case c;
	case_open(&c, "x", 1, 0600);
	c.a.psk_file = NULL;
	c.a.psk_env = "from-env";
	assert_int_equal(case_load(&c), 0);
	assert_int_equal(c.cf.psk_len, 8);
	assert_memory_equal(c.cf.psk, "from-env", 8);
	assert_int_equal(c.warn_len, 0);
	peer_cred_files_free(&c.cf);
	c.a.psk = "on-the-command-line";
	assert_int_equal(case_load(&c), 0);
	assert_memory_equal(c.cf.psk, "on-the-command-line", 19); /* the explicit flag wins */
	assert_non_null(strstr(c.warn_buf, "`ps` shows it"));
	case_close(&c);
}

static int parse(const char *const *argv, int argc, peer_args *a, char **msg)
{
	size_t len;
	FILE *f = open_memstream(msg, &len);
	int rc = peer_args_parse(argc, (char **)argv, a, f);
	fclose(f);
	return rc;
}

static void dos_flags_and_env(void **state)
{
	(void)state;
	peer_args a;
	char *msg = NULL;
	unsetenv("IKESIM_PSK");
	const char *base[] = { "peer", "--local", "127.0.0.1:600", "--remote", "127.0.0.1:601", "--proposals", "x",
			       "--esp-proposals", "y", "--id", "a", "--remote-id", "b", "--local-ts", "10.0.0.0/8",
			       "--remote-ts", "10.0.0.0/8", NULL, NULL, NULL };
	int n = 17;
	/* no PSK from anywhere: the message names the safe ways first */
	assert_int_equal(parse(base, n, &a, &msg), -1);
	assert_non_null(strstr(msg, "need --psk-file FILE (or IKESIM_PSK"));
	free(msg);
	setenv("IKESIM_PSK", "sesame", 1);
	assert_int_equal(parse(base, n, &a, &msg), 0);
	free(msg);
	assert_string_equal(a.psk_env, "sesame");
	/* strongSwan's defaults */
	assert_int_equal(a.cookie_threshold, 30);
	assert_int_equal(a.cookie_threshold_ip, 3);
	assert_int_equal(a.block_threshold, 5);
	assert_true(a.half_open_limit > 0);
	base[n] = "--no-dos-protection";
	assert_int_equal(parse(base, n + 1, &a, &msg), 0);
	free(msg);
	assert_int_equal(a.cookie_threshold + a.cookie_threshold_ip + a.block_threshold, 0);
	base[n] = "--cookie-threshold-ip";
	base[n + 1] = "7";
	assert_int_equal(parse(base, n + 2, &a, &msg), 0);
	free(msg);
	assert_int_equal(a.cookie_threshold_ip, 7);
	static const char *const bad[] = { "-1", "x", "4294967296", "1.5", " 3" };
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		base[n + 1] = bad[k];
		assert_int_equal(parse(base, n + 2, &a, &msg), -1);
		assert_non_null(strstr(msg, "--cookie-threshold-ip wants a whole number"));
		free(msg);
	}
	unsetenv("IKESIM_PSK");
}

size_t tests_peer_psk(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(psk_file_private_one_newline_dropped),
		cmocka_unit_test(psk_file_binary_kept_whole),
		cmocka_unit_test(psk_file_readable_by_others_warns),
		cmocka_unit_test(psk_file_errors),
		cmocka_unit_test(psk_from_a_pipe),
		cmocka_unit_test(psk_from_env_and_command_line),
		cmocka_unit_test(dos_flags_and_env),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
