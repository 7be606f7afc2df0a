/*
 * RFC 7296 error handling once a message has decrypted (issue 8, section 2, items 1, 2, 4, 5, 8):
 * CREATE_CHILD_SA refused with NO_ADDITIONAL_SAS, unknown exchanges and malformed requests answered
 * with INVALID_SYNTAX and fatal on both sides, INVALID_MAJOR_VERSION, AUTHENTICATION_FAILED only right
 * after IKE_AUTH, IKE_AUTH without SA/TSi/TSr. Messages are forged with the pair's real keys (read from
 * the kdf trace) and delivered through the pair, so both peers' answers flow as they would on a wire.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/drbg.h"
#include "crypto/registry.h"
#include "crypto/sk.h"
#include "fuzzrand.h"
#include "hexutil.h"
#include "pair.h"
#include "test_list.h.in"
#include "wire/v2.h"

#define SEC (1000LL * 1000 * 1000)
#define MSG_MAX 4096

/* What each side sent last, and an optional rewrite of what a side sends (false: the original is dropped). */
typedef struct conf {
	uint8_t last[2][MSG_MAX];
	size_t last_len[2], sends[2];
	bool (*rewrite)(pair *pr, int side, const uint8_t *d, size_t len);
	uint8_t drop_types[4]; /* inner payload types a rewrite leaves out */
	int strip_side;        /* whose IKE_AUTH message loses them */
} conf;

/* The keys and SPIs of the pair's one IKE SA, read from side 0's kdf events. */
typedef struct sa_keys {
	uint64_t spi_i, spi_r;
	uint8_t ei[64], er[64];
	size_t elen;
} sa_keys;

static bool conf_filter(pair *pr, int side, size_t n, const uint8_t *d, size_t len)
{
	(void)n;
	conf *c = pr->user;
	c->sends[side]++;
	assert_true(len <= MSG_MAX);
	memcpy(c->last[side], d, len);
	c->last_len[side] = len;
	return c->rewrite ? c->rewrite(pr, side, d, len) : true;
}

static void expect_state(pair *pr, int side, const char *ike, const char *child, uint16_t err)
{
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
	if (strcmp(st.ike_state, ike) || strcmp(st.child_state, child) || st.last_error != err)
		fail_msg("side %d: ike %s child %s error %u; wanted %s %s %u", side, st.ike_state, st.child_state,
			 st.last_error, ike, child, err);
}

/* Runs what is queued and the timers, without initiating again (pair_run starts a new IKE SA). */
static void run_more(pair *pr, ike_time limit)
{
	for (;;) {
		ike_time next = IKE_TIME_NEVER;
		int who = -1;
		size_t qi = SIZE_MAX;
		for (size_t i = 0; i < pr->nq; i++)
			if (pr->q[i].at < next) {
				next = pr->q[i].at;
				qi = i;
			}
		for (int s = 0; s < 2; s++) {
			ike_time d = ike_peer_next_deadline(pr->peer[s]);
			if (d < next) {
				next = d;
				who = s;
				qi = SIZE_MAX;
			}
		}
		if (next == IKE_TIME_NEVER || next > limit)
			return;
		pr->now = next;
		if (qi != SIZE_MAX) {
			pair_dgram d = pr->q[qi];
			pr->q[qi] = pr->q[--pr->nq];
			ike_peer_input(pr->peer[d.to_peer], pr->now, &d.from, &d.to, d.data, d.len);
			free(d.data);
		} else {
			ike_peer_expire(pr->peer[who], pr->now);
		}
	}
}

/* Queues a datagram from the other side to side `to`, as if the other side had sent it. */
static void inject(pair *pr, int to, const uint8_t *data, size_t len)
{
	assert_true(pr->nq < PAIR_MAX_QUEUE);
	pair_dgram *q = &pr->q[pr->nq++];
	q->at = pr->now + pr->latency;
	q->to_peer = to;
	q->from = pr->conn[!to].local;
	q->to = pr->conn[to].local;
	q->len = len;
	q->data = malloc(len);
	assert_non_null(q->data);
	memcpy(q->data, data, len);
}

/* A field's 16 hex digits in a trace line, as a number. */
static uint64_t spi_field(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	assert_non_null(p);
	return strtoull(p + strlen(key), NULL, 16);
}

