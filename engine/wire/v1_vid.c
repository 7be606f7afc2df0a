/* Vendor IDs IKEv1 peers announce features with: NAT-T (RFC 3947 and drafts), DPD (RFC 3706), XAUTH, fragments. */
#include "wire/v1.h"

typedef struct vid_entry {
	const char *name;
	uint8_t len;   /* bytes sent */
	uint8_t match; /* bytes compared on input (a prefix: versions/flags follow) */
	uint8_t b[20];
} vid_entry;

/* MD5 of the feature's text unless noted; index = enum v1_vid. */
static const vid_entry vids[V1_VID_COUNT] = {
	[V1_VID_NATT_RFC3947] = { "RFC 3947", 16, 16, { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
							 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f } },
	[V1_VID_NATT_DRAFT_02_N] = { "draft-ietf-ipsec-nat-t-ike-02\\n", 16, 16,
				   { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5, 0xec, 0x42,
				     0x7b, 0x1f } },
	[V1_VID_NATT_DRAFT_02] = { "draft-ietf-ipsec-nat-t-ike-02", 16, 16,
				      { 0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8, 0x7c, 0xfd, 0xb2, 0xfc, 0x68,
					0xb6, 0xa4, 0x48 } },
	[V1_VID_NATT_DRAFT_03] = { "draft-ietf-ipsec-nat-t-ike-03", 16, 16,
				   { 0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f, 0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52,
				     0x9d, 0x56 } },
	/* RFC 3706 7.1: fixed bytes, the last two are the version 1.0 */
	[V1_VID_DPD] = { "DPD", 16, 16, { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc,
					 0x77, 0x57, 0x01, 0x00 } },
	[V1_VID_XAUTH] = { "XAuth", 8, 8, { 0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12 } },
	/* MD5("FRAGMENTATION") then 4 bytes of flags; any flags match */
	[V1_VID_FRAGMENTATION] = { "FRAGMENTATION", 20, 16,
				   { 0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6,
				     0xc2, 0xd3, 0x80, 0x00, 0x00, 0x00 } },
	/* MD5("CISCO-UNITY") with its last two bytes replaced by the version 1.0 */
	[V1_VID_UNITY] = { "Cisco Unity", 16, 14, { 0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9, 0x70, 0x2d,
						   0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00 } },
};

const uint8_t *v1_vid_bytes(enum v1_vid v, size_t *len)
{
	if (v <= V1_VID_UNKNOWN || v >= V1_VID_COUNT) {
		*len = 0;
		return NULL;
	}
	*len = vids[v].len;
	return vids[v].b;
}

enum v1_vid v1_vid_lookup(const uint8_t *data, size_t len)
{
	for (int v = V1_VID_UNKNOWN + 1; data && v < V1_VID_COUNT; v++) {
		const vid_entry *e = &vids[v];
		bool exact = e->match == e->len;
		if ((exact ? len == e->len : len >= e->match) && memcmp(data, e->b, e->match) == 0)
			return (enum v1_vid)v;
	}
	return V1_VID_UNKNOWN;
}

const char *v1_vid_name(enum v1_vid v)
{
	return v > V1_VID_UNKNOWN && v < V1_VID_COUNT ? vids[v].name : "unknown";
}
