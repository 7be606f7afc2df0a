#!/usr/bin/env bash
# tests/interop/run.sh: the ikesim <-> strongSwan interop matrix.
#
# One charon (Debian's strongSwan) runs on 127.0.0.1 inside a network namespace this script creates;
# `ikesim peer` runs in the same namespace, once as initiator and once as responder for every case.
# Each case checks that both sides report the expected outcome and that the SK_* and ESP keys in
# charon's log equal the kdf values in ikesim's trace for the same IKE SPIs.
#
# One more row, fuzz-then-charon: the ASan build of `ikesim peer` as responder gets 10,000 junk datagrams
# from udp_blast (tests/interop/udp_blast.c), must still be serving, then charon must establish with it,
# and it must exit cleanly with no sanitizer report.
#
# Environment: IKESIM_BIN (default build/rel/ikesim), IKESIM_ASAN_BIN (default build/asan/ikesim),
# UDP_BLAST_BIN (default build/rel/udp_blast), IX_FUZZ_COUNT (10000), IX_FUZZ_SEED (1), IX_PEER=charon
# (self-test: a second charon stands in for ikesim), IX_ONLY=REGEX (run only matching cases),
# IX_KEEP=1 (keep the temp dir).
# Last line: "interop: N passed, M failed[, K skipped]". Exit 1 if a case failed.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/lib.sh"
. "$HERE/gen.sh"
. "$HERE/life.sh"
. "$HERE/ping.sh"
. "$HERE/ah.sh"
. "$HERE/v1.sh"

