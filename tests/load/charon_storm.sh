#!/bin/bash
# tests/load/charon_storm.sh: issue 12's validation. N initiators at once against one charon responder with 2
# worker threads, for real (`ikesim load` against charon in a network namespace of our own) and in the simulator
# (a population of N against a gateway with `"cpu": {"cores": 2, "costs": "charon"}`); prints the table of
# docs/load.md. NOT part of `make test`: it needs root, strongSwan's packages, and minutes of both cores.
#
#   sudo tests/load/charon_storm.sh [OUTDIR]        (COUNT=2000 DH_GROUPS="x25519 modp2048" WORKERS=2 by default)
#   RATE=R: setups started at R per second (ikesim load --rate; the simulated population starts uniform over
#   [0, COUNT/R]) instead of all at once; SIM_QUEUE=N: one more simulated run with the gateway's queue bounded.
#
# Everything it starts (one charon per run) is ended by PID; the namespace is ixload-PID, removed at the end.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${IKESIM_BIN:-$ROOT/build/rel/ikesim}
COUNT=${COUNT:-2000}
GROUPS_LIST=${DH_GROUPS:-"x25519 modp2048"}
WORKERS=${WORKERS:-2}
OUT=${1:-$(mktemp -d /tmp/ixload.XXXXXX)}
NS="ixload-$$"
PSK="load storm key $$"
CHARON=""

log() { echo "charon_storm: $*" >&2; }
die() { log "$*"; cleanup; exit 1; }

