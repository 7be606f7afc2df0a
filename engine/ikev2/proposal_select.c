/*
 * SA payload <-> configured proposals (RFC 7296 2.7, 3.3). The responder walks its own proposals
 * first, so its configured order decides; the initiator checks the answer is one it offered.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/registry.h"
#include "ikev2/sa.h"

static void add_xforms(v2_proposal *p, uint8_t type, const ike_xform *x, uint8_t n)
{
	for (uint8_t i = 0; i < n && p->n < V2_MAX_TRANSFORMS; i++)
		p->t[p->n++] = (v2_transform){ .type = type, .id = x[i].id, .keylen = x[i].keylen };
}

void v2_sa_from_config(const ike_proposal_list *pl, uint8_t protocol, const uint8_t *spi, uint8_t spi_size,
		       bool strip_dh, v2_sa *out)
{
	memset(out, 0, sizeof(*out));
	for (uint8_t i = 0; i < pl->n && out->n < V2_MAX_PROPOSALS; i++) {
		const ike_proposal *c = &pl->p[i];
		v2_proposal *p = &out->prop[out->n++];
		p->num = (uint8_t)(i + 1);
		p->protocol = protocol;
		p->spi_size = spi_size;
		if (spi_size)
			memcpy(p->spi, spi, spi_size);
		add_xforms(p, IKE_TT_ENCR, c->encr, c->n_encr);
		add_xforms(p, IKE_TT_PRF, c->prf, c->n_prf);
		add_xforms(p, IKE_TT_INTEG, c->integ, c->n_integ);
		if (!strip_dh)
			add_xforms(p, IKE_TT_DH, c->dh, c->n_dh);
		if (protocol != IKE_PROTO_IKE) { /* ESP and AH: ESN mandatory (RFC 7296 3.3.3) */
			static const ike_xform no_esn = { IKE_ESN_NO, 0 };
			if (c->n_esn)
				add_xforms(p, IKE_TT_ESN, c->esn, c->n_esn);
			else
				add_xforms(p, IKE_TT_ESN, &no_esn, 1);
		}
	}
}

/* A transform carrying an attribute we do not understand is unacceptable; others of its type still count (3.3.6). */
static bool offers(const v2_proposal *tp, uint8_t type, uint16_t id, uint16_t keylen)
{
	for (uint8_t i = 0; i < tp->n; i++)
		if (tp->t[i].type == type && tp->t[i].id == id && tp->t[i].keylen == keylen &&
		    !v2_attr_unknown(tp, i))
			return true;
	return false;
}

/* True if the proposal carries transforms of `type` other than NONE (id 0). */
static bool has_type(const v2_proposal *tp, uint8_t type)
{
	for (uint8_t i = 0; i < tp->n; i++)
		if (tp->t[i].type == type && tp->t[i].id != 0)
			return true;
	return false;
}

static bool any_of_type(const v2_proposal *tp, uint8_t type)
{
	for (uint8_t i = 0; i < tp->n; i++)
		if (tp->t[i].type == type)
			return true;
	return false;
}

/* First of our choices that they offer; prefer `want` if both have it. found=false if none. */
static ike_xform pick(const ike_xform *ours, uint8_t n, const v2_proposal *tp, uint8_t type, uint16_t want,
		      bool *found)
{
	*found = false;
	for (uint8_t i = 0; want && i < n; i++)
		if (ours[i].id == want && offers(tp, type, ours[i].id, ours[i].keylen)) {
			*found = true;
			return ours[i];
		}
	for (uint8_t i = 0; i < n; i++)
		if (offers(tp, type, ours[i].id, ours[i].keylen)) {
			*found = true;
			return ours[i];
		}
	return (ike_xform){ 0, 0 };
}

/* 1 if the algorithm is registered only with a Key Length, 0 if only without, -1 if we do not know it. */
static int needs_keylen(uint8_t type, uint16_t id)
{
	size_t n;
	const ike_alg *all = ike_alg_all(&n);
	int r = -1;
	for (size_t i = 0; i < n; i++)
		if (all[i].type == type && all[i].id == id)
			r = all[i].keylen_bits != 0;
	return r;
}

/* One transform in words: "transform 2 (ENCR 12, Key Length 128)". */
static void xform_words(const v2_proposal *tp, uint8_t i, char *out, size_t cap)
{
	const v2_transform *t = &tp->t[i];
	if (t->keylen)
		snprintf(out, cap, "transform %u (%s %u, Key Length %u)", i + 1u, ike_transform_type_name(t->type),
			 t->id, t->keylen);
	else
		snprintf(out, cap, "transform %u (%s %u)", i + 1u, ike_transform_type_name(t->type), t->id);
}

