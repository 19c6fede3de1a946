#!/usr/bin/env bash
# On the GPU machine: builds tools/device/kernels/gemv-explore.cu for the
# GPU that nvidia-smi reports (sm_90 becomes sm_90a) and runs it: bf16
# decode GEMV variants against read ceilings and cuBLAS, per matrix and as
# one token's graph. Exits non-zero when a variant's result is wrong.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${OUT_BIN:-/tmp/gemv-explore}
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d '. ')
arch=sm_$cap
if [ "$cap" = 90 ]; then
  arch=sm_90a
fi
echo "building $out for $arch"
nvcc -O3 -arch="$arch" -std=c++17 -I "$root/compiler/targets/cuda/kernels" \
  "$root/tools/device/kernels/gemv-explore.cu" -lcublas -o "$out"
"$out" "$@"
