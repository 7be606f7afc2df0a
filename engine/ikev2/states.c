/* The IKEv2 state tables (RFC 7296 1.2, 1.3, 1.4, 2.4; strongSwan's state names). */
#include "ikev2/states.h"

#include "ikev2/sa.h"
#include "wire/v2.h"

const v2_transition v2_ike_transitions[V2_T_IKE_NTRANS] = {
	[V2_T_IKE_I_START] = { V2_IKE_CREATED, V2_IKE_CONNECTING, V2_IKE_SA_INIT, V2_ROLE_INITIATOR,
			       "send IKE_SA_INIT request", "initiate: propose algorithms, send KE and nonce", "i-start", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_I_RETRY] = { V2_IKE_CONNECTING, V2_IKE_CONNECTING, V2_IKE_SA_INIT, V2_ROLE_INITIATOR,
			       "recv IKE_SA_INIT response with INVALID_KE_PAYLOAD or COOKIE",
			       "retry IKE_SA_INIT with the group or cookie the responder asked for", "i-retry", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_I_INIT_FAILED] = { V2_IKE_CONNECTING, V2_IKE_DESTROYING, V2_IKE_SA_INIT, V2_ROLE_INITIATOR,
				     "recv IKE_SA_INIT response with an error notify",
				     "responder refused the IKE SA (e.g. NO_PROPOSAL_CHOSEN)", "i-init-refused", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_R_INIT] = { V2_IKE_CREATED, V2_IKE_CONNECTING, V2_IKE_SA_INIT, V2_ROLE_RESPONDER,
			      "recv IKE_SA_INIT request, send response",
			      "choose a proposal in our order, answer with KE and nonce, derive keys", "r-init", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_I_AUTH_OK] = { V2_IKE_CONNECTING, V2_IKE_ESTABLISHED, V2_IKE_AUTH, V2_ROLE_INITIATOR,
				 "recv IKE_AUTH response", "responder's AUTH verified: IKE SA established", "i-auth-ok",
				 V2_MSG_RESPONSE, v2_auth_i_recv, 0 },
	[V2_T_IKE_R_AUTH_OK] = { V2_IKE_CONNECTING, V2_IKE_ESTABLISHED, V2_IKE_AUTH, V2_ROLE_RESPONDER,
				 "recv IKE_AUTH request, send response",
				 "initiator's AUTH verified: IKE SA established", "r-auth-ok",
				 V2_MSG_REQUEST, v2_auth_r_recv, 0 },
	[V2_T_IKE_I_AUTH_FAILED] = { V2_IKE_CONNECTING, V2_IKE_DESTROYING, V2_IKE_AUTH, V2_ROLE_INITIATOR,
				     "recv IKE_AUTH response",
				     "authentication failed (AUTHENTICATION_FAILED received or bad AUTH)", "i-auth-failed", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_R_AUTH_FAILED] = { V2_IKE_CONNECTING, V2_IKE_DESTROYING, V2_IKE_AUTH, V2_ROLE_RESPONDER,
				     "recv IKE_AUTH request, send AUTHENTICATION_FAILED",
				     "initiator's AUTH did not verify", "r-auth-failed", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_TIMEOUT] = { V2_IKE_CONNECTING, V2_IKE_DESTROYING, 0, V2_ROLE_ANY, "timer",
			       "no answer after all retransmissions, or half-open SA timed out", "timeout", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_DELETE_SENT] = { V2_IKE_ESTABLISHED, V2_IKE_DELETING, V2_INFORMATIONAL, V2_ROLE_ANY,
				   "send INFORMATIONAL request with Delete", "closing the IKE SA", "delete-sent", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_DELETE_RECV] = { V2_IKE_ESTABLISHED, V2_IKE_DESTROYING, V2_INFORMATIONAL, V2_ROLE_ANY,
				   "recv INFORMATIONAL request with Delete, send response",
				   "peer closed the IKE SA", "delete-recv", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_DELETE_DONE] = { V2_IKE_DELETING, V2_IKE_DESTROYING, V2_INFORMATIONAL, V2_ROLE_ANY,
				   "recv INFORMATIONAL response (or timer)", "IKE SA deleted", "delete-done",
				   V2_MSG_RESPONSE, v2_info_i_recv, 0 },
	[V2_T_IKE_DEAD] = { V2_IKE_ESTABLISHED, V2_IKE_DESTROYING, 0, V2_ROLE_ANY, "timer",
			    "peer stopped answering: retransmissions exhausted", "dead-peer", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_PEER_AUTH_FAILED] = { V2_IKE_ESTABLISHED, V2_IKE_DESTROYING, V2_INFORMATIONAL, V2_ROLE_RESPONDER,
					"recv INFORMATIONAL request with AUTHENTICATION_FAILED",
					"the initiator rejected our AUTH after IKE_AUTH", "r-auth-rejected", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_AUTH_SYNTAX] = { V2_IKE_CONNECTING, V2_IKE_DESTROYING, V2_IKE_AUTH, V2_ROLE_ANY,
				   "IKE_AUTH message malformed: INVALID_SYNTAX sent or received",
				   "a malformed IKE_AUTH message: no IKE SA (RFC 7296 2.21.2)", "auth-syntax", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_SYNTAX] = { V2_IKE_ESTABLISHED, V2_IKE_DESTROYING, V2_INFORMATIONAL, V2_ROLE_ANY,
			      "malformed request in any exchange (send INVALID_SYNTAX), or INVALID_SYNTAX received",
			      "INVALID_SYNTAX is fatal on both sides, no Delete (RFC 7296 2.21.3)", "syntax", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_LOCAL_FAIL] = { V2_IKE_CONNECTING, V2_IKE_DESTROYING, 0, V2_ROLE_ANY,
				  "our next message could not be built or sealed",
				  "a local failure (message too big, sealing failed): the SA cannot go on", "local-fail", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_LOCAL_FAIL_UP] = { V2_IKE_ESTABLISHED, V2_IKE_DESTROYING, 0, V2_ROLE_ANY,
				     "our next message could not be built or sealed",
				     "a local failure (message too big, sealing failed): the SA cannot go on", "local-fail-up", V2_MSG_NONE, NULL, 0 },
	/* Dispatch rows that do not move the IKE SA by themselves (quiet): their handlers take outcome rows. */
	[V2_T_IKE_I_INIT_RX] = { V2_IKE_CONNECTING, V2_IKE_CONNECTING, V2_IKE_SA_INIT, V2_ROLE_INITIATOR,
				 "recv IKE_SA_INIT response", "derive keys, then authenticate in IKE_AUTH", "i-init-rx",
				 V2_MSG_RESPONSE, v2_init_i_recv, V2_TRF_QUIET },
	[V2_T_IKE_INFO_R] = { V2_IKE_ESTABLISHED, V2_IKE_ESTABLISHED, V2_INFORMATIONAL, V2_ROLE_ANY,
			      "recv INFORMATIONAL request", "Delete, notify or liveness check: answer it", "info-r",
			      V2_MSG_REQUEST, v2_info_r_recv, V2_TRF_QUIET },
	[V2_T_IKE_INFO_I] = { V2_IKE_ESTABLISHED, V2_IKE_ESTABLISHED, V2_INFORMATIONAL, V2_ROLE_ANY,
			      "recv INFORMATIONAL response", "our INFORMATIONAL request was answered", "info-i",
			      V2_MSG_RESPONSE, v2_info_i_recv, V2_TRF_QUIET },
	[V2_T_IKE_DELETING_INFO_R] = { V2_IKE_DELETING, V2_IKE_DELETING, V2_INFORMATIONAL, V2_ROLE_ANY,
				       "recv INFORMATIONAL request while deleting", "answer it (a Delete may cross ours)",
				       "deleting-info-r", V2_MSG_REQUEST, v2_info_r_recv, V2_TRF_QUIET },
	[V2_T_IKE_CHILD_R] = { V2_IKE_ESTABLISHED, V2_IKE_ESTABLISHED, V2_CREATE_CHILD_SA, V2_ROLE_ANY,
			       "recv CREATE_CHILD_SA request", "a new or rekeyed CHILD SA, or an IKE SA rekey", "child-r",
			       V2_MSG_REQUEST, v2_child_r_recv, V2_TRF_QUIET },
	[V2_T_IKE_DELETING_CHILD_R] = { V2_IKE_DELETING, V2_IKE_DELETING, V2_CREATE_CHILD_SA, V2_ROLE_ANY,
					"recv CREATE_CHILD_SA request while deleting", "refused: the IKE SA is going away",
					"deleting-child-r", V2_MSG_REQUEST, v2_child_r_recv, V2_TRF_QUIET },
	/* liveness.c, initial_contact.c */
	[V2_T_IKE_INITIAL_CONTACT] = { V2_IKE_ESTABLISHED, V2_IKE_DESTROYING, V2_IKE_AUTH, V2_ROLE_ANY,
				       "recv INITIAL_CONTACT in another IKE SA's IKE_AUTH with the same peer",
				       "the peer restarted and forgot this SA: gone without a Delete (RFC 7296 2.4)",
				       "initial-contact", V2_MSG_NONE, NULL, 0 },
	[V2_T_IKE_DELETE_TIMEOUT] = { V2_IKE_DELETING, V2_IKE_DESTROYING, 0, V2_ROLE_ANY, "timer",
				      "our Delete was never answered: the IKE SA goes anyway (RFC 7296 2.4)",
				      "delete-timeout", V2_MSG_NONE, NULL, 0 },
};

