/*
 * What the engine's crypto work costs a node's virtual CPU (issue 12): a table of durations per operation,
 * the engine's ike_host.charge reports turned into virtual time. Built-in tables and the scenario's
 * overrides; `ikesim calibrate` measures one on the host (docs/cpu.md).
 */
#ifndef SIM_CPU_COSTS_H
#define SIM_CPU_COSTS_H

#include <stddef.h>
#include <stdint.h>

#define SIM_CPU_GROUPS 33 /* IANA Diffie-Hellman group numbers below this (x448 is 32) */

/* Signature key classes: a key is charged as the smallest class that holds it. */
enum sim_cpu_key { SIM_CPU_RSA2048, SIM_CPU_RSA3072, SIM_CPU_RSA4096, SIM_CPU_EC256, SIM_CPU_EC384, SIM_CPU_EC521,
		   SIM_CPU_KEYS };

typedef struct sim_cpu_costs {
	int64_t message;                   /* ns per IKE datagram handled: parsing, lookups, the daemon's own work */
	int64_t timer;                     /* ns per timer job (retransmit, rekey, DPD) */
	int64_t receiver;                  /* ns of the receiver thread per datagram it reads (cpu.receiver) */
	int64_t dh_keygen[SIM_CPU_GROUPS]; /* ns per key pair, by group; 0 = the group is not in the table */
	int64_t dh_derive[SIM_CPU_GROUPS]; /* ns per shared secret (with the peer's public value checked) */
	int64_t sign[SIM_CPU_KEYS], verify[SIM_CPU_KEYS];
	int64_t prf;                       /* ns per PRF call */
	int64_t prf_per_kb, sk_per_kb;     /* ns per 1,024 bytes through the PRF / SK seal or open */
} sim_cpu_costs;

/* A built-in table by name ("floor", "charon"), NULL if none has that name. */
const sim_cpu_costs *sim_cpu_costs_builtin(const char *name);
/* The names of the built-in tables, for error messages: "floor, charon". */
const char *sim_cpu_costs_names(void);
/* The key class of a charge's arg (key bits | IKE_CHARGE_KEY_EC). */
enum sim_cpu_key sim_cpu_key_class(uint32_t arg);
/* "rsa2048" ... "ec521", and back (-1 if unknown). */
const char *sim_cpu_key_name(enum sim_cpu_key k);
int sim_cpu_key_parse(const char *s);
/* The virtual time one ike_host.charge report costs (enum ike_charge_op, its arg and bytes). */
int64_t sim_cpu_cost(const sim_cpu_costs *c, uint8_t op, uint32_t arg, size_t bytes);

#endif
