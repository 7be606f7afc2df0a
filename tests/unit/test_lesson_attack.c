/*
 * Lessons 08 (DoS and cookies) and 09 (downgrade and offline attacks): each reference solution with one rule of its
 * exercise broken must fail again (the fail-as-shipped and solution-passes checks are test_lesson_exercises.c's,
 * for every lesson). The rogue's in-run crack makes lesson 09's PSK exercise gradable by its expect list alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run.h"
#include "scenario.h"
#include "lessontest.h"
#include "testfs.h"
#include "test_list.h.in"





static void lesson08_rules_are_checked(void **state)
{
	(void)state;
#define L8 "lessons/08-dos-and-cookies/instructor/"
	static const lt_rule cases[] = {
		{ L8 "exercise-1.json", ", \"cookie_threshold\": 30", "", 0, "exercise 1: the limit alone keeps alice waiting" },
		{ L8 "exercise-1.json", "\"half_open_limit\": 100, \"cookie_threshold\": 30", "\"ikesa_limit\": 0", 0,
		  "exercise 1: no limit at all: 1000 half-open SAs" },
		{ L8 "exercise-1.json", "\"cookie_threshold\": 30", "\"cookie_threshold\": 100", 0,
		  "exercise 1: cookies only at the limit: their holders are refused by it" },
		{ L8 "exercise-1.json", "\"rate\": 100", "\"rate\": 10", 0, "exercise 1: the flood stays" },
		{ L8 "exercise-1.json", "\"at\": \"3s\"", "\"at\": \"12s\"", 0, "exercise 1: alice starts during the flood" },
		{ L8 "exercise-2.json", "\"cookie_threshold_ip\": 2}", "\"cookie_threshold_ip\": 2, \"block_threshold\": 3}", 0,
		  "exercise 2: the per-IP block hits the office behind its one address" },
		{ L8 "exercise-2.json", "\"cookie_threshold\": 30, ", "", 0, "exercise 2: per-IP knobs miss a spoofed flood" },
		{ L8 "exercise-2.json", "\"rate\": 100", "\"rate\": 2", 0, "exercise 2: the flood stays" },
	};
#undef L8
	lt_check_rules(cases, sizeof(cases) / sizeof(cases[0]));
}

static void lesson09_rules_are_checked(void **state)
{
	(void)state;
#define L9 "lessons/09-downgrade-and-offline-attacks/instructor/"
	static const lt_rule cases[] = {
		{ L9 "exercise-1.json", "\"aes256gcm16-prfsha384-ecp384\"", "\"aes128-sha1-modp1024\"", 0,
		  "exercise 1: agreeing on the weak proposal is the attacker's win, not the answer" },
		{ L9 "exercise-1.json", "\"aes256gcm16-prfsha384-ecp384\"", "\"aes256gcm16-prfsha384-ecp384, aes128-sha1-modp1024\"", 1,
		  "exercise 1: alice still offering the weak proposal is downgraded" },
		{ L9 "exercise-2.json", "kV9p-3mQz-Wt7e-Lx2r-Hc8n-Bf4j", "sunshine", 0, "exercise 2: the shipped PSK is in the list" },
		{ L9 "exercise-2.json", "kV9p-3mQz-Wt7e-Lx2r-Hc8n-Bf4j", "password1", 0, "exercise 2: any word of the list falls" },
		{ L9 "exercise-2.json", "kV9p-3mQz-Wt7e-Lx2r-Hc8n-Bf4j", "branch2024", 1,
		  "exercise 2: the café login with a weak PSK falls even when home has another" },
		{ L9 "exercise-2.json", ", \"wordlist\": \"../../06-ikev1/words.txt\"", "", 0, "exercise 2: the rogue keeps its word list" },
		{ L9 "exercise-2.json", "\"psk\": \"kV9p-3mQz-Wt7e-Lx2r-Hc8n-Bf4j\"}, \"local_id\": \"gw.example.org\"",
		  "\"psk\": \"a different key\"}, \"local_id\": \"gw.example.org\"", 0, "exercise 2: the home tunnel still works" },
	};
#undef L9
	lt_check_rules(cases, sizeof(cases) / sizeof(cases[0]));
}

size_t tests_lesson_attack(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(lesson08_rules_are_checked),
		cmocka_unit_test(lesson09_rules_are_checked),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
