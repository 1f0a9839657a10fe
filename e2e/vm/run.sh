#!/usr/bin/env bash
# Runs one Jthulhu scenario on a real sched_ext kernel in a QEMU (TCG) VM, from the repository root:
#   e2e/vm/run.sh <scenario>          scenarios: the files in e2e/vm/scenarios/ but lib.sh
# Installs host packages, fetches the kernel, builds the node daemon, builds the initramfs, boots the
# VM, and judges the scenario's JT_KV facts on the host. A boot that dies before the scenario starts is
# retried. A kernel crash after it started counts: it is retried only if the control scenario (no Jthulhu,
# a minimal sched_ext scheduler attached and detached 40 times) shows the same crash signature on this
# kernel; otherwise the run fails. The RESULT line reports crashes, crashes_explained and their signatures.
# Exit status 0 only if the scenario passed. The last line of stdout is always
#   RESULT scenario=<name> pass=true|false [reason=<why>] <scenario keys...> boot_s=... wall_s=... log=...
# Environment:
#   JTHULHU_SKIP_BUILD=1      use the existing node-daemon/target/jthulhu-node-daemon.jar
#   JTHULHU_DAEMON_JAR=path   boot this jar instead of the built one (implies no build)
#   JTHULHU_VM_ARGS="k=v ..." extra kernel command line words, e.g. jt_duration=20 (stress seconds)
#   JTHULHU_VM_TIMEOUT=secs   limit for one VM run (default per scenario); JTHULHU_QUIET=1: no console echo
#   JTHULHU_CACHE=dir         download and jlink cache (default ~/.cache/jthulhu)
#   JTHULHU_QEMU_TIMER_RT=0|1 run QEMU's main thread (it fires the guest's timers) SCHED_FIFO; default 1 for
#                             the timer-driven probes (latency, demo), 0 for the rest
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
vm=e2e/vm
work=$vm/.work
scenario=${1:-}
started=$(date +%s.%N)
mkdir -p "$work"

elapsed() { awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "[vm-harness] $*"; }

# harness_fail <reason>: the run could not produce a verdict.
harness_fail() {
  echo "RESULT scenario=${scenario:-none} pass=false reason=$1 wall_s=$(elapsed)${log:+ log=$log}"
  exit 1
}

scenarios=$(ls "$vm/scenarios" | sed -n 's/\.sh$//p' | grep -vx lib | paste -sd' ' -)
if [ -z "$scenario" ] || [ "$scenario" = lib ] || [ ! -f "$vm/scenarios/$scenario.sh" ]; then
  echo "usage: e2e/vm/run.sh <scenario>   (one of: $scenarios)" >&2
  harness_fail unknown_scenario
fi

say "installing host packages (scripts/setup-host.sh)"
bash scripts/setup-host.sh > "$work/setup-host.$$.log" 2>&1 \
  || { tail -n 20 "$work/setup-host.$$.log"; harness_fail setup_host_failed; }
rm -f "$work/setup-host.$$.log"
say "fetching the sched_ext kernel (e2e/vm/fetch-kernel.sh)"
kernel_dir=$(bash "$vm/fetch-kernel.sh" 2> "$work/fetch-kernel.$$.log") \
  || { tail -n 20 "$work/fetch-kernel.$$.log"; harness_fail kernel_fetch_failed; }
rm -f "$work/fetch-kernel.$$.log"
say "kernel $(cat "$kernel_dir/version")"

jar=${JTHULHU_DAEMON_JAR:-node-daemon/target/jthulhu-node-daemon.jar}
if [ -z "${JTHULHU_SKIP_BUILD:-}" ] && [ -z "${JTHULHU_DAEMON_JAR:-}" ]; then
  say "building the node daemon (mvn -pl node-daemon -am package)"
  mvn -B -q -pl node-daemon -am package -DskipTests > "$work/build.$$.log" 2>&1 \
    || { tail -n 40 "$work/build.$$.log"; harness_fail daemon_build_failed; }
  rm -f "$work/build.$$.log"
