/*
 * Profiles and lifetimes: the defaults a strongSwan or libreswan peer would use (docs/scenario.md cites each),
 * and the IKE and CHILD lifetime fields, filled in as swanctl (or pluto) derives the ones not given.
 */
#include <stdio.h>
#include <string.h>

#include "scenario_int.h"

#define MIN_ (60 * IKE_NS_PER_SEC)
#define HOUR_ (3600 * IKE_NS_PER_SEC)
/* Ten years: sums like max(rekey, reauth) + over stay far from int64 overflow. */
#define LIFE_MAX (315360000LL * IKE_NS_PER_SEC)

static const sim_profile PROFILES[] = {
	[SIM_PROFILE_STRONGSWAN] = { .name = "strongswan",
				     .ike_rekey = 4 * HOUR_,
				     .child_rekey = HOUR_,
				     .rt = { 4 * IKE_NS_PER_SEC, 1.8, 5 },
				     .dpd_action = IKE_DPD_CLEAR,
				     .keyingtries = 1, /* swanctl.conf(5) connections.<conn>.keyingtries */
				     .initial_contact = true,
				     .reauth_mbb = true,
				     .cookie_threshold = 30,
				     .cookie_threshold_ip = 3,
				     .block_threshold = 5,
				     .half_open_limit = 0,
				     .half_open_timeout = 30 * IKE_NS_PER_SEC },
	/* pluto: ikelifetime = salifetime = 8 h, rekeymargin 9 min, rekeyfuzz 100 %: rekey at 8 h - 9 min - U[0, 9 min]. */
	[SIM_PROFILE_LIBRESWAN] = { .name = "libreswan",
				    .ike_rekey = 8 * HOUR_ - 9 * MIN_,
				    .child_rekey = 8 * HOUR_ - 9 * MIN_,
				    .margin = 9 * MIN_,
				    .rt = { IKE_NS_PER_SEC / 2, 2.0, 5 },
				    .dpd_action = IKE_DPD_TRAP,
				    .keyingtries = 0, /* ipsec.conf(5) keyingtries: %forever */
				    .initial_contact = true,
				    .reauth_mbb = false,
				    .cookie_threshold = 25000,
				    .half_open_limit = 50000,
				    .half_open_timeout = 30 * IKE_NS_PER_SEC },
	/* Clients (the population side of a storm, /work/shared/notes/storms.md section 6): no overload knobs. */
	/* strongSwan's Android app: charon with retransmit tries 3, timeout 2 s, base 1.4 (2, 4.8, 8.7 s, fail at
	 * 14.2 s), keyingtries 1, make_before_break off, IKE rekey 10 h, CHILD 2 h (charonservice.c, android_service.c). */
	[SIM_PROFILE_ANDROID] = { .name = "android",
				  .ike_rekey = 10 * HOUR_,
				  .child_rekey = 2 * HOUR_,
				  .rt = { 2 * IKE_NS_PER_SEC, 1.4, 3 },
				  .dpd_action = IKE_DPD_CLEAR,
				  .keyingtries = 1,
				  .initial_contact = true,
				  .reauth_mbb = false,
				  .half_open_timeout = 30 * IKE_NS_PER_SEC },
	/* Android's own IKE stack (11+, AOSP IkeSessionParams): waits 0.5, 1, 2, 4, 8 s (fail at 15.5 s), DPD 120 s,
	 * IKE soft lifetime 2 h; its CHILD lifetime is not in the notes: strongSwan's 1 h. */
	[SIM_PROFILE_ANDROID_NATIVE] = { .name = "android-native",
					 .ike_rekey = 2 * HOUR_,
					 .child_rekey = HOUR_,
					 .rt = { IKE_NS_PER_SEC / 2, 2.0, 4 },
					 .dpd_delay = 120 * IKE_NS_PER_SEC,
					 .dpd_action = IKE_DPD_CLEAR,
					 .keyingtries = 1,
					 .initial_contact = true,
					 .reauth_mbb = false,
					 .half_open_timeout = 30 * IKE_NS_PER_SEC },
	/* OpenIKED (iked.h, ikev2_msg.c, iked.conf.5): retransmits at 2, 6, 14, 30, 62 s (doubling from 2 s), drops at
	 * 126 s; no IKE rekey by default (ikelifetime 0); CHILD 3 h with the soft limit at 85-94.9 %: rekey at 2 h 51 m
	 * less up to 10 %; DPD every 60 s; an unfinished IKE SA is kept 300 s. */
	[SIM_PROFILE_OPENIKED] = { .name = "openiked",
				   .ike_rekey = 0,
				   .child_rekey = 3 * HOUR_ * 949 / 1000,
				   .rt = { 2 * IKE_NS_PER_SEC, 2.0, 5 },
				   .dpd_delay = 60 * IKE_NS_PER_SEC,
				   .dpd_action = IKE_DPD_CLEAR,
				   .keyingtries = 1,
				   .initial_contact = true,
				   .reauth_mbb = false,
				   .half_open_timeout = 300 * IKE_NS_PER_SEC },
};

