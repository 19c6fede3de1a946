#!/usr/bin/env bash
# On the GPU machine: makes the Llama-3-8B-shape export (models/bench, about
# 260 s) unless it exists, then times `llmc compile --compile-to=import` and
# `--compile-to=raise` on it with the relocatable bundle, reporting wall time
# and peak resident memory of each. Run from the repository root with the
# bundle carried (tools/device/make-bundle.sh builds build-bundle/llmc-bundle).
set -euo pipefail
models=${MODELS:-/tmp/bench}
llmc=${LLMC:-build-bundle/llmc-bundle/bin/llmc}
if [ ! -f "$models/llama-8b/model.onnx" ]; then
  python3 models/bench/make_bench_models.py "$models" --only 8b 2>&1 | tail -3
fi
ls -l "$models/llama-8b"
for phase in import raise; do
  python3 - "$llmc" compile "$models/llama-8b/model.onnx" \
      --compile-to=$phase -o /tmp/llama-8b.$phase.mlir <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
r = subprocess.run(sys.argv[1:])
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{sys.argv[5]}: exit {r.returncode}, {wall:.2f} s wall, peak RSS {peak:.0f} MiB")
PY
done
grep -c "llm\." /tmp/llama-8b.raise.mlir || true