static void read_keys(const pair *pr, sa_keys *k)
{
	char hex[160];
	memset(k, 0, sizeof(*k));
	assert_true(pair_kdf_value(pr, 0, "SK_ei", hex, sizeof(hex)) > 0);
	k->elen = unhex(hex, k->ei, sizeof(k->ei));
	assert_true(pair_kdf_value(pr, 0, "SK_er", hex, sizeof(hex)) > 0);
	assert_int_equal(unhex(hex, k->er, sizeof(k->er)), k->elen);
	for (size_t i = 0; i < pr->ntrace; i++) {
		const char *l = pr->trace[i];
		if (l[0] == '0' && strstr(l, " kdf ") && strstr(l, "\"name\":\"SK_ei\"")) {
			k->spi_i = spi_field(l, "\"initiator-spi\":\"");
			k->spi_r = spi_field(l, "\"responder-spi\":\"");
			return;
		}
	}
	fail_msg("no SK_ei kdf event on side 0");
}

/* The pair's SK algorithm (aes128gcm16) with the outbound key of side `from`. */
static ike_sk_keys sk_of(const sa_keys *k, int from)
{
	return (ike_sk_keys){ ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128), NULL, from ? k->er : k->ei, NULL };
}

/* An SK message from side `from` around the inner chain, sealed with that side's real key. */
static size_t seal(const pair *pr, const sa_keys *k, int from, uint8_t exchange, bool response, uint32_t msgid,
		   uint8_t first, const uint8_t *inner, size_t ilen, uint8_t *out, size_t cap)
{
	ike_sk_keys sk = sk_of(k, from);
	size_t body = ike_sk_body_len(&sk, ilen), written = 0;
	v2_header h = { .spi_i = k->spi_i, .spi_r = k->spi_r, .major = 2, .exchange = exchange,
			.flags = (uint8_t)((from ? 0 : V2_F_INITIATOR) | (response ? V2_F_RESPONSE : 0)), .msg_id = msgid };
	v2_builder b;
	v2_begin(&b, out, cap, &h);
	size_t aad = v2_add_sk_header(&b, first, body);
	size_t total = v2_finish(&b, body);
	ike_drbg rng;
	ike_drbg_init(&rng, "conformance", 11, NULL, 0);
	assert_true(aad > 0 && total > 0);
	assert_int_equal(ike_sk_seal(pr->crypto, &sk, &rng, out, aad, inner, ilen, cap, &written), 0);
	return total;
}

/* Seals the chain in b from side 0 and delivers it to side 1. */
static void send_request(pair *pr, const sa_keys *k, uint8_t exchange, uint32_t msgid, const v2_builder *b)
{
	uint8_t msg[MSG_MAX];
	assert_false(b->w.err);
	size_t n = seal(pr, k, 0, exchange, false, msgid, b->first, b->w.p, b->w.len, msg, sizeof(msg));
	inject(pr, 1, msg, n);
	run_more(pr, pr->now + 5 * SEC);
}

static void establish(pair *pr, conf *c, uint64_t seed)
{
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr->filter = conf_filter;
	pr->user = c;
	pair_start(pr, seed);
	pair_run(pr, 5 * SEC);
	expect_state(pr, 0, "ESTABLISHED", "INSTALLED", 0);
	expect_state(pr, 1, "ESTABLISHED", "INSTALLED", 0);
}

/* A CHILD SA proposal (ESP, aes128gcm16) with SPI 0x01020304, and selectors of the default pair. */
static void add_child_payloads(v2_builder *b, bool ts)
{
	v2_sa sa;
	memset(&sa, 0, sizeof(sa));
	sa.n = 1;
	sa.prop[0] = (v2_proposal){ .num = 1, .protocol = 3, .spi_size = 4, .spi = { 1, 2, 3, 4 }, .n = 2 };
	sa.prop[0].t[0] = (v2_transform){ 1, IKE_ENCR_AES_GCM_16, 128 };
	sa.prop[0].t[1] = (v2_transform){ 5, 0, 0 };
	v2_add_sa(b, &sa);
	uint8_t nonce[32] = { 7 };
	v2_add_nonce(b, nonce, sizeof(nonce));
	if (!ts)
		return;
	v2_ts_list t = { .n = 1 };
	t.ts[0] = (v2_ts){ .type = 7, .end_port = 65535, .start = { 10, 1 }, .end = { 10, 1, 255, 255 } };
	v2_add_ts(b, V2_PL_TSI, &t);
	t.ts[0] = (v2_ts){ .type = 7, .end_port = 65535, .start = { 10, 2 }, .end = { 10, 2, 255, 255 } };
	v2_add_ts(b, V2_PL_TSR, &t);
}

