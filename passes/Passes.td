//===- Passes.td - llmc passes ------------------------------*- tablegen -*-===//
//
// Every llmc pass, by family. Flags carry the `llmc-` prefix; each pass has
// a lit test named after it under test/passes/<family>/.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_PASSES_PASSES_TD
#define LLMC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Raising
//===----------------------------------------------------------------------===//

def RaiseOnnxToLlm : Pass<"llmc-raise-onnx", "::mlir::ModuleOp"> {
  let summary = "Raises the imported ONNX graph to llm ops";
  let description = [{
    Replaces `func.func @main` of `onnx` ops, as the importer made it, by
    `func.func @forward(%token_ids, %positions) -> logits` of `llm` ops over
    the flat [T, ...] tokens of one call, and sets `llm.kv_cache` on the
    module. Raising works back from the logits and recognizes structure,
    never names: norms (RMSNormalization, SimplifiedLayerNormalization,
    SkipSimplifiedLayerNormalization, LayerNormalization, or spelled out),
    linear layers (MatMul, Gemm, bias Adds, MatMulNBits and blocked
    DequantizeLinear as `!llm.qweight`), embeddings by token ids or
    positions, rotary embedding (spelled out, RotaryEmbedding,
    GroupQueryAttention's), attention (spelled out, Attention,
    GroupQueryAttention) with its mask evaluated at compile time to find
    causality and sliding windows, and activations identified by evaluating
    their sub-graph (SiLU, GELU tanh/erf, soft caps). The KV cache inputs and
    outputs become the runtime's. A node no pattern accounts for is an error
    naming it.

    ```mlir
    // onnx.node "SimplifiedLayerNormalization"(%x, %w) {...}
    // becomes
    %y = llm.rms_norm %x, %w {epsilon = 1.0e-06 : f64} : tensor<?x64xf32>, tensor<64xf32>
    ```
  }];
  let options = [
    Option<"maxPositions", "max-positions", "int64_t", "4096",
           "rows of the rotary tables: the longest context supported">,
  ];
  let dependentDialects = ["::llmc::llm::LlmDialect",
                           "::mlir::func::FuncDialect"];
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def QuantizeWeights : Pass<"llmc-quantize-weights", "::mlir::ModuleOp"> {
  let summary = "Round-to-nearest weight-only quantization of linear layers";
  let description = [{
    Replaces the float weight of every `llm.linear` by an `llm.quantized_weight`
    of `bits`-bit integers with one float32 scale per output row and group
    of `group` input features (0: the whole row, per-channel), rounded to
    nearest:

    - symmetric (signed storage): `scale = max|w| / (2^(bits-1) - 1)`,
      `q = clamp(round(w / scale), -2^(bits-1), 2^(bits-1) - 1)`;
    - asymmetric (unsigned storage with zero points): `scale = (max - min) /
      (2^bits - 1)`, `zero = clamp(round(-min / scale), 0, 2^bits - 1)`,
      `q = clamp(round(w / scale) + zero, 0, 2^bits - 1)`.

    The embedding table (`llm.embedding`) stays in 16-bit, and so does
    every linear weight whose constant's name, or whose linear
    op's location name (the ONNX node's name), contains one of `keep`
    (torch's dynamo exporter names nodes `node_linear_N` and folded weights
    `val_N`; TorchScript and GenAI exports keep module paths). The LM head
    (`llm.lm_head`) stays in 16-bit too unless `head-bits` is 8 or 4: then
    it is rounded to nearest, symmetric, with `head-group` input features
    per scale (0: a whole row); an embedding that shares its table keeps
    the float one.

    With `method = gptq` each weight is quantized by GPTQ from its input's
    Gram matrix, which calibration gathered; with `method = awq` the linear
    layers that read an RMS norm (and the down projections behind a GLU) are
    first scaled per input channel by AWQ, the inverse scales folded into
    the norm's weight (or the up projection's rows). Both need the
    statistics: the pass is then made by
    `createQuantizeWeights(options, statistics)`. Runs before the fusion
    passes, which leave quantized weights to their own kernel.

    ```mlir
    %y = llm.linear %x, %w : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
    // becomes, with bits = 4 and group = 32,
    %q = llm.constant ... : tensor<32x64xi4>
    %s = llm.constant ... : tensor<32x2xf32>
    %wq = llm.quantized_weight %q, %s : tensor<32x64xi4>, tensor<32x2xf32> -> !llm.qweight<32x64, i4, group = 32, scale = f32>
    %y = llm.linear %x, %wq : tensor<?x64xf32>, !llm.qweight<32x64, i4, group = 32, scale = f32> -> tensor<?x32xf32>
    ```
  }];
  let options = [
    Option<"bits", "bits", "unsigned", "8", "4 or 8">,
    Option<"group", "group", "int64_t", "0",
           "input features per scale (0: a whole row)">,
    Option<"symmetric", "symmetric", "bool", "true",
           "signed values without zero points">,
    Option<"method", "method", "std::string", "\"rtn\"",
           "rtn (round to nearest), awq or gptq (both need calibration "
           "statistics)">,
    ListOption<"keep", "keep", "std::string",
               "weights whose constant's or node's name contains one of these "
               "stay float">,
    Option<"headBits", "head-bits", "unsigned", "0",
           "quantize the LM head too, rounded to nearest and symmetric: 0 "
           "(keep it float), 8 or 4">,
    Option<"headGroup", "head-group", "int64_t", "0",
           "the LM head's input features per scale (0: a whole row; a 4-bit "
           "head needs a group)">,
  ];
  let dependentDialects = ["::llmc::llm::LlmDialect"];
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def FuseAddRmsNorm : Pass<"llmc-fuse-add-rms-norm"> {
  let summary = "Fuses a residual add into the RMS norm that reads it";
  let description = [{
    Rewrites `llm.rms_norm(llm.add(a, b))` into one `llm.add_rms_norm(a, b)`,
    whose second result, the sum, replaces every other use of the add (it is
    the residual the next block adds to). One kernel then reads both inputs
    once and writes the sum and the normalized value, instead of two kernels
    and a round trip of the sum through memory.

    ```mlir
    %s = llm.add %x, %r : tensor<?x64xf32>
    %y = llm.rms_norm %s, %w {epsilon = 1.0e-05 : f64} : tensor<?x64xf32>, tensor<64xf32>
    // becomes
    %y, %s = llm.add_rms_norm %x, %r, %w {epsilon = 1.0e-05 : f64} : tensor<?x64xf32>, tensor<64xf32>
    ```
  }];
  let dependentDialects = ["::llmc::llm::LlmDialect"];
}

