#!/usr/bin/env python3
"""tinycode: a small LLaMA-architecture code model and its draft, trained from scratch.

One run, meant for the GPU machine (about 5 minutes on an H200), does all of it:

1. Corpus: every *.py file under the interpreter's standard library
   (sysconfig.get_paths()["stdlib"]), skipping site-packages/dist-packages, in sorted order of
   the POSIX path relative to that folder. Files that are not valid UTF-8 are skipped.
   Split by hash of that relative path: h = int(sha1(relpath).hexdigest(), 16) % 20;
   h == 0 -> test (held out, all reported figures), h == 1 -> validation (only to pick the
   best checkpoint), else -> train.
2. Tokenizer: byte-level BPE (tokenizers package), vocabulary 4096, trained on the train
   split only, with the Llama-3 pre-tokenizer (regex split, then GPT-2's byte-to-character
   map). Id 0 is <|endoftext|>, used as BOS, EOS and pad; encoding adds it in front (a
   TemplateProcessing post-processor), so each document in the training stream starts with
   it exactly as a prompt does.
3. Models: two transformers LlamaForCausalLM (RMSNorm, RoPE, grouped-query attention,
   SwiGLU, context 512, tied embeddings), a target (~7.3M parameters) and a draft
   (~1.0M), both on that tokenizer. AdamW, bf16 autocast, fixed seeds, warm-up + cosine
   over a fixed number of epochs (a per-candidate time cap only guards the wall time; the log
   says if it bound). The corpus is small for the target, so it is trained with residual
   dropout under a few recipes (--target-recipes) and the one with the lowest validation loss
   is kept; within a run the checkpoint with the lowest validation loss is kept.
4. Figures, for the float16 weights that are exported: held-out (test split) perplexity per
   token and bits per byte of both models, next-token accuracy, the draft's greedy next-token
   agreement with the target, and greedy samples of the target through transformers'
   generate().
5. Export: each model to ONNX with float16 weights through torch.onnx's dynamo exporter,
   with KV-cache inputs/outputs in the Optimum layout (see models/llama_onnx.py), checked
   against torch with onnxruntime (CPU provider), prefill and cached decode; next to each
   model.onnx: config.json, generation_config.json, tokenizer.json, tokenizer_config.json.
   Also writes heldout.txt (the first test files, in order, that fit in 48-96 KB) with both models' perplexity on it.

Usage:  python3 models/tinycode/train.py --out DIR [--target-seconds S] [--draft-seconds S]
        python3 models/tinycode/train.py --out DIR --smoke   # minutes on a CPU, tiny models
"""

import argparse
import copy
import hashlib
import json
import math
import os
import pathlib
import platform
import sys
import sysconfig
import time

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import llama_onnx  # noqa: E402  (models/llama_onnx.py)

T0 = time.perf_counter()
EOT = "<|endoftext|>"
CTX = 512
# The pre-tokenizer split of Llama 3 (and cl100k).
SPLIT_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
               r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def log(*a):
    print(f"[{time.perf_counter() - T0:7.1f}s]", *a, flush=True)


# --------------------------------------------------------------------------------------- corpus
def split_of(relpath):
    h = int(hashlib.sha1(relpath.encode()).hexdigest(), 16) % 20
    return "test" if h == 0 else "valid" if h == 1 else "train"


def load_corpus(max_files=None):
    root = pathlib.Path(sysconfig.get_paths()["stdlib"])
    paths = []
    for p in root.rglob("*.py"):
        rel = p.relative_to(root)
        if any(part in ("site-packages", "dist-packages") for part in rel.parts):
            continue
        if p.is_file():
            paths.append(rel.as_posix())
    paths.sort()
    if max_files:
        paths = paths[:max_files]
    docs = {"train": [], "valid": [], "test": []}
    skipped = 0
    digest = hashlib.sha1()
    for rel in paths:
        data = (root / rel).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            skipped += 1
            continue
        digest.update(rel.encode() + b"\0" + data + b"\0")
        docs[split_of(rel)].append((rel, text))
    log(f"corpus: {root} ({platform.python_version()}), {len(paths)} files, {skipped} not UTF-8 skipped, "
        f"sha1 {digest.hexdigest()[:16]}")
    for k, v in docs.items():
        log(f"  {k}: {len(v)} files, {sum(len(t.encode()) for _, t in v) / 1e6:.2f} MB")
    return docs


