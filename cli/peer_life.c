/*
 * `ikesim peer` lifecycle: lifetimes and DPD as strongSwan's swanctl names them, and the timed actions
 * (--rekey-child-after, --rekey-ike-after, --delete-after) an interop test asks of our side.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

enum peer_act_state { ACT_NONE, ACT_DUE, ACT_REQUESTED, ACT_DONE };

static const char *const ACT_NAMES[PEER_ACT_N] = { "--rekey-child-after", "--rekey-ike-after", "--delete-after" };

static int seconds(const char *flag, const char *val, ike_time *out, FILE *err)
{
	char *end;
	errno = 0;
	double v = strtod(val, &end);
	if (errno || end == val || *end || !(v >= 0) || v > 315360000.0) {
		fprintf(err, "ikesim peer: %s wants seconds (a number from 0 to 315360000), got '%s'\n", flag, val);
		return -1;
	}
	*out = (ike_time)(v * 1e9);
	return 1;
}

#define DATA_MAX 1000000000000000ull /* 10^15, as the scenario's data limits */

/* --rekey-packets ... --life-bytes and --replay-window: 1 taken, 0 not one of them, -1 bad value. */
static int data_flag(peer_args *a, const char *flag, const char *val, FILE *err)
{
	static const char *const names[] = { "--rekey-packets", "--rekey-bytes", "--life-packets", "--life-bytes",
					     "--replay-window" };
	uint64_t *slots[] = { &a->rekey_packets, &a->rekey_bytes, &a->life_packets, &a->life_bytes, NULL };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(flag, names[i]) != 0)
			continue;
		uint64_t max = slots[i] ? DATA_MAX : IKE_REPLAY_WINDOW_MAX;
		char *end;
		errno = 0;
		unsigned long long v = strtoull(val, &end, 10);
		if (errno || end == val || *end || val[0] == '-' || v > max) {
			fprintf(err, "ikesim peer: %s wants a whole number from 0 to %llu, got '%s'\n", flag,
				(unsigned long long)max, val);
			return -1;
		}
		if (slots[i])
			*slots[i] = v;
		else
			a->replay_window = v ? (uint16_t)v : IKE_REPLAY_OFF; /* 0: no replay check */
		return 1;
	}
	return 0;
}

/* As the scenario's child fields: hard = soft + 10 % (at least one more) unless given; hard > soft. */
static int data_limits(const peer_args *a, ike_life_cfg *l, char *err, size_t errlen)
{
	const uint64_t soft[2] = { a->rekey_packets, a->rekey_bytes }, hard[2] = { a->life_packets, a->life_bytes };
	static const char *const what[2] = { "packets", "bytes" };
	uint64_t out[2];
	for (int i = 0; i < 2; i++) {
		out[i] = hard[i];
		if (soft[i] && !hard[i])
			out[i] = soft[i] + (soft[i] / 10 ? soft[i] / 10 : 1);
		else if (soft[i] && hard[i] <= soft[i]) {
			snprintf(err, errlen, "--life-%s %llu must be more than --rekey-%s (%llu)", what[i],
				 (unsigned long long)hard[i], what[i], (unsigned long long)soft[i]);
			return -1;
		}
	}
	l->rekey_packets = soft[0];
	l->rekey_bytes = soft[1];
	l->packets = out[0];
	l->bytes = out[1];
	return 0;
}

int peer_life_flag(peer_args *a, const char *flag, const char *val, FILE *err)
{
	int d = data_flag(a, flag, val, err);
	if (d)
		return d;
	static const char *const names[] = { "--rekey-time", "--ike-rekey-time", "--reauth-time", "--rand-time",
					     "--over-time", "--dpd-delay" };
	ike_time *slots[] = { &a->rekey_time, &a->ike_rekey_time, &a->reauth_time, &a->rand_time, &a->over_time,
			      &a->dpd_delay };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(flag, names[i]) == 0) {
			a->rand_set |= slots[i] == &a->rand_time;
			a->over_set |= slots[i] == &a->over_time;
			return seconds(flag, val, slots[i], err);
		}
	for (int i = 0; i < PEER_ACT_N; i++)
		if (strcmp(flag, ACT_NAMES[i]) == 0)
			return seconds(flag, val, &a->act_after[i], err);
	if (strcmp(flag, "--dpd-action") != 0)
		return 0;
	static const char *const acts[] = { "clear", "restart", "trap" }; /* enum ike_dpd_action's order */
	int i = peer_keyword(val, acts, 3);
	if (i >= 0) {
		a->dpd_action = (uint8_t)i;
		return 1;
	}
	fprintf(err, "ikesim peer: --dpd-action wants clear, restart or trap, got '%s'\n", val);
	return -1;
}

static ike_time min_t(ike_time x, ike_time y) { return x < y ? x : y; }

