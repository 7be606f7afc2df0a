#!/usr/bin/env bash
# `make pcap-check`: runs scenarios with --pcap --reveal-keys and asks the real tshark (Wireshark 4.0) whether
# it reads our pcapng with no malformed packet and no expert error, decrypts every IKEv2 SK payload with our
# ikev2_decryption_table, loads our esp_sa table, shows a comment on every dropped datagram, and whether our
# IP/UDP checksums hold. Installs tshark when missing and root; otherwise prints one SKIPPED line and exits 0.
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
mkdir -p "$TMP/empty"

fail() { say "FAIL $*"; fails=$((fails + 1)); }

# tshark with the key tables of $1.pcapng installed in a fresh profile; extra args follow. stderr goes to $1.ts.err.
ts_keys() {
	local base=$1; shift
	rm -rf "$TMP/ws" && mkdir -p "$TMP/ws"
	cp "$base.pcapng.ikev2_decryption_table" "$TMP/ws/ikev2_decryption_table"
	cp "$base.pcapng.esp_sa" "$TMP/ws/esp_sa"
	WIRESHARK_CONFIG_DIR="$TMP/ws" tshark -r "$base.pcapng" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
		-o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE "$@" 2>"$base.ts.err"
}

# Records matching display filter $2 in capture $1 (with its key tables).
ts_count() { ts_keys "$1" -Y "$2" | wc -l; }

