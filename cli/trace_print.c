/* The printing half of `ikesim trace`: one readable line per event, or chosen fields as columns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trace_filter.h"

/*
 * Key fields per event for the readable form. A template is segments split by '|'; a segment is printed only
 * when every {field} in it exists. Events not listed print their fields as key=value.
 */
static const struct {
	const char *ev, *tmpl;
} TEMPLATES[] = {
	{ "ike.tx", "{summary}|, {size} bytes|, {from} -> {to}" },
	{ "ike.rx", "{summary}|, {size} bytes|, {from} -> {to}" },
	{ "ike.retransmit", "{exchange} {msgid}| attempt {attempt}|, {size} bytes|, {fragments} fragments" },
	{ "ike.dup", "{what} {msgid}: {action}" },
	{ "ike.frag", "{action} {exchange} {msgid}|: {fragments} fragments|, {size} bytes|: {why}" },
	{ "ike_sa.state", "{from} -> {to}| ({transition})|: {why}" },
	{ "child_sa.state", "{from} -> {to}| ({transition})|: {why}| [in {spi-in} out {spi-out}]" },
	{ "ike_sa.rekeyed", "{old-initiator-spi}_{old-responder-spi} -> {initiator-spi}_{responder-spi}| ({reason})" },
	{ "child_sa.rekeyed", "in {old-spi-in} out {old-spi-out} -> in {spi-in} out {spi-out}| ({reason}|, pfs {pfs})" },
	{ "kdf", "{name}| from {inputs}|: {len} bytes| {value}" },
	{ "sa.selected", "{sa} {proposal}" },
	{ "error", "{what}|: {why}| ({notify})" },
	{ "link.drop", "{why}|: {from} -> {to}|, {size} bytes" },
	{ "nat.map", "{what} {inside} -> {outside}| for {remote}" },
	{ "nat.drop", "{why}|: {from} -> {to}|, {size} bytes" },
	{ "ike.natd", "local-behind-nat {local-behind-nat}, remote-behind-nat {remote-behind-nat}| (forced {forced})" },
	{ "ike.float", "{from} -> {to}|: {why}" },
	{ "dpd", "{action}| after {after} s| (dpd-action {dpd-action})" },
	{ "esp.tx", "spi {spi} seq {seq}|, {size} bytes|, inner {inner}|, to {to}|, encap {encap}|, flow {flow}| ({proto})" },
	{ "esp.rx", "spi {spi} seq {seq}|, {size} bytes|, inner {inner}|, flow {flow}| ({proto})" },
	{ "esp.drop", "{why}| {dir}| spi {spi}| flow {flow}| ({proto})" },
	{ "xauth", "{role} {result}| user {user}| password {password}" },
	{ "modecfg", "{role} {result}| {address}| user {user}" },
	{ "auth.verified", "{scheme}| id {id}| subject {subject}" },
	{ "ike.keepalive", "{from} -> {to}" },
	{ "ike.mobike", "{action}| local {local} remote {remote}|: {why}" },
	{ "sim.start", "{scenario}| seed {seed}|, {nodes} nodes|, {links} links" },
	{ "summary", "virtual time {virtual_time} s|; datagrams: {datagrams.sent} sent, {datagrams.delivered} delivered, "
		     "{datagrams.dropped} dropped" },
};
#define N_TEMPLATES (sizeof(TEMPLATES) / sizeof(TEMPLATES[0]))

/* Fields every engine event repeats: left out of the key=value form (--fields shows them). */
static int is_id_field(const char *k)
{
	return !strcmp(k, "t") || !strcmp(k, "node") || !strcmp(k, "ev") || !strcmp(k, "conn") ||
	       !strcmp(k, "initiator-spi") || !strcmp(k, "responder-spi");
}

const cJSON *trace_field(const cJSON *ev, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, name);
	if (v)
		return v;
	char part[TRACE_NAME_MAX];
	const char *p = name;
	v = ev;
	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t k = dot ? (size_t)(dot - p) : strlen(p);
		if (!k || k >= sizeof(part) || !cJSON_IsObject(v))
			return NULL;
		memcpy(part, p, k);
		part[k] = 0;
		v = cJSON_GetObjectItemCaseSensitive(v, part);
		p = dot ? dot + 1 : p + k;
	}
	return v == ev ? NULL : v;
}

/* Control characters (terminal escapes from a hostile trace) become '?'. */
static void clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void num_text(double d, char *out, size_t cap)
{
	if (d == floor(d) && fabs(d) < 9007199254740992.0) {
		snprintf(out, cap, "%lld", (long long)d);
		return;
	}
	snprintf(out, cap, "%.15g", d);
	if (strtod(out, NULL) != d) /* the shortest of the two that reads back the same */
		snprintf(out, cap, "%.17g", d);
}

