/* IKE identities and traffic selectors written as strongSwan writes them. */
#ifndef IKE_CONFIG_IDENTITY_H
#define IKE_CONFIG_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#define IKE_ID_MAX 256

/* A typed identity (RFC 7296 3.5 ID Type) with its encoded data. type 0 means "%any" (match anything). */
typedef struct ike_id {
	uint8_t type;
	uint16_t len;
	uint8_t data[IKE_ID_MAX];
} ike_id;

/*
 * Parses an ID the way strongSwan types it: "%any" -> any; an IPv4/IPv6 literal -> IP ID;
 * "user@host" -> RFC822; "C=.., O=.., CN=.." -> DER DN; anything else -> FQDN.
 * 0, or -1 with a reason in err.
 */
int ike_id_parse(const char *text, ike_id *out, char *err, size_t errlen);

/* Human form for traces ("gw-b.example", "10.0.0.1", "CN=x"). */
size_t ike_id_format(const ike_id *id, char *out, size_t cap);

/* 1 if `got` satisfies the configured `want` (want type 0 = any). */
int ike_id_matches(const ike_id *want, const uint8_t got_type, const uint8_t *got, size_t got_len);

/* A traffic selector range: addresses [start, end] of one family, protocol (0 any), ports. */
typedef struct ike_ts {
	uint8_t family; /* 4 or 6 */
	uint8_t ip_proto;
	uint16_t start_port, end_port; /* 0..65535 any; 65535..0 OPAQUE (RFC 7296 3.13.1, "%opaque") */
	uint8_t start[16], end[16];
} ike_ts;

/* Most selectors per side of a CHILD SA (configured and narrowed); loaders refuse more with a clear error. */
#define IKE_TS_MAX 16

/* Parses "10.1.0.0/16" or "10.1.0.0/16[udp/500]" style CIDRs (strongSwan syntax). 0 or -1 + err. */
int ike_ts_parse(const char *text, ike_ts *out, char *err, size_t errlen);

/* "10.1.0.0/16" (or a range "a-b" when not a prefix), with "[proto/port]" when restricted. */
size_t ike_ts_format(const ike_ts *ts, char *out, size_t cap);

/* Intersection of two selectors; 1 and *out set if non-empty, 0 if disjoint (OPAQUE meets OPAQUE and any). */
int ike_ts_intersect(const ike_ts *a, const ike_ts *b, ike_ts *out);

#endif
