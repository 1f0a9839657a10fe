#!/bin/sh
# compare: the same workloads in one boot under the kernel's default scheduler (EEVDF, daemon not running)
# and under Jthulhu, interleaved E J E J ... E (the daemon attaches for each Jthulhu set and detaches after
# it), so that a drift or a step in the host's speed during the boot counts for neither scheduler. Each set:
# hackbench -g 4 -l 200 (seconds and context switches per run) and cyclictest wake-up latency (avg/p99/max,
# microseconds) idle and under stress-ng --cpu 4, the latter both pinned (cyclictest's default) and allowed
# every CPU. Reports raw figures and, per Jthulhu set, its hackbench time against the mean of the EEVDF sets
# just before and just after it.
. /scenarios/lib.sh
# Five Jthulhu sets: the paired throughput ratio is their median, and over three sets one set's host noise
# (this host's speed was seen to flip between two levels from set to set) decided it.
ROUNDS=${jt_compare_rounds:-5}
HACKBENCH_RUNS=${jt_hackbench_runs:-3}
CYCLIC_LOOPS=${jt_cyclic_loops:-3000}

kv scenario compare
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }

# latency <idle|load|anycpu> <label>: one cyclictest run; per-sample output ("thread: index: latency-us").
# cyclictest pins its measuring thread to one CPU; such a thread without a policy never waits for Java (BPF
# queues it on its CPU). anycpu: under load, that thread is then allowed every CPU, as most threads are, so
# each wakeup that finds no idle CPU goes through Java. Samples taken before the widening are dropped.
latency() {
  out=/tmp/cyclictest.$1.$2
  cyclictest -t1 -i 1000 -l "$CYCLIC_LOOPS" --policy=other -q -v > "$out.raw" 2>&1 &
  cyclic_pid=$!
  skip=0
  if [ "$1" = anycpu ]; then
    # Failures are counted: the host fails the scenario rather than report the pinned path as this one.
    widen_affinity "$cyclic_pid" || {
      say "cyclictest $1 $2: could not allow its thread every CPU"
      anycpu_widen_failures=$((anycpu_widen_failures + 1))
    }
    skip=$ANYCPU_SKIP
  fi
  wait "$cyclic_pid"
  awk -v skip="$skip" '$1 ~ /^[0-9]+:$/ && $2 ~ /^[0-9]+:$/ && $2 + 0 >= skip { print $3 }' "$out.raw" \
    | sort -n > "$out.sorted"
  [ -s "$out.sorted" ] || { say "cyclictest $1 $2 produced no samples:"; tail -n 5 "$out.raw"; }
  latency_report "$1" "$2" "$out.sorted"
}

