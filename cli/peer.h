/* `ikesim peer`: one engine peer on a real UDP socket. Internal to cli/ (cmd_peer.c, peer_args.c, peer_psk.c, udp_host.c). */
#ifndef CLI_PEER_H
#define CLI_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ike.h"

/* ---- peer_args.c: the command line and the connection it describes ---- */
typedef struct peer_args {
	const char *local, *remote;
	const char *proposals, *esp_proposals, *ah_proposals; /* ah_proposals: the CHILD SA is AH (swanctl's) */
	const char *id, *remote_id;
	const char *psk, *cert, *key, *ca;
	const char *psk_file;
	const char *psk_env; /* IKESIM_PSK when set and not empty */
	const char *local_ts, *remote_ts;
	const char *trace;
	const char *pcap;    /* --pcap FILE: what the socket sends and receives (peer_capture.c) */
	bool pcap_classic;   /* --pcap-format pcap (default pcapng) */
	bool initiate, reveal;
	bool rsa_pss; /* --rsa-pss: sign RFC 7427 AUTH with RSASSA-PSS */
	bool timeout_set;
	ike_time timeout, hold; /* ns; timeout 0 = none */
	/* Responder DoS protection (ike_peer_cfg): strongSwan's defaults, --no-dos-protection zeroes the first three. */
	uint32_t cookie_threshold, cookie_threshold_ip, block_threshold, half_open_limit;
	ike_time half_open_timeout; /* 0 = the engine's 30 s */
	/* Lifecycle (swanctl's names; peer_life.c): 0 = never / off; *_set when the flag was given. */
	ike_time rekey_time, ike_rekey_time, reauth_time, rand_time, over_time, dpd_delay;
	bool rand_set, over_set, no_initial_contact;
	uint8_t dpd_action; /* enum ike_dpd_action */
	/* Data limits of the CHILD SA (--rekey-packets ... --life-bytes; 0 = none) and --replay-window (the
	 * ike_child_cfg encoding: 0 = default 64, IKE_REPLAY_OFF = off). */
	uint64_t rekey_packets, rekey_bytes, life_packets, life_bytes;
	uint16_t replay_window;
	/* Timed actions, seconds after the first CHILD SA is up; IKE_TIME_NEVER = not asked. */
	ike_time act_after[3]; /* enum peer_act */
	uint8_t fragmentation;      /* --fragmentation: enum ike_frag_mode, default yes (strongSwan's) */
	uint32_t fragment_size;     /* --fragment-size: UDP payload bytes, 0 = a 1280-byte IP datagram's */
	/* Data plane (peer_ping.c): --ping ADDR [--count N] [--interval S], --inner-addr ADDR; 0 = default. */
	const char *ping, *inner_addr;
	uint32_t ping_count;
	ike_time ping_interval;
	/* NAT traversal (peer_natt.c): --natt-port (0: 4500 when --local's port is 500, else no second port),
	 * --keepalive S (default 20, 0 = off), --encap (force UDP encapsulation: strongSwan's encap = yes). */
	uint16_t natt_port;
	ike_time keepalive;
	bool keepalive_set, encap;
	uint8_t ike_version;        /* --ike 1|2 (default 2): IKEv1 runs Main Mode, or Aggressive Mode with --aggressive */
	bool aggressive;
	bool no_mobike;             /* --no-mobike: no MOBIKE_SUPPORTED (RFC 4555), strongSwan's mobike = no */
	/* --move-to ADDR [--move-after S]: S seconds (default 1) after the first CHILD SA is up our sockets move to
	 * ADDR (same ports) and the engine is told (MOBIKE's UPDATE_SA_ADDRESSES); NULL = never */
	const char *move_to;
	ike_time move_after;
	bool move_after_set;
	/* IKEv1 road warriors (peer_xauth.c): client --xauth-user NAME with --xauth-password-file FILE or
	 * IKESIM_XAUTH_PASSWORD, --modecfg (ask for a virtual IP); gateway --xauth-users FILE, --pool CIDR. */
	const char *xauth_user, *xauth_password_file, *xauth_password_env, *xauth_users, *pool;
	bool modecfg;
} peer_args;

/* ---- peer_natt.c ---- */
/* --natt-port and --keepalive: 1 taken, 0 not one of them, -1 bad value. */
int peer_natt_flag(peer_args *a, const char *flag, const char *val, FILE *err);
/* NAT-T settings into c; 0, or -1 + err. */
int peer_natt_apply(const peer_args *a, ike_conn_cfg *c, char *err, size_t errlen);
/* The local port the engine moves to once NAT-T is in use (the connection's local port: no move). */
uint16_t peer_natt_local_port(const ike_conn_cfg *c);

/* ---- peer_life.c: lifetimes, DPD and timed lifecycle actions ---- */
enum peer_act { PEER_ACT_REKEY_CHILD, PEER_ACT_REKEY_IKE, PEER_ACT_DELETE, PEER_ACT_N };

/* The lifecycle flags that take a value ("--rekey-time" ...): 1 taken, 0 not one of them, -1 bad value. */
int peer_life_flag(peer_args *a, const char *flag, const char *val, FILE *err);
/* Lifetimes, DPD, INITIAL_CONTACT and the child's start/mode into c and ch. 0, or -1 + err. */
int peer_life_apply(const peer_args *a, ike_conn_cfg *c, ike_child_cfg *ch, char *err, size_t errlen);

/* The timed actions of one run: each asked, then due, requested, done. */
typedef struct peer_acts {
	ike_time due[PEER_ACT_N]; /* IKE_TIME_NEVER until armed */
	uint8_t state[PEER_ACT_N]; /* enum peer_act_state in peer_life.c */
} peer_acts;

