#!/bin/sh
# hotplug: a CPU goes offline, then online again, while Jthulhu schedules under load. Jthulhu does not
# implement ops.cpu_online/cpu_offline, so the kernel exits the scheduler each time with
# SCX_ECODE_ACT_RESTART | SCX_ECODE_RSN_HOTPLUG; the daemon must honour the restart request: report it,
# re-attach at once (no back-off) on the new set of CPUs, and keep scheduling. Finally SIGTERM detaches.
. /scenarios/lib.sh
REATTACH_TIMEOUT_MS=${jt_reattach_timeout_ms:-60000}

kv scenario hotplug
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
last_cpu=$(( $(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l) - 1 ))
ONLINE=/sys/devices/system/cpu/cpu$last_cpu/online
[ "$last_cpu" -ge 1 ] && [ -w "$ONLINE" ] || { kv harness_error no_hotpluggable_cpu; exit 1; }
forward_daemon_log

stress-ng --cpu 2 --timeout 3600s --quiet &
load_pid=$!
if ! start_attached; then
  kv attached false
  kill -9 "$DAEMON_PID" 2>/dev/null
  kill "$load_pid"
  exit 0
fi
kv attached true
sleep 3

# cycle <0|1> <label>: writes the CPU's online file; the scheduler must be back, newly enabled, and Java
# must dispatch again (a fresh stats line with java_dispatched > 0: counters restart with each attach).
cycle() {
  attached_before=$(count_in_log 'JTHULHU attached')
  seq_before=$(scx_enable_seq)
  t0=$(now_ms)
  if ! echo "$1" > "$ONLINE"; then
    kv "hotplug_$2" write_failed
    return
  fi
  kv "online_cpus_$2" "$(cat /sys/devices/system/cpu/online)"
  if wait_attached "$attached_before" "$REATTACH_TIMEOUT_MS" "$DAEMON_PID" \
      && [ "$(scx_enable_seq)" -gt "$seq_before" ]; then
    kv "reattached_$2" true
    kv "reattach_ms_$2" $(( $(now_ms) - t0 ))
  else
    kv "reattached_$2" false
    return
  fi
  stats_before=$(count_in_log 'JTHULHU stats')
  scheduling=false
  deadline=$(( $(now_ms) + 20000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    if [ "$(count_in_log 'JTHULHU stats')" -gt "$stats_before" ] \
        && [ "$(field "$(last_log_line 'JTHULHU stats')" java_dispatched)" -gt 0 ] 2>/dev/null; then
      scheduling=true; break
    fi
    sleep 0.5
  done
  kv "java_scheduling_$2" "$scheduling"
}

cycle 0 offline
sleep 2
cycle 1 online
sleep 2
kv state "$(scx_state)"
stop_daemon
kill "$load_pid"

# The daemon prints "JTHULHU ejected ... exit_code=0x<hex>" for every exit; bit 48 is the restart request.
restart_lines=$(grep 'JTHULHU ejected' "$DAEMON_LOG" | grep -c 'exit_code=0x1[0-9a-f]\{12\}$')
kv restarts "$restart_lines"
kv other_ejections $(( $(count_in_log 'JTHULHU ejected') - restart_lines ))
kv stall_messages "$(dmesg | grep -c 'runnable task stall')"
kv sessions "$(count_in_log 'JTHULHU attached')"
sleep 1
dump_scx_dmesg
