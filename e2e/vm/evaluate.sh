#!/usr/bin/env bash
# Judges one finished VM run from its console log; the host, not the VM, decides pass/fail.
#   evaluate.sh <scenario> <console-log> ["extra key=value pairs for the RESULT line"]
# Reads the scenario's "JT_KV key=value" lines (last value wins), prints a summary and, as the last line,
#   RESULT scenario=<name> pass=true|false [reason=<failed checks>] <scenario keys> <extra>
# Exit status 0 only if every check passed.
set -uo pipefail
scenario=${1:?usage: evaluate.sh <scenario> <console-log> [extra]}
console=${2:?usage: evaluate.sh <scenario> <console-log> [extra]}
extra=${3:-}

declare -A kv
while IFS= read -r pair; do
  kv[${pair%%=*}]=${pair#*=}
done < <(tr -d '\r' < "$console" | grep -aoE 'JT_KV [A-Za-z0-9_]+=[^ ]*' | cut -c7-)

failed=()
get() { echo "${kv[$1]:-}"; }
# check <name> <condition...>: records <name> as a failed check unless the condition holds.
check() { local name=$1; shift; "$@" || failed+=("$name"); }
is() { [ "$(get "$1")" = "$2" ]; }
# num_cmp <value> <op> <value>: numeric comparison; false if either side is not a number.
num_cmp() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {
  if (a !~ /^-?[0-9.]+$/ || b !~ /^-?[0-9.]+$/) exit 1
  exit !((op == ">=" && a + 0 >= b + 0) || (op == "<=" && a + 0 <= b + 0) || (op == "==" && a + 0 == b + 0)) }'; }
# ratio <numerator> <denominator>: 3 decimals, "none" when undefined.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
  if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) print "none"; else printf "%.3f\n", a / b }'; }
# java_share_all: Java's decisions over every decision, Java's and BPF's own inserts for any reason.
java_share_all() { ratio "$(get java_dispatched)" "$(awk -v a="$(get java_dispatched)" -v b="$(get bpf_inserts)" \
  'BEGIN { if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/) print a + b; else print "x" }')"; }
# keys <k...>: "k=v" for the RESULT line, "none" for facts the VM never reported.
keys() { local k out=(); for k in "$@"; do out+=("$k=${kv[$k]:-none}"); done; echo "${out[*]}"; }

[ -z "$(get harness_error)" ] || failed+=("harness_error:$(get harness_error)")
# A kernel Oops/BUG that did not bring the VM down still fails the run.
kv[kernel_oops]=$(tr -d '\r' < "$console" | grep -acE 'Oops: |kernel BUG at|BUG: ')
check kernel_oops num_cmp "${kv[kernel_oops]}" == 0
# A JVM that crashed during the scenario (init.sh counts their crash reports).
check jvm_crashes num_cmp "$(get jvm_crashes)" == 0

