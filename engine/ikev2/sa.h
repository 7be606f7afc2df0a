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
#include "ikev2/states.h"
#include "wire/v2.h"

#define V2_MAX_MSG 8192    /* largest IKE message we build or accept (no fragmentation yet) */
#define V2_STR_(x) #x
#define V2_STR(x) V2_STR_(x)
#define V2_MAX_MSG_TEXT V2_STR(V2_MAX_MSG) /* "8192", for messages that say why */
#define V2_NONCE_LEN 32
#define V2_HALF_OPEN_TIMEOUT (30 * IKE_NS_PER_SEC)
#define V2_COOKIE_SECRET_LEN 32

/* Algorithms agreed for an SA (IKE or CHILD). */
typedef struct v2_algs {
	uint16_t encr, encr_keylen, prf, integ, dh, esn;
} v2_algs;

typedef struct v2_child_sa {
	uint8_t state;
	uint8_t n_ts_i, n_ts_r;
	uint32_t spi_in, spi_out;
	v2_algs algs;
	ike_ts ts_i[2], ts_r[2];  /* narrowed selectors: initiator's and responder's side */
	uint8_t *keymat;           /* ei | ai | er | ar, exact size */
	uint16_t keymat_len;
} v2_child_sa;

typedef struct v2_ike_sa v2_ike_sa;

struct v2_ike_sa {
	v2_ike_sa *next_local;   /* hash chain by our SPI */
	v2_ike_sa *next_remote;  /* hash chain by the peer's SPI (responders: half-open lookups) */
	struct ike_peer *peer;
	const ike_conn_cfg *conn; /* NULL until a responder matched one */
	uint16_t conn_idx;
	uint8_t state;
	bool initiator;
	bool nat_local, nat_remote; /* NAT detected in front of us / the peer */
	uint64_t spi_i, spi_r;
	ike_addr local, remote;
	v2_algs algs;
	const ike_alg *encr_alg, *integ_alg;
	uint16_t ke_group;       /* group of the KE we sent (initiator) */
	ike_dh *dh;              /* ephemeral key pair until g^ir is derived */
	uint8_t *ni, *nr;        /* freed once the first CHILD SA is keyed */
	uint16_t ni_len, nr_len;
	uint8_t *init_i, *init_r; /* IKE_SA_INIT messages, kept for AUTH, then freed */
	uint16_t init_i_len, init_r_len;
	uint8_t *cookie;
	uint16_t cookie_len;
	uint8_t *keys;           /* SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr */
	uint16_t keys_len;
	uint8_t prf_len, integ_key_len, encr_key_len;
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
	uint32_t resp_msgid;
	bool has_resp;
	ike_time timer_at;       /* next timer (retransmit or half-open timeout), IKE_TIME_NEVER if none */
	size_t heap_idx;
	uint16_t peer_hashes;    /* SIGNATURE_HASH_ALGORITHMS the peer sent (bit h = hash id h), 0 if none */
	v2_child_sa child;       /* the first CHILD SA */
	bool has_child;
};

/* Half-open responder SAs from one source IP (halfopen.c); count 0 = empty slot. */
typedef struct v2_ho_slot {
	uint32_t count;
	uint8_t family;
	uint8_t ip[16];
} v2_ho_slot;

/* Cookies answered to one source address:port in one second (a lossy table: one slot per hash). */
typedef struct v2_rl_slot {
	uint32_t sec, n;
} v2_rl_slot;
#define V2_COOKIE_RL_SLOTS 65536
#define V2_COOKIE_RL_PER_SEC 4

/* Why an unauthenticated message got no detailed trace: counted and reported once a window (refusals.c). */
enum v2_refusal {
	V2_REF_COOKIE,    /* answered with N(COOKIE) */
	V2_REF_BLOCKED,   /* silently dropped: block_threshold half-open SAs from its IP */
	V2_REF_LIMIT,     /* silently dropped: half_open_limit reached */
	V2_REF_COOKIE_LIMITED, /* silently dropped: its address:port had its cookies for this second */
	V2_REF_REFUSED,   /* answered with another error notify (INVALID_SYNTAX, NO_PROPOSAL_CHOSEN...) */
	V2_REF_DROPPED,   /* dropped before any SA matched or decrypted it (malformed, unknown SPI, ...) */
	V2_REF_DUP,       /* a retransmitted request answered from the response cache */
	V2_REF_N
};

/* What a connection reached: kept beyond SA lifetimes so `expect` can be checked at the end. */
typedef struct v2_conn_record {
	uint8_t ike_state, child_state;
	bool has_ike, has_child, timed_out;
	uint16_t last_error;
	ike_addr remote;
	v2_algs ike_algs, esp_algs;
	bool ike_selected, esp_selected;
} v2_conn_record;