/* Why none of their transforms of `type` is acceptable: the first one's fault, else "none we accept". */
static void type_why(const v2_proposal *tp, uint8_t type, char *why, size_t cap)
{
	char w[64];
	for (uint8_t i = 0; i < tp->n; i++) {
		const v2_transform *t = &tp->t[i];
		if (t->type != type)
			continue;
		xform_words(tp, i, w, sizeof(w));
		int kl = needs_keylen(type, t->id);
		if (v2_attr_unknown(tp, i)) {
			snprintf(why, cap, "%s has an unknown attribute %u (RFC 7296 3.3.6)", w, tp->unknown_attr[i]);
			return;
		}
		if (kl == 0 && t->keylen) {
			snprintf(why, cap, "%s carries a Key Length its algorithm does not take (RFC 7296 3.3.5)", w);
			return;
		}
		if (kl == 1 && !t->keylen) {
			snprintf(why, cap, "%s lacks the Key Length its algorithm requires (RFC 7296 3.3.5)", w);
			return;
		}
	}
	/* Name what they offered, so the trace shows the mismatch without a capture. */
	int at = snprintf(why, cap, "no %s transform we accept (offered:", ike_transform_type_name(type));
	for (uint8_t i = 0; i < tp->n && at > 0 && (size_t)at < cap; i++)
		if (tp->t[i].type == type)
			at += snprintf(why + at, cap - (size_t)at, " %s",
				       ike_transform_name(type, tp->t[i].id, tp->t[i].keylen));
	if (at > 0 && (size_t)at < cap)
		snprintf(why + at, cap - (size_t)at, ")");
}

/* Sets why (if given) to text and fails. */
static bool refuse(char *why, size_t cap, const char *text)
{
	if (why && cap)
		snprintf(why, cap, "%s", text);
	return false;
}

/* Picks one of ours of `type` from their transforms; on failure says why. */
static bool pick_type(const ike_xform *ours, uint8_t n, const v2_proposal *tp, uint8_t type, uint16_t want,
		      ike_xform *got, char *why, size_t cap)
{
	bool ok;
	*got = pick(ours, n, tp, type, want, &ok);
	if (!ok && why && cap)
		type_why(tp, type, why, cap);
	return ok;
}

/* Types a proposal must carry (RFC 7296 3.3.3): IKE ENCR, PRF, D-H; ESP ENCR, ESN; AH INTEG, ESN. */
static bool mandatory_present(const v2_proposal *tp, uint8_t protocol, char *why, size_t cap)
{
	static const uint8_t ike[] = { IKE_TT_ENCR, IKE_TT_PRF, IKE_TT_DH }, esp[] = { IKE_TT_ENCR, IKE_TT_ESN },
			     ah[] = { IKE_TT_INTEG, IKE_TT_ESN };
	const uint8_t *need = protocol == IKE_PROTO_IKE ? ike : protocol == IKE_PROTO_AH ? ah : esp;
	size_t n = protocol == IKE_PROTO_IKE ? sizeof(ike) : protocol == IKE_PROTO_AH ? sizeof(ah) : sizeof(esp);
	for (size_t i = 0; i < n; i++)
		if (!any_of_type(tp, need[i])) {
			if (why && cap)
				snprintf(why, cap, "no %s transform, mandatory for %s (RFC 7296 3.3.3)",
					 ike_transform_type_name(need[i]),
					 protocol == IKE_PROTO_IKE ? "IKE" : protocol == IKE_PROTO_AH ? "AH" : "ESP");
			return false;
		}
	return true;
}

