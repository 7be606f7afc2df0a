/* Crypto jobs: made and resumed on the engine's thread, computed wherever the host likes (job.h). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/sig.h"
#include "peer/job.h"
#include "peer/peer.h"

ike_job *ike_job_dh(ike_peer *p, void *owner, uint16_t group, ike_drbg *rng, ike_dh *dh, const uint8_t *peer,
		    size_t len, ike_job_resume resume)
{
	size_t priv_len = rng ? ike_dh_private_len(group) : 0;
	size_t secret_len = len ? ike_dh_secret_len(group) : 0;
	if ((rng && !priv_len) || (!rng && !dh) || len > UINT16_MAX || (len && !secret_len))
		return NULL;
	ike_job *j = calloc(1, sizeof(*j) + priv_len + len + secret_len);
	if (!j)
		return NULL;
	j->kind = IKE_JOB_DH;
	j->alloc = sizeof(*j) + priv_len + len + secret_len;
	j->peer = p;
	j->owner = owner;
	j->resume = resume;
	j->group = group;
	j->priv_len = (uint16_t)priv_len;
	j->peer_len = (uint16_t)len;
	j->secret_len = (uint16_t)secret_len;
	j->priv = j->data;
	j->peer_pub = j->data + priv_len;
	j->secret = j->peer_pub + len;
	if (len)
		memcpy(j->peer_pub, peer, len);
	if (rng && ike_dh_draw(group, rng, j->priv, priv_len) != 0) {
		ike_job_free(j);
		return NULL;
	}
	j->dh = rng ? NULL : dh;
	return j;
}

ike_job *ike_job_sign(ike_peer *p, void *owner, const ike_crypto *c, EVP_PKEY *key, uint8_t method, uint8_t hash,
		      bool pss, ike_drbg *rng, const ike_iov *so, size_t n, uint32_t charge_arg, ike_job_resume resume)
{
	size_t olen = 0;
	for (size_t i = 0; i < n; i++)
		olen += so[i].len;
	size_t alloc = sizeof(ike_job) + olen + IKE_SIG_MAX;
	ike_job *j = calloc(1, alloc);
	if (!j || EVP_PKEY_up_ref(key) != 1) {
		free(j);
		return NULL;
	}
	*j = (ike_job){ .kind = IKE_JOB_SIGN, .peer = p, .owner = owner, .resume = resume, .crypto = c, .key = key,
			.method = method, .hash = hash, .pss = pss, .charge_arg = charge_arg, .alloc = alloc };
	j->octets = j->data;
	j->sig = j->data + olen;
	for (size_t i = 0; i < n; i++) {
		memcpy(j->octets + j->octets_len, so[i].p, so[i].len);
		j->octets_len += so[i].len;
	}
	if (pss) { /* as long as the hash (RFC 8247 3.2) */
		j->salt_len = (uint8_t)(hash == IKE_SIGHASH_SHA384 ? 48 : hash == IKE_SIGHASH_SHA512 ? 64 : 32);
		ike_drbg_bytes(rng, j->salt, j->salt_len);
	}
	return j;
}

static void run_sign(ike_job *j)
{
	ike_iov one = { j->octets, j->octets_len };
	j->rc = j->pss ? ike_sig_sign_pss_salt(j->crypto, j->key, j->hash, j->salt, &one, 1, j->sig, IKE_SIG_MAX, &j->sig_len)
		       : ike_sig_sign(j->crypto, j->key, j->method, j->hash, &one, 1, j->sig, IKE_SIG_MAX, &j->sig_len);
}

void ike_job_run(ike_job *j)
{
	if (!j || j->ran)
		return;
	j->ran = true;
	j->rc = 0;
	if (j->kind == IKE_JOB_SIGN) {
		run_sign(j);
		return;
	}
	if (j->priv_len)
		j->rc = ike_dh_from_private(NULL, j->group, j->priv, j->priv_len, &j->dh);
	if (!j->rc && j->peer_len)
		j->rc = ike_dh_derive(NULL, j->dh, j->peer_pub, j->peer_len, j->secret, j->secret_len);
}

void ike_job_charges(const ike_job *j, void (*fn)(void *ctx, uint8_t op, uint32_t arg, size_t bytes), void *ctx)
{
	if (j->kind == IKE_JOB_SIGN) {
		fn(ctx, IKE_CHARGE_SIGN, j->charge_arg, j->octets_len);
		return;
	}
	if (j->priv_len)
		fn(ctx, IKE_CHARGE_DH_KEYGEN, j->group, 0);
	if (j->peer_len)
		fn(ctx, IKE_CHARGE_DH_DERIVE, j->group, 0);
}

void ike_job_free(ike_job *j)
{
	if (!j)
		return;
	ike_dh_free(j->dh);
	EVP_PKEY_free(j->key);
	if (j->ctx)
		OPENSSL_clear_free(j->ctx, j->ctx_len);
	OPENSSL_clear_free(j, j->alloc);
}

void ike_job_orphan(ike_job *j)
{
	if (j)
		j->owner = NULL;
}

int ike_job_go(ike_job *j, ike_time now, int pending)
{
	ike_peer *p = j->peer;
	if (p->host.submit && p->host.submit(p->host.ctx, j) == 0)
		return pending;
	ike_job_run(j);
	int r = j->resume(j, now, false);
	ike_job_free(j);
	return r;
}

void ike_peer_job_done(ike_peer *p, ike_time now, ike_job *j)
{
	if (!j)
		return;
	ike_job_run(j); /* a host that never ran it still gets an answer */
	if (j->owner && j->peer == p)
		(void)j->resume(j, now, true);
	ike_job_free(j);
}
