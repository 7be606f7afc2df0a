/* IPv4/IPv6 headers and RFC 3948 UDP encapsulation for hosts of the ESP library, and 5-tuples for the SPD. */
#ifndef IKE_ESP_IP_H
#define IKE_ESP_IP_H

#include <stddef.h>
#include <stdint.h>

#include "esp/esp.h"

#define ESP_IPV4_HDR_LEN 20
#define ESP_IPV6_HDR_LEN 40
#define ESP_UDP_HDR_LEN 8
#define ESP_IPPROTO_UDP 17
#define ESP_IPPROTO_TCP 6
#define ESP_IPPROTO_ICMP 1
#define ESP_IPPROTO_ICMPV6 58

/* The fields of a fixed IPv4 header (no options) or IPv6 header (no extension headers). */
typedef struct esp_ip {
	uint8_t family;     /* 4 or 6 */
	uint8_t proto;      /* IPv4 protocol / IPv6 next header */
	uint8_t ttl;        /* IPv4 TTL / IPv6 hop limit (0 when building means 64) */
	uint8_t tos;        /* IPv4 TOS / IPv6 traffic class */
	uint16_t id;        /* IPv4 identification */
	uint16_t frag;      /* IPv4 flags | fragment offset as on the wire (0x4000 = DF) */
	uint32_t flow;      /* IPv6 flow label (20 bits) */
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint16_t hdr_len;   /* parse: header bytes (IPv4 IHL * 4, IPv6 40) */
	uint32_t total_len; /* parse: header + payload as the header says */
} esp_ip;

/* Writes an IPv4/IPv6 header for payload_len bytes (IPv4 checksum computed); its length, 0 if no room/too big. */
size_t esp_ip_build(const esp_ip *h, size_t payload_len, uint8_t *out, size_t cap);

/* Parses the header at p; ESP_OK, or ESP_E_SHORT (truncated, bad version/IHL/length, total beyond len). */
esp_status esp_ip_parse(const uint8_t *p, size_t len, esp_ip *h);

/* The IPv4 header checksum (RFC 791) of hdr_len bytes, the checksum field taken as zero. */
uint16_t esp_ipv4_checksum(const uint8_t *hdr, size_t hdr_len);

/* RFC 3948 2.1 UDP header for ESP-in-UDP (checksum 0); ESP_UDP_HDR_LEN, or 0 if no room. */
size_t esp_udp_build(uint16_t sport, uint16_t dport, size_t payload_len, uint8_t *out, size_t cap);

/* Parses a UDP header; ESP_OK or ESP_E_SHORT. Length field must cover 8..len. */
esp_status esp_udp_parse(const uint8_t *p, size_t len, uint16_t *sport, uint16_t *dport, size_t *payload_len);

/* What the SPD matches on: addresses, protocol and ports (ICMP type << 8 | code in both ports, RFC 7296 3.13.1). */
typedef struct esp_flow {
	uint8_t family;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
} esp_flow;

/* The 5-tuple of an inner IP packet; ports 0 when the protocol has none or the packet is a later fragment. */
esp_status esp_flow_of(const uint8_t *pkt, size_t len, esp_flow *f);

#endif
