/*
 * Lesson 12 (what an eavesdropper sees): each exercise fails as shipped, its instructor solution passes, the other
 * solution the answers name (IKEv2 for exercise 1) passes too, and every solution with one rule broken fails again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

#define L12 "lessons/12-eavesdropper/"





static void lesson12_shipped_and_solutions(void **state)
{
	(void)state;
	static const lt_case cases[] = {
		{ L12 "exercise-1.json", { { 0 } }, false, "exercise 1 as shipped (Aggressive Mode)" },
		{ L12 "instructor/exercise-1.json", { { 0 } }, true, "exercise 1's solution (Main Mode)" },
		{ L12 "instructor/exercise-1.json", { { "\"version\": 1,", "\"version\": 2,", 0 } }, true,
		  "exercise 1 solved with IKEv2 instead" },
		{ L12 "exercise-2.json", { { 0 } }, false, "exercise 2 as shipped (AH)" },
		{ L12 "instructor/exercise-2.json", { { 0 } }, true, "exercise 2's solution (ESP)" },
		{ L12 "instructor/exercise-2.json", { { ",\n      \"esp\": \"aes256gcm16\"", "", 0 } }, true,
		  "exercise 2 solved with the default ESP proposal" },
	};
	lt_check(cases, sizeof(cases) / sizeof(cases[0]));
}

static void lesson12_rules_are_checked(void **state)
{
	(void)state;
	static const lt_case cases[] = {
		{ L12 "instructor/exercise-1.json", { { "\"version\": 1,", "\"version\": 1, \"aggressive\": true,", 0 } }, false,
		  "exercise 1: Aggressive Mode everywhere again" },
		{ L12 "instructor/exercise-1.json",
		  { { "\"local_id\": \"bob@example.org\"", "\"aggressive\": true, \"local_id\": \"bob@example.org\"", 1 } },
		  false, "exercise 1: bob alone still in Aggressive Mode" },
		{ L12 "instructor/exercise-1.json", { { "bob-prefers-cats-at-9", "alice-walks-the-dog-at-7", 1 }, { "bob-prefers-cats-at-9", "alice-walks-the-dog-at-7", 1 } }, false,
		  "exercise 1: one PSK shared by both users" },
		{ L12 "instructor/exercise-1.json", { { "\"local_id\": \"bob@example.org\"", "\"local_id\": \"203.0.113.20\"", 0 },
		    { "\"remote_id\": \"bob@example.org\"", "\"remote_id\": \"203.0.113.20\"", 0 } }, false,
		  "exercise 1: bob hidden behind his address instead of his name" },
		{ L12 "instructor/exercise-1.json", { { "\"local_id\": \"vpn.example\"", "\"local_id\": \"198.51.100.1\"", 0 },
		    { "\"remote_id\": \"vpn.example\"", "\"remote_id\": \"198.51.100.1\"", 0 } }, false,
		  "exercise 1: gw no longer vpn.example" },
		{ L12 "instructor/exercise-2.json", { { "\"esp\": \"aes256gcm16\"", "\"ah_proposals\": \"sha256\"", 0 } },
		  false, "exercise 2: AH on both gateways again" },
		{ L12 "instructor/exercise-2.json", { { "\"esp\": \"aes256gcm16\"", "\"ah_proposals\": \"sha256\"", 2 } },
		  false, "exercise 2: AH left at gw-b" },
		{ L12 "instructor/exercise-2.json", { { "\"resp_size\": 1400", "\"resp_size\": 200", 1 } }, false,
		  "exercise 2: answers shrunk to the requests' size (the traffic changed)" },
		{ L12 "instructor/exercise-2.json", { { "\"10.1.0.0/16\"", "\"10.1.0.10/32\"", 1 }, { "\"10.1.0.0/16\"", "\"10.1.0.10/32\"", 1 } }, false,
		  "exercise 2: the tunnel narrowed to one host" },
	};
	lt_check(cases, sizeof(cases) / sizeof(cases[0]));
}

size_t tests_lesson12(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(lesson12_shipped_and_solutions),
		cmocka_unit_test(lesson12_rules_are_checked),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
