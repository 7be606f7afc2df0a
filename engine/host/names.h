/* Text for what the engine reports in numbers: addresses and notify types, as traces and summaries print them. */
#ifndef IKE_HOST_NAMES_H
#define IKE_HOST_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

/* "192.0.2.1:500" / "[2001:db8::1]:500"; returns the length needed, like snprintf. */
size_t ike_host_addr_format(const ike_addr *a, char *out, size_t cap);

/* RFC 7296 error notify names, used by `expect.error` and the summaries: the name, or "NOTIFY_<n>" in buf. */
const char *ike_host_notify_name(uint16_t type, char *buf, size_t cap);
/* The type of a notify name, or -1 when it is not one of the error types. */
int32_t ike_host_notify_parse(const char *name);

#endif
