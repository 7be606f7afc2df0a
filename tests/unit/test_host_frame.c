/* RFC 3948 framing (engine/host/frame.c, used by `ikesim peer` and the pcap): marker on non-500 ports, keepalives, ESP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host/frame.h"
#include "test_list.h.in"

static void marker_only_without_port_500(void **state)
{
	(void)state;
	assert_true(ike_host_frame_marked(4500, 4500));
	assert_true(ike_host_frame_marked(40500, 40501));
	assert_false(ike_host_frame_marked(500, 500));
	assert_false(ike_host_frame_marked(500, 4500));
	assert_false(ike_host_frame_marked(4500, 500));
}

static void wrap_prepends_four_zero_bytes(void **state)
{
	(void)state;
	const uint8_t ike[5] = { 1, 2, 3, 4, 5 };
	uint8_t out[16];
	memset(out, 0xAA, sizeof(out));
	assert_int_equal(ike_host_frame_wrap(true, ike, sizeof(ike), out, sizeof(out)), 9);
	static const uint8_t want[9] = { 0, 0, 0, 0, 1, 2, 3, 4, 5 };
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(ike_host_frame_wrap(false, ike, sizeof(ike), out, sizeof(out)), 5);
	assert_memory_equal(out, ike, sizeof(ike));
	assert_int_equal(ike_host_frame_wrap(true, ike, sizeof(ike), out, 8), 0); /* one byte short */
	assert_int_equal(ike_host_frame_wrap(false, ike, sizeof(ike), out, 4), 0);
}

static void classify_strips_marker(void **state)
{
	(void)state;
	const uint8_t ike[5] = { 9, 8, 7, 6, 5 };
	uint8_t d[16];
	size_t off = 99, n = ike_host_frame_wrap(true, ike, sizeof(ike), d, sizeof(d));
	assert_int_equal(ike_host_frame_classify(d, n, true, &off), IKE_HOST_DG_IKE);
	assert_int_equal(off, IKE_HOST_MARKER_LEN);
	assert_memory_equal(d + off, ike, sizeof(ike));
	/* the marker alone is an (empty) IKE message: the engine drops it as malformed */
	assert_int_equal(ike_host_frame_classify(d, 4, true, &off), IKE_HOST_DG_IKE);
	assert_int_equal(off, 4);
	/* on port 500 nothing is stripped */
	assert_int_equal(ike_host_frame_classify(ike, sizeof(ike), false, &off), IKE_HOST_DG_IKE);
	assert_int_equal(off, 0);
}

static void keepalive_and_runts(void **state)
{
	(void)state;
	const uint8_t ka[1] = { 0xFF }, other[1] = { 0xFE }, three[3] = { 0, 0, 0 };
	size_t off;
	assert_int_equal(ike_host_frame_classify(ka, 1, true, &off), IKE_HOST_DG_KEEPALIVE);
	assert_int_equal(ike_host_frame_classify(ka, 1, false, &off), IKE_HOST_DG_KEEPALIVE);
	assert_int_equal(ike_host_frame_classify(other, 1, true, &off), IKE_HOST_DG_RUNT);
	assert_int_equal(ike_host_frame_classify(three, 3, true, &off), IKE_HOST_DG_RUNT);
	assert_int_equal(ike_host_frame_classify(ka, 0, true, &off), IKE_HOST_DG_RUNT);
	assert_int_equal(ike_host_frame_classify(ka, 0, false, &off), IKE_HOST_DG_RUNT);
}

static void unmarked_datagram_is_esp(void **state)
{
	(void)state;
	/* SPI 0x00000001, sequence 1: the first four bytes are not the marker */
	const uint8_t esp[12] = { 0, 0, 0, 1, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef };
	const uint8_t spi_high[4] = { 0x80, 0, 0, 0 };
	size_t off;
	assert_int_equal(ike_host_frame_classify(esp, sizeof(esp), true, &off), IKE_HOST_DG_ESP);
	assert_int_equal(ike_host_frame_classify(spi_high, sizeof(spi_high), true, &off), IKE_HOST_DG_ESP);
	assert_int_equal(ike_host_frame_classify(esp, sizeof(esp), false, &off), IKE_HOST_DG_IKE); /* port 500: IKE only */
}

size_t tests_host_frame(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(marker_only_without_port_500), cmocka_unit_test(wrap_prepends_four_zero_bytes),
		cmocka_unit_test(classify_strips_marker),       cmocka_unit_test(keepalive_and_runts),
		cmocka_unit_test(unmarked_datagram_is_esp),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
