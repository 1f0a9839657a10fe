#!/bin/sh
# churn: while a pod without a policy keeps both CPUs busy, pods come and go every 100 ms for jt_duration
# (default 60) seconds, each living ~3 s with a process that wakes every 50 ms, and the plan file follows
# them (every pod Normal, weight 200). A sampler dumps the kernel's cgroup_policy map every 500 ms. At the
# end: no ejection, no entry left in cgroup_policy or pod_stats, and every pod that lived >= 2 s was seen
# in the map under its cgroup id.
. /scenarios/lib.sh
DURATION=${jt_duration:-60}
LIFE=30   # pods alive at a time: ~3 s at one new pod per 100 ms
LOAD=1e000000-0000-4000-8000-00000000000f

kv scenario churn
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
kube_init
pod_create $LOAD burstable
: | plan_write 1

forward_daemon_log
if ! start_planned; then
  kv attached false
  dump_scx_dmesg
  exit 0
fi
kv attached true
pod_busy $LOAD burstable 2

uid_of() { printf '1e000000-0000-4000-8000-%012d' "$1"; }
# The map's keys as decimal cgroup ids, one a line (the u64 key as 8 hex bytes, little-endian).
map_keys() {
  bpftool -j map dump name "$1" 2>/dev/null | tr -d ' \n' | grep -o '"key":\[[^]]*\]' | sed 's/"key":\[//; s/\]//; s/"//g' \
    | awk -F, 'function h(s,  i, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
                 for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
                 return v }
               { v = 0; m = 1; for (i = 1; i <= 8; i++) { v += m * h($i); m *= 256 }; printf "%.0f\n", v }'
}
( while [ ! -f /tmp/churn.done ]; do map_keys cgroup_policy >> /tmp/churn.seen; sleep 0.5; done ) &
sampler=$!

say "churn: a pod every 100 ms for ${DURATION}s"
end=$(( $(now_ms) + DURATION * 1000 ))
i=0 gen=1
: > /tmp/churn.live
: > /tmp/churn.pods
while [ "$(now_ms)" -lt "$end" ]; do
  i=$((i + 1)) gen=$((gen + 1))
  uid=$(uid_of $i)
  pod_create "$uid" burstable
  pod_exec "$uid" burstable sh -c 'while :; do sleep 0.05; done'
  echo "$i $(now_ms) $(stat -c %i "$(pod_dir "$uid" burstable)")" >> /tmp/churn.pods
  echo "$i" >> /tmp/churn.live
  if [ "$(wc -l < /tmp/churn.live)" -gt "$LIFE" ]; then
    old=$(head -n 1 /tmp/churn.live)
    sed -i 1d /tmp/churn.live
    pod_remove "$(uid_of "$old")" burstable || say "pod $old: cgroup not removed"
    echo "$old $(now_ms)" >> /tmp/churn.gone
  fi
  while read -r n; do echo "$(uid_of "$n") churn pod-$n churn Normal 200 5000 false"; done < /tmp/churn.live \
    | plan_write "$gen"
  sleep 0.1
done
kv pods_created "$i"
# Every pod ends, the plan empties.
while read -r n; do pod_remove "$(uid_of "$n")" burstable; echo "$n $(now_ms)" >> /tmp/churn.gone; done < /tmp/churn.live
: | plan_write $((gen + 1))
sleep 3
touch /tmp/churn.done
wait "$sampler"
kv stale_entries "$(map_keys cgroup_policy | wc -l)"
kv stale_stats "$(map_keys pod_stats | wc -l)"
# Pods that lived >= 2 s and whose cgroup id never showed up in the map.
sort -u /tmp/churn.seen > /tmp/churn.seen.sorted
awk 'NR == FNR { gone[$1] = $2; next } { print $1, $2, gone[$1], $3 }' /tmp/churn.gone /tmp/churn.pods \
  | awk '$3 - $2 >= 2000 { print $4, $1 }' | sort > /tmp/churn.eligible
kv pods_long_lived "$(wc -l < /tmp/churn.eligible)"
missed=$(awk 'NR == FNR { seen[$1] = 1; next } !($1 in seen) { n++ } END { print n + 0 }' /tmp/churn.seen.sorted /tmp/churn.eligible)
kv pods_never_seen "$missed"
pod_kill $LOAD burstable
kv ejections "$(count_ejections)"
stop_daemon
counters=$(daemon_totals)
kv cgroup_exits "$(field "$counters" cgroup_exits)"
kv policy_resolves "$(field "$counters" policy_resolves)"
dump_scx_dmesg
