/*
 * X.509 credentials for public-key authentication (RFC 7296 2.15, 3.6, 3.7): our certificate, an optional
 * intermediate chain, our private key and the CA(s) we trust, all parsed from PEM bytes the host read.
 * The engine never reads a clock: validity periods are checked at the time the host set with
 * ike_cred_set_check_time(); if it never did, validity periods are not checked at all.
 */
#ifndef IKE_CRYPTO_CERT_H
#define IKE_CRYPTO_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "ike.h"

/* CERT/CERTREQ encoding "X.509 Certificate - Signature" (RFC 7296 3.6). */
#define IKE_CERT_X509_SIG 4
/* Largest DER certificate we send or accept in one CERT payload. */
#define IKE_CERT_MAX_DER 4096
/* At most this many intermediates are sent or accepted (a long chain goes in RFC 7383 fragments). */
#define IKE_CERT_MAX_CHAIN 32
#define IKE_CERT_MAX_CHAIN_TEXT "32"

/*
 * Builds a credential. cert: PEM, our end-entity certificate first, then any intermediates.
 * key: PEM private key (RSA or EC P-256/384/521) matching the certificate. ca: PEM, one or more
 * trusted CA certificates. 0 and *out set, or -1 with a one-line reason in err.
 */
int ike_cred_from_pem(const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len, const uint8_t *ca,
		      size_t ca_len, ike_cred **out, char *err, size_t errlen);
void ike_cred_free(ike_cred *c);

/* Which input a failed ike_cred_from_pem_part() blames, so a host can name the file. */
enum ike_cred_part { IKE_CRED_PART_NONE = 0, IKE_CRED_PART_CERT = 1, IKE_CRED_PART_KEY = 2, IKE_CRED_PART_CA = 3 };
/* ike_cred_from_pem, also setting *part (enum ike_cred_part) to the input at fault (NONE on success). */
int ike_cred_from_pem_part(const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len,
			   const uint8_t *ca, size_t ca_len, ike_cred **out, int *part, char *err, size_t errlen);

/* The latest notBefore (Unix seconds) among our certificate, our intermediates and the trusted CAs. */
int64_t ike_cred_latest_not_before(const ike_cred *c);

/* Unix time (seconds) at which peers' certificates must be valid; 0 = do not check validity periods. */
void ike_cred_set_check_time(ike_cred *c, int64_t unix_seconds);

/* Whether we announce SIGNATURE_HASH_ALGORITHMS and so sign with RFC 7427 (default on); off = methods 1/9/10/11. */
void ike_cred_set_rfc7427(ike_cred *c, bool on);
bool ike_cred_rfc7427(const ike_cred *c);

/*
 * Sign RFC 7427 AUTH with RSASSA-PSS (RFC 8247 3.2: SHA-2, MGF1 with the same hash, salt = hash length)
 * instead of PKCS#1 v1.5; default off. Only for RSA keys: 0, or -1 (flag unchanged) for another key.
 * Without the peer's SIGNATURE_HASH_ALGORITHMS we still sign with method 1 (PKCS#1 v1.5 SHA-1).
 */
int ike_cred_set_rsa_pss(ike_cred *c, bool on);
bool ike_cred_rsa_pss(const ike_cred *c);

/* Our end-entity certificate in DER (valid while c lives). */
const uint8_t *ike_cred_cert_der(const ike_cred *c, size_t *len);
/* Intermediate i (0-based) in DER, NULL past the end. */
const uint8_t *ike_cred_chain_der(const ike_cred *c, size_t i, size_t *len);

/* CERTREQ data (RFC 7296 3.7): SHA-1 of each trusted CA's SubjectPublicKeyInfo, concatenated. Bytes or -1. */
int ike_cred_certreq(const ike_cred *c, uint8_t *out, size_t cap);

/* The subject DN (DER) of trusted CA i (0-based): what an IKEv1 CR names (RFC 2408 3.10). Bytes, or -1 past the
 * last CA or when cap is short. */
int ike_cred_ca_dn(const ike_cred *c, size_t i, uint8_t *out, size_t cap);

/* Our private key's kind: 'r' RSA, 'e' EC; bits = key size (RSA modulus, EC field). */
char ike_cred_key_kind(const ike_cred *c, unsigned *bits);

/* Our private key, for crypto/sig.c (owned by c). */
EVP_PKEY *ike_cred_pkey(const ike_cred *c);

/* A peer's certificate, checked against our CAs; opaque to the engine's exchange code. */
typedef struct ike_peer_cert ike_peer_cert;

/* Why verification failed (first failing check). */
enum ike_cert_err {
	IKE_CERT_OK = 0,
	IKE_CERT_EPARSE = 1,   /* not a DER X.509 certificate */
	IKE_CERT_EUNTRUSTED = 2, /* does not chain to our CA, or expired / not yet valid */
	IKE_CERT_ENOMEM = 3,
};

/*
 * Parses the peer's end-entity certificate (DER) plus untrusted intermediates and verifies the chain
 * against c's trusted CAs. 0 and *out, or -enum ike_cert_err with OpenSSL's reason in detail.
 */
int ike_peer_cert_verify(const ike_cred *c, const uint8_t *der, size_t len, const uint8_t *const *chain,
			 const size_t *chain_len, size_t n_chain, ike_peer_cert **out, char *detail, size_t cap);
void ike_peer_cert_free(ike_peer_cert *pc);

/*
 * True if an IKE ID (RFC 7296 3.5 type and data) names the certificate's holder: FQDN, RFC822 and IP
 * addresses must equal a subjectAltName of that kind; DER_ASN1_DN must equal the subject DN (DER).
 */
bool ike_peer_cert_matches_id(const ike_peer_cert *pc, uint8_t id_type, const uint8_t *id, size_t id_len);

/* The certificate's public key, for crypto/sig.c (owned by pc). */
EVP_PKEY *ike_peer_cert_pkey(const ike_peer_cert *pc);

/* "CN=..., O=..." of the certificate's subject, for traces. */
void ike_peer_cert_subject(const ike_peer_cert *pc, char *out, size_t cap);

#endif
