/* Test PKIs made once per test run through cli/certgen.c (the code behind `ikesim certs`). */
#ifndef IKE_TEST_CERTFX_H
#define IKE_TEST_CERTFX_H

#include "certgen.h"
#include "crypto/cert.h"

typedef struct certfx_set {
	cli_pem ca, a, b; /* CA; "gw-a.example"; "gw-b.example" */
} certfx_set;

/* 'r': RSA-2048 PKI, 'e': ECDSA P-256 PKI, 'o': another ECDSA P-256 PKI (same names, different CA). */
const certfx_set *certfx_get(char kind);
/* A credential from an end-entity's PEM and a CA's PEM, or the test fails. */
ike_cred *certfx_cred(const cli_pem *ee, const cli_pem *ca);

#endif
