/* Names for IKEv1 traces: exchanges, payloads, notifies, attributes, ID types; and one-line summaries. */
#include "wire/v1.h"

const char *v1_exchange_name(uint8_t exchange)
{
	switch (exchange) {
	case V1_EXCH_BASE: return "BASE";
	case V1_EXCH_ID_PROT: return "ID_PROT";
	case V1_EXCH_AUTH_ONLY: return "AUTH_ONLY";
	case V1_EXCH_AGGRESSIVE: return "AGGRESSIVE";
	case V1_EXCH_INFORMATIONAL: return "INFORMATIONAL";
	case V1_EXCH_TRANSACTION: return "TRANSACTION";
	case V1_EXCH_QUICK: return "QUICK_MODE";
	case V1_EXCH_NEW_GROUP: return "NEW_GROUP_MODE";
	default: return "EXCHANGE_UNKNOWN";
	}
}

const char *v1_payload_short(uint8_t type)
{
	switch (type) {
	case V1_PL_SA: return "SA";
	case V1_PL_P: return "P";
	case V1_PL_T: return "T";
	case V1_PL_KE: return "KE";
	case V1_PL_ID: return "ID";
	case V1_PL_CERT: return "CERT";
	case V1_PL_CR: return "CERTREQ";
	case V1_PL_HASH: return "HASH";
	case V1_PL_SIG: return "SIG";
	case V1_PL_NONCE: return "No";
	case V1_PL_N: return "N";
	case V1_PL_D: return "D";
	case V1_PL_VID: return "V";
	case V1_PL_ATTR: return "CP";
	case V1_PL_NATD: return "NAT-D";
	case V1_PL_NATOA: return "NAT-OA";
	case V1_PL_NATD_DRAFT: return "NAT-D-DRAFT";
	case V1_PL_NATOA_DRAFT: return "NAT-OA-DRAFT";
	case V1_PL_FRAG: return "FRAG";
	default: return "PL?";
	}
}

typedef struct name16 {
	uint16_t v;
	const char *name;
} name16;

