/* The IKEv2 key table: copies of the keys the engine showed during its callbacks, written at the end. */
#include "keytab.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/registry.h"
#include "ikev1/v1_crypt.h"
#include "ws_names.h"

#define KEY_MAX 64 /* longest SK_e (36: AES-256 + salt) or SK_a (64: HMAC-SHA2-512) we derive */

typedef struct kt_row {
	uint64_t spi_i, spi_r;
	size_t seq; /* first-seen order */
	uint16_t encr, encr_keylen, integ;
	uint8_t e_len, a_len;
	uint8_t version; /* 1: an IKEv1 row (ei = Ka) */
	uint8_t ei[KEY_MAX], er[KEY_MAX], ai[KEY_MAX], ar[KEY_MAX];
} kt_row;

struct sim_keytab {
	kt_row *rows;
	size_t n, cap;
};

sim_keytab *sim_keytab_new(void) { return calloc(1, sizeof(sim_keytab)); }

void sim_keytab_free(sim_keytab *kt)
{
	if (!kt)
		return;
	OPENSSL_clear_free(kt->rows, kt->cap * sizeof(*kt->rows));
	free(kt);
}

int sim_keytab_add(sim_keytab *kt, uint64_t spi_i, uint64_t spi_r, const ike_sa_keys *k)
{
	if (k->e_len > KEY_MAX || k->a_len > KEY_MAX || (k->e_len && (!k->ei || !k->er)) ||
	    (k->a_len && (!k->ai || !k->ar)))
		return -1;
	if (kt->n == kt->cap) {
		size_t cap = kt->cap ? kt->cap * 2 : 16;
		/* Grown by hand, not realloc, so the old block's keys are wiped before it is freed. */
		kt_row *r = malloc(cap * sizeof(*r));
		if (!r)
			return -1;
		if (kt->n)
			memcpy(r, kt->rows, kt->n * sizeof(*r));
		OPENSSL_clear_free(kt->rows, kt->cap * sizeof(*kt->rows));
		kt->rows = r;
		kt->cap = cap;
	}
	kt_row *r = &kt->rows[kt->n];
	*r = (kt_row){ .spi_i = spi_i, .spi_r = spi_r, .seq = kt->n, .encr = k->encr, .encr_keylen = k->encr_keylen,
		       .integ = k->integ, .e_len = (uint8_t)k->e_len, .a_len = (uint8_t)k->a_len,
		       .version = k->ike_version == 1 ? 1 : 2 };
	if (k->e_len) {
		memcpy(r->ei, k->ei, k->e_len);
		memcpy(r->er, k->er, k->e_len);
	}
	if (k->a_len) {
		memcpy(r->ai, k->ai, k->a_len);
		memcpy(r->ar, k->ar, k->a_len);
	}
	kt->n++;
	return 0;
}

static void put_hex(FILE *f, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", b[i]);
}

int sim_keytab_line(FILE *f, uint64_t spi_i, uint64_t spi_r, const ike_sa_keys *k, int *unchecked)
{
	bool checked = false;
	const char *encr = sim_ws_ikev2_encr(k->encr, k->encr_keylen);
	const char *integ = sim_ws_ikev2_integ(k->integ, &checked);
	*unchecked = 0;
	if (!encr || !integ) {
		fprintf(f, "# %016llx,%016llx: Wireshark cannot decrypt %s/%s\n", (unsigned long long)spi_i,
			(unsigned long long)spi_r, ike_transform_name(IKE_TT_ENCR, k->encr, k->encr_keylen),
			k->integ ? ike_transform_name(IKE_TT_INTEG, k->integ, 0) : "no integrity");
		return 0;
	}
	*unchecked = !checked;
	/* Wireshark's "no checking" entries take no key: it refuses ("Error loading table") a line with one. */
	size_t a_len = checked ? k->a_len : 0;
	fprintf(f, "%016llx,%016llx,", (unsigned long long)spi_i, (unsigned long long)spi_r);
	put_hex(f, k->ei, k->e_len);
	fputc(',', f);
	put_hex(f, k->er, k->e_len);
	fprintf(f, ",\"%s\",", encr);
	put_hex(f, k->ai, a_len);
	fputc(',', f);
	put_hex(f, k->ar, a_len);
	fprintf(f, ",\"%s\"\n", integ);
	return 1;
}

