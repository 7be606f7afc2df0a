/*
 * libike: the IKE engine's public interface. The engine does no I/O and reads no clock:
 * its host feeds it datagrams and the current time, and receives datagrams to send,
 * trace events, SA events and crypto cost reports through ike_host.
 */
#ifndef IKE_IKE_H
#define IKE_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/identity.h"
#include "config/proposal.h"
#include "crypto/crypto.h"

/* Virtual or real time in nanoseconds. */
typedef int64_t ike_time;
#define IKE_TIME_NEVER INT64_MAX
#define IKE_NS_PER_SEC 1000000000LL

typedef struct ike_addr {
	uint8_t family; /* 4 or 6 */
	uint16_t port;
	uint8_t ip[16]; /* IPv4 in ip[0..3] */
} ike_addr;

enum ike_auth_method { IKE_AUTH_PSK = 1, IKE_AUTH_PUBKEY = 2 };

/* Longest PSK the PRF accepts as a key (engine/crypto/prf.c); config loaders refuse longer ones. */
#define IKE_PSK_MAX 65535u

/* Our certificate chain, private key and trusted CA(s); built by engine/crypto/cert.h from PEM bytes. */
typedef struct ike_cred ike_cred;

/* Retransmission: timeout(n) = base * factor^n, `tries` retransmissions, then give up. */
typedef struct ike_retransmit_cfg {
	ike_time base;
	double factor;
	uint8_t tries;
} ike_retransmit_cfg;

/*
 * Lifetimes of one SA, as strongSwan's swanctl.conf names them (libreswan's ikelifetime/salifetime,
 * rekeymargin and rekeyfuzz map onto the same four numbers, see docs/scenario.md):
 * the SA is rekeyed (or reauthenticated) at `rekey` (`reauth`) minus a random span in [0, rand],
 * and dies at max(rekey, reauth) + over if that has not happened. 0 = never / none.
 */
typedef struct ike_life_cfg {
	ike_time rekey;
	ike_time reauth;          /* IKE SAs only: a new IKE SA with full authentication */
	ike_time rand;
	ike_time over;
	uint64_t bytes, packets;  /* CHILD SAs: hard data limits (the ESP data plane: the SA stops), 0 = none */
	uint64_t rekey_bytes, rekey_packets; /* CHILD SAs: soft data limits (the host asks for a rekey), 0 = none */
} ike_life_cfg;

enum ike_child_start { IKE_CHILD_START_NONE, IKE_CHILD_START_START, IKE_CHILD_START_TRAP };
enum ike_ipsec_mode { IKE_MODE_TUNNEL, IKE_MODE_TRANSPORT };

/* One CHILD SA of a connection (swanctl's `children`); children[0] is negotiated in IKE_AUTH. */
typedef struct ike_child_cfg {
	const char *name;
	/* ESP proposals, or AH ones (swanctl's ah_proposals; p[].protocol says which, all alike): a DH transform in
	 * them means PFS for CREATE_CHILD_SA (rekeys and later children) */
	ike_proposal_list esp;
	uint8_t n_local_ts, n_remote_ts;
	ike_ts local_ts[IKE_TS_MAX], remote_ts[IKE_TS_MAX];
	ike_life_cfg life;
	uint8_t start;            /* enum ike_child_start: what the initiator does once its IKE SA is up */
	uint8_t mode;             /* enum ike_ipsec_mode */
	uint16_t replay_window;   /* data plane: inbound anti-replay window in packets; 0 = the default 64,
				   * IKE_REPLAY_OFF = no replay check (a zeroed config keeps RFC 4303's default) */
} ike_child_cfg;
#define IKE_REPLAY_OFF 0xffffu
#define IKE_REPLAY_WINDOW_MAX 4096u /* engine/esp's ESP_REPLAY_WINDOW_MAX */

/* The IPsec protocol a child negotiates: AH when its proposals are AH ones (RFC 7296 3.3.1), else ESP. */
static inline uint8_t ike_child_protocol(const ike_child_cfg *c)
{
	return c->esp.n && c->esp.p[0].protocol == IKE_PROTO_AH ? IKE_PROTO_AH : IKE_PROTO_ESP;
}

