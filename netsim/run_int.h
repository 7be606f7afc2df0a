/* Shared between the scenario runner's files only (run.c, run_fault.c, run_watch.c, run_action.c). */
#ifndef SIM_RUN_INT_H
#define SIM_RUN_INT_H

#include "esptab.h"
#include "host/afile.h"
#include "pcap.h"
#include "run.h"
#include "scenario_faultidx.h"

typedef struct runner runner;
typedef struct sim_node_cpu sim_node_cpu;
typedef struct sim_cjob sim_cjob;

/* A moved node's addresses now, and those it gave up (it can no longer send from them): kept apart from rnode,
 * which a population holds by the million. */
typedef struct rnode_moved {
	uint8_t n_addrs, n_gone;
	ike_addr addrs[SIM_ADDRS_MAX], gone[SIM_ADDRS_MAX];
} rnode_moved;

typedef struct rnode {
	runner *r;
	uint32_t idx;
	ike_peer *peer;
	ike_host host;
	ike_peer_cfg cfg;
	uint8_t seed[32];  /* this boot's engine seed */
	uint8_t seed0[32]; /* the node's own seed, from which every boot's derives */
	uint32_t boots;    /* reboots so far */
	int64_t armed;     /* time of the pending timer event, IKE_TIME_NEVER if none */
	struct rnode_moved *mv; /* move faults (run_fault.c): NULL until the node's first move */
	sim_node_cpu *cpu; /* run_cpu.c: the node's virtual CPU, NULL = the engine's work takes no time */
} rnode;

typedef struct sim_run_faults sim_run_faults;
typedef struct sim_ipsec sim_ipsec;
typedef struct sim_traffic sim_traffic;
typedef struct sim_run_watch sim_run_watch;
typedef struct sim_run_nat sim_run_nat;
typedef struct sim_run_metrics sim_run_metrics;
struct sim_metrics;

struct runner {
	const sim_scenario *sc;
	const ike_crypto *crypto;
	sim_backend be; /* the network: run.c and its helpers reach it through this only */
	ike_host_trace *tr;
	sim_pcap *pcap;     /* NULL = no capture */
	sim_keytab *keys;   /* NULL = keys not revealed or no capture */
	ike_host_afile *keys_file;
	sim_esptab *esp;    /* NULL = keys not revealed or no capture */
	ike_host_afile *esp_file;
	rnode *nodes;
	struct rstart *starts;
	sim_fault_index *faults; /* NULL without drop_nth/drop_next faults */
	sim_run_faults *rf;      /* link-down, reboot and exchange faults; NULL without */
	sim_run_watch *watch;    /* what the expectations count and sample; NULL without */
	void *actions;           /* scheduled actions (run_action.c); NULL without */
	sim_ipsec *ipsec;        /* per node: the data plane (node_ipsec.c); NULL without hosts */
	sim_traffic *traffic;    /* the flows (run_traffic.c); NULL without */
	sim_run_nat *nat;        /* routers' routes and the NAT boxes (run_nat.c); NULL without forwarding nodes */
	struct sim_attacks *attack; /* attacker nodes (attack_run.c); NULL without */
	uint8_t *esp_buf;        /* node_ipsec.c's packet buffer */
	uint64_t *esp_seen;      /* per fault: ESP packets its node sent since its `at` (ESP faults count them) */
	const char *tap_note;    /* the capture's comment for the datagram being sent now (an impaired ESP packet) */
	int64_t last_activity; /* virtual time of the last datagram or timer that did work */
	struct sim_metrics *metrics; /* the storm sampler (run_metrics.c); NULL without metrics */
	struct sim_node_rx **rx;     /* per node: its receiver (run_rx.c), NULL where none; NULL without any */
	sim_run_metrics *rm;
	void (*progress)(void *ctx, const sim_run_progress *p); /* from the options, NULL = none */
	void *progress_ctx;
	uint64_t n_events;     /* timers and deliveries run (the progress line's events/s) */
	struct sim_jobpool *pool; /* run_jobs.c: threads for the engines' crypto jobs; NULL = jobs run inline */
	sim_cjob *cjobs;          /* the jobs out */
	int keys_failed;       /* a key table row could not be stored */
	const char *failed;    /* why an event could not do its work (out of memory, a move the backend refused): the
				* run errs saying this; NULL while all is well */
};

/* run.c: (re)creates n's engine peer from n->cfg and n->host; 0 or -1. */
int sim_rn_peer_new(rnode *n);
/* Keeps exactly one timer event at the peer's earliest deadline. */
void sim_rn_rearm(rnode *n);
/* Initiates conns[conn] of node n now. */
void sim_rn_initiate(rnode *n, size_t conn);
/* Sends what n's engine gave host.send (raw: host.send_raw) now: framing, the watch, the backend. */
void sim_rn_send_now(rnode *n, bool raw, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len);
/* One trace event of the runner's own (node UINT32_MAX = "sim"), also seen by the expectations' counters. */
void sim_rn_event(runner *r, int64_t now, uint32_t node, const char *ev, const char *fields);

