#!/bin/sh
# fail-static: the weight scenario's pods and plan (weights 300:100); once the plan is applied the plan file
# is removed and the daemon restarted. The last plan, kept in the daemon's state directory, must stay in
# force: the CPU ratio holds before and after, and the daemon says it is running fail-static.
. /scenarios/lib.sh
WINDOW_S=${jt_window_s:-8}
HEAVY=0f000000-0000-4000-8000-000000000001
LIGHT=0f000000-0000-4000-8000-000000000002

kv scenario fail-static
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
kube_init
pod_create $HEAVY burstable
pod_create $LIGHT burstable
plan_write 7 <<PLAN
$HEAVY demo heavy weight-heavy Normal 300 5000 false
$LIGHT demo light weight-light Normal 100 5000 false
PLAN

forward_daemon_log
attach_or_exit start_planned
wait_plan 2 10000 && kv plan_applied true || kv plan_applied false
pod_busy $HEAVY burstable 4
pod_busy $LIGHT burstable 4
sleep 2
say "with the plan file: both pods busy for ${WINDOW_S}s"
pods_cpu before $HEAVY:burstable:heavy $LIGHT:burstable:light

say "plan file removed, daemon restarted"
rm -f "$PLAN_FILE"
sleep 1
kv unavailable_reported "$(count_in_log 'JTHULHU plan source_unavailable')"
stop_daemon
kv first_detach "$detach"
attached_before=$(count_in_log 'JTHULHU attached')
start_daemon --plan-file "$PLAN_FILE" --state-dir "$STATE_DIR"
wait_attached "$attached_before" "$ATTACH_TIMEOUT_MS" "$DAEMON_PID" && kv reattached true || kv reattached false
kv restored_plan "$(last_log_line 'JTHULHU plan generation' | sed -n 's/.*generation=\([0-9]*\).*fail_static=\([01]\).*/\1:\2/p')"
sleep 2
say "without a plan source, after the restart: both pods busy for ${WINDOW_S}s"
pods_cpu after $HEAVY:burstable:heavy $LIGHT:burstable:light
kv ejections "$(count_ejections)"
pod_kill $HEAVY burstable
pod_kill $LIGHT burstable
stop_daemon
dump_scx_dmesg
