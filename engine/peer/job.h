/*
 * Crypto jobs (ike.h's asynchronous crypto): a Diffie-Hellman key pair made from private bytes drawn on the
 * engine's thread, and/or g^ir from a peer's public value. The SA that waits for a job points at it and the
 * job at its owner; a destroyed SA orphans its job, whose result is then dropped when it comes back.
 */
#ifndef IKE_PEER_JOB_H
#define IKE_PEER_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/dh.h"
#include "ike.h"

/* Called on the engine's thread with the job's results; late: from ike_peer_job_done, not inline. Returns
 * what the input that started the work returns (an enum ike_input_result). */
typedef int (*ike_job_resume)(ike_job *j, ike_time now, bool late);

struct ike_job {
	/* the engine's side */
	ike_peer *peer;
	void *owner;            /* the SA waiting (NULL: orphaned, its result is dropped) */
	ike_job_resume resume;
	uint32_t aux;           /* a small value the resume needs back (a proposal number) */
	/* inputs */
	uint16_t group;
	uint16_t priv_len;      /* 0: use dh as given (derive only) */
	uint16_t peer_len;      /* 0: no derive (keygen only) */
	uint16_t secret_len;
	uint8_t *priv, *peer_pub; /* both point into data[] */
	/* results */
	ike_dh *dh;             /* our key pair: given, or made by the job */
	int rc;
	bool ran;
	uint8_t *secret;        /* g^ir (secret_len bytes) into data[] */
	uint8_t data[];
};

/*
 * A D-H job for owner: with rng, draws a private value for `group` now (keygen); with dh, takes that key pair
 * over (derive only); with peer (len > 0), derives g^ir. NULL on allocation failure (dh stays the caller's).
 */
ike_job *ike_job_dh(ike_peer *p, void *owner, uint16_t group, ike_drbg *rng, ike_dh *dh, const uint8_t *peer,
		    size_t len, ike_job_resume resume);

/* Submits j to the host, or runs it and resumes at once; returns the resume's result, or `pending` when the
 * host took it. */
int ike_job_go(ike_job *j, ike_time now, int pending);

/* The owner is gone: its job will be freed unresumed when it comes back. */
void ike_job_orphan(ike_job *j);

#endif
