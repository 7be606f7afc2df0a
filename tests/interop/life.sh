# tests/interop/life.sh: the lifecycle rows of the interop run (sourced by run.sh after lib.sh and gen.sh).
#
# After IKE_AUTH: ikesim rekeys the CHILD SA (with and without PFS), rekeys the IKE SA, deletes it, or sends
# liveness checks, on its own timed actions (--rekey-child-after ...); charon rekeys and checks liveness
# from short rekey_time / dpd_delay while ikesim answers, in both IKE roles; and IKE_AUTH with an RSA
# certificate chain crosses in RFC 7383 fragments (a second charon with a small fragment_size). Each row
# checks both sides' outcome, what charon lists afterwards, and that every IKE and CHILD SA ikesim keyed,
# rekeyed ones included, has the same keys in charon's log (matched by IKE SPIs and the CHILD SA's SPIs).

IX_LIFE_IKE=aes128gcm16-prfsha256-x25519
# The fragmentation rows' charon: its own ports, and fragment_size (an IP datagram's size, charon.conf).
IX_FRAG_PORT=4512
IX_FRAG_PORT_NATT=4513
IX_FRAG_SIZE=${IX_FRAG_SIZE:-512}
IX_LIFE_WAIT=${IX_LIFE_WAIT:-4} # seconds a row waits for the rekey, delete or liveness check it is about
IX_STRICT=${IX_STRICT:-}        # 1: a row whose engine part is missing fails instead of being skipped

# The rows, one a line: NAME ROLE ESP AUTH. ROLE i: ikesim initiates the IKE SA, r: charon does.
# l-* names: l-child/l-ike/l-delete = ikesim acts, l-ch-* = charon acts, l-ik-dpd = ikesim's DPD.
ix_life_rows() {
	cat <<'EOF'
l-child-rekey i aes256-sha256 psk
l-child-pfs i aes128gcm16-x25519 psk
l-child-pfs-modp i aes256-sha256-modp2048 psk
l-ike-rekey i aes128gcm16 psk
l-delete i aes128gcm16 psk
l-ch-child-rekey r aes128gcm16 psk
l-ch-child-rekey i aes128gcm16-x25519 psk
l-ch-ike-rekey r aes128gcm16 psk
l-ch-ike-rekey i aes128gcm16 psk
l-ch-dpd r aes128gcm16 psk
l-ch-dpd i aes128gcm16 psk
l-ik-dpd i aes128gcm16 psk
l-ik-dpd r aes128gcm16 psk
l-frag-chain i aes128gcm16 chain
l-frag-chain r aes128gcm16 chain
EOF
}

# The selected rows, numbered by their place in the full list (the number picks the peer's 127.0.3.N).
life_selected() {
	ix_life_rows | awk -v only="$IX_ONLY" '{ n++ } only == "" || $1 ~ only { print n, $0 }'
}

# Which charon a row talks to: the fragmentation rows have their own.
life_charon() { case $1 in l-frag-*) echo frag ;; *) echo ref ;; esac; }

# charon's connection lines for a row (replacing gen.sh's lifetime/DPD defaults): short lifetimes when
# charon is the one to rekey (rand_time 0: exactly 1 s after the SA came up), DPD after 1 s idle.
life_ike_opts() {
	case $1 in
	l-ch-ike-rekey) printf '\trekey_time = 1s\n\trand_time = 0\n\tover_time = 30s\n\tdpd_delay = 0' ;;
	l-ch-dpd) printf '\tdpd_delay = 1s\n\trekey_time = 0' ;;
	*) printf '\tdpd_delay = 0\n\trekey_time = 0' ;;
	esac
}
life_child_opts() {
	case $1 in
	l-ch-child-rekey) printf '\t\t\trekey_time = 1s\n\t\t\trand_time = 0\n\t\t\tlife_time = 30s' ;;
	*) printf '\t\t\trekey_time = 0' ;;
	esac
}

