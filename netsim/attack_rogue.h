/* The rogue responder's sessions, shared by attack_rogue.c (IKE_SA_INIT) and attack_rogue_auth.c (IKE_AUTH). */
#ifndef SIM_ATTACK_ROGUE_H
#define SIM_ATTACK_ROGUE_H

#include "attack_int.h"

#define ROGUE_MAX 32 /* initiators it keeps at once; the oldest goes first */

typedef struct rogue_algs {
	uint8_t num; /* the offered proposal's number, echoed in the answer */
	uint16_t encr, encr_keylen, prf, integ, dh;
} rogue_algs;

typedef struct rogue_sess {
	uint64_t spi_i, spi_r;
	ike_addr peer, local;
	rogue_algs algs;
	uint8_t *msg1;     /* the initiator's IKE_SA_INIT request, as it came: RealMessage1 */
	size_t msg1_len;
	uint8_t *resp, *auth_resp; /* our answers, sent again to a retransmitted request */
	size_t resp_len, auth_resp_len;
	uint8_t nr[32];
	uint8_t *keys;     /* SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr */
	size_t keys_len, prf_len, integ_len, encr_len;
} rogue_sess;

typedef struct rogue {
	rogue_sess s[ROGUE_MAX];
	size_t next;
} rogue;

void rogue_sess_clear(rogue_sess *s);
void rogue_send(sim_atk *a, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len);
/* An IKE_AUTH request of session s: decrypt, capture, crack (with a word list), answer AUTHENTICATION_FAILED. */
void rogue_auth(sim_atk *a, int64_t now, rogue_sess *s, const v2_header *h, const uint8_t *d);

#endif
