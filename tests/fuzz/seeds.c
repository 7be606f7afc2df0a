/*
 * Writes the engine targets' seed corpora from the harness's recorded handshake (make fuzz-seeds):
 * tests/fuzz/corpus/<target>/NAME. The text targets' seeds (scenario, config, cred) are plain files
 * kept in the repository and need no generator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "wire/v2.h"

static void put(const char *dir, const char *target, const char *name, const uint8_t *a, size_t alen,
		const uint8_t *b, size_t blen)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(a, 1, alen, f) != alen || (blen && fwrite(b, 1, blen, f) != blen) || fclose(f) != 0) {
		fprintf(stderr, "seeds: cannot write %s\n", path);
		exit(1);
	}
}

/* A state-target seed: 5 control bytes (mode, exchange, first payload, flags, message ID) and a body. */
static void put_ctl(const char *dir, const char *target, const char *name, uint8_t mode, uint8_t exch,
		    uint8_t first, uint8_t flags, uint8_t msgid, const uint8_t *body, size_t len)
{
	uint8_t ctl[5] = { mode, exch, first, flags, msgid };
	put(dir, target, name, ctl, sizeof(ctl), body, len);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/fuzz/corpus";
	static fz_world w;
	fz_world_init(&w);
	static const char *const names[4] = { "init_req", "init_resp", "auth_req", "auth_resp" };
	for (int m = 0; m < 4; m++) {
		put(dir, "responder", names[m], w.m[m], w.m_len[m], NULL, 0);
		/* wire: mode 0 = a whole message */
		uint8_t mode = 0;
		put(dir, "wire", names[m], &mode, 1, w.m[m], w.m_len[m]);
	}
	for (int i = 0; i < 2; i++) {
		/* wire: mode 1 = a bare chain whose first payload type follows */
		uint8_t ctl[2] = { 1, w.inner_first[i] };
		put(dir, "wire", i ? "inner_auth_resp" : "inner_auth_req", ctl, 2, w.inner[i], w.inner_len[i]);
	}
	/* A DELETE of the IKE SA and an empty INFORMATIONAL (liveness check) as inner chains. */
	static const uint8_t del_ike[] = { 0, 0, 0, 8, 1, 0, 0, 0 };
	static const uint8_t del_child[] = { 0, 0, 0, 12, 3, 4, 0, 1, 0xc0, 0, 0, 1 };

	/* responder_state: mode bit 0 = established (else half-open), bit 1 = sealed (else plain body), bit 2 = cookies. */
	put_ctl(dir, "responder_state", "halfopen_auth_plain", 0, 0, 0, 0, 0, w.m[2], w.m_len[2]);
	{
		/* another initiator's IKE_SA_INIT (a new SPIi) while cookies are demanded */
		uint8_t init[FZ_MSG_MAX];
		memcpy(init, w.m[0], w.m_len[0]);
		init[7] ^= 0x5a;
		put_ctl(dir, "responder_state", "halfopen_new_init_cookie", 4, 0, 0, 0, 0, init, w.m_len[0]);
	}
	put_ctl(dir, "responder_state", "established_retransmit", 1, 0, 0, 0, 0, w.m[2], w.m_len[2]);
	put_ctl(dir, "responder_state", "halfopen_auth_sealed", 2, V2_IKE_AUTH, w.inner_first[0], V2_F_INITIATOR, 1,
		w.inner[0], w.inner_len[0]);
	put_ctl(dir, "responder_state", "established_dpd", 3, V2_INFORMATIONAL, 0, V2_F_INITIATOR, 2, NULL, 0);
	put_ctl(dir, "responder_state", "established_delete", 3, V2_INFORMATIONAL, V2_PL_DELETE, V2_F_INITIATOR, 2,
		del_ike, sizeof(del_ike));
	put_ctl(dir, "responder_state", "established_delete_child", 3, V2_INFORMATIONAL, V2_PL_DELETE,
		V2_F_INITIATOR, 2, del_child, sizeof(del_child));
	put_ctl(dir, "responder_state", "established_child", 3, V2_CREATE_CHILD_SA, w.inner_first[0], V2_F_INITIATOR,
		2, w.inner[0], w.inner_len[0]);

	/* initiator: mode 0..2 = INIT sent / AUTH sent / established; bit 2 = sealed. */
	put_ctl(dir, "initiator", "init_resp", 0, 0, 0, 0, 0, w.m[1], w.m_len[1]);
	put_ctl(dir, "initiator", "auth_resp_plain", 1, 0, 0, 0, 0, w.m[3], w.m_len[3]);
	put_ctl(dir, "initiator", "auth_resp_sealed", 5, V2_IKE_AUTH, w.inner_first[1], V2_F_RESPONSE, 1, w.inner[1],
		w.inner_len[1]);
	put_ctl(dir, "initiator", "established_dpd", 6, V2_INFORMATIONAL, 0, 0, 0, NULL, 0);
	put_ctl(dir, "initiator", "established_delete", 6, V2_INFORMATIONAL, V2_PL_DELETE, 0, 0, del_ike,
		sizeof(del_ike));
	put_ctl(dir, "initiator", "established_resp", 6, V2_INFORMATIONAL, 0, V2_F_RESPONSE, 2, NULL, 0);
	fz_world_free(&w);
	return 0;
}
