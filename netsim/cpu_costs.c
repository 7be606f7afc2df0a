/*
 * Built-in CPU cost tables and the cost of one charge report. "floor": `ikesim calibrate` on the reference
 * machine (AMD EPYC Zen 5, 2 vCPUs, OpenSSL 3.0.19, 2026-12-06): the engine's crypto alone, no daemon
 * overhead. "charon": strongSwan 5.9.8 as a responder, fitted to the CPU time measured per handshake on that
 * machine (docs/cpu.md): not yet checked against a real storm (issue 12's validation is still open).
 */
#include "cpu_costs.h"

#include <string.h>

#include "ike.h"

#define US 1000

/* The measured crypto, shared by both tables; the daemon's own work and charon's slower MODP come on top. */
#define FLOOR_CRYPTO(modp2048_keygen, modp2048_derive)                                                            \
	.dh_keygen = { [5] = 172300, [14] = (modp2048_keygen), [15] = 600723, [16] = 1306957, [17] = 3263092,       \
		       [18] = 7514260, [19] = 43266, [20] = 776732, [21] = 182057, [31] = 39217, [32] = 187322 },    \
	.dh_derive = { [5] = 167520, [14] = (modp2048_derive), [15] = 594195, [16] = 1239391, [17] = 3226625,       \
		       [18] = 7454318, [19] = 56736, [20] = 743653, [21] = 299703, [31] = 36556, [32] = 225507 },    \
	.sign = { [SIM_CPU_RSA2048] = 244257, [SIM_CPU_RSA3072] = 1747639, [SIM_CPU_RSA4096] = 3974761,              \
		  [SIM_CPU_EC256] = 23014, [SIM_CPU_EC384] = 777968, [SIM_CPU_EC521] = 263251 },                     \
	.verify = { [SIM_CPU_RSA2048] = 19685, [SIM_CPU_RSA3072] = 38661, [SIM_CPU_RSA4096] = 64107,                 \
		    [SIM_CPU_EC256] = 62731, [SIM_CPU_EC384] = 634308, [SIM_CPU_EC521] = 490362 },                   \
	.prf = 816, .prf_per_kb = 562, .sk_per_kb = 214

static const sim_cpu_costs FLOOR = { .message = 0, .timer = 0, FLOOR_CRYPTO(286477, 280205) };

/*
 * receiver: charon's CPU per IKE_SA_INIT its receiver (and sender) thread answered with a COOKIE, no job: 15.5 us
 * in a flood it could not keep up with (tests/load/charon_receiver.sh: 11,602 COOKIEs, 0.180 s of CPU, 2026-12-06).
 * charon handles two datagrams per handshake it answers (IKE_SA_INIT, IKE_AUTH): 2 x message + crypto.
 * x25519: 2 x 600 us + ~90 us = 1.3 ms. modp2048: charon's derive runs OpenSSL's full public-value check
 * (about 1.8 ms more, performance.md) and draws a full-length exponent: 2 x 600 us + 3 ms = 4.2 ms.
 */
static const sim_cpu_costs CHARON = { .message = 600 * US, .timer = 50 * US, .receiver = 16 * US,
				      FLOOR_CRYPTO(886 * US, 2100 * US) };

static const struct {
	const char *name;
	const sim_cpu_costs *table;
} BUILTIN[] = { { "floor", &FLOOR }, { "charon", &CHARON } };

const sim_cpu_costs *sim_cpu_costs_builtin(const char *name)
{
	for (size_t i = 0; name && i < sizeof(BUILTIN) / sizeof(BUILTIN[0]); i++)
		if (!strcmp(name, BUILTIN[i].name))
			return BUILTIN[i].table;
	return NULL;
}

const char *sim_cpu_costs_names(void) { return "floor, charon"; }

static const char *const KEY_NAMES[SIM_CPU_KEYS] = { "rsa2048", "rsa3072", "rsa4096", "ec256", "ec384", "ec521" };

const char *sim_cpu_key_name(enum sim_cpu_key k) { return (unsigned)k < SIM_CPU_KEYS ? KEY_NAMES[k] : "?"; }

int sim_cpu_key_parse(const char *s)
{
	for (int k = 0; s && k < SIM_CPU_KEYS; k++)
		if (!strcmp(s, KEY_NAMES[k]))
			return k;
	return -1;
}

enum sim_cpu_key sim_cpu_key_class(uint32_t arg)
{
	uint32_t bits = arg & ~IKE_CHARGE_KEY_EC;
	if (arg & IKE_CHARGE_KEY_EC)
		return bits <= 256 ? SIM_CPU_EC256 : bits <= 384 ? SIM_CPU_EC384 : SIM_CPU_EC521;
	return bits <= 2048 ? SIM_CPU_RSA2048 : bits <= 3072 ? SIM_CPU_RSA3072 : SIM_CPU_RSA4096;
}

/* Per-KiB slopes, rounded up so that a byte is never free. */
static int64_t per_kb(int64_t ns_per_kb, size_t bytes)
{
	return (ns_per_kb * (int64_t)bytes + 1023) / 1024;
}

/* A group or key the table lacks costs what MODP-2048 / RSA-2048 does: never free, never a failure. */
int64_t sim_cpu_cost(const sim_cpu_costs *c, uint8_t op, uint32_t arg, size_t bytes)
{
	switch (op) {
	case IKE_CHARGE_DH_KEYGEN:
		return arg < SIM_CPU_GROUPS && c->dh_keygen[arg] ? c->dh_keygen[arg] : c->dh_keygen[14];
	case IKE_CHARGE_DH_DERIVE:
		return arg < SIM_CPU_GROUPS && c->dh_derive[arg] ? c->dh_derive[arg] : c->dh_derive[14];
	case IKE_CHARGE_PRF: return c->prf + per_kb(c->prf_per_kb, bytes);
	case IKE_CHARGE_SK_SEAL:
	case IKE_CHARGE_SK_OPEN: return per_kb(c->sk_per_kb, bytes);
	case IKE_CHARGE_SIGN: {
		int64_t v = c->sign[sim_cpu_key_class(arg)];
		return v ? v : c->sign[SIM_CPU_RSA2048];
	}
	case IKE_CHARGE_VERIFY: {
		int64_t v = c->verify[sim_cpu_key_class(arg)];
		return v ? v : c->verify[SIM_CPU_RSA2048];
	}
	default: return 0;
	}
}