struct ike_peer {
	ike_peer_cfg cfg;
	ike_host host;
	ike_drbg rng;
	v2_ike_sa **by_local, **by_remote; /* hash buckets */
	size_t nbuckets, nsas;
	v2_ike_sa **heap;                  /* timers: min-heap on timer_at */
	size_t heap_len, heap_cap;
	v2_conn_record *rec;
	size_t half_open;                  /* responder SAs in CONNECTING, for cookie_threshold */
	uint8_t cookie_secret[V2_COOKIE_SECRET_LEN];
	bool has_cookie_secret;            /* drawn from rng on first need, so peers without cookies draw nothing */
	v2_rl_slot *cookie_rl;             /* cookies sent per source address:port and second (cookie.c) */
	v2_ho_slot *ho;                    /* half-open responder SAs per source IP */
	size_t ho_cap, ho_used;
	/* Unauthenticated input is traced in detail V2_REFUSAL_BURST times a window, then only counted. */
	ike_time ref_window_end;
	uint32_t ref_traced;
	uint64_t ref_count[V2_REF_N];
	bool ref_pending;                  /* counts wait to be reported at ref_window_end */
};

/* ---- peer.c: SA table, timers ---- */
v2_ike_sa *v2_sa_new(struct ike_peer *p, bool initiator, uint64_t spi_i, uint64_t spi_r);
void v2_sa_destroy(v2_ike_sa *sa, ike_time now);
void v2_sa_set_spi_r(v2_ike_sa *sa, uint64_t spi_r);
void v2_sa_set_timer(v2_ike_sa *sa, ike_time at);
uint64_t v2_new_spi(struct ike_peer *p);
v2_conn_record *v2_rec(v2_ike_sa *sa);
/* Keeps p->half_open in step with a responder SA's move between states. */
void v2_half_open_track(v2_ike_sa *sa, uint8_t from, uint8_t to);

/* ---- halfopen.c: half-open responder SAs per source IP ---- */
uint32_t v2_ho_count(const struct ike_peer *p, const ike_addr *a);
void v2_ho_adjust(struct ike_peer *p, const ike_addr *a, int delta);

/* ---- refusals.c: bounded tracing of unauthenticated input ---- */
#define V2_REFUSAL_WINDOW IKE_NS_PER_SEC
#define V2_REFUSAL_BURST 8
/* True when this refusal/drop may be traced in detail; otherwise it is counted under `why`. */
bool v2_refusal_trace(struct ike_peer *p, ike_time now, enum v2_refusal why);
/* Emits the counts of the window if any were held back (at its end, or when the host flushes). */
void v2_refusal_report(struct ike_peer *p, ike_time now);
ike_time v2_refusal_deadline(const struct ike_peer *p);

v2_ike_sa *v2_find_local(struct ike_peer *p, uint64_t spi);
v2_ike_sa *v2_find_half_open(struct ike_peer *p, uint64_t spi_i, const ike_addr *from);
/* Same family, IP and port. */
bool v2_same_addr(const ike_addr *a, const ike_addr *b);

/* ---- transitions.c: every state change goes through the tables ---- */
void v2_ike_go(v2_ike_sa *sa, ike_time now, enum v2_ike_tr t, const char *detail);
void v2_child_go(v2_ike_sa *sa, ike_time now, enum v2_child_tr t, const char *detail);

/* ---- trace.c ---- */
bool v2_tracing(const struct ike_peer *p);
void v2_emit(struct ike_peer *p, ike_time now, const char *ev, ike_jsonw *w);
void v2_trace_error(struct ike_peer *p, ike_time now, const v2_ike_sa *sa, const char *what, const char *why,
		    uint16_t notify);
void v2_trace_kdf(v2_ike_sa *sa, ike_time now, const char *name, const char *inputs_json, const uint8_t *val,
		  size_t len);
void v2_trace_selected(v2_ike_sa *sa, ike_time now, const char *what, const v2_algs *a);
void v2_addr_str(const ike_addr *a, char *out, size_t cap);
void v2_charge(struct ike_peer *p, uint8_t op, uint32_t arg, size_t bytes);
/* Records the failure, moves the SA along row t (to DESTROYING) and frees it: sa is gone after. */
void v2_fail(v2_ike_sa *sa, ike_time now, enum v2_ike_tr t, uint16_t notify, const char *why);
void v2_sa_event(v2_ike_sa *sa, ike_time now, uint8_t kind, uint16_t notify, const char *why);
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
	uint8_t plain[V2_MAX_MSG];
	const ike_addr *from, *to;
} v2_inbound;

void v2_header_for(const v2_ike_sa *sa, uint8_t exchange, bool response, uint32_t msgid, v2_header *h);
/* Sends an unencrypted message built in buf (IKE_SA_INIT); stores it as request or response; -1 if it could not be stored. */
int v2_send_plain(v2_ike_sa *sa, ike_time now, const uint8_t *msg, size_t len, bool response);
/* Seals the inner chain into an SK message and sends it; stores it as request or response. */
int v2_send_sk(v2_ike_sa *sa, ike_time now, uint8_t exchange, bool response, uint32_t msgid,
	       const uint8_t *inner, size_t inner_len, uint8_t inner_first);
