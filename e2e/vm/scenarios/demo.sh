#!/bin/sh
# demo: what README's first command shows. The whole chain as in full-chain (stand-in API server, operator,
# node daemon); a payments API pod runs a 1 ms wake-up probe beside two batch pods that oversubscribe
# the CPUs 2x. Measured first under the kernel's EEVDF with no policy, then with examples/
# payments-api-latency-critical.yaml and examples/batch-analytics.yaml applied through the API.
. /scenarios/lib.sh
. /scenarios/cluster.sh
. /scenarios/probe.sh
LOOPS=${jt_probe_loops:-5000}
PROBE_POD=payments-api-0
POLICIES="/examples/payments-api-latency-critical.yaml /examples/batch-analytics.yaml"

kv scenario demo
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
kube_init
say "starting the stand-in API server and creating a node, two namespaces and three pods"
start_cluster
cat > /tmp/cluster.yaml <<EOF
apiVersion: v1
kind: Node
metadata: {name: $NODE, labels: {kubernetes.io/hostname: $NODE, pool: compute}}
---
apiVersion: v1
kind: Namespace
metadata: {name: payments, labels: {team: payments}}
---
apiVersion: v1
kind: Namespace
metadata: {name: analytics, labels: {workload-type: analytics}}
---
apiVersion: v1
kind: Pod
metadata: {name: payments-api-0, namespace: payments, labels: {app.kubernetes.io/name: payments-api, app.kubernetes.io/component: api}}
spec: {nodeName: $NODE, containers: [{name: api, image: payments-api}]}
status: {phase: Running, qosClass: Guaranteed}
---
apiVersion: v1
kind: Pod
metadata: {name: etl-0, namespace: analytics, labels: {batch.kubernetes.io/job-name: nightly-etl}}
spec: {nodeName: $NODE, containers: [{name: etl, image: etl}]}
status: {phase: Running, qosClass: BestEffort}
---
apiVersion: v1
kind: Pod
metadata: {name: etl-1, namespace: analytics, labels: {batch.kubernetes.io/job-name: nightly-etl}}
spec: {nodeName: $NODE, containers: [{name: etl, image: etl}]}
status: {phase: Running, qosClass: BestEffort}
EOF
kubectl apply -f /tmp/cluster.yaml > /tmp/kubectl.out 2>&1 || { sed 's/^/JT_LOG kubectl: /' /tmp/kubectl.out; kv harness_error cluster_objects; exit 1; }
uid_of() { sed -n "s|^pod/$1 applied .* uid=||p" /tmp/kubectl.out; }
LC=$(uid_of payments-api-0) B1=$(uid_of etl-0) B2=$(uid_of etl-1)
[ -n "$LC" ] && [ -n "$B1" ] && [ -n "$B2" ] || { kv harness_error no_pod_uids; exit 1; }
pod_create "$LC" guaranteed
pod_create "$B1" besteffort
pod_create "$B2" besteffort

say "measuring under the kernel's default scheduler (EEVDF): the payments API's wake-ups, idle, then beside 4 batch processes"
run_set eevdf

say "starting Jthulhu's node daemon (attaches to sched_ext) and the operator"
forward_daemon_log
mkdir -p "$STATE_DIR"
attach_or_exit start_attached --kubernetes --node-name "$NODE" --state-dir "$STATE_DIR"
start_operator_ready 1 || { stop_daemon; exit 0; }

say "kubectl apply -f examples/payments-api-latency-critical.yaml -f examples/batch-analytics.yaml"
gen=$(plan_generation)
for f in $POLICIES; do cat "$f"; echo ---; done > /tmp/policies.yaml
at=$(api_write apply /tmp/policies.yaml)
kv apply_to_applied_ms "$(wait_applied "$gen" 3 "${at:-0}")"
for policy in payments-api-latency-critical batch-analytics; do
  kubectl wait-policy "$policy" 60 > /tmp/policy.out 2>&1
  say "policy $policy: $(sed -n 's/.*message="\([^"]*\)".*/\1/p' /tmp/policy.out)"
  kv "nodes_applied_$(echo "$policy" | cut -d- -f1)" "$(sed -n 's/.* nodes_applied=\([0-9]*\).*/\1/p' /tmp/policy.out)"
done
sleep 2

say "measuring under Jthulhu with the policies: the same wake-ups, idle, then beside the same batch load"
run_set jthulhu
kv ejections "$(count_ejections)"
stop_operator end
stop_daemon
stop_cluster
emit_load_curves eevdf jthulhu
dump_scx_dmesg
