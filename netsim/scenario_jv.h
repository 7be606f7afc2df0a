/*
 * The scenario loader's own JSON tree (RFC 8259), compact where cJSON is not: all values in one array
 * sized by the pre-scan (40 bytes each) and all strings, unescaped, in one buffer no longer than the text.
 * Field names follow cJSON's so the loader reads the same.
 */
#ifndef SIM_SCENARIO_JV_H
#define SIM_SCENARIO_JV_H

#include <stddef.h>
#include <stdint.h>

enum sim_jv_type { SIM_JV_NULL, SIM_JV_FALSE, SIM_JV_TRUE, SIM_JV_NUMBER, SIM_JV_STRING, SIM_JV_ARRAY, SIM_JV_OBJECT };

typedef struct sim_jv {
	struct sim_jv *next;  /* the next element or member of the parent */
	struct sim_jv *child; /* the first element or member */
	const char *string;   /* member name; NULL outside objects */
	union {
		const char *valuestring; /* SIM_JV_STRING */
		double valuedouble;      /* SIM_JV_NUMBER */
		size_t size;             /* SIM_JV_ARRAY, SIM_JV_OBJECT: number of children */
	};
	uint32_t type;
} sim_jv;

/* Bytes the tree of `values` values takes besides a string buffer of the text's length. */
#define SIM_JV_COST(values) ((values) * sizeof(sim_jv))

/*
 * Parses text[0..len) holding at most max_values values (the pre-scan's count). The root, or NULL with
 * *err_at set to the offset where the text stops being JSON (SIZE_MAX: out of memory). *end: the offset
 * after the top-level value.
 * Free with sim_jv_free.
 */
sim_jv *sim_jv_parse(const char *text, size_t len, size_t max_values, size_t *end, size_t *err_at);
void sim_jv_free(sim_jv *root);

/* Type tests (false for NULL), cJSON's vocabulary. */
static inline int sim_jv_is(const sim_jv *v, uint32_t t) { return v && v->type == t; }
#define sim_jv_is_string(v) sim_jv_is((v), SIM_JV_STRING)
#define sim_jv_is_number(v) sim_jv_is((v), SIM_JV_NUMBER)
#define sim_jv_is_array(v) sim_jv_is((v), SIM_JV_ARRAY)
#define sim_jv_is_object(v) sim_jv_is((v), SIM_JV_OBJECT)
#define sim_jv_is_null(v) sim_jv_is((v), SIM_JV_NULL)
#define sim_jv_is_true(v) sim_jv_is((v), SIM_JV_TRUE)
#define sim_jv_is_bool(v) (sim_jv_is((v), SIM_JV_TRUE) || sim_jv_is((v), SIM_JV_FALSE))

/* The first member named key (case-sensitive), or NULL. */
const sim_jv *sim_jv_get(const sim_jv *o, const char *key);
/* The i-th element, or NULL. */
const sim_jv *sim_jv_at(const sim_jv *a, size_t i);

#endif
