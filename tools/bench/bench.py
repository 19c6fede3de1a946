#!/usr/bin/env python3
"""llmc speed benchmark on the GPU machine: llmc against HF transformers, batch 1.

For each model shape (random-weight Llama-3.2-1B and Llama-3-8B, bfloat16; the configs of
models/bench/make_bench_models.py): makes the ONNX model if missing, compiles it with
`llmc compile --target cuda` (timed), runs `llmc run` for decode tok/s, time to first token
and load time, then HF transformers LlamaForCausalLM on the same GPU in the same call (eager
with the dynamic cache, and static cache + torch.compile), and prints one markdown table with
% of the bandwidth roofline and llmc's ratio to each engine, plus one JSON line.
Method: shared/design.md section 7 and tools/bench/README.md.

Run from the repository root, with the bundle unpacked in build-bundle/llmc-bundle:
    python3 tools/bench/bench.py --models 1b
"""

import argparse
import ast
import datetime
import gc
import json
import os
import pathlib
import random
import re
import shlex
import shutil
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
MAKE_SCRIPT = REPO / "models" / "bench" / "make_bench_models.py"
T0 = time.perf_counter()
BASELINES = {"eager": "HF eager", "static": "HF static+compile"}


def log(msg):
    print(f"[{time.perf_counter() - T0:6.1f}s] {msg}", flush=True)


