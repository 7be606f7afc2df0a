/*
 * The foundations used the way Main Mode and Quick Mode will use them (RFC 2409 5, 5.5), two sides by hand:
 * real group 14 Diffie-Hellman, each message built, sent as bytes and parsed by the other side; both derive
 * SKEYID* independently; MM5/MM6 encrypted with the phase 1 IV and HASH_I/HASH_R checked; a Quick Mode
 * exchange with HASH(1..3) patched into the built message; KEYMAT equal on both sides; a wrong PSK fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/dh.h"
#include "crypto/drbg.h"
#include "crypto/kdf_v1.h"
#include "ikev1/v1_crypt.h"
#include "test_list.h.in"
#include "testfs.h"
#include "tsharkfx.h"
#include "wire/v1.h"

#define GROUP 14
#define MSG 2048

/* One side's view of the exchange: everything it sent or parsed. */
typedef struct side {
	bool resp;
	uint8_t nonce[32], peer_nonce[32];
	uint8_t gx[256], peer_gx[256];
	ike_dh *dh;
	ike_v1_keys k;
	v1_cipher ci;
	v1_iv p1;
	const char *psk;
} side;

/* What went over the wire, for the capture check: message bytes and direction. */
typedef struct rec {
	uint8_t m[10][MSG];
	size_t len[10];
	bool from_i[10];
	int n;
	char ws[128]; /* the ikev1_decryption_table row */
	char want[160]; /* what tshark should print: frame numbers, and the Quick Mode nonces */
} rec;

static void record(rec *r, const uint8_t *m, size_t len, bool from_i)
{
	if (!r)
		return;
	assert_true(r->n < 10 && len <= MSG);
	memcpy(r->m[r->n], m, len);
	r->len[r->n] = len;
	r->from_i[r->n++] = from_i;
}

static const uint64_t CKY_I = 0xa1a2a3a4a5a6a7a8ull, CKY_R = 0xb1b2b3b4b5b6b7b8ull;

static void make_side(const ike_crypto *c, side *s, bool resp, const char *psk)
{
	memset(s, 0, sizeof(*s));
	s->resp = resp;
	s->psk = psk;
	ike_drbg rng;
	ike_drbg_init(&rng, resp ? "resp" : "init", 4, "v1mm", 4);
	ike_drbg_bytes(&rng, s->nonce, sizeof(s->nonce));
	assert_int_equal(ike_dh_generate(c, GROUP, &rng, &s->dh), 0);
	assert_int_equal(ike_dh_public(s->dh, s->gx, sizeof(s->gx)), 0);
	assert_int_equal(ike_dh_public_len(GROUP), 256);
}

/* The SA both offer and accept: AES-256, SHA2-256, PSK, group 14, 8 h in seconds. */
static size_t sa_msg(uint8_t *buf, uint64_t cky_r)
{
	v1_sa sa = { .doi = V1_DOI_IPSEC, .situation = V1_SIT_IDENTITY_ONLY, .n = 1 };
	sa.prop[0] = (v1_proposal){ .num = 1, .protocol = V1_PROTO_ISAKMP, .n = 1 };
	v1_transform *t = &sa.prop[0].t[0];
	t->num = 1;
	t->id = V1_KEY_IKE;
	v1_tr_add(t, v1_attr_tv(V1_A_ENCR, V1_ENCR_AES));
	v1_tr_add(t, v1_attr_tv(V1_A_KEY_LENGTH, 256));
	v1_tr_add(t, v1_attr_tv(V1_A_HASH, V1_HASH_SHA2_256));
	v1_tr_add(t, v1_attr_tv(V1_A_AUTH, V1_AUTH_PSK));
	v1_tr_add(t, v1_attr_tv(V1_A_GROUP, GROUP));
	v1_tr_add(t, v1_attr_tv(V1_A_LIFE_TYPE, V1_LIFE_SECONDS));
	v1_tr_add(t, v1_attr_var(V1_A_LIFE_DURATION, 28800, 4));
	v1_header h = { .cky_i = CKY_I, .cky_r = cky_r, .major = 1, .exchange = V1_EXCH_ID_PROT };
	v1_builder b;
	v1_begin(&b, buf, MSG, &h);
	v1_add_sa(&b, &sa);
	size_t len;
	const uint8_t *vid = v1_vid_bytes(V1_VID_NATT_RFC3947, &len); /* before the call: argument order is unspecified */
	v1_add_data(&b, V1_PL_VID, vid, len);
	return v1_finish(&b, 0);
}

