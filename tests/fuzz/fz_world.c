/* The fuzz harness's recorded handshake, fresh peers replayed into known states, and SK sealing. */
#include "fz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/registry.h"
#include "crypto/sk.h"
#include "statefz.h"
#include "wire/v2.h"

#define FZ_MS (1000LL * 1000)

static void die(const char *why)
{
	fprintf(stderr, "fuzz harness: %s\n", why);
	exit(2);
}

/* Recording host: keeps every datagram sent and the SK_e keys from kdf events. */
typedef struct rec {
	fz_world *w;
	uint8_t last[FZ_MSG_MAX];
	size_t last_len, sends;
} rec;

static void rec_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t n)
{
	(void)from, (void)to;
	rec *r = ctx;
	if (n > sizeof(r->last))
		die("datagram larger than the harness holds");
	memcpy(r->last, d, n);
	r->last_len = n;
	r->sends++;
}

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (; s[0] && s[1] && s[0] != '"' && n < cap; s += 2) {
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1)
			return 0;
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void rec_trace(void *ctx, ike_time now, const char *ev, const char *fields)
{
	(void)now;
	rec *r = ctx;
	if (strcmp(ev, "kdf"))
		return;
	const char *val = strstr(fields, "\"value\":\"");
	if (!val)
		return;
	if (strstr(fields, "\"name\":\"SK_ei\""))
		r->w->sk_e_len = unhex(val + 9, r->w->sk_ei, sizeof(r->w->sk_ei));
	else if (strstr(fields, "\"name\":\"SK_er\""))
		unhex(val + 9, r->w->sk_er, sizeof(r->w->sk_er));
}

static ike_peer *peer_with(const fz_world *w, int s, const ike_host *host, bool reveal, uint32_t cookie_threshold)
{
	static const char *const seeds[2] = { "fz-initiator-seed", "fz-responder-seed" };
	ike_peer_cfg pc = { .name = s ? "resp" : "init",
			    .crypto = w->crypto,
			    .seed = (const uint8_t *)seeds[s],
			    .seed_len = strlen(seeds[s]),
			    .conns = &w->conn[s],
			    .n_conns = 1,
			    .reveal_keys = reveal,
			    .cookie_threshold = cookie_threshold,
			    /* with cookies on, the per-IP rules and limits are on too, so their paths are fuzzed */
			    .cookie_threshold_ip = cookie_threshold ? 1 : 0,
			    .block_threshold = cookie_threshold ? 2 : 0,
			    .half_open_limit = cookie_threshold ? 3 : 0 };
	return ike_peer_new(&pc, host);
}

void fz_deliver(const fz_world *w, ike_peer *p, int s, ike_time now, const uint8_t *d, size_t len)
{
	ike_peer_input(p, now, &w->conn[!s].local, &w->conn[s].local, d, len);
}

static void sk_keys(const fz_world *w, int to_side, ike_sk_keys *k)
{
	k->encr = ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128);
	k->integ = NULL;
	k->ekey = to_side == FZ_RESP ? w->sk_ei : w->sk_er;
	k->akey = NULL;
}

/* Decrypts recorded message m (sent to side to_side) into w->inner[slot]. */
static void open_inner(fz_world *w, size_t m, int to_side, int slot)
{
	v2_header h;
	v2_chain c;
	uint8_t bad;
	const uint8_t *msg = w->m[m];
	if (v2_parse_header(msg, w->m_len[m], &h) != V2_OK ||
	    v2_parse_chain(h.next_payload, msg + V2_HDR_LEN, w->m_len[m] - V2_HDR_LEN, V2_HDR_LEN, &c, &bad) != V2_OK ||
	    c.n == 0 || c.pl[c.n - 1].type != V2_PL_SK)
		die("recorded IKE_AUTH message does not parse");
	const v2_payload *sk = &c.pl[c.n - 1];
	ike_sk_keys k;
	sk_keys(w, to_side, &k);
	size_t aad = (size_t)sk->offset + V2_GENERIC_HDR_LEN;
	if (ike_sk_open(w->crypto, &k, msg, aad, sk->len, w->inner[slot], FZ_MSG_MAX, &w->inner_len[slot]) != 0)
		die("recorded IKE_AUTH message does not decrypt with the traced keys");
	w->inner_first[slot] = c.sk_inner_first;
}