cleanup() {
	[ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null
	stop_charon
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT INT TERM

[ "$(id -u)" = 0 ] || { log "needs root (network namespace, charon)"; exit 2; }
[ -x "$BIN" ] || { log "no $BIN: make -j2 build/rel/ikesim"; exit 2; }
[ -x /usr/lib/ipsec/charon ] || { log "no charon: apt-get install strongswan-charon strongswan-swanctl libstrongswan-extra-plugins libcharon-extra-plugins"; exit 2; }
mkdir -p "$OUT"

# One address a setup (charon's block_threshold counts half-open SAs per source IP): 127.1.0.1 and on, all on lo.
last_addr() { local k=$(($1 - 1 + 1)); echo "127.1.$((k / 256)).$((k % 256))"; }

ip netns add "$NS" || die "cannot create namespace $NS"
# kernel-libipsec routes every outbound policy: a local address must lie inside charon's local TS.
ip -n "$NS" link set lo up && ip -n "$NS" addr add 10.1.0.1/32 dev lo && ip -n "$NS" addr add 10.2.0.1/32 dev lo ||
	die "cannot configure lo in $NS"

# $1 dir, $2 threads: strongswan.conf (strongSwan's defaults otherwise: cookie_threshold 30, block_threshold 5...).
write_conf() {
	mkdir -p "$1/run" "$1/swanctl/conf.d"
	cat >"$1/strongswan.conf" <<EOC
charon {
	port = 500
	port_nat_t = 4500
	threads = $2
	load_modular = no
	load = random nonce openssl pem pkcs1 x509 pubkey sha1 sha2 hmac aes gcm curve25519 gmp kdf kernel-libipsec kernel-netlink socket-default vici
	plugins {
		vici { socket = unix://$1/charon.vici }
		socket-default { use_ipv6 = no }
	}
	filelog {
		storm { path = $1/charon.log
			time_format = %s
			append = no
			default = 0 }
	}
	syslog { daemon { default = -1 } }
}
swanctl {
	socket = unix://$1/charon.vici
	load = random nonce openssl pem pkcs1 x509 pubkey
}
EOC
	cat >"$1/swanctl/swanctl.conf" <<EOC
connections {
	rw {
		version = 2
		local_addrs = 127.0.0.1
		proposals = aes128gcm16-prfsha256-x25519, aes128gcm16-prfsha256-modp2048
		local { auth = psk
			id = gw.example }
		remote { auth = psk }
		children { rw { local_ts = 10.1.0.0/16
				remote_ts = 10.2.0.0/16
				esp_proposals = aes128gcm16 } }
	}
}
secrets { ike-storm { secret = "$PSK" } }
EOC
}

# $1 dir, $2 threads: starts charon in the namespace (own /run) and loads the config; sets CHARON.
start_charon() {
	write_conf "$1" "$2"
	STRONGSWAN_CONF="$1/strongswan.conf" ip netns exec "$NS" unshare --mount --propagation private \
		sh -c 'mount --bind "$1" /run && exec /usr/lib/ipsec/charon' sh "$1/run" >"$1/charon.stdout" 2>&1 &
	CHARON=$!
	for _ in $(seq 1 100); do
		[ -S "$1/charon.vici" ] && break
		sleep 0.05
	done
	[ -S "$1/charon.vici" ] || die "charon did not start (see $1/charon.log)"
	STRONGSWAN_CONF="$1/strongswan.conf" SWANCTL_DIR="$1/swanctl" swanctl --load-all --noprompt \
		--uri "unix://$1/charon.vici" >"$1/swanctl.out" 2>&1 || die "swanctl --load-all failed (see $1/swanctl.out)"
}

stop_charon() {
	[ -n "$CHARON" ] || return 0
	kill -TERM "$CHARON" 2>/dev/null
	for _ in $(seq 1 60); do kill -0 "$CHARON" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$CHARON" 2>/dev/null && kill -KILL "$CHARON" 2>/dev/null
	wait "$CHARON" 2>/dev/null
	CHARON=""
}

# charon's CPU seconds so far (utime + stime of the process, all threads).
charon_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$CHARON/stat"; }

# charon reserves threads for its receiver, scheduler, watcher...: "worker threads" = those left for jobs.
probe=$OUT/probe
start_charon "$probe" 16
sleep 0.5
stats=$(STRONGSWAN_CONF="$probe/strongswan.conf" swanctl --stats --uri "unix://$probe/charon.vici" | grep 'worker threads')
stop_charon
total=$(echo "$stats" | sed -n 's/.*worker threads: \([0-9]*\) total, \([0-9]*\) idle.*/\1/p')
idle=$(echo "$stats" | sed -n 's/.*worker threads: \([0-9]*\) total, \([0-9]*\) idle.*/\2/p')
[ -n "$total" ] && [ -n "$idle" ] || die "cannot read charon's thread stats: '$stats'"
THREADS=$((total - idle + WORKERS))
log "charon reserves $((total - idle)) threads; threads = $THREADS for $WORKERS workers"
printf '%s' "$PSK" >"$OUT/psk"
chmod 600 "$OUT/psk"

for g in $GROUPS_LIST; do
	dir=$OUT/charon-$g
	# The load generator's own pace: its first requests of a burst leave over this window (its DH keygens).
	SPREAD=0
	[ -n "${RATE:-}" ] || SPREAD=$(ip netns exec "$NS" python3 "$HERE/send_window.py" --bin "$BIN" --count "$COUNT" \
		--proposal "aes128gcm16-prfsha256-$g" --local "127.1.0.1-$(last_addr "$COUNT")" --psk-file "$OUT/psk")
	log "$g: ikesim load sends the burst's $COUNT first requests over ${SPREAD} s"
	start_charon "$dir" "$THREADS"
	# charon's IKE sockets' receive buffers (ss: skmem rb), what the simulated gateway's rcvbuf is set to
	RCVBUF=$(ip netns exec "$NS" ss -uamnH 'sport = :500' | grep -o 'rb[0-9]*' | head -1 | tr -d rb)
	log "$g: charon's port 500 socket holds ${RCVBUF:-?} bytes (rmem_default here: $(ip netns exec "$NS" cat /proc/sys/net/core/rmem_default))"
	# every 20 ms: charon's sockets' queued bytes and drops (skmem r, d), to see where and when the kernel drops
	( while :; do echo "t $(date +%s.%N)"; ip netns exec "$NS" ss -uamnH 'sport = :500 or sport = :4500'; sleep 0.02; done ) \
		>"$OUT/skmem-$g.txt" 2>/dev/null &
	SAMPLER=$!
	cpu0=$(charon_cpu)
	ip netns exec "$NS" nstat -n >/dev/null # resets the namespace's counter history: the next nstat shows this run
	log "$g: $COUNT setups at once against charon"
	ip netns exec "$NS" "$BIN" load --remote 127.0.0.1:500 --count "$COUNT" --local "127.1.0.1-$(last_addr "$COUNT")" \
		--ports 40000-40000 --proposals "aes128gcm16-prfsha256-$g" --esp-proposals aes128gcm16 \
		--local-id-pattern 'rw%u.example' --remote-id gw.example --local-ts 10.2.0.0/16 --remote-ts 10.1.0.0/16 \
		--psk-file "$OUT/psk" --no-delete --quiet --json "$OUT/real-$g.json" ${RATE:+--rate "$RATE"} | tee "$OUT/real-$g.txt"
	kill "$SAMPLER" 2>/dev/null
	wait "$SAMPLER" 2>/dev/null
	# drops by charon's own IKE sockets (skmem d of ports 500 and 4500; nstat counts every socket of the namespace)
	SOCKDROPS=$(ip netns exec "$NS" ss -uamnH 'sport = :500 or sport = :4500' | grep -o ',d[0-9]*)' | tr -d ',d)' |
		awk '{ s += $1 } END { print s + 0 }')
	drops=$(ip netns exec "$NS" nstat -a UdpRcvbufErrors | awk '$1 == "UdpRcvbufErrors" { print $2 }')
	echo "{\"charon_cpu_s\": $(echo "$(charon_cpu) - $cpu0" | bc), \"udp_rcvbuf_drops\": ${drops:-0}, \"charon_socket_drops\": $SOCKDROPS, \"spread_s\": $SPREAD, \"rcvbuf\": ${RCVBUF:-0}}" >"$OUT/real-$g-cpu.json"
	stop_charon
	# The same storm in the simulator: a population of COUNT against a 2-core gateway with charon's costs.
	# An unbounded input queue (CPU alone); with SIM_QUEUE=N also a run with N jobs at most (docs/load.md: a bounded
	# job queue is not what drops datagrams at charon, its UDP receive buffer is).
	for q in 0 ${SIM_QUEUE:-}; do
		sfx=$([ "$q" = 0 ] && echo "" || echo "-q$q")
		python3 "$HERE/storm_scenario.py" --count "$COUNT" --group "$g" --cores "$WORKERS" --queue "$q" ${RATE:+--rate "$RATE"} \
			--spread "$SPREAD" --rcvbuf "${RCVBUF:-212992}" \
			>"$OUT/sim-$g$sfx.scn.json"
		"$BIN" run "$OUT/sim-$g$sfx.scn.json" --metrics "$OUT/sim-$g$sfx.json" --quiet >"$OUT/sim-$g$sfx.txt" 2>&1 ||
			log "$g: ikesim run failed (see $OUT/sim-$g$sfx.txt)"
	done
	# The receiver pace charon really had: the simulated receiver's cost that drops as many datagrams as charon's
	# sockets did (its cost alone, the charon table's, is far lower: docs/load.md), then the storm with it.
	if [ "${SOCKDROPS:-0}" -gt 0 ]; then
		fit=$(python3 "$HERE/fit_receiver.py" --bin "$BIN" --drops "$SOCKDROPS" --count "$COUNT" --group "$g" \
			--cores "$WORKERS" --spread "$SPREAD" --rcvbuf "${RCVBUF:-212992}" ${RATE:+--rate "$RATE"})
		log "$g: a receiver at $fit us a datagram drops as many as charon's sockets did ($SOCKDROPS)"
		echo "$fit" >"$OUT/sim-$g-fit.receiver"
		python3 "$HERE/storm_scenario.py" --count "$COUNT" --group "$g" --cores "$WORKERS" ${RATE:+--rate "$RATE"} \
			--spread "$SPREAD" --rcvbuf "${RCVBUF:-212992}" --costs "{\"base\":\"charon\",\"receiver\":\"${fit}us\"}" \
			>"$OUT/sim-$g-fit.scn.json"
		"$BIN" run "$OUT/sim-$g-fit.scn.json" --metrics "$OUT/sim-$g-fit.json" --quiet >"$OUT/sim-$g-fit.txt" 2>&1 ||
			log "$g: ikesim run failed (see $OUT/sim-$g-fit.txt)"
	fi
done
python3 "$HERE/storm_table.py" "$OUT" "${SIM_QUEUE:-none}" $GROUPS_LIST | tee "$OUT/table.md"
