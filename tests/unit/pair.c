/* In-memory two-peer network for engine tests (no simulator): latency, drops by filter, timers. */
#include "pair.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void pair_set_proposals(ike_proposal_list *pl, const char *text, uint8_t protocol)
{
	char err[128];
	int rc = ike_proposals_parse(text, protocol, pl, err, sizeof(err));
	if (rc != 0)
		fail_msg("proposal '%s': %s", text, err);
}

static void set_addr(ike_addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->port = 500;
	a->ip[0] = 192;
	a->ip[1] = 0;
	a->ip[2] = 2;
	a->ip[3] = last;
}

static void set_ts(ike_ts *t, const char *cidr)
{
	char err[128];
	if (ike_ts_parse(cidr, t, err, sizeof(err)) != 0)
		fail_msg("ts %s: %s", cidr, err);
}

static void set_id(ike_id *id, const char *s)
{
	char err[128];
	if (ike_id_parse(s, id, err, sizeof(err)) != 0)
		fail_msg("id %s: %s", s, err);
}

void pair_init(pair *pr, const char *ike, const char *esp)
{
	memset(pr, 0, sizeof(*pr));
	pr->crypto = ike_crypto_new();
	assert_non_null(pr->crypto);
	pr->latency = 10 * 1000 * 1000;
	pr->record_trace = true;
	for (int s = 0; s < 2; s++) {
		ike_conn_cfg *c = &pr->conn[s];
		ike_child_cfg *ch = &pr->child[s];
		c->children = ch;
		c->n_children = 1;
		ch->name = c->name = s ? "resp" : "init";
		c->version = 2;
		set_addr(&c->local, s ? 2 : 1);
		set_addr(&c->remote, s ? 1 : 2);
		pair_set_proposals(&c->ike, ike, 1);
		pair_set_proposals(&ch->esp, esp, 3);
		c->auth = IKE_AUTH_PSK;
		c->psk = (const uint8_t *)"secret";
		c->psk_len = 6;
		set_id(&c->local_id, s ? "gw-b.example" : "gw-a.example");
		set_id(&c->remote_id, s ? "gw-a.example" : "gw-b.example");
		ch->n_local_ts = ch->n_remote_ts = 1;
		set_ts(&ch->local_ts[0], s ? "10.2.0.0/16" : "10.1.0.0/16");
		set_ts(&ch->remote_ts[0], s ? "10.1.0.0/16" : "10.2.0.0/16");
		c->retransmit.base = 1000LL * 1000 * 1000;
		c->retransmit.factor = 1.8;
		c->retransmit.tries = 3;
		c->initial_contact = true; /* as the scenario and CLI loaders default it */
		c->keyingtries = 1;
	}
}

static void host_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	struct pair_side *ps = ctx;
	pair *pr = ps->pr;
	const int *side = &ps->side;
	size_t n = ++pr->sent[*side];
	if (pr->filter && !pr->filter(pr, *side, n, data, len))
		return;
	assert_true(pr->nq < PAIR_MAX_QUEUE);
	pair_dgram *d = &pr->q[pr->nq++];
	d->at = pr->now + pr->latency;
	d->to_peer = !*side;
	d->from = *from;
	d->to = *to;
	if (*side == 0 && pr->nat_port)
		d->from.port = pr->nat_port;
	d->len = len;
	d->data = malloc(len);
	memcpy(d->data, data, len);
}

/* Not IKE: only NAT keepalives go this way; they are counted (one 0xFF byte each), never delivered. */
static void host_send_raw(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	struct pair_side *ps = ctx;
	pair *pr = ps->pr;
	assert_int_equal(len, 1);
	assert_int_equal(data[0], 0xFF);
	pr->raw_sent[ps->side]++;
	pr->raw_last[ps->side] = pr->now;
	pr->raw_from[ps->side] = *from;
	pr->raw_to[ps->side] = *to;
}

static void host_trace(void *ctx, ike_time now, const char *ev, const char *fields)
{
	struct pair_side *ps = ctx;
	pair *pr = ps->pr;
	const int *side = &ps->side;
	if (!pr->record_trace || pr->ntrace >= PAIR_MAX_TRACE)
		return;
	size_t n = strlen(ev) + strlen(fields) + 8;
	char *line = malloc(n);
	snprintf(line, n, "%d %s {%s}", *side, ev, fields);
	pr->trace_t[pr->ntrace] = now;
	pr->trace[pr->ntrace++] = line;
}

