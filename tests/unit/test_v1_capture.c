/*
 * An IKEv1 scenario's capture: the runner writes the ikev1_decryption_table beside the pcap (one row for the
 * ISAKMP SA, "<CKY-I>,<Ka>", the Ka the trace's kdf event shows), and tshark, given that table, decrypts every
 * encrypted IKEv1 message (Main Mode 5/6, the three Quick Mode messages) to a well-formed HASH payload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run.h"
#include "scenario.h"
#include "test_list.h.in"
#include "testfs.h"
#include "tsharkfx.h"
#include "viz.h"

static void v1_capture_decrypts(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "v1cap");
	char pcap[128], trace[128], table[176], v2table[176], err[512];
	tfs_dir_file(&d, "x.pcap", pcap, sizeof(pcap));
	tfs_dir_file(&d, "x.jsonl", trace, sizeof(trace));
	snprintf(table, sizeof(table), "%s%s", pcap, SIM_KEYTAB_V1_SUFFIX);
	snprintf(v2table, sizeof(v2table), "%s%s", pcap, SIM_KEYTAB_SUFFIX);
	sim_scenario *sc = sim_scenario_load("tests/scenarios/v1_qm_pfs.json", err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_result res;
	sim_run_opts ro = { .seed = 1, .seed_set = 1, .trace_path = trace, .reveal_keys = 1, .pcap_path = pcap };
	assert_int_equal(sim_run_scenario(sc, &ro, &res, err, sizeof(err)), 0);
	assert_int_equal(res.keys.rows, 0); /* nothing in the IKEv2 table */
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	size_t n;
	char *t = tfs_read(table, &n), *tr = tfs_read(trace, &n), *t2 = tfs_read(v2table, &n);
	assert_non_null(t);
	assert_non_null(tr);
	assert_non_null(t2);
	assert_null(strchr(strchr(t2, '\n') + 1, ',')); /* the IKEv2 table has its header only */
	char *row = strchr(t, '\n') + 1, *nl = strchr(row, '\n');
	assert_non_null(nl);
	assert_string_equal(nl, "\n"); /* one row: both ends reported the same ISAKMP SA */
	*nl = 0;
	assert_int_equal(strlen(row), 16 + 1 + 64); /* cookie, AES-256 Ka */
	char pat[128];
	snprintf(pat, sizeof(pat), "\"initiator-spi\":\"%.16s\"", row);
	assert_non_null(strstr(tr, pat));
	snprintf(pat, sizeof(pat), "\"name\":\"Ka\",\"inputs\":[\"SKEYID_e\"],\"len\":32");
	assert_non_null(strstr(tr, pat));
	snprintf(pat, sizeof(pat), "\"value\":\"%s\"", row + 17);
	assert_non_null(strstr(tr, pat)); /* the row's key is the Ka the engine derived */
	if (tsx_available()) {
		char args[400];
		snprintf(args, sizeof(args), "-o \"uat:ikev1_decryption_table:%s\" -Y \"isakmp.flag_e==1\" "
					     "-T fields -e frame.number -e isakmp.hash -e _ws.malformed", row);
		char *out = tsx_run(NULL, pcap, args, NULL);
		size_t enc = tsx_count_lines(out, "\t");
		if (enc != 5)
			fail_msg("tshark: \"%s\" with row %s", out, row);
		assert_int_equal(enc, 5); /* MM5, MM6, QM1, QM2, QM3 */
		for (char *p = out; *p; p = strchr(p, '\n') + 1) { /* each: a 32-byte HASH, nothing malformed */
			char *tab = strchr(p, '\t');
			assert_non_null(tab);
			assert_int_equal(strcspn(tab + 1, "\t\n"), 64);
			assert_int_equal(tab[65], '\t');
			assert_int_equal(tab[66], '\n');
		}
		free(out);
		row[20] = row[20] == '0' ? '1' : '0'; /* a wrong key decrypts nothing to a HASH */
		snprintf(args, sizeof(args), "-o \"uat:ikev1_decryption_table:%s\" -Y \"isakmp.hash && !_ws.malformed\" "
					     "-T fields -e frame.number", row);
		out = tsx_run(NULL, pcap, args, NULL);
		assert_string_equal(out, "");
		free(out);
	}
	free(t);
	free(t2);
	free(tr);
	tfs_dir_remove(&d);
}

/* `viz states --ike 1` draws v1_ike_transitions and v1_child_transitions; with a v1 trace the path checks. */
static void v1_states_picture(void **state)
{
	(void)state;
	tfs_dir d;
	tfs_dir_make(&d, "v1viz");
	char trace[128], err[512];
	tfs_dir_file(&d, "x.jsonl", trace, sizeof(trace));
	sim_scenario *sc = sim_scenario_load("tests/scenarios/v1_mm_psk.json", err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_result res;
	sim_run_opts ro = { .seed = 1, .seed_set = 1, .trace_path = trace };
	assert_int_equal(sim_run_scenario(sc, &ro, &res, err, sizeof(err)), 0);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	viz_trace *t = viz_trace_load(trace, err, sizeof(err));
	if (!t)
		fail_msg("%s", err);
	viz_buf b = { 0 };
	viz_states_opts o = { t, "gw-a", NULL, 1 };
	assert_int_equal(viz_states(&o, VIZ_FMT_DOT, &b, err, sizeof(err)), 0);
	assert_non_null(strstr(b.p, "ISAKMP SA: v1_ike_transitions"));
	assert_non_null(strstr(b.p, "i-auth-ok"));
	assert_non_null(strstr(b.p, "[step 4]"));
	viz_buf_free(&b);
	o.ike = 2; /* a v1 trace against the v2 tables: the rows do not match */
	assert_int_equal(viz_states(&o, VIZ_FMT_DOT, &b, err, sizeof(err)), -1);
	viz_buf_free(&b);
	viz_trace_free(t);
	tfs_dir_remove(&d);
}

size_t tests_v1_capture(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_capture_decrypts),
		cmocka_unit_test(v1_states_picture),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