# charon's connections for the selected rows of charon CH (ref or frag), appended to its swanctl.conf.
life_conns() {
	local ch=$1 n name role esp auth set
	while read -r n name role esp auth; do
		[ "$(life_charon "$name")" = "$ch" ] || continue
		set=$([ "$auth" = chain ] && echo chain || echo rsa)
		IX_CONN_IKE_OPTS=$(life_ike_opts "$name") IX_CONN_CHILD_OPTS=$(life_child_opts "$name") \
			ix_conn "$name-$role" charon "$IX_CHARON_ADDR" "127.0.3.$n" "$IX_PEER_PORT" "$IX_LIFE_IKE" "$esp" \
			"$([ "$auth" = chain ] && echo rsa || echo "$auth")" "$set" "$IX_PSK" >>"$WORK/$ch/swanctl/swanctl.conf"
	done < <(life_selected)
}

# A root CA, an intermediate CA and the two end entities under it (openssl CLI): DIR/ca.pem, im.pem,
# NAME.pem (end entity alone), NAME.chain.pem (end entity then intermediate), NAME.key.
life_chain_certs() {
	local dir=$1 name key="-algorithm RSA -pkeyopt rsa_keygen_bits:2048"
	mkdir -p "$dir"
	{
		openssl genpkey $key -out "$dir/ca.key" &&
			openssl req -x509 -new -key "$dir/ca.key" -subj "/O=ikesim interop/CN=chain root CA" -days 2 \
				-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out "$dir/ca.pem" &&
			openssl genpkey $key -out "$dir/im.key" &&
			openssl req -new -key "$dir/im.key" -subj "/O=ikesim interop/CN=chain intermediate CA" -out "$dir/im.csr" &&
			openssl x509 -req -in "$dir/im.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
				-extfile <(printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n') \
				-out "$dir/im.pem"
	} >"$dir/openssl.log" 2>&1 || return 1
	for name in charon.test ikesim.test; do
		{ openssl genpkey $key -out "$dir/$name.key" &&
			openssl req -new -key "$dir/$name.key" -subj "/O=ikesim interop/CN=$name" -out "$dir/$name.csr" &&
			openssl x509 -req -in "$dir/$name.csr" -CA "$dir/im.pem" -CAkey "$dir/im.key" -CAcreateserial -days 2 \
				-extfile <(printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n' "$name") -out "$dir/$name.pem"; } \
			>>"$dir/openssl.log" 2>&1 || return 1
		cat "$dir/$name.pem" "$dir/im.pem" >"$dir/$name.chain.pem"
	done
}

# Starts the fragmentation rows' charon once: fragment_size small, the chain's root trusted, its own
# certificate and the intermediate (which it sends along) loaded. 1 with LIFE_WHY when it cannot.
LIFE_FRAG_STATE=""
life_frag_up() {
	[ "$LIFE_FRAG_STATE" = up ] && return 0
	[ -z "$LIFE_FRAG_STATE" ] || return 1
	LIFE_FRAG_STATE=failed
	local c=$WORK/certs/chain s
	life_chain_certs "$c" || { LIFE_WHY="could not make the certificate chain (see $c/openssl.log)"; return 1; }
	ix_charon_start frag "$IX_FRAG_PORT" "$IX_FRAG_PORT_NATT" "	fragment_size = $IX_FRAG_SIZE" ||
		{ LIFE_WHY=$IX_SKIP_REASON; return 1; }
	s=$WORK/frag/swanctl
	cp "$c/ca.pem" "$s/x509ca/chain-ca.pem"
	cp "$c/im.pem" "$s/x509/chain-im.pem"
	cp "$c/charon.test.pem" "$s/x509/chain-charon.pem"
	cp "$c/charon.test.key" "$s/private/chain-charon.key"
	: >"$s/swanctl.conf"
	life_conns frag
	SWAN frag --load-all >"$WORK/frag/load.log" 2>&1 || { LIFE_WHY="swanctl --load-all failed for the frag charon"; return 1; }
	LIFE_FRAG_STATE=up
}

# ikesim's flags for a row: the timed action or lifetime it is about (--hold/--initiate come from the caller).
life_flags() {
	case $1 in
	l-child-*) echo --rekey-child-after 0.2 ;;
	l-ike-rekey) echo --rekey-ike-after 0.2 ;;
	l-delete) echo --delete-after 0.2 ;;
	l-ik-dpd) echo --dpd-delay 0.5 ;;
	l-frag-*) echo --fragment-size "$IX_FRAG_SIZE" ;;
	esac
}

