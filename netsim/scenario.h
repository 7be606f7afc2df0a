/* A validated scenario: the world to build, the connections each node runs, faults and expectations. */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "attack_spec.h"
#include "backend.h"
#include "cpu_costs.h"
#include "ike.h"
#include "nat.h"

#define SIM_ADDRS_MAX 4

/* A static route of a node ("routes"): prefix/plen (plen 0: the default) via a neighbour that forwards. */
typedef struct sim_route_spec {
	ike_addr prefix;
	uint8_t plen;
	uint32_t via;
} sim_route_spec;

/* A node's NAT box ("nat"): the RFC 4787 configuration and the neighbours on its inside. */
typedef struct sim_nat_spec {
	sim_nat_cfg cfg;
	uint32_t *inside; /* nodes whose links are the inside side; every other link is outside */
	size_t n_inside;
} sim_nat_spec;

/* A node's virtual CPU ("cpu"): its IKE work queues for its cores and costs virtual time (docs/cpu.md). */
typedef struct sim_cpu_spec {
	uint16_t cores;                /* worker threads that run jobs in parallel */
	uint32_t queue;                /* jobs that may wait; a datagram beyond is dropped; 0 = no bound */
	uint32_t init_limit_job_load;  /* strongSwan's: a new IKE_SA_INIT is dropped while more jobs wait; 0 = off */
	uint32_t rcvbuf;               /* bytes of the UDP receive buffer (Linux truesize accounting); 0 = unbounded */
	uint8_t receiver;              /* a receiver thread reads datagrams before the job queue (run_rx.c) */
	sim_cpu_costs costs;
} sim_cpu_spec;

typedef struct sim_node_spec {
	const char *name;
	uint8_t n_addrs;
	ike_addr addrs[SIM_ADDRS_MAX];
	ike_conn_cfg *conns;  /* n_conns configs for ike_peer_new; outlive every peer */
	int64_t *initiate_at; /* per connection: when to initiate, -1 = only respond */
	size_t n_conns;
	uint32_t cookie_threshold; /* ike_peer_cfg.cookie_threshold; 0 = never demand cookies */
	uint32_t cookie_threshold_ip, block_threshold, half_open_limit; /* the same knobs of ike_peer_cfg; 0 = off */
	int64_t half_open_timeout; /* ns; 0 = the engine's 30 s */
	uint32_t ikesa_limit;      /* strongSwan's ikesa_limit; 0 = off */
	uint8_t cookie_always;     /* "ddos_mode": "busy" (libreswan): a cookie for every new IKE SA */
	uint8_t profile;           /* the node's "profile" (enum sim_profile_id), 0 = none given */
	uint8_t esp_encap;         /* "encap": ESP in UDP (RFC 3948) even without NAT, like swanctl's encap = yes */
	uint8_t forward;           /* "router": true, or a NAT: datagrams for others are routed on */
	sim_route_spec *routes;    /* "routes" */
	size_t n_routes;
	sim_nat_spec *nat;         /* "nat", NULL = none */
	sim_cpu_spec *cpu;         /* "cpu", NULL = crypto takes no virtual time */
	uint32_t pop;              /* a population's member: its index + 1 (docs/population.md); 0 = none */
} sim_node_spec;

/* When a population's members initiate (docs/population.md). */
enum sim_pop_start { SIM_POP_AT, SIM_POP_UNIFORM, SIM_POP_POISSON };

/* "populations": count nodes from one template, sharing one connection config. */
typedef struct sim_pop_spec {
	const char *name;
	uint32_t first, count;   /* its members are nodes first .. first + count - 1, named name1 .. nameN */
	uint8_t start;           /* enum sim_pop_start */
	int64_t from, to;        /* AT: all at `from`; UNIFORM: each at a time drawn in [from, to] */
	double rate;             /* POISSON: starts per second from `from` (exponential gaps) */
	ike_conn_cfg *conn;      /* the config of its (first) mix entry: one per entry, shared by its members */
} sim_pop_spec;

typedef struct sim_link_spec {
	uint32_t a, b;
	sim_link_cfg cfg;
} sim_link_spec;

