/*
 * libFuzzer target: a message into a responder that is half-open (after the recorded IKE_SA_INIT) or
 * established (after the recorded IKE_AUTH too). Input: mode, exchange, first payload, flags, message ID,
 * then the body. Mode bit 0: established; bit 1: the body is an inner payload chain sealed with the real
 * SK_ei under the recorded SPIs (so the handlers behind decryption see it), else a whole datagram;
 * bit 2: the responder demands cookies from one half-open SA on (so a new IKE_SA_INIT meets RFC 7296 2.6).
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
	uint8_t mode = data[0];
	ike_host host;
	fz_sink sink = { 0 };
	ike_peer *p = fz_peer(&world, FZ_RESP, &host, &sink, (mode & 4) ? 1 : 0);
	ike_time now = 10 * MS;
	fz_deliver(&world, p, FZ_RESP, now, world.m[0], world.m_len[0]);
	if (mode & 1) {
		now += 20 * MS;
		fz_deliver(&world, p, FZ_RESP, now, world.m[2], world.m_len[2]);
	}
	now += 20 * MS;
	if (mode & 2) {
		size_t n = fz_seal(&world, FZ_RESP, data[1], data[3], data[4], data[2], data + 5, size - 5, msg,
				   sizeof(msg));
		if (n)
			fz_deliver(&world, p, FZ_RESP, now, msg, n);
	} else {
		fz_deliver(&world, p, FZ_RESP, now, data + 5, size - 5);
	}
	fz_drain(p, now);
	ike_peer_free(p);
	return 0;
}