class Stage:
    """Prints a line as a stage starts and its wall time as it ends (or fails)."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        log(f"> {self.name} ...")
        self.t = time.perf_counter()
        return self

    def __exit__(self, kind, value, tb):
        self.seconds = time.perf_counter() - self.t
        if kind is None:
            log(f"< {self.name}: {self.seconds:.1f} s")
        else:
            log(f"< {self.name}: FAILED after {self.seconds:.1f} s: {short_error(value)}")
        return False


def short_error(e):
    text = f"{type(e).__name__}: {e}" if isinstance(e, BaseException) else str(e)
    return " ".join(text.split())[:300]


class Failure(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Model shapes: read from make_bench_models.py without importing it (it imports torch).


def bench_configs(path=MAKE_SCRIPT):
    tree = ast.parse(pathlib.Path(path).read_text(), str(path))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name) and node.targets[0].id in ("CONFIGS", "COMMON"):
            code = compile(ast.Expression(node.value), str(path), "eval")
            found[node.targets[0].id] = eval(code, {"__builtins__": {}, "dict": dict})
    if set(found) != {"CONFIGS", "COMMON"}:
        raise SystemExit(f"bench.py: no CONFIGS/COMMON in {path}")
    return found["CONFIGS"], found["COMMON"]


def parameter_count(c):
    """Parameters of a LlamaForCausalLM: embeddings + layers + final norm + lm_head unless tied."""
    h, inter, layers = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"]
    heads, kv_heads = c["num_attention_heads"], c["num_key_value_heads"]
    head_dim = c.get("head_dim") or h // heads
    embed = c["vocab_size"] * h
    attn = h * heads * head_dim + 2 * h * kv_heads * head_dim + heads * head_dim * h
    if c.get("attention_bias"):
        attn += heads * head_dim + 2 * kv_heads * head_dim + h
    mlp = 3 * h * inter + (2 * inter + h if c.get("mlp_bias") else 0)
    layer = attn + mlp + 2 * h  # two RMSNorm weights
    lm_head = 0 if c.get("tie_word_embeddings") else c["vocab_size"] * h
    return embed + layers * layer + h + lm_head


# --quantize modes: llmc's compile flags for each.
QUANTIZE_MODES = {
    "int4": ["--quantize", "int4"],
    "int4-head8": ["--quantize", "int4", "--quantize-lm-head", "int8"],
}


def quantized_read_bytes(c, group=128, head_bits=16):
    """Bytes a decode step of an int4 (group `group`, symmetric) artifact reads from its weights:
    every layer's linear weights as 4-bit values plus one float32 scale per group (symmetric
    weights have no offsets to read), the LM head (16-bit, or with head_bits 8 int8 values and a
    float32 scale per row), and the norm weights (float32); the embedding table is read one row
    per token, which is left out."""
    h, inter, layers = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"]
    heads, kv_heads = c["num_attention_heads"], c["num_key_value_heads"]
    head_dim = c.get("head_dim") or h // heads
    shapes = [(heads * head_dim, h), (kv_heads * head_dim, h), (kv_heads * head_dim, h),
              (h, heads * head_dim), (inter, h), (inter, h), (h, inter)]
    per_layer = sum(n * k / 2 + n * (k // group) * 4 for n, k in shapes) + 2 * h * 4
    v = c["vocab_size"]
    head = v * h * 2 if head_bits == 16 else v * h + v * 4
    return layers * per_layer + head + h * 4


# ---------------------------------------------------------------------------------------------
# llmc


def run_cmd(cmd, timeout):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout)


def llmc_version(llmc):
    try:
        p = run_cmd([llmc, "version"], 60)
        return " / ".join(p.stdout.split("\n")[:3]).strip(" /") if p.returncode == 0 else None
    except Exception:
        return None


RUN_LINE = {
    "load_s": re.compile(r"loaded in ([0-9.]+) s"),
    "prompt": re.compile(r"prompt (\d+) tokens in ([0-9.]+) s"),
    "decode": re.compile(r"generated (\d+) tokens, decode ([0-9.]+) tok/s"),
    "stop": re.compile(r"stopped at ([^\n;]+)"),
}


def llmc_run(llmc, art, ids, n, timeout):
    """One `llmc run` process; returns the numbers of its stderr timing line."""
    cmd = [llmc, "run", str(art), "--ids", ",".join(map(str, ids)), "-n", str(n),
           "--ignore-eos", "--print-ids"]
    t = time.perf_counter()
    p = run_cmd(cmd, timeout)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise Failure(f"llmc run exited {p.returncode}: {(p.stderr or p.stdout).strip()}")
    err = p.stderr
    m_prompt, m_decode = RUN_LINE["prompt"].search(err), RUN_LINE["decode"].search(err)
    if not m_prompt or not m_decode:
        raise Failure(f"no timing line in llmc's stderr: {err.strip()!r}")
    m_load, m_stop = RUN_LINE["load_s"].search(err), RUN_LINE["stop"].search(err)
    r = {"prompt_tokens": int(m_prompt.group(1)), "ttft_s": float(m_prompt.group(2)),
         "generated": int(m_decode.group(1)), "decode_tok_s": float(m_decode.group(2)),
         "load_s": float(m_load.group(1)) if m_load else None,
         "stopped_at": m_stop.group(1).strip() if m_stop else None, "process_s": round(wall, 3)}
    if r["prompt_tokens"] != len(ids) or r["generated"] != n:
        raise Failure(f"asked for a {len(ids)}-token prompt and {n} tokens, llmc reports "
                      f"{r['prompt_tokens']} and {r['generated']} (stopped at {r['stopped_at']})")
    line = next((l for l in err.splitlines() if "tok/s" in l), "").strip()
    log(f"    {line}  [process {wall:.2f} s]")
    return r


def llmc_variants(args, name):
    """The llmc engines to run: (engine key, artifact, extra compile flags); bf16 first."""
    variants = [("llmc", args.work / f"llama-{name}.llmc", [])]
    for mode in args.quantize:
        variants.append((f"llmc_{mode}", args.work / f"llama-{name}.{mode}.llmc",
                         QUANTIZE_MODES[mode]))
    return variants


def compile_llmc(args, name, folder, key, art, flags, out):
    """Compiles (or, with --reuse-artifact, reuses) one llmc artifact; fills out['compile_s']."""
    onnx = folder / "model.onnx"
    sidecar = art.with_name(art.name + ".compile.json")
    if args.reuse_artifact and art.exists():
        log(f"reusing {art} (--reuse-artifact): no make, no compile")
        if sidecar.exists():
            earlier = json.loads(sidecar.read_text())
            out["compile_s"] = earlier.get("compile_s")
            out["compile_s_from"] = f"earlier run, {earlier.get('date')}"
        return
    if not onnx.exists():
        if args.skip_make:
            raise Failure(f"{onnx} is missing and --skip-make was given")
        make_model(args, name)
    if not onnx.exists():
        raise Failure(f"{onnx} is still missing after making it")
    cmd = [args.llmc, "compile", str(onnx), "--target", "cuda", *flags, "-o", str(art), "--quiet"]
    with Stage(f"llama-{name}: llmc compile ({shlex.join(cmd)})") as st:
        if art.exists():
            art.unlink()
        p = run_cmd(cmd, args.compile_timeout)
        if p.returncode != 0:
            raise Failure(f"llmc compile exited {p.returncode}: {(p.stderr + p.stdout).strip()}")
        if not art.exists():
            raise Failure(f"llmc compile wrote no {art}")
    out["compile_s"] = round(st.seconds, 2)
    out["compile_s_from"] = "this run"
    out["artifact_bytes"] = art.stat().st_size
    log(f"llama-{name}: {key} compiled in {st.seconds:.1f} s; artifact "
        f"{art.stat().st_size / 1e9:.2f} GB")
    sidecar.write_text(json.dumps({"compile_s": out["compile_s"], "date": args.date}))


def bench_llmc(args, name, folder, res, prompt, long_prompt):
    """Make, compile, inspect and run each llmc variant for one model; fills
    res['engines'][key] and res['kv']; raises Failure when a step failed."""
    variants = llmc_variants(args, name)
    failures = []
    for key, art, flags in variants:
        out = res["engines"][key] = {"errors": []}
        try:
            compile_llmc(args, name, folder, key, art, flags, out)
        except Exception as e:
            out["errors"].append(f"compile: {short_error(e)}")
            failures.append(f"{key}: {short_error(e)}")
    if args.delete_onnx:
        freed = 0
        for f in [folder / "model.onnx", folder / "model.onnx.data"]:
            if f.exists():
                freed += f.stat().st_size
                f.unlink()
        log(f"llama-{name}: deleted the ONNX model (--delete-onnx), {freed / 1e9:.2f} GB freed")
    for key, art, flags in variants:
        out = res["engines"][key]
        if out["errors"]:
            continue
        try:
            run_llmc(args, name, key, art, out, res, prompt, long_prompt)
        except Exception as e:
            failures.append(f"{key}: {short_error(e)}")
    if failures:
        raise Failure("; ".join(failures))


def run_llmc(args, name, key, art, out, res, prompt, long_prompt):
    """Inspects and runs one llmc artifact: decode tok/s, TTFT, load time."""

    with Stage(f"llama-{name}: {key} inspect"):
        p = run_cmd([args.llmc, "inspect", str(art)], 300)
        if p.returncode != 0:
            raise Failure(f"llmc inspect exited {p.returncode}: {(p.stderr + p.stdout).strip()}")
        text = p.stdout
        manifest = json.loads(text[text.index("{"):])
        kv = manifest["kv_cache"]
        res["kv"] = {"layers": int(kv["layers"]), "kv_heads": int(kv["kv_heads"]),
                     "head_dim": int(kv["head_dim"]), "source": "llmc inspect (manifest kv_cache)"}
        out["manifest"] = {k: manifest.get(k) for k in ("target", "vocab_size", "max_context",
                                                       "weights", "kv_cache", "steps")}
        w = (manifest.get("weights") or {}).get("bytes")
        log(f"    kv_cache {kv}; max_context {manifest.get('max_context')}; artifact weights "
            f"{w / 1e9:.3f} GB" if w else f"    kv_cache {kv}")
        ctx = manifest.get("max_context")
        if ctx and max(len(long_prompt) + 1, len(prompt) + args.decode_tokens) > ctx:
            log(f"    WARNING: max_context {ctx} is shorter than the runs need")

    runs = out["decode_runs"] = []
    try:
        with Stage(f"llama-{name}: {key} decode, prompt {len(prompt)}, -n {args.decode_tokens}, "
                   f"{args.repeats} runs"):
            for _ in range(args.repeats):
                runs.append(llmc_run(args.llmc, art, prompt, args.decode_tokens, args.run_timeout))
    except Exception as e:
        out["errors"].append(f"decode: {short_error(e)}")
    if runs:
        out["decode_tok_s"] = max(r["decode_tok_s"] for r in runs)
        out["ttft_ms"] = {str(len(prompt)): 1e3 * min(r["ttft_s"] for r in runs)}
    long_runs = out["long_prompt_runs"] = []
    try:
        with Stage(f"llama-{name}: {key} TTFT, prompt {len(long_prompt)}, -n 1, {args.repeats} runs"):
            for _ in range(args.repeats):
                long_runs.append(llmc_run(args.llmc, art, long_prompt, 1, args.run_timeout))
    except Exception as e:
        out["errors"].append(f"long prompt: {short_error(e)}")
    if long_runs:
        out.setdefault("ttft_ms", {})[str(len(long_prompt))] = 1e3 * min(r["ttft_s"] for r in long_runs)
    loads = [r["load_s"] for r in runs + long_runs if r["load_s"] is not None]
    if loads:
        out["load_s"] = min(loads)
    if out["errors"]:
        raise Failure("; ".join(out["errors"]))


def make_model(args, name):
    cmd = [sys.executable, str(args.make_script), str(args.work), "--only", name]
    with Stage(f"llama-{name}: make the ONNX model ({shlex.join(cmd)})") as st:
        sys.stdout.flush()
        p = subprocess.run(cmd, timeout=args.make_timeout)  # output streams through
        if p.returncode != 0:
            raise Failure(f"make_bench_models.py exited {p.returncode}")
    return st.seconds


# ---------------------------------------------------------------------------------------------
# torch: bandwidth and the HF baselines (imported lazily so --help works without torch)


def gpu_info(args):
    info = {"gpu": None, "torch": None, "cuda": None, "transformers": None, "copy_TBps": None}
    try:
        import torch
        info["torch"], info["cuda"] = torch.__version__, torch.version.cuda
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except Exception as e:
        log(f"torch unavailable: {short_error(e)}")
    try:
        import transformers
        info["transformers"] = transformers.__version__
    except Exception as e:
        log(f"transformers unavailable: {short_error(e)}")
    if info["gpu"] is None and shutil.which("nvidia-smi"):
        p = run_cmd(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], 60)
        info["gpu"] = p.stdout.strip().splitlines()[0] if p.returncode == 0 and p.stdout.strip() else None
    log(f"GPU {info['gpu']}; torch {info['torch']} (CUDA {info['cuda']}); "
        f"transformers {info['transformers']}")
    if args.bandwidth is not None:
        info["copy_TBps"] = args.bandwidth
        info["copy_from"] = "--bandwidth"
        log(f"copy bandwidth {args.bandwidth:.2f} TB/s (given, not measured)")
    elif info["gpu"] is not None and info["torch"] is not None:
        try:
            with Stage("device-to-device copy bandwidth (4 GiB, read + write)"):
                info["copy_TBps"] = copy_bandwidth()
                info["copy_from"] = "measured"
            log(f"copy bandwidth {info['copy_TBps']:.2f} TB/s (read + write bytes)")
        except Exception:
            pass
    return info


def copy_bandwidth():
    """HBM bandwidth as in shared/baselines/hf_decode_baseline.py: bytes read + written."""
    import torch
    x = torch.empty(4 * 1024**3 // 2, dtype=torch.float16, device="cuda")
    x.normal_()
    y = torch.empty_like(x)
    for _ in range(3):
        y.copy_(x)
    torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    for _ in range(10):
        y.copy_(x)
    e.record()
    torch.cuda.synchronize()
    bw = 2 * x.numel() * x.element_size() * 10 / (s.elapsed_time(e) / 1e3) / 1e12
    del x, y
    free_gpu()
    return bw


def free_gpu():
    gc.collect()
    try:
        import torch
        if torch.cuda.is_available():
            torch.cuda.synchronize()
            torch.cuda.empty_cache()
    except Exception:
        pass


def bench_baselines(args, name, cfg_dict, res, prompt, long_prompt):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    model = None
    try:
        with Stage(f"llama-{name}: build HF LlamaForCausalLM on cuda, bfloat16, random weights"):
            cfg = LlamaConfig(**cfg_dict)
            torch.manual_seed(args.seed)
            prev = torch.get_default_dtype()
            torch.set_default_dtype(torch.bfloat16)
            try:
                with torch.device("cuda"):
                    model = LlamaForCausalLM(cfg).eval()
            finally:
                torch.set_default_dtype(prev)
            nparam = sum(p.numel() for p in model.parameters())
            attn = getattr(model.config, "_attn_implementation", None)
            log(f"    {nparam / 1e9:.3f} B parameters (formula: {res['parameters'] / 1e9:.3f} B); "
                f"attention {attn}")
            res["hf_parameters"] = nparam
        ids = torch.tensor([prompt], dtype=torch.long, device="cuda")
        long_ids = torch.tensor([long_prompt], dtype=torch.long, device="cuda")

        def gen(x, n, **kw):
            torch.cuda.synchronize()
            t = time.perf_counter()
            out = model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=n,
                                 min_new_tokens=n, do_sample=False,
                                 pad_token_id=cfg.eos_token_id, **kw)
            torch.cuda.synchronize()
            dt = time.perf_counter() - t
            if out.shape[1] != x.shape[1] + n:
                raise Failure(f"generate returned {out.shape[1] - x.shape[1]} tokens, not {n}")
            return dt

        for which in args.baselines:
            out = res["engines"][f"hf_{which}"] = {"errors": []}
            kw = {} if which == "eager" else {"cache_implementation": "static"}
            label = BASELINES[which]
            short, long_n = 32, 32 + args.decode_tokens
            try:
                if which == "eager":
                    with Stage(f"llama-{name}: {label}: warm-up, {short} tokens"):
                        gen(ids, short, **kw)
                else:
                    # Warm up at the longest decode so the static cache is made once at its
                    # largest size and compiled once; the timed runs reuse it.
                    kw, out["path"] = static_warmup(model, gen, ids, long_n, name, label)
                with Stage(f"llama-{name}: {label}: decode, 2 x {short} and 2 x {long_n} tokens"):
                    a = [gen(ids, short, **kw) for _ in range(2)]
                    b = [gen(ids, long_n, **kw) for _ in range(2)]
                    log(f"    {short} tokens: {', '.join(f'{x:.3f}' for x in a)} s; "
                        f"{long_n} tokens: {', '.join(f'{x:.3f}' for x in b)} s")
                    out["decode_tok_s"] = args.decode_tokens / (min(b) - min(a))
                    out["generate_s"] = {str(short): a, str(long_n): b}
                log(f"    {label}: decode {out['decode_tok_s']:.1f} tok/s")
            except Exception as e:
                out["errors"].append(f"decode: {short_error(e)}")
                log(f"    {label} decode failed: {short_error(e)}")
            out["ttft_ms"] = {}
            for x in (ids, long_ids):
                n = x.shape[1]
                try:
                    with Stage(f"llama-{name}: {label}: TTFT, prompt {n}, 1 warm-up + {args.repeats} runs"):
                        gen(x, 1, **kw)
                        t = [gen(x, 1, **kw) for _ in range(args.repeats)]
                        out["ttft_ms"][str(n)] = 1e3 * min(t)
                        log(f"    {label}: TTFT {n}: {', '.join(f'{1e3 * v:.1f}' for v in t)} ms")
                except Exception as e:
                    out["errors"].append(f"TTFT {n}: {short_error(e)}")
                    log(f"    {label} TTFT {n} failed: {short_error(e)}")
                    if "out of memory" in str(e).lower():
                        free_gpu()
    except Exception as e:
        for which in args.baselines:
            out = res["engines"].setdefault(f"hf_{which}", {"errors": []})
            out["errors"].append(short_error(e))
        log(f"llama-{name}: baselines failed: {short_error(e)}")
    finally:
        del model
        try:
            torch._dynamo.reset()
        except Exception:
            pass
        free_gpu()


def static_warmup(model, gen, ids, n, name, label):
    """Warm-up (and torch.compile) of the static-cache path; returns the generate kwargs used
    and a note of which path ran."""
    import torch
    try:
        from torch._dynamo.utils import counters
    except Exception:
        counters = None

    def frames():
        return counters["frames"]["ok"] if counters is not None else 0

    tries = [({"cache_implementation": "static"},
              "cache_implementation='static' (generate compiles the decode step itself)")]
    try:
        from transformers import CompileConfig
        tries.append(({"cache_implementation": "static", "compile_config": CompileConfig()},
                      "cache_implementation='static' + compile_config=CompileConfig()"))
    except Exception:
        pass
    for kw, path in tries:
        before = frames()
        with Stage(f"llama-{name}: {label}: warm-up with torch.compile, {n} tokens [{path}]"):
            gen(ids, n, **kw)
        compiled = getattr(model, "_compiled_call", None) is not None
        new_frames = frames() - before
        log(f"    compiled call on the model: {compiled}; dynamo frames compiled: {new_frames}")
        if compiled or new_frames > 0:
            return kw, path
        log(f"    no torch.compile seen with {path}")
    log("    WARNING: static cache ran WITHOUT torch.compile")
    return tries[0][0], "static cache, not compiled (no compile seen)"


# ---------------------------------------------------------------------------------------------
# Report


def fmt(v, spec, failed):
    if v is None:
        return "failed" if failed else "-"
    return format(v, spec)


def report(args, info, results, cmdline):
    P, L = args.prompt_tokens, args.long_prompt
    cols = ["model", "engine", "decode tok/s", "% of roofline", "llmc ratio vs this engine",
            f"TTFT {P} (ms)", f"TTFT {L} (ms)", "compile s", "load s"]
    lines = ["| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
    for name, res in results.items():
        roof = res.get("roofline_tok_s")
        llmc_tps = res["engines"].get("llmc", {}).get("decode_tok_s")
        for key, eng in res["engines"].items():
            label = ("llmc" if key == "llmc" else
                     f"llmc {key[5:]} g128 (own roofline)" if key.startswith("llmc_") else
                     BASELINES[key[3:]])
            if key == "hf_static" and eng.get("path", "").startswith("static cache, not compiled"):
                label = "HF static (NOT compiled)"
            bad = bool(eng.get("errors"))
            tps = eng.get("decode_tok_s")
            own = eng.get("roofline_tok_s") or roof
            pct = 100 * tps / own if tps and own else None
            if key == "llmc":
                ratio = "1.00" if tps else "-"
            else:
                ratio = f"{llmc_tps / tps:.2f}" if tps and llmc_tps else "-"
            ttft = eng.get("ttft_ms", {})
            comp = eng.get("compile_s")
            comp_s = fmt(comp, ".1f", bad) + (" (earlier)" if comp is not None and
                                               eng.get("compile_s_from") != "this run" else "")
            ran = eng.get("decode_runs") or eng.get("long_prompt_runs")
            mine = key.startswith("llmc")
            load = fmt(eng.get("load_s"), ".2f", bad and not ran) if mine else "-"
            row = [name, label, fmt(tps, ".1f", bad), fmt(pct, ".0f", bad), ratio,
                   fmt(ttft.get(str(P)), ".1f", bad), fmt(ttft.get(str(L)), ".1f", bad),
                   comp_s if mine else "-", load]
            lines.append("| " + " | ".join(row) + " |")
    bw = info.get("copy_TBps")
    foot = [f"GPU {info.get('gpu')}; copy bandwidth "
            f"{f'{bw:.2f} TB/s' if bw else 'not measured'} (read + write bytes); "
            f"torch {info.get('torch')}, transformers {info.get('transformers')}; "
            f"llmc {info.get('llmc_version')}"]
    for name, res in results.items():
        roof = res.get("roofline_tok_s")
        foot.append(f"{name}: {res['parameters'] / 1e9:.3f} B parameters, weights "
                    f"{res['weights_bytes'] / 1e9:.3f} GB (bf16) + average KV cache read "
                    f"{res['kv_avg_bytes'] / 1e6:.1f} MB/token ({res['kv']['source']}); roofline "
                    f"{f'{roof:.0f} tok/s' if roof else 'n/a'}")
    for name, res in results.items():
        bf16 = res["engines"].get("llmc", {}).get("decode_tok_s")
        for key, eng in res["engines"].items():
            if key.startswith("llmc_") and eng.get("bytes_per_token"):
                tps, roof = eng.get("decode_tok_s"), eng.get("roofline_tok_s")
                foot.append(f"{name} {key[5:]}: reads {eng['bytes_per_token'] / 1e9:.3f} GB per token "
                            f"(4-bit values, float32 group scales, "
                            f"{'int8' if key.endswith('-head8') else 'bf16'} LM head, KV cache); roofline "
                            f"{f'{roof:.0f} tok/s' if roof else 'n/a'}"
                            + (f"; {tps / bf16:.2f}x llmc bf16" if tps and bf16 else ""))
    foot.append(f"batch 1, prompt {P}, decode {args.decode_tokens}, long prompt {L}; "
                f"date {info['date']}")
    foot.append(f"command: {cmdline}")
    for name, res in results.items():
        for key, eng in res["engines"].items():
            for err in eng.get("errors", []):
                foot.append(f"failure: {name} {key}: {err}")
    print("\n" + "\n".join(lines) + "\n\n" + "\n".join(foot) + "\n", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="1b,8b", help="model shapes, comma separated (default 1b,8b)")
    ap.add_argument("--work", type=pathlib.Path, default=pathlib.Path("/tmp/llmc-bench"),
                    help="folder for the ONNX models and artifacts (default /tmp/llmc-bench)")
    ap.add_argument("--llmc", default=str(REPO / "build-bundle/llmc-bundle/bin/llmc"),
                    help="the llmc binary (default build-bundle/llmc-bundle/bin/llmc)")
    ap.add_argument("--baselines", default="eager,static",
                    help="HF baselines to run: eager, static (default both)")
    ap.add_argument("--no-baselines", action="store_true", help="no HF baselines")
    ap.add_argument("--skip-llmc", action="store_true", help="baselines only (no make, compile, run)")
    ap.add_argument("--delete-onnx", action="store_true",
                    help="delete model.onnx and model.onnx.data after a successful compile")
    ap.add_argument("--skip-make", action="store_true",
                    help="never make a model: a missing model.onnx is an llmc failure")
    ap.add_argument("--make-only", action="store_true",
                    help="only make the missing ONNX models, then exit")
    ap.add_argument("--reuse-artifact", action="store_true",
                    help="if WORK/llama-NAME.llmc exists, run it without making or compiling "
                         "(compile s is then the earlier run's, from its .compile.json)")
    ap.add_argument("--make-script", type=pathlib.Path, default=MAKE_SCRIPT, help=argparse.SUPPRESS)
    ap.add_argument("--quantize", action="append", default=[], choices=sorted(QUANTIZE_MODES),
                    help="also compile and run llmc with --quantize MODE (repeatable; int4-head8: "
                         "int4 with --quantize-lm-head int8); its row uses its own roofline (the "
                         "bytes it reads)")
    ap.add_argument("--decode-tokens", type=int, default=256)
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--long-prompt", type=int, default=2048)
    ap.add_argument("--repeats", type=int, default=3,
                    help="llmc runs and TTFT runs per measurement (default 3)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the prompt ids and HF weights")
    ap.add_argument("--bandwidth", type=float, default=None,
                    help="copy bandwidth in TB/s (read + write) instead of measuring it")
    ap.add_argument("--json", type=pathlib.Path, default=None, help="also write the JSON line here")
    ap.add_argument("--compile-timeout", type=int, default=900)
    ap.add_argument("--make-timeout", type=int, default=1800)
    ap.add_argument("--run-timeout", type=int, default=300)
    args = ap.parse_args()

    cmdline = "python3 " + shlex.join(sys.argv)
    configs, common = bench_configs()
    names = [m.strip().lower().removeprefix("llama-") for m in args.models.split(",") if m.strip()]
    for n in names:
        if n not in configs:
            ap.error(f"unknown model {n!r} (known: {', '.join(sorted(configs))})")
    args.baselines = [] if args.no_baselines else \
        [b.strip() for b in args.baselines.split(",") if b.strip()]
    for b in args.baselines:
        if b not in BASELINES:
            ap.error(f"unknown baseline {b!r} (known: eager, static)")
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.make_only:
        status = 0
        for n in names:
            if (args.work / f"llama-{n}" / "model.onnx").exists():
                log(f"llama-{n}: {args.work / f'llama-{n}' / 'model.onnx'} exists")
                continue
            try:
                make_model(args, n)
            except Exception:
                status = 1
        return status

    info = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds")}
    args.date = info["date"]
    log(f"llmc benchmark, {info['date']}: {cmdline}")
    if not args.skip_llmc:
        if not (os.path.isfile(args.llmc) and os.access(args.llmc, os.X_OK)):
            log(f"WARNING: no executable llmc at {args.llmc} (unpack the bundle: tar -C build-bundle "
                f"-xJf build-bundle/llmc-bundle.tar.xz)")
        info["llmc_version"] = llmc_version(args.llmc)
        log(f"llmc {args.llmc}: {info['llmc_version']}")
    info.update(gpu_info(args))

    rng = random.Random(args.seed)
    results, llmc_failed = {}, False
    for n in names:
        c = dict(configs[n], **common)
        vocab = c["vocab_size"]
        prompt = [rng.randrange(vocab) for _ in range(args.prompt_tokens)]
        long_prompt = [rng.randrange(vocab) for _ in range(args.long_prompt)]
        nparam = parameter_count(c)
        res = results[f"llama-{n}"] = {"parameters": nparam, "weights_bytes": 2 * nparam,
                                       "engines": {}}
        head_dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
        res["kv"] = {"layers": c["num_hidden_layers"], "kv_heads": c["num_key_value_heads"],
                     "head_dim": head_dim, "source": "config (no llmc manifest)"}
        log(f"=== llama-{n}: {nparam / 1e9:.3f} B parameters, weights {2 * nparam / 1e9:.3f} GB (bf16)")
        folder = args.work / f"llama-{n}"
        if not args.skip_llmc:
            try:
                bench_llmc(args, n, folder, res, prompt, long_prompt)
            except Exception as e:
                llmc_failed = True
                errors = res["engines"].setdefault("llmc", {"errors": []})["errors"]
                if not errors:  # bench_llmc's run failures are listed already
                    errors.append(short_error(e))
                log(f"llama-{n}: llmc FAILED: {short_error(e)}")
        # Roofline: weights + the average KV cache (float32, keys and values) read per decoded
        # token over positions prompt .. prompt + decode - 1.
        kv = res["kv"]
        per_pos = 2 * kv["layers"] * kv["kv_heads"] * kv["head_dim"] * 4
        P, D = args.prompt_tokens, args.decode_tokens
        res["kv_bytes_per_position"] = per_pos
        res["kv_avg_bytes"] = per_pos * sum(p + 1 for p in range(P, P + D)) / D
        bytes_per_token = res["weights_bytes"] + res["kv_avg_bytes"]
        res["bytes_per_token"] = bytes_per_token
        res["roofline_tok_s"] = info["copy_TBps"] * 1e12 / bytes_per_token if info.get("copy_TBps") else None
        log(f"llama-{n}: bytes per decoded token {bytes_per_token / 1e9:.3f} GB (weights "
            f"{res['weights_bytes'] / 1e9:.3f} + KV {res['kv_avg_bytes'] / 1e6:.1f} MB); roofline "
            + (f"{res['roofline_tok_s']:.0f} tok/s" if res["roofline_tok_s"] else "n/a"))
        if args.baselines:
            try:
                bench_baselines(args, n, c, res, prompt, long_prompt)
            except Exception as e:  # e.g. no torch: every requested baseline failed
                for b in args.baselines:
                    res["engines"].setdefault(f"hf_{b}", {"errors": []})["errors"].append(short_error(e))
                log(f"llama-{n}: baselines FAILED: {short_error(e)}")
        # A quantized llmc engine's own roofline: the bytes it really reads per token.
        for key, eng in res["engines"].items():
            if key.startswith("llmc_int4"):
                head_bits = 8 if key.endswith("-head8") else 16
                eng["bytes_per_token"] = (quantized_read_bytes(c, head_bits=head_bits)
                                          + res["kv_avg_bytes"])
                eng["roofline_tok_s"] = info["copy_TBps"] * 1e12 / eng["bytes_per_token"] \
                    if info.get("copy_TBps") else None
        llmc_tps = res["engines"].get("llmc", {}).get("decode_tok_s")
        for key, eng in res["engines"].items():
            roof = eng.get("roofline_tok_s") or res["roofline_tok_s"]
            if eng.get("decode_tok_s") and roof:
                eng["pct_roofline"] = 100 * eng["decode_tok_s"] / roof
            if eng.get("decode_tok_s") and llmc_tps:
                eng["llmc_ratio"] = llmc_tps / eng["decode_tok_s"]

    report(args, info, results, cmdline)
    doc = {"bench": "llmc", "command": cmdline, **info,
           "settings": {"prompt_tokens": args.prompt_tokens, "decode_tokens": args.decode_tokens,
                        "long_prompt": args.long_prompt, "repeats": args.repeats, "seed": args.seed,
                        "kv_bytes_per_element": 4},
           "models": results, "llmc_failed": llmc_failed}
    line = json.dumps(doc, separators=(",", ":"))
    print(line, flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(line + "\n")
        log(f"wrote {args.json}")
    log(f"done; llmc {'FAILED' if llmc_failed else 'ok'}")
    return 1 if llmc_failed else 0


if __name__ == "__main__":
    sys.exit(main())
