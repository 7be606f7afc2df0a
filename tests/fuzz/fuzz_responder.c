/*
 * libFuzzer target: one datagram into a fresh responder (no SA yet), then its timers run out.
 * Seeds are the recorded handshake's messages; reaching past IKE_SA_INIT is responder_state's job.
 */
#include "fz.h"

static fz_world world;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_world_init(&world);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ike_host host;
	fz_sink sink = { 0 };
	ike_peer *p = fz_peer(&world, FZ_RESP, &host, &sink, 0);
	fz_deliver(&world, p, FZ_RESP, 1000, data, size);
	fz_drain(p, 1000);
	ike_peer_free(p);
	return 0;
}