/* Decrypts an SK message into in->inner; 0, or -1 (traced; a malformed inner chain may end the SA). */
int v2_open_sk(v2_ike_sa *sa, ike_time now, v2_inbound *in);
/* Answers an authenticated request with one encrypted error notify; the SA stays. */
int v2_answer_notify(v2_ike_sa *sa, ike_time now, const v2_inbound *in, uint16_t type, const uint8_t *d, size_t n);
/* Answers an authenticated request with a fatal notify (INVALID_SYNTAX, ...), then fails the SA: sa is gone after. */
void v2_refuse_fatal(v2_ike_sa *sa, ike_time now, const v2_inbound *in, uint16_t notify, const uint8_t *data,
		     size_t len, const char *why);
/* An authenticated response we cannot use (malformed): no answer, the SA is cleaned up (2.21). sa is gone after. */
void v2_bad_response(v2_ike_sa *sa, ike_time now, const v2_inbound *in, const char *why);
void v2_trace_msg(struct ike_peer *p, ike_time now, const char *ev, const v2_header *h, const v2_chain *outer,
		  const v2_chain *inner, size_t size, const ike_addr *from, const ike_addr *to);
void v2_request_done(v2_ike_sa *sa);
void v2_retransmit_due(v2_ike_sa *sa, ike_time now);
void v2_send_raw(struct ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to, const uint8_t *msg,
		 size_t len);

/* ---- keys.c ---- */
int v2_derive_ike_keys(v2_ike_sa *sa, ike_time now, const uint8_t *gir, size_t gir_len);
int v2_derive_child_keys(v2_ike_sa *sa, ike_time now);
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
void v2_init_r_recv(struct ike_peer *p, ike_time now, v2_inbound *in);
void v2_init_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
/* Retransmissions ran out after an unprotected error notify: fails the SA with it; false if none came. */
bool v2_init_i_gave_up(v2_ike_sa *sa, ike_time now);
/* Answers an IKE_SA_INIT request with one unprotected notify, no state kept; conn >= 0 records the error. */
void v2_init_r_refuse(struct ike_peer *p, ike_time now, const v2_inbound *in, int conn, uint16_t notify,
		      const uint8_t *data, size_t len, const char *why);
void v2_auth_i_send(v2_ike_sa *sa, ike_time now);
void v2_auth_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
void v2_auth_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
/* Initiator: reports an error in the IKE_AUTH response in an INFORMATIONAL request nobody waits for (2.21.2). */
void v2_auth_i_tell(v2_ike_sa *sa, ike_time now, uint16_t notify);
/* CREATE_CHILD_SA request (responder of the exchange): refused with NO_ADDITIONAL_SAS until it is implemented. */
void v2_child_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
void v2_info_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);
void v2_info_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in);

/* ---- cookie.c (RFC 7296 2.6) ---- */
/* Responder: true if the IKE_SA_INIT request may go on; false once it was answered with N(COOKIE). */
bool v2_cookie_admit(struct ike_peer *p, ike_time now, const v2_inbound *in, const v2_payload *nonce);

/* ---- natd.c ---- */
int v2_natd_hash(const ike_crypto *c, uint64_t spi_i, uint64_t spi_r, const ike_addr *a, uint8_t out[20]);
void v2_add_natd(const ike_crypto *c, v2_builder *b, uint64_t spi_i, uint64_t spi_r, const ike_addr *src,
		 const ike_addr *dst);
/* Compares the peer's NATD hashes with our addresses (RFC 7296 2.23); sets nat_local/nat_remote, traces. */
void v2_natd_check(v2_ike_sa *sa, ike_time now, const v2_chain *ch, uint64_t spi_r_in_msg);

/* ---- auth_psk.c ---- */
/* The octets AUTH covers (2.15): IKE_SA_INIT message | peer's nonce | prf(SK_p, ID body); maced_id backs out[2]. */
int v2_signed_octets(const v2_ike_sa *sa, bool for_initiator, const uint8_t *id_body, size_t id_len,
		     uint8_t maced_id[IKE_PRF_MAX_OUT], ike_iov out[3]);
int v2_psk_auth(const v2_ike_sa *sa, bool for_initiator, const uint8_t *id_body, size_t id_len, uint8_t *out,
		size_t *out_len);

/* ---- auth_sig.c: certificates and signatures (conn->auth == IKE_AUTH_PUBKEY) ---- */
/* IKE_SA_INIT: CERTREQ (responder only) and N(SIGNATURE_HASH_ALGORITHMS). */
void v2_sig_add_init(const v2_ike_sa *sa, v2_builder *b, bool response);
/* Remembers the peer's SIGNATURE_HASH_ALGORITHMS from an IKE_SA_INIT message. */
void v2_sig_read_init(v2_ike_sa *sa, const v2_chain *outer);
/* Our AUTH data and method over our signed octets; 0 or -1 with why. */
int v2_sig_auth(const v2_ike_sa *sa, bool for_initiator, const uint8_t *id_body, size_t id_len, uint8_t *out,
		size_t cap, size_t *len, uint8_t *method, const char **why);
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
