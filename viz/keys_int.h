/* The key graph's shared state (viz/keys*.c only): generations of one rekey chain and their named values. */
#ifndef VIZ_KEYS_INT_H
#define VIZ_KEYS_INT_H

#include "viz_int.h"

#define MAX_NAMES 512 /* values named in one IKE SA generation (16 CHILD SAs rekeyed a few times) */

/* One IKE SA's derivations: its kdf events and what each name resolves to (the latest with that name). */
typedef struct gen {
	const char *ispi, *rspi;
	const char *prf;    /* the negotiated PRF (sa.selected), inherited from the SA it rekeys when not traced */
	const char *reason; /* why it replaced the previous generation (ike_sa.rekeyed), or NULL */
	const viz_event *ev[MAX_NAMES];
	size_t nev;
	const char *name[MAX_NAMES];
	char id[MAX_NAMES][80];
	size_t nnames;
	size_t last_keymat; /* nnames index of the latest KEYMAT, or (size_t)-1 */
	Agraph_t *sub;      /* its cluster, once drawn */
} gen;

#define MAX_GENS 32 /* IKE SAs of one connection on one node, and so of one rekey chain */

typedef struct kctx {
	const viz_trace *t;
	Agraph_t *g, *sub; /* the graph, and the current generation's cluster */
	gen *gens;         /* the chain: gens[i + 1] was rekeyed from gens[i] */
	size_t ngens, cur;
	size_t first, last; /* the generations drawn */
	int truncated;      /* more values or SAs than one picture holds: said in the title */
} kctx;

/* An edge, unless an end is missing because the generation was full. */
void kg_edge(kctx *k, Agnode_t *from, Agnode_t *to);
/* The graph node a name resolves to in generation gi, or NULL. */
Agnode_t *kg_lookup(kctx *k, size_t gi, const char *name);
/* Registers a new node for name in the current generation ("k1_SK_d", "k1_KEYMAT_2" on repeats); NULL when full. */
Agnode_t *kg_define(kctx *k, const char *name, const char *label);
/* A value the trace does not derive (SPIs, KE payloads, the old SK_d): resolved, or made as a leaf. */
Agnode_t *kg_input(kctx *k, const viz_event *e, const char *name);
/* A side margin grown with the label's longest line, so text stays in its box in wider fonts. */
void kg_fit_margin(Agnode_t *nd, const char *label);

/* The messages of the current generation (keys_msgs.c): the IKE_SA_INIT pair that carried the nonces and KE
 * values, the AUTH computations (RFC 7296 2.15) and which SK_e key protects which later message. */
void kg_messages(kctx *k);

#endif
