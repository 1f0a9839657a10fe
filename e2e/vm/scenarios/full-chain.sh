#!/bin/sh
# full-chain: the product as a user meets it, in one VM. A stand-in API server (the Fabric8 mock server,
# a process of its own), the operator, the node daemon watching its node's plan, and a kubelet-shaped
# cgroup tree for the pods created in the API. examples/idle-backups.yaml is applied, changed, changed
# again while the operator is down, and deleted; each step is timed from the API write to the daemon's
# report, and its effect measured as the backup pod's share of the CPU beside a busy web pod.
. /scenarios/lib.sh
WINDOW_S=${jt_window_s:-6}
CLUSTER_JAR=/opt/jthulhu/jthulhu-cluster.jar
OPERATOR_JAR=$(ls /opt/jthulhu/jthulhu-operator-*-all.jar 2>/dev/null | head -n 1)
POLICY=/examples/idle-backups.yaml
NODE=vm
export KUBECONFIG=/tmp/kubeconfig
CLIENT_JVM="-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
STEP_TIMEOUT_MS=${jt_step_timeout_ms:-60000}

# One kubectl process serves every command through a named pipe (a JVM start costs tens of seconds here).
start_kubectl() {
  mkfifo /tmp/kubectl.fifo
  # shellcheck disable=SC2086 # CLIENT_JVM is a list of words
  java $CLIENT_JVM -cp "$CLUSTER_JAR" io.jthulhu.e2e.cluster.Kubectl serve /tmp/kubectl.fifo > /tmp/kubectl.log 2>&1 &
  KUBECTL_PID=$!
  KUBECTL_SEQ=0
  t=$(now_ms)
  until grep -q '^JT_KUBECTL ready' /tmp/kubectl.log; do
    alive "$KUBECTL_PID" && [ $(( $(now_ms) - t )) -lt 120000 ] || { sed 's/^/JT_LOG kubectl: /' /tmp/kubectl.log; return 1; }
    sleep 0.2
  done
}

# kubectl <verb> <args...>: the command's output, and its exit status.
kubectl() {
  KUBECTL_SEQ=$((KUBECTL_SEQ + 1))
  echo "$KUBECTL_SEQ $*" > /tmp/kubectl.fifo
  until [ -f "/tmp/kubectl.$KUBECTL_SEQ.rc" ]; do
    alive "$KUBECTL_PID" || { sed 's/^/JT_LOG kubectl died: /' /tmp/kubectl.log; return 1; }
    sleep 0.05
  done
  cat "/tmp/kubectl.$KUBECTL_SEQ.out"
  return "$(cat "/tmp/kubectl.$KUBECTL_SEQ.rc")"
}

# api_write <verb> <file>: kubectl apply/delete; prints the guest uptime (ms) when the API server answered.
api_write() {
  kubectl "$1" -f "$2" > /tmp/kubectl.out 2>&1 || { sed 's/^/JT_LOG kubectl: /' /tmp/kubectl.out; return 1; }
  sed -n 's/^at_ms=//p' /tmp/kubectl.out
}

plan_generation() { field "$(last_log_line 'JTHULHU plan generation')" generation; }

# wait_applied <previous generation> <pods> <since-ms>: until the daemon reports a newer plan generation
# with that many pods applied; prints the milliseconds since <since-ms>, or "timeout".
wait_applied() {
  deadline=$(( $(now_ms) + STEP_TIMEOUT_MS ))
  while :; do
    line=$(last_log_line 'JTHULHU plan generation')
    g=$(field "$line" generation)
    if [ -n "$g" ] && [ "$g" -gt "${1:-0}" ] && [ "$(field "$line" applied)" = "$2" ]; then
      echo $(( $(now_ms) - $3 ))
      return 0
    fi
    [ "$(now_ms)" -ge "$deadline" ] && { echo timeout; return 1; }
    sleep 0.1
  done
}

