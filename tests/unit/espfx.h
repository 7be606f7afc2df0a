/*
 * One ESP packet (RFC 4303) sealed with OpenSSL directly, for the capture tests only (the engine's own ESP
 * lives in engine/esp): AES-GCM with a 16-byte ICV (RFC 4106), or AES-CBC (RFC 3602) with HMAC-SHA1-96 /
 * HMAC-SHA2 (RFC 2404, RFC 4868). No ESN; the IV is derived from the sequence number.
 */
#ifndef IKE_TEST_ESPFX_H
#define IKE_TEST_ESPFX_H

#include <stddef.h>
#include <stdint.h>

typedef struct espfx_sa {
	uint16_t encr, integ;  /* IANA ids: IKE_ENCR_AES_GCM_16 or IKE_ENCR_AES_CBC; integ 0 with GCM */
	const uint8_t *ekey, *akey; /* GCM: key + 4-byte salt */
	size_t e_len, a_len;
	uint32_t spi;
} espfx_sa;

/* SPI | seq | IV | ciphertext of (payload, padding, pad length, next header) | ICV into out; its length, 0 on error. */
size_t espfx_seal(const espfx_sa *sa, uint32_t seq, uint8_t next_header, const uint8_t *payload, size_t len,
		  uint8_t *out, size_t cap);

#endif
