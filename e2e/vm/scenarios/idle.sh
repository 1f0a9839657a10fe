#!/bin/sh
# idle: an Idle-class pod (2 CPU-bound processes) beside a Normal pod that saturates both CPUs (4 CPU-bound
# processes). Its share of the two pods' CPU time under EEVDF (no policies) and under Jthulhu with the plan;
# then the Normal pod stops and the time until the Idle pod runs on both CPUs is measured.
. /scenarios/lib.sh
WINDOW_S=${jt_window_s:-10}
NORMAL=1d000000-0000-4000-8000-000000000001
IDLE=1d000000-0000-4000-8000-000000000002

kv scenario idle
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
kube_init
pod_create $NORMAL burstable
pod_create $IDLE besteffort
plan_write 1 <<PLAN
$NORMAL web frontend web-normal Normal 100 5000 false
$IDLE backup backup-job backups-idle Idle 100 20000 false
PLAN

pod_busy $NORMAL burstable 4
pod_busy $IDLE besteffort 2
sleep 2
say "EEVDF: both pods busy for ${WINDOW_S}s"
pods_cpu eevdf $NORMAL:burstable:normal $IDLE:besteffort:idle
pod_kill $NORMAL burstable
pod_kill $IDLE besteffort

forward_daemon_log
attach_or_exit start_planned
wait_plan 2 10000 && kv plan_applied true || kv plan_applied false
pod_busy $NORMAL burstable 4
pod_busy $IDLE besteffort 2
sleep 2
say "Jthulhu with the plan: both pods busy for ${WINDOW_S}s"
pods_cpu jthulhu $NORMAL:burstable:normal $IDLE:besteffort:idle

# The Normal pod stops: how long until the Idle pod runs on both CPUs, i.e. uses more than one CPU's worth
# (>= 1.25 CPUs over 200 ms; the measuring shell and the daemon take their share too)?
pod_kill $NORMAL burstable
t0=$(now_ms)
prev=$(pod_usage_us $IDLE besteffort) prev_t=$t0
takeover=none rates=
while [ $(( $(now_ms) - t0 )) -lt 5000 ]; do
  sleep 0.2
  u=$(pod_usage_us $IDLE besteffort) t=$(now_ms)
  rate=$(( (u - prev) / (t - prev_t) ))
  rates="$rates${rates:+,}$rate"
  if [ "$rate" -ge 1250 ]; then
    takeover=$(( t - t0 ))
    break
  fi
  prev=$u prev_t=$t
done
kv takeover_mcpu_samples "$rates"
kv takeover_ms "$takeover"
pod_kill $IDLE besteffort
kv ejections "$(count_ejections)"
stop_daemon
counters=$(daemon_totals)
report_counters "$counters"
kv starved_moves "$(field "$counters" starved_moves)"
dump_scx_dmesg
