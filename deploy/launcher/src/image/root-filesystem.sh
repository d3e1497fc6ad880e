#!/usr/bin/env bash
# Builds the files the service image needs besides the application, without a container registry:
#   /opt/java                a JRE made by jlink from the build JDK's jmods (Java SE, the EC provider, jdk.unsupported)
#   /lib, /usr/lib, /bin/sh  glibc, libgcc, libstdc++, zlib and dash, unpacked from Debian's own packages
#   /usr/local/bin/filetrail the entrypoint: runs the launcher's main class on that JRE
#   /etc/passwd, /etc/group  root and the unprivileged user the image runs as (nonroot, 65532)
# Usage: root-filesystem.sh <output folder> <JDK home> <main class> <package cache folder>
# The Debian packages are the candidates of this machine's apt sources for amd64; their exact versions are written
# to /usr/share/filetrail/image-packages.txt in the image (and printed), so an image can be traced to its inputs.
set -euo pipefail
out="$1"; jdk="$2"; main_class="$3"; debs="$4"
packages=(libc6 libgcc-s1 libstdc++6 zlib1g dash)
# Java SE plus what `jdeps --print-module-deps` finds beyond it in the services (jdk.httpserver: the admin port).
modules=java.se,jdk.crypto.ec,jdk.unsupported,jdk.httpserver,jdk.net,jdk.management,jdk.zipfs,jdk.naming.dns

fail() { echo "root-filesystem.sh: $*" >&2; exit 1; }
[ -d "$jdk/jmods" ] || fail "$jdk/jmods is missing: build with a full JDK 17 that has jmods (Debian: openjdk-17-jdk)"
[ -x "$jdk/bin/jlink" ] || fail "$jdk/bin/jlink is missing"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
  || fail "apt-get and dpkg-deb are needed to take glibc and friends from Debian's packages (build on Debian or Ubuntu)"
[ "$(dpkg --print-architecture)" = amd64 ] || fail "the image is linux/amd64; this machine is $(dpkg --print-architecture)"

rm -rf "$out" && mkdir -p "$out" "$debs"
stage="$(mktemp -d)"; trap 'rm -rf "$stage"' EXIT

# The JRE. --strip-debug and no man pages or headers keep it small; the jmods' own cacerts come along.
"$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output "$out/opt/java"

# The shared libraries the JRE links against, and a shell for the entrypoint script.
versions=()
for p in "${packages[@]}"; do
  v="$(apt-cache policy "$p" | awk '/Candidate:/ {print $2}')"
  [ -n "$v" ] && [ "$v" != "(none)" ] || fail "no candidate version of $p in this machine's apt sources (run apt-get update)"
  versions+=("$p=$v")
done
(cd "$debs" && apt-get download -q "${versions[@]}" >/dev/null) \
  || fail "apt-get download ${versions[*]} failed (network to Debian's mirrors needed)"
for p in "${packages[@]}"; do
  deb="$(ls "$debs/${p}_"*.deb | sort | tail -1)"
  dpkg-deb -x "$deb" "$stage"
done
# Absolute symlinks inside the packages (e.g. /lib64/ld-linux-x86-64.so.2) must resolve inside the image,
# not on the build machine: make them relative, then copy with links resolved (Jib layers regular files).
while IFS= read -r link; do
  target="$(readlink "$link")"
  case "$target" in /*) ln -sfnr "$stage$target" "$link" ;; esac
done < <(find "$stage" -type l)
rm -rf "$stage/usr/share" "$stage/usr/lib/x86_64-linux-gnu/gconv" "$stage/etc" "$stage/usr/lib/gcc" \
  "$stage/usr/lib/x86_64-linux-gnu/libstdc++.so.6."*-gdb.py "$stage/var"
cp -rL "$stage/." "$out/"
cp "$out/bin/dash" "$out/bin/sh"

# /proc and /dev are mount points for the container runtime.
mkdir -p "$out/usr/local/bin" "$out/etc" "$out/tmp" "$out/home/nonroot" "$out/usr/share/filetrail" "$out/proc" "$out/dev"
cat > "$out/usr/local/bin/filetrail" <<SCRIPT
#!/bin/sh
# The filetrail command of the service image (see the README, "The service image"). JAVA_OPTS adds JVM options.
exec /opt/java/bin/java \${JAVA_OPTS:-} -cp @/app/jib-classpath-file $main_class "\$@"
SCRIPT
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$out/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$out/etc/group"
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"
{ printf '%s\n' "${versions[@]}"; echo "jre=$("$out/opt/java/bin/java" -version 2>&1 | head -1) modules=$modules"; } \
  > "$out/usr/share/filetrail/image-packages.txt"
echo "root-filesystem.sh: image files in $out from ${versions[*]}"
