/* One-line IKEv1 message summaries in the style of strongSwan's "parsed ID_PROT request 0 [ SA V V ]". */
#include "wire/v1.h"
#include "wire/wire_sum.h"

/* Mode Config by its type, as strongSwan logs it: CPRQ, CPRP, CPS, CPA. */
static const char *cfg_short(const v1_payload *p)
{
	static const char *const names[] = { "CP", "CPRQ", "CPRP", "CPS", "CPA" };
	return p->len >= 1 && p->body[0] >= V1_CFG_REQUEST && p->body[0] <= V1_CFG_ACK ? names[p->body[0]] : "CP";
}

static void put_payload(wire_sum *o, const v1_payload *p)
{
	if (p->type == V1_PL_ATTR) {
		wire_sum_put(o, cfg_short(p));
		return;
	}
	if (p->type != V1_PL_N && p->type != V1_PL_D) {
		wire_sum_put(o, v1_payload_short(p->type));
		return;
	}
	wire_sum_put(o, p->type == V1_PL_N ? "N(" : "D(");
	if (p->len < 8) {
		wire_sum_put(o, "?)");
		return;
	}
	if (p->type == V1_PL_N) {
		uint16_t t = ike_get_u16(p->body + 6);
		if (v1_notify_known(t))
			wire_sum_put(o, v1_notify_name(t));
		else
			wire_sum_uint(o, t);
	} else {
		/* Delete: the protocol, so "D(ISAKMP)" and "D(ESP)" read apart */
		uint8_t proto = p->body[4];
		wire_sum_put(o, proto == V1_PROTO_ISAKMP ? "ISAKMP" : proto == V1_PROTO_ESP ? "ESP" : proto == V1_PROTO_AH ? "AH" : "?");
	}
	wire_sum_put(o, ")");
}

size_t v1_summary(const v1_header *h, const char *dir, const v1_chain *chain, char *out, size_t cap)
{
	wire_sum o = { out, cap, 0 };
	if (cap)
		out[0] = '\0';
	wire_sum_put(&o, v1_exchange_name(h->exchange));
	if (dir) {
		wire_sum_put(&o, " ");
		wire_sum_put(&o, dir);
	}
	wire_sum_put(&o, " ");
	wire_sum_uint(&o, h->msg_id);
	wire_sum_put(&o, " [");
	if (!chain)
		wire_sum_put(&o, " E");
	for (size_t i = 0; chain && i < chain->n; i++) {
		wire_sum_put(&o, " ");
		put_payload(&o, &chain->pl[i]);
	}
	wire_sum_put(&o, " ]");
	return o.len;
}
