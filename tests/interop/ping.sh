# tests/interop/ping.sh: the ping rows of the interop run (sourced by run.sh after lib.sh, gen.sh, life.sh).
#
# ESP through charon: `ikesim peer --ping 10.1.0.1` sends ICMP echo requests through the CHILD SA as
# ESP-in-UDP (kernel-libipsec always encapsulates, see ../shared/notes/strongswan.md); charon decrypts them
# onto its TUN device, the namespace's own stack answers from 10.1.0.1 (on lo), kernel-libipsec's route
# takes the reply back into the tunnel, and ikesim counts it. ikesim's inner address 10.3.0.N is on no
# interface, so the reply can only go through the tunnel. Each row also captures with `--pcap
# --reveal-keys`, and tshark, given the emitted key tables, must show every echo request and reply inside
# the ESP packets with a good ICV. Meanwhile the namespace's ping(8) pings ikesim's inner address from
# 10.1.0.1 through the same CHILD SA: ikesim must answer, and the kernel must like its replies.

IX_PING_IKE=aes128gcm16-prfsha256-x25519
IX_PING_COUNT=${IX_PING_COUNT:-10}
IX_PING_INTERVAL=${IX_PING_INTERVAL:-0.05} # seconds between echo requests: a row takes about 1 s
IX_PING_DST=10.1.0.1                       # charon's selector address, on lo in the namespace
IX_KPING_COUNT=3                           # echo requests ping(8) sends to ikesim's inner address

# The rows, one a line: NAME ROLE ESP. ROLE i: ikesim initiates the IKE SA, r: charon does. p-ping-rekey:
# ikesim rekeys the CHILD SA 0.2 s into the pings; p-ping-ch-rekey: charon does, 1 s into 2 s of pings (ikesim
# answers the CREATE_CHILD_SA and sends on the new SA at once). Every request must be answered, the new SA used.
ix_ping_rows() {
	cat <<'EOF'
p-ping-gcm i aes128gcm16
p-ping-gcm r aes128gcm16
p-ping-cbc i aes128-sha256
p-ping-cbc r aes128-sha256
p-ping-rekey i aes128gcm16
p-ping-ch-rekey r aes128gcm16
p-natt i aes128gcm16
p-natt r aes128gcm16
p-mobike i aes128gcm16
p-mobike r aes128gcm16
EOF
}

# NAT-T rows (p-natt): ikesim runs with --natt-port (its row's port below), --encap (charon then sees NAT in front
# of ikesim too) and --keepalive 0.2. As initiator ikesim moves to its NAT-T port for IKE_AUTH and charon must
# follow; as responder charon moves to its port_nat_t and ikesim follows. Either way the capture must show the
# move and ikesim's keepalives (9-byte UDP datagrams), and the pings must pass on the moved SAs.
IX_NATT_PORT_BASE=4600
natt_port() { echo $((IX_NATT_PORT_BASE + $1)); }

# MOBIKE rows (p-mobike, RFC 4555): charon's connection has mobike = yes. ikesim->charon: ikesim initiates from
# 127.0.4.N and, 0.3 s into 1 s of pings, moves its sockets to 127.0.5.N (--move-to) and sends UPDATE_SA_ADDRESSES
# from there; charon must follow (--list-sas shows the new address). charon->ikesim: charon initiates from its own
# 127.0.6.N (added to lo for the row); 0.3 s into the pings that address is deleted, charon roams to the address the
# kernel now picks (127.0.0.1) and sends UPDATE_SA_ADDRESSES; ikesim must follow and pass its return routability
# check. Pings in the gap may be lost: one for ikesim's move, a few for charon's (it probes with DPD first).
IX_MOBIKE_AFTER=0.3

# How many echo requests ikesim sends in a row: 2 s of them where charon rekeys after 1 s, 1 s across a MOBIKE move.
ping_count() {
	case $1 in p-ping-ch-rekey) echo 40 ;; p-mobike) echo 20 ;; *) echo "$IX_PING_COUNT" ;; esac
}

# The selected rows, numbered by their place in the list (N picks ikesim's 127.0.4.N and inner 10.3.0.N).
ping_selected() {
	ix_ping_rows | awk -v only="$IX_ONLY" '{ n++ } only == "" || $1 ~ only { print n, $0 }'
}

