#!/usr/bin/env bash
# On the GPU machine: decode tok/s of artifacts compiled with and without
# some fusion passes (NO_FUSE, default residual-linear,norm-linear) by the
# same llmc on the same GPU, runs alternated (ab-decode.sh):
#
#   MODELS="1b 8b" NO_FUSE=residual-linear,norm-linear QUANTIZE="none int4" \
#     bash tools/device/ab-fusions.sh
set -uo pipefail
A_NAME=unfused A_FLAGS="--no-fuse=${NO_FUSE:-residual-linear,norm-linear}" \
  B_NAME=fused exec bash "$(dirname "$0")/ab-decode.sh"
