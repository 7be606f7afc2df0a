/* AH (RFC 4302): an HMAC over the IP packet with mutable fields zeroed (3.3.3.1), tunnel and transport mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/buf.h"
#include "esp/ah.h"
#include "esp/esp_int.h"

#define AH_FIXED 12 /* next header, payload length, reserved, SPI, sequence number */

struct ah_sa {
	uint32_t spi;
	uint8_t dir, mode;
	bool esn;
	size_t icv;
	EVP_MAC_CTX *mac;
	uint64_t seq;
	esp_limits soft, hard;
	esp_sa_stats st;
	esp_replay win;
};

static ah_sa *refuse(ah_sa *sa, char *why, size_t cap, const char *msg)
{
	if (why && cap)
		snprintf(why, cap, "%s", msg);
	ah_sa_free(sa);
	return NULL;
}

ah_sa *ah_sa_new(const ike_crypto *c, const esp_sa_params *p, char *why, size_t cap)
{
	int slot;
	size_t kl, icv;
	if (!c || !p || p->dir > ESP_DIR_IN || p->mode > ESP_MODE_TRANSPORT)
		return refuse(NULL, why, cap, "no crypto context/parameters, or dir/mode out of range");
	if (p->encr_id || p->encr_key_len)
		return refuse(NULL, why, cap, "encr_id: AH has no encryption transform");
	if (!esp_integ_info(p->integ_id, &slot, &kl, &icv) || !p->integ_key || p->integ_key_len != kl)
		return refuse(NULL, why, cap, "integ_id/integ_key: AH needs HMAC-SHA1-96/SHA2 and a key of its length");
	if (p->replay_window > ESP_REPLAY_WINDOW_MAX || (!p->esn && p->test_seq > UINT32_MAX))
		return refuse(NULL, why, cap, "replay_window/test_seq: out of range");
	size_t words = esp_replay_words(p->replay_window);
	ah_sa *sa = calloc(1, sizeof(*sa) + words * sizeof(uint64_t));
	if (!sa)
		return refuse(NULL, why, cap, "out of memory");
	*sa = (ah_sa){ .spi = p->spi, .dir = p->dir, .mode = p->mode, .esn = p->esn != 0, .icv = icv,
		       .seq = p->test_seq ? p->test_seq - 1 : 0, .soft = p->soft, .hard = p->hard };
	sa->mac = EVP_MAC_CTX_dup(c->hmac_tmpl[slot]);
	if (!sa->mac || !EVP_MAC_init(sa->mac, p->integ_key, kl, NULL))
		return refuse(sa, why, cap, "OpenSSL: cannot key the HMAC");
	esp_replay_init(&sa->win, (uint64_t *)(sa + 1), p->replay_window, sa->esn, p->test_seq ? p->test_seq : 1);
	sa->st.seq = sa->dir == ESP_DIR_OUT ? sa->seq : sa->win.top;
	return sa;
}

