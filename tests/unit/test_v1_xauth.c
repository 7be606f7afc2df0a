/*
 * IKEv1 XAUTH and Mode Config between two engine peers (pair.h, version 1): the client (side 0) offers
 * XAUTHInitPreShared, answers the gateway's REQUEST, is told OK or FAIL; with Mode Config it takes an address
 * from the gateway's pool and uses it as its Quick Mode selector. Wrong passwords, unknown users, a client
 * without XAUTH, lost SET/ACK, passwords in traces, and the scenario loader's refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>

#include "peer.h"
#include "pair.h"
#include "scntest.h"
#include "testfs.h"
#include "test_list.h.in"

typedef struct seen {
	ike_child_keys k[2];
	ike_ts ts_local[2], ts_remote[2];
	int up[2], failed[2], down[2];
} seen;

static void record(pair *pr, int side, const ike_sa_event *ev)
{
	seen *s = pr->user;
	if (ev->kind == IKE_EV_IKE_FAILED)
		s->failed[side]++;
	if (ev->kind == IKE_EV_IKE_DOWN)
		s->down[side]++;
	if (ev->kind != IKE_EV_CHILD_UP || !ev->child)
		return;
	s->up[side]++;
	s->k[side] = *ev->child;
	s->ts_local[side] = ev->child->ts_local[0];
	s->ts_remote[side] = ev->child->ts_remote[0];
}

static const ike_xauth_user USERS[] = {
	{ "bob", (const uint8_t *)"hunter2", 7 },
	{ "alice", (const uint8_t *)"wonderland", 10 },
};

/* Side 0 is alice's road warrior (with Mode Config), side 1 the gateway with two users and 10.3.0.0/24. */
static void xa_pair(pair *pr, seen *s, const char *password)
{
	memset(s, 0, sizeof(*s));
	pair_init(pr, "aes256-sha256-modp2048", "aes128-sha256");
	pr->conn[0].version = pr->conn[1].version = 1;
	pr->conn[0].xauth_user = "alice";
	pr->conn[0].xauth_password = (const uint8_t *)password;
	pr->conn[0].xauth_password_len = strlen(password);
	pr->conn[0].modecfg = true;
	pr->conn[1].xauth_users = USERS;
	pr->conn[1].n_xauth_users = 2;
	memcpy(pr->conn[1].pool, (const uint8_t[]){ 10, 3, 0, 0 }, 4);
	pr->conn[1].pool_prefix = 24;
	pr->user = s;
	pr->sa_hook = record;
}

static void state_is(pair *pr, int side, const char *ike, const char *child)
{
	ike_conn_status st;
	memset(&st, 0, sizeof(st));
	if (ike_peer_conn_status(pr->peer[side], 0, &st) != 0)
		st.ike_state = "NONE";
	assert_string_equal(st.ike_state, ike);
	if (child)
		assert_string_equal(st.child_state ? st.child_state : "NONE", child);
}

static void xauth_modecfg_ok(void **state)
{
	(void)state;
	pair pr;
	seen s;
	xa_pair(&pr, &s, "wonderland");
	pair_start(&pr, 11);
	pair_run(&pr, 10 * IKE_NS_PER_SEC);
	state_is(&pr, 0, "ESTABLISHED", "INSTALLED");
	state_is(&pr, 1, "ESTABLISHED", "INSTALLED");
	assert_int_equal(s.up[0], 1);
	assert_int_equal(s.up[1], 1);
	/* the virtual IP is the client's selector and the only one the gateway accepted */
	const uint8_t vip[4] = { 10, 3, 0, 1 };
	assert_memory_equal(s.ts_local[0].start, vip, 4);
	assert_memory_equal(s.ts_local[0].end, vip, 4);
	assert_memory_equal(s.ts_remote[1].start, vip, 4);
	assert_memory_equal(s.ts_remote[1].end, vip, 4);
	assert_int_equal(s.k[0].spi_out, s.k[1].spi_in);
	/* REQUEST/REPLY, SET/ACK, Mode Config REQUEST/REPLY */
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "TRANSACTION request"), 2);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "TRANSACTION response"), 2);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "TRANSACTION request"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "TRANSACTION response"), 1);
	assert_int_equal(pair_count(&pr, 1, " xauth {", "\"result\":\"ok\",\"user\":\"alice\""), 1);
	assert_int_equal(pair_count(&pr, -1, "xauth-ok", NULL), 2);
	assert_int_equal(pair_count(&pr, 1, "auth.verified", "\"method\":65001,\"scheme\":\"XAUTH generic"), 1);
	assert_int_equal(pair_count(&pr, -1, " modecfg {", "\"address\":\"10.3.0.1/32\""), 2);
	assert_int_equal(pair_count(&pr, -1, "sa.selected", "\"auth-method\":\"XAUTH_INIT_PSK\""), 2);
	/* keys are revealed in this pair, the password never: only its length */
	assert_int_equal(pair_count(&pr, -1, "wonderland", NULL), 0);
	assert_int_equal(pair_count(&pr, -1, "\"password\":\"10 bytes\"", NULL), 3);
	/* Quick Mode came after XAUTH and Mode Config on the client */
	assert_int_equal(pair_count(&pr, -1, "Quick Mode before XAUTH", NULL), 0);
	pair_free(&pr);
}