/* What DPD (liveness checks) or a lost peer leads to (strongSwan's dpd_action / libreswan's dpdaction). */
enum ike_dpd_action { IKE_DPD_CLEAR, IKE_DPD_RESTART, IKE_DPD_TRAP };

/* RFC 7383 IKE fragmentation (strongSwan's `fragmentation`): no, yes (when needed and negotiated), force
 * (every encrypted message once negotiated), accept (announce and reassemble, never fragment our own). */
enum ike_frag_mode { IKE_FRAG_NO, IKE_FRAG_YES, IKE_FRAG_FORCE, IKE_FRAG_ACCEPT };
/* Smallest fragment_size (UDP payload bytes) the engine can always fill: header, IV, ICV, padding and data. */
#define IKE_FRAG_SIZE_MIN 128

/* One connection, shared read-only by every SA made from it; strings/arrays owned by the caller. */
/* One XAUTH user a gateway accepts (IKEv1); the password is a secret the loader wipes. */
#define IKE_XAUTH_MAX 128 /* longest user name or password, bytes */
typedef struct ike_xauth_user {
	const char *user;
	const uint8_t *password;
	size_t password_len;
} ike_xauth_user;

typedef struct ike_conn_cfg {
	const char *name;
	uint8_t version; /* 2 */
	ike_addr local, remote;
	ike_proposal_list ike;
	uint8_t auth; /* enum ike_auth_method */
	const uint8_t *psk;
	size_t psk_len;
	const ike_cred *cred; /* IKE_AUTH_PUBKEY: shared read-only, outlives the peer */
	ike_id local_id, remote_id;
	const ike_child_cfg *children; /* at least one; children[0] comes up with IKE_AUTH */
	size_t n_children;
	ike_life_cfg ike_life;
	bool reauth_mbb;          /* reauthentication: make-before-break (new IKE SA first) or break-before-make */
	ike_time dpd_delay;       /* liveness check after this long without a message from the peer; 0 = off */
	uint8_t dpd_action;       /* enum ike_dpd_action, also when retransmissions give up on an established SA */
	/* dpd_action restart: how many attempts a restart makes before it gives up (strongSwan's keyingtries,
	 * swanctl default 1); 0 = forever. Loaders set the default: a zeroed config retries for ever. */
	uint32_t keyingtries;
	bool initial_contact;     /* send INITIAL_CONTACT in our first IKE_AUTH to this peer (strongSwan: unless unique=never) */
	uint8_t fragmentation;    /* enum ike_frag_mode */
	uint16_t fragment_size;   /* largest IKE datagram payload before fragmenting (UDP payload bytes); 0 = 1232 */
	ike_retransmit_cfg retransmit;
	/* NAT traversal (RFC 7296 2.23, RFC 3948). Once NAT is detected (or encap forces it) the initiator moves from
	 * IKE_AUTH on to its NAT-T port, natt_port (0: 4500 when local.port is 500, else local.port: no move), and a
	 * peer port of 500 to 4500. encap: strongSwan's encap=yes: our NATD_S hash is one that cannot match, so both
	 * sides see a NAT and ESP goes in UDP. keepalive: NAT keepalives (one 0xFF byte) from the side behind a NAT
	 * after this long without sending anything to the peer; 0 = off. Loaders default it to 20 s (strongSwan). */
	uint16_t natt_port;
	bool encap;
	ike_time keepalive;
	/* MOBIKE (RFC 4555): offer N(MOBIKE_SUPPORTED) in IKE_AUTH; the initiator then moves to its NAT-T port for
	 * IKE_AUTH even without a NAT (4555 3.3), and once both offered it, follows its own address changes with
	 * UPDATE_SA_ADDRESSES (ike_peer_addresses_changed). Loaders default it on (strongSwan); a zeroed config is off. */
	bool mobike;
	/* IKEv1 (version 1): phase 1 in Aggressive Mode (3 messages, identities in clear) instead of Main Mode. A
	 * responder accepts Aggressive Mode only on a connection that has it (strongSwan's aggressive=yes). */
	bool aggressive;
	/* IKEv1 road warriors: XAUTH (draft-ietf-ipsec-isakmp-xauth-06) and Mode Config (draft-dukes-ike-mode-cfg-02).
	 * Client (the phase 1 initiator): xauth_user set: phase 1 offers XAUTHInitPreShared (65001, PSK keys as
	 * usual) and answers the gateway's XAUTH request with these credentials; modecfg: it then asks for an
	 * address (INTERNAL_IP4_ADDRESS) and uses it as its Quick Mode selector (a virtual IP). Gateway (responder):
	 * n_xauth_users > 0: only XAUTHInitPreShared, Quick Mode only after the user's password checked; pool_prefix
	 * > 0: answers address requests from pool/pool_prefix (IPv4). All views: the loader owns the bytes. */
	const char *xauth_user;
	const uint8_t *xauth_password;
	size_t xauth_password_len;
	const ike_xauth_user *xauth_users;
	size_t n_xauth_users;
	bool modecfg;
	uint8_t pool[4];
	uint8_t pool_prefix;
} ike_conn_cfg;