void fz_world_init(fz_world *w)
{
	memset(w, 0, sizeof(*w));
	w->crypto = ike_crypto_new();
	if (!w->crypto)
		die("ike_crypto_new failed");
	/* The same two connections as the stateful driver (tests/unit/statefz.c). */
	statefz_conn_init(&w->conn[0], &w->child[0], 0);
	statefz_conn_init(&w->conn[1], &w->child[1], 1);
	rec r[2] = { { .w = w }, { .w = w } };
	ike_host h[2];
	ike_peer *p[2];
	for (int s = 0; s < 2; s++) {
		h[s] = (ike_host){ .ctx = &r[s], .send = rec_send, .trace = rec_trace };
		p[s] = peer_with(w, s, &h[s], true, 0);
		if (!p[s])
			die("ike_peer_new failed");
	}
	ike_time now = 0;
	if (ike_peer_initiate(p[0], now, 0) != 0 || r[0].sends != 1)
		die("initiator sent no IKE_SA_INIT");
	/* Ping-pong the four messages of the handshake, keeping each. */
	for (int m = 0; m < 4; m++) {
		int from = m % 2 == 0 ? FZ_INIT : FZ_RESP;
		memcpy(w->m[m], r[from].last, r[from].last_len);
		w->m_len[m] = r[from].last_len;
		if (m == 3)
			break;
		size_t before = r[!from].sends;
		now += 10 * FZ_MS;
		fz_deliver(w, p[!from], !from, now, w->m[m], w->m_len[m]);
		if (r[!from].sends != before + 1)
			die("handshake step sent no answer");
	}
	now += 10 * FZ_MS;
	fz_deliver(w, p[0], FZ_INIT, now, w->m[3], w->m_len[3]);
	ike_conn_status st;
	if (ike_peer_conn_status(p[0], 0, &st) != 0 || strcmp(st.child_state, "INSTALLED"))
		die("recorded handshake did not establish");
	if (w->sk_e_len != 20)
		die("no 20-byte SK_ei in the kdf trace");
	w->spi_i = ike_get_u64(w->m[0]);
	w->spi_r = ike_get_u64(w->m[1] + 8);
	open_inner(w, 2, FZ_RESP, 0);
	open_inner(w, 3, FZ_INIT, 1);
	for (int s = 0; s < 2; s++)
		ike_peer_free(p[s]);

	/* Replaying into a fresh peer without revealed keys must give the same bytes, or states drift. */
	rec chk = { .w = w };
	ike_host hc = { .ctx = &chk, .send = rec_send };
	ike_peer *resp = peer_with(w, FZ_RESP, &hc, false, 0);
	fz_deliver(w, resp, FZ_RESP, 10 * FZ_MS, w->m[0], w->m_len[0]);
	if (chk.last_len != w->m_len[1] || memcmp(chk.last, w->m[1], chk.last_len))
		die("a replayed responder answers differently from the recording");
	ike_peer_free(resp);
}

void fz_world_free(fz_world *w)
{
	ike_crypto_free(w->crypto);
	w->crypto = NULL;
}

static void sink_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t n)
{
	(void)from, (void)to, (void)d, (void)n;
	((fz_sink *)ctx)->sends++;
}

static void sink_trace(void *ctx, ike_time now, const char *ev, const char *fields)
{
	(void)now, (void)ev, (void)fields;
	((fz_sink *)ctx)->traces++;
}

ike_peer *fz_peer(const fz_world *w, int s, ike_host *host, fz_sink *sink, uint32_t cookie_threshold)
{
	/* Tracing stays on: the trace writers (summaries of odd payloads) are part of what is fuzzed. */
	*host = (ike_host){ .ctx = sink, .send = sink_send, .trace = sink_trace };
	ike_peer *p = peer_with(w, s, host, false, cookie_threshold);
	if (!p)
		die("ike_peer_new failed");
	return p;
}

size_t fz_seal(const fz_world *w, int s, uint8_t exchange, uint8_t flags, uint32_t msg_id, uint8_t first,
	       const uint8_t *inner, size_t len, uint8_t *out, size_t cap)
{
	ike_sk_keys k;
	sk_keys(w, s, &k);
	size_t body = ike_sk_body_len(&k, len), written = 0;
	v2_header h = { .spi_i = w->spi_i, .spi_r = w->spi_r, .major = 2, .exchange = exchange, .flags = flags,
			.msg_id = msg_id };
	v2_builder b;
	v2_begin(&b, out, cap, &h);
	size_t aad = v2_add_sk_header(&b, first, body);
	if (!aad || aad + body > cap)
		return 0;
	size_t total = v2_finish(&b, body);
	/* A fixed IV source: the same input always gives the same message. */
	ike_drbg rng;
	ike_drbg_init(&rng, "fz-seal", 7, NULL, 0);
	if (!total || ike_sk_seal(w->crypto, &k, &rng, out, aad, inner, len, cap, &written) != 0)
		return 0;
	return total;
}

void fz_drain(ike_peer *p, ike_time now)
{
	/* Bounded: each expiry moves at least one SA along its retransmit/timeout schedule. */
	for (int i = 0; i < 64; i++) {
		ike_time d = ike_peer_next_deadline(p);
		if (d == IKE_TIME_NEVER)
			return;
		ike_peer_expire(p, d > now ? d : now);
	}
}
