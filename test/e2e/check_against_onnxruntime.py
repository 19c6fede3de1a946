"""Checks an llmc artifact against onnxruntime on one ONNX export.

    python check_against_onnxruntime.py MODEL_DIR --llmc LLMC --work DIR [--seed S]

1. compiles MODEL_DIR/model.onnx with `llmc compile` (cpu target);
2. logits: fresh random token ids (a new seed every run unless --seed; the seed is
   printed so a failure can be reproduced), one forward pass with `llmc logits`
   against onnxruntime with an empty KV cache; max relative error
   (max |llmc - ort| / max |ort|) at most 1e-4 for float32 models, 1e-2 for
   float16 ones;
3. greedy: `llmc run --ids ... -n 32 --ignore-eos --print-ids`, which decodes
   through the KV cache, against onnxruntime recomputing the whole sequence for
   every token. The token lists must be equal; a difference is accepted only at
   an exact tie (the two tokens' onnxruntime logits within the tolerance), after
   which the sequences may rightly differ.

Prints one line per check; exit status 1 on any failure.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort

ORT_TYPES = {
    "tensor(float)": np.float32,
    "tensor(float16)": np.float16,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
}


class Reference:
    """onnxruntime on a whole sequence, with an empty KV cache."""

    def __init__(self, model, head_dim):
        self.head_dim = head_dim
        so = ort.SessionOptions()
        so.log_severity_level = 3
        # Pre-quantized models: onnxruntime's default accuracy level 4
        # quantizes MatMulNBits activations to int8 (and fuses blocked
        # DequantizeLinear + MatMul into MatMulNBits). llmc keeps float32
        # activations, so the reference does too: accuracy level 0.
        so.add_session_config_entry("session.qdq_matmulnbits_accuracy_level", "0")
        proto = onnx.load(str(model))
        for node in proto.graph.node:
            if node.op_type == "MatMulNBits":
                for a in node.attribute:
                    if a.name == "accuracy_level":
                        a.i = 0
        self.sess = ort.InferenceSession(proto.SerializeToString(), so,
                                         providers=["CPUExecutionProvider"])
        self.inputs = self.sess.get_inputs()
        logits = next(o for o in self.sess.get_outputs() if o.name == "logits")
        self.float16 = logits.type == "tensor(float16)"
        self.vocab = logits.shape[-1]

    def logits(self, ids):
        t = len(ids)
        feed = {}
        for i in self.inputs:
            dtype = ORT_TYPES[i.type]
            if i.name == "input_ids":
                feed[i.name] = np.array([ids], dtype=dtype)
            elif i.name == "attention_mask":
                feed[i.name] = np.ones((1, t), dtype=dtype)
            elif i.name == "position_ids":
                feed[i.name] = np.arange(t, dtype=dtype)[None, :]
            elif i.name.startswith("past_key_values."):
                # [batch, kv_heads, past, head_dim]; some exporters leave the
                # head dim symbolic too.
                shape = list(i.shape)
                for k, d in enumerate(shape):
                    if isinstance(d, str):
                        shape[k] = 1 if k == 0 else 0 if k == 2 else self.head_dim
                feed[i.name] = np.zeros(shape, dtype=dtype)
            else:
                raise SystemExit(f"unknown graph input {i.name}")
        out = self.sess.run(["logits"], feed)[0]
        return out.reshape(t, -1).astype(np.float32)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(f"FAILED: {' '.join(map(str, cmd))}\n{r.stdout}{r.stderr}")
        sys.exit(1)
    return r.stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model_dir", type=pathlib.Path)
    p.add_argument("--llmc", required=True)
    p.add_argument("--work", required=True, type=pathlib.Path)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--prompt-tokens", type=int, default=8)
    p.add_argument("--greedy-tokens", type=int, default=32)
    args = p.parse_args()

    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    rng = np.random.default_rng(seed)
    name = args.model_dir.name
    args.work.mkdir(parents=True, exist_ok=True)
    artifact = args.work / f"{name}.llmc"
    run([args.llmc, "compile", str(args.model_dir / "model.onnx"), "-o", str(artifact), "--quiet"])

    manifest = json.loads(run([args.llmc, "inspect", str(artifact)]))
    ref = Reference(args.model_dir / "model.onnx", manifest["kv_cache"]["head_dim"])
    tol = 1e-2 if ref.float16 else 1e-4
    failed = False

    ids = rng.integers(0, ref.vocab, size=args.prompt_tokens).tolist()
    npy = args.work / f"{name}.npy"
    run([args.llmc, "logits", str(artifact), "--ids", ",".join(map(str, ids)), "-o", str(npy)])
    ours = np.load(npy)
    theirs = ref.logits(ids)
    if ours.shape != theirs.shape:
        print(f"{name}: logits shape {ours.shape} != onnxruntime {theirs.shape}")
        sys.exit(1)
    rel = float(np.abs(ours - theirs).max() / max(np.abs(theirs).max(), 1e-30))
    ok = rel <= tol
    failed |= not ok
    print(f"{name}: logits max relative error {rel:.2e} (tolerance {tol:.0e}, seed {seed}) "
          f"{'ok' if ok else 'FAIL'}")

    out = run([args.llmc, "run", str(artifact), "--ids", ",".join(map(str, ids)),
               "-n", str(args.greedy_tokens), "--ignore-eos", "--print-ids", "--quiet"])
    got = [int(x) for x in out.strip().split(",") if x]
    seq = list(ids)
    verdict = "ok"
    for step in range(args.greedy_tokens):
        row = ref.logits(seq)[-1]
        want = int(np.argmax(row))
        if step >= len(got):
            verdict = f"FAIL: llmc stopped after {len(got)} tokens"
            break
        if got[step] != want:
            gap = abs(float(row[want]) - float(row[got[step]]))
            if gap <= tol * float(np.abs(row).max()):
                verdict = f"ok (tie at token {step}: logits differ by {gap:.1e})"
            else:
                verdict = (f"FAIL at token {step}: llmc {got[step]}, onnxruntime {want} "
                           f"(logit gap {gap:.2e})")
            break
        seq.append(want)
    failed |= not verdict.startswith("ok")
    print(f"{name}: greedy {args.greedy_tokens} tokens through the KV cache vs full recompute: "
          f"{verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
