#!/usr/bin/env bash
# 256-px thumbnails of a 4000x3000 JPEG: this module's thumbnailer against Debian's vipsthumbnail, same file,
# same run, both warm and in batch. Prints ms per thumbnail (wall and CPU) for each, then the quality of both
# thumbnails (PSNR and SSIM) against a reference and against each other.
#
#   lambda-processors/bench/thumbnail-vs-vips.sh [COPIES=40] [ROUNDS=3]
#
# Needs vipsthumbnail (apt-get install -y libvips-tools) and the module's test classes (built here, offline).
set -euo pipefail
copies=${1:-40}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command -v vipsthumbnail >/dev/null || { echo "vipsthumbnail missing: apt-get install -y libvips-tools" >&2; exit 1; }

mvn -q -o -pl lambda-processors test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
cp="lambda-processors/target/test-classes:lambda-processors/target/classes:$(cat lambda-processors/target/bench-classpath.txt)"
bench() { java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" dev.filetrail.lambda.bench.ThumbnailBenchmark "$@" 2>/dev/null; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench generate "$work/photo.jpg" 4000 3000
mkdir -p "$work/in" "$work/vips"
for i in $(seq -w 1 "$copies"); do cp "$work/photo.jpg" "$work/in/photo-$i.jpg"; done

echo "vipsthumbnail: $(vips --version)"
echo "java: $(java -version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Warm-up: libvips loaded and every copy in the page cache.
vipsthumbnail -s 256 -o "$work/vips/%s.jpg[Q=85]" "$work"/in/*.jpg
TIMEFORMAT='%R %U %S'
for round in $(seq 1 "$rounds"); do
    { time vipsthumbnail -s 256 -o "$work/vips/%s.jpg[Q=85]" "$work"/in/*.jpg; } 2> "$work/vips-time"
    read -r wall user sys < "$work/vips-time"
    awk -v w="$wall" -v u="$user" -v s="$sys" -v n="$copies" -v r="$round" \
        'BEGIN { printf "round %d vips: %d thumbnails, wall %.1f ms per thumbnail, cpu %.1f ms per thumbnail\n", r, n, 1000*w/n, 1000*(u+s)/n }'
    printf 'round %d ' "$round"
    bench time "$work/in" 256 30 "$work/java.jpg"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Quality: vips writes its thumbnail losslessly (PNG); ours is compared before JPEG encoding too.
vipsthumbnail -s 256 -o "$work/vips-256.png" "$work/photo.jpg"
bench quality "$work/photo.jpg" 256 "$work/vips-256.png"