const sim_profile *sim_profile_get(uint8_t id)
{
	return &PROFILES[id > SIM_PROFILE_NONE && id < SIM_PROFILE_N ? id : SIM_PROFILE_STRONGSWAN];
}

int sim_scn_profile(sim_scn *c, const sim_jv *o, const char *path, uint8_t *out)
{
	const char *name;
	char p[SIM_PATH_MAX];
	int r = sim_scn_str(c, o, path, "profile", 0, &name);
	if (r <= 0)
		return r;
	sim_scn_sub(p, path, "profile");
	for (uint8_t i = SIM_PROFILE_NONE + 1; i < SIM_PROFILE_N; i++)
		if (strcmp(name, PROFILES[i].name) == 0) {
			*out = i;
			return 1;
		}
	return sim_scn_fail(c, p, "unknown profile '%.40s' (strongswan, libreswan, android, android-native or openiked)",
			    name);
}

/* A lifetime field (seconds or duration string) of at most ten years; 1 given, 0 absent, -1 error. */
static int life_field(sim_scn *c, const sim_jv *o, const char *path, const char *key, ike_time *out)
{
	char p[SIM_PATH_MAX];
	int r = sim_scn_time(c, o, path, key, 0, out);
	if (r <= 0)
		return r;
	sim_scn_sub(p, path, key);
	if (*out > LIFE_MAX)
		return sim_scn_fail(c, p, "at most 10 years (315360000 s)");
	return 1;
}

/* Two names for one value (an alias kept for old scenarios): at most one may be given. */
static int aliased(sim_scn *c, const sim_jv *o, const char *path, const char *key, const char *alias, ike_time *out)
{
	char p[SIM_PATH_MAX];
	if (alias && sim_jv_get(o, key) && sim_jv_get(o, alias)) {
		sim_scn_sub(p, path, alias);
		return sim_scn_fail(c, p, "give '%s' or its alias '%s', not both", key, alias);
	}
	int r = life_field(c, o, path, key, out);
	return r == 0 && alias ? life_field(c, o, path, alias, out) : r;
}

static ike_time min_t(ike_time a, ike_time b) { return a < b ? a : b; }

/* The margin pluto keeps before the hard lifetime (rekeymargin), at most half the time to rekey. */
static ike_time ls_margin(const sim_profile *pf, ike_time rekey) { return min_t(pf->margin, rekey / 2); }

/* The shorter nonzero of two times jittered by one rand_time (0 if both are 0). */
static ike_time jittered(ike_time a, ike_time b) { return a && b ? min_t(a, b) : a ? a : b; }

/*
 * rand_time must leave the rekey in the future: shorter than the (nonzero) time it jitters. A given one
 * that does not is an error; a derived one (rekey and reauth far apart) is cut to half that time.
 */
