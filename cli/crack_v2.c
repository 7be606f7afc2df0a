/*
 * `ikesim crack` on an IKEv2 PSK capture: a rogue responder's trace (its `attack.capture` events) or a file
 * whose first line is the capture line (host/v2psk.h). Each word is checked with two PRF calls, RFC 7296 2.15:
 * AUTH = prf(prf(word, "Key Pad for IKEv2"), msg1 | Nr | prf(SK_pi, IDi')).
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "crack.h"
#include "crypto/registry.h"
#include "host/v2psk.h"
#include "wire/v2.h"

#define CAPTURES_MAX 64

/* One capture of a trace: where its line is, and the event's time and node for the listing. */
typedef struct v2cap {
	const char *line;
	size_t len;
	double t;
	char node[64], from[64];
} v2cap;

static void copy_str(const char *ev, size_t n, const char *key, char *out, size_t cap)
{
	const char *p = memmem(ev, n, key, strlen(key));
	out[0] = 0;
	if (!p)
		return;
	p += strlen(key);
	size_t k = 0;
	while (p < ev + n && *p != '"' && k + 1 < cap)
		out[k++] = *p++;
	out[k] = 0;
}

/* The attack.capture events of a JSON Lines trace that carry a capture line; how many (at most max). */
static size_t scan_trace(const char *b, size_t len, v2cap *c, size_t max, size_t *more)
{
	static const char CRACK[] = "\"crack\":\"";
	size_t n = 0;
	*more = 0;
	for (const char *p = b, *end = b + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)((nl ? nl : end) - p);
		const char *k = memmem(p, ll, CRACK, sizeof(CRACK) - 1);
		if (memmem(p, ll, "\"ev\":\"attack.capture\"", 21) && k) {
			const char *v = k + sizeof(CRACK) - 1, *q = memchr(v, '"', (size_t)(p + ll - v));
			if (q && n < max) {
				c[n] = (v2cap){ .line = v, .len = (size_t)(q - v) };
				c[n].t = strtod(p + 5, NULL); /* {"t":S.NNN... */
				copy_str(p, ll, "\"node\":\"", c[n].node, sizeof(c[n].node));
				copy_str(p, ll, "\"from\":\"", c[n].from, sizeof(c[n].from));
				n++;
			} else if (q)
				(*more)++;
		}
		p = nl ? nl + 1 : end;
	}
	return n;
}


/* "ID_FQDN "gw.example", PRF_HMAC_SHA2_256, SPIi ..." */
static void describe(FILE *out, const ike_v2psk *t)
{
	const uint8_t *d = t->idi + 4;
	size_t n = t->idi_len - 4;
	fprintf(out, "  initiator SPI %016llx, ", (unsigned long long)ike_get_u64(t->msg1));
	if (t->idi[0] == V2_ID_FQDN || t->idi[0] == V2_ID_RFC822_ADDR || t->idi[0] == V2_ID_KEY_ID) {
		fprintf(out, "%s ", t->idi[0] == V2_ID_FQDN ? "ID_FQDN" : t->idi[0] == V2_ID_KEY_ID ? "ID_KEY_ID" : "ID_RFC822_ADDR");
		crack_quoted(out, d, n > 128 ? 128 : n);
	} else if (t->idi[0] == V2_ID_IPV4_ADDR && n == 4)
		fprintf(out, "ID_IPV4_ADDR %u.%u.%u.%u", d[0], d[1], d[2], d[3]);
	else
		fprintf(out, "ID type %u", t->idi[0]);
	fprintf(out, ", %s, message 1 of %zu bytes\n", ike_transform_name(IKE_TT_PRF, t->prf, 0), t->msg1_len);
}


/* The IKEv2 target and its prf(PSK-independent) part, computed once with the run's crypto. */
typedef struct v2_try {
	const ike_v2psk *t;
	bool prepared;
	uint8_t maced[IKE_PRF_MAX_OUT];
} v2_try;

/* One word against an IKEv2 AUTH (crack_try_fn). */
static int try_v2(void *ctx, const ike_crypto *c, const uint8_t *word, size_t len, FILE *err)
{
	v2_try *v = ctx;
	if (!v->prepared && ike_host_v2psk_prepare(c, v->t, v->maced)) {
		fprintf(err, "ikesim crack: the PRF failed\n");
		return -1;
	}
	v->prepared = true;
	int hit = ike_host_v2psk_try(c, v->t, v->maced, word, len);
	if (hit < 0)
		fprintf(err, "ikesim crack: the PRF failed\n");
	return hit;
}