static void xauth_wrong_password_and_unknown_user(void **state)
{
	(void)state;
	for (int unknown = 0; unknown < 2; unknown++) {
		pair pr;
		seen s;
		xa_pair(&pr, &s, unknown ? "hunter2" : "wonderlanD");
		if (unknown)
			pr.conn[0].xauth_user = "mallory";
		pair_start(&pr, 12);
		pair_run(&pr, 30 * IKE_NS_PER_SEC);
		state_is(&pr, 0, "NONE", NULL);
		state_is(&pr, 1, "NONE", NULL);
		assert_int_equal(s.up[0] + s.up[1], 0);
		assert_int_equal(s.down[0], 1);
		assert_int_equal(s.down[1], 1);
		ike_conn_status st;
		ike_peer_conn_status(pr.peer[0], 0, &st);
		assert_int_equal(st.last_error, 24); /* AUTHENTICATION-FAILED */
		assert_int_equal(pair_count(&pr, -1, "xauth-failed", NULL), 2);
		assert_int_equal(pair_count(&pr, 1, " xauth {", "\"result\":\"failed\""), 1);
		assert_int_equal(pair_count(&pr, -1, "QUICK_MODE", NULL), 0);
		assert_int_equal(pair_count(&pr, -1, " modecfg {", NULL), 0);
		assert_int_equal(pair_count(&pr, 1, "D(ISAKMP)", NULL), 1);
		assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
		pair_free(&pr);
	}
}

/* A client that does not offer XAUTH cannot skip it: the gateway wants XAUTHInitPreShared in phase 1. */
static void xauth_required_by_gateway(void **state)
{
	(void)state;
	pair pr;
	seen s;
	xa_pair(&pr, &s, "wonderland");
	pr.conn[0].xauth_user = NULL;
	pr.conn[0].modecfg = false;
	pair_start(&pr, 13);
	pair_run(&pr, 30 * IKE_NS_PER_SEC);
	state_is(&pr, 0, "NONE", NULL);
	assert_int_equal(pair_count(&pr, 1, "r-refused", NULL), 1);
	assert_int_equal(s.up[0] + s.up[1], 0);
	pair_free(&pr);
}

/* Lose the gateway's SET (its 5th datagram) and the client's ACK (its 5th): the SET is retransmitted, and the
 * client's Mode Config REQUEST stands for the lost ACK. */
static bool lose_set_and_ack(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)pr;
	(void)side;
	(void)data;
	(void)len;
	return n != 5;
}

static void xauth_lost_set_and_ack(void **state)
{
	(void)state;
	pair pr;
	seen s;
	xa_pair(&pr, &s, "wonderland");
	pr.filter = lose_set_and_ack;
	pair_start(&pr, 14);
	pair_run(&pr, 60 * IKE_NS_PER_SEC);
	state_is(&pr, 0, "ESTABLISHED", "INSTALLED");
	state_is(&pr, 1, "ESTABLISHED", "INSTALLED");
	assert_true(pair_count(&pr, 1, "ike.retransmit", "TRANSACTION") >= 1);
	assert_int_equal(pair_count(&pr, -1, " modecfg {", "10.3.0.1/32"), 2);
	pair_free(&pr);
}