static const name16 notifies[] = {
	{ V1_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE" },
	{ V1_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED" },
	{ V1_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED" },
	{ V1_N_INVALID_COOKIE, "INVALID-COOKIE" },
	{ V1_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION" },
	{ V1_N_INVALID_MINOR_VERSION, "INVALID-MINOR-VERSION" },
	{ V1_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE" },
	{ V1_N_INVALID_FLAGS, "INVALID-FLAGS" },
	{ V1_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID" },
	{ V1_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID" },
	{ V1_N_INVALID_SPI, "INVALID-SPI" },
	{ V1_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID" },
	{ V1_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED" },
	{ V1_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN" },
	{ V1_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX" },
	{ V1_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED" },
	{ V1_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION" },
	{ V1_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION" },
	{ V1_N_INVALID_CERT_ENCODING, "INVALID-CERT-ENCODING" },
	{ V1_N_INVALID_CERTIFICATE, "INVALID-CERTIFICATE" },
	{ V1_N_CERT_TYPE_UNSUPPORTED, "CERT-TYPE-UNSUPPORTED" },
	{ V1_N_INVALID_CERT_AUTHORITY, "INVALID-CERT-AUTHORITY" },
	{ V1_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION" },
	{ V1_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED" },
	{ V1_N_INVALID_SIGNATURE, "INVALID-SIGNATURE" },
	{ V1_N_ADDRESS_NOTIFICATION, "ADDRESS-NOTIFICATION" },
	{ V1_N_NOTIFY_SA_LIFETIME, "NOTIFY-SA-LIFETIME" },
	{ V1_N_CERTIFICATE_UNAVAILABLE, "CERTIFICATE-UNAVAILABLE" },
	{ V1_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE" },
	{ V1_N_UNEQUAL_PAYLOAD_LENGTHS, "UNEQUAL-PAYLOAD-LENGTHS" },
	{ V1_N_CONNECTED, "CONNECTED" },
	{ V1_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME" },
	{ V1_N_REPLAY_STATUS, "REPLAY-STATUS" },
	{ V1_N_INITIAL_CONTACT, "INITIAL-CONTACT" },
	{ V1_N_DPD_R_U_THERE, "R-U-THERE" },
	{ V1_N_DPD_R_U_THERE_ACK, "R-U-THERE-ACK" },
};

static const char *find16(const name16 *t, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return NULL;
}

bool v1_notify_known(uint16_t type) { return find16(notifies, sizeof(notifies) / sizeof(notifies[0]), type); }

const char *v1_notify_name(uint16_t type)
{
	const char *s = find16(notifies, sizeof(notifies) / sizeof(notifies[0]), type);
	return s ? s : "UNKNOWN";
}

static const name16 p1_attrs[] = {
	{ V1_A_ENCR, "ENCRYPTION_ALGORITHM" }, { V1_A_HASH, "HASH_ALGORITHM" },
	{ V1_A_AUTH, "AUTH_METHOD" },          { V1_A_GROUP, "GROUP" },
	{ V1_A_GROUP_TYPE, "GROUP_TYPE" },     { V1_A_GROUP_PRIME, "GROUP_PRIME" },
	{ V1_A_GROUP_GEN1, "GROUP_GENERATOR_ONE" }, { V1_A_GROUP_GEN2, "GROUP_GENERATOR_TWO" },
	{ V1_A_GROUP_CURVE_A, "GROUP_CURVE_A" }, { V1_A_GROUP_CURVE_B, "GROUP_CURVE_B" },
	{ V1_A_LIFE_TYPE, "LIFE_TYPE" },       { V1_A_LIFE_DURATION, "LIFE_DURATION" },
	{ V1_A_PRF, "PRF" },                   { V1_A_KEY_LENGTH, "KEY_LENGTH" },
	{ V1_A_FIELD_SIZE, "FIELD_SIZE" },     { V1_A_GROUP_ORDER, "GROUP_ORDER" },
};

static const name16 p2_attrs[] = {
	{ V1_IA_LIFE_TYPE, "SA_LIFE_TYPE" },   { V1_IA_LIFE_DURATION, "SA_LIFE_DURATION" },
	{ V1_IA_GROUP, "GROUP" },              { V1_IA_ENCAP, "ENCAPSULATION_MODE" },
	{ V1_IA_AUTH_ALG, "AUTH_ALGORITHM" },  { V1_IA_KEY_LENGTH, "KEY_LENGTH" },
	{ V1_IA_KEY_ROUNDS, "KEY_ROUNDS" },    { V1_IA_COMP_DICT, "COMPRESS_DICTIONARY_SIZE" },
	{ V1_IA_COMP_PRIV, "COMPRESS_PRIVATE_ALGORITHM" }, { V1_IA_ECN_TUNNEL, "ECN_TUNNEL" },
	{ V1_IA_ESN, "EXTENDED_SEQUENCE_NUMBER" },
};

const char *v1_attr_name(bool phase1, uint16_t type)
{
	const char *s = phase1 ? find16(p1_attrs, sizeof(p1_attrs) / sizeof(p1_attrs[0]), type)
			       : find16(p2_attrs, sizeof(p2_attrs) / sizeof(p2_attrs[0]), type);
	return s ? s : "UNKNOWN";
}

const char *v1_id_type_name(uint8_t type)
{
	static const char *const names[] = { "RESERVED", "ID_IPV4_ADDR", "ID_FQDN", "ID_USER_FQDN",
					     "ID_IPV4_ADDR_SUBNET", "ID_IPV6_ADDR", "ID_IPV6_ADDR_SUBNET",
					     "ID_IPV4_ADDR_RANGE", "ID_IPV6_ADDR_RANGE", "ID_DER_ASN1_DN",
					     "ID_DER_ASN1_GN", "ID_KEY_ID" };
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "UNKNOWN";
}
