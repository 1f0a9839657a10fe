#!/bin/sh
# stall: the daemon is frozen (SIGSTOP) for jt_stop_seconds (default 10) under CPU load while a probe
# ticks every 100 ms; BPF must keep the system running and the kernel must not eject the scheduler.
# Then the daemon is killed (-9): the kernel falls back to its default scheduler and a supervisor loop,
# standing in for the kubelet restarting the DaemonSet pod, restarts it and it attaches again.
. /scenarios/lib.sh
STOP_S=${jt_stop_seconds:-10}
PROBE=/tmp/probe.ticks
PID_FILE=/tmp/daemon.pid
STOP_FILE=/tmp/supervisor.stop

kv scenario stall
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
forward_daemon_log

stress-ng --cpu 2 --timeout 3600s --quiet &
load_pid=$!
# The probe wakes every 100 ms without forking (read -t on a FIFO nobody writes to) and counts ticks.
mkfifo /tmp/probe.fifo
( exec 3<> /tmp/probe.fifo; i=0; while :; do i=$((i + 1)); echo "$i" >> "$PROBE"; read -r -t 0.1 -u 3 _; done ) &
probe_pid=$!
probe_ticks() { t=$(tail -n 1 "$PROBE" 2>/dev/null); echo "${t:-0}"; }

(
  while [ ! -e "$STOP_FILE" ]; do
    start_daemon
    echo "$DAEMON_PID" > "$PID_FILE"
    wait "$DAEMON_PID"
    say "supervisor: daemon pid $DAEMON_PID exited with status $?"
    [ -e "$STOP_FILE" ] || sleep 1
  done
) &
supervisor_pid=$!

finish() {
  touch "$STOP_FILE"
  kill -TERM "$(cat "$PID_FILE")" 2>/dev/null
  ( sleep 30; kill -9 "$(cat "$PID_FILE")" 2>/dev/null ) &
  wait "$supervisor_pid"
  if wait_state disabled 10000; then kv state_after disabled; else kv state_after "$(scx_state)"; fi
  kill "$load_pid" "$probe_pid" 2>/dev/null
  kv ejections "$(count_ejections)"
  kv stall_messages "$(dmesg | grep -c 'runnable task stall')"
  sleep 1
  dump_scx_dmesg
  exit 0
}

if ! wait_attached 0 "$ATTACH_TIMEOUT_MS"; then
  kv attached false
  finish
fi
kv attached true
daemon_pid=$(cat "$PID_FILE")
p0=$(probe_ticks)
sleep 3
kv probe_ticks_3s_before_stop $(( $(probe_ticks) - p0 ))
seq_before=$(scx_enable_seq)

# --- Freeze the daemon. Everything "before" is read once it is stopped: under TCG the few forks in
# between take long enough for the daemon to print more stats lines.
kill -STOP "$daemon_pid"
t0=$(now_ms)
p0=$(probe_ticks)
before=$(last_log_line 'JTHULHU stats')
stats_before=$(count_in_log 'JTHULHU stats')
state_during=enabled
while [ $(( $(now_ms) - t0 )) -lt $((STOP_S * 1000)) ]; do
  s=$(scx_state)
  [ "$s" = enabled ] || state_during=$s
  sleep 0.5
done
p1=$(probe_ticks)
t1=$(now_ms)
kill -CONT "$daemon_pid"
kv stop_ms $((t1 - t0))
kv probe_ticks_during_stop $((p1 - p0))
kv probe_expected $(( (t1 - t0) / 100 ))
kv state_during_stop "$state_during"
kv enable_seq_delta_during_stop $(( $(scx_enable_seq) - seq_before ))

# --- Resumed: two fresh stats lines after SIGCONT, Java dispatching again.
resumed=false
deadline=$(( $(now_ms) + 30000 ))
while [ "$(now_ms)" -lt "$deadline" ]; do
  if [ "$(count_in_log 'JTHULHU stats')" -ge $((stats_before + 2)) ]; then
    last=$(last_log_line 'JTHULHU stats')
    if [ "$(delta "$(field "$last" java_dispatched)" "$(field "$before" java_dispatched)")" -gt 0 ] 2>/dev/null; then
      resumed=true; break
    fi
  fi
  sleep 0.5
done
kv resumed "$resumed"
first_after=$(grep 'JTHULHU stats' "$DAEMON_LOG" | sed -n "$((stats_before + 1))p")
if [ -n "$first_after" ]; then
  kv fallback_during_stop "$(delta "$(field "$first_after" fallback)" "$(field "$before" fallback)")"
  kv java_dispatched_during_stop \
    "$(delta "$(field "$first_after" java_dispatched)" "$(field "$before" java_dispatched)")"
fi

# --- Kill -9: the struct_ops link dies with the process; the kernel must fall back to EEVDF.
attached_before=$(count_in_log 'JTHULHU attached')
seq_before_kill=$(scx_enable_seq)
disables_before=$(dmesg | grep -c 'sched_ext: BPF scheduler .* disabled')
t0=$(now_ms)
kill -9 "$daemon_pid"
fell_back=false
while [ $(( $(now_ms) - t0 )) -lt 10000 ]; do
  if [ "$(scx_state)" != enabled ]; then fell_back=true; break; fi
  sleep 0.1
done
kv fell_back "$fell_back"
[ "$fell_back" = true ] && kv fallback_ms $(( $(now_ms) - t0 ))
sleep 1
if [ "$(dmesg | grep -c 'sched_ext: BPF scheduler .* disabled')" -gt "$disables_before" ]; then
  kv dmesg_disabled true
else
  kv dmesg_disabled false
fi

# --- The supervisor restarts the daemon, which must attach again.
if wait_attached "$attached_before" "$ATTACH_TIMEOUT_MS" && [ "$(scx_enable_seq)" -gt "$seq_before_kill" ]; then
  kv reattached true
  kv reattach_ms $(( $(now_ms) - t0 ))
else
  kv reattached false
fi
finish
