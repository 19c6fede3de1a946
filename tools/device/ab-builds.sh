#!/usr/bin/env bash
# On the GPU machine: decode tok/s of two llmc builds on the same GPU, each
# compiling and running its own artifacts, runs alternated so that clock
# and machine drift hit both alike. The other build is a bundle made from
# another commit (tools/device/make-bundle.sh there), carried as
# build-old/llmc-bundle.tar.xz:
#
#   MODELS="1b 8b" QUANTIZE="none int4" bash tools/device/ab-builds.sh
#
# Shapes from tools/bench/bench.py --make-only (random weights) in WORK
# (default /tmp/bench); REPEATS (default 3) runs of a 128-token prompt and
# 256 decoded tokens per artifact.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
for b in build-bundle build-old; do
  if [ ! -x "$b/llmc-bundle/bin/llmc" ]; then
    tar -C "$b" -xJf "$b/llmc-bundle.tar.xz" || { echo "no $b/llmc-bundle.tar.xz"; exit 1; }
  fi
done
work=${WORK:-/tmp/bench}
ids=$(seq -s, 1 128)
for m in ${MODELS:-1b 8b}; do
  python3 tools/bench/bench.py --models "$m" --work "$work" --make-only > /dev/null 2>&1
  onnx=$work/llama-$m/model.onnx
  [ -f "$onnx" ] || { echo "llama-$m: no export"; continue; }
  for q in ${QUANTIZE:-none}; do
    qflags=(); [ "$q" = none ] || qflags=(--quantize "$q")
    for b in old new; do
      dir=build-bundle; [ $b = new ] || dir=build-old
      "$dir/llmc-bundle/bin/llmc" compile "$onnx" --target cuda "${qflags[@]}" \
        -o "$work/ab-$m-$q-$b.llmc" --quiet || echo "llama-$m $q $b: compile failed"
    done
    for r in $(seq 1 "${REPEATS:-3}"); do
      for b in old new; do
        dir=build-bundle; [ $b = new ] || dir=build-old
        rate=$("$dir/llmc-bundle/bin/llmc" run "$work/ab-$m-$q-$b.llmc" --ids "$ids" \
          -n 256 --ignore-eos 2>&1 >/dev/null | grep -o "decode [0-9.]* tok/s")
        echo "llama-$m $q $b run $r: $rate"
      done
    done
    rm -f "$work"/ab-"$m"-"$q"-*.llmc
  done
done