fi
[ -f "$jar" ] || harness_fail "daemon_jar_missing:$jar"
# The full chain also runs the operator and the stand-in API server in the VM.
extra_jars=()
case $scenario in
  full-chain|demo)
    extra_jars=(operator/target/jthulhu-operator-0.1.0-SNAPSHOT-all.jar e2e/target/jthulhu-cluster.jar)
    if [ -z "${JTHULHU_SKIP_BUILD:-}" ]; then
      say "building the operator and the stand-in API server (mvn -pl operator,e2e -am package)"
      mvn -B -q -pl operator,e2e -am package -DskipTests > "$work/build.$$.log" 2>&1 \
        || { tail -n 40 "$work/build.$$.log"; harness_fail cluster_build_failed; }
      rm -f "$work/build.$$.log"
    fi
    for j in "${extra_jars[@]}"; do [ -f "$j" ] || harness_fail "jar_missing:$j"; done
    ;;
esac

# Private per run, so that runs can go in parallel; holds the initramfs (deleted at exit) and logs.
run_id=$scenario-$(date +%Y%m%d-%H%M%S)-$$
run_dir=$work/runs/$run_id
mkdir -p "$run_dir"
qemu_pid=
host_load_pid=
cleanup() {
  [ -z "$qemu_pid" ] || kill "$qemu_pid" 2> /dev/null
  [ -z "$host_load_pid" ] || kill "$host_load_pid" 2> /dev/null
  rm -f "$run_dir/initrd.img"
}
trap cleanup EXIT
trap 'harness_fail interrupted_by_sigterm' TERM
trap 'harness_fail interrupted_by_sigint' INT

say "building the initramfs"
t=$(date +%s.%N)
initrd=$(bash "$vm/build-initramfs.sh" "$jar" "$run_dir" "${extra_jars[@]}" 2> "$run_dir/initramfs.log") \
  || { tail -n 20 "$run_dir/initramfs.log"; harness_fail initramfs_failed; }
say "initramfs $(du -h "$initrd" | cut -f1) in $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

case $scenario in
  compare) default_timeout=1500 ;;
  compare-busy-host) default_timeout=2400 ;;
  *) default_timeout=900 ;;
esac
vm_timeout=${JTHULHU_VM_TIMEOUT:-$default_timeout}
# QEMU's main thread fires the guest's timer interrupts. With both vCPU threads busy on a 2-core host it
# waits for a host CPU, and a timer-driven probe would measure the host's scheduler too; hardware timers
# do not wait (docs/performance.md has the figures).
case $scenario in
  latency|demo) timer_rt=${JTHULHU_QEMU_TIMER_RT:-1} ;;
  *) timer_rt=${JTHULHU_QEMU_TIMER_RT:-0} ;;
esac
boot_timeout=120   # seconds until the scenario starts (normally 6-16 s under TCG on a busy host)
cmdline="console=ttyS0 quiet panic=-1 jt_scenario=$scenario ${JTHULHU_VM_ARGS:-}"

# boot <console-log> [cmdline] [timeout-s]: one VM run; sets outcome (done|boot_failed|panic|timeout|exited_early)
# and boot_s.
boot() {
  local console=$1 append=${2:-$cmdline} limit=${3:-$vm_timeout} printed=0 lines t0 now
  boot_s= boot_wall_s=
  t0=$(date +%s.%N)
  qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m 2G \
    -nodefaults -no-user-config -display none -monitor none -serial stdio -net none -no-reboot \
    -kernel "$kernel_dir/vmlinuz" -initrd "$initrd" -append "$append" \
    < /dev/null > "$console" 2> "$console.qemu-stderr" &
  qemu_pid=$!
  # Only the main thread: the vCPU threads it starts later get SCHED_OTHER (reset on fork).
  if [ "$timer_rt" = 1 ] && ! chrt -R -f -p 10 "$qemu_pid"; then say "could not make QEMU's main thread SCHED_FIFO"; fi
  outcome=
  while kill -0 "$qemu_pid" 2> /dev/null; do
    sleep 0.5
    now=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%d", b - a }')
    lines=$(wc -l < "$console")
    if [ "$lines" -gt "$printed" ]; then
      [ -n "${JTHULHU_QUIET:-}" ] || sed -n "$((printed + 1)),${lines}p" "$console" | tr -d '\r' | sed 's/^/vm| /'
      printed=$lines
    fi
    if [ -z "$boot_wall_s" ] && grep -aq '^JT_INIT' "$console"; then
      boot_wall_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    fi
    if ! grep -aq '^JT_SCENARIO_START' "$console" && [ "$now" -ge "$boot_timeout" ]; then
      outcome=boot_failed; kill "$qemu_pid"; break
    fi
    if [ "$now" -ge "$limit" ]; then
      outcome=timeout; kill "$qemu_pid"; break
    fi
  done
  wait "$qemu_pid" 2> /dev/null
  qemu_pid=
  lines=$(wc -l < "$console")
  [ -n "${JTHULHU_QUIET:-}" ] || [ "$lines" -le "$printed" ] \
    || sed -n "$((printed + 1)),\$p" "$console" | tr -d '\r' | sed 's/^/vm| /'
  boot_s=$(tr -d '\r' < "$console" | sed -n 's/^JT_INIT uptime=\([0-9.]*\).*/\1/p' | head -n 1)
  [ -n "$outcome" ] && return
  if grep -aq '^JT_DONE' "$console"; then outcome=done
  elif ! grep -aq '^JT_SCENARIO_START' "$console"; then outcome=boot_failed
  elif grep -aqE 'Kernel panic|Fatal exception' "$console"; then outcome=panic
  else outcome=exited_early
  fi
}

