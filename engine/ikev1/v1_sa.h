/*
 * The IKEv1 engine's internals (RFC 2409): one ISAKMP SA (phase 1, Main Mode) with the Quick Mode exchange and
 * the IPsec SA it makes. Same sans-I/O shape as ikev2/: the peer object dispatches IKEv1 datagrams here, the
 * state changes only through the const rows of v1_states.c, and trace events use the IKEv2 vocabulary.
 */
#ifndef IKE_IKEV1_V1_SA_H
#define IKE_IKEV1_V1_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/jsonw.h"
#include "crypto/dh.h"
#include "ike.h"
#include "ikev1/v1_crypt.h"
#include "ikev2/states.h"
#include "wire/v1.h"

#define V1_MSG_MAX 4096
#define V1_NONCE_LEN 32
#define V1_GX_MAX 512

/* Rows of the ISAKMP SA table (v1_ike_transitions) and of the IPsec SA table (v1_child_transitions). States are
 * the IKEv2 names (enum v2_ike_state / v2_child_state): viz and `expect` read them alike. */
enum v1_ike_tr {
	V1_T_I_START,     /* CREATED -> CONNECTING: MM1 sent */
	V1_T_R_START,     /* CREATED -> CONNECTING: MM1 answered with MM2 */
	V1_T_I_AUTH_OK,   /* CONNECTING -> ESTABLISHED: MM6 verified */
	V1_T_R_AUTH_OK,   /* CONNECTING -> ESTABLISHED: MM5 verified, MM6 sent */
	V1_T_NO_PROP,     /* CONNECTING -> DESTROYING: NO-PROPOSAL-CHOSEN sent or received */
	V1_T_AUTH_FAILED, /* CONNECTING -> DESTROYING: HASH_I/HASH_R did not verify */
	V1_T_TIMEOUT,     /* CONNECTING -> DESTROYING: retransmissions exhausted */
	V1_T_DEAD,        /* ESTABLISHED -> DESTROYING: retransmissions exhausted on an established SA */
	V1_T_LOCAL_FAIL,  /* CONNECTING -> DESTROYING: a message could not be built */
	V1_T_R_REFUSED,   /* CREATED -> DESTROYING: responder refused Main Mode 1 (NO-PROPOSAL-CHOSEN) */
	V1_T_DELETE_SENT, /* ESTABLISHED -> DESTROYING: we sent Delete (IKEv1 Deletes are not answered) */
	V1_T_DELETE_RECV, /* ESTABLISHED -> DESTROYING: the peer deleted the ISAKMP SA */
	V1_T_AM_I_START,  /* CREATED -> CONNECTING: Aggressive Mode 1 sent (SA KE Ni IDii) */
	V1_T_AM_R_START,  /* CREATED -> CONNECTING: Aggressive Mode 2 sent (SA KE Nr IDir HASH_R) */
	V1_T_AM_I_OK,     /* CONNECTING -> ESTABLISHED: HASH_R verified, Aggressive Mode 3 (HASH_I) sent */
	V1_T_AM_R_OK,     /* CONNECTING -> ESTABLISHED: HASH_I verified */
	V1_T_XAUTH_OK,    /* ESTABLISHED -> ESTABLISHED: XAUTH-STATUS OK set (gateway) or received (client) */
	V1_T_XAUTH_FAILED,/* ESTABLISHED -> DESTROYING: XAUTH refused the user (or the exchange failed) */
	V1_T_MODECFG,     /* ESTABLISHED -> ESTABLISHED: Mode Config address given (gateway) or taken (client) */
	V1_T_INITIAL_CONTACT, /* ESTABLISHED -> DESTROYING: the same peer sent INITIAL-CONTACT on a new ISAKMP SA */
	V1_T_IKE_N
};
enum v1_child_tr {
	V1_T_C_I_START,   /* CREATED -> INSTALLING: QM1 sent */
	V1_T_C_R_START,   /* CREATED -> INSTALLING: QM1 answered with QM2 */
	V1_T_C_I_DONE,    /* INSTALLING -> INSTALLED: QM2 verified, QM3 sent */
	V1_T_C_R_DONE,    /* INSTALLING -> INSTALLED: QM3 verified */
	V1_T_C_FAILED,    /* INSTALLING -> DESTROYING: no proposal, bad IDs, timeout */
	V1_T_C_GONE,      /* INSTALLED -> DESTROYING: its ISAKMP SA went away */
	V1_T_C_DELETE,    /* INSTALLED -> DESTROYING: Delete(ESP) sent or received */
	V1_T_C_REKEYED,   /* INSTALLED -> DESTROYING: replaced by a new Quick Mode, Delete(ESP) sent */
	V1_T_CHILD_N
};
extern const v2_transition v1_ike_transitions[V1_T_IKE_N];
extern const v2_transition v1_child_transitions[V1_T_CHILD_N];