/* run_capture.c: the pcap and the key tables beside it. Open: 0, or -1 with err. */
int sim_rc_open(runner *r, const sim_run_opts *o, char *err, size_t errlen);
/* An SA event: keys into the tables (keys_failed set when one cannot be stored). */
void sim_rc_sa_event(runner *r, const ike_sa_event *ev);
/* Writes the tables and commits every capture file; 0, or -1 with err (nothing left behind then). */
int sim_rc_close(runner *r, const sim_run_opts *o, sim_run_result *res, char *err, size_t errlen);
/* Removes whatever capture files are still open. */
void sim_rc_abort(runner *r);
void sim_rc_free(runner *r);
/* A datagram node received and refused (ESP the receiver would not take): a second record, on the link end it
 * came in by, at the time it arrived, commented "received by <node>: dropped: <why>" (pcapng only). */
void sim_rc_rx_drop(runner *r, int64_t now, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to,
		    const uint8_t *data, size_t len, const char *why);
/* The same on a known link end: link (add_link index), dir 1 when it arrived at the link's `a` end. */
void sim_rc_rx_drop_on(runner *r, int64_t now, size_t link, int dir, uint32_t node, uint8_t proto, const ike_addr *from,
		       const ike_addr *to, const uint8_t *data, size_t len, const char *why);

/* run_fault.c: link-down, reboot and exchange faults. 0, or -1 out of memory. */
int sim_rf_setup(runner *r);
void sim_rf_free(runner *r);
/* The backend's drop hook: drop_nth/drop_next, a down link, an exchange's n-th message; a reason or NULL. */
const char *sim_rf_filter(void *ctx, int64_t now, uint32_t from_node, uint32_t to_node, uint8_t proto,
			  const ike_addr *from, const ike_addr *to, uint8_t *data, size_t *len, size_t cap);

/* run_watch.c: counters and samples for `expect` (events, states at a time, messages of an exchange). */
int sim_rw_setup(runner *r);
void sim_rw_free(runner *r);
/* An event of node (UINT32_MAX = sim) as it is produced; fields is the JSON object body. */
void sim_rw_event(runner *r, int64_t now, uint32_t node, const char *ev, const char *fields);
/* A datagram node sends. */
void sim_rw_sent(runner *r, uint32_t node, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len);
/* Hands the counts and samples over to res (after the run). 0 or -1. */
int sim_rw_collect(runner *r, sim_run_result *res);

/* node_ipsec.c: every node's SAD and SPD (trap policies from start_action trap). 0, or -1 out of memory. */
int sim_ip_setup(runner *r);
void sim_ip_free(runner *r);
/* An SA event of node: CHILD_UP installs both SAs and the outbound policies first in line, CHILD_DOWN removes. */
void sim_ip_sa_event(runner *r, uint32_t node, int64_t now, const ike_sa_event *ev);
/* A reboot: the node's data plane forgets every SA (the kernel's state goes with it). */
void sim_ip_reset(runner *r, uint32_t node);
/* An inner packet from a host behind node (flow: its name for traces, or NULL): SPD, ESP, the link. */
void sim_ip_output(runner *r, uint32_t node, int64_t now, const uint8_t *pkt, size_t len, const char *flow);
/* An ESP packet (proto 50, or the payload of ESP-in-UDP) arriving at node. */
void sim_ip_input(runner *r, uint32_t node, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to,
		  const uint8_t *esp, size_t len);
/* The node's counters (NULL without hosts). */
/* node_ah.c: AH between the simulated IP header both ends agree on and the link's payload (from the SPI on). */
struct ah_sa;
struct esp_sad;
struct esp_rx;
/* Protects pkt; out gets the whole IP packet, the link payload starts at *off; esp_status. */
int sim_ah_wrap(struct ah_sa *sa, const ike_addr *from, const ike_addr *to, const uint8_t *pkt, size_t len,
		uint8_t *out, size_t cap, size_t *off, size_t *n);
/* Verifies an AH payload that came from -> to: the SA by SPI (*spi), the header rebuilt, ah_decap into out. */
int sim_ah_unwrap(struct esp_sad *sad, const ike_addr *from, const ike_addr *to, const uint8_t *ah, size_t len,
		  uint8_t *out, size_t cap, struct esp_rx *rx, uint32_t *spi);

const sim_esp_node_result *sim_ip_stats(const runner *r, uint32_t node);

/* run_traffic.c: the flows' send events. 0, or -1 out of memory. */
int sim_rt_setup(runner *r);
void sim_rt_free(runner *r);
/* An inner packet node's data plane decrypted: 1 when one of node's hosts took it, 0 when none has its address. */
int sim_rt_deliver(runner *r, uint32_t node, int64_t now, const uint8_t *pkt, size_t len);
/* The flow an inner packet belongs to (its tag), NULL if none. */
const char *sim_rt_flow_name(const runner *r, const uint8_t *pkt, size_t len);
/* Hands the flows' counters to res. 0 or -1. */
int sim_rt_collect(runner *r, sim_run_result *res);

