"""Export a Hugging Face LlamaForCausalLM to ONNX through torch.onnx (dynamo exporter).

Shared by models/tinycode/train.py and models/bench/make_bench_models.py.

The graph has the layout Hugging Face Optimum and ONNX Runtime GenAI use for decoder-only
models with a KV cache, so the compiler sees one form from every source:

    inputs:  input_ids                    int64   [batch, seq]
             attention_mask               int64   [batch, past + seq]
             position_ids                 int64   [batch, seq]
             past_key_values.N.key        float   [batch, kv_heads, past, head_dim]
             past_key_values.N.value      float   [batch, kv_heads, past, head_dim]
    outputs: logits                       float   [batch, seq, vocab]
             present.N.key                float   [batch, kv_heads, past + seq, head_dim]
             present.N.value              float   [batch, kv_heads, past + seq, head_dim]

A prefill passes past tensors with past = 0; each decode step feeds the presents back.
"""

import time

import torch
from transformers import DynamicCache


class LlamaWithFlatCache(torch.nn.Module):
    """Wraps the HF model so that the KV cache crosses the graph boundary as plain tensors.

    With `sliding_cache=False` the cache is built without the model's config, so every layer
    keeps its whole past even where the model has a sliding window (the window is then applied
    by the attention mask alone, as Optimum does for Mistral).
    """

    def __init__(self, model, sliding_cache=True):
        super().__init__()
        self.model = model
        self.num_layers = model.config.num_hidden_layers
        self.sliding_cache = sliding_cache

    def forward(self, input_ids, attention_mask, position_ids, past_key_values):
        pairs = [(past_key_values[2 * i], past_key_values[2 * i + 1]) for i in range(self.num_layers)]
        cache = DynamicCache(ddp_cache_data=pairs,
                             config=self.model.config if self.sliding_cache else None)
        out = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            position_ids=position_ids,
            past_key_values=cache,
            use_cache=True,
        )
        presents = []
        for layer in out.past_key_values.layers:
            presents += [layer.keys, layer.values]
        return (out.logits, *presents)


def io_names(num_layers):
    inputs = ["input_ids", "attention_mask", "position_ids"]
    outputs = ["logits"]
    for i in range(num_layers):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    return inputs, outputs


def example_inputs(config, dtype, device, batch=2, seq=3, past=4):
    """Example inputs for tracing; sizes > 1 so that no dimension is specialised."""
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    g = torch.Generator().manual_seed(0)
    input_ids = torch.randint(0, config.vocab_size, (batch, seq), generator=g).to(device)
    attention_mask = torch.ones(batch, past + seq, dtype=torch.int64, device=device)
    position_ids = (torch.arange(seq, dtype=torch.int64) + past).expand(batch, seq).contiguous().to(device)
    kv_shape = (batch, config.num_key_value_heads, past, head_dim)
    past_kv = [
        (torch.randn(kv_shape, generator=g) * 0.5).to(device=device, dtype=dtype)
        for _ in range(2 * config.num_hidden_layers)
    ]
    return input_ids, attention_mask, position_ids, past_kv


def export_with_cache(model, path, external_data=False, opset=None, log=print):
    """Exports `model` (already in the wanted dtype and device, eval mode) to `path`.

    Returns the seconds the export took.
    """
    config = model.config
    dtype = next(model.parameters()).dtype
    device = next(model.parameters()).device
    wrapper = LlamaWithFlatCache(model).eval()
    args = example_inputs(config, dtype, device)
    batch = torch.export.Dim("batch", min=1, max=1024)
    seq = torch.export.Dim("seq", min=1, max=config.max_position_embeddings)
    past = torch.export.Dim("past", min=0, max=config.max_position_embeddings)
    total = torch.export.Dim.AUTO  # past + seq: derived, let the exporter name it
    kv = {0: batch, 2: past}
    dynamic_shapes = (
        {0: batch, 1: seq},
        {0: batch, 1: total},
        {0: batch, 1: seq},
        [kv] * (2 * config.num_hidden_layers),
    )
    inputs, outputs = io_names(config.num_hidden_layers)
    t0 = time.perf_counter()
    kwargs = {}
    if opset is not None:
        kwargs["opset_version"] = opset
    with torch.no_grad():
        torch.onnx.export(
            wrapper,
            args,
            path,
            input_names=inputs,
            output_names=outputs,
            dynamic_shapes=dynamic_shapes,
            dynamo=True,
            external_data=external_data,
            optimize=True,
            verbose=False,
            **kwargs,
        )
    secs = time.perf_counter() - t0
    log(f"exported {path} in {secs:.1f} s")
    return secs


def tidy_names(path):
    """Gives the exported graph the names Optimum uses.

    Drops the wrapper's "model." prefix from initializer names (so they read as the Hugging Face
    parameter names, e.g. model.layers.0.self_attn.q_proj.weight) and names the symbolic
    dimensions batch_size, sequence_length, past_sequence_length and total_sequence_length.
    Works on the graph file alone; external weight files are left as they are.
    """
    import onnx

    m = onnx.load(path, load_external_data=False)
    g = m.graph
    rename = {}
    for init in g.initializer:
        if init.name.startswith("model."):
            rename[init.name] = init.name[len("model."):]
    for init in g.initializer:
        init.name = rename.get(init.name, init.name)
    for node in g.node:
        for i, name in enumerate(node.input):
            if name in rename:
                node.input[i] = rename[name]
    mask = next(i for i in g.input if i.name == "attention_mask")
    dims = {
        "batch": "batch_size",
        "seq": "sequence_length",
        "past": "past_sequence_length",
        "past + seq": "total_sequence_length",
        mask.type.tensor_type.shape.dim[1].dim_param: "total_sequence_length",
    }
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        if not vi.type.HasField("tensor_type"):
            continue
        for d in vi.type.tensor_type.shape.dim:
            if d.HasField("dim_param") and d.dim_param in dims:
                d.dim_param = dims[d.dim_param]
    # Keep each node's module path ("namespace", in Hugging Face names); drop the exporter's
    # stack traces and FX dumps, which name local files and grow the graph.
    drop = {"pkg.torch.onnx.stack_trace", "pkg.torch.onnx.fx_node", "pkg.torch.onnx.class_hierarchy",
            "pkg.torch.onnx.name_scopes"}
    for node in g.node:
        keep = [(p.key, p.value) for p in node.metadata_props if p.key not in drop]
        del node.metadata_props[:]
        for k, v in keep:
            if k == "namespace":
                v = _hf_namespace(v)
            node.metadata_props.add(key=k, value=v)
    onnx.save(m, path)


def _hf_namespace(ns):
    """': wrapper/model: LlamaForCausalLM/model.model.layers.0: LlamaDecoderLayer/...' ->
    ': LlamaForCausalLM/model.layers.0: LlamaDecoderLayer/...'."""
    parts = ns.split("/")[1:]
    out = []
    for part in parts:
        name, sep, cls = part.partition(": ")
        if name == "model":
            name = ""
        elif name.startswith("model."):
            name = name[len("model."):]
        out.append(name + sep + cls)
    return "/".join(out)