/* swanctl: over_time 10 % of the longest, rand_time min(over, longest / 2); each flag given overrides both SAs. */
int peer_life_apply(const peer_args *a, ike_conn_cfg *c, ike_child_cfg *ch, char *err, size_t errlen)
{
	ike_time base = a->ike_rekey_time > a->reauth_time ? a->ike_rekey_time : a->reauth_time;
	ike_time over = a->over_set ? a->over_time : base / 10;
	c->ike_life = (ike_life_cfg){ .rekey = a->ike_rekey_time, .reauth = a->reauth_time, .over = over,
				      .rand = a->rand_set ? a->rand_time : min_t(over, base / 2) };
	over = a->over_set ? a->over_time : a->rekey_time / 10; /* life_time = rekey_time + 10 % */
	ch->life = (ike_life_cfg){ .rekey = a->rekey_time, .over = over, .rand = a->rand_set ? a->rand_time : over };
	if (data_limits(a, &ch->life, err, errlen) != 0)
		return -1;
	ch->replay_window = a->replay_window;
	const ike_time lo[] = { a->rekey_time, a->ike_rekey_time, a->reauth_time };
	for (size_t i = 0; a->rand_set && a->rand_time && i < 3; i++)
		if (lo[i] && a->rand_time >= lo[i]) {
			snprintf(err, errlen, "--rand-time %.3f s must be shorter than every rekey time it jitters (%.3f s)",
				 (double)a->rand_time / 1e9, (double)lo[i] / 1e9);
			return -1;
		}
	/* A derived jitter never reaches the rekey it jitters: at most half the shorter nonzero time. */
	ike_time ike_lo = a->ike_rekey_time && a->reauth_time ? min_t(a->ike_rekey_time, a->reauth_time) : base;
	if (ch->life.rand >= ch->life.rekey)
		ch->life.rand = ch->life.rekey / 2;
	if (c->ike_life.rand >= ike_lo)
		c->ike_life.rand = ike_lo / 2;
	c->dpd_delay = a->dpd_delay;
	c->dpd_action = a->dpd_action;
	c->keyingtries = 1; /* swanctl's default: a restart makes one attempt */
	c->initial_contact = !a->no_initial_contact;
	ch->start = a->initiate ? IKE_CHILD_START_START : IKE_CHILD_START_NONE;
	ch->mode = IKE_MODE_TUNNEL;
	return 0;
}

void peer_acts_arm(peer_acts *x, const peer_args *a, ike_time up)
{
	for (int i = 0; i < PEER_ACT_N; i++) {
		if (a->act_after[i] == IKE_TIME_NEVER || x->state[i] != ACT_NONE)
			continue;
		x->due[i] = up + a->act_after[i];
		x->state[i] = ACT_DUE;
	}
}

static int request(ike_peer *p, int act, ike_time now)
{
	switch (act) {
	case PEER_ACT_REKEY_CHILD:
		return ike_peer_rekey_child(p, now, 0, 0);
	case PEER_ACT_REKEY_IKE:
		return ike_peer_rekey_ike(p, now, 0);
	default:
		return ike_peer_delete(p, now, 0);
	}
}

int peer_acts_run(peer_acts *x, ike_peer *p, ike_time now, int *deletes, char *why, size_t cap)
{
	for (int i = 0; i < PEER_ACT_N; i++) {
		if (x->state[i] != ACT_DUE || x->due[i] > now)
			continue;
		x->state[i] = ACT_REQUESTED;
		int n = request(p, i, now);
		if (i == PEER_ACT_DELETE && n > 0)
			*deletes = n;
		if (n <= 0) {
			snprintf(why, cap, "%s: the engine took the request on no IKE SA (%s)", ACT_NAMES[i],
				 n < 0 ? "bad index" : "none established, or this build does not do it yet");
			x->state[i] = ACT_DONE;
			return -1;
		}
	}
	return 0;
}

ike_time peer_acts_next(const peer_acts *x)
{
	ike_time t = IKE_TIME_NEVER;
	for (int i = 0; i < PEER_ACT_N; i++)
		if (x->state[i] == ACT_DUE && x->due[i] < t)
			t = x->due[i];
	return t;
}

bool peer_acts_event(peer_acts *x, uint8_t kind)
{
	int act = kind == IKE_EV_CHILD_REKEYED ? PEER_ACT_REKEY_CHILD : kind == IKE_EV_IKE_REKEYED ? PEER_ACT_REKEY_IKE
					  : kind == IKE_EV_IKE_DOWN ? PEER_ACT_DELETE : -1;
	if (act < 0 || x->state[act] != ACT_REQUESTED)
		return false;
	x->state[act] = ACT_DONE;
	return true;
}

bool peer_acts_pending(const peer_acts *x, const char **name)
{
	for (int i = 0; i < PEER_ACT_N; i++)
		if (x->state[i] == ACT_DUE || x->state[i] == ACT_REQUESTED) {
			if (name)
				*name = ACT_NAMES[i];
			return true;
		}
	return false;
}