# 0 once the row's charon log slice shows what the row waits for.
life_done() {
	local name=$1 conn=$2 log=$3
	case $name in
	l-child-* | l-ch-child-rekey) grep -Eq "CHILD_SA $conn\{[0-9]+\} state change: DELETING => DELETED" "$log" ;;
	l-ike-rekey | l-ch-ike-rekey)
		grep -Eq "IKE_SA $conn\[[0-9]+\] rekeyed between" "$log" &&
			grep -Eq "IKE_SA $conn\[[0-9]+\] state change: DELETING => DESTROYING" "$log"
		;;
	l-delete) grep -Eq "IKE_SA $conn\[[0-9]+\] state change: DELETING => DESTROYING" "$log" ;;
	l-ch-dpd) grep -Eq 'parsed INFORMATIONAL response [0-9]+ \[ \]' "$log" ;;
	l-ik-dpd) grep -Eq 'generating INFORMATIONAL response [0-9]+ \[ \]' "$log" ;;
	*) grep -Eq "CHILD_SA $conn\{[0-9]+\} established" "$log" ;;
	esac
}

# Runs one row. Sets LIFE_RESULT (PASS, FAIL, SKIPPED), LIFE_INFO, KEYS, WHY.
life_run_one() {
	local n=$1 name=$2 role=$3 esp=$4 auth=$5
	local conn="$name-$role" addr="127.0.3.$1" dir="$WORK/cases/$name-$role" ch off rc=0 hold=0.8 own=yes i flags
	local wait_s=$IX_LIFE_WAIT
	ch=$(life_charon "$name")
	LIFE_RESULT=FAIL LIFE_INFO="" KEYS="-" WHY="" LIFE_WHY=""
	mkdir -p "$dir"
	if [ "$ch" = frag ] && ! life_frag_up; then
		WHY="frag charon: ${LIFE_WHY:-not started}"
		return
	fi
	read -r -a flags <<<"$(life_flags "$name")"
	# Rows where charon acts (or ikesim's DPD runs) end by SIGTERM once the log shows it; the rest end on their own.
	case $name in l-ch-* | l-ik-dpd) own=no hold=$IX_TIMEOUT ;; l-frag-*) hold=0.3 ;; esac
	[ "$role" = i ] && flags=(--initiate "${flags[@]}")
	off=$(stat -c %s "$WORK/$ch/charon.log")
	PEER_SET=$([ "$auth" = chain ] && echo chain) PEER_REMOTE_PORT=$([ "$ch" = frag ] && echo "$IX_FRAG_PORT")
	IX_HOLD=$hold start_ikesim "$dir" "$conn" ok "$IX_LIFE_IKE" "$esp" "$([ "$auth" = chain ] && echo rsa || echo "$auth")" \
		"$addr" "${flags[@]}"
	PEER_SET="" PEER_REMOTE_PORT=""
	if [ "$role" = r ] && wait_bound "$addr" "$IX_PEER_PORT" "$PEER_PID"; then
		SWAN "$ch" --initiate --child "$conn" --timeout "$IX_TIMEOUT" >"$dir/initiate.out" 2>&1
	fi
	# Wait for the rekey, delete or liveness check (ikesim's DPD: 2 s, a row skipped while the engine lacks
	# it should not cost more); then note what charon lists (the new SAs' SPIs).
	[ "$name" = l-ik-dpd ] && wait_s=2
	for i in $(seq 1 $((wait_s * 20))); do
		log_since "$ch" "$off" >"$dir/charon.log"
		life_done "$name" "$conn" "$dir/charon.log" && break
		kill -0 "$PEER_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ "$name" = l-delete ]; then
		wait "$PEER_PID"
		rc=$? PEER_PID=""
	fi
	SWAN "$ch" --list-sas --ike "$conn" >"$dir/list.out" 2>&1
	if [ -n "$PEER_PID" ]; then
		[ "$own" = yes ] && [ "$role" = i ] || stop_peer
		wait "$PEER_PID"
		rc=$? PEER_PID=""
	fi
	log_since "$ch" "$off" >"$dir/charon.log"
	life_check "$name" "$conn" "$role" "$dir" "$rc" "$esp"
}

# Who acts in a row: charon in the l-ch-* rows, else ikesim.
life_actor() { case $1 in l-ch-*) echo charon ;; *) echo ikesim ;; esac; }

# Adds one reason to WHY.
why_add() { WHY="${WHY:+$WHY; }$1"; }

