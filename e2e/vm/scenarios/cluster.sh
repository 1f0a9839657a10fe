# The cluster side of the full-chain scenario and the demo (busybox ash): a stand-in API server (the Fabric8
# mock server, a process of its own), a kubectl subset, the operator. Sourced after lib.sh.
CLUSTER_JAR=/opt/jthulhu/jthulhu-cluster.jar
OPERATOR_JAR=$(ls /opt/jthulhu/jthulhu-operator-*-all.jar 2>/dev/null | head -n 1)
NODE=vm
export KUBECONFIG=/tmp/kubeconfig
CLIENT_JVM="-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
STEP_TIMEOUT_MS=${jt_step_timeout_ms:-60000}

# start_cluster: the API server (Jthulhu's CRDs installed) and the kubectl server; ends the scenario if
# either does not come up.
start_cluster() {
  [ -n "$OPERATOR_JAR" ] && [ -f "$CLUSTER_JAR" ] || { kv harness_error missing_cluster_jars; exit 1; }
  t0=$(now_ms)
  java -Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$CLUSTER_JAR" io.jthulhu.e2e.cluster.ApiServerMain \
    --port 6443 --kubeconfig "$KUBECONFIG" > /tmp/apiserver.log 2>&1 &
  APISERVER_PID=$!
  until grep -q '^JT_APISERVER ready' /tmp/apiserver.log; do
    alive "$APISERVER_PID" && [ $(( $(now_ms) - t0 )) -lt 240000 ] \
      || { sed 's/^/JT_LOG apiserver: /' /tmp/apiserver.log; kv harness_error apiserver_not_ready; exit 1; }
    sleep 0.2
  done
  kv apiserver_start_ms $(( $(now_ms) - t0 ))
  start_kubectl || { kv harness_error kubectl_not_ready; exit 1; }
}

stop_cluster() { kill "$KUBECTL_PID" "$APISERVER_PID" 2>/dev/null; }

# One kubectl process serves every command through a named pipe (a JVM start costs tens of seconds here).
start_kubectl() {
  mkfifo /tmp/kubectl.fifo
  # shellcheck disable=SC2086 # CLIENT_JVM is a list of words
  java $CLIENT_JVM -cp "$CLUSTER_JAR" io.jthulhu.e2e.cluster.Kubectl serve /tmp/kubectl.fifo > /tmp/kubectl.log 2>&1 &
  KUBECTL_PID=$!
  t=$(now_ms)
  until grep -q '^JT_KUBECTL ready' /tmp/kubectl.log; do
    alive "$KUBECTL_PID" && [ $(( $(now_ms) - t )) -lt 240000 ] || { sed 's/^/JT_LOG kubectl: /' /tmp/kubectl.log; return 1; }
    sleep 0.2
  done
}

# kubectl <verb> <args...>: the command's output, and its exit status. The sequence number lives in a file:
# callers run this in command substitutions, i.e. subshells.
kubectl() {
  seq=$(( $(cat /tmp/kubectl.seq 2>/dev/null || echo 0) + 1 ))
  echo "$seq" > /tmp/kubectl.seq
  echo "$seq $*" > /tmp/kubectl.fifo
  until [ -f "/tmp/kubectl.$seq.rc" ]; do
    alive "$KUBECTL_PID" || { sed 's/^/JT_LOG kubectl died: /' /tmp/kubectl.log; return 1; }
    sleep 0.05
  done
  cat "/tmp/kubectl.$seq.out"
  return "$(cat "/tmp/kubectl.$seq.rc")"
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

# wait_ready <pid> <port> <timeout-ms>: until the process on that port answers /readyz with 200.
wait_ready() {
  deadline=$(( $(now_ms) + $3 ))
  until wget -q -O /dev/null "http://127.0.0.1:$2/readyz" 2>/dev/null; do
    alive "$1" && [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# start_operator_ready <n>: starts the operator and waits for its /readyz; reports operator_ready_ms, or
# the end of its log and status 1.
start_operator_ready() {
  t0=$(now_ms)
  start_operator "$1"
  if wait_ready "$OPERATOR_PID" 8080 240000; then
    kv operator_ready_ms $(( $(now_ms) - t0 ))
    return 0
  fi
  kv operator_ready_ms none
  tail -n 20 /tmp/operator.log | cut -c1-300 | sed 's/^/JT_LOG operator: /'
  return 1
}