/* Which message a side expects next (Main Mode 1..6, then Quick Mode 1..3 as 11..13). */
enum v1_step { V1_S_NONE = 0, V1_S_QM = 10 };

/* Where a side is in XAUTH (v1_xauth.c). */
enum v1_xauth_st {
	V1_XA_NONE = 0,  /* not configured, or not started */
	V1_XA_ASKED,     /* gateway: REQUEST sent / client: REPLY sent */
	V1_XA_SET_OK,    /* gateway: SET(OK) sent, waiting for the ACK (the user passed) */
	V1_XA_SET_FAIL,  /* gateway: SET(FAIL) sent, waiting for the ACK (then the SA ends) */
	V1_XA_OK,        /* both: the user passed */
};

/* The current TRANSACTION exchange (Mode Config / XAUTH): its M-ID, IV chain and identifier. */
typedef struct v1_txn {
	uint32_t msg_id;
	v1_iv iv;
	uint16_t ident;
	bool mcfg_asked;    /* client: our Mode Config REQUEST is this exchange */
} v1_txn;

/* Phase 1 algorithms, as IKEv1 attribute values. */
typedef struct v1_p1 {
	uint16_t encr, key_len, hash, auth, group;
	uint32_t life;
} v1_p1;

/* Phase 2 algorithms: IKEv2 ids (so the data plane reads them) plus the v1 values they came from. */
typedef struct v1_p2 {
	uint16_t encr, encr_keylen, integ, pfs; /* IANA (registry.h) */
	uint8_t v1_id;                          /* ESP transform id */
	uint16_t v1_aalg;                       /* Authentication Algorithm attribute, 0 none (GCM) */
	uint32_t life;
} v1_p2;

/* One Quick Mode exchange and the IPsec SA pair it makes. */
typedef struct v1_child {
	uint8_t state;      /* enum v2_child_state */
	bool used;
	bool qm_init;       /* we sent its Quick Mode 1 (either side renews on its own timer): Ni is ours */
	uint32_t msg_id;
	v1_iv iv;
	uint32_t spi_in, spi_out;
	v1_p2 alg;
	uint8_t ni[V1_NONCE_LEN], nr[V1_NONCE_LEN];
	size_t ni_len, nr_len;
	ike_dh *dh;
	uint8_t gy[V1_GX_MAX];
	size_t gy_len;
	ike_ts ts_local, ts_remote;
	uint8_t *keymat;    /* [KEYMAT(spi_in) | KEYMAT(spi_out)], each the encryption key then the integrity key */
	size_t km_len;      /* both halves */
	uint32_t rekey_of;  /* a rekey: the spi_in of the IPsec SA it replaces */
	ike_time rekey_at;  /* we start a new Quick Mode then (our child life.rekey, either side), NEVER = none */
} v1_child;

