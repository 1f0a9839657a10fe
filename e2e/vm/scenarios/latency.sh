#!/bin/sh
# latency: a LatencyCritical pod runs a 1 ms periodic wake-up probe while Batch pods oversubscribe the two
# CPUs 2x (4 CPU-bound processes). Under EEVDF (no policies) and then under Jthulhu with the plan, in one
# boot: the probe's latencies alone on the idle machine and under that load, and the Batch pods' CPU time
# during the loaded probe.
. /scenarios/lib.sh
. /scenarios/probe.sh
LOOPS=${jt_probe_loops:-5000}
LC=1c000000-0000-4000-8000-000000000001
PROBE_POD=checkout
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

say "EEVDF: probe idle, then with 4 Batch processes"
run_set eevdf

attach_or_exit start_planned
wait_plan 3 10000 && kv plan_applied true || kv plan_applied false
sleep 2
say "Jthulhu with the plan: probe idle, then with 4 Batch processes"
run_set jthulhu
report_wait_paths jthulhu
kv ejections "$(count_ejections)"
stop_daemon
print_daemon_log
counters=$(daemon_totals)
report_counters "$counters"
kv class_preempts "$(field "$counters" class_preempts)"
grep 'JTHULHU pod ' "$DAEMON_LOG" | sed 's/^/JT_LOG /'
emit_load_curves eevdf jthulhu
dump_scx_dmesg