# crash_signature <console-log>: "<kind>@<sched_ext state>" of the log's first kernel crash, e.g.
# oops_int3@enabling+all: the Oops or BUG line, and the state the kernel prints beside the scheduler's name
# ("none" if no BPF scheduler was loaded). Not the function: an int3 from text patching hits whichever
# patched site a CPU runs into. crash_site <console-log>: the function the first RIP line names.
crash_signature() {
  tr -d '\r' < "$1" | awk '
    !kind && /Oops: / { s = $0; sub(/.*Oops: /, "", s); sub(/:.*/, "", s); kind = "oops_" s }
    !kind && /kernel BUG at / { s = $0; sub(/.*kernel BUG at /, "", s); sub(/!.*/, "", s); kind = "bug_" s }
    !kind && /BUG: / { s = $0; sub(/.*BUG: /, "", s); sub(/[,:].*/, "", s); kind = "bug_" s }
    !kind && /general protection fault/ { kind = "gpf" }
    kind && !state && /Sched_ext: [^ ]+ \(/ { s = $0; sub(/.*Sched_ext: [^ ]+ \(/, "", s); sub(/\).*/, "", s); state = s }
    kind && /RIP: [0-9]+:/ { exit }
    END { if (kind) { gsub(/[^A-Za-z0-9_.+]+/, "_", kind); print kind "@" (state ? state : "none") } }'
}
crash_site() { tr -d '\r' < "$1" | sed -n 's/.*RIP: [0-9]*:\([^+ ]*\).*/\1/p' | head -n 1; }

# Crash signatures the control scenario showed on this kernel, one per line, with the log that shows each.
control_dir=$work/control/$(cat "$kernel_dir/version")
control_boots_max=3
control_cycles=40
# crash_key <signature>: what a control crash must share with it to explain it. An unclaimed int3 comes from
# text patching (static keys, BPF trampolines) under TCG: it hits whichever patched site a CPU runs, and the
# state printed is that of the moment of the Oops (control runs showed it at "none", "enabling", "enabled"),
# so only its kind counts. Any other crash must match in kind and state.
crash_key() { case $1 in oops_int3@*) echo oops_int3 ;; *) echo "$1" ;; esac; }
# control_log <signature>: the control run's log that showed the same crash, empty if none did.
control_log() {
  local key s l
  key=$(crash_key "$1")
  [ -f "$control_dir/signatures" ] || return 0
  while read -r s l; do
    [ "$(crash_key "$s")" = "$key" ] && { echo "$l"; return 0; }
  done < "$control_dir/signatures"
}
# explained_by_control <signature>: the control scenario (no Jthulhu) crashed the same way on this kernel,
# once before (remembered in $control_dir) or in one of up to $control_boots_max boots now. Leaves the
# scenario's own outcome and boot figures as they were.
explained_by_control() {
  local sig=$1 c clog csig own_outcome=$outcome own_boot_s=$boot_s own_boot_wall_s=$boot_wall_s found=1
  mkdir -p "$control_dir"
  [ -n "$(control_log "$sig")" ] && return 0
  for ((c = 1; c <= control_boots_max; c++)); do
    clog=$run_dir/control-boot$c.log
    say "control run $c of $control_boots_max: is $sig sched_ext's? ($control_cycles attach/detach cycles, no Jthulhu)"
    boot "$clog" "console=ttyS0 quiet panic=-1 jt_scenario=control jt_cycles=$control_cycles" 600
    csig=$(crash_signature "$clog")
    say "control run $c ended: $outcome, $(tr -d '\r' < "$clog" | grep -ac 'JT_KV cycles_done=') cycles done," \
      "crash: ${csig:-none}${csig:+ in $(crash_site "$clog")}"
    [ -z "$csig" ] || echo "$csig $clog" >> "$control_dir/signatures"
    if [ -n "$csig" ] && [ "$(crash_key "$csig")" = "$(crash_key "$sig")" ]; then found=0; break; fi
  done
  outcome=$own_outcome boot_s=$own_boot_s boot_wall_s=$own_boot_wall_s
  return $found
}