/* ---- item 1: CREATE_CHILD_SA and unknown exchange types ---- */

static void create_child_sa_is_refused_with_no_additional_sas(void **state)
{
	(void)state;
	pair pr;
	conf c = { 0 };
	sa_keys k;
	uint8_t inner[1024], first_answer[MSG_MAX];
	v2_builder b;
	establish(&pr, &c, 31);
	read_keys(&pr, &k);

	/* a new CHILD SA (RFC 7296 1.3.1) */
	v2_begin_chain(&b, inner, sizeof(inner));
	add_child_payloads(&b, true);
	send_request(&pr, &k, V2_CREATE_CHILD_SA, 2, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "CREATE_CHILD_SA response 2 [ N(NO_ADD_SAS) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "request refused", "(new CHILD SA) refused"), 1);
	size_t first_len = c.last_len[1];
	memcpy(first_answer, c.last[1], first_len);

	/* the same request again: the cached answer, byte for byte (2.1) */
	size_t sends = c.sends[1];
	send_request(&pr, &k, V2_CREATE_CHILD_SA, 2, &b);
	assert_int_equal(c.sends[1], sends + 1);
	assert_int_equal(pair_count(&pr, 1, "ike.dup", "\"msgid\":2"), 1);
	assert_int_equal(c.last_len[1], first_len);
	assert_memory_equal(c.last[1], first_answer, first_len);

	/* an IKE SA rekey (1.3.2: SA, Ni, KEi): NO_ADDITIONAL_SAS as well (1.3) */
	v2_begin_chain(&b, inner, sizeof(inner));
	add_child_payloads(&b, false);
	uint8_t ke[32] = { 9 };
	v2_add_ke(&b, 31, ke, sizeof(ke));
	send_request(&pr, &k, V2_CREATE_CHILD_SA, 3, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "CREATE_CHILD_SA response 3 [ N(NO_ADD_SAS) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "request refused", "(IKE SA rekey) refused"), 1);

	/* a CHILD SA rekey (1.3.3: N(REKEY_SA) first) */
	v2_begin_chain(&b, inner, sizeof(inner));
	uint8_t spi[4] = { 1, 2, 3, 4 };
	v2_add_notify(&b, 3, spi, 4, V2_N_REKEY_SA, NULL, 0);
	add_child_payloads(&b, true);
	send_request(&pr, &k, V2_CREATE_CHILD_SA, 4, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "CREATE_CHILD_SA response 4 [ N(NO_ADD_SAS) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "request refused", "(CHILD SA rekey) refused"), 1);

	/* the message ID moved on with each: an empty INFORMATIONAL 5 is answered; nothing else changed */
	v2_begin_chain(&b, inner, sizeof(inner));
	send_request(&pr, &k, V2_INFORMATIONAL, 5, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 5"), 1);
	expect_state(&pr, 0, "ESTABLISHED", "INSTALLED", 0);
	expect_state(&pr, 1, "ESTABLISHED", "INSTALLED", 0);
	pair_free(&pr);
}

static void create_child_sa_without_nonce_is_invalid_syntax(void **state)
{
	(void)state;
	pair pr;
	conf c = { 0 };
	sa_keys k;
	uint8_t inner[1024];
	v2_builder b;
	establish(&pr, &c, 32);
	read_keys(&pr, &k);
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_sa sa = { .n = 1 };
	sa.prop[0] = (v2_proposal){ .num = 1, .protocol = 3, .spi_size = 4, .spi = { 1, 2, 3, 4 }, .n = 1 };
	sa.prop[0].t[0] = (v2_transform){ 1, IKE_ENCR_AES_GCM_16, 128 };
	v2_add_sa(&b, &sa);
	send_request(&pr, &k, V2_CREATE_CHILD_SA, 2, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "CREATE_CHILD_SA response 2 [ N(INVAL_SYN) ]"), 1);
	expect_state(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);
}

static void unknown_exchange_is_refused_only_after_decryption(void **state)
{
	(void)state;
	pair pr;
	conf c = { 0 };
	sa_keys k;
	uint8_t inner[64], msg[MSG_MAX];
	v2_builder b;
	establish(&pr, &c, 33);
	read_keys(&pr, &k);
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_notify(&b, 0, NULL, 0, V2_N_INITIAL_CONTACT, NULL, 0);

	/* a broken ICV: dropped before anything is answered */
	size_t n = seal(&pr, &k, 0, 99, false, 2, b.first, inner, b.w.len, msg, sizeof(msg));
	msg[n - 1] ^= 1;
	size_t sends = c.sends[1];
	inject(&pr, 1, msg, n);
	run_more(&pr, pr.now + 5 * SEC);
	assert_int_equal(c.sends[1], sends);
	assert_int_equal(pair_count(&pr, 1, "drop", "integrity check failed"), 1);

	/* a response of an unknown exchange: never answered (3.1, R flag) */
	n = seal(&pr, &k, 0, 99, true, 0, b.first, inner, b.w.len, msg, sizeof(msg));
	inject(&pr, 1, msg, n);
	run_more(&pr, pr.now + 5 * SEC);
	assert_int_equal(c.sends[1], sends);
	expect_state(&pr, 1, "ESTABLISHED", "INSTALLED", 0);

	/* a genuine request of exchange type 99: INVALID_SYNTAX, and the IKE SA is gone (3.10.1, 2.21.3) */
	send_request(&pr, &k, 99, 2, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "EXCHANGE_99 response 2 [ N(INVAL_SYN) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa failed", "request of an unknown exchange type"), 1);
	expect_state(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);

	/* a known exchange out of place (IKE_AUTH once established): the same */
	memset(&c, 0, sizeof(c));
	establish(&pr, &c, 34);
	read_keys(&pr, &k);
	send_request(&pr, &k, V2_IKE_AUTH, 2, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "IKE_AUTH response 2 [ N(INVAL_SYN) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa.state", "\"to\":\"DESTROYING\""), 1);
	expect_state(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	pair_free(&pr);
}

/* ---- item 2: INVALID_SYNTAX is fatal on both sides ---- */

/* Decrypts an SK message of side `from` into pt; the chain's first type in *first; the plaintext length. */
static size_t open_msg(const pair *pr, const sa_keys *k, int from, const uint8_t *d, size_t len, uint8_t *pt,
		       size_t cap, uint8_t *first)
{
	ike_sk_keys sk = sk_of(k, from);
	size_t ptlen = 0;
	assert_true(len > V2_HDR_LEN + 4 && d[16] == V2_PL_SK);
	*first = d[V2_HDR_LEN];
	size_t sk_len = (size_t)ike_get_u16(d + V2_HDR_LEN + 2) - 4;
	assert_int_equal(ike_sk_open(pr->crypto, &sk, d, V2_HDR_LEN + 4, sk_len, pt, cap, &ptlen), 0);
	return ptlen;
}

/* Side 0's Delete request goes out with a Delete payload that claims two SPIs and carries one. */
static bool bad_delete(pair *pr, int side, const uint8_t *d, size_t len)
{
	(void)len;
	if (side != 0 || d[18] != V2_INFORMATIONAL || (d[19] & V2_F_RESPONSE))
		return true;
	sa_keys k;
	uint8_t inner[64], msg[MSG_MAX];
	v2_builder b;
	static const uint8_t body[] = { 3, 4, 0, 2, 0xc0, 0xff, 0xee, 0x01 };
	read_keys(pr, &k);
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_raw(&b, V2_PL_DELETE, false, body, sizeof(body));
	size_t n = seal(pr, &k, 0, V2_INFORMATIONAL, false, ike_get_u32(d + 20), b.first, inner, b.w.len, msg, sizeof(msg));
	inject(pr, 1, msg, n);
	return false;
}

static void malformed_delete_is_fatal_on_both_sides(void **state)
{
	(void)state;
	pair pr;
	conf c = { 0 };
	establish(&pr, &c, 35);
	c.rewrite = bad_delete;
	assert_int_equal(ike_peer_delete(pr.peer[0], pr.now, 0), 1);
	run_more(&pr, pr.now + 10 * SEC);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 2 [ N(INVAL_SYN) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa failed", "malformed Delete payload"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike_sa failed", "peer answered INVALID_SYNTAX"), 1);
	expect_state(&pr, 0, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	expect_state(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]) + ike_peer_sa_count(pr.peer[1]), 0);
	/* no Delete went out for it: side 1 sent only its answer */
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL request"), 0);
	pair_free(&pr);
}

