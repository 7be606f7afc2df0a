/* Shared between the benchmark's files: CPU clock and the crypto-floor measurement. */
#ifndef IKE_BENCH_BENCH_H
#define IKE_BENCH_BENCH_H

#include <stddef.h>

#include "crypto/crypto.h"

/* CPU time of the calling thread, in seconds. */
double bench_cpu_seconds(void);
/* Heap bytes in use (glibc's arena chunks in use plus mmapped blocks): per-peer memory figures. */
size_t bench_heap_in_use(void);

/*
 * The crypto of one x25519 + AES-GCM + PSK handshake, both ends, done directly with engine/crypto:
 * microseconds per handshake, the minimum over `batches` batches of `per_batch` handshakes; -1 on error.
 */
double bench_crypto_floor_us(const ike_crypto *c, int batches, int per_batch);

#endif
