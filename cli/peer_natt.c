/* `ikesim peer`'s NAT traversal options: --natt-port, --keepalive, --encap (strongSwan's port_nat_t, keepalive, encap),
 * and MOBIKE's --no-mobike, --move-to, --move-after. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

#define PEER_KEEPALIVE_DEFAULT (20 * IKE_NS_PER_SEC) /* strongSwan's charon.keep_alive */

int peer_natt_flag(peer_args *a, const char *flag, const char *val, FILE *err)
{
	char *end;
	errno = 0;
	if (strcmp(flag, "--natt-port") == 0) {
		unsigned long v = val[0] >= '0' && val[0] <= '9' ? strtoul(val, &end, 10) : 0;
		if (!v || errno || *end || v > 65535) {
			fprintf(err, "ikesim peer: --natt-port wants a UDP port 1..65535, got '%s'\n", val);
			return -1;
		}
		a->natt_port = (uint16_t)v;
		return 1;
	}
	if (strcmp(flag, "--move-to") == 0) {
		a->move_to = val;
		return 1;
	}
	if (strcmp(flag, "--move-after") == 0) {
		double v = strtod(val, &end);
		if (errno || end == val || *end || !(v >= 0) || v > 86400) {
			fprintf(err, "ikesim peer: --move-after wants seconds from 0 to 86400, got '%s'\n", val);
			return -1;
		}
		a->move_after = (ike_time)(v * 1e9);
		a->move_after_set = true;
		return 1;
	}
	if (strcmp(flag, "--keepalive") == 0) {
		double v = strtod(val, &end);
		/* below 0.1 s a host behind a NAT would flood its peer with 0xFF bytes */
		if (errno || end == val || *end || !(v >= 0) || v > 86400 || (v > 0 && v < 0.1)) {
			fprintf(err, "ikesim peer: --keepalive wants 0 (off) or seconds from 0.1 to 86400, got '%s'\n", val);
			return -1;
		}
		a->keepalive = (ike_time)(v * 1e9);
		a->keepalive_set = true;
		return 1;
	}
	return 0;
}

uint16_t peer_natt_local_port(const ike_conn_cfg *c)
{
	return c->natt_port ? c->natt_port : c->local.port == 500 ? 4500 : c->local.port;
}

int peer_natt_apply(const peer_args *a, ike_conn_cfg *c, char *err, size_t errlen)
{
	c->natt_port = a->natt_port;
	c->encap = a->encap;
	c->mobike = !a->no_mobike;
	c->keepalive = a->keepalive_set ? a->keepalive : PEER_KEEPALIVE_DEFAULT;
	uint8_t ip[16];
	if (a->move_to && inet_pton(c->local.family == 6 ? AF_INET6 : AF_INET, a->move_to, ip) != 1) {
		snprintf(err, errlen, "--move-to: '%s' is not an IPv%d address like --local's", a->move_to,
			 c->local.family == 6 ? 6 : 4);
		return -1;
	}
	if (a->move_to && !memcmp(ip, c->local.ip, c->local.family == 6 ? 16u : 4u)) {
		snprintf(err, errlen, "--move-to: %s is --local's address already: nothing would move", a->move_to);
		return -1;
	}
	if (a->move_after_set && !a->move_to) {
		snprintf(err, errlen, "--move-after: give --move-to ADDR too (when to move, but not where)");
		return -1;
	}
	if (a->natt_port == 500) {
		snprintf(err, errlen, "--natt-port: 500 carries bare IKE; the NAT-T port must be another one (4500)");
		return -1;
	}
	return 0;
}
