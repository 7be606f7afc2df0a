# tests/interop/trace_keys.awk: pulls the SK_* and ESP keys out of an ikesim trace (--reveal-keys).
# Prints one line per key, SPIi SPIr NAME HEX, the same form as charon_keys.awk.

# The string value of field k on this JSON line ("" if absent); names and hex never contain quotes.
function field(k) {
	if (match($0, "\"" k "\":\"[^\"]*\"")) return substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
	return ""
}

/"ev":"kdf"/ {
	name = field("name")
	if (name !~ /^(SK_(d|ai|ar|ei|er|pi|pr)|ESP_(ENCR|INTEG)_(I|R))$/) next
	value = field("value")
	if (value == "") next
	print field("initiator-spi"), field("responder-spi"), name, tolower(value)
}
