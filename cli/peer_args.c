/* `ikesim peer` arguments: flags as strongSwan users spell them, turned into one ike_conn_cfg. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "crypto/cert.h"
#include "peer.h"

void peer_args_usage(FILE *f)
{
	fprintf(f,
		"usage: ikesim peer --local ADDR:PORT --remote ADDR:PORT [--initiate]\n"
		"                   [--ike 1|2 [--aggressive]] --proposals LIST --esp-proposals LIST\n"
		"                   --id ID --remote-id ID\n"
		"                   (--psk-file FILE | --psk SECRET | --cert FILE --key FILE --ca FILE [--rsa-pss])\n"
		"                   --local-ts CIDR[,CIDR] --remote-ts CIDR[,CIDR]\n"
		"                   [--timeout SECONDS] [--hold SECONDS] [--trace FILE] [--reveal-keys]\n"
		"                   [--pcap FILE [--pcap-format pcapng|pcap]]\n"
		"                   [--cookie-threshold N] [--cookie-threshold-ip N] [--block-threshold N]\n"
		"                   [--half-open-limit N] [--half-open-timeout S] [--no-dos-protection]\n"
		"                   [--rekey-time S] [--ike-rekey-time S] [--reauth-time S] [--rand-time S]\n"
		"                   [--over-time S] [--dpd-delay S] [--dpd-action clear|restart|trap]\n"
		"                   [--no-initial-contact] [--rekey-child-after S] [--rekey-ike-after S]\n"
		"                   [--delete-after S] [--fragmentation yes|no|force|accept] [--fragment-size N]\n"
		"                   [--ping ADDR [--count N] [--interval S]] [--inner-addr ADDR]\n"
		"                   [--rekey-packets N] [--rekey-bytes N] [--life-packets N] [--life-bytes N]\n"
		"                   [--replay-window N]\n"
		"                   [--natt-port N] [--keepalive S] [--encap] [--no-mobike]\n"
		"                   [--move-to ADDR [--move-after S]]\n\n"
		"Runs one IKEv2 (or, with --ike 1, IKEv1) peer on a real UDP socket (docs/interop.md).\n"
		"  --ike 1          IKEv1: Main Mode (PSK or RSA signatures), Quick Mode; --aggressive: Aggressive Mode (PSK)\n"
		"  IKEv1 XAUTH client: --xauth-user NAME with --xauth-password-file FILE (or IKESIM_XAUTH_PASSWORD);\n"
		"                   --modecfg asks the gateway for a virtual IP (Mode Config) and uses it as --local-ts\n"
		"  IKEv1 XAUTH gateway: --xauth-users FILE (`user:password` lines, mode 600), --pool CIDR (Mode Config)\n"
		"  --initiate       establish the IKE and CHILD SA, keep them --hold seconds, delete, exit\n"
		"                   (without it: answer peers until --timeout or SIGINT/SIGTERM)\n"
		"  --proposals      IKE proposals, strongSwan syntax (aes128gcm16-prfsha256-x25519,...)\n"
		"  --esp-proposals  ESP proposals (aes128gcm16,...)\n"
		"  --ah-proposals   AH proposals instead (sha256,...): negotiated, but no data path (AH has no UDP form)\n"
		"  --id/--remote-id identities as strongSwan types them (FQDN, user@host, IP, DN, %%any)\n"
		"  --rsa-pss        sign with RSASSA-PSS (SHA-2, salt = hash length; RSA key, peer must\n"
		"                   send SIGNATURE_HASH_ALGORITHMS) instead of PKCS#1 v1.5 (docs/certificates.md)\n"
		"  --timeout S      give up (initiator, default 30) or stop serving (responder, default never)\n"
		"  --trace FILE     JSON Lines trace (docs/trace.md); --reveal-keys adds key values\n"
		"  --pcap FILE      capture what the socket sends and receives (pcapng, docs/pcap.md); with\n"
		"                   --reveal-keys also FILE.ikev2_decryption_table and FILE.esp_sa for Wireshark\n"
		"  --pcap-format F  pcapng (default) or pcap (classic)\n"
		"  --psk-file FILE  the PSK: the file's (or pipe's) bytes, one trailing newline dropped (mode 600);\n"
		"                   or set IKESIM_PSK; --psk SECRET works too, but `ps` shows it to everyone\n"
		"  --cookie-threshold N     demand COOKIEs from N half-open IKE SAs (default 30; 0 = off)\n"
		"  --cookie-threshold-ip N  ... or from N half-open SAs of one source IP (default 3)\n"
		"  --block-threshold N      drop IKE_SA_INITs from an IP with N half-open SAs (default 5)\n"
		"  --half-open-limit N      drop every new IKE_SA_INIT at N half-open SAs (default 1000)\n"
		"  --no-dos-protection      cookie and block thresholds off (as charon's dos_protection = no)\n"
		"  --half-open-timeout S    drop an IKE SA not authenticated within S seconds (default 30)\n"
		"  --fragmentation M        RFC 7383 IKE fragmentation (default yes: announce, fragment what exceeds\n"
		"                           the size; force: every encrypted message; accept: announce only; no)\n"
		"  --fragment-size N        largest UDP payload of a fragment (default: 1280-byte IP datagrams)\n"
		"Lifetimes (swanctl's names; 0 = never, the default):\n"
		"  --rekey-time S       rekey the CHILD SA after S (minus up to --rand-time); it dies at S + --over-time\n"
		"  --ike-rekey-time S   rekey the IKE SA after S       --reauth-time S  reauthenticate after S\n"
		"  --rand-time S        jitter (default: as swanctl, 10 %% of the rekey time; IKE: min(over, rekey / 2))\n"
		"  --over-time S        hard expiry after the rekey time (default 10 %% of it)\n"
		"  --dpd-delay S        liveness check after S without a message (default 0 = off)\n"
		"  --dpd-action A       clear (default), restart or trap when the peer is found dead\n"
		"  --no-initial-contact do not send INITIAL_CONTACT in IKE_AUTH (sent by default, as charon does)\n"
		"  PFS: put a DH group in --esp-proposals (aes128gcm16-x25519), as swanctl does\n"
		"Actions, S seconds after the first CHILD SA is up (an initiator exits once they completed):\n"
		"  --rekey-child-after S  CREATE_CHILD_SA rekeying the CHILD SA\n"
		"  --rekey-ike-after S    CREATE_CHILD_SA rekeying the IKE SA\n"
		"  --delete-after S       delete the IKE SA (INFORMATIONAL)\n"
		"Data plane: every CHILD SA is installed; ESP-in-UDP (RFC 3948) shares the IKE socket (docs/interop.md):\n"
		"  --ping ADDR      ICMP echo requests to ADDR through the CHILD SA once it is up; prints\n"
		"                   'ping: N sent, M answered, rtt ...'; exit 1 unless all are answered (an\n"
		"                   initiator's --hold counts from the last answer)\n"
		"  --count N        how many (default 10)      --interval S  seconds between them (default 1)\n"
		"  --inner-addr A   our address inside the tunnel (default: the first address of --local-ts);\n"
		"                   echo requests to it are answered\n"
		"  --rekey-packets N, --rekey-bytes N  once the outbound ESP SA carried N packets (inner bytes), ask\n"
		"                   for one CHILD rekey (traced reason packets/bytes; the scenario's rekey_packets ...)\n"
		"  --life-packets N, --life-bytes N    past N the SA sends nothing more (default: rekey_* + 10 %%)\n"
		"  --replay-window N  inbound anti-replay window in packets (default 64, at most 4096; 0 = off)\n"
		"NAT traversal (RFC 7296 2.23, RFC 3948; docs/interop.md):\n"
		"  --natt-port N    also listen on N; once a NAT is detected (or --encap) the initiator moves there\n"
		"                   from IKE_AUTH on, a peer's port 500 becomes 4500 (default 4500 when --local's\n"
		"                   port is 500, else none: the IKE port serves both)\n"
		"  --keepalive S    NAT keepalives (one 0xFF byte) after S seconds without sending, only from the side\n"
		"                   behind a NAT (default 20, 0 = off, else at least 0.1)\n"
		"  --encap          force UDP encapsulation: our NAT detection hash is one that cannot match\n"
		"  --no-mobike      no MOBIKE (RFC 4555; on by default as in strongSwan): IKE_AUTH stays on the IKE\n"
		"                   port without a NAT, and no UPDATE_SA_ADDRESSES follows our address changes\n"
		"  --move-to ADDR   S seconds (--move-after S, default 1) after the first CHILD SA is up, our sockets\n"
		"                   move to ADDR (same ports) and an initiator sends UPDATE_SA_ADDRESSES from there\n"
		"On ports other than 500 every IKE message carries the RFC 3948 non-ESP marker.\n"
		"Exit: 0 SAs established (and deleted), 1 failure (one line says why), 2 bad arguments.\n");
}

/* Seconds as a decimal, >= 0, to nanoseconds. */
static int parse_seconds(const char *s, ike_time *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e7)
		return -1;
	*out = (ike_time)(v * 1e9);
	return 0;
}

