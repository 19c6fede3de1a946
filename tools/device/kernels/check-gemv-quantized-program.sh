#!/usr/bin/env bash
# On the GPU machine (sm_90): builds and runs
# tools/device/kernels/gemv-quantized-program-check.cu (run-harness.sh: the
# GPU's architecture, KERNELS_DIR, OUT_BIN): 4-bit GEMV programs
# (GemvQuantizedProgram.cu) against GemvQuantizedToken.cu's one-token
# kernels, then the decode token's int4 matrices as programs and as those
# kernels. Arguments go to the program (--no-timing). Run from anywhere;
# exits non-zero on a mismatch.
set -euo pipefail
exec bash "$(dirname "$0")/run-harness.sh" gemv-quantized-program-check "$@"
