#!/bin/sh
# full-chain: the product as a user meets it, in one VM. A stand-in API server (the Fabric8 mock server,
# a process of its own), the operator, the node daemon watching its node's plan, and a kubelet-shaped
# cgroup tree for the pods created in the API. examples/idle-backups.yaml is applied, changed, changed
# again while the operator is down, and deleted; each step is timed from the API write to the daemon's
# report, and its effect measured as the backup pod's share of the CPU beside a busy web pod.
. /scenarios/lib.sh
. /scenarios/cluster.sh
WINDOW_S=${jt_window_s:-6}
POLICY=/examples/idle-backups.yaml

# share <label>: both pods busy (the web pod saturating the 2 vCPUs with 4 CPU-bound processes, the backup pod
# with 2), their CPU time over the window; the backup pod's share is computed by the host. The pods are busy
# only then, so that the JVMs the scenario starts (kubectl, the operator) do not compete with them.
share() {
  pod_busy "$WEB" burstable 4
  pod_busy "$BACKUP" burstable 2
  sleep 1
  pods_cpu "$1" "$WEB:burstable:web" "$BACKUP:burstable:backup"
  pod_kill "$WEB" burstable
  pod_kill "$BACKUP" burstable
}

kv scenario full-chain
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
[ -f "$POLICY" ] || { kv harness_error missing_examples; exit 1; }
kube_init

say "starting the stand-in API server"
start_cluster

# The node, two namespaces and two running pods, as the scheduler and kubelet would have left them.
cat > /tmp/cluster.yaml <<EOF
apiVersion: v1
kind: Node
metadata: {name: $NODE, labels: {kubernetes.io/hostname: $NODE}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: backup-0, namespace: ops, labels: {app.kubernetes.io/component: backup}}
spec: {nodeName: $NODE, containers: [{name: main, image: busybox}]}
status: {phase: Running, qosClass: Burstable}
---
apiVersion: v1
kind: Pod
metadata: {name: web-0, namespace: shop, labels: {app.kubernetes.io/name: web}}
spec: {nodeName: $NODE, containers: [{name: main, image: nginx}]}
status: {phase: Running, qosClass: Burstable}
EOF
t0=$(now_ms)
kubectl apply -f /tmp/cluster.yaml > /tmp/kubectl.out 2>&1 || { sed 's/^/JT_LOG kubectl: /' /tmp/kubectl.out; kv harness_error cluster_objects; exit 1; }
kv kubectl_ms $(( $(now_ms) - t0 ))
BACKUP=$(sed -n 's|^pod/backup-0 applied .* uid=||p' /tmp/kubectl.out)
WEB=$(sed -n 's|^pod/web-0 applied .* uid=||p' /tmp/kubectl.out)
[ -n "$BACKUP" ] && [ -n "$WEB" ] || { sed 's/^/JT_LOG kubectl: /' /tmp/kubectl.out; kv harness_error no_pod_uids; exit 1; }
pod_create "$BACKUP" burstable
pod_create "$WEB" burstable

forward_daemon_log
mkdir -p "$STATE_DIR"
attach_or_exit start_attached --kubernetes --node-name "$NODE" --state-dir "$STATE_DIR"
start_operator_ready 1 || { stop_daemon; exit 0; }
say "no policy: both pods busy for ${WINDOW_S}s"
share before

say "kubectl apply -f examples/idle-backups.yaml"
gen=$(plan_generation)
at=$(api_write apply "$POLICY")
kv apply_to_applied_ms "$(wait_applied "$gen" 1 "${at:-0}")"
kubectl wait-policy idle-backups 60 > /tmp/policy.out 2>&1
sed 's/^/JT_LOG policy: /' /tmp/policy.out
kv policy_nodes_applied "$(sed -n 's/.* nodes_applied=\([0-9]*\).*/\1/p' /tmp/policy.out)"
kv policy_nodes_targeted "$(sed -n 's/.* nodes_targeted=\([0-9]*\).*/\1/p' /tmp/policy.out)"
kv policy_matched_pods "$(sed -n 's/.* matched_pods=\([0-9]*\).*/\1/p' /tmp/policy.out)"
kv policy_status_ms "$(sed -n 's/.* waited_ms=\([0-9]*\).*/\1/p' /tmp/policy.out)"
share idle

say "the policy's class changed to Normal with weight 300"
sed -e 's/class: Idle/class: Normal/' -e 's/weight: 1$/weight: 300/' "$POLICY" > /tmp/policy-normal.yaml
gen=$(plan_generation)
at=$(api_write apply /tmp/policy-normal.yaml)
kv change_to_applied_ms "$(wait_applied "$gen" 1 "${at:-0}")"
share weighted

say "operator stopped; the policy changed back to Idle while it is down"
stop_operator stop
gen=$(plan_generation)
at=$(api_write apply "$POLICY")
share down
[ "$(plan_generation)" = "$gen" ] && kv plan_unchanged_while_down true || kv plan_unchanged_while_down false

say "operator started again"
t_start=$(now_ms)
start_operator_ready 2
t_ready=$(now_ms)
wait_applied "$gen" 1 "$t_ready" > /tmp/ready_to_applied
kv ready_to_applied_ms "$(cat /tmp/ready_to_applied)"
kv restart_to_applied_ms $(( $(now_ms) - t_start ))
share restarted

say "kubectl delete -f examples/idle-backups.yaml"
gen=$(plan_generation)
at=$(api_write delete "$POLICY")
kv delete_to_applied_ms "$(wait_applied "$gen" 0 "${at:-0}")"
share deleted

kv ejections "$(count_ejections)"
stop_operator end
kv operator_errors "$(grep -c 'ERROR' /tmp/operator.log)"
grep -v 'VersionUsageUtils' /tmp/operator.log | grep 'ERROR\|WARN\|leader\|Leader' | tail -n 12 | cut -c1-300 \
  | sed 's/^/JT_LOG operator: /'
stop_daemon
stop_cluster
dump_scx_dmesg
