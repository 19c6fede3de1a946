#!/usr/bin/env bash
# On the GPU machine: builds tools/device/kernels/NAME.cu for the GPU that
# nvidia-smi reports (compute capability 9.0 becomes sm_90a, else sm_XY) and
# runs it with the remaining arguments; the program's exit status is this
# script's. The check-*.sh scripts beside it name their harness through it.
#
#   run-harness.sh NAME [--build-only | ARGS...]
#
# KERNELS_DIR (default compiler/targets/cuda/kernels of this checkout) is the
# kernels' include directory, so that a harness builds against an older copy
# of them (e.g. `git archive main compiler/targets/cuda/kernels | tar -x -C
# DIR`) for an A/B in one GPU call; OUT_BIN names the binary (default
# /tmp/NAME), NVCC_FLAGS extra compiler flags (a diagnosis build's -D...).
# Run from anywhere.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
name=${1:?usage: run-harness.sh NAME [ARGS...]}
shift
kernels=${KERNELS_DIR:-$root/compiler/targets/cuda/kernels}
out=${OUT_BIN:-/tmp/$name}
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d '. ')
arch=sm_$cap
if [ "$cap" = 90 ]; then
  arch=sm_90a
fi
echo "building $out for $arch against $kernels"
# shellcheck disable=SC2086 # NVCC_FLAGS: extra flags, split on spaces
nvcc -O3 -arch="$arch" -std=c++17 ${NVCC_FLAGS:-} -I "$kernels" \
  "$root/tools/device/kernels/$name.cu" -lcublas -o "$out"
# --build-only (first argument): build, run nothing.
[ "${1:-}" = --build-only ] && exit 0
exec "$out" "$@"