/* Parses a plain message; returns its chain (views into msg). */
static void parse_plain(const uint8_t *msg, size_t len, v1_header *h, v1_chain *c)
{
	v1_err e = { 0 };
	assert_int_equal(v1_parse_header(msg, len, h, &e), V1_OK);
	assert_int_equal(v1_parse_chain(h->next_payload, msg + V1_HDR_LEN, h->length - V1_HDR_LEN, V1_HDR_LEN, false, c, &e),
			 V1_OK);
}

/* MM3 / MM4: KE No; the receiver keeps g^x and the nonce of the sender. */
static void send_ke(const side *from, side *to, rec *rc)
{
	uint8_t m[MSG];
	v1_header h = { .cky_i = CKY_I, .cky_r = CKY_R, .major = 1, .exchange = V1_EXCH_ID_PROT };
	v1_builder b;
	v1_begin(&b, m, sizeof(m), &h);
	v1_add_ke(&b, from->gx, 256);
	v1_add_data(&b, V1_PL_NONCE, from->nonce, sizeof(from->nonce));
	size_t n = v1_finish(&b, 0);
	record(rc, m, n, !from->resp);
	v1_chain c;
	parse_plain(m, n, &h, &c);
	const v1_payload *ke = v1_chain_find(&c, V1_PL_KE), *no = v1_chain_find(&c, V1_PL_NONCE);
	assert_true(ke && no && ke->len == 256 && no->len == 32);
	memcpy(to->peer_gx, ke->body, 256);
	memcpy(to->peer_nonce, no->body, 32);
}

/* Both sides: g^xy, SKEYID from the PSK, SKEYID_d/a/e, the AES-256 key and the phase 1 IV. */
static void derive(const ike_crypto *c, side *s)
{
	uint8_t gxy[256];
	assert_int_equal(ike_dh_derive(c, s->dh, s->peer_gx, 256, gxy, sizeof(gxy)), 0);
	assert_int_equal(ike_dh_secret_len(GROUP), 256);
	const uint8_t *ni = s->resp ? s->peer_nonce : s->nonce, *nr = s->resp ? s->nonce : s->peer_nonce;
	const uint8_t *gxi = s->resp ? s->peer_gx : s->gx, *gxr = s->resp ? s->gx : s->peer_gx;
	s->k.hash = IKE_V1_SHA2_256;
	assert_int_equal(ike_v1_skeyid_psk(c, s->k.hash, (const uint8_t *)s->psk, strlen(s->psk), ni, 32, nr, 32, s->k.skeyid), 0);
	assert_int_equal(ike_v1_skeyids(c, &s->k, gxy, 256, CKY_I, CKY_R), 0);
	assert_int_equal(v1_cipher_init(c, &s->k, IKE_V1_ENCR_AES_CBC, 256, &s->ci), 0);
	assert_int_equal(v1_iv_phase1(c, &s->ci, gxi, 256, gxr, 256, &s->p1), 0);
}

/* HASH_I (initiator) or HASH_R (responder) over the given ID body. */
static void auth_hash(const ike_crypto *c, const side *s, bool of_resp, const uint8_t *sai_b, size_t sai_len,
		      const uint8_t *id_b, size_t id_len, uint8_t *out)
{
	const uint8_t *gxi = s->resp ? s->peer_gx : s->gx, *gxr = s->resp ? s->gx : s->peer_gx;
	assert_int_equal(ike_v1_hash_auth(c, &s->k, of_resp, gxi, 256, gxr, 256, CKY_I, CKY_R, sai_b, sai_len, id_b,
					  id_len, out), 0);
}

