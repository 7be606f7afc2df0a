/*
 * IKEv1 NAT traversal (RFC 3947, RFC 3948) between two engine peers (pair.h, version 1): vendor IDs, NAT-D and
 * where the NAT is, the move to port 4500 before MM5/AM3, the responder following it and later a rebound NAT,
 * UDP encapsulation handed to the data plane, NAT-OA in transport mode, keepalives, and no NAT-T when the
 * peer does not announce it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keytab.h"
#include "pair.h"
#include "run.h"
#include "scenario.h"
#include "test_list.h.in"
#include "testfs.h"
#include "tsharkfx.h"
#include "wire/v1.h"

#define SEC IKE_NS_PER_SEC

typedef struct nctx {
	int moved[2];
	ike_addr moved_to[2];
	int child_nat[2]; /* ike_child_keys.nat of the last CHILD_UP, -1 none */
	ike_child_keys k[2];
	uint8_t ei[2][64], er[2][64];
	bool strip_vid;   /* side 0's MM1: the RFC 3947 VID overwritten (an initiator without NAT-T) */
	enum v1_vid as;   /* ... with this VID instead (a draft), 0: garbage */
} nctx;

static void on_event(pair *pr, int side, const ike_sa_event *ev)
{
	nctx *x = pr->user;
	if (ev->kind == IKE_EV_IKE_MOVED) {
		assert_non_null(ev->old_local);
		assert_non_null(ev->old_remote);
		x->moved[side]++;
		x->moved_to[side] = *ev->remote;
	}
	if (ev->kind == IKE_EV_CHILD_UP && ev->child) {
		x->child_nat[side] = ev->child->nat;
		x->k[side] = *ev->child;
		memcpy(x->ei[side], ev->child->ei, ev->child->e_len);
		memcpy(x->er[side], ev->child->er, ev->child->e_len);
	}
}

/* Side 0's first message queued with its RFC 3947 VID overwritten: the responder sees an initiator without NAT-T. */
static bool strip(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	nctx *x = pr->user;
	size_t vl;
	const uint8_t *vid = v1_vid_bytes(V1_VID_NATT_RFC3947, &vl);
	if (!x->strip_vid || side != 0 || n != 1)
		return true;
	assert_true(pr->nq < PAIR_MAX_QUEUE);
	pair_dgram *d = &pr->q[pr->nq++];
	*d = (pair_dgram){ .at = pr->now + pr->latency, .to_peer = 1, .from = pr->conn[0].local,
			   .to = pr->conn[1].local, .len = len, .data = malloc(len) };
	assert_non_null(d->data);
	memcpy(d->data, data, len);
	for (size_t i = 0; i + vl <= len; i++)
		if (!memcmp(d->data + i, vid, vl)) {
			size_t dl = 0;
			const uint8_t *draft = x->as ? v1_vid_bytes(x->as, &dl) : NULL;
			if (draft && dl == vl)
				memcpy(d->data + i, draft, vl);
			else
				d->data[i] ^= 0xFF; /* SAi_b does not cover VIDs: phase 1 still authenticates */
			return false;
		}
	fail_msg("no RFC 3947 VID in Main Mode 1");
	return false;
}

static void v1_start(pair *pr, nctx *x, uint64_t seed)
{
	pr->user = x;
	pr->sa_hook = on_event;
	pr->filter = strip;
	pair_start(pr, seed);
}

static void v1_init(pair *pr, nctx *x, bool aggressive)
{
	memset(x, 0, sizeof(*x));
	x->child_nat[0] = x->child_nat[1] = -1;
	pair_init(pr, "aes256-sha256-modp2048", "aes128-sha256");
	pr->conn[0].version = pr->conn[1].version = 1;
	pr->conn[0].aggressive = pr->conn[1].aggressive = aggressive;
}

static void expect_up(pair *pr, const nctx *x)
{
	for (int side = 0; side < 2; side++) {
		ike_conn_status st;
		assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
		assert_string_equal(st.ike_state, "ESTABLISHED");
		assert_string_equal(st.child_state, "INSTALLED");
	}
	/* the keys each side hands its data plane are the other's mirror */
	assert_int_equal(x->k[0].spi_in, x->k[1].spi_out);
	assert_memory_equal(x->ei[0], x->ei[1], x->k[0].e_len);
	assert_memory_equal(x->er[0], x->er[1], x->k[0].e_len);
}

