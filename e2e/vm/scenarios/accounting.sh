#!/bin/sh
# accounting: what the per-pod accounting in BPF (CPU time, switches, run-queue wait histogram) costs on the
# hot path. hackbench runs in a pod with a policy, so every one of its tasks is accounted; the daemon runs
# with the accounting on and off (--no-pod-stats) in ABBA order, jt_accounting_pairs (default 2) pairs;
# each mode's figure is the lower median of its sets' median hackbench times.
. /scenarios/lib.sh
PAIRS=${jt_accounting_pairs:-2}
RUNS=${jt_hackbench_runs:-3}
POD=ac000000-0000-4000-8000-000000000001

kv scenario accounting
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
kube_init
pod_create $POD burstable
plan_write 1 <<PLAN
$POD bench hackbench bench-normal Normal 100 5000 false
PLAN
forward_daemon_log

# hackbench_median: median wall time in ms of RUNS hackbench runs in the pod.
hackbench_median() {
  : > /tmp/hb.times
  r=0
  while [ "$r" -lt "$RUNS" ]; do
    t0=$(now_ms)
    pod_exec $POD burstable hackbench -g 4 -l 200 > /dev/null 2>&1
    wait "$POD_PID" || echo failed >> /tmp/hackbench.failures
    echo $(( $(now_ms) - t0 )) >> /tmp/hb.times
    r=$((r + 1))
  done
  sort -n /tmp/hb.times | sed -n "$(( (RUNS + 1) / 2 ))p"
}

pair=1
: > /tmp/acc.on
: > /tmp/acc.off
while [ "$pair" -le "$PAIRS" ]; do
  # ABBA: the VM speeds up over a boot, and a fixed order would favour whichever mode goes second.
  if [ $((pair % 2)) -eq 1 ]; then order="on off"; else order="off on"; fi
  for mode in $order; do
    before=$(count_in_log 'JTHULHU attached')
    if [ $mode = on ]; then start_planned; else start_planned --no-pod-stats; fi || { kv attached false; exit 0; }
    wait_plan 1 10000 || kv plan_not_applied_$mode$pair true
    sleep 1
    ms=$(hackbench_median)
    kv "hackbench_ms_${mode}_$pair" "$ms"
    echo "$ms" >> /tmp/acc.$mode
    stop_daemon
  done
  pair=$((pair + 1))
done
kv attached true
kv hackbench_failures "$(cat /tmp/hackbench.failures 2>/dev/null | wc -l)"
kv hackbench_ms_on "$(sort -n /tmp/acc.on | sed -n "$(( (PAIRS + 1) / 2 ))p")"
kv hackbench_ms_off "$(sort -n /tmp/acc.off | sed -n "$(( (PAIRS + 1) / 2 ))p")"
kv ejections "$(count_ejections)"
grep 'JTHULHU pod ' "$DAEMON_LOG" | tail -n 2 | sed 's/^/JT_LOG /'
dump_scx_dmesg
