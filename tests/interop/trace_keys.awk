# tests/interop/trace_keys.awk: pulls the SK_* and ESP keys out of an ikesim trace (--reveal-keys).
# Prints one line per key, SPIi SPIr NAME HEX, the same form as charon_keys.awk. ESP keys are named
# NAME#A/B, A/B the CHILD SA's two ESP SPIs in ascending order, so each CHILD SA (a rekeyed one too) is
# told apart: its keys come before the child_sa.state event that moves it to INSTALLED with its SPIs.

# The string value of field k on this JSON line ("" if absent); names and hex never contain quotes.
function field(k) {
	if (match($0, "\"" k "\":\"[^\"]*\"")) return substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
	return ""
}

# The CHILD SA's name tag from its two SPIs, lower one first: the same on both peers.
function child_tag(a, b) { return a < b ? a "/" b : b "/" a }

/"ev":"kdf"/ {
	name = field("name")
	if (name !~ /^(SK_(d|ai|ar|ei|er|pi|pr)|ESP_(ENCR|INTEG)_(I|R)|AH_INTEG_(I|R))$/) next
	# charon logs an AH SA's keys like an ESP one's ("integrity initiator key"): one name for both
	if (name ~ /^AH_/) name = "ESP" substr(name, 3)
	value = field("value")
	if (value == "") next
	line = field("initiator-spi") " " field("responder-spi") " " name
	if (name ~ /^ESP_/) { pend[++np] = line; pval[np] = tolower(value); next }
	print line, tolower(value)
	next
}

/"ev":"child_sa.state"/ && /"to":"INSTALLED"/ {
	tag = child_tag(field("spi-in"), field("spi-out"))
	for (i = 1; i <= np; i++) print pend[i] "#" tag, pval[i]
	np = 0
}

# ESP keys no CHILD SA claimed (it never got installed): tagged "?" so they match nothing.
END { for (i = 1; i <= np; i++) print pend[i] "#?", pval[i] }
