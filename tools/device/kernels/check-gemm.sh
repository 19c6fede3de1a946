#!/usr/bin/env bash
# On the GPU machine: builds tools/device/kernels/gemm-check.cu for the GPU
# that nvidia-smi reports (sm_90 becomes sm_90a) and runs it: llmc_gemm_*
# against llmc_linear_* on many shapes, then its speed against cuBLAS on
# the Llama-8B prefill shapes. Arguments go to the program (--no-timing,
# --no-check). Run from anywhere; exits non-zero on a mismatch.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${OUT_BIN:-/tmp/gemm-check}
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d '. ')
arch=sm_$cap
if [ "$cap" = 90 ]; then
  arch=sm_90a
fi
echo "building $out for $arch"
nvcc -O3 -arch="$arch" -std=c++17 -I "$root/compiler/targets/cuda/kernels" \
  "$root/tools/device/kernels/gemm-check.cu" -lcublas -o "$out"
"$out" "$@"