/* MM5 (from the initiator) or MM6: ID HASH, sealed; the receiver opens, parses and checks the hash. 0 if ok. */
static int send_id_hash(const ike_crypto *c, side *from, side *to, const uint8_t *sai_b, size_t sai_len, rec *rc)
{
	uint8_t m[MSG], pt[MSG], hash[32], want[32];
	static const uint8_t fqdn_i[] = "initiator.example", fqdn_r[] = "responder.example";
	v1_id id = { .type = V1_ID_FQDN, .data = from->resp ? fqdn_r : fqdn_i, .len = 17 };
	uint8_t id_b[4 + 17] = { V1_ID_FQDN, 0, 0, 0 };
	memcpy(id_b + 4, id.data, 17);
	auth_hash(c, from, from->resp, sai_b, sai_len, id_b, sizeof(id_b), hash);
	v1_header h = { .cky_i = CKY_I, .cky_r = CKY_R, .major = 1, .exchange = V1_EXCH_ID_PROT };
	v1_builder b;
	v1_begin(&b, m, sizeof(m), &h);
	v1_add_id(&b, &id);
	v1_add_data(&b, V1_PL_HASH, hash, 32);
	size_t n = v1_finish(&b, 0), sealed, ptl;
	assert_int_equal(v1_seal(c, &from->ci, &from->p1, m, n, sizeof(m), &sealed), 0);
	record(rc, m, sealed, !from->resp);
	v1_iv next;
	v1_chain ch;
	v1_err e;
	assert_int_equal(v1_parse_header(m, sealed, &h, &e), V1_OK);
	assert_true(h.flags & V1_F_ENCRYPTION);
	assert_int_equal(v1_open(c, &to->ci, &to->p1, m, h.length, pt, sizeof(pt), &ptl, &next), 0);
	if (v1_parse_chain(h.next_payload, pt, ptl, V1_HDR_LEN, true, &ch, &e) != V1_OK)
		return -1; /* wrong key: garbage */
	const v1_payload *idp = v1_chain_find(&ch, V1_PL_ID), *hp = v1_chain_find(&ch, V1_PL_HASH);
	if (!idp || !hp || hp->len != 32)
		return -1;
	auth_hash(c, to, from->resp, sai_b, sai_len, idp->body, idp->len, want);
	if (memcmp(hp->body, want, 32))
		return -1;
	to->p1 = next; /* accepted: commit the running IV */
	return 0;
}

