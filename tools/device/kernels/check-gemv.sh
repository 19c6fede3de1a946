#!/usr/bin/env bash
# On the GPU machine: builds tools/device/kernels/gemv-check.cu for the GPU
# that nvidia-smi reports (sm_90 becomes sm_90a) and runs it: the decode
# GEMV kernels (16-bit, gated, 4-bit) against the simple ones, then their
# speed and cuBLAS's on the Llama 1B and 8B decode shapes, and one token's
# matrices as a graph. Arguments go to the program (--no-timing). With
# --explore first, builds and runs gemv-explore.cu instead: 16-bit GEMV
# variants against read-only ceilings and cuBLAS. Run from anywhere; exits
# non-zero on a mismatch. KERNELS_DIR (default compiler/targets/cuda/kernels
# of this checkout) is the kernels' include directory, so that the harness
# builds against an older copy of them for an A/B in one GPU call; OUT_BIN
# names the binary.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
harness=gemv-check
if [ "${1:-}" = --explore ]; then
  harness=gemv-explore
  shift
fi
out=${OUT_BIN:-/tmp/$harness}
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d '. ')
arch=sm_$cap
if [ "$cap" = 90 ]; then
  arch=sm_90a
fi
echo "building $out for $arch"
kernels=${KERNELS_DIR:-$root/compiler/targets/cuda/kernels}
nvcc -O3 -arch="$arch" -std=c++17 -I "$kernels" \
  "$root/tools/device/kernels/$harness.cu" -lcublas -o "$out"
"$out" "$@"
