/* ESP input processing in RFC 4303 3.4 order: SPI, sequence (replay), ICV, decrypt, padding, next header. */
#include <string.h>

#include <openssl/crypto.h>

#include "common/buf.h"
#include "esp/esp_int.h"
#include "esp/ip.h"

static esp_status drop(esp_sa *sa, esp_status st)
{
	sa->st.drops[st]++;
	return st;
}

/* Non-AEAD ICV check (3.4.4.1): over SPI..ciphertext, then the ESN high half; constant-time compare. */
static esp_status check_icv(esp_sa *sa, const uint8_t *in, size_t auth_len, uint64_t seq)
{
	uint8_t hi[4], mine[ESP_MAX_ICV];
	ike_put_u32(hi, (uint32_t)(seq >> 32));
	if (esp_hmac(&sa->k, in, auth_len, hi, sa->esn ? 4 : 0, mine))
		return ESP_E_CRYPTO;
	return CRYPTO_memcmp(mine, in + auth_len, sa->k.icv) ? ESP_E_ICV : ESP_OK;
}

/* Trailer checks on the decrypted payload: pad length, padding bytes 1, 2, 3, ... (RFC 4303 2.4). */
static esp_status check_trailer(const uint8_t *pt, size_t ptlen, size_t *body)
{
	size_t pad = pt[ptlen - 2];
	if (pad + 2 > ptlen)
		return ESP_E_PAD;
	*body = ptlen - 2 - pad;
	for (size_t i = 0; i < pad; i++)
		if (pt[*body + i] != (uint8_t)(i + 1))
			return ESP_E_PAD;
	return ESP_OK;
}

/* Tunnel mode: the inner packet must be IPv4/IPv6 as announced; TFC padding after it is cut off. */
static esp_status inner_len(const uint8_t *pt, size_t body, uint8_t nh, size_t *len)
{
	esp_ip ip;
	if ((nh != ESP_IPPROTO_IPV4 && nh != ESP_IPPROTO_IPV6) || esp_ip_parse(pt, body, &ip) != ESP_OK ||
	    ip.family != (nh == ESP_IPPROTO_IPV4 ? 4 : 6))
		return ESP_E_NEXT_HDR;
	*len = ip.total_len;
	return ESP_OK;
}

/* Decrypts (or, AEAD, verifies and decrypts) the payload into out. */
static esp_status open_payload(esp_sa *sa, const uint8_t *in, size_t hdr, size_t ctlen, uint64_t seq, uint8_t *out)
{
	const esp_encr *e = sa->k.e;
	uint8_t aad[12], tag[ESP_MAX_ICV];
	size_t aad_len = 8;
	memcpy(aad, in, 4);
	if (sa->esn) {
		ike_put_u64(aad + 4, seq);
		aad_len = 12;
	} else {
		memcpy(aad + 4, in + 4, 4);
	}
	if (e->icv_bytes)
		memcpy(tag, in + hdr + ctlen, e->icv_bytes);
	int rc = esp_cipher_run(&sa->k, 0, in + ESP_HDR_LEN, aad, aad_len, in + hdr, out, ctlen, tag);
	return rc == ESP_E_ICV ? ESP_E_ICV : rc ? ESP_E_CRYPTO : ESP_OK;
}

esp_status esp_decap(esp_sa *sa, const uint8_t *in, size_t len, uint8_t *out, size_t cap, esp_rx *rx)
{
	if (!sa || !in || !out || !rx || sa->dir != ESP_DIR_IN)
		return ESP_E_ARG;
	const esp_encr *e = sa->k.e;
	size_t hdr = ESP_HDR_LEN + e->iv_bytes, icv = sa->k.icv;
	/* 3.4.2: at least SPI | seq | IV | pad length | next header | ICV; CBC needs whole blocks. */
	if (len < hdr + 2 + icv || (e->kind == ESP_C_CBC && (len - hdr - icv) % 16))
		return drop(sa, ESP_E_SHORT);
	if (ike_get_u32(in) != sa->spi)
		return drop(sa, ESP_E_NO_SA);
	if (esp_hard_hit(&sa->st, &sa->hard))
		return drop(sa, ESP_E_LIFETIME);
	size_t ctlen = len - hdr - icv;
	if (cap < ctlen)
		return drop(sa, ESP_E_SPACE);
	/* 3.4.3: the replay check comes before the ICV, so a flood of replays costs no crypto. */
	uint64_t seq = esp_replay_infer(&sa->win, ike_get_u32(in + 4));
	esp_status st = esp_replay_check(&sa->win, seq);
	if (st != ESP_OK)
		return drop(sa, st);
	if (sa->k.mac && (st = check_icv(sa, in, hdr + ctlen, seq)) != ESP_OK)
		return drop(sa, st);
	if ((st = open_payload(sa, in, hdr, ctlen, seq, out)) != ESP_OK)
		return drop(sa, st);
	/* 3.4.3: the packet is authentic, so the window moves, even if what it carries is then refused. */
	esp_replay_update(&sa->win, seq);
	if (seq > sa->st.seq)
		sa->st.seq = seq;
	size_t body = 0, ilen = 0;
	uint8_t nh = out[ctlen - 1];
	if ((st = check_trailer(out, ctlen, &body)) != ESP_OK)
		return drop(sa, st);
	if (nh == ESP_IPPROTO_NONE)
		return drop(sa, ESP_DUMMY);
	ilen = body;
	if (sa->mode == ESP_MODE_TUNNEL && (st = inner_len(out, body, nh, &ilen)) != ESP_OK)
		return drop(sa, st);
	sa->st.packets++;
	sa->st.bytes += ilen;
	rx->len = ilen;
	rx->next_hdr = nh;
	rx->seq = seq;
	return ESP_OK;
}