/* Their proposal against one of ours: true with *a filled, or false with why (if given). */
static bool match(const ike_proposal *op, const v2_proposal *tp, uint8_t protocol, uint16_t ke_group,
		  bool ignore_dh, v2_algs *a, char *why, size_t cap)
{
	ike_xform x;
	memset(a, 0, sizeof(*a));
	for (uint8_t i = 0; i < tp->n; i++)
		if (tp->t[i].type < IKE_TT_ENCR || tp->t[i].type > IKE_TT_ESN) {
			if (why && cap)
				snprintf(why, cap, "unknown transform type %u (RFC 7296 3.3.6)", tp->t[i].type);
			return false;
		}
	if (!mandatory_present(tp, protocol, why, cap))
		return false;
	if (protocol == IKE_PROTO_AH) { /* 3.3.3: an AH proposal has no ENCR */
		if (any_of_type(tp, IKE_TT_ENCR))
			return refuse(why, cap, "an ENCR transform in an AH proposal (RFC 7296 3.3.3)");
	} else {
		if (!pick_type(op->encr, op->n_encr, tp, IKE_TT_ENCR, 0, &x, why, cap))
			return false;
		a->encr = x.id;
		a->encr_keylen = x.keylen;
	}
	if (protocol == IKE_PROTO_IKE) {
		if (!pick_type(op->prf, op->n_prf, tp, IKE_TT_PRF, 0, &x, why, cap))
			return false;
		a->prf = x.id;
	}
	if (op->n_integ) {
		if (!pick_type(op->integ, op->n_integ, tp, IKE_TT_INTEG, 0, &x, why, cap))
			return false;
		a->integ = x.id;
	} else if (has_type(tp, IKE_TT_INTEG)) {
		return refuse(why, cap, "an INTEG transform, but ours is AEAD and takes none");
	}
	if (protocol == IKE_PROTO_IKE || (!ignore_dh && op->n_dh)) {
		if (!pick_type(op->dh, op->n_dh, tp, IKE_TT_DH, ke_group, &x, why, cap))
			return false;
		a->dh = x.id;
	} else if (!ignore_dh && has_type(tp, IKE_TT_DH)) {
		return refuse(why, cap, "a D-H group, but ours takes none");
	}
	if (protocol != IKE_PROTO_IKE) {
		/* ESN is mandatory (3.3.3): the answer carries one of theirs, never one they did not offer. */
		static const ike_xform no_esn = { IKE_ESN_NO, 0 };
		bool own = op->n_esn != 0;
		if (!pick_type(own ? op->esn : &no_esn, own ? op->n_esn : 1, tp, IKE_TT_ESN, 0, &x, why, cap))
			return false;
		a->esn = x.id;
	}
	return true;
}

int v2_select(const ike_proposal_list *ours, const v2_sa *theirs, uint8_t protocol, uint16_t ke_group,
	      bool ignore_dh, v2_algs *out, uint8_t *prop_num, const v2_proposal **chosen)
{
	for (uint8_t i = 0; i < ours->n; i++)
		for (uint8_t j = 0; j < theirs->n; j++) {
			const v2_proposal *tp = &theirs->prop[j];
			if (tp->protocol != protocol)
				continue;
			if (match(&ours->p[i], tp, protocol, ke_group, ignore_dh, out, NULL, 0)) {
				*prop_num = tp->num;
				if (chosen)
					*chosen = tp;
				return 0;
			}
		}
	return -1;
}

/* Appends "; " and then text, keeping out NUL-terminated within cap. */
static void append(char *out, size_t cap, const char *text)
{
	size_t at = strlen(out);
	if (at + 1 < cap)
		snprintf(out + at, cap - at, "%s%s", at ? "; " : "", text);
}

const char *v2_select_refusal(const ike_proposal_list *ours, const v2_sa *theirs, uint8_t protocol, bool ignore_dh,
			      char *why, size_t cap)
{
	if (!why || !cap)
		return "";
	why[0] = '\0';
	for (uint8_t j = 0; j < theirs->n; j++) {
		const v2_proposal *tp = &theirs->prop[j];
		char one[200], r[160];
		v2_algs a;
		if (tp->protocol != protocol) {
			snprintf(one, sizeof(one), "proposal %u is for protocol %u", tp->num, tp->protocol);
			append(why, cap, one);
			continue;
		}
		for (uint8_t i = 0; i < ours->n; i++) {
			r[0] = '\0';
			(void)match(&ours->p[i], tp, protocol, 0, ignore_dh, &a, r, sizeof(r));
			if (ours->n == 1)
				snprintf(one, sizeof(one), "proposal %u: %s", tp->num, r);
			else
				snprintf(one, sizeof(one), "proposal %u (vs our %u): %s", tp->num, i + 1u, r);
			append(why, cap, one);
		}
	}
	return why;
}

/*
 * The answer must be consistent with what we sent (3.3.6): the proposal number of one we sent, one
 * transform per type, each a transform of that proposal, every type of it answered. 0, or -1 with why.
 */