static int by_spis_then_seq(const void *a, const void *b)
{
	const kt_row *x = a, *y = b;
	if (x->spi_i != y->spi_i)
		return x->spi_i < y->spi_i ? -1 : 1;
	if (x->spi_r != y->spi_r)
		return x->spi_r < y->spi_r ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_seq(const void *a, const void *b)
{
	const kt_row *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The rows of one IKE version, each SA once (both ends report it), in first-seen order; NULL on no memory. */
static kt_row *unique_rows(const sim_keytab *kt, uint8_t version, size_t *out_n)
{
	kt_row *rows = malloc((kt->n ? kt->n : 1) * sizeof(*rows));
	size_t n = 0, m = 0;
	if (!rows)
		return NULL;
	for (size_t i = 0; i < kt->n; i++)
		if (kt->rows[i].version == version)
			rows[m++] = kt->rows[i];
	qsort(rows, m, sizeof(*rows), by_spis_then_seq);
	for (size_t i = 0; i < m; i++)
		if (!n || rows[i].spi_i != rows[n - 1].spi_i || rows[i].spi_r != rows[n - 1].spi_r)
			rows[n++] = rows[i];
	qsort(rows, n, sizeof(*rows), by_seq);
	*out_n = n;
	return rows;
}

size_t sim_keytab_v1_count(const sim_keytab *kt)
{
	size_t n = 0;
	for (size_t i = 0; kt && i < kt->n; i++)
		n += kt->rows[i].version == 1;
	return n;
}

int sim_keytab_write_v1(const sim_keytab *kt, FILE *f, size_t *rows_out)
{
	size_t n = 0;
	kt_row *rows = unique_rows(kt, 1, &n);
	*rows_out = 0;
	if (!rows)
		return -1;
	fprintf(f, "# Wireshark ikev1_decryption_table written by ikesim: SECRET KEYS, teaching use only.\n");
	for (size_t i = 0; i < n; i++) {
		v1_cipher ci = { .encr = IKE_V1_ENCR_AES_CBC, .key_len = rows[i].e_len, .block = 16 };
		char line[160];
		memcpy(ci.key, rows[i].ei, rows[i].e_len <= sizeof(ci.key) ? rows[i].e_len : 0);
		if (rows[i].e_len <= sizeof(ci.key) && v1_ws_key_line(rows[i].spi_i, &ci, line, sizeof(line))) {
			fprintf(f, "%s\n", line);
			(*rows_out)++;
		}
		v1_cipher_wipe(&ci);
	}
	OPENSSL_clear_free(rows, (kt->n ? kt->n : 1) * sizeof(*rows));
	return ferror(f) ? -1 : 0;
}

int sim_keytab_write(const sim_keytab *kt, FILE *f, sim_keytab_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (sim_keytab_v1_count(kt)) { /* IKEv1 rows go to their own table (sim_keytab_write_v1) */
		size_t n = 0;
		kt_row *rows = unique_rows(kt, 2, &n);
		if (!rows)
			return -1;
		fprintf(f, "# Wireshark ikev2_decryption_table written by ikesim: SECRET KEYS, teaching use only.\n");
		for (size_t i = 0; i < n; i++) {
			const kt_row *r = &rows[i];
			ike_sa_keys k = { r->encr, r->encr_keylen, r->integ, r->ei, r->er, r->ai, r->ar, r->e_len, r->a_len, 0 };
			int unchecked;
			if (sim_keytab_line(f, r->spi_i, r->spi_r, &k, &unchecked))
				st->rows++;
			else
				st->undecryptable++;
			st->unchecked += (size_t)unchecked;
		}
		OPENSSL_clear_free(rows, (kt->n ? kt->n : 1) * sizeof(*rows));
		return ferror(f) ? -1 : 0;
	}
	/* Both ends report each IKE SA: sort a copy by SPIs, keep the first report, write in first-seen order. */
	kt_row *rows = kt->n ? malloc(kt->n * sizeof(*rows)) : NULL;
	size_t n = 0;
	if (kt->n && !rows)
		return -1;
	if (kt->n) {
		memcpy(rows, kt->rows, kt->n * sizeof(*rows));
		qsort(rows, kt->n, sizeof(*rows), by_spis_then_seq);
		for (size_t i = 0; i < kt->n; i++)
			if (!n || rows[i].spi_i != rows[n - 1].spi_i || rows[i].spi_r != rows[n - 1].spi_r)
				rows[n++] = rows[i];
		qsort(rows, n, sizeof(*rows), by_seq);
	}
	fprintf(f, "# Wireshark ikev2_decryption_table written by ikesim: SECRET KEYS, teaching use only.\n");
	for (size_t i = 0; i < n; i++) {
		const kt_row *r = &rows[i];
		ike_sa_keys k = { r->encr, r->encr_keylen, r->integ, r->ei, r->er, r->ai, r->ar, r->e_len, r->a_len, 0 };
		int unchecked;
		if (sim_keytab_line(f, r->spi_i, r->spi_r, &k, &unchecked))
			st->rows++;
		else
			st->undecryptable++;
		st->unchecked += (size_t)unchecked;
	}
	OPENSSL_clear_free(rows, kt->n * sizeof(*rows)); /* the copy holds keys too */
	return ferror(f) ? -1 : 0;
}