anycpu_widen_failures=0
# The first samples of an anycpu run, taken while the thread may still be pinned (100 ms at -i 1000).
ANYCPU_SKIP=100
ALL_CPUS=0-$(( $(grep -c '^processor' /proc/cpuinfo) - 1 ))
# widen_affinity <pid>: once cyclictest's measuring thread exists, allow all its threads every CPU; status 1
# if that thread did not appear within 1 s or its allowed CPUs are not all CPUs afterwards.
widen_affinity() {
  tries=0
  while [ "$(ls /proc/"$1"/task 2>/dev/null | wc -l)" -lt 2 ]; do
    tries=$((tries + 1))
    [ "$tries" -gt 300 ] && return 1
    sleep 0.01
  done
  # The measuring thread pins itself when it first runs, which under load may come after the widening:
  # widen again until every thread stays allowed every CPU (at most 20 tries, 50 ms apart).
  tries=0
  while [ "$tries" -lt 20 ]; do
    tries=$((tries + 1))
    taskset -a -p -c "$ALL_CPUS" "$1" > /dev/null || return 1
    sleep 0.05
    widened=true
    for t in /proc/"$1"/task/*; do
      [ "$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "$t/status")" = "$ALL_CPUS" ] || widened=false
    done
    [ "$widened" = true ] && return 0
  done
  return 1
}

# latency_report <idle|load|anycpu> <label> <sample file...>: avg/p99/max over all samples of those runs.
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
# CPU time of all CPUs together, in clock ticks.
machine_ticks() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t }' /proc/stat; }

# The daemon's time since its JVM started (the clock of -XX:+PrintCompilation's first column), in ms.
jvm_uptime_ms() {
  awk -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" 'NR == FNR { up = $1; next }
    { sub(/.*\) /, ""); split($0, f, " "); printf "%d", (up - f[20] / hz) * 1000 }' /proc/uptime "/proc/$DAEMON_PID/stat"
}

# The daemon's and the machine's CPU ticks during all of Jthulhu's hackbench runs.
daemon_hackbench_ticks=0
machine_hackbench_ticks=0

# hackbench_runs <scheduler> <set>: HACKBENCH_RUNS runs under whichever scheduler is active now; appends their
# times and context switches to /tmp/hackbench.<scheduler>, the times to /tmp/hackbench_set.<scheduler>_<set>.
hackbench_runs() {
  [ "$1" = jthulhu ] && say "daemon threads' CPU ticks before hackbench: $(daemon_threads) (JVM uptime $(jvm_uptime_ms) ms, daemon log line $(wc -l < "$DAEMON_LOG"))"
  ticks_before=$(machine_ticks)
  daemon_before=$(daemon_ticks)
  set_file=/tmp/hackbench_set.$1_$2
  : > "$set_file"
  i=0
  while [ "$i" -lt "$HACKBENCH_RUNS" ]; do
    before=$(context_switches)
    hackbench -g 4 -l 200 | sed -n 's/^Time: *//p' >> "$set_file"
    echo $(( $(context_switches) - before )) >> /tmp/hackbench_ctxt.$1
    i=$((i + 1))
  done
  cat "$set_file" >> /tmp/hackbench.$1
  kv "hackbench_runs_$1_$2" "$(paste -sd, "$set_file")"
  if [ "$1" = jthulhu ]; then
    say "daemon threads' CPU ticks after hackbench: $(daemon_threads) (JVM uptime $(jvm_uptime_ms) ms, daemon log line $(wc -l < "$DAEMON_LOG"))"
    daemon_hackbench_ticks=$((daemon_hackbench_ticks + $(daemon_ticks) - daemon_before))
    machine_hackbench_ticks=$((machine_hackbench_ticks + $(machine_ticks) - ticks_before))
  fi
}


