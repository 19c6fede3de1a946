#!/usr/bin/env python3
"""Benchmark models: random-weight Llama-3.2-1B and Llama-3-8B shapes, bfloat16, ONNX.

Random weights are fine for speed, never for accuracy (shared/design.md section 7). Each
model is a transformers LlamaForCausalLM built on the GPU in bfloat16 with a fixed seed and
exported through torch.onnx's dynamo exporter with external data, in the KV-cache layout of
models/llama_onnx.py (input_ids, attention_mask, position_ids, past_key_values.N.key/value ->
logits, present.N.key/value), next to its config.json and generation_config.json:

    OUT/llama-1b/model.onnx, model.onnx.data, config.json, generation_config.json
    OUT/llama-8b/...

The 8B shape is exported with 4 layers and grown to 32 by models/bench/replicate_layers.py
(layers 3-30 repeat one unit of the graph, with layer 3's input norm and Q/K/V weights and
layer 2's others; the data file holds 4 layers): the full
dynamo export took 311 s of the GPU machine, and most of that is tracing layer after layer.
`--full-export` exports every layer instead; the 1B shape is always exported in full.

Usage (on the GPU machine; the 8B one needs about 16 GB of GPU memory and 17 GB of disk):
    python3 models/bench/make_bench_models.py OUT [--only 1b|8b] [--full-export]
"""

import argparse
import copy
import json
import pathlib
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
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


# Shapes exported with this many layers and grown to their count (replicate_layers.py).
EXPORT_LAYERS = {"8b": 4}


def make(name, out_dir, seed, full_export=False):
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    cfg = LlamaConfig(**CONFIGS[name], **COMMON)
    layers = cfg.num_hidden_layers
    exported = layers if full_export else EXPORT_LAYERS.get(name, layers)
    cfg.num_hidden_layers = exported
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
    print(f"llama-{name}: {exported} layers, {nparam / 1e9:.3f} B parameters, built on "
          f"{device} in {time.perf_counter() - t0:.1f} s", flush=True)
    folder = out_dir / f"llama-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    cfg.dtype = "bfloat16"
    cfg.architectures = ["LlamaForCausalLM"]
    described = copy.deepcopy(cfg)  # the model the folder holds, every layer
    described.num_hidden_layers = layers
    (folder / "config.json").write_text(described.to_json_string(use_diff=False))
    GenerationConfig(bos_token_id=cfg.bos_token_id, eos_token_id=cfg.eos_token_id,
                     do_sample=False).save_pretrained(str(folder))
    path = folder / "model.onnx"
    secs = llama_onnx.export_with_cache(model, str(path), external_data=True)
    llama_onnx.tidy_names(str(path))
    if exported != layers:
        import onnx
        import replicate_layers
        t0 = time.perf_counter()
        graph = onnx.load(str(path), load_external_data=False)
        replicate_layers.replicate(graph, layers)
        onnx.save(graph, str(path))
        print(f"llama-{name}: exported {exported} layers, grown to {layers} in "
              f"{time.perf_counter() - t0:.1f} s (layers {exported - 1}-{layers - 2} repeat "
              f"one unit; models/bench/replicate_layers.py)", flush=True)
    sizes = {p.name: p.stat().st_size for p in sorted(folder.iterdir())}
    print(f"llama-{name}: export {secs:.1f} s; files {json.dumps(sizes)}", flush=True)
    del model
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return {"exported_parameters": nparam, "exported_layers": exported, "layers": layers,
            "export_seconds": round(secs, 1), "files": sizes}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=pathlib.Path)
    ap.add_argument("--only", choices=sorted(CONFIGS), default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--full-export", action="store_true",
                    help="export every layer (slow for 8B) instead of growing a 4-layer export")
    args = ap.parse_args()
    import transformers
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, "
          f"device {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu'}", flush=True)
    results = {}
    for name in ([args.only] if args.only else sorted(CONFIGS)):
        results[f"llama-{name}"] = make(name, args.out, args.seed, args.full_export)
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