# charon's connections for the selected rows: its peer's selector is the row's inner address.
ping_conns() {
	local ch=$1 n name role esp laddr
	while read -r n name role esp; do
		laddr=$IX_CHARON_ADDR
		if [ "$name-$role" = p-mobike-r ]; then
			laddr=127.0.6.$n
			ip -n "$NS" addr add "$laddr/32" dev lo
		fi
		IX_CONN_MOBIKE=$([ "$name" = p-mobike ] && echo yes || echo no) \
		IX_CONN_CHILD_OPTS=$([ "$name" = p-ping-ch-rekey ] && printf '\t\t\trekey_time = 1s\n\t\t\trand_time = 0\n\t\t\tlife_time = 30s') \
			IX_CONN_PEER_TS="10.3.0.$n/32" ix_conn "$name-$role" charon "$laddr" "127.0.4.$n" "$IX_PEER_PORT" \
			"$IX_PING_IKE" "$esp" psk rsa "$IX_PSK" >>"$WORK/$ch/swanctl/swanctl.conf"
	done < <(ping_selected)
}

# charon's packet counter of one direction ("in"/"out") of the CHILD SA with ikesim's SPI, from --list-sas.
ping_charon_packets() {
	awk -v dir="$2" -v spi="$3" '$1 == dir && $2 ~ "^" spi { for (i = 3; i < NF; i++) if ($(i + 1) ~ /^packets/) print $i }' "$1" |
		head -n 1
}

# tshark's view of the capture: "REQ REP BAD" = decrypted echo requests, replies, frames with a bad ICV or
# malformed. Empty when tshark is missing.
ping_tshark() {
	local dir=$1 ws=$1/ws out
	command -v tshark >/dev/null 2>&1 || return 0
	mkdir -p "$ws"
	cp "$dir/ikesim.pcapng.esp_sa" "$ws/esp_sa" 2>/dev/null
	cp "$dir/ikesim.pcapng.ikev2_decryption_table" "$ws/ikev2_decryption_table" 2>/dev/null
	out=$(WIRESHARK_CONFIG_DIR=$ws tshark -r "$dir/ikesim.pcapng" -o esp.enable_encryption_decode:TRUE \
		-o esp.enable_authentication_check:TRUE -d "udp.port==$IX_PEER_PORT,udpencap" \
		-d "udp.port==$(natt_port "${2:-0}"),udpencap" -d "udp.port==$IX_PORT_NATT,udpencap" \
		-T fields -e icmp.type -e esp.icv_bad -e esp.spi -e _ws.malformed 2>"$dir/tshark.err")
	echo "$out" >"$dir/tshark.out"
	# bad: an ICV that fails, or an ESP packet tshark cannot parse (a retransmitted IKEv1 message is
	# undecodable for tshark, whose IV chain went through the first copy: not ESP's business)
	awk -F'\t' '$1 == 8 { q++ } $1 == 0 { r++ } $2 == 1 || ($3 != "" && $4 != "") { b++ } END { print q + 0, r + 0, b + 0 }' "$dir/tshark.out"
}

