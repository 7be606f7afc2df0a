/* One-line message summaries in the style of strongSwan's "parsed/generating ... [ ... ]" log lines. */
#include "wire/v2.h"

/* Output that truncates instead of overflowing; always NUL-terminated while cap > 0. */
typedef struct sum_out {
	char *p;
	size_t cap, len;
} sum_out;

static void put(sum_out *o, const char *s)
{
	while (*s && o->len + 1 < o->cap)
		o->p[o->len++] = *s++;
	if (o->cap)
		o->p[o->len] = '\0';
}

static void put_uint(sum_out *o, unsigned long v)
{
	char tmp[24];
	size_t i = sizeof(tmp) - 1;
	tmp[i] = '\0';
	do { /* digits right to left; no stdio in the engine */
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, tmp + i);
}

static void put_notify(sum_out *o, const v2_payload *p)
{
	if (p->len < 4) {
		put(o, "N");
		return;
	}
	uint16_t type = ike_get_u16(p->body + 2);
	put(o, "N(");
	if (v2_notify_known(type))
		put(o, v2_notify_short(type));
	else
		put_uint(o, type);
	put(o, ")");
}

static void put_cp(sum_out *o, const v2_payload *p)
{
	static const char *const cp_names[] = { "CP", "CPRQ", "CPRP", "CPS", "CPA" };
	uint8_t t = p->len >= 1 ? p->body[0] : 0;
	put(o, t < 5 ? cp_names[t] : "CP");
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

static void put_eap(sum_out *o, const v2_payload *p)
{
	v2_eap e;
	put(o, "EAP");
	if (v2_parse_eap(p->body, p->len, &e) != V2_OK)
		return;
	static const char *const codes[] = { "", "/REQ", "/RES", "/SUCC", "/FAIL" };
	put(o, codes[e.code]);
	if (e.code > 2)
		return;
	put(o, "/");
	const char *n = eap_type_name(e.type);
	if (n)
		put(o, n);
	else
		put_uint(o, e.type);
}

static void put_skf(sum_out *o, const v2_payload *p)
{
	v2_skf f;
	put(o, "EF");
	if (v2_parse_skf(p->body, p->len, &f) != V2_OK)
		return;
	put(o, "(");
	put_uint(o, f.frag_num);
	put(o, "/");
	put_uint(o, f.total);
	put(o, ")");
}

static void put_payload(sum_out *o, const v2_payload *p)
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
		put(o, v2_payload_short(p->type));
	}
	put(o, " ");
}

/* Writes a chain; with `inner`, an SK/SKF is shown as the decrypted payloads it carried. */
static void put_chain(sum_out *o, const v2_chain *c, const v2_chain *inner)
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
	sum_out o = { out, out ? cap : 0, 0 };
	if (o.cap)
		out[0] = '\0';
	if (!h)
		return 0;
	put(&o, v2_exchange_name(h->exchange));
	put(&o, (h->flags & V2_F_RESPONSE) ? " response " : " request ");
	put_uint(&o, h->msg_id);
	put(&o, " [ ");
	put_chain(&o, outer, inner);
	put(&o, "]");
	return o.len;
}