static void malformed_inner_chain_is_fatal_critical_payload_is_not(void **state)
{
	(void)state;
	pair pr;
	conf c = { 0 };
	sa_keys k;
	uint8_t inner[64], msg[MSG_MAX];
	establish(&pr, &c, 36);
	read_keys(&pr, &k);
	/* a Notify whose length runs past the end of the plaintext */
	static const uint8_t broken[] = { 0, 0, 0, 40, 0, 0, 0x40, 0x00 };
	size_t n = seal(&pr, &k, 0, V2_INFORMATIONAL, false, 2, V2_PL_NOTIFY, broken, sizeof(broken), msg, sizeof(msg));
	inject(&pr, 1, msg, n);
	run_more(&pr, pr.now + 5 * SEC);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 2 [ N(INVAL_SYN) ]"), 1);
	expect_state(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	pair_free(&pr);

	/* after IKE_AUTH an unsupported critical payload is answered but not fatal (2.21.3 names INVALID_SYNTAX only) */
	memset(&c, 0, sizeof(c));
	establish(&pr, &c, 37);
	read_keys(&pr, &k);
	v2_builder b;
	uint8_t junk[4] = { 0 };
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_raw(&b, 200, true, junk, sizeof(junk));
	send_request(&pr, &k, V2_INFORMATIONAL, 2, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 2 [ N(CRIT) ]"), 1);
	expect_state(&pr, 1, "ESTABLISHED", "INSTALLED", 0);
	pair_free(&pr);
}

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
	conf c = { 0 };
	sa_keys k;
	uint8_t inner[64];
	v2_builder b;
	establish(&pr, &c, 38);
	read_keys(&pr, &k);
	v2_begin_chain(&b, inner, sizeof(inner));
	send_request(&pr, &k, V2_INFORMATIONAL, 2, &b); /* the INFORMATIONAL right after IKE_AUTH: a liveness check */
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_notify(&b, 0, NULL, 0, V2_N_AUTHENTICATION_FAILED, NULL, 0);
	send_request(&pr, &k, V2_INFORMATIONAL, 3, &b);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 3"), 1);
	assert_int_equal(pair_count(&pr, 1, "notify ignored", "AUTHENTICATION_FAILED"), 1);
	expect_state(&pr, 1, "ESTABLISHED", "INSTALLED", 0);
	/* INVALID_SYNTAX as a notify in a request is no more than that either */
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_notify(&b, 0, NULL, 0, V2_N_INVALID_SYNTAX, NULL, 0);
	send_request(&pr, &k, V2_INFORMATIONAL, 4, &b);
	assert_int_equal(pair_count(&pr, 1, "notify ignored", "INVALID_SYNTAX"), 1);
	expect_state(&pr, 1, "ESTABLISHED", "INSTALLED", 0);
	pair_free(&pr);

	/* right after IKE_AUTH it still ends the IKE SA (the initiator rejected our AUTH) */
	memset(&c, 0, sizeof(c));
	establish(&pr, &c, 39);
	read_keys(&pr, &k);
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_notify(&b, 0, NULL, 0, V2_N_AUTHENTICATION_FAILED, NULL, 0);
	send_request(&pr, &k, V2_INFORMATIONAL, 2, &b);
	expect_state(&pr, 1, "NONE", "NONE", V2_N_AUTHENTICATION_FAILED);
	pair_free(&pr);
}

/* ---- item 8: IKE_AUTH without TSr, or without SA, TSi and TSr ---- */

/* Re-seals an IKE_AUTH message of `side` without the payload types in drop_types and delivers that instead. */
static bool strip_auth(pair *pr, int side, const uint8_t *d, size_t len)
{
	conf *c = pr->user;
	bool resp = d[19] & V2_F_RESPONSE;
	if (d[18] != V2_IKE_AUTH || side != c->strip_side || resp != (side == 1))
		return true;
	sa_keys k;
	uint8_t pt[MSG_MAX], inner[MSG_MAX], msg[MSG_MAX], first, bad;
	v2_chain ch;
	v2_builder b;
	read_keys(pr, &k);
	size_t ptlen = open_msg(pr, &k, side, d, len, pt, sizeof(pt), &first);
	assert_int_equal(v2_parse_chain(first, pt, ptlen, 0, &ch, &bad), V2_OK);
	v2_begin_chain(&b, inner, sizeof(inner));
	for (uint8_t i = 0; i < ch.n; i++)
		if (!memchr(c->drop_types, ch.pl[i].type, sizeof(c->drop_types)))
			v2_add_raw(&b, ch.pl[i].type, ch.pl[i].critical, ch.pl[i].body, ch.pl[i].len);
	assert_false(b.w.err);
	size_t n = seal(pr, &k, side, V2_IKE_AUTH, resp, ike_get_u32(d + 20), b.first, inner, b.w.len, msg, sizeof(msg));
	inject(pr, !side, msg, n);
	return false;
}

/* Runs a pair whose side `side` sends its IKE_AUTH message without the given payloads. */
static void run_stripped(pair *pr, conf *c, int side, uint64_t seed, const uint8_t *types, size_t ntypes)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->drop_types, types, ntypes);
	c->strip_side = side;
	c->rewrite = strip_auth;
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr->filter = conf_filter;
	pr->user = c;
	pair_start(pr, seed);
	pair_run(pr, 10 * SEC);
}

