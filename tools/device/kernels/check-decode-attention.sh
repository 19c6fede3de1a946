#!/usr/bin/env bash
# On the GPU machine: builds tools/device/kernels/decode-attention-check.cu
# for the GPU that nvidia-smi reports (sm_90 becomes sm_90a) and runs it:
# llmc_attention_decode_step (and its _d64/_d128 instances where the kernel
# file has them) against llmc_attention, then its time per launch after the
# QKV GEMV on the Llama-8B decode shape. Arguments go to the program
# (--no-timing, --bench: only the timing). Run from anywhere; exits non-zero
# on a mismatch.
#
# KERNELS_DIR (default compiler/targets/cuda/kernels of this checkout) is the
# kernels' include directory, so that the same harness builds against an
# older copy of them for an A/B in one GPU call; OUT_BIN names the binary
# (default /tmp/decode-attention-check). E.g. main's kernels, from a
# checkout with git:
#   mkdir -p /tmp/old && git archive main compiler/targets/cuda/kernels |
#     tar -x -C /tmp/old
#   KERNELS_DIR=/tmp/old/compiler/targets/cuda/kernels \
#     OUT_BIN=/tmp/dac-old tools/device/kernels/check-decode-attention.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
kernels=${KERNELS_DIR:-$root/compiler/targets/cuda/kernels}
out=${OUT_BIN:-/tmp/decode-attention-check}
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d '. ')
arch=sm_$cap
if [ "$cap" = 90 ]; then
  arch=sm_90a
fi
echo "building $out for $arch against $kernels"
nvcc -O3 -arch="$arch" -std=c++17 -I "$kernels" \
  "$root/tools/device/kernels/decode-attention-check.cu" -o "$out"
"$out" "$@"
