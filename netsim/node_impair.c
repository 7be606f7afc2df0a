/*
 * The ESP/AH impairments of a simulated gateway (scenario faults with "esp": replay, corrupt, reorder): copies
 * held back and sent later, a byte flipped, each traced (esp.impair) and noted in the capture.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_ipsec_int.h"

void sim_ipi_free_held(sim_ipsec *ip)
{
	for (size_t i = 0; i < ip->n_held; i++)
		free(ip->held[i].data);
	free(ip->held);
	ip->held = NULL;
	ip->n_held = ip->cap_held = 0;
}

void sim_ipi_put_on_wire(runner *r, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to,
			 const uint8_t *d, size_t len)
{
	if (proto == SIM_PROTO_UDP)
		r->be.send(r->be.impl, node, from, to, d, len);
	else
		r->be.send_ip(r->be.impl, node, proto, from, to, d, len);
}

/* Held copies whose turn came: each one more of the node's ESP packets has gone. */
void sim_ipi_release_held(runner *r, uint32_t node)
{
	sim_ipsec *ip = &r->ipsec[node];
	for (size_t i = 0; i < ip->n_held;) {
		ip_held *h = &ip->held[i];
		if (h->left && --h->left) {
			i++;
			continue;
		}
		ip_held done = *h;
		ip->held[i] = ip->held[--ip->n_held];
		char note[160];
		snprintf(note, sizeof(note), "impaired: %s (fault %u)",
			 r->sc->faults[done.fault].esp == SIM_ESP_REPLAY ? "replayed copy" : "held back, now sent late", done.fault);
		r->tap_note = note;
		sim_ipi_put_on_wire(r, node, done.proto, &done.from, &done.to, done.data, done.len);
		r->tap_note = NULL;
		free(done.data);
	}
}

static int hold(sim_ipsec *ip, uint32_t after, uint8_t proto, const ike_addr *from, const ike_addr *to,
		const uint8_t *d, size_t len, uint32_t fault)
{
	if (ip->n_held == ip->cap_held) {
		size_t cap = ip->cap_held ? 2 * ip->cap_held : 4;
		ip_held *h = realloc(ip->held, cap * sizeof(*h));
		if (!h)
			return -1;
		ip->held = h;
		ip->cap_held = cap;
	}
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return -1;
	memcpy(copy, d, len);
	ip->held[ip->n_held++] = (ip_held){ after, proto, *from, *to, len, copy, fault };
	return 0;
}

/* ESP faults of this node matching its n-th ESP packet: 1 when the packet is held back (not sent now). */
int sim_ipi_impair(runner *r, uint32_t node, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to,
		   uint8_t *d, size_t len, uint32_t spi)
{
	sim_ipsec *ip = &r->ipsec[node];
	int held = 0;
	for (uint32_t i = 0; i < r->sc->n_faults; i++) {
		const sim_fault_spec *f = &r->sc->faults[i];
		if (f->kind != SIM_FAULT_ESP || (uint32_t)f->node != node || f->at > now || ++r->esp_seen[i] != f->nth)
			continue;
		static const char *const what[] = { "replay", "corrupt", "reorder" };
		char fields[200];
		snprintf(fields, sizeof(fields), "\"kind\":\"%s\",\"fault\":%u,\"nth\":%u,\"spi\":\"0x%08x\",\"after\":%u",
			 what[f->esp], i, f->nth, spi, f->after);
		sim_rn_event(r, now, node, "esp.impair", fields);
		if (f->esp == SIM_ESP_CORRUPT) { /* a byte in the middle of IV|ciphertext|ICV: the ICV no longer verifies */
			d[ESP_HDR_LEN + (len - ESP_HDR_LEN) / 2] ^= 0x5a;
			snprintf(ip->note, sizeof(ip->note), "impaired: one byte flipped, the ICV will fail (fault %u)", i);
		}
		else if (hold(ip, f->after + 1, proto, from, to, d, len, i) != 0)
			r->failed = "out of memory holding an ESP packet back (reorder fault)";
		else
			held |= f->esp == SIM_ESP_REORDER;
	}
	return held;
}
