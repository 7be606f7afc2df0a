/* ESP SA lifecycle: creation from parameters, accessors, counters, lifetimes, status names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/buf.h"
#include "esp/esp_int.h"

static const char *const status_names[ESP_STATUS_COUNT] = {
	[ESP_OK] = "ok",
	[ESP_E_ARG] = "bad-argument",
	[ESP_E_SHORT] = "malformed",
	[ESP_E_NO_SA] = "unknown-spi",
	[ESP_E_REPLAY] = "replay",
	[ESP_E_OLD] = "outside-window",
	[ESP_E_ICV] = "icv-mismatch",
	[ESP_E_PAD] = "bad-padding",
	[ESP_E_NEXT_HDR] = "bad-inner-packet",
	[ESP_DUMMY] = "dummy",
	[ESP_E_SEQ] = "sequence-exhausted",
	[ESP_E_LIFETIME] = "hard-lifetime",
	[ESP_E_SPACE] = "no-space",
	[ESP_E_CRYPTO] = "crypto-error",
};

const char *esp_status_name(esp_status s)
{
	return (unsigned)s < ESP_STATUS_COUNT ? status_names[s] : "unknown";
}

static esp_sa *refuse(esp_sa *sa, char *why, size_t cap, const char *msg)
{
	if (msg && why && cap)
		snprintf(why, cap, "%s", msg);
	esp_sa_free(sa);
	return NULL;
}

esp_sa *esp_sa_new(const ike_crypto *c, const esp_sa_params *p, char *why, size_t cap)
{
	if (!c || !p)
		return refuse(NULL, why, cap, "no crypto context or parameters");
	if (p->dir > ESP_DIR_IN || p->mode > ESP_MODE_TRANSPORT)
		return refuse(NULL, why, cap, "dir/mode: out of range");
	if (p->replay_window > ESP_REPLAY_WINDOW_MAX)
		return refuse(NULL, why, cap, "replay_window: larger than ESP_REPLAY_WINDOW_MAX");
	if (p->tfc_pad && p->mode != ESP_MODE_TUNNEL)
		return refuse(NULL, why, cap, "tfc_pad: TFC padding needs tunnel mode (the inner length is in its header)");
	if (!p->esn && p->test_seq > UINT32_MAX)
		return refuse(NULL, why, cap, "test_seq: beyond 32 bits without ESN");
	size_t words = esp_replay_words(p->replay_window);
	esp_sa *sa = calloc(1, sizeof(*sa) + words * sizeof(uint64_t));
	if (!sa)
		return refuse(NULL, why, cap, "out of memory");
	sa->spi = p->spi;
	sa->dir = p->dir;
	sa->mode = p->mode;
	sa->esn = p->esn != 0;
	sa->tfc_pad = p->tfc_pad;
	sa->encap_sport = p->encap_sport;
	sa->encap_dport = p->encap_dport;
	sa->soft = p->soft;
	sa->hard = p->hard;
	sa->seq = p->test_seq ? p->test_seq - 1 : 0;
	if (esp_keys_init(c, &sa->k, p, p->dir == ESP_DIR_OUT, why, cap))
		return refuse(sa, why, cap, NULL);
	if (p->test_iv) {
		sa->has_test_iv = true;
		memcpy(sa->test_iv, p->test_iv, sa->k.e->iv_bytes);
	}
	esp_replay_init(&sa->win, (uint64_t *)(sa + 1), p->replay_window, sa->esn, p->test_seq ? p->test_seq : 1);
	sa->st.seq = sa->dir == ESP_DIR_OUT ? sa->seq : sa->win.top;
	return sa;
}

void esp_sa_free(esp_sa *sa)
{
	if (!sa)
		return;
	esp_keys_free(&sa->k);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

uint32_t esp_sa_spi(const esp_sa *sa) { return sa->spi; }
uint8_t esp_sa_dir(const esp_sa *sa) { return sa->dir; }
uint8_t esp_sa_mode(const esp_sa *sa) { return sa->mode; }

void esp_sa_encap_ports(const esp_sa *sa, uint16_t *sport, uint16_t *dport)
{
	if (sport)
		*sport = sa->encap_sport;
	if (dport)
		*dport = sa->encap_dport;
}

const esp_sa_stats *esp_sa_stats_of(const esp_sa *sa) { return &sa->st; }

size_t esp_overhead(const esp_sa *sa, size_t len)
{
	const esp_encr *e = sa->k.e;
	size_t body = len < sa->tfc_pad ? sa->tfc_pad : len;
	size_t padded = (body + 2 + e->align - 1) / e->align * e->align;
	return ESP_HDR_LEN + e->iv_bytes + (padded - len) + sa->k.icv;
}

uint32_t esp_packet_spi(const uint8_t *in, size_t len)
{
	return in && len >= ESP_HDR_LEN ? ike_get_u32(in) : 0;
}

int esp_expiry_of(const esp_sa_stats *st, const esp_limits *soft, const esp_limits *hard, uint64_t seq, bool esn,
		  uint8_t dir)
{
	if ((hard->packets && st->packets >= hard->packets) || (hard->bytes && st->bytes >= hard->bytes))
		return ESP_EXPIRY_HARD;
	uint64_t last = esn ? UINT64_MAX : UINT32_MAX;
	if (dir == ESP_DIR_OUT && seq == last)
		return ESP_EXPIRY_HARD;
	if ((soft->packets && st->packets >= soft->packets) || (soft->bytes && st->bytes >= soft->bytes))
		return ESP_EXPIRY_SOFT;
	if (seq >= last - ESP_SEQ_SOFT_MARGIN)
		return ESP_EXPIRY_SOFT;
	return ESP_EXPIRY_NONE;
}

int esp_sa_expiry_cause(const esp_sa *sa)
{
	const esp_sa_stats *st = &sa->st;
	/* hard first, as esp_expiry_of decides; a packet limit before a byte limit when both are reached */
	const esp_limits *lv[2] = { &sa->hard, &sa->soft };
	for (int i = 0; i < 2; i++) {
		if (lv[i]->packets && st->packets >= lv[i]->packets)
			return ESP_LIMIT_PACKETS;
		if (lv[i]->bytes && st->bytes >= lv[i]->bytes)
			return ESP_LIMIT_BYTES;
	}
	return esp_sa_expiry(sa) != ESP_EXPIRY_NONE ? ESP_LIMIT_SEQ : ESP_LIMIT_NONE;
}

int esp_sa_expiry(const esp_sa *sa)
{
	uint64_t seq = sa->dir == ESP_DIR_OUT ? sa->seq : sa->win.top;
	return esp_expiry_of(&sa->st, &sa->soft, &sa->hard, seq, sa->esn, sa->dir);
}
