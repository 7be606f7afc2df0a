/* Attacker nodes in the runner: each gets its DRBG and its kind's setup; datagrams to its node go to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "attack_int.h"
#include "crypto/registry.h"
#include "host/names.h"

void sim_atk_event(sim_atk *a, int64_t now, const char *ev, const char *fields)
{
	sim_rn_event(a->r, now, a->spec->node, ev, fields);
}

void sim_atk_addr(const ike_addr *a, char *out, size_t cap) { ike_host_addr_format(a, out, cap); }

static void add_xforms(v2_proposal *v, uint8_t type, const ike_xform *x, uint8_t n)
{
	for (uint8_t i = 0; i < n && v->n < V2_MAX_TRANSFORMS; i++)
		v->t[v->n++] = (v2_transform){ type, x[i].id, x[i].keylen };
}

void sim_atk_v2_sa(const ike_proposal_list *pl, v2_sa *out)
{
	memset(out, 0, sizeof(*out));
	for (uint8_t i = 0; i < pl->n && i < V2_MAX_PROPOSALS; i++) {
		const ike_proposal *p = &pl->p[i];
		v2_proposal *v = &out->prop[out->n++];
		v->num = (uint8_t)(i + 1);
		v->protocol = IKE_PROTO_IKE;
		add_xforms(v, IKE_TT_ENCR, p->encr, p->n_encr);
		add_xforms(v, IKE_TT_PRF, p->prf, p->n_prf);
		add_xforms(v, IKE_TT_INTEG, p->integ, p->n_integ);
		add_xforms(v, IKE_TT_DH, p->dh, p->n_dh);
	}
}

void sim_atk_format_sa(const v2_sa *sa, char *out, size_t cap)
{
	size_t k = 0;
	out[0] = 0;
	for (uint8_t i = 0; i < sa->n && k < cap; i++)
		for (uint8_t j = 0; j < sa->prop[i].n && k < cap; j++) {
			const v2_transform *t = &sa->prop[i].t[j];
			const char *sep = j ? "/" : i ? ", " : "";
			k += (size_t)snprintf(out + k, cap - k, "%s%s", sep, ike_transform_name(t->type, t->id, t->keylen));
		}
}

int sim_atk_setup(runner *r, uint64_t seed)
{
	const sim_scenario *sc = r->sc;
	if (!sc->n_attacks)
		return 0;
	if (!(r->attack = calloc(1, sizeof(*r->attack))) || !(r->attack->a = calloc(sc->n_attacks, sizeof(sim_atk))))
		return -1;
	uint8_t s[8];
	for (int i = 0; i < 8; i++)
		s[i] = (uint8_t)(seed >> (56 - 8 * i));
	for (size_t i = 0; i < sc->n_attacks; i++) {
		sim_atk *a = &r->attack->a[i];
		char pers[80];
		a->r = r;
		a->spec = &sc->attacks[i];
		r->attack->n = i + 1;
		int n = snprintf(pers, sizeof(pers), "attack:%s", sc->nodes[a->spec->node].name);
		ike_drbg_init_with(&a->rng, r->crypto, s, sizeof(s), pers, (size_t)n);
		int rc = a->spec->kind == SIM_ATK_FLOOD	    ? sim_atk_flood_setup(a)
			 : a->spec->kind == SIM_ATK_DOWNGRADE ? sim_atk_mitm_setup(a)
							      : sim_atk_rogue_setup(a);
		if (rc)
			return -1;
	}
	return 0;
}

void sim_atk_free(runner *r)
{
	if (!r->attack)
		return;
	for (size_t i = 0; i < r->attack->n; i++) {
		sim_atk *a = &r->attack->a[i];
		if (a->spec->kind == SIM_ATK_ROGUE)
			sim_atk_rogue_free(a);
		free(a->ke);
		OPENSSL_cleanse(&a->rng, sizeof(a->rng));
	}
	free(r->attack->a);
	free(r->attack);
	r->attack = NULL;
}

bool sim_atk_deliver(runner *r, uint32_t node, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to,
		     const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < r->attack->n; i++) {
		sim_atk *a = &r->attack->a[i];
		if (a->spec->node != node)
			continue;
		if (a->spec->kind == SIM_ATK_ROGUE && proto == SIM_PROTO_UDP)
			sim_atk_rogue_input(a, now, from, to, data, len);
		return true; /* an attacker's node has no engine worth the name: nothing else sees it */
	}
	return false;
}
