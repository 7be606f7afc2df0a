/*
 * What a connection leaves to the SA's address (a population's shared template, docs/population.md): with
 * no local_id configured (type 0) we are our IP address, as strongSwan's default; with no local selectors
 * a child's are our address alone (strongSwan's "dynamic"). One config then serves every member.
 */
#include <string.h>

#include "ikev2/sa.h"

void v2_own_id(const v2_ike_sa *sa, ike_id *out)
{
	const ike_id *c = &sa->conn->local_id;
	if (c->type) {
		*out = *c;
		return;
	}
	memset(out, 0, sizeof(*out));
	bool v6 = sa->local.family == 6;
	out->type = v6 ? 5 : 1; /* ID_IPV6_ADDR, ID_IPV4_ADDR */
	out->len = v6 ? 16 : 4;
	memcpy(out->data, sa->local.ip, out->len);
}

const ike_ts *v2_local_ts(const v2_ike_sa *sa, const ike_child_cfg *cc, ike_ts *own, uint8_t *n)
{
	if (cc->n_local_ts) {
		*n = cc->n_local_ts;
		return cc->local_ts;
	}
	memset(own, 0, sizeof(*own));
	own->family = sa->local.family == 6 ? 6 : 4;
	own->end_port = 65535;
	memcpy(own->start, sa->local.ip, 16);
	memcpy(own->end, sa->local.ip, 16);
	*n = 1;
	return own;
}
