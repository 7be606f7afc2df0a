/* The CHILD SA list of an IKE SA: creation with a fresh inbound SPI, lookups by SPI, selectors, freeing. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ikev2/sa.h"

static bool spi_in_taken(const v2_ike_sa *sa, uint32_t spi) { return v2_child_find_in(sa, spi) != NULL; }

uint32_t v2_child_new_spi(v2_ike_sa *sa)
{
	uint8_t b[4];
	uint32_t spi;
	do {
		ike_drbg_bytes(&sa->peer->rng, b, 4);
		spi = ike_get_u32(b);
	} while (spi < 256 || spi_in_taken(sa, spi));
	return spi;
}

v2_child_sa *v2_child_new(v2_ike_sa *sa, uint16_t cfg)
{
	v2_child_sa *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->state = V2_CHILD_CREATED;
	c->cfg = cfg;
	for (int i = 0; i < V2_CDL_N; i++)
		c->dl[i] = IKE_TIME_NEVER;
	v2_child_sa **pp = &sa->children;
	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
	return c;
}

v2_child_sa *v2_child_find_in(const v2_ike_sa *sa, uint32_t spi_in)
{
	for (v2_child_sa *c = sa->children; c; c = c->next)
		if (c->spi_in == spi_in)
			return c;
	return NULL;
}

v2_child_sa *v2_child_find_out(const v2_ike_sa *sa, uint32_t spi_out)
{
	for (v2_child_sa *c = sa->children; c; c = c->next)
		if (c->spi_out == spi_out && c->spi_out)
			return c;
	return NULL;
}

static void child_release(v2_child_sa *c)
{
	OPENSSL_clear_free(c->keymat, c->keymat_len);
	free(c->ts);
	free(c->nonce_min);
	free(c);
}

void v2_child_free(v2_ike_sa *sa, v2_child_sa *c)
{
	for (v2_child_sa **pp = &sa->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	bool timed = c->dl[V2_CDL_REKEY] != IKE_TIME_NEVER || c->dl[V2_CDL_EXPIRE] != IKE_TIME_NEVER;
	child_release(c);
	if (timed) /* its deadlines may have been the IKE SA's earliest */
		v2_dl_refresh(sa);
}

void v2_child_free_all(v2_ike_sa *sa)
{
	for (v2_child_sa *c = sa->children, *nx; c; c = nx) {
		nx = c->next;
		child_release(c);
	}
	sa->children = NULL;
}

int v2_child_set_ts(v2_child_sa *c, const ike_ts *tsi, size_t ni, const ike_ts *tsr, size_t nr)
{
	if (ni > IKE_TS_MAX || nr > IKE_TS_MAX)
		return -1;
	ike_ts *t = malloc((ni + nr ? ni + nr : 1) * sizeof(*t));
	if (!t)
		return -1;
	if (ni)
		memcpy(t, tsi, ni * sizeof(*t));
	if (nr)
		memcpy(t + ni, tsr, nr * sizeof(*t));
	free(c->ts);
	c->ts = t;
	c->n_ts_i = (uint8_t)ni;
	c->n_ts_r = (uint8_t)nr;
	return 0;
}

const v2_child_sa *v2_child_current(const v2_ike_sa *sa)
{
	const v2_child_sa *best = NULL;
	for (const v2_child_sa *c = sa->children; c; c = c->next)
		if (!best || c->state == V2_CHILD_INSTALLED || best->state != V2_CHILD_INSTALLED)
			best = c;
	return best;
}
