/* `ikesim report`: every IKE message of the run decoded from its ike.tx/ike.rx events, as JSON for the page's
 * step-through (report_ui.c): payloads with what they carry, SPIs, the chosen proposal, the key, the fate. */
#include <stdio.h>
#include <string.h>

#include "report_int.h"

#define MAX_STEPS 2000   /* messages a page steps through; a longer run lists the first ones */
#define FATE_WINDOW 4000 /* events after a send searched for its reception or loss */

/* strongSwan's notify abbreviations in summaries, their RFC names and what they say (RFC 7296 3.10.1, 7383). */
static const struct {
	const char *abbr, *name, *what;
} NOTIFIES[] = {
	{ "NATD_S_IP", "NAT_DETECTION_SOURCE_IP", "hash of the sender's address and port: a NAT on the way changes it" },
	{ "NATD_D_IP", "NAT_DETECTION_DESTINATION_IP", "hash of the receiver's address and port as the sender sees it" },
	{ "FRAG_SUP", "IKEV2_FRAGMENTATION_SUPPORTED", "the sender can take fragmented IKE messages (RFC 7383)" },
	{ "INIT_CONTACT", "INITIAL_CONTACT", "the sender has no other IKE SA with us: old ones may go" },
	{ "MOBIKE_SUP", "MOBIKE_SUPPORTED", "the sender can move the SA to new addresses (RFC 4555)" },
	{ "NO_ADD_ADDR", "NO_ADDITIONAL_ADDRESSES", "the sender has no other address to offer" },
	{ "INVAL_KE", "INVALID_KE_PAYLOAD", "wrong Diffie-Hellman group: it names the group to use, try again" },
	{ "NO_PROP", "NO_PROPOSAL_CHOSEN", "no proposal acceptable: nothing in common" },
	{ "AUTH_FAILED", "AUTHENTICATION_FAILED", "the AUTH payload did not verify" },
	{ "TS_UNACCEPT", "TS_UNACCEPTABLE", "the traffic selectors are not acceptable" },
	{ "COOKIE", "COOKIE", "the responder is busy: repeat the request with this cookie (RFC 7296 2.6)" },
	{ "REKEY_SA", "REKEY_SA", "this CREATE_CHILD_SA replaces the CHILD SA named by the SPI" },
	{ "INVAL_SYN", "INVALID_SYNTAX", "the message was malformed" },
	{ "TEMP_FAIL", "TEMPORARY_FAILURE", "try again later (e.g. a rekey collision)" },
	{ "NO_CHILD_SA", "CHILD_SA_NOT_FOUND", "no CHILD SA with that SPI" },
	{ "USE_TRANSP", "USE_TRANSPORT_MODE", "the CHILD SA is asked for in transport mode" },
	{ "HASH_ALG", "SIGNATURE_HASH_ALGORITHMS", "hash algorithms the sender accepts in signatures (RFC 7427)" },
	{ "ESP_TFC_PAD_N", "ESP_TFC_PADDING_NOT_SUPPORTED", "do not pad ESP packets for traffic flow confidentiality" },
	{ "UPD_SA_ADDR", "UPDATE_SA_ADDRESSES", "move the SA to the addresses of this message (MOBIKE)" },
};

/* What each payload type carries (RFC 7296 3.3 to 3.16). */
static const struct {
	const char *name, *what;
} PAYLOADS[] = {
	{ "SA", "Security Association: proposals of algorithms" },
	{ "KE", "Key Exchange: the sender's public Diffie-Hellman value" },
	{ "No", "Nonce: fresh random bytes that go into every key" },
	{ "IDi", "Identification of the initiator" },
	{ "IDr", "Identification of the responder" },
	{ "AUTH", "Authentication: proves the sender holds the PSK or private key (RFC 7296 2.15)" },
	{ "CERT", "Certificate" },
	{ "CERTREQ", "Certificate request: the CAs the sender trusts" },
	{ "TSi", "Traffic selectors of the initiator: which traffic the CHILD SA carries" },
	{ "TSr", "Traffic selectors of the responder" },
	{ "D", "Delete: the SAs the sender closes" },
	{ "V", "Vendor ID" },
	{ "CP", "Configuration: addresses asked for or assigned" },
	{ "EAP", "Extensible Authentication Protocol" },
};

static int is_response(const viz_event *m)
{
	const char *fl = viz_ev_str(m, "flags");
	return fl && strchr(fl, 'R') != NULL;
}