/* Lose the gateway's MM6 (its 3rd datagram): the client repeats MM5 and gets MM6, then the REQUEST again. */
static bool lose_mm6(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)pr;
	(void)data;
	(void)len;
	return !(side == 1 && n == 3);
}

static void xauth_lost_mm6(void **state)
{
	(void)state;
	pair pr;
	seen s;
	xa_pair(&pr, &s, "wonderland");
	pr.filter = lose_mm6;
	pair_start(&pr, 16);
	pair_run(&pr, 60 * IKE_NS_PER_SEC);
	state_is(&pr, 0, "ESTABLISHED", "INSTALLED");
	state_is(&pr, 1, "ESTABLISHED", "INSTALLED");
	assert_int_equal(pair_count(&pr, 0, "ike.retransmit", "ID_PROT"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.dup", "resent our answer"), 1);
	assert_int_equal(pair_count(&pr, 0, "i-auth-ok", NULL), 1);
	pair_free(&pr);
}

/* The gateway's TRANSACTION messages never arrive: it gives up on its REQUEST (dead peer), and the client, whose
 * XAUTH never started, ends its ISAKMP SA at the half-open timeout instead of waiting for ever. */
static bool no_gateway_txn(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)pr;
	(void)n;
	return side == 0 || len < 28 || data[18] != 6; /* exchange type 6: TRANSACTION */
}

static void xauth_client_gives_up(void **state)
{
	(void)state;
	pair pr;
	seen s;
	xa_pair(&pr, &s, "wonderland");
	pr.filter = no_gateway_txn;
	pair_start(&pr, 17);
	pair_run(&pr, 120 * IKE_NS_PER_SEC);
	state_is(&pr, 0, "NONE", NULL);
	state_is(&pr, 1, "NONE", NULL);
	assert_int_equal(pair_count(&pr, 0, "xauth-failed", "within the half-open timeout"), 1);
	assert_int_equal(pair_count(&pr, 1, "dead-peer", NULL), 1);
	assert_int_equal(s.up[0] + s.up[1], 0);
	pair_free(&pr);
}

/* Without Mode Config the client keeps its configured selector; XAUTH alone still gates Quick Mode. */
static void xauth_without_modecfg(void **state)
{
	(void)state;
	pair pr;
	seen s;
	xa_pair(&pr, &s, "wonderland");
	pr.conn[0].modecfg = false;
	pair_start(&pr, 15);
	pair_run(&pr, 10 * IKE_NS_PER_SEC);
	state_is(&pr, 0, "ESTABLISHED", "INSTALLED");
	assert_int_equal(s.ts_local[0].start[1], 1); /* 10.1.0.0/16, pair.h's default */
	assert_int_equal(pair_count(&pr, -1, " modecfg {", NULL), 0);
	assert_int_equal(pair_count(&pr, -1, "TRANSACTION", NULL) > 0, 1);
	pair_free(&pr);
}

#define NODES "\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\",\"addresses\":[\"192.0.2.2\"]}]"
#define LINK "\"links\":[{\"a\":\"a\",\"b\":\"b\"}]"
#define CONN(extra)                                                                                               \
	"{" NODES "," LINK ",\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\",\"version\":1," \
	"\"auth\":{\"psk\":\"k\"}" extra "}]}"
#define C2(extra)                                                                                                 \
	"{" NODES "," LINK ",\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\","               \
	"\"auth\":{\"psk\":\"k\"}" extra "}]}"
#define LONG129 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static const scntest_bad BAD[] = {
	{ C2(",\"xauth\":{\"user\":\"a\",\"password\":\"b\"}"),
	  "connections[0].xauth: XAUTH and Mode Config are IKEv1's: they need \"version\": 1" },
	{ CONN(",\"xauth\":{\"user\":\"a\"}"), "connections[0].xauth.password: missing required field 'password'" },
	{ CONN(",\"xauth\":{\"user\":\"\",\"password\":\"b\"}"), "connections[0].xauth.user: 0 bytes: 1 to 128 expected" },
	{ CONN(",\"xauth\":{\"user\":\"a\",\"password\":\"" LONG129 "\"}"),
	  "connections[0].xauth.password: 129 bytes: 1 to 128 expected" },
	{ CONN(",\"xauth\":{\"user\":\"a\\u0001b\",\"password\":\"p\"}"),
	  "connections[0].xauth.user: byte 1 is a control character or ':' (not in a user name)" },
	{ CONN(",\"xauth\":{\"user\":\"a:b\",\"password\":\"p\"}"),
	  "connections[0].xauth.user: byte 1 is a control character or ':' (not in a user name)" },
	{ CONN(",\"xauth\":{\"user\":\"a\",\"password\":\"p\",\"pin\":1}"), "connections[0].xauth.pin: unknown field" },
	{ CONN(",\"xauth_users\":[]"), "connections[0].xauth_users: at least one {\"user\", \"password\"}" },
	{ CONN(",\"xauth_users\":[{\"user\":\"u\",\"password\":\"p\"},{\"user\":\"u\",\"password\":\"q\"}]"),
	  "connections[0].xauth_users[1].user: user 'u' is already listed" },
	{ CONN(",\"xauth_users\":[{\"user\":\"u\",\"password\":\"p\"}],\"xauth\":{\"user\":\"a\",\"password\":\"b\"}"),
	  "connections[0].xauth: a connection is either the client (xauth, modecfg) or the gateway (xauth_users, pool), not both" },
	{ CONN(",\"pool\":\"10.3.0.0/8\""), "connections[0].pool: /8: a pool prefix is /16 to /32" },
	{ CONN(",\"pool\":\"10.3.0.0\""), "connections[0].pool: expected an IPv4 prefix like \"10.3.0.0/24\"" },
	{ CONN(",\"pool\":\"10.3.0.0/24x\""), "connections[0].pool: expected an IPv4 prefix like \"10.3.0.0/24\"" },
	{ CONN(",\"pool\":\"2001:db8::/64\""), "connections[0].pool: '2001:db8::' is not an IPv4 address (pools are IPv4)" },
	{ CONN(",\"modecfg\":true,\"pool\":\"10.3.0.0/24\""),
	  "connections[0].pool: a connection is either the client (xauth, modecfg) or the gateway (xauth_users, pool), not both" },
};

