/* `ikesim peer` lifecycle flags: lifetimes as swanctl derives them, DPD, INITIAL_CONTACT, timed actions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"
#include "peerproc.h"
#include "test_list.h.in"

#define S(x) ((ike_time)(x) * IKE_NS_PER_SEC)

/* Parses the fixed arguments plus extra (NULL-terminated); rc of peer_args_parse, stderr into err. */
static int parse(peer_args *a, char *err, size_t cap, const char *const *extra)
{
	const char *argv[64] = { "peer", "--local", "127.0.0.1:4500", "--remote", "127.0.0.1:4501", "--proposals",
				 "aes128gcm16-prfsha256-x25519", "--esp-proposals", "aes128gcm16", "--id", "a.example",
				 "--remote-id", "b.example", "--local-ts", "10.1.0.0/16", "--remote-ts", "10.2.0.0/16",
				 "--psk", "s" };
	int argc = 19;
	for (size_t i = 0; extra[i]; i++)
		argv[argc++] = extra[i];
	FILE *f = fmemopen(err, cap, "w");
	assert_non_null(f);
	int rc = peer_args_parse(argc, (char **)argv, a, f);
	fclose(f);
	return rc;
}

static void defaults_are_never_and_initial_contact(void **state)
{
	(void)state;
	peer_args a;
	char err[300] = "", e[200];
	ike_conn_cfg c;
	ike_child_cfg ch;
	peer_cred_files cf = { 0 };
	static const char *const none[] = { "--initiate", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), none), 0);
	cf.psk = (uint8_t *)"s";
	cf.psk_len = 1;
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, e, sizeof(e)), 0);
	assert_int_equal(c.ike_life.rekey, 0);
	assert_int_equal(c.ike_life.rand, 0);
	assert_int_equal(ch.life.rekey, 0);
	assert_int_equal(c.dpd_delay, 0);
	assert_true(c.initial_contact);
	assert_int_equal(ch.start, IKE_CHILD_START_START);
	for (int i = 0; i < PEER_ACT_N; i++)
		assert_true(a.act_after[i] == IKE_TIME_NEVER);
}

static void lifetimes_dpd_and_actions(void **state)
{
	(void)state;
	peer_args a;
	char err[300] = "", e[200];
	ike_conn_cfg c;
	ike_child_cfg ch;
	peer_cred_files cf = { .psk = (uint8_t *)"s", .psk_len = 1 };
	static const char *const flags[] = { "--rekey-time", "60", "--ike-rekey-time", "300", "--reauth-time", "3600",
					     "--dpd-delay", "10", "--dpd-action", "restart", "--no-initial-contact",
					     "--rekey-child-after", "2.5", "--rekey-ike-after", "5", "--delete-after", "8",
					     NULL };
	assert_int_equal(parse(&a, err, sizeof(err), flags), 0);
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, e, sizeof(e)), 0);
	assert_int_equal(ch.life.rekey, S(60));
	assert_int_equal(ch.life.over, S(6)); /* life_time = rekey_time + 10 % */
	assert_int_equal(ch.life.rand, S(6));
	assert_int_equal(c.ike_life.rekey, S(300));
	assert_int_equal(c.ike_life.reauth, S(3600));
	assert_int_equal(c.ike_life.over, S(360)); /* 10 % of max(rekey, reauth) */
	assert_int_equal(c.ike_life.rand, S(150)); /* min(over, ...) cut to half the shorter of rekey and reauth */
	assert_int_equal(c.dpd_delay, S(10));
	assert_int_equal(c.dpd_action, IKE_DPD_RESTART);
	assert_false(c.initial_contact);
	assert_int_equal(ch.start, IKE_CHILD_START_NONE); /* a responder */
	peer_acts x = { 0 };
	assert_true(peer_acts_next(&x) == IKE_TIME_NEVER);
	assert_false(peer_acts_pending(&x, NULL));
	peer_acts_arm(&x, &a, S(100));
	const char *name = NULL;
	assert_true(peer_acts_pending(&x, &name));
	assert_string_equal(name, "--rekey-child-after");
	assert_int_equal(peer_acts_next(&x), S(100) + S(5) / 2);
	/* Only a completed rekey (CHILD_REKEYED) completes a requested one; a new CHILD SA never does. */
	assert_false(peer_acts_event(&x, IKE_EV_CHILD_UP));
	assert_false(peer_acts_event(&x, IKE_EV_CHILD_REKEYED)); /* not requested yet */
}

