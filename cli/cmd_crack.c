/*
 * `ikesim crack CAPTURE --wordlist FILE [--exchange N] [--psk-hash] [--list]`: finds an IKEv1 Aggressive Mode
 * exchange in a pcap/pcapng (or reads ike-scan's psk-crack parameter line) and tries each word of the list
 * as its pre-shared key. Exit 0 found, 3 not found, 2 bad input (docs/crack.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "crack.h"
#include "crypto/kdf_v1.h"
#include "host/names.h"
#include "wire/v1.h"

#define CAPTURE_MAX (1024u * 1024u * 1024u)

typedef struct crack_opts {
	const char *capture, *wordlist;
	long exchange; /* 0: not given */
	bool psk_hash, list;
} crack_opts;

static void crack_usage(FILE *f)
{
	fprintf(f, "usage: ikesim crack CAPTURE --wordlist FILE [--exchange N] [--psk-hash] [--list]\n\n"
		   "IKEv2: CAPTURE is the trace of a run with a rogue_responder (its attack.capture events) or a file\n"
		   "holding one ikev2-psk: line; a word is the PSK when prf(prf(word, \"Key Pad for IKEv2\"),\n"
		   "msg1 | Nr | prf(SK_pi, IDi)) equals the initiator's AUTH (RFC 7296 2.15). IKEv1:\n"
		   "The offline dictionary attack on an IKEv1 Aggressive Mode pre-shared key (RFC 2409 5). CAPTURE is a\n"
		   "pcap or pcapng (Ethernet, raw IP or Linux cooked; IPv4/IPv6; UDP 500, or 4500 with the non-ESP marker)\n"
		   "holding the first two messages of the exchange, or a file with ike-scan's psk-crack parameter line.\n"
		   "Each word (one a line; CRLF allowed, empty lines skipped, up to %d bytes) is tried as the PSK:\n"
		   "SKEYID = prf(word, Ni_b | Nr_b), then HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)\n"
		   "is compared with the one the responder sent in clear. No Diffie-Hellman secret is needed.\n\n"
		   "  --wordlist FILE  the candidate keys ('-' for standard input)\n"
		   "  --exchange N     which Aggressive Mode exchange of the capture (see --list)\n"
		   "  --list           list the exchanges found and whether each can be attacked\n"
		   "  --psk-hash       print the parameters as ike-scan's psk-crack line\n"
		   "                   (g_xr:g_xi:cky_r:cky_i:sai_b:idir_b:ni_b:nr_b:hash_r, hex)\n\n"
		   "exit status: 0 PSK found (or --list/--psk-hash alone), 3 no word matched, 2 bad input, 1 internal error\n",
		CRACK_WORD_MAX);
}

static int parse_args(int argc, char **argv, crack_opts *o, FILE *out, FILE *err)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *v = argv[i];
		if (!strcmp(v, "--help") || !strcmp(v, "-h")) {
			crack_usage(out);
			return -1;
		}
		if (!strcmp(v, "--psk-hash"))
			o->psk_hash = true;
		else if (!strcmp(v, "--list"))
			o->list = true;
		else if (!strcmp(v, "--wordlist") || !strcmp(v, "-w") || !strcmp(v, "--exchange")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(err, "ikesim crack: %s needs a value\n", v);
				return CRACK_BAD_INPUT;
			}
			const char *a = argv[++i];
			if (strcmp(v, "--exchange")) {
				o->wordlist = a;
				continue;
			}
			char *end;
			o->exchange = strtol(a, &end, 10);
			if (*end || o->exchange < 1 || o->exchange > IKE_AM_MAX) {
				fprintf(err, "ikesim crack: --exchange '%.32s': want a number from 1 to %d\n", a, IKE_AM_MAX);
				return CRACK_BAD_INPUT;
			}
		} else if ((v[0] == '-' && v[1]) || o->capture) {
			fprintf(err, "ikesim crack: unexpected argument '%.64s' (try 'ikesim crack --help')\n", v);
			return CRACK_BAD_INPUT;
		} else
			o->capture = v;
	}
	if (!o->capture || (!o->wordlist && !o->psk_hash && !o->list)) {
		fprintf(err, "ikesim crack: need CAPTURE and --wordlist FILE (try 'ikesim crack --help')\n");
		return CRACK_BAD_INPUT;
	}
	return 0;
}

