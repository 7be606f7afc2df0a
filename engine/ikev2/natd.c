/* NAT detection notifies (RFC 7296 2.23): SHA-1(SPIi | SPIr | IP | port). */
#include <string.h>

#include "crypto/hash.h"
#include "ikev2/sa.h"

int v2_natd_hash(const ike_crypto *c, uint64_t spi_i, uint64_t spi_r, const ike_addr *a, uint8_t out[20])
{
	uint8_t spis[16], port[2];
	ike_put_u64(spis, spi_i);
	ike_put_u64(spis + 8, spi_r);
	ike_put_u16(port, a->port);
	ike_iov in[3] = { { spis, 16 }, { a->ip, a->family == 4 ? 4u : 16u }, { port, 2 } };
	return ike_sha1(c, in, 3, out);
}

/*
 * Forced encapsulation's NATD_S: SHA-1 over SPIs and port without the IP address. Every real NATD hash covers
 * 4 or 16 address bytes, so this one matches none (short of a SHA-1 collision), and costs no random bytes:
 * runs stay byte-identical apart from the hash itself.
 */
static int fake_hash(const ike_crypto *c, uint64_t spi_i, uint64_t spi_r, const ike_addr *a, uint8_t out[20])
{
	uint8_t spis[16], port[2];
	ike_put_u64(spis, spi_i);
	ike_put_u64(spis + 8, spi_r);
	ike_put_u16(port, a->port);
	ike_iov in[2] = { { spis, 16 }, { port, 2 } };
	return ike_sha1(c, in, 2, out);
}

void v2_add_natd_at(v2_ike_sa *sa, v2_builder *b, uint64_t spi_r, const ike_addr *src, const ike_addr *dst)
{
	const ike_crypto *c = sa->peer->cfg.crypto;
	uint8_t h[20];
	sa->nat_forced = sa->conn && sa->conn->encap;
	if ((sa->nat_forced ? fake_hash(c, sa->spi_i, spi_r, src, h) : v2_natd_hash(c, sa->spi_i, spi_r, src, h)) == 0)
		v2_add_notify(b, 0, NULL, 0, V2_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	if (v2_natd_hash(c, sa->spi_i, spi_r, dst, h) == 0)
		v2_add_notify(b, 0, NULL, 0, V2_N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h));
}

void v2_add_natd(v2_ike_sa *sa, v2_builder *b, uint64_t spi_r) { v2_add_natd_at(sa, b, spi_r, &sa->local, &sa->remote); }

/* True if a NATD notify of `type` in ch matches the hash of addr (absent notifies count as a match). */
static bool natd_matches(const ike_crypto *c, const v2_chain *ch, uint16_t type, uint64_t spi_i, uint64_t spi_r, const ike_addr *addr,
			 bool *present)
{
	uint8_t want[20];
	bool any = false, hit = false;
	if (v2_natd_hash(c, spi_i, spi_r, addr, want) != 0)
		return true;
	for (uint8_t i = 0; i < ch->n; i++) {
		v2_notify n;
		if (ch->pl[i].type != V2_PL_NOTIFY || v2_parse_notify(ch->pl[i].body, ch->pl[i].len, &n) != V2_OK ||
		    n.type != type)
			continue;
		any = true;
		hit |= n.len == 20 && memcmp(n.data, want, 20) == 0;
	}
	*present = any;
	return !any || hit;
}

void v2_natd_check(v2_ike_sa *sa, ike_time now, const v2_chain *ch, uint64_t spi_r_in_msg)
{
	bool has_s = false, has_d = false;
	sa->nat_forced = sa->conn && sa->conn->encap;
	/* the peer hashed its own source (our remote) and its destination (our local) */
	bool peer_ok = natd_matches(sa->peer->cfg.crypto, ch, V2_N_NAT_DETECTION_SOURCE_IP, sa->spi_i, spi_r_in_msg, &sa->remote, &has_s);
	bool local_ok = natd_matches(sa->peer->cfg.crypto, ch, V2_N_NAT_DETECTION_DESTINATION_IP, sa->spi_i, spi_r_in_msg, &sa->local, &has_d);
	sa->nat_local = !local_ok;
	sa->nat_remote = !peer_ok;
	if (sa->initiator) /* RFC 4555 3.8: a later NATD_D is compared with this one */
		(void)v2_mobike_natd_d(sa, ch);
	if (!v2_tracing(sa->peer) || (!has_s && !has_d && !sa->nat_forced))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_bool(&w, "local-behind-nat", sa->nat_local);
	ike_jsonw_bool(&w, "remote-behind-nat", sa->nat_remote);
	if (sa->nat_forced) /* only when set: traces of connections without encap stay as they were */
		ike_jsonw_bool(&w, "forced", true);
	if (sa->conn)
		ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_spi(&w, "initiator-spi", sa->spi_i);
	v2_emit(sa->peer, now, "ike.natd", &w);
}
