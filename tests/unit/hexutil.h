/* Test helper: hex strings to bytes (tests only). */
#ifndef IKE_TEST_HEXUTIL_H
#define IKE_TEST_HEXUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline int hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* Decodes hex into out (cap bytes); returns the byte count, or (size_t)-1 on bad input/overflow. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex);
	if (n % 2 || n / 2 > cap)
		return (size_t)-1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return (size_t)-1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return n / 2;
}

#endif