/* Main Mode and one Quick Mode message each way by hand; the messages are recorded in rc when not NULL. */
static void main_and_quick(rec *rc)
{
	ike_crypto *c = ike_crypto_new();
	side i, r;
	make_side(c, &i, false, "a shared secret");
	make_side(c, &r, true, "a shared secret");
	uint8_t mm1[MSG], mm2[MSG];
	v1_header h;
	v1_chain c1, c2;
	size_t n1 = sa_msg(mm1, 0), n2 = sa_msg(mm2, CKY_R);
	parse_plain(mm1, n1, &h, &c1);
	parse_plain(mm2, n2, &h, &c2);
	record(rc, mm1, n1, true);
	record(rc, mm2, n2, false);
	const v1_payload *sai = v1_chain_find(&c1, V1_PL_SA); /* SAi_b: the initiator's whole SA body */
	v1_sa sa;
	v1_p1_attrs a;
	assert_int_equal(v1_parse_sa(sai->body, sai->len, sai->offset + 4u, &sa, NULL), V1_OK);
	assert_int_equal(v1_decode_p1(&sa.prop[0].t[0], &a, NULL), V1_OK);
	assert_true(a.encr == V1_ENCR_AES && a.key_len == 256 && a.hash == V1_HASH_SHA2_256 && a.life_seconds == 28800);
	send_ke(&i, &r, rc);
	send_ke(&r, &i, rc);
	derive(c, &i);
	derive(c, &r);
	assert_memory_equal(&i.k, &r.k, sizeof(i.k));
	assert_memory_equal(i.ci.key, r.ci.key, 32);
	assert_int_equal(send_id_hash(c, &i, &r, sai->body, sai->len, rc), 0); /* MM5 */
	assert_int_equal(send_id_hash(c, &r, &i, sai->body, sai->len, rc), 0); /* MM6 */
	assert_memory_equal(i.p1.iv, r.p1.iv, 16); /* both hold MM6's last block for phase 2 */

	/* Quick Mode M-ID 0x0badcafe: HASH(1) SA Ni ..., HASH(2), HASH(3) with per-M-ID IVs. */
	const uint32_t mid = 0x0badcafeu;
	v1_iv qi, qr;
	assert_int_equal(v1_iv_phase2(c, &i.ci, &i.p1, mid, &qi), 0);
	assert_int_equal(v1_iv_phase2(c, &r.ci, &r.p1, mid, &qr), 0);
	uint8_t m[MSG], pt[MSG], h1[32], want[32];
	static const uint8_t zero32[32];
	v1_header qh = { .cky_i = CKY_I, .cky_r = CKY_R, .major = 1, .exchange = V1_EXCH_QUICK, .msg_id = mid };
	v1_builder b;
	v1_begin(&b, m, sizeof(m), &qh);
	v1_add_data(&b, V1_PL_HASH, zero32, 32);
	size_t hash_at = v1_last_body(&b);
	v1_add_data(&b, V1_PL_NONCE, i.nonce, 16);
	size_t n = v1_finish(&b, 0), rest = hash_at + 32;
	assert_int_equal(ike_v1_hash1(c, &i.k, mid, m + rest, n - rest, h1), 0);
	memcpy(m + hash_at, h1, 32); /* HASH(1) covers what follows it, so it is patched in after building */
	size_t sealed, ptl;
	assert_int_equal(v1_seal(c, &i.ci, &qi, m, n, sizeof(m), &sealed), 0);
	record(rc, m, sealed, true);
	v1_iv next;
	assert_int_equal(v1_open(c, &r.ci, &qr, m, sealed, pt, sizeof(pt), &ptl, &next), 0);
	v1_chain ch;
	assert_int_equal(v1_parse_chain(V1_PL_HASH, pt, ptl, V1_HDR_LEN, true, &ch, NULL), V1_OK);
	const v1_payload *hp = &ch.pl[0], *after = &ch.pl[1];
	size_t rest_len = ptl - ch.pad - (after->offset - V1_HDR_LEN); /* up to the padding */
	assert_int_equal(ike_v1_hash1(c, &r.k, mid, pt + (after->offset - V1_HDR_LEN), rest_len, want), 0);
	assert_memory_equal(hp->body, want, 32);
	qr = next;
	uint8_t h3i[32], h3r[32], km_i[40], km_r[40];
	assert_int_equal(ike_v1_hash3(c, &i.k, mid, i.nonce, 16, r.nonce, 16, h3i), 0);
	assert_int_equal(ike_v1_hash3(c, &r.k, mid, i.nonce, 16, r.nonce, 16, h3r), 0);
	assert_memory_equal(h3i, h3r, 32);
	assert_int_equal(ike_v1_keymat(c, &i.k, NULL, 0, V1_PROTO_ESP, 0xc1c2c3c4u, i.nonce, 16, r.nonce, 16, km_i, 40), 0);
	assert_int_equal(ike_v1_keymat(c, &r.k, NULL, 0, V1_PROTO_ESP, 0xc1c2c3c4u, i.nonce, 16, r.nonce, 16, km_r, 40), 0);
	assert_memory_equal(km_i, km_r, 40);
	assert_memory_equal(qi.iv, qr.iv, 16);
	/* QM2 from the responder, HASH(2) Nr, on the chained Quick Mode IV */
	v1_begin(&b, m, sizeof(m), &qh);
	v1_add_data(&b, V1_PL_HASH, zero32, 32);
	hash_at = v1_last_body(&b);
	v1_add_data(&b, V1_PL_NONCE, r.nonce, 16);
	n = v1_finish(&b, 0);
	rest = hash_at + 32;
	assert_int_equal(ike_v1_hash2(c, &r.k, mid, i.nonce, 16, m + rest, n - rest, m + hash_at), 0);
	assert_int_equal(v1_seal(c, &r.ci, &qr, m, n, sizeof(m), &sealed), 0);
	record(rc, m, sealed, false);
	assert_int_equal(v1_open(c, &i.ci, &qi, m, sealed, pt, sizeof(pt), &ptl, &next), 0);
	assert_int_equal(ike_v1_hash2(c, &i.k, mid, i.nonce, 16, pt + 36, 20, want), 0);
	assert_memory_equal(pt + 4, want, 32);
	qi = next;
	if (rc) {
		assert_true(v1_ws_key_line(CKY_I, &i.ci, rc->ws, sizeof(rc->ws)) > 0);
		size_t w = (size_t)snprintf(rc->want, sizeof(rc->want), "5\t\n6\t\n7\t");
		for (int j = 0; j < 16; j++)
			w += (size_t)snprintf(rc->want + w, sizeof(rc->want) - w, "%02x", i.nonce[j]);
		w += (size_t)snprintf(rc->want + w, sizeof(rc->want) - w, "\n8\t");
		for (int j = 0; j < 16; j++)
			w += (size_t)snprintf(rc->want + w, sizeof(rc->want) - w, "%02x", r.nonce[j]);
		snprintf(rc->want + w, sizeof(rc->want) - w, "\n");
	}

	for (int s = 0; s < 2; s++) {
		side *x = s ? &r : &i;
		ike_dh_free(x->dh);
		ike_v1_keys_wipe(&x->k);
		v1_cipher_wipe(&x->ci);
	}
	ike_crypto_free(c);
}