IKESIM_BIN=${IKESIM_BIN:-$ROOT/build/rel/ikesim}
case $IKESIM_BIN in /*) ;; *) IKESIM_BIN=$PWD/$IKESIM_BIN ;; esac
IKESIM_ASAN_BIN=${IKESIM_ASAN_BIN:-$ROOT/build/asan/ikesim}
case $IKESIM_ASAN_BIN in /*) ;; *) IKESIM_ASAN_BIN=$PWD/$IKESIM_ASAN_BIN ;; esac
UDP_BLAST_BIN=${UDP_BLAST_BIN:-$ROOT/build/rel/udp_blast}
case $UDP_BLAST_BIN in /*) ;; *) UDP_BLAST_BIN=$PWD/$UDP_BLAST_BIN ;; esac
IX_FUZZ_COUNT=${IX_FUZZ_COUNT:-10000}
IX_FUZZ_SEED=${IX_FUZZ_SEED:-1}
# Paced so the kernel drops none even with charon busy on a 2-core machine: 16 datagrams, then 1 ms.
IX_FUZZ_BURST=${IX_FUZZ_BURST:-16}
IX_FUZZ_PAUSE_US=${IX_FUZZ_PAUSE_US:-1000}
# The fuzzed responder listens on charon's own loopback address, on a port no other case uses.
IX_FUZZ_ADDR=127.0.0.1
IX_FUZZ_PORT=4530
IX_FUZZ_CASE=fuzz-then-charon
IX_FUZZ_IKE=aes128gcm16-prfsha256-x25519
IX_FUZZ_ESP=aes128gcm16
IX_PEER=${IX_PEER:-ikesim}
IX_ONLY=${IX_ONLY:-}
IX_HOLD=${IX_HOLD:-0.5}        # seconds an ikesim initiator keeps its SAs up, so charon's SA can be listed
IX_TIMEOUT=${IX_TIMEOUT:-6}    # seconds a side waits for the whole handshake

ROLES="i r"
# The peer's name in the table: ikesim, or charon2 for the self-test's stand-in.
PEER_LABEL=$([ "$IX_PEER" = ikesim ] && echo ikesim || echo charon2)
role_label() { if [ "$1" = i ]; then echo "$PEER_LABEL->charon"; else echo "charon->$PEER_LABEL"; fi; }

# The selected cases, numbered by their place in the full list (the number picks the peer's address).
selected_cases() {
	ix_cases | awk -v only="$IX_ONLY" '{ n++ } only == "" || $1 ~ only { print n, $0 }'
}
# 0 if the fuzz-then-charon row is selected (same regex test as the cases).
fuzz_selected() { echo "$IX_FUZZ_CASE" | awk -v only="$IX_ONLY" 'only == "" || $1 ~ only { f = 1 } END { exit !f }'; }
# Rows the selection makes: every case in both roles, the lifecycle rows (life.sh), the fuzz row.
selected_rows() {
	echo $(($(selected_cases | wc -l) * 2 + $(life_selected | wc -l) + $(ping_selected | wc -l) + $(ah_selected | wc -l) + $(v1_selected | wc -l) + $(fuzz_selected && echo 1 || echo 0)))
}

# Nothing can run: every (case, role) is skipped, with the reason; exit 0 (not a failure of the code).
skip_all() {
	echo "interop: 0 passed, 0 failed, $(selected_rows) skipped ($1)"
	exit 0
}

# Setup itself broke (not the machine's limits): every case fails.
fail_all() {
	echo "interop: setup failed: $1" >&2
	IX_KEEP=1
	echo "interop: 0 passed, $(selected_rows) failed"
	exit 1
}

# On any exit: stop an ikesim we may still have running (by its PID), then charon, namespace, temp dir.
PEER_PID=""
on_exit() {
	[ -n "$PEER_PID" ] && kill -TERM "$PEER_PID" 2>/dev/null && wait "$PEER_PID" 2>/dev/null
	ix_teardown
}
trap on_exit EXIT
trap 'exit 130' INT TERM

if [ "$IX_PEER" = ikesim ]; then
	[ -x "$IKESIM_BIN" ] || skip_all "no ikesim binary at $IKESIM_BIN"
	"$IKESIM_BIN" peer --help >/dev/null 2>&1 || skip_all "$IKESIM_BIN has no 'peer' verb yet"
fi
ix_mktemp
ix_install || skip_all "$IX_SKIP_REASON"
ix_netns_up || skip_all "$IX_SKIP_REASON"
ix_make_certs "$WORK/certs" "$IKESIM_BIN" || fail_all "could not make certificates"
# The IKEv1 Aggressive Mode rows (v1.sh) need charon to answer Aggressive Mode with a PSK.
ix_charon_start ref "$IX_PORT" "$IX_PORT_NATT" "	i_dont_care_about_security_and_use_aggressive_mode_psk = yes" || fail_all "$IX_SKIP_REASON"
if [ "$IX_PEER" = charon ]; then
	ix_charon_start peer "$IX_PEER_PORT" "$IX_PEER_PORT_NATT" || fail_all "$IX_SKIP_REASON"
fi

# Credentials: charon trusts only the rsa and ecdsa CAs (never "other"); the stand-in peer gets all three
# and is pinned per connection.
for set in rsa ecdsa other; do
	if [ "$set" != other ]; then
		cp "$WORK/certs/$set/ca.pem" "$WORK/ref/swanctl/x509ca/$set-ca.pem"
		cp "$WORK/certs/$set/charon.test.pem" "$WORK/ref/swanctl/x509/$set-charon.pem"
		cp "$WORK/certs/$set/charon.test.key" "$WORK/ref/swanctl/private/$set-charon.key"
	fi
	if [ "$IX_PEER" = charon ]; then
		cp "$WORK/certs/$set/ca.pem" "$WORK/peer/swanctl/x509ca/$set-ca.pem"
		cp "$WORK/certs/$set/ikesim.test.pem" "$WORK/peer/swanctl/x509/$set-ikesim.pem"
		cp "$WORK/certs/$set/ikesim.test.key" "$WORK/peer/swanctl/private/$set-ikesim.key"
	fi
done

# What the peer side of a case uses: its PSK, its certificate set, and charon's IKE proposals.
peer_psk() { if [ "$1" = badpsk ]; then echo "$IX_WRONG_PSK"; else echo "$IX_PSK"; fi; }
peer_set() { if [ "$1" = otherca ]; then echo other; else ix_certset "$2"; fi; }
charon_ike() { if [ "$1" = noprop ]; then echo aes128-sha256-modp2048; else echo "$2"; fi; }
# nopss: the peer signs PKCS#1 v1.5 (no --rsa-pss; the stand-in gets plain pubkey) where charon demands PSS.
peer_auth() { if [ "$1" = nopss ]; then echo rsa; else echo "$2"; fi; }

# One swanctl.conf for charon (and one for the stand-in peer), a connection per case and role.
: >"$WORK/ref/swanctl/swanctl.conf"
while read -r n name kind ike esp auth; do
	for role in $ROLES; do
		addr=$(ix_peer_addr "$n" "$role")
		ix_conn "$name-$role" charon "$IX_CHARON_ADDR" "$addr" "$IX_PEER_PORT" "$(charon_ike "$kind" "$ike")" \
			"$esp" "$auth" "$(ix_certset "$auth")" "$IX_PSK" >>"$WORK/ref/swanctl/swanctl.conf"
		if [ "$IX_PEER" = charon ]; then
			set=$(peer_set "$kind" "$auth")
			ix_conn "$name-$role" ikesim "$addr" "$IX_CHARON_ADDR" "$IX_PORT" "$ike" "$esp" "$(peer_auth "$kind" "$auth")" "$set" \
				"$(peer_psk "$kind")" "$set-ca.pem" >>"$WORK/peer/swanctl/swanctl.conf"
		fi
	done
done < <(selected_cases)
# The lifecycle rows' connections on this charon (the fragmentation rows' charon gets its own, life.sh).
[ "$IX_PEER" = ikesim ] && life_conns ref
[ "$IX_PEER" = ikesim ] && ping_conns ref
[ "$IX_PEER" = ikesim ] && ah_conns ref
[ "$IX_PEER" = ikesim ] && v1_conns ref
# The fuzz row's connection: PSK, charon initiates to the fuzzed responder's address and port.
if fuzz_selected; then
	ix_conn "$IX_FUZZ_CASE-r" charon "$IX_CHARON_ADDR" "$IX_FUZZ_ADDR" "$IX_FUZZ_PORT" "$IX_FUZZ_IKE" "$IX_FUZZ_ESP" psk rsa \
		"$IX_PSK" >>"$WORK/ref/swanctl/swanctl.conf"
fi
SWAN ref --load-all >"$WORK/ref/load.log" 2>&1 || fail_all "swanctl --load-all failed for charon (see $WORK/ref/load.log)"
if [ "$IX_PEER" = charon ]; then
	SWAN peer --load-all >"$WORK/peer/load.log" 2>&1 || fail_all "swanctl --load-all failed for the peer charon"
fi

# charon's view of a connection: 0 if --list-sas shows its IKE SA ESTABLISHED with the CHILD SA INSTALLED.
sa_listed() {
	SWAN "$1" --list-sas --ike "$2" 2>/dev/null | awk '/ESTABLISHED/ { e = 1 } /INSTALLED/ { i = 1 } END { exit !(e && i) }'
}

# The log lines a charon wrote since byte offset OFF.
log_since() { tail -c +"$(($2 + 1))" "$WORK/$1/charon.log"; }

# Waits (up to ~3 s) until a UDP socket is bound to ADDR:PORT in the namespace: the responder is ready.
# Reads the namespace's socket table through charon's /proc entry with builtins only (no process per poll).
# Gives up at once if the peer process PID has already exited.
wait_bound() {
	local i a b c d want table
	IFS=. read -r a b c d <<<"$1"
	# /proc/net/udp shows local addresses as little-endian hex, then the port in hex.
	printf -v want '%02X%02X%02X%02X:%04X ' "$d" "$c" "$b" "$a" "$2"
	for i in $(seq 1 150); do
		read -r -d '' table <"/proc/${CHARON_PID[ref]}/net/udp"
		[[ $table == *"$want"* ]] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

# ikesim peer for one case; extra arguments (--initiate) go first. Runs in the background, PID in PEER_PID.
# PEER_BIN, PEER_PORT and PEER_ENV (VAR=value words) replace the binary, port and environment when set;
# PEER_SET the certificate set, PEER_REMOTE_PORT charon's port (the lifecycle rows' second charon),
# PEER_TS ikesim's own traffic selector (the ping rows' inner address).
PEER_BIN="" PEER_PORT="" PEER_ENV=() PEER_SET="" PEER_REMOTE_PORT="" PEER_TS=""
start_ikesim() {
	local dir=$1 conn=$2 kind=$3 ike=$4 esp=$5 auth=$6 addr=$7
	shift 7
	local lid rid authargs set cert child=(--esp-proposals "$esp")
	[[ $esp == ah:* ]] && child=(--ah-proposals "${esp#ah:}") # the AH rows (ah.sh)
	if [ "$auth" = psk ]; then
		lid="ikesim.$conn.test" rid="charon.$conn.test"
		# the secret goes in a private file, never on ikesim's command line (ps shows that to everyone)
		(umask 077 && printf '%s' "$(peer_psk "$kind")" >"$dir/psk")
		authargs=(--psk-file "$dir/psk")
	else
		set=${PEER_SET:-$(peer_set "$kind" "$auth")}
		lid=ikesim.test rid=charon.test
		# a set with an intermediate CA (life.sh's chain) has NAME.chain.pem: the certificate, then the intermediate
		cert=$WORK/certs/$set/ikesim.test.pem
		[ -f "$WORK/certs/$set/ikesim.test.chain.pem" ] && cert=$WORK/certs/$set/ikesim.test.chain.pem
		authargs=(--cert "$cert" --key "$WORK/certs/$set/ikesim.test.key"
			--ca "$WORK/certs/$set/ca.pem")
		[ "$(peer_auth "$kind" "$auth")" = pss ] && authargs+=(--rsa-pss)
	fi
	# timeout(1) bounds a peer that hangs; it is our child, so PEER_PID is ours to wait for.
	timeout -k 2 $((IX_TIMEOUT + 8)) ip netns exec "$NS" env "${PEER_ENV[@]}" "${PEER_BIN:-$IKESIM_BIN}" peer "$@" \
		--local "$addr:${PEER_PORT:-$IX_PEER_PORT}" --remote "$IX_CHARON_ADDR:${PEER_REMOTE_PORT:-$IX_PORT}" \
		--proposals "$ike" "${child[@]}" --id "$lid" --remote-id "$rid" "${authargs[@]}" \
		--local-ts "${PEER_TS:-$IX_TS_IKESIM}" --remote-ts "$IX_TS_CHARON" --timeout "$((IX_TIMEOUT + 3))" --hold "$IX_HOLD" \
		--trace "$dir/trace.jsonl" --reveal-keys >"$dir/ikesim.out" 2>&1 &
	PEER_PID=$!
}

# SIGTERM to our ikesim itself, timeout(1)'s only child (ip netns exec and env exec it in place). Not to
# timeout: it signals the child and then its whole group, and that second SIGTERM can arrive after ikesim
# has restored the default action at its end, killing it (exit 143) after a clean shutdown.
stop_peer() {
	local child=""
	read -r child _ 2>/dev/null <"/proc/$PEER_PID/task/$PEER_PID/children"
	kill -TERM "${child:-$PEER_PID}" 2>/dev/null
}

# Runs one (case, role). Sets PEER_OK/CHARON_OK (did each side reach what the case expects), KEYS, WHY.
run_one() {
	local n=$1 name=$2 kind=$3 ike=$4 esp=$5 auth=$6 role=$7
	local conn="$name-$role" addr dir off poff=0 rc=0 listed=no i
	addr=$(ix_peer_addr "$n" "$role")
	dir="$WORK/cases/$conn"
	mkdir -p "$dir"
	off=$(stat -c %s "$WORK/ref/charon.log")
	[ "$IX_PEER" = charon ] && poff=$(stat -c %s "$WORK/peer/charon.log")

	if [ "$IX_PEER" = ikesim ]; then
		if [ "$role" = i ]; then
			start_ikesim "$dir" "$conn" "$kind" "$ike" "$esp" "$auth" "$addr" --initiate
			# Look at charon's SA list while ikesim holds its SA up.
			while kill -0 "$PEER_PID" 2>/dev/null; do
				if [ "$kind" = ok ] && sa_listed ref "$conn"; then listed=yes; break; fi
				sleep 0.05
			done
			wait "$PEER_PID"
			rc=$?
			PEER_PID=""
		else
			start_ikesim "$dir" "$conn" "$kind" "$ike" "$esp" "$auth" "$addr"
			# Initiate only once ikesim listens; if it died (bad arguments), the case has failed already.
			if wait_bound "$addr" "$IX_PEER_PORT" "$PEER_PID"; then
				SWAN ref --initiate --child "$conn" --timeout "$IX_TIMEOUT" >"$dir/initiate.out" 2>&1
				[ "$kind" = ok ] && sa_listed ref "$conn" && listed=yes
			fi
			# A responder serves until told to stop: SIGTERM makes it delete its SAs and report.
			stop_peer
			wait "$PEER_PID"
			rc=$?
			PEER_PID=""
		fi
	else
		# Self-test: the second charon plays ikesim's part, driven through its own vici socket.
		if [ "$role" = i ]; then
			SWAN peer --initiate --child "$conn" --timeout "$IX_TIMEOUT" >"$dir/initiate.out" 2>&1
			rc=$?
		else
			SWAN ref --initiate --child "$conn" --timeout "$IX_TIMEOUT" >"$dir/initiate.out" 2>&1
			sa_listed peer "$conn" || rc=1
		fi
		[ "$kind" = ok ] && sa_listed ref "$conn" && listed=yes
	fi
	# Let late log lines (the other side's failure handling) land before slicing the logs.
	[ "$kind" = ok ] || sleep 0.2
	log_since ref "$off" >"$dir/charon.log"
	[ "$IX_PEER" = charon ] && log_since peer "$poff" >"$dir/peer.log"

	PEER_OK=no CHARON_OK=no KEYS="-" WHY=""
	local want_charon want_peer peerlog
	if [ "$IX_PEER" = ikesim ]; then peerlog="$dir/trace.jsonl"; else peerlog="$dir/peer.log"; fi
	case $kind in
	ok)
		[ "$rc" = 0 ] && PEER_OK=yes || WHY="$IX_PEER exit $rc$([ -s "$dir/ikesim.out" ] && echo ": $(tail -n 1 "$dir/ikesim.out")")"
		# charon established both SAs: seen in --list-sas, or (SA already deleted by the peer) in its log.
		if [ "$listed" = yes ] || { grep -Eq "IKE_SA $conn\[[0-9]+\] established" "$dir/charon.log" &&
			grep -Eq "CHILD_SA $conn\{[0-9]+\} established" "$dir/charon.log"; }; then
			CHARON_OK=yes
		else
			WHY="${WHY:+$WHY; }charon did not establish $conn"
		fi
		check_keys "$dir"
		[ "$auth" = pss ] && check_pss "$dir" "$ike"
		return
		;;
	badpsk | otherca | nopss) want_charon='AUTH_FAILED|AUTHENTICATION_FAILED' want_peer='AUTH_FAILED|AUTHENTICATION_FAILED' ;;
	noprop) want_charon='NO_PROP' want_peer='NO_PROP' ;;
	esac
	# A negative case: the handshake must fail, and each side must name the expected reason.
	if [ "$rc" != 0 ] && grep -Eq "$want_peer" "$peerlog" 2>/dev/null; then PEER_OK=yes; else WHY="$IX_PEER: exit $rc, no ${want_peer%%|*}"; fi
	if ! grep -Eq "IKE_SA $conn\[[0-9]+\] established" "$dir/charon.log" && grep -Eq "$want_charon" "$dir/charon.log"; then
		CHARON_OK=yes
	else
		WHY="${WHY:+$WHY; }charon: no ${want_charon%%|*} or established"
	fi
}

# PSS rows: both AUTH payloads must have been RSASSA-PSS, as each verifier saw them. charon's log names
# the scheme it verified the peer with; the peer's trace (or the stand-in charon's log) names charon's.
# Clears CHARON_OK / PEER_OK with a reason otherwise.
check_pss() {
	local dir=$1 bits
	bits=$(ix_pss_hash "$2")
	bits=${bits#sha}
	if ! grep -Eq "authentication of 'ikesim\.test' with RSA_EMSA_PSS_SHA2_256_SALT_32 successful" "$dir/charon.log"; then
		CHARON_OK=no WHY="${WHY:+$WHY; }charon did not verify an RSASSA-PSS SHA-256 signature from the peer"
	fi
	if [ "$IX_PEER" = ikesim ]; then
		# The salt is as long as the hash (RFC 8247), in octets.
		grep -Fq "\"scheme\":\"RFC 7427 RSASSA-PSS SHA-$bits salt $((bits / 8))\"" "$dir/trace.jsonl" ||
			{ PEER_OK=no WHY="${WHY:+$WHY; }ikesim's trace has no auth.verified RSASSA-PSS SHA-$bits"; }
	else
		grep -Eq "with RSA_EMSA_PSS_SHA2_${bits}_SALT_$((bits / 8)) successful" "$dir/peer.log" ||
			{ PEER_OK=no WHY="${WHY:+$WHY; }the stand-in charon did not verify RSASSA-PSS SHA-$bits"; }
	fi
}

# Compares the peer's keys with charon's for the peer's IKE SPIs. Sets KEYS ("11/11 equal", "MISMATCH ...").
check_keys() {
	local dir=$1
	if [ "$IX_PEER" = ikesim ]; then
		awk -f "$HERE/trace_keys.awk" "$dir/trace.jsonl" >"$dir/keys.peer" 2>/dev/null
	else
		awk -f "$HERE/charon_keys.awk" "$dir/peer.log" >"$dir/keys.peer"
	fi
	awk -f "$HERE/charon_keys.awk" "$dir/charon.log" >"$dir/keys.charon"
	# The peer's first IKE SA picks the SPIs; only charon's keys for those SPIs count. Every key name
	# either side reports must be there on both sides with the same value.
	KEYS=$(awk '
		{ peer = FILENAME == ARGV[1] }
		peer && spis == "" { spis = $1 " " $2 }
		$1 " " $2 != spis { next }
		peer { p[$3] = $4; np++ }
		!peer { c[$3] = $4; nc++ }
		END {
			if (spis == "") { print "no keys from peer"; exit }
			if (nc == 0) { print "charon logged no keys for SPIs " spis; exit }
			for (k in p) if (!(k in c) || c[k] != p[k]) { bad = bad sep k (k in c ? "" : "(missing)"); sep = "," }
			for (k in c) if (!(k in p)) { bad = bad sep k "(missing at peer)"; sep = "," }
			if (bad != "") print "MISMATCH: " bad; else print np "/" nc " equal"
		}' "$dir/keys.peer" "$dir/keys.charon")
}

# "RXQ DROPS" of the UDP socket bound to ADDR:PORT in the namespace (bytes queued, datagrams the kernel
# dropped); returns 1 if no such socket. Read through charon's /proc entry, like wait_bound.
sock_stats() {
	local a b c d want sl laddr raddr st txrx rest
	IFS=. read -r a b c d <<<"$1"
	printf -v want '%02X%02X%02X%02X:%04X' "$d" "$c" "$b" "$a" "$2"
	while read -r sl laddr raddr st txrx rest; do
		if [ "$laddr" = "$want" ]; then
			echo "$((16#${txrx#*:})) ${rest##* }"
			return 0
		fi
	done <"/proc/${CHARON_PID[ref]}/net/udp"
	return 1
}

# 0 if our ikesim is still running: timeout(1) (PEER_PID) is not a zombie and the socket is still bound.
peer_alive() {
	local pid comm state
	read -r pid comm state _ 2>/dev/null <"/proc/$PEER_PID/stat" || return 1
	[ "$state" != Z ] && sock_stats "$IX_FUZZ_ADDR" "$IX_FUZZ_PORT" >/dev/null
}

# The fuzz-then-charon row: junk into the ASan responder, then charon must still get an SA with it.
# Sets FUZZ_RESULT (PASS, FAIL or SKIPPED), FUZZ_INFO (one line of what happened), KEYS and WHY.
run_fuzz() {
	local conn="$IX_FUZZ_CASE-r" dir="$WORK/cases/$IX_FUZZ_CASE-r" off rc=0 brc=1 listed=no alive=no
	local lsan=1 lsan_note="LSan on" stats="" rxq=0 drops="?" i san charon_ok=no
	KEYS="-" WHY="" FUZZ_INFO="" FUZZ_RESULT=SKIPPED
	if [ "$IX_PEER" != ikesim ]; then
		FUZZ_INFO="skipped: the self-test (IX_PEER=charon) has no ikesim to fuzz"
		return
	fi
	if [ ! -x "$IKESIM_ASAN_BIN" ]; then
		FUZZ_INFO="skipped: no ASan build at $IKESIM_ASAN_BIN (make build/asan/ikesim)"
		return
	fi
	if ! "$IKESIM_ASAN_BIN" peer --help >/dev/null 2>&1; then
		FUZZ_INFO="skipped: $IKESIM_ASAN_BIN has no 'peer' verb"
		return
	fi
	if [ ! -x "$UDP_BLAST_BIN" ]; then
		FUZZ_INFO="skipped: no junk sender at $UDP_BLAST_BIN (make build/rel/udp_blast)"
		return
	fi
	mkdir -p "$dir"
	# LeakSanitizer needs ptrace-like access at exit; probe it under ip netns exec before relying on it.
	ip netns exec "$NS" env ASAN_OPTIONS=detect_leaks=1 "$IKESIM_ASAN_BIN" peer --help >"$dir/lsan-probe.out" 2>&1
	if grep -Eq 'LeakSanitizer (has encountered a fatal error|does not work)' "$dir/lsan-probe.out"; then
		lsan=0 lsan_note="LSan off: it cannot run under ip netns exec here (see lsan-probe.out)"
	fi
	off=$(stat -c %s "$WORK/ref/charon.log")
	PEER_BIN=$IKESIM_ASAN_BIN PEER_PORT=$IX_FUZZ_PORT
	PEER_ENV=("ASAN_OPTIONS=detect_leaks=$lsan:abort_on_error=0" "UBSAN_OPTIONS=print_stacktrace=1")
	start_ikesim "$dir" "$conn" ok "$IX_FUZZ_IKE" "$IX_FUZZ_ESP" psk "$IX_FUZZ_ADDR"
	PEER_BIN="" PEER_PORT="" PEER_ENV=()
	if wait_bound "$IX_FUZZ_ADDR" "$IX_FUZZ_PORT" "$PEER_PID"; then
		ip netns exec "$NS" "$UDP_BLAST_BIN" "$NS" "$IX_FUZZ_ADDR" "$IX_FUZZ_PORT" "$IX_FUZZ_COUNT" "$IX_FUZZ_SEED" \
			"$IX_FUZZ_BURST" "$IX_FUZZ_PAUSE_US" >"$dir/blast.out" 2>&1
		brc=$?
		# Give ikesim (up to 3 s) to read what is still queued, so all junk is parsed before charon's turn.
		for i in $(seq 1 150); do
			stats=$(sock_stats "$IX_FUZZ_ADDR" "$IX_FUZZ_PORT") || break
			read -r rxq drops <<<"$stats"
			[ "$rxq" = 0 ] && break
			sleep 0.02
		done
		if peer_alive; then
			alive=yes
			SWAN ref --initiate --child "$conn" --timeout "$IX_TIMEOUT" >"$dir/initiate.out" 2>&1
			sa_listed ref "$conn" && listed=yes
		fi
	fi
	stop_peer
	wait "$PEER_PID"
	rc=$?
	PEER_PID=""
	log_since ref "$off" >"$dir/charon.log"
	check_keys "$dir"
	if [ "$listed" = yes ] || { grep -Eq "IKE_SA $conn\[[0-9]+\] established" "$dir/charon.log" &&
		grep -Eq "CHILD_SA $conn\{[0-9]+\} established" "$dir/charon.log"; }; then
		charon_ok=yes
	fi
	san=$(grep -m1 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer' "$dir/ikesim.out")
	FUZZ_INFO="$(tail -n 1 "$dir/blast.out" 2>/dev/null | sed 's/^udp_blast: //'); kernel drops ${drops}; ikesim $([ "$alive" = yes ] && echo "still serving" || echo "NOT serving") afterwards, exit $rc; sanitizer report: ${san:-none} ($lsan_note)"
	[ "$brc" = 0 ] || WHY="udp_blast exit $brc"
	[ "$alive" = yes ] || WHY="${WHY:+$WHY; }ikesim did not survive the junk (see ikesim.out)"
	[ "$rc" = 0 ] || WHY="${WHY:+$WHY; }ikesim exit $rc$([ -s "$dir/ikesim.out" ] && echo ": $(tail -n 1 "$dir/ikesim.out")")"
	[ "$charon_ok" = yes ] || WHY="${WHY:+$WHY; }charon did not establish $conn"
	[[ $KEYS == *equal ]] || WHY="${WHY:+$WHY; }keys: $KEYS"
	[ -z "$san" ] || WHY="${WHY:+$WHY; }sanitizer: $san"
	if [ -z "$WHY" ]; then FUZZ_RESULT=PASS; else FUZZ_RESULT=FAIL; fi
}

charon_version=$(ip netns exec "$NS" /usr/lib/ipsec/charon --version 2>/dev/null | head -1)
echo "interop: $PEER_LABEL$([ "$IX_PEER" = charon ] && echo " (self-test stand-in)") vs charon (${charon_version:-strongSwan}); certificates by $IX_CERTS_BY"
ROW='%-16s %-9s %-33s %-22s %-16s %-7s %s\n'
printf "$ROW" case auth ike esp role result keys
passed=0 failed=0 skipped=0
while read -r n name kind ike esp auth; do
	for role in $ROLES; do
		run_one "$n" "$name" "$kind" "$ike" "$esp" "$auth" "$role"
		if [ "$PEER_OK" = yes ] && [ "$CHARON_OK" = yes ] && { [ "$kind" != ok ] || [[ $KEYS == *equal ]]; }; then
			result=PASS passed=$((passed + 1))
		else
			result=FAIL failed=$((failed + 1))
		fi
		printf "$ROW" "$(if [ "$kind" = ok ]; then echo "${name%%-*}"; else echo "$name"; fi)" "$auth" "$ike" "$esp" "$(role_label "$role")" "$result" "$KEYS"
		[ "$result" = FAIL ] && [ -n "$WHY" ] && printf '    %s\n' "$WHY"
	done
done < <(selected_cases)

life_run_all
ping_run_all
ah_run_all
v1_run_all

if fuzz_selected; then
	run_fuzz
	printf "$ROW" "$IX_FUZZ_CASE" psk "$IX_FUZZ_IKE" "$IX_FUZZ_ESP" "$(role_label r)" "$FUZZ_RESULT" "$KEYS"
	case $FUZZ_RESULT in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; *) skipped=$((skipped + 1)) ;; esac
	[ -n "$FUZZ_INFO" ] && printf '    %s\n' "$FUZZ_INFO"
	[ "$FUZZ_RESULT" = FAIL ] && [ -n "$WHY" ] && printf '    %s\n' "$WHY"
fi

if [ "$failed" -gt 0 ]; then
	# Keep the logs, traces and configs of a failing run for a look (said before the summary line).
	IX_KEEP=1
	echo "interop: logs, traces and configs kept in $WORK (cases/NAME-ROLE/)"
fi
echo "interop: $passed passed, $failed failed$([ "$skipped" = 0 ] || echo ", $skipped skipped")"
[ "$failed" = 0 ]
