#!/bin/sh
# stress: the daemon schedules the whole VM through jt_duration (default 60) seconds of stress-ng
# (CPU, fork, affinity changes, context-switch and sleep/wake storms) plus a hackbench loop, then
# detaches on SIGTERM.
. /scenarios/lib.sh
DURATION=${jt_duration:-60}

kv scenario stress
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
kv state_before "$(scx_state)"
forward_daemon_log
t0=$(now_ms)
if ! start_attached; then
  kv attached false
  kv state "$(scx_state)"
  kv ejections "$(count_ejections)"
  kill -9 "$DAEMON_PID" 2>/dev/null
  dump_scx_dmesg
  exit 0
fi
kv attached true
kv attach_ms $(( $(now_ms) - t0 ))
kv ops "$(scx_ops)"
seq0=$(scx_enable_seq)

say "workload: stress-ng and a hackbench loop for ${DURATION}s"
end=$(( $(now_ms) + DURATION * 1000 ))
stress-ng --cpu 2 --fork 2 --affinity 2 --switch 2 --sleep 2 --sleep-max 64 \
  --timeout "${DURATION}s" --metrics-brief &
stress_pid=$!
(
  runs=0
  while [ "$(now_ms)" -lt "$end" ]; do
    hackbench -g 2 -l 50 > /dev/null || echo failed >> /tmp/hackbench.failures
    runs=$((runs + 1))
  done
  echo "$runs" > /tmp/hackbench.runs
) &
hackbench_pid=$!

# The state must read "enabled" at every sample during the load.
state=enabled
while [ "$(now_ms)" -lt "$end" ]; do
  s=$(scx_state)
  [ "$s" = enabled ] || state=$s
  sleep 1
done
wait "$stress_pid"
kv stress_rc $?
wait "$hackbench_pid"
kv hackbench_runs "$(cat /tmp/hackbench.runs 2>/dev/null || echo 0)"
kv hackbench_failures "$(cat /tmp/hackbench.failures 2>/dev/null | wc -l)"
s=$(scx_state)
[ "$s" = enabled ] || state=$s
kv state "$state"
kv enable_seq_delta $(( $(scx_enable_seq) - seq0 ))

stop_daemon

counters=$(daemon_totals)
kv sessions "$(field "$counters" sessions)"
report_counters "$counters"
kv ejections "$(count_ejections)"
kv stall_messages "$(dmesg | grep -c 'runnable task stall')"
sleep 1
dump_scx_dmesg
