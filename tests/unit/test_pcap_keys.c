/* Wireshark's IKEv2 key table: rows as Wireshark's UAT reads them, names for every registry algorithm, a row
 * whose keys are the kdf trace's, and the engine handing keys to the host only when asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/registry.h"
#include "keytab.h"
#include "pair.h"
#include "run.h"
#include "testfs.h"
#include "test_list.h.in"
#include "ws_names.h"

#define DEMO "lessons/01-first-tunnel/scenario.json"
#define SAMPLE_TABLE "tests/vectors/wireshark_ikev2_decryption_table.txt"

static int is_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return len % 2 == 0;
}

/*
 * Checks one ikev2_decryption_table row: SPIi,SPIr (16 hex digits each),SK_ei,SK_er (hex),"encr",
 * SK_ai,SK_ar (hex, may be empty),"integ". Copies the fields into f[8] (quotes stripped).
 */
static int row_ok(const char *line, char f[8][300])
{
	size_t k = 0;
	const char *p = line;
	while (k < 8) {
		const char *end;
		if (*p == '"') {
			end = strchr(p + 1, '"');
			if (!end)
				return 0;
			snprintf(f[k], 300, "%.*s", (int)(end - p - 1), p + 1);
			end++;
		} else {
			end = p + strcspn(p, ",\n");
			if (!is_hex(p, (size_t)(end - p)))
				return 0;
			snprintf(f[k], 300, "%.*s", (int)(end - p), p);
		}
		k++;
		if (k < 8 && *end != ',')
			return 0;
		p = end + (k < 8);
		if (k == 8 && *end && *end != '\n')
			return 0;
	}
	return strlen(f[0]) == 16 && strlen(f[1]) == 16 && strlen(f[2]) == strlen(f[3]) && strlen(f[5]) == strlen(f[6]);
}

/* The row checker accepts every line of Wireshark's own sample file: it checks Wireshark's format. */
static void row_checker_accepts_wireshark_sample(void **state)
{
	(void)state;
	size_t n, rows = 0;
	char *t = tfs_read(SAMPLE_TABLE, &n), f[8][300];
	assert_non_null(t);
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		assert_true(row_ok(line, f));
		rows++;
	}
	assert_int_equal(rows, 9);
	free(t);
}

/* Every name we write is spelt as Wireshark spells it: the sample's names, and the families we added. */
static void names_cover_registry(void **state)
{
	(void)state;
	size_t n_all, n;
	const ike_alg *all = ike_alg_all(&n_all);
	char *sample = tfs_read(SAMPLE_TABLE, &n);
	assert_non_null(sample);
	for (size_t i = 0; i < n_all; i++) {
		bool checked;
		if (all[i].type == IKE_TT_ENCR) {
			const char *w = sim_ws_ikev2_encr(all[i].id, all[i].keylen_bits);
			if (all[i].id == IKE_ENCR_CHACHA20_POLY1305) {
				assert_null(w); /* Wireshark 4.0's IKEv2 table has no ChaCha20-Poly1305 */
				continue;
			}
			assert_non_null(w);
			char want[64];
			if (all[i].aead)
				snprintf(want, sizeof(want), "AES-GCM-%u with %u octet ICV [RFC5282]", all[i].keylen_bits,
					 all[i].icv_bytes);
			else
				snprintf(want, sizeof(want), "AES-%s-%u [%s]", all[i].id == IKE_ENCR_AES_CBC ? "CBC" : "CTR",
					 all[i].keylen_bits, all[i].id == IKE_ENCR_AES_CBC ? "RFC3602" : "RFC5930");
			assert_string_equal(w, want);
		} else if (all[i].type == IKE_TT_INTEG) {
			const char *w = sim_ws_ikev2_integ(all[i].id, &checked);
			assert_non_null(w);
			if (checked)
				assert_int_equal(strncmp(w, "HMAC_", 5), 0);
			else
				assert_string_equal(w, "ANY 96-bits of Authentication [No Checking]");
		}
	}
	/* Spot checks against the sample's exact spelling. */
	const char *from_sample[] = { sim_ws_ikev2_encr(IKE_ENCR_AES_CBC, 256), sim_ws_ikev2_encr(IKE_ENCR_AES_CTR, 128),
				      sim_ws_ikev2_encr(IKE_ENCR_AES_GCM_16, 256), sim_ws_ikev2_encr(IKE_ENCR_AES_GCM_8, 256),
				      sim_ws_ikev2_integ(IKE_INTEG_HMAC_SHA2_256_128, &(bool){ 0 }),
				      sim_ws_ikev2_integ(IKE_INTEG_HMAC_SHA2_512_256, &(bool){ 0 }),
				      sim_ws_ikev2_integ(IKE_INTEG_AES_XCBC_96, &(bool){ 0 }), SIM_WS_INTEG_NONE };
	for (size_t i = 0; i < sizeof(from_sample) / sizeof(from_sample[0]); i++) {
		char q[80];
		snprintf(q, sizeof(q), "\"%s\"", from_sample[i]);
		assert_non_null(strstr(sample, q));
	}
	free(sample);
}

/* The value of the first kdf event `name` of `node` in a trace file, as hex into out. */
static void trace_kdf(const char *trace, const char *node, const char *name, char *out, size_t cap)
{
	size_t n;
	char *t = tfs_read(trace, &n), pat_node[64], pat_name[64];
	assert_non_null(t);
	snprintf(pat_node, sizeof(pat_node), "\"node\":\"%s\"", node);
	snprintf(pat_name, sizeof(pat_name), "\"ev\":\"kdf\",\"name\":\"%s\"", name);
	out[0] = 0;
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, pat_node) && strstr(line, pat_name)) {
			const char *v = strstr(line, "\"value\":\"");
			assert_non_null(v);
			v += 9;
			snprintf(out, cap, "%.*s", (int)strcspn(v, "\""), v);
			break;
		}
	free(t);
	assert_true(out[0] != 0);
}

