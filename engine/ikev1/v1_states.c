/* IKEv1 state machines as const tables (same row type as IKEv2's): the engine moves only through these rows. */
#include "ikev1/v1_sa.h"

#define I V2_ROLE_INITIATOR
#define R V2_ROLE_RESPONDER
#define A V2_ROLE_ANY

const v2_transition v1_ike_transitions[V1_T_IKE_N] = {
	[V1_T_I_START] = { V2_IKE_CREATED, V2_IKE_CONNECTING, V1_EXCH_ID_PROT, I, "initiate",
			   "initiator sends Main Mode message 1 (SA)", "i-start", 0, NULL, 0 },
	[V1_T_R_START] = { V2_IKE_CREATED, V2_IKE_CONNECTING, V1_EXCH_ID_PROT, R, "recv Main Mode 1",
			   "responder chose a proposal and sent Main Mode message 2", "r-start", 0, NULL, 0 },
	[V1_T_I_AUTH_OK] = { V2_IKE_CONNECTING, V2_IKE_ESTABLISHED, V1_EXCH_ID_PROT, I, "recv Main Mode 6",
			     "responder's HASH_R verified: ISAKMP SA established", "i-auth-ok", 0, NULL, 0 },
	[V1_T_R_AUTH_OK] = { V2_IKE_CONNECTING, V2_IKE_ESTABLISHED, V1_EXCH_ID_PROT, R, "recv Main Mode 5",
			     "initiator's HASH_I verified, Main Mode message 6 sent: ISAKMP SA established",
			     "r-auth-ok", 0, NULL, 0 },
	[V1_T_NO_PROP] = { V2_IKE_CONNECTING, V2_IKE_DESTROYING, V1_EXCH_ID_PROT, A, "no acceptable proposal",
			   "NO-PROPOSAL-CHOSEN sent or received", "no-proposal", 0, NULL, 0 },
	[V1_T_AUTH_FAILED] = { V2_IKE_CONNECTING, V2_IKE_DESTROYING, V1_EXCH_ID_PROT, A, "bad HASH_I/HASH_R",
			       "authentication failed (wrong pre-shared key?)", "auth-failed", 0, NULL, 0 },
	[V1_T_TIMEOUT] = { V2_IKE_CONNECTING, V2_IKE_DESTROYING, 0, A, "retransmissions exhausted",
			   "no answer after all retransmissions", "timeout", 0, NULL, 0 },
	[V1_T_DEAD] = { V2_IKE_ESTABLISHED, V2_IKE_DESTROYING, 0, A, "retransmissions exhausted",
			"the peer stopped answering", "dead-peer", 0, NULL, 0 },
	[V1_T_LOCAL_FAIL] = { V2_IKE_CONNECTING, V2_IKE_DESTROYING, 0, A, "local failure",
			      "a message of ours could not be built or sealed", "local-fail", 0, NULL, 0 },
	[V1_T_R_REFUSED] = { V2_IKE_CREATED, V2_IKE_DESTROYING, V1_EXCH_ID_PROT, R, "recv Main Mode 1",
			     "no acceptable proposal: NO-PROPOSAL-CHOSEN sent", "r-refused", 0, NULL, 0 },
	[V1_T_DELETE_SENT] = { V2_IKE_ESTABLISHED, V2_IKE_DESTROYING, V1_EXCH_INFORMATIONAL, A, "local delete",
			       "we sent Delete(ISAKMP): IKEv1 Deletes are not answered", "delete-sent", 0, NULL, 0 },
	[V1_T_DELETE_RECV] = { V2_IKE_ESTABLISHED, V2_IKE_DESTROYING, V1_EXCH_INFORMATIONAL, A, "recv Delete(ISAKMP)",
			       "the peer deleted the ISAKMP SA", "delete-recv", 0, NULL, 0 },
	[V1_T_AM_I_START] = { V2_IKE_CREATED, V2_IKE_CONNECTING, V1_EXCH_AGGRESSIVE, I, "initiate (aggressive)",
			      "initiator sends Aggressive Mode message 1 (SA KE Ni IDii)", "am-i-start", 0, NULL, 0 },
	[V1_T_AM_R_START] = { V2_IKE_CREATED, V2_IKE_CONNECTING, V1_EXCH_AGGRESSIVE, R, "recv Aggressive Mode 1",
			      "responder sent Aggressive Mode message 2 (SA KE Nr IDir HASH_R)", "am-r-start", 0, NULL,
			      0 },
	[V1_T_AM_I_OK] = { V2_IKE_CONNECTING, V2_IKE_ESTABLISHED, V1_EXCH_AGGRESSIVE, I, "recv Aggressive Mode 2",
			   "HASH_R verified, Aggressive Mode message 3 (HASH_I) sent: ISAKMP SA established",
			   "am-i-auth-ok", 0, NULL, 0 },
	[V1_T_AM_R_OK] = { V2_IKE_CONNECTING, V2_IKE_ESTABLISHED, V1_EXCH_AGGRESSIVE, R, "recv Aggressive Mode 3",
			   "HASH_I verified: ISAKMP SA established", "am-r-auth-ok", 0, NULL, 0 },
};

const v2_transition v1_child_transitions[V1_T_CHILD_N] = {
	[V1_T_C_I_START] = { V2_CHILD_CREATED, V2_CHILD_INSTALLING, V1_EXCH_QUICK, I, "ISAKMP SA up",
			     "initiator sends Quick Mode message 1 (HASH(1) SA Ni [KE] IDci IDcr)", "i-start", 0, NULL, 0 },
	[V1_T_C_R_START] = { V2_CHILD_CREATED, V2_CHILD_INSTALLING, V1_EXCH_QUICK, R, "recv Quick Mode 1",
			     "responder chose a proposal, sent Quick Mode message 2 (HASH(2))", "r-start", 0, NULL, 0 },
	[V1_T_C_I_DONE] = { V2_CHILD_INSTALLING, V2_CHILD_INSTALLED, V1_EXCH_QUICK, I, "recv Quick Mode 2",
			    "HASH(2) verified, KEYMAT derived, HASH(3) sent", "i-installed", 0, NULL, 0 },
	[V1_T_C_R_DONE] = { V2_CHILD_INSTALLING, V2_CHILD_INSTALLED, V1_EXCH_QUICK, R, "recv Quick Mode 3",
			    "HASH(3) verified, KEYMAT derived", "r-installed", 0, NULL, 0 },
	[V1_T_C_FAILED] = { V2_CHILD_INSTALLING, V2_CHILD_DESTROYING, V1_EXCH_QUICK, A, "Quick Mode failed",
			    "no proposal, unacceptable IDs or no answer", "failed", 0, NULL, 0 },
	[V1_T_C_GONE] = { V2_CHILD_INSTALLED, V2_CHILD_DESTROYING, 0, A, "ISAKMP SA gone",
			  "the ISAKMP SA that made it went away", "gone", 0, NULL, 0 },
	[V1_T_C_DELETE] = { V2_CHILD_INSTALLED, V2_CHILD_DESTROYING, V1_EXCH_INFORMATIONAL, A, "Delete(ESP)",
			    "Delete(ESP) sent or received", "deleted", 0, NULL, 0 },
	[V1_T_C_REKEYED] = { V2_CHILD_INSTALLED, V2_CHILD_DESTROYING, V1_EXCH_QUICK, A, "new Quick Mode installed",
			     "replaced by the IPsec SA of a new Quick Mode: Delete(ESP) sent or received", "rekeyed", 0,
			     NULL, 0 },
};