# Boots: one that dies before the scenario starts (a panic at 1 s uptime was seen twice in a row under TCG)
# is retried, up to 3 boots. A crash after the scenario started is retried, up to 5 boots, only while the
# control scenario explains each one: an int3 Oops while the kernel live-patches its static keys at
# sched_ext enable and disable is such a crash under TCG.
# compare-busy-host: one CPU-bound process on the host beside QEMU's threads for every boot of the run.
if [ "$scenario" = compare-busy-host ]; then
  sh -c 'while :; do :; done' &
  host_load_pid=$!
  say "host load: a CPU-bound process (pid $host_load_pid) for the whole run"
fi

max_boots=3
max_boots_crash=5
attempt=1
retry_reason=
crashes=0
crashes_explained=0
crash_signatures=
unexplained=
while :; do
  log=$run_dir/console-boot$attempt.log
  say "booting (attempt $attempt, limit ${vm_timeout}s): $cmdline"
  boot "$log"
  say "VM run ended: $outcome (kernel reached /init after ${boot_s:-?} s uptime, ${boot_wall_s:-?} s wall)"
  case $outcome in
    panic)
      sig=$(crash_signature "$log")
      sig=${sig:-panic@unknown}
      crashes=$((crashes + 1))
      crash_signatures=${crash_signatures:+$crash_signatures,}$sig
      say "run $attempt crashed: $sig in $(crash_site "$log")"
      say "run $attempt's console log kept: $log"
      if [ "$scenario" = control ]; then
        mkdir -p "$control_dir" && echo "$sig $log" >> "$control_dir/signatures"
        break
      fi
      if ! explained_by_control "$sig"; then
        unexplained=$sig
        break
      fi
      crashes_explained=$((crashes_explained + 1))
      say "the control scenario shows $sig without Jthulhu ($(control_log "$sig"))"
      limit=$max_boots_crash ;;
    boot_failed) limit=$max_boots ;;
    *) break ;;
  esac
  [ "$attempt" -lt "$limit" ] || break
  grep -aE 'Kernel panic|Fatal exception|Oops' "$log" | head -n 3 | sed "s/^/[vm-harness] run $attempt failed: /"
  retry_reason=$outcome
  attempt=$((attempt + 1))
done

say "console log: $log"
extra="boot_s=${boot_s:-none} boot_wall_s=${boot_wall_s:-none} boots=$attempt${retry_reason:+ retried_after=$retry_reason}"
extra="$extra crashes=$crashes crashes_explained=$crashes_explained crash_signatures=${crash_signatures:-none}"
extra="$extra wall_s=$(elapsed) log=$log"
case $outcome in
  done) bash "$vm/evaluate.sh" "$scenario" "$log" "$extra"; exit $? ;;
  boot_failed) reason=$(grep -aqE 'Kernel panic|Fatal exception' "$log" && echo boot_panic || echo boot_failed) ;;
  panic) reason=${unexplained:+crash_not_explained_by_control:$unexplained}; reason=${reason:-kernel_panic} ;;
  timeout) reason=timeout_${vm_timeout}s ;;
  *) reason=vm_exited_before_scenario_end ;;
esac
echo "RESULT scenario=$scenario pass=false reason=$reason $extra"
exit 1
