/*
 * Bounded tracing of unauthenticated input (RFC 7296 2.21.4: limit what unprotected messages make us
 * do). The first V2_REFUSAL_BURST refusals or drops of a window are traced in full; the rest are
 * only counted and reported as one `ike.refused` event when the window ends, so a flood of forged
 * IKE_SA_INITs costs the trace one line a second instead of kilobytes a message.
 */
#include "ikev2/sa.h"

bool v2_refusal_trace(ike_peer *p, ike_time now, enum v2_refusal why)
{
	if (now >= p->ref_window_end) {
		v2_refusal_report(p, now);
		p->ref_window_end = now > IKE_TIME_NEVER - V2_REFUSAL_WINDOW ? IKE_TIME_NEVER : now + V2_REFUSAL_WINDOW;
		p->ref_traced = 0;
	}
	if (p->ref_traced < V2_REFUSAL_BURST) {
		p->ref_traced++;
		return true;
	}
	p->ref_count[why]++;
	p->ref_pending = true;
	return false;
}

void v2_refusal_report(ike_peer *p, ike_time now)
{
	static const char *const names[V2_REF_N] = { "cookies-sent", "blocked-per-ip", "over-half-open-limit",
						     "cookies-rate-limited", "refused", "dropped",
						     "answered-from-cache" };
	if (!p->ref_pending)
		return;
	p->ref_pending = false;
	if (v2_tracing(p)) {
		ike_jsonw w;
		uint64_t total = 0;
		ike_jsonw_init(&w);
		ike_jsonw_str(&w, "what", "unauthenticated messages not traced one by one");
		for (int i = 0; i < V2_REF_N; i++) {
			ike_jsonw_int(&w, names[i], (int64_t)p->ref_count[i]);
			total += p->ref_count[i];
		}
		ike_jsonw_int(&w, "total", (int64_t)total);
		ike_jsonw_int(&w, "half-open", (int64_t)p->half_open);
		v2_emit(p, now, "ike.refused", &w);
	}
	for (int i = 0; i < V2_REF_N; i++)
		p->ref_count[i] = 0;
}

ike_time v2_refusal_deadline(const ike_peer *p) { return p->ref_pending ? p->ref_window_end : IKE_TIME_NEVER; }