/* A CBC+HMAC run: one row, in Wireshark's format, holding exactly the keys the trace's kdf events show. */
static void key_table_row_matches_kdf(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "pcap");
	char scn[128], pcap[128], trace[128], table[160], f[8][300], v[300];
	tfs_dir_file(&d, "cbc.json", scn, sizeof(scn));
	tfs_dir_file(&d, "x.pcap", pcap, sizeof(pcap));
	tfs_dir_file(&d, "x.jsonl", trace, sizeof(trace));
	snprintf(table, sizeof(table), "%s%s", pcap, SIM_KEYTAB_SUFFIX);
	size_t n;
	char *demo = tfs_read(DEMO, &n);
	assert_non_null(demo);
	FILE *o = fopen(scn, "w");
	assert_non_null(o);
	for (char *p = demo, *hit; *p; p = hit + strlen("aes128gcm16-prfsha256-x25519")) {
		if (!(hit = strstr(p, "aes128gcm16-prfsha256-x25519"))) {
			fputs(p, o);
			break;
		}
		fprintf(o, "%.*saes256-sha256-x25519", (int)(hit - p), p);
	}
	fclose(o);
	free(demo);
	char err[512];
	sim_scenario *sc = sim_scenario_load(scn, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_result res;
	sim_run_opts ro = { .seed = 1, .seed_set = 1, .trace_path = trace, .reveal_keys = 1, .pcap_path = pcap };
	assert_int_equal(sim_run_scenario(sc, &ro, &res, err, sizeof(err)), 0);
	assert_int_equal(res.keys.rows, 1);
	assert_int_equal(res.keys.undecryptable, 0);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	char *t = tfs_read(table, &n);
	assert_non_null(t);
	assert_int_equal(t[0], '#');
	char *row = strchr(t, '\n') + 1;
	assert_true(row_ok(row, f));
	assert_string_equal(strchr(row, '\n'), "\n"); /* exactly one row: both ends' reports merged */
	assert_string_equal(f[4], "AES-CBC-256 [RFC3602]");
	assert_string_equal(f[7], "HMAC_SHA2_256_128 [RFC4868]");
	static const char *const names[] = { "initiator-spi", "responder-spi" };
	for (int i = 0; i < 2; i++) {
		char pat[64];
		snprintf(pat, sizeof(pat), "\"%s\":\"%s\"", names[i], f[i]);
		char *tr = tfs_read(trace, &n);
		assert_non_null(strstr(tr, pat));
		free(tr);
	}
	static const char *const kdf[] = { "SK_ei", "SK_er", NULL, "SK_ai", "SK_ar" }; /* f[2..6] */
	for (int i = 0; i < 5; i++) {
		if (!kdf[i])
			continue;
		trace_kdf(trace, "gw-b", kdf[i], v, sizeof(v));
		assert_string_equal(f[2 + i], v);
	}
	free(t);
	tfs_dir_remove(&d);
}

/* ---- the engine's side: keys with IKE_UP only when reveal_keys is set ---- */

typedef struct seen_keys {
	int ups, with_keys;
	char ei[80], ar[140];
	uint16_t encr, integ;
} seen_keys;

static void hex_of(const uint8_t *b, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * len] = 0;
}

static void record_up(pair *pr, int side, const ike_sa_event *ev)
{
	seen_keys *s = &((seen_keys *)pr->user)[side];
	if (ev->kind != IKE_EV_IKE_UP)
		return;
	s->ups++;
	if (!ev->keys)
		return;
	s->with_keys++;
	s->encr = ev->keys->encr;
	s->integ = ev->keys->integ;
	hex_of(ev->keys->ei, ev->keys->e_len, s->ei);
	hex_of(ev->keys->ar, ev->keys->a_len, s->ar);
}

static void engine_reveals_keys_only_when_asked(void **state)
{
	(void)state;
	for (int hide = 0; hide < 2; hide++) {
		pair pr;
		seen_keys seen[2] = { 0 };
		pair_init(&pr, "aes128-sha256-x25519", "aes128gcm16");
		pr.user = seen;
		pr.sa_hook = record_up;
		pr.hide_keys = hide;
		pr.record_trace = true;
		pair_start(&pr, 7);
		pair_run(&pr, 10 * IKE_NS_PER_SEC);
		char want[140];
		for (int s = 0; s < 2; s++) {
			assert_int_equal(seen[s].ups, 1);
			assert_int_equal(seen[s].with_keys, !hide);
			if (hide)
				continue;
			assert_int_equal(seen[s].encr, IKE_ENCR_AES_CBC);
			assert_int_equal(seen[s].integ, IKE_INTEG_HMAC_SHA2_256_128);
			/* SK_ei/SK_ar are the initiator's/responder's keys on both sides, as the kdf events say. */
			assert_true(pair_kdf_value(&pr, s, "SK_ei", want, sizeof(want)) > 0);
			assert_string_equal(seen[s].ei, want);
			assert_true(pair_kdf_value(&pr, s, "SK_ar", want, sizeof(want)) > 0);
			assert_string_equal(seen[s].ar, want);
		}
		pair_free(&pr);
	}
}

size_t tests_pcap_keys(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(row_checker_accepts_wireshark_sample),
		cmocka_unit_test(names_cover_registry),
		cmocka_unit_test(key_table_row_matches_kdf),
		cmocka_unit_test(engine_reveals_keys_only_when_asked),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
