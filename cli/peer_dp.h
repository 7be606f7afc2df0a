/*
 * `ikesim peer`'s data plane: the CHILD SAs the engine reports become a host SAD/SPD (engine/esp), ESP-in-UDP
 * (RFC 3948) on the IKE socket, and ICMP echo (--ping) through them. Internal to cli/ (peer_esp.c, peer_ping.c,
 * peer_dp.c); cmd_peer.c calls only the peer_dp_* functions.
 */
#ifndef CLI_PEER_DP_H
#define CLI_PEER_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/jsonw.h"
#include "esp/esp.h"
#include "host/trace.h"
#include "ike.h"
#include "peer.h"

/* ---- peer_esp.c: CHILD SAs from sa_events into a SAD and SPD ---- */

/* An inner packet that decrypted fine but lies outside its SA's selectors (RFC 4301 5.2): one more status. */
#define PEER_ESP_E_POLICY ESP_STATUS_COUNT
#define PEER_ESP_N_STATUS (ESP_STATUS_COUNT + 1)

typedef struct peer_esp_stats {
	uint64_t in_packets, out_packets;
	uint64_t in_drops[PEER_ESP_N_STATUS];  /* refused inbound packets by status (no_sa: unknown SPI) */
	uint64_t out_drops[PEER_ESP_N_STATUS]; /* refused outbound packets (no_sa: no policy or no SA) */
	uint64_t installed, removed;           /* CHILD SAs (both directions each) */
} peer_esp_stats;

typedef struct peer_esp peer_esp;

/* An empty data plane; NULL on allocation failure. crypto outlives it. */
peer_esp *peer_esp_new(const ike_crypto *crypto);
void peer_esp_free(peer_esp *e);

/* Installs the CHILD SA of an IKE_EV_CHILD_UP (inbound and outbound SA, outbound policies first in the SPD,
 * so a rekey's new SA wins at once); 0, or -1 with a reason. ESP only: AH is refused. */
int peer_esp_child_up(peer_esp *e, const ike_sa_event *ev, char *why, size_t cap);
/* Removes the CHILD SA with our inbound SPI spi_in (IKE_EV_CHILD_DOWN); 0 if it was there. */
int peer_esp_child_down(peer_esp *e, uint32_t spi_in);
/* IKE_EV_IKE_UP: remembered (with the SA it replaces, old_spi_*), since a rekeyed IKE SA takes over the
 * CHILD SAs of the one it replaces. */
void peer_esp_ike_up(peer_esp *e, const ike_sa_event *ev);
/* IKE_EV_IKE_DOWN/FAILED: its CHILD SAs go with it, unless they moved to a rekeyed IKE SA (the event then
 * names none); returns how many were removed. */
size_t peer_esp_ike_down(peer_esp *e, const ike_sa_event *ev);

/* Seals an inner IP packet for the CHILD SA whose policy covers it: the ESP packet in out, its outer
 * destination in *to. ESP_E_NO_SA when no policy covers the packet. Counted in the stats. */
esp_status peer_esp_output(peer_esp *e, const uint8_t *pkt, size_t len, uint8_t *out, size_t cap, size_t *out_len,
			   ike_addr *to);
/* Opens one ESP packet (an ESP-in-UDP payload, SPI first): the inner IP packet in out (*inner_len; transport
 * mode gets an IP header from the IKE SA's addresses). PEER_ESP_E_POLICY when the inner packet is outside the
 * SA's selectors. *spi gets the packet's SPI. Counted in the stats. */
int peer_esp_input(peer_esp *e, const uint8_t *d, size_t len, uint8_t *out, size_t cap, size_t *inner_len,
		   uint32_t *spi);

/* An outbound SA reached a data limit (soft: rekey it; hard: it sends no more): what the host reports. */
typedef struct peer_esp_expiry {
	uint32_t spi_out;
	uint8_t level;   /* enum esp_expiry: SOFT or HARD */
	uint8_t why;     /* enum esp_limit_kind = enum ike_rekey_why: packets, bytes or seq */
	bool first;      /* the SA's first limit: the host asks for one rekey then */
	uint64_t packets, bytes, seq;
} peer_esp_expiry;
/* The limit reached by the last peer_esp_output, once (each SA reports each level once); false if none. */
bool peer_esp_take_expiry(peer_esp *e, peer_esp_expiry *x);

const peer_esp_stats *peer_esp_stats_of(const peer_esp *e);
/* CHILD SAs installed now. */
size_t peer_esp_children(const peer_esp *e);
/* esp_status_name, and "policy" for PEER_ESP_E_POLICY. */
const char *peer_esp_status_name(int s);

/* ---- peer_ping.c: ICMP echo through the CHILD SA ---- */