start_operator() {
  POD_NAMESPACE=jthulhu-system POD_NAME=operator-$1 HTTP_PORT=8080 \
    java -Xms128m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$OPERATOR_JAR" >> /tmp/operator.log 2>&1 &
  OPERATOR_PID=$!
  say "operator started pid=$OPERATOR_PID"
}

stop_operator() {
  kill -TERM "$OPERATOR_PID" 2>/dev/null
  for _ in $(seq 1 300); do alive "$OPERATOR_PID" || break; sleep 0.1; done
  alive "$OPERATOR_PID" && { say "operator did not stop on SIGTERM"; kill -9 "$OPERATOR_PID"; }
  wait "$OPERATOR_PID" 2>/dev/null
  kv "operator_rc_$1" "$?"
}

# share <label>: both pods busy (2 CPU-bound processes each on 2 vCPUs), their CPU time over the window; the
# backup pod's share is computed by the host. The pods are busy only then, so that the JVMs the scenario
# starts (kubectl, the operator) do not compete with them for the machine.
share() {
  pod_busy "$WEB" burstable 2
  pod_busy "$BACKUP" burstable 2
  sleep 1
  pods_cpu "$1" "$WEB:burstable:web" "$BACKUP:burstable:backup"
  pod_kill "$WEB" burstable
  pod_kill "$BACKUP" burstable
}

# wait_ready <port> <timeout-ms>: until the process on that port answers /readyz with 200.
wait_ready() {
  deadline=$(( $(now_ms) + $2 ))
  until wget -q -O /dev/null "http://127.0.0.1:$1/readyz" 2>/dev/null; do
    [ "$(now_ms)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

kv scenario full-chain
[ -d "$SCX" ] || { kv harness_error no_sched_ext_in_kernel; exit 1; }
[ -f "$POLICY" ] && [ -n "$OPERATOR_JAR" ] && [ -f "$CLUSTER_JAR" ] || { kv harness_error missing_jars_or_examples; exit 1; }
kube_init

say "starting the stand-in API server"
t0=$(now_ms)
java -Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$CLUSTER_JAR" io.jthulhu.e2e.cluster.ApiServerMain \
  --port 6443 --kubeconfig "$KUBECONFIG" > /tmp/apiserver.log 2>&1 &
APISERVER_PID=$!
until grep -q '^JT_APISERVER ready' /tmp/apiserver.log; do
  alive "$APISERVER_PID" && [ $(( $(now_ms) - t0 )) -lt 120000 ] || { sed 's/^/JT_LOG apiserver: /' /tmp/apiserver.log; kv harness_error apiserver_not_ready; exit 1; }
  sleep 0.2
done
kv apiserver_start_ms $(( $(now_ms) - t0 ))
start_kubectl || { kv harness_error kubectl_not_ready; exit 1; }

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
t0=$(now_ms)
start_operator 1
if wait_ready 8080 240000; then kv operator_ready_ms $(( $(now_ms) - t0 )); else
  kv operator_ready_ms timeout
  tail -n 20 /tmp/operator.log | cut -c1-300 | sed 's/^/JT_LOG operator: /'
fi
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
t0=$(now_ms)
start_operator 2
kv restart_to_applied_ms "$(wait_applied "$gen" 1 "$t0")"
share restarted

say "kubectl delete -f examples/idle-backups.yaml"
gen=$(plan_generation)
at=$(api_write delete "$POLICY")
kv delete_to_applied_ms "$(wait_applied "$gen" 0 "${at:-0}")"
share deleted

kv ejections "$(count_ejections)"
stop_operator end
kv operator_errors "$(grep -c 'ERROR' /tmp/operator.log)"
grep 'ERROR\|WARN' /tmp/operator.log | tail -n 8 | cut -c1-300 | sed 's/^/JT_LOG operator: /'
stop_daemon
kill "$KUBECTL_PID" "$APISERVER_PID" 2>/dev/null
dump_scx_dmesg
