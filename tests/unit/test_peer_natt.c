/*
 * `ikesim peer` with NAT traversal on 127.0.0.1, two ports per peer (--local's and --natt-port): with --encap the
 * initiator moves to its NAT-T port for IKE_AUTH, the responder follows, ESP-in-UDP pings go through the moved SAs,
 * and the initiator's keepalives (--keepalive 0.3) arrive on the responder's IKE port.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peerproc.h"
#include "test_list.h.in"

/* The number after `key` (e.g. "\"keepalives\":") in the file's last line holding it; -1 if none. */
static long number_after(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	long v = -1;
	while (f && fgets(line, sizeof(line), f)) {
		const char *k = strstr(line, key);
		if (k)
			v = strtol(k + strlen(key), NULL, 10);
	}
	if (f)
		fclose(f);
	return v;
}

static void peer_processes_switch_to_natt_port(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	uint16_t qi, qr;
	do
		qi = pu_free_port();
	while (qi == e.port_i || qi == e.port_r);
	do
		qr = pu_free_port();
	while (qr == e.port_i || qr == e.port_r || qr == qi);
	char pi[8], pr[8], want[160];
	snprintf(pi, sizeof(pi), "%u", qi);
	snprintf(pr, sizeof(pr), "%u", qr);
	const char *ix[] = { "--natt-port", pi, "--encap", "--keepalive", "0.3", "--inner-addr", "10.1.0.1",
			     "--ping", "10.2.0.1", "--count", "4", "--interval", "0.3", NULL };
	const char *rx[] = { "--natt-port", pr, "--inner-addr", "10.2.0.1", NULL };
	pu_start_responder(&r, &e, &ra, "sesame", "4", true, rx);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", true, ix));
	pu_wait_both_ok(&i, &r, 20000, 20000, i.out, "ping: 4 sent, 4 answered");
	/* the initiator: NAT forced, its switch to the NAT-T port, IKE_AUTH from there to the responder's IKE port */
	assert_true(pu_file_has(ia.trace, "\"forced\":true"));
	snprintf(want, sizeof(want), "\"local-from\":\"127.0.0.1:%u\",\"local-to\":\"127.0.0.1:%u\"", e.port_i, qi);
	assert_true(pu_file_has(ia.trace, want));
	snprintf(want, sizeof(want), "\"from\":\"127.0.0.1:%u\",\"to\":\"127.0.0.1:%u\"", qi, e.port_r);
	assert_true(pu_file_has(ia.trace, want));
	assert_true(pu_file_has(ia.trace, "\"ev\":\"ike.keepalive\""));
	assert_true(number_after(ia.trace, "\"keepalives-sent\":") >= 1);
	/* the responder: NAT seen in front of the initiator, follows it, receives its keepalives */
	assert_true(pu_file_has(ra.trace, "\"remote-behind-nat\":true"));
	snprintf(want, sizeof(want), "\"from\":\"127.0.0.1:%u\",\"to\":\"127.0.0.1:%u\"", e.port_i, qi);
	assert_true(pu_file_has(ra.trace, want));
	assert_true(pu_file_has(ra.trace, "IKE_AUTH request on the NAT-T ports"));
	assert_true(number_after(ra.trace, "\"keepalives\":") >= 1);
	assert_int_equal(number_after(ra.trace, "\"keepalives-sent\":"), 0); /* not behind a NAT: sends none */
	snprintf(want, sizeof(want), "\"natt-port\":%u", qr);
	assert_true(pu_file_has(ra.trace, want));
	pu_cleanup(&e);
}

/* MOBIKE on real UDP: 0.6 s after its CHILD SA is up the initiator moves its sockets to 127.0.0.7 (--move-to) and
 * sends UPDATE_SA_ADDRESSES from there; the responder follows, checks return routability, and every ping of the
 * run (before and after the move) is answered. */
static void peer_processes_mobike_move(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	char want[160];
	const char *ix[] = { "--inner-addr", "10.1.0.1", "--ping", "10.2.0.1", "--count", "8", "--interval", "0.25",
			     "--move-to", "127.0.0.7", "--move-after", "0.6", NULL };
	const char *rx[] = { "--inner-addr", "10.2.0.1", NULL };
	pu_start_responder(&r, &e, &ra, "sesame", "6", true, rx);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", true, ix));
	pu_wait_both_ok(&i, &r, 20000, 20000, i.out, "ping: 8 sent, 8 answered");
	assert_true(pu_file_has(ia.trace, "\"ev\":\"peer.moved\",\"to\":\"127.0.0.7\",\"updates\":1"));
	assert_true(pu_file_has(ia.trace, "\"action\":\"update-answered\""));
	snprintf(want, sizeof(want), "\"from\":\"127.0.0.1:%u\",\"to\":\"127.0.0.7:%u\",\"why\":\"UPDATE_SA_ADDRESSES", e.port_i,
		 e.port_i);
	assert_true(pu_file_has(ra.trace, want));
	assert_true(pu_file_has(ra.trace, "\"action\":\"rr-check-passed\""));
	assert_true(pu_file_has(ra.trace, "\"action\":\"moved\"")); /* its ESP-in-UDP followed */
	pu_cleanup(&e);
}

size_t tests_peer_natt(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(peer_processes_switch_to_natt_port),
		cmocka_unit_test(peer_processes_mobike_move),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
