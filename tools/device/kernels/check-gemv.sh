#!/usr/bin/env bash
# On the GPU machine: builds and runs tools/device/kernels/gemv-check.cu
# (run-harness.sh: the GPU's architecture, KERNELS_DIR, OUT_BIN): the decode
# GEMV kernels (16-bit, gated, 4-bit) against the simple ones, then their
# speed and cuBLAS's on the Llama 1B and 8B decode shapes, and one token's
# matrices as a graph. Arguments go to the program (--no-timing). With
# --explore first, builds and runs gemv-explore.cu instead: 16-bit GEMV
# variants against read-only ceilings and cuBLAS. Run from anywhere; exits
# non-zero on a mismatch.
set -euo pipefail
harness=gemv-check
if [ "${1:-}" = --explore ]; then
  harness=gemv-explore
  shift
fi
exec bash "$(dirname "$0")/run-harness.sh" "$harness" "$@"
