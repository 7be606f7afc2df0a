/* IKEv1 test fixtures shared by the test_v1_*.c files. */
#ifndef IKE_TEST_V1FX_H
#define IKE_TEST_V1FX_H

#include <stdint.h>

/* Main Mode message 1, laid out by hand: HDR, SA(AES-128, SHA1, PSK, group 14, 86400 s), V(RFC 3947). */
static const uint8_t v1_mm1[108] = {
	/* header: CKY-I, CKY-R = 0, NP = SA, version 1.0, ID_PROT, no flags, M-ID 0, Length 108 */
	1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 108,
	/* SA: NP = VID, length 60, DOI IPsec, SIT_IDENTITY_ONLY */
	13, 0, 0, 60, 0, 0, 0, 1, 0, 0, 0, 1,
	/* proposal #1 ISAKMP, no SPI, 1 transform, length 48 */
	0, 0, 0, 48, 1, 1, 0, 1,
	/* transform #1 KEY_IKE, length 40 */
	0, 0, 0, 40, 1, 1, 0, 0,
	0x80, 0x01, 0x00, 0x07, /* Encryption AES-CBC */
	0x80, 0x0e, 0x00, 0x80, /* Key Length 128 */
	0x80, 0x02, 0x00, 0x02, /* Hash SHA */
	0x80, 0x03, 0x00, 0x01, /* Auth pre-shared key */
	0x80, 0x04, 0x00, 0x0e, /* Group 14 */
	0x80, 0x0b, 0x00, 0x01, /* Life Type seconds */
	0x00, 0x0c, 0x00, 0x04, 0x00, 0x01, 0x51, 0x80, /* Life Duration 86400, variable form (4 bytes) */
	/* VID: RFC 3947 (MD5 of "RFC 3947") */
	0, 0, 0, 20, 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
};

#endif
