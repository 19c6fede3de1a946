#!/usr/bin/env bash
# On the GPU machine: builds tools/device/kernels/attention-check.cu for the
# GPU's architecture (compute capability 9.0 -> sm_90a, else sm_XY) and runs
# it: llmc_attention_prefill (FlashAttention.cu) against llmc_attention
# (Kernels.cu) on random cases, then the Llama-8B prefill timing. Run from
# the repository root; extra arguments go to the program (--quick skips the
# slowest reference cases, --bench runs only the timing). Exit status: the
# program's (0 all match, 1 a mismatch, 2 a CUDA error).
set -euo pipefail
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n1 | tr -d ' .')
arch=sm_$cap
[ "$cap" = 90 ] && arch=sm_90a
bin=${BIN:-/tmp/attention-check}
echo "building for $arch"
nvcc -O3 -arch=$arch -std=c++17 -I compiler/targets/cuda/kernels \
  tools/device/kernels/attention-check.cu -o "$bin"
"$bin" "$@"
