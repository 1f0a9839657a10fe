#!/bin/sh
# compare: the same workloads in one boot, first under the kernel's default scheduler (EEVDF, daemon not
# running), then under Jthulhu: hackbench -g 4 -l 200 (median of 3 runs, seconds) and cyclictest wake-up
# latency (avg/p99/max, microseconds) idle and under stress-ng --cpu 4. Reports raw figures only.
. /scenarios/lib.sh
HACKBENCH_RUNS=${jt_hackbench_runs:-3}
CYCLIC_LOOPS=${jt_cyclic_loops:-3000}

kv scenario compare
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }

# latency <idle|load> <label>: one cyclictest run; per-sample output ("thread: index: latency-us").
latency() {
  out=/tmp/cyclictest.$1.$2
  cyclictest -t1 -i 1000 -l "$CYCLIC_LOOPS" --policy=other -q -v > "$out.raw" 2>&1
  awk '$1 ~ /^[0-9]+:$/ && $2 ~ /^[0-9]+:$/ { print $3 }' "$out.raw" | sort -n > "$out.sorted"
  n=$(wc -l < "$out.sorted")
  kv "lat_$1_samples_$2" "$n"
  [ "$n" -gt 0 ] || { say "cyclictest $1 $2 produced no samples:"; tail -n 5 "$out.raw"; return; }
  kv "lat_$1_avg_$2" "$(awk '{ s += $1 } END { printf "%d\n", s / NR }' "$out.sorted")"
  kv "lat_$1_p99_$2" "$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$out.sorted")"
  kv "lat_$1_max_$2" "$(tail -n 1 "$out.sorted")"
}

# measure <label>: every workload under whichever scheduler is active now.
measure() {
  say "measuring under $1 (sched_ext state: $(scx_state))"
  : > /tmp/hackbench.$1
  i=0
  while [ "$i" -lt "$HACKBENCH_RUNS" ]; do
    hackbench -g 4 -l 200 | sed -n 's/^Time: *//p' >> /tmp/hackbench.$1
    i=$((i + 1))
  done
  kv "hackbench_runs_$1" "$(paste -sd, /tmp/hackbench.$1)"
  if [ "$(wc -l < /tmp/hackbench.$1)" -eq "$HACKBENCH_RUNS" ]; then
    kv "hackbench_$1" "$(sort -n /tmp/hackbench.$1 | sed -n "$(( (HACKBENCH_RUNS + 1) / 2 ))p")"
  fi
  latency idle "$1"
  stress-ng --cpu 4 --timeout 3600s --quiet &
  load_pid=$!
  sleep 2
  latency load "$1"
  kill "$load_pid"
  wait "$load_pid"
}

kv state_eevdf "$(scx_state)"
# Timekeeping cost differs a lot under TCG by clock source (BPF reads the clock on every event).
kv clocksource "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
measure eevdf

forward_daemon_log
if ! start_attached; then
  kv attached false
  kill -9 "$DAEMON_PID" 2>/dev/null
else
  kv attached true
  measure jthulhu
  kv state_jthulhu "$(scx_state)"
  kill -TERM "$DAEMON_PID"
  ( sleep 30; kill -9 "$DAEMON_PID" 2>/dev/null ) &
  wait "$DAEMON_PID"
  kv daemon_rc $?
  if wait_state disabled 10000; then kv state_after disabled; else kv state_after "$(scx_state)"; fi
  counters=$(daemon_totals)
  kv sessions "$(field "$counters" sessions)"
  report_counters "$counters"
fi
kv ejections "$(count_ejections)"
sleep 1
dump_scx_dmesg
