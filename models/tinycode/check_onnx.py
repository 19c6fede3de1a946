#!/usr/bin/env python3
"""Reference figures for the committed tinycode ONNX models, through onnxruntime (CPU).

Runs on any machine with onnxruntime, numpy and tokenizers (no torch):
    python3 models/tinycode/check_onnx.py [--model target|draft|both] [--prompt TEXT] [-n N]

For each model it prints
  - the perplexity on heldout.txt the way train.py measures it: the file encoded as one
    document (a <|endoftext|> in front), cut into non-overlapping windows of --ctx tokens (the
    tail that does not fill a window is dropped), each window run from an empty KV cache,
    every token after a window's first scored; perplexity = exp(mean NLL);
  - greedy tokens for --prompt, decoded one token at a time through the KV cache
    (prefill, then one step per token), with the text they make.
"""

import argparse
import math
import pathlib
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

HERE = pathlib.Path(__file__).resolve().parent


class Model:
    def __init__(self, folder):
        self.sess = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
        pkv = [i for i in self.sess.get_inputs() if i.name.startswith("past_key_values.")]
        self.layers = len(pkv) // 2
        _, self.kv_heads, _, self.head_dim = pkv[0].shape
        self.dtype = np.float16 if pkv[0].type == "tensor(float16)" else np.float32

    def empty_cache(self):
        z = np.zeros((1, self.kv_heads, 0, self.head_dim), self.dtype)
        return [z] * (2 * self.layers)

    def forward(self, ids, past):
        """ids: new tokens; past: list of 2*layers arrays. Returns float32 logits [n, vocab], presents."""
        start = past[0].shape[2]
        feeds = {
            "input_ids": np.asarray([ids], np.int64),
            "attention_mask": np.ones((1, start + len(ids)), np.int64),
            "position_ids": np.arange(start, start + len(ids), dtype=np.int64)[None],
        }
        for i in range(self.layers):
            feeds[f"past_key_values.{i}.key"] = past[2 * i]
            feeds[f"past_key_values.{i}.value"] = past[2 * i + 1]
        out = self.sess.run(None, feeds)
        return out[0][0].astype(np.float32), out[1:]


def perplexity(model, ids, ctx):
    nll, count = 0.0, 0
    for w in range(len(ids) // ctx):
        x = ids[w * ctx:(w + 1) * ctx]
        logits, _ = model.forward(x, model.empty_cache())
        logits = logits[:-1]
        m = logits.max(-1, keepdims=True)
        logp = logits - m - np.log(np.exp(logits - m).sum(-1, keepdims=True))
        nll -= logp[np.arange(ctx - 1), x[1:]].sum()
        count += ctx - 1
    return math.exp(nll / count), count


def greedy(model, ids, n, eos=0):
    logits, past = model.forward(ids, model.empty_cache())
    out = []
    for _ in range(n):
        nxt = int(logits[-1].argmax())
        if nxt == eos:
            break
        out.append(nxt)
        logits, past = model.forward([nxt], past)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=["target", "draft", "both"], default="both")
    ap.add_argument("--text", type=pathlib.Path, default=HERE / "heldout.txt")
    ap.add_argument("--ctx", type=int, default=512)
    ap.add_argument("--prompt", default="def fibonacci(n):\n")
    ap.add_argument("-n", type=int, default=48)
    args = ap.parse_args()
    for name in (["target", "draft"] if args.model == "both" else [args.model]):
        folder = HERE / name
        tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        model = Model(folder)
        t0 = time.perf_counter()
        ids = tok.encode(args.text.read_text()).ids
        ppl, count = perplexity(model, ids, args.ctx)
        print(f"{name}: {args.text.name}: perplexity {ppl:.3f} ({count} scored tokens, "
              f"{time.perf_counter() - t0:.1f} s)")
        prompt_ids = tok.encode(args.prompt).ids
        gen = greedy(model, prompt_ids, args.n)
        print(f"{name}: prompt ids {prompt_ids}")
        print(f"{name}: greedy ids {gen}")
        print(f"{name}: greedy text:\n{tok.decode(prompt_ids + gen, skip_special_tokens=True)}")


if __name__ == "__main__":
    main()
