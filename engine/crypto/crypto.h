/* The crypto context: OpenSSL algorithms fetched once, then shared read-only by every peer. */
#ifndef IKE_CRYPTO_CRYPTO_H
#define IKE_CRYPTO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Error codes returned (negated) by every crypto function; 0 is success. */
enum ike_crypto_err {
	IKE_CRYPTO_OK = 0,
	IKE_CRYPTO_EUNSUPPORTED = 1, /* unknown/unsupported algorithm or group */
	IKE_CRYPTO_EINVAL = 2,       /* bad length or parameter */
	IKE_CRYPTO_EPEER = 3,        /* peer's public value failed RFC 6989 checks */
	IKE_CRYPTO_EAUTH = 4,        /* integrity/tag check failed */
	IKE_CRYPTO_EOSSL = 5,        /* OpenSSL reported an error */
	IKE_CRYPTO_ENOMEM = 6,
};

/* Immutable after ike_crypto_new(); safe to share across peers and threads. */
typedef struct ike_crypto ike_crypto;

/* Creates the context (fetches digests, MACs, ciphers once). NULL on failure. Caller frees. */
ike_crypto *ike_crypto_new(void);
void ike_crypto_free(ike_crypto *c);

/* A short static description of an error code, for messages. */
const char *ike_crypto_strerror(int err);

#endif
