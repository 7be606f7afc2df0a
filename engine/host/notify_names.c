/* RFC 7296 / IANA error notify names, kept here so the loader needs nothing from the wire layer. */
#include <stdio.h>
#include <string.h>

#include "host/names.h"

static const struct {
	uint16_t type;
	const char *name;
} NOTIFIES[] = {
	{ 0, "NONE" },
	{ 1, "UNSUPPORTED_CRITICAL_PAYLOAD" },
	{ 4, "INVALID_IKE_SPI" },
	{ 5, "INVALID_MAJOR_VERSION" },
	{ 7, "INVALID_SYNTAX" },
	{ 9, "INVALID_MESSAGE_ID" },
	{ 11, "INVALID_SPI" },
	{ 14, "NO_PROPOSAL_CHOSEN" },
	{ 17, "INVALID_KE_PAYLOAD" },
	{ 24, "AUTHENTICATION_FAILED" },
	{ 34, "SINGLE_PAIR_REQUIRED" },
	{ 35, "NO_ADDITIONAL_SAS" },
	{ 36, "INTERNAL_ADDRESS_FAILURE" },
	{ 37, "FAILED_CP_REQUIRED" },
	{ 38, "TS_UNACCEPTABLE" },
	{ 39, "INVALID_SELECTORS" },
	{ 40, "UNACCEPTABLE_ADDRESSES" },
	{ 41, "UNEXPECTED_NAT_DETECTED" },
	{ 42, "USE_ASSIGNED_HoA" },
	{ 43, "TEMPORARY_FAILURE" },
	{ 44, "CHILD_SA_NOT_FOUND" },
	{ 45, "INVALID_GROUP_ID" },
	{ 46, "AUTHORIZATION_FAILED" },
	{ 47, "STATE_NOT_FOUND" },
};
#define N_NOTIFIES (sizeof(NOTIFIES) / sizeof(NOTIFIES[0]))

int32_t ike_host_notify_parse(const char *name)
{
	for (size_t i = 0; i < N_NOTIFIES; i++)
		if (strcmp(NOTIFIES[i].name, name) == 0)
			return NOTIFIES[i].type;
	return -1;
}

const char *ike_host_notify_name(uint16_t type, char *buf, size_t cap)
{
	for (size_t i = 0; i < N_NOTIFIES; i++)
		if (NOTIFIES[i].type == type)
			return NOTIFIES[i].name;
	snprintf(buf, cap, "NOTIFY_%u", type);
	return buf;
}
