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

#include <openssl/evp.h>

#include "common/buf.h"
#include "crypto/dh.h"
#include "ike.h"

enum ike_job_kind { IKE_JOB_DH, IKE_JOB_SIGN };

/* Called on the engine's thread with the job's results; late: from ike_peer_job_done, not inline. Returns
 * what the input that started the work returns (an enum ike_input_result). */
typedef int (*ike_job_resume)(ike_job *j, ike_time now, bool late);

struct ike_job {
	uint8_t kind;           /* enum ike_job_kind */
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
	/* IKE_JOB_SIGN: our AUTH payload's signature over the signed octets (RFC 7296 2.15) */
	const ike_crypto *crypto;
	EVP_PKEY *key;          /* a reference of its own */
	uint8_t method, hash, pss, salt_len;
	uint8_t salt[64];       /* RSASSA-PSS: drawn when the job is made */
	uint32_t charge_arg;
	uint8_t *octets, *sig;  /* into data[] */
	size_t octets_len, sig_len;
	uint8_t *ctx;           /* what the resume needs back (the request it answers), heap, may be NULL */
	size_t ctx_len, alloc;
	uint8_t data[];
};

/*
 * A D-H job for owner: with rng, draws a private value for `group` now (keygen); with dh, takes that key pair
 * over (derive only); with peer (len > 0), derives g^ir. NULL on allocation failure (dh stays the caller's).
 */
ike_job *ike_job_dh(ike_peer *p, void *owner, uint16_t group, ike_drbg *rng, ike_dh *dh, const uint8_t *peer,
		    size_t len, ike_job_resume resume);

/* A signing job: key (a reference is taken), AUTH method and hash, RSASSA-PSS when pss (its salt drawn from
 * rng now), over the concatenation of so[0..n). NULL on allocation failure. */
ike_job *ike_job_sign(ike_peer *p, void *owner, const ike_crypto *c, EVP_PKEY *key, uint8_t method, uint8_t hash,
		      bool pss, ike_drbg *rng, const ike_iov *so, size_t n, uint32_t charge_arg, ike_job_resume resume);

/* Submits j to the host, or runs it and resumes at once; returns the resume's result, or `pending` when the
 * host took it. */
int ike_job_go(ike_job *j, ike_time now, int pending);

/* The owner is gone: its job will be freed unresumed when it comes back. */
void ike_job_orphan(ike_job *j);

#endif
