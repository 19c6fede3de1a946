#!/usr/bin/env bash
# On the GPU machine: makes the Llama-3-8B-shape export (models/bench, about
# 300 s) unless it exists, then times each compile phase on it with the
# relocatable bundle (import, raise, lower: wall time and peak resident
# memory). With FULL=1 it also writes the cpu artifact and runs it: compile
# time and size, and `llmc run` on token ids (load, prefill and decode on the
# machine's CPU cores). Run from the repository root with the bundle carried
# (tools/device/make-bundle.sh builds build-bundle/llmc-bundle).
set -euo pipefail
models=${MODELS:-/tmp/bench}
llmc=${LLMC:-build-bundle/llmc-bundle/bin/llmc}
model=$models/llama-8b/model.onnx
if [ ! -f "$model" ]; then
  python3 models/bench/make_bench_models.py "$models" --only 8b 2>&1 | tail -2
fi
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
r = subprocess.run(sys.argv[2:])
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"== {sys.argv[1]}: exit {r.returncode}, {wall:.2f} s wall, "
      f"peak RSS {peak:.0f} MiB", flush=True)
PY
}
if [ "${FULL:-0}" != 1 ]; then
  for phase in import raise lower; do
    measure "$phase" "$llmc" compile "$model" --compile-to=$phase \
      -o /tmp/llama-8b.$phase.out
  done
  grep -c "llm\.attention" /tmp/llama-8b.raise.out || true
  exit 0
fi
measure "compile (cpu artifact)" "$llmc" compile "$model" -o /tmp/llama-8b.llmc
ls -l /tmp/llama-8b.llmc
ids=128000,791,6460,315,9822,374,12366,13,578,6864,315,9822,374
measure "run 8 tokens" "$llmc" run /tmp/llama-8b.llmc --ids $ids -n 8 \
  --print-ids --ignore-eos