median() { sort -n "$@" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# latencies <label>: cyclictest idle, then under stress-ng --cpu 4 (pinned as cyclictest does, then anycpu).
latencies() {
  latency idle "$1"
  stress-ng --cpu 4 --timeout 3600s --quiet &
  load_pid=$!
  sleep 2
  latency load "$1"
  latency anycpu "$1"
  kill "$load_pid"
  wait "$load_pid"
}

# calibrate <label>: the time of a fixed single-threaded CPU loop on the otherwise idle VM. It tells a slowdown
# of the whole VM over the boot (the host, TCG) from one of a scheduler.
calibrate() {
  start=$(now_ms)
  awk 'BEGIN { for (i = 0; i < 500000; i++) s += i * i }'
  kv "calib_ms_$1" $(( $(now_ms) - start ))
}

# measure <scheduler> <set>: one set of every workload.
measure() {
  say "set $2: measuring under $1 (sched_ext state: $(scx_state))"
  calibrate "$1_$2"
  hackbench_runs "$1" "$2"
  latencies "$1_$2"
}

# jthulhu_set <set>: attach, measure, detach; status 1 if the daemon did not attach or did not detach cleanly.
start_failures=0
jthulhu_set() {
  start_attached
  attached=$?
  start_failures=$((start_failures + failures))
  if [ "$attached" -ne 0 ]; then
    kv attached false
    kill -9 "$DAEMON_PID" 2>/dev/null
    print_daemon_log
    return 1
  fi
  kv attached true
  say "daemon threads' CPU ticks once attached: $(daemon_threads)"
  # jt_bpf_stats=1: the kernel times every BPF program run (costs two clock reads per run, so off by default).
  [ "${jt_bpf_stats:-0}" = 1 ] && echo 1 > /proc/sys/kernel/bpf_stats_enabled
  measure jthulhu "$1"
  if [ "${jt_bpf_stats:-0}" = 1 ]; then
    echo 0 > /proc/sys/kernel/bpf_stats_enabled
    # Per struct_ops program: runs and time in them during the set, and the instructions the verifier
    # processed to load it, with its global functions (the kernel shows that in the fd's fdinfo only).
    echo "0 none" > /tmp/verified_insns # never empty: else awk's NR == FNR would hold for bpftool's lines
    for f in /proc/"$DAEMON_PID"/fdinfo/*; do
      awk '$1 == "prog_id:" { id = $2 } $1 == "verified_insns:" { v = $2 } END { if (id != "") print id, v }' "$f"
    done >> /tmp/verified_insns 2>/dev/null
    bpftool prog show | awk '
      function report() {
        if (name != "") printf "JT_LOG bpf %s runs=%d total_ms=%d avg_ns=%d verified_insns=%s\n",
          name, c, t / 1000000, c ? t / c : 0, (id in verified) ? verified[id] : "?"
        name = ""
      }
      NR == FNR { verified[$1] = $2; next }
      /^[0-9]+: / { report(); id = $1; sub(/:$/, "", id); name = ($2 == "struct_ops") ? $4 : ""; t = c = 0 }
      { for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) } }
      END { report() }' /tmp/verified_insns -
  fi
  say "daemon threads' CPU ticks after the set: $(daemon_threads)"
  kv state_jthulhu "$(scx_state)"
  stop_daemon
  print_daemon_log
  [ "$detach" = clean ]
}

: > /tmp/hackbench.eevdf; : > /tmp/hackbench_ctxt.eevdf; : > /tmp/hackbench.jthulhu; : > /tmp/hackbench_ctxt.jthulhu
kv state_eevdf "$(scx_state)"
# Timekeeping cost differs a lot under TCG by clock source (BPF reads the clock on every event).
kv clocksource "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
kv compare_rounds "$ROUNDS"
measure eevdf 0
round=1
while [ "$round" -le "$ROUNDS" ]; do
  jthulhu_set "$round" || break
  [ "$(scx_state)" = disabled ] || break
  measure eevdf "$round"
  round=$((round + 1))
done
kv daemon_start_failures "$start_failures"
kv rounds_completed $((round - 1))
kv anycpu_widen_failures "$anycpu_widen_failures"

# Summary over every set of each scheduler.
for s in eevdf jthulhu; do
  kv "hackbench_$s" "$(median /tmp/hackbench.$s)"
  kv "hackbench_ctxt_$s" "$(median /tmp/hackbench_ctxt.$s)"
  for kind in idle load anycpu; do
    latency_report "$kind" "$s" /tmp/cyclictest.$kind.${s}_*.sorted
  done
done
kv hackbench_daemon_cpu_pct_jthulhu "$(awk -v d="$daemon_hackbench_ticks" -v t="$machine_hackbench_ticks" \
  'BEGIN { printf "%.1f\n", (t > 0 ? 100 * d / t : 0) }')"
# Paired throughput: each Jthulhu set against the mean of the EEVDF sets around it; the median over sets.
k=1
: > /tmp/hackbench.paired
while [ "$k" -lt "$round" ]; do
  before=$(median "/tmp/hackbench_set.eevdf_$((k - 1))") jt=$(median "/tmp/hackbench_set.jthulhu_$k")
  after=$(median "/tmp/hackbench_set.eevdf_$k")
  r=$(awk -v a="$before" -v b="$after" -v j="$jt" 'BEGIN { printf "%.3f\n", (a + b) / 2 / j }')
  kv "hackbench_round_$k" "$before,$jt,$after,$r"
  echo "$r" >> /tmp/hackbench.paired
  k=$((k + 1))
done
[ "$round" -gt "$ROUNDS" ] && kv hackbench_paired_ratio "$(median /tmp/hackbench.paired)"

counters=$(daemon_totals)
kv sessions "$(field "$counters" sessions)"
report_counters "$counters"
kv ejections "$(count_ejections)"
sleep 1
dump_scx_dmesg