typedef struct v1_ike_sa {
	struct v1_ike_sa *next;
	struct ike_peer *peer;
	const ike_conn_cfg *conn;
	size_t conn_idx;
	bool initiator;
	bool aggressive;    /* phase 1 is Aggressive Mode (expect counts its messages 1..3) */
	uint8_t state;      /* enum v2_ike_state */
	uint8_t expect;     /* the Main Mode message number we wait for (1..6), 0 once phase 1 is done */
	uint64_t cky_i, cky_r;
	ike_addr local, remote;
	v1_p1 alg;
	ike_dh *dh;
	uint8_t gxi[V1_GX_MAX], gxr[V1_GX_MAX];
	size_t gx_len;
	uint8_t ni[V1_NONCE_LEN], nr[V1_NONCE_LEN];
	size_t ni_len, nr_len;
	uint8_t *sai_b;     /* the initiator's SA payload body (HASH_I/R input) */
	size_t sai_len;
	uint8_t peer_id[4 + IKE_ID_MAX]; /* the peer's ID body: AM responder from message 1 (for HASH_I); once
					  * verified (every mode), the identity INITIAL-CONTACT compares */
	size_t peer_id_len;
	bool peer_id_ok;    /* peer_id holds the verified ID */
	ike_v1_keys k;
	v1_cipher ci;
	bool keyed;
	v1_iv p1iv;         /* running phase 1 IV; after MM6 the base of every phase 2 IV */
	v1_iv next_iv;      /* the IV after the message being handled: committed once it is accepted */
	v1_child child;     /* the current Quick Mode / IPsec SA */
	v1_child old;       /* during a phase 2 rekey: the IPsec SA being replaced (still INSTALLED) */
	ike_time p1_rekey_at; /* the SA initiator starts a new phase 1 then (ike_life rekey/reauth), NEVER = none */
	bool replaced;      /* a new ISAKMP SA is on its way: this one is deleted once it carries an IPsec SA */
	uint64_t replaces_i, replaces_r; /* the cookies of the ISAKMP SA this one replaces, 0 if none */
	/* retransmission: our last message, re-sent on timeout (when we wait for an answer) or on a duplicate */
	uint8_t tx[V1_MSG_MAX];
	size_t tx_len;
	uint8_t rx[V1_MSG_MAX]; /* the last accepted message as received: a second copy is a retransmission */
	size_t rx_len;
	bool in_input;      /* a message is being handled: what we send now answers it */
	bool sent_in_input; /* we sent something while handling it */
	bool tx_answers_rx; /* tx was sent while handling rx: a repeated rx gets tx again, otherwise nothing */
	ike_time timer_at;
	uint8_t tries;
	bool waiting;       /* tx expects an answer: retransmit it on the timer */
	ike_time born;      /* created: a phase 1 that is not done half_open_timeout later goes (timeout row) */
	ike_time last_rx;   /* the last message from the peer that we accepted: DPD counts idle time from it */
	uint32_t dpd_seq;   /* RFC 3706 sequence number of our last R-U-THERE */
	bool dpd_out;       /* tx is an R-U-THERE waiting for its ACK */
	/* NAT-T (RFC 3947, v1_natt.c) */
	uint8_t natt_peer;  /* the NAT-T vendor ID the peer sent (enum v1_vid: RFC 3947 or a draft), 0 none */
	bool natt;          /* both sides announced NAT-T: NAT-D in phase 1 */
	bool nat_local, nat_remote; /* NAT detected in front of us / of the peer */
	bool nat_forced;    /* our connection forces UDP encapsulation (encap): our NAT-D of our source cannot match */
	ike_time last_tx;   /* the last datagram we sent the peer (keepalives fill silences) */
	ike_time ka_at;     /* the next NAT keepalive check, IKE_TIME_NEVER = none */
	v1_txn txn;         /* XAUTH / Mode Config */
	uint8_t xauth;      /* enum v1_xauth_st */
	bool vip_set;       /* Mode Config: the client's virtual IPv4 address (given or taken) */
	uint8_t vip[4];
	char xuser[IKE_XAUTH_MAX + 1]; /* gateway: the user XAUTH accepted (the address lease follows it) */
	uint8_t *mm6;       /* gateway: MM6 (sealed) until the XAUTH REPLY: a repeated MM5 gets it before the REQUEST */
	size_t mm6_len;
} v1_ike_sa;

/* ---- v1_io.c: the SA list, sending, retransmission, traces, events ---- */
v1_ike_sa *v1_sa_new(struct ike_peer *p, size_t conn, bool initiator, const ike_addr *local, const ike_addr *remote,
		     ike_time now);
