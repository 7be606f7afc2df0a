/*
 * libFuzzer target: the configuration parsers of engine/config. Byte 0 picks one: proposals for IKE or
 * ESP, an identity, or a traffic selector; the rest is the text. Oracles: a refusal always says why
 * (non-empty error), formatting stays in its buffer, and a traffic selector printed by ike_ts_format
 * parses back to the same selector.
 */
#include <stdlib.h>
#include <string.h>

#include "fz.h"

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static bool ts_same(const ike_ts *a, const ike_ts *b)
{
	size_t n = a->family == 4 ? 4 : 16;
	return a->family == b->family && a->ip_proto == b->ip_proto && a->start_port == b->start_port &&
	       a->end_port == b->end_port && !memcmp(a->start, b->start, n) && !memcmp(a->end, b->end, n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* The parsers take C strings: the text is copied and terminated (an embedded NUL ends it early). */
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	/* room for the longest form: a 256-byte KEY_ID as "@#" and hex */
	char err[256] = "", out[2 * IKE_ID_MAX + 64];
	switch (data[0] & 3) {
	case 0:
	case 1: {
		ike_proposal_list pl;
		if (ike_proposals_parse(text, (data[0] & 3) ? IKE_PROTO_ESP : IKE_PROTO_IKE, &pl, err, sizeof(err)) != 0) {
			check(err[0] != '\0');
			break;
		}
		check(pl.n >= 1 && pl.n <= IKE_PROP_MAX);
		for (uint8_t i = 0; i < pl.n; i++)
			check(ike_proposal_format(&pl.p[i], out, sizeof(out)) < sizeof(out));
		break;
	}
	case 2: {
		ike_id id;
		if (ike_id_parse(text, &id, err, sizeof(err)) != 0) {
			check(err[0] != '\0');
			break;
		}
		check(id.len <= IKE_ID_MAX);
		check(ike_id_format(&id, out, sizeof(out)) < sizeof(out));
		break;
	}
	default: {
		ike_ts ts, again, both;
		if (ike_ts_parse(text, &ts, err, sizeof(err)) != 0) {
			check(err[0] != '\0');
			break;
		}
		check(ike_ts_format(&ts, out, sizeof(out)) < sizeof(out));
		check(ike_ts_parse(out, &again, err, sizeof(err)) == 0 && ts_same(&ts, &again));
		/* a selector intersected with itself is itself */
		check(ike_ts_intersect(&ts, &ts, &both) == 1 && ts_same(&ts, &both));
		break;
	}
	}
	free(text);
	return 0;
}
