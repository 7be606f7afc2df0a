/*
 * libFuzzer target: the IKEv2 decoder (engine/wire). Input byte 0 = mode: 0 a whole message (header,
 * chain, summary), else a bare payload chain whose first type is byte 1. Every payload goes to its typed
 * parser; SA and TS payloads that parse are rebuilt with the encoder and parsed again, and must come back
 * equal (a decoder/encoder disagreement aborts, as a crash would).
 */
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "wire/v2.h"

static void mismatch(void)
{
	__builtin_trap();
}

static bool sa_equal(const v2_sa *a, const v2_sa *b)
{
	if (a->n != b->n)
		return false;
	for (uint8_t i = 0; i < a->n; i++) {
		const v2_proposal *p = &a->prop[i], *q = &b->prop[i];
		if (p->num != q->num || p->protocol != q->protocol || p->spi_size != q->spi_size || p->n != q->n ||
		    memcmp(p->spi, q->spi, p->spi_size))
			return false;
		for (uint8_t t = 0; t < p->n; t++)
			if (p->t[t].type != q->t[t].type || p->t[t].id != q->t[t].id || p->t[t].keylen != q->t[t].keylen)
				return false;
	}
	return true;
}

static bool ts_equal(const v2_ts_list *a, const v2_ts_list *b)
{
	if (a->n != b->n)
		return false;
	for (uint8_t i = 0; i < a->n; i++) {
		const v2_ts *s = &a->ts[i], *t = &b->ts[i];
		size_t alen = s->type == V2_TS_IPV4_ADDR_RANGE ? 4 : 16;
		if (s->type != t->type || s->ip_proto != t->ip_proto || s->start_port != t->start_port ||
		    s->end_port != t->end_port || memcmp(s->start, t->start, alen) || memcmp(s->end, t->end, alen))
			return false;
	}
	return true;
}

/* Encodes one payload with the builder and decodes it again as a one-payload chain; its body or NULL. */
static const v2_payload *reencode(uint8_t *buf, size_t cap, const v2_sa *sa, const v2_ts_list *ts, v2_chain *c)
{
	v2_builder b;
	uint8_t bad;
	v2_begin_chain(&b, buf, cap);
	if (sa)
		v2_add_sa(&b, sa);
	else
		v2_add_ts(&b, V2_PL_TSI, ts);
	if (b.w.err || v2_parse_chain(b.first, buf, b.w.len, 0, c, &bad) != V2_OK || c->n != 1)
		mismatch();
	return &c->pl[0];
}

static void payloads(const v2_chain *c)
{
	static uint8_t buf[FZ_MSG_MAX];
	for (uint8_t i = 0; i < c->n; i++) {
		const v2_payload *pl = &c->pl[i];
		union {
			v2_sa sa;
			v2_ke ke;
			v2_id id;
			v2_auth auth;
			v2_notify n;
			v2_delete del;
			v2_ts_list ts;
			v2_cert cert;
			v2_cp cp;
			v2_eap eap;
			v2_skf skf;
		} u, again;
		v2_chain c2;
		switch (pl->type) {
		case V2_PL_SA:
			if (v2_parse_sa(pl->body, pl->len, &u.sa) == V2_OK) {
				const v2_payload *r = reencode(buf, sizeof(buf), &u.sa, NULL, &c2);
				if (v2_parse_sa(r->body, r->len, &again.sa) != V2_OK || !sa_equal(&u.sa, &again.sa))
					mismatch();
			}
			break;
		case V2_PL_TSI:
		case V2_PL_TSR:
			if (v2_parse_ts(pl->body, pl->len, &u.ts) == V2_OK) {
				const v2_payload *r = reencode(buf, sizeof(buf), NULL, &u.ts, &c2);
				if (v2_parse_ts(r->body, r->len, &again.ts) != V2_OK || !ts_equal(&u.ts, &again.ts))
					mismatch();
			}
			break;
		case V2_PL_KE: (void)v2_parse_ke(pl->body, pl->len, &u.ke); break;
		case V2_PL_IDI:
		case V2_PL_IDR: (void)v2_parse_id(pl->body, pl->len, &u.id); break;
		case V2_PL_AUTH: (void)v2_parse_auth(pl->body, pl->len, &u.auth); break;
		case V2_PL_NONCE: (void)v2_parse_nonce(pl->body, pl->len); break;
		case V2_PL_NOTIFY: (void)v2_parse_notify(pl->body, pl->len, &u.n); break;
		case V2_PL_DELETE: (void)v2_parse_delete(pl->body, pl->len, &u.del); break;
		case V2_PL_CERT:
		case V2_PL_CERTREQ: (void)v2_parse_cert(pl->body, pl->len, &u.cert); break;
		case V2_PL_CP: (void)v2_parse_cp(pl->body, pl->len, &u.cp); break;
		case V2_PL_EAP: (void)v2_parse_eap(pl->body, pl->len, &u.eap); break;
		case V2_PL_SKF: (void)v2_parse_skf(pl->body, pl->len, &u.skf); break;
		default: break;
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[2048];
	v2_chain c;
	uint8_t bad = 0;
	if (size < 2)
		return 0;
	if (data[0] == 0) {
		v2_header h;
		data++, size--;
		if (v2_parse_header(data, size, &h) != V2_OK)
			return 0;
		if (h.length < V2_HDR_LEN || h.length > size)
			__builtin_trap(); /* the header parser promised a usable length */
		v2_status st = v2_parse_chain(h.next_payload, data + V2_HDR_LEN, h.length - V2_HDR_LEN, V2_HDR_LEN, &c, &bad);
		if (st == V2_OK) {
			payloads(&c);
			size_t n = v2_summary(&h, &c, NULL, line, sizeof(line));
			if (n >= sizeof(line) || strlen(line) != n)
				__builtin_trap();
		}
		return 0;
	}
	if (v2_parse_chain(data[1], data + 2, size - 2, 0, &c, &bad) == V2_OK)
		payloads(&c);
	return 0;
}