/* Kinds of crypto work reported through ike_host.charge (for a CPU model). */
enum ike_charge_op {
	IKE_CHARGE_DH_KEYGEN,
	IKE_CHARGE_DH_DERIVE,
	IKE_CHARGE_PRF,
	IKE_CHARGE_SK_SEAL,
	IKE_CHARGE_SK_OPEN,
	IKE_CHARGE_SIGN,   /* arg: key bits | IKE_CHARGE_KEY_EC for ECDSA keys; bytes: signed octets */
	IKE_CHARGE_VERIFY, /* same */
};
#define IKE_CHARGE_KEY_EC 0x10000u

enum ike_sa_event_kind {
	IKE_EV_IKE_UP,
	IKE_EV_IKE_DOWN,
	IKE_EV_IKE_FAILED,
	IKE_EV_CHILD_UP,
	IKE_EV_CHILD_DOWN,
	IKE_EV_CHILD_FAILED,
	IKE_EV_IKE_REKEYED,   /* an IKE rekey (or a reauthentication) completed: old_spi_* -> spi_* */
	IKE_EV_CHILD_REKEYED, /* a CHILD rekey completed: old_child_spi_* -> child_spi_* (spi_*: its IKE SA) */
	/* The IKE SA's addresses changed (RFC 7296 2.23: the initiator's move to the NAT-T ports, a NAT'ed peer's new
	 * address or port): old_local/old_remote -> local/remote. The CHILD SAs' ESP-in-UDP must follow: a host moves
	 * every CHILD SA whose outer addresses were old_local/old_remote. */
	IKE_EV_IKE_MOVED,
};

/*
 * An IKE SA's SK_e/SK_a keys as views into the engine's own key buffer (no copies), for Wireshark's
 * ikev2_decryption_table. ei/er include the salt of AEAD ciphers; ai/ar are NULL (a_len 0) for AEAD.
 */
typedef struct ike_sa_keys {
	uint16_t encr, encr_keylen, integ; /* IANA ids (crypto/registry.h); integ 0 = none (AEAD) */
	const uint8_t *ei, *er, *ai, *ar;
	size_t e_len, a_len;
	/* 0 or 2: the above. 1: an IKEv1 ISAKMP SA: ei = er = its cipher key Ka (e_len bytes; Wireshark's
	 * ikev1_decryption_table row), encr IKE_ENCR_AES_CBC, no integrity keys. */
	uint8_t ike_version;
} ike_sa_keys;

/*
 * One CHILD SA as the host's data plane (ESP/AH) needs it: handed over with every IKE_EV_CHILD_UP, whatever
 * reveal_keys says (the host cannot protect traffic without keys). Keys are the KEYMAT slices of RFC 7296
 * 2.17 as views into the engine's own buffer (no copies): ei/ai protect what the INITIATOR OF THE EXCHANGE
 * THAT MADE THE SA (IKE_AUTH or CREATE_CHILD_SA, `initiator` says whether that was us) sends, er/ar what
 * the responder sends. So our outbound keys (used with spi_out) are ei/ai when initiator, else er/ar.
 */
