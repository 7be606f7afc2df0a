/*
 * Aggressive Mode exchanges out of a capture's IKE datagrams: messages 1 and 2 matched by the initiator's
 * cookie (retransmissions ignored), their payloads taken as views, and for each exchange the one reason,
 * if any, it cannot be attacked (missing, cut or encrypted message, signature authentication, bad payload).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "host/amscan.h"
#include "wire/v1.h"

static ike_am_exch *find(ike_am_scan *s, uint64_t cky_i, bool make)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (s->x[i].cky_i == cky_i)
			return &s->x[i];
	if (!make)
		return NULL;
	if (s->n == IKE_AM_MAX) {
		s->n_extra++;
		return NULL;
	}
	ike_am_exch *x = &s->x[s->n++];
	memset(x, 0, sizeof(*x));
	x->cky_i = cky_i;
	return x;
}

/* Records the first problem of an exchange (later ones are usually consequences). */
__attribute__((format(printf, 3, 4))) static void problem(ike_am_exch *x, uint32_t frame, const char *fmt, ...)
{
	if (x->problem[0])
		return;
	int n = snprintf(x->problem, sizeof(x->problem), "frame %u: ", frame);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->problem + n, sizeof(x->problem) - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool same_ip(const ike_addr *a, const ike_addr *b)
{
	return a->family == b->family && !memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16);
}

static ike_am_field body(const v1_chain *c, uint8_t type)
{
	const v1_payload *p = v1_chain_find(c, type);
	return p ? (ike_am_field){ p->body, p->len } : (ike_am_field){ NULL, 0 };
}

/* The chosen transform of message 2 (one proposal, one transform): hash, auth method, group, cipher. */
static void chosen(ike_am_exch *x, const ike_am_field *sa, uint32_t frame)
{
	v1_sa s;
	v1_p1_attrs a;
	v1_err e = { 0 };
	if (v1_parse_sa(sa->p, sa->len, 0, &s, &e) != V1_OK || !s.n || !s.prop[0].n) {
		problem(x, frame, "message 2: SA payload: %s (offset %zu in its body)", e.what ? e.what : "empty", e.off);
		return;
	}
	if (v1_decode_p1(&s.prop[0].t[0], &a, &e) != V1_OK) {
		problem(x, frame, "message 2: chosen transform: %s (attribute %zu)", e.what ? e.what : "?", e.off);
		return;
	}
	x->hash = a.hash, x->auth = a.auth, x->group = a.group, x->encr = a.encr;
}

static bool psk_auth(uint16_t auth)
{
	return auth == V1_AUTH_PSK || auth == V1_AUTH_XAUTH_INIT_PSK || auth == V1_AUTH_XAUTH_RESP_PSK;
}

static void message1(ike_am_exch *x, const v1_chain *c, const ike_cap_dgram *d)
{
	if (x->frame1)
		return; /* a retransmission */
	x->frame1 = d->frame;
	x->init = d->src, x->resp = d->dst;
	x->sai_b = body(c, V1_PL_SA), x->gxi = body(c, V1_PL_KE), x->ni = body(c, V1_PL_NONCE);
	x->idii_b = body(c, V1_PL_ID);
	if (!x->sai_b.p || !x->gxi.p || !x->ni.p || !x->idii_b.p)
		problem(x, d->frame, "message 1 lacks %s",
			!x->sai_b.p ? "its SA" : !x->gxi.p ? "KE" : !x->ni.p ? "Nonce" : "ID");
}

static void message2(ike_am_exch *x, const v1_header *h, const v1_chain *c, const ike_cap_dgram *d)
{
	if (x->frame2)
		return;
	x->frame2 = d->frame;
	x->cky_r = h->cky_r;
	if (!x->frame1)
		x->init = d->dst, x->resp = d->src;
	ike_am_field sa = body(c, V1_PL_SA);
	x->gxr = body(c, V1_PL_KE), x->nr = body(c, V1_PL_NONCE), x->idir_b = body(c, V1_PL_ID);
	x->hash_r = body(c, V1_PL_HASH);
	if (!sa.p || !x->gxr.p || !x->nr.p || !x->idir_b.p) {
		problem(x, d->frame, "message 2 lacks %s",
			!sa.p ? "its SA" : !x->gxr.p ? "KE" : !x->nr.p ? "Nonce" : "ID");
		return;
	}
	x->idir_type = x->idir_b.len ? x->idir_b.p[0] : 0;
	chosen(x, &sa, d->frame);
	if (x->problem[0])
		return;
	if (!psk_auth(x->auth))
		problem(x, d->frame, "authentication method %u (%s): not a pre-shared key, nothing to crack", x->auth,
			x->auth == V1_AUTH_RSA_SIG ? "RSA signatures" : x->auth == V1_AUTH_DSS ? "DSS signatures" : "not PSK");
	else if (!x->hash_r.p)
		problem(x, d->frame, "message 2 has no HASH_R payload");
	else if (x->hash) {
		size_t want = x->hash == V1_HASH_MD5 ? 16 : x->hash == V1_HASH_SHA1 ? 20 : x->hash == V1_HASH_SHA2_256 ? 32
			    : x->hash == V1_HASH_SHA2_384 ? 48 : x->hash == V1_HASH_SHA2_512 ? 64 : 0;
		if (!want)
			problem(x, d->frame, "hash algorithm %u is not one we know", x->hash);
		else if (x->hash_r.len != want)
			problem(x, d->frame, "HASH_R is %zu bytes, the chosen hash gives %zu", x->hash_r.len, want);
	} else
		problem(x, d->frame, "the chosen transform names no hash algorithm");
}