static int check_answer(const ike_proposal_list *ours, const v2_sa *chosen, uint8_t protocol, bool ignore_dh,
			char *why, size_t cap)
{
	v2_sa sent;
	char w[64];
	if (chosen->n != 1 || chosen->prop[0].protocol != protocol) {
		if (why && cap)
			snprintf(why, cap, "the answer holds %u proposals or another protocol, not one of ours", chosen->n);
		return -1;
	}
	const v2_proposal *tp = &chosen->prop[0];
	v2_sa_from_config(ours, protocol, NULL, 0, ignore_dh, &sent);
	if (tp->num == 0 || tp->num > sent.n) {
		if (why && cap)
			snprintf(why, cap, "the answer names proposal %u, which we did not send", tp->num);
		return -1;
	}
	const v2_proposal *sp = &sent.prop[tp->num - 1];
	uint8_t count[IKE_TT_ESN + 1] = { 0 };
	for (uint8_t i = 0; i < tp->n; i++) {
		const v2_transform *t = &tp->t[i];
		bool twice = t->type < IKE_TT_ENCR || t->type > IKE_TT_ESN || ++count[t->type] > 1;
		if (!twice && !v2_attr_unknown(tp, i) && offers(sp, t->type, t->id, t->keylen))
			continue;
		if (why && cap) { /* the transform's words only when they are reported */
			xform_words(tp, i, w, sizeof(w));
			if (twice)
				snprintf(why, cap, "%s: an answer carries one transform of each type we offered", w);
			else
				snprintf(why, cap, "%s was not offered in our proposal %u", w, tp->num);
		}
		return -1;
	}
	for (uint8_t i = 0; i < sp->n; i++)
		if (!count[sp->t[i].type]) {
			if (why && cap)
				snprintf(why, cap, "the answer has no %s transform, though we offered that type",
					 ike_transform_type_name(sp->t[i].type));
			return -1;
		}
	return 0;
}

int v2_accept_choice(const ike_proposal_list *ours, const v2_sa *chosen, uint8_t protocol, bool ignore_dh,
		     v2_algs *out, const v2_proposal **prop)
{
	if (check_answer(ours, chosen, protocol, ignore_dh, NULL, 0) != 0)
		return -1;
	const v2_proposal *tp = &chosen->prop[0];
	if (!match(&ours->p[tp->num - 1], tp, protocol, 0, ignore_dh, out, NULL, 0))
		return -1;
	*prop = tp;
	return 0;
}

const char *v2_accept_refusal(const ike_proposal_list *ours, const v2_sa *chosen, uint8_t protocol, bool ignore_dh,
			      char *why, size_t cap)
{
	v2_algs a;
	if (!why || !cap)
		return "";
	why[0] = '\0';
	if (check_answer(ours, chosen, protocol, ignore_dh, why, cap) == 0)
		(void)match(&ours->p[chosen->prop[0].num - 1], &chosen->prop[0], protocol, 0, ignore_dh, &a, why, cap);
	return why;
}

void v2_sa_from_algs(const v2_algs *a, uint8_t protocol, uint8_t prop_num, const uint8_t *spi, uint8_t spi_size,
		     v2_sa *out)
{
	memset(out, 0, sizeof(*out));
	out->n = 1;
	v2_proposal *p = &out->prop[0];
	p->num = prop_num;
	p->protocol = protocol;
	p->spi_size = spi_size;
	if (spi_size)
		memcpy(p->spi, spi, spi_size);
	if (protocol != IKE_PROTO_AH)
		p->t[p->n++] = (v2_transform){ .type = IKE_TT_ENCR, .id = a->encr, .keylen = a->encr_keylen };
	if (protocol == IKE_PROTO_IKE)
		p->t[p->n++] = (v2_transform){ .type = IKE_TT_PRF, .id = a->prf, .keylen = 0 };
	if (a->integ)
		p->t[p->n++] = (v2_transform){ .type = IKE_TT_INTEG, .id = a->integ, .keylen = 0 };
	if (a->dh)
		p->t[p->n++] = (v2_transform){ .type = IKE_TT_DH, .id = a->dh, .keylen = 0 };
	if (protocol != IKE_PROTO_IKE)
		p->t[p->n++] = (v2_transform){ .type = IKE_TT_ESN, .id = a->esn, .keylen = 0 };
}

size_t v2_algs_format(const v2_algs *a, char *out, size_t cap)
{
	/* encr 0: an AH SA, whose display starts with its integrity algorithm */
	int n = a->encr ? snprintf(out, cap, "%s", ike_transform_name(IKE_TT_ENCR, a->encr, a->encr_keylen))
			: snprintf(out, cap, "%s", ike_transform_name(IKE_TT_INTEG, a->integ, 0));
	if (a->encr && a->integ && n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, "/%s", ike_transform_name(IKE_TT_INTEG, a->integ, 0));
	if (a->prf && n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, "/%s", ike_transform_name(IKE_TT_PRF, a->prf, 0));
	if (a->dh && n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, "/%s", ike_transform_name(IKE_TT_DH, a->dh, 0));
	return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}
