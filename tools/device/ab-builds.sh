#!/usr/bin/env bash
# On the GPU machine: decode tok/s of this build and another commit's on the
# same GPU, runs alternated (ab-decode.sh). The other build is a bundle made
# from that commit (tools/device/make-bundle.sh there), carried as
# build-old/llmc-bundle.tar.xz:
#
#   MODELS="1b 8b" QUANTIZE="none int4" REPEATS=3 bash tools/device/ab-builds.sh
set -uo pipefail
A_NAME=old A_LLMC=build-old/llmc-bundle/bin/llmc \
  B_NAME=new B_LLMC=build-bundle/llmc-bundle/bin/llmc \
  exec bash "$(dirname "$0")/ab-decode.sh"