static void host_sa_event(void *ctx, ike_time now, const ike_sa_event *ev)
{
	struct pair_side *ps = ctx;
	(void)now;
	ps->pr->sa_hook(ps->pr, ps->side, ev);
}

static int host_submit(void *ctx, ike_job *job)
{
	struct pair_side *ps = ctx;
	pair *pr = ps->pr;
	if (pr->njobs == PAIR_MAX_JOBS)
		return -1;
	pr->job_side[pr->njobs] = ps->side;
	pr->jobs[pr->njobs++] = job;
	pr->jobs_submitted++;
	return 0;
}

size_t pair_finish_jobs(pair *pr)
{
	size_t n = 0;
	while (pr->njobs) { /* a job handed back may submit another: take them one at a time, oldest first */
		ike_job *j = pr->jobs[0];
		int s = pr->job_side[0];
		memmove(pr->jobs, pr->jobs + 1, (pr->njobs - 1) * sizeof(pr->jobs[0]));
		memmove(pr->job_side, pr->job_side + 1, (pr->njobs - 1) * sizeof(pr->job_side[0]));
		pr->njobs--;
		ike_job_run(j);
		ike_peer_job_done(pr->peer[s], pr->now, j);
		n++;
	}
	return n;
}

static void start_side(pair *pr, int s, uint64_t seed)
{
	uint8_t sd[8];
	for (int i = 0; i < 8; i++)
		sd[i] = (uint8_t)(seed >> (8 * i));
	pr->side_ctx[s].pr = pr;
	pr->side_ctx[s].side = s;
	pr->host[s] = (ike_host){ .ctx = &pr->side_ctx[s], .send = host_send, .trace = host_trace,
				  .sa_event = pr->sa_hook ? host_sa_event : NULL, .send_raw = host_send_raw,
				  .submit = pr->defer_jobs ? host_submit : NULL };
	ike_peer_cfg pc = { .name = s ? "resp" : "init",
			    .crypto = pr->crypto,
			    .seed = sd,
			    .seed_len = sizeof(sd),
			    .conns = &pr->conn[s],
			    .n_conns = 1,
			    .reveal_keys = !pr->hide_keys,
			    .cookie_threshold = pr->cookie_threshold[s],
			    .cookie_threshold_ip = pr->cookie_threshold_ip[s],
			    .block_threshold = pr->block_threshold[s],
			    .half_open_limit = pr->half_open_limit[s] };
	pr->peer[s] = ike_peer_new(&pc, &pr->host[s]);
	assert_non_null(pr->peer[s]);
}

void pair_start(pair *pr, uint64_t seed)
{
	for (int s = 0; s < 2; s++)
		start_side(pr, s, seed);
}

void pair_reboot(pair *pr, int side, uint64_t seed)
{
	ike_peer_free(pr->peer[side]);
	for (size_t i = 0; i < pr->nq;) { /* what was on its way to the old peer is lost with it */
		if (pr->q[i].to_peer == side) {
			free(pr->q[i].data);
			pr->q[i] = pr->q[--pr->nq];
		} else {
			i++;
		}
	}
	start_side(pr, side, seed);
}

void pair_run(pair *pr, ike_time limit)
{
	assert_int_equal(ike_peer_initiate(pr->peer[0], pr->now, 0), 0);
	pair_run_pending(pr, limit);
}

void pair_run_pending(pair *pr, ike_time limit) { (void)pair_run_steps(pr, limit, SIZE_MAX); }