static void bad_lifecycle_flags(void **state)
{
	(void)state;
	static const struct {
		const char *flag, *val, *want;
	} bad[] = {
		{ "--rekey-time", "-1", "--rekey-time wants seconds" },
		{ "--dpd-delay", "soon", "--dpd-delay wants seconds" },
		{ "--dpd-action", "hold", "--dpd-action wants clear, restart or trap, got 'hold'" },
		{ "--delete-after", "1e12", "--delete-after wants seconds" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		peer_args a;
		char err[300] = "";
		const char *const extra[] = { bad[i].flag, bad[i].val, NULL };
		assert_int_equal(parse(&a, err, sizeof(err), extra), -1);
		if (!strstr(err, bad[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, err, bad[i].want);
	}
	peer_args a;
	char err[300] = "", e[200];
	ike_conn_cfg c;
	ike_child_cfg ch;
	peer_cred_files cf = { .psk = (uint8_t *)"s", .psk_len = 1 };
	static const char *const jitter[] = { "--rekey-time", "60", "--rand-time", "60", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), jitter), 0);
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "--rand-time 60.000 s must be shorter than every rekey time it jitters (60.000 s)"));
}

/* --delete-after ends an initiator's run early, though --hold asks for a minute. */
static void delete_after_ends_the_initiator(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	static const char *const extra[] = { "--hold", "60", "--delete-after", "0.3", "--rekey-time", "30", NULL };
	if (!pu_setup(&e))
		skip();
	pu_start_responder(&r, &e, &ra, "sesame", "5", true, NULL);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "20", true, extra));
	pu_wait_both_ok(&i, &r, 4000, 10000, NULL, NULL);
	assert_true(pu_file_has(i.out, "deleted"));
	pu_cleanup(&e);
}

/* The number after "rekeys": in a trace file's peer.end line; -1 if none. */
static long rekeys_in(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	long n = -1;
	while (f && fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "\"rekeys\":");
		if (strstr(line, "\"peer.end\"") && p)
			n = strtol(p + 9, NULL, 10);
	}
	if (f)
		fclose(f);
	return n;
}

/* Rekeys the responder starts (IKE and CHILD) are no new tunnels for the initiator: one IKE SA, one CHILD SA. */
static void peer_rekeys_are_no_new_tunnels(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	static const char *const rx[] = { "--ike-rekey-time", "0.6", "--rekey-time", "1.1", NULL };
	static const char *const ix[] = { "--hold", "2", NULL };
	if (!pu_setup(&e))
		skip();
	pu_start_responder(&r, &e, &ra, "sesame", "5", true, rx);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "20", true, ix));
	pu_wait_both_ok(&i, &r, 6000, 10000, ia.trace, "\"ike-sas\":1,\"child-sas\":1,\"rekeys\":");
	assert_true(rekeys_in(ia.trace) >= 2); /* at least the first IKE rekey and the first CHILD rekey */
	assert_true(pu_file_has(ia.trace, "\"ev\":\"ike_sa.rekeyed\""));
	assert_true(pu_file_has(ia.trace, "\"ev\":\"child_sa.rekeyed\""));
	pu_cleanup(&e);
}

/* --rekey-packets ... --replay-window fill the child as the scenario's fields do; bad values are refused. */
static void data_limits_and_replay_window(void **state)
{
	(void)state;
	peer_args a;
	char err[300] = "", e[200];
	ike_conn_cfg c;
	ike_child_cfg ch;
	peer_cred_files cf = { .psk = (uint8_t *)"s", .psk_len = 1 };
	static const char *const ok[] = { "--rekey-packets", "3", "--rekey-bytes", "1000", "--life-bytes", "2000",
					  "--replay-window", "32", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), ok), 0);
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, e, sizeof(e)), 0);
	assert_int_equal(ch.life.rekey_packets, 3);
	assert_int_equal(ch.life.packets, 4); /* rekey + 10 %, at least one more */
	assert_int_equal(ch.life.rekey_bytes, 1000);
	assert_int_equal(ch.life.bytes, 2000);
	assert_int_equal(ch.replay_window, 32);
	static const char *const off[] = { "--replay-window", "0", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), off), 0);
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, e, sizeof(e)), 0);
	assert_int_equal(ch.replay_window, IKE_REPLAY_OFF);
	assert_int_equal(ch.life.packets, 0);
	static const char *const none[] = { NULL };
	assert_int_equal(parse(&a, err, sizeof(err), none), 0);
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, e, sizeof(e)), 0);
	assert_int_equal(ch.replay_window, 0); /* the default window */
	static const char *const big[] = { "--replay-window", "4097", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), big), -1);
	assert_non_null(strstr(err, "--replay-window wants a whole number from 0 to 4096, got '4097'"));
	static const char *const neg[] = { "--rekey-bytes", "-5", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), neg), -1);
	static const char *const low[] = { "--rekey-packets", "10", "--life-packets", "10", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), low), 0);
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "--life-packets 10 must be more than --rekey-packets (10)"));
}

