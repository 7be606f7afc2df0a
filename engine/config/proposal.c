/* strongSwan-style proposal strings: parsing ("aes128-sha256-modp2048,...") and display formatting. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/proposal.h"
#include "crypto/registry.h"

/* Writes a one-line reason into err (if given); always returns -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Appends a transform unless already listed; 0, or -1 if the per-type list is full. */
static int add_xform(ike_xform *list, uint8_t *n, uint8_t max, uint16_t id, uint16_t keylen)
{
	for (uint8_t i = 0; i < *n; i++)
		if (list[i].id == id && list[i].keylen == keylen)
			return 0;
	if (*n >= max)
		return -1;
	list[*n].id = id;
	list[*n].keylen = keylen;
	(*n)++;
	return 0;
}

/* Parses one dash-separated proposal text[0..len) as proposal number num. */
static int parse_one(const char *text, size_t len, uint8_t protocol, unsigned num, ike_proposal *p, bool v1,
		     char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->protocol = protocol;
	int aead = -1; /* unknown until the first ENCR keyword */
	uint16_t implied[IKE_PROP_MAX_PER_TYPE];
	uint8_t n_implied = 0;
	size_t i = 0;
	if (len == 0)
		return fail(err, errlen, "empty proposal %u", num);
	while (i <= len) {
		size_t j = i;
		while (j < len && text[j] != '-')
			j++;
		const char *w = text + i;
		if (j == i)
			return fail(err, errlen, "empty keyword in proposal %u", num);
		/* Messages quote at most 64 characters of a keyword (and %.*s needs an int). */
		int wl = j - i > 64 ? 64 : (int)(j - i);
		const ike_keyword *kw = ike_keyword_find(w, j - i), *legacy = ike_keyword_find_v1(w, j - i);
		if (!kw && legacy && !v1)
			return fail(err, errlen, "'%.*s' is for IKEv1 connections only (\"version\": 1) in proposal %u", wl,
				    w, num);
		if (!kw)
			kw = legacy;
		if (!kw)
			return fail(err, errlen, "unknown keyword '%.*s' in proposal %u", wl, w, num);
		const ike_alg *a = ike_alg_find(kw->type, kw->id, kw->keylen_bits);
		int full = 0;
		switch (kw->type) {
		case IKE_TT_ENCR:
			if (protocol == IKE_PROTO_AH) /* AH authenticates only (RFC 4302): encryption is ESP's */
				return fail(err, errlen, "encryption algorithm '%.*s' not allowed in AH proposal %u", wl, w,
					    num);
			if (aead >= 0 && aead != (a && a->aead))
				return fail(err, errlen, "'%.*s' mixes AEAD and non-AEAD encryption in proposal %u", wl,
					    w, num);
			aead = a && a->aead;
			full = add_xform(p->encr, &p->n_encr, IKE_PROP_MAX_PER_TYPE, kw->id, kw->keylen_bits);
			break;
		case IKE_TT_INTEG:
			full = add_xform(p->integ, &p->n_integ, IKE_PROP_MAX_PER_TYPE, kw->id, 0);
			if (!full && kw->implied_prf && n_implied < IKE_PROP_MAX_PER_TYPE)
				implied[n_implied++] = kw->implied_prf;
			break;
		case IKE_TT_PRF:
			if (protocol != IKE_PROTO_IKE)
				return fail(err, errlen, "PRF keyword '%.*s' not allowed in %s proposal %u", wl, w,
					    protocol == IKE_PROTO_AH ? "AH" : "ESP", num);
			full = add_xform(p->prf, &p->n_prf, IKE_PROP_MAX_PER_TYPE, kw->id, 0);
			break;
		case IKE_TT_DH:
			full = add_xform(p->dh, &p->n_dh, IKE_PROP_MAX_PER_TYPE, kw->id, 0);
			break;
		case IKE_TT_ESN:
			if (protocol == IKE_PROTO_IKE)
				return fail(err, errlen, "ESN keyword '%.*s' not allowed in IKE proposal %u", wl, w, num);
			full = add_xform(p->esn, &p->n_esn, 2, kw->id, 0);
			break;
		default:
			return fail(err, errlen, "unusable keyword '%.*s' in proposal %u", wl, w, num);
		}
		if (full)
			return fail(err, errlen, "too many %s algorithms at '%.*s' in proposal %u",
				    ike_transform_type_name(kw->type), wl, w, num);
		i = j + 1;
	}
	if (protocol == IKE_PROTO_AH && !p->n_integ)
		return fail(err, errlen, "no integrity algorithm in AH proposal %u", num);
	if (!p->n_encr && protocol != IKE_PROTO_AH)
		return fail(err, errlen, "no encryption algorithm in proposal %u", num);
	if (aead == 1 && p->n_integ)
		return fail(err, errlen, "AEAD algorithm with integrity algorithm in proposal %u", num);
	if (aead == 0 && !p->n_integ)
		return fail(err, errlen, "no integrity algorithm in proposal %u", num);
	if (protocol == IKE_PROTO_IKE) {
		/* An integrity keyword without a prf keyword implies the PRF of the same hash. */
		if (!p->n_prf)
			for (uint8_t k = 0; k < n_implied; k++)
				add_xform(p->prf, &p->n_prf, IKE_PROP_MAX_PER_TYPE, implied[k], 0);
		if (!p->n_prf)
			return fail(err, errlen, "no PRF algorithm in proposal %u", num);
		if (!p->n_dh)
			return fail(err, errlen, "no DH group in proposal %u", num);
	} else if (!p->n_esn) {
		p->esn[0].id = IKE_ESN_NO;
		p->n_esn = 1;
	}
	return 0;
}