# Runs one row. Sets PING_RESULT (PASS/FAIL), PING_INFO, KEYS, WHY.
ping_run_one() {
	local n=$1 name=$2 role=$3 esp=$4
	local conn="$name-$role" addr="127.0.4.$1" dir="$WORK/cases/$2-$3" off rc=0 i line spi_in spi_out cin cout ts
	local flags=(--ping "$IX_PING_DST" --count "$(ping_count "$name")" --interval "$IX_PING_INTERVAL" --pcap "$dir/ikesim.pcapng")
	PING_RESULT=FAIL PING_INFO="" KEYS="-" WHY=""
	mkdir -p "$dir"
	[ "$role" = i ] && flags=(--initiate "${flags[@]}")
	[ "$name" = p-ping-rekey ] && flags+=(--rekey-child-after 0.2)
	[ "$name" = p-natt ] && flags+=(--natt-port "$(natt_port "$n")" --encap --keepalive 0.2)
	local charon_addr=$IX_CHARON_ADDR
	[ "$conn" = p-mobike-i ] && flags+=(--move-to "127.0.5.$n" --move-after "$IX_MOBIKE_AFTER")
	[ "$conn" = p-mobike-r ] && charon_addr=127.0.6.$n
	off=$(stat -c %s "$WORK/ref/charon.log")
	PEER_TS="10.3.0.$n/32" IX_HOLD=1 IX_CHARON_ADDR=$charon_addr start_ikesim "$dir" "$conn" ok "$IX_PING_IKE" "$esp" psk "$addr" "${flags[@]}"
	PEER_TS=""
	if [ "$role" = r ] && wait_bound "$addr" "$IX_PEER_PORT" "$PEER_PID"; then
		SWAN ref --initiate --child "$conn" --timeout "$IX_TIMEOUT" >"$dir/initiate.out" 2>&1
		# charon's address goes away under it: the kernel tells charon, which roams (MOBIKE)
		[ "$conn" = p-mobike-r ] && { sleep "$IX_MOBIKE_AFTER"; ip -n "$NS" addr del "$charon_addr/32" dev lo; }
	fi
	# ikesim prints its ping line as soon as the last reply came (or the wait for it ended); its SAs stay up.
	for i in $(seq 1 100); do
		grep -q '^ping: ' "$dir/ikesim.out" 2>/dev/null && break
		kill -0 "$PEER_PID" 2>/dev/null || break
		sleep 0.05
	done
	SWAN ref --list-sas --ike "$conn" >"$dir/list.out" 2>&1
	# The other way: the namespace's stack pings ikesim (an initiator holds its SAs 1 s after its line).
	ip netns exec "$NS" ping -n -c "$IX_KPING_COUNT" -i 0.05 -W 1 -I "$IX_PING_DST" "10.3.0.$n" >"$dir/kping.out" 2>&1
	[ "$role" = r ] && stop_peer
	wait "$PEER_PID"
	rc=$? PEER_PID=""
	log_since ref "$off" >"$dir/charon.log"
	ping_check "$dir" "$conn" "$rc" "$name" "$n"
	[ "$name" = p-natt ] && natt_check "$dir" "$n" "$role"
	[ "$name" = p-mobike ] && mobike_check "$dir" "$n" "$role"
	[ -z "$WHY" ] || PING_RESULT=FAIL
}

# The MOBIKE row's own checks: ikesim moved and its update was answered; charon's IKE SA now has the new address.
mobike_check() {
	local dir=$1 n=$2 role=$3
	if [ "$role" = r ]; then
		grep -q 'INFORMATIONAL request [0-9]* \[ N(UPD_SA_ADDR)' "$dir/trace.jsonl" || why_add "no UPDATE_SA_ADDRESSES from charon"
		grep -q '"from":"127.0.6.'"$n"':[0-9]*","to":"127.0.0.1:[0-9]*","why":"UPDATE_SA_ADDRESSES' "$dir/trace.jsonl" ||
			why_add "ikesim did not follow charon from 127.0.6.$n"
		grep -q '"action":"rr-check-passed"' "$dir/trace.jsonl" || why_add "no return routability check passed"
		grep -q "local .* @ 127\.0\.0\.1\[" "$dir/list.out" || why_add "charon's IKE SA is not at 127.0.0.1: $(grep -m1 local "$dir/list.out")"
		PING_INFO="$PING_INFO; MOBIKE: charon roamed from 127.0.6.$n, $(grep -m1 -o "local *'[^']*' @ [^ ]*" "$dir/list.out")"
		return
	fi
	grep -q '"ev":"peer.moved","to":"127.0.5.'"$n"'","updates":1' "$dir/trace.jsonl" || why_add "ikesim did not move"
	grep -q 'INFORMATIONAL request 2 \[ N(UPD_SA_ADDR) N(NATD_S_IP) N(NATD_D_IP) N(NO_ADD_ADDR) N(COOKIE2) \]' "$dir/trace.jsonl" ||
		why_add "no UPDATE_SA_ADDRESSES in ikesim's trace"
	grep -q '"action":"update-answered"' "$dir/trace.jsonl" || why_add "charon did not answer the update"
	grep -q "IKE_AUTH response 1 .*N(MOBIKE_SUP)" "$dir/trace.jsonl" || why_add "charon did not offer MOBIKE"
	grep -q "127\.0\.5\.$n\[" "$dir/list.out" || why_add "charon's IKE SA is not at 127.0.5.$n: $(grep -m1 remote "$dir/list.out")"
	PING_INFO="$PING_INFO; MOBIKE: moved to 127.0.5.$n, charon's SA: $(grep -m1 -o "remote '[^']*' @ [^ ]*" "$dir/list.out")"
}

