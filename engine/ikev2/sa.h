/* Internal IKEv2 SA and peer structures, shared by the exchange files. Not a public header. */
#ifndef IKE_IKEV2_SA_H
#define IKE_IKEV2_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/jsonw.h"
#include "crypto/dh.h"
#include "crypto/drbg.h"
#include "crypto/prf.h"
#include "crypto/registry.h"
#include "crypto/sk.h"
#include "ike.h"
#include "ikev2/fragment.h"
#include "ikev2/states.h"
#include "peer/peer.h"
#include "wire/v2.h"

#define V2_MAX_MSG 8192    /* largest unfragmented IKE message we build or accept (RFC 7383 fragments: 64 KiB) */
#define V2_STR_(x) #x
#define V2_STR(x) V2_STR_(x)
#define V2_MAX_MSG_TEXT V2_STR(V2_MAX_MSG) /* "8192", for messages that say why */
#define V2_NONCE_LEN 32
#define V2_HALF_OPEN_TIMEOUT (30 * IKE_NS_PER_SEC)

/*
 * Typed deadlines of an IKE SA (what runs when each is due: deadline.c). The SA sits in the peer's heap at
 * the earliest of these and of its CHILD SAs' own (enum v2_child_dl); ike_peer_expire runs exactly the due ones.
 */
enum v2_dl {
	V2_DL_RETRANSMIT,   /* our outstanding request: resend, or give up after the configured tries */
	V2_DL_HALF_OPEN,    /* a responder SA not authenticated in time */
	V2_DL_REKEY,        /* soft lifetime: queue an IKE rekey */
	V2_DL_REAUTH,       /* queue a reauthentication */
	V2_DL_EXPIRE,       /* hard lifetime: the SA is deleted */
	V2_DL_DPD,          /* no message from the peer for dpd_delay: queue a liveness check */
	V2_DL_DELETE_GRACE, /* a rekeyed (old) SA waits this long before its Delete, or is destroyed */
	V2_DL_KEEPALIVE,    /* NAT-T keepalive (RFC 3948) */
	V2_DL_REASM,        /* RFC 7383: an incomplete set of the peer's fragments is dropped (frag_io.c) */
	V2_DL_SETTLE,       /* the old SA whose rekey crossed the peer's went away unsettled: start what waited */
	V2_DL_N
};
enum v2_child_dl { V2_CDL_REKEY, V2_CDL_EXPIRE, V2_CDL_N };

/* Lifecycle tasks waiting for the one outstanding request (window 1), run in order by task.c. */
enum v2_task_kind {
	V2_TASK_NONE,
	V2_TASK_CHILD_CREATE, /* an additional CHILD SA (children[child]) */
	V2_TASK_CHILD_REKEY,  /* rekey the CHILD SA with our inbound SPI `spi` */
	V2_TASK_CHILD_DELETE, /* delete the CHILD SA with our inbound SPI `spi` */
	V2_TASK_IKE_REKEY,
	V2_TASK_IKE_DELETE,
	V2_TASK_IKE_REAUTH,
	V2_TASK_DPD,          /* an empty INFORMATIONAL request (liveness) */
	V2_TASK_REAUTH_DONE,  /* a reauthenticating IKE SA is up with its CHILD SAs: the old one goes (reauth.c) */
	V2_TASK_MOBIKE_UPDATE, /* RFC 4555 3.5: INFORMATIONAL with UPDATE_SA_ADDRESSES from our new address (mobike.c) */
	V2_TASK_MOBIKE_RR,    /* RFC 4555 3.7: return routability check of the peer's new address, N(COOKIE2) */
	V2_TASK_NKINDS
};
/* Why a task was queued, for traces ("reason" of *.rekeyed). */
/* PEER: we answered the peer's rekey (its reason is not on the wire). */
/* Why a task runs; MANUAL .. SEQ are ike.h's enum ike_rekey_why in its order (ike_peer_rekey_child_why). */
enum v2_task_reason { V2_WHY_MANUAL, V2_WHY_PACKETS, V2_WHY_BYTES, V2_WHY_SEQ, V2_WHY_LIFETIME, V2_WHY_REAUTH,
		      V2_WHY_COLLISION, V2_WHY_PEER };

typedef struct v2_task {
	uint8_t kind;   /* enum v2_task_kind */
	uint8_t reason; /* enum v2_task_reason */
	uint16_t child; /* CHILD_CREATE: index into conn->children */
	uint32_t spi;   /* CHILD_REKEY / CHILD_DELETE: our inbound SPI of that CHILD SA */
	uint16_t group; /* a D-H group the peer asked for (INVALID_KE_PAYLOAD retry), 0 = our first */
} v2_task;
#define V2_TASK_QUEUE 8 /* tasks waiting per IKE SA; more are refused (traced) */

typedef struct v2_child_sa v2_child_sa;

/* One CHILD SA, in its IKE SA's list; found by our inbound SPI. */
struct v2_child_sa {
	v2_child_sa *next;
	uint8_t state;
	uint16_t cfg;              /* index into conn->children */
	uint8_t n_ts_i, n_ts_r;    /* at most IKE_TS_MAX each */
	uint32_t spi_in, spi_out;
	v2_algs algs;
	ike_ts *ts;                /* narrowed selectors: n_ts_i of the initiator's side, then n_ts_r, exact size */
	uint8_t *keymat;           /* ei | ai | er | ar, exact size */
	uint16_t keymat_len;
	ike_time dl[V2_CDL_N];     /* IKE_TIME_NEVER = not armed */
	uint32_t rekey_of;         /* made by a rekey: spi_in of the CHILD SA it replaces (0: a new one) */
	uint32_t peer_rekey;       /* the peer rekeyed this one while we did too: spi_in of the CHILD SA it made */
	uint8_t *nonce_min;        /* lowest nonce of the exchange that made it, kept until a collision is settled */
	uint16_t nonce_min_len;
	bool redundant;            /* lost a 2.8.1 collision: deleted next (by us or the peer), never rekeyed */
	uint16_t pfs;              /* D-H group used for its KEYMAT, 0 none */
	bool exch_initiator;       /* we initiated the exchange that made it: KEYMAT's ei/ai protect what we send */
};

