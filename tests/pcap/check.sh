#!/usr/bin/env bash
# `make pcap-check`: runs scenarios with --pcap --reveal-keys and asks the real tshark (Wireshark 4.0)
# whether it decrypts every IKE_AUTH message with our key table, and whether our IP/UDP checksums hold.
# Installs tshark when missing and root; otherwise prints one SKIPPED line and exits 0.
set -u
cd "$(dirname "$0")/../.."
BIN=${IKESIM_BIN:-build/rel/ikesim}
DEMO=lessons/01-first-tunnel/scenario.json
fails=0

say() { printf 'pcap-check: %s\n' "$*"; }

ensure_tshark() {
	command -v tshark >/dev/null && return 0
	if [ "$(id -u)" != 0 ]; then
		say "SKIPPED: tshark is not installed and installing it needs root"
		exit 0
	fi
	say "installing tshark"
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null
	if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tshark >/dev/null 2>&1 ||
		{ DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tshark >/dev/null 2>&1; }; } ||
		! command -v tshark >/dev/null; then
		say "SKIPPED: tshark could not be installed"
		exit 0
	fi
}

ensure_tshark
[ -x "$BIN" ] || { say "no ikesim binary at $BIN"; exit 1; }
TMP=$(mktemp -d /tmp/ikesim-pcap-check.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

fail() { say "FAIL $*"; fails=$((fails + 1)); }

# tshark with the key table of $1.pcap installed as Wireshark's ikev2_decryption_table; extra args follow.
ts_keys() {
	local base=$1; shift
	rm -rf "$TMP/ws" && mkdir -p "$TMP/ws"
	cp "$base.pcap.ikev2_decryption_table" "$TMP/ws/ikev2_decryption_table"
	WIRESHARK_CONFIG_DIR="$TMP/ws" tshark -r "$base.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE "$@" 2>/dev/null
}

# Scenario $2 (a file) under name $1: run it, check the capture; $3 = "ok" (IKE up) or "authfail" (IKE_AUTH refused).
check_case() {
	local name=$1 scn=$2 kind=$3 base="$TMP/$1" out
	"$BIN" run "$scn" --quiet --pcap "$base.pcap" --reveal-keys 2>"$base.err" >/dev/null || true
	if [ ! -s "$base.pcap" ] || [ ! -f "$base.pcap.ikev2_decryption_table" ]; then
		fail "$name: no pcap or key table ($(head -c 200 "$base.err"))"; return
	fi
	# One tshark pass: per record the IP and UDP checksum status, exchange type, response flag, payload
	# chain and notify types. Unencrypted, an SK message's chain is just "46,<first inner>": AUTH (39) or a
	# notify type only shows up once tshark decrypted the SK payload with our key table.
	local lines n_auth=0 ipck udpck exch resp chain notes
	lines=$(ts_keys "$base" -T fields -E occurrence=a -e ip.checksum.status -e udp.checksum.status \
		-e isakmp.exchangetype -e isakmp.flag_r -e isakmp.nextpayload -e isakmp.notify.msgtype)
	[ -n "$lines" ] || { fail "$name: tshark read no records"; return; }
	while IFS=$'\t' read -r ipck udpck exch resp chain notes; do
		# Status 1 = Good: our IPv4 header checksum and UDP checksum verify.
		[ "$ipck,$udpck" = "1,1" ] || { fail "$name: checksum status ip=$ipck udp=$udpck (want 1,1)"; return; }
		[ "$exch" = 35 ] || continue
		n_auth=$((n_auth + 1))
		case "$resp,$kind" in
		False,*) [[ ",$chain," == *,46,35,*,39,* ]] || { fail "$name: IKE_AUTH request not decrypted ($chain)"; return; } ;;
		True,ok) [[ ",$chain," == *,46,36,*,39,* ]] || { fail "$name: IKE_AUTH response not decrypted ($chain)"; return; } ;;
		True,authfail) [[ ",$notes," == *,24,* ]] || { fail "$name: no AUTHENTICATION_FAILED in the response ($chain)"; return; } ;;
		esac
	done <<<"$lines"
	[ "$n_auth" -ge 2 ] || { fail "$name: $n_auth IKE_AUTH message(s) in the capture, want 2"; return; }
	say "ok   $name: $n_auth IKE_AUTH message(s) decrypted, checksums good ($(grep -v '^#' "$base.pcap.ikev2_decryption_table" | cut -d, -f5))"
}

