#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time and prints one line per target (executions, coverage,
# crashes), then a total. Usage: run.sh SECONDS BIN...   (make fuzz FUZZ_SECONDS=N calls it)
# Each target starts from its committed seeds (tests/fuzz/corpus/NAME) plus what earlier runs found
# (build/fuzz/corpus/NAME, where new inputs go); crashes are kept under build/fuzz/artifacts/.
# FUZZ_RUNS=N also stops each target after N executions (for runs that must reach a count).
# Exit status 1 if any target crashed, leaked, hung or broke an invariant.
set -u
secs=${1:?usage: run.sh SECONDS BIN...}
shift
out=${FUZZ_DIR:-build/fuzz}
mkdir -p "$out/logs" "$out/artifacts"
total_crashes=0
total_execs=0
for bin in "$@"; do
	name=$(basename "$bin")
	name=${name#fuzz_}
	seeds=tests/fuzz/corpus/$name
	work=$out/corpus/$name
	mkdir -p "$work"
	dict=()
	case $name in
	responder | responder_state | initiator | wire) dict=(-dict=tests/fuzz/ike.dict) ;;
	scenario) dict=(-dict=tests/fuzz/scenario.dict) ;;
	esac
	log=$out/logs/$name.log
	rm -f "$out/artifacts/$name-"*
	# one job, low priority: the machine is shared; a 10 s input counts as a hang
	runs=()
	[ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")
	nice -n 15 "$bin" -max_total_time="$secs" "${runs[@]}" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$name-" "${dict[@]}" "$work" "$seeds" </dev/null >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
	crashes=$(find "$out/artifacts" -name "$name-*" | wc -l)
	if [ "$rc" != 0 ] && [ "$crashes" = 0 ]; then
		crashes=1 # died without an artifact (harness error, out of memory): still a failure
	fi
	printf 'fuzz: %-16s %10s execs  %-20s crashes %s\n' "$name" "${execs:-0}" "${cov:-cov: ? ft: ?}" "$crashes"
	if [ "$crashes" != 0 ]; then
		echo "fuzz: $name failed (exit $rc), see $log" >&2
		grep -m 3 -E 'ERROR|invariant|harness' "$log" >&2
	fi
	total_crashes=$((total_crashes + crashes))
	total_execs=$((total_execs + ${execs:-0}))
done
echo "fuzz: $# targets, $total_execs executions, $total_crashes crashes (${secs}s each)"
[ "$total_crashes" = 0 ]
