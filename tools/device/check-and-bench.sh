#!/usr/bin/env bash
# On the GPU machine, in one call: everything a session measures, each stage
# logged to $OUT (or /tmp/llmc-device) and summarized on stdout.
#
#   1. the bundle unpacked (build-bundle/llmc-bundle.tar.xz, carried);
#   2. check-cuda.sh: cuda against cpu logits and greedy tokens, float and
#      quantized artifacts; then again with LLMC_CUDA_CUBLAS=1 on the 16-bit
#      models (the prompt GEMMs on cuBLAS);
#   3. kernels/check-gemv.sh: the decode GEMV kernels checked and timed;
#   4. tools/bench/bench.py for the 1B and 8B shapes with --quantize int4
#      and the HF baselines (the 8B export is grown from 4 layers);
#   5. cublas (not by default): the bench artifacts again with
#      LLMC_CUDA_CUBLAS=1, no baselines;
#   6. LLMC_CUDA_PROFILE=1 runs of the bench artifacts.
#
# STAGES="check gemv bench profile" picks stages; MODELS_BENCH (default
# "1b,8b") the bench shapes; BENCH_FLAGS (default "--quantize int4") more
# bench.py flags; BENCH_WORK (default /tmp/bench) their folder.
# A failed stage is reported and the next runs.
# Needs about 10 minutes on a warm H200 with every stage; the kernel cache
# (~/.cache/llmc) makes the check's compiles cost one nvcc run.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${OUT:-/tmp/llmc-device}
mkdir -p "$out"
stages=${STAGES:-"check gemv bench profile"}
llmc=build-bundle/llmc-bundle/bin/llmc
work=${BENCH_WORK:-/tmp/bench}
summary() { printf '== %s\n' "$*" | tee -a "$out/summary.txt"; }

if [ ! -x "$llmc" ]; then
  mkdir -p build-bundle && tar -C build-bundle -xJf build-bundle/llmc-bundle.tar.xz ||
    { summary "no bundle: build-bundle/llmc-bundle.tar.xz"; exit 1; }
fi
summary "$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)"

for stage in $stages; do
  start=$SECONDS
  case $stage in
  check)
    bash tools/device/check-cuda.sh > "$out/check.log" 2>&1
    rc=$?
    MODELS="models/tinycode/target" QUANTIZED="models/tinycode/target:int4" \
      LLMC_CUDA_CUBLAS=1 WORK=/tmp/llmc-cuda-check-cublas \
      bash tools/device/check-cuda.sh > "$out/check-cublas.log" 2>&1
    rc2=$?
    grep "relative error" "$out/check.log" "$out/check-cublas.log" | sed 's/^/   /'
    summary "check: exit $rc, with cuBLAS: exit $rc2 ($((SECONDS - start)) s)"
    ;;
  gemv)
    bash tools/device/kernels/check-gemv.sh > "$out/gemv.log" 2>&1
    rc=$?
    grep "copy:\|token matrices\|MISMATCH\|FAILED" "$out/gemv.log" | sed 's/^/   /'
    summary "gemv: exit $rc ($((SECONDS - start)) s)"
    ;;
  bench)
    # shellcheck disable=SC2086
    python3 tools/bench/bench.py --models "${MODELS_BENCH:-1b,8b}" --work "$work" \
      ${BENCH_FLAGS:---quantize int4} --delete-onnx --json "$out/bench.json" \
      > "$out/bench.log" 2>&1
    rc=$?
    grep "^|\|roofline\|reads \|failure" "$out/bench.log" | sed 's/^/   /'
    summary "bench: exit $rc ($((SECONDS - start)) s)"
    ;;
  cublas)
    # The bench stage's artifacts again, prompts on cuBLAS, no baselines.
    LLMC_CUDA_CUBLAS=1 python3 tools/bench/bench.py --models "${MODELS_BENCH:-1b,8b}" \
      --work "$work" --skip-make --reuse-artifact --no-baselines \
      --json "$out/bench-cublas.json" > "$out/bench-cublas.log" 2>&1
    rc=$?
    grep "^|\|failure" "$out/bench-cublas.log" | sed 's/^/   /'
    summary "bench with LLMC_CUDA_CUBLAS=1: exit $rc ($((SECONDS - start)) s)"
    ;;
  profile)
    for art in "$work"/llama-*.llmc; do
      [ -f "$art" ] || continue
      LLMC_CUDA_PROFILE=1 "$llmc" run "$art" --ids 1,2,3 -n 32 --ignore-eos \
        > "$out/profile-$(basename "$art" .llmc).log" 2>&1
      echo "   $(basename "$art"):"
      grep "us/token\|us each" "$out/profile-$(basename "$art" .llmc).log" | sed 's/^/     /'
    done
    summary "profile: ($((SECONDS - start)) s)"
    ;;
  *)
    summary "unknown stage $stage"
    ;;
  esac
done
