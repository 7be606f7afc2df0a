/*
 * libFuzzer target: the credential loader (engine/crypto/cert.h). Byte 0 bit 0 picks the input:
 * 0 = three PEM texts (certificate chain, private key, CA) separated by the line "|||"; 1 = a peer's DER
 * certificate, verified against a fixed trusted CA and matched against the identity that follows it
 * (2-byte length, DER, then ID type and data). A refusal must always say why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert.h"
#include "fz.h"

#define SEP "\n|||\n"

static ike_cred *trust; /* fixed CA (tests/scenarios/certs/ecdsa), read-only after init */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(1 << 16);
	if (!f || !b) {
		fprintf(stderr, "fuzz_cred: cannot read %s (run from the repository root)\n", path);
		exit(2);
	}
	*len = fread(b, 1, 1 << 16, f);
	fclose(f);
	return b;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *d = "tests/scenarios/certs/ecdsa/";
	char p[3][128];
	uint8_t *b[3];
	size_t n[3];
	snprintf(p[0], sizeof(p[0]), "%sgw-a.example.pem", d);
	snprintf(p[1], sizeof(p[1]), "%sgw-a.example.key", d);
	snprintf(p[2], sizeof(p[2]), "%sca.pem", d);
	for (int i = 0; i < 3; i++)
		b[i] = slurp(p[i], &n[i]);
	char err[256];
	if (ike_cred_from_pem(b[0], n[0], b[1], n[1], b[2], n[2], &trust, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_cred: %s\n", err);
		exit(2);
	}
	for (int i = 0; i < 3; i++)
		free(b[i]);
	return 0;
}

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static const uint8_t *split(const uint8_t *p, const uint8_t *end, size_t *len)
{
	size_t sl = strlen(SEP);
	for (const uint8_t *q = p; q + sl <= end; q++)
		if (!memcmp(q, SEP, sl)) {
			*len = (size_t)(q - p);
			return q + sl;
		}
	*len = (size_t)(end - p);
	return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1, *end = data + size;
	if (!(data[0] & 1)) {
		const uint8_t *part[3];
		size_t len[3];
		for (int i = 0; i < 3; i++) {
			part[i] = p;
			p = split(p, end, &len[i]);
		}
		ike_cred *c = NULL;
		int which = -1;
		if (ike_cred_from_pem_part(part[0], len[0], part[1], len[1], part[2], len[2], &c, &which, err,
					   sizeof(err)) != 0) {
			check(err[0] != '\0' && which >= IKE_CRED_PART_CERT && which <= IKE_CRED_PART_CA);
			return 0;
		}
		size_t dl;
		uint8_t req[512];
		check(ike_cred_cert_der(c, &dl) != NULL && dl > 0);
		(void)ike_cred_certreq(c, req, sizeof(req));
		ike_cred_free(c);
		return 0;
	}
	if (size < 3)
		return 0;
	size_t dlen = (size_t)p[0] << 8 | p[1];
	p += 2;
	if (dlen > (size_t)(end - p))
		dlen = (size_t)(end - p);
	ike_peer_cert *pc = NULL;
	char detail[256] = "";
	if (ike_peer_cert_verify(trust, p, dlen, NULL, NULL, 0, &pc, detail, sizeof(detail)) != 0) {
		check(pc == NULL);
		return 0;
	}
	const uint8_t *id = p + dlen;
	if (id < end)
		(void)ike_peer_cert_matches_id(pc, id[0], id + 1, (size_t)(end - id - 1));
	char subj[256];
	ike_peer_cert_subject(pc, subj, sizeof(subj));
	ike_peer_cert_free(pc);
	return 0;
}
