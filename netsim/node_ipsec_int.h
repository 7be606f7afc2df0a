/* node_ipsec.c's and node_impair.c's shared state: a gateway's SAD/SPD, installed CHILD SAs, held packets. */
#ifndef SIM_NODE_IPSEC_INT_H
#define SIM_NODE_IPSEC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/drbg.h"
#include "esp/ah.h"
#include "esp/sad.h"
#include "esp/spd.h"
#include "run_int.h"

#define PKT_MAX 10000          /* inner packets are at most 9000 bytes (scenario_traffic.c) */
#define TRAP_ID (1ull << 40)   /* SPD ids: PROTECT policies use the SA's inbound SPI, traps this | conn << 8 | child */
#define ENCAP_PORT 4500

/* One installed CHILD SA: both directions, its selectors and where its ESP goes. */
typedef struct ip_child {
	uint32_t spi_in, spi_out;
	size_t conn, child;   /* child: index into the connection's children (n_children: unknown) */
	uint8_t mode;
	uint8_t expired;      /* enum esp_expiry the outbound SA last reported: each is traced and acted on once */
	bool encap;
	uint8_t proto;        /* IKE_PROTO_ESP, or IKE_PROTO_AH: then ah_out/ah_in (the SAD's) protect its traffic */
	ah_sa *ah_out, *ah_in;
	ike_addr local, remote;
	uint8_t n_l, n_r;
	ike_ts l[IKE_TS_MAX], r[IKE_TS_MAX];
} ip_child;

/* A copy of an ESP packet an impairment sends later (replay) or instead of now (reorder). */
typedef struct ip_held {
	uint32_t left; /* more ESP packets of the node before it goes */
	uint8_t proto;
	ike_addr from, to;
	size_t len;
	uint8_t *data;
	uint32_t fault;
} ip_held;

struct sim_ipsec {
	esp_sad *sad;
	esp_spd *spd;
	ip_child *kids;
	size_t n_kids, cap_kids;
	ike_drbg iv;          /* CBC IV seeds, from the node's seed: runs stay reproducible */
	uint8_t *acquiring;   /* per connection: an acquire started its IKE SA, not up yet */
	ip_held *held;
	size_t n_held, cap_held;
	sim_esp_node_result st;
	char note[120];       /* the capture comment of the packet being sent, "" = none */
};

/* A datagram as it arrived, for the capture's record of an inbound drop. */
typedef struct sim_ip_rx {
	uint8_t proto;
	const ike_addr *from, *to;
	const uint8_t *data;
	size_t len;
} sim_ip_rx;

/* One buffer for every node's encap and decap: a packet is done with before the next one (links always queue). */
#define BUF_LEN (PKT_MAX + 512)

void sim_ipi_free_held(sim_ipsec *ip);
/* Hands a datagram to the backend: UDP (IKE, ESP in UDP) or an IP payload of protocol proto. */
void sim_ipi_put_on_wire(runner *r, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to,
			 const uint8_t *d, size_t len);
/* Held copies whose turn came: each one more of the node's ESP packets has gone. */
void sim_ipi_release_held(runner *r, uint32_t node);
/* The node's faults matching its n-th ESP/AH packet (d may be modified): 1 when it is held back, not sent now. */
int sim_ipi_impair(runner *r, uint32_t node, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to,
		   uint8_t *d, size_t len, uint32_t spi);

#endif
