# tests/interop/v1_keys.awk: the IKEv1 keys of one run, from ikesim's trace (--reveal-keys kdf events) or from
# charon's log (ike=4: "SKEYID => N bytes" then hex dump lines). Prints "SA 1 NAME HEX" per key, NAME one of
# SKEYID SKEYID_d SKEYID_a SKEYID_e Ka, then KEYMAT_I and KEYMAT_R (the Quick Mode KEYMAT the initiator and the
# responder send with: encryption key then integrity key), for the first ISAKMP SA and IPsec SA in the input only
# (a row's log slice has one): charon's dumps do not name the cookies, so the first SA on each side is the pair.
# ikesim's KEYMAT event is KEYMAT(our inbound SPI) | KEYMAT(our outbound SPI); the initiator sends with the
# KEYMAT of the responder's SPI, so which half is KEYMAT_I follows from ikesim's role.

function field(k) {
	if (match($0, "\"" k "\":\"[^\"]*\"")) return substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
	return ""
}

function wanted(n) { return n ~ /^(SKEYID|SKEYID_[dae]|Ka)$/ }

/"ev":"ike_sa.state"/ && role == "" { role = field("role") }

# ikesim: one kdf event per key; the first SA's cookies pick the SA.
/"ev":"kdf"/ {
	n = field("name")
	if (n == "KEYMAT" && !("KEYMAT" in seen) && field("value") != "") {
		seen["KEYMAT"] = 1
		v = tolower(field("value")); h = length(v) / 2
		print "SA 1", "KEYMAT_I", role == "initiator" ? substr(v, h + 1) : substr(v, 1, h)
		print "SA 1", "KEYMAT_R", role == "initiator" ? substr(v, 1, h) : substr(v, h + 1)
		next
	}
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
		if (left == 0) { take(cur, hex); cur = "" }
		next
	}
	cur = ""
	msg = $0
	sub(/^[^<]*<[^>]*> /, "", msg)
	if (match(msg, /^(SKEYID|SKEYID_[dae]|encryption key Ka|(encryption|integrity) (initiator|responder) key) => [0-9]+ bytes/)) {
		cur = msg; sub(/ =>.*/, "", cur); sub(/^encryption key /, "", cur)
		left = msg; sub(/^.* => /, "", left); sub(/ bytes.*/, "", left); left += 0
		hex = ""
	}
}

# A charon dump: phase 1 keys once; the first IPsec SA's keys joined into KEYMAT_I / KEYMAT_R (encryption first).
function take(name, hex) {
	if (name ~ / key$/) {
		side = name ~ /initiator/ ? "KEYMAT_I" : "KEYMAT_R"
		if (side in done) return
		if (name ~ /^encryption/) enc[side] = hex
		else { print "SA 1", side, enc[side] hex; done[side] = 1 }
		return
	}
	if (!(name in seen)) { seen[name] = 1; print "SA 1", name, hex }
}

END {
	# GCM: no integrity key follows the encryption key
	for (s in enc) if (!(s in done)) print "SA 1", s, enc[s]
}
