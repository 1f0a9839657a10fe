#!/bin/sh
# control: no Jthulhu. Attaches and detaches the harness's control scheduler (bpf/control.bpf.c, one global
# FIFO) jt_cycles (default 40) times under a CPU and context-switch load. run.sh boots it when a scenario's
# kernel crashed after the scenario started, to see whether sched_ext shows the same crash without Jthulhu.
. /scenarios/lib.sh
CYCLES=${jt_cycles:-40}
OBJ=/opt/jthulhu/jt_control.bpf.o
PIN=/sys/fs/bpf/jt_control

kv scenario control
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
[ -f "$OBJ" ] || { kv harness_error no_control_scheduler; exit 1; }
stress-ng --cpu 1 --switch 1 --timeout 900s > /dev/null 2>&1 &
load_pid=$!
done_cycles=0
failures=0
while [ "$done_cycles" -lt "$CYCLES" ]; do
  mkdir -p "$PIN"
  if ! bpftool struct_ops register "$OBJ" "$PIN" > /dev/null 2>&1 || ! wait_state enabled 10000; then
    failures=$((failures + 1))
    [ "$failures" -le 3 ] || break
  fi
  sleep 0.3
  rm -rf "$PIN"
  wait_state disabled 10000 || { failures=$((failures + 1)); [ "$failures" -le 3 ] || break; }
  done_cycles=$((done_cycles + 1))
  kv cycles_done "$done_cycles"
done
kill "$load_pid" 2>/dev/null
kv cycles "$CYCLES"
kv cycles_done "$done_cycles"
kv attach_failures "$failures"
kv ejections "$(dmesg | grep 'sched_ext: BPF scheduler' | grep 'disabled (' | grep -vc 'unregistered from user space')"
