/* Which backend carries a run: the --backend option, else the scenario's "backend", else the built-in one. */
#include "backend_pick.h"

#include <stdio.h>
#include <string.h>

#include "ns3/backend_ns3.h"

int sim_backend_kind_parse(const char *name, enum sim_backend_kind *out)
{
	if (!strcmp(name, "builtin"))
		*out = SIM_BACKEND_BUILTIN;
	else if (!strcmp(name, "ns3") || !strcmp(name, "ns-3"))
		*out = SIM_BACKEND_NS3;
	else
		return -1;
	return 0;
}

const char *sim_backend_kind_name(enum sim_backend_kind k) { return k == SIM_BACKEND_NS3 ? "ns3" : "builtin"; }

int sim_backend_open(enum sim_backend_kind k, uint64_t seed, sim_backend *out, char *err, size_t errlen)
{
	if (k == SIM_BACKEND_NS3)
		return sim_backend_ns3(seed, out, err, errlen);
	if (sim_backend_builtin(seed, out) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
