#!/usr/bin/env bash
# Copies the docs generated from the .td files (dialects, passes) into
# docs/generated/, where they are committed. Run after changing a .td file.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${LLMC_BUILD_DIR:-$root/build}
cmake --build "$build_dir" --target llmc-docs -- --quiet
mkdir -p "$root/docs/generated/dialects"
for doc in dialects/LlmDialect.md dialects/OnnxDialect.md Passes.md; do
  cp "$build_dir/docs/$doc" "$root/docs/generated/$doc"
done
echo "docs/generated/ updated"