typedef struct ike_child_keys {
	uint8_t protocol;          /* enum ike_protocol: IKE_PROTO_ESP, or IKE_PROTO_AH (no encr, ei/er NULL, e_len 0) */
	uint8_t mode;              /* enum ike_ipsec_mode */
	bool initiator;            /* we initiated the exchange that made this CHILD SA */
	bool esn;                  /* extended sequence numbers (RFC 4304) negotiated */
	bool nat;                  /* NAT detected on the IKE SA (RFC 7296 2.23): ESP goes in UDP (RFC 3948) */
	uint32_t spi_in, spi_out;  /* ours (the peer puts it in what it sends us), the peer's */
	uint16_t encr, encr_keylen, integ; /* IANA ids (crypto/registry.h); integ 0 = none (AEAD) */
	const uint8_t *ei, *ai, *er, *ar;  /* e_len / a_len bytes; AEAD keys include the salt; ai/ar NULL if a_len 0 */
	size_t e_len, a_len;
	const ike_ts *ts_local, *ts_remote; /* the narrowed traffic selectors, our side and the peer's */
	size_t n_ts_local, n_ts_remote;
	size_t child;              /* index into the connection's children[] */
	const ike_child_cfg *cfg;  /* that child's configuration */
	uint32_t rekey_of;         /* made by a rekey: our spi_in of the CHILD SA it replaces; 0 for a new one */
	uint16_t pfs;              /* D-H group used for its KEYMAT, 0 none */
} ike_child_keys;

/* An SA event; pointers are valid only during the callback. */
typedef struct ike_sa_event {
	uint8_t kind;
	const char *conn;       /* connection name, or NULL if none matched */
	const ike_addr *remote;
	const ike_addr *local;  /* our address of the IKE SA (the outer source of what we send) */
	uint64_t spi_i, spi_r;  /* IKE SPIs */
	uint32_t child_spi_in, child_spi_out;
	uint16_t notify;        /* failures: the notify type sent or received (0 if none, e.g. timeout) */
	const char *why;        /* failures: one line */
	/* IKE_EV_IKE_UP, and IKE_EV_IKE_FAILED once keys were derived: the IKE SA's keys, only when
	 * the peer's reveal_keys is set; else NULL. */
	const ike_sa_keys *keys;
	/* IKE_EV_CHILD_UP: always the CHILD SA's parameters and keys; NULL with every other kind. */
	const ike_child_keys *child;
	/* The SA this one replaces, 0 if none: IKE_EV_IKE_UP of an IKE SA made by a rekey or a reauthentication and
	 * IKE_EV_IKE_REKEYED carry the old IKE SPIs; IKE_EV_CHILD_UP of a rekeyed CHILD SA and IKE_EV_CHILD_REKEYED
	 * the old CHILD SPIs. A host can so tell a replacement from a new tunnel. */
	uint64_t old_spi_i, old_spi_r;
	uint32_t old_child_spi_in, old_child_spi_out;
	/* IKE_EV_IKE_MOVED: the addresses before the move; NULL with every other kind. */
	const ike_addr *old_local, *old_remote;
} ike_sa_event;

/*
 * Asynchronous crypto (docs/threads.md): the engine's expensive operations (Diffie-Hellman today) are jobs. A host
 * with `submit` gets each one, runs ike_job_run on any thread, then hands it back with ike_peer_job_done on the
 * engine's thread; without `submit` (or when it fails) the engine runs the job at once. Whatever a job draws
 * from the DRBG is drawn on the engine's thread before it is submitted: its result depends on the job alone.
 */
typedef struct ike_job ike_job;

typedef struct ike_host {
	void *ctx;
	/* Hands a datagram to the network; data is valid only during the call. */
	void (*send)(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len);
	/* One trace event: ev is the dotted name, fields a JSON object body without braces. NULL = off. */
	void (*trace)(void *ctx, ike_time now, const char *ev, const char *fields);
	void (*sa_event)(void *ctx, ike_time now, const ike_sa_event *ev); /* may be NULL */
	void (*charge)(void *ctx, uint8_t op, uint32_t arg, size_t bytes); /* may be NULL */
	/* A datagram that is not an IKE message, to put on the wire exactly as given (no RFC 3948 non-ESP marker):
	 * today only NAT keepalives (RFC 3948 2.3, one 0xFF byte). May be NULL: then no keepalives are sent. */
	void (*send_raw)(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len);
	/* Takes a job (above): 0, or -1 to have the engine run it inline now. May be NULL. */
	int (*submit)(void *ctx, ike_job *job);
} ike_host;