/* encap on the initiator, no NAT: NAT-D that cannot match, both move to 4500, ESP in UDP on both sides. */
static void v1_natt_forced_encap(void **state)
{
	(void)state;
	pair pr;
	nctx x;
	v1_init(&pr, &x, false);
	pr.conn[0].encap = true;
	v1_start(&pr, &x, 41);
	pair_run(&pr, 10 * SEC);
	expect_up(&pr, &x);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "ID_PROT request 0 [ SA V V ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "ID_PROT response 0 [ SA V V ]"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "ID_PROT request 0 [ KE No NAT-D NAT-D ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "ID_PROT response 0 [ KE No NAT-D NAT-D ]"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.natd", "\"local-behind-nat\":false,\"remote-behind-nat\":false,\"forced\":true"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.natd", "\"local-behind-nat\":false,\"remote-behind-nat\":true,\"natt\":\"RFC 3947\""), 1);
	/* MM1..MM4 on 500, MM5 from and to 4500 */
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "\"from\":\"192.0.2.1:500\",\"to\":\"192.0.2.2:500\""), 2);
	assert_int_equal(pair_count(&pr, 0, "ike.float", "\"from\":\"192.0.2.2:500\",\"to\":\"192.0.2.2:4500\",\"local-from\":\"192.0.2.1:500\",\"local-to\":\"192.0.2.1:4500\""), 1);
	assert_int_equal(pair_count(&pr, 0, "ID_PROT request 0 [ ID HASH N(INITIAL-CONTACT) ]", "\"from\":\"192.0.2.1:4500\",\"to\":\"192.0.2.2:4500\""), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.float", "Main Mode 5 on the NAT-T ports"), 1);
	assert_int_equal(pair_count(&pr, 1, "ID_PROT response 0 [ ID HASH ]", "\"from\":\"192.0.2.2:4500\",\"to\":\"192.0.2.1:4500\""), 1);
	assert_int_equal(pair_count(&pr, 1, "QUICK_MODE response", "\"from\":\"192.0.2.2:4500\""), 1);
	/* tunnel mode: no NAT-OA */
	assert_int_equal(pair_count(&pr, -1, "NAT-OA", NULL), 0);
	assert_int_equal(x.moved[0], 1);
	assert_int_equal(x.moved[1], 1);
	assert_int_equal(x.child_nat[0], 1);
	assert_int_equal(x.child_nat[1], 1);
	pair_free(&pr);
}

/* No NAT, no encap: NAT-D exchanged and matching, nothing moves, plain ESP, no keepalives. */
static void v1_natt_no_nat(void **state)
{
	(void)state;
	pair pr;
	nctx x;
	v1_init(&pr, &x, false);
	pr.conn[0].keepalive = pr.conn[1].keepalive = 2 * SEC;
	v1_start(&pr, &x, 42);
	pair_run(&pr, 10 * SEC);
	expect_up(&pr, &x);
	assert_int_equal(pair_count(&pr, -1, "ike.natd", "\"local-behind-nat\":false,\"remote-behind-nat\":false"), 2);
	assert_int_equal(pair_count(&pr, -1, "ike.float", NULL), 0);
	assert_int_equal(x.moved[0] + x.moved[1], 0);
	assert_int_equal(x.child_nat[0], 0);
	assert_int_equal(x.child_nat[1], 0);
	assert_int_equal(pr.raw_sent[0] + pr.raw_sent[1], 0);
	pair_free(&pr);
}

/* The initiator does not announce NAT-T (its VID mangled): no VID back, no NAT-D, no move even with encap. */
static void v1_natt_peer_without_vid(void **state)
{
	(void)state;
	pair pr;
	nctx x;
	v1_init(&pr, &x, false);
	pr.conn[1].encap = true; /* the responder would force it: without the VID it cannot */
	x.strip_vid = true;
	v1_start(&pr, &x, 43);
	pair_run(&pr, 10 * SEC);
	expect_up(&pr, &x);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "ID_PROT response 0 [ SA V ]"), 1);
	assert_int_equal(pair_count(&pr, -1, "ike.tx", "[ KE No ]"), 2);
	assert_int_equal(pair_count(&pr, -1, "NAT-D", NULL), 0);
	assert_int_equal(pair_count(&pr, -1, "ike.natd", NULL), 0);
	assert_int_equal(pair_count(&pr, -1, "ike.float", NULL), 0);
	assert_int_equal(x.child_nat[0], 0);
	assert_int_equal(x.child_nat[1], 0);
	pair_free(&pr);
}

