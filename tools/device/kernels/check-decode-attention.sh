#!/usr/bin/env bash
# On the GPU machine: builds and runs
# tools/device/kernels/decode-attention-check.cu (run-harness.sh: the GPU's
# architecture, KERNELS_DIR, OUT_BIN): llmc_attention_decode_step (and its
# _d64/_d128 instances where the kernel file has them) against
# llmc_attention, then its time per launch after the QKV GEMV on the
# Llama-8B decode shape. Arguments go to the program (--no-timing, --bench:
# only the timing). Run from anywhere; exits non-zero on a mismatch.
#
# An A/B against main's kernels, from a checkout with git:
#   mkdir -p /tmp/old && git archive main compiler/targets/cuda/kernels |
#     tar -x -C /tmp/old
#   KERNELS_DIR=/tmp/old/compiler/targets/cuda/kernels \
#     OUT_BIN=/tmp/dac-old tools/device/kernels/check-decode-attention.sh
set -euo pipefail
exec bash "$(dirname "$0")/run-harness.sh" decode-attention-check "$@"
