/* `ikesim report`: one self-contained HTML page: summary, ladder, state paths and key graphs, all inline. */
#include <stdio.h>
#include <string.h>

#include "report_int.h"

#define MAX_SAS 8 /* IKE SAs given their own state and key pictures */

static const char CSS[] =
	"body{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#1b2631;max-width:1400px}"
	"h1{font-size:1.5em}h2{border-bottom:1px solid #d5d8dc;padding-bottom:.2em;margin-top:2em}"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d5d8dc;padding:.25em .6em;"
	"text-align:left;font-size:.9em}th{background:#f4f6f7}code{font-size:.9em}"
	".fig{overflow-x:auto;border:1px solid #eaecee;padding:.5em;margin:.5em 0}"
	".fig svg{max-width:100%;height:auto}ol{font-size:.9em}.err{color:#c0392b}";

int rep_str_is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static const viz_event *find_ev(const viz_trace *t, const char *ev)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->ev[i].ev, ev) == 0)
			return &t->ev[i];
	return NULL;
}

static void cell(viz_buf *b, const cJSON *o, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
	viz_buf_puts(b, "<td>");
	if (cJSON_IsString(v))
		viz_buf_xml(b, v->valuestring);
	else if (cJSON_IsBool(v))
		viz_buf_puts(b, cJSON_IsTrue(v) ? "yes" : "no");
	viz_buf_puts(b, "</td>");
}

static void summary_section(const viz_trace *t, viz_buf *b)
{
	const viz_event *st = find_ev(t, "sim.start"), *sum = find_ev(t, "summary");
	char ts[32];
	viz_buf_puts(b, "<h2>Summary</h2>\n<p>");
	if (st) {
		viz_buf_puts(b, "Scenario <code>");
		viz_buf_xml(b, viz_ev_str(st, "scenario"));
		viz_buf_printf(b, "</code>, seed %.0f. ", viz_ev_num(st, "seed", 0));
	}
	if (!sum) {
		viz_buf_puts(b, "The trace has no summary line.</p>\n");
		return;
	}
	const cJSON *dg = cJSON_GetObjectItemCaseSensitive(sum->json, "datagrams");
	viz_time_str((int64_t)(viz_ev_num(sum, "virtual_time", 0) * 1e9 + 0.5), ts, sizeof(ts));
	viz_buf_printf(b, "Virtual time %s s; datagrams: %.0f sent, %.0f delivered, %.0f dropped.</p>\n", ts,
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(dg, "sent")),
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(dg, "delivered")),
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(dg, "dropped")));
	viz_buf_puts(b, "<table><tr><th>node</th><th>connection</th><th>IKE SA</th><th>CHILD SA</th><th>IKE "
			"algorithms</th><th>ESP algorithms</th><th>error</th><th>timed out</th><th>remote</th></tr>\n");
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(sum->json, "nodes"), *n, *c;
	cJSON_ArrayForEach(n, nodes)
	{
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(n, "conns"))
		{
			viz_buf_puts(b, "<tr>");
			cell(b, n, "name");
			static const char *const f[] = { "name", "ike_state", "child_state", "ike", "esp", "error", "timed_out", "remote" };
			for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
				cell(b, c, f[i]);
			viz_buf_puts(b, "</tr>\n");
		}
	}
	viz_buf_puts(b, "</table>\n");
}

/* An SVG into the page; a failed picture becomes a visible error line instead. */
static void figure(viz_buf *b, int rc, const viz_buf *svg, const char *prefix, const char *msg)
{
	viz_buf_puts(b, "<div class=\"fig\">");
	if (rc == 0 && !svg->oom) {
		viz_svg_inline(b, svg->p, svg->len, prefix);
	} else {
		viz_buf_puts(b, "<p class=\"err\">");
		viz_buf_xml(b, msg);
		viz_buf_puts(b, "</p>");
	}
	viz_buf_puts(b, "</div>\n");
}

/* The distinct IKE SAs of the run as (node, initiator SPI) pairs, in order of appearance. */
static size_t list_sas(const viz_trace *t, const viz_event **sa, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n && n < max; i++) {
		const viz_event *e = &t->ev[i];
		const char *ispi = viz_ev_str(e, "initiator-spi");
		int seen = strcmp(e->ev, "ike_sa.state") != 0 || !ispi;
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(sa[k]->node, e->node) == 0 && strcmp(viz_ev_str(sa[k], "initiator-spi"), ispi) == 0;
		if (!seen)
			sa[n++] = e;
	}
	return n;
}

static void path_list(const viz_trace *t, const viz_event *sa, viz_buf *b)
{
	const char *ispi = viz_ev_str(sa, "initiator-spi");
	char ts[32];
	viz_buf_puts(b, "<ol>");
	for (size_t i = 0; i < t->n; i++) {
		const viz_event *e = &t->ev[i];
		const char *s = viz_ev_str(e, "initiator-spi");
		if ((strcmp(e->ev, "ike_sa.state") != 0 && strcmp(e->ev, "child_sa.state") != 0) || !s ||
		    strcmp(s, ispi) != 0 || strcmp(e->node, sa->node) != 0)
			continue;
		viz_time_str(e->t, ts, sizeof(ts));
		const char *name = viz_ev_str(e, "transition");
		viz_buf_printf(b, "<li>%s s, %s SA, ", ts, e->ev[0] == 'i' ? "IKE" : "CHILD");
		if (name) /* a row name; traces from before names carry the row index */
			viz_buf_xml(b, name);
		else
			viz_buf_printf(b, "row %.0f", viz_ev_num(e, "transition", -1));
		viz_buf_printf(b, ": %s -&gt; %s: ", viz_ev_str(e, "from"), viz_ev_str(e, "to"));
		viz_buf_xml(b, viz_ev_str(e, "why"));
		viz_buf_puts(b, "</li>\n");
	}
	viz_buf_puts(b, "</ol>\n");
}

