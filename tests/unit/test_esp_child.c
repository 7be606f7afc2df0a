/*
 * From the engine to the data plane: two engine peers negotiate a CHILD SA; each side's host turns the
 * IKE_EV_CHILD_UP it gets into ESP SAs and SPD policies (esp/child.h); packets then cross both ways and the
 * inbound policy check finds the SA they came through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/registry.h"
#include "esp/child.h"
#include "esp/ip.h"
#include "esp/sad.h"
#include "esppair.h"
#include "pair.h"
#include "test_list.h.in"

#define SEC (1000LL * 1000 * 1000)

typedef struct host {
	const ike_crypto *c;
	esp_sad *sad;
	esp_spd *spd;
	esp_sa *out, *in;
	int ups;
	uint16_t encr; /* as negotiated */
	bool esn;
} host;

/* The host's sa_event: build both SAs while the event's key views live, then the policies. */
static void on_event(pair *pr, int side, const ike_sa_event *ev)
{
	host *h = &((host *)pr->user)[side];
	if (ev->kind != IKE_EV_CHILD_UP)
		return;
	static const uint8_t seed[32] = "host iv seed";
	char why[160];
	esp_sa_params p;
	assert_int_equal(esp_params_from_child(ev->child, ESP_DIR_OUT, &p, why, sizeof(why)), 0);
	p.iv_seed = seed;
	p.iv_seed_len = sizeof(seed);
	h->out = esp_sa_new(h->c, &p, why, sizeof(why));
	if (!h->out)
		fail_msg("out: %s", why);
	assert_int_equal(esp_params_from_child(ev->child, ESP_DIR_IN, &p, why, sizeof(why)), 0);
	assert_int_equal(p.replay_window, ESP_REPLAY_WINDOW_DEFAULT);
	h->in = esp_sa_new(h->c, &p, why, sizeof(why));
	if (!h->in)
		fail_msg("in: %s", why);
	assert_int_equal(esp_sad_add(h->sad, h->out), ESP_OK);
	assert_int_equal(esp_sad_add(h->sad, h->in), ESP_OK);
	assert_int_equal(esp_spd_add_child(h->spd, ev->child, 7, h->out, h->in), 2);
	h->encr = ev->child->encr;
	h->esn = ev->child->esn;
	h->ups++;
}

/* One inner packet from host a to host b through the SPD, ESP, the SAD and the inbound policy check. */
static void cross(host *a, host *b, const uint8_t *pkt, size_t len)
{
	esp_flow f;
	assert_int_equal(esp_flow_of(pkt, len, &f), ESP_OK);
	esp_policy *pol = esp_spd_lookup(a->spd, ESP_DIR_OUT, &f);
	assert_non_null(pol);
	assert_int_equal(pol->action, ESP_ACT_PROTECT);
	assert_ptr_equal(pol->sa, a->out);
	uint8_t wire[600], back[600];
	size_t n;
	assert_int_equal(esp_encap(pol->sa, 0, pkt, len, wire, sizeof(wire), &n), ESP_OK);
	esp_rx rx;
	esp_sa *via;
	assert_int_equal(esp_sad_decap(b->sad, wire, n, back, sizeof(back), &rx, &via), ESP_OK);
	assert_ptr_equal(via, b->in);
	assert_int_equal(rx.len, len);
	assert_memory_equal(back, pkt, len);
	assert_int_equal(esp_flow_of(back, rx.len, &f), ESP_OK);
	esp_policy *in = esp_spd_lookup(b->spd, ESP_DIR_IN, &f);
	assert_non_null(in);
	assert_ptr_equal(in->sa, via); /* RFC 4301 5.2: it came through the SA its policy names */
	assert_int_equal(esp_sad_decap(b->sad, wire, n, back, sizeof(back), &rx, &via), ESP_E_REPLAY);
}

static void child_to_data_plane(const char *esp, uint16_t encr, bool esn)
{
	pair pr;
	host h[2] = { 0 };
	ike_crypto *c = ike_crypto_new();
	for (int s = 0; s < 2; s++) {
		h[s].c = c;
		h[s].sad = esp_sad_new();
		h[s].spd = esp_spd_new();
	}
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", esp);
	pr.user = h;
	pr.sa_hook = on_event;
	pair_start(&pr, 5);
	pair_run(&pr, 10 * SEC);
	assert_int_equal(h[0].ups, 1);
	assert_int_equal(h[1].ups, 1);
	assert_int_equal(h[0].encr, encr);
	assert_int_equal(h[0].esn, esn);
	uint8_t pkt[300];
	for (size_t len = 28; len < 300; len += 45) {
		esppair_ipv4_udp(pkt, len, (uint8_t)len); /* 10.1.0.1 -> 10.2.0.1: side 0's subnet to side 1's */
		cross(&h[0], &h[1], pkt, len);
		esp_ip ih;
		assert_int_equal(esp_ip_parse(pkt, len, &ih), ESP_OK);
		memcpy(ih.src, (uint8_t[4]){ 10, 2, 0, 9 }, 4);
		memcpy(ih.dst, (uint8_t[4]){ 10, 1, 0, 9 }, 4);
		esp_ip_build(&ih, len - 20, pkt, 20);
		cross(&h[1], &h[0], pkt, len);
	}
	/* A packet no selector covers: no policy, counted. */
	esppair_ipv4_udp(pkt, 28, 0);
	memcpy(pkt + 16, (uint8_t[4]){ 192, 0, 2, 1 }, 4);
	esp_flow f;
	assert_int_equal(esp_flow_of(pkt, 28, &f), ESP_OK);
	assert_null(esp_spd_lookup(h[1].spd, ESP_DIR_OUT, &f));
	assert_int_equal(esp_spd_misses(h[1].spd), 1);
	assert_int_equal(esp_sa_stats_of(h[0].out)->packets, esp_sa_stats_of(h[1].in)->packets);
	for (int s = 0; s < 2; s++) {
		esp_spd_free(h[s].spd);
		esp_sad_free(h[s].sad);
	}
	pair_free(&pr);
	ike_crypto_free(c);
}

static void esp_child_gcm(void **state)
{
	(void)state;
	child_to_data_plane("aes128gcm16", IKE_ENCR_AES_GCM_16, false);
}

static void esp_child_cbc_sha256_esn(void **state)
{
	(void)state;
	child_to_data_plane("aes256-sha256-esn", IKE_ENCR_AES_CBC, true);
}

static void esp_child_params_refused(void **state)
{
	(void)state;
	ike_child_keys k = { .protocol = 1 /* IKE */ };
	esp_sa_params p;
	char why[128];
	assert_int_equal(esp_params_from_child(&k, ESP_DIR_OUT, &p, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "protocol"));
	assert_int_equal(esp_params_from_child(NULL, ESP_DIR_OUT, &p, why, sizeof(why)), -1);
}

size_t tests_esp_child(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(esp_child_gcm),
		cmocka_unit_test(esp_child_cbc_sha256_esn),
		cmocka_unit_test(esp_child_params_refused),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