/* Where each value-taking flag lands; NULL target = handled specially. */
static const char **string_slot(peer_args *a, const char *flag)
{
	static const char *const names[] = { "--local", "--remote", "--proposals", "--esp-proposals", "--id",
					     "--remote-id", "--psk", "--cert", "--key", "--ca", "--local-ts",
					     "--remote-ts", "--trace", "--psk-file", "--pcap", "--ah-proposals",
					     "--xauth-user", "--xauth-password-file", "--xauth-users", "--pool" };
	const char **slots[] = { &a->local, &a->remote, &a->proposals, &a->esp_proposals, &a->id, &a->remote_id,
				 &a->psk, &a->cert, &a->key, &a->ca, &a->local_ts, &a->remote_ts, &a->trace,
				 &a->psk_file, &a->pcap, &a->ah_proposals, &a->xauth_user, &a->xauth_password_file,
				 &a->xauth_users, &a->pool };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(flag, names[i]) == 0)
			return slots[i];
	return NULL;
}

/* The DoS-protection counts (strongSwan's charon.* names in docs/interop.md). */
static uint32_t *dos_slot(peer_args *a, const char *flag)
{
	return !strcmp(flag, "--cookie-threshold")      ? &a->cookie_threshold
	       : !strcmp(flag, "--cookie-threshold-ip") ? &a->cookie_threshold_ip
	       : !strcmp(flag, "--block-threshold")     ? &a->block_threshold
	       : !strcmp(flag, "--half-open-limit")     ? &a->half_open_limit
							: NULL;
}

