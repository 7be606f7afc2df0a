/* Issue 14's pictures: the key graph's messages and AUTH step, state diagrams per role, a loss toward a peer
 * never reached, and the report's step-through data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h.in"
#include "vizutil.h"

#define EDGE(x) "//s:g[@class='edge'][s:title='" x "']"

static size_t count_xpath(xmlDocPtr d, const char *expr)
{
	char **s;
	size_t n = vt_xpath(d, expr, &s);
	vt_strs_free(s, n);
	return n;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* PSK -> AUTH_i/AUTH_r with RealMessage1/2, the nonce and SK_p; SK_ei/SK_er into the IKE_AUTH messages. */
static void keys_auth_and_messages(void **state)
{
	(void)state;
	viz_trace *t = vt_run(DEMO_SCENARIO);
	viz_keys_opts o = { t, NULL, NULL, 0 }; /* no --node: the initiator's view, as the README's */
	viz_buf b = { 0 };
	char msg[256];
	assert_int_equal(viz_keys(&o, VIZ_FMT_SVG, &b, msg, sizeof(msg)), 0);
	xmlDocPtr d = vt_xml(&b);
	assert_int_equal(count_xpath(d, "//s:text[.='Key derivation on gw-a (RFC 7296 2.14, 2.17)']"), 1);
	static const char *const edges[] = {
		EDGE("k1_PSK->k1_AUTH_i"),		     EDGE("k1_PSK->k1_AUTH_r"),
		EDGE("k1_msg_IKE_SA_INIT_request->k1_AUTH_i"), EDGE("k1_msg_IKE_SA_INIT_response->k1_AUTH_r"),
		EDGE("k1_Nr->k1_AUTH_i"),		     EDGE("k1_Ni->k1_AUTH_r"),
		EDGE("k1_SK_pi->k1_AUTH_i"),		     EDGE("k1_SK_pr->k1_AUTH_r"),
		EDGE("k1_AUTH_i->k1_msg_IKE_AUTH_request"),   EDGE("k1_AUTH_r->k1_msg_IKE_AUTH_response"),
		EDGE("k1_SK_ei->k1_msg_IKE_AUTH_request"),    EDGE("k1_SK_er->k1_msg_IKE_AUTH_response"),
		EDGE("k1_msg_IKE_SA_INIT_request->k1_Ni"),    EDGE("k1_msg_IKE_SA_INIT_request->k1_KEi"),
		EDGE("k1_msg_IKE_SA_INIT_response->k1_Nr"),   EDGE("k1_msg_IKE_SA_INIT_response->k1_KEr"),
	};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		if (count_xpath(d, edges[i]) != 1)
			fail_msg("no edge %s", edges[i]);
	/* AEAD: the empty integrity keys protect nothing; the wrong direction's key protects nothing either */
	assert_int_equal(count_xpath(d, EDGE("k1_SK_ai->k1_msg_IKE_AUTH_request")), 0);
	assert_int_equal(count_xpath(d, EDGE("k1_SK_er->k1_msg_IKE_AUTH_request")), 0);
	char *auth = vt_text_of(d, "k1_AUTH_i"), *m = vt_text_of(d, "k1_msg_IKE_AUTH_request");
	assert_non_null(strstr(auth, "RealMessage1 | Nr | prf(SK_pi, IDi')"));
	assert_non_null(strstr(auth, "prf: PRF_HMAC_SHA2_256"));
	assert_non_null(strstr(m, "IKE_AUTH request 1, sent by gw-a, 245 B"));
	free(auth);
	free(m);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

static xmlDocPtr states(const viz_trace *t, const char *node, int role, viz_buf *b)
{
	viz_states_opts o = { t, node, NULL, 2 };
	char msg[256];
	if (viz_states_role(&o, role, VIZ_FMT_SVG, b, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	return vt_xml(b);
}

/* Each end's diagram has its own role's rows; rows off the path say only their name; it fits report width. */
static void states_per_role(void **state)
{
	(void)state;
	viz_trace *t = vt_run(DEMO_SCENARIO);
	viz_buf b = { 0 };
	xmlDocPtr d = states(t, "gw-a", VIZ_ROLE_AUTO, &b);
	assert_int_equal(count_xpath(d, "//s:g[@id='ike_i-start']"), 1);
	assert_int_equal(count_xpath(d, "//s:g[@id='ike_r-init']"), 0);
	char *off = vt_text_of(d, "ike_delete-recv"), *on = vt_text_of(d, "ike_i-start");
	assert_string_equal(off, "delete-recv"); /* its story is in the tooltip */
	assert_non_null(strstr(on, "[step 1]"));
	free(off);
	free(on);
	char **w;
	assert_int_equal(vt_xpath(d, "/s:svg/@width", &w), 1);
	assert_true(atoi(w[0]) < 1000); /* pt: the report shows it at its size, text at 10-11 pt */
	vt_strs_free(w, 1);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	d = states(t, "gw-b", VIZ_ROLE_AUTO, &b);
	assert_int_equal(count_xpath(d, "//s:g[@id='ike_r-init']"), 1);
	assert_int_equal(count_xpath(d, "//s:g[@id='ike_i-start']"), 0);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	d = states(t, "gw-b", VIZ_ROLE_ALL, &b);
	assert_int_equal(count_xpath(d, "//s:g[@id='ike_r-init']") + count_xpath(d, "//s:g[@id='ike_i-start']"), 2);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* Lesson 02's gw-c never answers: the losses on the way to it end short of its lane, not of gw-b's. */
static void ladder_unreached_peer(void **state)
{
	(void)state;
	viz_trace *t = vt_run("lessons/02-when-it-fails/scenario.json");
	viz_ladder_opts o = { t, NULL, 0, 0, VIZ_ESP_AUTO };
	viz_buf b = { 0 };
	char msg[256], **x, **lane;
	assert_int_equal(viz_ladder(&o, &b, msg, sizeof(msg)), 0);
	assert_int_equal(count(b.p, "on the way to"), 0);
	xmlDocPtr d = vt_xml(&b);
	size_t nl = vt_xpath(d, "//s:g[@class='lane']/s:line/@x1", &lane);
	assert_int_equal(nl, 3);
	/* the three lost IKE_SA_INIT requests to gw-c: their X (the path after the line) past gw-b's lane */
	size_t nx = vt_xpath(d, "//s:g[@class='message'][contains(s:text[@class='msg'], 'IKE_SA_INIT request') and "
				"contains(s:text[@class='fate'], 'lost (loss)')]/s:line/@x2", &x);
	assert_int_equal(nx, 3);
	for (size_t i = 0; i < nx; i++)
		assert_true(atof(x[i]) > atof(lane[1]) && atof(x[i]) < atof(lane[2]));
	vt_strs_free(x, nx);
	vt_strs_free(lane, nl);
	xmlFreeDoc(d);
	viz_buf_free(&b);
	viz_trace_free(t);
}

/* The report carries one decoded step per IKE message and tags each ladder arrow with its event. */
static void report_steps(void **state)
{
	(void)state;
	viz_trace *t = vt_run("lessons/02-when-it-fails/scenario.json");
	viz_buf b = { 0 };
	char msg[256];
	assert_int_equal(viz_report(t, &b, msg, sizeof(msg)), 0);
	size_t sends = 0;
	for (size_t i = 0; i < t->n; i++)
		sends += strcmp(t->ev[i].ev, "ike.tx") == 0 || strcmp(t->ev[i].ev, "ike.retransmit") == 0 ||
			 strcmp(t->ev[i].ev, "ike.dup") == 0;
	assert_int_equal(count(b.p, "\"ev\":"), sends);
	assert_int_equal(count(b.p, "<g class=\"message\" data-ev=\""), sends);
	assert_int_equal(count(b.p, "<script type=\"application/json\" id=\"steps\">"), 1);
	assert_non_null(strstr(b.p, "\"fate\":\"lost on the link (fault)\""));
	assert_non_null(strstr(b.p, "\"kind\":\"cached response sent again\""));
	assert_non_null(strstr(b.p, "Notify INVALID_KE_PAYLOAD"));
	assert_int_equal(count(b.p, "http") + count(b.p, "href") + count(b.p, "src="), 0);
	viz_buf_free(&b);
	viz_trace_free(t);
}

size_t tests_viz_teach(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(keys_auth_and_messages),
		cmocka_unit_test(states_per_role),
		cmocka_unit_test(ladder_unreached_peer),
		cmocka_unit_test(report_steps),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