# ------------------------------------------------------------------------------------ tokenizer
def train_tokenizer(texts, vocab_size):
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE())
    # The Llama-3 layout: a regex split, then bytes mapped to characters (GPT-2's table). The
    # regex keeps a line break apart from the indentation after it, so a prompt that ends in
    # ":\n" is cut exactly as the same text is inside a file.
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(SPLIT_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=[EOT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{EOT} $A", pair=f"{EOT} $A {EOT} $B", special_tokens=[(EOT, 0)])
    assert tok.token_to_id(EOT) == 0
    return tok


def byte_lengths(tok):
    """Bytes each token stands for (byte-level BPE: one character of its string per byte)."""
    n = tok.get_vocab_size()
    lens = np.zeros(n, dtype=np.int64)
    for i in range(n):
        s = tok.id_to_token(i)
        lens[i] = 0 if s == EOT else len(s)
    return lens


def encode_stream(tok, texts):
    encs = tok.encode_batch(texts)  # each starts with <|endoftext|>
    ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encs] + [np.zeros(1, np.int64)])
    return ids


def save_tokenizer(tok, folder):
    tok.save(str(folder / "tokenizer.json"))
    cfg = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": EOT,
        "eos_token": EOT,
        "pad_token": EOT,
        "unk_token": None,
        "model_max_length": CTX,
        "clean_up_tokenization_spaces": False,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(cfg, indent=2) + "\n")


# --------------------------------------------------------------------------------------- models
def make_config(kind, vocab, smoke):
    from transformers import LlamaConfig

    shapes = {
        #          hidden, layers, heads, kv heads, ffn
        "target": (256, 8, 8, 4, 768),
        "draft": (128, 3, 4, 2, 320),
    }
    if smoke:
        shapes = {"target": (64, 2, 4, 2, 128), "draft": (32, 1, 2, 1, 64)}
    h, L, nh, kvh, ffn = shapes[kind]
    return LlamaConfig(
        vocab_size=vocab, hidden_size=h, intermediate_size=ffn, num_hidden_layers=L,
        num_attention_heads=nh, num_key_value_heads=kvh, head_dim=h // nh,
        max_position_embeddings=CTX, rope_theta=10000.0, rms_norm_eps=1e-5,
        hidden_act="silu", tie_word_embeddings=True, attention_bias=False, mlp_bias=False,
        initializer_range=0.02, bos_token_id=0, eos_token_id=0, pad_token_id=0,
    )


def add_residual_dropout(model, p):
    """Dropout on each attention and MLP output and on the embeddings, in training only.

    LlamaForCausalLM has none of its own; the corpus (~3M tokens) is small for the target, which
    overfits without it. Forward hooks, removed after training, so config and export are plain.
    """
    if p <= 0:
        return []

    def hook(module, inputs, out):
        if not module.training:
            return out
        if isinstance(out, tuple):
            return (torch.nn.functional.dropout(out[0], p, True),) + tuple(out[1:])
        return torch.nn.functional.dropout(out, p, True)

    mods = [model.model.embed_tokens] + [m for layer in model.model.layers for m in (layer.self_attn, layer.mlp)]
    return [m.register_forward_hook(hook) for m in mods]


def count_params(model):
    total = sum(p.numel() for p in model.parameters())
    emb = model.model.embed_tokens.weight.numel()
    return total, total - emb


def windows(ids, ctx):
    """Non-overlapping windows of ctx tokens over a stream: [n, ctx] (the tail is dropped)."""
    n = (len(ids) - 1) // ctx
    return torch.from_numpy(ids[: n * ctx].reshape(n, ctx).copy())