static int parse_count(const char *flag, const char *val, uint32_t *out, FILE *err)
{
	char *end;
	errno = 0;
	unsigned long long v = val[0] >= '0' && val[0] <= '9' ? strtoull(val, &end, 10) : 0;
	if (!(val[0] >= '0' && val[0] <= '9') || errno || *end || v > UINT32_MAX) {
		fprintf(err, "ikesim peer: %s wants a whole number from 0 to %u (0 = off), got '%s'\n", flag, UINT32_MAX,
			val);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int take_value(peer_args *a, const char *flag, const char *val, FILE *err)
{
	const char **slot = string_slot(a, flag);
	if (slot) {
		*slot = val;
		return 0;
	}
	if (strcmp(flag, "--ike") == 0) {
		if (strcmp(val, "1") == 0 || strcmp(val, "2") == 0) {
			a->ike_version = (uint8_t)(val[0] - '0');
			return 0;
		}
		fprintf(err, "ikesim peer: --ike wants 1 (IKEv1) or 2 (IKEv2), got '%s'\n", val);
		return -1;
	}
	if (strcmp(flag, "--pcap-format") == 0) {
		if (strcmp(val, "pcapng") == 0 || strcmp(val, "pcap") == 0) {
			a->pcap_classic = strcmp(val, "pcap") == 0;
			return 0;
		}
		fprintf(err, "ikesim peer: --pcap-format wants pcapng or pcap, got '%s'\n", val);
		return -1;
	}
	if (strcmp(flag, "--fragmentation") == 0) {
		static const char *const modes[] = { "no", "yes", "force", "accept" }; /* enum ike_frag_mode's order */
		int m = peer_keyword(val, modes, 4);
		if (m >= 0) {
			a->fragmentation = (uint8_t)m;
			return 0;
		}
		fprintf(err, "ikesim peer: --fragmentation wants yes, no, force or accept, got '%s'\n", val);
		return -1;
	}
	if (strcmp(flag, "--fragment-size") == 0) {
		if (parse_count(flag, val, &a->fragment_size, err) != 0)
			return -1;
		if (a->fragment_size >= IKE_FRAG_SIZE_MIN && a->fragment_size <= 65507)
			return 0;
		fprintf(err, "ikesim peer: --fragment-size wants %u to 65507 bytes, got '%s'\n", IKE_FRAG_SIZE_MIN, val);
		return -1;
	}
	uint32_t *n = dos_slot(a, flag);
	if (n)
		return parse_count(flag, val, n, err);
	int life = peer_life_flag(a, flag, val, err);
	if (!life)
		life = peer_ping_flag(a, flag, val, err);
	if (!life)
		life = peer_natt_flag(a, flag, val, err);
	if (life)
		return life < 0 ? -1 : 0;
	ike_time *t = strcmp(flag, "--timeout") == 0 ? &a->timeout : strcmp(flag, "--hold") == 0 ? &a->hold
		      : strcmp(flag, "--half-open-timeout") == 0 ? &a->half_open_timeout : NULL;
	if (!t) {
		fprintf(err, "ikesim peer: unknown option '%s' (try 'ikesim peer --help')\n", flag);
		return -1;
	}
	if (parse_seconds(val, t) != 0) {
		fprintf(err, "ikesim peer: %s wants seconds (a number >= 0), got '%s'\n", flag, val);
		return -1;
	}
	a->timeout_set |= t == &a->timeout;
	return 0;
}

static int check_required(const peer_args *a, FILE *err)
{
	const char *missing = !a->local ? "--local" : !a->remote ? "--remote" : !a->proposals ? "--proposals"
			      : !a->esp_proposals && !a->ah_proposals ? "--esp-proposals" : !a->id ? "--id" : !a->remote_id ? "--remote-id"
			      : !a->local_ts ? "--local-ts" : !a->remote_ts ? "--remote-ts" : NULL;
	if (missing) {
		fprintf(err, "ikesim peer: missing %s (try 'ikesim peer --help')\n", missing);
		return -1;
	}
	if (a->esp_proposals && a->ah_proposals) {
		fprintf(err, "ikesim peer: give --esp-proposals or --ah-proposals, not both (no AH+ESP bundles)\n");
		return -1;
	}
	if (a->ah_proposals && a->ping) {
		fprintf(err, "ikesim peer: --ping needs ESP: the peer sends IPsec in UDP (RFC 3948), which has no AH form\n");
		return -1;
	}
	bool certs = a->cert || a->key || a->ca, psk = a->psk || a->psk_file;
	if (psk && certs) {
		fprintf(err, "ikesim peer: --psk/--psk-file and --cert/--key/--ca exclude each other\n");
		return -1;
	}
	if (!psk && !a->psk_env && !(a->cert && a->key && a->ca)) {
		fprintf(err, "ikesim peer: need --psk-file FILE (or IKESIM_PSK in the environment, or --psk SECRET), "
			     "or all of --cert FILE --key FILE --ca FILE\n");
		return -1;
	}
	if (a->rsa_pss && (psk || (a->psk_env && !certs))) {
		fprintf(err, "ikesim peer: --rsa-pss needs --cert/--key/--ca, not a PSK\n");
		return -1;
	}
	return 0;
}

int peer_keyword(const char *val, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(val, names[i]) == 0)
			return (int)i;
	return -1;
}

int peer_args_parse(int argc, char **argv, peer_args *a, FILE *err)
{
	memset(a, 0, sizeof(*a));
	/* strongSwan's charon defaults (cookie_threshold, cookie_threshold_ip, block_threshold); its
	 * init_limit_half_open is off, ours bounds the memory a flood from many real addresses can take. */
	a->cookie_threshold = 30;
	a->cookie_threshold_ip = 3;
	a->block_threshold = 5;
	a->half_open_limit = 1000;
	for (int i = 0; i < PEER_ACT_N; i++)
		a->act_after[i] = IKE_TIME_NEVER;
	a->move_after = IKE_NS_PER_SEC;
	a->fragmentation = IKE_FRAG_YES;
	const char *env = getenv("IKESIM_PSK");
	a->psk_env = env && *env ? env : NULL;
	const char *xenv = getenv("IKESIM_XAUTH_PASSWORD");
	a->xauth_password_env = xenv && *xenv ? xenv : NULL;
	for (int i = 1; i < argc; i++) {
		const char *v = argv[i];
		if (strcmp(v, "--help") == 0 || strcmp(v, "-h") == 0)
			return 1;
		if (strcmp(v, "--initiate") == 0) {
			a->initiate = true;
		} else if (strcmp(v, "--reveal-keys") == 0) {
			a->reveal = true;
		} else if (strcmp(v, "--no-dos-protection") == 0) {
			a->cookie_threshold = a->cookie_threshold_ip = a->block_threshold = 0;
		} else if (strcmp(v, "--rsa-pss") == 0) {
			a->rsa_pss = true;
		} else if (strcmp(v, "--no-initial-contact") == 0) {
			a->no_initial_contact = true;
		} else if (strcmp(v, "--encap") == 0) {
			a->encap = true;
		} else if (strcmp(v, "--no-mobike") == 0) {
			a->no_mobike = true;
		} else if (strcmp(v, "--aggressive") == 0) {
			a->aggressive = true;
		} else if (strcmp(v, "--modecfg") == 0) {
			a->modecfg = true;
		} else if (strncmp(v, "--", 2) == 0) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(err, "ikesim peer: %s needs a value\n", v);
				return -1;
			}
			if (take_value(a, v, argv[++i], err) != 0)
				return -1;
		} else {
			fprintf(err, "ikesim peer: unexpected argument '%s' (try 'ikesim peer --help')\n", v);
			return -1;
		}
	}
	if (a->initiate && !a->timeout_set)
		a->timeout = 30 * IKE_NS_PER_SEC;
	if (check_required(a, err) != 0)
		return -1;
	return peer_cap_check(a, err);
}

