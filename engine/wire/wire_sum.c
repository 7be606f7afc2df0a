/* Appends for the one-line message summaries of both IKE versions. */
#include "wire/wire_sum.h"

void wire_sum_put(wire_sum *o, const char *s)
{
	while (*s && o->len + 1 < o->cap)
		o->p[o->len++] = *s++;
	if (o->cap)
		o->p[o->len] = '\0';
}

void wire_sum_uint(wire_sum *o, unsigned long v)
{
	char tmp[24];
	size_t i = sizeof(tmp) - 1;
	tmp[i] = '\0';
	do { /* digits right to left */
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	wire_sum_put(o, tmp + i);
}
