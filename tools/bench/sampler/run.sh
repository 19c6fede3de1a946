#!/usr/bin/env bash
# Host time per sampled token at a 128K vocabulary (normal logits, sd 3,
# temperature 0.8), the sampler of this tree against that of a git revision
# (BASE, default HEAD~1), built and run in the same call:
#   bash tools/bench/sampler/run.sh [BASE]
# Each line: the sampling options, us per token, and a checksum of the 50
# tokens drawn (equal checksums: the same tokens).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
base=${1:-HEAD~1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/base/generate"
git -C "$root" show "$base:runtime/src/generate/Sampler.cpp" > "$work/base/generate/Sampler.cpp"
git -C "$root" show "$base:runtime/src/generate/Sampler.h" > "$work/base/generate/Sampler.h"
for side in base tree; do
  if [ $side = base ]; then src=$work/base; else src=$root/runtime/src; fi
  g++ -O3 -std=c++17 -I"$src" "$root/tools/bench/sampler/sampler-bench.cpp" \
    "$src/generate/Sampler.cpp" -o "$work/bench-$side"
done
for side in base tree; do
  echo "== $side ($([ $side = base ] && echo "$base" || echo "working tree"))"
  "$work/bench-$side"
done