static const viz_event *selected(const viz_trace *t, const viz_event *m, const char *sa, int by_rspi)
{
	for (size_t i = 0; i < t->n; i++) {
		const viz_event *e = &t->ev[i];
		if (strcmp(e->ev, "sa.selected") == 0 && rep_str_is(viz_ev_str(e, "sa"), sa) &&
		    rep_str_is(viz_ev_str(e, "initiator-spi"), viz_ev_str(m, "initiator-spi")) &&
		    (!by_rspi || rep_str_is(viz_ev_str(e, "responder-spi"), viz_ev_str(m, "responder-spi"))))
			return e;
	}
	return NULL;
}

/* One payload of the summary ("N(INIT_CONTACT)", "SA") with what it means in this message. */
static cJSON *payload(const viz_trace *t, const viz_event *m, const char *tok, size_t n)
{
	char buf[96];
	snprintf(buf, sizeof(buf), "%.*s", (int)(n < 90 ? n : 90), tok);
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "p", buf);
	const char *ex = viz_ev_str(m, "exchange");
	int init = rep_str_is(ex, "IKE_SA_INIT");
	char what[256] = "";
	if (buf[0] == 'N' && buf[1] == '(') {
		size_t k = 0, len = strlen(buf) - 3;
		while (k < sizeof(NOTIFIES) / sizeof(NOTIFIES[0]) &&
		       (strlen(NOTIFIES[k].abbr) != len || strncmp(NOTIFIES[k].abbr, buf + 2, len) != 0))
			k++;
		if (k < sizeof(NOTIFIES) / sizeof(NOTIFIES[0]))
			snprintf(what, sizeof(what), "Notify %s: %s", NOTIFIES[k].name, NOTIFIES[k].what);
		else
			snprintf(what, sizeof(what), "Notify %.*s", (int)len, buf + 2);
	}
	for (size_t k = 0; !what[0] && k < sizeof(PAYLOADS) / sizeof(PAYLOADS[0]); k++)
		if (strcmp(PAYLOADS[k].name, buf) == 0)
			snprintf(what, sizeof(what), "%s", PAYLOADS[k].what);
	const viz_event *sel = strcmp(buf, "SA") == 0 || strcmp(buf, "KE") == 0 ? selected(t, m, init ? "ike" : "esp", !init)
										: NULL;
	if (sel && strcmp(buf, "SA") == 0) /* the trace names the proposal chosen, not the ones offered */
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "; %s: %s",
			 is_response(m) ? "chosen" : "offered, of which the responder chose", viz_ev_str(sel, "proposal"));
	if (strcmp(buf, "KE") == 0 && (sel = selected(t, m, "ike", 0)) != NULL && init && viz_ev_str(sel, "dh-group"))
		snprintf(what + strlen(what), sizeof(what) - strlen(what), ", group %s", viz_ev_str(sel, "dh-group"));
	cJSON_AddStringToObject(p, "what", what[0] ? what : "(not described here)");
	return p;
}

static void payloads(const viz_trace *t, const viz_event *m, cJSON *out)
{
	const char *sum = viz_ev_str(m, "summary"), *s = sum ? strstr(sum, " [ ") : NULL;
	cJSON *arr = cJSON_AddArrayToObject(out, "payloads");
	for (s = s ? s + 3 : NULL; s && *s && *s != ']';) {
		size_t n = strcspn(s, " ");
		if (n)
			cJSON_AddItemToArray(arr, payload(t, m, s, n));
		s += n + (s[n] == ' ');
	}
}

/* The key a message travels under: IKEv2 (RFC 7296 3.14) the original initiator's or responder's SK_e, IKEv1
 * (RFC 2408 3.1) SKEYID_e when its E flag is set; IKE_SA_INIT and IKEv1 messages without E in clear. */
static const char *key_of(const viz_event *m)
{
	const char *ex = viz_ev_str(m, "exchange"), *fl = viz_ev_str(m, "flags");
	if (!ex || !fl)
		return "unknown";
	int v1 = strchr(fl, 'E') || rep_str_is(ex, "ID_PROT") || rep_str_is(ex, "AGGRESSIVE") ||
		 rep_str_is(ex, "QUICK_MODE") || rep_str_is(ex, "TRANSACTION") || rep_str_is(ex, "INFORMATIONAL_V1");
	if (rep_str_is(ex, "IKE_SA_INIT") || (v1 && !strchr(fl, 'E')))
		return "none: in clear";
	if (v1)
		return "SKEYID_e (IKEv1)";
	return strchr(fl, 'I') ? "SK_ei (and SK_ai unless the cipher is AEAD), the original initiator's"
			       : "SK_er (and SK_ar unless the cipher is AEAD), the original responder's";
}

static int same_msg(const viz_event *a, const viz_event *b)
{
	return rep_str_is(viz_ev_str(a, "summary"), viz_ev_str(b, "summary")) &&
	       rep_str_is(viz_ev_str(a, "initiator-spi"), viz_ev_str(b, "initiator-spi")) &&
	       rep_str_is(viz_ev_str(a, "flags"), viz_ev_str(b, "flags")) &&
	       viz_ev_num(a, "msgid", -1) == viz_ev_num(b, "msgid", -2);
}

