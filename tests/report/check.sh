#!/bin/bash
# The HTML report in a real browser: headless Chromium loads build/report-check/*.html with #step=N, runs the
# page's script, and the DOM it dumps must show that message decoded (title, fate, key, payloads) and its
# arrow selected in the ladder. No network: every host resolves to nothing, and a fetch would be logged.
# Usage: IKESIM_REL_BIN=build/rel/ikesim bash tests/report/check.sh  (make report-check)
set -u
BIN=${IKESIM_REL_BIN:-build/rel/ikesim}
OUT=${REPORT_CHECK_DIR:-build/report-check}
mkdir -p "$OUT"
fails=0
fail() { echo "report-check: FAIL: $*" >&2; fails=$((fails + 1)); }

# One page, two runs: the lesson 01 handshake and lesson 02's losses and retransmissions.
"$BIN" run lessons/01-first-tunnel/scenario.json --quiet --trace "$OUT/l1.jsonl" 2>/dev/null || fail "run lesson 01"
"$BIN" run lessons/02-when-it-fails/scenario.json --quiet --trace "$OUT/l2.jsonl" 2>/dev/null
"$BIN" report "$OUT/l1.jsonl" -o "$OUT/l1.html" >/dev/null || fail "report lesson 01"
"$BIN" report "$OUT/l2.jsonl" -o "$OUT/l2.html" >/dev/null || fail "report lesson 02"

# dom PAGE FRAGMENT: the DOM after the page's script ran, in $OUT/dom.html; Chromium's log in $OUT/chromium.log.
dom() {
	local prof rc
	prof=$(mktemp -d)
	timeout 30 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync --enable-logging=stderr \
		--host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$prof" \
		--dump-dom "file://$(pwd)/$OUT/$1$2" >"$OUT/dom.html" 2>"$OUT/chromium.log"
	rc=$?
	rm -rf "$prof"
	[ $rc = 0 ] || fail "$1$2: chromium exit $rc (see $OUT/chromium.log)"
	if grep -E 'CONSOLE|Uncaught|net::ERR' "$OUT/chromium.log" >&2; then fail "$1$2: the page logged an error or fetched something"; fi
	grep -q '<div id="detail"><h3' "$OUT/dom.html" || fail "$1$2: the script did not fill the details panel"
}
# has TEXT WHAT: the dumped DOM contains TEXT (fixed string).
has() { grep -qF -- "$1" "$OUT/dom.html" || fail "$2: '$1' not shown"; }
# selected N: the one selected arrow is the Nth step's (its data-ev is the Nth "ev" of the steps data).
selected() {
	local want got n
	want=$(grep -o '"ev":[0-9]*' "$OUT/dom.html" | sed -n "${1}p" | cut -d: -f2)
	n=$(grep -o 'class="message sel"' "$OUT/dom.html" | wc -l)
	got=$(grep -o 'class="message sel" data-ev="[0-9]*"' "$OUT/dom.html" | grep -o '[0-9]*"$' | tr -d '"')
	[ "$n" = 1 ] && [ -n "$want" ] && [ "$got" = "$want" ] || fail "step $1: selected arrow ev '$got' ($n selected), want '$want'"
}

command -v chromium >/dev/null || { echo "report-check: no chromium (make report-check installs it as root)" >&2; exit 1; }

dom l1.html ''                       # no fragment: the first message
has 'message 1 of 4' 'lesson 01 first step'
has '<h3 id="detail-title">IKE_SA_INIT request 0 [ SA KE No' 'lesson 01 step 1 title'
has '<td>protected by</td><td>none: in clear</td>' 'lesson 01 step 1 key'
has 'Key Exchange: the sender' 'lesson 01 step 1 KE'
selected 1

dom l1.html '#step=3'                # IKE_AUTH request: encrypted under SK_ei, its payloads decoded
has 'message 3 of 4' 'lesson 01 step 3'
has '<h3 id="detail-title">IKE_AUTH request 1 [ IDi N(INIT_CONTACT)' 'lesson 01 step 3 title'
has '<td>protected by</td><td>SK_ei' 'lesson 01 step 3 key'
has '<td>N(INIT_CONTACT)</td><td>Notify INITIAL_CONTACT' 'lesson 01 step 3 notify'
has '<td>fate</td><td>received by gw-b at 0.060 s</td>' 'lesson 01 step 3 fate'
has 'offered, of which the responder chose: AES_GCM_16_128' 'lesson 01 step 3 ESP proposal'
selected 3

dom l1.html '#step=2'                # IKE_SA_INIT response: the IKE proposal chosen and the group
has '<td>SA</td><td>Security Association: proposals of algorithms; chosen: AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519' 'lesson 01 step 2 SA'
has 'group CURVE_25519' 'lesson 01 step 2 KE group'
selected 2

dom l2.html '#step=2'                # lesson 02: the responder asks for another group
has 'Notify INVALID_KE_PAYLOAD' 'lesson 02 step 2 notify'
has '<td>size</td><td>38 bytes' 'lesson 02 step 2 size'
selected 2

dom l2.html '#step=6'                # the IKE_AUTH response lost to the fault, then its retransmitted request
has '<h3 id="detail-title">IKE_AUTH response 1' 'lesson 02 step 6 title'
has '<td>fate</td><td>lost on the link (fault)</td>' 'lesson 02 step 6 fate'
has '<td>protected by</td><td>SK_er' 'lesson 02 step 6 key'
selected 6

dom l2.html '#step=99'               # past the end: the last message, the last lost retransmission to gw-c
has 'retransmission by gw-a' 'lesson 02 last step kind'
has 'lost on the link (loss)' 'lesson 02 last step fate'
selected "$(grep -o '"ev":[0-9]*' "$OUT/dom.html" | wc -l)"

[ $fails = 0 ] || exit 1
echo "report-check: the report's step-through shows the decoded messages in headless Chromium ($OUT)"
