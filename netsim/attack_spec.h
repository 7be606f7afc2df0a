/* Attacker nodes of a scenario ("attackers", docs/attacks.md): what each one does, as the loader read it. */
#ifndef SIM_ATTACK_SPEC_H
#define SIM_ATTACK_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

enum sim_attack_kind {
	SIM_ATK_FLOOD,     /* "spoof_flood": IKE_SA_INIT requests from spoofed sources at a rate */
	SIM_ATK_DOWNGRADE, /* "mitm_downgrade": a router that cuts the initiator's SA offer down to weak choices */
	SIM_ATK_ROGUE,     /* "rogue_responder": answers IKE_SA_INIT, records the initiator's PSK AUTH */
};

typedef struct sim_attack_spec {
	uint32_t node;          /* the attacker's node: it runs no connection of its own */
	uint8_t kind;           /* enum sim_attack_kind */
	ike_addr target;        /* FLOOD: where the requests go (the target node's first address, port 500) */
	ike_addr prefix;        /* FLOOD: spoofed sources are drawn from prefix/plen */
	uint8_t plen;
	double rate;            /* FLOOD: requests per second */
	int64_t start, stop;    /* FLOOD: the first request at start, none after stop */
	ike_proposal_list ike;  /* FLOOD: the offer; DOWNGRADE: what the offer is cut down to ("keep") */
	const char *wordlist;   /* ROGUE: the word list as written (NULL: no crack during the run) */
	const uint8_t *words;   /* ROGUE: its bytes (kept with the scenario) */
	size_t words_len;
} sim_attack_spec;

#endif
