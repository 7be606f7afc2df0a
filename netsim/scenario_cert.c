/*
 * Certificate authentication in scenarios: the loader is the host, so it reads the PEM files named by
 * auth.cert / auth.key / auth.ca (relative to the scenario file) and builds each connection's ike_cred.
 * Validity periods are checked at one fixed instant, cert_time, never the wall clock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert.h"
#include "scenario_int.h"

#define MAX_PEM (1u << 20)
#define PATH_CAP 4096
#define DAY 86400

/* One PEM input: the name as written, the path tried, and its bytes. */
typedef struct pem_file {
	const char *name;
	char path[PATH_CAP];
	uint8_t *data;
	size_t len;
} pem_file;

/* Relative names are relative to the scenario file's directory, so a scenario runs from any cwd. */
static int resolve(const char *scenario, const char *rel, char *out)
{
	const char *slash = strrchr(scenario, '/');
	int n = rel[0] == '/' || !slash ? snprintf(out, PATH_CAP, "%s", rel)
					: snprintf(out, PATH_CAP, "%.*s/%s", (int)(slash - scenario), scenario, rel);
	return n > 0 && n < PATH_CAP ? 0 : -1;
}

static int read_pem(sim_scn *c, const char *jpath, const char *scenario, pem_file *f)
{
	if (!f->name[0])
		return sim_scn_fail(c, jpath, "expected a file name");
	if (resolve(scenario, f->name, f->path) != 0)
		return sim_scn_fail(c, jpath, "file name too long");
	FILE *fp = fopen(f->path, "rb");
	if (!fp)
		return sim_scn_fail(c, jpath, "cannot read %s: %s", f->path, strerror(errno));
	f->data = malloc(MAX_PEM + 1);
	errno = 0;
	size_t n = f->data ? fread(f->data, 1, MAX_PEM + 1, fp) : 0;
	int bad = !f->data || ferror(fp) || n > MAX_PEM, why = errno; /* EISDIR for a directory */
	fclose(fp);
	if (bad)
		return sim_scn_fail(c, jpath, "cannot read %s: %s", f->path,
				    !f->data ? "out of memory" : n > MAX_PEM ? "larger than 1 MiB"
							  : why ? strerror(why) : "read error");
	f->len = n;
	return 0;
}

/* The scenario owns every credential it built: they must outlive the peers of a run. */
static int keep_cred(sim_scenario *sc, ike_cred *cred)
{
	sim_scn_owned *o = sc->owned;
	if (o->n_creds == o->cap_creds) {
		size_t cap = o->cap_creds ? 2 * o->cap_creds : 8;
		ike_cred **n = realloc(o->creds, cap * sizeof(*n));
		if (!n)
			return -1;
		o->creds = n;
		o->cap_creds = cap;
	}
	o->creds[o->n_creds++] = cred;
	return 0;
}

/* Builds the credential; a failure names the JSON field and the file at fault. */
static int make_cred(sim_scn *c, sim_scenario *sc, pem_file *f, char p[3][SIM_PATH_MAX], int pss, ike_conn_cfg *cfg)
{
	char err[256];
	int part = 0;
	ike_cred *cred = NULL;
	if (ike_cred_from_pem_part(f[0].data, f[0].len, f[1].data, f[1].len, f[2].data, f[2].len, &cred, &part, err,
				   sizeof(err)) != 0) {
		int i = part == IKE_CRED_PART_KEY ? 1 : part == IKE_CRED_PART_CA ? 2 : 0;
		if (i == 1)
			return sim_scn_fail(c, p[1], "%s (for certificate %s): %s", f[1].path, f[0].path, err);
		return sim_scn_fail(c, p[i], "%s: %s", f[i].path, err);
	}
	if (ike_cred_set_rsa_pss(cred, pss != 0) != 0) {
		ike_cred_free(cred);
		return sim_scn_fail(c, p[1], "%s: \"rsa_pss\" needs an RSA key, this is not one", f[1].path);
	}
	if (keep_cred(sc, cred) != 0) {
		ike_cred_free(cred);
		return sim_scn_fail(c, p[0], "out of memory");
	}
	cfg->auth = IKE_AUTH_PUBKEY;
	cfg->cred = cred;
	return 0;
}

