#!/bin/sh
# compare: the same workloads in one boot, first under the kernel's default scheduler (EEVDF, daemon not
# running), then under Jthulhu, then under EEVDF once more: hackbench -g 4 -l 200 (seconds: the median of 5
# runs under Jthulhu, the mean of the medians of 5 runs before and 5 after under EEVDF; context switches per
# run) and cyclictest wake-up latency (avg/p99/max, microseconds; EEVDF's over the samples of both its runs)
# idle and under stress-ng --cpu 4. Reports raw figures only.
. /scenarios/lib.sh
HACKBENCH_RUNS=${jt_hackbench_runs:-5}
CYCLIC_LOOPS=${jt_cyclic_loops:-3000}

kv scenario compare
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }

# latency <idle|load> <label>: one cyclictest run; per-sample output ("thread: index: latency-us").
latency() {
  out=/tmp/cyclictest.$1.$2
  cyclictest -t1 -i 1000 -l "$CYCLIC_LOOPS" --policy=other -q -v > "$out.raw" 2>&1
  awk '$1 ~ /^[0-9]+:$/ && $2 ~ /^[0-9]+:$/ { print $3 }' "$out.raw" | sort -n > "$out.sorted"
  [ -s "$out.sorted" ] || { say "cyclictest $1 $2 produced no samples:"; tail -n 5 "$out.raw"; }
  latency_report "$1" "$2" "$out.sorted"
}

# latency_report <idle|load> <label> <sample file...>: avg/p99/max over all samples of those runs.
latency_report() {
  kind=$1 label=$2
  shift 2
  sort -n "$@" > /tmp/cyclictest.report
  n=$(wc -l < /tmp/cyclictest.report)
  kv "lat_${kind}_samples_$label" "$n"
  [ "$n" -gt 0 ] || return
  kv "lat_${kind}_avg_$label" "$(awk '{ s += $1 } END { printf "%d\n", s / NR }' /tmp/cyclictest.report)"
  kv "lat_${kind}_p99_$label" "$(sed -n "$(( (n * 99 + 99) / 100 ))p" /tmp/cyclictest.report)"
  kv "lat_${kind}_max_$label" "$(tail -n 1 /tmp/cyclictest.report)"
}

context_switches() { awk '$1 == "ctxt" { print $2 }' /proc/stat; }
# CPU time of all CPUs together, and of the daemon's process (0 when it is not running), in clock ticks.
machine_ticks() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t }' /proc/stat; }
# cpu_ticks <proc stat file>: "total user system" CPU ticks of that process or thread (comm may hold spaces).
cpu_ticks() { sed 's/^.*) //' "$1" | awk '{ print $12 + $13, $12, $13 }'; }
daemon_ticks() {
  if [ -n "${DAEMON_PID:-}" ] && [ -r "/proc/$DAEMON_PID/stat" ]; then
    cpu_ticks "/proc/$DAEMON_PID/stat" | cut -d' ' -f1
  else
    echo 0
  fi
}

# hackbench_runs <label> <file suffix>: HACKBENCH_RUNS runs under whichever scheduler is active now; appends
# their times and context switches to /tmp/hackbench.<label>, and reports the daemon's CPU share.
hackbench_runs() {
  ticks_before=$(machine_ticks)
  daemon_before=$(daemon_ticks)
  set_file=/tmp/hackbench_set.$1$2
  : > "$set_file"
  i=0
  while [ "$i" -lt "$HACKBENCH_RUNS" ]; do
    before=$(context_switches)
    hackbench -g 4 -l 200 | sed -n 's/^Time: *//p' >> "$set_file"
    echo $(( $(context_switches) - before )) >> /tmp/hackbench_ctxt.$1
    i=$((i + 1))
  done
  cat "$set_file" >> /tmp/hackbench.$1
  kv "hackbench_runs_$1$2" "$(paste -sd, "$set_file")"
  # The daemon's share of all CPU time while hackbench ran: what the user-space scheduler costs.
  [ "$1" = eevdf ] || kv "hackbench_daemon_cpu_pct_$1" "$(awk -v d=$(( $(daemon_ticks) - daemon_before )) \
    -v t=$(( $(machine_ticks) - ticks_before )) 'BEGIN { printf "%.1f\n", (t > 0 ? 100 * d / t : 0) }')"
}