@torch.no_grad()
def eval_nll(model, win, device, batch=32, autocast=False):
    """Sum of next-token NLL (nats) over all windows, and the number of predicted tokens."""
    model.eval()
    tot, cnt = 0.0, 0
    for i in range(0, len(win), batch):
        x = win[i: i + batch].to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast):
            logits = model(input_ids=x).logits
        nll = torch.nn.functional.cross_entropy(
            logits[:, :-1].float().reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1), reduction="sum")
        tot += nll.item()
        cnt += x[:, 1:].numel()
    return tot, cnt


def train_model(name, model, train_ids, valid_win, device, args, seconds, steps_override, lr, epochs, dropout):
    torch.manual_seed(args.seed + (0 if name == "target" else 1))
    gen = torch.Generator().manual_seed(args.seed + (10 if name == "target" else 11))
    data = torch.from_numpy(train_ids).to(device)
    B, T = args.batch, CTX
    tokens_per_step = B * T
    epoch_steps = max(1, len(train_ids) // tokens_per_step)
    cap = int(epochs * epoch_steps)
    hooks = add_residual_dropout(model, dropout)
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.dim() >= 2 else no_decay).append(p)
    fused = device.type == "cuda"
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr, betas=(0.9, 0.95), eps=1e-8, fused=fused)
    autocast = device.type == "cuda"
    warmup, calib = args.warmup, 30
    total = steps_override or cap
    planned = steps_override is not None
    log(f"{name}: {tokens_per_step} tokens/step, epoch = {epoch_steps} steps, cap {cap} steps "
        f"({epochs} epochs), lr {lr}, dropout {dropout}, budget {seconds:.0f} s")

    def lr_at(step):
        if step < warmup:
            return lr * (step + 1) / warmup
        frac = min(1.0, (step - warmup) / max(1, total - warmup))
        return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))

    eval_every = None
    best = (float("inf"), -1, None)
    curve = []
    t_start = time.perf_counter()
    t_calib = None
    step = 0
    model.train()
    while step < total:
        if not planned and step == calib:
            if device.type == "cuda":
                torch.cuda.synchronize()
            per_step = (time.perf_counter() - t_calib) / (calib - 5)
            budget_steps = calib + int((seconds - (time.perf_counter() - t_start)) / per_step)
            total = max(calib + 1, min(cap, budget_steps))
            planned = True
            log(f"{name}: {per_step * 1e3:.1f} ms/step -> {total} steps "
                f"({total * tokens_per_step / len(train_ids):.1f} epochs)"
                + (f"; the time cap binds: repeat with --{name}-steps {total}" if total < cap else ""))
        if eval_every is None and planned:
            eval_every = max(25, total // 10)
        if step == 5:
            if device.type == "cuda":
                torch.cuda.synchronize()
            t_calib = time.perf_counter()
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        starts = torch.randint(0, len(train_ids) - T - 1, (B,), generator=gen).to(device)
        idx = starts[:, None] + torch.arange(T + 1, device=device)[None]
        xy = data[idx]
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast):
            logits = model(input_ids=xy[:, :-1]).logits
        loss = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), xy[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if eval_every and len(valid_win) and (step % eval_every == 0 or step == total):
            nll, cnt = eval_nll(model, valid_win, device, autocast=autocast)
            vl = nll / cnt
            curve.append((step, round(loss.item(), 3), round(vl, 3)))
            log(f"{name}: step {step}/{total} train loss {loss.item():.3f} valid loss {vl:.3f} "
                f"(ppl {math.exp(vl):.2f}) lr {lr_at(step - 1):.2e}")
            if vl < best[0]:
                best = (vl, step, {k: v.detach().clone() for k, v in model.state_dict().items()})
            model.train()
    for h in hooks:
        h.remove()
    secs = time.perf_counter() - t_start
    log(f"{name}: trained {step} steps in {secs:.1f} s; best valid loss {best[0]:.3f} at step {best[1]}")
    if best[2] is not None:
        model.load_state_dict(best[2])
    model.eval()
    return {"steps": step, "seconds": round(secs, 1), "best_step": best[1], "best_valid_loss": round(best[0], 4),
            "epochs": epochs, "dropout": dropout, "lr": lr, "curve": curve}


@torch.no_grad()
def agreement(target, draft, win, device, batch=32):
    """Teacher-forced greedy agreement: argmax of draft == argmax of target, per position."""
    agree = acc_t = acc_d = n = 0
    for i in range(0, len(win), batch):
        x = win[i: i + batch].to(device)
        at = target(input_ids=x).logits[:, :-1].argmax(-1)
        ad = draft(input_ids=x).logits[:, :-1].argmax(-1)
        y = x[:, 1:]
        agree += (at == ad).sum().item()
        acc_t += (at == y).sum().item()
        acc_d += (ad == y).sum().item()
        n += y.numel()
    return agree / n, acc_t / n, acc_d / n


def report_perplexity(name, model, win, blen, device):
    nll, cnt = eval_nll(model, win, device)
    tgt = win[:, 1:].reshape(-1).numpy()
    nbytes = int(blen[tgt].sum())
    ppl = math.exp(nll / cnt)
    bpb = nll / math.log(2) / nbytes
    log(f"{name}: held-out perplexity {ppl:.3f} per token, {bpb:.4f} bits/byte "
        f"({cnt} tokens, {nbytes} bytes, {nbytes / cnt:.2f} bytes/token)")
    return {"perplexity": round(ppl, 4), "bits_per_byte": round(bpb, 4), "tokens": cnt, "bytes": nbytes}


# ------------------------------------------------------------------------------------- export
def write_model_folder(folder, model, tok, args):
    from transformers import GenerationConfig

    folder.mkdir(parents=True, exist_ok=True)
    cfg = copy.deepcopy(model.config)
    cfg.dtype = "float16"
    cfg.architectures = ["LlamaForCausalLM"]
    (folder / "config.json").write_text(cfg.to_json_string(use_diff=False))
    GenerationConfig(bos_token_id=0, eos_token_id=0, pad_token_id=0, do_sample=False,
                     max_length=CTX).save_pretrained(str(folder))
    save_tokenizer(tok, folder)
    path = folder / "model.onnx"
    model_cpu = copy.deepcopy(model).to("cpu", torch.float16).eval()
    secs = llama_onnx.export_with_cache(model_cpu, str(path), log=log)
    llama_onnx.tidy_names(str(path))
    log(f"  {path}: {path.stat().st_size / 2**20:.2f} MiB")
    return model_cpu, secs


def verify_onnx(name, path, model_fp16_cpu, model_fp32_cpu, ids):
    import onnxruntime as ort

    cfg = model_fp16_cpu.config
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    L, kvh, hd = cfg.num_hidden_layers, cfg.num_key_value_heads, cfg.head_dim
    n = len(ids)
    half = n // 2

    def feeds(tok_ids, start, past):
        f = {
            "input_ids": np.asarray([tok_ids], np.int64),
            "attention_mask": np.ones((1, start + len(tok_ids)), np.int64),
            "position_ids": np.arange(start, start + len(tok_ids), dtype=np.int64)[None],
        }
        for i in range(L):
            for j, kv in enumerate(("key", "value")):
                f[f"past_key_values.{i}.{kv}"] = (
                    past[2 * i + j] if past else np.zeros((1, kvh, 0, hd), np.float16))
        return f

    # Prefill the first half, then decode the rest one token at a time through the cache.
    out = sess.run(None, feeds(ids[:half], 0, None))
    logits = [out[0][0].astype(np.float32)]
    past = out[1:]
    for t in range(half, n):
        out = sess.run(None, feeds(ids[t: t + 1], t, past))
        logits.append(out[0][0].astype(np.float32))
        past = out[1:]
    ort_logits = np.concatenate(logits, 0)
    x = torch.tensor([ids])
    with torch.no_grad():
        ref16 = model_fp16_cpu(input_ids=x).logits[0].float().numpy()
        ref32 = model_fp32_cpu(input_ids=x).logits[0].float().numpy()
    d16 = float(np.abs(ort_logits - ref16).max())
    d32 = float(np.abs(ort_logits - ref32).max())
    same = bool((ort_logits.argmax(-1) == ref32.argmax(-1)).all())
    log(f"{name}: onnxruntime vs torch on {n} tokens (prefill {half} + {n - half} cached decode steps): "
        f"max abs logit diff {d16:.4g} vs torch fp16, {d32:.4g} vs torch fp32 "
        f"(logit range {ref32.min():.1f}..{ref32.max():.1f}); same argmax: {same}")
    return {"max_abs_diff_vs_torch_fp16": d16, "max_abs_diff_vs_torch_fp32": d32, "same_argmax": same}


# ---------------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--target-recipes", default="0.1:12,0.2:20,0.35:32",
                    help="dropout:epochs for each target candidate; the best on validation is kept")
    ap.add_argument("--draft-recipes", default="0:30")
    ap.add_argument("--target-seconds", type=float, default=150,
                    help="time cap per candidate (steps = min(epochs, what fits in it))")
    ap.add_argument("--draft-seconds", type=float, default=60)
    ap.add_argument("--target-steps", type=int, default=None, help="fixed step count (skips the cap)")
    ap.add_argument("--draft-steps", type=int, default=None)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--smoke", action="store_true", help="tiny models and corpus, for a CPU check")
    ap.add_argument("--max-files", type=int, default=None)
    args = ap.parse_args()
    if args.smoke:
        args.max_files = args.max_files or 120
        args.batch = min(args.batch, 4)
        args.warmup = min(args.warmup, 5)
        args.vocab = min(args.vocab, 1024)

    import transformers
    import tokenizers
    import onnx
    import onnxruntime
    import onnxscript

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    log(f"python {platform.python_version()}, torch {torch.__version__}, transformers {transformers.__version__}, "
        f"tokenizers {tokenizers.__version__}, onnx {onnx.__version__}, onnxscript {onnxscript.__version__}, "
        f"onnxruntime {onnxruntime.__version__}")
    log(f"device: {torch.cuda.get_device_name(0) if device.type == 'cuda' else 'cpu'}")
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True

    docs = load_corpus(args.max_files)
    tok = train_tokenizer([t for _, t in docs["train"]], args.vocab)
    log(f"tokenizer: {tok.get_vocab_size()} tokens, vocab sha1 "
        f"{hashlib.sha1(tok.to_str().encode()).hexdigest()[:16]}")
    blen = byte_lengths(tok)
    streams = {k: encode_stream(tok, [t for _, t in v]) for k, v in docs.items()}
    for k, v in streams.items():
        log(f"  {k}: {len(v)} tokens")
    test_win = windows(streams["test"], CTX)
    valid_win = windows(streams["valid"], CTX)[:256]  # checkpoint choice only: keep it cheap
    if args.smoke:
        test_win, valid_win = test_win[:8], valid_win[:4]
    log(f"test: {len(test_win)} windows of {CTX}; validation: {len(valid_win)} windows")

    from transformers import LlamaForCausalLM

    args.out.mkdir(parents=True, exist_ok=True)
    results = {"device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
               "python": platform.python_version(), "args": {k: str(v) for k, v in vars(args).items()}}
    models = {}
    for name, secs, steps, lr, recipes in (
            ("target", args.target_seconds, args.target_steps, 2e-3, args.target_recipes),
            ("draft", args.draft_seconds, args.draft_steps, 3e-3, args.draft_recipes)):
        cfg = make_config(name, tok.get_vocab_size(), args.smoke)
        best = None
        tried = []
        for recipe in recipes.split(","):
            dropout, epochs = (float(x) for x in recipe.split(":"))
            torch.manual_seed(args.seed)
            model = LlamaForCausalLM(cfg).to(device)
            total, nonemb = count_params(model)
            log(f"{name}: {total / 1e6:.3f}M parameters ({nonemb / 1e6:.3f}M without the tied embedding); "
                f"hidden {cfg.hidden_size}, layers {cfg.num_hidden_layers}, heads {cfg.num_attention_heads}/"
                f"{cfg.num_key_value_heads} kv, ffn {cfg.intermediate_size}; recipe dropout {dropout}, "
                f"{epochs:g} epochs")
            info = train_model(name, model, streams["train"], valid_win, device, args, secs, steps, lr,
                               epochs, dropout)
            info["parameters"] = total
            tried.append({k: info[k] for k in ("dropout", "epochs", "steps", "best_step", "best_valid_loss",
                                               "seconds")})
            if best is None or info["best_valid_loss"] < best[1]["best_valid_loss"]:
                best = (model, info)
            else:
                del model
        if len(tried) > 1:
            for t in tried:
                log(f"{name} candidate: {json.dumps(t)}")
            log(f"{name}: keeping dropout {best[1]['dropout']}, {best[1]['epochs']:g} epochs "
                f"(best validation loss {best[1]['best_valid_loss']})")
        models[name] = best[0]
        results[name] = dict(best[1], candidates=tried)

    # Figures are taken on the float16 weights that get exported.
    for name in models:
        models[name] = models[name].to(torch.float16)
    for name, model in models.items():
        results[name]["test"] = report_perplexity(name, model, test_win, blen, device)
    agree, acc_t, acc_d = agreement(models["target"], models["draft"], test_win, device)
    log(f"draft/target greedy next-token agreement on held-out text: {100 * agree:.2f}% "
        f"(next-token accuracy: target {100 * acc_t:.2f}%, draft {100 * acc_d:.2f}%)")
    results["agreement"] = round(agree, 4)
    results["target"]["test"]["accuracy"] = round(acc_t, 4)
    results["draft"]["test"]["accuracy"] = round(acc_d, 4)

    # Held-out text file for `llmc perplexity --text heldout.txt --ctx 512`.
    sample, size = [], 0
    for _, t in docs["test"]:
        n = len(t.encode())
        if size + n > 96_000:
            continue
        sample.append(t)
        size += n
        if size >= 48_000:
            break
    sample_text = "".join(sample)
    (args.out / "heldout.txt").write_text(sample_text)
    ids = np.asarray(tok.encode(sample_text).ids, np.int64)
    hwin = windows(np.concatenate([ids, np.zeros(1, np.int64)]), CTX)
    for name, model in models.items():
        nll, cnt = eval_nll(model, hwin, device)
        results[name]["heldout_txt_perplexity"] = round(math.exp(nll / cnt), 4)
        log(f"{name}: heldout.txt ({len(sample_text.encode())} bytes, {len(ids)} tokens with BOS, "
            f"{len(hwin)} windows of {CTX}): perplexity {math.exp(nll / cnt):.3f}")

    # Greedy samples from the target through transformers' generate().
    from transformers import PreTrainedTokenizerFast

    hf_tok = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=EOT, eos_token=EOT, pad_token=EOT)
    results["samples"] = {}
    for prompt in ("def fibonacci(n):\n", "class Stack:\n", "import os\n\n\n"):
        enc = hf_tok(prompt, return_tensors="pt").to(device)
        out = models["target"].generate(**enc, max_new_tokens=96 if not args.smoke else 16, do_sample=False,
                                         pad_token_id=0, eos_token_id=0)
        text = hf_tok.decode(out[0], skip_special_tokens=True)
        results["samples"][prompt] = text
        log(f"target greedy sample for {prompt!r}:\n----8<----\n{text}\n----8<----")

    # Export, then check with onnxruntime against torch.
    check_ids = [int(i) for i in streams["test"][:24]]
    results["onnx"] = {}
    for name, model in models.items():
        folder = args.out / name
        m16, secs = write_model_folder(folder, model, tok, args)
        m32 = copy.deepcopy(m16).float()
        res = verify_onnx(name, folder / "model.onnx", m16, m32, check_ids)
        res["export_seconds"] = round(secs, 1)
        res["size_bytes"] = (folder / "model.onnx").stat().st_size
        results["onnx"][name] = res

    results["wall_seconds"] = round(time.perf_counter() - T0, 1)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    log(f"done in {results['wall_seconds']} s; wrote {args.out}")


if __name__ == "__main__":
    main()
