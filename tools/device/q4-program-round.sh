#!/usr/bin/env bash
# On the GPU machine, from the checkout root with build-bundle unpacked or
# its tarball carried: one round of the 4-bit GEMV programs' work. The
# kernel harness (check and timing); if every program matches and the 8B
# token's programs beat its one-token kernels: check-cuda (check-and-bench
# STAGES=check), then, if it passes, decode of the 8B shape's int4 with the
# programs off and on, alternated (ab-decode.sh). Logs go to $OUT (default
# /tmp/q4-round). Exit status: 1 a mismatch, 2 the programs not faster, 3
# no timing lines, 4 check-cuda failed; else the A/B's.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/q4-round}
mkdir -p "$out"
if [ ! -x build-bundle/llmc-bundle/bin/llmc ]; then
  tar -C build-bundle -xJf build-bundle/llmc-bundle.tar.xz || exit 1
fi
bash tools/device/kernels/check-gemv-quantized-program.sh > "$out/harness.log" 2>&1
rc=$?
grep -v "^ok" "$out/harness.log" | tail -22
[ $rc = 0 ] || exit 1
us() {
  grep "llama-8b.*$1" "$out/harness.log" | grep -o "[0-9]* us/token" |
    cut -d' ' -f1 | head -n 1
}
kernels=$(us "one-token kernels")
programs=$(us "programs, 1/SM")
echo "8B token matrices: one-token kernels $kernels us, programs $programs us"
case "$kernels$programs" in
  '' | *[!0-9]*) echo "no timing lines in $out/harness.log"; exit 3 ;;
esac
[ "$programs" -lt "$kernels" ] || exit 2
STAGES=check bash tools/device/check-and-bench.sh > "$out/stages.log" 2>&1
check=$?
echo "check-cuda rc $check"
tail -4 "$out/stages.log"
[ $check = 0 ] || exit 4
MODELS=8b QUANTIZE=int4 REPEATS=3 A_NAME=kernels B_NAME=programs \
  A_ENV="LLMC_CUDA_QUANTIZED_PROGRAMS=0" B_ENV="LLMC_CUDA_QUANTIZED_PROGRAMS=1" \
  bash tools/device/ab-decode.sh > "$out/ab.log" 2>&1
ab=$?
cat "$out/ab.log"
exit $ab
