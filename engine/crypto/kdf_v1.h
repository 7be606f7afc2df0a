/* IKEv1 key derivation (RFC 2409 5, 5.5, Appendix B): SKEYID*, HASH_I/R, Quick Mode hashes, KEYMAT, IVs. */
#ifndef IKE_CRYPTO_KDF_V1_H
#define IKE_CRYPTO_KDF_V1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "crypto/crypto.h"

/* Hash algorithm ids: the phase 1 Hash Algorithm attribute values (RFC 2409 App. A, RFC 4868). */
enum ike_v1_hash_id {
	IKE_V1_MD5 = 1,
	IKE_V1_SHA1 = 2,
	IKE_V1_SHA2_256 = 4,
	IKE_V1_SHA2_384 = 5,
	IKE_V1_SHA2_512 = 6,
};
#define IKE_V1_MAX_HASH 64

/* Output length of the hash (and of its HMAC, the PRF), 0 if unknown. */
size_t ike_v1_hash_len(uint16_t hash);

/* out = HASH(data...) with the negotiated hash (not HMAC): IVs. */
int ike_v1_hash(const ike_crypto *c, uint16_t hash, const ike_iov *data, size_t ndata, uint8_t *out);

/* out = prf(key, data...), prf = HMAC-<hash> (no PRF attribute is ever negotiated in practice). */
int ike_v1_prf(const ike_crypto *c, uint16_t hash, const uint8_t *key, size_t key_len, const ike_iov *data,
	       size_t ndata, uint8_t *out);

/* SKEYID = prf(pre-shared-key, Ni_b | Nr_b). */
int ike_v1_skeyid_psk(const ike_crypto *c, uint16_t hash, const uint8_t *psk, size_t psk_len, const uint8_t *ni,
		      size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out);
/* SKEYID = prf(Ni_b | Nr_b, g^xy) (signatures). */
int ike_v1_skeyid_sig(const ike_crypto *c, uint16_t hash, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		      size_t nr_len, const uint8_t *gxy, size_t gxy_len, uint8_t *out);

/* The ISAKMP SA's keying state after phase 1 key derivation. Wipe with ike_v1_keys_wipe. */
typedef struct ike_v1_keys {
	uint16_t hash;
	uint8_t len; /* hash output length: every SKEYID* below has it */
	uint8_t skeyid[IKE_V1_MAX_HASH];
	uint8_t skeyid_d[IKE_V1_MAX_HASH];
	uint8_t skeyid_a[IKE_V1_MAX_HASH];
	uint8_t skeyid_e[IKE_V1_MAX_HASH];
} ike_v1_keys;

/*
 * From SKEYID (in k->skeyid, k->hash set): SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0),
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1), SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2).
 */
int ike_v1_skeyids(const ike_crypto *c, ike_v1_keys *k, const uint8_t *gxy, size_t gxy_len, uint64_t cky_i,
		   uint64_t cky_r);
void ike_v1_keys_wipe(ike_v1_keys *k);

/* The cipher key (App. B): the first out_len bytes of SKEYID_e, or of K1|K2|... with K1 = prf(SKEYID_e, 0x00),
 * Ki+1 = prf(SKEYID_e, Ki) when SKEYID_e is shorter than out_len. */
int ike_v1_enc_key(const ike_crypto *c, const ike_v1_keys *k, uint8_t *out, size_t out_len);

/*
 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b);
 * HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b). SAi_b is the initiator's SA body
 * (no generic header), id_b the sender's ID body. responder selects HASH_R.
 */
int ike_v1_hash_auth(const ike_crypto *c, const ike_v1_keys *k, bool responder, const uint8_t *gxi,
		     size_t gxi_len, const uint8_t *gxr, size_t gxr_len, uint64_t cky_i, uint64_t cky_r,
		     const uint8_t *sai_b, size_t sai_len, const uint8_t *id_b, size_t id_len, uint8_t *out);

/* HASH(1) of Quick Mode and of Informational/Transaction (5.5, 5.7): prf(SKEYID_a, M-ID | rest), rest being
 * the message after the HASH payload (payload headers included, encryption padding excluded). */
int ike_v1_hash1(const ike_crypto *c, const ike_v1_keys *k, uint32_t msg_id, const uint8_t *rest, size_t rest_len,
		 uint8_t *out);
/* HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest). */
int ike_v1_hash2(const ike_crypto *c, const ike_v1_keys *k, uint32_t msg_id, const uint8_t *ni_b, size_t ni_len,
		 const uint8_t *rest, size_t rest_len, uint8_t *out);
/* HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b). */
int ike_v1_hash3(const ike_crypto *c, const ike_v1_keys *k, uint32_t msg_id, const uint8_t *ni_b, size_t ni_len,
		 const uint8_t *nr_b, size_t nr_len, uint8_t *out);

/*
 * KEYMAT for one SA of one direction (5.5): K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
 * Ki+1 = prf(SKEYID_d, Ki | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b); out_len bytes of K1|K2|...
 * gqm NULL: no PFS. spi is the SPI the receiving side chose (network order in the hash).
 */
int ike_v1_keymat(const ike_crypto *c, const ike_v1_keys *k, const uint8_t *gqm, size_t gqm_len, uint8_t protocol,
		  uint32_t spi, const uint8_t *ni_b, size_t ni_len, const uint8_t *nr_b, size_t nr_len, uint8_t *out,
		  size_t out_len);

/* Phase 1 IV (App. B): HASH(g^xi | g^xr) truncated to block bytes (<= the hash length). */
int ike_v1_iv_phase1(const ike_crypto *c, uint16_t hash, const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr,
		     size_t gxr_len, size_t block, uint8_t *out);
/* First IV of a Quick Mode / Informational exchange: HASH(last phase 1 CBC block | M-ID)[:block]. */
int ike_v1_iv_phase2(const ike_crypto *c, uint16_t hash, const uint8_t *p1_last, size_t block, uint32_t msg_id,
		     uint8_t *out);

/* NAT-D payload data (RFC 3947 3.2): HASH(CKY-I | CKY-R | IP | Port), negotiated hash, addr 4 or 16 bytes. */
int ike_v1_natd(const ike_crypto *c, uint16_t hash, uint64_t cky_i, uint64_t cky_r, const uint8_t *addr,
		size_t addr_len, uint16_t port, uint8_t *out);

#endif
