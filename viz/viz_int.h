/* viz internals shared by its files: the Graphviz wrapper and small helpers. Not for other modules. */
#ifndef VIZ_VIZ_INT_H
#define VIZ_VIZ_INT_H

#include <gvc.h>

#include "viz.h"

/* A new directed graph whose object IDs follow creation order (the layout must not depend on the heap). */
Agraph_t *viz_gv_open(const char *name);
/* Lays g out with dot and renders it in fmt into out; SVG is post-processed to be reproducible. */
int viz_gv_render(Agraph_t *g, viz_format fmt, viz_buf *out, char *msg, size_t msglen);
/* Sets a string attribute on a graph, node or edge (cgraph copies the value). */
void viz_gv_set(void *obj, const char *name, const char *value);
/* A node in g (created on first use) named name, with label. */
Agnode_t *viz_gv_node(Agraph_t *g, const char *name, const char *label);

/* Appends an SVG document to HTML as an inline <svg>: no prolog, no comments, no xmlns, ids prefixed. */
void viz_svg_inline(viz_buf *html, const char *svg, size_t len, const char *id_prefix);

/* "ab12cd34...9f" from a long hex value: the first 8 and last 4 digits. */
void viz_short_hex(const char *hex, char *out, size_t cap);

#endif