# The demo (AES-GCM-16) and proposal variants of it: CBC+HMAC, CTR, every GCM ICV length, XCBC (ICV unchecked).
check_case demo-aes128gcm16 "$DEMO" ok
for ike in aes256-sha256-x25519 aes128-sha1-ecp256 aes192-sha384-x25519 aes256ctr-sha512-x25519 \
	   aes256gcm8-prfsha384-x25519 aes192gcm12-prfsha256-x25519 aes128-aesxcbc-x25519; do
	sed "s/aes128gcm16-prfsha256-x25519/$ike/g" "$DEMO" >"$TMP/$ike.json"
	check_case "$ike" "$TMP/$ike.json" ok
done
check_case cert_rsa tests/scenarios/cert_rsa.json ok
check_case cert_ecdsa tests/scenarios/cert_ecdsa.json ok
check_case wrong_psk tests/scenarios/wrong_psk.json authfail

# After rekeys: the key table holds every IKE SA (the rekeyed one too), so each SK message decrypts. Undecrypted,
# tshark shows an SK message's chain as "46,<first inner>"; decrypted, the inner chain follows, ending in 0.
check_rekeyed() {
	local name=rekeyed base="$TMP/rekeyed" lines exch resp chain n=0 n_ccsa=0
	"$BIN" run tests/scenarios/rekey_ike_then_child.json --quiet --pcap "$base.pcap" --reveal-keys \
		2>"$base.err" >/dev/null || { fail "$name: run failed ($(head -c 200 "$base.err"))"; return; }
	local tables
	tables=$(grep -vc '^#' "$base.pcap.ikev2_decryption_table")
	[ "$tables" -eq 2 ] || { fail "$name: $tables IKE SA(s) in the key table, want 2 (original and rekeyed)"; return; }
	lines=$(ts_keys "$base" -T fields -E occurrence=a -e isakmp.exchangetype -e isakmp.flag_r -e isakmp.nextpayload)
	while IFS=$'\t' read -r exch resp chain; do
		[[ "$chain" == 46,* ]] || continue
		n=$((n + 1))
		[ "$exch" = 36 ] && n_ccsa=$((n_ccsa + 1))
		[[ "$chain" == 46,*,0* || "$chain" == 46,0 ]] || { fail "$name: exchange $exch (response $resp) not decrypted ($chain)"; return; }
	done <<<"$lines"
	[ "$n_ccsa" -ge 4 ] || { fail "$name: $n_ccsa CREATE_CHILD_SA message(s), want 4"; return; }
	say "ok   $name: all $n SK messages decrypted ($n_ccsa CREATE_CHILD_SA) with both IKE SAs in the key table"
}
check_rekeyed

# What a student sees in Wireshark's packet details, and the negative control without the key table.
if ts_keys "$TMP/demo-aes128gcm16" -V | grep -q "Payload: Identification - Initiator"; then
	say "ok   demo with key table: tshark -V shows 'Payload: Identification - Initiator'"
else
	fail "demo: tshark -V shows no IDi payload"
fi
if tshark -r "$TMP/demo-aes128gcm16.pcap" -V 2>/dev/null | grep -q "Payload: Identification - Initiator"; then
	fail "demo: IDi visible without a key table (the check proves nothing)"
else
	say "ok   demo without key table: IKE_AUTH stays encrypted"
fi

# ChaCha20-Poly1305: Wireshark 4.0 cannot decrypt it in IKEv2; the table says so in a comment, ikesim warns.
sed "s/aes128gcm16-prfsha256-x25519/chacha20poly1305-prfsha256-x25519/g" "$DEMO" >"$TMP/chacha.json"
"$BIN" run "$TMP/chacha.json" --quiet --pcap "$TMP/chacha.pcap" --reveal-keys 2>"$TMP/chacha.err" >/dev/null
if grep -q 'cannot decrypt' "$TMP/chacha.err" && grep -q '^# .*CHACHA20_POLY1305' "$TMP/chacha.pcap.ikev2_decryption_table"; then
	say "ok   chacha20poly1305: commented out in the key table, warned on stderr"
else
	fail "chacha20poly1305: no comment line or no warning"
fi

# Same seed, same bytes.
"$BIN" run "$DEMO" --quiet --pcap "$TMP/again.pcap" --reveal-keys 2>/dev/null >/dev/null
if cmp -s "$TMP/again.pcap" "$TMP/demo-aes128gcm16.pcap" &&
   cmp -s "$TMP/again.pcap.ikev2_decryption_table" "$TMP/demo-aes128gcm16.pcap.ikev2_decryption_table"; then
	say "ok   demo twice: byte-identical pcap and key table"
else
	fail "demo twice: the pcap or key table differs"
fi

if [ "$fails" != 0 ]; then
	say "FAILED ($fails check(s)) with $(tshark --version 2>/dev/null | head -1)"
	exit 1
fi
say "PASSED with $(tshark --version 2>/dev/null | head -1)"