typedef struct ike_peer_cfg {
	const char *name;           /* node name, for traces */
	const ike_crypto *crypto;   /* shared, outlives the peer */
	const uint8_t *seed;        /* DRBG seed material (host derives it from scenario seed + name, or the OS) */
	size_t seed_len;
	const ike_conn_cfg *conns;  /* outlives the peer */
	size_t n_conns;
	bool reveal_keys;           /* put key values into kdf trace events and IKE SA events */
	/* Responder demands a COOKIE (RFC 7296 2.6) while it holds at least this many half-open IKE SAs; 0 = never. */
	uint32_t cookie_threshold;
	/* The same, counting only half-open SAs from the request's source IP (strongSwan's cookie_threshold_ip). */
	uint32_t cookie_threshold_ip;
	/* Silently drops IKE_SA_INITs from a source IP that holds this many half-open SAs (block_threshold); 0 = off. */
	uint32_t block_threshold;
	/* Silently drops every new IKE_SA_INIT while this many half-open SAs exist (init_limit_half_open); 0 = off. */
	uint32_t half_open_limit;
	/* How long a responder keeps an IKE SA that is not authenticated yet; 0 = 30 s (strongSwan's default). */
	ike_time half_open_timeout;
	/* Silently drops every new IKE_SA_INIT while this many IKE SAs exist (strongSwan's ikesa_limit); 0 = off. */
	uint32_t ikesa_limit;
	/* Demands a cookie of every new IKE_SA_INIT, whatever the load (libreswan's ddos-mode=busy). */
	bool cookie_always;
} ike_peer_cfg;

typedef struct ike_peer ike_peer;

/* Creates a peer; NULL on allocation failure. The peer copies nothing from cfg but the pointers. */
ike_peer *ike_peer_new(const ike_peer_cfg *cfg, const ike_host *host);
void ike_peer_free(ike_peer *p);

/* Starts IKE_SA_INIT for connection conns[conn]; 0, or -1 if the index is bad. */
int ike_peer_initiate(ike_peer *p, ike_time now, size_t conn);

/* Deletes connection conns[conn]'s established IKE SAs with an INFORMATIONAL exchange; returns how many. */
int ike_peer_delete(ike_peer *p, ike_time now, size_t conn);

/*
 * Lifecycle actions on connection conns[conn] (child: index into its children[]): each queues a task on the
 * connection's established IKE SA(s), run when no other request of ours is outstanding. Return how many IKE
 * SAs got the task (0: none established), or -1 if an index is bad.
 */
int ike_peer_rekey_child(ike_peer *p, ike_time now, size_t conn, size_t child);
/* Why a host asks for a CHILD rekey: manual (ike_peer_rekey_child), or a data limit of the SA's data plane
 * (rekey_packets, rekey_bytes, the sequence space nearly used). Traced as child_sa.rekeyed's reason. */
enum ike_rekey_why { IKE_REKEY_MANUAL, IKE_REKEY_PACKETS, IKE_REKEY_BYTES, IKE_REKEY_SEQ };
/* ike_peer_rekey_child with a reason (enum ike_rekey_why); -1 also for an unknown reason. */
int ike_peer_rekey_child_why(ike_peer *p, ike_time now, size_t conn, size_t child, uint8_t why);
int ike_peer_rekey_ike(ike_peer *p, ike_time now, size_t conn);
int ike_peer_delete_child(ike_peer *p, ike_time now, size_t conn, size_t child);

/* What ike_peer_input did with a datagram. */
enum ike_input_result {
	IKE_INPUT_PROCESSED,  /* a request or response was authenticated (or an IKE_SA_INIT accepted) and acted on */
	IKE_INPUT_CACHED,     /* a retransmitted request: answered with our cached response */
	IKE_INPUT_DROPPED,    /* ignored: malformed, unknown SPIs, out of window, failed integrity, ... */
	IKE_INPUT_REFUSED,    /* answered with an error notify (COOKIE, NO_PROPOSAL_CHOSEN, INVALID_MAJOR_VERSION...) */
	IKE_INPUT_UNSUPPORTED /* an IKE version this engine does not speak (IKEv1) */
};

