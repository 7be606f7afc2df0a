/*
 * Responder cookies (RFC 7296 2.6): under load (cookie_threshold half-open SAs in all, or
 * cookie_threshold_ip from the request's source IP) an IKE_SA_INIT
 * request must carry N(COOKIE) first; we compute it statelessly from the request, so refusing
 * costs one hash and no memory.
 * Cookie = version (1 byte) | SHA-256(Ni | IPi | SPIi | secret).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/hash.h"
#include "ikev2/sa.h"

#define V2_COOKIE_VERSION 1
#define V2_COOKIE_LEN (1 + IKE_SHA256_LEN)

/* One secret per peer for its whole life; rotation (a new version byte each time) is not done yet. */
static const uint8_t *cookie_secret(ike_peer *p)
{
	if (!p->has_cookie_secret) {
		ike_drbg_bytes(&p->rng, p->cookie_secret, sizeof(p->cookie_secret));
		p->has_cookie_secret = true;
	}
	return p->cookie_secret;
}

static int cookie_make(ike_peer *p, const v2_inbound *in, const v2_payload *nonce, uint8_t out[V2_COOKIE_LEN])
{
	uint8_t spi[8];
	ike_put_u64(spi, in->hdr.spi_i);
	ike_iov parts[4] = {
		{ nonce->body, nonce->len },
		{ in->from->ip, in->from->family == 4 ? 4 : 16 },
		{ spi, sizeof(spi) },
		{ cookie_secret(p), V2_COOKIE_SECRET_LEN },
	};
	out[0] = V2_COOKIE_VERSION;
	return ike_sha256(p->cfg.crypto, parts, 4, out + 1);
}

/* The data of N(COOKIE) if it is the request's first payload (where 2.6 puts it), else NULL. */
static const v2_notify *first_cookie(const v2_inbound *in, v2_notify *n)
{
	const v2_chain *ch = &in->outer;
	if (!ch->n || ch->pl[0].type != V2_PL_NOTIFY || v2_parse_notify(ch->pl[0].body, ch->pl[0].len, n) != V2_OK)
		return NULL;
	return n->type == V2_N_COOKIE ? n : NULL;
}

/*
 * RFC 7296 2.21.4: limit the answers to unprotected messages. A source address:port that keeps sending
 * IKE_SA_INITs without returning our cookie gets at most V2_COOKIE_RL_PER_SEC cookies a second; beyond
 * that its requests are dropped before any hashing or sending, which keeps a flooded responder fast
 * enough to read a genuine initiator's request. The table is lossy (one slot per hash) and allocated
 * the first time a cookie is demanded, so peers that never demand one pay nothing.
 */
static bool cookie_reply_allowed(ike_peer *p, ike_time now, const ike_addr *from)
{
	if (!p->cookie_rl && !(p->cookie_rl = calloc(V2_COOKIE_RL_SLOTS, sizeof(*p->cookie_rl))))
		return true;
	uint64_t h = 0xcbf29ce484222325ULL ^ from->port;
	for (size_t i = 0; i < (from->family == 4 ? 4u : 16u); i++)
		h = (h ^ from->ip[i]) * 0x100000001b3ULL;
	v2_rl_slot *s = &p->cookie_rl[(h ^ (h >> 29)) & (V2_COOKIE_RL_SLOTS - 1)];
	uint32_t sec = (uint32_t)(now / IKE_NS_PER_SEC) + 1; /* 0 marks an unused slot */
	if (s->sec != sec) {
		s->sec = sec;
		s->n = 0;
	}
	return s->n++ < V2_COOKIE_RL_PER_SEC;
}

bool v2_cookie_admit(ike_peer *p, ike_time now, const v2_inbound *in, const v2_payload *nonce, size_t pending)
{
	const ike_peer_cfg *c = &p->cfg;
	uint32_t from_ip = c->cookie_threshold_ip ? v2_ho_count(p, in->from) : 0;
	size_t half_open = p->half_open + pending; /* strongSwan counts queued IKE_SA_INITs as half-open too */
	bool global = c->cookie_always || (c->cookie_threshold && half_open >= c->cookie_threshold);
	bool per_ip = c->cookie_threshold_ip && from_ip >= c->cookie_threshold_ip;
	if (!global && !per_ip)
		return true;
	uint8_t want[V2_COOKIE_LEN];
	v2_notify nb;
	const v2_notify *got = first_cookie(in, &nb);
	if (!got && !cookie_reply_allowed(p, now, in->from)) {
		if (v2_refusal_trace(p, now, V2_REF_COOKIE_LIMITED))
			v2_trace_error(p, now, NULL, "IKE_SA_INIT dropped",
				       "no cookie, and this address:port had its cookies for this second", 0);
		return false;
	}
	if (cookie_make(p, in, nonce, want) != 0)
		return false; /* cannot compute one: under load, drop rather than commit state */
	if (got && got->len == sizeof(want) && CRYPTO_memcmp(got->data, want, sizeof(want)) == 0)
		return true;
	/* A wrong or stale cookie counts as none (2.6): answer with the right one again. */
	char why[120];
	if (c->cookie_always)
		snprintf(why, sizeof(why), "cookie %s: busy, every new IKE SA needs one", got ? "invalid, sent a fresh one" : "demanded");
	else if (global)
		snprintf(why, sizeof(why), "cookie %s: %zu half-open SAs", got ? "invalid, sent a fresh one" : "demanded",
			 half_open);
	else
		snprintf(why, sizeof(why), "cookie %s: %u half-open SAs from this IP",
			 got ? "invalid, sent a fresh one" : "demanded", from_ip);
	v2_init_r_refuse(p, now, in, -1, V2_N_COOKIE, want, sizeof(want), why);
	return false;
}
