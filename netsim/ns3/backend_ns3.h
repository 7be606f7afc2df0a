/* The ns-3 backend (libns3 3.37, C++17 shim behind this C header): the same sim_backend over ns-3 objects. */
#ifndef SIM_BACKEND_NS3_H
#define SIM_BACKEND_NS3_H

#include <stdint.h>

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Makes the ns-3 backend, its randomness derived from seed; 0, or -1 with a reason in err when the backend
 * is not built ("make deps" installs libns3-dev), ns-3 is already in use in this process (it has one
 * simulator per process), or memory ran out. destroy() gives ns-3 back for the next run.
 */
int sim_backend_ns3(uint64_t seed, sim_backend *out, char *err, size_t errlen);

/* 1 when this binary carries the ns-3 backend, 0 when it has only the stub. */
int sim_backend_ns3_built(void);

#ifdef __cplusplus
}
#endif

#endif
