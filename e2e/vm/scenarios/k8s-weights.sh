#!/bin/sh
# k8s-weights: no SchedulingPolicy at all. Two pods whose cpu.weight kubelet would set from their CPU
# requests (300 and 100), 4 CPU-bound processes each on 2 vCPUs: their CPU time under EEVDF, then under
# Jthulhu (no plan), in one boot. The requests must mean the same under both.
. /scenarios/lib.sh
WINDOW_S=${jt_window_s:-10}
BIG=2a000000-0000-4000-8000-000000000001
SMALL=2a000000-0000-4000-8000-000000000002

kv scenario k8s-weights
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
kube_init
pod_create $BIG burstable
pod_create $SMALL burstable
echo 300 > "$(pod_dir $BIG burstable)/cpu.weight"
echo 100 > "$(pod_dir $SMALL burstable)/cpu.weight"

pod_busy $BIG burstable 4
pod_busy $SMALL burstable 4
sleep 2
say "EEVDF: both pods busy for ${WINDOW_S}s"
pods_cpu eevdf $BIG:burstable:big $SMALL:burstable:small

forward_daemon_log
attach_or_exit start_attached
sleep 2
say "Jthulhu, no policies: both pods busy for ${WINDOW_S}s"
pods_cpu jthulhu $BIG:burstable:big $SMALL:burstable:small
kv ejections "$(count_ejections)"
pod_kill $BIG burstable
pod_kill $SMALL burstable
stop_daemon
dump_scx_dmesg
