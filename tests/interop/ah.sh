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
a-ah-sha1 r sha1
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
	ah_check "$dir" "$conn" "$rc" "$ah" "$role"
}

# Keys compared without CHILD SA tags: charon's AH SA never gets "established" (its install fails), so its
# AH keys are tagged "#?"; the row has one CHILD SA, so the names alone pair them. With "sk": the IKE SA's
# keys only (ikesim derived no CHILD SA keys). Sets KEYS.
ah_keys() {
	local dir=$1 drop='^$'
	[ "${2:-}" = sk ] && drop=' ESP_'
	check_keys "$dir"
	sed 's/#[^ ]*//' "$dir/keys.peer" | grep -v -- "$drop" >"$dir/keys.peer.untagged"
	sed 's/#[^ ]*//' "$dir/keys.charon" | grep -v -- "$drop" >"$dir/keys.charon.untagged"
	KEYS=$(awk '
		{ peer = FILENAME == ARGV[1] }
		peer && spis == "" { spis = $1 " " $2 }
		$1 " " $2 != spis { next }
		peer { p[$3] = $4; np++ }
		!peer { c[$3] = $4; nc++ }
		END {
			if (spis == "") { print "no keys from peer"; exit }
			for (k in p) if (!(k in c) || c[k] != p[k]) { bad = bad sep k (k in c ? "" : "(missing)"); sep = "," }
			for (k in c) if (!(k in p)) { bad = bad sep k "(missing at peer)"; sep = "," }
			if (bad != "") print "MISMATCH: " bad; else print np "/" nc " equal"
		}' "$dir/keys.peer.untagged" "$dir/keys.charon.untagged")
}

# The row's verdict. charon chose our AH proposal and derived its keys, then kernel-libipsec (ESP only) fails
# to add the SA ("failed to create SAD entry"): as responder charon answers NO_PROPOSAL_CHOSEN, so ikesim
# (initiator) keeps the IKE SA without the child and exits 1, and only SK_* can be compared; as initiator
# charon sends a Delete for the AH CHILD SA, which ikesim (responder) installed with keys equal to charon's.
ah_check() {
	local dir=$1 conn=$2 rc=$3 ah=$4 role=$5 sel integ
	integ=$(case $ah in sha1) echo HMAC_SHA1_96 ;; sha256) echo HMAC_SHA2_256_128 ;; *) echo "?" ;; esac)
	sel=$(grep -o 'selected proposal: AH:[A-Z0-9_/]*' "$dir/charon.log" | head -n 1)
	[ "$sel" = "selected proposal: AH:$integ/NO_EXT_SEQ" ] || why_add "charon: ${sel:-no AH proposal selected} (want AH:$integ/NO_EXT_SEQ)"
	grep -q 'failed to create SAD entry' "$dir/charon.log" &&
		grep -Eq 'integrity (initiator|responder) key' "$dir/charon.log" ||
		why_add "charon's log lacks its AH keys or the SAD failure this row documents (did libipsec learn AH?)"
	ah_keys "$dir" "$([ "$role" = i ] && echo sk)"
	if [ "$role" = i ]; then
		[ "$rc" = 1 ] && grep -q 'CHILD SA failed: NO_PROPOSAL_CHOSEN' "$dir/ikesim.out" ||
			why_add "ikesim exit $rc, want 1 with charon's NO_PROPOSAL_CHOSEN: $(tail -n 1 "$dir/ikesim.out")"
		[[ $KEYS == *equal ]] && ! grep -q ' ESP_' "$dir/keys.peer" || why_add "keys: $KEYS"
		KEYS="$KEYS (SK_*; charon logged its AH keys, ikesim never derived them)"
		AH_INFO="${sel#selected proposal: } chosen by charon; its SAD refuses AH, it answers NO_PROPOSAL_CHOSEN"
	else
		[ "$rc" = 0 ] || why_add "ikesim exit $rc: $(tail -n 1 "$dir/ikesim.out")"
		grep -q "\"ev\":\"sa.selected\",\"sa\":\"ah\",\"proposal\":\"$integ\"" "$dir/trace.jsonl" ||
			why_add "ikesim's trace has no sa.selected for AH $integ"
		[[ $KEYS == *equal ]] && grep -q ' ESP_INTEG_I ' "$dir/keys.peer.untagged" || why_add "keys: $KEYS"
		grep -q 'sending DELETE for AH CHILD_SA' "$dir/charon.log" && grep -q '"ev":"child_sa.state".*"transition":"delete-recv"' "$dir/trace.jsonl" ||
			why_add "no Delete of the AH CHILD SA from charon handled by ikesim"
		AH_INFO="${sel#selected proposal: } chosen by both; ikesim: $(grep -m1 '"ev":"esp.sa"' "$dir/trace.jsonl" | grep -o '"why":"[^"]*"' | cut -d'"' -f4); charon's SAD refuses AH, it deletes the CHILD SA (protocol AH)"
	fi
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
