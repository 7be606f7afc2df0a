/* Typed, path-aware accessors over the JSON tree (scenario_jv.h) for the scenario loader: the first error wins and names its path. */
#ifndef SIM_SCENARIO_JSON_H
#define SIM_SCENARIO_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "scenario_jv.h"

#include "ike.h"

typedef struct sim_scn {
	const char *file;
	char *err;
	size_t errlen;
	int failed;
} sim_scn;

#define SIM_PATH_MAX 160

/* Records "FILE: PATH: reason" (only the first call counts); returns -1. */
int sim_scn_fail(sim_scn *c, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes "path.key" (or "key" at the top) into out. */
void sim_scn_sub(char *out, const char *path, const char *key);
/* Writes "path[i]" into out. */
void sim_scn_idx(char *out, const char *path, size_t i);

/* Checks o is an object whose keys are all in `allowed` (NULL-terminated) and none repeats. 0 or -1. */
int sim_scn_object(sim_scn *c, const sim_jv *o, const char *path, const char *const *allowed);

/* Accessors: 1 = present and valid, 0 = absent and optional, -1 = error recorded. */
int sim_scn_str(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, const char **out);
int sim_scn_num(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, double lo,
		double hi, double *out);
int sim_scn_int(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, int64_t lo,
		int64_t hi, int64_t *out);
int sim_scn_bool(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, int *out);
/* Array of at most max items. */
int sim_scn_array(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, size_t max,
		  const sim_jv **out, size_t *n);
/* An optional top-level array `key` of at most max entries (absent or empty: none), each parsed by fn into
 * the next of *items (elem bytes each, zeroed) with its path "key[i]"; *n counts those parsed. *items is set
 * even on error, for the caller's owner to free. 0, or -1 with the error recorded. */
typedef int (*sim_scn_item_fn)(sim_scn *c, const void *ctx, const sim_jv *o, const char *path, void *item);
int sim_scn_items(sim_scn *c, const sim_jv *root, const char *key, size_t max, size_t elem, sim_scn_item_fn fn,
		  const void *ctx, void **items, size_t *n);
/* Durations: a JSON number of seconds, or "250ms", "10s", "1.5s", "2m", "1h", "500us", "100ns"; >= 0. */
int sim_scn_time(sim_scn *c, const sim_jv *o, const char *path, const char *key, int required, int64_t *out);
/* v as text for error messages: whole numbers with every digit, others in their shortest exact form. */
char *sim_fmt_num(char *out, size_t cap, double v);
/* Parses a duration string (plain decimal number and unit, e.g. "1.5s"); 0, or -1. */
int sim_parse_duration(const char *s, int64_t *out);
/* An IPv4/IPv6 literal into addr (port 500). 0 or -1. */
int sim_parse_addr(const char *s, ike_addr *addr);
/* Names of nodes and connections: 1..63 of [A-Za-z0-9._-]. */
int sim_valid_name(const char *s);

#endif
