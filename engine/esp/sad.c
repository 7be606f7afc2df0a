/* SAD: open-addressing hash table keyed by (protocol, direction, SPI); owns the SAs it holds. */
#include <stdlib.h>

#include "esp/sad.h"

typedef struct sad_slot {
	uint32_t spi;
	uint8_t proto; /* 0 = empty, 255 = deleted, else ESP_IPPROTO_ESP / ESP_IPPROTO_AH */
	uint8_t dir;
	void *sa;
} sad_slot;

#define TOMB 255

struct esp_sad {
	sad_slot *slots;
	size_t cap, used, live; /* used counts tombstones too */
	uint64_t unknown_spi;
};

esp_sad *esp_sad_new(void)
{
	esp_sad *d = calloc(1, sizeof(*d));
	if (d && !(d->slots = calloc(16, sizeof(sad_slot)))) {
		free(d);
		return NULL;
	}
	if (d)
		d->cap = 16;
	return d;
}

static void free_sa(sad_slot *s)
{
	if (s->proto == ESP_IPPROTO_ESP)
		esp_sa_free(s->sa);
	else if (s->proto == ESP_IPPROTO_AH)
		ah_sa_free(s->sa);
}

void esp_sad_free(esp_sad *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->cap; i++)
		free_sa(&d->slots[i]);
	free(d->slots);
	free(d);
}

/* SPIs are chosen at random by peers, but a simulation may pick them densely: mix before masking. */
static size_t hash(uint8_t proto, uint8_t dir, uint32_t spi)
{
	uint64_t x = ((uint64_t)proto << 40 | (uint64_t)dir << 32 | spi) * 0x9e3779b97f4a7c15ull;
	return (size_t)(x >> 32);
}

static sad_slot *find(const esp_sad *d, uint8_t proto, uint8_t dir, uint32_t spi)
{
	for (size_t i = hash(proto, dir, spi) & (d->cap - 1), n = 0; n < d->cap; n++, i = (i + 1) & (d->cap - 1)) {
		sad_slot *s = &d->slots[i];
		if (!s->proto)
			return NULL;
		if (s->proto == proto && s->dir == dir && s->spi == spi)
			return s;
	}
	return NULL;
}

static int grow(esp_sad *d)
{
	size_t ncap = d->live * 4 > d->cap ? d->cap * 2 : d->cap; /* only tombstones: rehash in place */
	sad_slot *ns = calloc(ncap, sizeof(sad_slot));
	if (!ns)
		return -1;
	for (size_t i = 0; i < d->cap; i++) {
		sad_slot *s = &d->slots[i];
		if (!s->proto || s->proto == TOMB)
			continue;
		size_t j = hash(s->proto, s->dir, s->spi) & (ncap - 1);
		while (ns[j].proto)
			j = (j + 1) & (ncap - 1);
		ns[j] = *s;
	}
	free(d->slots);
	d->slots = ns;
	d->cap = ncap;
	d->used = d->live;
	return 0;
}

static esp_status add(esp_sad *d, uint8_t proto, uint8_t dir, uint32_t spi, void *sa)
{
	/* RFC 4303 2.1 / RFC 4302 2.4: SPI 0 is local-only and 1..255 are reserved; never on the wire. */
	if (!d || !sa || spi < 256 || find(d, proto, dir, spi))
		return ESP_E_ARG;
	if ((d->used + 1) * 4 > d->cap * 3 && grow(d))
		return ESP_E_ARG;
	size_t i = hash(proto, dir, spi) & (d->cap - 1);
	while (d->slots[i].proto && d->slots[i].proto != TOMB)
		i = (i + 1) & (d->cap - 1);
	if (!d->slots[i].proto)
		d->used++;
	d->slots[i] = (sad_slot){ spi, proto, dir, sa };
	d->live++;
	return ESP_OK;
}

esp_status esp_sad_add(esp_sad *d, esp_sa *sa)
{
	return sa ? add(d, ESP_IPPROTO_ESP, esp_sa_dir(sa), esp_sa_spi(sa), sa) : ESP_E_ARG;
}

esp_status esp_sad_add_ah(esp_sad *d, ah_sa *sa)
{
	return sa ? add(d, ESP_IPPROTO_AH, ah_sa_dir(sa), ah_sa_spi(sa), sa) : ESP_E_ARG;
}

esp_sa *esp_sad_find(const esp_sad *d, uint8_t dir, uint32_t spi)
{
	sad_slot *s = d ? find(d, ESP_IPPROTO_ESP, dir, spi) : NULL;
	return s ? s->sa : NULL;
}

ah_sa *esp_sad_find_ah(const esp_sad *d, uint8_t dir, uint32_t spi)
{
	sad_slot *s = d ? find(d, ESP_IPPROTO_AH, dir, spi) : NULL;
	return s ? s->sa : NULL;
}

static int del(esp_sad *d, uint8_t proto, uint8_t dir, uint32_t spi)
{
	sad_slot *s = d ? find(d, proto, dir, spi) : NULL;
	if (!s)
		return -1;
	free_sa(s);
	*s = (sad_slot){ 0, TOMB, 0, NULL };
	d->live--;
	return 0;
}

int esp_sad_del(esp_sad *d, uint8_t dir, uint32_t spi) { return del(d, ESP_IPPROTO_ESP, dir, spi); }
int esp_sad_del_ah(esp_sad *d, uint8_t dir, uint32_t spi) { return del(d, ESP_IPPROTO_AH, dir, spi); }
size_t esp_sad_count(const esp_sad *d) { return d ? d->live : 0; }
uint64_t esp_sad_unknown_spi(const esp_sad *d) { return d ? d->unknown_spi : 0; }

esp_status esp_sad_decap(esp_sad *d, const uint8_t *in, size_t len, uint8_t *out, size_t cap, esp_rx *rx,
			 esp_sa **sa_out)
{
	if (sa_out)
		*sa_out = NULL;
	if (!d || !in)
		return ESP_E_ARG;
	if (len < ESP_HDR_LEN)
		return ESP_E_SHORT;
	esp_sa *sa = esp_sad_find(d, ESP_DIR_IN, esp_packet_spi(in, len));
	if (!sa) {
		d->unknown_spi++;
		return ESP_E_NO_SA;
	}
	if (sa_out)
		*sa_out = sa;
	return esp_decap(sa, in, len, out, cap, rx);
}
