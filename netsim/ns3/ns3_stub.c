/* The ns-3 backend when libns3-dev was missing at build time: says so and how to get it. */
#include "ns3/backend_ns3.h"

#include <stdio.h>

int sim_backend_ns3(uint64_t seed, sim_backend *out, char *err, size_t errlen)
{
	(void)seed;
	(void)out;
	snprintf(err, errlen, "ns-3 backend not built: make deps installs libns3-dev, then rebuild");
	return -1;
}

int sim_backend_ns3_built(void) { return 0; }
