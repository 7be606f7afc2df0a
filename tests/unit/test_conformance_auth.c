/*
 * RFC 7296 conformance around authentication and versions (issue 8, section 2, items 4, 5, 8):
 * INVALID_MAJOR_VERSION (2.5), AUTHENTICATION_FAILED only in IKE_AUTH or the INFORMATIONAL right after
 * it (2.21.2), and IKE_AUTH without SA, TSi or TSr refused with INVALID_SYNTAX (1.2, 2.21.2, RFC 6023 3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sealfx.h"
#include "test_list.h.in"
#include "wire/v2.h"

#define SEC SEALFX_SEC
#define MSG_MAX SEALFX_MSG_MAX

/* ---- item 4: INVALID_MAJOR_VERSION ---- */

typedef struct lone {
	uint8_t last[512];
	size_t last_len, sends, refused_events;
	uint64_t dropped_counted;
} lone;

static void lone_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t n)
{
	(void)from, (void)to;
	lone *l = ctx;
	l->sends++;
	l->last_len = n < sizeof(l->last) ? n : sizeof(l->last);
	memcpy(l->last, d, l->last_len);
}

static void lone_trace(void *ctx, ike_time now, const char *ev, const char *fields)
{
	(void)now;
	lone *l = ctx;
	if (strcmp(ev, "error") == 0 && strstr(fields, "\"what\":\"version refused\""))
		l->refused_events++;
	const char *p = strcmp(ev, "ike.refused") == 0 ? strstr(fields, "\"dropped\":") : NULL;
	if (p)
		l->dropped_counted += strtoull(p + 10, NULL, 10);
}

static void higher_major_version_gets_invalid_major_version(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	lone l = { 0 };
	ike_host host = { .ctx = &l, .send = lone_send, .trace = lone_trace };
	uint8_t seed[4] = { 4 }, msg[1024];
	ike_peer_cfg pc = { .name = "r", .crypto = pr.crypto, .seed = seed, .seed_len = 4, .conns = &pr.conn[1], .n_conns = 1 };
	ike_peer *r = ike_peer_new(&pc, &host);
	assert_non_null(r);
	size_t n = pair_first_init(pr.crypto, msg, sizeof(msg));
	const ike_addr *from = &pr.conn[0].local, *to = &pr.conn[1].local;
	msg[17] = 0x30; /* IKE version 3.0 */
	ike_peer_input(r, 0, from, to, msg, n);
	assert_int_equal(l.sends, 1);
	v2_header h;
	v2_chain ch;
	uint8_t bad;
	assert_int_equal(v2_parse_header(l.last, l.last_len, &h), V2_OK); /* i.e. major version 2 */
	assert_int_equal(h.minor, 0);
	assert_int_equal(h.flags, V2_F_RESPONSE); /* from the original responder */
	assert_int_equal(h.spi_i, ike_get_u64(msg));
	assert_int_equal(h.spi_r, 0);
	assert_int_equal(h.msg_id, 0);
	assert_int_equal(h.exchange, V2_IKE_SA_INIT);
	assert_int_equal(v2_parse_chain(h.next_payload, l.last + V2_HDR_LEN, h.length - V2_HDR_LEN, V2_HDR_LEN, &ch, &bad),
			 V2_OK);
	assert_int_equal(ch.n, 1);
	assert_non_null(v2_chain_find_notify(&ch, V2_N_INVALID_MAJOR_VERSION));
	assert_int_equal(ike_peer_sa_count(r), 0);

	/* a request from an original responder (I clear) gets the I flag back */
	msg[19] = 0;
	ike_peer_input(r, 0, from, to, msg, n);
	assert_int_equal(l.sends, 2);
	assert_int_equal(v2_parse_header(l.last, l.last_len, &h), V2_OK);
	assert_int_equal(h.flags, V2_F_RESPONSE | V2_F_INITIATOR);
	/* responses are dropped (2.5), and so is a lower version (IKEv1 is not ours to answer) */
	msg[19] = V2_F_INITIATOR | V2_F_RESPONSE;
	ike_peer_input(r, 0, from, to, msg, n);
	msg[19] = V2_F_INITIATOR;
	msg[17] = 0x10;
	ike_peer_input(r, 0, from, to, msg, n);
	assert_int_equal(l.sends, 2);

	/* a flood is answered only within the refusal budget (2.21.4: 8 a second, the two drops took two) */
	msg[17] = 0x30;
	for (int i = 0; i < 100; i++)
		ike_peer_input(r, 0, from, to, msg, n);
	assert_int_equal(l.sends, 2 + 4);
	ike_peer_flush(r, 0);
	assert_int_equal(l.refused_events, 2 + 4);
	assert_int_equal(l.dropped_counted, 96); /* the rest, counted in ike.refused */
	/* the next second answers again */
	ike_peer_input(r, 1 * SEC, from, to, msg, n);
	assert_int_equal(l.sends, 2 + 4 + 1);
	ike_peer_free(r);
	pair_free(&pr);
}

/* ---- item 5: AUTHENTICATION_FAILED only right after IKE_AUTH ---- */