struct v2_ike_sa {
	/* Fields ordered so that nothing pads (808 bytes): a gateway holds one per road warrior. */
	v2_ike_sa *next_local;   /* hash chain by our SPI */
	v2_ike_sa *next_remote;  /* hash chain by the peer's SPI (responders: half-open lookups) */
	v2_ike_sa *next_addr, *next_id; /* peer_index.c: chains by the address made with, by the peer's ID */
	uint32_t addr_key, id_key;
	bool in_addr, in_id;
	uint16_t conn_idx;
	uint8_t state;
	bool initiator;
	bool nat_local, nat_remote; /* NAT detected in front of us / the peer */
	v2_ike_sa *conn_next;    /* the connection's SAs (ike_conn_rec.sas) */
	v2_ike_sa **conn_pprev;  /* what points at this SA in that list: unlinking is O(1) on a gateway's long list */
	struct ike_peer *peer;
	const ike_conn_cfg *conn; /* NULL until a responder matched one */
	uint64_t born;           /* creation order in the peer */
	uint64_t spi_i, spi_r;
	ike_addr local, remote;
	ike_addr init_from;      /* responder: where the IKE_SA_INIT request came from (its late retransmits, natt.c) */
	ike_addr resp_from, resp_to; /* the request being answered arrived here from there: its response goes back */
	v2_algs algs;
	ike_time last_tx;        /* when we last sent the peer anything (NAT keepalives fill silences, natt.c) */
	const ike_alg *encr_alg, *integ_alg;
	ike_dh *dh;              /* ephemeral key pair until g^ir is derived */
	uint8_t *ni, *nr;        /* freed once the first CHILD SA is keyed */
	uint8_t *init_i, *init_r; /* IKE_SA_INIT messages, kept for AUTH, then freed */
	uint8_t *cookie;
	uint8_t *keys;           /* SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr */
	uint16_t ni_len, nr_len;
	uint16_t init_i_len, init_r_len;
	uint16_t cookie_len;
	uint16_t keys_len;
	uint16_t ke_group;       /* group of the KE we sent (initiator) */
	uint8_t prf_len, integ_key_len, encr_key_len;
	bool nat_forced;         /* our connection forces UDP encapsulation (encap): our NATD_S was made not to match */
	bool has_resp;
	bool frag;               /* RFC 7383: both sides announced IKEV2_FRAGMENTATION_SUPPORTED */
	uint16_t peer_hashes;    /* SIGNATURE_HASH_ALGORITHMS the peer sent (bit h = hash id h), 0 if none */
	uint8_t rekey_reason;    /* enum v2_task_reason of the rekey in progress */
	bool peer_deleted;       /* REKEYING: the peer deleted this SA before answering our rekey; kept for that answer */
	uint32_t msgid_next_req; /* our next request's message ID */
	uint32_t msgid_peer;     /* next message ID expected in a request from the peer */
	uint8_t *req;            /* our outstanding request (for retransmission) */
	uint16_t req_len;
	uint8_t req_exchange;
	uint8_t retries;
	uint8_t restarts;         /* IKE_SA_INIT restarts for COOKIE / INVALID_KE_PAYLOAD */
	uint8_t init_err_try;     /* retransmission count when init_err arrived */
	uint16_t init_err;        /* first unprotected error notify answering our IKE_SA_INIT, 0 if none */
	uint8_t *resp;           /* our last response (answers a retransmitted request) */
	uint16_t resp_len;
	bool unsettled;          /* made by the peer's rekey crossing ours (2.8.2): no CREATE_CHILD_SA until settled */
	uint8_t ntasks;
	uint32_t resp_msgid;
	ike_time dl[V2_DL_N];    /* typed deadlines, IKE_TIME_NEVER = not armed */
	ike_time timer_at;       /* earliest of dl[] and the children's dl[]: the heap's key */
	size_t heap_idx;
	v2_train req_train;      /* our outstanding request when sent in fragments (req holds fragment 1) */
	v2_train resp_train;     /* our last response when sent in fragments (resp holds fragment 1) */
	v2_reasm *reasm[2];      /* fragments being collected: [0] of the peer's request, [1] of its response */
	ike_time reasm_since[2]; /* when the first fragment of each set came (V2_DL_REASM) */
	v2_child_sa *children;   /* CHILD SAs, oldest first; old and new coexist during a rekey */
	v2_task active;          /* the task whose request is outstanding (kind NONE: none, or the handshake) */
	uint32_t pending_child;  /* our outstanding CREATE_CHILD_SA: spi_in of the CHILD SA it makes */
	uint8_t *xn;             /* our nonce in the outstanding CREATE_CHILD_SA request (sa->dh: its D-H key) */
	uint16_t xn_len;
	uint16_t xgroup;         /* its D-H group, 0 none */
	uint16_t low_nonce_len;
	uint16_t peer_id_len;
	uint64_t rekey_spi;      /* our outstanding IKE rekey: the SPI we offered for the new IKE SA */
	uint64_t peer_rekey_spi; /* we rekey and the peer did too (2.8.2): our SPI of the IKE SA the peer's rekey made */
	v2_task tasks[V2_TASK_QUEUE];
	ike_time heard, heard_prev; /* last authenticated message from the peer, and the one before (liveness.c) */
	uint64_t clash;          /* non-zero: handshakes overlapped with a sibling of the same id (init_collide.c) */
	uint8_t *low_nonce;      /* clash SAs: the lower of Ni and Nr, kept past IKE_AUTH for the collision rule */
	uint8_t *peer_id;        /* the peer's authenticated ID (type octet, then data), for INITIAL_CONTACT; NULL before */
	/* reauth.c: a new IKE SA reauthenticating an old one carries the old SPIs (0: not a reauthentication) */
	uint64_t reauth_old_i, reauth_old_r;
	uint64_t reauth_of;      /* make-before-break: our SPI of the old IKE SA, deleted once this one is complete */
	uint64_t reauth_children; /* bit i: children[i] (i >= 1) is re-created by CREATE_CHILD_SA once up */
	uint32_t restart_try;    /* liveness.c: this SA is attempt n of a dpd_action restart (0: not a restart) */
	uint32_t reauth_try;     /* reauth.c: this SA is attempt n of a reauthentication */
	bool reauth_next;        /* old SA, break-before-make: once its Delete is done, the new IKE SA is initiated */
	bool mobike;             /* RFC 4555: both sides sent MOBIKE_SUPPORTED in IKE_AUTH (mobike.c) */
	bool natd_d_set;         /* initiator: natd_d holds the peer's last NAT_DETECTION_DESTINATION_IP hash */
	uint8_t natd_d[20];      /* 4555 3.8: a different one in a later response means our NAT mapping changed */
	uint8_t mob_tries;       /* our other addresses tried since our path died (v2_mobike_try_other) */
	uint8_t cookie2[16];     /* COOKIE2 of our outstanding MOBIKE request, echoed or the SA closes (4555 3.7) */
	struct ike_job *job;     /* our crypto job out with the host (peer/job.h): the SA waits, its timers off */
};