# The last `ev` event's string field F in the trace ("" if none).
tr_last() { grep -F "\"ev\":\"$2\"" "$1" | tail -n 1 | grep -o "\"$3\":\"[^\"]*\"" | head -n 1 | cut -d'"' -f4; }

# The row's verdict from ikesim's exit, trace, charon's log and --list-sas, and the key comparison.
life_check() {
	local name=$1 conn=$2 role=$3 dir=$4 rc=$5 esp=$6 tr=$4/trace.jsonl log=$4/charon.log
	local peer_ok=yes charon_ok=yes min_ike=1 min_child=1 a b pfs missing=""
	[ "$rc" = 0 ] || { peer_ok=no; why_add "ikesim exit $rc$([ -s "$dir/ikesim.out" ] && echo ": $(tail -n 1 "$dir/ikesim.out")")"; }
	grep -Eq "IKE_SA $conn\[[0-9]+\] established" "$log" || { charon_ok=no; why_add "charon did not establish $conn"; }
	case $name in
	l-child-* | l-ch-child-rekey)
		min_child=2
		a=$(tr_last "$tr" child_sa.rekeyed spi-in) b=$(tr_last "$tr" child_sa.rekeyed spi-out) pfs=$(tr_last "$tr" child_sa.rekeyed pfs)
		[ -n "$a" ] || { peer_ok=no; why_add "ikesim's trace has no child_sa.rekeyed"; }
		grep -Eq "CHILD_SA $conn\{[0-9]+\} state change: DELETING => DELETED" "$log" ||
			{ charon_ok=no; why_add "charon did not delete the old CHILD SA"; }
		# charon lists the new CHILD SA: its inbound SPI is ikesim's outbound one.
		grep -Eq "^ +in +$b," "$dir/list.out" && grep -Eq "^ +out +$a," "$dir/list.out" && grep -q INSTALLED "$dir/list.out" ||
			{ charon_ok=no; why_add "charon does not list the new CHILD SA ${b:-?}/${a:-?} INSTALLED"; }
		life_pfs_check "$esp" "$pfs" "$log"
		LIFE_INFO="CHILD SA rekeyed (PFS ${pfs:-?}, by $(life_actor "$name")); charon lists in $b out $a"
		;;
	l-ike-rekey | l-ch-ike-rekey)
		min_ike=2
		a=$(tr_last "$tr" ike_sa.rekeyed initiator-spi) b=$(tr_last "$tr" ike_sa.rekeyed responder-spi)
		[ -n "$a" ] || { peer_ok=no; why_add "ikesim's trace has no ike_sa.rekeyed"; }
		grep -Eq "IKE_SA $conn\[[0-9]+\] rekeyed between" "$log" || { charon_ok=no; why_add "charon logged no IKE rekey"; }
		grep -Eq "^$conn: #[0-9]+, ESTABLISHED, IKEv2, ${a}_i\*? ${b}_r" "$dir/list.out" && grep -q INSTALLED "$dir/list.out" ||
			{ charon_ok=no; why_add "charon does not list the new IKE SA ${a:-?}_i ${b:-?}_r ESTABLISHED with its CHILD SA"; }
		LIFE_INFO="IKE SA rekeyed (by $(life_actor "$name")) to ${a}_i ${b}_r, CHILD SA moved; charon lists it"
		;;
	l-delete)
		grep -Fq '"transition":"delete-sent"' "$tr" || { peer_ok=no; why_add "ikesim's trace has no delete-sent"; }
		grep -Eq "received DELETE for IKE_SA $conn\[[0-9]+\]" "$log" && grep -q 'IKE_SA deleted' "$log" ||
			{ charon_ok=no; why_add "charon logged no received DELETE"; }
		grep -q "^$conn:" "$dir/list.out" && { charon_ok=no; why_add "charon still lists $conn"; }
		LIFE_INFO="IKE SA deleted by ikesim; charon: received DELETE, IKE_SA deleted, lists nothing"
		;;
	l-ch-dpd)
		grep -q 'sending DPD request' "$log" && grep -Eq 'parsed INFORMATIONAL response [0-9]+ \[ \]' "$log" ||
			{ charon_ok=no; why_add "charon sent no DPD request or got no answer"; }
		grep -Eq '"ev":"ike.rx","summary":"INFORMATIONAL request [0-9]+ \[ \]"' "$tr" &&
			grep -Eq '"ev":"ike.tx","summary":"INFORMATIONAL response [0-9]+ \[ \]"' "$tr" ||
			{ peer_ok=no; why_add "ikesim's trace shows no liveness check answered"; }
		LIFE_INFO="charon's DPD: $(grep -c 'sending DPD request' "$log") request(s), answered by ikesim"
		;;
	l-ik-dpd)
		if ! grep -Eq '"ev":"ike.tx","summary":"INFORMATIONAL request [0-9]+ \[ \]"' "$tr" && ! grep -Fq '"ev":"dpd"' "$tr"; then
			missing="engine lacks DPD initiation (--dpd-delay 0.5 sent no liveness check)"
		fi
		grep -Eq 'parsed INFORMATIONAL request [0-9]+ \[ \]' "$log" && grep -Eq 'generating INFORMATIONAL response [0-9]+ \[ \]' "$log" ||
			{ charon_ok=no; why_add "charon answered no liveness check"; }
		grep -Eq '"ev":"ike.rx","summary":"INFORMATIONAL response [0-9]+ \[ \]"' "$tr" ||
			{ peer_ok=no; why_add "ikesim's trace has no answer to its liveness check"; }
		grep -Fq '"ev":"dpd"' "$tr" && grep -Fq '"action":"sent"' "$tr" || why_add "ikesim's trace has no dpd sent event"
		LIFE_INFO="ikesim's DPD answered by charon"
		;;
	l-frag-*)
		grep -Eq '"ev":"ike.tx","summary":"IKE_SA_INIT [a-z]+ 0 \[[^]]*N\(FRAG_SUP\)' "$tr" ||
			missing="engine lacks RFC 7383 fragmentation (ikesim announced no IKEV2_FRAGMENTATION_SUPPORTED)"
		grep -Fq '"ev":"ike.frag"' "$tr" && grep -Fq '"action":"split"' "$tr" && grep -Fq '"action":"reassembled"' "$tr" ||
			{ peer_ok=no; why_add "ikesim's trace lacks ike.frag split and reassembled"; }
		grep -Eq 'splitting IKE message .* into [0-9]+ fragments' "$log" && grep -q 'reassembled fragmented IKE message' "$log" ||
			{ charon_ok=no; why_add "charon's log lacks splitting and reassembling IKE_AUTH"; }
		grep -Eq "CHILD_SA $conn\{[0-9]+\} established" "$log" || { charon_ok=no; why_add "charon has no CHILD SA"; }
		# Both IKE_AUTH messages carry the chain: end entity and intermediate, two CERT payloads.
		grep -Eq '"ev":"ike.frag","action":"split","exchange":"IKE_AUTH"[^}]*"summary":"IKE_AUTH [a-z]+ 1 \[[^]]*CERT [^]]*CERT ' "$tr" ||
			{ peer_ok=no; why_add "ikesim did not send its certificate chain (two CERT payloads) in fragments"; }
		grep -Eq "generating IKE_AUTH [a-z]+ 1 \[[^]]*CERT CERT " "$log" || { charon_ok=no; why_add "charon did not send its chain"; }
		LIFE_INFO="IKE_AUTH with an RSA chain: charon split it into $(grep -Eo 'into [0-9]+ fragments' "$log" | head -n 1 | cut -d' ' -f2) fragments, ikesim into $(grep -F '"action":"split"' "$tr" | grep -o '"fragments":[0-9]*' | head -n 1 | cut -d: -f2)"
		;;
	esac
	life_keys "$dir" "$min_ike" "$min_child"
	[[ $KEYS == *equal* ]] || why_add "keys: $KEYS"
	if [ -n "$missing" ] && [ -z "$IX_STRICT" ]; then
		LIFE_RESULT=SKIPPED LIFE_INFO="skipped: $missing"
	elif [ -z "$WHY" ] && [ "$peer_ok" = yes ] && [ "$charon_ok" = yes ]; then
		LIFE_RESULT=PASS
	else
		[ -n "$missing" ] && why_add "$missing"
		LIFE_RESULT=FAIL
	fi
}