/* Addresses of an exchange known only from a message that could not be read (cut, bad header). */
static void guess_addrs(ike_am_exch *x, const ike_cap_dgram *d, bool from_i)
{
	if (x->frame1 || x->frame2 || x->init.family)
		return;
	x->init = from_i ? d->src : d->dst;
	x->resp = from_i ? d->dst : d->src;
}

/* One IKEv1 Aggressive Mode datagram (header already read). */
static void aggressive(ike_am_scan *s, const v1_header *h, const ike_cap_dgram *d)
{
	bool first = h->cky_r == 0;
	ike_am_exch *x = find(s, h->cky_i, true);
	if (!x)
		return;
	if (h->flags & V1_F_ENCRYPTION) {
		s->n_enc++;
		if (first)
			problem(x, d->frame, "message 1 is encrypted (E flag): its payloads cannot be read");
		else if (!x->frame2 && x->frame1 && same_ip(&d->src, &x->resp))
			problem(x, d->frame, "the responder's message is encrypted (E flag): HASH_R cannot be read");
		return; /* message 3 (HASH_I) may well be encrypted: nothing to take from it */
	}
	v1_chain c;
	v1_err e = { 0 };
	if (v1_parse_chain(h->next_payload, d->ike + V1_HDR_LEN, h->length - V1_HDR_LEN, V1_HDR_LEN, false, &c, &e) != V1_OK) {
		problem(x, d->frame, "Aggressive Mode message: %s (at byte %zu of the IKE message)",
			e.what ? e.what : "bad payload chain", e.off);
		return;
	}
	if (first)
		message1(x, &c, d);
	else if (v1_chain_find(&c, V1_PL_KE))
		message2(x, h, &c, d); /* message 3 carries no KE */
}

static void datagram(ike_am_scan *s, const ike_cap_dgram *d)
{
	s->n_ike++;
	if (d->len < V1_HDR_LEN) {
		if (d->cut)
			s->n_cut++;
		return;
	}
	uint8_t major = d->ike[17] >> 4;
	if (major == 2) {
		s->n_v2++;
		return;
	}
	if (major != 1)
		return;
	s->n_v1++;
	uint64_t cky_i = 0;
	for (int i = 0; i < 8; i++)
		cky_i = cky_i << 8 | d->ike[i];
	uint8_t exch = d->ike[18];
	if (exch == V1_EXCH_ID_PROT && !memcmp(d->ike + 8, "\0\0\0\0\0\0\0\0", 8))
		s->n_mm++;
	if (exch != V1_EXCH_AGGRESSIVE)
		return;
	if (d->cut) {
		s->n_cut++;
		ike_am_exch *x = find(s, cky_i, true);
		if (x)
			guess_addrs(x, d, !memcmp(d->ike + 8, "\0\0\0\0\0\0\0\0", 8));
		if (x)
			problem(x, d->frame, "Aggressive Mode message cut short: %zu of %zu bytes captured (snap length too small?)",
				d->len, d->want);
		return;
	}
	v1_header h;
	v1_err e = { 0 };
	if (v1_parse_header(d->ike, d->len, &h, &e) != V1_OK) {
		ike_am_exch *x = find(s, cky_i, true);
		if (x)
			guess_addrs(x, d, !memcmp(d->ike + 8, "\0\0\0\0\0\0\0\0", 8));
		if (x)
			problem(x, d->frame, "Aggressive Mode message, %s (Length %u, %zu bytes in the datagram)",
				e.what ? e.what : "unusable", ike_get_u32(d->ike + 24), d->len);
		return;
	}
	if (h.msg_id == 0)
		aggressive(s, &h, d);
}

int ike_am_scan_capture(const uint8_t *buf, size_t len, ike_am_scan *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (ike_cap_open(&s->rd, buf, len, err, errlen))
		return -1;
	ike_cap_dgram d;
	int rc;
	while ((rc = ike_cap_next(&s->rd, &d, err, errlen)) > 0)
		datagram(s, &d);
	if (rc < 0)
		return -1;
	for (uint32_t i = 0; i < s->n; i++) {
		ike_am_exch *x = &s->x[i];
		if (!x->frame1)
			problem(x, x->frame2, "message 1 (the initiator's) is not in the capture");
		else if (!x->frame2)
			problem(x, x->frame1, "no message 2 (the responder's answer) in the capture");
	}
	return 0;
}

uint32_t ike_am_usable(const ike_am_scan *s)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->n; i++)
		n += !s->x[i].problem[0];
	return n;
}
