# tests/interop/charon_keys.awk: pulls the derived keys out of a charon log written with ike=4, chd=4.
# Prints one line per key: SPIi SPIr NAME HEX (SPIs as 16 lower-case hex digits, names as in ikesim's
# kdf trace events), so they can be compared with ikesim's keys for the same IKE SA.
#
# charon prints a key as a header line "<conn|N> Sk_d secret => 32 bytes @ 0x..." followed by hex dump
# lines "<conn|N>    0: A7 B9 ... ascii". N is the IKE SA's unique id; the tag is "<N>" before a
# config is matched. The SPIs come from the natd_chunk dumps (SPIi | SPIr | address | port).

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
	name = key_name(msg)
	if (name == "") next
	if (match(msg, /=> [0-9]+ bytes/)) {
		left = substr(msg, RSTART + 3, RLENGTH - 9) + 0
		cur = name; cur_uid = uid; hex = ""
		if (left == 0) finish()
	}
}

# A dump is complete: keep the key, or (natd_chunk) learn the SPIs once the responder's SPI is known.
function finish() {
	if (cur == "natd") {
		if (substr(hex, 17, 16) != "0000000000000000") { spii[cur_uid] = substr(hex, 1, 16); spir[cur_uid] = substr(hex, 17, 16) }
	} else {
		nkeys++
		kuid[nkeys] = cur_uid; kname[nkeys] = cur; kval[nkeys] = hex
	}
	cur = ""
}

END {
	for (k = 1; k <= nkeys; k++) {
		u = kuid[k]
		print (u in spii ? spii[u] : "unknown"), (u in spir ? spir[u] : "unknown"), kname[k], kval[k]
	}
}
