# Helpers sourced by the in-VM scenario scripts (busybox ash).
# Scenarios report facts as "JT_KV key=value" lines (no spaces in values); the host decides pass/fail.

JAR=/opt/jthulhu/jthulhu-node-daemon.jar
# Kernel option jt_jvm_opts=-XX:A,-XX:B adds JVM options (for experiments; commas become spaces).
# The daemon's JVM: fixed, pre-touched heap (no page faults, no heap growth); C1 only, because C2 kept
# compiling for minutes after attach under TCG and took 10-12 % of the machine from the workloads there,
# while C1 code decides a task in well under a microsecond anyway. No perf data: its sampler thread was 6 % of
# the daemon's CPU during hackbench.
JVM_OPTS="-Xms256m -Xmx256m -XX:+AlwaysPreTouch -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -XX:-UsePerfData $(echo "${jt_jvm_opts:-}" | tr , ' ')"
DAEMON_LOG=/tmp/daemon.log
SCX=/sys/kernel/sched_ext
ATTACH_TIMEOUT_MS=${jt_attach_timeout_ms:-180000}

kv() { echo "JT_KV $1=$2"; }
say() { echo "JT_LOG $*"; }

# Milliseconds since boot.
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

scx_state() { cat "$SCX/state" 2>/dev/null || echo missing; }
scx_ops() { cat "$SCX/root/ops" 2>/dev/null; }
scx_enable_seq() { cat "$SCX/enable_seq" 2>/dev/null || echo 0; }

# wait_state <state> <timeout-ms>: polls every 100 ms; status 0 once /sys/kernel/sched_ext/state is <state>.
wait_state() {
  deadline=$(( $(now_ms) + $2 ))
  while [ "$(scx_state)" != "$1" ]; do
    [ "$(now_ms)" -ge "$deadline" ] && return 1
    sleep 0.1
  done
}

# Prints the daemon's output on the console as it comes (the file itself is what scenarios parse). sed reads
# the pipe in blocks; a shell read loop made one system call per byte.
forward_daemon_log() {
  touch "$DAEMON_LOG"
  daemon_log_forwarded=1
  tail -n +1 -f "$DAEMON_LOG" | sed 's/^/[daemon] /' &
}

# print_daemon_log: the daemon's output written since the last call, for scenarios that measure. Forwarded as it
# is written, each line would cost the console's CPU time in the middle of a measurement, and only while the
# daemon runs: under TCG a 1.5 kB stats line a second goes out byte by byte through the emulated UART. Does
# nothing in a scenario that forwards the output already.
daemon_log_printed=0
daemon_log_forwarded=0
print_daemon_log() {
  [ "$daemon_log_forwarded" = 0 ] && [ -f "$DAEMON_LOG" ] || return 0
  total=$(wc -l < "$DAEMON_LOG")
  [ "$total" -gt "$daemon_log_printed" ] && sed -n "$((daemon_log_printed + 1)),${total}p" "$DAEMON_LOG" | sed 's/^/[daemon] /'
  daemon_log_printed=$total
}

# start_daemon [daemon options...]: starts the node daemon in the background, sets DAEMON_PID.
# Kernel option jt_daemon_args=--opt1=v1,--opt2=v2 adds options (for experiments; commas become spaces).
start_daemon() {
  # shellcheck disable=SC2086 # JVM_OPTS and the extra options are lists of words
  java $JVM_OPTS -jar "$JAR" run $(echo "${jt_daemon_args:-}" | tr , ' ') "$@" >> "$DAEMON_LOG" 2>&1 &
  DAEMON_PID=$!
  say "daemon started pid=$DAEMON_PID"
}

# start_attached [daemon options...]: starts the daemon and waits until it has attached (sets DAEMON_PID). A daemon that dies
# before attaching is started again, at most twice, as the kubelet restarts a crashed DaemonSet pod: under
# TCG the JVM occasionally dies of a SIGSEGV in JIT-compiled code during warm-up, before any BPF is loaded.
# Each such death is reported (daemon_start_failures, the JVM's crash summary); status 1 if none attached.
start_attached() {
  failures=0
  while :; do
    start_daemon "$@"
    if wait_attached 0 "$ATTACH_TIMEOUT_MS" "$DAEMON_PID"; then
      kv daemon_start_failures "$failures"
      return 0
    fi
    alive "$DAEMON_PID" && break
    failures=$((failures + 1))
    # Counted here, as a start failure: init.sh counts every other JVM crash as one.
    f=/tmp/hs_err_pid$DAEMON_PID.log
    if [ -f "$f" ]; then
      grep -m 12 -e '^# ' -e '^siginfo' -e '^Current thread' "$f" | sed 's/^/JT_LOG jvm crash: /'
      mv "$f" "/tmp/hs_err_before_attach_pid$DAEMON_PID.log"
    fi
    [ "$failures" -le 2 ] || break
    say "daemon pid $DAEMON_PID died before attaching; starting it again"
  done
  kv daemon_start_failures "$failures"
  return 1
}

