/* Helpers for the viz tests (see vizutil.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "cli.h"
#include "vizutil.h"

viz_trace *vt_run(const char *scenario)
{
	char dir[] = "/tmp/ikesim-viz-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.jsonl", dir);
	char *argv[] = { "ikesim", "run", (char *)scenario, "--trace", path, "--reveal-keys", "--quiet", NULL };
	char *o = NULL, *e = NULL;
	size_t ol = 0, el = 0;
	FILE *out = open_memstream(&o, &ol), *err = open_memstream(&e, &el);
	int rc = cli_main(7, argv, out, err);
	fclose(out);
	fclose(err);
	free(o);
	free(e);
	assert_true(rc == CLI_OK || rc == CLI_EXPECT_FAILED);
	char msg[256];
	viz_trace *t = viz_trace_load(path, msg, sizeof(msg));
	unlink(path);
	rmdir(dir);
	if (!t)
		fail_msg("%s", msg);
	return t;
}

viz_trace *vt_run_text(const char *json)
{
	char dir[] = "/tmp/ikesim-viz-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(json, 1, strlen(json), f), strlen(json));
	assert_int_equal(fclose(f), 0);
	viz_trace *t = vt_run(path);
	unlink(path);
	rmdir(dir);
	return t;
}

xmlDocPtr vt_xml(const viz_buf *b)
{
	assert_false(b->oom);
	assert_non_null(b->p);
	xmlDocPtr d = xmlReadMemory(b->p, (int)b->len, "picture.svg", NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING);
	if (!d)
		fail_msg("not well-formed XML: %.200s", b->p);
	return d;
}

size_t vt_xpath(xmlDocPtr d, const char *expr, char ***out)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(d);
	assert_non_null(ctx);
	xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	assert_non_null(r);
	size_t n = r->nodesetval ? (size_t)r->nodesetval->nodeNr : 0;
	*out = calloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		(*out)[i] = (char *)xmlXPathCastNodeToString(r->nodesetval->nodeTab[i]);
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	return n;
}

void vt_strs_free(char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		xmlFree(s[i]);
	free(s);
}

char *vt_text_of(xmlDocPtr d, const char *id)
{
	char expr[256], **s;
	snprintf(expr, sizeof(expr), "//*[@id='%s']//s:text", id);
	size_t n = vt_xpath(d, expr, &s), len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(s[i]) + 1;
	char *j = calloc(1, len);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(j, " ");
		strcat(j, s[i]);
	}
	vt_strs_free(s, n);
	return j;
}

char *vt_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0, got;
	FILE *m = open_memstream(&buf, &n);
	char chunk[4096];
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, got, m);
	fclose(f);
	fclose(m);
	if (len)
		*len = n;
	return buf;
}