enum sim_fault_kind {
	SIM_FAULT_DROP,      /* drop_nth / drop_next: datagrams by count */
	SIM_FAULT_LINK_DOWN, /* every datagram over link in [at, until) */
	SIM_FAULT_REBOOT,    /* node loses its engine state at `at` */
	SIM_FAULT_EXCHANGE,  /* the nth IKE message of one exchange type node sends */
	SIM_FAULT_ESP,       /* the nth ESP packet node sends (from `at` on) is replayed, corrupted or held back */
	SIM_FAULT_MOVE,      /* node's address changes at `at` (an uplink switch): addr replaces its address of that family */
};

/* What an ESP fault does to its packet (the "esp" field). */
enum sim_esp_impair {
	SIM_ESP_REPLAY,  /* sent as usual, and an identical copy again after `after` more ESP packets */
	SIM_ESP_CORRUPT, /* one ciphertext byte flipped: the receiver's ICV check fails */
	SIM_ESP_REORDER, /* held back and sent after `after` more ESP packets (beyond the window: too old) */
};

/*
 * SIM_FAULT_DROP (0, what zeroed specs are): drops datagrams number nth .. nth+count-1 among those matching
 * (sent at >= at, by node, over link). The other kinds use the fields their comments name.
 */
typedef struct sim_fault_spec {
	int64_t at;
	int32_t node;           /* sending node, -1 = any; REBOOT: the node; EXCHANGE: the sender */
	int32_t link_a, link_b; /* link endpoints, -1 = any link; LINK_DOWN: the link */
	uint32_t nth, count;    /* EXCHANGE: nth */
	uint8_t kind;           /* enum sim_fault_kind */
	uint8_t exchange;       /* EXCHANGE: IKE exchange type (34 IKE_SA_INIT, ... 37 INFORMATIONAL) */
	int8_t response;        /* EXCHANGE: 1 responses only, 0 requests only, -1 either */
	int64_t until;          /* LINK_DOWN: when the link comes back, -1 = never */
	int64_t restart_after;  /* REBOOT: delay before the node's initiating connections start again */
	uint8_t esp;            /* ESP: enum sim_esp_impair */
	uint32_t after;         /* ESP: REPLAY/REORDER: after how many more of node's ESP packets */
	ike_addr addr;          /* MOVE: the node's new address */
	int32_t via;            /* MOVE: the neighbour its default route goes through afterwards, -1 = unchanged */
} sim_fault_spec;

/* A host on a gateway's inside subnet: where inner traffic starts and ends ("hosts"). */
typedef struct sim_host_spec {
	const char *name;
	ike_addr addr; /* port unused */
	uint32_t gw;   /* the node that forwards between this host and its tunnels */
} sim_host_spec;

enum sim_flow_kind { SIM_FLOW_PING, SIM_FLOW_UDP, SIM_FLOW_REQRESP };

/* Inner traffic between two hosts ("flows"); one send = `burst` packets, every `interval` from `start`. */
typedef struct sim_flow_spec {
	const char *name;
	uint32_t from, to;  /* hosts */
	uint8_t kind;       /* enum sim_flow_kind */
	int64_t start, stop; /* stop: no send at or after it (INT64_MAX: none) */
	uint64_t count;     /* packets (ping: echo requests; reqresp: requests) to send; 0 = until stop */
	int64_t interval;
	uint32_t size;      /* bytes of each inner IP packet (reqresp: of the request) */
	uint32_t resp_size; /* reqresp: bytes of each response */
	uint32_t burst;     /* packets per send, >= 1 */
	uint16_t port;      /* udp, reqresp: destination port */
} sim_flow_spec;

/* What an action asks of a node's engine (ike.h's ike_peer_rekey_child ... ike_peer_initiate). */
enum sim_action_do { SIM_DO_REKEY_CHILD, SIM_DO_REKEY_IKE, SIM_DO_DELETE_CHILD, SIM_DO_DELETE_IKE, SIM_DO_INITIATE };

/* At `at`, node's connection conn (child: index into its children, for the *_CHILD actions) gets `what`. */
typedef struct sim_action_spec {
	int64_t at;
	uint32_t node, conn, child;
	uint8_t what; /* enum sim_action_do */
} sim_action_spec;

