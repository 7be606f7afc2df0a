/*
 * CREATE_CHILD_SA, responder of the exchange (RFC 7296 1.3). Creating and rekeying SAs is not
 * implemented yet: every well-formed request is refused with NO_ADDITIONAL_SAS, which 1.3 names for a
 * responder that accepts no more CHILD SAs on this IKE SA and allows for refusing an IKE SA rekey.
 * The IKE SA and its CHILD SA stay as they are; the answer is cached like any response (2.1).
 */
#include "ikev2/sa.h"

/* What the request asks for (1.3.1, 1.3.2, 1.3.3), for the trace. */
static const char *asked_for(const v2_chain *ch)
{
	if (v2_chain_find_notify(ch, V2_N_REKEY_SA))
		return "CREATE_CHILD_SA (CHILD SA rekey) refused: not implemented yet";
	if (v2_chain_find(ch, V2_PL_TSI))
		return "CREATE_CHILD_SA (new CHILD SA) refused: not implemented yet";
	return "CREATE_CHILD_SA (IKE SA rekey) refused: not implemented yet";
}

int v2_child_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	/* Every form carries SA and Ni: without them the request is malformed (2.21.3). */
	if (!v2_chain_find(&in->inner, V2_PL_SA) || !v2_chain_find(&in->inner, V2_PL_NONCE)) {
		v2_refuse_fatal(sa, now, in, V2_N_INVALID_SYNTAX, NULL, 0, "CREATE_CHILD_SA request without SA or Nonce");
		return V2_H_GONE;
	}
	v2_trace_error(sa->peer, now, sa, "request refused", asked_for(&in->inner), V2_N_NO_ADDITIONAL_SAS);
	if (v2_answer_notify(sa, now, in, V2_N_NO_ADDITIONAL_SAS, NULL, 0) != 0) {
		v2_fail_local(sa, now, "could not seal our NO_ADDITIONAL_SAS answer");
		return V2_H_GONE;
	}
	return V2_H_OK;
}