# PFS rows: ikesim's child_sa.rekeyed names the group in ESP's proposal (none without one), and so does
# charon's selected proposal for the CREATE_CHILD_SA.
life_pfs_check() {
	local esp=$1 pfs=$2 log=$3 want
	case $esp in *-x25519) want=CURVE_25519 ;; *-modp2048) want=MODP_2048 ;; *) want=none ;; esac
	[ "$pfs" = "$want" ] || why_add "ikesim's rekey had PFS '${pfs:-?}', not $want"
	if [ "$want" != none ]; then
		grep -Eq "selected proposal: ESP:[^ ]*/$want" "$log" || why_add "charon selected no ESP proposal with $want"
	elif grep -Eq 'selected proposal: ESP:[^ ]*/(CURVE|MODP|ECP)_' "$log"; then
		why_add "charon selected a DH group without PFS"
	fi
}

# Every key ikesim has (all its IKE SAs and CHILD SAs, rekeyed ones too) against charon's for the same
# SPIs; charon's keys of those IKE SAs must all be in ikesim's trace too. At least MIN_IKE IKE SAs and
# MIN_CHILD CHILD SAs must be compared. Sets KEYS ("31/31 equal, 2 IKE SAs, 2 CHILD SAs" or why not).
life_keys() {
	local dir=$1
	awk -f "$HERE/trace_keys.awk" "$dir/trace.jsonl" >"$dir/keys.peer" 2>/dev/null
	awk -f "$HERE/charon_keys.awk" "$dir/charon.log" "$dir/list.out" >"$dir/keys.charon"
	KEYS=$(awk -v min_ike="$2" -v min_child="$3" '
		FILENAME == ARGV[1] {
			p[$1 " " $2 " " $3] = $4; ike[$1 " " $2] = 1; np++
			if ($3 ~ /#/) { t = $3; sub(/^[^#]*#/, "", t); child[t] = 1 }
			next
		}
		{ c[$1 " " $2 " " $3] = $4 }
		END {
			if (np == 0) { print "no keys from ikesim"; exit }
			for (k in p) {
				if (k ~ /#\?$/) { bad = bad sep k "(no CHILD SA)"; sep = "," }
				else if (!(k in c)) { bad = bad sep k "(missing at charon)"; sep = "," }
				else if (c[k] != p[k]) { bad = bad sep k; sep = "," }
			}
			for (k in c) { split(k, f, " "); if ((f[1] " " f[2]) in ike && !(k in p)) { bad = bad sep k "(missing at ikesim)"; sep = "," } }
			for (s in ike) ni++
			for (t in child) nc++
			if (bad != "") { print "MISMATCH: " bad; exit }
			if (ni < min_ike || nc < min_child) { print "only " ni " IKE / " nc " CHILD SAs keyed (want " min_ike "/" min_child ")"; exit }
			print np "/" np " equal, " ni " IKE SA" (ni > 1 ? "s" : "") ", " nc " CHILD SA" (nc > 1 ? "s" : "")
		}' "$dir/keys.peer" "$dir/keys.charon")
}

# Runs the selected rows and prints them; adds to passed/failed/skipped.
life_run_all() {
	local n name role esp auth why=""
	if [ "$IX_PEER" != ikesim ]; then
		why="the self-test (IX_PEER=charon) has no ikesim lifecycle actions"
	elif ! "$IKESIM_BIN" peer --help 2>&1 | grep -q -- --rekey-child-after; then
		why="$IKESIM_BIN peer has no lifecycle flags"
	fi
	while read -r n name role esp auth; do
		if [ -n "$why" ]; then
			LIFE_RESULT=SKIPPED LIFE_INFO="skipped: $why" KEYS="-" WHY=""
		else
			life_run_one "$n" "$name" "$role" "$esp" "$auth"
		fi
		printf "$ROW" "$name" "$([ "$auth" = chain ] && echo rsa-chain || echo "$auth")" "$IX_LIFE_IKE" "$esp" \
			"$(role_label "$role")" "$LIFE_RESULT" "$KEYS"
		case $LIFE_RESULT in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; *) skipped=$((skipped + 1)) ;; esac
		[ "$LIFE_RESULT" != FAIL ] && [ -n "$LIFE_INFO" ] && printf '    %s\n' "$LIFE_INFO"
		[ "$LIFE_RESULT" = FAIL ] && [ -n "$WHY" ] && printf '    %s\n' "$WHY"
	done < <(life_selected)
}