static int parse_list(const char *text, uint8_t protocol, ike_proposal_list *out, bool v1, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return fail(err, errlen, "no output list");
	memset(out, 0, sizeof(*out));
	if (!text)
		return fail(err, errlen, "no proposal text");
	if (protocol != IKE_PROTO_IKE && protocol != IKE_PROTO_ESP && protocol != IKE_PROTO_AH)
		return fail(err, errlen, "unsupported protocol %u", (unsigned)protocol);
	size_t len = strlen(text), i = 0;
	unsigned num = 1;
	while (i <= len) {
		size_t j = i;
		while (j < len && text[j] != ',')
			j++;
		/* Tolerate blanks around each proposal ("aes128-sha256-modp2048, aes256gcm16-x25519"). */
		size_t s = i, e = j;
		while (s < e && (text[s] == ' ' || text[s] == '\t'))
			s++;
		while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t'))
			e--;
		if (out->n >= IKE_PROP_MAX) {
			out->n = 0;
			return fail(err, errlen, "too many proposals (max %d) at proposal %u", IKE_PROP_MAX, num);
		}
		if (parse_one(text + s, e - s, protocol, num, &out->p[out->n], v1, err, errlen)) {
			out->n = 0;
			return -1;
		}
		out->n++;
		num++;
		i = j + 1;
	}
	return 0;
}

/* snprintf-like append that never overruns: *at keeps counting past cap for the return value. */
static void put(char *out, size_t cap, size_t *at, const char *s)
{
	size_t l = strlen(s);
	if (cap && *at < cap - 1) {
		size_t room = cap - 1 - *at;
		memcpy(out + *at, s, l < room ? l : room);
	}
	*at += l;
}

static void put_list(char *out, size_t cap, size_t *at, uint8_t type, const ike_xform *x, uint8_t n, int *first)
{
	for (uint8_t i = 0; i < n; i++) {
		if (!*first)
			put(out, cap, at, "/");
		put(out, cap, at, ike_transform_name(type, x[i].id, x[i].keylen));
		*first = 0;
	}
}

int ike_proposals_parse(const char *text, uint8_t protocol, ike_proposal_list *out, char *err, size_t errlen)
{
	return parse_list(text, protocol, out, false, err, errlen);
}

int ike_proposals_parse_v1(const char *text, uint8_t protocol, ike_proposal_list *out, char *err, size_t errlen)
{
	return parse_list(text, protocol, out, true, err, errlen);
}

bool ike_proposals_v1_only(const ike_proposal_list *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		const ike_proposal *p = &pl->p[i];
		for (size_t k = 0; k < p->n_encr; k++)
			if (p->encr[k].id == IKE_ENCR_3DES)
				return true;
		for (size_t k = 0; k < p->n_integ; k++)
			if (p->integ[k].id == IKE_INTEG_HMAC_MD5_96)
				return true;
		for (size_t k = 0; k < p->n_prf; k++)
			if (p->prf[k].id == IKE_PRF_HMAC_MD5)
				return true;
	}
	return false;
}

size_t ike_proposal_format(const ike_proposal *p, char *out, size_t cap)
{
	size_t at = 0;
	int first = 1;
	if (!out)
		cap = 0;
	if (p) {
		/* strongSwan's order: encryption, integrity, PRF, DH, ESN. */
		put_list(out, cap, &at, IKE_TT_ENCR, p->encr, p->n_encr < IKE_PROP_MAX_PER_TYPE ? p->n_encr : IKE_PROP_MAX_PER_TYPE, &first);
		put_list(out, cap, &at, IKE_TT_INTEG, p->integ, p->n_integ < IKE_PROP_MAX_PER_TYPE ? p->n_integ : IKE_PROP_MAX_PER_TYPE, &first);
		put_list(out, cap, &at, IKE_TT_PRF, p->prf, p->n_prf < IKE_PROP_MAX_PER_TYPE ? p->n_prf : IKE_PROP_MAX_PER_TYPE, &first);
		put_list(out, cap, &at, IKE_TT_DH, p->dh, p->n_dh < IKE_PROP_MAX_PER_TYPE ? p->n_dh : IKE_PROP_MAX_PER_TYPE, &first);
		put_list(out, cap, &at, IKE_TT_ESN, p->esn, p->n_esn < 2 ? p->n_esn : 2, &first);
	}
	if (cap)
		out[at < cap ? at : cap - 1] = '\0';
	return at;
}
