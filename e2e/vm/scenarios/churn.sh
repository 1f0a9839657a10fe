#!/bin/sh
# churn: while a pod without a policy keeps both CPUs busy, a pod is created every 100 ms (or as fast as
# the VM's shell manages) for jt_duration (default 60) seconds, each living ~3 s, and the plan file follows
# them (every pod Normal, weight 200). A sampler dumps the kernel's cgroup_policy map every 500 ms. At the
# end: no ejection, no entry left in cgroup_policy or pod_stats, and every pod that lived >= 2 s was seen
# in the map under its cgroup id. The loop forks as little as it can: under TCG each fork costs ~10 ms.
. /scenarios/lib.sh
DURATION=${jt_duration:-60}
LIFE_MS=3000
LOAD=1e000000-0000-4000-8000-00000000000f
QOS=$KUBEPODS/kubepods-burstable.slice

kv scenario churn
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
kube_init
pod_create $LOAD burstable
: | plan_write 1

# uptime in ms without a fork ("123.45" -> 123450).
ms() { read -r up _ < /proc/uptime; MS=$(( ${up%.*} * 1000 + 1${up#*.} * 10 - 1000 )); }

# The map's keys as decimal cgroup ids, one a line (the u64 key as 8 hex bytes, little-endian).
map_keys() {
  bpftool -j map dump name "$1" 2>/dev/null | tr -d ' \n' | grep -o '"key":\[[^]]*\]' | sed 's/"key":\[//; s/\]//; s/"//g' \
    | awk -F, 'function h(s,  i, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
                 for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
                 return v }
               { v = 0; m = 1; for (i = 1; i <= 8; i++) { v += m * h($i); m *= 256 }; printf "%.0f\n", v }'
}

forward_daemon_log
attach_or_exit start_planned
pod_busy $LOAD burstable 2
( while [ ! -f /tmp/churn.done ]; do map_keys cgroup_policy >> /tmp/churn.seen; sleep 0.5; done ) &
sampler=$!

say "churn: a pod every 100 ms for ${DURATION}s"
plan_head="apiVersion: jthulhu.io/v1alpha1
kind: NodeSchedulingPlan
metadata:
  name: vm
  generation: GEN
spec:
  nodeName: vm
  pods:"
: > /tmp/churn.body
: > /tmp/churn.pods
: > /tmp/churn.gone
live=""
ms; end=$(( MS + DURATION * 1000 ))
i=100000 gen=1
while [ "$MS" -lt "$end" ]; do
  i=$((i + 1)) gen=$((gen + 1))
  d=$QOS/kubepods-burstable-pod1e000000_0000_4000_8000_000000$i.slice
  mkdir "$d" && echo +cpu > "$d/cgroup.subtree_control" && mkdir "$d/cri-containerd-ctr.scope"
  sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 1000' sh "$d/cri-containerd-ctr.scope" &
  ms; echo "$i $MS $(stat -c %i "$d")" >> /tmp/churn.pods
  live="$live $i:$MS"
  echo "  - {podUid: 1e000000-0000-4000-8000-000000$i, namespace: churn, name: pod-$i, policy: churn, policyGeneration: 1, scheduling: {class: Normal, weight: 200, sliceMicros: 5000, preempt: false}}" >> /tmp/churn.body
  # Pods older than LIFE_MS end: processes killed, cgroups removed, plan entries dropped.
  keep=""
  for e in $live; do
    n=${e%:*} born=${e#*:}
    if [ $(( MS - born )) -ge "$LIFE_MS" ]; then
      g=$QOS/kubepods-burstable-pod1e000000_0000_4000_8000_000000$n.slice
      read -r pid < "$g/cri-containerd-ctr.scope/cgroup.procs" && kill -9 "$pid"
      rmdir "$g/cri-containerd-ctr.scope" "$g" 2>/dev/null || { sleep 0.05; rmdir "$g/cri-containerd-ctr.scope" "$g"; }
      echo "$n $MS" >> /tmp/churn.gone
      sed -i "/name: pod-$n,/d" /tmp/churn.body
    else
      keep="$keep $e"
    fi
  done
  live=$keep
  { echo "${plan_head%%GEN*}$gen${plan_head#*GEN}"; cat /tmp/churn.body; } > "$PLAN_FILE.tmp" && mv "$PLAN_FILE.tmp" "$PLAN_FILE"
  sleep 0.1
  ms
done
kv pods_created $((i - 100000))
kv duration_s "$DURATION"
# Every pod ends, the plan empties.
for e in $live; do
  n=${e%:*}
  g=$QOS/kubepods-burstable-pod1e000000_0000_4000_8000_000000$n.slice
  read -r pid < "$g/cri-containerd-ctr.scope/cgroup.procs" && kill -9 "$pid"
  sleep 0.05
  rmdir "$g/cri-containerd-ctr.scope" "$g"
  ms; echo "$n $MS" >> /tmp/churn.gone
done
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
