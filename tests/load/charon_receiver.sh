#!/bin/bash
# tests/load/charon_receiver.sh: what charon's receiver thread costs per datagram it answers statelessly (the
# `receiver` cost of netsim's "charon" table, docs/cpu.md). charon 5.9.8 in a namespace of our own with
# cookie_threshold = 1; one genuine IKE_SA_INIT makes one half-open SA, then tests/load/cookie_flood.py sends COUNT
# copies (new SPIs, no cookie) paced at RATE/s and as fast as it can: each is answered with a COOKIE by the receiver
# (and the sender thread) without any job. Prints charon's CPU per datagram read and the replies' pace.
#   sudo tests/load/charon_receiver.sh [OUTDIR]    (COUNT=20000 RATE=5000)
# NOT part of `make test` (root, strongSwan). charon is ended by PID; the namespace ixrecv-PID is removed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${IKESIM_BIN:-$ROOT/build/rel/ikesim}
COUNT=${COUNT:-20000}
RATE=${RATE:-5000}
OUT=${1:-$(mktemp -d /tmp/ixrecv.XXXXXX)}
NS="ixrecv-$$"
CHARON=""
log() { echo "charon_receiver: $*" >&2; }
stop_charon() {
	[ -n "$CHARON" ] || return 0
	kill -TERM "$CHARON" 2>/dev/null
	for _ in $(seq 1 60); do kill -0 "$CHARON" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$CHARON" 2>/dev/null && kill -KILL "$CHARON" 2>/dev/null
	wait "$CHARON" 2>/dev/null
	CHARON=""
}
cleanup() { stop_charon; ip netns del "$NS" 2>/dev/null; }
trap cleanup EXIT INT TERM
[ "$(id -u)" = 0 ] || { log "needs root"; exit 2; }
[ -x "$BIN" ] || { log "no $BIN: make -j2 build/rel/ikesim"; exit 2; }
mkdir -p "$OUT/run"
rm -f "$OUT/charon.vici" "$OUT/result.txt" # a socket left by an earlier run would look like a started charon
ip netns add "$NS" && ip -n "$NS" link set lo up || { log "cannot create $NS"; exit 1; }
cat >"$OUT/strongswan.conf" <<EOC
charon {
	port = 500
	port_nat_t = 4500
	cookie_threshold = 1
	load_modular = no
	load = random nonce openssl pem pkcs1 x509 pubkey sha1 sha2 hmac aes gcm curve25519 gmp kdf kernel-netlink socket-default vici
	plugins { vici { socket = unix://$OUT/charon.vici }
		socket-default { use_ipv6 = no } }
	syslog { daemon { default = -1 } }
}
EOC
mkdir -p "$OUT/swanctl/conf.d"
cat >"$OUT/swanctl/swanctl.conf" <<EOC
connections { rw { version = 2
	proposals = aes128gcm16-prfsha256-x25519
	local { auth = psk
		id = gw.example }
	remote { auth = psk }
	children { rw { esp_proposals = aes128gcm16 } } } }
secrets { ike-r { secret = "receiver test" } }
EOC
STRONGSWAN_CONF="$OUT/strongswan.conf" ip netns exec "$NS" unshare --mount --propagation private \
	sh -c 'mount --bind "$1" /run && exec /usr/lib/ipsec/charon' sh "$OUT/run" >"$OUT/charon.stdout" 2>&1 &
CHARON=$!
for _ in $(seq 1 100); do [ -S "$OUT/charon.vici" ] && break; sleep 0.05; done
STRONGSWAN_CONF="$OUT/strongswan.conf" SWANCTL_DIR="$OUT/swanctl" swanctl --load-all --noprompt \
	--uri "unix://$OUT/charon.vici" >"$OUT/swanctl.out" 2>&1 || { log "swanctl failed"; exit 1; }
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$CHARON/stat"; }
log "rmem_default in the namespace: $(ip netns exec "$NS" cat /proc/sys/net/core/rmem_default)"
ip netns exec "$NS" ss -uamn >"$OUT/ss.txt"
for r in "$RATE" 0; do
	ip netns exec "$NS" nstat -n >/dev/null
	c0=$(cpu)
	res=$(ip netns exec "$NS" python3 "$HERE/cookie_flood.py" --bin "$BIN" --count "$COUNT" --rate "$r")
	c1=$(cpu)
	drops=$(ip netns exec "$NS" nstat -a UdpRcvbufErrors | awk '$1 == "UdpRcvbufErrors" { print $2 }')
	echo "rate $r: $res charon_cpu_s $(echo "$c1 - $c0" | bc) udp_rcvbuf_drops ${drops:-0}" | tee -a "$OUT/result.txt"
done
grep -E ':500 |:4500 ' "$OUT/ss.txt" -A1 | grep -o 'rb[0-9]*' | sort | uniq -c | sed 's/^/charon sockets: /'
