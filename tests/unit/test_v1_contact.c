/*
 * IKEv1 INITIAL-CONTACT (RFC 2407 4.6.3.3): the initiator that holds no other SA with its peer says so in the
 * encrypted Main Mode 5; the responder then drops the stale ISAKMP SA (and IPsec SA) it still holds for that
 * authenticated peer, also when it comes in an encrypted Aggressive Mode 3 as charon sends it. Not sent on a
 * phase 1 renewal or when turned off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "ikev1/v1_sa.h"
#include "pair.h"
#include "peer/peer.h"
#include "test_list.h.in"

static void v1_pair(pair *pr, bool aggressive)
{
	pair_init(pr, "aes128-sha256-modp2048", "aes128-sha256");
	pr->conn[0].version = pr->conn[1].version = 1;
	pr->conn[0].aggressive = pr->conn[1].aggressive = aggressive;
}

static void held(const pair *pr, int side, uint32_t ike_sas, const char *child_state)
{
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_string_equal(st.child_state, child_state);
	assert_int_equal(st.ike_sas, ike_sas);
}

/* Main Mode: the initiator reboots and comes back; the responder keeps one SA, not two. */
static void v1_initial_contact_after_reboot(void **state)
{
	(void)state;
	pair pr;
	v1_pair(&pr, false);
	pair_start(&pr, 41);
	pair_run(&pr, 2 * IKE_NS_PER_SEC);
	held(&pr, 1, 1, "INSTALLED");
	pair_reboot(&pr, 0, 42);
	pair_run(&pr, 4 * IKE_NS_PER_SEC);
	held(&pr, 0, 1, "INSTALLED");
	held(&pr, 1, 1, "INSTALLED");
	/* once before the reboot (nothing to drop yet), once after */
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "ID_PROT request 0 [ ID HASH N(INITIAL-CONTACT) ]\",\"exchange\":\"ID_PROT\",\"msgid\":0,\"flags\":\"E\""), 2);
	assert_int_equal(pair_count(&pr, 1, "ike_sa.state", "\"initial-contact\""), 1);
	assert_int_equal(pair_count(&pr, 1, "child_sa.state", "INITIAL-CONTACT"), 1); /* its IPsec SA went too */
	assert_int_equal(pair_count(&pr, 1, "ike.initial_contact", "\"deleted\":0"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.initial_contact", "\"deleted\":1"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "D(ISAKMP)"), 0); /* silently: the peer lost those keys */
	pair_free(&pr);
}

/* charon's Aggressive Mode 3 is encrypted and may carry INITIAL-CONTACT: side 0's clear AM3 is replaced by
 * HASH N(INITIAL-CONTACT) sealed with its phase 1 IV. We send none in Aggressive Mode ourselves (our AM3 is clear). */
static bool am3_with_ic(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)n; /* AM3: the initiator's Aggressive Mode message that starts with HASH, after the reboot */
	if (side != 0 || len < V1_HDR_LEN || data[18] != V1_EXCH_AGGRESSIVE || data[16] != V1_PL_HASH)
		return true;
	v1_ike_sa *sa = pr->peer[0]->v1_sas;
	assert_non_null(sa);
	uint8_t buf[V1_MSG_MAX], spi[16];
	v1_header h;
	v1_chain c;
	assert_int_equal(v1_parse_header(data, len, &h, NULL), V1_OK);
	assert_int_equal(v1_parse_chain(h.next_payload, data + V1_HDR_LEN, len - V1_HDR_LEN, V1_HDR_LEN, false, &c, NULL), V1_OK);
	assert_int_equal(pair_count(pr, 0, "N(INITIAL-CONTACT)", NULL), 0);
	ike_put_u64(spi, sa->cky_i);
	ike_put_u64(spi + 8, sa->cky_r);
	v1_notify ic = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ISAKMP, .spi_size = 16, .type = V1_N_INITIAL_CONTACT, .spi = spi };
	v1_builder b;
	v1_begin(&b, buf, sizeof(buf), &h);
	v1_add_data(&b, V1_PL_HASH, c.pl[0].body, c.pl[0].len);
	v1_add_notify(&b, &ic);
	size_t plain = v1_finish(&b, 0), sealed = plain ? v1_seal_msg(sa, &sa->p1iv, buf, plain) : 0;
	assert_true(plain && sealed == v1_sealed_len(&sa->ci, plain));
	assert_true(pr->nq < PAIR_MAX_QUEUE);
	pair_dgram *d = &pr->q[pr->nq++];
	*d = (pair_dgram){ .at = pr->now + pr->latency, .to_peer = 1, .from = pr->conn[0].local, .to = pr->conn[0].remote,
			   .len = sealed, .data = malloc(sealed) };
	assert_non_null(d->data);
	memcpy(d->data, buf, sealed);
	return false;
}

static void v1_initial_contact_in_encrypted_am3(void **state)
{
	(void)state;
	pair pr;
	v1_pair(&pr, true);
	pair_start(&pr, 46);
	pair_run(&pr, 2 * IKE_NS_PER_SEC);
	held(&pr, 1, 1, "INSTALLED");
	pair_reboot(&pr, 0, 47);
	pr.filter = am3_with_ic;
	pair_run(&pr, 4 * IKE_NS_PER_SEC);
	held(&pr, 0, 1, "INSTALLED");
	held(&pr, 1, 1, "INSTALLED");
	assert_int_equal(pair_count(&pr, 1, "ike.rx", "AGGRESSIVE request 0 [ HASH N(INITIAL-CONTACT) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.initial_contact", "\"deleted\":1"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa.state", "\"initial-contact\""), 1);
	pair_free(&pr);
}

/* initial_contact off: nothing is sent and the responder holds the stale SA beside the new one. */
static void v1_initial_contact_off(void **state)
{
	(void)state;
	pair pr;
	v1_pair(&pr, false);
	pr.conn[0].initial_contact = false;
	pair_start(&pr, 43);
	pair_run(&pr, 2 * IKE_NS_PER_SEC);
	pair_reboot(&pr, 0, 44);
	pair_run(&pr, 4 * IKE_NS_PER_SEC);
	assert_int_equal(pair_count(&pr, -1, "INITIAL-CONTACT", NULL), 0);
	held(&pr, 1, 2, "INSTALLED");
	pair_free(&pr);
}

/* A phase 1 renewal (make-before-break) holds the old SA while the new one is made: no INITIAL-CONTACT, and the
 * responder deletes nothing on its own (the old SA goes by the initiator's Delete). */
static void v1_initial_contact_not_on_renewal(void **state)
{
	(void)state;
	pair pr;
	v1_pair(&pr, false);
	pr.conn[0].ike_life.rekey = 3 * IKE_NS_PER_SEC;
	pair_start(&pr, 45);
	pair_run(&pr, 4 * IKE_NS_PER_SEC);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "N(INITIAL-CONTACT)"), 1); /* the first Main Mode only */
	assert_int_equal(pair_count(&pr, 1, "ike.initial_contact", "\"deleted\":0"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa.state", "\"delete-recv\""), 1);
	held(&pr, 1, 1, "INSTALLED");
	pair_free(&pr);
}

size_t tests_v1_contact(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_initial_contact_after_reboot),
		cmocka_unit_test(v1_initial_contact_in_encrypted_am3),
		cmocka_unit_test(v1_initial_contact_off),
		cmocka_unit_test(v1_initial_contact_not_on_renewal),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