void v1_sa_free(v1_ike_sa *sa);
v1_ike_sa *v1_sa_find(struct ike_peer *p, uint64_t cky_i, uint64_t cky_r, const ike_addr *from);
/* Sends msg (already sealed when it should be), keeps it for retransmission; waiting: arm the timer. */
void v1_send(v1_ike_sa *sa, ike_time now, uint8_t *msg, size_t len, v1_iv *iv, bool waiting, const char *dir);
void v1_trace_msg(struct ike_peer *p, ike_time now, const char *ev, const v1_header *h, const v1_chain *c,
		  size_t size, const ike_addr *from, const ike_addr *to, const char *dir);
void v1_trace_error(struct ike_peer *p, ike_time now, const v1_ike_sa *sa, const char *what, const char *why,
		    uint16_t notify);
/* sa.selected for the ISAKMP SA (esp false) or the current IPsec SA. */
void v1_trace_selected(v1_ike_sa *sa, ike_time now, bool esp);
void v1_trace_kdf(v1_ike_sa *sa, ike_time now, const char *name, const char *inputs, const uint8_t *v, size_t n);
void v1_ike_go(v1_ike_sa *sa, ike_time now, enum v1_ike_tr t, const char *detail);
void v1_child_go(v1_ike_sa *sa, ike_time now, enum v1_child_tr t, const char *detail);
void v1_event(v1_ike_sa *sa, ike_time now, uint8_t kind, uint16_t notify, const char *why);
/* Fails the SA with row t (notify 0: none), tells the host and frees it. */
void v1_fail(v1_ike_sa *sa, ike_time now, enum v1_ike_tr t, uint16_t notify, const char *why);
/* The peer repeated the last message it sent us: our answer again if tx answered it, else nothing (QM3, AM3). */
void v1_resend_dup(v1_ike_sa *sa, ike_time now);
/* An unprotected (phase 1 not done) or protected Informational with one notify about the ISAKMP SA. */
void v1_send_notify(v1_ike_sa *sa, ike_time now, uint16_t type);
/* Re-arms the SA's timer when nothing waits for an answer: the next DPD check (dpd_delay after last_rx). */
void v1_rearm(v1_ike_sa *sa, ike_time now);
/* True while sa is still in p's list (a handler may have freed it). */
bool v1_alive(const struct ike_peer *p, const v1_ike_sa *sa);

void v1_child_wipe(v1_child *c);
/* Runs row t on sa->old (swapped in for the call), tells the host CHILD_DOWN and wipes it. */
void v1_old_gone(v1_ike_sa *sa, ike_time now, enum v1_child_tr t, const char *why);
/* Sends Delete(ESP) and Delete(ISAKMP) for an established SA and frees it (IKE_DOWN). */
void v1_delete_sa(v1_ike_sa *sa, ike_time now, const char *why);

/* ---- v1_info.c: Informational exchanges (RFC 2409 5.7): notifies, Delete, DPD (RFC 3706) ---- */
/* A protected Informational (HASH(1) | N | D...) or, before phase 1 completed, a plain one. waiting: DPD only. */
void v1_send_info(v1_ike_sa *sa, ike_time now, const v1_notify *n, const v1_delete *d, size_t nd, bool waiting);
enum ike_input_result v1_info_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c,
				   const uint8_t *pt, size_t pt_len);
/* Idle for dpd_delay: send R-U-THERE (retransmitted like any request; unanswered -> dead-peer, dpd_action). */
void v1_dpd_send(v1_ike_sa *sa, ike_time now);
/* The peer is dead: trace, end the SA, and restart the connection when dpd_action says so. */
void v1_dead(v1_ike_sa *sa, ike_time now);
/* ike_peer_delete for an IKEv1 connection: Delete(ESP) and Delete(ISAKMP), then the SAs go. */
int v1_delete_conn(struct ike_peer *p, ike_time now, size_t conn);
ike_time v1_next_deadline(const struct ike_peer *p);
void v1_expire(struct ike_peer *p, ike_time now);
void v1_free_all(struct ike_peer *p);
bool v1_conn_status(const struct ike_peer *p, size_t conn, ike_conn_status *st);
/* Seals msg[0..len) with the given IV state (phase 1 or the exchange's); 0 on failure. */
size_t v1_seal_msg(v1_ike_sa *sa, v1_iv *iv, uint8_t *msg, size_t len);