static void xauth_scenario_refusals(void **state)
{
	(void)state;
	scntest_refusals(BAD, sizeof(BAD) / sizeof(BAD[0]), 0);
}

/* A huge user list is refused by its size, before any entry is read. */
static void xauth_scenario_huge_array(void **state)
{
	(void)state;
	size_t n = 1100, cap = n * 40 + 1024, k = 0;
	char *t = malloc(cap), err[512];
	assert_non_null(t);
	k += (size_t)snprintf(t + k, cap - k, "%s", CONN(",\"xauth_users\":["));
	k -= 3; /* drop "}]}" to go on inside the connection */
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(t + k, cap - k, "%s{\"user\":\"u%zu\",\"password\":\"p\"}", i ? "," : "", i);
	snprintf(t + k, cap - k, "]}]}");
	sim_scenario *sc = scntest_parse(t, err, sizeof(err));
	assert_null(sc);
	assert_non_null(strstr(err, "connections[0].xauth_users"));
	free(t);
}


static void put_file(const tfs_dir *d, const char *name, const char *text, mode_t mode, char *path, size_t cap)
{
	tfs_dir_file(d, name, path, cap);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* The gateway's users file: good lines, comments, and each kind of bad line named by file and line. */
static void xauth_peer_users_file(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "# users\nalice:wonderland\r\n\nbob:hunter2:x\n", NULL },
		{ "alice:wonderland\nnocolon\n", ":2: expected user:password" },
		{ "alice:a\nalice:b\n", ":2: this user is already listed" },
		{ ":pw\n", ":1: the user name must be 1 to 128 bytes" },
		{ "u:\n", ":1: the password must be 1 to 128 bytes" },
		{ "u\x01:p\n", ":1: a control character or ':' in the user name" },
		{ "# nobody\n", "no user:password line" },
	};
	tfs_dir d;
	tfs_dir_make(&d, "xauth");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[128], err[300] = "";
		put_file(&d, "users", cases[i].text, 0600, path, sizeof(path));
		peer_args a;
		memset(&a, 0, sizeof(a));
		a.xauth_users = path;
		peer_cred_files cf = { 0 };
		FILE *warn = tmpfile();
		int rc = peer_xauth_load(&a, &cf, warn, err, sizeof(err));
		if (!cases[i].want) {
			assert_int_equal(rc, 0);
			assert_int_equal(cf.n_xauth_users, 2);
			assert_string_equal(cf.xauth_users[0].user, "alice");
			assert_int_equal(cf.xauth_users[0].password_len, 10);
			assert_memory_equal(cf.xauth_users[1].password, "hunter2:x", 9); /* the first ':' splits */
			assert_int_equal(ftell(warn), 0); /* mode 600: no warning */
		} else {
			assert_int_equal(rc, -1);
			if (!strstr(err, cases[i].want))
				fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].want);
		}
		fclose(warn);
		peer_xauth_free(&cf);
	}
	tfs_dir_remove(&d);
}

