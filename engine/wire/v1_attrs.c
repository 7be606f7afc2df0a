/* Transform attributes decoded to values: phase 1 (RFC 2409 App. A) and IPsec DOI (RFC 2407 4.5). */
#include "wire/v1.h"

static v1_status fail(v1_err *err, v1_status st, size_t off, const char *what)
{
	if (err) {
		err->st = st;
		err->off = off;
		err->what = what;
	}
	return st;
}

/* Life duration after a life type: either unit; any other type before it is an error. */
static v1_status set_life(uint16_t life_type, const v1_attr *a, uint64_t *secs, uint64_t *kb, size_t i,
			  v1_err *err)
{
	uint64_t v;
	if (!v1_attr_u64(a, &v))
		return fail(err, V1_MALFORMED, i, "attribute: life duration empty or wider than 64 bits");
	if (life_type == V1_LIFE_SECONDS)
		*secs = v;
	else if (life_type == V1_LIFE_KILOBYTES)
		*kb = v;
	else
		return fail(err, V1_MALFORMED, i, "attribute: life duration without a known life type before it");
	return V1_OK;
}

/* A basic (B) class must use the TV form (RFC 2409 App. A: "MUST NOT be encoded as variable"). */
static bool basic(const v1_attr *a, uint16_t *dst)
{
	if (!a->tv)
		return false;
	*dst = a->value;
	return true;
}

/* err->off for attribute errors is the attribute's index in the transform (no message offset is kept). */
v1_status v1_decode_p1(const v1_transform *t, v1_p1_attrs *out, v1_err *err)
{
	*out = (v1_p1_attrs){ 0 };
	uint16_t life_type = 0;
	for (uint8_t i = 0; i < t->nattr; i++) {
		const v1_attr *a = &t->attr[i];
		uint16_t *dst = NULL;
		switch (a->type) {
		case V1_A_ENCR: dst = &out->encr; break;
		case V1_A_HASH: dst = &out->hash; break;
		case V1_A_AUTH: dst = &out->auth; break;
		case V1_A_GROUP: dst = &out->group; break;
		case V1_A_GROUP_TYPE: dst = &out->group_type; break;
		case V1_A_PRF: dst = &out->prf; break;
		case V1_A_KEY_LENGTH: dst = &out->key_len; break;
		case V1_A_LIFE_TYPE: dst = &life_type; break;
		case V1_A_LIFE_DURATION: {
			v1_status st = set_life(life_type, a, &out->life_seconds, &out->life_kilobytes, i, err);
			if (st)
				return st;
			continue;
		}
		default: return fail(err, V1_ATTR_UNSUPPORTED, i, "attribute: phase 1 class not supported");
		}
		if (!basic(a, dst))
			return fail(err, V1_MALFORMED, i, "attribute: basic class in variable (TLV) form");
	}
	return V1_OK;
}

v1_status v1_decode_p2(const v1_transform *t, v1_p2_attrs *out, v1_err *err)
{
	*out = (v1_p2_attrs){ 0 };
	uint16_t life_type = 0;
	for (uint8_t i = 0; i < t->nattr; i++) {
		const v1_attr *a = &t->attr[i];
		uint16_t *dst = NULL;
		switch (a->type) {
		case V1_IA_LIFE_TYPE: dst = &life_type; break;
		case V1_IA_GROUP: dst = &out->group; break;
		case V1_IA_ENCAP: dst = &out->encap; break;
		case V1_IA_AUTH_ALG: dst = &out->auth_alg; break;
		case V1_IA_KEY_LENGTH: dst = &out->key_len; break;
		case V1_IA_KEY_ROUNDS: dst = &out->key_rounds; break;
		case V1_IA_ESN: dst = &out->esn; break;
		case V1_IA_LIFE_DURATION: {
			v1_status st = set_life(life_type, a, &out->life_seconds, &out->life_kilobytes, i, err);
			if (st)
				return st;
			continue;
		}
		default: return fail(err, V1_ATTR_UNSUPPORTED, i, "attribute: IPsec DOI class not supported");
		}
		if (!basic(a, dst))
			return fail(err, V1_MALFORMED, i, "attribute: basic class in variable (TLV) form");
	}
	return V1_OK;
}