/* ---- v1_prop.c: proposals ---- */
/* Our phase 1 SA payload from the connection's IKE proposals (one transform per combination). */
bool v1_p1_offer(const ike_conn_cfg *conn, v1_sa *out);
/* Picks the first offered transform we accept; fills alg and the chosen proposal/transform in *reply. */
bool v1_p1_select(const ike_conn_cfg *conn, const v1_sa *offer, v1_p1 *alg, v1_sa *reply);
bool v1_p1_from_reply(const v1_sa *reply, v1_p1 *alg);
bool v1_p2_offer(const ike_child_cfg *ch, uint32_t spi, uint32_t life, v1_sa *out);
bool v1_p2_select(const ike_child_cfg *ch, const v1_sa *offer, uint32_t spi, v1_p2 *alg, v1_sa *reply,
		  uint32_t *peer_spi);
bool v1_p2_from_reply(const v1_sa *reply, v1_p2 *alg, uint32_t *peer_spi);
void v1_p1_format(const v1_p1 *a, char *out, size_t cap);
/* Names and key sizes that also know IKEv1's legacy 3DES / HMAC-MD5 (not in the shared registry). */
const char *v1_alg_name(uint8_t type, uint16_t id, uint16_t keylen);
size_t v1_encr_key_bytes(uint16_t encr, uint16_t keylen);
size_t v1_integ_key_bytes(uint16_t integ);
/* The phase 1 cipher (IKE_V1_ENCR_3DES / IKE_V1_ENCR_AES_CBC) for v1_cipher_init. */
uint16_t v1_p1_cipher(const v1_p1 *a);
void v1_p2_format(const v1_p2 *a, char *out, size_t cap);

/* ---- v1_quick.c ---- */
/* A Quick Mode ID payload (IPV4/IPV6 ADDR, ADDR_SUBNET or ADDR_RANGE, length checked) as a selector. */
bool v1_id_ts(const v1_payload *p, ike_ts *t);

/* ---- v1_phase1.c: shared by Main and Aggressive Mode ---- */
void v1_p1_header(const v1_ike_sa *sa, v1_header *h);
/* Our ID payload and its body (type, protocol, port, data) as HASH_I/R take it; 0 if cap is short. */
size_t v1_our_id(const v1_ike_sa *sa, v1_id *id, uint8_t *body, size_t cap);
bool v1_keep_sai(v1_ike_sa *sa, const uint8_t *b, size_t n);
void v1_add_vids(v1_builder *b);
/* The peer's KE and nonce (right sizes) into gxi/gxr and ni/nr. */
bool v1_take_ke_nonce(v1_ike_sa *sa, ike_time now, const v1_chain *c);
/* Our DH pair (sa->alg.group) and nonce. */
bool v1_keygen(v1_ike_sa *sa);
/* Our DH pair and nonce, and a Main Mode KE No message into m; 0 on failure. */
size_t v1_build_ke(v1_ike_sa *sa, uint8_t *m);
/* g^xy, SKEYID, SKEYID_d/a/e, Ka and the phase 1 IV (kdf events). */
bool v1_derive(v1_ike_sa *sa, ike_time now);
/* Main Mode 5/6: ID HASH_I/HASH_R into m (plaintext; the caller seals). */
size_t v1_build_auth(v1_ike_sa *sa, uint8_t *m);
const char *v1_check_auth(v1_ike_sa *sa, const uint8_t *id_b, size_t id_len, const v1_payload *hash);
/* Main Mode 5/6: the peer's ID HASH (PSK) or ID CERT SIG (RSA) checked, auth.verified traced; NULL or why not. */
const char *v1_check_peer(v1_ike_sa *sa, ike_time now, const v1_chain *c);
void v1_established(v1_ike_sa *sa, ike_time now, enum v1_ike_tr t);
/* ---- v1_sig.c: Main Mode with RSA signatures (RFC 2409 5.1) ---- */
/* MM5/MM6 as ID CERT SIG: our certificate and the PKCS#1 signature of HASH_I/HASH_R. */
size_t v1_build_sig_auth(v1_ike_sa *sa, uint8_t *m);
/* MM3/MM4 with signatures: a CR (X.509 signature, the CA's DN) for each CA we trust (at most 4). */
void v1_add_certreqs(v1_builder *b, const v1_ike_sa *sa);
/* NULL when the peer's certificate chains to our CA, names its ID (the configured one) and signs its hash. */
const char *v1_check_sig(v1_ike_sa *sa, ike_time now, const v1_chain *c);