/* Counts held per-connection now live in ike_conn_rec (peer/peer.h). */
ike_conn_rec *v2_rec(v2_ike_sa *sa);
/* Keeps p->half_open in step with a responder SA's move between states. */
void v2_half_open_track(v2_ike_sa *sa, uint8_t from, uint8_t to);
/* The SA waits for crypto job j (its timers rest; a new responder SA counts as half-open meanwhile), and the
 * wait is over (before the job's results are used). */
void v2_job_attach(v2_ike_sa *sa, struct ike_job *j);
void v2_job_detach(v2_ike_sa *sa);
/* Parses a stored unencrypted message again (our copies of IKE_SA_INIT): 0, or -1. */
int v2_reparse(const uint8_t *msg, size_t len, v2_header *h, v2_chain *outer);

/* ---- deadline.c: typed deadlines (documented for the exchange files that arm them) ---- */
/* Arms (or with IKE_TIME_NEVER disarms) deadline `which` of the IKE SA and re-keys the peer's heap. */
void v2_dl_set(v2_ike_sa *sa, enum v2_dl which, ike_time at);
/* Recomputes timer_at from dl[] and the children's deadlines, and re-keys the heap. */
void v2_dl_refresh(v2_ike_sa *sa);
/* The same for one of its CHILD SAs. */
void v2_child_dl_set(v2_ike_sa *sa, v2_child_sa *c, enum v2_child_dl which, ike_time at);
/* now + span, saturating at IKE_TIME_NEVER; span <= 0 means "never". */
ike_time v2_time_after(ike_time now, ike_time span);
/* Soft time of a lifetime: rekey - uniform[0, rand] drawn from the peer's DRBG (0 rekey = never). */
ike_time v2_life_soft(struct ike_peer *p, ike_time now, const ike_life_cfg *l, ike_time rekey);
/* When to retry an exchange refused with TEMPORARY_FAILURE: 1..3 s from now, drawn from the DRBG (2.25). */
ike_time v2_retry_at(struct ike_peer *p, ike_time now);
/* Hard time: max(rekey, reauth) + over after now (0 if both are 0 = never). */
ike_time v2_life_hard(ike_time now, const ike_life_cfg *l);

/* Runs the SA's due deadlines in enum order, then its CHILD SAs'; the SA may be gone after (peer/peer.h). */
/* void v2_expire_sa(v2_ike_sa *sa, ike_time now); */
/* Our SPI of the SA (the key of the peer's by_local table). */
static inline uint64_t v2_our_spi(const v2_ike_sa *sa) { return sa->initiator ? sa->spi_i : sa->spi_r; }

/* ---- task.c: the task queue (strongSwan's task manager, window 1) ---- */
/* Queues a task (an identical one already waiting is not doubled); 0, or -1 if the queue is full. */
int v2_task_queue(v2_ike_sa *sa, ike_time now, const v2_task *t);
/* Starts queued tasks while no request of ours is outstanding and the SA can carry them. */
void v2_task_kick(v2_ike_sa *sa, ike_time now);
/* Queued CHILD rekeys of CHILD SA `from` (our inbound SPI) aim at `to` instead (a 2.8.1 verdict); merges duplicates. */
void v2_task_retarget(v2_ike_sa *sa, uint32_t from, uint32_t to);
/* Our request of the active task was answered (or given up): the task is over. */
void v2_task_done(v2_ike_sa *sa);
/* The one completion step after a handler or timer ran on an SA still held: next task, heap key. */
void v2_settle(v2_ike_sa *sa, ike_time now);
/* An `ike.task` event: task t had `action` ("refused", "skipped", "waiting"), why. */
void v2_task_trace(v2_ike_sa *sa, ike_time now, const v2_task *t, const char *action, const char *why);
/* Starts one task now (a request goes out); 0 sent, 1 nothing to do (skipped), -1 the SA is gone. */
int v2_task_start(v2_ike_sa *sa, ike_time now, const v2_task *t);

/* ---- liveness.c: DPD (RFC 7296 2.4) and what a dead peer leads to ---- */
/* An authenticated message from the peer arrived: the SA is alive; re-arms the DPD deadline. */
void v2_live_heard(v2_ike_sa *sa, ike_time now);
/* The SA became ESTABLISHED (IKE_AUTH, a rekey, a failed rekey): DPD is armed if it is not yet. */
void v2_live_up(v2_ike_sa *sa, ike_time now);
/* The DPD deadline is due: queue a liveness check if we have heard nothing and are idle, else re-arm. */
void v2_live_due(v2_ike_sa *sa, ike_time now);
/* Starts the DPD task: an empty INFORMATIONAL request; 0, or -1 (the SA is gone). */
int v2_live_start(v2_ike_sa *sa, ike_time now);
/* Our liveness check was answered. */
void v2_live_answered(v2_ike_sa *sa, ike_time now);
/* Retransmissions of a request of an established SA ran out: the peer is dead; dpd_action follows. sa is gone after. */
void v2_live_dead(v2_ike_sa *sa, ike_time now, const char *why);
/* A restart attempt (sa->restart_try) failed and is gone: the next one, unless keyingtries are used up. */
void v2_live_restart_failed(struct ike_peer *p, ike_time now, size_t conn, const ike_addr *remote, uint32_t tried,
			    const char *why);
/* Our Delete(IKE) was never answered: the SA goes anyway. sa is gone after. */
void v2_live_delete_timeout(v2_ike_sa *sa, ike_time now, const char *why);

/* ---- initial_contact.c: INITIAL_CONTACT (RFC 7296 2.4, 3.10.1) ---- */
/* True if our IKE_AUTH request carries INITIAL_CONTACT: configured, and no other IKE SA with this peer. */
bool v2_ic_wanted(const v2_ike_sa *sa);
/* The peer's authenticated IKE_AUTH request carried it: every other IKE SA with the same identities goes, silently. */
void v2_ic_received(v2_ike_sa *sa, ike_time now);
/* Same connection, or the same local and remote identities. */
bool v2_same_peer(const v2_ike_sa *a, const v2_ike_sa *b);
/* Remembers the peer's authenticated ID on sa (copied to its rekeyed successors); -1 when out of memory. */
int v2_ic_remember(v2_ike_sa *sa, uint8_t type, const uint8_t *data, size_t len);

