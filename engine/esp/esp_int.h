/* Internals shared by engine/esp: the ESP transform table, the SA layout, per-SA crypto. Not public. */
#ifndef IKE_ESP_ESP_INT_H
#define IKE_ESP_ESP_INT_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "crypto/crypto_int.h"
#include "esp/esp.h"
#include "esp/replay.h"

#define ESP_MAX_ICV 32
#define ESP_MAX_IV 16

/* How a transform turns the payload into ciphertext. */
enum esp_cipher_kind { ESP_C_NULL, ESP_C_CBC, ESP_C_CTR, ESP_C_GCM, ESP_C_CHACHA, ESP_C_GMAC };

/* One ESP encryption transform at one key length (RFC 2410, 3602, 3686, 4106, 4543, 7634). */
typedef struct esp_encr {
	uint16_t id, keylen;   /* IANA id, Key Length attribute (bits, 0 if none) */
	uint8_t kind;          /* enum esp_cipher_kind */
	uint8_t key_bytes;     /* cipher key bytes (salt not included) */
	uint8_t salt_bytes;    /* trailing KEYMAT salt (GCM, GMAC, CTR, ChaCha20: 4) */
	uint8_t iv_bytes;      /* IV on the wire */
	uint8_t align;         /* ciphertext alignment: cipher block, at least 4 (RFC 4303 2.4) */
	uint8_t icv_bytes;     /* combined mode ICV; 0 when a separate integrity transform is needed */
} esp_encr;

/* The transform for (id, keylen), or NULL. */
const esp_encr *esp_encr_find(uint16_t id, uint16_t keylen);

/* HMAC integrity transform (RFC 2404, 4868): digest slot, key and ICV length; 0 if unsupported. */
int esp_integ_info(uint16_t id, int *md_slot, size_t *key_len, size_t *icv_len);

/* Per-SA crypto state: contexts keyed once at creation, only re-IVed per packet. */
typedef struct esp_keys {
	const esp_encr *e;
	uint16_t integ_id;
	size_t icv;               /* ICV length on the wire (AEAD tag or truncated HMAC) */
	uint8_t salt[4];
	EVP_CIPHER_CTX *cipher;   /* NULL for ENCR_NULL */
	EVP_MAC_CTX *mac;         /* HMAC for non-AEAD */
	EVP_CIPHER_CTX *ivgen;    /* outbound CBC: AES-128-ECB under a DRBG-drawn key, IV = E(counter) */
} esp_keys;

/* Keys the contexts; 0, or -1 with why set. enc = 1 for outbound. */
int esp_keys_init(const ike_crypto *c, esp_keys *k, const esp_sa_params *p, int enc, char *why, size_t cap);
void esp_keys_free(esp_keys *k);

/* Truncated HMAC over parts (NULL-terminated list of up to 4 slices) into out[icv]; 0 or -1. */
int esp_hmac(esp_keys *k, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t *out);

/* Builds the cipher IV/nonce input for one packet (CBC: IV; CTR: salt|IV|1; AEAD: salt|IV); its length. */
size_t esp_nonce(const esp_keys *k, const uint8_t *iv, uint8_t *nonce);

/* Runs the keyed context over data with fresh nonce: AEAD aad first, tag out (enc) or checked (dec). 0, -1, or
 * ESP_E_ICV as a positive value on tag mismatch. in and out may be equal. */
int esp_cipher_run(esp_keys *k, int enc, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
		   const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag);

struct esp_sa {
	uint32_t spi;
	uint8_t dir, mode;
	bool esn;
	bool has_test_iv;
	uint16_t tfc_pad;
	uint16_t encap_sport, encap_dport;
	esp_limits soft, hard;
	uint64_t seq;            /* outbound: last sequence number sent */
	esp_keys k;
	uint8_t test_iv[ESP_MAX_IV];
	esp_sa_stats st;
	esp_replay win;          /* inbound */
};

/* 1 if the hard packet or byte limit is reached: the SA may carry nothing more. */
static inline bool esp_hard_hit(const esp_sa_stats *st, const esp_limits *hard)
{
	return (hard->packets && st->packets >= hard->packets) || (hard->bytes && st->bytes >= hard->bytes);
}

/* Lifetime state from counters, limits and the sequence position (shared with AH). */
int esp_expiry_of(const esp_sa_stats *st, const esp_limits *soft, const esp_limits *hard, uint64_t seq, bool esn,
		  uint8_t dir);

#endif