/* Processes one received datagram (a bare IKE message; RFC 3948 framing is the host's business). */
enum ike_input_result ike_peer_input(ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to,
				     const uint8_t *data, size_t len);

/*
 * For a host that reads datagrams in a receiver thread before its workers (netsim's CPU model, docs/cpu.md):
 * settles now what needs no state, a new IKE_SA_INIT request answered with N(COOKIE) or dropped by
 * block_threshold / half_open_limit (strongSwan's receiver does these before it queues a job), and returns true;
 * false: nothing was done, hand the datagram to ike_peer_input later. pending: new IKE_SA_INIT requests the host
 * holds for ike_peer_input, counted as half-open the way strongSwan counts its queued ones.
 */
bool ike_peer_screen(ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		     size_t len, size_t pending);

/* The earliest time ike_peer_expire must be called, IKE_TIME_NEVER if none. */
ike_time ike_peer_next_deadline(const ike_peer *p);

/* Runs every timer due at or before now (retransmissions, timeouts, the periodic count of refused requests). */
void ike_peer_expire(ike_peer *p, ike_time now);

/* Computes a submitted job: touches nothing but the job, so any thread may run it (once). */
void ike_job_run(ike_job *job);

/* What a job computes, as ike_host.charge reports (enum ike_charge_op): calls fn once per operation, for a host
 * that gives the job a duration. */
void ike_job_charges(const ike_job *job, void (*fn)(void *ctx, uint8_t op, uint32_t arg, size_t bytes), void *ctx);

/* Hands a job back to the peer that submitted it (on the engine's thread, after ike_job_run), which goes on
 * where it stopped and frees the job. A job whose SA is gone meanwhile is only freed. */
void ike_peer_job_done(ike_peer *p, ike_time now, ike_job *job);

/* Frees a job that will never be handed back (the run ends first). Call ike_job_run's end first. */
void ike_job_free(ike_job *job);

/* Emits the pending count of refused/dropped unauthenticated messages now (hosts call it before freeing). */
void ike_peer_flush(ike_peer *p, ike_time now);

/*
 * The host's own addresses changed (an uplink came or went, a DHCP lease, a NAT reboot seen by the host): addrs[0..n)
 * are every address it has now (ports ignored). Each MOBIKE IKE SA we initiated whose local address is gone moves
 * to the first address of the same family (keeping its port) and sends UPDATE_SA_ADDRESSES (RFC 4555 3.5); with
 * `force`, every MOBIKE initiator SA sends one even if its address stayed (a NAT mapping that may have changed,
 * 4555 3.8). Further initiations of a connection whose configured local address is gone use addrs[0]. Returns how
 * many IKE SAs got an update queued, or -1 for a bad argument (n > IKE_ADDRS_MAX, NULL addrs with n > 0).
 */
#define IKE_ADDRS_MAX 8
int ike_peer_addresses_changed(ike_peer *p, ike_time now, const ike_addr *addrs, size_t n, bool force);

/* What a connection reached, for `expect` checks and summaries. */
typedef struct ike_conn_status {
	const char *ike_state;    /* best IKE SA state for this connection ("ESTABLISHED"...), "NONE" if none */
	const char *child_state;  /* best CHILD SA state ("INSTALLED"...), "NONE" */
	uint16_t last_error;      /* notify type of the last failure (sent or received), 0 if none */
	bool timed_out;           /* last attempt gave up after retransmissions */
	char selected_ike[96];    /* "AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519", "" if none */
	char selected_esp[96];
	ike_addr remote;          /* the peer it is established with (responders: who came in) */
	uint32_t ike_sas;         /* IKE SAs the connection holds now, any state (2 while a rekey overlaps) */
	uint32_t child_sas;       /* CHILD SAs those IKE SAs hold, any state */
} ike_conn_status;

/* Fills st for conns[conn]; 0, or -1 if the index is bad. */
int ike_peer_conn_status(const ike_peer *p, size_t conn, ike_conn_status *st);

/* Number of IKE SAs currently held (any state). */
size_t ike_peer_sa_count(const ike_peer *p);

#endif
