#!/usr/bin/env python3
"""Benchmark models: random-weight Llama-3.2-1B and Llama-3-8B shapes, bfloat16, ONNX.

Random weights are fine for speed, never for accuracy (shared/design.md section 7). Each
model is a transformers LlamaForCausalLM built on the GPU in bfloat16 with a fixed seed and
exported through torch.onnx's dynamo exporter with external data, in the KV-cache layout of
models/llama_onnx.py (input_ids, attention_mask, position_ids, past_key_values.N.key/value ->
logits, present.N.key/value), next to its config.json and generation_config.json:

    OUT/llama-1b/model.onnx, model.onnx.data, config.json, generation_config.json
    OUT/llama-8b/...

Usage (on the GPU machine; the 8B one needs about 16 GB of GPU memory and 17 GB of disk):
    python3 models/bench/make_bench_models.py OUT [--only 1b|8b]
"""

import argparse
import json
import pathlib
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import llama_onnx  # noqa: E402  (models/llama_onnx.py)

# The shapes of shared/baselines/hf_decode_baseline.py (Llama-3.2-1B, Llama-3-8B).
CONFIGS = {
    "1b": dict(vocab_size=128256, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
               num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=4096,
               tie_word_embeddings=True),
    "8b": dict(vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
               num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=4096),
}
COMMON = dict(rope_theta=500000.0, rms_norm_eps=1e-5, hidden_act="silu", bos_token_id=128000,
              eos_token_id=128001, attention_bias=False, mlp_bias=False)


def make(name, out_dir, seed):
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    cfg = LlamaConfig(**CONFIGS[name], **COMMON)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    prev = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)
    try:
        with torch.device(device):
            model = LlamaForCausalLM(cfg).eval()
    finally:
        torch.set_default_dtype(prev)
    nparam = sum(p.numel() for p in model.parameters())
    print(f"llama-{name}: {nparam / 1e9:.3f} B parameters, built on {device} in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    folder = out_dir / f"llama-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    cfg.dtype = "bfloat16"
    cfg.architectures = ["LlamaForCausalLM"]
    (folder / "config.json").write_text(cfg.to_json_string(use_diff=False))
    GenerationConfig(bos_token_id=cfg.bos_token_id, eos_token_id=cfg.eos_token_id,
                     do_sample=False).save_pretrained(str(folder))
    path = folder / "model.onnx"
    secs = llama_onnx.export_with_cache(model, str(path), external_data=True)
    llama_onnx.tidy_names(str(path))
    sizes = {p.name: p.stat().st_size for p in sorted(folder.iterdir())}
    print(f"llama-{name}: export {secs:.1f} s; files {json.dumps(sizes)}", flush=True)
    del model
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return {"parameters": nparam, "export_seconds": round(secs, 1), "files": sizes}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=pathlib.Path)
    ap.add_argument("--only", choices=sorted(CONFIGS), default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    import transformers
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, "
          f"device {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu'}", flush=True)
    results = {}
    for name in ([args.only] if args.only else sorted(CONFIGS)):
        results[f"llama-{name}"] = make(name, args.out, args.seed)
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