/* The whole file in memory (captures of an exchange are small; bounded anyway). */
static uint8_t *slurp(const char *path, size_t *len, FILE *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(err, "ikesim crack: %s: cannot open: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 65536, n = 0;
	uint8_t *b = malloc(cap);
	while (b) {
		n += fread(b + n, 1, cap - n, f);
		if (n < cap || ferror(f))
			break;
		if (cap >= CAPTURE_MAX) {
			fprintf(err, "ikesim crack: %s: larger than %u MiB\n", path, CAPTURE_MAX >> 20);
			free(b);
			b = NULL;
			break;
		}
		uint8_t *nb = realloc(b, cap * 2);
		if (!nb)
			free(b);
		b = nb, cap *= 2;
	}
	if (b && ferror(f)) {
		fprintf(err, "ikesim crack: %s: read error\n", path);
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = n;
	return b;
}

static const char *hash_name(uint16_t h)
{
	switch (h) {
	case IKE_V1_MD5: return "MD5";
	case IKE_V1_SHA1: return "SHA1";
	case IKE_V1_SHA2_256: return "SHA2-256";
	case IKE_V1_SHA2_384: return "SHA2-384";
	case IKE_V1_SHA2_512: return "SHA2-512";
	default: return "?";
	}
}


/* The responder's identity from IDir_b (type, protocol, port, data). */
static void print_id(FILE *out, const ike_am_field *id)
{
	if (id->len < 4)
		return;
	const uint8_t *d = id->p + 4;
	size_t n = id->len - 4;
	fprintf(out, "%s ", v1_id_type_name(id->p[0]));
	if (id->p[0] == V1_ID_IPV4_ADDR && n == 4)
		fprintf(out, "%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
	else if (id->p[0] == V1_ID_FQDN || id->p[0] == V1_ID_USER_FQDN || id->p[0] == V1_ID_KEY_ID)
		crack_quoted(out, d, n > 128 ? 128 : n);
	else
		for (size_t i = 0; i < n && i < 32; i++)
			fprintf(out, "%02x", d[i]);
}

static void exch_line(FILE *f, const ike_am_scan *s, uint32_t i)
{
	const ike_am_exch *x = &s->x[i];
	char a[64] = "?", b[64] = "?", f1[16] = "-", f2[16] = "-";
	if (x->init.family) {
		ike_host_addr_format(&x->init, a, sizeof(a));
		ike_host_addr_format(&x->resp, b, sizeof(b));
	}
	if (x->frame1)
		snprintf(f1, sizeof(f1), "%u", x->frame1);
	if (x->frame2)
		snprintf(f2, sizeof(f2), "%u", x->frame2);
	fprintf(f, "  %u  frames %s, %s  %s -> %s  CKY-I %016llx: %s\n", i + 1, f1, f2, a, b, (unsigned long long)x->cky_i,
		x->problem[0] ? x->problem : "can be attacked");
}

/* Why nothing in the capture can be attacked. */
static void none_found(FILE *err, const char *path, const ike_am_scan *s)
{
	fprintf(err, "ikesim crack: %s: ", path);
	if (s->n_mm)
		fprintf(err, "Main Mode only (%u exchange%s), no Aggressive Mode. Main Mode hides the identity and needs the "
			     "DH secret: this attack needs Aggressive Mode\n", s->n_mm, s->n_mm > 1 ? "s" : "");
	else if (s->n_v2 && !s->n_v1)
		fprintf(err, "IKEv2 only (%u messages): its AUTH is sent encrypted, so a passive capture is not enough; a rogue "
			     "responder's trace is (docs/attacks.md), or IKEv1 Aggressive Mode\n", s->n_v2);
	else {
		const ike_cap_reader *r = &s->rd;
		fprintf(err, "no IKEv1 Aggressive Mode exchange (%u frames, %u IKE datagrams on UDP 500/4500", r->frame, s->n_ike);
		if (r->n_other_port || r->n_esp || r->n_fragment || r->n_bad_link || s->n_cut)
			fprintf(err, "; skipped: %u on other ports, %u ESP, %u IP fragments, %u of an unknown link type, %u cut short",
				r->n_other_port, r->n_esp, r->n_fragment, r->n_bad_link, s->n_cut);
		fprintf(err, ")\n");
	}
}

/* Picks the exchange to attack: 0 with *t set, or an exit code after saying why. */
static int choose(const crack_opts *o, const ike_am_scan *s, crack_target *t, FILE *out, FILE *err)
{
	if (!s->n) {
		none_found(err, o->capture, s);
		return CRACK_BAD_INPUT;
	}
	if (o->list) {
		fprintf(out, "%s: %u Aggressive Mode exchange%s%s\n", o->capture, s->n, s->n > 1 ? "s" : "",
			s->n_extra ? " (more not kept)" : "");
		for (uint32_t i = 0; i < s->n; i++)
			exch_line(out, s, i);
		if (!o->wordlist && !o->psk_hash)
			return CRACK_FOUND;
	}
	uint32_t k = (uint32_t)o->exchange;
	if (!k && s->n > 1 && ike_am_usable(s) == 1) { /* the others are partial or unsuitable: no real choice */
		for (uint32_t i = 0; i < s->n && !k; i++)
			k = s->x[i].problem[0] ? 0 : i + 1;
		fprintf(out, "%s: the only one of %u Aggressive Mode exchanges that can be attacked (see --list)\n",
			o->capture, s->n);
	}
	if (!k && s->n > 1) {
		fprintf(err, "ikesim crack: %s holds %u Aggressive Mode exchanges: choose one with --exchange N\n", o->capture,
			s->n);
		for (uint32_t i = 0; i < s->n; i++)
			exch_line(err, s, i);
		return CRACK_BAD_INPUT;
	}
	if (k > s->n) {
		fprintf(err, "ikesim crack: --exchange %u: %s holds %u Aggressive Mode exchange%s\n", k, o->capture, s->n,
			s->n > 1 ? "s" : "");
		return CRACK_BAD_INPUT;
	}
	const ike_am_exch *x = &s->x[k ? k - 1 : 0];
	if (x->problem[0]) {
		fprintf(err, "ikesim crack: %s: Aggressive Mode exchange %u cannot be attacked: %s\n", o->capture, k ? k : 1,
			x->problem);
		return CRACK_BAD_INPUT;
	}
	crack_target_of(x, t);
	char a[64], b[64];
	ike_host_addr_format(&x->init, a, sizeof(a));
	ike_host_addr_format(&x->resp, b, sizeof(b));
	fprintf(out, "%s: Aggressive Mode exchange %u of %u, frames %u and %u, %s -> %s\n", o->capture, k ? k : 1, s->n,
		x->frame1, x->frame2, a, b);
	fprintf(out, "  CKY-I %016llx CKY-R %016llx, hash %s, DH group %u, responder ID ", (unsigned long long)x->cky_i,
		(unsigned long long)x->cky_r, hash_name(x->hash), x->group);
	print_id(out, &x->idir_b);
	fputc('\n', out);
	return 0;
}


/* One word against an IKEv1 Aggressive Mode exchange (crack_try_fn). */
static int try_v1(void *ctx, const ike_crypto *c, const uint8_t *word, size_t len, FILE *err)
{
	const crack_target *t = ctx;
	int hit = crack_try(c, t, word, len);
	if (hit < 0)
		fprintf(err, "ikesim crack: the %s PRF failed\n", hash_name(t->hash));
	return hit;
}

/* The dictionary attack proper. */
static int attack(const crack_target *t, const char *path, FILE *out, FILE *err)
{
	return crack_run(path, try_v1, (void *)t, out, err);
}

/* A text file whose first line holds a ':' and printable ASCII only: psk-crack's line, not a capture (whose
 * magic bytes are not printable). */
static bool is_psk_line(const uint8_t *b, size_t n)
{
	size_t i = 0;
	while (i < n && b[i] != '\n' && b[i] != '\r' && b[i] >= 0x20 && b[i] < 0x7f)
		i++;
	return i > 0 && memchr(b, ':', i) && (i == n || b[i] == '\n' || b[i] == '\r');
}

int cli_crack(int argc, char **argv, FILE *out, FILE *err)
{
	crack_opts o;
	int rc = parse_args(argc, argv, &o, out, err);
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	size_t len = 0;
	uint8_t *cap = slurp(o.capture, &len, err), *store = NULL;
	if (!cap)
		return CRACK_BAD_INPUT;
	ike_am_scan *s = calloc(1, sizeof(*s));
	crack_target t;
	char msg[256];
	if (!s) {
		rc = CRACK_ERR;
	} else if (crack_v2_input(cap, len)) {
		crack_v2_args a = { o.capture, o.wordlist, o.exchange, o.psk_hash, o.list };
		rc = crack_v2(&a, cap, len, out, err);
		o.psk_hash = false, o.wordlist = NULL; /* done there */
	} else if (is_psk_line(cap, len)) {
		char *line = strndup((const char *)cap, len);
		if (!line || crack_psk_parse(line, &t, &store, msg, sizeof(msg))) {
			fprintf(err, "ikesim crack: %s: psk-crack line: %s\n", o.capture, line ? msg : "out of memory");
			rc = CRACK_BAD_INPUT;
		} else
			fprintf(out, "%s: psk-crack parameters, hash %s (told by HASH_R's length)\n", o.capture, hash_name(t.hash));
		free(line);
	} else if (ike_am_scan_capture(cap, len, s, msg, sizeof(msg))) {
		fprintf(err, "ikesim crack: %s: %s\n", o.capture, msg);
		rc = CRACK_BAD_INPUT;
	} else
		rc = choose(&o, s, &t, out, err);
	if (!rc && (o.psk_hash || o.wordlist)) {
		if (o.psk_hash)
			crack_psk_line(&t, out);
		if (o.wordlist)
			rc = attack(&t, o.wordlist, out, err);
	}
	free(s);
	free(store);
	free(cap);
	return rc;
}
