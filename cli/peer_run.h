/* The state of one `ikesim peer` run, shared by its loop (cmd_peer.c) and its engine host (peer_host.c). */
#ifndef IKESIM_PEER_RUN_H
#define IKESIM_PEER_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/jsonw.h"
#include "host/trace.h"
#include "peer.h"
#include "peer_dp.h"

#define PEER_MAX_DGRAM 65536
#define PEER_RX_BURST 64                          /* datagrams read per wake-up before timers get a turn */
#define PEER_SHUTDOWN_GRACE (2 * IKE_NS_PER_SEC) /* how long a final Delete may wait for its answer */
#define PEER_DROP_TRACE_BURST 8u

typedef struct peer_run {
	const peer_args *a;
	ike_conn_cfg conn;
	ike_child_cfg child;
	peer_cred_files cf;
	int fd;
	int fd_natt;        /* the NAT-T port's socket (--natt-port), -1 when the IKE port serves both */
	ike_addr natt_local; /* its address */
	ike_crypto *crypto;
	ike_peer *peer;
	ike_host_trace *tr;
	peer_cap *cap;     /* --pcap, NULL without */
	struct timespec t0;
	sigset_t waitmask; /* the mask ppoll waits with: SIGINT/SIGTERM unblocked */
	ike_time now;
	uint8_t *buf; /* receive buffer, then reused to frame sends */
	uint8_t tx[PEER_MAX_DGRAM];
	unsigned ike_up, child_up;
	bool child_pending; /* an IKE SA came up and its CHILD SA has not (yet) */
	bool failed, deleting, done;
	uint16_t fail_notify;         /* responder: the notify of the failure kept in why */
	uint64_t up_spi_i, up_spi_r;  /* the IKE SA of the last CHILD SA counted in child_up */
	unsigned long n_failed_attempts; /* responder: IKE/CHILD SAs that failed */
	int pending_deletes;
	ike_time hold_until;
	peer_acts acts;               /* --rekey-child-after, --rekey-ike-after, --delete-after */
	uint64_t cur_spi_i, cur_spi_r; /* initiator: the IKE SA that is current (a rekey replaces it) */
	uint64_t repl_spi_i, repl_spi_r; /* the last IKE SA that came up replacing another (reauthentication) */
	unsigned long rekeys;         /* IKE and CHILD rekeys and reauthentications completed, by either side */
	char why[300];
	unsigned long n_esp, n_runt, n_keepalive, n_send_err, n_keepalive_sent;
	ike_time drop_window_end;
	unsigned drop_traced;
	peer_dp dp;                   /* CHILD SAs installed, ESP-in-UDP, --ping */
	bool dp_up;
	bool ping_failed, ping_held;
	ike_addr local_now;           /* our address now: conn.local until --move-to moved the sockets */
	ike_time move_at;             /* --move-to: when (IKE_TIME_NEVER: not armed or done) */
} peer_run;

/* peer_host.c: the engine's host callbacks (ike_host) and what the loop shares with them. */
ike_time peer_clock_ns(const peer_run *r);
void peer_trace_host(peer_run *r, const char *ev, ike_jsonw *w);
void peer_run_fail(peer_run *r, const char *fmt_prefix, uint16_t notify, const char *why);
void peer_host_send_raw(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len);
void peer_host_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len);
void peer_host_trace(void *ctx, ike_time now, const char *ev, const char *fields);
void peer_responder_failed(peer_run *r, const char *prefix, uint16_t notify, const char *why);
void peer_host_sa_event(void *ctx, ike_time now, const ike_sa_event *ev);
void peer_check_child(peer_run *r);
void peer_drop_dgram(peer_run *r, const char *why, const ike_addr *from, size_t len);

#endif