/* ---- reauth.c: reauthentication (RFC 7296 2.8.3), make-before-break or break-before-make ---- */
/* The IKE_REAUTH task on the old SA: a new IKE SA is initiated (make-before-break) or the old one deleted first;
 * 0 a request went out on sa, 1 nothing went out on sa, -1 sa is gone. */
int v2_reauth_start(v2_ike_sa *sa, ike_time now);
/* A reauthenticating SA reached ESTABLISHED as initiator: queues its further CHILD SAs, then REAUTH_DONE. */
void v2_reauth_up(v2_ike_sa *sa, ike_time now);
/* The REAUTH_DONE task: traces ike_sa.rekeyed (reason reauth) and deletes the old SA (make-before-break); 1. */
int v2_reauth_done(v2_ike_sa *sa, ike_time now);
/* What a break-before-make SA needs once gone: captured before it is destroyed. */
typedef struct v2_reauth_next {
	bool go;
	size_t conn;
	ike_addr remote;
	uint64_t old_i, old_r, children;
	uint64_t of;  /* make-before-break: our SPI of the old SA the next attempt replaces */
	uint32_t try; /* the next attempt's number */
} v2_reauth_next;
/* An SA about to end with event kind: a break-before-make old SA, or a failed attempt keyingtries let retry. */
void v2_reauth_capture(const v2_ike_sa *sa, uint8_t kind, v2_reauth_next *nx);
/* After the SA is destroyed: initiates the replacement (or the next attempt of it) if nx->go. */
void v2_reauth_follow(struct ike_peer *p, ike_time now, const v2_reauth_next *nx);
/* old was rekeyed into nsa: a reauthentication of old (in progress, or of which old is the new SA) follows nsa. */
void v2_reauth_moved(v2_ike_sa *old, v2_ike_sa *nsa);
/* A reauthenticating IKE SA failed before it was complete: traced, saying whether keyingtries allow another. */
void v2_reauth_failed(v2_ike_sa *sa, ike_time now, const char *why);
/* Where a new initiation of sa's connection goes: the configured peer, or sa's peer if the connection takes any. */
ike_addr v2_initiate_remote(const v2_ike_sa *sa);
/* A new IKE SA of conns[conn] as initiator towards remote, not started (v2_init_start sends); NULL without memory. */
v2_ike_sa *v2_initiator_new(struct ike_peer *p, size_t conn, const ike_addr *remote);

/* ---- init_collide.c: simultaneous IKE_SA_INIT from both sides (docs/architecture.md) ---- */
/* The SA moved between states: notes overlapping handshakes, and on ESTABLISHED resolves a collision. */
void v2_collide_step(v2_ike_sa *sa, ike_time now, uint8_t from, uint8_t to);

/* ---- child.c: the CHILD SA list ---- */
/* A new CHILD SA (CREATED) for children[cfg] appended to the list, SPIs 0; NULL on failure. */
v2_child_sa *v2_child_new(v2_ike_sa *sa, uint16_t cfg);
/* A fresh inbound SPI from the DRBG: not 0-255 (IANA reserved) and not used by a sibling. */
uint32_t v2_child_new_spi(v2_ike_sa *sa);
v2_child_sa *v2_child_find_in(const v2_ike_sa *sa, uint32_t spi_in);
v2_child_sa *v2_child_find_out(const v2_ike_sa *sa, uint32_t spi_out);
/* Unlinks and frees a CHILD SA (keys wiped). */
void v2_child_free(v2_ike_sa *sa, v2_child_sa *c);
/* Frees every CHILD SA of the IKE SA. */
void v2_child_free_all(v2_ike_sa *sa);
/* Stores narrowed selectors (exact size); 0, or -1 on allocation failure or more than IKE_TS_MAX a side. */
int v2_child_set_ts(v2_child_sa *c, const ike_ts *tsi, size_t ni, const ike_ts *tsr, size_t nr);
/* The CHILD SA the connection status shows: the newest INSTALLED one, else the newest; NULL if none. */
const v2_child_sa *v2_child_current(const v2_ike_sa *sa);

/* ---- child_view.c ---- */
/* Fills k for the host (IKE_EV_CHILD_UP); false if c has no KEYMAT of the size its transforms need. */
bool v2_child_view(const v2_ike_sa *sa, const v2_child_sa *c, ike_child_keys *k);

/* ---- halfopen.c: half-open responder SAs per source IP ---- */
uint32_t v2_ho_count(const struct ike_peer *p, const ike_addr *a);
void v2_ho_adjust(struct ike_peer *p, const ike_addr *a, int delta);

/* ---- transitions.c: every state change goes through the tables ---- */
void v2_ike_go(v2_ike_sa *sa, ike_time now, enum v2_ike_tr t, const char *detail);
void v2_child_go(v2_ike_sa *sa, v2_child_sa *c, ike_time now, enum v2_child_tr t, const char *detail);

/* ---- trace.c ---- */
bool v2_tracing(const struct ike_peer *p);
void v2_emit(struct ike_peer *p, ike_time now, const char *ev, ike_jsonw *w);
void v2_emit_sa(const v2_ike_sa *sa, ike_time now, const char *ev, ike_jsonw *w);
void v2_trace_error(struct ike_peer *p, ike_time now, const v2_ike_sa *sa, const char *what, const char *why,
		    uint16_t notify);
void v2_trace_kdf(v2_ike_sa *sa, ike_time now, const char *name, const char *inputs_json, const uint8_t *val,
		  size_t len);
void v2_trace_selected(v2_ike_sa *sa, ike_time now, const char *what, const v2_algs *a);
void v2_addr_str(const ike_addr *a, char *out, size_t cap);
void v2_charge(struct ike_peer *p, uint8_t op, uint32_t arg, size_t bytes);
/*
 * The one way an IKE SA ends: its CHILD SAs along their end rows (why), the SA along row t (detail as the trace's
 * why, NULL: the row's story), the host told (kind IKE_DOWN or IKE_FAILED, with notify and why), the SA freed;
 * then what its end starts: a break-before-make successor, the next attempt of a failed restart. sa is gone after.
 */
void v2_ike_end(v2_ike_sa *sa, ike_time now, enum v2_ike_tr t, uint8_t kind, uint16_t notify, const char *why,
		const char *detail);