# Scenario $2 (a file) under name $1: run it, check the capture; $3 = "ok" (IKE up) or "authfail" (IKE_AUTH refused).
check_case() {
	local name=$1 scn=$2 kind=$3 base="$TMP/$1" out
	"$BIN" run "$scn" --quiet --pcap "$base.pcapng" --trace "$base.jsonl" --reveal-keys 2>"$base.err" >/dev/null || true
	if [ ! -s "$base.pcapng" ] || [ ! -f "$base.pcapng.ikev2_decryption_table" ] || [ ! -f "$base.pcapng.esp_sa" ]; then
		fail "$name: no pcapng or key tables ($(head -c 200 "$base.err"))"; return
	fi
	# One tshark pass: per record the IP and UDP checksum status, exchange type, response flag, payload
	# chain and notify types. Unencrypted, an SK message's chain is just "46,<first inner>": AUTH (39) or a
	# notify type only shows up once tshark decrypted the SK payload with our key table.
	local lines n_auth=0 ipck udpck exch resp chain notes
	lines=$(ts_keys "$base" -T fields -E occurrence=a -e ip.checksum.status -e udp.checksum.status \
		-e isakmp.exchangetype -e isakmp.flag_r -e isakmp.nextpayload -e isakmp.notify.msgtype)
	[ -n "$lines" ] || { fail "$name: tshark read no records"; return; }
	if grep -q "Error loading table" "$base.ts.err"; then
		fail "$name: tshark rejects a key table: $(grep -m1 'Error loading' "$base.ts.err")"; return
	fi
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
	# Every SK payload decrypted (tshark adds "Decrypted Data" only then), nothing malformed, no expert error
	# (severity >= Error, 0x00800000); every dropped datagram (link.drop in the trace) carries its comment.
	local n_sk n_dec n_bad n_drop n_comment
	n_sk=$(ts_count "$base" "isakmp.enc.iv")
	n_dec=$(ts_count "$base" "isakmp.enc.decrypted")
	n_bad=$(ts_count "$base" "_ws.malformed || _ws.expert.severity >= 8388608")
	n_drop=$(grep -c '"ev":"link.drop"' "$base.jsonl")
	n_comment=$(ts_count "$base" 'frame.comment matches "^dropped: "')
	[ "$n_sk" -ge 2 ] && [ "$n_dec" = "$n_sk" ] || { fail "$name: $n_dec of $n_sk SK payloads decrypted"; return; }
	[ "$n_bad" = 0 ] || { fail "$name: $n_bad record(s) malformed or with an expert error"; return; }
	[ "$n_comment" = "$n_drop" ] || { fail "$name: $n_comment drop comment(s) for $n_drop link.drop event(s)"; return; }
	say "ok   $name: $n_dec/$n_sk SK payloads decrypted, $n_comment drop comment(s), 0 malformed, checksums good ($(grep -v '^#' "$base.pcapng.ikev2_decryption_table" | cut -d, -f5))"
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
# Lost datagrams in the capture, each with why: a link down, MTU drops (then fragments), a fault, a rekey.
check_case fault_link_down tests/scenarios/fault_link_down.json ok
check_case cert_rsa_mtu1280 tests/scenarios/cert_rsa_mtu1280.json ok
check_case lost_auth_retransmit tests/scenarios/lost_auth_retransmit.json ok
check_case rekey_child_pfs tests/scenarios/rekey_child_pfs.json ok
for n in fault_link_down cert_rsa_mtu1280 lost_auth_retransmit; do
	[ "$(ts_count "$TMP/$n" 'frame.comment matches "^dropped: "')" -gt 0 ] || fail "$n: no drop comment at all"
done

# After rekeys: the key table holds every IKE SA (the rekeyed one too), so each SK message decrypts. Undecrypted,
# tshark shows an SK message's chain as "46,<first inner>"; decrypted, the inner chain follows, ending in 0.
check_rekeyed() {
	local name=rekeyed base="$TMP/rekeyed" lines exch resp chain n=0 n_ccsa=0
	"$BIN" run tests/scenarios/rekey_ike_then_child.json --quiet --pcap "$base.pcapng" --reveal-keys \
		2>"$base.err" >/dev/null || { fail "$name: run failed ($(head -c 200 "$base.err"))"; return; }
	local tables
	tables=$(grep -vc '^#' "$base.pcapng.ikev2_decryption_table")
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

# The data plane: every ESP packet of the hosts' flows decrypts with our esp_sa table, its ICV checks, and the inner
# IPv4 header, ICMP, UDP and TCP checksums are good; impaired packets carry their comment, the flipped one a bad ICV.
check_esp() {
	local name=$1 scn=$2 want_bad=$3 base="$TMP/$1" lines n=0 n_bad_icv=0 ipck icv icmp udp tcp
	"$BIN" run "$scn" --quiet --pcap "$base.pcapng" --trace "$base.jsonl" --reveal-keys 2>"$base.err" >/dev/null ||
		{ fail "$name: run failed ($(head -c 200 "$base.err"))"; return; }
	# Records of what the receiver refused ("received by <node>: dropped: <why>") are counted apart.
	lines=$(ts_keys "$base" -o tcp.check_checksum:TRUE -Y 'esp && !(frame.comment contains "received by ")' -T fields -E occurrence=l -e ip.checksum.status \
		-e esp.icv_good -e icmp.checksum.status -e udp.checksum.status -e tcp.checksum.status)
	while IFS=$'\t' read -r ipck icv icmp udp tcp; do
		n=$((n + 1))
		if [ "$icv" != 1 ]; then n_bad_icv=$((n_bad_icv + 1)); continue; fi
		[ "$ipck" = 1 ] && [ "$icmp$udp$tcp" = 1 ] || { fail "$name: record $n: ip=$ipck icmp=$icmp udp=$udp tcp=$tcp"; return; }
	done <<<"$lines"
	local n_tx
	n_tx=$(($(grep -c '"ev":"esp.tx"' "$base.jsonl") + $(grep -c '"kind":"replay"' "$base.jsonl")))
	[ "$n" = "$n_tx" ] || { fail "$name: $n ESP records for $n_tx sent"; return; }
	[ "$n_bad_icv" = "$want_bad" ] || { fail "$name: $n_bad_icv bad ICV(s), want $want_bad"; return; }
	[ "$(ts_count "$base" "_ws.malformed")" = 0 ] || { fail "$name: malformed records (a heuristic dissector?)"; return; }
	local n_rx_drop n_in
	n_rx_drop=$(ts_count "$base" 'esp && frame.comment contains "received by " && frame.comment contains ": dropped: "')
	n_in=$(grep '"ev":"esp.drop"' "$base.jsonl" | grep -c '"dir":"in"')
	[ "$n_rx_drop" = "$n_in" ] || { fail "$name: $n_rx_drop receiver-drop records for $n_in inbound esp.drop"; return; }
	say "ok   $name: $n ESP packets decrypted to hosts' ICMP/UDP/TCP with good checksums, $n_bad_icv bad ICV as impaired, $n_rx_drop refused by the receiver shown where they arrived"
}
check_esp esp_two_sites tests/scenarios/esp_two_sites.json 0
check_esp esp_impairments tests/scenarios/esp_impairments.json 1
# Four CHILD SAs in turn (rekey_packets): every one of them in the esp_sa table, every packet decrypts.
check_esp esp_rekey_packets tests/scenarios/esp_rekey_packets.json 0
# NAT-T (forced encapsulation, keepalives every 2 s): IKE_AUTH and later IKE on 4500 behind the non-ESP marker,
# ESP in UDP 4500, the keepalives as 1-byte UDP records, every SK payload and ESP packet decrypted, nothing
# malformed. (check_case/check_esp expect one IP header a record; ESP-in-UDP records decrypt to two.)
check_natt() {
	local base="$TMP/natt" n_ike n_ka want n_sk n_dec n_esp n_good n_tx
	"$BIN" run tests/scenarios/natt_encap_keepalive.json --quiet --pcap "$base.pcapng" --trace "$base.jsonl" \
		--reveal-keys 2>"$base.err" >/dev/null || { fail "natt: run failed ($(head -c 200 "$base.err"))"; return; }
	n_ike=$(ts_count "$base" "isakmp && udp.srcport == 4500 && udp.dstport == 4500 && udpencap")
	n_ka=$(ts_count "$base" "udp.length == 9 && udp.port == 4500")
	want=$(grep -c '"ev":"ike.keepalive"' "$base.jsonl")
	n_sk=$(ts_count "$base" "isakmp.enc.iv")
	n_dec=$(ts_count "$base" "isakmp.enc.decrypted")
	n_esp=$(ts_count "$base" "esp && udp.port == 4500")
	n_good=$(ts_count "$base" "esp.icv_good == 1 && icmp")
	n_tx=$(grep -c '"ev":"esp.tx"' "$base.jsonl")
	[ "$n_ike" -ge 2 ] || { fail "natt: $n_ike IKE message(s) on 4500 <-> 4500 behind the marker, want 2 or more"; return; }
	[ "$n_ka" = "$want" ] && [ "$want" -ge 1 ] || { fail "natt: $n_ka keepalive record(s) for $want ike.keepalive"; return; }
	[ "$n_sk" -ge 2 ] && [ "$n_dec" = "$n_sk" ] || { fail "natt: $n_dec of $n_sk SK payloads decrypted"; return; }
	[ "$n_esp" = "$n_tx" ] && [ "$n_good" = "$n_tx" ] || { fail "natt: $n_esp ESP-in-UDP records, $n_good decrypted with a good ICV, for $n_tx sent"; return; }
	[ "$(ts_count "$base" "_ws.malformed || _ws.expert.severity >= 8388608")" = 0 ] || { fail "natt: malformed records"; return; }
	say "ok   natt: $n_ike IKE messages on 4500 behind the non-ESP marker, $n_dec/$n_sk SK payloads and $n_good/$n_tx ESP-in-UDP packets decrypted, $n_ka keepalives, 0 malformed"
}
check_natt
[ "$(ts_count "$TMP/esp_impairments" 'frame.comment contains "impaired: "')" = 5 ] ||
	fail "esp_impairments: not 5 'impaired:' comments"
for why in replay icv-mismatch outside-window; do
	[ "$(ts_count "$TMP/esp_impairments" "frame.comment == \"received by gw-b: dropped: $why\"")" -ge 1 ] ||
		fail "esp_impairments: no 'received by gw-b: dropped: $why' record"
done

# What a student sees in Wireshark's packet details, and the negative control without the key table.
if ts_keys "$TMP/demo-aes128gcm16" -V | grep -q "Payload: Identification - Initiator"; then
	say "ok   demo with key table: tshark -V shows 'Payload: Identification - Initiator'"
else
	fail "demo: tshark -V shows no IDi payload"
fi
if WIRESHARK_CONFIG_DIR="$TMP/empty" tshark -r "$TMP/demo-aes128gcm16.pcapng" -V 2>/dev/null | grep -q "Payload: Identification - Initiator"; then
	fail "demo: IDi visible without a key table (the check proves nothing)"
else
	say "ok   demo without key table: IKE_AUTH stays encrypted"
fi

# ChaCha20-Poly1305: Wireshark 4.0 cannot decrypt it in IKEv2 nor in ESP; the tables say so in a comment, ikesim warns.
sed "s/aes128gcm16/chacha20poly1305/g" "$DEMO" >"$TMP/chacha.json"
"$BIN" run "$TMP/chacha.json" --quiet --pcap "$TMP/chacha.pcapng" --reveal-keys 2>"$TMP/chacha.err" >/dev/null
if grep -q 'cannot decrypt' "$TMP/chacha.err" && grep -q '^# .*CHACHA20_POLY1305' "$TMP/chacha.pcapng.ikev2_decryption_table" &&
   grep -q 'ChaCha20-Poly1305 or another cipher' "$TMP/chacha.err" && grep -q '^# .*CHACHA20_POLY1305' "$TMP/chacha.pcapng.esp_sa" &&
   ! grep -qv '^#' "$TMP/chacha.pcapng.esp_sa"; then
	ts_keys "$TMP/chacha" -c 1 >/dev/null
	if grep -q "Error loading table" "$TMP/chacha.ts.err"; then
		fail "chacha20poly1305: tshark rejects a table"
	else
		say "ok   chacha20poly1305: commented out in both key tables, noted on stderr, tables load"
	fi
else
	fail "chacha20poly1305: no comment line or no note"
fi

# The classic format on request: a pcap (not pcapng) that still decrypts, without the lost datagrams.
"$BIN" run tests/scenarios/fault_link_down.json --quiet --pcap "$TMP/classic.pcapng" --pcap-format pcap --reveal-keys \
	2>/dev/null >/dev/null
if [ "$(head -c 4 "$TMP/classic.pcapng" | od -An -tx1 | tr -d ' ')" = 4d3cb2a1 ] &&
   [ "$(ts_count "$TMP/classic" "isakmp.enc.decrypted")" = 2 ] && [ "$(ts_count "$TMP/classic" "frame.comment")" = 0 ] &&
   [ "$(ts_keys "$TMP/classic" | wc -l)" = "$(($(ts_keys "$TMP/fault_link_down" | wc -l) - 2))" ]; then
	say "ok   --pcap-format pcap: classic pcap, decrypted, the 2 lost datagrams left out"
else
	fail "--pcap-format pcap: not a classic pcap, or records/decryption differ"
fi

# Same seed, same bytes.
"$BIN" run "$DEMO" --quiet --pcap "$TMP/again.pcapng" --reveal-keys 2>/dev/null >/dev/null
for suffix in "" .ikev2_decryption_table .esp_sa; do
	cmp -s "$TMP/again.pcapng$suffix" "$TMP/demo-aes128gcm16.pcapng$suffix" || fail "demo twice: $suffix differs"
done
say "ok   demo twice: byte-identical pcapng and key tables"

if [ "$fails" != 0 ]; then
	say "FAILED ($fails check(s)) with $(tshark --version 2>/dev/null | head -1)"
	exit 1
fi
say "PASSED with $(tshark --version 2>/dev/null | head -1)"