enum sim_expect_kind {
	SIM_EXPECT_END,      /* a connection's state when the run ends */
	SIM_EXPECT_AT,       /* the same, sampled at `at` */
	SIM_EXPECT_EVENTS,   /* how many trace events of a node in [from, to] */
	SIM_EXPECT_MESSAGES, /* how many IKE messages of one exchange a node sent */
	SIM_EXPECT_FLOW,     /* a flow's packets sent, delivered, lost and latency */
	SIM_EXPECT_METRIC,   /* a storm metric (docs/metrics.md): a gauge at a time, a counter over a range, a summary */
	SIM_EXPECT_CONFIG,   /* a rule on the configuration itself, decided when the scenario loads (scenario_rule.c) */
};

/* SIM_EXPECT_METRIC: which one. The first nine are the sampler's fixed columns (metrics.h), in its order. */
enum sim_metric_id {
	SIM_XM_IKE_UP, SIM_XM_HALF_OPEN, SIM_XM_IN_FLIGHT, SIM_XM_CHILD_UP, /* gauges: "at" (default: the end) */
	SIM_XM_IKE_TX, SIM_XM_RETRANSMITS, SIM_XM_COOKIES, SIM_XM_REFUSED, SIM_XM_DROPS, /* counters: "from", "to" */
	SIM_XM_RECOVERY_TIME, SIM_XM_RECOVERY_AT, SIM_XM_LAT_P50, SIM_XM_LAT_P90, SIM_XM_LAT_P99, SIM_XM_LAT_MAX,
	SIM_XM_SETUPS, SIM_XM_N
};
#define SIM_XM_FIRST_COUNTER SIM_XM_IKE_TX
#define SIM_XM_FIRST_SUMMARY SIM_XM_RECOVERY_TIME
/* "ike_up", ... as written in scenarios. */
extern const char *const sim_metric_names[SIM_XM_N];
/* Summaries measured in time (min/max are durations): recovery_*, setup_latency_*. */
#define SIM_XM_IS_TIME(m) ((m) >= SIM_XM_RECOVERY_TIME && (m) <= SIM_XM_LAT_MAX)

/* SIM_EXPECT_FLOW counters, in sim_expect_spec.fmin/fmax. */
enum sim_flow_count { SIM_FC_SENT, SIM_FC_DELIVERED, SIM_FC_LOST, SIM_FC_N };

/* One check; NULL/-1 fields are not checked. */
typedef struct sim_expect_spec {
	uint32_t node, conn;
	const char *ike_state, *child_state;
	int32_t error;     /* notify type wanted as last_error (0 = none), -1 = unchecked */
	int8_t timed_out;  /* 0/1, -1 = unchecked */
	int64_t ike_sas, child_sas; /* SAs the connection holds, checked when want_sas has bit 0 / bit 1 */
	uint8_t want_sas;  /* zeroed specs check neither */
	uint8_t kind;      /* enum sim_expect_kind; 0 (END) in zeroed specs */
	int8_t response;   /* MESSAGES: 1 responses, 0 requests, -1 both */
	uint8_t exchange;  /* MESSAGES */
	int64_t at;        /* AT */
	const char *event; /* EVENTS: the event name */
	const char *conn_name; /* EVENTS: only events whose "conn" is this, NULL = any */
	int64_t from, to;  /* EVENTS: the range, inclusive; to = INT64_MAX for the run's end */
	int64_t window;    /* EVENTS: > 0: what is counted is the most events in any span this long within [from, to] */
	uint64_t min, max; /* EVENTS, MESSAGES: the count wanted */
	const char *why;   /* EVENTS: only events whose "why" is this, NULL = any */
	uint32_t flow;     /* FLOW: index into flows */
	uint8_t fwant;     /* FLOW: bit k set = check counter k (enum sim_flow_count) against fmin[k]..fmax[k] */
	uint64_t fmin[SIM_FC_N], fmax[SIM_FC_N];
	int64_t latency_max; /* FLOW: the largest one-way latency allowed, -1 = unchecked */
	uint8_t metric;      /* METRIC: enum sim_metric_id; min/max (ns for times), at (-1: the end), from/to */
	uint8_t rule_ok;     /* CONFIG: the rule holds */
	const char *rule, *rule_path, *rule_got; /* CONFIG: its text, the JSON path it reads, what is there */
} sim_expect_spec;

