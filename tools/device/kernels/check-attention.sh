#!/usr/bin/env bash
# On the GPU machine: builds and runs tools/device/kernels/attention-check.cu
# (run-harness.sh: the GPU's architecture, KERNELS_DIR, OUT_BIN):
# llmc_attention_prefill (FlashAttention.cu) against llmc_attention
# (Kernels.cu) on random cases, then the Llama-8B prefill timing. Extra
# arguments go to the program (--quick skips the slowest reference cases,
# --bench runs only the timing). Run from anywhere. Exit status: the
# program's (0 all match, 1 a mismatch, 2 a CUDA error).
set -euo pipefail
exec bash "$(dirname "$0")/run-harness.sh" attention-check "$@"