/* The asked actions become due `after` seconds past `up` (the first CHILD SA's time). */
void peer_acts_arm(peer_acts *x, const peer_args *a, ike_time up);
/* Requests the due actions of p; -1 with why when the engine took one on no SA. *deletes: SAs a delete asked. */
int peer_acts_run(peer_acts *x, ike_peer *p, ike_time now, int *deletes, char *why, size_t cap);
/* When the next action is due (IKE_TIME_NEVER: none). */
ike_time peer_acts_next(const peer_acts *x);
/* An SA event that completes a requested action (IKE_REKEYED, CHILD_REKEYED, IKE_DOWN); true if it did. */
bool peer_acts_event(peer_acts *x, uint8_t kind);
/* Any action asked and not done yet; its name in *name. */
bool peer_acts_pending(const peer_acts *x, const char **name);

/* peer_ping.c: the value-taking ping flags (--ping ...): 1 taken, 0 not one of them, -1 bad value. */
int peer_ping_flag(peer_args *a, const char *flag, const char *val, FILE *err);

/* The index of val among names[0..n) (an enum's keywords in its order), or -1. */
int peer_keyword(const char *val, const char *const *names, size_t n);
/* 0, 1 when --help was asked for, or -1 after one error line on err. */
int peer_args_parse(int argc, char **argv, peer_args *a, FILE *err);
void peer_args_usage(FILE *f);

/* "192.0.2.1:500" or "[2001:db8::1]:500"; 0, or -1 with a reason. */
int peer_addr_parse(const char *text, ike_addr *out, char *err, size_t errlen);

/* Certificate/key/CA file contents, read by the host; the engine only ever sees bytes. */
typedef struct peer_cred_files {
	uint8_t *cert, *key, *ca;
	size_t cert_len, key_len, ca_len;
	ike_cred *cred;
	uint8_t *psk; /* from peer_psk_load; wiped when freed */
	size_t psk_len;
	uint8_t *xauth_password; /* peer_xauth_load: the client's password, wiped when freed */
	size_t xauth_password_len;
	char *xauth_file;        /* the gateway's users file, `user:password` lines cut in place; wiped when freed */
	size_t xauth_file_len;
	ike_xauth_user *xauth_users;
	size_t n_xauth_users;
} peer_cred_files;

/* ---- peer_psk.c ---- */
/* Loads the PSK from --psk-file, --psk or IKESIM_PSK into cf (warnings on warn); 0, or -1 with a reason. */
int peer_psk_load(const peer_args *a, peer_cred_files *cf, FILE *warn, char *err, size_t errlen);

/* ---- peer_xauth.c ---- */
/* The client's XAUTH password (--xauth-password-file or IKESIM_XAUTH_PASSWORD) or the gateway's users file into
 * cf (warnings on warn); 0, or -1 with a reason. */
int peer_xauth_load(const peer_args *a, peer_cred_files *cf, FILE *warn, char *err, size_t errlen);
/* XAUTH / Mode Config settings into c (after peer_xauth_load); 0, or -1 with a reason. */
int peer_xauth_apply(const peer_args *a, const peer_cred_files *cf, ike_conn_cfg *c, char *err, size_t errlen);
void peer_xauth_free(peer_cred_files *cf);

/* Fills c from the arguments (addresses, proposals, IDs, selectors, the PSK peer_psk_load put in cf, or
 * certificates read into cf, which starts zeroed). 0 or -1 + err. */
int peer_conn_build(const peer_args *a, ike_conn_cfg *c, ike_child_cfg *ch, peer_cred_files *cf, char *err, size_t errlen);
void peer_cred_files_free(peer_cred_files *cf);

/* ---- peer_capture.c: --pcap ---- */
typedef struct peer_cap peer_cap;
/* The capture file (one interface: the socket on local) and, with reveal, the key tables beside it. NULL + err. */
peer_cap *peer_cap_open(const char *path, bool classic, bool reveal, const ike_addr *local, char *err, size_t errlen);
/* One datagram as on the wire (framing included), now; comment NULL or why it was dropped. c may be NULL. */
void peer_cap_udp(peer_cap *c, const ike_addr *from, const ike_addr *to, const uint8_t *wire, size_t len,
		  const char *comment);
/* Keys an SA event shows (IKE_UP/FAILED with reveal_keys, CHILD_UP always) into the tables. c may be NULL. */
void peer_cap_sa_event(peer_cap *c, const ike_sa_event *ev);
/* --trace, --pcap and the key tables beside it name no file twice, nor an input (parse time). 0, or -1 + one line. */
int peer_cap_check(const peer_args *a, FILE *err);
/* Writes the tables and commits every file (commit=1; notes what the capture lacks on note), or removes them.
 * 0, or -1 with err. */
int peer_cap_close(peer_cap *c, int commit, FILE *note, char *err, size_t errlen);

/* ---- udp_host.c: one non-blocking UDP socket ---- */
/* Bound to addr; returns the fd, or -1 with a reason. */
int peer_udp_open(const ike_addr *addr, char *err, size_t errlen);
/* 0, or -1 with errno set. */
int peer_udp_send(int fd, const ike_addr *to, const uint8_t *data, size_t len);
/* Bytes received (0 for an empty datagram), or -1 with errno (EAGAIN when nothing is waiting). */
ssize_t peer_udp_recv(int fd, uint8_t *buf, size_t cap, ike_addr *from);
/* 32 bytes (or len) from the OS's random source; 0 or -1. */
int peer_os_random(uint8_t *out, size_t len);

#endif
