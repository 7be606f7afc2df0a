# tests/interop/ah.sh: the AH rows of the interop run (sourced by run.sh after lib.sh, gen.sh, life.sh, ping.sh).
#
# AH (RFC 4302) negotiated with charon: both sides' child has ah_proposals (ikesim `--ah-proposals`), so the
# IKE_AUTH SA payload carries Protocol ID 2 (AH) proposals without ENCR. A row checks the negotiation and the
# keys: charon's `selected proposal: AH:...`, ikesim's `sa.selected` with `"sa":"ah"`, and the AH integrity
# keys (charon's "integrity initiator/responder key", ikesim's AH_INTEG_I/R) equal, with SK_*. No packets:
# charon's kernel-libipsec implements only ESP, and ikesim peer sends IPsec only as ESP in UDP (RFC 3948 has no
# AH form), so neither side has an AH data path here; what charon does when it installs the SA is reported.

IX_AH_IKE=aes128gcm16-prfsha256-x25519

# The rows, one a line: NAME ROLE AH. ROLE i: ikesim initiates the IKE SA, r: charon does.
ix_ah_rows() {
	cat <<'EOF'
a-ah i sha256
a-ah r sha256
a-ah-sha1 i sha1
EOF
}

# The selected rows, numbered by their place in the list (N picks ikesim's address 127.0.5.N).
ah_selected() {
	ix_ah_rows | awk -v only="$IX_ONLY" '{ n++ } only == "" || $1 ~ only { print n, $0 }'
}

ah_conns() {
	local ch=$1 n name role ah
	while read -r n name role ah; do
		ix_conn "$name-$role" charon "$IX_CHARON_ADDR" "127.0.5.$n" "$IX_PEER_PORT" "$IX_AH_IKE" "ah:$ah" psk rsa \
			"$IX_PSK" >>"$WORK/$ch/swanctl/swanctl.conf"
	done < <(ah_selected)
}

# Runs one row. Sets AH_RESULT (PASS/FAIL), AH_INFO, KEYS, WHY.
ah_run_one() {
	local n=$1 name=$2 role=$3 ah=$4
	local conn="$name-$role" addr="127.0.5.$1" dir="$WORK/cases/$2-$3" off rc=0 flags=()
	AH_RESULT=FAIL AH_INFO="" KEYS="-" WHY=""
	mkdir -p "$dir"
	[ "$role" = i ] && flags=(--initiate)
	off=$(stat -c %s "$WORK/ref/charon.log")
	IX_HOLD=0.5 start_ikesim "$dir" "$conn" ok "$IX_AH_IKE" "ah:$ah" psk "$addr" "${flags[@]}"
	if [ "$role" = r ] && wait_bound "$addr" "$IX_PEER_PORT" "$PEER_PID"; then
		SWAN ref --initiate --child "$conn" --timeout "$IX_TIMEOUT" >"$dir/initiate.out" 2>&1
		SWAN ref --list-sas --ike "$conn" >"$dir/list.out" 2>&1
		stop_peer
	fi
	wait "$PEER_PID"
	rc=$? PEER_PID=""
	log_since ref "$off" >"$dir/charon.log"
	ah_check "$dir" "$conn" "$rc" "$ah"
}

# The row's verdict: the AH proposal chosen on both sides, the keys equal; charon's install reported.
ah_check() {
	local dir=$1 conn=$2 rc=$3 ah=$4 sel integ inst
	integ=$(case $ah in sha1) echo HMAC_SHA1_96 ;; sha256) echo HMAC_SHA2_256_128 ;; *) echo "?" ;; esac)
	[ "$rc" = 0 ] || why_add "ikesim exit $rc$([ -s "$dir/ikesim.out" ] && echo ": $(tail -n 1 "$dir/ikesim.out")")"
	sel=$(grep -o 'selected proposal: AH:[A-Z0-9_/]*' "$dir/charon.log" | head -n 1)
	[ "$sel" = "selected proposal: AH:$integ/NO_EXT_SEQ" ] || why_add "charon: ${sel:-no AH proposal selected} (want AH:$integ/NO_EXT_SEQ)"
	grep -q "\"ev\":\"sa.selected\",\"sa\":\"ah\",\"proposal\":\"$integ\"" "$dir/trace.jsonl" ||
		why_add "ikesim's trace has no sa.selected for AH $integ"
	grep -q '"ev":"child_sa.state".*"to":"INSTALLED"' "$dir/trace.jsonl" || why_add "ikesim did not install the AH CHILD SA"
	check_keys "$dir"
	[[ $KEYS == *equal ]] && grep -q 'ESP_INTEG_I#' "$dir/keys.peer" || why_add "keys: $KEYS"
	# What charon's kernel-libipsec did with the AH SA (it implements ESP only).
	if grep -Eq "CHILD_SA $conn\{[0-9]+\} established" "$dir/charon.log"; then
		inst="charon installed the AH CHILD SA"
	else
		inst="charon: $(grep -Em1 'unable to install|failed to|NO_PROPOSAL|error' "$dir/charon.log" | sed 's/^.*> //')"
	fi
	AH_INFO="${sel#selected proposal: }; ikesim: $(grep -m1 '"ev":"esp.sa"' "$dir/trace.jsonl" | grep -o '"why":"[^"]*"' | cut -d'"' -f4); $inst"
	[ -z "$WHY" ] && AH_RESULT=PASS
}

# Runs the selected rows and prints them; adds to passed/failed/skipped.
ah_run_all() {
	local n name role ah why=""
	if [ "$IX_PEER" != ikesim ]; then
		why="the self-test (IX_PEER=charon) does not negotiate AH"
	elif ! "$IKESIM_BIN" peer --help 2>&1 | grep -q -- --ah-proposals; then
		why="$IKESIM_BIN peer has no --ah-proposals"
	fi
	while read -r n name role ah; do
		if [ -n "$why" ]; then
			AH_RESULT=SKIPPED AH_INFO="skipped: $why" KEYS="-" WHY=""
		else
			ah_run_one "$n" "$name" "$role" "$ah"
		fi
		printf "$ROW" "$name" psk "$IX_AH_IKE" "ah:$ah" "$(role_label "$role")" "$AH_RESULT" "$KEYS"
		case $AH_RESULT in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; *) skipped=$((skipped + 1)) ;; esac
		[ -n "$AH_INFO" ] && printf '    %s\n' "$AH_INFO"
		[ "$AH_RESULT" = FAIL ] && [ -n "$WHY" ] && printf '    %s\n' "$WHY"
	done < <(ah_selected)
}
