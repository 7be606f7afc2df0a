/*
 * Stateful fuzzing of two IKEv1 engine peers (issue 11, acceptance 5): a byte string is read as a schedule of
 * network events between an initiator and a responder (Main Mode PSK or RSA, Aggressive Mode, Quick Mode with or
 * without PFS, DPD, Delete, renewals by short lifetimes), plus mutations of encrypted messages made AFTER
 * decrypting them with the receiver's real keys and IV and re-sealed, optionally with the Quick Mode /
 * Informational HASH(1)/HASH(2) and the Main Mode HASH_I/HASH_R recomputed over the mutated payloads, so the
 * handlers behind decryption and behind the HASH check are reached. Invariants after every step.
 * Used by tests/fuzz/fuzz_stateful_v1.c and tests/unit/test_v1_stateful.c; returns why instead of aborting.
 */
#ifndef IKE_TEST_STATEFZ_V1_H
#define IKE_TEST_STATEFZ_V1_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

typedef struct statefz_v1_stats {
	size_t steps;
	size_t delivered, forged, replayed, duplicated, dropped;
	size_t opened;     /* encrypted messages the harness decrypted with the receiver's keys */
	size_t resealed;   /* ... mutated and sealed again */
	size_t rehashed;   /* ... with their HASH recomputed over the mutated payloads */
	size_t ike_up, child_up; /* IKE_EV_IKE_UP / IKE_EV_CHILD_UP, both sides */
	size_t max_sas;
} statefz_v1_stats;

/*
 * Runs the schedule. creds: the RSA credentials of side 0 and side 1 (names gw-a.example / gw-b.example, one CA),
 * or NULL: the RSA mode then runs PSK. 0 when every invariant held after every step, else -1 and why.
 */
int statefz_v1_run(const ike_crypto *crypto, const ike_cred *const creds[2], const uint8_t *sched, size_t len,
		   statefz_v1_stats *st, char *why, size_t cap);

#endif
