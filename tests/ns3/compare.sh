#!/bin/bash
# Runs every scenario in lessons/ and tests/scenarios/ on both backends and compares, per scenario, the exit
# code (expect results), the printed outcomes, the trace and the pcap (docs/backends.md: what may differ).
# Usage: tests/ns3/compare.sh [IKESIM] [OUTDIR]. Prints one line per scenario that differs and the totals;
# exits 1 when any scenario differs. `make test` runs it (through `make ns3-compare`).
set -u
BIN=${1:-build/rel/ikesim}
OUT=${2:-build/ns3-compare}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
if ! "$BIN" run lessons/01-first-tunnel/scenario.json --backend ns3 --quiet >/dev/null 2>"$OUT/probe.err"; then
	echo "ns3-compare: skipped: $(cat "$OUT/probe.err")"
	exit 0
fi
n=0 same=0 pcap_diff=0 rc_diff=0 out_diff=0 trace_diff=0 both_fail=0
for f in lessons/*/*.json lessons/*/instructor/*.json tests/scenarios/*.json; do
	k=$(echo "$f" | tr '/' '_')
	n=$((n + 1))
	for b in builtin ns3; do
		(cd "$(dirname "$f")" && nice "$BIN" run "$(basename "$f")" --backend $b --trace "$OUT/$k.$b.jsonl" \
			--pcap "$OUT/$k.$b.pcapng") \
			>"$OUT/$k.$b.out" 2>"$OUT/$k.$b.err"
		echo $? >"$OUT/$k.$b.rc"
	done
	rb=$(cat "$OUT/$k.builtin.rc") rn=$(cat "$OUT/$k.ns3.rc")
	if [ "$rb" != "$rn" ]; then
		rc_diff=$((rc_diff + 1))
		echo "DIFF exit $f: builtin $rb, ns3 $rn ($(head -c 200 "$OUT/$k.ns3.err"))"
		continue
	fi
	[ "$rb" = 1 ] || [ "$rb" = 2 ] && both_fail=$((both_fail + 1))
	# the output files' names are the only difference allowed in what ikesim prints
	if ! cmp -s <(sed 's/\.builtin\././g' "$OUT/$k.builtin.out") <(sed 's/\.ns3\././g' "$OUT/$k.ns3.out"); then
		out_diff=$((out_diff + 1))
		echo "DIFF outcome $f"
		continue
	fi
	if ! cmp -s "$OUT/$k.builtin.jsonl" "$OUT/$k.ns3.jsonl" 2>/dev/null; then
		trace_diff=$((trace_diff + 1))
		echo "DIFF trace $f (outcomes and expects equal)"
		continue
	fi
	if ! cmp -s "$OUT/$k.builtin.pcapng" "$OUT/$k.ns3.pcapng" 2>/dev/null; then
		pcap_diff=$((pcap_diff + 1))
		echo "DIFF pcap $f (outcomes, expects and trace equal)"
		continue
	fi
	same=$((same + 1))
done
echo "ns3-compare: $n scenarios; $same identical (exit, outcomes, trace and pcap byte for byte); $pcap_diff differ in the" \
	"pcap only; $trace_diff in the trace;" \
	"$out_diff in printed outcomes; $rc_diff in exit code (expect results); $both_fail fail alike on both (exit 1/2)"
[ $((rc_diff + out_diff + trace_diff + pcap_diff)) = 0 ]
