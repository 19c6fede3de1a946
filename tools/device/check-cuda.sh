#!/usr/bin/env bash
# On the GPU machine: the cuda device against the cpu device on the same
# models. For each model, compiles a cpu and a cuda artifact with the
# bundle's llmc, compares `llmc logits` on the same random ids (max
# relative error, float32 activations on both) and 32 greedy tokens (also
# for int4 and int8 quantized artifacts of some models; where they part,
# the cpu's two best logits there must be closer than twice the devices'
# difference on them, a tie that may break either way); on the first
# model also the greedy ids at a full context (--max-context 20) and one
# session through the paths around decoding ahead (check-decode-ahead.py);
# then runs the cuda device's decode on it. Run from the repository root
# with the bundle unpacked in build-bundle/llmc-bundle.
set -euo pipefail
llmc=${LLMC:-build-bundle/llmc-bundle/bin/llmc}
work=${WORK:-/tmp/llmc-cuda-check}
# 4-bit GEMV programs wherever their kernel takes a step, small models too.
export LLMC_CUDA_QUANTIZED_PROGRAMS=${LLMC_CUDA_QUANTIZED_PROGRAMS:-2}
mkdir -p "$work"
models=${MODELS:-"models/tinycode/target test/fixtures/families/llama_dynamo18
  test/fixtures/families/gemma2_dynamo18 test/fixtures/families/gpt2_dynamo18
  test/fixtures/families/mistral_dynamo18 test/fixtures/families/phi3_dynamo18
  test/fixtures/families/qwen2_dynamo18 test/fixtures/genai/llama_int4_cpu"}
status=0
# 12 random ids below 256 drawn with $1 as the seed: a rerun repeats them.
seeded_ids() {
  python3 -c "import random, sys; random.seed(sys.argv[1]); print(','.join(str(random.randrange(256)) for _ in range(12)))" "$1"
}
# Quantized variants too: "DIR:MODE" compiles DIR with --quantize MODE,
# "DIR:MODE@G" also with --quantize-group G, a "+asym" suffix with
# --quantize-asymmetric, and a last "+head8" or "+head4" with
# --quantize-lm-head int8 or int4. (tinycode at group 32 and 64 has
# matrices whose k the 4-bit GEMV programs take, k % (4 * group) == 0; at
# 128 none. At group 32 a 4-bit LM head joins the last layer's program.)
quantized=${QUANTIZED:-"models/tinycode/target:int4 models/tinycode/target:int8
  models/tinycode/target:int4@32 models/tinycode/target:int4@64+asym
  test/fixtures/families/llama_dynamo18:int4 models/tinycode/target:int4+head8
  models/tinycode/target:int4@32+head4"}
for entry in $models $quantized; do
  dir=${entry%%:*}
  mode=${entry#"$dir"}
  mode=${mode#:}
  name=$(basename "$dir")${mode:+-$mode}
  name=${name//@/-g}
  name=${name//+/-}
  flags=()
  if [ -n "$mode" ]; then
    case $mode in *+head[48]) flags+=(--quantize-lm-head "int${mode: -1}"); mode=${mode%+head?} ;; esac
    case $mode in *+asym) flags+=(--quantize-asymmetric); mode=${mode%+asym} ;; esac
    case $mode in *@*) flags+=(--quantize-group "${mode#*@}"); mode=${mode%@*} ;; esac
    flags+=(--quantize "$mode")
  fi
  for target in cpu cuda; do
    "$llmc" compile "$dir/model.onnx" --target $target "${flags[@]}" \
      -o "$work/$name.$target.llmc" --quiet
  done
  # 12 ids run the prompt kernels; 5 ids the decode (GEMV) kernels. The
  # ids are drawn with the model's name as the seed: a rerun repeats them.
  ids=$(seeded_ids "$name")
  short=$(echo "$ids" | cut -d, -f1-5)
  "$llmc" logits "$work/$name.cpu.llmc" --ids "$ids" -o "$work/$name.cpu.npy"
  "$llmc" logits "$work/$name.cuda.llmc" --ids "$ids" -o "$work/$name.cuda.npy"
  "$llmc" logits "$work/$name.cpu.llmc" --ids "$short" -o "$work/$name.cpu5.npy"
  "$llmc" logits "$work/$name.cuda.llmc" --ids "$short" -o "$work/$name.cuda5.npy"
  a=$("$llmc" run "$work/$name.cpu.llmc" --ids "$ids" -n 32 --ignore-eos --print-ids --quiet)
  b=$("$llmc" run "$work/$name.cuda.llmc" --ids "$ids" -n 32 --ignore-eos --print-ids --quiet)
  python3 - "$work/$name" "$a" "$b" "$dir/config.json" "$llmc" "$ids" <<'PY' || status=1
import json, os, subprocess, sys, numpy as np
base, a, b, config, llmc, ids = sys.argv[1:7]
# 16-bit models run their prefill on the tensor cores (bfloat16 inputs).
dtype = json.load(open(config)).get("dtype", "") if os.path.exists(config) else ""
tolerance = 1e-2 if dtype in ("bfloat16", "float16") else 1e-3
rel = 0.0
for suffix in ("", "5"):
    cpu, gpu = np.load(base + ".cpu" + suffix + ".npy"), np.load(base + ".cuda" + suffix + ".npy")
    rel = max(rel, float(np.abs(cpu - gpu).max() / np.abs(cpu).max()))
same = a == b
verdict = "equal" if same else "DIFFER"
if not same:
    # Where the sequences part, both devices' logits after the common
    # prefix: a tie (the two best closer than the devices differ on them)
    # may break either way; a wider margin is a bug.
    x, y = a.split(","), b.split(",")
    i = next(j for j in range(min(len(x), len(y)) + 1)
             if j == min(len(x), len(y)) or x[j] != y[j])
    prefix = ids + "".join("," + t for t in x[:i])
    rows = {}
    for target in ("cpu", "cuda"):
        out = f"{base}.{target}.tie.npy"
        subprocess.run([llmc, "logits", f"{base}.{target}.llmc", "--ids", prefix,
                        "-o", out], check=True)
        logits = np.load(out)
        rows[target] = logits.reshape(-1, logits.shape[-1])[-1]
    cpu_row, cuda_row = rows["cpu"], rows["cuda"]
    first, second = (int(t) for t in np.argsort(cpu_row)[::-1][:2])
    margin = float(cpu_row[first] - cpu_row[second])
    scale = float(np.abs(cpu_row).max())
    apart = float(np.abs(cpu_row - cuda_row)[[first, second]].max())
    verdict = (f"DIFFER at token {i} (ids {ids}): cpu {x[i] if i < len(x) else '-'}, "
               f"cuda {y[i] if i < len(y) else '-'}; there the cpu's two best "
               f"({first}, {second}) are {margin / scale:.2e} apart and the devices "
               f"{apart / scale:.2e} (relative to the largest logit)")
    # A tie: the logits agree within the tolerance, and the two best are
    # closer than twice what the devices differ by on them.
    if float(np.abs(cpu_row - cuda_row).max()) <= tolerance * scale and margin <= 2 * apart:
        same = True
        verdict += ": a tie, accepted"
print(f"{base.split('/')[-1]}: cuda vs cpu logits (12 and 5 ids) max relative error {rel:.2e} "
      f"(limit {tolerance:g}), "
      f"greedy 32 tokens {verdict}")
sys.exit(0 if rel <= tolerance and same else 1)
PY
done
first=$(echo $models | cut -d' ' -f1)
# The cache's end: with room for 12 prompt ids and 8 more rows (9 tokens
# come out, the last not fed back), both devices stop at the full context
# with the same ids (the cuda device's step started ahead never goes past
# its cache).
name=$(basename "$first")
ids=$(seeded_ids "$name")
for target in cpu cuda; do
  "$llmc" run "$work/$name.$target.llmc" --ids "$ids" -n 32 --ignore-eos \
    --print-ids --quiet --max-context 20 > "$work/$name.$target.full.txt"
done
if cmp -s "$work/$name.cpu.full.txt" "$work/$name.cuda.full.txt"; then
  echo "$name: context full at 20 tokens: greedy ids equal ($(cat "$work/$name.cuda.full.txt"))"
else
  echo "$name: context full at 20 tokens: DIFFER (cpu $(cat "$work/$name.cpu.full.txt"), cuda $(cat "$work/$name.cuda.full.txt"))"
  status=1
fi
# One session through the paths around decoding ahead (C API, ctypes).
python3 tools/device/check-decode-ahead.py \
  "$(dirname "$llmc")/../lib/libllmc_runtime.so" \
  "$work/$name.cpu.llmc" "$work/$name.cuda.llmc" || status=1
"$llmc" run "$work/$name.cuda.llmc" --prompt "def fibonacci(n):" -n 256 --ignore-eos > /dev/null
nvidia-smi --query-gpu=name --format=csv,noheader
exit $status
