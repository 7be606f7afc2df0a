/* The vectors runner: reads each JSON file (distrusted), dispatches on `kind`, tallies every case. */
#include "vectors.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vectors_int.h"

/* No vector file is anywhere near this; larger input is refused rather than read. */
#define MAX_FILE_BYTES (4u << 20)
#define MAX_CASES 10000

typedef struct kind_entry {
	const char *kind;
	int (*run)(cli_vcase *vc); /* NULL: the whole kind is not yet supported */
} kind_entry;

static const kind_entry kinds[] = {
	{ "ikev2-kdf", cli_v_ikev2_kdf },
	{ "hmac-sha2", cli_v_hmac_sha2 },
	{ "hmac-sha2-ipsec", cli_v_hmac_sha2_ipsec },
	{ "aes-xcbc-mac-96", cli_v_xcbc_mac_96 },
	{ "aes-xcbc-prf-128", cli_v_xcbc_prf },
	{ "aes-cmac-prf-128", cli_v_cmac_prf },
	{ "ecp-dh", cli_v_ecp_dh },
	{ "x25519", cli_v_x25519 },
	{ "modp-groups", cli_v_modp_groups },
	{ "aes-cbc", cli_v_aes_cbc },
	{ "aes-cbc-esp", cli_v_aes_cbc }, /* RFC 3602 file: raw AES-CBC cases and whole ESP packets */
	{ "aes-ctr", cli_v_aes_ctr },
	{ "aes-gcm-esp", cli_v_aes_gcm_esp },
	{ "chacha20poly1305-esp-ikev2", cli_v_chacha_ikev2 },
	{ "ikev1-kdf-psk", cli_v_ikev1_psk },
	{ "ikev1-kdf-sig", cli_v_ikev1_sig },
};

int cli_v_fail(cli_vcase *vc, const char *field, const char *fmt, ...)
{
	va_list ap;
	fprintf(vc->err, "%s: case %d: field %s: ", vc->file, vc->index, field);
	va_start(ap, fmt);
	vfprintf(vc->err, fmt, ap);
	va_end(ap);
	fputc('\n', vc->err);
	vc->failed = 1;
	return CLI_V_FAIL;
}

uint8_t *cli_v_alloc(cli_vcase *vc, size_t n)
{
	if (n > CLI_V_MAX_FIELD * 2 || vc->nbufs >= CLI_V_MAX_BUFS) {
		cli_v_fail(vc, "-", "internal buffer limit exceeded");
		return NULL;
	}
	uint8_t *p = calloc(1, n ? n : 1);
	if (!p) {
		cli_v_fail(vc, "-", "out of memory");
		return NULL;
	}
	vc->bufs[vc->nbufs++] = p;
	return p;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

static const uint8_t *decode(cli_vcase *vc, const char *name, const cJSON *v, size_t *len)
{
	if (!cJSON_IsString(v) || !v->valuestring) {
		cli_v_fail(vc, name, "missing or not a string");
		return NULL;
	}
	const char *s = v->valuestring;
	size_t n = strlen(s);
	if (n % 2 || n / 2 > CLI_V_MAX_FIELD) {
		cli_v_fail(vc, name, "bad hex length %zu", n);
		return NULL;
	}
	uint8_t *out = cli_v_alloc(vc, n / 2);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)s[2 * i]), lo = hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			cli_v_fail(vc, name, "bad hex digit at offset %zu", 2 * i);
			return NULL;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return out;
}

const uint8_t *cli_v_hex(cli_vcase *vc, const char *name, size_t *len)
{
	*len = 0;
	return decode(vc, name, cJSON_GetObjectItemCaseSensitive(vc->obj, name), len);
}

const uint8_t *cli_v_hex_opt(cli_vcase *vc, const char *name, size_t *len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(vc->obj, name);
	*len = 0;
	if (!v || cJSON_IsNull(v))
		return NULL;
	return decode(vc, name, v, len);
}

long cli_v_int(cli_vcase *vc, const char *name, long lo, long hi)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(vc->obj, name);
	/* Compare as double first so huge or fractional JSON numbers never reach a cast. */
	if (!cJSON_IsNumber(v) || v->valuedouble < (double)lo || v->valuedouble > (double)hi ||
	    v->valuedouble != (double)(long)v->valuedouble) {
		cli_v_fail(vc, name, "missing or not an integer in [%ld, %ld]", lo, hi);
		return lo;
	}
	return (long)v->valuedouble;
}

const char *cli_v_str(cli_vcase *vc, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(vc->obj, name);
	if (!cJSON_IsString(v) || !v->valuestring) {
		cli_v_fail(vc, name, "missing or not a string");
		return NULL;
	}
	return v->valuestring;
}