int peer_addr_parse(const char *text, ike_addr *out, char *err, size_t errlen)
{
	char host[64];
	const char *colon = text[0] == '[' ? strstr(text, "]:") : strrchr(text, ':');
	size_t hl = colon ? (size_t)(colon - text) - (text[0] == '[') : 0;
	memset(out, 0, sizeof(*out));
	if (!colon || hl == 0 || hl >= sizeof(host)) {
		snprintf(err, errlen, "'%s' is not ADDR:PORT (IPv6 as [ADDR]:PORT)", text);
		return -1;
	}
	memcpy(host, text + (text[0] == '['), hl);
	host[hl] = '\0';
	const char *ps = colon + (text[0] == '[' ? 2 : 1);
	char *end;
	errno = 0;
	unsigned long port = strtoul(ps, &end, 10);
	if (errno || end == ps || *end || port > 65535) {
		snprintf(err, errlen, "'%s': bad port", text);
		return -1;
	}
	out->port = (uint16_t)port;
	if (inet_pton(AF_INET, host, out->ip) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, host, out->ip) == 1)
		out->family = 6;
	else {
		snprintf(err, errlen, "'%s': '%s' is not an IPv4 or IPv6 address", text, host);
		return -1;
	}
	return 0;
}

/* "10.1.0.0/16,10.3.0.0/16" into up to IKE_TS_MAX selectors. */
static int parse_ts_list(const char *flag, const char *text, ike_ts *ts, uint8_t *n, char *err, size_t errlen)
{
	char buf[512], e[128];
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "%s: list too long", flag);
		return -1;
	}
	strcpy(buf, text);
	*n = 0;
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n >= IKE_TS_MAX) {
			snprintf(err, errlen, "%s: at most %d selectors", flag, IKE_TS_MAX);
			return -1;
		}
		if (ike_ts_parse(tok, &ts[*n], e, sizeof(e)) != 0) {
			snprintf(err, errlen, "%s '%s': %s", flag, tok, e);
			return -1;
		}
		(*n)++;
	}
	if (*n == 0) {
		snprintf(err, errlen, "%s: no selector given", flag);
		return -1;
	}
	return 0;
}

