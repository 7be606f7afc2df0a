/*
 * IKEv2 state machines as const tables. The engine changes state only through these rows,
 * and viz draws the diagrams from the very same rows.
 */
#ifndef IKE_IKEV2_STATES_H
#define IKE_IKEV2_STATES_H

#include <stddef.h>
#include <stdint.h>

/* IKE SA states, named as strongSwan names them. */
enum v2_ike_state {
	V2_IKE_CREATED,
	V2_IKE_CONNECTING,
	V2_IKE_ESTABLISHED,
	V2_IKE_REKEYING,
	V2_IKE_REKEYED,
	V2_IKE_DELETING,
	V2_IKE_DESTROYING,
	V2_IKE_NSTATES,
};

/* CHILD SA states, named as strongSwan names them. */
enum v2_child_state {
	V2_CHILD_CREATED,
	V2_CHILD_INSTALLING,
	V2_CHILD_INSTALLED,
	V2_CHILD_REKEYING,
	V2_CHILD_REKEYED,
	V2_CHILD_DELETING,
	V2_CHILD_DESTROYING,
	V2_CHILD_NSTATES,
};

enum v2_role { V2_ROLE_INITIATOR = 1, V2_ROLE_RESPONDER = 2, V2_ROLE_ANY = 3 };

/* Which message a row is about: none (a timer, a local action or an outcome), a request or a response. */
enum v2_msg_kind { V2_MSG_NONE, V2_MSG_REQUEST, V2_MSG_RESPONSE };

/* Row flags. QUIET: a dispatch row that does not change the state by itself (from == to, no trace event);
 * the handler's outcome rows do. Pictures leave quiet rows out. */
#define V2_TRF_QUIET 1u

struct v2_ike_sa;
struct v2_inbound;
/* Runs for an authenticated message; returns enum v2_hres (V2_H_OK: the SA is still held, V2_H_GONE: freed). */
typedef int (*v2_handler)(struct v2_ike_sa *sa, int64_t now, struct v2_inbound *in);
enum v2_hres { V2_H_OK, V2_H_GONE };

/*
 * One edge of a state machine: in `from`, on `exchange` (0: a timer or a local action) as `role`, go to `to`.
 * Rows with a handler are also the dispatch table: an authenticated message of (exchange, request or
 * response) arriving at an SA in `from` with our role in `role` runs the handler of the first such row.
 */
typedef struct v2_transition {
	uint8_t from, to;
	uint8_t exchange;
	uint8_t role;
	const char *trigger; /* what happens: "recv IKE_AUTH response" */
	const char *story;   /* the one-line why, shown in traces and diagrams */
	const char *name;    /* stable short name ("i-auth-ok"), unique in its table: traces and pictures use it */
	uint8_t msg;         /* enum v2_msg_kind: with a handler, which message dispatches here */
	v2_handler handler;  /* NULL: an outcome row, taken by a handler or a timer */
	uint8_t flags;       /* V2_TRF_* */
} v2_transition;

/* IKE SA transitions; indices are enum v2_ike_tr. */
enum v2_ike_tr {
	V2_T_IKE_I_START,
	V2_T_IKE_I_RETRY,
	V2_T_IKE_I_INIT_FAILED,
	V2_T_IKE_R_INIT,
	V2_T_IKE_I_AUTH_OK,
	V2_T_IKE_R_AUTH_OK,
	V2_T_IKE_I_AUTH_FAILED,
	V2_T_IKE_R_AUTH_FAILED,
	V2_T_IKE_TIMEOUT,
	V2_T_IKE_DELETE_SENT,
	V2_T_IKE_DELETE_RECV,
	V2_T_IKE_DELETE_DONE,
	V2_T_IKE_DEAD,
	V2_T_IKE_PEER_AUTH_FAILED,
	V2_T_IKE_AUTH_SYNTAX,
	V2_T_IKE_SYNTAX,
	V2_T_IKE_LOCAL_FAIL,
	V2_T_IKE_LOCAL_FAIL_UP,
	V2_T_IKE_I_INIT_RX,
	V2_T_IKE_INFO_R,
	V2_T_IKE_INFO_I,
	V2_T_IKE_DELETING_INFO_R,
	V2_T_IKE_CHILD_R,
	V2_T_IKE_DELETING_CHILD_R,
	V2_T_IKE_REKEYING,
	V2_T_IKE_REKEY_FAILED,
	V2_T_IKE_REKEYED,
	V2_T_IKE_R_REKEYED,
	V2_T_IKE_REKEY_NEW,
	V2_T_IKE_REKEYED_DELETE_SENT,
	V2_T_IKE_REKEYED_DELETE_RECV,
	V2_T_IKE_REKEYING_DELETE_RECV,
	V2_T_IKE_REKEYING_FAIL,
	V2_T_IKE_REKEYED_FAIL,
	V2_T_IKE_CHILD_I,
	V2_T_IKE_REKEYING_CHILD_I,
	V2_T_IKE_REKEYING_CHILD_R,
	V2_T_IKE_REKEYING_INFO_R,
	V2_T_IKE_REKEYED_INFO_R,
	V2_T_IKE_REKEYED_CHILD_R,
	V2_T_IKE_INITIAL_CONTACT,
	V2_T_IKE_DELETE_TIMEOUT,
	V2_T_IKE_NTRANS,
};

/* CHILD SA transitions; indices are enum v2_child_tr. */
enum v2_child_tr {
	V2_T_CHILD_INSTALLING,
	V2_T_CHILD_INSTALLED,
	V2_T_CHILD_REFUSED,
	V2_T_CHILD_IKE_GONE,
	V2_T_CHILD_DELETE_RECV,
	V2_T_CHILD_IKE_DELETED,
	V2_T_CHILD_DELETE_SENT,
	V2_T_CHILD_DELETE_DONE,
	V2_T_CHILD_DELETING_IKE_GONE,
	V2_T_CHILD_C_INSTALLING,
	V2_T_CHILD_C_INSTALLED,
	V2_T_CHILD_C_REFUSED,
	V2_T_CHILD_REKEYING,
	V2_T_CHILD_REKEY_FAILED,
	V2_T_CHILD_REKEYED,
	V2_T_CHILD_R_REKEYED,
	V2_T_CHILD_REKEYED_DELETE_SENT,
	V2_T_CHILD_REKEYED_DELETE_RECV,
	V2_T_CHILD_REKEYING_DELETE_RECV,
	V2_T_CHILD_REKEYING_GONE,
	V2_T_CHILD_REKEYING_IKE_GONE,
	V2_T_CHILD_REKEYED_IKE_GONE,
	V2_T_CHILD_NTRANS,
};

extern const v2_transition v2_ike_transitions[V2_T_IKE_NTRANS];
extern const v2_transition v2_child_transitions[V2_T_CHILD_NTRANS];

/* State names ("ESTABLISHED"); "?" for out-of-range values. */
const char *v2_ike_state_name(uint8_t s);
const char *v2_child_state_name(uint8_t s);

/* The dispatch row for a message: first row with a handler for (state, role bit, exchange, msg); NULL if none. */
const v2_transition *v2_dispatch_row(uint8_t state, uint8_t role, uint8_t exchange, uint8_t msg);

#endif
