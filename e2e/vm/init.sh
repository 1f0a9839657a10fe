#!/bin/sh
# PID 1 of the test VM: mounts the kernel filesystems, runs /scenarios/<jt_scenario>.sh and powers off.
# Kernel command line options named jt_<key>=<value> are exported to the scenario as jt_<key>.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# JNA extracts libjnidispatch.so here and maps it executable: no noexec.
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t debugfs debugfs /sys/kernel/debug
hostname -F /etc/hostname
# Loopback only (no network device): the daemon's /metrics and /healthz are scraped on 127.0.0.1.
ip link set lo up

read -r uptime _ < /proc/uptime
echo "JT_INIT uptime=$uptime kernel=$(uname -r) cpus=$(nproc)"

scenario=
for opt in $(cat /proc/cmdline); do
  case "$opt" in
    jt_scenario=*) scenario=${opt#jt_scenario=} ;;
    jt_*=*) export "$opt" ;;
  esac
done

if [ -z "$scenario" ] || [ ! -f "/scenarios/$scenario.sh" ]; then
  echo "JT_KV harness_error=unknown_scenario:${scenario:-none}"
  rc=127
else
  echo "JT_SCENARIO_START name=$scenario"
  cd /tmp && sh "/scenarios/$scenario.sh"
  rc=$?
  # Every JVM (daemon, operator, API server) runs in /tmp and writes its crash report there; a daemon that
  # died before attaching was counted by the scenario and its report renamed.
  crashes=0
  for f in /tmp/hs_err_pid*.log; do
    [ -f "$f" ] || continue
    crashes=$((crashes + 1))
    grep -m 8 -e '^# ' -e '^Current thread' "$f" | sed "s|^|JT_LOG jvm crash ($f): |"
  done
  echo "JT_KV jvm_crashes=$crashes"
fi
read -r uptime _ < /proc/uptime
echo "JT_DONE rc=$rc uptime=$uptime"
sync
poweroff -f
