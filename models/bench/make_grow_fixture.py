#!/usr/bin/env python3
"""The 4-layer model test/e2e/grow-layers.test grows with replicate_layers.py.

A tiny float32 LlamaForCausalLM (random weights, seed 0; hidden 64, 4 heads, 2 KV heads,
FFN 80, vocabulary 300), exported as make_bench_models.py exports the 8B shape (torch.onnx
dynamo, models/llama_onnx.py's KV-cache layout, the weights inside the file), with its
config.json; and grown7_logits.npy, the logits of token ids 1..10 from the 7-layer model that
growing it to 7 layers means, computed in torch, which the test compares onnxruntime's run of
the grown graph against. The repeated unit of the graph runs from one layer's attention to
the next layer's query/key/value projections, so layers 0-2 are its own, layers 3-5 take the
input norm and Q/K/V projections of layer 3 and the rest of layer 2, and layer 6 is its
layer 3:

    python3 models/bench/make_grow_fixture.py test/fixtures/bench/llama4
"""

import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import llama_onnx  # noqa: E402  (models/llama_onnx.py)


def main():
    from transformers import LlamaConfig, LlamaForCausalLM

    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    cfg = LlamaConfig(vocab_size=300, hidden_size=64, intermediate_size=80, num_hidden_layers=4,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                      rope_theta=10000.0, rms_norm_eps=1e-5, hidden_act="silu",
                      tie_word_embeddings=False)
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg).eval()
    cfg.dtype = "float32"
    cfg.architectures = ["LlamaForCausalLM"]
    (out / "config.json").write_text(cfg.to_json_string(use_diff=False))
    llama_onnx.export_with_cache(model, str(out / "model.onnx"), external_data=False)
    llama_onnx.tidy_names(str(out / "model.onnx"))

    grown_cfg = LlamaConfig(**{**cfg.to_dict(), "num_hidden_layers": 7})
    grown = LlamaForCausalLM(grown_cfg).eval()
    state = {}
    for name, value in model.state_dict().items():
        if ".layers." not in name:
            state[name] = value
    front = ("input_layernorm.", "self_attn.q_proj.", "self_attn.k_proj.", "self_attn.v_proj.")
    for layer in range(7):
        for name, value in model.model.layers[0].state_dict().items():
            if layer < 3 or layer == 6:
                origin = min(layer, 3)
            else:
                origin = 3 if name.startswith(front) else 2
            state[f"model.layers.{layer}.{name}"] = model.model.layers[origin].state_dict()[name]
    grown.load_state_dict(state)
    with torch.no_grad():
        logits = grown(torch.arange(1, 11)[None]).logits[0].float().numpy()
    import numpy as np
    np.save(out / "grown7_logits.npy", logits)


if __name__ == "__main__":
    main()
