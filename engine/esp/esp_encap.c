/* ESP output processing (RFC 4303 3.3): sequence number, IV, padding, encryption, ICV. */
#include <string.h>

#include "common/buf.h"
#include "esp/esp_int.h"
#include "esp/ip.h"

/* The next sequence number, or ESP_E_SEQ if the counter would cycle (RFC 4303 3.3.3). */
static esp_status next_seq(esp_sa *sa, uint64_t *seq)
{
	uint64_t last = sa->esn ? UINT64_MAX : UINT32_MAX;
	if (sa->seq >= last)
		return ESP_E_SEQ;
	*seq = sa->seq + 1;
	return ESP_OK;
}

/* Counter-based IVs for CTR/GCM/GMAC/ChaCha20 (unique per key, RFC 4106 3.1); CBC: E(K_iv, seq) (unpredictable). */
static int make_iv(esp_sa *sa, uint64_t seq, uint8_t *iv)
{
	const esp_encr *e = sa->k.e;
	if (sa->has_test_iv) {
		memcpy(iv, sa->test_iv, e->iv_bytes);
		return 0;
	}
	if (e->kind != ESP_C_CBC) {
		if (e->iv_bytes)
			ike_put_u64(iv, seq);
		return 0;
	}
	uint8_t blk[16] = { 0 };
	int n = 0;
	ike_put_u64(blk, seq);
	return EVP_EncryptUpdate(sa->k.ivgen, iv, &n, blk, 16) && n == 16 ? 0 : -1;
}

/* Checks the inner packet and picks the next header: tunnel mode infers 4/41 from the IP version. */
static esp_status inner_next_hdr(const esp_sa *sa, uint8_t next_hdr, const uint8_t *in, size_t len, uint8_t *nh)
{
	*nh = next_hdr;
	if (sa->mode != ESP_MODE_TUNNEL || next_hdr == ESP_IPPROTO_NONE)
		return ESP_OK;
	/* A whole IP packet, exactly: the receiver trusts its length field to strip TFC padding. */
	esp_ip ip;
	if (esp_ip_parse(in, len, &ip) != ESP_OK || ip.total_len != len)
		return ESP_E_ARG;
	*nh = ip.family == 4 ? ESP_IPPROTO_IPV4 : ESP_IPPROTO_IPV6;
	return ESP_OK;
}

/* The ICV (non-AEAD): over SPI..end of ciphertext, then the ESN high half (RFC 4303 2.2.1, 3.3.2.1). */
static int seal_icv(esp_sa *sa, uint8_t *out, size_t auth_len, uint64_t seq)
{
	uint8_t hi[4];
	ike_put_u32(hi, (uint32_t)(seq >> 32));
	return esp_hmac(&sa->k, out, auth_len, hi, sa->esn ? 4 : 0, out + auth_len);
}

esp_status esp_encap(esp_sa *sa, uint8_t next_hdr, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
		     size_t *out_len)
{
	if (!sa || !out || !out_len || (!in && len) || sa->dir != ESP_DIR_OUT)
		return ESP_E_ARG;
	uint8_t nh;
	esp_status st = inner_next_hdr(sa, next_hdr, in, len, &nh);
	uint64_t seq = 0;
	if (st == ESP_OK && esp_hard_hit(&sa->st, &sa->hard))
		st = ESP_E_LIFETIME;
	if (st == ESP_OK)
		st = next_seq(sa, &seq);
	const esp_encr *e = sa->k.e;
	size_t body = nh != ESP_IPPROTO_NONE && len < sa->tfc_pad ? sa->tfc_pad : len;
	size_t ptlen = (body + 2 + e->align - 1) / e->align * e->align, hdr = ESP_HDR_LEN + e->iv_bytes;
	if (st == ESP_OK && (len > SIZE_MAX / 2 || cap < hdr + ptlen + sa->k.icv))
		st = ESP_E_SPACE;
	if (st != ESP_OK) {
		sa->st.drops[st]++;
		return st;
	}
	uint8_t *pt = out + hdr;
	if (len)
		memmove(pt, in, len); /* in may already sit at out + hdr */
	memset(pt + len, 0, body - len); /* TFC padding (RFC 4303 2.7) */
	size_t pad = ptlen - body - 2;
	for (size_t i = 0; i < pad; i++)
		pt[body + i] = (uint8_t)(i + 1); /* RFC 4303 2.4: 1, 2, 3, ... */
	pt[ptlen - 2] = (uint8_t)pad;
	pt[ptlen - 1] = nh;
	ike_put_u32(out, sa->spi);
	ike_put_u32(out + 4, (uint32_t)seq);
	if (make_iv(sa, seq, out + ESP_HDR_LEN))
		goto crypto;
	uint8_t aad[12];
	size_t aad_len = 8;
	ike_put_u32(aad, sa->spi);
	if (sa->esn) { /* RFC 4106 5, RFC 7634 2.1: SPI | ESN high | ESN low */
		ike_put_u64(aad + 4, seq);
		aad_len = 12;
	} else {
		ike_put_u32(aad + 4, (uint32_t)seq);
	}
	if (esp_cipher_run(&sa->k, 1, out + ESP_HDR_LEN, aad, aad_len, pt, pt, ptlen, pt + ptlen))
		goto crypto;
	if (sa->k.mac && seal_icv(sa, out, hdr + ptlen, seq))
		goto crypto;
	sa->seq = seq;
	sa->st.seq = seq;
	sa->st.packets++;
	sa->st.bytes += len;
	*out_len = hdr + ptlen + sa->k.icv;
	return ESP_OK;
crypto:
	sa->st.drops[ESP_E_CRYPTO]++;
	return ESP_E_CRYPTO;
}
