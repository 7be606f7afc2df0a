/* Anti-replay window (RFC 4303 3.4.3) with the ESN high-half inference of RFC 4303 Appendix A2.2. */
#include <string.h>

#include "esp/replay.h"

size_t esp_replay_words(uint32_t size)
{
	return size ? (size + 63u) / 64u : 1;
}

void esp_replay_init(esp_replay *w, uint64_t *bits, uint32_t size, bool esn, uint64_t first)
{
	w->bits = bits;
	w->size = size;
	w->esn = esn;
	w->top = first ? first - 1 : 0;
	/* Everything at or below first - 1 is treated as received: sequence number 0 is never valid. */
	memset(bits, 0xff, esp_replay_words(size) * sizeof(uint64_t));
}

uint64_t esp_replay_infer(const esp_replay *w, uint32_t seq_lo)
{
	if (!w->esn)
		return seq_lo;
	uint32_t tl = (uint32_t)w->top, th = (uint32_t)(w->top >> 32);
	/* Without anti-replay the inference still needs a width: use the default window. */
	uint32_t win = w->size ? w->size : ESP_REPLAY_WINDOW_DEFAULT;
	uint32_t bottom = tl - win + 1; /* mod 2^32 on purpose */
	uint32_t sh;
	if (tl >= win - 1) /* Case A: the window lies in one 2^32 subspace */
		sh = seq_lo >= bottom ? th : th + 1;
	else /* Case B: the window spans two subspaces; nothing lies below subspace 0 */
		sh = seq_lo >= bottom ? (th ? th - 1 : 0) : th;
	return (uint64_t)sh << 32 | seq_lo;
}

static bool bit_get(const esp_replay *w, uint64_t off)
{
	return (w->bits[off / 64] >> (off % 64)) & 1u;
}

esp_status esp_replay_check(const esp_replay *w, uint64_t seq)
{
	if (!w->size || seq > w->top)
		return ESP_OK;
	uint64_t off = w->top - seq;
	if (off >= w->size)
		return ESP_E_OLD;
	return bit_get(w, off) ? ESP_E_REPLAY : ESP_OK;
}

/* Shifts the bitmap by n positions towards older (bit i moves to i + n). */
static void shift(esp_replay *w, uint64_t n)
{
	size_t words = esp_replay_words(w->size);
	if (n >= (uint64_t)words * 64) {
		memset(w->bits, 0, words * sizeof(uint64_t));
		return;
	}
	size_t ws = (size_t)(n / 64), bs = (size_t)(n % 64);
	for (size_t i = words; i-- > 0;) {
		uint64_t v = i >= ws ? w->bits[i - ws] << bs : 0;
		if (bs && i >= ws + 1)
			v |= w->bits[i - ws - 1] >> (64 - bs);
		w->bits[i] = v;
	}
}

void esp_replay_update(esp_replay *w, uint64_t seq)
{
	if (seq > w->top) {
		if (w->size)
			shift(w, seq - w->top);
		w->top = seq;
		w->bits[0] |= 1u;
		return;
	}
	uint64_t off = w->top - seq;
	if (w->size && off < w->size)
		w->bits[off / 64] |= (uint64_t)1 << (off % 64);
}