/* Rows a run's metrics may have (duration / interval): 10^7 rows of ten columns are 800 MB already. */
#define SIM_METRICS_MAX_ROWS 10000000u

/* The scenario's "metrics" (docs/metrics.md): sampled every interval (0: not asked for), on some nodes. */
typedef struct sim_metrics_spec {
	int64_t interval;
	uint8_t *nodes; /* per node: 1 = measured; NULL = every node */
} sim_metrics_spec;

/* Which simulator carries a run (docs/backends.md): the built-in one (the default) or ns-3. */
enum sim_backend_kind { SIM_BACKEND_BUILTIN = 0, SIM_BACKEND_NS3 = 1 };

typedef struct sim_scenario {
	const char *file;
	uint64_t seed;
	enum sim_backend_kind backend; /* the scenario's "backend" */
	int64_t duration;
	int64_t cert_time; /* Unix seconds at which certificates are checked; 0 when no connection uses them */
	sim_node_spec *nodes;
	size_t n_nodes;
	sim_link_spec *links;
	size_t n_links;
	sim_fault_spec *faults;
	size_t n_faults;
	sim_expect_spec *expects;
	size_t n_expects;
	sim_action_spec *actions;
	size_t n_actions;
	sim_host_spec *hosts;
	size_t n_hosts;
	sim_flow_spec *flows;
	size_t n_flows;
	sim_cross_cfg *cross; /* "cross_traffic" (ns-3 only; scenario_xtraffic.c) */
	size_t n_cross;
	sim_pop_spec *pops;
	size_t n_pops;
	sim_metrics_spec metrics;
	sim_attack_spec *attacks; /* "attackers" (docs/attacks.md) */
	size_t n_attacks;
	const char **inputs;  /* files the scenario read besides itself (auth cert, key, ca), as opened */
	size_t n_inputs;
	void *owned; /* the JSON tree and buffers every string above points into */
} sim_scenario;

/* "builtin" or "ns3" into *out; 0, or -1 for any other name. */
int sim_backend_kind_parse(const char *name, enum sim_backend_kind *out);
/* The name of a backend kind. */
const char *sim_backend_kind_name(enum sim_backend_kind k);

/*
 * What of the scenario only the ns-3 backend carries (a link's "rate" or "queue", "cross_traffic"): 1 with
 * the field's path (e.g. "links[2].rate") in path, else 0.
 */
int sim_scenario_ns3_only(const sim_scenario *sc, char *path, size_t cap);

/* Reads and validates a scenario file; NULL with exactly one "file: path: reason" line in err. */
sim_scenario *sim_scenario_load(const char *path, char *err, size_t errlen);
/* The same from text; `file` names it in errors. */
sim_scenario *sim_scenario_parse(const char *file, const char *text, size_t len, char *err, size_t errlen);
void sim_scenario_free(sim_scenario *sc);

/*
 * Builds a scenario in memory (benchmarks, generators) instead of from a file: n_nodes zeroed node
 * specs and n_links zeroed link specs for the caller to fill, duration and seed set. Nothing is
 * validated: the caller keeps names and addresses unique. NULL when out of memory.
 */
sim_scenario *sim_scenario_new(const char *file, uint64_t seed, int64_t duration, size_t n_nodes, size_t n_links);
/* A copy of s that lives as long as the scenario (node names); NULL when out of memory. */
const char *sim_scenario_keep_str(sim_scenario *sc, const char *s);
/* Gives node n_conns zeroed connection configs, all responder-only (initiate_at -1). 0 or -1. */
int sim_scenario_node_conns(sim_scenario *sc, uint32_t node, size_t n_conns);

/* Finds a node by name; its index or -1. */
int32_t sim_scenario_node(const sim_scenario *sc, const char *name);

/* An unsigned 64-bit integer in decimal or "0x" hex, nothing else (no sign, space or octal). 0 or -1. */
int sim_parse_u64(const char *s, uint64_t *out);

/* "rekey_child", ... by enum sim_action_do. */
const char *sim_action_name(uint8_t what);

/* IKE exchange types by RFC 7296 name ("CREATE_CHILD_SA") and back; -1 / NULL if unknown. */
int sim_exchange_parse(const char *name);
const char *sim_exchange_name(uint8_t type);

#endif
