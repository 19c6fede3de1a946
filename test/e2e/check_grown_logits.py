"""Checks a grown model (models/bench/replicate_layers.py) against the logits it should give.

    python check_grown_logits.py MODEL.onnx CONFIG.json EXPECTED.npy

Runs MODEL.onnx in onnxruntime on token ids 1..T (T = EXPECTED's rows, an empty KV cache)
and compares the logits with EXPECTED (computed in torch by models/bench/make_grow_fixture.py
from the model the grown graph stands for). Prints the max relative error; exit status 1
above 1e-4.
"""

import json
import sys

import numpy as np
import onnxruntime as ort


def main():
    model, config, expected = sys.argv[1], json.load(open(sys.argv[2])), np.load(sys.argv[3])
    t = expected.shape[0]
    head_dim = config["hidden_size"] // config["num_attention_heads"]
    so = ort.SessionOptions()
    so.log_severity_level = 3
    sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
    feeds = {}
    for i in sess.get_inputs():
        if i.name == "input_ids":
            feeds[i.name] = np.arange(1, t + 1, dtype=np.int64)[None]
        elif i.name == "attention_mask":
            feeds[i.name] = np.ones((1, t), dtype=np.int64)
        elif i.name == "position_ids":
            feeds[i.name] = np.arange(t, dtype=np.int64)[None]
        else:
            feeds[i.name] = np.zeros((1, config["num_key_value_heads"], 0, head_dim), np.float32)
    logits = sess.run(["logits"], feeds)[0][0]
    rel = float(np.abs(logits - expected).max() / np.abs(expected).max())
    ok = rel <= 1e-4
    print(f"grown logits max relative error {rel:.2e} {'ok' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
