/* Forging requests behind decryption with a pair's real keys (see sealfx.h). */
#include "sealfx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/drbg.h"
#include "crypto/registry.h"
#include "hexutil.h"

bool sealfx_filter(pair *pr, int side, size_t n, const uint8_t *d, size_t len)
{
	(void)n;
	sealfx_conf *c = pr->user;
	c->sends[side]++;
	assert_true(len <= SEALFX_MSG_MAX);
	memcpy(c->last[side], d, len);
	c->last_len[side] = len;
	return c->rewrite ? c->rewrite(pr, side, d, len) : true;
}

void sealfx_expect(pair *pr, int side, const char *ike, const char *child, uint16_t err)
{
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
	if (strcmp(st.ike_state, ike) || strcmp(st.child_state, child) || st.last_error != err)
		fail_msg("side %d: ike %s child %s error %u; wanted %s %s %u", side, st.ike_state, st.child_state,
			 st.last_error, ike, child, err);
}

/* Queues a datagram from the other side to side `to`, as if the other side had sent it. */
void sealfx_inject(pair *pr, int to, const uint8_t *data, size_t len)
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

void sealfx_read_keys(const pair *pr, sealfx_keys *k)
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
static ike_sk_keys sk_of(const sealfx_keys *k, int from)
{
	return (ike_sk_keys){ ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128), NULL, from ? k->er : k->ei, NULL };
}

/* An SK message from side `from` around the inner chain, sealed with that side's real key. */
size_t sealfx_seal(const pair *pr, const sealfx_keys *k, int from, uint8_t exchange, bool response, uint32_t msgid,
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
void sealfx_request(pair *pr, const sealfx_keys *k, uint8_t exchange, uint32_t msgid, const v2_builder *b)
{
	uint8_t msg[SEALFX_MSG_MAX];
	assert_false(b->w.err);
	size_t n = sealfx_seal(pr, k, 0, exchange, false, msgid, b->first, b->w.p, b->w.len, msg, sizeof(msg));
	sealfx_inject(pr, 1, msg, n);
	pair_run_pending(pr, pr->now + 5 * SEALFX_SEC);
}

void sealfx_establish(pair *pr, sealfx_conf *c, uint64_t seed)
{
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr->filter = sealfx_filter;
	pr->user = c;
	pair_start(pr, seed);
	pair_run(pr, 5 * SEALFX_SEC);
	sealfx_expect(pr, 0, "ESTABLISHED", "INSTALLED", 0);
	sealfx_expect(pr, 1, "ESTABLISHED", "INSTALLED", 0);
}

/* A CHILD SA proposal (ESP, aes128gcm16) with SPI 0x01020304, and selectors of the default pair. */
void sealfx_add_child(v2_builder *b, bool ts)
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


/* Decrypts an SK message of side `from` into pt; the chain's first type in *first; the plaintext length. */
size_t sealfx_open(const pair *pr, const sealfx_keys *k, int from, const uint8_t *d, size_t len, uint8_t *pt,
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

