#!/usr/bin/env bash
# On the GPU machine: decode tok/s of one artifact under several runtime
# environments, runs alternated so that clock and machine drift hit all
# alike. Each argument is a variant, NAME or NAME:SETTING,SETTING... with
# NAME=VALUE settings for `llmc run`, e.g.
#
#   bash tools/device/env-decode.sh base \
#     splits4:LLMC_CUDA_ATTENTION_SPLITS=4 \
#     beside:LLMC_CUDA_ATTENTION_SPLITS=4,LLMC_CUDA_Q4_PROGRAM_RESERVE=8192
#
# MODEL (default 8b) is made by tools/bench/bench.py --make-only (random
# weights) in WORK (default /tmp/bench) and compiled once with FLAGS
# (default --quantize int4); REPEATS (default 3) runs of a 128-token prompt
# and 256 decoded tokens per variant; LLMC (default build-bundle's llmc,
# unpacked from build-bundle/llmc-bundle.tar.xz when missing). With LOGS set,
# each run's stderr is kept there as NAME-RUN.log (LLMC_CUDA_PROFILE=1 prints
# its GPU time per kernel kind there).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
llmc=${LLMC:-build-bundle/llmc-bundle/bin/llmc}
if [ ! -x "$llmc" ]; then
  dir=${llmc%%/llmc-bundle/*}
  tar -C "$dir" -xJf "$dir/llmc-bundle.tar.xz" || { echo "no $dir/llmc-bundle.tar.xz"; exit 1; }
fi
[ $# -gt 0 ] || { echo "usage: env-decode.sh NAME[:SETTING,...] ..."; exit 1; }
work=${WORK:-/tmp/bench}
model=${MODEL:-8b}
artifact=$work/env-$model.llmc
if [ ! -f "$artifact" ]; then
  python3 tools/bench/bench.py --models "$model" --work "$work" --make-only > /dev/null 2>&1
  onnx=$work/llama-$model/model.onnx
  [ -f "$onnx" ] || { echo "llama-$model: no export"; exit 1; }
  # shellcheck disable=SC2086
  "$llmc" compile "$onnx" --target cuda ${FLAGS---quantize int4} -o "$artifact" --quiet ||
    { echo "llama-$model: compile failed"; exit 1; }
fi
ids=$(seq -s, 1 128)
status=0
for r in $(seq 1 "${REPEATS:-3}"); do
  for v in "$@"; do
    name=${v%%:*}
    settings=()
    [ "$name" = "$v" ] || IFS=, read -r -a settings <<< "${v#*:}"
    if ! out=$(env "${settings[@]}" "$llmc" run "$artifact" --ids "$ids" -n 256 \
      --ignore-eos 2>&1 >/dev/null); then
      echo "llama-$model $name run $r: failed: $(tail -n 2 <<< "$out")"
      status=1
      continue
    fi
    [ -z "${LOGS:-}" ] || { mkdir -p "$LOGS" && printf '%s\n' "$out" > "$LOGS/$name-$r.log"; }
    echo "llama-$model $name run $r: $(grep -o "decode [0-9.]* tok/s" <<< "$out")"
  done
done
exit $status