/* The client's password: from a file (newline dropped, mode warned) or the environment, never a flag value. */
static void xauth_peer_client_password(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "xauthpw");
	char path[128], err[300] = "", out[256] = "";
	put_file(&d, "pw", "wonderland\n", 0644, path, sizeof(path));
	peer_args a;
	memset(&a, 0, sizeof(a));
	a.xauth_user = "alice";
	peer_cred_files cf = { 0 };
	FILE *warn = tmpfile();
	assert_int_equal(peer_xauth_load(&a, &cf, warn, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--xauth-password-file FILE or IKESIM_XAUTH_PASSWORD"));
	a.xauth_password_file = path;
	assert_int_equal(peer_xauth_load(&a, &cf, warn, err, sizeof(err)), 0);
	assert_int_equal(cf.xauth_password_len, 10);
	assert_memory_equal(cf.xauth_password, "wonderland", 10);
	rewind(warn);
	assert_non_null(fgets(out, sizeof(out), warn));
	assert_non_null(strstr(out, "chmod 600"));
	fclose(warn);
	/* the connection: IKEv1 only, a client initiates */
	ike_conn_cfg c;
	memset(&c, 0, sizeof(c));
	c.version = 2;
	cf.psk = (uint8_t *)"k";
	assert_int_equal(peer_xauth_apply(&a, &cf, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "XAUTH and Mode Config need --ike 1");
	c.version = 1;
	assert_int_equal(peer_xauth_apply(&a, &cf, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "an XAUTH or Mode Config client initiates (--initiate)");
	a.initiate = true;
	a.pool = "10.3.0.0/24";
	assert_int_equal(peer_xauth_apply(&a, &cf, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exclude each other"));
	a.pool = NULL;
	assert_int_equal(peer_xauth_apply(&a, &cf, &c, err, sizeof(err)), 0);
	assert_string_equal(c.xauth_user, "alice");
	cf.psk = NULL;
	peer_xauth_free(&cf);
	/* the environment */
	memset(&cf, 0, sizeof(cf));
	a.xauth_password_file = NULL;
	a.xauth_password_env = "from-env";
	assert_int_equal(peer_xauth_load(&a, &cf, stderr, err, sizeof(err)), 0);
	assert_int_equal(cf.xauth_password_len, 8);
	peer_xauth_free(&cf);
	/* the gateway's pool */
	memset(&a, 0, sizeof(a));
	a.pool = "10.3.0.0/8";
	cf.psk = (uint8_t *)"k";
	assert_int_equal(peer_xauth_apply(&a, &cf, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/16 to /32"));
	a.pool = "10.9.8.0/24";
	assert_int_equal(peer_xauth_apply(&a, &cf, &c, err, sizeof(err)), 0);
	assert_int_equal(c.pool_prefix, 24);
	assert_int_equal(c.pool[1], 9);
	tfs_dir_remove(&d);
}

size_t tests_v1_xauth(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(xauth_modecfg_ok),
		cmocka_unit_test(xauth_wrong_password_and_unknown_user),
		cmocka_unit_test(xauth_required_by_gateway),
		cmocka_unit_test(xauth_lost_set_and_ack),
		cmocka_unit_test(xauth_without_modecfg),
		cmocka_unit_test(xauth_lost_mm6),
		cmocka_unit_test(xauth_client_gives_up),
		cmocka_unit_test(xauth_scenario_refusals),
		cmocka_unit_test(xauth_scenario_huge_array),
		cmocka_unit_test(xauth_peer_users_file),
		cmocka_unit_test(xauth_peer_client_password),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