static void late_authentication_failed_is_ignored(void **state)
{
	(void)state;
	pair pr;
	sealfx_conf c = { 0 };
	sealfx_keys k;
	uint8_t inner[64];
	v2_builder b;
	sealfx_establish(&pr, &c, 38);
	sealfx_read_keys(&pr, &k);
	v2_begin_chain(&b, inner, sizeof(inner));
	sealfx_request(&pr, &k, V2_INFORMATIONAL, 2, &b); /* the INFORMATIONAL right after IKE_AUTH: a liveness check */
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_notify(&b, 0, NULL, 0, V2_N_AUTHENTICATION_FAILED, NULL, 0);
	sealfx_request(&pr, &k, V2_INFORMATIONAL, 3, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 3"), 1);
	assert_int_equal(pair_count(&pr, 1, "notify ignored", "AUTHENTICATION_FAILED"), 1);
	sealfx_expect(&pr, 1, "ESTABLISHED", "INSTALLED", 0);
	/* INVALID_SYNTAX as a notify in a request is no more than that either */
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_notify(&b, 0, NULL, 0, V2_N_INVALID_SYNTAX, NULL, 0);
	sealfx_request(&pr, &k, V2_INFORMATIONAL, 4, &b);
	assert_int_equal(pair_count(&pr, 1, "notify ignored", "INVALID_SYNTAX"), 1);
	sealfx_expect(&pr, 1, "ESTABLISHED", "INSTALLED", 0);
	pair_free(&pr);

	/* right after IKE_AUTH it still ends the IKE SA (the initiator rejected our AUTH) */
	memset(&c, 0, sizeof(c));
	sealfx_establish(&pr, &c, 39);
	sealfx_read_keys(&pr, &k);
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_notify(&b, 0, NULL, 0, V2_N_AUTHENTICATION_FAILED, NULL, 0);
	sealfx_request(&pr, &k, V2_INFORMATIONAL, 2, &b);
	sealfx_expect(&pr, 1, "NONE", "NONE", V2_N_AUTHENTICATION_FAILED);
	pair_free(&pr);
}

/* ---- item 8: IKE_AUTH without TSr, or without SA, TSi and TSr ---- */

/* Re-seals an IKE_AUTH message of `side` without the payload types in drop_types and delivers that instead. */
static bool strip_auth(pair *pr, int side, const uint8_t *d, size_t len)
{
	sealfx_conf *c = pr->user;
	bool resp = d[19] & V2_F_RESPONSE;
	if (d[18] != V2_IKE_AUTH || side != c->strip_side || resp != (side == 1))
		return true;
	sealfx_keys k;
	uint8_t pt[MSG_MAX], inner[MSG_MAX], msg[MSG_MAX], first, bad;
	v2_chain ch;
	v2_builder b;
	sealfx_read_keys(pr, &k);
	size_t ptlen = sealfx_open(pr, &k, side, d, len, pt, sizeof(pt), &first);
	assert_int_equal(v2_parse_chain(first, pt, ptlen, 0, &ch, &bad), V2_OK);
	v2_begin_chain(&b, inner, sizeof(inner));
	for (uint8_t i = 0; i < ch.n; i++)
		if (!memchr(c->drop_types, ch.pl[i].type, sizeof(c->drop_types)))
			v2_add_raw(&b, ch.pl[i].type, ch.pl[i].critical, ch.pl[i].body, ch.pl[i].len);
	assert_false(b.w.err);
	size_t n = sealfx_seal(pr, &k, side, V2_IKE_AUTH, resp, ike_get_u32(d + 20), b.first, inner, b.w.len, msg, sizeof(msg));
	sealfx_inject(pr, !side, msg, n);
	return false;
}

/* Runs a pair whose side `side` sends its IKE_AUTH message without the given payloads. */
static void run_stripped(pair *pr, sealfx_conf *c, int side, uint64_t seed, const uint8_t *types, size_t ntypes)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->drop_types, types, ntypes);
	c->strip_side = side;
	c->rewrite = strip_auth;
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr->filter = sealfx_filter;
	pr->user = c;
	pair_start(pr, seed);
	pair_run(pr, 10 * SEC);
}

static void ike_auth_without_tsr_is_invalid_syntax(void **state)
{
	(void)state;
	pair pr;
	sealfx_conf c;
	static const uint8_t tsr[] = { V2_PL_TSR }, all[] = { V2_PL_SA, V2_PL_TSI, V2_PL_TSR };
	/* RFC 7296 1.2 requires SA, TSi and TSr; a message without one is malformed (2.21.2): INVALID_SYNTAX,
	 * answered before AUTH is looked at, and no IKE SA on either side */
	run_stripped(&pr, &c, 0, 40, tsr, sizeof(tsr));
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "IKE_AUTH response 1 [ N(INVAL_SYN) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa failed", "lacks one of SA, TSi and TSr"), 1);
	assert_int_equal(pair_count(&pr, -1, "ike_sa.state", "\"to\":\"ESTABLISHED\""), 0);
	sealfx_expect(&pr, 0, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	sealfx_expect(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]) + ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);

	/* none of the three: a childless IKE SA (RFC 6023 section 3: INVALID_SYNTAX when not negotiated) */
	run_stripped(&pr, &c, 0, 41, all, sizeof(all));
	assert_int_equal(pair_count(&pr, 1, "ike_sa failed", "childless IKE SAs (RFC 6023) were not negotiated"), 1);
	sealfx_expect(&pr, 0, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	sealfx_expect(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	pair_free(&pr);

	/* the responder's answer without TSr: the initiator says INVALID_SYNTAX in the next INFORMATIONAL, and
	 * the responder, which gets it right after IKE_AUTH, drops the IKE SA too (2.21.2) */
	run_stripped(&pr, &c, 1, 42, tsr, sizeof(tsr));
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "INFORMATIONAL request 2 [ N(INVAL_SYN) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa failed", "could not use our IKE_AUTH response"), 1);
	sealfx_expect(&pr, 0, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	sealfx_expect(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]) + ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);
}

size_t tests_conformance_auth(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(higher_major_version_gets_invalid_major_version),
		cmocka_unit_test(late_authentication_failed_is_ignored),
		cmocka_unit_test(ike_auth_without_tsr_is_invalid_syntax),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
