#!/usr/bin/env bash
# The demo: the whole chain in a QEMU VM with the sched_ext kernel (stand-in API server, operator, node
# daemon). A payments API pod's wake-up latency beside batch pods, under the kernel's default scheduler
# (EEVDF) and then with two example policies applied through the API; prints the before/after table and
# writes a chart. Installs what it needs on first use (root, Debian 12).
#   scripts/demo.sh [output-dir]      (default demo-output/: demo.log, demo.svg)
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-demo-output}
mkdir -p "$out"
log=$out/demo.log
: > "$log"
echo "Jthulhu demo: about 5 minutes; every detail goes to $log"
start=$(date +%s)
JTHULHU_QUIET=1 e2e/vm/run.sh demo > "$log" 2>&1 &
pid=$!

# Progress in words: the harness's steps, then the VM's, as they come.
shown_h=0 shown_v=0 console=
progress() {
  local lines
  lines=$(wc -l < "$log")
  if [ "$lines" -gt "$shown_h" ]; then
    sed -n "$((shown_h + 1)),${lines}p" "$log" | sed -n 's/^\[vm-harness\] /  /p' \
      | grep -v -e '^  VM run ended' -e '^  initramfs ' | sed 's/^  booting .*/  booting the VM (sched_ext kernel, 2 vCPUs, QEMU TCG)/'
    shown_h=$lines
  fi
  # The newest boot's console (a boot the harness retries gets a log of its own).
  latest=$(ls -t e2e/vm/.work/runs/demo-*/console-boot*.log 2>/dev/null | head -n 1)
  [ -n "$latest" ] && [ "$latest" -nt "$log.start" ] || return
  [ "$latest" = "$console" ] || { console=$latest; shown_v=0; }
  lines=$(wc -l < "$console")
  if [ "$lines" -gt "$shown_v" ]; then
    sed -n "$((shown_v + 1)),${lines}p" "$console" | tr -d '\r' | sed -n 's/^JT_LOG /  /p' \
      | grep -v -e '^  daemon started' -e '^  operator started'
    shown_v=$lines
  fi
}
touch "$log.start"
while kill -0 "$pid" 2> /dev/null; do
  progress
  sleep 1
done
wait "$pid"
rc=$?
progress
rm -f "$log.start"

result=$(grep -a '^RESULT scenario=demo ' "$log" | tail -n 1)
get() { echo " $result" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
if [ -z "$result" ] || [ -z "$(get load_p99_jthulhu)" ] || [ "$(get load_p99_jthulhu)" = none ]; then
  echo "The demo did not finish: $(get reason) (see $log)"
  exit 1
fi
echo
echo "payments-api pod: 1 ms periodic wake-ups (cyclictest), latency in microseconds; 2 vCPUs, 4 batch processes"
printf '%-44s %12s %22s\n' "" "EEVDF" "Jthulhu + policies"
row() { printf '%-44s %12s %22s\n' "$1" "$(get "$2_eevdf")" "$(get "$2_jthulhu")"; }
row "wake-up p50, idle machine" idle_p50
row "wake-up p99, idle machine" idle_p99
row "wake-up p50, beside the batch load" load_p50
row "wake-up p90, beside the batch load" load_p90
row "wake-up p99, beside the batch load" load_p99
row "wake-up max, beside the batch load" load_max
row "batch pods' CPU, milli-CPUs" batch_mcpu
echo
echo "EEVDF's loaded p99 / Jthulhu's: $(get p99_ratio_eevdf_over_jthulhu); batch throughput, Jthulhu / EEVDF: $(get batch_throughput_ratio)"
echo "policies applied on the node $(get apply_to_applied_ms) ms after kubectl apply; the probe's ready-to-running wait"
echo "under load as the scheduler measured it: p99 <= $(get sched_wait_p99_le_jthulhu) us"
if e2e/vm/latency-chart.sh "$result" > "$out/demo.svg" 2> /dev/null; then
  echo "chart: $out/demo.svg"
fi
echo "finished in $(( $(date +%s) - start )) s"
exit "$rc"