/* ---- v1_trace.c: events IKEv2 has too ---- */
/* auth.verified: the peer's HASH_I/HASH_R (PSK) or signature (RSA, subject = its certificate) checked out. */
void v1_trace_verified(v1_ike_sa *sa, ike_time now, const uint8_t *id_b, size_t id_len, const char *subject);
/* child_sa.rekeyed and IKE_EV_CHILD_REKEYED: sa->child (installed) replaces sa->old. */
void v1_trace_child_rekeyed(v1_ike_sa *sa, ike_time now);
/* ike_sa.rekeyed (reason reauth) and IKE_EV_IKE_REKEYED: nsa replaces old. */
void v1_trace_ike_rekeyed(const v1_ike_sa *old, v1_ike_sa *nsa, ike_time now);

/* ---- v1_contact.c: INITIAL-CONTACT (RFC 2407 4.6.3.3) ---- */
/* Keeps the peer's verified ID body (what INITIAL-CONTACT compares). */
void v1_ic_keep_id(v1_ike_sa *sa, const uint8_t *id_b, size_t id_len);
/* Adds N(INITIAL-CONTACT) when we initiate, the connection allows it and we hold no other SA with that peer. */
void v1_ic_add(v1_builder *b, const v1_ike_sa *sa);
/* The authenticated peer restarted: its other ISAKMP SAs (and their IPsec SAs) with the same identities go. */
void v1_ic_received(v1_ike_sa *sa, ike_time now);
/* v1_ic_received when the (protected) chain carries N(INITIAL-CONTACT). */
void v1_ic_check(v1_ike_sa *sa, ike_time now, const v1_chain *c);

/* ---- v1_natt.c: NAT traversal (RFC 3947, RFC 3948) ---- */
/* NAT-T in use: both announced it and a NAT was detected (or our connection forces encapsulation). */
bool v1_natt_active(const v1_ike_sa *sa);
/* Phase 1 messages 1/2: the RFC 3947 VID (initiator), or the one the peer sent (responder). */
void v1_natt_vid(const v1_ike_sa *sa, v1_builder *b);
/* The peer's NAT-T VID from messages 1/2 (RFC 3947 preferred over the drafts). */
void v1_natt_take_vids(v1_ike_sa *sa, const v1_chain *c);
/* MM3/MM4, AM2/AM3: NAT-D of the destination, then of our source (forced encapsulation: one that cannot match). */
void v1_natt_add_natd(v1_ike_sa *sa, v1_builder *b);
/* The peer's NAT-D against our addresses: nat_local/nat_remote, traced as ike.natd. */
void v1_natt_check(v1_ike_sa *sa, ike_time now, const v1_chain *c);
/* Initiator, NAT-T in use: the move to port 4500 before MM5/AM3 (ike.float, IKE_EV_IKE_MOVED). */
void v1_natt_float(v1_ike_sa *sa, ike_time now);
/* Responder, before handling MM5/AM3: AM3's NAT-D, then the move to where the message came from. */
void v1_natt_input(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c, const ike_addr *from,
		   const ike_addr *to);
