/* The esp_sa key table: copies of the CHILD SA keys the engine showed, merged per direction, written at the end. */
#include "esptab.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/registry.h"
#include "ws_names.h"

#define KEY_MAX 64 /* longest ESP encryption (36: AES-256 + salt) or integrity (64: HMAC-SHA2-512) key */

/* The identity of a direction: everything but the addresses and the order (memcmp-able, no padding holes). */
typedef struct et_id {
	uint32_t spi;
	uint16_t encr, encr_keylen, integ;
	uint8_t family, e_len, a_len;
	uint8_t ekey[KEY_MAX], akey[KEY_MAX];
} et_id;

typedef struct et_row {
	et_id id;
	size_t seq;
	uint8_t src[16], dst[16];
	bool src_any, dst_any;
} et_row;

struct sim_esptab {
	et_row *rows;
	size_t n, cap;
};

sim_esptab *sim_esptab_new(void) { return calloc(1, sizeof(sim_esptab)); }

void sim_esptab_free(sim_esptab *t)
{
	if (!t)
		return;
	OPENSSL_clear_free(t->rows, t->cap * sizeof(*t->rows));
	free(t);
}

static et_row *grow(sim_esptab *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		/* Grown by hand, not realloc, so the old block's keys are wiped before it is freed. */
		et_row *r = calloc(cap, sizeof(*r));
		if (!r)
			return NULL;
		if (t->n)
			memcpy(r, t->rows, t->n * sizeof(*r));
		OPENSSL_clear_free(t->rows, t->cap * sizeof(*t->rows));
		t->rows = r;
		t->cap = cap;
	}
	et_row *r = &t->rows[t->n];
	memset(r, 0, sizeof(*r));
	r->seq = t->n++;
	return r;
}

static int add_dir(sim_esptab *t, const ike_addr *src, const ike_addr *dst, uint32_t spi, const ike_child_keys *k,
		   const uint8_t *e, const uint8_t *a)
{
	et_row *r = grow(t);
	if (!r)
		return -1;
	/* Field by field into the zeroed row: padding stays zero, so memcmp of two ids is meaningful. */
	r->id.spi = spi;
	r->id.encr = k->encr;
	r->id.encr_keylen = k->encr_keylen;
	r->id.integ = k->integ;
	r->id.family = src->family;
	r->id.e_len = (uint8_t)k->e_len;
	r->id.a_len = (uint8_t)k->a_len;
	if (k->e_len)
		memcpy(r->id.ekey, e, k->e_len);
	if (k->a_len)
		memcpy(r->id.akey, a, k->a_len);
	memcpy(r->src, src->ip, 16);
	memcpy(r->dst, dst->ip, 16);
	return 0;
}

int sim_esptab_add(sim_esptab *t, const ike_addr *local, const ike_addr *remote, const ike_child_keys *k)
{
	if (k->protocol == IKE_PROTO_AH)
		return 0; /* esp_sa is ESP's table: Wireshark shows AH without keys (it encrypts nothing) */
	if (k->e_len > KEY_MAX || k->a_len > KEY_MAX || (k->e_len && (!k->ei || !k->er)) ||
	    (k->a_len && (!k->ai || !k->ar)) || local->family != remote->family)
		return -1;
	/* RFC 7296 2.17: ei/ai protect what the exchange's initiator sends. */
	const uint8_t *oe = k->initiator ? k->ei : k->er, *oa = k->initiator ? k->ai : k->ar;
	const uint8_t *ie = k->initiator ? k->er : k->ei, *ia = k->initiator ? k->ar : k->ai;
	if (add_dir(t, local, remote, k->spi_out, k, oe, oa) != 0 || add_dir(t, remote, local, k->spi_in, k, ie, ia) != 0)
		return -1;
	return 0;
}

static void put_key(FILE *f, const uint8_t *b, size_t len)
{
	fputc('"', f);
	if (len) /* "0x" + hex: without the prefix Wireshark reads the key as ASCII */
		fputs("0x", f);
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", b[i]);
	fputc('"', f);
}