def FuseGatedMlp : Pass<"llmc-fuse-gated-mlp"> {
  let summary = "Fuses a gated MLP's gate and up projections into its GLU";
  let description = [{
    Rewrites `llm.glu(act, llm.linear(x, wg), llm.linear(x, wu))`, where both
    linear layers read the same input, have no bias, have float weights of
    one type and no other users, into one `llm.gated_linear act x, wg, wu`.
    At decode one kernel then streams both matrices and writes only the
    product, instead of three kernels and two intermediate results.

    ```mlir
    %g = llm.linear %x, %wg : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
    %u = llm.linear %x, %wu : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
    %h = llm.glu silu %g, %u : tensor<?x80xf32>
    // becomes
    %h = llm.gated_linear silu %x, %wg, %wu : tensor<?x64xf32>, tensor<80x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
    ```
  }];
  let dependentDialects = ["::llmc::llm::LlmDialect"];
}

def FuseRopeAttention : Pass<"llmc-fuse-rope-attention"> {
  let summary = "Fuses the rotary embedding of query and key into attention";
  let description = [{
    Rewrites `llm.attention(llm.rope(q), llm.rope(k), v)`, where both ropes
    rotate whole heads by the same positions and cos/sin tables in the same
    style and have no other users, into one `llm.attention` that rotates q
    and k itself. At decode the attention kernel then rotates the query in
    registers and the new key before it writes it to the cache: two kernels
    fewer per layer. Partial rotary (tables narrower than half the head)
    stays as it is.

    ```mlir
    %qr = llm.rope rotate_half %q, %pos, %cos, %sin : tensor<?x4x16xf32>, tensor<?xi64>, tensor<64x8xf32>
    %kr = llm.rope rotate_half %k, %pos, %cos, %sin : tensor<?x2x16xf32>, tensor<?xi64>, tensor<64x8xf32>
    %o = llm.attention %qr, %kr, %v {layer = 0 : i64, scale = 2.5e-01 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
    // becomes
    %o = llm.attention %q, %k, %v rope rotate_half(%pos, %cos, %sin : tensor<?xi64>, tensor<64x8xf32>, tensor<64x8xf32>) {layer = 0 : i64, scale = 2.5e-01 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
    ```
  }];
  let dependentDialects = ["::llmc::llm::LlmDialect"];
}

