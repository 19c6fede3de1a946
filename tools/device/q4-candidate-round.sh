#!/usr/bin/env bash
# On the GPU machine, from the checkout root: one round for a candidate
# change to the 4-bit GEMV programs that is applied to this checkout, and
# so to the bundle built from it (tools/device/make-bundle.sh, carried as
# build-bundle/llmc-bundle.tar.xz), against the kernels in BASE (default
# build-variants/base, carried). Before the call, here:
#
#   mkdir -p build-variants/base && git archive HEAD \
#     compiler/targets/cuda/kernels | tar -x -C build-variants/base \
#     --strip-components=4
#
# 1. kernels/q4-program-variants.sh: base and candidate (and any extra
#    NAME=DIR[:FLAGS] arguments, e.g. a patch=FILE or a diagnosis build),
#    the 8B token timed ROUNDS (default 2) times each, the candidate's full
#    harness check;
# 2. if it matched and its best programs time beat the base's (or, with
#    REQUIRE_FASTER=0, whatever its time: a fix that need not be faster):
#    check-cuda (check-and-bench.sh STAGES=check), every 4-bit model end to
#    end;
# 3. with BENCH=1, if check-cuda passed: bench.py on the 8B shape, int4 and
#    the llmc bf16 figure it is compared with (check-and-bench.sh
#    STAGES=bench, no baselines; about 270 s on an H100), so that a round
#    and its end-to-end figure take one call.
#
# Logs under $OUT (default /tmp/q4-candidate), packed into one file there.
# Exit status: 1 a build or the check failed, 2 not faster, 4 check-cuda
# failed, 8 the bench failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
out=${OUT:-/tmp/q4-candidate}
mkdir -p "$out"
# check-and-bench.sh appends to its summary: a rerun on a warm machine must
# not read (or pack) an earlier round's verdict.
rm -rf /tmp/q4-candidate-variants /tmp/q4-candidate-check /tmp/q4-candidate-bench
base=${BASE:-build-variants/base}
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
ROUNDS=${ROUNDS:-2} CHECK=candidate OUT=/tmp/q4-candidate-variants \
  bash tools/device/kernels/q4-program-variants.sh "base=$base" \
  candidate=compiler/targets/cuda/kernels "$@"
rc=$?
best() {
  grep "programs, 1/SM" "/tmp/q4-candidate-variants/token-$1.log" |
    grep -o "[0-9]* us/token" | cut -d' ' -f1 | sort -n | head -n 1
}
b=$(best base)
c=$(best candidate)
echo "best of the rounds, 8B token programs: base ${b:-?} us, candidate ${c:-?} us"
status=0
if [ $rc != 0 ]; then
  status=1
elif [ "${REQUIRE_FASTER:-1}" = 1 ] &&
  { [ -z "$b" ] || [ -z "$c" ] || [ "$c" -ge "$b" ]; }; then
  status=2
else
  STAGES=check OUT=/tmp/q4-candidate-check bash tools/device/check-and-bench.sh
  grep -q "check: exit 0, with cuBLAS: exit 0" \
    /tmp/q4-candidate-check/summary.txt || status=4
  if [ $status = 0 ] && [ "${BENCH:-0}" = 1 ]; then
    STAGES=bench MODELS_BENCH=8b BENCH_FLAGS="--quantize int4 --no-baselines" \
      OUT=/tmp/q4-candidate-bench bash tools/device/check-and-bench.sh
    grep -q "bench: exit 0" /tmp/q4-candidate-bench/summary.txt || status=8
  fi
fi
tar -C /tmp -czf "$out/q4-candidate-logs.tgz" q4-candidate-variants \
  q4-candidate-check q4-candidate-bench 2>/dev/null
echo "round exit $status"
exit $status
