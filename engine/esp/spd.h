/* Security Policy Database: ordered policies over traffic selectors (RFC 4301 4.4.1), first match wins. */
#ifndef IKE_ESP_SPD_H
#define IKE_ESP_SPD_H

#include <stddef.h>
#include <stdint.h>

#include "config/identity.h"
#include "esp/esp.h"
#include "esp/ip.h"

enum esp_action {
	ESP_ACT_PROTECT = 0, /* through the policy's SA */
	ESP_ACT_BYPASS = 1,  /* in the clear */
	ESP_ACT_DISCARD = 2, /* dropped and counted */
	ESP_ACT_TRAP = 3,    /* no SA yet: the host starts one (an acquire), the packet is dropped meanwhile */
};

/* One policy. Outbound: local = source of the inner packet, remote = destination; inbound the reverse. */
typedef struct esp_policy {
	uint64_t id;        /* host's handle (e.g. connection/child index); used to update or remove */
	uint8_t dir;        /* enum esp_dir */
	uint8_t action;     /* enum esp_action */
	ike_ts local;       /* selector of our side (address range, protocol, ports) */
	ike_ts remote;      /* selector of the peer's side */
	esp_sa *sa;         /* PROTECT: out, the SA to use; in, the SA packets must have come through (borrowed; NULL = none yet) */
	uint64_t hits;      /* packets that matched, counted by lookup */
} esp_policy;

typedef struct esp_spd esp_spd;

/* An empty SPD; NULL on allocation failure. */
esp_spd *esp_spd_new(void);
void esp_spd_free(esp_spd *s);

/* Appends p (copied) at the end of the ordered list; 0, or -1 on allocation failure or a bad selector family. */
int esp_spd_add(esp_spd *s, const esp_policy *p);

/* Inserts p before position pos (0 = first, so it wins over everything); 0 or -1. */
int esp_spd_insert(esp_spd *s, size_t pos, const esp_policy *p);

/* Removes every policy with this id; the number removed. */
size_t esp_spd_remove(esp_spd *s, uint64_t id);

/* Points every PROTECT policy with this id and direction at sa (a rekey); the number updated. */
size_t esp_spd_set_sa(esp_spd *s, uint64_t id, uint8_t dir, esp_sa *sa);

/* First policy of direction dir matching the flow, or NULL (no policy: the caller discards and counts). */
esp_policy *esp_spd_lookup(esp_spd *s, uint8_t dir, const esp_flow *f);

/* Number of policies; the policy at position i (NULL past the end). */
size_t esp_spd_count(const esp_spd *s);
const esp_policy *esp_spd_at(const esp_spd *s, size_t i);

/* Lookups that matched no policy (RFC 4301 5.1: discard, auditable). */
uint64_t esp_spd_misses(const esp_spd *s);

/* 1 if the flow's source/destination/protocol/ports fall inside the selector pair (local, remote). */
int esp_ts_match(const ike_ts *local, const ike_ts *remote, uint8_t dir, const esp_flow *f);

#endif
