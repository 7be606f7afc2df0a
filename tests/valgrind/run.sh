#!/usr/bin/env bash
# `make valgrind`: every lesson and test scenario through `ikesim run`, then every viz command and the
# report on one trace, each under Valgrind's memcheck with full leak checking. Third-party leaks are
# suppressed by name (tests/valgrind/ikesim.supp). Prints one line per failing run and a summary;
# exit 1 if any run had a memory error or a leak of ours. Usage: run.sh IKESIM_BIN
set -u
bin=${1:?usage: run.sh IKESIM_BIN}
out=${VALGRIND_DIR:-build/valgrind}
rm -rf "$out"
mkdir -p "$out"
vg=(nice -n 15 valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 --track-origins=yes
	--suppressions=tests/valgrind/ikesim.supp --num-callers=30)
runs=0
bad=0
suppressed=0
# check NAME ARGS...: runs ikesim under valgrind; ikesim's own exit status (a scenario whose
# expectations fail exits 3) is not what is checked here, only memcheck's verdict.
check() {
	local name=$1
	shift
	local log=$out/$name.log
	runs=$((runs + 1))
	"${vg[@]}" --log-file="$log" "$bin" "$@" >"$out/$name.out" 2>&1
	local rc=$?
	local errs
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
	local sup
	sup=$(sed -n 's/.*suppressed: [0-9,]* bytes in \([0-9,]*\) blocks.*/\1/p' "$log" | tail -n 1 | tr -d ,)
	suppressed=$((suppressed + ${sup:-0}))
	if [ "$rc" = 99 ] || [ "${errs:-1}" != 0 ]; then
		bad=$((bad + 1))
		echo "valgrind: $name: ${errs:-?} errors (exit $rc), see $log"
	fi
}
for f in lessons/*/*.json lessons/*/solutions/*.json lessons/*/instructor/*.json tests/scenarios/*.json; do
	[ -f "$f" ] || continue
	name=run_$(echo "${f%.json}" | tr '/' '_')
	check "$name" run "$f" --quiet --trace "$out/$name.jsonl"
done
# the viz commands and the report on the first lesson's trace, keys revealed so every graph has values
trace=$out/viz_trace.jsonl
check viz_run run lessons/01-first-tunnel/scenario.json --quiet --reveal-keys --trace "$trace" --pcap "$out/viz.pcap"
check viz_states viz states --trace "$trace" --node gw-a -o "$out/states.svg"
check viz_states_png viz states --trace "$trace" -o "$out/states.png"
check viz_keys viz keys "$trace" --node gw-a -o "$out/keys.svg"
check viz_ladder viz ladder "$trace" -o "$out/ladder.svg"
check viz_report report "$trace" -o "$out/report.html"
# the storm metrics: a run that writes them, the gnuplot plot (gnuplot itself is not traced), the report with it
check metrics_run run tests/scenarios/storm_small_reconnect.json --quiet --metrics "$out/storm.json" --trace "$out/storm.jsonl"
check metrics_csv run tests/scenarios/fault_reboot.json --quiet --metrics "$out/reboot.csv" --metrics-interval 100ms
check viz_storm viz storm "$out/storm.json" -o "$out/storm.svg"
check viz_storm_png viz storm "$out/storm.json" -o "$out/storm.png"
check report_storm report "$out/storm.jsonl" --metrics "$out/storm.json" -o "$out/report_storm.html"
# the hand-written lifecycle trace: rekey generations, a window, every kind of box and band
check viz_keys_rekey viz keys tests/viz/rekey.jsonl -o "$out/keys_rekey.svg"
check viz_keys_generation viz keys tests/viz/rekey.jsonl --generation 2 -o "$out/keys_gen2.svg"
check viz_ladder_rekey viz ladder tests/viz/rekey.jsonl -o "$out/ladder_rekey.svg"
check viz_ladder_window viz ladder tests/viz/rekey.jsonl --from 40s --to 1h -o "$out/ladder_window.svg"
check viz_report_rekey report tests/viz/rekey.jsonl -o "$out/report_rekey.html"
# a real rekey run (IKE and CHILD rekeys with PFS, tests/viz/rekey_run.json) and the pictures of its trace
rtrace=$out/rekey_trace.jsonl
check rekey_run run tests/viz/rekey_run.json --quiet --reveal-keys --trace "$rtrace" --pcap "$out/rekey.pcap"
check rekey_keys viz keys "$rtrace" -o "$out/rekey_keys.svg"
check rekey_ladder viz ladder "$rtrace" -o "$out/rekey_ladder.svg"
check rekey_states viz states --trace "$rtrace" -o "$out/rekey_states.svg"
check rekey_report report "$rtrace" -o "$out/rekey_report.html"
echo "valgrind: $runs runs, $bad with errors or leaks of ours, $((runs - bad)) clean ($suppressed third-party blocks suppressed)"
[ "$bad" = 0 ]
