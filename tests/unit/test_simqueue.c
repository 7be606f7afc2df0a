/* Event queue: time order, FIFO among equal times, and a million events in and out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "queue.h"
#include "test_list.h.in"

static void nop(void *arg) { (void)arg; }

static void pops_in_time_order(void **state)
{
	(void)state;
	sim_queue q;
	sim_event e;
	sim_queue_init(&q);
	static const int64_t ts[] = { 50, 10, 40, 20, 30, 0, 60 };
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(sim_queue_push(&q, ts[i], nop, (void *)(uintptr_t)i), 0);
	assert_int_equal(sim_queue_peek(&q)->t, 0);
	for (int64_t want = 0; want <= 60; want += 10) {
		assert_int_equal(sim_queue_pop(&q, &e), 1);
		assert_int_equal(e.t, want);
	}
	assert_int_equal(sim_queue_pop(&q, &e), 0);
	assert_null(sim_queue_peek(&q));
	sim_queue_free(&q);
}

static void equal_times_run_fifo(void **state)
{
	(void)state;
	sim_queue q;
	sim_event e;
	sim_queue_init(&q);
	for (uintptr_t i = 0; i < 1000; i++)
		sim_queue_push(&q, (int64_t)(i % 3), nop, (void *)i);
	uintptr_t last[3] = { 0, 0, 0 };
	int seen[3] = { 0, 0, 0 };
	int64_t prev_t = -1;
	while (sim_queue_pop(&q, &e)) {
		uintptr_t i = (uintptr_t)e.arg;
		assert_true(e.t >= prev_t);
		prev_t = e.t;
		if (seen[e.t])
			assert_true(i > last[e.t]);
		seen[e.t] = 1;
		last[e.t] = i;
	}
	sim_queue_free(&q);
}

static void million_events(void **state)
{
	(void)state;
	sim_queue q;
	sim_event e, prev = { -1, 0, NULL, NULL };
	uint64_t x = 88172645463325252ull;
	const size_t n = 1000000;
	sim_queue_init(&q);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		assert_int_equal(sim_queue_push(&q, (int64_t)(x % 100000), nop, NULL), 0);
	}
	assert_int_equal(q.n, n);
	size_t popped = 0;
	while (sim_queue_pop(&q, &e)) {
		assert_true(e.t > prev.t || (e.t == prev.t && e.seq > prev.seq));
		prev = e;
		popped++;
	}
	assert_int_equal(popped, n);
	sim_queue_free(&q);
}

size_t tests_simqueue(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(pops_in_time_order),
		cmocka_unit_test(equal_times_run_fifo),
		cmocka_unit_test(million_events),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
