/* Opening the backend a run asked for (docs/backends.md). */
#ifndef SIM_BACKEND_PICK_H
#define SIM_BACKEND_PICK_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "scenario.h"

/* Makes backend k seeded from seed; 0, or -1 with the reason in err (not built, in use, out of memory). */
int sim_backend_open(enum sim_backend_kind k, uint64_t seed, sim_backend *out, char *err, size_t errlen);

#endif
