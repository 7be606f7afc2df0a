/* Lesson exercise tests: a lesson file edited as text (a rule broken, a variant tried), run, and graded. */
#ifndef IKE_TEST_LESSONTEST_H
#define IKE_TEST_LESSONTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One edit: `from` becomes `to`; nth > 0: only the nth occurrence (1-based); 0: every one; < 0: the first -nth. */
typedef struct lt_edit {
	const char *from, *to;
	int nth;
} lt_edit;

/* A file, up to three edits, whether the edited file must pass (false: fail), and what the case shows. */
typedef struct lt_case {
	const char *file;
	lt_edit edit[3];
	bool pass;
	const char *what;
} lt_case;

/* A solution with one rule broken by one edit (the first `times` occurrences, 0: all): it must fail again. */
typedef struct lt_rule {
	const char *file, *from, *to;
	int times;
	const char *rule;
} lt_rule;

/* text with the edit applied; NULL when `from` does not occur often enough. Caller frees. */
char *lt_apply(const char *text, const lt_edit *e);

/* Loads text as if it were the file path (relative paths resolve beside it), runs it with seed (0: its own);
 * how many expectations fail. */
size_t lt_failed(const char *path, const char *text, uint64_t seed);

/* Fails the test unless every case passes or fails as it says. */
void lt_check(const lt_case *cases, size_t n);
void lt_check_rules(const lt_rule *rules, size_t n);

#endif
