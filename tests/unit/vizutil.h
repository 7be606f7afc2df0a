/* Helpers for the viz tests: traces made by running scenarios in-process, SVG queried with libxml2 XPath. */
#ifndef TESTS_VIZUTIL_H
#define TESTS_VIZUTIL_H

#include <stddef.h>

#include <libxml/tree.h>

#include "viz.h"

#define DEMO_SCENARIO "lessons/01-first-tunnel/scenario.json"

/* Runs a scenario file with --reveal-keys into a temp trace and loads it; fails the test on error. */
viz_trace *vt_run(const char *scenario);
/* The same for scenario text: written to a temp file first. */
viz_trace *vt_run_text(const char *json);

/* Parses an SVG (or any XML) buffer; fails the test unless it is well-formed. */
xmlDocPtr vt_xml(const viz_buf *b);
/* The string values of the nodes an XPath expression selects ("s:" is the SVG namespace). Free with vt_strs_free. */
size_t vt_xpath(xmlDocPtr d, const char *expr, char ***out);
void vt_strs_free(char **s, size_t n);
/* The texts under the element with this id, joined by single spaces; free() it. */
char *vt_text_of(xmlDocPtr d, const char *id);

/* Reads a whole file; NULL if it cannot. */
char *vt_read_file(const char *path, size_t *len);

#endif
