#!/bin/sh
# weight: two CPU-bound pods (4 processes each on 2 vCPUs) whose policies give weights 300 and 100. Each
# pod's CPU time (cpu.stat usage_usec of its pod cgroup) over a window, under EEVDF first (no policy: the
# pods' cpu.weight are equal) and then under Jthulhu with the plan file naming both pods.
. /scenarios/lib.sh
WINDOW_S=${jt_window_s:-10}
HEAVY=0a1b2c3d-0000-4000-8000-000000000001
LIGHT=0a1b2c3d-0000-4000-8000-000000000002

kv scenario weight
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
kube_init
pod_create $HEAVY burstable
pod_create $LIGHT burstable
plan_write 1 <<PLAN
$HEAVY demo heavy weight-heavy Normal 300 5000 false
$LIGHT demo light weight-light Normal 100 5000 false
PLAN

pod_busy $HEAVY burstable 4
pod_busy $LIGHT burstable 4
sleep 2
say "EEVDF: both pods busy for ${WINDOW_S}s"
pods_cpu eevdf $HEAVY:burstable:heavy $LIGHT:burstable:light

forward_daemon_log
attach_or_exit start_planned
t0=$(now_ms)
wait_plan 2 10000 && kv plan_applied_ms $(( $(now_ms) - t0 )) || kv plan_applied_ms none
sleep 2
say "Jthulhu with the plan: both pods busy for ${WINDOW_S}s"
pods_cpu jthulhu $HEAVY:burstable:heavy $LIGHT:burstable:light
# The daemon's /metrics as a scraper sees it: one CPU-time series per pod with a policy.
wget -q -O /tmp/metrics http://127.0.0.1:9402/metrics || say "no /metrics"
grep '^jthulhu_pod_cpu_seconds_total{' /tmp/metrics | sed 's/^/JT_LOG metric /'
kv metrics_pod_series "$(grep -c '^jthulhu_pod_cpu_seconds_total{.*pod="\(heavy\|light\)"' /tmp/metrics)"
kv metrics_wait_buckets "$(grep -c '^jthulhu_pod_runqueue_wait_seconds_bucket{.*pod="heavy"' /tmp/metrics)"
kv healthz "$(wget -q -O - http://127.0.0.1:9402/healthz | tr -d '\n')"
kv ejections "$(count_ejections)"
pod_kill $HEAVY burstable
pod_kill $LIGHT burstable
stop_daemon
report_counters "$(daemon_totals)"
grep 'JTHULHU pod ' "$DAEMON_LOG" | sed 's/^/JT_LOG /'
dump_scx_dmesg