static int check_rand(sim_scn *c, const char *path, int given, ike_time *rand, ike_time lo)
{
	char p[SIM_PATH_MAX];
	sim_scn_sub(p, path, "rand_time");
	if (*rand && !lo && given)
		return sim_scn_fail(c, p, "needs a nonzero rekey time to jitter");
	if (*rand && *rand >= lo && given)
		return sim_scn_fail(c, p, "must be shorter than the rekey time it jitters (%.3f s)", (double)lo / 1e9);
	if (*rand >= lo)
		*rand = lo / 2;
	return 0;
}

int sim_scn_ike_life(sim_scn *c, const sim_jv *o, const char *path, const sim_profile *pf, ike_life_cfg *l)
{
	ike_time rk = pf->ike_rekey, ra = 0, over = 0, rand = 0;
	int r1 = aliased(c, o, path, "rekey_time", "ike_lifetime", &rk);
	int r2 = r1 < 0 ? -1 : life_field(c, o, path, "reauth_time", &ra);
	int r3 = r2 < 0 ? -1 : life_field(c, o, path, "over_time", &over);
	int r4 = r3 < 0 ? -1 : life_field(c, o, path, "rand_time", &rand);
	if (r4 < 0)
		return -1;
	ike_time base = rk > ra ? rk : ra;
	if (!r3) /* swanctl: 10 % of max(rekey, reauth); pluto: the rekey margin */
		over = pf->margin ? ls_margin(pf, base) : base / 10;
	if (!r4) /* swanctl: min(over_time, max(rekey, reauth) / 2); pluto: the margin times rekeyfuzz (100 %) */
		rand = pf->margin ? ls_margin(pf, base) : min_t(over, base / 2);
	if (check_rand(c, path, r4 > 0, &rand, jittered(rk, ra)))
		return -1;
	*l = (ike_life_cfg){ .rekey = rk, .reauth = ra, .rand = rand, .over = over };
	return 0;
}

/* rekey_time from a hard life_time alone: swanctl rekeys at life / 1.1, pluto one margin before it. */
static ike_time rekey_from_life(const sim_profile *pf, ike_time life)
{
	if (!pf->margin)
		return life / 11 * 10 + life % 11 * 10 / 11;
	return life > 2 * pf->margin ? life - pf->margin : life / 2;
}

int sim_scn_child_life(sim_scn *c, const sim_jv *o, const char *path, int implicit, const sim_profile *pf,
		       ike_life_cfg *l)
{
	char p[SIM_PATH_MAX];
	ike_time rk = pf->child_rekey, life = 0, over = 0, rand = 0;
	int r1 = 0, r2 = 0, r3 = 0, r4 = 0;
	if (implicit) { /* the connection's own fields are the IKE SA's; only child_lifetime is the child's */
		if ((r1 = life_field(c, o, path, "child_lifetime", &rk)) < 0)
			return -1;
	} else {
		if (sim_jv_get(o, "life_time") && sim_jv_get(o, "over_time")) {
			sim_scn_sub(p, path, "over_time");
			return sim_scn_fail(c, p, "give 'life_time' (hard limit) or 'over_time' (life_time - rekey_time), not both");
		}
		r1 = life_field(c, o, path, "rekey_time", &rk);
		r2 = r1 < 0 ? -1 : life_field(c, o, path, "life_time", &life);
		r3 = r2 < 0 ? -1 : life_field(c, o, path, "over_time", &over);
		r4 = r3 < 0 ? -1 : life_field(c, o, path, "rand_time", &rand);
		if (r4 < 0)
			return -1;
	}
	if (r2 > 0 && !r1)
		rk = rekey_from_life(pf, life);
	sim_scn_sub(p, path, "life_time");
	if (r2 > 0 && rk && life <= rk)
		return sim_scn_fail(c, p, "%.3f s must be longer than rekey_time (%.3f s)", (double)life / 1e9,
				    (double)rk / 1e9);
	if (r2 > 0)
		over = rk ? life - rk : life;
	else if (!r3) /* swanctl: life_time = rekey_time + 10 %; pluto: one margin */
		over = pf->margin ? ls_margin(pf, rk) : rk / 10;
	if (!r4) /* swanctl: life_time - rekey_time; pluto: the margin times rekeyfuzz (100 %) */
		rand = pf->margin ? ls_margin(pf, rk) : over;
	if (check_rand(c, path, r4 > 0, &rand, rk))
		return -1;
	*l = (ike_life_cfg){ .rekey = rk, .rand = rand, .over = over };
	return 0;
}

