/*
 * The check behind `ikesim crack` (RFC 2409 5): in Aggressive Mode the responder's HASH_R travels in clear
 * and depends, besides public values, only on SKEYID = prf(PSK, Ni_b | Nr_b). A guess is right when
 * prf(prf(guess, Ni_b | Nr_b), g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) equals it: no Diffie-Hellman.
 * Also the psk-crack parameter line of ike-scan, written and read.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crack.h"
#include "crypto/kdf_v1.h"

void crack_target_of(const ike_am_exch *x, crack_target *t)
{
	memset(t, 0, sizeof(*t));
	t->hash = x->hash; /* the attribute values are the IKE_V1_* ids */
	t->cky_i = x->cky_i, t->cky_r = x->cky_r;
	t->gxi = x->gxi, t->gxr = x->gxr, t->ni = x->ni, t->nr = x->nr;
	t->sai_b = x->sai_b, t->idir_b = x->idir_b, t->hash_r = x->hash_r;
}

int crack_try(const ike_crypto *c, const crack_target *t, const uint8_t *word, size_t len)
{
	ike_v1_keys k = { .hash = t->hash, .len = (uint8_t)ike_v1_hash_len(t->hash) };
	uint8_t got[IKE_V1_MAX_HASH];
	if (!k.len || t->hash_r.len != k.len)
		return -1;
	int rc = ike_v1_skeyid_psk(c, t->hash, word, len, t->ni.p, t->ni.len, t->nr.p, t->nr.len, k.skeyid);
	if (!rc)
		rc = ike_v1_hash_auth(c, &k, true, t->gxi.p, t->gxi.len, t->gxr.p, t->gxr.len, t->cky_i, t->cky_r,
				      t->sai_b.p, t->sai_b.len, t->idir_b.p, t->idir_b.len, got);
	int hit = !rc && CRYPTO_memcmp(got, t->hash_r.p, k.len) == 0;
	OPENSSL_cleanse(&k, sizeof(k)); /* SKEYID of a guess: of the right one, a secret */
	OPENSSL_cleanse(got, sizeof(got));
	return rc ? -1 : hit;
}

static void hex(FILE *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%02x", p[i]);
}

static void cookie(FILE *out, uint64_t v)
{
	fprintf(out, "%016llx", (unsigned long long)v);
}

/* The field order of ike-scan's --pskcrack output (ike-scan 1.7 release notes, psk-crack(1)). */
void crack_psk_line(const crack_target *t, FILE *out)
{
	hex(out, t->gxr.p, t->gxr.len);
	fputc(':', out);
	hex(out, t->gxi.p, t->gxi.len);
	fputc(':', out);
	cookie(out, t->cky_r);
	fputc(':', out);
	cookie(out, t->cky_i);
	const ike_am_field *rest[] = { &t->sai_b, &t->idir_b, &t->ni, &t->nr, &t->hash_r };
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
		fputc(':', out);
		hex(out, rest[i]->p, rest[i]->len);
	}
	fputc('\n', out);
}

static int nib(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

static const char *const FIELDS[9] = { "g_xr", "g_xi", "cky_r", "cky_i", "sai_b", "idir_b", "ni_b", "nr_b", "hash_r" };

int crack_psk_parse(const char *line, crack_target *t, uint8_t **store, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	size_t n = strcspn(line, "\r\n");
	uint8_t *s = *store = malloc(n / 2 + 1);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ike_am_field f[9];
	size_t at = 0, w = 0;
	for (int i = 0; i < 9; i++) {
		size_t start = at, start_w = w;
		for (; at < n && line[at] != ':'; at += 2) {
			int hi = nib(line[at]), lo = at + 1 < n ? nib(line[at + 1]) : -1;
			if (hi < 0 || lo < 0) {
				snprintf(err, errlen, "field %d (%s): not hex at column %zu", i + 1, FIELDS[i], at + 1 + (hi >= 0));
				return -1;
			}
			s[w++] = (uint8_t)(hi << 4 | lo);
		}
		f[i] = (ike_am_field){ s + start_w, w - start_w };
		if (at == start) {
			snprintf(err, errlen, "field %d (%s) is empty", i + 1, FIELDS[i]);
			return -1;
		}
		if (i < 8 && at++ >= n) {
			snprintf(err, errlen, "%d fields where 9 are needed (g_xr:g_xi:cky_r:cky_i:sai_b:idir_b:ni_b:nr_b:hash_r)", i + 1);
			return -1;
		}
	}
	if (at < n) {
		snprintf(err, errlen, "more than 9 fields (column %zu)", at + 1);
		return -1;
	}
	if (f[2].len != 8 || f[3].len != 8) {
		snprintf(err, errlen, "%s is %zu bytes: a cookie has 8", f[2].len != 8 ? "cky_r" : "cky_i",
			 f[2].len != 8 ? f[2].len : f[3].len);
		return -1;
	}
	t->gxr = f[0], t->gxi = f[1], t->sai_b = f[4], t->idir_b = f[5], t->ni = f[6], t->nr = f[7], t->hash_r = f[8];
	t->cky_r = ike_get_u64(f[2].p), t->cky_i = ike_get_u64(f[3].p);
	switch (t->hash_r.len) {
	case 16: t->hash = IKE_V1_MD5; break;
	case 20: t->hash = IKE_V1_SHA1; break;
	case 32: t->hash = IKE_V1_SHA2_256; break;
	case 48: t->hash = IKE_V1_SHA2_384; break;
	case 64: t->hash = IKE_V1_SHA2_512; break;
	default:
		snprintf(err, errlen, "hash_r is %zu bytes: not MD5 (16), SHA-1 (20) or SHA-2 (32, 48, 64)", t->hash_r.len);
		return -1;
	}
	return 0;
}