static void v1_main_mode_psk_by_hand(void **state)
{
	(void)state;
	main_and_quick(NULL);
}

/* A different PSK: different SKEYID_e, so MM5 does not even parse (or its HASH_I fails). */
static void v1_main_mode_wrong_psk(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	side i, r;
	make_side(c, &i, false, "a shared secret");
	make_side(c, &r, true, "another secret");
	uint8_t mm1[MSG];
	v1_header h;
	v1_chain c1;
	parse_plain(mm1, sa_msg(mm1, 0), &h, &c1);
	send_ke(&i, &r, NULL);
	send_ke(&r, &i, NULL);
	derive(c, &i);
	derive(c, &r);
	v1_iv before = r.p1;
	assert_int_equal(send_id_hash(c, &i, &r, c1.pl[0].body, c1.pl[0].len, NULL), -1);
	assert_memory_equal(r.p1.iv, before.iv, 16); /* a refused message does not advance the IV */
	for (int s = 0; s < 2; s++) {
		side *x = s ? &r : &i;
		ike_dh_free(x->dh);
		ike_v1_keys_wipe(&x->k);
		v1_cipher_wipe(&x->ci);
	}
	ike_crypto_free(c);
}

/* Writes the recorded messages as a classic pcap (raw IPv4, 192.0.2.1:500 <-> 192.0.2.2:500). */
static void write_pcap(const rec *rc, const char *path)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	static const uint8_t ghdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					  0xff, 0xff, 0, 0, 101, 0, 0, 0 }; /* LINKTYPE_RAW */
	assert_int_equal(fwrite(ghdr, 1, 24, f), 24);
	for (int i = 0; i < rc->n; i++) {
		uint8_t pkt[MSG + 28] = { 0x45 };
		size_t total = 28 + rc->len[i];
		ike_put_u16(pkt + 2, (uint16_t)total);
		pkt[8] = 64;
		pkt[9] = 17;
		uint8_t a = rc->from_i[i] ? 1 : 2, z = rc->from_i[i] ? 2 : 1;
		memcpy(pkt + 12, (uint8_t[]){ 192, 0, 2, a, 192, 0, 2, z }, 8);
		uint32_t sum = 0;
		for (int j = 0; j < 20; j += 2)
			sum += ike_get_u16(pkt + j);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		ike_put_u16(pkt + 10, (uint16_t)~sum);
		ike_put_u16(pkt + 20, 500);
		ike_put_u16(pkt + 22, 500);
		ike_put_u16(pkt + 24, (uint16_t)(8 + rc->len[i])); /* UDP checksum 0: none (IPv4) */
		memcpy(pkt + 28, rc->m[i], rc->len[i]);
		uint8_t rh[16] = { 0 }; /* ts_sec, ts_usec, incl_len, orig_len: little-endian like the global header */
		for (int j = 0; j < 4; j++) {
			uint32_t v = j == 0 ? 1700000000u + (uint32_t)i : j == 1 ? 0 : (uint32_t)total;
			rh[4 * j] = (uint8_t)v, rh[4 * j + 1] = (uint8_t)(v >> 8), rh[4 * j + 2] = (uint8_t)(v >> 16),
			rh[4 * j + 3] = (uint8_t)(v >> 24);
		}
		assert_int_equal(fwrite(rh, 1, 16, f), 16);
		assert_int_equal(fwrite(pkt, 1, total, f), total);
	}
	assert_int_equal(fclose(f), 0);
}