/* An initiator announcing only draft-ietf-ipsec-nat-t-ike-02\n: the draft's payload types and modes, both ways. */
static void v1_natt_draft(void **state)
{
	(void)state;
	pair pr;
	nctx x;
	v1_init(&pr, &x, false);
	pr.conn[0].encap = true;
	x.strip_vid = true;
	x.as = V1_VID_NATT_DRAFT_02_N;
	v1_start(&pr, &x, 47);
	pair_run(&pr, 10 * SEC);
	expect_up(&pr, &x);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "ID_PROT response 0 [ SA V V ]"), 1);
	assert_int_equal(pair_count(&pr, -1, "ike.tx", "[ KE No NAT-D-DRAFT NAT-D-DRAFT ]"), 2);
	assert_int_equal(pair_count(&pr, 1, "ike.natd", "\"remote-behind-nat\":true,\"natt\":\"draft-ietf-ipsec-nat-t-ike-02"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.natd", "\"forced\":true"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.float", "Main Mode 5 on the NAT-T ports"), 1);
	assert_int_equal(x.child_nat[0], 1);
	assert_int_equal(x.child_nat[1], 1);
	pair_free(&pr);
}

/*
 * Side 0 behind a NAT (source port rewritten to 4501), Main and Aggressive Mode: side 0 sees itself NAT'ed,
 * side 1 sees the peer NAT'ed; the responder ends on 4500 <-> 4501; side 0 alone sends keepalives, one per
 * 5 s of silence; a NAT rebinding (4601) moves side 1 on side 0's next authenticated message (a QM rekey).
 */
static void v1_natt_behind_nat(void **state)
{
	(void)state;
	for (int am = 0; am < 2; am++) {
		pair pr;
		nctx x;
		ike_conn_status st;
		v1_init(&pr, &x, am);
		pr.nat_port = 4501;
		pr.conn[0].keepalive = pr.conn[1].keepalive = 5 * SEC;
		pr.child[0].life.rekey = 35 * SEC;
		v1_start(&pr, &x, 44 + (uint64_t)am);
		pair_run(&pr, 31 * SEC);
		expect_up(&pr, &x);
		assert_int_equal(pair_count(&pr, 0, "ike.natd", "\"local-behind-nat\":true,\"remote-behind-nat\":false"), 1);
		assert_int_equal(pair_count(&pr, 1, "ike.natd", "\"local-behind-nat\":false,\"remote-behind-nat\":true"), 1);
		if (am) {
			assert_int_equal(pair_count(&pr, 1, "ike.tx", "AGGRESSIVE response 0 [ SA KE No ID HASH V V NAT-D NAT-D ]"), 1);
			assert_int_equal(pair_count(&pr, 0, "AGGRESSIVE request 0 [ HASH NAT-D NAT-D ]", "\"from\":\"192.0.2.1:4500\",\"to\":\"192.0.2.2:4500\""), 1);
			assert_int_equal(pair_count(&pr, 1, "ike.float", "Aggressive Mode 3 on the NAT-T ports"), 1);
		} else
			assert_int_equal(pair_count(&pr, 1, "ike.float", "\"from\":\"192.0.2.1:4501\",\"to\":\"192.0.2.1:4501\",\"local-from\":\"192.0.2.2:500\",\"local-to\":\"192.0.2.2:4500\""), 1);
		assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
		assert_int_equal(st.remote.port, 4501);
		assert_int_equal(x.child_nat[0], 1);
		assert_int_equal(x.child_nat[1], 1);
		/* keepalives: side 0 only, from 4500 to 4500, at about 5, 10, ..., 30 s */
		assert_int_equal(pr.raw_sent[1], 0);
		assert_int_equal(pr.raw_sent[0], 6);
		assert_int_equal(pr.raw_from[0].port, 4500);
		assert_int_equal(pr.raw_to[0].port, 4500);
		assert_int_equal(pair_count(&pr, 0, "ike.keepalive", "\"from\":\"192.0.2.1:4500\",\"to\":\"192.0.2.2:4500\""), 6);

		/* the NAT rebinds; side 0's Quick Mode rekey (authenticated) moves side 1, which answers on the new port */
		pr.nat_port = 4601;
		pair_run_pending(&pr, 45 * SEC);
		assert_int_equal(pair_count(&pr, 0, "child_sa.state", "\"rekeyed\""), 1);
		assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
		assert_int_equal(st.remote.port, 4601);
		assert_int_equal(pair_count(&pr, 1, "ike.float", "\"from\":\"192.0.2.1:4501\",\"to\":\"192.0.2.1:4601\""), 1);
		assert_int_equal(x.moved[1], 2);
		assert_int_equal(x.moved_to[1].port, 4601);
		assert_int_equal(x.moved[0], 1); /* side 0 is behind the NAT: it never follows */
		pair_free(&pr);
	}
}

/* Transport mode with NAT-T: QM1 and QM2 carry NAT-OAi and NAT-OAr (RFC 3947 5.2), covered by HASH(1)/(2). */
static void v1_natt_transport_natoa(void **state)
{
	(void)state;
	pair pr;
	nctx x;
	v1_init(&pr, &x, false);
	pr.conn[0].encap = true;
	pr.child[0].mode = pr.child[1].mode = IKE_MODE_TRANSPORT;
	v1_start(&pr, &x, 46);
	pair_run(&pr, 10 * SEC);
	expect_up(&pr, &x);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "QUICK_MODE request"), 2);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "[ HASH SA No ID ID NAT-OA NAT-OA ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "[ HASH SA No ID ID NAT-OA NAT-OA ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.rx", "[ HASH SA No ID ID NAT-OA NAT-OA ]"), 1);
	assert_int_equal(x.k[0].mode, IKE_MODE_TRANSPORT);
	assert_int_equal(x.child_nat[1], 1);
	pair_free(&pr);
}

