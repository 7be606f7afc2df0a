/* Bounded cursor and writer: no read or write past the end, sticky errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/buf.h"
#include "test_list.h.in"

static void cursor_reads_big_endian_and_stops_at_end(void **state)
{
	(void)state;
	const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7 };
	ike_cur c = ike_cur_make(b, sizeof(b));
	assert_int_equal(ike_cur_u16(&c), 0x0102);
	assert_int_equal(ike_cur_u32(&c), 0x03040506);
	assert_int_equal(ike_cur_left(&c), 1);
	assert_null(ike_cur_take(&c, 2));
	assert_true(c.err);
	assert_int_equal(ike_cur_u8(&c), 0);
	assert_int_equal(ike_cur_left(&c), 0);
}

static void writer_refuses_overflow(void **state)
{
	(void)state;
	uint8_t b[5];
	ike_wbuf w = ike_wbuf_make(b, sizeof(b));
	ike_wbuf_u32(&w, 0xdeadbeef);
	assert_false(w.err);
	ike_wbuf_u16(&w, 1);
	assert_true(w.err);
	assert_int_equal(w.len, 4);
	assert_int_equal(ike_get_u32(b), 0xdeadbeef);
}

size_t tests_buf(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(cursor_reads_big_endian_and_stops_at_end),
		cmocka_unit_test(writer_refuses_overflow),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
