/* The scale tests: they check sizes, rates and outcomes of big runs, not memory safety (code they reach also
 * runs under ASan in smaller tests). `make test` and `make unit` run them once, in the optimised runner
 * build/rel/scale_tests (IKESIM_TEST_SCALE=only), and the ASan runner skips them (IKESIM_TEST_SCALE=skip).
 * Each name's file must be in the Makefile's SCALE_SRC; the optimised runner fails when a name is missing. */
S(hundred_thousand_nodes_load)
S(storm_scenarios_meet_their_expectations)
S(jitter_flattens_the_rekey_peak)
S(limits_beat_cookies_on_a_starved_gateway)
S(storm_metrics_repeat)
S(lesson07_rules_are_checked)
S(storm_exercises_fail_as_shipped)
S(storm_solutions_meet_their_expectations)