/* "received by gw-b at 0.020 s", "lost on the link (fault)", or "not received in this trace". */
static void fate(const viz_trace *t, size_t i, const viz_event *m, char *out, size_t cap)
{
	char ts[32];
	for (size_t j = i + 1; j < t->n && j < i + FATE_WINDOW; j++) {
		const viz_event *e = &t->ev[j];
		if (strcmp(e->ev, "link.drop") == 0 && strcmp(e->node, t->ev[i].node) == 0 && e->t == t->ev[i].t) {
			snprintf(out, cap, "lost on the link (%s)", viz_ev_str(e, "why") ? viz_ev_str(e, "why") : "?");
			return;
		}
		if (strcmp(e->ev, "ike.rx") == 0 && strcmp(e->node, t->ev[i].node) != 0 && same_msg(m, e)) {
			viz_time_str(e->t, ts, sizeof(ts));
			snprintf(out, cap, "received by %s at %s s", e->node, ts);
			return;
		}
	}
	snprintf(out, cap, "not received in this trace");
}

/* The ike.tx an ike.retransmit or ike.dup repeats: the latest on its node with its SPI, message ID, role. */
static const viz_event *original(const viz_trace *t, size_t i)
{
	const viz_event *e = &t->ev[i];
	int resp = strcmp(e->ev, "ike.dup") == 0;
	for (size_t j = i; j-- > 0;) {
		const viz_event *x = &t->ev[j];
		const char *fl = viz_ev_str(x, "flags");
		if (strcmp(x->ev, "ike.tx") == 0 && strcmp(x->node, e->node) == 0 && fl &&
		    (strchr(fl, 'R') != NULL) == resp && viz_ev_num(x, "msgid", -1) == viz_ev_num(e, "msgid", -2) &&
		    rep_str_is(viz_ev_str(x, "initiator-spi"), viz_ev_str(e, "initiator-spi")))
			return x;
	}
	return NULL;
}

static cJSON *step(const viz_trace *t, size_t i)
{
	const viz_event *e = &t->ev[i], *m = strcmp(e->ev, "ike.tx") == 0 ? e : original(t, i);
	char ts[32], f[160];
	if (!m)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	viz_time_str(e->t, ts, sizeof(ts));
	cJSON_AddNumberToObject(o, "ev", (double)i);
	cJSON_AddStringToObject(o, "t", ts);
	cJSON_AddStringToObject(o, "node", e->node);
	cJSON_AddStringToObject(o, "kind", m == e ? "sent" : e->ev[4] == 'd' ? "cached response sent again"
								 : "retransmission");
	static const char *const fields[] = { "summary", "exchange", "flags", "from", "to", "initiator-spi",
					      "responder-spi" };
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		cJSON_AddStringToObject(o, fields[k], viz_ev_str(m, fields[k]) ? viz_ev_str(m, fields[k]) : "?");
	cJSON_AddNumberToObject(o, "msgid", viz_ev_num(m, "msgid", -1));
	cJSON_AddNumberToObject(o, "size", viz_ev_num(m, "size", -1));
	cJSON_AddStringToObject(o, "key", key_of(m));
	fate(t, i, m, f, sizeof(f));
	cJSON_AddStringToObject(o, "fate", f);
	payloads(t, m, o);
	return o;
}

/* Appends JSON for a <script> element: "</" written as "<\/" so no string ends the element early. */
static void script_json(viz_buf *b, const char *s)
{
	for (; *s; s++) {
		if (s[0] == '<' && s[1] == '/')
			viz_buf_puts(b, "<\\");
		else
			viz_buf_put(b, s, 1);
	}
}

size_t rep_steps_json(const viz_trace *t, viz_buf *b)
{
	cJSON *arr = cJSON_CreateArray();
	size_t n = 0;
	for (size_t i = 0; arr && i < t->n && n < MAX_STEPS; i++) {
		const char *ev = t->ev[i].ev;
		if (strcmp(ev, "ike.tx") != 0 && strcmp(ev, "ike.retransmit") != 0 && strcmp(ev, "ike.dup") != 0)
			continue;
		cJSON *o = step(t, i);
		if (o)
			cJSON_AddItemToArray(arr, o), n++;
	}
	char *s = arr ? cJSON_PrintUnformatted(arr) : NULL;
	viz_buf_puts(b, "<script type=\"application/json\" id=\"steps\">");
	script_json(b, s ? s : "[]");
	viz_buf_puts(b, "</script>\n");
	cJSON_free(s);
	cJSON_Delete(arr);
	return n;
}
