#!/usr/bin/env bash
# The project's test command: unit and integration tests of every module, then the real-kernel
# scenarios in a QEMU VM. Installs what it needs first (root, Debian 12).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-host.sh
bash e2e/vm/fetch-kernel.sh >/dev/null

mvn -B -ntp verify

# VM scenarios; each prints a final RESULT line and exits non-zero on failure.
export JTHULHU_SKIP_BUILD=1
for scenario in ${JTHULHU_SCENARIOS:-stress stall compare compare-busy-host hotplug weight k8s-weights k8s-limits fail-static churn idle latency accounting full-chain}; do
  e2e/vm/run.sh "$scenario"
done