/* run_nat.c: forwarding nodes, their routes and NAT boxes (after the links). 0, or -1 out of memory. */
int sim_rnat_setup(runner *r);
void sim_rnat_free(runner *r);
/* A reboot of node: its NAT (if any) loses every dynamic mapping. */
void sim_rnat_reboot(runner *r, uint32_t node, int64_t now);
/* Per node NAT counters into res->nat_nodes (stays NULL without NATs). 0 or -1. */
int sim_rnat_collect(runner *r, sim_run_result *res);

/* run_metrics.c: the storm metrics, when the scenario, the options or an expectation ask for them. 0, or -1
 * with err (too many rows, out of memory). */
int sim_rm_setup(runner *r, const sim_run_opts *o, char *err, size_t errlen);
void sim_rm_free(runner *r);
/* Finishes the sampler into res (metrics, mvals) and writes the metrics file. 0, or -1 with err. */
int sim_rm_collect(runner *r, const sim_run_opts *o, sim_run_result *res, char *err, size_t errlen);

/* run_capture.c's tap (the pcap), for the runner's own tap that also counts drops. */
void sim_rc_tap(void *ctx, int64_t now, size_t link, int dir, uint8_t proto, const ike_addr *from,
		const ike_addr *to, const uint8_t *data, size_t len, const char *why);
/* run_cpu.c: nodes with a "cpu". Setup 0 or -1 (out of memory). */
int sim_cpu_setup(runner *r);
void sim_cpu_free(runner *r);
int sim_cpu_collect(runner *r, sim_run_result *res);
/* An IKE datagram (after any non-ESP marker), a due timer, an initiation: queued as a job on n's cores (a
 * datagram goes to n's receiver first when it has one, run_rx.c). */
void sim_cpu_datagram(rnode *n, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len);
/* A datagram into the job queue now (the receiver's hand-off); false when the queue's limits dropped it. */
bool sim_cpu_enqueue(rnode *n, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len);
void sim_cpu_timer(rnode *n, int64_t now);
void sim_cpu_initiate(rnode *n, int64_t now, size_t conn);
/* While n's job runs the engine: holds a send (kind 0), raw send (1) or trace event (2, ev + fields) for the
 * job's end; false when no job runs (do it now). */
bool sim_cpu_hold(rnode *n, uint8_t kind, const ike_addr *from, const ike_addr *to, const char *ev, const void *data,
		  size_t len);
/* ike_host.charge of nodes with a "cpu": the running job's cost grows. */
void sim_cpu_charge(void *ctx, uint8_t op, uint32_t arg, size_t bytes);
/* The node's CPU at t for the metrics' rows: per core (at most cap) its work done by t in ns, and the jobs
 * waiting; false when the node has no cpu. */
bool sim_cpu_sample(const rnode *n, int64_t t, int64_t *done, size_t cap, size_t *queued);
/* The node rebooted: waiting jobs are gone, running ones end without effect. */
void sim_cpu_reboot(rnode *n);

/* The node's running CPU job made crypto job c: it comes back at that job's end (true); false when no job runs. */
bool sim_cpu_attach(rnode *n, sim_cjob *c);

/* run_jobs.c: the crypto jobs (threads 0: none, the engines compute inline). Setup 0, or -1 (no threads). */
int sim_jobs_setup(runner *r, unsigned threads);
/* After the peers: forgets the jobs still out, stops the threads. */
void sim_jobs_free(runner *r);
/* ike_host.submit of every node when the run has threads. */
int sim_jobs_submit(void *ctx, ike_job *job);
/* Waits for c's result and hands it to its node's engine (which goes on, or drops it); frees c. */
void sim_jobs_finish(sim_cjob *c, int64_t now);
/* A CPU job's list of crypto jobs. */
sim_cjob *sim_jobs_next(sim_cjob *c);
void sim_jobs_set_next(sim_cjob *c, sim_cjob *next);
void sim_jobs_counts(runner *r, uint64_t *by_workers, uint64_t *by_caller);

/* run_rx.c: the UDP receive buffer and receiver thread of nodes whose "cpu" has them. Setup 0 or -1. */
int sim_rx_setup(runner *r);
void sim_rx_free(runner *r);
void sim_rx_collect(const runner *r, sim_run_result *res);
/* A datagram for n's receiver (buffered, or dropped when its socket's buffer is full): true; false when n has no
 * receiver (queue it as a job). */
bool sim_rx_datagram(rnode *n, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len);
/* A worker starts a datagram job: a new IKE_SA_INIT request stops counting as pending (half-open). */
void sim_rx_taken(rnode *n, const uint8_t *d, size_t len);
/* The node rebooted: its socket buffers are gone, a read under way ends without effect. */
void sim_rx_reboot(rnode *n);
/* The bytes Linux charges a UDP socket for a loopback datagram of this payload (its skb truesize). */
uint32_t sim_rx_truesize(size_t payload);

/* run_action.c: scenario actions at their times. 0 or -1. */
int sim_ra_setup(runner *r);
void sim_ra_free(runner *r);

#endif
