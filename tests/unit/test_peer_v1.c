/*
 * `ikesim peer --ike 1 [--aggressive]` (the flags reach ike_conn_cfg) and what charon taught the IKEv1 engine:
 * its Quick Mode IDs for /32 selectors are ID_IPV4_ADDR (one address), which v1_id_ts must take as a selector,
 * and it encrypts Aggressive Mode message 3, which a responder must decrypt (the phase 1 IV then advances).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ikev1/v1_sa.h"
#include "pair.h"
#include "peer.h"
#include "peer/peer.h"
#include "test_list.h.in"

static int parse_build(const char **argv, int argc, ike_conn_cfg *c, ike_child_cfg *ch, char *err, size_t errlen)
{
	peer_args a;
	char *msg = NULL;
	size_t len;
	FILE *f = open_memstream(&msg, &len);
	int rc = peer_args_parse(argc, (char **)argv, &a, f);
	fclose(f);
	if (rc != 0) {
		snprintf(err, errlen, "%s", msg ? msg : "");
		free(msg);
		return -1;
	}
	free(msg);
	peer_cred_files cf = { 0 };
	uint8_t psk[1] = { 's' };
	cf.psk = psk;
	cf.psk_len = 1;
	return peer_conn_build(&a, c, ch, &cf, err, errlen);
}

static void peer_v1_flags(void **state)
{
	(void)state;
	const char *argv[] = { "peer", "--local", "127.0.0.1:500", "--remote", "127.0.0.1:501", "--proposals",
			       "aes128-sha256-modp2048", "--esp-proposals", "aes128-sha256", "--id", "a.example",
			       "--remote-id", "b.example", "--local-ts", "10.2.0.1/32", "--remote-ts", "10.1.0.1/32",
			       "--psk", "s", NULL, NULL, NULL };
	int n = 19;
	ike_conn_cfg c;
	ike_child_cfg ch;
	char err[256];
	assert_int_equal(parse_build(argv, n, &c, &ch, err, sizeof(err)), 0);
	assert_int_equal(c.version, 2); /* the default */
	assert_false(c.aggressive);
	argv[n] = "--ike";
	argv[n + 1] = "1";
	assert_int_equal(parse_build(argv, n + 2, &c, &ch, err, sizeof(err)), 0);
	assert_int_equal(c.version, 1);
	assert_false(c.aggressive);
	argv[n + 2] = "--aggressive";
	assert_int_equal(parse_build(argv, n + 3, &c, &ch, err, sizeof(err)), 0);
	assert_int_equal(c.version, 1);
	assert_true(c.aggressive);
	argv[n + 1] = "2"; /* Aggressive Mode is IKEv1's */
	assert_int_equal(parse_build(argv, n + 3, &c, &ch, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--aggressive needs --ike 1"));
	argv[n + 1] = "3";
	assert_int_equal(parse_build(argv, n + 2, &c, &ch, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--ike wants 1 (IKEv1) or 2 (IKEv2), got '3'"));
}

/* An ID payload body (type, protocol, port, data) as the chain parser hands it over. */
static bool id_of(uint8_t type, const uint8_t *data, size_t len, ike_ts *t)
{
	uint8_t body[40] = { type, 0, 0, 0 };
	memcpy(body + 4, data, len);
	v1_payload p = { .type = V1_PL_ID, .offset = 28, .body = body, .len = (uint16_t)(4 + len) };
	return v1_id_ts(&p, t);
}

static void peer_v1_quick_mode_ids(void **state)
{
	(void)state;
	ike_ts t;
	/* charon's QM1 for a 10.1.0.1/32 selector: ID_IPV4_ADDR (this was refused with INVALID-ID-INFORMATION) */
	const uint8_t one[4] = { 10, 1, 0, 1 };
	assert_true(id_of(V1_ID_IPV4_ADDR, one, 4, &t));
	assert_int_equal(t.family, 4);
	assert_memory_equal(t.start, one, 4);
	assert_memory_equal(t.end, one, 4);
	assert_int_equal(t.end_port, 65535);
	/* IPv6 single address */
	uint8_t six[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	six[15] = 7;
	assert_true(id_of(V1_ID_IPV6_ADDR, six, 16, &t));
	assert_int_equal(t.family, 6);
	assert_memory_equal(t.start, six, 16);
	assert_memory_equal(t.end, six, 16);
	/* a subnet still works: 10.2.0.0/255.255.255.0 */
	const uint8_t net[8] = { 10, 2, 0, 9, 255, 255, 255, 0 };
	const uint8_t lo[4] = { 10, 2, 0, 0 }, hi[4] = { 10, 2, 0, 255 };
	assert_true(id_of(V1_ID_IPV4_ADDR_SUBNET, net, 8, &t));
	assert_memory_equal(t.start, lo, 4);
	assert_memory_equal(t.end, hi, 4);
	/* lengths that do not fit the type, and a name where a selector belongs, are refused */
	assert_false(id_of(V1_ID_IPV4_ADDR, net, 8, &t));
	assert_false(id_of(V1_ID_IPV4_ADDR_SUBNET, one, 4, &t));
	assert_false(id_of(V1_ID_FQDN, (const uint8_t *)"a.example", 9, &t));
}

/* Side 0's AM3 (sent in clear) is replaced by the same message encrypted as charon sends it: sealed with the
 * phase 1 IV, which then advances on the initiator too (its Quick Mode IVs derive from AM3's last block). */
static bool encrypt_am3(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	if (side != 0 || len < V1_HDR_LEN || data[18] != V1_EXCH_AGGRESSIVE || n != 2)
		return true;
	v1_ike_sa *sa = pr->peer[0]->v1_sas;
	assert_non_null(sa);
	assert_int_equal(data[19] & V1_F_ENCRYPTION, 0);
	uint8_t buf[V1_MSG_MAX];
	memcpy(buf, data, len);
	size_t sealed = v1_seal_msg(sa, &sa->p1iv, buf, len);
	assert_true(sealed > len);
	assert_true(pr->nq < PAIR_MAX_QUEUE);
	pair_dgram *d = &pr->q[pr->nq++];
	*d = (pair_dgram){ .at = pr->now + pr->latency, .to_peer = 1, .from = pr->conn[0].local,
			   .to = pr->conn[0].remote, .len = sealed, .data = malloc(sealed) };
	assert_non_null(d->data);
	memcpy(d->data, buf, sealed);
	return false;
}

static void peer_v1_encrypted_am3(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128-sha256-modp2048", "aes128-sha256");
	pr.conn[0].version = pr.conn[1].version = 1;
	pr.conn[0].aggressive = pr.conn[1].aggressive = true;
	pr.filter = encrypt_am3;
	pair_start(&pr, 11);
	pair_run(&pr, 10 * IKE_NS_PER_SEC);
	assert_int_equal(pair_count(&pr, 1, "ike.rx", "AGGRESSIVE request 0 [ HASH NAT-D NAT-D ]\",\"exchange\":\"AGGRESSIVE\",\"msgid\":0,\"flags\":\"E\""), 1);
	assert_int_equal(pair_count(&pr, 1, "am-r-auth-ok", NULL), 1);
	for (int s = 0; s < 2; s++) {
		ike_conn_status st;
		assert_int_equal(ike_peer_conn_status(pr.peer[s], 0, &st), 0);
		assert_string_equal(st.ike_state, "ESTABLISHED");
		assert_string_equal(st.child_state, "INSTALLED"); /* Quick Mode IVs agree after the encrypted AM3 */
	}
	pair_free(&pr);
}

size_t tests_peer_v1(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(peer_v1_flags),
		cmocka_unit_test(peer_v1_quick_mode_ids),
		cmocka_unit_test(peer_v1_encrypted_am3),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