/* Records the failure, moves the SA along row t (to DESTROYING) and frees it: sa is gone after. */
void v2_fail(v2_ike_sa *sa, ike_time now, enum v2_ike_tr t, uint16_t notify, const char *why);
void v2_sa_event(v2_ike_sa *sa, ike_time now, uint8_t kind, uint16_t notify, const char *why);
/* IKE_EV_IKE_MOVED: the SA moved from old_local/old_remote to its current addresses (natt.c). */
void v2_moved_event(v2_ike_sa *sa, ike_time now, const ike_addr *old_local, const ike_addr *old_remote);
/* An event of an SA that replaces another (kind IKE_UP of a rekey's new IKE SA, IKE_REKEYED, CHILD_REKEYED), sa
 * being the new IKE SA (or the CHILD SAs' IKE SA), with the old IKE SPIs and for CHILD SAs the old and new one. */
void v2_replaced_event(v2_ike_sa *sa, ike_time now, uint8_t kind, uint64_t old_i, uint64_t old_r,
		       const v2_child_sa *old_c, const v2_child_sa *new_c);
/* A CHILD SA event (up, down, failed) naming that CHILD SA's SPIs (CHILD_UP of a rekey: the old one's too). */
void v2_child_event(v2_ike_sa *sa, const v2_child_sa *c, ike_time now, uint8_t kind, uint16_t notify, const char *why);
/* The row that ends an SA in its state: `connecting` or `established` there, the REKEYING/REKEYED/DELETING rows else. */
enum v2_ike_tr v2_end_row(const v2_ike_sa *sa, enum v2_ike_tr connecting, enum v2_ike_tr established);
/* Moves every CHILD SA of an IKE SA that ends to DESTROYING along the row for its state. */
void v2_children_end(v2_ike_sa *sa, ike_time now, const char *why);
/* Fails the SA on a fatal notify (RFC 7296 2.21.2, 2.21.3) along the row for its state: sa is gone after. */
void v2_fail_fatal(v2_ike_sa *sa, ike_time now, uint16_t notify, const char *why);
/* Ends the SA after a message of ours could not be built, sealed or kept (no request, no timer otherwise). */
void v2_fail_local(v2_ike_sa *sa, ike_time now, const char *why);

/* ---- message.c: building, protecting, sending, retransmitting ---- */
typedef struct v2_inbound {
	v2_header hdr;
	const uint8_t *raw;
	size_t raw_len;
	v2_chain outer;
	v2_chain inner;          /* decrypted payloads (SK); empty for IKE_SA_INIT */
	bool outer_ok;           /* outer chain parsed: the message can be summarised in a trace */
	bool rx_traced;          /* its ike.rx event is out (refusals then add only their own events) */
	uint8_t *reassembled;    /* RFC 7383: the inner chain of a reassembled message (heap, freed by v2_input) */
	size_t reassembled_len;
	uint8_t plain[V2_MAX_MSG];
	const ike_addr *from, *to;
} v2_inbound;

void v2_header_for(const v2_ike_sa *sa, uint8_t exchange, bool response, uint32_t msgid, v2_header *h);
/* Sends an unencrypted message built in buf (IKE_SA_INIT); stores it as request or response; -1 if it could not be stored. */
int v2_send_plain(v2_ike_sa *sa, ike_time now, const uint8_t *msg, size_t len, bool response);
/* Seals the inner chain into an SK message and sends it; stores it as request or response. */
int v2_send_sk(v2_ike_sa *sa, ike_time now, uint8_t exchange, bool response, uint32_t msgid,
	       const uint8_t *inner, size_t inner_len, uint8_t inner_first);
/* Decrypts an SK message into in->inner (an SKF one goes to v2_frag_open); 0, 1 (a fragment was stored,
 * more are needed), or -1 (traced; a malformed inner chain may end the SA). */
int v2_open_sk(v2_ike_sa *sa, ike_time now, v2_inbound *in);
/* Parses decrypted inner payloads pt[0..len) (first type `first`) into in->inner, handling a malformed chain
 * as RFC 7296 2.21 says; 0 or -1 (the SA may be gone). */
int v2_open_inner(v2_ike_sa *sa, ike_time now, v2_inbound *in, const uint8_t *pt, size_t len, uint8_t first);
/* Sends our cached request (retransmission) or response (to a retransmitted request): every fragment if
 * it went out in fragments; returns how many datagrams. */
size_t v2_send_cached(v2_ike_sa *sa, ike_time now, bool response, const ike_addr *to);
/* Answers an authenticated request with one encrypted error notify; the SA stays. */
int v2_answer_notify(v2_ike_sa *sa, ike_time now, const v2_inbound *in, uint16_t type, const uint8_t *d, size_t n);
/* Answers an authenticated request with a fatal notify (INVALID_SYNTAX, ...), then fails the SA: sa is gone after. */
void v2_refuse_fatal(v2_ike_sa *sa, ike_time now, const v2_inbound *in, uint16_t notify, const uint8_t *data,
		     size_t len, const char *why);
/* An authenticated response we cannot use (malformed): no answer, the SA is cleaned up (2.21). sa is gone after. */
void v2_bad_response(v2_ike_sa *sa, ike_time now, const v2_inbound *in, const char *why);
void v2_trace_msg(struct ike_peer *p, ike_time now, const char *ev, const v2_header *h, const v2_chain *outer,
		  const v2_chain *inner, size_t size, const ike_addr *from, const ike_addr *to);
/* Our request was answered (or given up): the next one may go; tasks that waited start at this instant. */
void v2_request_done(v2_ike_sa *sa, ike_time now);
/* The retransmission deadline is due: resend, or give up (the SA may be gone after). */
void v2_retransmit_due(v2_ike_sa *sa, ike_time now);
/* Sends a request built in inner as the active task's (message ID msgid_next_req); 0, or -1 (the SA is gone). */
int v2_send_request(v2_ike_sa *sa, ike_time now, uint8_t exchange, const uint8_t *inner, size_t inner_len,
		    uint8_t inner_first, const char *what);
void v2_send_raw(struct ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to, const uint8_t *msg,
		 size_t len);

/* ---- frag_io.c: RFC 7383 in the message path (fragment.h has the self-contained parts) ---- */
/* Sets sa->frag from our connection and the peer's IKE_SA_INIT message (its outer chain). */
void v2_frag_negotiate(v2_ike_sa *sa, const v2_chain *outer);
/* The fragment size for the SA's current ports: the connection's, less the non-ESP marker on NAT-T ports. */
size_t v2_sa_frag_size(const v2_ike_sa *sa);
/* True if an encrypted message of msg_len bytes goes out in fragments (negotiated, our mode and size). */
bool v2_frag_use(const v2_ike_sa *sa, uint8_t exchange, size_t msg_len);
/* An SKF message for the SA (message ID already checked): 0 reassembled into in->inner, 1 stored, -1 dropped. */
int v2_frag_open(v2_ike_sa *sa, ike_time now, v2_inbound *in);
/* A fragment of a request we already answered: true if it must be ignored (not fragment 1, RFC 7383 2.6.1). */
bool v2_frag_ignore_dup(v2_ike_sa *sa, ike_time now, const v2_inbound *in);
/* An `ike.frag` event: action "split" | "reassembled" | "dropped"; summary and why may be NULL. */
void v2_frag_trace(v2_ike_sa *sa, ike_time now, const char *action, const v2_header *h, uint16_t fragments,
		   size_t size, const char *summary, const char *why);
