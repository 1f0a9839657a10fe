#!/bin/sh
# k8s-limits: no SchedulingPolicy. A pod whose cpu.max kubelet would set from a CPU limit of half a CPU
# ("50000 100000") runs 4 CPU-bound processes while another pod (no limit) is busy too: the limited pod's
# CPU use over a window, under EEVDF and then under Jthulhu, in one boot.
. /scenarios/lib.sh
WINDOW_S=${jt_window_s:-10}
LIMITED=2b000000-0000-4000-8000-000000000001
OTHER=2b000000-0000-4000-8000-000000000002

kv scenario k8s-limits
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
kube_init
pod_create $LIMITED burstable
pod_create $OTHER burstable
echo "50000 100000" > "$(pod_dir $LIMITED burstable)/cpu.max"

# measure <label>: the limited pod's CPU use over the window, in milli-CPUs, and the other pod's.
measure() {
  l0=$(pod_usage_us $LIMITED burstable) o0=$(pod_usage_us $OTHER burstable) t0=$(now_ms)
  sleep "$WINDOW_S"
  l1=$(pod_usage_us $LIMITED burstable) o1=$(pod_usage_us $OTHER burstable) t1=$(now_ms)
  kv "limited_mcpu_$1" $(( (l1 - l0) / (t1 - t0) ))
  kv "other_mcpu_$1" $(( (o1 - o0) / (t1 - t0) ))
}

pod_busy $LIMITED burstable 4
pod_busy $OTHER burstable 2
sleep 2
say "EEVDF: both pods busy for ${WINDOW_S}s"
measure eevdf

forward_daemon_log
if ! start_attached; then
  kv attached false
  dump_scx_dmesg
  exit 0
fi
kv attached true
sleep 2
say "Jthulhu, no policies: both pods busy for ${WINDOW_S}s"
measure jthulhu
kv ejections "$(count_ejections)"
pod_kill $LIMITED burstable
pod_kill $OTHER burstable
stop_daemon
counters=$(daemon_totals)
kv throttled "$(field "$counters" throttled)"
kv unthrottled "$(field "$counters" unthrottled)"
dump_scx_dmesg