/* Records a file read, so `ikesim run` can refuse to overwrite it; most connections share their CA. */
static int keep_input(sim_scenario *sc, const char *path)
{
	sim_scn_owned *o = sc->owned;
	for (size_t i = sc->n_inputs > 3 ? sc->n_inputs - 3 : 0; i < sc->n_inputs; i++)
		if (strcmp(sc->inputs[i], path) == 0)
			return 0;
	if (sc->n_inputs == o->cap_inputs) {
		size_t cap = o->cap_inputs ? 2 * o->cap_inputs : 8;
		const char **n = realloc(sc->inputs, cap * sizeof(*n));
		if (!n)
			return -1;
		sc->inputs = n;
		o->cap_inputs = cap;
	}
	const char *kept = sim_scenario_keep_str(sc, path);
	if (!kept)
		return -1;
	sc->inputs[sc->n_inputs++] = kept;
	return 0;
}

int sim_scn_auth_cert(sim_scn *c, sim_scenario *sc, const sim_jv *a, const char *path, ike_conn_cfg *cfg)
{
	static const char *const keys[3] = { "cert", "key", "ca" };
	pem_file f[3];
	char p[3][SIM_PATH_MAX];
	int rc = 0;
	memset(f, 0, sizeof(f));
	for (int i = 0; i < 3 && !rc; i++) {
		sim_scn_sub(p[i], path, keys[i]);
		rc = sim_scn_str(c, a, path, keys[i], 1, &f[i].name) < 0 ? -1 : read_pem(c, p[i], sc->file, &f[i]);
		if (!rc && keep_input(sc, f[i].path))
			rc = sim_scn_fail(c, p[i], "out of memory");
	}
	int pss = 0;
	if (!rc && sim_scn_bool(c, a, path, "rsa_pss", 0, &pss) < 0)
		rc = -1;
	if (!rc)
		rc = make_cred(c, sc, f, p, pss, cfg);
	for (int i = 0; i < 3; i++)
		free(f[i].data);
	return rc;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (eras of 400 years, March-based years). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = y / 400, yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int sim_parse_utc(const char *s, int64_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int v[6] = { 0 }, k = 0;
	if (strlen(s) != sizeof(shape) - 1)
		return -1;
	for (size_t i = 0; shape[i]; i++) {
		if (shape[i] != 'd' && s[i] != shape[i])
			return -1;
		if (shape[i] == 'd' && (s[i] < '0' || s[i] > '9'))
			return -1;
		if (shape[i] == 'd')
			v[k] = v[k] * 10 + (s[i] - '0');
		else
			k++;
	}
	int leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
	if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1] ||
	    (v[1] == 2 && v[2] == 29 && !leap) || v[3] > 23 || v[4] > 59 || v[5] > 59)
		return -1;
	*out = days_from_civil(v[0], v[1], v[2]) * DAY + v[3] * 3600 + v[4] * 60 + v[5];
	return 0;
}

int sim_scn_cert_time(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	const sim_scn_owned *o = sc->owned;
	const char *s = NULL;
	if (sim_scn_str(c, root, "", "cert_time", 0, &s) < 0)
		return -1;
	if (s && (sim_parse_utc(s, &sc->cert_time) != 0 || sc->cert_time <= 0))
		return sim_scn_fail(c, "cert_time", "'%.40s' is not a UTC time after 1970 like \"2026-01-01T00:00:00Z\"",
				    s);
	if (!s && o->n_creds) {
		/* One clock for the whole world: a day after the newest certificate any node loaded became valid. */
		int64_t latest = 0;
		for (size_t i = 0; i < o->n_creds; i++) {
			int64_t t = ike_cred_latest_not_before(o->creds[i]);
			latest = t > latest ? t : latest;
		}
		sc->cert_time = latest + DAY;
	}
	for (size_t i = 0; i < o->n_creds; i++)
		ike_cred_set_check_time(o->creds[i], sc->cert_time);
	return 0;
}