/* Largest data limit: JSON numbers are exact up to 2^53. */
#define DATA_MAX 1000000000000000ll

/* One soft/hard pair, as swanctl: life defaults to rekey + 10 % (at least one more), and must exceed rekey. */
static int data_pair(sim_scn *c, const sim_jv *o, const char *path, const char *soft_key, const char *hard_key,
		     uint64_t *soft, uint64_t *hard)
{
	int64_t s = 0, h = 0;
	char p[SIM_PATH_MAX];
	int rs = sim_scn_int(c, o, path, soft_key, 0, 1, DATA_MAX, &s);
	int rh = rs < 0 ? -1 : sim_scn_int(c, o, path, hard_key, 0, 1, DATA_MAX, &h);
	if (rh < 0)
		return -1;
	if (rs > 0 && !rh)
		h = s + (s / 10 ? s / 10 : 1);
	sim_scn_sub(p, path, hard_key);
	if (rs > 0 && rh > 0 && h <= s)
		return sim_scn_fail(c, p, "%lld must be more than %s (%lld)", (long long)h, soft_key, (long long)s);
	*soft = (uint64_t)s;
	*hard = (uint64_t)h;
	return 0;
}

int sim_scn_child_data(sim_scn *c, const sim_jv *o, const char *path, ike_life_cfg *l)
{
	return data_pair(c, o, path, "rekey_bytes", "life_bytes", &l->rekey_bytes, &l->bytes) ||
	       data_pair(c, o, path, "rekey_packets", "life_packets", &l->rekey_packets, &l->packets) ? -1 : 0;
}

int sim_scn_dpd(sim_scn *c, const sim_jv *o, const char *path, const sim_profile *pf, ike_conn_cfg *cfg)
{
	static const char *const actions[] = { "clear", "restart", "trap" };
	const char *act;
	char p[SIM_PATH_MAX];
	int ic = pf->initial_contact, mbb = pf->reauth_mbb;
	cfg->dpd_delay = pf->dpd_delay;
	cfg->dpd_action = pf->dpd_action;
	int64_t kt = pf->keyingtries;
	int r = sim_scn_time(c, o, path, "dpd_delay", 0, &cfg->dpd_delay);
	if (r < 0 || sim_scn_int(c, o, path, "keyingtries", 0, 0, 1000000, &kt) < 0 ||
	    (r = sim_scn_str(c, o, path, "dpd_action", 0, &act)) < 0 ||
	    sim_scn_bool(c, o, path, "initial_contact", 0, &ic) < 0 ||
	    sim_scn_bool(c, o, path, "make_before_break", 0, &mbb) < 0)
		return -1;
	cfg->initial_contact = ic != 0;
	cfg->reauth_mbb = mbb != 0;
	cfg->keyingtries = (uint32_t)kt;
	if (r == 0)
		return 0;
	for (uint8_t i = 0; i < 3; i++)
		if (strcmp(act, actions[i]) == 0) {
			cfg->dpd_action = i; /* IKE_DPD_CLEAR, IKE_DPD_RESTART, IKE_DPD_TRAP in this order */
			return 0;
		}
	sim_scn_sub(p, path, "dpd_action");
	return sim_scn_fail(c, p, "unknown action '%.40s' (clear, restart or trap)", act);
}
