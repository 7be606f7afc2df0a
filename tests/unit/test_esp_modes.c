/*
 * The simulator's data-plane settings: transport mode carrying the gateways' own flows (ESP between their IP
 * header and payload), the child's replay_window, and the reason a data-limit rekey is traced with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "esp/esp.h"
#include "run.h"
#include "scenario.h"
#include "test_list.h.in"

static sim_scenario *load(const char *path)
{
	char err[512];
	sim_scenario *sc = sim_scenario_load(path, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	return sc;
}

/* Runs sc with a trace into a temp file; the trace's bytes (NUL-terminated, caller frees). */
static char *run_traced(const sim_scenario *sc, sim_run_result *res)
{
	char err[512], path[] = "/tmp/ikesim-modes-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	sim_run_opts o = { .trace_path = path };
	if (sim_run_scenario(sc, &o, res, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = calloc(1, 1 << 22);
	assert_non_null(buf);
	size_t n = fread(buf, 1, (1 << 22) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Transport mode: the gateways ping each other; ESP is 20 bytes shorter than tunnel mode's (no inner header). */
static void transport_mode_carries_gateway_flows(void **state)
{
	(void)state;
	sim_scenario *sc = load("tests/scenarios/esp_transport.json");
	assert_int_equal(sc->nodes[0].conns[0].children[0].mode, IKE_MODE_TRANSPORT);
	sim_run_result res;
	char *t = run_traced(sc, &res);
	assert_int_equal(res.flows[0].delivered, 6);
	assert_int_equal(res.flows[1].delivered, 2);
	assert_int_equal(res.esp_nodes[0].drops + res.esp_nodes[1].drops, 0);
	/* AES-GCM: 64 + 2 padded to 68, + 8 + 8 + 16 = 100 (tunnel: 120); 980 + 2 -> 984, 1016 (tunnel: 1036) */
	assert_int_equal(count(t, "\"ev\":\"esp.tx\",\"spi\":\"0x76423227\",\"seq\":1,\"size\":100,\"inner\":84,"), 1);
	assert_int_equal(count(t, "\"size\":1016,\"inner\":1000,"), 4); /* 2 sent, 2 received */
	assert_int_equal(count(t, "\"size\":120,"), 0);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	sim_run_result_free(&res);
	free(t);
	/* The same flows through a tunnel-mode SA: each ESP packet 20 bytes larger (the inner IPv4 header). */
	ike_child_cfg *ch = (ike_child_cfg *)sc->nodes[0].conns[0].children;
	ch->mode = IKE_MODE_TUNNEL;
	ike_child_cfg *chb = (ike_child_cfg *)sc->nodes[1].conns[0].children;
	chb->mode = IKE_MODE_TUNNEL;
	t = run_traced(sc, &res);
	assert_int_equal(res.flows[0].delivered, 6); /* tunnel mode carries the gateways' packets too */
	assert_int_equal(count(t, "\"size\":120,\"inner\":84,"), 12);
	sim_run_result_free(&res);
	free(t);
	sim_scenario_free(sc);
}

/* replay_window 32 drops the packet 40 late that the default 64 accepts; 0 turns the check off. */
static void replay_window_is_a_setting(void **state)
{
	(void)state;
	sim_scenario *sc = load("tests/scenarios/esp_replay_window.json");
	assert_int_equal(sc->nodes[1].conns[0].children[0].replay_window, 64);
	assert_int_equal(sc->nodes[3].conns[0].children[0].replay_window, 32);
	sim_run_result res;
	char *t = run_traced(sc, &res);
	free(t);
	assert_int_equal(res.esp_nodes[1].drops, 0);
	assert_int_equal(res.esp_nodes[3].why[ESP_E_OLD], 1);
	assert_int_equal(res.flows[1].delivered, 99);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	sim_run_result_free(&res);
	ike_child_cfg *d = (ike_child_cfg *)sc->nodes[3].conns[0].children;
	d->replay_window = IKE_REPLAY_OFF;
	t = run_traced(sc, &res);
	free(t);
	assert_int_equal(res.esp_nodes[3].drops, 0); /* no window: the late packet is taken */
	assert_int_equal(res.flows[1].delivered, 100);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

/* A rekey asked for rekey_packets is traced with reason "packets", not "manual". */
static void data_limit_rekeys_say_why(void **state)
{
	(void)state;
	sim_scenario *sc = load("tests/scenarios/esp_rekey_packets.json");
	sim_run_result res;
	char *t = run_traced(sc, &res);
	assert_int_equal(count(t, "\"ev\":\"child_sa.rekeyed\""), 6); /* 3 rekeys, both gateways */
	assert_int_equal(count(t, "\"ev\":\"esp.expire\""), 3);        /* one soft limit per outbound SA that asked */
	assert_int_equal(count(t, "\"limit\":\"soft\",\"reason\":\"packets\""), 3); /* esp.expire says which limit */
	assert_int_equal(count(t, "\"reason\":\"packets\""), 6);      /* and the rekeys of the side that asked */
	assert_int_equal(count(t, "\"reason\":\"manual\""), 0);
	sim_run_result_free(&res);
	free(t);
	sim_scenario_free(sc);
}

size_t tests_esp_modes(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(transport_mode_carries_gateway_flows),
		cmocka_unit_test(replay_window_is_a_setting),
		cmocka_unit_test(data_limit_rekeys_say_why),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
