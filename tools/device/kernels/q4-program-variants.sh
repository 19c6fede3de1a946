#!/usr/bin/env bash
# On the GPU machine: builds of the 4-bit GEMV programs' harness
# (gemv-quantized-program-check.cu) compared in one call. Each argument is
# NAME=DIR[:FLAGS]: the kernels in DIR (this checkout's are
# compiler/targets/cuda/kernels; patch=FILE: this checkout's with FILE, a
# git diff from the root, applied), built with the extra nvcc FLAGS (e.g.
# -DLLMC_Q4_PROGRAM_DIAG=7, the diagnosis builds in GemvQuantizedProgram.cu).
# The builds run in parallel; then, ROUNDS times (default 2), every build's
# --token-8b timing in turn; then, for each NAME in CHECK (spaces between),
# the full harness check (--no-timing), and for each NAME in PROFILE, an ncu
# profile of one layer's program with its source counters
# (PROFILE_SKIP launches skipped, default 40; its CSV pages summarized here
# by ncu-stalls.py $OUT/profile-NAME). Logs go to $OUT (default
# /tmp/q4-variants). Exit status: 1 if a build or a check failed.
#
#   bash tools/device/kernels/q4-program-variants.sh \
#     ship=compiler/targets/cuda/kernels \
#     dots=compiler/targets/cuda/kernels:-DLLMC_Q4_PROGRAM_DIAG=7 \
#     nostage=compiler/targets/cuda/kernels:-DLLMC_Q4_PROGRAM_DIAG=2
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${OUT:-/tmp/q4-variants}
mkdir -p "$out"
rm -f "$out"/token-*.log # appended to by the rounds below
rounds=${ROUNDS:-2}
names=()
status=0
for spec in "$@"; do
  name=${spec%%=*}
  rest=${spec#*=}
  dir=${rest%%:*}
  flags=
  [ "$dir" != "$rest" ] && flags=${rest#*:}
  case "$dir" in
  patch=*)
    # The checkout's kernels with a patch (git diff from the root) applied.
    patchFile=${dir#patch=}
    case "$patchFile" in /*) ;; *) patchFile=$root/$patchFile ;; esac
    dir=/tmp/q4v-src-$name
    rm -rf "$dir" && cp -r "$root/compiler/targets/cuda/kernels" "$dir"
    if ! (cd "$dir" && { git apply -p5 "$patchFile" 2>/dev/null ||
      patch -s -p5 < "$patchFile"; }); then
      echo "== $name: $patchFile does not apply"; status=1; continue
    fi
    ;;
  /*) ;;
  *) dir=$root/$dir ;;
  esac
  names+=("$name")
  # Build only: the harness binary is run below.
  (KERNELS_DIR=$dir NVCC_FLAGS=$flags OUT_BIN=/tmp/q4v-$name \
    bash "$root/tools/device/kernels/run-harness.sh" \
    gemv-quantized-program-check --build-only > "$out/build-$name.log" 2>&1 ||
    echo "build $name failed" >> "$out/build-$name.log") &
done
wait
for name in "${names[@]}"; do
  if [ ! -x "/tmp/q4v-$name" ]; then
    echo "== $name: no binary"; tail -20 "$out/build-$name.log"; status=1
  fi
done
for round in $(seq "$rounds"); do
  for name in "${names[@]}"; do
    [ -x "/tmp/q4v-$name" ] || continue
    echo "== round $round: $name"
    # A hung build (a broken diagnosis) must not take the call with it.
    timeout 120 "/tmp/q4v-$name" --token-8b 2>&1 | tee -a "$out/token-$name.log" |
      grep -E "us/token|copy"
  done
done
for name in ${CHECK:-}; do
  echo "== check: $name"
  timeout 300 "/tmp/q4v-$name" --no-timing > "$out/check-$name.log" 2>&1 ||
    status=1
  grep -v "^ok" "$out/check-$name.log" | tail -5
done
for name in ${PROFILE:-}; do
  echo "== profile: $name"
  timeout 300 ncu --clock-control none --set full --import-source yes \
    -k llmc_gemv_program_q4 --launch-skip "${PROFILE_SKIP:-40}" \
    --launch-count 1 -f -o "$out/profile-$name" "/tmp/q4v-$name" --profile \
    > "$out/profile-$name.log" 2>&1 || echo "profile $name failed" # a timing aid, not a check
  tail -3 "$out/profile-$name.log"
  ncu -i "$out/profile-$name.ncu-rep" --page details \
    > "$out/profile-$name-details.txt" 2>&1
  ncu -i "$out/profile-$name.ncu-rep" --page raw --csv \
    > "$out/profile-$name-raw.csv" 2>&1
  ncu -i "$out/profile-$name.ncu-rep" --page source --csv \
    --print-source sass > "$out/profile-$name-sass.csv" 2>&1
  grep -E "Duration|Issue Slots Busy|No Eligible|Eligible Warps|Warp Cycles Per Issued|Registers Per|Executed Instructions  " \
    "$out/profile-$name-details.txt" | head -12
done
exit $status