/* The reassembly deadline is due: incomplete sets older than V2_FRAG_REASM_TIMEOUT are dropped (traced). */
void v2_frag_reasm_due(v2_ike_sa *sa, ike_time now);
/* Room for an encrypted message's payloads we build: 64 KiB when it may go in fragments, else V2_MAX_MSG. */
size_t v2_build_cap(const v2_ike_sa *sa, uint8_t exchange);
/* Frees the SA's trains and reassembly contexts (SA destroy, request done). */
void v2_frag_free(v2_ike_sa *sa);

/* ---- keys.c ---- */
int v2_derive_ike_keys(v2_ike_sa *sa, ike_time now, const uint8_t *gir, size_t gir_len);
/* KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr) into c->keymat, traced (gir NULL: no PFS); nonces other than IKE_SA_INIT's
 * (sa->ni) are traced first as kdf "Ni" and "Nr", so the KEYMAT hangs off them. */
int v2_derive_child_keys(v2_ike_sa *sa, v2_child_sa *c, ike_time now, const uint8_t *ni, size_t ni_len,
			 const uint8_t *nr, size_t nr_len, const uint8_t *gir, size_t gir_len);
/* A rekeyed IKE SA's keys: SKEYSEED = prf_old(SK_d(old), g^ir | Ni | Nr) (RFC 7296 2.18); nsa->ni/nr set. */
int v2_derive_rekeyed_keys(v2_ike_sa *nsa, const v2_ike_sa *old, ike_time now, const uint8_t *gir, size_t gir_len);
const uint8_t *v2_key_d(const v2_ike_sa *sa);
const uint8_t *v2_key_pi(const v2_ike_sa *sa);
const uint8_t *v2_key_pr(const v2_ike_sa *sa);
void v2_sk_keys_out(const v2_ike_sa *sa, ike_sk_keys *k);
void v2_sk_keys_in(const v2_ike_sa *sa, ike_sk_keys *k);

/* ---- proposal_select.c ---- */
void v2_sa_from_config(const ike_proposal_list *pl, uint8_t protocol, const uint8_t *spi, uint8_t spi_size,
		       bool strip_dh, v2_sa *out);
/* Responder: picks in our order; ke_group (0 = none) is preferred among acceptable groups. 0 or -1. */
int v2_select(const ike_proposal_list *ours, const v2_sa *theirs, uint8_t protocol, uint16_t ke_group,
	      bool ignore_dh, v2_algs *out, uint8_t *prop_num, const v2_proposal **chosen);
/* Initiator: checks the responder's single proposal against the one we sent with its number (3.3.6). 0 or -1. */
int v2_accept_choice(const ike_proposal_list *ours, const v2_sa *chosen, uint8_t protocol, bool ignore_dh,
		     v2_algs *out, const v2_proposal **prop);
/* Why v2_select found nothing, per proposal of theirs ("proposal 1: no ESN transform, ..."); returns why. */
const char *v2_select_refusal(const ike_proposal_list *ours, const v2_sa *theirs, uint8_t protocol, bool ignore_dh,
			      char *why, size_t cap);
/* Why v2_accept_choice refused the answer ("transform 3 (ESN 1) was not offered ..."); returns why. */
const char *v2_accept_refusal(const ike_proposal_list *ours, const v2_sa *chosen, uint8_t protocol, bool ignore_dh,
			      char *why, size_t cap);
void v2_sa_from_algs(const v2_algs *a, uint8_t protocol, uint8_t prop_num, const uint8_t *spi, uint8_t spi_size,
		     v2_sa *out);
size_t v2_algs_format(const v2_algs *a, char *out, size_t cap);

/* ---- exchanges ---- */
int v2_init_start(v2_ike_sa *sa, ike_time now);
enum ike_input_result v2_init_r_recv(struct ike_peer *p, ike_time now, v2_inbound *in);
int v2_init_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
/* Retransmissions ran out after an unprotected error notify: fails the SA with it; false if none came. */
bool v2_init_i_gave_up(v2_ike_sa *sa, ike_time now);
/* Answers an IKE_SA_INIT request with one unprotected notify, no state kept; conn >= 0 records the error. */
void v2_init_r_refuse(struct ike_peer *p, ike_time now, const v2_inbound *in, int conn, uint16_t notify,
		      const uint8_t *data, size_t len, const char *why);
void v2_auth_i_send(v2_ike_sa *sa, ike_time now);
int v2_auth_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
int v2_auth_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
/* Initiator: reports an error in the IKE_AUTH response in an INFORMATIONAL request nobody waits for (2.21.2). */
void v2_auth_i_tell(v2_ike_sa *sa, ike_time now, uint16_t notify);
/* CREATE_CHILD_SA request (responder of the exchange): refused with NO_ADDITIONAL_SAS until it is implemented. */
int v2_child_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
/* CREATE_CHILD_SA response to our request (child_create.c, ike_rekey.c). */
int v2_ccsa_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);

/* ---- child_create.c: CHILD SAs made or rekeyed with CREATE_CHILD_SA, our side as initiator ---- */
int v2_child_create_start(v2_ike_sa *sa, ike_time now, const v2_task *t);
int v2_child_rekey_start(v2_ike_sa *sa, ike_time now, const v2_task *t);
int v2_child_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
/* The CHILD SA's D-H group for PFS: the first group of its esp proposals, 0 if none. */
uint16_t v2_child_pfs_group(const ike_child_cfg *cc);
/* The protocol (ESP or AH) CHILD SA c was negotiated with: its child config's (RFC 7296 3.3.1). */
uint8_t v2_child_proto(const v2_ike_sa *sa, const v2_child_sa *c);
/* A CHILD SA agreed (row t: IKE_AUTH's or CREATE_CHILD_SA's): the connection's record, sa.selected, its state,
 * CHILD_UP to the host and its lifetimes, in that order, in one place. */
