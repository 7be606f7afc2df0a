/*
 * libFuzzer target: the ISAKMP/IKEv1 decoder and encoder (engine/wire/v1*) and message protection
 * (engine/ikev1/v1_crypt). Byte 0 = mode: 0 a whole message (header, chain, every typed payload, summary);
 * 1 a bare chain whose first type is byte 1; 2 a plaintext message (bytes after byte 0) sealed with fixed
 * AES-128 keys and the phase 1 IV, opened again with the peer's IV, and parsed as a decrypted chain.
 * Oracles: payloads that parse are rebuilt and must parse back equal; seal-then-open gives back the padded
 * plaintext and the same next IV on both sides; a summary fits its buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "ikev1/v1_crypt.h"
#include "wire/v1.h"

#define MSG_MAX 8192

__attribute__((noreturn)) static void mismatch(void)
{
	__builtin_trap();
}

static bool attrs_equal(const v1_attr *a, const v1_attr *b, uint8_t n)
{
	for (uint8_t i = 0; i < n; i++) {
		if (a[i].type != b[i].type || a[i].tv != b[i].tv)
			return false;
		if (a[i].tv ? a[i].value != b[i].value
			    : a[i].len != b[i].len || memcmp(v1_attr_bytes(&a[i]), v1_attr_bytes(&b[i]), a[i].len))
			return false;
	}
	return true;
}

static bool sa_equal(const v1_sa *a, const v1_sa *b)
{
	if (a->doi != b->doi || a->situation != b->situation || a->n != b->n)
		return false;
	for (uint8_t i = 0; i < a->n; i++) {
		const v1_proposal *p = &a->prop[i], *q = &b->prop[i];
		if (p->num != q->num || p->protocol != q->protocol || p->spi_size != q->spi_size || p->n != q->n ||
		    memcmp(p->spi, q->spi, p->spi_size))
			return false;
		for (uint8_t t = 0; t < p->n; t++)
			if (p->t[t].num != q->t[t].num || p->t[t].id != q->t[t].id || p->t[t].nattr != q->t[t].nattr ||
			    !attrs_equal(p->t[t].attr, q->t[t].attr, p->t[t].nattr))
				return false;
	}
	return true;
}

/* Rebuilds one payload through `add` into a bare chain; its only payload, or a trap. */
static const v1_payload *one(uint8_t *buf, size_t len, v1_chain *c, uint8_t first)
{
	v1_err e;
	if (!len || v1_parse_chain(first, buf, len, 0, false, c, &e) != V1_OK || c->n != 1)
		mismatch();
	return &c->pl[0];
}

/* SA, ID, Notify, Delete, NAT-OA and ATTR payloads that parse are re-encoded and must decode the same. */
static void roundtrip(const v1_payload *pl)
{
	static uint8_t buf[MSG_MAX];
	union {
		v1_sa sa;
		v1_id id;
		v1_notify n;
		v1_delete d;
		v1_natoa oa;
		v1_cfg cfg;
	} u, v;
	v1_builder b;
	v1_chain c;
	v1_begin_chain(&b, buf, sizeof(buf));
	switch (pl->type) {
	case V1_PL_SA:
		if (v1_parse_sa(pl->body, pl->len, 0, &u.sa, NULL) != V1_OK)
			return;
		v1_add_sa(&b, &u.sa);
		pl = one(buf, v1_finish(&b, 0), &c, V1_PL_SA);
		if (v1_parse_sa(pl->body, pl->len, 0, &v.sa, NULL) != V1_OK || !sa_equal(&u.sa, &v.sa))
			mismatch();
		return;
	case V1_PL_ID:
		if (v1_parse_id(pl->body, pl->len, 0, &u.id, NULL) != V1_OK)
			return;
		v1_add_id(&b, &u.id);
		break;
	case V1_PL_N:
		if (v1_parse_notify(pl->body, pl->len, 0, &u.n, NULL) != V1_OK)
			return;
		v1_add_notify(&b, &u.n);
		break;
	case V1_PL_D:
		if (v1_parse_delete(pl->body, pl->len, 0, &u.d, NULL) != V1_OK)
			return;
		v1_add_delete(&b, &u.d);
		break;
	case V1_PL_NATOA:
	case V1_PL_NATOA_DRAFT:
		if (v1_parse_natoa(pl->body, pl->len, 0, &u.oa, NULL) != V1_OK)
			return;
		v1_add_natoa(&b, pl->type, &u.oa);
		pl = one(buf, v1_finish(&b, 0), &c, pl->type);
		if (v1_parse_natoa(pl->body, pl->len, 0, &v.oa, NULL) != V1_OK || memcmp(&u.oa, &v.oa, sizeof(u.oa)))
			mismatch();
		return;
	case V1_PL_ATTR:
		if (v1_parse_cfg(pl->body, pl->len, 0, &u.cfg, NULL) != V1_OK)
			return;
		v1_add_cfg(&b, &u.cfg);
		pl = one(buf, v1_finish(&b, 0), &c, V1_PL_ATTR);
		if (v1_parse_cfg(pl->body, pl->len, 0, &v.cfg, NULL) != V1_OK || v.cfg.n != u.cfg.n ||
		    v.cfg.type != u.cfg.type || v.cfg.identifier != u.cfg.identifier ||
		    !attrs_equal(u.cfg.attr, v.cfg.attr, u.cfg.n))
			mismatch();
		return;
	default: return;
	}
	/* ID, Notify, Delete have no reserved bytes: the rebuilt body is the original, byte for byte. */
	const uint8_t *body = pl->body;
	uint16_t len = pl->len;
	pl = one(buf, v1_finish(&b, 0), &c, pl->type);
	if (pl->len != len || memcmp(pl->body, body, len))
		mismatch();
}