static void states_section(const viz_trace *t, viz_buf *b, const viz_event **sa, size_t nsa)
{
	char msg[256], prefix[32];
	viz_buf_puts(b, "<h2>State machines</h2>\n<p>Drawn from the engine's transition tables; the path each IKE "
			"SA took is highlighted, its steps numbered.</p>\n");
	for (size_t k = 0; k < nsa; k++) {
		viz_buf_puts(b, "<h3>");
		viz_buf_xml(b, sa[k]->node);
		viz_buf_printf(b, ": IKE SA %s (%s)</h3>\n", viz_ev_str(sa[k], "initiator-spi"),
			       viz_ev_str(sa[k], "role") ? viz_ev_str(sa[k], "role") : "?");
		path_list(t, sa[k], b);
		viz_states_opts o = { t, sa[k]->node, viz_ev_str(sa[k], "initiator-spi"), 2 };
		viz_buf svg = { 0 };
		int rc = viz_states(&o, VIZ_FMT_SVG, &svg, msg, sizeof(msg));
		snprintf(prefix, sizeof(prefix), "st%zu", k + 1);
		figure(b, rc, &svg, prefix, msg);
		viz_buf_free(&svg);
	}
}

/* One key graph per IKE SA, as the first node that derived it saw it (both ends derive the same keys). */
static void keys_section(const viz_trace *t, viz_buf *b, const viz_event **sa, size_t nsa)
{
	char msg[256], prefix[32];
	viz_buf_puts(b, "<h2>Key derivation</h2>\n");
	size_t drawn = 0;
	for (size_t k = 0; k < nsa; k++) {
		const char *ispi = viz_ev_str(sa[k], "initiator-spi");
		int dup = 0;
		for (size_t j = 0; j < k; j++)
			dup |= strcmp(viz_ev_str(sa[j], "initiator-spi"), ispi) == 0;
		/* An SA that rekeyed another is drawn in that SA's chain, as its next generation. */
		for (size_t j = 0; j < t->n && !dup; j++)
			dup = strcmp(t->ev[j].ev, "ike_sa.rekeyed") == 0 && rep_str_is(viz_ev_str(&t->ev[j], "initiator-spi"), ispi);
		viz_keys_opts o = { t, NULL, ispi, 0 };
		viz_buf svg = { 0 };
		if (dup || viz_keys(&o, VIZ_FMT_SVG, &svg, msg, sizeof(msg)) != 0) {
			viz_buf_free(&svg);
			continue;
		}
		snprintf(prefix, sizeof(prefix), "keys%zu", ++drawn);
		figure(b, 0, &svg, prefix, msg);
		viz_buf_free(&svg);
	}
	if (!drawn)
		viz_buf_puts(b, "<p>No key derivation in this trace.</p>\n");
}

int viz_report(const viz_trace *t, viz_buf *out, char *msg, size_t msglen)
{
	return viz_report_metrics(t, NULL, out, msg, msglen);
}

/* The storm plot of the run's metrics file: SAs over time, per-interval counts, the latency histogram. */
static void storm_section(const char *metrics, viz_buf *b)
{
	char msg[512];
	viz_buf svg = { 0 };
	viz_buf_puts(b, "<h2>Storm metrics</h2>\n<p>From <code>");
	viz_buf_xml(b, metrics);
	viz_buf_puts(b, "</code> (docs/metrics.md), drawn by gnuplot.</p>\n");
	int rc = viz_storm(metrics, VIZ_FMT_SVG, &svg, msg, sizeof(msg));
	figure(b, rc, &svg, "storm", msg);
	viz_buf_free(&svg);
}

int viz_report_metrics(const viz_trace *t, const char *metrics, viz_buf *out, char *msg, size_t msglen)
{
	const viz_event *sa[MAX_SAS];
	size_t nsa = list_sas(t, sa, MAX_SAS);
	const viz_event *st = find_ev(t, "sim.start");
	const char *title = st && viz_ev_str(st, "scenario") ? viz_ev_str(st, "scenario") : t->file;
	viz_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>ikesim report: ");
	viz_buf_xml(out, title);
	viz_buf_printf(out, "</title>\n<style>%s%s</style>\n</head>\n<body>\n<h1>ikesim report: ", CSS, REP_STEP_CSS);
	viz_buf_xml(out, title);
	viz_buf_puts(out, "</h1>\n");
	summary_section(t, out);
	if (metrics)
		storm_section(metrics, out);
	viz_buf_puts(out, "<h2>Messages</h2>\n");
	size_t nsteps = rep_steps_json(t, out);
	viz_buf_puts(out, "<div class=\"steps\">"); /* the sticky stepper stays on screen while the ladder is */
	rep_stepper(out, nsteps);
	viz_ladder_opts lo = { t, NULL, 0, 0, VIZ_ESP_AUTO };
	viz_buf svg = { 0 };
	int rc = viz_ladder(&lo, &svg, msg, msglen);
	viz_buf_puts(out, "<div id=\"ladder\">");
	figure(out, rc, &svg, "ladder", msg);
	viz_buf_puts(out, "</div></div>\n");
	viz_buf_free(&svg);
	states_section(t, out, sa, nsa);
	keys_section(t, out, sa, nsa);
	viz_buf_puts(out, "<p><small>Generated by ikesim from <code>");
	viz_buf_xml(out, t->file);
	viz_buf_puts(out, "</code>. Same trace, same page.</small></p>\n");
	viz_buf_printf(out, "<script>\n%s</script>\n</body>\n</html>\n", REP_STEP_JS);
	if (out->oom)
		snprintf(msg, msglen, "out of memory");
	return out->oom ? -1 : 0;
}