void v2_child_up(v2_ike_sa *sa, v2_child_sa *c, ike_time now, enum v2_child_tr t);
/* Arms a CHILD SA's rekey and hard-expiry deadlines from its config (lifecycle_vocab jitter rule). */
void v2_child_arm_life(v2_ike_sa *sa, v2_child_sa *c, ike_time now);
/* Traces child_sa.rekeyed for old -> new and reports IKE_EV_CHILD_REKEYED. */
void v2_trace_child_rekeyed(v2_ike_sa *sa, ike_time now, const v2_child_sa *old, const v2_child_sa *nw, uint8_t reason);
/* After both rekeys of one CHILD SA completed (2.8.1): deletes what this side must; see child_collide.c. */
void v2_child_collision(v2_ike_sa *sa, ike_time now, v2_child_sa *old, v2_child_sa *ours);
/* Orders the lowest nonces of two exchanges: <0 if a's is lower (chunk order: bytes, then length). */
int v2_nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* Keeps min(n1, n2) as the CHILD SA's nonce_min; 0 or -1. */
int v2_child_keep_nonce(v2_child_sa *c, const uint8_t *n1, size_t l1, const uint8_t *n2, size_t l2);
/* Our nonce (sa->xn) and, for group != 0, D-H key (sa->dh) and public value for a CREATE_CHILD_SA request; 0 or -1. */
int v2_ccsa_scratch_new(v2_ike_sa *sa, uint16_t group, uint8_t *pub, size_t cap, size_t *pub_len);
/* Traces ike_sa.rekeyed for old -> nsa and reports IKE_EV_IKE_REKEYED. */
void v2_trace_ike_rekeyed(const v2_ike_sa *old, v2_ike_sa *nsa, ike_time now, uint8_t reason);
/* Puts a task first in the queue (a retry with the group the peer asked for); 0 or -1. */
int v2_task_retry(v2_ike_sa *sa, ike_time now, const v2_task *t);
/* Drops our outstanding CREATE_CHILD_SA scratch (nonce, D-H key). */
void v2_ccsa_scratch_free(v2_ike_sa *sa);
/* Answers a CREATE_CHILD_SA request with one error notify (traced "request refused"); the IKE SA stays unless
 * the answer cannot be sealed. V2_H_OK or V2_H_GONE. */
int v2_ccsa_refuse(v2_ike_sa *sa, ike_time now, const v2_inbound *in, uint16_t notify, const uint8_t *d, size_t n,
		   const char *why);
/* A D-H shared secret g^ir from our key and their KE value; 0 and *len, or -1. */
int v2_dh_shared(v2_ike_sa *sa, ike_dh *ours, const v2_ke *ke, uint8_t *out, size_t cap, size_t *len);

/* ---- ike_rekey.c: IKE SA rekeying (RFC 7296 1.3.2, 2.18, 2.8.2) ---- */
int v2_ike_rekey_start(v2_ike_sa *sa, ike_time now, const v2_task *t);
int v2_ike_rekey_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
int v2_ike_rekey_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in, const v2_sa *theirs);
/* The peer deleted sa while our rekey of it is out (answered already): true if sa is kept for our rekey's answer,
 * which settles which new IKE SA inherits the CHILD SAs (2.8.2); sa then ends with it. */
bool v2_ike_rekey_hold(v2_ike_sa *sa, ike_time now);
/* The retransmissions of our rekey of an SA the peer deleted ran out: settled without the answer; sa is gone after. */
void v2_ike_rekey_unanswered(v2_ike_sa *sa, ike_time now, const char *why);
/* Arms the IKE SA's rekey and hard-expiry deadlines from conn->ike_life. */
void v2_ike_arm_life(v2_ike_sa *sa, ike_time now);
int v2_info_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
int v2_info_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);

/* ---- cookie.c (RFC 7296 2.6) ---- */
/* Responder: true if the IKE_SA_INIT request may go on; false once it was answered with N(COOKIE).
 * pending: requests the host holds for later input, counted as half-open (ike_peer_screen; 0 otherwise). */
bool v2_cookie_admit(struct ike_peer *p, ike_time now, const v2_inbound *in, const v2_payload *nonce, size_t pending);
/* exchange_init.c: block_threshold, half_open_limit (half-open SAs + pending) and, unless screening, ikesa_limit;
 * false once the request was dropped (traced within the refusal budget). */
bool v2_init_r_within_limits(struct ike_peer *p, ike_time now, const v2_inbound *in, size_t pending, bool screen);
/* ---- screen.c: what a host's receiver thread may settle without a worker (ike_peer_screen) ---- */
bool v2_screen(struct ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to, const uint8_t *data,
	       size_t len, size_t pending);

/* ---- natt.c: NAT traversal (RFC 7296 2.23, RFC 3948) ---- */
/* NAT-T is in use on the SA: a NAT was detected on either side, or our connection forces encapsulation. */
bool v2_natt_active(const v2_ike_sa *sa);
/* Initiator, after IKE_SA_INIT: moves to the NAT-T ports when NAT-T is in use (traced, IKE_EV_IKE_MOVED). */
void v2_natt_float(v2_ike_sa *sa, ike_time now);
/* An authenticated request of the peer's current message ID arrived on in->to from in->from: the SA follows
 * where RFC 7296 2.23 lets it (the initiator's move in IKE_AUTH; later a NAT'ed peer's new address, never
 * when we are the side behind the NAT). Where the response goes is set here too. */
void v2_natt_request(v2_ike_sa *sa, ike_time now, const v2_inbound *in);
/* Moves the SA to local/remote (either may equal the current one): traced as ike.float with why, the
 * connection's record and the half-open count follow, the host gets IKE_EV_IKE_MOVED. For MOBIKE too. */
void v2_sa_move(v2_ike_sa *sa, ike_time now, const ike_addr *local, const ike_addr *remote, const char *why);
/* The SA became ESTABLISHED: NAT keepalives are armed if we are behind a NAT (or force encapsulation). */
void v2_natt_up(v2_ike_sa *sa, ike_time now);
/* V2_DL_KEEPALIVE is due: one 0xFF byte if nothing was sent for the interval, then re-armed. */
void v2_natt_keepalive_due(v2_ike_sa *sa, ike_time now);
/* Sends an IKE datagram of the SA (every SA-level send goes here: last_tx is kept for keepalives). */
void v2_sa_send(v2_ike_sa *sa, ike_time now, const ike_addr *from, const ike_addr *to, const uint8_t *m, size_t len);

