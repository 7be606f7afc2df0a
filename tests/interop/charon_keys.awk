# tests/interop/charon_keys.awk: pulls the derived keys out of a charon log written with ike=4, chd=4.
# Prints one line per key: SPIi SPIr NAME HEX (SPIs as 16 lower-case hex digits, names as in ikesim's
# kdf trace events), so they can be compared with ikesim's keys for the same IKE SA. ESP keys are named
# NAME#A/B, A/B the CHILD SA's two ESP SPIs in ascending order (as trace_keys.awk does).
#
# charon prints a key as a header line "<conn|N> Sk_d secret => 32 bytes @ 0x..." followed by hex dump
# lines "<conn|N>    0: A7 B9 ... ascii". N is the IKE SA's unique id; the tag is "<N>" before a
# config is matched. The SPIs come from the natd_chunk dumps (SPIi | SPIr | address | port) of the
# IKE_SA_INIT, or, for an IKE SA made by a rekey (no NAT-D there), from `swanctl --list-sas` output given
# as another input file (lines "conn: #N, STATE, IKEv2, SPIi_i SPIr_r"). A CHILD SA's keys are followed
# by "CHILD_SA conn{M} established with SPIs X_i Y_o". When charon initiates an IKE rekey it logs the
# new SA's Sk_* under the old SA's tag, between the new SA's "CREATED => CONNECTING" and its next state
# change: those keys belong to the new SA.

# The IKE SA's unique id from a tag like "<3>" or "<name|3>".
function uid_of(tag) {
	gsub(/^<|>$/, "", tag)
	sub(/^.*\|/, "", tag)
	return tag
}

# Which dumps we want, and under which name; "" means ignore this dump.
function key_name(text) {
	if (text ~ /^Sk_(d|ai|ar|ei|er|pi|pr) secret =>/) { n = text; sub(/ secret.*/, "", n); return "SK_" substr(n, 4) }
	if (text ~ /^encryption initiator key =>/) return "ESP_ENCR_I"
	if (text ~ /^encryption responder key =>/) return "ESP_ENCR_R"
	if (text ~ /^integrity initiator key =>/) return "ESP_INTEG_I"
	if (text ~ /^integrity responder key =>/) return "ESP_INTEG_R"
	if (text ~ /^natd_chunk =>/) return "natd"
	return ""
}

function child_tag(a, b) { return a < b ? a "/" b : b "/" a }

# swanctl --list-sas: "name: #N, STATE, IKEv2, 0123456789abcdef_i* fedcba9876543210_r"
/^[^ ]+: #[0-9]+, [A-Z_]+, IKEv2, [0-9a-f]+_i\*? [0-9a-f]+_r\*?$/ {
	u = $2; gsub(/[#,]/, "", u)
	i = $5; sub(/_i.*/, "", i)
	r = $6; sub(/_r.*/, "", r)
	lspii[u] = i; lspir[u] = r
	next
}

{
	# Fields: time, thread[group], tag, then the message.
	if ($3 !~ /^<.*>$/) { cur = ""; next }
	uid = uid_of($3)
	if ($4 ~ /^[0-9]+:$/ && cur != "" && cur_uid == uid) {
		# A hex dump line: up to 16 byte tokens after the offset; the ASCII column follows them.
		for (i = 5; i <= NF && left > 0 && i < 21; i++) { hex = hex tolower($i); left-- }
		if (left == 0) finish()
		next
	}
	cur = ""
	msg = $0
	sub(/^[^<]*<[^>]*> /, "", msg)
	# A new IKE SA of a rekey: state changes name it as NAME[M]; keys logged under our tag go to M meanwhile.
	if (match(msg, /^IKE_SA [^ ]*\[[0-9]+\] state change: /)) {
		m = msg; sub(/^IKE_SA [^ ]*\[/, "", m); sub(/\].*/, "", m)
		if (msg ~ /CREATED => CONNECTING$/ && m != uid) redir[uid] = m
		else if ((uid in redir) && redir[uid] == m) delete redir[uid]
		next
	}
	if (match(msg, /CHILD_SA [^ ]* established with SPIs [0-9a-f]+_i [0-9a-f]+_o/)) {
		n = split(substr(msg, RSTART, RLENGTH), w, " ")
		tag = child_tag(substr(w[n - 1], 1, 8), substr(w[n], 1, 8))
		for (k = 1; k <= nkeys; k++) if (kuid[k] == uid && kname[k] ~ /^ESP_/ && kname[k] !~ /#/) kname[k] = kname[k] "#" tag
		next
	}
	name = key_name(msg)
	if (name == "") next
	if (match(msg, /=> [0-9]+ bytes/)) {
		left = substr(msg, RSTART + 3, RLENGTH - 9) + 0
		cur = name; cur_uid = uid; hex = ""
		owner = (name ~ /^SK_/ && (uid in redir)) ? redir[uid] : uid
		if (left == 0) finish()
	}
}

# A dump is complete: keep the key, or (natd_chunk) learn the SPIs once the responder's SPI is known.
function finish() {
	if (cur == "natd") {
		if (substr(hex, 17, 16) != "0000000000000000") { spii[cur_uid] = substr(hex, 1, 16); spir[cur_uid] = substr(hex, 17, 16) }
	} else {
		nkeys++
		kuid[nkeys] = owner; kname[nkeys] = cur; kval[nkeys] = hex
	}
	cur = ""
}

END {
	for (k = 1; k <= nkeys; k++) {
		u = kuid[k]
		if (!(u in spii) && (u in lspii)) { spii[u] = lspii[u]; spir[u] = lspir[u] }
		print (u in spii ? spii[u] : "unknown"), (u in spir ? spir[u] : "unknown"), kname[k] (kname[k] ~ /^ESP_/ && kname[k] !~ /#/ ? "#?" : ""), kval[k]
	}
}