# The daemon's threads that used CPU so far (ticks; JIT compilers, GC, the scheduling loop), busiest first.
daemon_threads() {
  for t in /proc/"$DAEMON_PID"/task/*; do
    [ -r "$t/stat" ] && echo "$(cpu_ticks "$t/stat" | awk '{ print $1, $2 "u/" $3 "s" }') $(tr ' ' _ < "$t/comm")"
  done | sort -rn | head -n 6 | awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $3, $2 }'
}

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# hackbench_summary <label> <expected runs>: the median context switches of all runs of <label>, and its
# time: the median of its runs, or, for EEVDF measured before and after Jthulhu, the mean of the two sets'
# medians. The host's speed drifts during a boot; under a steady drift that mean is EEVDF's time for the
# moment Jthulhu ran in between, where the median of all runs lands on whichever set is larger by a hair.
hackbench_summary() {
  kv "hackbench_ctxt_$1" "$(median /tmp/hackbench_ctxt.$1)"
  [ "$(wc -l < /tmp/hackbench.$1)" -eq "$2" ] || return
  if [ -s "/tmp/hackbench_set.$1_after" ]; then
    kv "hackbench_$1" "$(awk -v a="$(median "/tmp/hackbench_set.$1")" -v b="$(median "/tmp/hackbench_set.$1_after")" \
      'BEGIN { printf "%.3f\n", (a + b) / 2 }')"
  else
    kv "hackbench_$1" "$(median /tmp/hackbench.$1)"
  fi
}

# latencies <label>: cyclictest idle, then under stress-ng --cpu 4.
latencies() {
  latency idle "$1"
  stress-ng --cpu 4 --timeout 3600s --quiet &
  load_pid=$!
  sleep 2
  latency load "$1"
  kill "$load_pid"
  wait "$load_pid"
}

# EEVDF runs before and after Jthulhu (A-B-A), so a drift of the host's speed during the boot does not count
# for or against either scheduler: its hackbench figure is the mean of both sets' medians, its latencies
# are over the samples of both cyclictest runs (lat_*_eevdf is reported again for the union).
: > /tmp/hackbench.eevdf; : > /tmp/hackbench_ctxt.eevdf; : > /tmp/hackbench.jthulhu; : > /tmp/hackbench_ctxt.jthulhu
kv state_eevdf "$(scx_state)"
# Timekeeping cost differs a lot under TCG by clock source (BPF reads the clock on every event).
kv clocksource "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
say "measuring under eevdf (sched_ext state: $(scx_state))"
hackbench_runs eevdf ""
latencies eevdf
eevdf_runs=$HACKBENCH_RUNS

forward_daemon_log
if ! start_attached; then
  kv attached false
  kill -9 "$DAEMON_PID" 2>/dev/null
else
  kv attached true
  say "measuring under jthulhu (sched_ext state: $(scx_state))"
  say "daemon threads' CPU ticks before hackbench: $(daemon_threads)"
  # jt_bpf_stats=1: the kernel times every BPF program run (costs two clock reads per run, so off by default).
  [ "${jt_bpf_stats:-0}" = 1 ] && echo 1 > /proc/sys/kernel/bpf_stats_enabled
  hackbench_runs jthulhu ""
  if [ "${jt_bpf_stats:-0}" = 1 ]; then
    echo 0 > /proc/sys/kernel/bpf_stats_enabled
    bpftool prog show | awk '/struct_ops/ { name = $4 } /run_time_ns/ && name != "" {
        for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) }
        printf "JT_LOG bpf %s runs=%d total_ms=%d avg_ns=%d\n", name, c, t / 1000000, c ? t / c : 0; name = "" }'
  fi
  say "daemon threads' CPU ticks after hackbench: $(daemon_threads)"
  latencies jthulhu
  hackbench_summary jthulhu "$HACKBENCH_RUNS"
  kv state_jthulhu "$(scx_state)"
  kill -TERM "$DAEMON_PID"
  ( sleep 30; kill -9 "$DAEMON_PID" 2>/dev/null ) &
  wait "$DAEMON_PID"
  kv daemon_rc $?
  if wait_state disabled 10000; then kv state_after disabled; else kv state_after "$(scx_state)"; fi
  counters=$(daemon_totals)
  kv sessions "$(field "$counters" sessions)"
  report_counters "$counters"
  if [ "$(scx_state)" = disabled ]; then
    say "measuring under eevdf again"
    hackbench_runs eevdf _after
    eevdf_runs=$((HACKBENCH_RUNS * 2))
    latencies eevdf_after
    for kind in idle load; do
      latency_report "$kind" eevdf "/tmp/cyclictest.$kind.eevdf.sorted" "/tmp/cyclictest.$kind.eevdf_after.sorted"
    done
  fi
fi
hackbench_summary eevdf "$eevdf_runs"
kv ejections "$(count_ejections)"
sleep 1
dump_scx_dmesg
