/*
 * pcapng blocks (the PCAP Next Generation format, IETF draft-ietf-opsawg-pcapng): a Section Header Block,
 * one Interface Description Block per interface, then Enhanced Packet Blocks with an optional comment.
 * Written little-endian; every block and option is padded to 32 bits.
 */
#include <string.h>

#include "pcap.h"

#define BT_SHB 0x0a0d0d0au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1a2b3c4du
#define OPT_END 0
#define OPT_COMMENT 1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_DESCRIPTION 3
#define OPT_IF_TSRESOL 9
#define TSRESOL_NS 9 /* 10^-9 s */

static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static size_t comment_len(const char *c)
{
	size_t n = c ? strlen(c) : 0;
	return n > SIM_PCAP_COMMENT_MAX ? SIM_PCAP_COMMENT_MAX : n;
}

/* One option (code, length, value, zero padding) at out; its padded size. cap already checked. */
static size_t put_opt(uint8_t *out, uint16_t code, const void *val, size_t len)
{
	put16(out, code);
	put16(out + 2, (uint16_t)len);
	if (len)
		memcpy(out + 4, val, len);
	memset(out + 4 + len, 0, pad4(len) - len);
	return 4 + pad4(len);
}

/* Strings that go into options are cut to fit a block we keep small. */
static size_t str_opt_len(const char *s) { return s ? pad4(4 + strnlen(s, 255)) : 0; }

size_t sim_pcapng_shb(uint8_t *out, size_t cap)
{
	static const char app[] = "ikesim";
	size_t len = 24 + pad4(4 + sizeof(app) - 1) + 4 + 4;
	if (cap < len)
		return 0;
	put32(out, BT_SHB);
	put32(out + 4, (uint32_t)len);
	put32(out + 8, BYTE_ORDER_MAGIC);
	put16(out + 12, 1); /* version 1.0 */
	put16(out + 14, 0);
	memset(out + 16, 0xff, 8); /* section length: not given (-1) */
	size_t at = 24 + put_opt(out + 24, OPT_SHB_USERAPPL, app, sizeof(app) - 1);
	at += put_opt(out + at, OPT_END, NULL, 0);
	put32(out + at, (uint32_t)len);
	return len;
}

size_t sim_pcapng_idb(uint8_t *out, size_t cap, const char *name, const char *descr)
{
	uint8_t res = TSRESOL_NS;
	size_t len = 16 + str_opt_len(name) + str_opt_len(descr) + 8 + 4 + 4;
	if (cap < len)
		return 0;
	put32(out, BT_IDB);
	put32(out + 4, (uint32_t)len);
	put16(out + 8, SIM_PCAP_LINKTYPE_RAW);
	put16(out + 10, 0);
	put32(out + 12, SIM_PCAP_SNAPLEN);
	size_t at = 16;
	if (name)
		at += put_opt(out + at, OPT_IF_NAME, name, strnlen(name, 255));
	if (descr)
		at += put_opt(out + at, OPT_IF_DESCRIPTION, descr, strnlen(descr, 255));
	at += put_opt(out + at, OPT_IF_TSRESOL, &res, 1);
	at += put_opt(out + at, OPT_END, NULL, 0);
	put32(out + at, (uint32_t)len);
	return len;
}

size_t sim_pcapng_epb_len(size_t pkt_len, const char *comment)
{
	size_t opts = comment ? 4 + pad4(comment_len(comment)) + 4 : 0;
	return SIM_PCAPNG_EPB_HEAD + pad4(pkt_len) + opts + 4;
}

void sim_pcapng_epb_head(uint8_t out[SIM_PCAPNG_EPB_HEAD], uint32_t iface, uint64_t ts_ns, size_t pkt_len,
			 const char *comment)
{
	put32(out, BT_EPB);
	put32(out + 4, (uint32_t)sim_pcapng_epb_len(pkt_len, comment));
	put32(out + 8, iface);
	put32(out + 12, (uint32_t)(ts_ns >> 32)); /* in units of if_tsresol: nanoseconds */
	put32(out + 16, (uint32_t)ts_ns);
	put32(out + 20, (uint32_t)pkt_len); /* captured */
	put32(out + 24, (uint32_t)pkt_len); /* on the wire */
}

size_t sim_pcapng_epb_tail(uint8_t *out, size_t cap, size_t pkt_len, const char *comment)
{
	size_t total = sim_pcapng_epb_len(pkt_len, comment);
	size_t len = total - SIM_PCAPNG_EPB_HEAD - pkt_len;
	if (cap < len)
		return 0;
	size_t at = pad4(pkt_len) - pkt_len;
	memset(out, 0, at);
	if (comment) { /* UTF-8 without a terminating NUL (pcapng 4.2) */
		at += put_opt(out + at, OPT_COMMENT, comment, comment_len(comment));
		at += put_opt(out + at, OPT_END, NULL, 0);
	}
	put32(out + at, (uint32_t)total);
	return len;
}
