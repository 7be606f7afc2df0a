/* Human-readable names: exchanges, payload short names and notify names (IANA IKEv2 registries). */
#include "wire/v2.h"

/* Fallback strings for every byte value, built by the preprocessor so they need no buffer. */
#define NUM10(pre, h) pre #h "0", pre #h "1", pre #h "2", pre #h "3", pre #h "4", \
		      pre #h "5", pre #h "6", pre #h "7", pre #h "8", pre #h "9"
#define NUM100(pre, h) NUM10(pre, h##0), NUM10(pre, h##1), NUM10(pre, h##2), NUM10(pre, h##3), \
		       NUM10(pre, h##4), NUM10(pre, h##5), NUM10(pre, h##6), NUM10(pre, h##7), \
		       NUM10(pre, h##8), NUM10(pre, h##9)
#define ONES(pre) pre "0", pre "1", pre "2", pre "3", pre "4", pre "5", pre "6", pre "7", pre "8", pre "9"
#define BYTE_NAMES(pre) ONES(pre), NUM10(pre, 1), NUM10(pre, 2), NUM10(pre, 3), NUM10(pre, 4), \
			NUM10(pre, 5), NUM10(pre, 6), NUM10(pre, 7), NUM10(pre, 8), NUM10(pre, 9), \
			NUM100(pre, 1), NUM10(pre, 20), NUM10(pre, 21), NUM10(pre, 22), NUM10(pre, 23), \
			NUM10(pre, 24), NUM10(pre, 25)

static const char *const exchange_fallback[260] = { BYTE_NAMES("EXCHANGE_") };
static const char *const payload_fallback[260] = { BYTE_NAMES("UNKNOWN_") };

const char *v2_exchange_name(uint8_t exchange)
{
	switch (exchange) {
	case V2_IKE_SA_INIT:
		return "IKE_SA_INIT";
	case V2_IKE_AUTH:
		return "IKE_AUTH";
	case V2_CREATE_CHILD_SA:
		return "CREATE_CHILD_SA";
	case V2_INFORMATIONAL:
		return "INFORMATIONAL";
	case 38:
		return "IKE_SESSION_RESUME"; /* RFC 5723 */
	case 43:
		return "IKE_INTERMEDIATE"; /* RFC 9242 */
	case 44:
		return "IKE_FOLLOWUP_KE"; /* RFC 9370 */
	default:
		return exchange_fallback[exchange];
	}
}

const char *v2_payload_short(uint8_t type)
{
	switch (type) {
	case V2_PL_NONE:
		return "NONE";
	case V2_PL_SA:
		return "SA";
	case V2_PL_KE:
		return "KE";
	case V2_PL_IDI:
		return "IDi";
	case V2_PL_IDR:
		return "IDr";
	case V2_PL_CERT:
		return "CERT";
	case V2_PL_CERTREQ:
		return "CERTREQ";
	case V2_PL_AUTH:
		return "AUTH";
	case V2_PL_NONCE:
		return "No";
	case V2_PL_NOTIFY:
		return "N";
	case V2_PL_DELETE:
		return "D";
	case V2_PL_VID:
		return "V";
	case V2_PL_TSI:
		return "TSi";
	case V2_PL_TSR:
		return "TSr";
	case V2_PL_SK:
		return "E";
	case V2_PL_CP:
		return "CP";
	case V2_PL_EAP:
		return "EAP";
	case V2_PL_SKF:
		return "EF";
	default:
		return payload_fallback[type];
	}
}

/* One registry row: number, RFC/IANA name, abbreviation as strongSwan prints it in summaries. */
struct notify_name {
	uint16_t type;
	const char *full, *abbr;
};

static const struct notify_name notify_names[] = {
	{ 1, "UNSUPPORTED_CRITICAL_PAYLOAD", "CRIT" },
	{ 4, "INVALID_IKE_SPI", "INVAL_IKE_SPI" },
	{ 5, "INVALID_MAJOR_VERSION", "INVAL_MAJOR" },
	{ 7, "INVALID_SYNTAX", "INVAL_SYN" },
	{ 9, "INVALID_MESSAGE_ID", "INVAL_MID" },
	{ 11, "INVALID_SPI", "INVAL_SPI" },
	{ 14, "NO_PROPOSAL_CHOSEN", "NO_PROP" },
	{ 17, "INVALID_KE_PAYLOAD", "INVAL_KE" },
	{ 24, "AUTHENTICATION_FAILED", "AUTH_FAILED" },
	{ 34, "SINGLE_PAIR_REQUIRED", "SINGLE_PAIR" },
	{ 35, "NO_ADDITIONAL_SAS", "NO_ADD_SAS" },
	{ 36, "INTERNAL_ADDRESS_FAILURE", "INT_ADDR_FAIL" },
	{ 37, "FAILED_CP_REQUIRED", "FAIL_CP_REQ" },
	{ 38, "TS_UNACCEPTABLE", "TS_UNACCEPT" },
	{ 39, "INVALID_SELECTORS", "INVAL_SEL" },
	{ 40, "UNACCEPTABLE_ADDRESSES", "UNACCEPT_ADDR" },
	{ 41, "UNEXPECTED_NAT_DETECTED", "UNEXPECT_NAT" },
	{ 42, "USE_ASSIGNED_HoA", "ASSIGNED_HoA" },
	{ 43, "TEMPORARY_FAILURE", "TEMP_FAIL" },
	{ 44, "CHILD_SA_NOT_FOUND", "NO_CHILD_SA" },
	{ 16384, "INITIAL_CONTACT", "INIT_CONTACT" },
	{ 16385, "SET_WINDOW_SIZE", "SET_WINSIZE" },
	{ 16386, "ADDITIONAL_TS_POSSIBLE", "ADD_TS_POSS" },
	{ 16387, "IPCOMP_SUPPORTED", "IPCOMP_SUP" },
	{ 16388, "NAT_DETECTION_SOURCE_IP", "NATD_S_IP" },
	{ 16389, "NAT_DETECTION_DESTINATION_IP", "NATD_D_IP" },
	{ 16390, "COOKIE", "COOKIE" },
	{ 16391, "USE_TRANSPORT_MODE", "USE_TRANSP" },
	{ 16392, "HTTP_CERT_LOOKUP_SUPPORTED", "HTTP_CERT_LOOK" },
	{ 16393, "REKEY_SA", "REKEY_SA" },
	{ 16394, "ESP_TFC_PADDING_NOT_SUPPORTED", "ESP_TFC_PAD_N" },
	{ 16395, "NON_FIRST_FRAGMENTS_ALSO", "NON_FIRST_FRAG" },
	{ 16396, "MOBIKE_SUPPORTED", "MOBIKE_SUP" },
	{ 16397, "ADDITIONAL_IP4_ADDRESS", "ADD_4_ADDR" },
	{ 16398, "ADDITIONAL_IP6_ADDRESS", "ADD_6_ADDR" },
	{ 16399, "NO_ADDITIONAL_ADDRESSES", "NO_ADD_ADDR" },
	{ 16400, "UPDATE_SA_ADDRESSES", "UPD_SA_ADDR" },
	{ 16401, "COOKIE2", "COOKIE2" },
	{ 16402, "NO_NATS_ALLOWED", "NO_NATS" },
	{ 16403, "AUTH_LIFETIME", "AUTH_LFT" },
	{ 16404, "MULTIPLE_AUTH_SUPPORTED", "MULT_AUTH" },
	{ 16405, "ANOTHER_AUTH_FOLLOWS", "AUTH_FOLLOWS" },
	{ 16406, "REDIRECT_SUPPORTED", "REDIR_SUP" },
	{ 16407, "REDIRECT", "REDIR" },
	{ 16408, "REDIRECTED_FROM", "REDIR_FROM" },
	{ 16417, "EAP_ONLY_AUTHENTICATION", "EAP_ONLY" },
	{ 16418, "CHILDLESS_IKEV2_SUPPORTED", "CHDLESS_SUP" },
	{ 16419, "QUICK_CRASH_DETECTION", "CRASH_DET" },
	{ 16420, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED", "MSG_ID_SYN_SUP" },
	{ 16421, "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED", "RPL_CTR_SYN_SUP" },
	{ 16422, "IKEV2_MESSAGE_ID_SYNC", "MSG_ID_SYN" },
	{ 16423, "IPSEC_REPLAY_COUNTER_SYNC", "RPL_CTR_SYN" },
	{ 16430, "IKEV2_FRAGMENTATION_SUPPORTED", "FRAG_SUP" },
	{ 16431, "SIGNATURE_HASH_ALGORITHMS", "HASH_ALG" },
};

static const struct notify_name *notify_lookup(uint16_t type)
{
	for (size_t i = 0; i < sizeof(notify_names) / sizeof(notify_names[0]); i++)
		if (notify_names[i].type == type)
			return &notify_names[i];
	return NULL;
}

bool v2_notify_known(uint16_t type) { return notify_lookup(type) != NULL; }

const char *v2_notify_name(uint16_t type)
{
	const struct notify_name *n = notify_lookup(type);
	return n ? n->full : "UNKNOWN";
}

const char *v2_notify_short(uint16_t type)
{
	const struct notify_name *n = notify_lookup(type);
	return n ? n->abbr : "UNKNOWN";
}