int cli_v_same(cli_vcase *vc, const char *name, const uint8_t *got, size_t got_len, const uint8_t *want,
	       size_t want_len)
{
	if (got_len == want_len && (!got_len || memcmp(got, want, got_len) == 0))
		return 0;
	fprintf(vc->err, "%s: case %d: field %s: mismatch, computed ", vc->file, vc->index, name);
	for (size_t i = 0; i < got_len && i < 64; i++)
		fprintf(vc->err, "%02x", got[i]);
	fprintf(vc->err, "%s\n", got_len > 64 ? "..." : "");
	vc->failed = 1;
	return -1;
}

int cli_v_expect(cli_vcase *vc, const char *name, const uint8_t *got, size_t got_len)
{
	size_t wl;
	const uint8_t *want = cli_v_hex(vc, name, &wl);
	if (!want)
		return -1;
	return cli_v_same(vc, name, got, got_len, want, wl);
}

static char *read_file(const char *path, FILE *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(err, "%s: cannot open\n", path);
		return NULL;
	}
	char *text = malloc(MAX_FILE_BYTES + 1);
	size_t n = text ? fread(text, 1, MAX_FILE_BYTES + 1, f) : 0;
	int bad = !text || ferror(f) || n > MAX_FILE_BYTES;
	fclose(f);
	if (bad) {
		fprintf(err, "%s: unreadable or larger than %u bytes\n", path, MAX_FILE_BYTES);
		free(text);
		return NULL;
	}
	text[n] = 0;
	return text;
}

/* Runs one file; 0 if every case passed. */
static int run_file(const ike_crypto *c, const char *path, FILE *out, FILE *err)
{
	char *text = read_file(path, err);
	if (!text) {
		fprintf(out, "%s: 0 passed, 1 failed\n", path);
		return 1;
	}
	cJSON *root = cJSON_Parse(text);
	free(text);
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
	const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
	int ncases = cJSON_IsArray(cases) ? cJSON_GetArraySize(cases) : -1;
	if (!cJSON_IsObject(root) || !cJSON_IsString(kind) || ncases < 0 || ncases > MAX_CASES) {
		fprintf(err, "%s: not a vector file (need an object with string \"kind\" and array \"cases\")\n", path);
		fprintf(out, "%s: 0 passed, 1 failed\n", path);
		cJSON_Delete(root);
		return 1;
	}
	const kind_entry *k = NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind->valuestring) == 0)
			k = &kinds[i];
	if (!k) {
		fprintf(err, "%s: unknown kind \"%s\"\n", path, kind->valuestring);
		fprintf(out, "%s: unknown kind \"%s\"\n", path, kind->valuestring);
		cJSON_Delete(root);
		return 1;
	}
	int passed = 0, failed = 0, unsupported = 0, index = 0;
	const cJSON *obj;
	cJSON_ArrayForEach(obj, cases)
	{
		cli_vcase vc = { .file = path, .index = index++, .obj = obj, .err = err, .c = c };
		int r;
		if (!k->run)
			r = CLI_V_UNSUPPORTED;
		else if (!cJSON_IsObject(obj))
			r = cli_v_fail(&vc, "-", "case is not an object");
		else
			r = k->run(&vc);
		if (r == CLI_V_PASS && vc.failed)
			r = CLI_V_FAIL; /* a kind that forgot to look at vc.failed still cannot pass */
		passed += r == CLI_V_PASS;
		failed += r == CLI_V_FAIL;
		unsupported += r == CLI_V_UNSUPPORTED;
		for (int i = 0; i < vc.nbufs; i++)
			free(vc.bufs[i]);
	}
	if (!k->run)
		fprintf(err, "%s: kind \"%s\" not yet supported\n", path, k->kind);
	if (unsupported)
		fprintf(out, "%s: %d passed, %d failed, %d not yet supported\n", path, passed, failed, unsupported);
	else
		fprintf(out, "%s: %d passed, %d failed\n", path, passed, failed);
	cJSON_Delete(root);
	return failed || unsupported || (passed == 0);
}

/* argv[0] is the verb, as for every cli_* entry point; the files follow. */
int cli_vectors(int argc, char **argv, FILE *out, FILE *err)
{
	argc--, argv++;
	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		fprintf(out, "usage: ikesim vectors FILE...\n\n"
			     "Runs every case of published test-vector files (see docs/vectors.md) and prints\n"
			     "'FILE: N passed, M failed' per file. Exit 0 only if every case of every file passed;\n"
			     "kinds and cases not supported yet count as failures.\n");
		return 0;
	}
	if (argc < 1) {
		fprintf(err, "usage: ikesim vectors FILE...\n");
		return 2;
	}
	ike_crypto *c = ike_crypto_new();
	if (!c) {
		fprintf(err, "vectors: cannot set up the crypto context\n");
		return 1;
	}
	int bad = 0;
	for (int i = 0; i < argc; i++)
		bad |= run_file(c, argv[i], out, err);
	ike_crypto_free(c);
	return bad ? 1 : 0;
}
