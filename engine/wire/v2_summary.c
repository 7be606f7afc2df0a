/* One-line message summaries in the style of strongSwan's "parsed/generating ... [ ... ]" log lines. */
#include "wire/v2.h"
#include "wire/wire_sum.h"

static void put_notify(wire_sum *o, const v2_payload *p)
{
	if (p->len < 4) {
		wire_sum_put(o, "N");
		return;
	}
	uint16_t type = ike_get_u16(p->body + 2);
	wire_sum_put(o, "N(");
	if (v2_notify_known(type))
		wire_sum_put(o, v2_notify_short(type));
	else
		wire_sum_uint(o, type);
	wire_sum_put(o, ")");
}

static void put_cp(wire_sum *o, const v2_payload *p)
{
	static const char *const cp_names[] = { "CP", "CPRQ", "CPRP", "CPS", "CPA" };
	uint8_t t = p->len >= 1 ? p->body[0] : 0;
	wire_sum_put(o, t < 5 ? cp_names[t] : "CP");
}

static const char *eap_type_name(uint8_t type)
{
	switch (type) {
	case 1:
		return "ID";
	case 3:
		return "NAK";
	case 4:
		return "MD5";
	case 6:
		return "GTC";
	case 13:
		return "TLS";
	case 18:
		return "SIM";
	case 21:
		return "TTLS";
	case 23:
		return "AKA";
	case 25:
		return "PEAP";
	case 26:
		return "MSCHAPV2";
	default:
		return NULL;
	}
}

static void put_eap(wire_sum *o, const v2_payload *p)
{
	v2_eap e;
	wire_sum_put(o, "EAP");
	if (v2_parse_eap(p->body, p->len, &e) != V2_OK)
		return;
	static const char *const codes[] = { "", "/REQ", "/RES", "/SUCC", "/FAIL" };
	wire_sum_put(o, codes[e.code]);
	if (e.code > 2)
		return;
	wire_sum_put(o, "/");
	const char *n = eap_type_name(e.type);
	if (n)
		wire_sum_put(o, n);
	else
		wire_sum_uint(o, e.type);
}

static void put_skf(wire_sum *o, const v2_payload *p)
{
	v2_skf f;
	wire_sum_put(o, "EF");
	if (v2_parse_skf(p->body, p->len, &f) != V2_OK)
		return;
	wire_sum_put(o, "(");
	wire_sum_uint(o, f.frag_num);
	wire_sum_put(o, "/");
	wire_sum_uint(o, f.total);
	wire_sum_put(o, ")");
}

static void put_payload(wire_sum *o, const v2_payload *p)
{
	switch (p->type) {
	case V2_PL_NOTIFY:
		put_notify(o, p);
		break;
	case V2_PL_CP:
		put_cp(o, p);
		break;
	case V2_PL_EAP:
		put_eap(o, p);
		break;
	case V2_PL_SKF:
		put_skf(o, p);
		break;
	default:
		wire_sum_put(o, v2_payload_short(p->type));
	}
	wire_sum_put(o, " ");
}

/* Writes a chain; with `inner`, an SK/SKF is shown as the decrypted payloads it carried. */
static void put_chain(wire_sum *o, const v2_chain *c, const v2_chain *inner)
{
	for (size_t i = 0; c && i < c->n && i < V2_MAX_PAYLOADS; i++) {
		const v2_payload *p = &c->pl[i];
		if (inner && (p->type == V2_PL_SK || p->type == V2_PL_SKF))
			put_chain(o, inner, NULL);
		else
			put_payload(o, p);
	}
}

size_t v2_summary(const v2_header *h, const v2_chain *outer, const v2_chain *inner, char *out, size_t cap)
{
	wire_sum o = { out, out ? cap : 0, 0 };
	if (o.cap)
		out[0] = '\0';
	if (!h)
		return 0;
	wire_sum_put(&o, v2_exchange_name(h->exchange));
	wire_sum_put(&o, (h->flags & V2_F_RESPONSE) ? " response " : " request ");
	wire_sum_uint(&o, h->msg_id);
	wire_sum_put(&o, " [ ");
	put_chain(&o, outer, inner);
	wire_sum_put(&o, "]");
	return o.len;
}
