/* `ikesim peer` as child processes on 127.0.0.1, for the process tests (test_peer_udp.c, test_peer_flood.c). */
#ifndef IKE_TEST_PEERPROC_H
#define IKE_TEST_PEERPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PU_IKE "aes128gcm16-prfsha256-x25519"
#define PU_ESP "aes128gcm16"

typedef struct pu_proc {
	pid_t pid;
	char out[128], err[128]; /* files holding its stdout and stderr */
} pu_proc;

typedef struct pu_env {
	const char *bin;
	char dir[64];
	uint16_t port_i, port_r;
} pu_env;

typedef struct pu_args {
	char local[32], remote[32], trace[128];
	char *argv[64];
} pu_args;

void pu_sleep_ms(long ms);
/* A UDP socket on 127.0.0.1:port (0 = any); the port in *got. fd or -1. */
int pu_bind(uint16_t port, uint16_t *got);
uint16_t pu_free_port(void);
/* Waits until a child bound `port`; false after ~5 s. */
bool pu_wait_bound(uint16_t port);
/* IKESIM_BIN, a temp dir and two ports; false (test skips) without IKESIM_BIN. */
bool pu_setup(pu_env *e);
/* Starts e->bin with argv, stdout/stderr into DIR/name.out and .err. */
void pu_spawn(pu_proc *p, const pu_env *e, const char *name, char *const argv[]);
/* Exit status of our child; past limit_ms it is killed (this PID only) and the test fails. */
int pu_wait(pu_proc *p, long limit_ms);
/* Waits for the initiator (i_ms) and then the responder (r_ms); unless both exit 0 (and `also`, when not NULL,
 * holds `needle`), prints both exit codes, both stderr files and `also`, then fails the test. */
void pu_wait_both_ok(pu_proc *i, pu_proc *r, long i_ms, long r_ms, const char *also, const char *needle);
/* SIGTERM to our child and its exit status (pu_wait). A responder stops as on its --timeout (the same shutdown and
 * report in cli/cmd_peer.c), so a test need not sit out the rest of that timeout once the initiator is done. */
int pu_stop(pu_proc *p, long limit_ms);
/* pu_wait_both_ok, but the responder is stopped (pu_stop) as soon as the initiator has exited. */
void pu_wait_then_stop_ok(pu_proc *i, pu_proc *r, long i_ms, long r_ms);
bool pu_file_has(const char *path, const char *needle);
void pu_show(const char *path);
void pu_cleanup(const pu_env *e);
/* argv for one side (initiator: --initiate --hold 0); psk NULL = no --psk; timeout NULL = default; trace adds --trace DIR/{i,r}.trace;
 * extra: more arguments, NULL-terminated (NULL = none). */
char *const *pu_argv(pu_args *a, const pu_env *e, bool initiator, const char *psk, const char *timeout, bool trace,
		     const char *const *extra);
/* Spawns the responder and waits until it listens (fails the test if it never does). */
void pu_start_responder(pu_proc *r, const pu_env *e, pu_args *ra, const char *psk, const char *timeout, bool trace,
			const char *const *extra);

#endif