/* Wireshark's own IKEv1 decryption (App. B IVs) opens every encrypted message we sealed, with our key row. */
static void v1_tshark_decrypts_main_and_quick_mode(void **state)
{
	(void)state;
	if (!tsx_available())
		skip();
	rec *rc = calloc(1, sizeof(*rc));
	assert_non_null(rc);
	main_and_quick(rc);
	assert_int_equal(rc->n, 8); /* MM1..MM6, QM1, QM2 */
	tfs_dir d;
	tfs_dir_make(&d, "v1ws");
	char pcap[128], args[512];
	tfs_dir_file(&d, "mm.pcap", pcap, sizeof(pcap));
	write_pcap(rc, pcap);
	snprintf(args, sizeof(args),
		 "-o \"uat:ikev1_decryption_table:%s\" -Y \"isakmp.flag_e==1 && isakmp.hash && !_ws.malformed\" "
		 "-T fields -e frame.number -e isakmp.nonce",
		 rc->ws);
	char *out = tsx_run(NULL, pcap, args, NULL);
	/* MM5, MM6, QM1, QM2: all four decrypt to a HASH; the two Quick Mode ones show their nonces */
	if (strcmp(out, rc->want))
		fail_msg("tshark decrypted: \"%s\", want \"%s\" (key row %s)", out, rc->want, rc->ws);
	free(out);
	/* a wrong key decrypts nothing */
	rc->ws[20] = rc->ws[20] == '0' ? '1' : '0';
	snprintf(args, sizeof(args),
		 "-o \"uat:ikev1_decryption_table:%s\" -Y \"isakmp.flag_e==1 && isakmp.hash && !_ws.malformed\" "
		 "-T fields -e frame.number", rc->ws);
	out = tsx_run(NULL, pcap, args, NULL);
	assert_int_equal(tsx_count_lines(out, "\n"), 0);
	free(out);
	tfs_dir_remove(&d);
	free(rc);
}

size_t tests_v1_mm(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_main_mode_psk_by_hand),
		cmocka_unit_test(v1_main_mode_wrong_psk),
		cmocka_unit_test(v1_tshark_decrypts_main_and_quick_mode),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