/* Whole file into a fresh buffer; 0 or -1 + err. */
static int read_file(const char *flag, const char *path, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	if (!f) {
		snprintf(err, errlen, "%s %s: %s", flag, path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			uint8_t *nb = cap < (1u << 20) ? realloc(buf, cap ? cap * 2 : 4096) : NULL;
			if (!nb)
				break;
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	bool bad = ferror(f) || !feof(f);
	fclose(f);
	if (bad) {
		free(buf);
		snprintf(err, errlen, "%s %s: cannot read it (or larger than 1 MiB)", flag, path);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

/*
 * Certificate authentication: the host reads the PEM files and the engine (engine/crypto/cert.h, on the
 * certs branch) builds the credential from bytes. Until cert.h is merged this build refuses the flags.
 */
static int load_cred(const peer_args *a, ike_conn_cfg *c, peer_cred_files *cf, char *err, size_t errlen)
{
	if (read_file("--cert", a->cert, &cf->cert, &cf->cert_len, err, errlen) != 0 ||
	    read_file("--key", a->key, &cf->key, &cf->key_len, err, errlen) != 0 ||
	    read_file("--ca", a->ca, &cf->ca, &cf->ca_len, err, errlen) != 0)
		return -1;
	if (ike_cred_from_pem(cf->cert, cf->cert_len, cf->key, cf->key_len, cf->ca, cf->ca_len, &cf->cred, err,
			      errlen) != 0)
		return -1;
	/* a real peer checks certificate validity against the wall clock (the engine itself reads none) */
	ike_cred_set_check_time(cf->cred, (int64_t)time(NULL));
	if (ike_cred_set_rsa_pss(cf->cred, a->rsa_pss) != 0) {
		snprintf(err, errlen, "--rsa-pss: the key in %s is not an RSA key", a->key);
		return -1;
	}
	c->cred = cf->cred;
	c->auth = IKE_AUTH_PUBKEY;
	return 0;
}

void peer_cred_files_free(peer_cred_files *cf)
{
	ike_cred_free(cf->cred);
	cf->cred = NULL;
	free(cf->cert);
	free(cf->key);
	free(cf->ca);
	if (cf->psk)
		OPENSSL_cleanse(cf->psk, cf->psk_len);
	free(cf->psk);
	peer_xauth_free(cf);
	memset(cf, 0, sizeof(*cf));
}

static int parse_ids(const peer_args *a, ike_conn_cfg *c, char *err, size_t errlen)
{
	char e[128];
	if (ike_id_parse(a->id, &c->local_id, e, sizeof(e)) != 0 || c->local_id.type == 0) {
		snprintf(err, errlen, "--id '%s': %s", a->id, c->local_id.type ? e : "our own ID cannot be %any");
		return -1;
	}
	if (ike_id_parse(a->remote_id, &c->remote_id, e, sizeof(e)) != 0) {
		snprintf(err, errlen, "--remote-id '%s': %s", a->remote_id, e);
		return -1;
	}
	return 0;
}

int peer_conn_build(const peer_args *a, ike_conn_cfg *c, ike_child_cfg *ch, peer_cred_files *cf, char *err,
		    size_t errlen)
{
	char e[160];
	memset(c, 0, sizeof(*c));
	memset(ch, 0, sizeof(*ch));
	c->children = ch;
	c->n_children = 1;
	ch->name = c->name = "peer";
	c->version = a->ike_version ? a->ike_version : 2;
	c->aggressive = a->aggressive;
	if (a->aggressive && c->version != 1) {
		snprintf(err, errlen, "--aggressive needs --ike 1 (Aggressive Mode is IKEv1's)");
		return -1;
	}
	if (peer_addr_parse(a->local, &c->local, e, sizeof(e)) != 0 ||
	    peer_addr_parse(a->remote, &c->remote, e, sizeof(e)) != 0) {
		snprintf(err, errlen, "%s", e);
		return -1;
	}
	if (c->local.port == 0) {
		snprintf(err, errlen, "--local needs a port other than 0 (the peer must know where to send)");
		return -1;
	}
	if (c->local.family != c->remote.family) {
		snprintf(err, errlen, "--local and --remote must both be IPv4 or both IPv6");
		return -1;
	}
	if (ike_proposals_parse(a->proposals, IKE_PROTO_IKE, &c->ike, e, sizeof(e)) != 0) {
		snprintf(err, errlen, "--proposals: %s", e);
		return -1;
	}
	bool ah = a->ah_proposals != NULL;
	if (ike_proposals_parse(ah ? a->ah_proposals : a->esp_proposals, ah ? IKE_PROTO_AH : IKE_PROTO_ESP, &ch->esp, e,
				sizeof(e)) != 0) {
		snprintf(err, errlen, "%s: %s", ah ? "--ah-proposals" : "--esp-proposals", e);
		return -1;
	}
	if (parse_ids(a, c, err, errlen) != 0 ||
	    parse_ts_list("--local-ts", a->local_ts, ch->local_ts, &ch->n_local_ts, err, errlen) != 0 ||
	    parse_ts_list("--remote-ts", a->remote_ts, ch->remote_ts, &ch->n_remote_ts, err, errlen) != 0)
		return -1;
	/* charon's defaults are 4 s x 1.8^n, 5 tries; shorter here so a silent peer fails within the timeout */
	c->retransmit = (ike_retransmit_cfg){ IKE_NS_PER_SEC, 1.8, 4 };
	if (peer_life_apply(a, c, ch, err, errlen) != 0 || peer_natt_apply(a, c, err, errlen) != 0 ||
	    peer_xauth_apply(a, cf, c, err, errlen) != 0)
		return -1;
	/* The engine counts IKE message bytes: the non-ESP marker off ports 500 comes out of the UDP payload. */
	uint32_t frag = a->fragment_size ? a->fragment_size : 1280u - (c->local.family == 6 ? 48u : 28u);
	uint32_t marker = c->local.port != 500 ? 4 : 0;
	c->fragmentation = a->fragmentation;
	c->fragment_size = (uint16_t)(frag - marker >= IKE_FRAG_SIZE_MIN ? frag - marker : IKE_FRAG_SIZE_MIN);
	if (cf->psk) {
		c->auth = IKE_AUTH_PSK;
		c->psk = cf->psk;
		c->psk_len = cf->psk_len;
		return 0;
	}
	return load_cred(a, c, cf, err, errlen);
}
