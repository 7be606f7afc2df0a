/* Generated PKIs, cached for the whole run: RSA-2048 key generation is slow under ASan. */
#include "certfx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static certfx_set sets[3];
static int made[3];

static void make_set(certfx_set *s, const cli_keyspec *ks)
{
	char err[256];
	cli_certgen *g = cli_certgen_new(ks, "ikesim test CA", 3650, err, sizeof(err));
	if (!g)
		fail_msg("certgen: %s", err);
	if (cli_certgen_ca(g, &s->ca, err, sizeof(err)) != 0 ||
	    cli_certgen_issue(g, "gw-a.example", &s->a, err, sizeof(err)) != 0 ||
	    cli_certgen_issue(g, "gw-b.example", &s->b, err, sizeof(err)) != 0)
		fail_msg("certgen: %s", err);
	cli_certgen_free(g);
}

const certfx_set *certfx_get(char kind)
{
	int i = kind == 'r' ? 0 : kind == 'e' ? 1 : 2;
	if (!made[i]) {
		char err[128];
		cli_keyspec ks;
		if (kind == 'r')
			assert_int_equal(cli_keyspec_rsa("2048", &ks, err, sizeof(err)), 0);
		else
			assert_int_equal(cli_keyspec_ecdsa("P-256", &ks, err, sizeof(err)), 0);
		make_set(&sets[i], &ks);
		made[i] = 1;
	}
	return &sets[i];
}

ike_cred *certfx_cred(const cli_pem *ee, const cli_pem *ca)
{
	char err[256];
	ike_cred *c = NULL;
	if (ike_cred_from_pem((const uint8_t *)ee->cert, ee->cert_len, (const uint8_t *)ee->key, ee->key_len,
			      (const uint8_t *)ca->cert, ca->cert_len, &c, err, sizeof(err)) != 0)
		fail_msg("cred: %s", err);
	return c;
}
