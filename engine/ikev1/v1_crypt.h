/*
 * IKEv1 message protection (RFC 2409 App. B): the cipher of an ISAKMP SA and the running CBC IV of each
 * exchange. Phase 1 (M-ID 0) has one v1_iv; every Quick Mode / Informational / Transaction M-ID gets its own,
 * derived from the IV phase 1 ended with. The state machines own these structs; nothing here is global.
 */
#ifndef IKE_IKEV1_V1_CRYPT_H
#define IKE_IKEV1_V1_CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cbc_v1.h"
#include "crypto/kdf_v1.h"
#include "wire/v1.h"

#define V1_MAX_BLOCK 16
#define V1_MAX_KEY 32

/* The negotiated cipher with its key (from SKEYID_e, expanded if short). Wipe with v1_cipher_wipe. */
typedef struct v1_cipher {
	uint16_t encr;  /* IKE_V1_ENCR_3DES / IKE_V1_ENCR_AES_CBC */
	uint16_t hash;  /* IKE_V1_* hash: derives the IVs */
	uint8_t key_len;
	uint8_t block;
	uint8_t key[V1_MAX_KEY];
} v1_cipher;

/* Running IV of one exchange: the IV the next message of this M-ID is encrypted/decrypted with. */
typedef struct v1_iv {
	uint32_t msg_id;
	uint8_t len; /* block size; 0 = not set */
	uint8_t iv[V1_MAX_BLOCK];
} v1_iv;

/* Key for encr with Key Length key_bits (0 = absent) from k (ike_v1_enc_key). 0 or -IKE_CRYPTO_*. */
int v1_cipher_init(const ike_crypto *c, const ike_v1_keys *k, uint16_t encr, uint16_t key_bits, v1_cipher *out);
void v1_cipher_wipe(v1_cipher *ci);

/* Phase 1 IV: HASH(g^xi | g^xr)[:block], M-ID 0. */
int v1_iv_phase1(const ike_crypto *c, const v1_cipher *ci, const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr,
		 size_t gxr_len, v1_iv *out);
/* First IV of exchange msg_id: HASH(p1_final->iv | M-ID)[:block]. p1_final is the phase 1 IV state after the
 * last phase 1 message (its last ciphertext block): keep a copy of it when phase 1 completes. */
int v1_iv_phase2(const ike_crypto *c, const v1_cipher *ci, const v1_iv *p1_final, uint32_t msg_id, v1_iv *out);

/* Bytes a sealed message takes for a plaintext message of len bytes (header + payloads): padded to the block. */
size_t v1_sealed_len(const v1_cipher *ci, size_t len);

/*
 * Encrypts in place. msg[0..len) is a built message (header + plaintext payloads, e.g. v1_begin..v1_finish);
 * pads the payloads with zero bytes to the block (RFC 2409 App. B; none when already aligned), sets the E flag
 * and the header Length, encrypts with iv and advances iv to the last ciphertext block. cap is msg's size;
 * *out_len the sealed length. 0 or -IKE_CRYPTO_*; iv is unchanged on failure.
 */
int v1_seal(const ike_crypto *c, const v1_cipher *ci, v1_iv *iv, uint8_t *msg, size_t len, size_t cap,
	    size_t *out_len);

/*
 * Decrypts msg (a whole message with the E flag, header Length = len) into pt (the payloads, padding
 * included: parse them with v1_parse_chain(..., trailing_ok = true)). The body must be a non-empty multiple of
 * the block. *next receives the IV after this message: commit it (iv = *next) only once the message proved
 * not to be a retransmission and advanced the state (RFC 2409 10). 0 or -IKE_CRYPTO_EINVAL.
 */
int v1_open(const ike_crypto *c, const v1_cipher *ci, const v1_iv *iv, const uint8_t *msg, size_t len, uint8_t *pt,
	    size_t cap, size_t *pt_len, v1_iv *next);

/*
 * One row of Wireshark's ikev1_decryption_table: "<initiator cookie, 16 hex digits>,<Ka hex>" with Ka exactly
 * the cipher's key length (tshark needs that). Returns the length written (NUL-terminated), 0 if cap is short.
 */
size_t v1_ws_key_line(uint64_t cky_i, const v1_cipher *ci, char *out, size_t cap);

#endif
