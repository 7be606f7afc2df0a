/* Shared by the attacker files only (attack_*.c). */
#ifndef SIM_ATTACK_INT_H
#define SIM_ATTACK_INT_H

#include "attack.h"
#include "crypto/drbg.h"
#include "wire/v2.h"

typedef struct sim_atk sim_atk;
struct sim_atk {
	runner *r;
	const sim_attack_spec *spec;
	ike_drbg rng;    /* from the run's seed and "attack:<node>": same seed, same attack */
	uint64_t count;  /* what this attacker did so far: requests sent, messages rewritten, IKE_SA_INITs answered */
	void *state;     /* the kind's own (attack_rogue.c's sessions) */
	uint8_t *ke;     /* FLOOD: a real public value, for groups where random bytes are no valid KE (ECP) */
	size_t ke_len;
};

struct sim_attacks {
	sim_atk *a;
	size_t n;
};

/* A trace event of the attacker's node (node name, `ev`, the JSON object body `fields`). */
void sim_atk_event(sim_atk *a, int64_t now, const char *ev, const char *fields);
/* The configured proposals as an IKEv2 SA payload. */
void sim_atk_v2_sa(const ike_proposal_list *pl, v2_sa *out);
/* One proposal as "ENCR/PRF/INTEG/DH" names ("AES_CBC_128/PRF_HMAC_SHA1/..."), several joined by ", ". */
void sim_atk_format_sa(const v2_sa *sa, char *out, size_t cap);
/* An address as "a.b.c.d:port". */
void sim_atk_addr(const ike_addr *a, char *out, size_t cap);

/* attack_flood.c, attack_mitm.c, attack_rogue.c: each kind's setup (0 or -1), free and input. */
int sim_atk_flood_setup(sim_atk *a);
int sim_atk_mitm_setup(sim_atk *a);
int sim_atk_rogue_setup(sim_atk *a);
void sim_atk_rogue_free(sim_atk *a);
void sim_atk_rogue_input(sim_atk *a, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len);

#endif
