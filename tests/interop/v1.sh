# tests/interop/v1.sh: the IKEv1 rows of the interop run (sourced by run.sh after lib.sh, gen.sh, life.sh, ping.sh, ah.sh).
#
# `ikesim peer --ike 1 [--aggressive]` against charon's IKEv1 (swanctl `version = 1`), both roles: Main Mode and
# Aggressive Mode with a PSK, Main Mode with RSA signatures, Quick Mode with and without PFS. A row passes when
# ikesim exits 0, charon established the ISAKMP SA and the IPsec SA, and the keys agree: charon's SKEYID*,
# Ka and Quick Mode KEYMAT (its ike=4/chd=4 log, v1_keys.awk) equal ikesim's kdf trace events for the same
# cookies. Each ikesim gets its own address 127.0.7.N.

# The rows, one a line: NAME ROLE IKE ESP AUTH MODE. ROLE i: ikesim initiates, r: charon does. MODE main or aggr.
ix_v1_rows() {
	cat <<'EOF2'
v1-mm-psk i aes128-sha256-modp2048 aes128-sha256 psk main
v1-mm-psk r aes128-sha256-modp2048 aes128-sha256 psk main
v1-am-psk i aes256-sha256-modp2048 aes128-sha256 psk aggr
v1-am-psk r aes256-sha256-modp2048 aes128-sha256 psk aggr
v1-qm-pfs i aes128-sha256-modp2048 aes256-sha256-modp2048 psk main
v1-qm-pfs r aes128-sha256-modp2048 aes256-sha256-modp2048 psk main
v1-mm-rsa i aes128-sha256-modp2048 aes128-sha256 rsa main
v1-mm-rsa r aes128-sha256-modp2048 aes128-sha256 rsa main
EOF2
}

# The selected rows, numbered by their place in the list (N picks ikesim's address 127.0.7.N).
v1_selected() {
	ix_v1_rows | awk -v only="$IX_ONLY" '{ n++ } only == "" || $1 ~ only { print n, $0 }'
}

# charon's connections: IKEv1, Aggressive Mode where the row has it (its responder also needs
# i_dont_care_about_security_and_use_aggressive_mode_psk, which run.sh gives the reference charon).
v1_conns() {
	local ch=$1 n name role ike esp auth mode
	while read -r n name role ike esp auth mode; do
		# charon sends its certificate in IKEv1 only when asked by a CR: ikesim's MM3/MM4 carry one (no send_cert)
		IX_CONN_VERSION=1 IX_CONN_AGGRESSIVE=$([ "$mode" = aggr ] && echo yes || echo no) \
			IX_CONN_IKE_OPTS=$(printf '\tdpd_delay = 0\n\trekey_time = 0') \
			ix_conn "$name-$role" charon "$IX_CHARON_ADDR" "127.0.7.$n" "$IX_PEER_PORT" "$ike" "$esp" "$auth" rsa \
			"$IX_PSK" >>"$WORK/$ch/swanctl/swanctl.conf"
	done < <(v1_selected)
}

# Runs one row. Sets V1_RESULT (PASS/FAIL), V1_INFO, KEYS, WHY.
v1_run_one() {
	local n=$1 name=$2 role=$3 ike=$4 esp=$5 auth=$6 mode=$7
	local conn="$name-$role" addr="127.0.7.$1" dir="$WORK/cases/$2-$3" off rc=0 listed=no flags=(--ike 1)
	V1_RESULT=FAIL V1_INFO="" KEYS="-" WHY=""
	mkdir -p "$dir"
	flags+=(--pcap "$dir/ikesim.pcapng")
	[ "$mode" = aggr ] && flags+=(--aggressive)
	[ "$role" = i ] && flags+=(--initiate)
	off=$(stat -c %s "$WORK/ref/charon.log")
	start_ikesim "$dir" "$conn" ok "$ike" "$esp" "$auth" "$addr" "${flags[@]}"
	if [ "$role" = i ]; then
		while kill -0 "$PEER_PID" 2>/dev/null; do
			sa_listed ref "$conn" && { listed=yes; break; }
			sleep 0.05
		done
	elif wait_bound "$addr" "$IX_PEER_PORT" "$PEER_PID"; then
		SWAN ref --initiate --child "$conn" --timeout "$IX_TIMEOUT" >"$dir/initiate.out" 2>&1
		sa_listed ref "$conn" && listed=yes
		stop_peer
	fi
	wait "$PEER_PID"
	rc=$? PEER_PID=""
	log_since ref "$off" >"$dir/charon.log"
	v1_check "$dir" "$conn" "$rc" "$listed" "$role"
}

