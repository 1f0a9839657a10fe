#!/usr/bin/env bash
# Installs every host package the build and the tests need (idempotent; run as root).
# Debian 12 host: clang-19 for BPF, libbpf/bpftool from bookworm-backports (bookworm's libbpf
# 1.1 lacks .struct_ops.link), QEMU and the workloads that the VM scenarios run.
set -euo pipefail

need=(clang-19 llvm-19 qemu-system-x86 busybox-static cpio zstd stress-ng rt-tests
      binutils file kmod gzip openjdk-17-jdk-headless)
backports=(libbpf-dev libbpf1 bpftool)

have_all() {
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || return 1; done
}

if have_all "${need[@]}" "${backports[@]}" && [ "$(dpkg-query -W -f='${Version}' libbpf1)" \> "1.4" ]; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
src=/etc/apt/sources.list.d/debian.sources
uri=$(awk '/^URIs:/{print $2; exit}' "$src" 2>/dev/null || true)
[ -n "$uri" ] || uri=http://deb.debian.org/debian
bp=/etc/apt/sources.list.d/jthulhu-bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list.d/ /etc/apt/sources.list; then
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" > "$bp"
fi
apt-get update -q
apt-get install -y -q --no-install-recommends "${need[@]}"
apt-get install -y -q --no-install-recommends -t bookworm-backports "${backports[@]}"
