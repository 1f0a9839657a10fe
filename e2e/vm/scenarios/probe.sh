# The probe-under-load measurement shared by the latency scenario and the demo (busybox ash).
# Callers set LC (the LatencyCritical pod's UID, Guaranteed QoS), PROBE_POD (its name in the plan),
# B1 and B2 (the Batch pods' UIDs, BestEffort QoS) and LOOPS (probe wake-ups per run).

# wait_buckets <file>: the probe pod's BPF-measured run-queue wait histogram from the daemon's /metrics,
# "le count" a line (cumulative); empty under EEVDF (no daemon).
wait_buckets() {
  wget -q -O - http://127.0.0.1:9402/metrics 2>/dev/null | grep '^jthulhu_pod_runqueue_wait_seconds_bucket{.*pod="'"$PROBE_POD"'"' \
    | sed -n 's/.*le="\([^"]*\)".*} \([0-9.eE+]*\)$/\1 \2/p' > "$1"
}

# sched_wait_p <before> <after> <p>: the upper bound (us) of the bucket holding the p-th percentile of the
# waits counted between the two scrapes: the scheduler's own part of the probe's wake-up latency.
sched_wait_p() {
  awk -v p="$3" 'NR == FNR { b[$1] = $2; next }
    { le[++n] = $1; c[n] = $2 - b[$1] }
    END { if (n == 0 || c[n] <= 0) exit; for (i = 1; i <= n; i++) if (c[i] >= c[n] * p / 100) {
      if (le[i] == "+Inf") print "inf"; else printf "%d\n", le[i] * 1000000 + 0.5; exit } }' "$1" "$2"
}

batch_usage() { echo $(( $(pod_usage_us $B1 besteffort) + $(pod_usage_us $B2 besteffort) )); }

# run_set <label>: the probe idle, then under the Batch load; reports p50/p99/max and the Batch CPU time.
run_set() {
  wait_buckets /tmp/wait.idle.before
  probe_to "/tmp/probe.idle.$1" $LC guaranteed "$LOOPS"
  wait_buckets /tmp/wait.idle.after
  if [ -s /tmp/wait.idle.after ]; then
    kv "sched_wait_idle_p50_le_$1" "$(sched_wait_p /tmp/wait.idle.before /tmp/wait.idle.after 50)"
    kv "sched_wait_idle_p99_le_$1" "$(sched_wait_p /tmp/wait.idle.before /tmp/wait.idle.after 99)"
  fi
  kv "idle_p50_$1" "$(percentile "/tmp/probe.idle.$1" 50)"
  kv "idle_p99_$1" "$(percentile "/tmp/probe.idle.$1" 99)"
  kv "idle_max_$1" "$(percentile "/tmp/probe.idle.$1" 100)"
  pod_busy $B1 besteffort 2
  pod_busy $B2 besteffort 2
  sleep 1
  wait_buckets /tmp/wait.before
  u0=$(batch_usage) t0=$(now_ms) d0=$(daemon_ticks)
  probe_to "/tmp/probe.load.$1" $LC guaranteed "$LOOPS"
  u1=$(batch_usage) t1=$(now_ms) d1=$(daemon_ticks)
  wait_buckets /tmp/wait.after
  if [ -s /tmp/wait.after ]; then
    kv "sched_wait_p50_le_$1" "$(sched_wait_p /tmp/wait.before /tmp/wait.after 50)"
    kv "sched_wait_p99_le_$1" "$(sched_wait_p /tmp/wait.before /tmp/wait.after 99)"
    kv "sched_wait_count_$1" "$(awk 'NR == FNR { b[$1] = $2; next } $1 == "+Inf" { print $2 - b[$1] }' /tmp/wait.before /tmp/wait.after)"
  fi
  pod_kill $B1 besteffort
  pod_kill $B2 besteffort
  kv "load_samples_$1" "$(wc -l < "/tmp/probe.load.$1")"
  for p in 50 90 95 99; do
    kv "load_p${p}_$1" "$(percentile "/tmp/probe.load.$1" $p)"
  done
  kv "load_max_$1" "$(percentile "/tmp/probe.load.$1" 100)"
  # Batch CPU time per second of the loaded probe, in milli-CPUs.
  kv "batch_mcpu_$1" $(( (u1 - u0) / (t1 - t0) ))
  # The daemon's CPU meanwhile (clock ticks of 10 ms), in milli-CPUs; 0 under EEVDF.
  kv "daemon_mcpu_$1" $(( (d1 - d0) * 10000 / (t1 - t0) ))
  [ -z "${DAEMON_PID:-}" ] || say "daemon threads' CPU ticks so far: $(daemon_threads)"
  sleep 1
}

# emit_load_curves <label>...: the loaded runs' percentile curves for the chart, "p:us,..." (every 10 %, the tail finer).
emit_load_curves() {
  for s in "$@"; do
    n=$(wc -l < "/tmp/probe.load.$s")
    [ "$n" -gt 0 ] || continue
    curve=$(for p in 1 5 10 20 30 40 50 60 70 80 90 95 96 97 98 99 100; do
      printf '%s:%s,' "$p" "$(sed -n "$(( (n * p + 99) / 100 ))p" "/tmp/probe.load.$s")"; done)
    kv "load_curve_$s" "${curve%,}"
  done
}
