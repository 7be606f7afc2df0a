/* IKEv2 PSK AUTH checked against guesses (RFC 7296 2.15), and the capture line that carries its inputs. */
#include "host/v2psk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* RFC 7296 2.15: the 17 ASCII characters, no terminating NUL. */
static const char KEY_PAD[] = "Key Pad for IKEv2";

static const char *const FIELDS[6] = { "prf", "msg1", "nr", "sk_pi", "idi", "auth" };

size_t ike_host_v2psk_line_len(const ike_v2psk *t)
{
	return strlen(IKE_V2PSK_TAG) + 5 + 5 +
	       2 * (t->msg1_len + t->nr_len + t->sk_pi_len + t->idi_len + t->auth_len) + 1;
}

size_t ike_host_v2psk_line(const ike_v2psk *t, char *out, size_t cap)
{
	if (cap < ike_host_v2psk_line_len(t))
		return 0;
	size_t n = (size_t)snprintf(out, cap, "%s%u", IKE_V2PSK_TAG, t->prf);
	const uint8_t *p[5] = { t->msg1, t->nr, t->sk_pi, t->idi, t->auth };
	size_t l[5] = { t->msg1_len, t->nr_len, t->sk_pi_len, t->idi_len, t->auth_len };
	for (int f = 0; f < 5; f++) {
		out[n++] = ':';
		for (size_t i = 0; i < l[f]; i++)
			n += (size_t)snprintf(out + n, cap - n, "%02x", p[f][i]);
	}
	out[n] = 0;
	return n;
}

static int nib(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* Field f (1..5) of hex at line[*at..n) into s + *w; its view in *p / *len. 0 or -1 with err. */
static int hex_field(const char *line, size_t n, size_t *at, int f, uint8_t *s, size_t *w, const uint8_t **p,
		     size_t *len, char *err, size_t errlen)
{
	size_t start = *w;
	while (*at < n && line[*at] != ':') {
		int hi = nib(line[*at]), lo = *at + 1 < n ? nib(line[*at + 1]) : -1;
		if (hi < 0 || lo < 0) {
			snprintf(err, errlen, "field %d (%s): not hex at column %zu", f + 1, FIELDS[f], *at + 1 + (hi >= 0));
			return -1;
		}
		s[(*w)++] = (uint8_t)(hi << 4 | lo);
		*at += 2;
	}
	*p = s + start, *len = *w - start;
	if (!*len) {
		snprintf(err, errlen, "field %d (%s) is empty", f + 1, FIELDS[f]);
		return -1;
	}
	if (f < 5 && (*at)++ >= n) {
		snprintf(err, errlen, "%d fields where 6 are needed (prf:msg1:nr:sk_pi:idi:auth)", f + 1);
		return -1;
	}
	return 0;
}

int ike_host_v2psk_parse(const char *line, size_t n, ike_v2psk *t, uint8_t **store, char *err, size_t errlen)
{
	size_t tag = strlen(IKE_V2PSK_TAG), at = tag, w = 0;
	memset(t, 0, sizeof(*t));
	*store = NULL;
	if (n < tag || memcmp(line, IKE_V2PSK_TAG, tag)) {
		snprintf(err, errlen, "does not start with '%s'", IKE_V2PSK_TAG);
		return -1;
	}
	unsigned long prf = 0;
	while (at < n && line[at] >= '0' && line[at] <= '9' && prf < 65536)
		prf = prf * 10 + (unsigned long)(line[at++] - '0');
	if (at == tag || at >= n || line[at] != ':' || !ike_prf_out_len((uint16_t)prf) || prf > 65535) {
		snprintf(err, errlen, "field 1 (prf): not the number of a PRF this build knows");
		return -1;
	}
	t->prf = (uint16_t)prf;
	at++;
	uint8_t *s = *store = malloc(n / 2 + 1);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const uint8_t **p[5] = { &t->msg1, &t->nr, &t->sk_pi, &t->idi, &t->auth };
	size_t *l[5] = { &t->msg1_len, &t->nr_len, &t->sk_pi_len, &t->idi_len, &t->auth_len };
	for (int f = 1; f <= 5; f++)
		if (hex_field(line, n, &at, f, s, &w, p[f - 1], l[f - 1], err, errlen))
			return -1;
	if (at < n) {
		snprintf(err, errlen, "more than 6 fields (column %zu)", at + 1);
		return -1;
	}
	if (t->msg1_len < 28 || t->idi_len < 4 || t->auth_len != ike_prf_out_len(t->prf)) {
		snprintf(err, errlen, "%s", t->msg1_len < 28 ? "msg1 is shorter than an IKE header"
					    : t->idi_len < 4  ? "idi is shorter than an ID payload body (type, reserved)"
							      : "auth is not as long as the PRF's output");
		return -1;
	}
	return 0;
}

int ike_host_v2psk_prepare(const ike_crypto *c, const ike_v2psk *t, uint8_t maced[IKE_PRF_MAX_OUT])
{
	ike_iov id = { t->idi, t->idi_len };
	return ike_prf(c, t->prf, t->sk_pi, t->sk_pi_len, &id, 1, maced) ? -1 : 0;
}

int ike_host_v2psk_try(const ike_crypto *c, const ike_v2psk *t, const uint8_t *maced, const uint8_t *word, size_t len)
{
	size_t out = ike_prf_out_len(t->prf);
	uint8_t key[IKE_PRF_MAX_OUT], got[IKE_PRF_MAX_OUT];
	ike_iov pad = { (const uint8_t *)KEY_PAD, sizeof(KEY_PAD) - 1 };
	ike_iov octets[3] = { { t->msg1, t->msg1_len }, { t->nr, t->nr_len }, { maced, out } };
	int rc = ike_prf(c, t->prf, word, len, &pad, 1, key);
	if (!rc)
		rc = ike_prf(c, t->prf, key, out, octets, 3, got);
	int hit = !rc && out == t->auth_len && CRYPTO_memcmp(got, t->auth, out) == 0;
	OPENSSL_cleanse(key, sizeof(key)); /* prf(PSK, pad) of the right guess is as good as the PSK */
	OPENSSL_cleanse(got, sizeof(got));
	return rc ? -1 : hit;
}
