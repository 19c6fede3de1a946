#!/usr/bin/env bash
# On the GPU machine: builds and runs tools/device/kernels/gemm-check.cu
# (run-harness.sh: the GPU's architecture, KERNELS_DIR, OUT_BIN):
# llmc_gemm_* against llmc_linear_* on many shapes, then its speed against
# cuBLAS on the Llama-8B prefill shapes. Arguments go to the program
# (--no-timing, --no-check). Run from anywhere; exits non-zero on a mismatch.
set -euo pipefail
exec bash "$(dirname "$0")/run-harness.sh" gemm-check "$@"