# stop_daemon: SIGTERM; the daemon must detach, print its final counters and exit 0 within 30 s.
# Reports daemon_rc, state_after and detach (clean, or what went wrong).
stop_daemon() {
  kill -TERM "$DAEMON_PID"
  ( sleep 30; kill -9 "$DAEMON_PID" 2>/dev/null ) &
  watchdog_pid=$!
  wait "$DAEMON_PID"
  daemon_rc=$?
  kill "$watchdog_pid" 2>/dev/null
  kv daemon_rc "$daemon_rc"
  if wait_state disabled 10000; then state_after=disabled; else state_after=$(scx_state); fi
  kv state_after "$state_after"
  if [ "$daemon_rc" -ne 0 ]; then detach=exit_code_$daemon_rc
  elif [ "$state_after" != disabled ]; then detach=state_$state_after
  elif [ "$(count_in_log 'JTHULHU detached')" -eq 0 ]; then detach=no_detached_line
  else detach=clean
  fi
  kv detach "$detach"
}

count_in_log() { n=$(grep -c "$1" "$DAEMON_LOG" 2>/dev/null); echo "${n:-0}"; }

# alive <pid>: the process exists and is not a zombie.
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# wait_attached <attached-lines-before> <timeout-ms> [daemon-pid]: a new "JTHULHU attached" line, state
# enabled and root/ops naming jthulhu. Gives up early if the given daemon process has exited.
wait_attached() {
  deadline=$(( $(now_ms) + $2 ))
  while :; do
    if [ "$(count_in_log 'JTHULHU attached')" -gt "$1" ] && [ "$(scx_state)" = enabled ] \
        && scx_ops | grep -q jthulhu; then
      return 0
    fi
    if [ "$(now_ms)" -ge "$deadline" ] || { [ -n "${3:-}" ] && ! alive "$3"; }; then
      err=$(last_log_line 'JTHULHU error' | sed -n 's/.*kind=\([^ ]*\).*/\1/p')
      kv attach_error "${err:-timeout_or_exit}"
      return 1
    fi
    sleep 0.2
  done
}

# last_log_line <pattern>
last_log_line() { grep "$1" "$DAEMON_LOG" 2>/dev/null | tail -n 1; }

# field <line> <key>: the numeric value of " key=N" in a daemon stats line (empty if absent).
field() { echo " $1" | sed -n "s/.* $2=\([0-9][0-9]*\).*/\1/p"; }

# delta <a> <b>: a - b, or "none" unless both are numbers (ash aborts on bad arithmetic).
delta() {
  case "$1" in ''|*[!0-9]*) echo none; return ;; esac
  case "$2" in ''|*[!0-9]*) echo none; return ;; esac
  echo $(( $1 - $2 ))
}

# Kernel-side ejections: sched_ext disables for any reason other than user-space unregistration
# (runtime error, scx_bpf_error, runnable task stall, ...), or the daemon reporting one; the larger count.
count_ejections() {
  kernel=$(dmesg | grep 'sched_ext: BPF scheduler' | grep 'disabled (' | grep -vc 'unregistered from user space')
  daemon=$(count_in_log 'JTHULHU ejected')
  [ "${kernel:-0}" -gt "${daemon:-0}" ] && echo "${kernel:-0}" || echo "${daemon:-0}"
}

# Every sched_ext kernel message, for the console log.
# cpu_ticks <proc stat file>: "total user system" CPU ticks of that process or thread (comm may hold spaces).
cpu_ticks() { sed 's/^.*) //' "$1" | awk '{ print $12 + $13, $12, $13 }'; }
# daemon_ticks: the daemon process's CPU ticks (0 when it is not running).
daemon_ticks() {
  if [ -n "${DAEMON_PID:-}" ] && [ -r "/proc/$DAEMON_PID/stat" ]; then
    cpu_ticks "/proc/$DAEMON_PID/stat" | cut -d' ' -f1
  else
    echo 0
  fi
}

