/* Address formatting for traces and summaries (IPv6 in brackets so the port stays unambiguous). */
#include <arpa/inet.h>
#include <stdio.h>

#include "host/names.h"

size_t ike_host_addr_format(const ike_addr *a, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	if (a->family == 4 || a->family == 6)
		inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->ip, ip, sizeof(ip));
	return (size_t)snprintf(out, cap, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, a->port);
}
