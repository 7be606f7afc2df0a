# tests/interop/v1_keys.awk: the IKEv1 keys of one run, from ikesim's trace (--reveal-keys kdf events) or from
# charon's log (ike=4: "SKEYID => N bytes" then hex dump lines). Prints "SA 1 NAME HEX" per key, NAME one of
# SKEYID SKEYID_d SKEYID_a SKEYID_e Ka, for the first ISAKMP SA in the input only (a row's log slice has
# one): charon's dumps do not name the cookies, so the first SA on each side is the pair compared.

function field(k) {
	if (match($0, "\"" k "\":\"[^\"]*\"")) return substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
	return ""
}

function wanted(n) { return n ~ /^(SKEYID|SKEYID_[dae]|Ka)$/ }

# ikesim: one kdf event per key; the first SA's cookies pick the SA.
/"ev":"kdf"/ {
	n = field("name")
	if (!wanted(n) || field("value") == "") next
	ck = field("initiator-spi") "/" field("responder-spi")
	if (first == "") first = ck
	# Only phase 1 keys once: the first SA's SKEYIDs (a responder's cookie field fills in later)
	if (n in seen) next
	seen[n] = 1
	print "SA 1", n, tolower(field("value"))
	next
}

# charon: "<tag> NAME => L bytes @ 0x..." then dump lines "<tag>    0: AA BB ...".
$3 ~ /^<.*>$/ {
	if ($4 ~ /^[0-9]+:$/ && cur != "") {
		for (i = 5; i <= NF && left > 0 && i < 21; i++) { hex = hex tolower($i); left-- }
		if (left == 0) { if (!(cur in seen)) { seen[cur] = 1; print "SA 1", cur, hex }; cur = "" }
		next
	}
	cur = ""
	msg = $0
	sub(/^[^<]*<[^>]*> /, "", msg)
	if (match(msg, /^(SKEYID|SKEYID_[dae]|encryption key Ka) => [0-9]+ bytes/)) {
		cur = msg; sub(/ =>.*/, "", cur); sub(/^encryption key /, "", cur)
		left = msg; sub(/^.* => /, "", left); sub(/ bytes.*/, "", left); left += 0
		hex = ""
	}
}
