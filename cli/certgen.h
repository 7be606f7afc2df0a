/* A throw-away test CA and the certificates it issues, in memory (PEM), for `ikesim certs` and tests. */
#ifndef CLI_CERTGEN_H
#define CLI_CERTGEN_H

#include <stddef.h>

typedef struct cli_certgen cli_certgen;

/* Key choice: RSA of `bits`, or ECDSA on curve "P-256" / "P-384" / "P-521". */
typedef struct cli_keyspec {
	char kind; /* 'r' or 'e' */
	unsigned bits;
	const char *curve;
} cli_keyspec;

/* PEM text, NUL-terminated, owned by the caller (cli_pem_free). */
typedef struct cli_pem {
	char *cert, *key;
	size_t cert_len, key_len;
} cli_pem;

/* Parses "--rsa BITS" / "--ecdsa CURVE" values; 0 or -1 with err. */
int cli_keyspec_rsa(const char *bits, cli_keyspec *ks, char *err, size_t errlen);
int cli_keyspec_ecdsa(const char *curve, cli_keyspec *ks, char *err, size_t errlen);

/* A new CA "CN=<cn>" valid for `days`; NULL with err. */
cli_certgen *cli_certgen_new(const cli_keyspec *ks, const char *cn, int days, char *err, size_t errlen);
/* The CA certificate (and key) as PEM. 0 or -1. */
int cli_certgen_ca(const cli_certgen *g, cli_pem *out, char *err, size_t errlen);
/*
 * Issues a certificate for `name`: subject CN=name and subjectAltName IP:name for an address, email:name
 * if it contains '@', DNS:name otherwise. 0 or -1 with err.
 */
int cli_certgen_issue(cli_certgen *g, const char *name, cli_pem *out, char *err, size_t errlen);
void cli_certgen_free(cli_certgen *g);
void cli_pem_free(cli_pem *p);

/* 1 if name is usable as a certificate name and a file name: [A-Za-z0-9.-_@:], 1..64 chars, not "ca". */
int cli_certgen_name_ok(const char *name);

#endif