case $scenario in
  stress)
    jd=$(get java_dispatched) fb=$(get fallback) rf=$(get ring_full)
    kv[java_ratio]=$(ratio "${jd:-x}" "$(awk -v a="${jd:-0}" -v b="${fb:-0}" -v c="${rf:-0}" 'BEGIN { print a + b + c }')")
    check attach is attached true
    check state_not_enabled is state enabled
    check ejections num_cmp "$(get ejections)" == 0
    kv[java_share_all]=$(java_share_all)
    check java_ratio_below_0.95 num_cmp "${kv[java_ratio]}" ">=" 0.95
    # Java made 0.42 of all decisions before BPF re-applied its wakeup decisions, 0.22-0.38 after (a wake
    # preemption also re-inserts the task it preempted); a Java that stopped deciding would show near 0.
    check java_share_all_below_0.15 num_cmp "${kv[java_share_all]}" ">=" 0.15
    check queued_below_10000 num_cmp "$(get queued)" ">=" 10000
    check detach_not_clean is detach clean
    check stress_ng_failed num_cmp "$(get stress_rc)" == 0
    check hackbench_failed num_cmp "$(get hackbench_failures)" == 0
    echo "stress: java_dispatched=${jd:-?} fallback=${fb:-?} ring_full=${rf:-?} -> java_ratio=${kv[java_ratio]} (goal >= 0.95);" \
      "hackbench runs=$(get hackbench_runs); detach=$(get detach)"
    echo "stress: Java made java_share_all=${kv[java_share_all]} of all scheduling decisions (floor 0.15):" \
      "${jd:-?} against BPF's own inserts=$(get bpf_inserts)"
    result_keys=(state ejections queued java_dispatched fallback ring_full stale java_ratio bpf_inserts java_share_all detach
                 daemon_start_failures)
    ;;
  stall)
    check attach is attached true
    check probe_below_half num_cmp "$(get probe_ticks_during_stop)" ">=" \
      "$(awk -v e="$(get probe_expected)" 'BEGIN { print (e ~ /^[0-9]+$/) ? e / 2 : "x" }')"
    check state_left_enabled_during_stop is state_during_stop enabled
    check ejections num_cmp "$(get ejections)" == 0
    check not_resumed is resumed true
    check no_fallback_after_kill is fell_back true
    check no_disable_in_dmesg is dmesg_disabled true
    check not_reattached is reattached true
    echo "stall: probe ticked $(get probe_ticks_during_stop)/$(get probe_expected) during the $(get stop_ms) ms stop" \
      "(goal >= 50%); fallback dispatches during stop=$(get fallback_during_stop); after kill -9 the state left" \
      "enabled in $(get fallback_ms) ms; re-attached in $(get reattach_ms) ms"
    result_keys=(probe_ticks_during_stop probe_expected ejections resumed reattached fallback_during_stop
                 fell_back fallback_ms reattach_ms)
    ;;
  compare|compare-busy-host)
    # hackbench: throughput ratio eevdf_time / jthulhu_time (>= 1 means Jthulhu is faster), paired: the median
    # over Jthulhu's sets of (mean of the EEVDF sets just before and after it) / (its time).
    kv[hackbench_ratio]=$(get hackbench_paired_ratio)
    [ -n "${kv[hackbench_ratio]}" ] || kv[hackbench_ratio]=none
    check rounds_not_completed num_cmp "$(get rounds_completed)" == "$(get compare_rounds)"
    # latency: Jthulhu / EEVDF (<= 1 means Jthulhu has lower latency).
    for stat in avg p99 max; do
      kv[lat_${stat}_ratio]=$(ratio "$(get lat_load_${stat}_jthulhu)" "$(get lat_load_${stat}_eevdf)")
      kv[lat_idle_${stat}_ratio]=$(ratio "$(get lat_idle_${stat}_jthulhu)" "$(get lat_idle_${stat}_eevdf)")
      kv[lat_anycpu_${stat}_ratio]=$(ratio "$(get lat_anycpu_${stat}_jthulhu)" "$(get lat_anycpu_${stat}_eevdf)")
    done
    check attach is attached true
    check ejections num_cmp "$(get ejections)" == 0
    check anycpu_not_widened num_cmp "$(get anycpu_widen_failures)" == 0
    for k in hackbench_ratio lat_avg_ratio lat_p99_ratio lat_max_ratio lat_idle_avg_ratio lat_idle_p99_ratio lat_idle_max_ratio \
        lat_anycpu_avg_ratio lat_anycpu_p99_ratio lat_anycpu_max_ratio; do
      check "unmeasured_$k" num_cmp "${kv[$k]}" ">=" 0
    done
    kv[hackbench_daemon_cpu_pct]=$(get hackbench_daemon_cpu_pct_jthulhu)
    kv[java_share_all]=$(java_share_all)
    # Issue 13's goals; with other processes busy on the host only the throughput goal is lower.
    [ "$scenario" = compare ] && hackbench_goal=1.10 || hackbench_goal=0.95
    if num_cmp "${kv[hackbench_ratio]}" ">=" "$hackbench_goal" && num_cmp "${kv[lat_avg_ratio]}" "<=" 1 \
        && num_cmp "${kv[lat_p99_ratio]}" "<=" 1 && num_cmp "${kv[lat_anycpu_avg_ratio]}" "<=" 0.8 \
        && num_cmp "${kv[lat_anycpu_p99_ratio]}" "<=" 0.8 && num_cmp "${kv[lat_idle_p99_ratio]}" "<=" 1.1 \
        && num_cmp "${kv[hackbench_daemon_cpu_pct]}" "<=" 4; then kv[goal_met]=true; else kv[goal_met]=false; fi
    printf '%-34s %12s %12s %10s\n' "metric (one boot, TCG)" EEVDF Jthulhu ratio
    printf '%-34s %12s %12s %10s\n' "hackbench -g 4 -l 200, median s" "$(get hackbench_eevdf)" \
      "$(get hackbench_jthulhu)" "${kv[hackbench_ratio]}"
    rounds=$(get rounds_completed); [[ $rounds =~ ^[0-9]+$ ]] || rounds=0
    for ((k = 1; k <= rounds; k++)); do
      IFS=, read -r before jt after r <<< "$(get hackbench_round_$k)"
      printf '%-34s %12s %12s %10s\n' "  set $k (EEVDF: mean of $before, $after)" \
        "$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.3f\n", (a + b) / 2 }')" "$jt" "$r"
    done
    kv[hackbench_ctxt_ratio]=$(ratio "$(get hackbench_ctxt_jthulhu)" "$(get hackbench_ctxt_eevdf)")
    printf '%-34s %12s %12s %10s\n' "hackbench context switches, median" "$(get hackbench_ctxt_eevdf)" \
      "$(get hackbench_ctxt_jthulhu)" "${kv[hackbench_ctxt_ratio]}"
    printf '%-34s %12s %12s %10s\n' "hackbench, daemon's CPU share %" - "$(get hackbench_daemon_cpu_pct_jthulhu)" -
    for load in idle load anycpu; do
      for stat in avg p99 max; do
        [ $load = load ] && r=${kv[lat_${stat}_ratio]} || r=${kv[lat_${load}_${stat}_ratio]}
        printf '%-34s %12s %12s %10s\n' "cyclictest $load $stat, us" "$(get lat_${load}_${stat}_eevdf)" \
          "$(get lat_${load}_${stat}_jthulhu)" "$r"
      done
    done
    echo "ratios: hackbench_ratio = eevdf_time / jthulhu_time, the median over Jthulhu's sets of the EEVDF sets" \
      "around it / that set (throughput, goal >= 0.95);" \
      "lat_*_ratio = jthulhu / eevdf (latency, goal <= 1; lat_* = under stress-ng --cpu 4, lat_idle_* = idle," \
      "lat_anycpu_* = under stress-ng --cpu 4 with cyclictest's thread allowed every CPU: Java's path)"
    echo "java_share_all=${kv[java_share_all]}: Java's share of all scheduling decisions (BPF's own inserts=$(get bpf_inserts))"
    echo "goal (hackbench_ratio >= $hackbench_goal, lat_avg/p99 <= 1, lat_anycpu_avg/p99 <= 0.8, lat_idle_p99 <= 1.1," \
      "daemon CPU during hackbench <= 4 %): goal_met=${kv[goal_met]} (reported, not a failure)"
    result_keys=(hackbench_eevdf hackbench_jthulhu hackbench_ratio hackbench_ctxt_ratio lat_avg_ratio lat_p99_ratio lat_max_ratio
                 lat_idle_avg_ratio lat_idle_p99_ratio lat_idle_max_ratio lat_anycpu_avg_ratio lat_anycpu_p99_ratio
                 lat_anycpu_max_ratio hackbench_daemon_cpu_pct java_share_all goal_met ejections daemon_start_failures)
    ;;
  control)
    check cycles_not_completed num_cmp "$(get cycles_done)" == "$(get cycles)"
    check ejections num_cmp "$(get ejections)" == 0
    echo "control: $(get cycles_done) of $(get cycles) attach/detach cycles of the control scheduler"
    result_keys=(cycles cycles_done attach_failures ejections)
    ;;
  hotplug)
    check attach is attached true
    check cpu_not_offlined is online_cpus_offline 0
    check not_reattached_after_offline is reattached_offline true
    check not_scheduling_after_offline is java_scheduling_offline true
    check not_reattached_after_online is reattached_online true
    check not_scheduling_after_online is java_scheduling_online true
    check restarts_not_2 num_cmp "$(get restarts)" == 2
    check other_ejections num_cmp "$(get other_ejections)" == 0
    check stall_messages num_cmp "$(get stall_messages)" == 0
    check detach_not_clean is detach clean
    echo "hotplug: CPUs online $(get online_cpus_offline) after offlining, $(get online_cpus_online) after onlining;" \
      "kernel restart requests=$(get restarts), other ejections=$(get other_ejections);" \
      "re-attached in $(get reattach_ms_offline) ms / $(get reattach_ms_online) ms; detach=$(get detach)"
    result_keys=(restarts other_ejections reattached_offline reattach_ms_offline reattached_online reattach_ms_online
                 java_scheduling_offline java_scheduling_online detach daemon_start_failures)
    ;;
  weight)
    kv[cpu_ratio]=$(ratio "$(get cpu_jthulhu_heavy_ms)" "$(get cpu_jthulhu_light_ms)")
    kv[cpu_ratio_eevdf]=$(ratio "$(get cpu_eevdf_heavy_ms)" "$(get cpu_eevdf_light_ms)")
    check attach is attached true
    check plan_not_applied num_cmp "$(get plan_applied_ms)" ">=" 0
    check cpu_ratio_off_3 num_cmp "${kv[cpu_ratio]}" ">=" 2.7
    check cpu_ratio_off_3 num_cmp "${kv[cpu_ratio]}" "<=" 3.3
    check metrics_without_pods num_cmp "$(get metrics_pod_series)" == 2
    check metrics_without_wait_histogram num_cmp "$(get metrics_wait_buckets)" ">=" 17
    check healthz_not_ok is healthz ok
    check ejections num_cmp "$(get ejections)" == 0
    check detach_not_clean is detach clean
    echo "weight: policy weights 300:100 -> CPU time $(get cpu_jthulhu_heavy_ms) ms : $(get cpu_jthulhu_light_ms) ms," \
      "cpu_ratio=${kv[cpu_ratio]} (goal 3.0 +-10 %); EEVDF without policies ${kv[cpu_ratio_eevdf]};" \
      "plan applied $(get plan_applied_ms) ms after attach"
    result_keys=(cpu_ratio cpu_ratio_eevdf plan_applied_ms metrics_pod_series ejections detach)
    ;;
  latency)
    kv[p99_over_idle]=$(ratio "$(get load_p99_jthulhu)" "$(get idle_p99_jthulhu)")
    kv[p99_ratio_eevdf_over_jthulhu]=$(ratio "$(get load_p99_eevdf)" "$(get load_p99_jthulhu)")
    kv[batch_throughput_ratio]=$(ratio "$(get batch_mcpu_jthulhu)" "$(get batch_mcpu_eevdf)")
    kv[p99_over_idle_eevdf]=$(ratio "$(get load_p99_eevdf)" "$(get idle_p99_eevdf)")
    kv[p95_ratio_eevdf_over_jthulhu]=$(ratio "$(get load_p95_eevdf)" "$(get load_p95_jthulhu)")
    check attach is attached true
    check plan_not_applied is plan_applied true
    # Issue 12's goals, reported as goal_met: under TCG the loaded tail (top 1-3 %) also holds the host's
    # own contention (two busy vCPU threads and QEMU's timer thread on a 2-CPU host), which EEVDF's same
    # ratio shows (1.1-6.0 measured). What fails the scenario: the policy not keeping the probe's loaded p95
    # below EEVDF's (2-4x below measured), no class preemption, or the Batch pods starved (0.84-0.93).
    if num_cmp "${kv[p99_over_idle]}" "<=" 1.25 && num_cmp "${kv[batch_throughput_ratio]}" ">=" 0.85; then
      kv[goal_met]=true; else kv[goal_met]=false; fi
    check load_p95_not_below_eevdf num_cmp "${kv[p95_ratio_eevdf_over_jthulhu]}" ">=" 1.001
    check no_class_preemptions num_cmp "$(get class_preempts)" ">=" 1
    check batch_throughput_below_0.7 num_cmp "${kv[batch_throughput_ratio]}" ">=" 0.7
    check ejections num_cmp "$(get ejections)" == 0
    check detach_not_clean is detach clean
    printf '%-40s %10s %10s\n' "probe wake-up latency, us (one boot)" EEVDF Jthulhu
    for k in idle_p50 idle_p99 idle_max load_p50 load_p90 load_p95 load_p99 load_max; do
      printf '%-40s %10s %10s\n' "$k" "$(get ${k}_eevdf)" "$(get ${k}_jthulhu)"
    done
    printf '%-40s %10s %10s\n' "Batch pods' CPU, milli-CPUs" "$(get batch_mcpu_eevdf)" "$(get batch_mcpu_jthulhu)"
    echo "latency: p99 under load / idle p99 (Jthulhu) = ${kv[p99_over_idle]} (goal <= 1.25; EEVDF's own ${kv[p99_over_idle_eevdf]});" \
      "EEVDF's loaded p99 / Jthulhu's = ${kv[p99_ratio_eevdf_over_jthulhu]} (>= 5 expected);" \
      "batch_throughput_ratio=${kv[batch_throughput_ratio]} (goal >= 0.85); class_preempts=$(get class_preempts)"
    echo "latency: the scheduler's own part (BPF-measured ready-to-running wait of the probe under load," \
      "$(get sched_wait_count_jthulhu) waits): p50 <= $(get sched_wait_p50_le_jthulhu) us, p99 <= $(get sched_wait_p99_le_jthulhu) us"
    result_keys=(p99_over_idle p99_over_idle_eevdf goal_met p99_ratio_eevdf_over_jthulhu p95_ratio_eevdf_over_jthulhu
                 batch_throughput_ratio idle_p99_eevdf idle_p99_jthulhu
                 load_p99_eevdf load_p99_jthulhu class_preempts ejections detach load_curve_eevdf load_curve_jthulhu
                 sched_wait_p50_le_jthulhu sched_wait_p99_le_jthulhu)
    ;;
  idle)
    share() { awk -v i="$1" -v n="$2" 'BEGIN {
      if (i !~ /^[0-9]+$/ || n !~ /^[0-9]+$/ || i + n == 0) print "none"; else printf "%.4f\n", i / (i + n) }'; }
    kv[idle_share]=$(share "$(get cpu_jthulhu_idle_ms)" "$(get cpu_jthulhu_normal_ms)")
    kv[idle_share_eevdf]=$(share "$(get cpu_eevdf_idle_ms)" "$(get cpu_eevdf_normal_ms)")
    check attach is attached true
    check plan_not_applied is plan_applied true
    check idle_share_above_0.05 num_cmp "${kv[idle_share]}" "<=" 0.05
    check takeover_over_1s num_cmp "$(get takeover_ms)" "<=" 1000
    check ejections num_cmp "$(get ejections)" == 0
    check detach_not_clean is detach clean
    echo "idle: the Idle pod got ${kv[idle_share]} of the CPU time beside a saturating Normal pod (goal < 0.05;" \
      "EEVDF without policies ${kv[idle_share_eevdf]}); it ran on both CPUs $(get takeover_ms) ms after the Normal" \
      "pod stopped (goal <= 1000; milli-CPUs per 200 ms: $(get takeover_mcpu_samples)); starvation-guard moves=$(get starved_moves)"
    result_keys=(idle_share idle_share_eevdf takeover_ms ejections detach)
    ;;
  fail-static)
    kv[cpu_ratio_before]=$(ratio "$(get cpu_before_heavy_ms)" "$(get cpu_before_light_ms)")
    kv[cpu_ratio]=$(ratio "$(get cpu_after_heavy_ms)" "$(get cpu_after_light_ms)")
    check attach is attached true
    check plan_not_applied is plan_applied true
    check source_loss_not_reported num_cmp "$(get unavailable_reported)" ">=" 1
    check not_reattached is reattached true
    # generation 7 restored from the state directory, with fail_static=1
    check plan_not_restored is restored_plan 7:1
    check ratio_before_off_3 num_cmp "${kv[cpu_ratio_before]}" ">=" 2.7
    check ratio_before_off_3 num_cmp "${kv[cpu_ratio_before]}" "<=" 3.3
    check ratio_after_off_3 num_cmp "${kv[cpu_ratio]}" ">=" 2.7
    check ratio_after_off_3 num_cmp "${kv[cpu_ratio]}" "<=" 3.3
    check ejections num_cmp "$(get ejections)" == 0
    check detach_not_clean is detach clean
    echo "fail-static: cpu_ratio ${kv[cpu_ratio_before]} with the plan file, ${kv[cpu_ratio]} after it was removed" \
      "and the daemon restarted (goal 3.0 +-10 % both); restored plan generation:fail_static=$(get restored_plan)"
    result_keys=(cpu_ratio_before cpu_ratio restored_plan reattached ejections detach)
    ;;
  churn)
    check attach is attached true
    check ejections num_cmp "$(get ejections)" == 0
    check stale_entries num_cmp "$(get stale_entries)" == 0
    check stale_stats num_cmp "$(get stale_stats)" == 0
    check too_few_pods num_cmp "$(get pods_long_lived)" ">=" 100
    check pods_never_seen num_cmp "$(get pods_never_seen)" == 0
    check detach_not_clean is detach clean
    echo "churn: $(get pods_created) pods created and removed under load; $(get pods_long_lived) lived >= 2 s," \
      "$(get pods_never_seen) of them never seen with their policy; entries left: policy $(get stale_entries)," \
      "stats $(get stale_stats); entries BPF dropped with their cgroup: $(get cgroup_exits)"
    result_keys=(stale_entries stale_stats pods_created pods_long_lived pods_never_seen cgroup_exits ejections detach)
    ;;
  accounting)
    # > 1: hackbench took longer with the accounting on.
    kv[accounting_cost_ratio]=$(ratio "$(get hackbench_ms_on)" "$(get hackbench_ms_off)")
    check attach is attached true
    check measured num_cmp "${kv[accounting_cost_ratio]}" ">=" 0
    check hackbench_failed num_cmp "$(get hackbench_failures)" == 0
    check ejections num_cmp "$(get ejections)" == 0
    echo "accounting: hackbench in a pod with a policy, median $(get hackbench_ms_on) ms with per-pod accounting," \
      "$(get hackbench_ms_off) ms without: ratio ${kv[accounting_cost_ratio]} (reported)"
    result_keys=(accounting_cost_ratio hackbench_ms_on hackbench_ms_off ejections)
    ;;
  k8s-weights)
    kv[cpu_ratio]=$(ratio "$(get cpu_jthulhu_big_ms)" "$(get cpu_jthulhu_small_ms)")
    kv[cpu_ratio_eevdf]=$(ratio "$(get cpu_eevdf_big_ms)" "$(get cpu_eevdf_small_ms)")
    check attach is attached true
    check cpu_ratio_off_3 num_cmp "${kv[cpu_ratio]}" ">=" 2.7
    check cpu_ratio_off_3 num_cmp "${kv[cpu_ratio]}" "<=" 3.3
    check ejections num_cmp "$(get ejections)" == 0
    check detach_not_clean is detach clean
    echo "k8s-weights: cpu.weight 300:100, no policy -> CPU time $(get cpu_jthulhu_big_ms) ms : $(get cpu_jthulhu_small_ms) ms," \
      "cpu_ratio=${kv[cpu_ratio]} (goal 3.0 +-10 %); EEVDF in the same boot ${kv[cpu_ratio_eevdf]}"
    result_keys=(cpu_ratio cpu_ratio_eevdf ejections detach)
    ;;
  k8s-limits)
    kv[limited_cpus]=$(ratio "$(get cpu_jthulhu_limited_ms)" "$(get window_jthulhu_ms)")
    kv[limited_cpus_eevdf]=$(ratio "$(get cpu_eevdf_limited_ms)" "$(get window_eevdf_ms)")
    check attach is attached true
    check limited_cpus_off_0.5 num_cmp "${kv[limited_cpus]}" ">=" 0.45
    check limited_cpus_off_0.5 num_cmp "${kv[limited_cpus]}" "<=" 0.55
    check ejections num_cmp "$(get ejections)" == 0
    check detach_not_clean is detach clean
    echo "k8s-limits: cpu.max 50000/100000 with 4 busy processes -> ${kv[limited_cpus]} CPUs under Jthulhu (goal 0.5 +-10 %)," \
      "${kv[limited_cpus_eevdf]} under EEVDF; the other pod $(ratio "$(get cpu_jthulhu_other_ms)" "$(get window_jthulhu_ms)") CPUs; throttled=$(get throttled)"
    result_keys=(limited_cpus limited_cpus_eevdf throttled unthrottled ejections detach)
    ;;
  demo)
    kv[p99_ratio_eevdf_over_jthulhu]=$(ratio "$(get load_p99_eevdf)" "$(get load_p99_jthulhu)")
    kv[batch_throughput_ratio]=$(ratio "$(get batch_mcpu_jthulhu)" "$(get batch_mcpu_eevdf)")
    check attach is attached true
    check policies_not_applied num_cmp "$(get apply_to_applied_ms)" ">=" 0
    check policy_status_not_1_of_1 is nodes_applied_payments 1
    check policy_status_not_1_of_1 is nodes_applied_batch 1
    check ejections num_cmp "$(get ejections)" == 0
    check detach_not_clean is detach clean
    result_keys=(apply_to_applied_ms idle_p50_eevdf idle_p99_eevdf idle_p50_jthulhu idle_p99_jthulhu load_p50_eevdf
                 load_p90_eevdf load_p99_eevdf load_max_eevdf load_p50_jthulhu load_p90_jthulhu load_p99_jthulhu
                 load_max_jthulhu batch_mcpu_eevdf batch_mcpu_jthulhu p99_ratio_eevdf_over_jthulhu batch_throughput_ratio
                 sched_wait_p99_le_jthulhu ejections detach load_curve_eevdf load_curve_jthulhu)
    ;;
  full-chain)
    backup_share() { awk -v b="$(get cpu_$1_backup_ms)" -v w="$(get cpu_$1_web_ms)" 'BEGIN {
      if (b !~ /^[0-9]+$/ || w !~ /^[0-9]+$/ || b + w == 0) print "none"; else printf "%.3f\n", b / (b + w) }'; }
    for s in before idle weighted down restarted deleted; do kv[share_$s]=$(backup_share $s); done
    kv[effect]=${kv[share_before]}:${kv[share_idle]}:${kv[share_weighted]}:${kv[share_down]}:${kv[share_restarted]}:${kv[share_deleted]}
    check attach is attached true
    for k in apply_to_applied_ms change_to_applied_ms delete_to_applied_ms; do
      check "${k%_ms}_over_10s" num_cmp "$(get $k)" "<=" 10000
    done
    # From the restarted operator's readiness (its JVM start and informers' sync under TCG take a minute or more).
    check ready_to_applied_over_10s num_cmp "$(get ready_to_applied_ms)" "<=" 10000
    check policy_not_applied_on_1_of_1 is policy_nodes_applied 1
    check policy_not_applied_on_1_of_1 is policy_nodes_targeted 1
    check policy_matched_pods_not_1 is policy_matched_pods 1
    check plan_changed_while_operator_down is plan_unchanged_while_down true
    # 4 web and 2 backup processes of equal weight share by thread (1/3); an Idle pod beside the saturating web pod
    # gets almost nothing; weight 300 against 100 per thread gives the backup pod 0.6 (0.5: clear of 1/3).
    check share_before_off_third num_cmp "${kv[share_before]}" ">=" 0.2
    check share_before_off_third num_cmp "${kv[share_before]}" "<=" 0.5
    check share_idle_above_0.05 num_cmp "${kv[share_idle]}" "<=" 0.05
    check share_weighted_below_0.5 num_cmp "${kv[share_weighted]}" ">=" 0.5
    check share_down_below_0.5 num_cmp "${kv[share_down]}" ">=" 0.5
    # 143: the JVM ended on SIGTERM after its shutdown hook (137 would be the scenario's SIGKILL after 30 s).
    check operator_not_stopped_by_sigterm is operator_rc_stop 143
    check share_restarted_above_0.05 num_cmp "${kv[share_restarted]}" "<=" 0.05
    check share_deleted_off_third num_cmp "${kv[share_deleted]}" ">=" 0.2
    check share_deleted_off_third num_cmp "${kv[share_deleted]}" "<=" 0.5
    check operator_errors num_cmp "$(get operator_errors)" == 0
    check ejections num_cmp "$(get ejections)" == 0
    check detach_not_clean is detach clean
    echo "full-chain: the backup pod's CPU share beside a busy web pod: no policy ${kv[share_before]}," \
      "idle-backups applied ${kv[share_idle]} (applied on the node $(get apply_to_applied_ms) ms after kubectl apply," \
      "policy status $(get policy_nodes_applied)/$(get policy_nodes_targeted) nodes applied), class Normal weight 300" \
      "${kv[share_weighted]} ($(get change_to_applied_ms) ms), changed back to Idle with the operator down" \
      "${kv[share_down]} (plan unchanged: $(get plan_unchanged_while_down)), operator restarted ${kv[share_restarted]}" \
      "($(get ready_to_applied_ms) ms from its readiness, $(get restart_to_applied_ms) ms from its start), deleted ${kv[share_deleted]} ($(get delete_to_applied_ms) ms)"
    result_keys=(apply_to_applied_ms change_to_applied_ms restart_to_applied_ms ready_to_applied_ms delete_to_applied_ms policy_status_ms
                 effect share_before share_idle share_weighted share_down share_restarted share_deleted
                 plan_unchanged_while_down policy_nodes_applied ejections detach)
    ;;
  *)
    result_keys=()
    failed+=("no_evaluation_for_scenario")
    ;;
esac

if [ ${#failed[@]} -eq 0 ]; then pass=true reason=; else pass=false reason=" reason=$(IFS=,; echo "${failed[*]}")"; fi
echo "RESULT scenario=$scenario pass=$pass$reason $(keys "${result_keys[@]}" kernel_oops jvm_crashes)${extra:+ $extra}"
[ "$pass" = true ]
