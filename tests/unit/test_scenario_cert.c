/*
 * Scenario auth {cert, key, ca} and cert_time: files resolve next to the scenario, every broken input
 * is one line naming the JSON path and the file, and the check time never comes from the wall clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/cert.h"
#include "scenario_int.h"
#include "test_list.h.in"

/* Parsed as if it were a file in tests/scenarios/, so "certs/..." names the committed test PKIs. */
#define FILE_NAME "tests/scenarios/inline.json"
#define ECDSA(who) "\"cert\":\"certs/ecdsa/" who ".pem\",\"key\":\"certs/ecdsa/" who ".key\""
#define CA "\"ca\":\"certs/ecdsa/ca.pem\""
#define SCN(top, auth)                                                                                          \
	"{" top "\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\",\"addresses\":[\"198.51.100.1\"]}]," \
	"\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\",\"local_id\":\"gw-a.example\",\"auth\":{" auth "}}]}"

static sim_scenario *parse(const char *text, char *err, size_t cap)
{
	return sim_scenario_parse(FILE_NAME, text, strlen(text), err, cap);
}

static void cert_auth_loads(void **state)
{
	(void)state;
	char err[512];
	sim_scenario *sc = parse(SCN("", ECDSA("gw-a.example") "," CA), err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	const ike_conn_cfg *c = &sc->nodes[0].conns[0];
	assert_int_equal(c->auth, IKE_AUTH_PUBKEY);
	assert_non_null(c->cred);
	unsigned bits = 0;
	assert_int_equal(ike_cred_key_kind(c->cred, &bits), 'e');
	assert_int_equal(bits, 256);
	/* Default: one day after the newest notBefore of the certificate and its CA (both in 2026). */
	assert_true(ike_cred_latest_not_before(c->cred) > 1767225600);
	assert_int_equal(sc->cert_time, ike_cred_latest_not_before(c->cred) + 86400);
	sim_scenario_free(sc);
	sc = parse(SCN("\"cert_time\":\"2030-01-01T00:00:00Z\",", ECDSA("gw-a.example") "," CA), err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->cert_time, 1893456000);
	sim_scenario_free(sc);
	sc = parse(SCN("", "\"psk\":\"x\""), err, sizeof(err));
	assert_non_null(sc);
	assert_int_equal(sc->nodes[0].conns[0].auth, IKE_AUTH_PSK);
	assert_int_equal(sc->cert_time, 0); /* no certificates, no check time */
	sim_scenario_free(sc);
}

typedef struct bad_cert {
	const char *json, *want; /* want: the start of the text after "FILE: " */
} bad_cert;

static const bad_cert BAD[] = {
	{ SCN("", "\"psk\":\"x\"," ECDSA("gw-a.example") "," CA),
	  "connections[0].auth: give either \"psk\" or \"cert\", \"key\" and \"ca\", not both" },
	{ SCN("", ""), "connections[0].auth: give either \"psk\" or \"cert\", \"key\" and \"ca\"" },
	{ SCN("", "\"cert\":\"certs/ecdsa/gw-a.example.pem\"," CA), "connections[0].auth.key: missing required field 'key'" },
	{ SCN("", "\"cert\":7,\"key\":\"k\"," CA), "connections[0].auth.cert: expected a string, got a number" },
	{ SCN("", "\"cert\":\"certs/ecdsa/nope.pem\",\"key\":\"k\"," CA),
	  "connections[0].auth.cert: cannot read tests/scenarios/certs/ecdsa/nope.pem: No such file or directory" },
	{ SCN("", "\"cert\":\"certs\",\"key\":\"k\"," CA), "connections[0].auth.cert: cannot read tests/scenarios/certs: " },
	{ SCN("", "\"cert\":\"certs/README.md\",\"key\":\"certs/ecdsa/gw-a.example.key\"," CA),
	  "connections[0].auth.cert: tests/scenarios/certs/README.md: certificate PEM holds no valid certificate" },
	{ SCN("", "\"cert\":\"certs/ecdsa/gw-a.example.pem\",\"key\":\"certs/ecdsa/gw-a.example.pem\"," CA),
	  "connections[0].auth.key: tests/scenarios/certs/ecdsa/gw-a.example.pem (for certificate "
	  "tests/scenarios/certs/ecdsa/gw-a.example.pem): key PEM holds no valid private key" },
	{ SCN("", "\"cert\":\"certs/ecdsa/gw-a.example.pem\",\"key\":\"certs/ecdsa/gw-b.example.key\"," CA),
	  "connections[0].auth.key: tests/scenarios/certs/ecdsa/gw-b.example.key (for certificate "
	  "tests/scenarios/certs/ecdsa/gw-a.example.pem): private key does not match the certificate" },
	{ SCN("", ECDSA("gw-a.example") ",\"ca\":\"certs/ecdsa/gw-a.example.key\""),
	  "connections[0].auth.ca: tests/scenarios/certs/ecdsa/gw-a.example.key: CA PEM holds no valid certificate" },
	{ SCN("", ECDSA("gw-a.example") "," CA ",\"rfc7427\":true"), "connections[0].auth.rfc7427: unknown field" },
	{ SCN("\"cert_time\":\"2026-02-29T00:00:00Z\",", ECDSA("gw-a.example") "," CA),
	  "cert_time: '2026-02-29T00:00:00Z' is not a UTC time after 1970" },
	{ SCN("\"cert_time\":1767225600,", ECDSA("gw-a.example") "," CA), "cert_time: expected a string, got a number" },
};

static void broken_cert_auth_names_path_and_file(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
		char err[768], want[600];
		sim_scenario *sc = parse(BAD[i].json, err, sizeof(err));
		snprintf(want, sizeof(want), FILE_NAME ": %s", BAD[i].want);
		if (sc || strncmp(err, want, strlen(want)) != 0 || strchr(err, '\n'))
			fail_msg("case %zu: got '%s', wanted '%s...'", i, sc ? "(loaded)" : err, want);
	}
}

static void utc_times(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int64_t t;
	} good[] = { { "1970-01-02T00:00:00Z", 86400 },
		     { "2000-02-29T12:34:56Z", 951827696 },
		     { "2026-01-01T00:00:00Z", 1767225600 },
		     { "2100-03-01T00:00:00Z", 4107542400 } };
	static const char *const bad[] = { "2025-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-01-01 00:00:00Z",
					   "2026-01-01T24:00:00Z", "2026-1-01T00:00:00Z", "1969-12-31T23:59:59Z",
					   "2026-01-01T00:00:00", "2026-01-01T00:00:00+01:00", "" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t t = 0;
		assert_int_equal(sim_parse_utc(good[i].s, &t), 0);
		assert_int_equal(t, good[i].t);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t = 0;
		if (sim_parse_utc(bad[i], &t) == 0)
			fail_msg("'%s' was accepted", bad[i]);
	}
}

size_t tests_scenario_cert(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(cert_auth_loads),
		cmocka_unit_test(broken_cert_auth_names_path_and_file),
		cmocka_unit_test(utc_times),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
