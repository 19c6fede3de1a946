#!/usr/bin/env bash
# On the GPU machine: decode tok/s of artifacts compiled with and without
# some fusion passes, by the same llmc on the same GPU, runs alternated so
# that clock and machine drift hit both alike.
#
#   MODELS="1b 8b" NO_FUSE=residual-linear,norm-linear QUANTIZE="none int4" \
#     bash tools/device/ab-fusions.sh
#
# The bench shapes come from tools/bench/bench.py --make-only (random
# weights), in WORK (default /tmp/bench); REPEATS (default 3) runs of a
# 128-token prompt and 256 decoded tokens per artifact.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
llmc=build-bundle/llmc-bundle/bin/llmc
if [ ! -x "$llmc" ]; then
  mkdir -p build-bundle && tar -C build-bundle -xJf build-bundle/llmc-bundle.tar.xz || exit 1
fi
work=${WORK:-/tmp/bench}
nofuse=${NO_FUSE:-residual-linear,norm-linear}
ids=$(seq -s, 1 128)
for m in ${MODELS:-1b 8b}; do
  python3 tools/bench/bench.py --models "$m" --work "$work" --make-only > /dev/null 2>&1
  onnx=$work/llama-$m/model.onnx
  [ -f "$onnx" ] || { echo "llama-$m: no export"; continue; }
  for q in ${QUANTIZE:-none}; do
    qflags=(); [ "$q" = none ] || qflags=(--quantize "$q")
    for v in fused unfused; do
      flags=(); [ "$v" = fused ] || flags=(--no-fuse="$nofuse")
      "$llmc" compile "$onnx" --target cuda "${qflags[@]}" "${flags[@]}" \
        -o "$work/ab-$m-$q-$v.llmc" --quiet || echo "llama-$m $q $v: compile failed"
    done
    for r in $(seq 1 "${REPEATS:-3}"); do
      for v in unfused fused; do
        rate=$("$llmc" run "$work/ab-$m-$q-$v.llmc" --ids "$ids" -n 256 --ignore-eos 2>&1 >/dev/null |
          grep -o "decode [0-9.]* tok/s")
        echo "llama-$m $q $v run $r: $rate"
      done
    done
    rm -f "$work"/ab-"$m"-"$q"-*.llmc
  done
done