static void put_addr(FILE *f, uint8_t family, const uint8_t *ip, bool any)
{
	char s[INET6_ADDRSTRLEN] = "*";
	if (!any && !inet_ntop(family == 4 ? AF_INET : AF_INET6, ip, s, sizeof(s)))
		strcpy(s, "*");
	fprintf(f, "\"%s\",", s);
}

int sim_esptab_line(FILE *f, const sim_esp_dir *d, int *unchecked)
{
	bool checked = false;
	const char *encr = sim_ws_esp_encr(d->encr);
	const char *integ = sim_ws_esp_integ(d->integ, &checked);
	*unchecked = 0;
	if (!encr || !integ || (d->family != 4 && d->family != 6)) {
		fprintf(f, "# 0x%08x: Wireshark 4.0 cannot decrypt ESP with %s/%s\n", (unsigned)d->spi,
			ike_transform_name(IKE_TT_ENCR, d->encr, d->encr_keylen),
			d->integ ? ike_transform_name(IKE_TT_INTEG, d->integ, 0) : "no integrity");
		return 0;
	}
	*unchecked = !checked;
	fprintf(f, "\"%s\",", d->family == 4 ? "IPv4" : "IPv6");
	put_addr(f, d->family, d->src, d->src_any);
	put_addr(f, d->family, d->dst, d->dst_any);
	fprintf(f, "\"0x%08x\",\"%s\",", (unsigned)d->spi, encr);
	put_key(f, d->ekey, d->e_len);
	fprintf(f, ",\"%s\",", integ);
	put_key(f, d->akey, checked ? d->a_len : 0); /* a "no checking" entry needs no key */
	fputc('\n', f);
	return 1;
}

static int by_id_then_seq(const void *a, const void *b)
{
	const et_row *x = a, *y = b;
	int c = memcmp(&x->id, &y->id, sizeof(x->id));
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_seq(const void *a, const void *b)
{
	const et_row *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Merges reports of the same direction (same SPI, algorithms and keys); differing addresses become "*". */
static size_t merge(et_row *rows, size_t n)
{
	size_t m = 0;
	qsort(rows, n, sizeof(*rows), by_id_then_seq);
	for (size_t i = 0; i < n; i++) {
		et_row *last = m ? &rows[m - 1] : NULL;
		if (last && memcmp(&last->id, &rows[i].id, sizeof(last->id)) == 0) {
			last->src_any |= memcmp(last->src, rows[i].src, 16) != 0;
			last->dst_any |= memcmp(last->dst, rows[i].dst, 16) != 0;
			continue;
		}
		rows[m++] = rows[i];
	}
	qsort(rows, m, sizeof(*rows), by_seq);
	return m;
}

int sim_esptab_write(const sim_esptab *t, FILE *f, sim_esptab_stats *st)
{
	memset(st, 0, sizeof(*st));
	et_row *rows = t->n ? malloc(t->n * sizeof(*rows)) : NULL;
	if (t->n && !rows)
		return -1;
	size_t n = 0;
	if (t->n) {
		memcpy(rows, t->rows, t->n * sizeof(*rows));
		n = merge(rows, t->n);
	}
	fprintf(f, "# Wireshark esp_sa written by ikesim: SECRET KEYS, teaching use only.\n"
		   "# Needs the ESP preference enable_encryption_decode (docs/pcap.md).\n");
	for (size_t i = 0; i < n; i++) {
		const et_row *r = &rows[i];
		sim_esp_dir d = { .family = r->id.family, .src_any = r->src_any, .dst_any = r->dst_any, .spi = r->id.spi,
				  .encr = r->id.encr, .encr_keylen = r->id.encr_keylen, .integ = r->id.integ,
				  .ekey = r->id.ekey, .akey = r->id.akey, .e_len = r->id.e_len, .a_len = r->id.a_len };
		memcpy(d.src, r->src, 16);
		memcpy(d.dst, r->dst, 16);
		int unchecked;
		if (sim_esptab_line(f, &d, &unchecked))
			st->rows++;
		else
			st->undecryptable++;
		st->unchecked += (size_t)unchecked;
	}
	OPENSSL_clear_free(rows, t->n * sizeof(*rows)); /* the copy holds keys too */
	return ferror(f) ? -1 : 0;
}