static void payloads(const v1_chain *c)
{
	for (uint8_t i = 0; i < c->n; i++) {
		v1_err e = { 0 };
		v1_status st = v1_parse_payload(&c->pl[i], &e);
		if (st != V1_OK && !e.what)
			mismatch(); /* every refusal says why */
		if (c->pl[i].type == V1_PL_SA && st == V1_OK) {
			v1_sa sa;
			v1_p1_attrs a1;
			v1_p2_attrs a2;
			if (v1_parse_sa(c->pl[i].body, c->pl[i].len, 0, &sa, NULL) != V1_OK)
				mismatch();
			for (uint8_t p = 0; p < sa.n; p++)
				for (uint8_t t = 0; t < sa.prop[p].n; t++) {
					(void)v1_decode_p1(&sa.prop[p].t[t], &a1, NULL);
					(void)v1_decode_p2(&sa.prop[p].t[t], &a2, NULL);
				}
		}
		if (c->pl[i].type == V1_PL_VID && v1_vid_lookup(c->pl[i].body, c->pl[i].len) >= V1_VID_COUNT)
			mismatch();
		roundtrip(&c->pl[i]);
	}
}

static void summary(const v1_header *h, const v1_chain *c)
{
	static char line[1024];
	size_t n = v1_summary(h, "request", c, line, sizeof(line));
	if (n >= sizeof(line) || strlen(line) != n)
		mismatch();
}

/* Seals the input as a message with fixed keys, opens it with a second IV state, compares. */
static void crypt(const ike_crypto *cr, const uint8_t *data, size_t size)
{
	static uint8_t msg[MSG_MAX + 16], pt[MSG_MAX + 16];
	static const uint8_t gx[2][32] = { { 1 }, { 2 } };
	if (size <= V1_HDR_LEN || size > MSG_MAX)
		return;
	ike_v1_keys k = { .hash = IKE_V1_SHA1, .len = 20 };
	memset(k.skeyid_e, 0x5e, sizeof(k.skeyid_e));
	v1_cipher ci;
	v1_iv a = { 0 }, b, next;
	if (v1_cipher_init(cr, &k, (data[0] & 1) ? IKE_V1_ENCR_3DES : IKE_V1_ENCR_AES_CBC, 0, &ci) ||
	    v1_iv_phase1(cr, &ci, gx[0], 32, gx[1], 32, &a))
		mismatch();
	b = a;
	memcpy(msg, data, size);
	size_t sealed = 0, ptl = 0;
	if (v1_seal(cr, &ci, &a, msg, size, sizeof(msg), &sealed) ||
	    v1_open(cr, &ci, &b, msg, sealed, pt, sizeof(pt), &ptl, &next))
		mismatch();
	if (ptl != sealed - V1_HDR_LEN || memcmp(pt, data + V1_HDR_LEN, size - V1_HDR_LEN) ||
	    memcmp(next.iv, a.iv, ci.block))
		mismatch();
	for (size_t i = size - V1_HDR_LEN; i < ptl; i++)
		if (pt[i])
			mismatch(); /* padding is zeros */
	v1_header h;
	v1_chain c;
	if (v1_parse_header(msg, sealed, &h, NULL) == V1_OK &&
	    v1_parse_chain(h.next_payload, pt, ptl, V1_HDR_LEN, true, &c, NULL) == V1_OK) {
		payloads(&c);
		summary(&h, &c);
	}
	v1_cipher_wipe(&ci);
}

static ike_crypto *g_crypto; /* created once per fuzzer process; read-only afterwards */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	g_crypto = ike_crypto_new();
	if (!g_crypto)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	v1_chain c;
	if (size < 2)
		return 0;
	uint8_t mode = data[0] % 3;
	data++, size--;
	if (mode == 0) {
		v1_header h;
		if (v1_parse_header(data, size, &h, NULL) != V1_OK)
			return 0;
		if (h.length < V1_HDR_LEN || h.length > size)
			mismatch(); /* the header parser promised a usable length */
		bool enc = (h.flags & V1_F_ENCRYPTION) != 0;
		if (v1_parse_chain(h.next_payload, data + V1_HDR_LEN, h.length - V1_HDR_LEN, V1_HDR_LEN, enc, &c, NULL) ==
		    V1_OK) {
			payloads(&c);
			summary(&h, &c);
		}
		summary(&h, NULL);
		return 0;
	}
	if (mode == 1) {
		if (v1_parse_chain(data[0], data + 1, size - 1, 0, data[0] & 0x80, &c, NULL) == V1_OK)
			payloads(&c);
		return 0;
	}
	crypt(g_crypto, data, size);
	return 0;
}
