/* Output of the one-line message summaries (v1_summary, v2_summary): appends that truncate, never overflow. */
#ifndef IKESIM_WIRE_SUM_H
#define IKESIM_WIRE_SUM_H

#include <stddef.h>

typedef struct wire_sum {
	char *p;
	size_t cap, len;
} wire_sum;

/* Appends s as far as it fits; always NUL-terminated while cap > 0. */
void wire_sum_put(wire_sum *o, const char *s);
/* Appends v in decimal (no stdio in the engine). */
void wire_sum_uint(wire_sum *o, unsigned long v);

#endif
