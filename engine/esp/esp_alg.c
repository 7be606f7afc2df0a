/* The ESP transforms: sizes from RFC 2410 (NULL), 3602 (CBC), 3686 (CTR), 4106 (GCM), 4543 (GMAC), 7634. */
#include "crypto/registry.h"
#include "esp/esp_int.h"

#define E(id, bits, kind, key, salt, iv, align, icv) { id, bits, kind, key, salt, iv, align, icv }

static const esp_encr encrs[] = {
	E(IKE_ENCR_NULL, 0, ESP_C_NULL, 0, 0, 0, 4, 0),
	E(IKE_ENCR_AES_CBC, 128, ESP_C_CBC, 16, 0, 16, 16, 0),
	E(IKE_ENCR_AES_CBC, 192, ESP_C_CBC, 24, 0, 16, 16, 0),
	E(IKE_ENCR_AES_CBC, 256, ESP_C_CBC, 32, 0, 16, 16, 0),
	E(IKE_ENCR_AES_CTR, 128, ESP_C_CTR, 16, 4, 8, 4, 0),
	E(IKE_ENCR_AES_CTR, 192, ESP_C_CTR, 24, 4, 8, 4, 0),
	E(IKE_ENCR_AES_CTR, 256, ESP_C_CTR, 32, 4, 8, 4, 0),
	E(IKE_ENCR_AES_GCM_8, 128, ESP_C_GCM, 16, 4, 8, 4, 8),
	E(IKE_ENCR_AES_GCM_8, 192, ESP_C_GCM, 24, 4, 8, 4, 8),
	E(IKE_ENCR_AES_GCM_8, 256, ESP_C_GCM, 32, 4, 8, 4, 8),
	E(IKE_ENCR_AES_GCM_12, 128, ESP_C_GCM, 16, 4, 8, 4, 12),
	E(IKE_ENCR_AES_GCM_12, 192, ESP_C_GCM, 24, 4, 8, 4, 12),
	E(IKE_ENCR_AES_GCM_12, 256, ESP_C_GCM, 32, 4, 8, 4, 12),
	E(IKE_ENCR_AES_GCM_16, 128, ESP_C_GCM, 16, 4, 8, 4, 16),
	E(IKE_ENCR_AES_GCM_16, 192, ESP_C_GCM, 24, 4, 8, 4, 16),
	E(IKE_ENCR_AES_GCM_16, 256, ESP_C_GCM, 32, 4, 8, 4, 16),
	E(ESP_ENCR_NULL_AUTH_AES_GMAC, 128, ESP_C_GMAC, 16, 4, 8, 4, 16),
	E(ESP_ENCR_NULL_AUTH_AES_GMAC, 192, ESP_C_GMAC, 24, 4, 8, 4, 16),
	E(ESP_ENCR_NULL_AUTH_AES_GMAC, 256, ESP_C_GMAC, 32, 4, 8, 4, 16),
	E(IKE_ENCR_CHACHA20_POLY1305, 0, ESP_C_CHACHA, 32, 4, 8, 4, 16),
};

const esp_encr *esp_encr_find(uint16_t id, uint16_t keylen)
{
	for (size_t i = 0; i < sizeof(encrs) / sizeof(encrs[0]); i++)
		if (encrs[i].id == id && encrs[i].keylen == keylen)
			return &encrs[i];
	return NULL;
}

int esp_integ_info(uint16_t id, int *md_slot, size_t *key_len, size_t *icv_len)
{
	switch (id) {
	case IKE_INTEG_HMAC_SHA1_96: *md_slot = IKE_MD_SHA1, *key_len = 20, *icv_len = 12; return 1;
	case IKE_INTEG_HMAC_SHA2_256_128: *md_slot = IKE_MD_SHA256, *key_len = 32, *icv_len = 16; return 1;
	case IKE_INTEG_HMAC_SHA2_384_192: *md_slot = IKE_MD_SHA384, *key_len = 48, *icv_len = 24; return 1;
	case IKE_INTEG_HMAC_SHA2_512_256: *md_slot = IKE_MD_SHA512, *key_len = 64, *icv_len = 32; return 1;
	default: return 0;
	}
}