/*
 * The NAT box scenario's capture: MM5, MM6 and Quick Mode go between the NAT-T ports behind the non-ESP marker
 * (RFC 3948 2.2), and tshark, with the runner's ikev1_decryption_table, decrypts each of them (Wireshark takes
 * UDP 4500 as udpencap by itself). tshark reads one vantage point: the pcapng's outside link (interfaces 2, 3:
 * nat <-> gw-b). Both links at once defeat it: it takes the NAT'ed copy of MM3 (another source address) for the
 * responder's and its phase 1 IV goes wrong, so MM5 does not decrypt (Wireshark 4.0).
 */
static void v1_natt_capture_on_4500(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "v1natt");
	char pcap[128], outside[128], table[176], err[512];
	tfs_dir_file(&d, "x.pcapng", pcap, sizeof(pcap));
	tfs_dir_file(&d, "out.pcapng", outside, sizeof(outside));
	snprintf(table, sizeof(table), "%s%s", pcap, SIM_KEYTAB_V1_SUFFIX);
	sim_scenario *sc = sim_scenario_load("tests/scenarios/v1_natt_nat_box.json", err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_result res;
	sim_run_opts ro = { .seed = 11, .seed_set = 1, .reveal_keys = 1, .pcap_path = pcap };
	assert_int_equal(sim_run_scenario(sc, &ro, &res, err, sizeof(err)), 0);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	size_t n;
	char *t = tfs_read(table, &n);
	assert_non_null(t);
	char *row = strchr(t, '\n') + 1, *nl = strchr(row, '\n');
	assert_non_null(nl);
	*nl = 0;
	assert_int_equal(strlen(row), 16 + 1 + 64);
	if (tsx_available()) {
		char args[400];
		snprintf(args, sizeof(args), "-Y \"frame.interface_id>=2\" -w %s", outside);
		free(tsx_run(NULL, pcap, args, NULL));
		snprintf(args, sizeof(args), "-o \"uat:ikev1_decryption_table:%s\" -Y \"isakmp.flag_e==1\" "
					     "-T fields -e udp.srcport -e udp.dstport -e udp.payload -e isakmp.hash -e _ws.malformed", row);
		char *out = tsx_run(NULL, outside, args, NULL);
		size_t lines = 0;
		for (char *p = out, *e; *p; p = e + 1, lines++) {
			e = strchr(p, '\n');
			assert_non_null(e);
			*e = 0;
			char *f[5] = { p, NULL, NULL, NULL, NULL }; /* srcport, dstport, payload, hash, malformed */
			for (int k = 1; k < 5; k++) {
				f[k] = strchr(f[k - 1], '\t');
				assert_non_null(f[k]);
				*f[k]++ = 0;
			}
			assert_string_equal(f[0], "4500"); /* every encrypted message rides on the NAT-T ports */
			assert_string_equal(f[1], "4500");
			assert_memory_equal(f[2], "00000000", 8); /* behind the non-ESP marker */
			if (strlen(f[3]) != 64 || *f[4])
				fail_msg("tshark did not decrypt encrypted message %zu to a HASH (with row %s)", lines + 1, row);
		}
		assert_int_equal(lines, 5); /* MM5 MM6 QM1 QM2 QM3 */
		free(out);
	}
	free(t);
	tfs_dir_remove(&d);
}

size_t tests_v1_natt(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_natt_forced_encap),     cmocka_unit_test(v1_natt_no_nat),
		cmocka_unit_test(v1_natt_peer_without_vid), cmocka_unit_test(v1_natt_behind_nat),
		cmocka_unit_test(v1_natt_transport_natoa),  cmocka_unit_test(v1_natt_capture_on_4500),
		cmocka_unit_test(v1_natt_draft),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
