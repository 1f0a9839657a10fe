#!/bin/sh
# latency: a LatencyCritical pod runs a 1 ms periodic wake-up probe while Batch pods oversubscribe the two
# CPUs 2x (4 CPU-bound processes). Under EEVDF (no policies) and then under Jthulhu with the plan, in one
# boot: the probe's latencies alone on the idle machine and under that load, and the Batch pods' CPU time
# during the loaded probe.
. /scenarios/lib.sh
LOOPS=${jt_probe_loops:-5000}
LC=1c000000-0000-4000-8000-000000000001
B1=1c000000-0000-4000-8000-0000000000b1
B2=1c000000-0000-4000-8000-0000000000b2

kv scenario latency
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
kube_init
pod_create $LC guaranteed
pod_create $B1 besteffort
pod_create $B2 besteffort
plan_write 1 <<PLAN
$LC shop checkout checkout-latency LatencyCritical 100 1000 true
$B1 analytics batch-1 analytics-batch Batch 100 20000 false
$B2 analytics batch-2 analytics-batch Batch 100 20000 false
PLAN

# wait_buckets <file>: the probe pod's BPF-measured run-queue wait histogram from the daemon's /metrics,
# "le count" a line (cumulative); empty under EEVDF (no daemon).
wait_buckets() {
  wget -q -O - http://127.0.0.1:9402/metrics 2>/dev/null | grep '^jthulhu_pod_runqueue_wait_seconds_bucket{.*pod="checkout"' \
    | sed -n 's/.*le="\([^"]*\)".*} \([0-9.eE+]*\)$/\1 \2/p' > "$1"
}

# sched_wait_p <before> <after> <p>: the upper bound (us) of the bucket holding the p-th percentile of the
# waits counted between the two scrapes: the scheduler's own part of the probe's wake-up latency.
sched_wait_p() {
  awk -v p="$3" 'NR == FNR { b[$1] = $2; next }
    { le[++n] = $1; c[n] = $2 - b[$1] }
    END { if (n == 0 || c[n] <= 0) exit; for (i = 1; i <= n; i++) if (c[i] >= c[n] * p / 100) {
      if (le[i] == "+Inf") print "inf"; else printf "%d\n", le[i] * 1000000 + 0.5; exit } }' "$1" "$2"
}

batch_usage() { echo $(( $(pod_usage_us $B1 besteffort) + $(pod_usage_us $B2 besteffort) )); }

# run_set <label>: the probe idle, then under the Batch load; reports p50/p99/max and the Batch CPU time.
run_set() {
  probe_to "/tmp/probe.idle.$1" $LC guaranteed "$LOOPS"
  kv "idle_p50_$1" "$(percentile "/tmp/probe.idle.$1" 50)"
  kv "idle_p99_$1" "$(percentile "/tmp/probe.idle.$1" 99)"
  kv "idle_max_$1" "$(percentile "/tmp/probe.idle.$1" 100)"
  pod_busy $B1 besteffort 2
  pod_busy $B2 besteffort 2
  sleep 1
  wait_buckets /tmp/wait.before
  u0=$(batch_usage) t0=$(now_ms)
  probe_to "/tmp/probe.load.$1" $LC guaranteed "$LOOPS"
  u1=$(batch_usage) t1=$(now_ms)
  wait_buckets /tmp/wait.after
  if [ -s /tmp/wait.after ]; then
    kv "sched_wait_p50_le_$1" "$(sched_wait_p /tmp/wait.before /tmp/wait.after 50)"
    kv "sched_wait_p99_le_$1" "$(sched_wait_p /tmp/wait.before /tmp/wait.after 99)"
    kv "sched_wait_count_$1" "$(awk 'NR == FNR { b[$1] = $2; next } $1 == "+Inf" { print $2 - b[$1] }' /tmp/wait.before /tmp/wait.after)"
  fi
  pod_kill $B1 besteffort
  pod_kill $B2 besteffort
  kv "load_samples_$1" "$(wc -l < "/tmp/probe.load.$1")"
  for p in 50 90 99; do
    kv "load_p${p}_$1" "$(percentile "/tmp/probe.load.$1" $p)"
  done
  kv "load_max_$1" "$(percentile "/tmp/probe.load.$1" 100)"
  # Batch CPU time per second of the loaded probe, in milli-CPUs.
  kv "batch_mcpu_$1" $(( (u1 - u0) / (t1 - t0) ))
  sleep 1
}

say "EEVDF: probe idle, then with 4 Batch processes"
run_set eevdf

forward_daemon_log
attach_or_exit start_planned
wait_plan 3 10000 && kv plan_applied true || kv plan_applied false
sleep 2
say "Jthulhu with the plan: probe idle, then with 4 Batch processes"
run_set jthulhu
kv ejections "$(count_ejections)"
stop_daemon
counters=$(daemon_totals)
report_counters "$counters"
kv class_preempts "$(field "$counters" class_preempts)"
grep 'JTHULHU pod ' "$DAEMON_LOG" | sed 's/^/JT_LOG /'
# The percentile curves for the chart: every 1 % of both loaded runs.
for s in eevdf jthulhu; do
  n=$(wc -l < "/tmp/probe.load.$s")
  [ "$n" -gt 0 ] || continue
  curve=$(for p in 1 5 10 20 30 40 50 60 70 80 90 95 96 97 98 99 100; do
    printf '%s:%s,' "$p" "$(sed -n "$(( (n * p + 99) / 100 ))p" "/tmp/probe.load.$s")"; done)
  kv "load_curve_$s" "${curve%,}"
done
dump_scx_dmesg