#define PEER_PING_MAX 100000u /* --count limit: one timestamp each */

typedef struct peer_ping {
	bool active;                 /* --ping given */
	uint8_t family;
	uint8_t self[16], dst[16];   /* our inner address (answers to it), the address pinged */
	uint16_t ident;
	uint32_t count, sent, answered, dups, late;
	ike_time interval, start_delay, next, last_sent, wait;
	ike_time *sent_at;           /* count entries; 0 = not sent */
	uint8_t *got;                /* count bits: reply seen */
	ike_time rtt_min, rtt_max, rtt_sum;
	bool started, done;
	uint64_t echo_answered;      /* echo requests to our inner address we answered */
} peer_ping;

/* Sets p up from --ping/--count/--interval/--inner-addr and the first --local-ts; 0, or -1 with a reason. */
int peer_ping_init(peer_ping *p, const peer_args *a, const ike_child_cfg *ch, char *err, size_t cap);
void peer_ping_free(peer_ping *p);
/* The first CHILD SA is up: pinging starts after start_delay. */
void peer_ping_start(peer_ping *p, ike_time now);
/* When something is due next (IKE_TIME_NEVER: nothing). */
ike_time peer_ping_next(const peer_ping *p);
/* The echo request due at now into pkt (an IP packet; its length), or 0 (none due; done may have become true). */
size_t peer_ping_due(peer_ping *p, ike_time now, uint8_t *pkt, size_t cap, uint16_t *seq);

enum peer_ping_rx { PEER_PING_RX_OTHER, PEER_PING_RX_REPLY, PEER_PING_RX_DUP, PEER_PING_RX_REQUEST };
/* An inner packet that came through an SA: an echo reply for us is counted (*rtt, *seq); an echo request to
 * our inner address gets its reply built into reply (*reply_len). */
enum peer_ping_rx peer_ping_rx(peer_ping *p, ike_time now, const uint8_t *pkt, size_t len, uint8_t *reply,
			       size_t cap, size_t *reply_len, uint16_t *seq, ike_time *rtt);
/* "ping: 10 sent, 10 answered, rtt min/avg/max 0.101/0.230/0.412 ms" into buf. */
void peer_ping_summary(const peer_ping *p, char *buf, size_t cap);

/* ---- peer_dp.c: the glue cmd_peer.c calls ---- */

typedef struct peer_dp {
	peer_esp *esp;
	peer_ping ping;
	int fd;
	ike_addr local;              /* the socket's address: the source of what we send */
	peer_cap *cap;               /* --pcap (NULL without): ESP both ways, drops with their reason */
	ike_host_trace *tr;
	uint8_t *rx, *tx;            /* inner packet + reply (2 x 64 KiB), sealed ESP (64 KiB): allocated once */
	const char *node;
	bool marked;                 /* the IKE ports carry RFC 3948 framing: ESP-in-UDP can share them */
	bool summary_printed;
	FILE *out;
	uint64_t send_errors, unconsumed, traced_drops;
	ike_time drop_window;
	ike_peer *peer;              /* set once the engine exists: a data limit asks it for a CHILD rekey */
	uint64_t rekeys_asked;
} peer_dp;

/* 0, or -1 with a reason (bad --ping/--inner-addr, or ESP impossible on port 500). */
int peer_dp_init(peer_dp *d, const peer_args *a, const ike_conn_cfg *c, const ike_crypto *crypto, int fd,
		 ike_host_trace *tr, FILE *out, char *err, size_t cap);
void peer_dp_free(peer_dp *d);
/* Every SA event of the engine (installs and removes SAs; the first CHILD SA starts --ping). */
void peer_dp_event(peer_dp *d, ike_time now, const ike_sa_event *ev);
/* One ESP-in-UDP datagram from the socket (captured here, after decap, so a drop's comment says why). */
void peer_dp_esp_in(peer_dp *d, ike_time now, const uint8_t *dgram, size_t len, const ike_addr *from);
/* Sends what is due (pings) and notes the end of --ping; its next deadline. */
ike_time peer_dp_tick(peer_dp *d, ike_time now);
/* True while --ping still waits to send or for replies. */
bool peer_dp_busy(const peer_dp *d);
/* Prints the ping summary (once) and returns 0, or -1 when not every echo request was answered. */
int peer_dp_finish(peer_dp *d, ike_time now);
/* "ikesim peer: ESP-in-UDP: N received, M opened, K dropped (icv 2); S sent" when any ESP went either way. */
void peer_dp_report(const peer_dp *d, unsigned long received, FILE *out);
/* Adds the data plane's counters to peer.end's fields. */
void peer_dp_trace_end(const peer_dp *d, ike_jsonw *w);

#endif
