/*
 * Our IANA transform ids -> the names in Wireshark 4.0's IKEv2 decryption table. Wireshark has no
 * ChaCha20-Poly1305 there, and no AES-XCBC-96 or AES-CMAC-96 (it can still decrypt those SAs when
 * told to skip the 96-bit ICV check).
 */
#include "ws_names.h"

#include <stddef.h>

#include "crypto/registry.h"

typedef struct ws_encr {
	uint16_t id, keylen;
	const char *name;
} ws_encr;

static const ws_encr encr_names[] = {
	{ IKE_ENCR_AES_CBC, 128, "AES-CBC-128 [RFC3602]" },
	{ IKE_ENCR_AES_CBC, 192, "AES-CBC-192 [RFC3602]" },
	{ IKE_ENCR_AES_CBC, 256, "AES-CBC-256 [RFC3602]" },
	{ IKE_ENCR_AES_CTR, 128, "AES-CTR-128 [RFC5930]" },
	{ IKE_ENCR_AES_CTR, 192, "AES-CTR-192 [RFC5930]" },
	{ IKE_ENCR_AES_CTR, 256, "AES-CTR-256 [RFC5930]" },
	{ IKE_ENCR_AES_GCM_8, 128, "AES-GCM-128 with 8 octet ICV [RFC5282]" },
	{ IKE_ENCR_AES_GCM_8, 192, "AES-GCM-192 with 8 octet ICV [RFC5282]" },
	{ IKE_ENCR_AES_GCM_8, 256, "AES-GCM-256 with 8 octet ICV [RFC5282]" },
	{ IKE_ENCR_AES_GCM_12, 128, "AES-GCM-128 with 12 octet ICV [RFC5282]" },
	{ IKE_ENCR_AES_GCM_12, 192, "AES-GCM-192 with 12 octet ICV [RFC5282]" },
	{ IKE_ENCR_AES_GCM_12, 256, "AES-GCM-256 with 12 octet ICV [RFC5282]" },
	{ IKE_ENCR_AES_GCM_16, 128, "AES-GCM-128 with 16 octet ICV [RFC5282]" },
	{ IKE_ENCR_AES_GCM_16, 192, "AES-GCM-192 with 16 octet ICV [RFC5282]" },
	{ IKE_ENCR_AES_GCM_16, 256, "AES-GCM-256 with 16 octet ICV [RFC5282]" },
};

typedef struct ws_integ {
	uint16_t id;
	bool checked;
	const char *name;
} ws_integ;

static const ws_integ integ_names[] = {
	{ IKE_INTEG_NONE, true, SIM_WS_INTEG_NONE },
	{ IKE_INTEG_HMAC_SHA1_96, true, "HMAC_SHA1_96 [RFC2404]" },
	{ IKE_INTEG_HMAC_SHA2_256_128, true, "HMAC_SHA2_256_128 [RFC4868]" },
	{ IKE_INTEG_HMAC_SHA2_384_192, true, "HMAC_SHA2_384_192 [RFC4868]" },
	{ IKE_INTEG_HMAC_SHA2_512_256, true, "HMAC_SHA2_512_256 [RFC4868]" },
	{ IKE_INTEG_AES_XCBC_96, false, "ANY 96-bits of Authentication [No Checking]" },
	{ IKE_INTEG_AES_CMAC_96, false, "ANY 96-bits of Authentication [No Checking]" },
};

const char *sim_ws_ikev2_encr(uint16_t id, uint16_t keylen_bits)
{
	for (size_t i = 0; i < sizeof(encr_names) / sizeof(encr_names[0]); i++)
		if (encr_names[i].id == id && encr_names[i].keylen == keylen_bits)
			return encr_names[i].name;
	return NULL;
}

const char *sim_ws_ikev2_integ(uint16_t id, bool *checked)
{
	for (size_t i = 0; i < sizeof(integ_names) / sizeof(integ_names[0]); i++)
		if (integ_names[i].id == id) {
			*checked = integ_names[i].checked;
			return integ_names[i].name;
		}
	*checked = false;
	return NULL;
}

/* esp_sa (Wireshark 4.0's ESP preferences): one name per cipher, the key length comes from the key itself. */
static const ws_encr esp_encr_names[] = {
	{ IKE_ENCR_NULL, 0, "NULL" },
	{ IKE_ENCR_AES_CBC, 0, "AES-CBC [RFC3602]" },
	{ IKE_ENCR_AES_CTR, 0, "AES-CTR [RFC3686]" },
	{ IKE_ENCR_AES_GCM_8, 0, "AES-GCM with 8 octet ICV [RFC4106]" },
	{ IKE_ENCR_AES_GCM_12, 0, "AES-GCM with 12 octet ICV [RFC4106]" },
	{ IKE_ENCR_AES_GCM_16, 0, "AES-GCM with 16 octet ICV [RFC4106]" },
};

static const ws_integ esp_integ_names[] = {
	{ IKE_INTEG_NONE, true, "NULL" },
	{ IKE_INTEG_HMAC_SHA1_96, true, "HMAC-SHA-1-96 [RFC2404]" },
	{ IKE_INTEG_HMAC_SHA2_256_128, true, "HMAC-SHA-256-128 [RFC4868]" },
	{ IKE_INTEG_HMAC_SHA2_384_192, true, "HMAC-SHA-384-192 [RFC4868]" },
	{ IKE_INTEG_HMAC_SHA2_512_256, true, "HMAC-SHA-512-256 [RFC4868]" },
	{ IKE_INTEG_AES_XCBC_96, false, "ANY 96 bit authentication [no checking]" },
	{ IKE_INTEG_AES_CMAC_96, false, "ANY 96 bit authentication [no checking]" },
};

const char *sim_ws_esp_encr(uint16_t id)
{
	for (size_t i = 0; i < sizeof(esp_encr_names) / sizeof(esp_encr_names[0]); i++)
		if (esp_encr_names[i].id == id)
			return esp_encr_names[i].name;
	return NULL;
}

const char *sim_ws_esp_integ(uint16_t id, bool *checked)
{
	for (size_t i = 0; i < sizeof(esp_integ_names) / sizeof(esp_integ_names[0]); i++)
		if (esp_integ_names[i].id == id) {
			*checked = esp_integ_names[i].checked;
			return esp_integ_names[i].name;
		}
	*checked = false;
	return NULL;
}
