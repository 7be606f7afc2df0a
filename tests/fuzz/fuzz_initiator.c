/*
 * libFuzzer target: a message into an initiator at each state: 0 = IKE_SA_INIT sent, 1 = IKE_AUTH sent
 * (after the recorded INIT response), 2 = established (after the recorded AUTH response). Input: mode,
 * exchange, first payload, flags, message ID, then the body. Mode bits 0-1: the state (3 counts as 2);
 * bit 2: the body is an inner chain sealed with the real SK_er under the recorded SPIs, else a datagram.
 */
#include "fz.h"

#define MS (1000LL * 1000)

static fz_world world;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_world_init(&world);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[FZ_MSG_MAX];
	if (size < 5)
		return 0;
	int state = data[0] & 3;
	ike_host host;
	fz_sink sink = { 0 };
	ike_peer *p = fz_peer(&world, FZ_INIT, &host, &sink, 0);
	ike_time now = 0;
	if (ike_peer_initiate(p, now, 0) != 0)
		__builtin_trap();
	if (state >= 1) {
		now += 20 * MS;
		fz_deliver(&world, p, FZ_INIT, now, world.m[1], world.m_len[1]);
	}
	if (state >= 2) {
		now += 20 * MS;
		fz_deliver(&world, p, FZ_INIT, now, world.m[3], world.m_len[3]);
	}
	now += 20 * MS;
	if (data[0] & 4) {
		size_t n = fz_seal(&world, FZ_INIT, data[1], data[3], data[4], data[2], data + 5, size - 5, msg,
				   sizeof(msg));
		if (n)
			fz_deliver(&world, p, FZ_INIT, now, msg, n);
	} else {
		fz_deliver(&world, p, FZ_INIT, now, data + 5, size - 5);
	}
	fz_drain(p, now);
	ike_peer_free(p);
	return 0;
}
