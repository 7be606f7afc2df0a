/* The state of one `ikesim load` run, shared by its loop (cmd_load.c) and its setup of sockets (load_net.c). */
#ifndef CLI_LOAD_RUN_H
#define CLI_LOAD_RUN_H

#include <signal.h>

#include "load.h"

enum load_slot_state { LOAD_IDLE, LOAD_INFLIGHT, LOAD_UP, LOAD_FAILED };

typedef struct load_slot {
	ike_time t_start;
	uint8_t state;  /* enum load_slot_state */
	bool ike_up;    /* IKE SA up, CHILD SA not yet */
	int fd;
} load_slot;

typedef struct load_run {
	const load_args *a;
	sigset_t waitmask;      /* the signal mask inside epoll_pwait: SIGINT/SIGTERM end a wait, blocked elsewhere */
	ike_conn_cfg tmpl;      /* peer_conn_build's connection: every setup's is a copy with its address and ID */
	ike_child_cfg child;
	peer_cred_files cf;
	ike_conn_cfg *conns;
	char (*names)[16];      /* "load-N": the SA event's connection name gives the slot back */
	load_slot *slots;
	uint32_t n;
	uint8_t ip0[4];         /* the first local address (host order in n_addr counting) */
	uint32_t n_addrs;
	uint16_t port0, n_ports;
	int ep;                 /* epoll */
	ike_crypto *crypto;
	ike_peer *peer;
	struct timespec t0;
	ike_time now, first_start, last_done;
	uint32_t next;          /* next slot to start */
	int64_t pending;        /* slot whose IKE SA came up in this input, CHILD SA not seen; -1 none */
	uint32_t deletes;       /* Deletes still unanswered at the end */
	load_stats st;
	uint8_t tx[65536], rx[65536];
} load_run;

/* ---- load_net.c ---- */
/* Parses --local/--ports into r (n_addrs, port0, n_ports: enough slots for the count). 0, or -1 + err. */
int load_net_plan(load_run *r, char *err, size_t errlen);
/* Slot i's local address. */
void load_net_addr(const load_run *r, uint32_t i, ike_addr *out);
/* The slot an address of ours belongs to, or -1. */
int64_t load_net_slot(const load_run *r, const ike_addr *a);
/* Opens every slot's socket and registers it with epoll (raising RLIMIT_NOFILE as needed). 0, or -1 + err. */
int load_net_open(load_run *r, char *err, size_t errlen);
void load_net_close(load_run *r);

#endif