# The NAT-T row's own checks: who moved where (ikesim's trace and capture), keepalives on the wire.
natt_check() {
	local dir=$1 n=$2 role=$3 q ka moved
	q=$(natt_port "$n")
	ka=$(grep -c '"ev":"ike.keepalive"' "$dir/trace.jsonl")
	[ "$ka" -ge 1 ] || why_add "ikesim sent no keepalive"
	if [ "$role" = i ]; then
		grep -q "\"local-to\":\"127.0.4.$n:$q\"" "$dir/trace.jsonl" || why_add "ikesim did not move to port $q"
		grep -q "IKE_AUTH request 1 .*\"from\":\"127.0.4.$n:$q\"" "$dir/trace.jsonl" || why_add "IKE_AUTH not sent from port $q"
	else
		grep -q "IKE_AUTH request on the NAT-T ports" "$dir/trace.jsonl" || why_add "ikesim did not follow charon to port $IX_PORT_NATT"
	fi
	if command -v tshark >/dev/null 2>&1; then
		# datagrams from the NAT-T side of the move, and ikesim's keepalives (UDP length 8 + 1)
		if [ "$role" = i ]; then
			moved=$(tshark -r "$dir/ikesim.pcapng" -Y "udp.srcport==$q" 2>/dev/null | wc -l)
		else
			moved=$(tshark -r "$dir/ikesim.pcapng" -Y "udp.srcport==$IX_PORT_NATT" 2>/dev/null | wc -l)
		fi
		ka=$(tshark -r "$dir/ikesim.pcapng" -Y "udp.length==9" 2>/dev/null | wc -l)
		[ "$moved" -ge 2 ] || why_add "capture: $moved datagrams from the moved port"
		[ "$ka" -ge 1 ] || why_add "capture: no keepalive"
		PING_INFO="$PING_INFO; NAT-T: $moved datagrams from the moved port, $ka keepalives in the capture"
	fi
}

