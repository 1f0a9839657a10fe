#!/usr/bin/env bash
# The demo: boots the sched_ext kernel in QEMU and compares the kernel's default scheduler (EEVDF)
# with Jthulhu's embedded default policy on the same workloads, in one boot.
set -euo pipefail
cd "$(dirname "$0")/.."
exec e2e/vm/run.sh compare
