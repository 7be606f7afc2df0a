/*
 * pcap and pcapng containers (the file formats: tcpdump's pcap-savefile, draft-ietf-opsawg-pcapng):
 * walks the records of a memory image and hands each packet to ike_cap_frame (capread_pkt.c).
 */
#include <stdio.h>
#include <string.h>

#include "host/capread.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define NG_SHB 0x0a0d0d0au
#define NG_IDB 0x00000001u
#define NG_PB 0x00000002u  /* obsolete Packet Block */
#define NG_SPB 0x00000003u
#define NG_EPB 0x00000006u
#define NG_BOM 0x1a2b3c4du
#define MAX_PKT (256u * 1024u) /* larger records are refused as damage, not read */

static uint32_t rd32(const ike_cap_reader *r, const uint8_t *p)
{
	if (r->swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const ike_cap_reader *r, const uint8_t *p)
{
	return r->swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }

int ike_cap_open(ike_cap_reader *r, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	if (len < 4) {
		snprintf(err, errlen, "too short for a capture (%zu bytes)", len);
		return -1;
	}
	uint32_t m = le32(buf);
	if (m == NG_SHB) {
		r->ng = true; /* the section header is read like any block by ike_cap_next */
		return 0;
	}
	if (m == PCAP_MAGIC_US || m == PCAP_MAGIC_NS)
		r->swap = false;
	else if (m == __builtin_bswap32(PCAP_MAGIC_US) || m == __builtin_bswap32(PCAP_MAGIC_NS))
		r->swap = true;
	else {
		snprintf(err, errlen, "not a pcap or pcapng file (first bytes %02x%02x%02x%02x)", buf[0], buf[1], buf[2],
			 buf[3]);
		return -1;
	}
	if (len < 24) {
		snprintf(err, errlen, "pcap file header cut short (%zu of 24 bytes)", len);
		return -1;
	}
	r->linktype = rd32(r, buf + 20) & 0xffffu; /* the upper bits may carry FCS information */
	r->off = 24;
	return 0;
}

static int classic_next(ike_cap_reader *r, ike_cap_dgram *d, char *err, size_t errlen)
{
	while (r->off < r->len) {
		if (r->len - r->off < 16) {
			snprintf(err, errlen, "frame %u: record header cut short at offset %zu (%zu of 16 bytes)", r->frame + 1,
				 r->off, r->len - r->off);
			return -1;
		}
		const uint8_t *h = r->buf + r->off;
		uint32_t incl = rd32(r, h + 8), orig = rd32(r, h + 12);
		if (incl > MAX_PKT) {
			snprintf(err, errlen, "frame %u: record at offset %zu claims %u bytes: not a sane capture", r->frame + 1,
				 r->off, incl);
			return -1;
		}
		if (incl > r->len - r->off - 16) {
			snprintf(err, errlen, "frame %u: record at offset %zu cut short (%zu of %u bytes): file truncated",
				 r->frame + 1, r->off, r->len - r->off - 16, incl);
			return -1;
		}
		r->off += 16 + (size_t)incl;
		r->frame++;
		if (ike_cap_frame(r, r->linktype, h + 16, incl, orig < incl ? incl : orig, d))
			return 1;
	}
	return 0;
}

/* Section Header Block: byte order from its magic; the interfaces start again. */
static int ng_shb(ike_cap_reader *r, const uint8_t *b, size_t avail, char *err, size_t errlen)
{
	if (avail < 12) {
		snprintf(err, errlen, "pcapng section header at offset %zu cut short", r->off);
		return -1;
	}
	uint32_t bom = le32(b + 8);
	if (bom == NG_BOM)
		r->swap = false;
	else if (bom == __builtin_bswap32(NG_BOM))
		r->swap = true;
	else {
		snprintf(err, errlen, "pcapng section header at offset %zu: bad byte-order magic %08x", r->off, bom);
		return -1;
	}
	r->nif = 0;
	return 0;
}

/* One packet block (EPB, SPB or the obsolete PB) of total length blen at b. 1 if it gave a datagram. */
static int ng_packet(ike_cap_reader *r, uint32_t type, const uint8_t *b, size_t blen, ike_cap_dgram *d, char *err,
		     size_t errlen)
{
	uint32_t ifc = 0, cap, orig;
	size_t hdr;
	if (type == NG_SPB) {
		hdr = 12;
		if (blen < hdr + 4)
			goto short_block;
		orig = rd32(r, b + 8);
		cap = orig < blen - hdr - 4 ? orig : (uint32_t)(blen - hdr - 4);
	} else {
		hdr = 28;
		if (blen < hdr + 4)
			goto short_block;
		ifc = type == NG_PB ? rd16(r, b + 8) : rd32(r, b + 8);
		cap = rd32(r, b + 20);
		orig = rd32(r, b + 24);
		if (cap > blen - hdr - 4) {
			snprintf(err, errlen, "frame %u: packet block at offset %zu: captured length %u runs past the block",
				 r->frame, r->off, cap);
			return -1;
		}
	}
	if (ifc >= r->nif) {
		snprintf(err, errlen, "frame %u: packet block at offset %zu names interface %u, %u declared", r->frame,
			 r->off, ifc, r->nif);
		return -1;
	}
	return ike_cap_frame(r, r->if_link[ifc], b + hdr, cap, orig < cap ? cap : orig, d);
short_block:
	snprintf(err, errlen, "frame %u: packet block at offset %zu too short (%zu bytes)", r->frame, r->off, blen);
	return -1;
}

static int ng_next(ike_cap_reader *r, ike_cap_dgram *d, char *err, size_t errlen)
{
	while (r->off < r->len) {
		const uint8_t *b = r->buf + r->off;
		size_t avail = r->len - r->off;
		if (avail < 12) {
			snprintf(err, errlen, "pcapng block at offset %zu cut short (%zu bytes): file truncated", r->off, avail);
			return -1;
		}
		uint32_t type = le32(b); /* SHB's type reads the same both ways; others follow the section */
		if (type == NG_SHB && ng_shb(r, b, avail, err, errlen))
			return -1;
		if (type != NG_SHB)
			type = rd32(r, b);
		uint32_t blen = rd32(r, b + 4);
		if (blen < 12 || blen % 4 || blen > MAX_PKT + 4096u) {
			snprintf(err, errlen, "pcapng block at offset %zu: bad block length %u", r->off, blen);
			return -1;
		}
		if (blen > avail) {
			snprintf(err, errlen, "pcapng block at offset %zu cut short (%zu of %u bytes): file truncated", r->off,
				 avail, blen);
			return -1;
		}
		if (rd32(r, b + blen - 4) != blen) {
			snprintf(err, errlen, "pcapng block at offset %zu: trailing length differs from %u", r->off, blen);
			return -1;
		}
		int got = 0;
		if (type == NG_IDB) {
			if (blen < 20) {
				snprintf(err, errlen, "pcapng interface block at offset %zu too short", r->off);
				return -1;
			}
			if (r->nif >= IKE_CAP_MAX_IFACES) {
				snprintf(err, errlen, "pcapng: more than %d interfaces in a section", IKE_CAP_MAX_IFACES);
				return -1;
			}
			r->if_link[r->nif++] = rd16(r, b + 8);
		} else if (type == NG_EPB || type == NG_SPB || type == NG_PB) {
			r->frame++;
			got = ng_packet(r, type, b, blen, d, err, errlen);
			if (got < 0)
				return -1;
		}
		r->off += blen;
		if (got)
			return 1;
	}
	return 0;
}

int ike_cap_next(ike_cap_reader *r, ike_cap_dgram *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	return r->ng ? ng_next(r, d, err, errlen) : classic_next(r, d, err, errlen);
}