size_t pair_run_steps(pair *pr, ike_time limit, size_t max_steps)
{
	for (size_t steps = 0;; steps++) {
		ike_time next = IKE_TIME_NEVER;
		int who = -1;
		size_t qi = SIZE_MAX;
		for (size_t i = 0; i < pr->nq; i++)
			if (pr->q[i].at < next) {
				next = pr->q[i].at;
				qi = i;
			}
		for (int s = 0; s < 2; s++) {
			ike_time d = ike_peer_next_deadline(pr->peer[s]);
			if (d < next) {
				next = d;
				who = s;
				qi = SIZE_MAX;
			}
		}
		if (next == IKE_TIME_NEVER || next > limit || steps >= max_steps)
			return steps;
		pr->now = next;
		if (qi != SIZE_MAX) {
			pair_dgram d = pr->q[qi];
			pr->q[qi] = pr->q[--pr->nq];
			ike_peer_input(pr->peer[d.to_peer], pr->now, &d.from, &d.to, d.data, d.len);
			free(d.data);
		} else {
			ike_peer_expire(pr->peer[who], pr->now);
		}
	}
}

void pair_free(pair *pr)
{
	for (int s = 0; s < 2; s++)
		ike_peer_free(pr->peer[s]);
	for (size_t i = 0; i < pr->njobs; i++) /* their SAs are gone: orphans */
		ike_job_free(pr->jobs[i]);
	for (size_t i = 0; i < pr->nq; i++)
		free(pr->q[i].data);
	for (size_t i = 0; i < pr->ntrace; i++)
		free(pr->trace[i]);
	ike_crypto_free(pr->crypto);
}

size_t pair_count(const pair *pr, int side, const char *a, const char *b)
{
	size_t n = 0;
	for (size_t i = 0; i < pr->ntrace; i++) {
		const char *l = pr->trace[i];
		if (side >= 0 && l[0] != (char)('0' + side))
			continue;
		if ((!a || strstr(l, a)) && (!b || strstr(l, b)))
			n++;
	}
	return n;
}

static size_t kdf_value(const pair *pr, int side, const char *name, char *out, size_t cap, bool last)
{
	char want[64];
	snprintf(want, sizeof(want), "\"name\":\"%s\"", name);
	for (size_t k = 0; k < pr->ntrace; k++) {
		const char *l = pr->trace[last ? pr->ntrace - 1 - k : k];
		if (l[0] != (char)('0' + side) || !strstr(l, " kdf ") || !strstr(l, want))
			continue;
		const char *v = strstr(l, "\"value\":\"");
		if (!v)
			return 0;
		v += 9;
		size_t n = strcspn(v, "\"");
		if (n >= cap)
			return 0;
		memcpy(out, v, n);
		out[n] = '\0';
		return n;
	}
	return 0;
}

size_t pair_kdf_value(const pair *pr, int side, const char *name, char *out, size_t cap)
{
	return kdf_value(pr, side, name, out, cap, false);
}

size_t pair_kdf_last(const pair *pr, int side, const char *name, char *out, size_t cap)
{
	return kdf_value(pr, side, name, out, cap, true);
}

void pair_set_creds(pair *pr, const ike_cred *c0, const ike_cred *c1)
{
	const ike_cred *c[2] = { c0, c1 };
	for (int s = 0; s < 2; s++) {
		pr->conn[s].auth = IKE_AUTH_PUBKEY;
		pr->conn[s].psk = NULL;
		pr->conn[s].psk_len = 0;
		pr->conn[s].cred = c[s];
	}
}

typedef struct pair_capture {
	uint8_t *out;
	size_t cap, len;
} pair_capture;

static void capture_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t n)
{
	pair_capture *c = ctx;
	(void)from;
	(void)to;
	assert_true(n <= c->cap);
	memcpy(c->out, d, n);
	c->len = n;
}

size_t pair_first_init(const ike_crypto *crypto, uint8_t *out, size_t cap)
{
	pair tmp;
	static const uint8_t seed[] = "first-init";
	pair_capture c = { out, cap, 0 };
	pair_init(&tmp, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	ike_host h = { .ctx = &c, .send = capture_send };
	ike_peer_cfg pc = { .name = "init", .crypto = crypto, .seed = seed, .seed_len = sizeof(seed),
			    .conns = &tmp.conn[0], .n_conns = 1 };
	ike_peer *g = ike_peer_new(&pc, &h);
	assert_non_null(g);
	assert_int_equal(ike_peer_initiate(g, 0, 0), 0);
	ike_peer_free(g);
	ike_crypto_free(tmp.crypto);
	assert_true(c.len > 28);
	return c.len;
}