static void ike_auth_without_tsr_is_invalid_syntax(void **state)
{
	(void)state;
	pair pr;
	conf c;
	static const uint8_t tsr[] = { V2_PL_TSR }, all[] = { V2_PL_SA, V2_PL_TSI, V2_PL_TSR };
	/* RFC 7296 1.2 requires SA, TSi and TSr; a message without one is malformed (2.21.2): INVALID_SYNTAX,
	 * answered before AUTH is looked at, and no IKE SA on either side */
	run_stripped(&pr, &c, 0, 40, tsr, sizeof(tsr));
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "IKE_AUTH response 1 [ N(INVAL_SYN) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa failed", "lacks one of SA, TSi and TSr"), 1);
	assert_int_equal(pair_count(&pr, -1, "ike_sa.state", "\"to\":\"ESTABLISHED\""), 0);
	expect_state(&pr, 0, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	expect_state(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]) + ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);

	/* none of the three: a childless IKE SA (RFC 6023 section 3: INVALID_SYNTAX when not negotiated) */
	run_stripped(&pr, &c, 0, 41, all, sizeof(all));
	assert_int_equal(pair_count(&pr, 1, "ike_sa failed", "childless IKE SAs (RFC 6023) were not negotiated"), 1);
	expect_state(&pr, 0, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	expect_state(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	pair_free(&pr);

	/* the responder's answer without TSr: the initiator says INVALID_SYNTAX in the next INFORMATIONAL, and
	 * the responder, which gets it right after IKE_AUTH, drops the IKE SA too (2.21.2) */
	run_stripped(&pr, &c, 1, 42, tsr, sizeof(tsr));
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "INFORMATIONAL request 2 [ N(INVAL_SYN) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa failed", "could not use our IKE_AUTH response"), 1);
	expect_state(&pr, 0, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	expect_state(&pr, 1, "NONE", "NONE", V2_N_INVALID_SYNTAX);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]) + ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);
}

