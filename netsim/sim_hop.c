/* The per-hop definition both backends share: MTU check, loss draw, latency plus jitter draw, drop fields. */
#include "sim_hop.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "sim.h"

size_t sim_hop_ip_len(uint8_t proto, const ike_addr *to, size_t len)
{
	return len + (to->family == 6 ? 40 : 20) + (proto == SIM_PROTO_UDP ? 8 : 0);
}

void sim_hop_seed(ike_drbg *d, uint64_t seed, const char *from, const char *to)
{
	uint8_t s[8];
	char pers[256];
	for (int i = 0; i < 8; i++)
		s[i] = (uint8_t)(seed >> (56 - 8 * i));
	int n = snprintf(pers, sizeof(pers), "link:%s>%s", from, to);
	ike_drbg_init(d, s, sizeof(s), pers, n < (int)sizeof(pers) ? (size_t)n : sizeof(pers) - 1);
}

int sim_hop_draws(const sim_link_cfg *cfg) { return cfg->loss > 0 || cfg->jitter > 0; }

const char *sim_hop_decide(const sim_link_cfg *cfg, ike_drbg *rng, size_t ip_len, uint64_t *delay)
{
	if (cfg->mtu && ip_len > cfg->mtu)
		return "mtu";
	if (cfg->loss > 0) {
		const uint64_t scale = 1ull << 53;
		if ((double)ike_drbg_uniform(rng, scale) < cfg->loss * (double)scale)
			return "loss";
	}
	/* Unsigned: a scenario may give latency and jitter up to 9e18 ns each; the caller saturates the sum. */
	*delay = (uint64_t)cfg->latency;
	if (cfg->jitter > 0)
		*delay += ike_drbg_uniform(rng, (uint64_t)cfg->jitter + 1);
	return NULL;
}

size_t sim_hop_drop_fields(char *out, size_t cap, const char *why, uint8_t proto, const ike_addr *from,
			   const ike_addr *to, size_t len)
{
	char f[64], t[64];
	int n;
	ike_host_addr_format(from, f, sizeof(f));
	ike_host_addr_format(to, t, sizeof(t));
	if (proto != SIM_PROTO_UDP) { /* ESP/AH have no ports: addresses only, and the protocol named */
		inet_ntop(from->family == 6 ? AF_INET6 : AF_INET, from->ip, f, sizeof(f));
		inet_ntop(to->family == 6 ? AF_INET6 : AF_INET, to->ip, t, sizeof(t));
		n = snprintf(out, cap, "\"why\":\"%s\",\"proto\":%u,\"from\":\"%s\",\"to\":\"%s\",\"size\":%zu", why, proto,
			     f, t, len);
	} else
		n = snprintf(out, cap, "\"why\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"size\":%zu", why, f, t, len);
	return n < 0 ? 0 : (size_t)n;
}
