/*
 * `ikesim peer --pcap FILE --reveal-keys` as real processes on 127.0.0.1: each peer writes a pcapng of what
 * its socket sent and received (an ESP-in-UDP datagram it cannot use included, with a comment) and both key
 * tables beside it; both ends' esp_sa rows agree, and tshark, when installed, decrypts every SK payload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "peerproc.h"
#include "testfs.h"
#include "test_list.h.in"
#include "tsharkfx.h"

static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The table's rows (no comments), sorted, as one string. */
static void sorted_rows(const char *path, char *out, size_t cap)
{
	char *t = tfs_must_read(path, NULL), *rows[8];
	size_t n = 0;
	for (char *line = strtok(t, "\n"); line && n < 8; line = strtok(NULL, "\n"))
		if (line[0] != '#')
			rows[n++] = line;
	qsort(rows, n, sizeof(rows[0]), by_text);
	out[0] = 0;
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s\n", rows[i]);
	free(t);
}

/* tshark's view of one peer's capture (port: the peer's, where IKE runs behind the non-ESP marker). */
static void tshark_checks(const char *pcap, uint16_t port, bool with_esp)
{
	char ws[160], cmd[1024], args[256];
	snprintf(ws, sizeof(ws), "%s.ws", pcap);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp '%s.ikev2_decryption_table' '%s/ikev2_decryption_table' && "
				   "cp '%s.esp_sa' '%s/esp_sa'", ws, pcap, ws, pcap, ws);
	assert_int_equal(system(cmd), 0);
	snprintf(args, sizeof(args), "-d udp.port==%u,udpencap -T fields -E separator=, -e isakmp.enc.iv "
				     "-e isakmp.enc.decrypted -e _ws.malformed -e frame.comment", port);
	char *err = NULL, *out = tsx_run(ws, pcap, args, &err);
	assert_null(strstr(err, "Error loading table"));
	size_t sk = 0, dec = 0;
	for (const char *p = out; *p; p = strchr(p, '\n') + 1) {
		sk += p[0] != ',';          /* an Encrypted payload's IV */
		dec += strncmp(strchr(p, ','), ",,", 2) != 0; /* and its Decrypted Data */
		if (!strchr(p, '\n'))
			break;
	}
	assert_true(sk >= 4); /* IKE_AUTH and the Delete, both ways */
	assert_int_equal(dec, sk);
	assert_int_equal(tsx_count_lines(out, "dropped: ESP unknown-spi"), with_esp ? 1 : 0);
	free(out);
	free(err);
	out = tsx_run(ws, pcap, "-Y _ws.malformed", NULL);
	assert_string_equal(out, "");
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ws);
	assert_int_equal(system(cmd), 0);
}

/* Our capture files (and their tables), so pu_cleanup can remove the directory. */
static void remove_captures(const pu_env *e)
{
	static const char *const names[] = { "i.pcapng", "r.pcapng", "i.pcap", "r.pcap" };
	static const char *const suffixes[] = { "", ".ikev2_decryption_table", ".esp_sa" };
	char path[192];
	for (size_t i = 0; i < 4; i++)
		for (size_t k = 0; k < 3; k++) {
			snprintf(path, sizeof(path), "%s/%s%s", e->dir, names[i], suffixes[k]);
			unlink(path);
		}
}

static void peer_pcap_both_ends(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	char rp[128], ip[128], rk[160], ik[160], rrows[2048], irows[2048];
	snprintf(rp, sizeof(rp), "%s/r.pcapng", e.dir);
	snprintf(ip, sizeof(ip), "%s/i.pcapng", e.dir);
	const char *rx[] = { "--pcap", rp, "--reveal-keys", NULL }, *ix[] = { "--pcap", ip, "--reveal-keys", NULL };
	pu_start_responder(&r, &e, &ra, "sesame", "10", false, rx);
	/* An ESP-in-UDP datagram (no non-ESP marker) for an SPI the responder does not have: captured with why. */
	uint16_t other;
	int fd = pu_bind(0, &other);
	assert_true(fd >= 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(e.port_r) };
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	uint8_t esp[40];
	memset(esp, 0x11, sizeof(esp));
	assert_int_equal(sendto(fd, esp, sizeof(esp), 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)sizeof(esp));
	close(fd);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", false, ix));
	pu_wait_then_stop_ok(&i, &r, 20000, 20000);
	assert_true(pu_file_has(i.err, "WARNING: --reveal-keys: the key tables"));
	/* Both ends saw the same CHILD SA: the same two esp_sa rows, each from its own view (no NAT here). */
	snprintf(rk, sizeof(rk), "%s.esp_sa", rp);
	snprintf(ik, sizeof(ik), "%s.esp_sa", ip);
	sorted_rows(rk, rrows, sizeof(rrows));
	sorted_rows(ik, irows, sizeof(irows));
	assert_string_equal(rrows, irows);
	assert_int_equal(tsx_count_lines(irows, "\"IPv4\",\"127.0.0.1\",\"127.0.0.1\",\"0x"), 2);
	snprintf(ik, sizeof(ik), "%s.ikev2_decryption_table", ip);
	assert_true(pu_file_has(ik, "\"AES-GCM-128 with 16 octet ICV [RFC5282]\""));
	size_t n;
	char *b = tfs_must_read(ip, &n);
	assert_true(n > 28 && (uint8_t)b[0] == 0x0a && (uint8_t)b[1] == 0x0d && b[2] == 0x0d && b[3] == 0x0a);
	free(b);
	if (!tsx_available()) {
		print_message("tshark not installed: the captures are not decoded (make pcap-check installs it)\n");
	} else {
		tshark_checks(ip, e.port_i, false);
		tshark_checks(rp, e.port_r, true);
	}
	remove_captures(&e);
	pu_cleanup(&e);
}

/* --pcap without --reveal-keys: the capture alone, and a note; --pcap naming the trace is refused. */
static void peer_pcap_without_keys_and_clashes(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	char rp[128], ip[128], t[128];
	snprintf(rp, sizeof(rp), "%s/r.pcap", e.dir);
	snprintf(ip, sizeof(ip), "%s/i.pcap", e.dir);
	snprintf(t, sizeof(t), "%s/i.trace", e.dir);
	const char *clash[] = { "--pcap", t, NULL };
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "5", true, clash));
	assert_int_equal(pu_wait(&i, 10000), 2);
	assert_true(pu_file_has(i.err, "ikesim peer: --trace"));
	assert_true(pu_file_has(i.err, "name the same file"));
	const char *rx[] = { "--pcap", rp, "--pcap-format", "pcap", NULL }, *ix[] = { "--pcap", ip, NULL };
	pu_start_responder(&r, &e, &ra, "sesame", "10", false, rx);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", false, ix));
	assert_int_equal(pu_wait(&i, 20000), 0);
	assert_int_equal(pu_stop(&r, 20000), 0);
	assert_true(pu_file_has(i.err, "no key table without --reveal-keys"));
	size_t n;
	char *b = tfs_must_read(rp, &n);
	assert_true(n > 24 && (uint8_t)b[0] == 0x4d && (uint8_t)b[3] == 0xa1); /* classic, nanoseconds */
	free(b);
	char k[160];
	snprintf(k, sizeof(k), "%s.esp_sa", ip);
	assert_null(tfs_read(k, NULL));
	remove_captures(&e);
	pu_cleanup(&e);
}

size_t tests_peer_pcap(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(peer_pcap_both_ends),
		cmocka_unit_test(peer_pcap_without_keys_and_clashes),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
