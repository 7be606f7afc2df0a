/* Trace events of the IKEv2 engine; built only when the host traces (formatting costs nothing otherwise). */
#include <stdio.h>
#include <string.h>

#include "config/proposal.h"
#include "ikev2/sa.h"

bool v2_tracing(const ike_peer *p) { return p->host.trace != NULL; }

void v2_emit(ike_peer *p, ike_time now, const char *ev, ike_jsonw *w)
{
	if (p->host.trace)
		p->host.trace(p->host.ctx, now, ev, w->buf);
}

/* Ends an SA's event with the fields every one carries (its connection, when known, and the IKE SPIs). */
void v2_emit_sa(const v2_ike_sa *sa, ike_time now, const char *ev, ike_jsonw *w)
{
	if (sa->conn)
		ike_jsonw_str(w, "conn", sa->conn->name);
	ike_jsonw_spi(w, "initiator-spi", sa->spi_i);
	ike_jsonw_spi(w, "responder-spi", sa->spi_r);
	v2_emit(sa->peer, now, ev, w);
}

void v2_charge(ike_peer *p, uint8_t op, uint32_t arg, size_t bytes)
{
	if (p->host.charge)
		p->host.charge(p->host.ctx, op, arg, bytes);
}

void v2_addr_str(const ike_addr *a, char *out, size_t cap)
{
	if (a->family == 4)
		snprintf(out, cap, "%u.%u.%u.%u:%u", a->ip[0], a->ip[1], a->ip[2], a->ip[3], a->port);
	else {
		size_t n = 0;
		n += (size_t)snprintf(out + n, cap - n, "[");
		for (int i = 0; i < 16 && n < cap; i += 2)
			n += (size_t)snprintf(out + n, cap - n, "%s%x", i ? ":" : "", ike_get_u16(a->ip + i));
		if (n < cap)
			snprintf(out + n, cap - n, "]:%u", a->port);
	}
}

static void sa_fields(ike_jsonw *w, const v2_ike_sa *sa)
{
	if (!sa)
		return;
	if (sa->conn)
		ike_jsonw_str(w, "conn", sa->conn->name);
	ike_jsonw_spi(w, "initiator-spi", sa->spi_i);
	ike_jsonw_spi(w, "responder-spi", sa->spi_r);
}

void v2_trace_error(ike_peer *p, ike_time now, const v2_ike_sa *sa, const char *what, const char *why,
		    uint16_t notify)
{
	if (!v2_tracing(p))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "what", what);
	ike_jsonw_str(&w, "why", why);
	if (notify)
		ike_jsonw_str(&w, "notify", v2_notify_name(notify));
	sa_fields(&w, sa);
	v2_emit(p, now, "error", &w);
}

void v2_trace_kdf(v2_ike_sa *sa, ike_time now, const char *name, const char *inputs_json, const uint8_t *val,
		  size_t len)
{
	if (!v2_tracing(sa->peer))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "name", name);
	ike_jsonw_raw(&w, "inputs", inputs_json);
	ike_jsonw_int(&w, "len", (int64_t)len);
	sa_fields(&w, sa);
	/* nonces travel in clear: their values are always shown; derived secrets only when asked */
	bool public_input = !strcmp(name, "Ni") || !strcmp(name, "Nr");
	if (sa->peer->cfg.reveal_keys || public_input)
		ike_jsonw_hex(&w, "value", val, len);
	v2_emit(sa->peer, now, "kdf", &w);
}

void v2_trace_selected(v2_ike_sa *sa, ike_time now, const char *what, const v2_algs *a)
{
	if (!v2_tracing(sa->peer))
		return;
	char prop[128];
	v2_algs_format(a, prop, sizeof(prop));
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "sa", what);
	ike_jsonw_str(&w, "proposal", prop);
	bool ah = !strcmp(what, "ah"); /* AH has no encryption (RFC 4302) */
	if (!ah)
		ike_jsonw_str(&w, "encr-alg", ike_transform_name(IKE_TT_ENCR, a->encr, a->encr_keylen));
	if (a->encr_keylen)
		ike_jsonw_int(&w, "encr-keysize", a->encr_keylen);
	if (a->integ)
		ike_jsonw_str(&w, "integ-alg", ike_transform_name(IKE_TT_INTEG, a->integ, 0));
	if (a->prf)
		ike_jsonw_str(&w, "prf-alg", ike_transform_name(IKE_TT_PRF, a->prf, 0));
	if (a->dh)
		ike_jsonw_str(&w, "dh-group", ike_transform_name(IKE_TT_DH, a->dh, 0));
	if (!strcmp(what, "esp") || ah)
		ike_jsonw_str(&w, "esn", a->esn ? "yes" : "no");
	sa_fields(&w, sa);
	v2_emit(sa->peer, now, "sa.selected", &w);
}
