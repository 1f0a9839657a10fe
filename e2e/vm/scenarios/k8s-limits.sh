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

pod_busy $LIMITED burstable 4
pod_busy $OTHER burstable 2
sleep 2
say "EEVDF: both pods busy for ${WINDOW_S}s"
pods_cpu eevdf $LIMITED:burstable:limited $OTHER:burstable:other

forward_daemon_log
attach_or_exit start_attached
sleep 2
say "Jthulhu, no policies: both pods busy for ${WINDOW_S}s"
pods_cpu jthulhu $LIMITED:burstable:limited $OTHER:burstable:other
kv ejections "$(count_ejections)"
pod_kill $LIMITED burstable
pod_kill $OTHER burstable
stop_daemon
counters=$(daemon_totals)
kv throttled "$(field "$counters" throttled)"
kv unthrottled "$(field "$counters" unthrottled)"
dump_scx_dmesg