const v2_transition v2_child_transitions[V2_T_CHILD_NTRANS] = {
	[V2_T_CHILD_INSTALLING] = { V2_CHILD_CREATED, V2_CHILD_INSTALLING, V2_IKE_AUTH, V2_ROLE_ANY,
				    "send or recv SA with TSi/TSr in IKE_AUTH",
				    "CHILD SA proposed inside IKE_AUTH", "installing", V2_MSG_NONE, NULL, 0 },
	[V2_T_CHILD_INSTALLED] = { V2_CHILD_INSTALLING, V2_CHILD_INSTALLED, V2_IKE_AUTH, V2_ROLE_ANY,
				   "IKE_AUTH completes", "proposal and traffic selectors agreed, KEYMAT derived", "installed", V2_MSG_NONE, NULL, 0 },
	[V2_T_CHILD_REFUSED] = { V2_CHILD_INSTALLING, V2_CHILD_DESTROYING, V2_IKE_AUTH, V2_ROLE_ANY,
				 "IKE_AUTH completes with an error notify",
				 "no common ESP proposal or traffic selectors (the IKE SA stays up)", "refused", V2_MSG_NONE, NULL, 0 },
	[V2_T_CHILD_IKE_GONE] = { V2_CHILD_INSTALLING, V2_CHILD_DESTROYING, 0, V2_ROLE_ANY, "IKE SA failed",
				  "the IKE SA carrying it failed", "ike-failed", V2_MSG_NONE, NULL, 0 },
	[V2_T_CHILD_DELETE_RECV] = { V2_CHILD_INSTALLED, V2_CHILD_DESTROYING, V2_INFORMATIONAL, V2_ROLE_ANY,
				     "recv INFORMATIONAL request with Delete (ESP)", "peer closed the CHILD SA", "delete-recv", V2_MSG_NONE, NULL, 0 },
	[V2_T_CHILD_IKE_DELETED] = { V2_CHILD_INSTALLED, V2_CHILD_DESTROYING, V2_INFORMATIONAL, V2_ROLE_ANY,
				     "IKE SA deleted", "deleting an IKE SA deletes its CHILD SAs", "ike-deleted", V2_MSG_NONE, NULL, 0 },
	[V2_T_CHILD_DELETE_SENT] = { V2_CHILD_INSTALLED, V2_CHILD_DELETING, V2_INFORMATIONAL, V2_ROLE_ANY,
				     "send INFORMATIONAL request with Delete (ESP)", "closing the CHILD SA", "delete-sent", V2_MSG_NONE, NULL, 0 },
	[V2_T_CHILD_DELETE_DONE] = { V2_CHILD_DELETING, V2_CHILD_DESTROYING, V2_INFORMATIONAL, V2_ROLE_ANY,
				     "recv INFORMATIONAL response (or the peer's Delete of it)", "CHILD SA deleted",
				     "delete-done", V2_MSG_NONE, NULL, 0 },
	[V2_T_CHILD_DELETING_IKE_GONE] = { V2_CHILD_DELETING, V2_CHILD_DESTROYING, 0, V2_ROLE_ANY,
					   "IKE SA deleted or failed", "the IKE SA carrying it is gone", "deleting-ike-gone", V2_MSG_NONE, NULL, 0 },
};

const char *v2_ike_state_name(uint8_t s)
{
	static const char *const n[V2_IKE_NSTATES] = { "CREATED",  "CONNECTING", "ESTABLISHED", "REKEYING",
						       "REKEYED",  "DELETING",   "DESTROYING" };
	return s < V2_IKE_NSTATES ? n[s] : "?";
}

const char *v2_child_state_name(uint8_t s)
{
	static const char *const n[V2_CHILD_NSTATES] = { "CREATED", "INSTALLING", "INSTALLED", "REKEYING",
							 "REKEYED", "DELETING",   "DESTROYING" };
	return s < V2_CHILD_NSTATES ? n[s] : "?";
}

const v2_transition *v2_dispatch_row(uint8_t state, uint8_t role, uint8_t exchange, uint8_t msg)
{
	for (size_t i = 0; i < V2_T_IKE_NTRANS; i++) {
		const v2_transition *t = &v2_ike_transitions[i];
		if (t->handler && t->from == state && (t->role & role) && t->exchange == exchange && t->msg == msg)
			return t;
	}
	return NULL;
}