# Keys: SKEYID, SKEYID_d/a/e, Ka and the KEYMAT of both SPIs, by cookies, from both sides. Sets KEYS.
v1_keys() {
	local dir=$1
	awk -f "$HERE/v1_keys.awk" "$dir/trace.jsonl" >"$dir/keys.peer" 2>/dev/null
	awk -f "$HERE/v1_keys.awk" "$dir/charon.log" >"$dir/keys.charon" 2>/dev/null
	KEYS=$(awk '
		{ peer = FILENAME == ARGV[1] }
		peer && ck == "" { ck = $1 " " $2 }
		$1 " " $2 != ck { next }
		peer { p[$3] = $4; np++ }
		!peer { c[$3] = $4; nc++ }
		END {
			if (ck == "") { print "no keys from peer"; exit }
			if (nc == 0) { print "charon logged no keys for cookies " ck; exit }
			for (k in p) if (!(k in c) || c[k] != p[k]) { bad = bad sep k (k in c ? "" : "(missing)"); sep = "," }
			for (k in c) if (!(k in p)) { bad = bad sep k "(missing at peer)"; sep = "," }
			if (bad != "") print "MISMATCH: " bad; else print np "/" nc " equal"
		}' "$dir/keys.peer" "$dir/keys.charon")
}

# The row's verdict. charon's kernel-libipsec installs only UDP-encapsulated ESP SAs, and without IKEv1 NAT-T
# (RFC 3947, not in ikesim yet) the Quick Mode SA is plain ESP: charon completes Quick Mode, derives and logs
# the KEYMAT, then its SAD refuses the SA ("only UDP encapsulation is supported") and it sends a Delete
# (as responder) or N(NO-PROPOSAL-CHOSEN) (as initiator). A row passes when charon established the ISAKMP SA,
# Quick Mode completed on both sides with every key equal, and charon's IPsec SA is either established or
# refused for exactly that reason; ikesim must exit 0, or 1 naming charon's NO-PROPOSAL-CHOSEN as responder
# (charon, the Quick Mode initiator there, installs before QM3 and so never sends it: ikesim stops at QM2).
v1_check() {
	local dir=$1 conn=$2 rc=$3 listed=$4 role=$5 sad=no
	grep -Eq "IKE_SA $conn\[[0-9]+\] established" "$dir/charon.log" || why_add "charon did not establish the ISAKMP SA"
	grep -q 'IPsec SA: only UDP encapsulation is supported' "$dir/charon.log" && sad=yes
	if [ "$listed" != yes ] && ! grep -Eq "CHILD_SA $conn\{[0-9]+\} established" "$dir/charon.log" && [ "$sad" = no ]; then
		why_add "charon established no IPsec SA, and not for the libipsec reason this row documents"
	fi
	# charon as Quick Mode initiator installs before QM3 and, refused, sends no QM3: ikesim answered QM1 (KEYMAT derived)
	if [ "$role" = r ] && [ "$sad" = yes ]; then
		grep -q '"ev":"child_sa.state".*"transition":"r-start"' "$dir/trace.jsonl" || why_add "ikesim did not answer Quick Mode 1"
	else
		grep -q '"ev":"child_sa.state".*"to":"INSTALLED"' "$dir/trace.jsonl" || why_add "ikesim installed no IPsec SA"
	fi
	if [ "$rc" != 0 ] && ! { [ "$role" = r ] && [ "$sad" = yes ] && [ "$rc" = 1 ] && grep -q 'NO_PROPOSAL_CHOSEN' "$dir/ikesim.out"; }; then
		why_add "ikesim exit $rc: $(tail -n 1 "$dir/ikesim.out")"
	fi
	v1_keys "$dir"
	[[ $KEYS == *equal ]] && grep -q ' KEYMAT_I ' "$dir/keys.charon" || why_add "keys: $KEYS"
	V1_INFO="charon: $(grep -m1 -o 'selected proposal: IKE:[A-Z0-9_/]*' "$dir/charon.log" | sed 's/selected proposal: //'), $(grep -m1 -o 'selected proposal: ESP:[A-Z0-9_/]*' "$dir/charon.log" | sed 's/selected proposal: //')"
	[[ $conn == v1-am-* ]] && V1_INFO="$V1_INFO; AM3 $(grep -q '"ev":"ike.[rt]x","summary":"AGGRESSIVE request 0 \[ HASH \]","exchange":"AGGRESSIVE","msgid":0,"flags":"E"' "$dir/trace.jsonl" && echo encrypted || echo "in clear")"
	[ "$sad" = yes ] && V1_INFO="$V1_INFO; charon's SAD refused the IPsec SA: only UDP encapsulation (needs IKEv1 NAT-T)"
	v1_tshark "$dir"
	[ -z "$WHY" ] && V1_RESULT=PASS
}

# tshark with ikesim's ikev1_decryption_table (--pcap --reveal-keys) must decrypt every distinct encrypted ISAKMP
# message of the capture (both directions) to its HASH (or SIG) payload. A byte-identical repeat (a retransmission)
# counts once: tshark chains the exchange's IV through the first copy, so it cannot decrypt the second (its bytes
# were checked with the first). Skipped (noted) when tshark is missing.
v1_tshark() {
	local dir=$1 ws=$1/ws enc dec bad copies
	command -v tshark >/dev/null 2>&1 || { V1_INFO="$V1_INFO; tshark: not installed"; return 0; }
	mkdir -p "$ws"
	cp "$dir/ikesim.pcapng.ikev1_decryption_table" "$ws/ikev1_decryption_table" 2>/dev/null ||
		{ why_add "no ikev1_decryption_table beside the pcap"; return 0; }
	# ports other than 500 carry the non-ESP marker (RFC 3948): udpencap hands such datagrams to ISAKMP
	WIRESHARK_CONFIG_DIR=$ws tshark -r "$dir/ikesim.pcapng" -d "udp.port==$IX_PEER_PORT,udpencap" \
		-d "udp.port==$IX_PORT,udpencap" -Y "isakmp.flag_e==1" -T fields \
		-e udp.payload -e frame.number -e isakmp.hash -e isakmp.sig -e _ws.malformed >"$dir/tshark.out" 2>"$dir/tshark.err"
	# per distinct message: decrypted when one copy shows its HASH (or, MM5/MM6 with RSA, its SIG) payload;
	# malformed when its first copy is
	read -r enc dec bad copies < <(awk -F'\t' '{ n[$1]++; c++ } !($1 in first) { first[$1] = ($5 != "") }
		length($3) >= 40 || length($4) >= 40 { d[$1] = 1 }
		END { for (k in n) { u++; ok += (k in d); b += first[k] } print u + 0, ok + 0, b + 0, c - u }' "$dir/tshark.out")
	V1_INFO="$V1_INFO; tshark decrypted $dec/$enc encrypted ISAKMP messages"
	[ "$copies" -gt 0 ] && V1_INFO="$V1_INFO (+$copies retransmitted copies)"
	[ "$enc" -gt 0 ] && [ "$dec" = "$enc" ] && [ "$bad" = 0 ] || why_add "tshark decrypted $dec of $enc encrypted messages ($bad malformed)"
}

# Runs the selected rows and prints them; adds to passed/failed/skipped.
v1_run_all() {
	local n name role ike esp auth mode why=""
	if [ "$IX_PEER" != ikesim ]; then
		why="the self-test (IX_PEER=charon) runs no IKEv1 rows"
	elif ! "$IKESIM_BIN" peer --help 2>&1 | grep -q -- --aggressive; then
		why="$IKESIM_BIN peer has no --ike 1"
	fi
	while read -r n name role ike esp auth mode; do
		if [ -n "$why" ]; then
			V1_RESULT=SKIPPED V1_INFO="skipped: $why" KEYS="-" WHY=""
		else
			v1_run_one "$n" "$name" "$role" "$ike" "$esp" "$auth" "$mode"
		fi
		printf "$ROW" "$name" "$auth" "$ike" "$esp" "$(role_label "$role")" "$V1_RESULT" "$KEYS"
		case $V1_RESULT in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; *) skipped=$((skipped + 1)) ;; esac
		[ -n "$V1_INFO" ] && printf '    %s\n' "$V1_INFO"
		[ "$V1_RESULT" = FAIL ] && [ -n "$WHY" ] && printf '    %s\n' "$WHY"
	done < <(v1_selected)
}
