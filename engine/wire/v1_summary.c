/* One-line IKEv1 message summaries in the style of strongSwan's "parsed ID_PROT request 0 [ SA V V ]". */
#include "wire/v1.h"

typedef struct sum_out {
	char *p;
	size_t cap, len;
} sum_out;

/* Truncates instead of overflowing; always NUL-terminated while cap > 0. */
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
	do { /* no stdio in the engine */
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, tmp + i);
}

/* Mode Config by its type, as strongSwan logs it: CPRQ, CPRP, CPS, CPA. */
static const char *cfg_short(const v1_payload *p)
{
	static const char *const names[] = { "CP", "CPRQ", "CPRP", "CPS", "CPA" };
	return p->len >= 1 && p->body[0] >= V1_CFG_REQUEST && p->body[0] <= V1_CFG_ACK ? names[p->body[0]] : "CP";
}

static void put_payload(sum_out *o, const v1_payload *p)
{
	if (p->type == V1_PL_ATTR) {
		put(o, cfg_short(p));
		return;
	}
	if (p->type != V1_PL_N && p->type != V1_PL_D) {
		put(o, v1_payload_short(p->type));
		return;
	}
	put(o, p->type == V1_PL_N ? "N(" : "D(");
	if (p->len < 8) {
		put(o, "?)");
		return;
	}
	if (p->type == V1_PL_N) {
		uint16_t t = ike_get_u16(p->body + 6);
		if (v1_notify_known(t))
			put(o, v1_notify_name(t));
		else
			put_uint(o, t);
	} else {
		/* Delete: the protocol, so "D(ISAKMP)" and "D(ESP)" read apart */
		uint8_t proto = p->body[4];
		put(o, proto == V1_PROTO_ISAKMP ? "ISAKMP" : proto == V1_PROTO_ESP ? "ESP" : proto == V1_PROTO_AH ? "AH" : "?");
	}
	put(o, ")");
}

size_t v1_summary(const v1_header *h, const char *dir, const v1_chain *chain, char *out, size_t cap)
{
	sum_out o = { out, cap, 0 };
	if (cap)
		out[0] = '\0';
	put(&o, v1_exchange_name(h->exchange));
	if (dir) {
		put(&o, " ");
		put(&o, dir);
	}
	put(&o, " ");
	put_uint(&o, h->msg_id);
	put(&o, " [");
	if (!chain)
		put(&o, " E");
	for (size_t i = 0; chain && i < chain->n; i++) {
		put(&o, " ");
		put_payload(&o, &chain->pl[i]);
	}
	put(&o, " ]");
	return o.len;
}
