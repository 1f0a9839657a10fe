#!/usr/bin/env bash
# Downloads (once) the Debian trixie-backports "cloud" kernel, which has CONFIG_SCHED_CLASS_EXT=y,
# into the cache, without touching the host's apt sources. Prints the kernel directory:
#   $CACHE/kernel/<ver>/{vmlinuz,vmlinux,version}
set -euo pipefail
CACHE=${JTHULHU_CACHE:-$HOME/.cache/jthulhu}
D=$CACHE/apt-trixie
mkdir -p "$D/lists/partial" "$D/cache/archives/partial"
# Parallel runs share the cache: one download at a time (the second finds the first's result).
exec 9> "$CACHE/.fetch-kernel.lock"
flock 9

link=$CACHE/kernel/current
if [ -e "$link/version" ] && [ -z "${JTHULHU_REFRESH_KERNEL:-}" ]; then
  readlink -f "$link"; exit 0
fi

uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=http://deb.debian.org/debian
printf 'Types: deb\nURIs: %s\nSuites: trixie-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" > "$D/k.sources"
O=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$D" -o "Dir::State::Lists=$D/lists"
   -o "Dir::Cache=$D/cache" -o APT::Sandbox::User=root -o Debug::NoLocking=1)
apt-get "${O[@]}" update -q >&2
img=$(apt-cache "${O[@]}" depends linux-image-cloud-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
[ -n "$img" ] || { echo "fetch-kernel: cannot resolve linux-image-cloud-amd64 in trixie-backports" >&2; exit 1; }
ver=${img#linux-image-}
bin=$(apt-cache "${O[@]}" depends "$img" | awk '/Depends: linux-binary-/{print $2; exit}')
[ -n "$bin" ] || bin=linux-binary-$ver
out=$CACHE/kernel/$ver
if [ ! -e "$out/version" ]; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get "${O[@]}" download "$bin" >&2)
  dpkg-deb -x "$work"/*.deb "$work/x"
  mkdir -p "$out"
  moddir=$(ls -d "$work"/x/usr/lib/modules/*/ "$work"/x/lib/modules/*/ 2>/dev/null | head -1 || true)
  cp "$moddir/vmlinuz" "$out/vmlinuz" 2>/dev/null || cp "$work"/x/boot/vmlinuz-* "$out/vmlinuz"
  # The bzImage carries a zstd-compressed ELF vmlinux; its .BTF generates vmlinux.h.
  off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$out/vmlinuz" | head -1 | cut -d: -f1)
  tail -c +$((off + 1)) "$out/vmlinuz" | zstd -dq > "$out/vmlinux" 2>/dev/null || true
  file "$out/vmlinux" | grep -q ELF || { echo "fetch-kernel: could not extract vmlinux from bzImage" >&2; exit 1; }
  # The package carries no config: the kernel's own BTF tells whether sched_ext is built in.
  bpftool btf dump file "$out/vmlinux" format raw > "$work/btf.txt"
  grep -q "STRUCT 'sched_ext_ops'" "$work/btf.txt" \
    || { echo "fetch-kernel: $ver has no sched_ext (no struct sched_ext_ops in its BTF)" >&2; exit 1; }
  echo "$ver" > "$out/version"
fi
ln -sfn "$ver" "$link"
readlink -f "$link"