# The row's verdict: ikesim's exit and ping line, charon's CHILD SA counters, tshark's decryption, keys.
ping_check() {
	local dir=$1 conn=$2 rc=$3 name=$4 n=${5:-0} line spi_in spi_out cin cout ts q r b sas kp count want got
	count=$(ping_count "$name") want=$count
	line=$(grep -m1 '^ping: ' "$dir/ikesim.out")
	got=$(sed -n 's/^ping: [0-9]* sent, \([0-9]*\) answered.*/\1/p' <<<"$line")
	# p-mobike: packets of the gap go to the old address, which is gone (RFC 4555's gap): up to 3 of 20 may be
	# lost, and ikesim then exits 1
	if [ "$name" = p-mobike ] && [ "${got:-0}" -ge $((count - 3)) ] && [[ $line == "ping: $count sent, "* ]]; then
		[ "$got" = "$count" ] || [ "$rc" = 1 ] || why_add "ikesim exit $rc"
	else
		[ "$rc" = 0 ] || why_add "ikesim exit $rc$([ -s "$dir/ikesim.out" ] && echo ": $(tail -n 1 "$dir/ikesim.out")")"
		[[ $line == "ping: $count sent, $count answered"* ]] || why_add "ikesim: ${line:-no ping line}"
		got=$count
	fi
	grep -Eq "CHILD_SA $conn\{[0-9]+\} established" "$dir/charon.log" || why_add "charon did not establish $conn"
	# charon's view: the (last) CHILD SA with ikesim's SPIs counted every request in and every reply out; after
	# a rekey the new one carried some (ikesim installed two CHILD SAs and removed the old one).
	sas=$(grep -c '"ev":"esp.sa","action":"installed"' "$dir/trace.jsonl")
	case $name in *-rekey | p-mobike)
		want=1
		[ "$sas" -ge 2 ] && grep -q '"ev":"esp.sa","action":"removed"' "$dir/trace.jsonl" ||
			why_add "ikesim installed $sas CHILD SAs (want 2 or more, an old one removed)"
		;;
	esac
	spi_in=$(grep '"ev":"esp.sa","action":"installed"' "$dir/trace.jsonl" | tail -n 1 | grep -o '"spi-in":"[^"]*"' | cut -d'"' -f4)
	spi_out=$(grep '"ev":"esp.sa","action":"installed"' "$dir/trace.jsonl" | tail -n 1 | grep -o '"spi-out":"[^"]*"' | cut -d'"' -f4)
	cin=$(ping_charon_packets "$dir/list.out" in "${spi_out: -8}") cout=$(ping_charon_packets "$dir/list.out" out "${spi_in: -8}")
	[ "${cin:-0}" -ge "$want" ] && [ "${cout:-0}" -ge "$want" ] ||
		why_add "charon's CHILD SA counted ${cin:-?} packets in, ${cout:-?} out (want $want)"
	# ping(8) from the namespace: every request answered by ikesim, the replies accepted by the kernel
	kp=$(grep -Eo '[0-9]+ received' "$dir/kping.out" | cut -d' ' -f1)
	[ "${kp:-0}" = "$IX_KPING_COUNT" ] || why_add "ping(8) to 10.3.0.x: ${kp:-0} of $IX_KPING_COUNT answered ($(tail -n 2 "$dir/kping.out" | head -n 1))"
	grep -Fq "\"echo-requests-answered\":$IX_KPING_COUNT" "$dir/trace.jsonl" || why_add "ikesim did not answer $IX_KPING_COUNT echo requests"
	ts=$(ping_tshark "$dir" "$n")
	if [ -n "$ts" ]; then
		read -r q r b <<<"$ts"
		# ikesim's requests and ping(8)'s, and the replies to both
		[ "$q" = $((count + IX_KPING_COUNT)) ] && [ "$r" = $((got + IX_KPING_COUNT)) ] && [ "$b" = 0 ] ||
			why_add "tshark decrypted $q echo requests and $r replies, $b bad (want $((count + IX_KPING_COUNT)) and $((got + IX_KPING_COUNT)), 0 bad)"
		ts="tshark decrypted $q requests + $r replies"
	else
		ts="tshark missing: capture not decoded"
	fi
	if [[ $name == *-rekey ]]; then
		life_keys "$dir" 1 2
		[[ $KEYS == *equal* ]] || why_add "keys: $KEYS"
	else
		check_keys "$dir"
		[[ $KEYS == *equal ]] || why_add "keys: $KEYS"
	fi
	PING_INFO="${line#ping: }; ping(8) from the namespace: ${kp:-0}/$IX_KPING_COUNT answered by ikesim; charon's $([ "$sas" -ge 2 ] && echo "newest ")CHILD SA: $cin packets in, $cout out; $ts"
	[ -z "$WHY" ] && PING_RESULT=PASS
}

# Runs the selected rows and prints them; adds to passed/failed/skipped.
ping_run_all() {
	local n name role esp why=""
	if [ "$IX_PEER" != ikesim ]; then
		why="the self-test (IX_PEER=charon) has no ikesim to ping with"
	elif ! "$IKESIM_BIN" peer --help 2>&1 | grep -q -- --ping; then
		why="$IKESIM_BIN peer has no --ping"
	fi
	while read -r n name role esp; do
		if [ -n "$why" ]; then
			PING_RESULT=SKIPPED PING_INFO="skipped: $why" KEYS="-" WHY=""
		else
			ping_run_one "$n" "$name" "$role" "$esp"
		fi
		printf "$ROW" "$name" psk "$IX_PING_IKE" "$esp" "$(role_label "$role")" "$PING_RESULT" "$KEYS"
		case $PING_RESULT in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; *) skipped=$((skipped + 1)) ;; esac
		[ -n "$PING_INFO" ] && printf '    %s\n' "$PING_INFO"
		[ "$PING_RESULT" = FAIL ] && [ -n "$WHY" ] && printf '    %s\n' "$WHY"
	done < <(ping_selected)
}