/* ---- the handlers behind decryption under mutated requests sealed with the real keys ---- */

#define MUTATED 5000

/* Flips bits, truncates, or writes random or extreme bytes (lengths and counts included). */
static size_t mutate(uint64_t *rs, uint8_t *p, size_t len)
{
	switch (fuzz_below(rs, 4)) {
	case 0:
		for (size_t k = 1 + fuzz_below(rs, 3); k && len; k--)
			p[fuzz_below(rs, len)] ^= (uint8_t)(1u << fuzz_below(rs, 8));
		return len;
	case 1:
		return fuzz_below(rs, len + 1);
	case 2:
		for (size_t k = 1 + fuzz_below(rs, 3); k && len; k--)
			p[fuzz_below(rs, len)] = fuzz_below(rs, 2) ? 0xff : 0x00;
		return len;
	default:
		for (size_t k = 1 + fuzz_below(rs, 6); k && len; k--)
			p[fuzz_below(rs, len)] = (uint8_t)fuzz_rnd(rs);
		return len;
	}
}

static void established_handlers_survive_mutated_requests(void **state)
{
	(void)state;
	pair pr;
	conf c;
	sa_keys k;
	uint8_t base[3][512], inner[512];
	size_t base_len[3];
	uint8_t base_first[3];
	static const uint8_t exch[3] = { V2_CREATE_CHILD_SA, V2_INFORMATIONAL, 99 };
	v2_builder b;
	v2_begin_chain(&b, base[0], sizeof(base[0]));
	add_child_payloads(&b, true);
	base_len[0] = b.w.len, base_first[0] = b.first;
	v2_begin_chain(&b, base[1], sizeof(base[1]));
	uint8_t spi[4] = { 0xc0, 0xff, 0xee, 0x01 };
	v2_add_delete(&b, 3, 4, spi, 1);
	v2_add_notify(&b, 0, NULL, 0, V2_N_AUTHENTICATION_FAILED, NULL, 0);
	base_len[1] = b.w.len, base_first[1] = b.first;
	v2_begin_chain(&b, base[2], sizeof(base[2]));
	v2_add_notify(&b, 0, NULL, 0, V2_N_INITIAL_CONTACT, NULL, 0);
	base_len[2] = b.w.len, base_first[2] = b.first;
	uint64_t rs = 0x5eed0fc0ffeeULL;
	uint32_t msgid = 2;
	size_t pairs = 0, kept = 0;
	bool up = false;
	for (size_t it = 0; it < MUTATED; it++) {
		if (!up) {
			if (pairs++)
				pair_free(&pr);
			memset(&c, 0, sizeof(c));
			establish(&pr, &c, 100 + it);
			pr.record_trace = false; /* the keys are read; the trace would only fill up */
			read_keys(&pr, &k);
			msgid = 2;
			up = true;
		}
		size_t w = fuzz_below(&rs, 20);
		size_t pick = w < 9 ? 0 : w < 18 ? 1 : 2;
		memcpy(inner, base[pick], base_len[pick]);
		size_t ilen = mutate(&rs, inner, base_len[pick]);
		uint8_t first = fuzz_below(&rs, 8) ? base_first[pick] : (uint8_t)fuzz_rnd(&rs);
		uint8_t msg[MSG_MAX];
		size_t n = seal(&pr, &k, 0, exch[pick], false, msgid, first, inner, ilen, msg, sizeof(msg));
		size_t sends = c.sends[1];
		inject(&pr, 1, msg, n);
		run_more(&pr, pr.now + 5 * SEC);
		/* every request that decrypted is answered exactly once (2.21.3), whatever became of the SA */
		assert_int_equal(c.sends[1], sends + 1);
		ike_conn_status st;
		assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
		up = strcmp(st.ike_state, "ESTABLISHED") == 0;
		kept += up;
		msgid++;
		assert_true(ike_peer_sa_count(pr.peer[1]) <= 1);
	}
	print_message("%d mutated requests: %zu pairs established, the SA survived %zu of them\n", MUTATED, pairs, kept);
	assert_true(kept > 0 && pairs > 1);
	pair_free(&pr);
}

size_t tests_conformance(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(create_child_sa_is_refused_with_no_additional_sas),
		cmocka_unit_test(create_child_sa_without_nonce_is_invalid_syntax),
		cmocka_unit_test(unknown_exchange_is_refused_only_after_decryption),
		cmocka_unit_test(malformed_delete_is_fatal_on_both_sides),
		cmocka_unit_test(malformed_inner_chain_is_fatal_critical_payload_is_not),
		cmocka_unit_test(higher_major_version_gets_invalid_major_version),
		cmocka_unit_test(late_authentication_failed_is_ignored),
		cmocka_unit_test(ike_auth_without_tsr_is_invalid_syntax),
		cmocka_unit_test(established_handlers_survive_mutated_requests),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
