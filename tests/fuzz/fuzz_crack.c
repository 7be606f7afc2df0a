/*
 * libFuzzer target: the capture reader and Aggressive Mode extraction behind `ikesim crack`
 * (engine/host/capread*.c, amscan.c). The input is a capture file (seeds: tests/fuzz/corpus/crack, pcap and
 * pcapng in several link types). Oracles: every field of an exchange that can be attacked lies inside the
 * input, HASH_R has the chosen hash's length, frame numbers never pass the frames read; a refused file says why.
 */
#include <stdint.h>
#include <string.h>

#include "host/amscan.h"

__attribute__((noreturn)) static void broken(void)
{
	__builtin_trap();
}

static void inside(const uint8_t *d, size_t n, const ike_am_field *f)
{
	if (!f->p || !f->len || f->p < d || f->len > n || f->p > d + n - f->len)
		broken();
}

static size_t hash_len(uint16_t h)
{
	return h == 1 ? 16 : h == 2 ? 20 : h == 4 ? 32 : h == 5 ? 48 : h == 6 ? 64 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ike_am_scan s; /* large; the harness runs one input at a time */
	char err[256] = "";
	if (ike_am_scan_capture(data, size, &s, err, sizeof(err))) {
		if (!err[0] || !memchr(err, 0, sizeof(err)))
			broken();
		return 0;
	}
	if (s.n > IKE_AM_MAX)
		broken();
	for (uint32_t i = 0; i < s.n; i++) {
		const ike_am_exch *x = &s.x[i];
		if (x->frame1 > s.rd.frame || x->frame2 > s.rd.frame || !memchr(x->problem, 0, sizeof(x->problem)))
			broken();
		if (x->problem[0])
			continue;
		const ike_am_field *f[] = { &x->sai_b, &x->gxi, &x->gxr, &x->ni, &x->nr, &x->idii_b, &x->idir_b, &x->hash_r };
		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			inside(data, size, f[k]);
		if (!x->frame1 || !x->frame2 || x->hash_r.len != hash_len(x->hash))
			broken();
	}
	return 0;
}