/* Two peer processes: the initiator's outbound SA reaches --rekey-packets 4 while pinging; it asks its engine
 * for one CHILD rekey, traced with reason "packets" (and the new SA once more after its own 4), and every
 * echo request is still answered (make-before-break). */
static void rekey_packets_rekeys_the_child_once(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, i;
	pu_args ra, ia;
	if (!pu_setup(&e))
		skip();
	const char *rx[] = { "--inner-addr", "10.2.0.1", NULL };
	const char *ix[] = { "--inner-addr", "10.1.0.1", "--ping", "10.2.0.1", "--count", "10", "--interval", "0.02",
			     "--rekey-packets", "4", "--life-packets", "1000", NULL };
	pu_start_responder(&r, &e, &ra, "sesame", "3", true, rx);
	pu_spawn(&i, &e, "i", pu_argv(&ia, &e, true, "sesame", "15", true, ix));
	pu_wait_both_ok(&i, &r, 20000, 20000, ia.trace, "\"reason\":\"packets\"");
	assert_true(pu_file_has(i.out, "ping: 10 sent, 10 answered"));
	assert_true(pu_file_has(ia.trace, "\"ev\":\"esp.expire\",\"spi\""));
	assert_true(pu_file_has(ia.trace, "\"limit\":\"soft\",\"reason\":\"packets\",\"packets\":4,"));
	assert_true(pu_file_has(ia.trace, "\"rekey\":\"asked\""));
	assert_true(pu_file_has(ia.trace, "\"data-rekeys-asked\":2")); /* once per SA: packets 4 and 8 */
	assert_true(pu_file_has(ia.trace, "\"pfs\":\"none\",\"reason\":\"packets\""));
	assert_true(pu_file_has(ra.trace, "\"ev\":\"child_sa.rekeyed\""));
	pu_cleanup(&e);
}

/* NAT-T and MOBIKE flags that would do nothing or flood: each refused with one line naming the flag. */
static void natt_and_move_flags_refused(void **state)
{
	(void)state;
	peer_args a;
	char err[300] = "", e[200] = "";
	ike_conn_cfg c;
	ike_child_cfg ch;
	peer_cred_files cf = { .psk = (uint8_t *)"s", .psk_len = 1 };
	static const char *const tiny[] = { "--keepalive", "0.000000001", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), tiny), -1);
	assert_non_null(strstr(err, "--keepalive wants 0 (off) or seconds from 0.1 to 86400, got '0.000000001'"));
	static const char *const off[] = { "--keepalive", "0", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), off), 0);
	static const char *const when[] = { "--move-after", "5", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), when), 0);
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "--move-after: give --move-to ADDR too"));
	static const char *const same[] = { "--move-to", "127.0.0.1", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), same), 0);
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "--move-to: 127.0.0.1 is --local's address already"));
	static const char *const ok[] = { "--move-to", "127.0.0.2", "--move-after", "0.5", NULL };
	assert_int_equal(parse(&a, err, sizeof(err), ok), 0);
	assert_int_equal(peer_conn_build(&a, &c, &ch, &cf, e, sizeof(e)), 0);
}

size_t tests_peer_life(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(defaults_are_never_and_initial_contact),
		cmocka_unit_test(lifetimes_dpd_and_actions),
		cmocka_unit_test(bad_lifecycle_flags),
		cmocka_unit_test(delete_after_ends_the_initiator),
		cmocka_unit_test(peer_rekeys_are_no_new_tunnels),
		cmocka_unit_test(data_limits_and_replay_window),
		cmocka_unit_test(natt_and_move_flags_refused),
		cmocka_unit_test(rekey_packets_rekeys_the_child_once),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