# The daemon's threads that used CPU so far (ticks; JIT compilers, GC, the scheduling loop), busiest first.
daemon_threads() {
  for t in /proc/"$DAEMON_PID"/task/*; do
    [ -r "$t/stat" ] && echo "$(cpu_ticks "$t/stat" | awk '{ print $1, $2 "u/" $3 "s" }') $(tr ' ' _ < "$t/comm")"
  done | sort -rn | head -n 6 | awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $3, $2 }'
}

# report_wait_paths <label>: while the daemon runs, LatencyCritical tasks' waits by the path that placed them
# (other idle class_preempt java pinned shared resumed kept_last wake_preempt) and, of those, the waits over 1 ms.
report_wait_paths() {
  id=$(bpftool map show 2>/dev/null | sed -n 's/^\([0-9]*\):.* name \.data\.jt_priv.*/\1/p' | head -n 1)
  [ -n "$id" ] || return 0
  json=$(bpftool -j map dump id "$id" 2>/dev/null)
  kv "lc_waits_by_path_$1" "$(echo "$json" | sed -n 's/.*"lc_waits_by_path":\[\([0-9,]*\)\].*/\1/p')"
  kv "lc_slow_waits_by_path_$1" "$(echo "$json" | sed -n 's/.*"lc_slow_waits_by_path":\[\([0-9,]*\)\].*/\1/p')"
  kv "late_class_preempts_$1" "$(echo "$json" | sed -n 's/.*"nr_late_class_preempts":\([0-9]*\).*/\1/p')"
}

dump_scx_dmesg() { dmesg | grep -i -e sched_ext -e 'task stall' | sed 's/^/JT_DMESG /'; }

# The daemon's counters summed over every attach session's "JTHULHU final" line (a re-attach after an
# ejection loads a fresh BPF object whose counters start at zero); the last stats line if no session
# ended yet. Prints one line that `field` reads, e.g. "JTHULHU totals sessions=2 queued=... ...".
daemon_totals() {
  if [ "$(count_in_log 'JTHULHU final')" -eq 0 ]; then
    echo "JTHULHU totals sessions=0 $(last_log_line 'JTHULHU stats')"
    return
  fi
  awk '/JTHULHU final/ {
         n++
         for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2 && kv[2] ~ /^[0-9]+$/) sum[kv[1]] += kv[2]
       }
       END { printf "JTHULHU totals sessions=%d", n; for (k in sum) printf " %s=%d", k, sum[k]; print "" }' "$DAEMON_LOG"
}

# Reports the counters of a daemon stats/final/totals line as JT_KV keys.
report_counters() {
  for key in queued java_dispatched fallback ring_full stale direct_idle direct_kernel direct_usersched direct_pinned \
      kept_last class_preempts class_requeues wake_preempts resumed starved_moves no_heartbeat bpf_inserts wake_deferred wake_nudges loop_parks \
      loop_unparks; do
    kv "$key" "$(field "$1" "$key")"
  done
}

# --- A kubelet-shaped cgroup tree (systemd driver), pods as cgroups, and the daemon's plan file. ---
CG=/sys/fs/cgroup
KUBEPODS=$CG/kubepods.slice
PLAN_FILE=/tmp/plan.yaml
STATE_DIR=/tmp/jthulhu-state

# kube_init: kubepods.slice and its QoS slices, the cpu controller enabled down to the containers, as kubelet does.
kube_init() {
  echo +cpu > "$CG/cgroup.subtree_control"
  mkdir -p "$KUBEPODS/kubepods-burstable.slice" "$KUBEPODS/kubepods-besteffort.slice"
  echo +cpu > "$KUBEPODS/cgroup.subtree_control"
  echo +cpu > "$KUBEPODS/kubepods-burstable.slice/cgroup.subtree_control"
  echo +cpu > "$KUBEPODS/kubepods-besteffort.slice/cgroup.subtree_control"
}

# pod_dir <uid> <guaranteed|burstable|besteffort>: the pod's cgroup path as kubelet names it.
pod_dir() {
  u=$(echo "$1" | tr - _)
  case $2 in
    guaranteed) echo "$KUBEPODS/kubepods-pod$u.slice" ;;
    *) echo "$KUBEPODS/kubepods-$2.slice/kubepods-$2-pod$u.slice" ;;
  esac
}

# pod_create <uid> <qos>: the pod cgroup and one container scope beneath it (containerd's naming).
pod_create() {
  d=$(pod_dir "$1" "$2")
  mkdir -p "$d"
  echo +cpu > "$d/cgroup.subtree_control"
  mkdir -p "$d/cri-containerd-$(echo "$1" | tr -d - | cut -c1-12).scope"
}

# pod_exec <uid> <qos> <command...>: runs the command in the pod's container, in the background; sets POD_PID.
pod_exec() {
  d=$(pod_dir "$1" "$2")
  shift 2
  ctr=$(ls -d "$d"/cri-containerd-*.scope 2>/dev/null | head -n 1)
  [ -n "$ctr" ] || { kv harness_error "no_container_in:$d"; return 1; }
  sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$ctr" "$@" &
  POD_PID=$!
}

# pod_busy <uid> <qos> <n>: n CPU-bound processes in the pod.
pod_busy() {
  i=0
  while [ "$i" -lt "$3" ]; do
    pod_exec "$1" "$2" sh -c 'while :; do :; done'
    i=$((i + 1))
  done
}