def FuseLinearGroups : Pass<"llmc-fuse-linear-groups"> {
  let summary = "Fuses linear layers that read the same input into groups";
  let description = [{
    Gathers the `llm.linear` ops that read one value (the query, key and
    value projections of an attention block), in program order and three at
    most per group, into `llm.linear_group`, when their weights are float
    matrices of one element type and either all or none have a bias. The
    group takes the first member's place; weights defined later by pure ops
    (a transpose of a constant) are moved up to it. Run after
    `llmc-fuse-gated-mlp`, which claims the gate and up pairs first.

    ```mlir
    %q = llm.linear %x, %wq : tensor<?x64xf32>, tensor<64x64xf32> -> tensor<?x64xf32>
    %k = llm.linear %x, %wk : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
    // becomes
    %q, %k = llm.linear_group %x, [%wq, %wk] : tensor<?x64xf32>, [tensor<64x64xf32>, tensor<32x64xf32>] -> tensor<?x64xf32>, tensor<?x32xf32>
    ```
  }];
  let dependentDialects = ["::llmc::llm::LlmDialect"];
}

def FuseResidualLinear : Pass<"llmc-fuse-residual-linear"> {
  let summary = "Fuses a residual add into the linear layer it adds to";
  let description = [{
    Rewrites `llm.add(llm.linear(x), r)`, when the add is the linear's only
    user and the three values have one type, into `llm.linear(x)
    residual(r)`: the kernel adds the residual as it writes each output, so
    the sum needs no kernel of its own (the attention block's output
    projection and the MLP's down projection). Run before
    `llmc-fuse-add-rms-norm`, which would otherwise take the add into the
    next norm, and before `llmc-fuse-norm-linear`, which then takes that
    norm into the next linear layers.

    ```mlir
    %y = llm.linear %h, %w : tensor<?x64xf32>, tensor<64x64xf32> -> tensor<?x64xf32>
    %s = llm.add %y, %r : tensor<?x64xf32>
    // becomes
    %s = llm.linear %h, %w residual(%r : tensor<?x64xf32>) : tensor<?x64xf32>, tensor<64x64xf32> -> tensor<?x64xf32>
    ```
  }];
  let dependentDialects = ["::llmc::llm::LlmDialect"];
}

def FuseNormLinear : Pass<"llmc-fuse-norm-linear"> {
  let summary = "Fuses an RMS norm into the linear layers that read it";
  let description = [{
    Rewrites an `llm.rms_norm` whose every user reads it as the input of a
    linear layer without a norm (`llm.linear`, `llm.linear_group`,
    `llm.gated_linear`, `llm.lm_head`) so that each of them takes the
    norm's input, weight and epsilon (`norm(%g)`) and normalizes the input
    itself. A decode GEMV reads the whole input row per output row anyway:
    it sums the squares as it goes and scales its dot product at the end,
    so the norm costs no kernel and no round trip through memory. The
    lowering multiplies the columns of float matrices by the norm's weights
    (quantized kernels multiply the activations as they stage them), so a
    float matrix must be the op's alone: an LM head tied to the embedding
    keeps its norm. Run after
    `llmc-fuse-linear-groups` and `llmc-fuse-gated-mlp`, which leave linear
    layers with a norm alone.

    ```mlir
    %n = llm.rms_norm %x, %g {epsilon = 1.0e-05 : f64} : tensor<?x64xf32>, tensor<64xf32>
    %y = llm.linear %n, %w : tensor<?x64xf32>, tensor<64x64xf32> -> tensor<?x64xf32>
    // becomes
    %y = llm.linear %x, %w norm(%g : tensor<64xf32>) {norm_epsilon = 1.0e-05 : f64} : tensor<?x64xf32>, tensor<64x64xf32> -> tensor<?x64xf32>
    ```
  }];
  let dependentDialects = ["::llmc::llm::LlmDialect"];
}

#endif // LLMC_PASSES_PASSES_TD
