/* Where the lessons are and what each holds: `ikesim lesson`'s view of lessons/NN-name/ folders. */
#ifndef CLI_LESSON_DIR_H
#define CLI_LESSON_DIR_H

#include <stddef.h>

#define LESSON_PATH_MAX 4096
#define LESSON_MAX 100

typedef struct lesson {
	int num;                    /* NN of NN-name */
	char dir[LESSON_PATH_MAX];  /* the folder, as shown to the user (relative to the working directory if under it) */
	char name[256];             /* NN-name */
	char title[256];            /* the README's first heading without "Lesson N: " */
	size_t n_exercises;         /* exercise-*.json files */
} lesson;

/*
 * The lessons folder: $IKESIM_LESSONS, else beside the running binary (BIN/../share/ikesim/lessons when
 * installed, the repository's lessons/ from build/VARIANT/). 0, or -1 with msg.
 */
int lesson_root(char *out, size_t cap, char *msg, size_t n);

/* The lessons under root, by number, into ls (of cap); how many, or -1 with msg. */
int lesson_scan(const char *root, lesson *ls, size_t cap, char *msg, size_t n);

/* The lesson that arg names ("2", "02" or "02-when-it-fails"), or NULL. */
const lesson *lesson_find(const lesson *ls, size_t n, const char *arg);

/* The exercise files of a lesson folder (exercise-1.json, exercise-2.json, ... by number) as malloc'ed
 * paths in *out (free each and the array); how many, or -1. */
int lesson_exercises(const char *dir, char ***out);

#endif