static void scalar_text(const cJSON *v, char *out, size_t cap)
{
	if (cJSON_IsString(v))
		snprintf(out, cap, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		num_text(v->valuedouble, out, cap);
	else if (cJSON_IsBool(v))
		snprintf(out, cap, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else
		snprintf(out, cap, "null");
}

const char *trace_value_text(const cJSON *v, char *out, size_t cap)
{
	if (!cap)
		return out;
	out[0] = 0;
	if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		int flat = cJSON_IsArray(v);
		for (const cJSON *c = v->child; c && flat; c = c->next)
			flat = !cJSON_IsArray(c) && !cJSON_IsObject(c);
		if (flat) {
			size_t used = 0;
			for (const cJSON *c = v->child; c && used + 1 < cap; c = c->next) {
				if (c != v->child)
					out[used++] = ',', out[used] = 0;
				scalar_text(c, out + used, cap - used);
				used += strlen(out + used);
			}
		} else {
			char *js = cJSON_PrintUnformatted(v);
			snprintf(out, cap, "%s", js ? js : "?");
			cJSON_free(js);
		}
	} else {
		scalar_text(v, out, cap);
	}
	clean(out);
	return out;
}

const char *trace_time_text(const char *line, const cJSON *ev, char *out, size_t cap)
{
	if (strncmp(line, "{\"t\":", 5) == 0) {
		size_t k = strspn(line + 5, "0123456789.eE+-");
		if (k && k < cap) {
			memcpy(out, line + 5, k);
			out[k] = 0;
			return out;
		}
	}
	snprintf(out, cap, "%.9f", cJSON_GetObjectItemCaseSensitive(ev, "t")->valuedouble);
	return out;
}

/* One template segment into out; 0 when a field it names is missing. */
static int render_segment(const cJSON *ev, const char *s, size_t len, char *out, size_t cap)
{
	size_t used = 0;
	char name[TRACE_NAME_MAX], val[1024];
	out[0] = 0;
	for (size_t i = 0; i < len && used + 1 < cap;) {
		const char *close = s[i] == '{' ? memchr(s + i, '}', len - i) : NULL;
		if (!close) {
			out[used++] = s[i++];
			out[used] = 0;
			continue;
		}
		size_t k = (size_t)(close - (s + i)) - 1;
		snprintf(name, sizeof(name), "%.*s", (int)k, s + i + 1);
		const cJSON *v = trace_field(ev, name);
		if (!v || (cJSON_IsArray(v) && !v->child))
			return 0; /* absent, or an empty list ("inputs":[]): the segment goes */
		snprintf(out + used, cap - used, "%s", trace_value_text(v, val, sizeof(val)));
		used += strlen(out + used);
		i += k + 2;
	}
	return 1;
}

/* Appends text to out (of cap, used so far *used), cutting at the end. */
static void add(char *out, size_t cap, size_t *used, const char *text)
{
	if (*used + 1 >= cap)
		return;
	snprintf(out + *used, cap - *used, "%s", text);
	*used += strlen(out + *used);
}

static void render_template(const cJSON *ev, const char *tmpl, char *out, size_t cap, size_t *used)
{
	char seg[4096];
	for (const char *p = tmpl; *p;) {
		const char *bar = strchr(p, '|');
		size_t k = bar ? (size_t)(bar - p) : strlen(p);
		if (render_segment(ev, p, k, seg, sizeof(seg)))
			add(out, cap, used, seg);
		p += k + (bar != NULL);
	}
}

void trace_print_readable(FILE *out, const char *line, const cJSON *ev)
{
	char t[64], node[TRACE_NAME_MAX], name[TRACE_NAME_MAX], val[1024], det[8192];
	size_t used = 0, i = 0;
	det[0] = 0;
	trace_time_text(line, ev, t, sizeof(t));
	trace_value_text(cJSON_GetObjectItemCaseSensitive(ev, "node"), node, sizeof(node));
	trace_value_text(cJSON_GetObjectItemCaseSensitive(ev, "ev"), name, sizeof(name));
	while (i < N_TEMPLATES && strcmp(TEMPLATES[i].ev, name) != 0)
		i++;
	if (i < N_TEMPLATES)
		render_template(ev, TEMPLATES[i].tmpl, det, sizeof(det), &used);
	for (const cJSON *c = ev->child; i == N_TEMPLATES && c; c = c->next) {
		if (!c->string || is_id_field(c->string))
			continue;
		snprintf(val, sizeof(val), "%s", c->string);
		clean(val);
		add(det, sizeof(det), &used, used ? " " : "");
		add(det, sizeof(det), &used, val);
		add(det, sizeof(det), &used, "=");
		add(det, sizeof(det), &used, trace_value_text(c, val, sizeof(val)));
	}
	if (det[0])
		fprintf(out, "%13s  %-6s  %-14s  %s\n", t, node, name, det); /* times aligned up to 9999 s */
	else
		fprintf(out, "%13s  %-6s  %s\n", t, node, name);
}

void trace_field_cells(const char *line, const cJSON *ev, char (*fields)[TRACE_NAME_MAX], size_t n,
		       char (*cells)[1024])
{
	for (size_t i = 0; i < n; i++) {
		const cJSON *v = trace_field(ev, fields[i]);
		if (!strcmp(fields[i], "t"))
			trace_time_text(line, ev, cells[i], sizeof(cells[i]));
		else if (v)
			trace_value_text(v, cells[i], sizeof(cells[i]));
		if ((v || !strcmp(fields[i], "t")) && cells[i][0])
			continue;
		strcpy(cells[i], !v ? "-" : cJSON_IsArray(v) ? "[]" : "\"\""); /* an empty list or string still shows */
	}
}
