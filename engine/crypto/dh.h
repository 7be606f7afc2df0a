/* Diffie-Hellman groups: MODP 1,2,5,14-18; ECP 19-21; Curve25519 (31), Curve448 (32). */
#ifndef IKE_CRYPTO_DH_H
#define IKE_CRYPTO_DH_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "crypto/drbg.h"

/* An ephemeral key pair; lives only from KE generation until the shared secret is derived. */
typedef struct ike_dh ike_dh;

/* 1 if the group is supported. */
int ike_dh_supported(uint16_t group);

/* Length of the KE payload's key exchange data for a group (MODP: prime bytes; ECP: 2*coord; X: 32/56); 0 if unknown. */
size_t ike_dh_public_len(uint16_t group);

/* Length of g^ir for a group (MODP: prime bytes, left-padded; ECP: x coordinate; X: 32/56). */
size_t ike_dh_secret_len(uint16_t group);

/* Generates a key pair whose private part is drawn from rng (deterministic). 0 or -ike_crypto_err. */
int ike_dh_generate(const ike_crypto *c, uint16_t group, ike_drbg *rng, ike_dh **out);

/* Private bytes ike_dh_generate draws for a group (0 if unknown), and the draw alone: asynchronous crypto draws
 * on the engine's thread, in the DRBG order of ike_dh_generate, and builds the pair elsewhere. 0 or -err. */
size_t ike_dh_private_len(uint16_t group);
int ike_dh_draw(uint16_t group, ike_drbg *rng, uint8_t *priv, size_t cap);

/* Builds a key pair from given private bytes (big-endian for MODP/ECP, RFC 7748 encoding for X). */
int ike_dh_from_private(const ike_crypto *c, uint16_t group, const uint8_t *priv, size_t len, ike_dh **out);

/* Copies our public value (KE data format) into out (ike_dh_public_len bytes). 0 or -err. */
int ike_dh_public(const ike_dh *dh, uint8_t *out, size_t cap);

/* RFC 6989 checks on a peer's KE data, done cheaply: length, range 1 < y < p-1, point on curve. 0 or -IKE_CRYPTO_EPEER. */
int ike_dh_check_peer(const ike_crypto *c, uint16_t group, const uint8_t *pub, size_t len);

/* Checks the peer value, then writes g^ir (ike_dh_secret_len bytes) into out. 0 or -err. */
int ike_dh_derive(const ike_crypto *c, const ike_dh *dh, const uint8_t *peer, size_t len, uint8_t *out, size_t cap);

uint16_t ike_dh_group(const ike_dh *dh);
void ike_dh_free(ike_dh *dh);

#endif
