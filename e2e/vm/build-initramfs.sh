#!/usr/bin/env bash
# Builds the test VM's initramfs and prints its path.
#   build-initramfs.sh <daemon-jar> <out-dir> [jar...]   (out-dir: private to one run; gets overlay + initrd.img;
#                                                       further jars go to /opt/jthulhu/ beside the daemon's)
# Two concatenated, uncompressed cpio archives (the kernel unpacks both). Uncompressed because the
# kernel's gunzip under TCG costs more than it saves: /init at 5.7-11 s uptime vs 9.8-15.8 s with gzip -1.
#   base.cpio       busybox, the jlinked Java runtime, libbpf, bpftool, stress-ng, rt-tests and every
#                   library they load; cached in e2e/vm/.work/initramfs-base, rebuilt only when one
#                   of those inputs changes. Runs in parallel (even from one checkout) take a lock.
#   overlay.cpio    /init, the scenario scripts, examples/, the jars and the control scheduler's BPF object;
#                   rebuilt every run.
# The jlink runtime is cached in ${JTHULHU_CACHE:-$HOME/.cache/jthulhu}/jre/<key>.
set -euo pipefail

jar=${1:?usage: build-initramfs.sh <daemon-jar> <out-dir>}
out=${2:?usage: build-initramfs.sh <daemon-jar> <out-dir>}
shift 2
extra_jars=("$@")
for j in "$jar" "${extra_jars[@]}"; do
  [ -f "$j" ] || { echo "build-initramfs: jar not found: $j" >&2; exit 1; }
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${JTHULHU_CACHE:-$HOME/.cache/jthulhu}
jdk=${JTHULHU_JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
mkdir -p "$out" "$cache/jre"

libbpf=/usr/lib/x86_64-linux-gnu/libbpf.so.1
tools=(/usr/bin/busybox /usr/sbin/bpftool /usr/bin/stress-ng /usr/bin/hackbench /usr/bin/cyclictest "$libbpf")
for f in "${tools[@]}" "$jdk/bin/jlink" "$jdk/jmods/java.base.jmod"; do
  [ -e "$f" ] || { echo "build-initramfs: missing $f (run scripts/setup-host.sh)" >&2; exit 1; }
done

# --- Java runtime: the modules jdeps finds in the jars, plus jdk.unsupported (sun.misc.Signal, Unsafe).
modules=
for j in "$jar" "${extra_jars[@]}"; do
  m=$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 "$j" 2>/dev/null || true)
  [ -n "$m" ] || { echo "build-initramfs: jdeps found no module dependencies in $j" >&2; exit 1; }
  modules=${modules:+$modules,}$m
done
modules=$(printf '%s\n' "${modules//,/$'\n'}" java.base jdk.unsupported | sort -u | paste -sd, -)
jlink_opts=(--strip-debug --no-header-files --no-man-pages --generate-cds-archive)
jre_key=$( { "$jdk/bin/java" -version 2>&1; echo "$modules ${jlink_opts[*]}"; } | sha256sum | cut -c1-16)
jre=$cache/jre/$jre_key
if [ ! -x "$jre/bin/java" ]; then
  # Runs from other checkouts share the cache: one jlink at a time, into a private directory.
  exec 9> "$cache/jre/.lock"
  flock 9
  if [ ! -x "$jre/bin/java" ]; then
    echo "build-initramfs: jlink $modules -> $jre" >&2
    staging=$(mktemp -d "$cache/jre/.staging.XXXXXX")
    # CDS generation warns about absent optional classes (java.util.logging, ...): keep that in a file.
    "$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$modules" "${jlink_opts[@]}" \
      --output "$staging/jre" > "$out/jlink.log" 2>&1 || { cat "$out/jlink.log" >&2; rm -rf "$staging"; exit 1; }
    rm -rf "$jre"
    mv "$staging/jre" "$jre"
    rm -rf "$staging"
  fi
  exec 9>&-
fi

# --- Base archive, keyed on every input that ends up in it.
base_key=$( { sha256sum "$0"; stat -L -c '%n %s %Y' "${tools[@]}"; echo "$jre_key"; } | sha256sum | cut -c1-16)
bases=$here/.work/initramfs-base
mkdir -p "$bases"
exec 8> "$bases/.lock"
flock 8
base=$bases/base-$base_key.cpio
if [ ! -s "$base" ]; then
  root=$bases/root
  rm -rf "$root" "$bases"/base-*.cpio*
  mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,proc,sys,dev,tmp,run,root,etc,opt/jthulhu,scenarios}
  # Debian's merged /usr layout, so library paths printed by ldd resolve unchanged.
  ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"

  cp /usr/sbin/bpftool "$root/usr/sbin/"
  cp /usr/bin/stress-ng /usr/bin/hackbench /usr/bin/cyclictest /usr/bin/busybox "$root/usr/bin/"
  # Applet symlinks, never over a real tool copied above.
  busybox --list-full | while read -r applet; do
    [ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /usr/bin/busybox "$root/$applet"
  done
  cp -L "$libbpf" "$root$libbpf"
  ln -s libbpf.so.1 "$root/usr/lib/x86_64-linux-gnu/libbpf.so"
  cp -a "$jre" "$root/opt/jthulhu/jre"
  ln -s /opt/jthulhu/jre/bin/java "$root/usr/bin/java"

  # Every shared library any ELF file in the image needs, at the path the host's loader resolved.
  find "$root/usr" "$root/opt" -type f \( -perm -u+x -o -name '*.so*' \) -print0 \
    | xargs -0 file -N --mime-type | awk -F': ' '$2 ~ /x-(pie-)?executable|x-sharedlib/ {print $1}' \
    | while read -r elf; do ldd "$elf" 2>/dev/null || true; done \
    | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u \
    | while read -r lib; do
        dest=$root$lib
        [ -e "$dest" ] || { mkdir -p "$(dirname "$dest")"; cp -L "$lib" "$dest"; }
      done
  [ -e "$root/lib64/ld-linux-x86-64.so.2" ] || { echo "build-initramfs: dynamic loader not copied" >&2; exit 1; }

  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\n' > "$root/etc/group"
  echo jthulhu-vm > "$root/etc/hostname"
  (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$base.tmp"
  mv "$base.tmp" "$base"
  rm -rf "$root"
fi

# --- Overlay archive: what changes between runs.
root=$out/overlay-root
rm -rf "$root"
mkdir -p "$root/opt/jthulhu" "$root/scenarios"
install -m 0755 "$here/init.sh" "$root/init"
install -m 0755 "$here"/scenarios/*.sh "$root/scenarios/"
mkdir -p "$root/examples"
cp "$here"/../../examples/*.yaml "$root/examples/"
cp "$jar" "$root/opt/jthulhu/jthulhu-node-daemon.jar"
# The control scheduler, for the control scenario: no Jthulhu code in the kernel.
make -s -C "$here/../../bpf" OUT="$(cd "$root/opt/jthulhu" && pwd)" control >&2
for j in "${extra_jars[@]}"; do cp "$j" "$root/opt/jthulhu/"; done
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$out/overlay.cpio"
rm -rf "$root"

cat "$base" "$out/overlay.cpio" > "$out/initrd.img"
exec 8>&-
rm -f "$out/overlay.cpio"
echo "$out/initrd.img"
