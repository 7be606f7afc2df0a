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
		p->t[p->n++] = (v2_transform){ type, x[i].id, x[i].keylen };
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
		if (protocol == IKE_PROTO_ESP) {
			static const ike_xform no_esn = { IKE_ESN_NO, 0 };
			if (c->n_esn)
				add_xforms(p, IKE_TT_ESN, c->esn, c->n_esn);
			else
				add_xforms(p, IKE_TT_ESN, &no_esn, 1);
		}
	}
}

static bool offers(const v2_proposal *tp, uint8_t type, uint16_t id, uint16_t keylen)
{
	for (uint8_t i = 0; i < tp->n; i++)
		if (tp->t[i].type == type && tp->t[i].id == id && tp->t[i].keylen == keylen)
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

static bool match(const ike_proposal *op, const v2_proposal *tp, uint8_t protocol, uint16_t ke_group,
		  bool ignore_dh, v2_algs *a)
{
	bool ok;
	memset(a, 0, sizeof(*a));
	for (uint8_t i = 0; i < tp->n; i++)
		if (tp->t[i].type < IKE_TT_ENCR || tp->t[i].type > IKE_TT_ESN)
			return false; /* a transform type we do not know: the proposal is unusable */
	ike_xform e = pick(op->encr, op->n_encr, tp, IKE_TT_ENCR, 0, &ok);
	if (!ok)
		return false;
	a->encr = e.id;
	a->encr_keylen = e.keylen;
	if (protocol == IKE_PROTO_IKE) {
		a->prf = pick(op->prf, op->n_prf, tp, IKE_TT_PRF, 0, &ok).id;
		if (!ok)
			return false;
	}
	if (op->n_integ) {
		a->integ = pick(op->integ, op->n_integ, tp, IKE_TT_INTEG, 0, &ok).id;
		if (!ok)
			return false;
	} else if (has_type(tp, IKE_TT_INTEG)) {
		return false;
	}
	if (protocol == IKE_PROTO_IKE || (!ignore_dh && op->n_dh)) {
		a->dh = pick(op->dh, op->n_dh, tp, IKE_TT_DH, ke_group, &ok).id;
		if (!ok)
			return false;
	} else if (!ignore_dh && has_type(tp, IKE_TT_DH)) {
		return false;
	}
	if (protocol == IKE_PROTO_ESP) {
		static const ike_xform no_esn = { IKE_ESN_NO, 0 };
		bool any_esn = false;
		for (uint8_t i = 0; i < tp->n; i++)
			any_esn |= tp->t[i].type == IKE_TT_ESN;
		if (any_esn) {
			a->esn = op->n_esn ? pick(op->esn, op->n_esn, tp, IKE_TT_ESN, 0, &ok).id
					   : pick(&no_esn, 1, tp, IKE_TT_ESN, 0, &ok).id;
			if (!ok)
				return false;
		}
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
			if (match(&ours->p[i], tp, protocol, ke_group, ignore_dh, out)) {
				*prop_num = tp->num;
				if (chosen)
					*chosen = tp;
				return 0;
			}
		}
	return -1;
}

int v2_accept_choice(const ike_proposal_list *ours, const v2_sa *chosen, uint8_t protocol, bool ignore_dh,
		     v2_algs *out, const v2_proposal **prop)
{
	if (chosen->n != 1 || chosen->prop[0].protocol != protocol)
		return -1;
	const v2_proposal *tp = &chosen->prop[0];
	uint8_t count[IKE_TT_ESN + 1] = { 0 };
	for (uint8_t i = 0; i < tp->n; i++) {
		if (tp->t[i].type < IKE_TT_ENCR || tp->t[i].type > IKE_TT_ESN || ++count[tp->t[i].type] > 1)
			return -1; /* an answer carries exactly one transform per type */
	}
	for (uint8_t i = 0; i < ours->n; i++)
		if (match(&ours->p[i], tp, protocol, 0, ignore_dh, out)) {
			*prop = tp;
			return 0;
		}
	return -1;
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
	p->t[p->n++] = (v2_transform){ IKE_TT_ENCR, a->encr, a->encr_keylen };
	if (protocol == IKE_PROTO_IKE)
		p->t[p->n++] = (v2_transform){ IKE_TT_PRF, a->prf, 0 };
	if (a->integ)
		p->t[p->n++] = (v2_transform){ IKE_TT_INTEG, a->integ, 0 };
	if (a->dh)
		p->t[p->n++] = (v2_transform){ IKE_TT_DH, a->dh, 0 };
	if (protocol == IKE_PROTO_ESP)
		p->t[p->n++] = (v2_transform){ IKE_TT_ESN, a->esn, 0 };
}

size_t v2_algs_format(const v2_algs *a, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s", ike_transform_name(IKE_TT_ENCR, a->encr, a->encr_keylen));
	if (a->integ && n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, "/%s", ike_transform_name(IKE_TT_INTEG, a->integ, 0));
	if (a->prf && n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, "/%s", ike_transform_name(IKE_TT_PRF, a->prf, 0));
	if (a->dh && n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, "/%s", ike_transform_name(IKE_TT_DH, a->dh, 0));
	return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}