/* The word list against t. */
static int attack(const ike_v2psk *t, const char *path, FILE *out, FILE *err)
{
	v2_try v = { .t = t };
	int rc = crack_run(path, try_v2, &v, out, err);
	OPENSSL_cleanse(v.maced, sizeof(v.maced));
	return rc;
}

/* Which capture of a trace: 0 with *k set (0-based), or an exit code after saying why. */
static int pick(const crack_v2_args *a, const v2cap *c, size_t n, size_t more, size_t *k, FILE *out, FILE *err)
{
	if (!n) {
		fprintf(err, "ikesim crack: %s: a trace without an IKEv2 PSK capture (no attack.capture event with a "
			     "\"crack\" line: the rogue responder saw no PSK initiator's IKE_AUTH)\n", a->capture);
		return CRACK_BAD_INPUT;
	}
	if (a->list || (!a->exchange && n > 1)) {
		FILE *f = a->list ? out : err;
		fprintf(f, "%s: %zu IKEv2 PSK capture%s%s\n", a->capture, n, n > 1 ? "s" : "", more ? " (more not kept)" : "");
		for (size_t i = 0; i < n; i++)
			fprintf(f, "  %zu  t=%.6f s  by %s  from %s\n", i + 1, c[i].t, c[i].node, c[i].from);
		if (!a->list) {
			fprintf(err, "ikesim crack: choose one with --exchange N\n");
			return CRACK_BAD_INPUT;
		}
		if (!a->wordlist && !a->psk_hash)
			return CRACK_FOUND;
	}
	*k = a->exchange ? (size_t)a->exchange - 1 : 0;
	if (*k >= n) {
		fprintf(err, "ikesim crack: --exchange %ld: %s holds %zu IKEv2 PSK capture%s\n", a->exchange, a->capture, n,
			n > 1 ? "s" : "");
		return CRACK_BAD_INPUT;
	}
	return 0;
}

int crack_v2(const crack_v2_args *a, const uint8_t *buf, size_t len, FILE *out, FILE *err)
{
	const char *b = (const char *)buf;
	v2cap caps[CAPTURES_MAX];
	size_t n = 1, more = 0, k = 0;
	int rc;
	if (len >= strlen(IKE_V2PSK_TAG) && !memcmp(b, IKE_V2PSK_TAG, strlen(IKE_V2PSK_TAG))) {
		caps[0] = (v2cap){ .line = b, .len = strcspn(b, "\r\n") };
		caps[0].len = caps[0].len > len ? len : caps[0].len;
		snprintf(caps[0].node, sizeof(caps[0].node), "-");
	} else if ((rc = pick(a, caps, n = scan_trace(b, len, caps, CAPTURES_MAX, &more), more, &k, out, err)))
		return rc;
	else if (a->list && !a->wordlist && !a->psk_hash)
		return CRACK_FOUND;
	ike_v2psk t;
	uint8_t *store = NULL;
	char msg[256];
	if (ike_host_v2psk_parse(caps[k].line, caps[k].len, &t, &store, msg, sizeof(msg))) {
		fprintf(err, "ikesim crack: %s: IKEv2 capture line: %s\n", a->capture, msg);
		free(store);
		return CRACK_BAD_INPUT;
	}
	if (caps[k].node[0] == '-')
		fprintf(out, "%s: IKEv2 PSK capture line\n", a->capture);
	else
		fprintf(out, "%s: IKEv2 PSK capture %zu of %zu (attack.capture at %.6f s by %s), initiator %s\n", a->capture,
			k + 1, n, caps[k].t, caps[k].node, caps[k].from);
	describe(out, &t);
	rc = CRACK_FOUND;
	if (a->psk_hash)
		fprintf(out, "%.*s\n", (int)caps[k].len, caps[k].line);
	if (a->wordlist)
		rc = attack(&t, a->wordlist, out, err);
	free(store);
	return rc;
}

bool crack_v2_input(const uint8_t *b, size_t len)
{
	size_t tag = strlen(IKE_V2PSK_TAG);
	return (len >= tag && !memcmp(b, IKE_V2PSK_TAG, tag)) || (len && b[0] == '{');
}
