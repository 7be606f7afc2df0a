/*
 * `ikesim peer` as real processes on 127.0.0.1: two peers establish and delete, a wrong PSK fails on both
 * sides, and 10,000 junk datagrams do not stop a responder from serving. The binary comes from
 * $IKESIM_BIN (the Makefile sets it); every child gets a hard time limit and only our own PIDs are killed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "peerproc.h"
#include "testfs.h"
#include "test_list.h.in"

static void peer_processes_establish_and_delete(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	pu_start_responder(&r, &e, &ra, "sesame", "10", true, NULL);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", true, NULL));
	pu_wait_then_stop_ok(&i, &r, 20000, 20000);
	char ti[128], tr[128];
	snprintf(ti, sizeof(ti), "%s/i.trace", e.dir);
	snprintf(tr, sizeof(tr), "%s/r.trace", e.dir);
	assert_true(pu_file_has(i.out, "established"));
	assert_true(pu_file_has(r.out, "established"));
	for (int k = 0; k < 2; k++) {
		const char *t = k ? tr : ti;
		assert_true(pu_file_has(t, "\"to\":\"ESTABLISHED\""));
		assert_true(pu_file_has(t, "\"to\":\"INSTALLED\""));
		assert_true(pu_file_has(t, "INFORMATIONAL request 2 [ D ]"));
		assert_true(pu_file_has(t, "\"non-esp-marker\":true"));
		assert_true(pu_file_has(t, "\"ev\":\"peer.start\",\"schema\":1,"));
	}
	pu_cleanup(&e);
}

static void peer_processes_wrong_psk_fail(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	pu_start_responder(&r, &e, &ra, "right", "3", false, NULL);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "wrong", "10", false, NULL));
	int irc = pu_wait(&i, 15000);
	int rrc = pu_wait(&r, 15000);
	assert_int_not_equal(irc, 0);
	assert_int_not_equal(rrc, 0);
	assert_true(pu_file_has(i.err, "AUTHENTICATION_FAILED"));
	assert_true(pu_file_has(r.err, "AUTHENTICATION_FAILED"));
	pu_cleanup(&e);
}

/* xorshift64*: reproducible junk. */
static uint64_t pu_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* One junk datagram: random bytes, a marker + mutated IKE header, a keepalive, or an ESP-looking one. */
static size_t pu_junk(uint64_t *s, uint8_t *d, size_t cap)
{
	size_t len = (size_t)(pu_rand(s) % (cap + 1));
	for (size_t k = 0; k < len; k++)
		d[k] = (uint8_t)pu_rand(s);
	switch (pu_rand(s) % 8) {
	case 0:
		d[0] = 0xFF;
		return 1;
	case 1: case 2: case 3:
		if (len < 4 + 28)
			len = 4 + 28;
		memset(d, 0, 4);                                    /* non-ESP marker */
		d[4 + 17] = 0x20;                                   /* version 2.0 */
		d[4 + 18] = (uint8_t)(34 + pu_rand(s) % 4);         /* IKE_SA_INIT .. INFORMATIONAL */
		d[4 + 19] = (uint8_t)(pu_rand(s) % 2 ? 0x08 : 0x20); /* I or R flag */
		if (pu_rand(s) % 2)
			memset(d + 4 + 8, 0, 8 + 4);               /* SPIr and message ID 0, as in IKE_SA_INIT */
		uint32_t ikelen = (uint32_t)(pu_rand(s) % 4 ? len - 4 : pu_rand(s) % 2000);
		d[4 + 24] = (uint8_t)(ikelen >> 24), d[4 + 25] = (uint8_t)(ikelen >> 16);
		d[4 + 26] = (uint8_t)(ikelen >> 8), d[4 + 27] = (uint8_t)ikelen;
		d[4 + pu_rand(s) % 28] ^= (uint8_t)(1u << (pu_rand(s) % 8)); /* one mutated header bit */
		return len;
	default:
		return len;
	}
}

static void peer_process_survives_10000_junk_datagrams(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	pu_start_responder(&r, &e, &ra, "sesame", "20", true, NULL);
	uint16_t junk_port;
	int fd = pu_bind(0, &junk_port);
	assert_true(fd >= 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(e.port_r) };
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	uint8_t d[1500];
	uint64_t seed = 0x1cebeef5eed5ULL;
	for (int k = 0; k < 10000; k++) {
		size_t n = pu_junk(&seed, d, sizeof(d));
		(void)sendto(fd, d, n, 0, (struct sockaddr *)&to, sizeof(to));
		if (k % 100 == 99)
			pu_sleep_ms(1); /* let it read: the point is that it parses them, not that the kernel drops them */
	}
	close(fd);
	assert_int_equal(waitpid(r.pid, NULL, WNOHANG), 0); /* still serving */
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", false, NULL));
	int irc = pu_wait(&i, 20000);
	kill(r.pid, SIGTERM);
	int rrc = pu_wait(&r, 10000);
	if (irc != 0 || rrc != 0)
		print_message("initiator %d, responder %d\n", irc, rrc), pu_show(i.err), pu_show(r.err);
	assert_int_equal(irc, 0);
	assert_int_equal(rrc, 0);
	assert_true(pu_file_has(r.out, "established"));
	assert_true(pu_file_has(r.out, "ESP-in-UDP"));
	/* junk is traced 8 a second at most (host drops and engine drops alike); the rest is counted */
	char tr[128];
	struct stat st;
	snprintf(tr, sizeof(tr), "%s/r.trace", e.dir);
	assert_int_equal(stat(tr, &st), 0);
	print_message("responder trace after 10,000 junk datagrams and one handshake: %lld bytes\n", (long long)st.st_size);
	assert_true(st.st_size < 128 * 1024);
	pu_cleanup(&e);
}

size_t tests_peer_udp(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(peer_processes_establish_and_delete),
		cmocka_unit_test(peer_processes_wrong_psk_fail),
		cmocka_unit_test(peer_process_survives_10000_junk_datagrams),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