/* ---- mobike.c: MOBIKE (RFC 4555) ---- */
/* IKE_AUTH (either side): N(MOBIKE_SUPPORTED) and our address list (NO_ADDITIONAL_ADDRESSES or ADDITIONAL_*). */
void v2_mobike_add_auth(v2_ike_sa *sa, v2_builder *b);
/* The peer's IKE_AUTH message: MOBIKE is on for the SA when we offered it and so did the peer. */
void v2_mobike_read_auth(v2_ike_sa *sa, const v2_chain *inner);
/* Responder, INFORMATIONAL request: UPDATE_SA_ADDRESSES moves the SA; NATD and COOKIE2 answered into b. */
void v2_mobike_info_r(v2_ike_sa *sa, ike_time now, const v2_inbound *in, v2_builder *b);
/* Initiator, answer to our MOBIKE task or DPD: COOKIE2 checked, NAT state and mapping changes; -1 the SA is gone. */
int v2_mobike_info_i(v2_ike_sa *sa, ike_time now, const v2_task *done, const v2_inbound *in);
/* Task starts: 0 sent, 1 nothing to do, -1 the SA is gone. */
int v2_mobike_update_start(v2_ike_sa *sa, ike_time now);
int v2_mobike_rr_start(v2_ike_sa *sa, ike_time now);
/* DPD of a MOBIKE initiator behind a NAT carries NATD (4555 3.8): adds them into b. */
void v2_mobike_add_dpd(v2_ike_sa *sa, v2_builder *b);
/* The initiator's NATD_D of the peer's message kept in sa->natd_d; true if it differs from the one before. */
bool v2_mobike_natd_d(v2_ike_sa *sa, const v2_chain *ch);
/* Our retransmissions ran out: true if the SA moved to another of our addresses and retries there (4555 3.5). */
bool v2_mobike_try_other(v2_ike_sa *sa, ike_time now);
/* Where a new IKE SA of conn starts from: the configured local address, or our first one if that is gone. */
ike_addr v2_mobike_local(const struct ike_peer *p, const ike_conn_cfg *c);
/* NATD_S / NATD_D of sa's current addresses into b (any exchange after IKE_SA_INIT). */
void v2_add_natd_now(v2_ike_sa *sa, v2_builder *b);

/* ---- natd.c ---- */
int v2_natd_hash(const ike_crypto *c, uint64_t spi_i, uint64_t spi_r, const ike_addr *a, uint8_t out[20]);
/* NATD_S and NATD_D for an IKE_SA_INIT message of sa (forced encapsulation: a NATD_S that cannot match). */
void v2_add_natd(v2_ike_sa *sa, v2_builder *b, uint64_t spi_r);
/* The same for a message from src to dst (a response goes where its request came from: RFC 4555 3.8). */
void v2_add_natd_at(v2_ike_sa *sa, v2_builder *b, uint64_t spi_r, const ike_addr *src, const ike_addr *dst);
/* Compares the peer's NATD hashes with our addresses (RFC 7296 2.23); sets nat_local/nat_remote, traces. */
void v2_natd_check(v2_ike_sa *sa, ike_time now, const v2_chain *ch, uint64_t spi_r_in_msg);

/* ---- auth_psk.c ---- */
/* The octets AUTH covers (2.15): IKE_SA_INIT message | peer's nonce | prf(SK_p, ID body); maced_id backs out[2]. */
/* own_addr.c: our ID (the configured one, else our address) and a child's local selectors (configured, else
 * our address alone, strongSwan's "dynamic"; own receives that one). */
void v2_own_id(const v2_ike_sa *sa, ike_id *out);
const ike_ts *v2_local_ts(const v2_ike_sa *sa, const ike_child_cfg *cc, ike_ts *own, uint8_t *n);
int v2_signed_octets(const v2_ike_sa *sa, bool for_initiator, const uint8_t *id_body, size_t id_len,
		     uint8_t maced_id[IKE_PRF_MAX_OUT], ike_iov out[3]);
int v2_psk_auth(const v2_ike_sa *sa, bool for_initiator, const uint8_t *id_body, size_t id_len, uint8_t *out,
		size_t *out_len);

/* ---- auth_sig.c: certificates and signatures (conn->auth == IKE_AUTH_PUBKEY) ---- */
/* IKE_SA_INIT: CERTREQ (responder only) and N(SIGNATURE_HASH_ALGORITHMS). */
void v2_sig_add_init(const v2_ike_sa *sa, v2_builder *b, bool response);
/* Remembers the peer's SIGNATURE_HASH_ALGORITHMS from an IKE_SA_INIT message. */
void v2_sig_read_init(v2_ike_sa *sa, const v2_chain *outer);
/* Our AUTH signature as a crypto job (peer/job.h): the signed octets and, for RSASSA-PSS, the salt taken now; the
 * signature is computed when the job runs (the sign is charged now). 0 with *out, or -1 with *why. */
struct ike_job;
int v2_sig_job(v2_ike_sa *sa, bool for_initiator, const uint8_t *id_body, size_t id_len,
	       int (*resume)(struct ike_job *j, ike_time now, bool late), struct ike_job **out, const char **why);
/* CERT payloads: our certificate, then any intermediates. */
void v2_sig_add_certs(const v2_ike_sa *sa, v2_builder *b);
void v2_sig_add_certreq(const v2_ike_sa *sa, v2_builder *b);
/* Checks the peer's certificate chain, ID binding and AUTH signature; false with a one-line why. */
bool v2_sig_verify(const v2_ike_sa *sa, ike_time now, bool initiator_auth, const v2_chain *inner, const v2_payload *pid,
		   const v2_id *id, const v2_auth *a, char *why, size_t cap);

/* ---- ts.c ---- */
void v2_ts_to_wire(const ike_ts *ts, size_t n, v2_ts_list *out);
int v2_ts_from_wire(const v2_ts *w, ike_ts *out);
/* Narrows the proposed list against ours (responder); out gets up to max results; returns count. */
size_t v2_ts_narrow(const v2_ts_list *proposed, const ike_ts *ours, size_t n_ours, ike_ts *out, size_t max);
/* Why narrowing left nothing: "traffic selectors do not overlap ours", plus unknown TS types skipped; returns why. */
const char *v2_ts_refusal(const v2_ts_list *tsi, const v2_ts_list *tsr, char *why, size_t cap);
/* 1 if every selector of a type we know lies inside one of ours, and there is one (initiator's check). */
int v2_ts_within(const v2_ts_list *got, const ike_ts *ours, size_t n_ours, ike_ts *out, size_t max, size_t *n_out);

#endif
