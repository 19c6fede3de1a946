#!/usr/bin/env bash
# On the GPU machine: decode tok/s of two variants, A and B, on the same GPU,
# each compiling and running its own artifacts, runs alternated so that clock
# and machine drift hit both alike. A variant is an llmc binary and extra
# `llmc compile` flags:
#
#   A_NAME, B_NAME    labels (default a, b)
#   A_LLMC, B_LLMC    the llmc binaries (default build-bundle's; a
#                     build-*/llmc-bundle/bin/llmc is unpacked from its
#                     build-*/llmc-bundle.tar.xz when missing)
#   A_FLAGS, B_FLAGS  more compile flags (word-split)
#   A_ENV, B_ENV      environment settings for `llmc run` (word-split
#                     NAME=VALUE words, e.g. LLMC_CUDA_PROGRAMS=0)
#
# ab-builds.sh (two builds) and ab-fusions.sh (with and without fusion
# passes) set these. The shapes come from tools/bench/bench.py --make-only
# (random weights): MODELS (default "1b 8b") in WORK (default /tmp/bench);
# QUANTIZE (default none) lists --quantize modes, none for 16-bit; REPEATS
# (default 3) runs of a 128-token prompt and 256 decoded tokens per artifact.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
names=("${A_NAME:-a}" "${B_NAME:-b}")
binaries=("${A_LLMC:-build-bundle/llmc-bundle/bin/llmc}"
  "${B_LLMC:-build-bundle/llmc-bundle/bin/llmc}")
flags=("${A_FLAGS:-}" "${B_FLAGS:-}")
envs=("${A_ENV:-}" "${B_ENV:-}")
for llmc in "${binaries[@]}"; do
  if [ ! -x "$llmc" ]; then
    dir=${llmc%%/llmc-bundle/*}
    tar -C "$dir" -xJf "$dir/llmc-bundle.tar.xz" || { echo "no $dir/llmc-bundle.tar.xz"; exit 1; }
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
    for i in 0 1; do
      # shellcheck disable=SC2086
      "${binaries[$i]}" compile "$onnx" --target cuda "${qflags[@]}" ${flags[$i]} \
        -o "$work/ab-$m-$q-$i.llmc" --quiet || echo "llama-$m $q ${names[$i]}: compile failed"
    done
    for r in $(seq 1 "${REPEATS:-3}"); do
      for i in 0 1; do
        # shellcheck disable=SC2086
        rate=$(env ${envs[$i]} "${binaries[$i]}" run "$work/ab-$m-$q-$i.llmc" --ids "$ids" -n 256 \
          --ignore-eos 2>&1 >/dev/null | grep -o "decode [0-9.]* tok/s")
        echo "llama-$m $q ${names[$i]} run $r: $rate"
      done
    done
    rm -f "$work"/ab-"$m"-"$q"-*.llmc
  done
done