void ah_sa_free(ah_sa *sa)
{
	if (!sa)
		return;
	EVP_MAC_CTX_free(sa->mac);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

uint32_t ah_sa_spi(const ah_sa *sa) { return sa->spi; }
uint8_t ah_sa_dir(const ah_sa *sa) { return sa->dir; }
const esp_sa_stats *ah_sa_stats_of(const ah_sa *sa) { return &sa->st; }

int ah_sa_expiry(const ah_sa *sa)
{
	return esp_expiry_of(&sa->st, &sa->soft, &sa->hard, sa->dir == ESP_DIR_OUT ? sa->seq : sa->win.top, sa->esn,
			     sa->dir);
}

int ah_sa_expiry_cause(const ah_sa *sa)
{
	/* as esp_sa_expiry_cause: hard before soft, packets before bytes, else the sequence space */
	const esp_limits *lv[2] = { &sa->hard, &sa->soft };
	for (int i = 0; i < 2; i++) {
		if (lv[i]->packets && sa->st.packets >= lv[i]->packets)
			return ESP_LIMIT_PACKETS;
		if (lv[i]->bytes && sa->st.bytes >= lv[i]->bytes)
			return ESP_LIMIT_BYTES;
	}
	return ah_sa_expiry(sa) != ESP_EXPIRY_NONE ? ESP_LIMIT_SEQ : ESP_LIMIT_NONE;
}

size_t ah_hdr_len(const ah_sa *sa, uint8_t family)
{
	size_t align = family == 6 ? 8 : 4; /* RFC 4302 2.2: 32-bit (IPv4) / 64-bit (IPv6) multiple */
	return (AH_FIXED + sa->icv + align - 1) / align * align;
}

uint32_t ah_packet_spi(const uint8_t *in, size_t len)
{
	esp_ip ip;
	if (esp_ip_parse(in, len, &ip) != ESP_OK || ip.proto != ESP_IPPROTO_AH || ip.total_len < ip.hdr_len + 8u)
		return 0;
	return ike_get_u32(in + ip.hdr_len + 4);
}

/* The IP header as the ICV sees it: TOS, flags/fragment, TTL, checksum (IPv4) or class, flow, hop limit zeroed. */
static void mute_header(uint8_t *h, uint8_t family)
{
	if (family == 4) {
		h[1] = 0;
		memset(h + 6, 0, 3);
		memset(h + 10, 0, 2);
	} else {
		h[0] &= 0xf0;
		memset(h + 1, 0, 3);
		h[7] = 0;
	}
}

/* ICV = HMAC(muted IP header | AH with zero ICV | payload [| ESN high half]) (RFC 4302 3.3.3). */
static int compute_icv(ah_sa *sa, const uint8_t *pkt, size_t iphl, size_t ahl, size_t total, uint64_t seq,
		       uint8_t family, uint8_t *out)
{
	uint8_t hdr[ESP_IPV6_HDR_LEN + AH_FIXED + ESP_MAX_ICV + 8], hi[4], full[64];
	size_t n = 0;
	memcpy(hdr, pkt, iphl + ahl);
	mute_header(hdr, family);
	memset(hdr + iphl + AH_FIXED, 0, ahl - AH_FIXED);
	ike_put_u32(hi, (uint32_t)(seq >> 32));
	int ok = EVP_MAC_init(sa->mac, NULL, 0, NULL) && EVP_MAC_update(sa->mac, hdr, iphl + ahl) &&
		 (total == iphl + ahl || EVP_MAC_update(sa->mac, pkt + iphl + ahl, total - iphl - ahl)) &&
		 (!sa->esn || EVP_MAC_update(sa->mac, hi, 4)) && EVP_MAC_final(sa->mac, full, &n, sizeof(full));
	if (ok)
		memcpy(out, full, sa->icv);
	return ok ? 0 : -1;
}

/* The new IP header: tunnel from the outer template, transport from the original packet (proto becomes AH). */
static esp_status new_header(const ah_sa *sa, const esp_ip *outer, const uint8_t *in, size_t len, esp_ip *h,
			     uint8_t *nh, size_t *payload_off)
{
	if (sa->mode == ESP_MODE_TUNNEL) {
		esp_ip inner;
		if (!outer || esp_ip_parse(in, len, &inner) != ESP_OK || inner.total_len != len)
			return ESP_E_ARG;
		*h = *outer;
		*nh = inner.family == 4 ? ESP_IPPROTO_IPV4 : ESP_IPPROTO_IPV6;
		*payload_off = 0;
		return ESP_OK;
	}
	/* Transport: IPv4 options would need per-option mutability rules; refused rather than mishandled. */
	if (esp_ip_parse(in, len, h) != ESP_OK || h->total_len != len || (h->family == 4 && h->hdr_len != 20))
		return ESP_E_ARG;
	*nh = h->proto;
	*payload_off = h->hdr_len;
	return ESP_OK;
}

esp_status ah_encap(ah_sa *sa, const esp_ip *outer, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
		    size_t *out_len)
{
	if (!sa || !in || !out || !out_len || sa->dir != ESP_DIR_OUT)
		return ESP_E_ARG;
	esp_ip h = { 0 };
	uint8_t nh = 0;
	size_t off = 0;
	esp_status st = new_header(sa, outer, in, len, &h, &nh, &off);
	if (st != ESP_OK)
		h.family = 4, off = 0; /* only to size nothing: the error is returned below */
	uint64_t last = sa->esn ? UINT64_MAX : UINT32_MAX;
	if (st == ESP_OK && esp_hard_hit(&sa->st, &sa->hard))
		st = ESP_E_LIFETIME;
	if (st == ESP_OK && sa->seq >= last)
		st = ESP_E_SEQ;
	size_t iphl = h.family == 4 ? ESP_IPV4_HDR_LEN : ESP_IPV6_HDR_LEN, ahl = ah_hdr_len(sa, h.family);
	size_t body = len - off, total = iphl + ahl + body;
	if (st == ESP_OK && (cap < total || total > 65535 + (h.family == 6 ? iphl : 0)))
		st = ESP_E_SPACE;
	if (st != ESP_OK) {
		sa->st.drops[st]++;
		return st;
	}
	uint64_t seq = sa->seq + 1;
	memmove(out + iphl + ahl, in + off, body); /* in may overlap out */
	h.proto = ESP_IPPROTO_AH;
	if (!esp_ip_build(&h, ahl + body, out, cap))
		return ESP_E_SPACE;
	uint8_t *ah = out + iphl;
	ah[0] = nh;
	ah[1] = (uint8_t)(ahl / 4 - 2); /* RFC 4302 2.2: length in 32-bit words, minus 2 */
	ah[2] = ah[3] = 0;
	ike_put_u32(ah + 4, sa->spi);
	ike_put_u32(ah + 8, (uint32_t)seq);
	memset(ah + AH_FIXED, 0, ahl - AH_FIXED);
	if (compute_icv(sa, out, iphl, ahl, total, seq, h.family, ah + AH_FIXED)) {
		sa->st.drops[ESP_E_CRYPTO]++;
		return ESP_E_CRYPTO;
	}
	sa->seq = sa->st.seq = seq;
	sa->st.packets++;
	sa->st.bytes += len;
	*out_len = total;
	return ESP_OK;
}

static esp_status ah_drop(ah_sa *sa, esp_status st)
{
	sa->st.drops[st]++;
	return st;
}

/* Hands the protected content to the caller: tunnel checks the inner IP packet, transport the payload. */
static esp_status deliver(ah_sa *sa, const uint8_t *p, size_t n, uint8_t nh, uint8_t *out, size_t cap, esp_rx *rx)
{
	size_t len = n;
	if (sa->mode == ESP_MODE_TUNNEL) {
		esp_ip inner;
		if ((nh != ESP_IPPROTO_IPV4 && nh != ESP_IPPROTO_IPV6) || esp_ip_parse(p, n, &inner) != ESP_OK ||
		    inner.family != (nh == ESP_IPPROTO_IPV4 ? 4 : 6))
			return ESP_E_NEXT_HDR;
		len = inner.total_len;
	}
	if (cap < len)
		return ESP_E_SPACE;
	memmove(out, p, len);
	rx->len = len;
	rx->next_hdr = nh;
	return ESP_OK;
}

esp_status ah_decap(ah_sa *sa, const uint8_t *in, size_t len, uint8_t *out, size_t cap, esp_rx *rx)
{
	if (!sa || !in || !out || !rx || sa->dir != ESP_DIR_IN)
		return ESP_E_ARG;
	esp_ip h;
	if (esp_ip_parse(in, len, &h) != ESP_OK || h.proto != ESP_IPPROTO_AH || (h.family == 4 && h.hdr_len != 20))
		return ah_drop(sa, ESP_E_SHORT);
	size_t iphl = h.hdr_len, ahl = ah_hdr_len(sa, h.family), total = h.total_len;
	if (total < iphl + ahl || (size_t)(in[iphl + 1] + 2) * 4 != ahl)
		return ah_drop(sa, ESP_E_SHORT);
	if (ike_get_u32(in + iphl + 4) != sa->spi)
		return ah_drop(sa, ESP_E_NO_SA);
	if (esp_hard_hit(&sa->st, &sa->hard))
		return ah_drop(sa, ESP_E_LIFETIME);
	/* RFC 4302 3.4.3 before 3.4.4: replay check, then ICV, then the window moves. */
	uint64_t seq = esp_replay_infer(&sa->win, ike_get_u32(in + iphl + 8));
	esp_status st = esp_replay_check(&sa->win, seq);
	if (st != ESP_OK)
		return ah_drop(sa, st);
	uint8_t mine[ESP_MAX_ICV];
	if (compute_icv(sa, in, iphl, ahl, total, seq, h.family, mine))
		return ah_drop(sa, ESP_E_CRYPTO);
	if (CRYPTO_memcmp(mine, in + iphl + AH_FIXED, sa->icv))
		return ah_drop(sa, ESP_E_ICV);
	esp_replay_update(&sa->win, seq);
	if (seq > sa->st.seq)
		sa->st.seq = seq;
	st = deliver(sa, in + iphl + ahl, total - iphl - ahl, in[iphl], out, cap, rx);
	if (st != ESP_OK)
		return ah_drop(sa, st);
	rx->seq = seq;
	sa->st.packets++;
	sa->st.bytes += rx->len;
	return ESP_OK;
}