/* After an authenticated message: the side not behind a NAT follows the NAT'ed peer's address (RFC 3947 7). */
void v1_natt_follow(v1_ike_sa *sa, ike_time now, const ike_addr *from, const ike_addr *to);
/* Quick Mode offer: encapsulation modes UDP-Encapsulated-Tunnel/-Transport when NAT-T is in use. */
void v1_natt_p2_offer(const v1_ike_sa *sa, v1_sa *offer);
/* QM1/QM2 in transport mode with NAT-T: NAT-OAi, NAT-OAr (RFC 3947 5.2). */
void v1_natt_add_natoa(const v1_ike_sa *sa, v1_builder *b);
/* Phase 1 done: NAT keepalives armed when we are behind a NAT (or force encapsulation) and keepalive is set. */
void v1_natt_up(v1_ike_sa *sa, ike_time now);
/* ka_at came: one 0xFF byte unless we sent something within the keepalive interval. */
void v1_natt_keepalive(v1_ike_sa *sa, ike_time now);

/* ---- v1_main.c / v1_aggr.c / v1_quick.c ---- */
int v1_initiate(struct ike_peer *p, ike_time now, size_t conn);
enum ike_input_result v1_input(struct ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to,
			       const uint8_t *data, size_t len);
/* Aggressive Mode (RFC 2409 5, PSK): initiation and messages 1..3. */
int v1_am_initiate(struct ike_peer *p, ike_time now, size_t conn);
enum ike_input_result v1_am_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c);
/* Main Mode message n (1..6) arrived (decrypted and parsed for 5/6). */
enum ike_input_result v1_mm_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c);
/* After phase 1: the initiator starts Quick Mode for children[0]. */
void v1_qm_start(v1_ike_sa *sa, ike_time now);
/* The installed IPsec SA's rekey time came: it becomes sa->old and a new Quick Mode starts. */
void v1_qm_rekey(v1_ike_sa *sa, ike_time now);
/* The ISAKMP SA's rekey time came: a new Main/Aggressive Mode for the connection (make-before-break). */
void v1_p1_rekey(v1_ike_sa *sa, ike_time now);
/* The Quick Mode in progress failed: stop waiting for it; during a rekey the replaced IPsec SA is current again
 * and its rekey is retried a few seconds later (v2_retry_at). */
void v1_qm_abandon(v1_ike_sa *sa, ike_time now);
enum ike_input_result v1_qm_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c,
				 const uint8_t *pt, size_t pt_len);

/* ---- v1_xauth.c: TRANSACTION exchanges (HASH(1) ATTR), XAUTH ---- */
/* Phase 1 done: a gateway with users asks for them; a client with only Mode Config asks for its address; else
 * the initiator starts Quick Mode. */
void v1_after_phase1(v1_ike_sa *sa, ike_time now);
enum ike_input_result v1_txn_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c,
				  const uint8_t *pt, size_t pt_len);
/* HASH(1) | ATTR: in the current exchange (fresh false) or a new one with a new M-ID. */
void v1_txn_send(v1_ike_sa *sa, ike_time now, const v1_cfg *cfg, bool fresh, bool waiting);
/* The gateway lets Quick Mode in: no users configured, or the user passed. */
bool v1_xauth_passed(const v1_ike_sa *sa);
/* A client whose XAUTH has not succeeded yet (its SA ends half_open_timeout after it began). */
bool v1_xauth_pending(const v1_ike_sa *sa);
/* The phase 1 auth method our PSK connection offers / insists on (PSK or XAUTHInitPreShared). */
uint16_t v1_psk_method(const ike_conn_cfg *conn);

/* ---- v1_modecfg.c: Mode Config (pull: REQUEST/REPLY; push: SET/ACK taken) ---- */
/* Client: ask for an address (a new exchange). */
void v1_mcfg_request(v1_ike_sa *sa, ike_time now);
/* A Mode Config message (not XAUTH) arrived, its HASH verified. */
enum ike_input_result v1_mcfg_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_cfg *cfg);
/* Client: the virtual IP as our Quick Mode selector (one address, any protocol and port). */
void v1_vip_ts(const v1_ike_sa *sa, ike_ts *t);
/* The first attribute of a type in an ATTR payload, or NULL. */
const v1_attr *v1_cfg_find(const v1_cfg *cfg, uint16_t type);
/* A user name as traces show it: printable ASCII, others as '?'. */
void v1_user_str(const uint8_t *u, size_t n, char *out, size_t cap);

#endif