# pod_kill <uid> <qos>: kills every process of the pod.
pod_kill() {
  for f in $(pod_dir "$1" "$2")/*/cgroup.procs; do
    [ -f "$f" ] && for p in $(cat "$f"); do kill -9 "$p" 2>/dev/null; done
  done
}

# pod_remove <uid> <qos>: kills the pod's processes and removes its cgroups, as kubelet does when it ends.
pod_remove() {
  pod_kill "$1" "$2"
  d=$(pod_dir "$1" "$2")
  for i in 1 2 3 4 5 6 7 8 9 10; do
    rmdir "$d"/*.scope "$d" 2>/dev/null
    [ -d "$d" ] || return 0
    sleep 0.05
  done
  return 1
}

# pod_usage_us <uid> <qos>: CPU time of the pod's tasks (cpu.stat usage_usec).
pod_usage_us() { awk '$1 == "usage_usec" { print $2 }' "$(pod_dir "$1" "$2")/cpu.stat"; }

# plan_write <generation> < "uid namespace name policy class weight slice_us preempt" lines: the plan file,
# replaced atomically as a configuration manager would.
plan_write() {
  {
    echo "apiVersion: jthulhu.io/v1alpha1"
    echo "kind: NodeSchedulingPlan"
    echo "metadata:"
    echo "  name: vm"
    echo "  generation: $1"
    echo "spec:"
    echo "  nodeName: vm"
    echo "  pods:"
    while read -r uid ns name policy class weight slice preempt; do
      [ -n "$uid" ] || continue
      echo "  - podUid: $uid"
      echo "    namespace: $ns"
      echo "    name: $name"
      echo "    policy: $policy"
      echo "    policyGeneration: 1"
      echo "    scheduling:"
      echo "      class: $class"
      echo "      weight: $weight"
      echo "      sliceMicros: $slice"
      echo "      preempt: $preempt"
    done
  } > "$PLAN_FILE.tmp"
  mv "$PLAN_FILE.tmp" "$PLAN_FILE"
}

# start_planned [daemon options...]: start_attached with the plan file and a private state directory.
start_planned() {
  mkdir -p "$STATE_DIR"
  start_attached --plan-file "$PLAN_FILE" --state-dir "$STATE_DIR" "$@"
}

# wait_plan <applied> <timeout-ms>: until the daemon's last plan line reports that many applied pods.
wait_plan() {
  deadline=$(( $(now_ms) + $2 ))
  while :; do
    [ "$(field "$(last_log_line 'JTHULHU plan generation')" applied)" = "$1" ] && return 0
    [ "$(now_ms)" -ge "$deadline" ] && return 1
    sleep 0.1
  done
}

# probe_to <out-file> <uid> <qos> [loops]: a 1 ms periodic wake-up probe (cyclictest, SCHED_OTHER) in the
# pod; writes its wake-up latencies in microseconds to the file, sorted, one a line.
probe_to() {
  pod_exec "$2" "$3" cyclictest -t1 -i 1000 -l "${4:-3000}" --policy=other -q -v > "$1.raw" 2>&1
  wait "$POD_PID"
  awk '$1 ~ /^[0-9]+:$/ && $2 ~ /^[0-9]+:$/ { print $3 }' "$1.raw" | sort -n > "$1"
}

# percentile <sorted-file> <p>: the p-th percentile (nearest rank); empty if no samples.
percentile() {
  n=$(wc -l < "$1")
  [ "$n" -gt 0 ] || return
  sed -n "$(( (n * $2 + 99) / 100 ))p" "$1"
}

# attach_or_exit <start command> [options...]: starts the daemon with start_attached or start_planned;
# if it never attaches, reports attached=false and ends the scenario.
attach_or_exit() {
  if ! "$@"; then
    kv attached false
    print_daemon_log
    dump_scx_dmesg
    exit 0
  fi
  kv attached true
}

# pods_cpu <label> <uid:qos:name>...: each pod's CPU time over WINDOW_S seconds, as cpu_<label>_<name>_ms,
# and the window's length as window_<label>_ms.
pods_cpu() {
  label=$1
  shift
  t0=$(now_ms)
  for p in "$@"; do eval "u0_${p##*:}=$(pod_usage_us "${p%%:*}" "$(echo "$p" | cut -d: -f2)")"; done
  sleep "$WINDOW_S"
  for p in "$@"; do eval "u1_${p##*:}=$(pod_usage_us "${p%%:*}" "$(echo "$p" | cut -d: -f2)")"; done
  t1=$(now_ms)
  for p in "$@"; do
    n=${p##*:}
    eval "kv cpu_${label}_${n}_ms \$(( (u1_$n - u0_$n) / 1000 ))"
  done
  kv "window_${label}_ms" $((t1 - t0))
}
