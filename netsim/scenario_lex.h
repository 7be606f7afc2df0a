/* A bounded pre-scan of scenario text before the parser builds a tree: refuses what would be mis-read
 * (NUL) and what would cost far more memory than the file is long; sizes the parser's node array. */
#ifndef SIM_SCENARIO_LEX_H
#define SIM_SCENARIO_LEX_H

#include <stddef.h>

/* Arrays and objects nested deeper than this are refused (real scenarios use 5 levels). */
#define SIM_SCN_DEPTH_MAX 32
/* The tree's nodes (40 B a value) may take at most this many times the file's size, plus
 * SIM_SCN_MEM_SLACK bytes: the densest valid scenarios (short fault lists) need about 5.5. */
#define SIM_SCN_MEM_FACTOR 6u
#define SIM_SCN_MEM_SLACK (1u << 20)

typedef struct sim_scn_lex_stats {
	size_t values;    /* JSON values (each object member counts once, its key included) */
	size_t tree_cost; /* bytes the parser's nodes take for them (strings come on top, at most the text's size) */
} sim_scn_lex_stats;

/*
 * Scans len bytes of text: a raw NUL byte, a "\u0000" escape (with its JSON path), nesting deeper than
 * SIM_SCN_DEPTH_MAX, or an estimated tree over the memory bound are refused with one
 * "file:LINE:COL: reason" line in err. Syntax is left to the parser. 0, or -1.
 */
int sim_scn_lex(const char *file, const char *text, size_t len, sim_scn_lex_stats *st, char *err, size_t errlen);

/* 1-based line and column of byte offset `at` in text. */
void sim_scn_position(const char *text, size_t at, size_t *line, size_t *col);

#endif
