//===- LlmOps.td - llm dialect operations -------------------*- tablegen -*-===//

#ifndef LLMC_DIALECTS_LLM_LLMOPS_TD
#define LLMC_DIALECTS_LLM_LLMOPS_TD

include "dialects/llm/LlmBase.td"
include "dialects/llm/LlmAttrs.td"
include "dialects/llm/LlmTypes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonTypeConstraints.td"

def Llm_KvCacheResource : Resource<"::llmc::llm::KvCacheResource">;

def Llm_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Llm_TokenIndexTensor : 1DTensorOf<[AnySignlessInteger]>;
def Llm_Weight : AnyTypeOf<[RankedTensorOf<[AnyFloat]>, Llm_QuantizedWeightType],
                           "a float tensor or a quantized weight">;

//===----------------------------------------------------------------------===//
// Weights and embedding
//===----------------------------------------------------------------------===//

def Llm_ConstantOp : Llm_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "A weight or constant tensor of the model";
  let description = [{
    `name` is where the data came from (the ONNX initializer, for messages
    and `llmc inspect`); `value` is usually a `dense_resource` blob that still
    points into the memory-mapped model file, so raising copies no weights.

    ```mlir
    %w = llm.constant "model.norm.weight" dense_resource<w0> : tensor<64xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$name $value attr-dict";
  let hasFolder = 1;
}

def Llm_TransposeOp : Llm_Op<"transpose", [Pure]> {
  let summary = "Swaps the two dims of a matrix (a weight's layout)";
  let description = [{
    Exporters store a MatMul weight as [K, N]; `llm.linear` reads [N, K].
    Weight layouts are settled when the artifact is packed, so a transpose of
    a constant costs nothing at run time.

    ```mlir
    %wt = llm.transpose %w : tensor<64x128xf32> -> tensor<128x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Llm_QuantizedWeightOp : Llm_Op<"quantized_weight", [Pure]> {
  let summary = "Bundles integer values, scales and zero points into a weight";
  let description = [{
    Makes a `!llm.qweight` from its parts: `values` of shape [N, K] in the
    storage type, `scales` of shape [N, groups] in the scale type and, when
    the type has zero points, `zero_points` of shape [N, groups] in the
    storage type. Importers of pre-quantized models and the quantization
    passes produce it; lowering packs it into the layout the kernels read.

    ```mlir
    %w = llm.quantized_weight %q, %s : tensor<64x64xi4>, tensor<64x2xf32>
        -> !llm.qweight<64x64, i4, group = 32, scale = f32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyInteger]>:$values,
                       Llm_FloatTensor:$scales,
                       Optional<RankedTensorOf<[AnyInteger]>>:$zero_points);
  let results = (outs Llm_QuantizedWeightType:$result);
  let assemblyFormat = [{
    $values `,` $scales (`,` $zero_points^)? attr-dict `:` type($values) `,`
    type($scales) (`,` type($zero_points)^)? `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def Llm_EmbeddingOp : Llm_Op<"embedding", [Pure]> {
  let summary = "Looks up the rows of an embedding table";
  let description = [{
    Gathers one row of the [V, H] `table` for each of the T token `ids`,
    giving [T, H]; `scale`, when present, multiplies the rows (Gemma scales
    embeddings by sqrt(H)).

    ```mlir
    %h = llm.embedding %table[%ids] {scale = 8.0 : f64}
        : tensor<300x64xf32>, tensor<?xi64> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$table, Llm_TokenIndexTensor:$ids,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = [{
    $table `[` $ids `]` attr-dict `:` type($table) `,` type($ids) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

def Llm_LinearOp : Llm_Op<"linear", [Pure, AttrSizedOperandSegments]> {
  let summary = "Multiplies by a [N, K] weight and adds an optional bias";
  let description = [{
    `result[..., n] = sum_k input[..., k] * weight[n, k] + bias[n]`. The
    weight is [N, K] (output features first, as PyTorch stores it) and may
    be a `!llm.qweight`. The result keeps the input's leading dims and element
    type.

    Two optional fusions, made by passes so that a decode step needs fewer
    kernels: `residual(%r)` adds `%r` (of the result's type) to the result
    (`llmc-fuse-residual-linear`), and `norm(%g)` with `norm_epsilon` (and
    `norm_unit_offset`) multiplies `llm.rms_norm(input, %g)` instead of the
    input (`llmc-fuse-norm-linear`); the norm comes first, the bias and the
    residual after the product.

    ```mlir
    %y = llm.linear %x, %w, %b
        : tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf32> -> tensor<?x128xf32>
    %z = llm.linear %x, %q : tensor<?x64xf16>,
        !llm.qweight<128x64, i4, group = 32, scale = f16> -> tensor<?x128xf16>
    %s = llm.linear %h, %wo residual(%r : tensor<?x64xf32>)
        : tensor<?x64xf32>, tensor<64x64xf32> -> tensor<?x64xf32>
    %n = llm.linear %s, %wq norm(%g : tensor<64xf32>) {norm_epsilon = 1.0e-05 : f64}
        : tensor<?x64xf32>, tensor<64x64xf32> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$input, Llm_Weight:$weight,
                       Optional<Llm_FloatTensor>:$bias,
                       Optional<Llm_FloatTensor>:$residual,
                       Optional<Llm_FloatTensor>:$norm_weight,
                       OptionalAttr<F64Attr>:$norm_epsilon,
                       UnitAttr:$norm_unit_offset);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)?
    (`residual` `(` $residual^ `:` type($residual) `)`)?
    (`norm` `(` $norm_weight^ `:` type($norm_weight) `)`)?
    attr-dict `:` type($input) `,`
    qualified(type($weight)) (`,` type($bias)^)? `->` type($result)
  }];
  let hasVerifier = 1;
}

def Llm_LinearGroupOp : Llm_Op<"linear_group", [Pure,
    AttrSizedOperandSegments]> {
  let summary = "Two or three linear layers that read the same input";
  let description = [{
    `results[i] = llm.linear(input, weights[i], biases[i])`: the query, key
    and value projections of an attention block, made by
    `llmc-fuse-linear-groups` so that one kernel reads the input once and
    streams all the matrices. The weights are float matrices of one element
    type, or `!llm.qweight`s of one format (storage, group, scale type, zero
    points); the biases are absent or one per weight. `norm(%g)` with
    `norm_epsilon` RMS-normalizes the input first, as for `llm.linear`.

    ```mlir
    %q, %k, %v = llm.linear_group %x, [%wq, %wk, %wv]
        : tensor<?x64xf32>, [tensor<64x64xf32>, tensor<32x64xf32>,
          tensor<32x64xf32>] -> tensor<?x64xf32>, tensor<?x32xf32>,
          tensor<?x32xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$input,
                       Variadic<Llm_Weight>:$weights,
                       Variadic<Llm_FloatTensor>:$biases,
                       Optional<Llm_FloatTensor>:$norm_weight,
                       OptionalAttr<F64Attr>:$norm_epsilon,
                       UnitAttr:$norm_unit_offset);
  let results = (outs Variadic<Llm_FloatTensor>:$results);
  let assemblyFormat = [{
    $input `,` `[` $weights `]` (`bias` `[` $biases^ `]`)?
    (`norm` `(` $norm_weight^ `:` type($norm_weight) `)`)? attr-dict `:`
    type($input) `,` `[` qualified(type($weights)) `]`
    (`,` `[` type($biases)^ `]`)?
    `->` type($results)
  }];
  let hasVerifier = 1;
}

def Llm_GatedLinearOp : Llm_Op<"gated_linear", [Pure]> {
  let summary = "A gated MLP's gate and up projections and their product";
  let description = [{
    `activation(llm.linear(input, gate_weight)) * llm.linear(input,
    up_weight)`, made by `llmc-fuse-gated-mlp` from two linear layers and
    the `llm.glu` that combines them, so that one kernel reads both matrices'
    rows and writes only the product. Both weights are [N, K] float matrices
    of one element type, or `!llm.qweight`s of one type. `norm(%g)` with
    `norm_epsilon` RMS-normalizes the input first, as for `llm.linear`.

    ```mlir
    %h = llm.gated_linear silu %x, %wg, %wu
        : tensor<?x64xf32>, tensor<80x64xf32>, tensor<80x64xf32>
          -> tensor<?x80xf32>
    ```
  }];
  let arguments = (ins Llm_GateActivationAttr:$activation,
                       Llm_FloatTensor:$input, Llm_Weight:$gate_weight,
                       Llm_Weight:$up_weight,
                       Optional<Llm_FloatTensor>:$norm_weight,
                       OptionalAttr<F64Attr>:$norm_epsilon,
                       UnitAttr:$norm_unit_offset);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = [{
    $activation $input `,` $gate_weight `,` $up_weight
    (`norm` `(` $norm_weight^ `:` type($norm_weight) `)`)? attr-dict `:`
    type($input) `,` qualified(type($gate_weight)) `,`
    qualified(type($up_weight)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Llm_LmHeadOp : Llm_Op<"lm_head", [Pure]> {
  let summary = "Projects hidden states to vocabulary logits";
  let description = [{
    A linear layer without bias from hidden size to vocabulary size, kept
    apart from `llm.linear` because the runtime computes it only for the
    tokens whose logits it needs. `softcap`, when present, applies
    `softcap * tanh(logits / softcap)` (Gemma-2). The logits may be wider
    than the input (float32 logits from bf16 hidden states). `norm(%g)` with
    `norm_epsilon` RMS-normalizes the input first, as for `llm.linear`.

    ```mlir
    %logits = llm.lm_head %h, %w {softcap = 30.0 : f64}
        : tensor<?x64xbf16>, tensor<300x64xbf16> -> tensor<?x300xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$input, Llm_Weight:$weight,
                       Optional<Llm_FloatTensor>:$norm_weight,
                       OptionalAttr<F64Attr>:$softcap,
                       OptionalAttr<F64Attr>:$norm_epsilon,
                       UnitAttr:$norm_unit_offset);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`norm` `(` $norm_weight^ `:` type($norm_weight) `)`)?
    attr-dict `:` type($input) `,`
    qualified(type($weight)) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Llm_RmsNormOp : Llm_Op<"rms_norm", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "Root-mean-square normalization over the last dim";
  let description = [{
    `x / sqrt(mean(x^2) + epsilon) * weight`, or `* (1 + weight)` with
    `unit_offset` (Gemma). The weight has the size of the input's last dim.

    ```mlir
    %y = llm.rms_norm %x, %w {epsilon = 1.0e-05 : f64}
        : tensor<?x64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$input, Llm_FloatTensor:$weight,
                       F64Attr:$epsilon, UnitAttr:$unit_offset);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `,` type($weight)
  }];
  let hasVerifier = 1;
}

def Llm_AddRmsNormOp : Llm_Op<"add_rms_norm", [Pure,
    AllTypesMatch<["input", "residual", "output", "sum"]>]> {
  let summary = "Adds the residual, then RMS-normalizes the sum";
  let description = [{
    The fused-residual form of `llm.rms_norm`: `sum = input + residual` and
    `output = rms_norm(sum)`; both are results, since the sum is the next
    residual.

    ```mlir
    %y, %sum = llm.add_rms_norm %x, %res, %w {epsilon = 1.0e-05 : f64}
        : tensor<?x64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$input, Llm_FloatTensor:$residual,
                       Llm_FloatTensor:$weight, F64Attr:$epsilon,
                       UnitAttr:$unit_offset);
  let results = (outs Llm_FloatTensor:$output, Llm_FloatTensor:$sum);
  let assemblyFormat = [{
    $input `,` $residual `,` $weight attr-dict `:` type($input) `,`
    type($weight)
  }];
  let hasVerifier = 1;
}

def Llm_LayerNormOp : Llm_Op<"layer_norm", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "Layer normalization over the last dim";
  let description = [{
    `(x - mean(x)) / sqrt(var(x) + epsilon) * weight + bias`, the bias
    optional.

    ```mlir
    %y = llm.layer_norm %x, %w, %b {epsilon = 1.0e-05 : f64}
        : tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$input, Llm_FloatTensor:$weight,
                       Optional<Llm_FloatTensor>:$bias, F64Attr:$epsilon);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,`
    type($weight) (`,` type($bias)^)?
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Position and attention
//===----------------------------------------------------------------------===//

def Llm_RopeOp : Llm_Op<"rope", [Pure, AllTypesMatch<["input", "result"]>,
    AllTypesMatch<["cos", "sin"]>]> {
  let summary = "Rotary position embedding from cos/sin tables";
  let description = [{
    Rotates the first `rotary_dim` dims of each head of the [T, heads,
    head_dim] `input` by the angles of each token's position. `cos` and `sin`
    are [max_positions, rotary_dim / 2] tables, so any frequency scaling the
    model uses is already in them; `rotary_dim` may be less than `head_dim`
    (partial rotary), the remaining dims pass through. `rotate_half` pairs
    dim i with i + rotary_dim/2 (LLaMA, Hugging Face); `interleaved` pairs 2i
    with 2i + 1 (GPT-J, Meta's original LLaMA).

    ```mlir
    %q = llm.rope rotate_half %x, %pos, %cos, %sin
        : tensor<?x4x16xf32>, tensor<?xi64>, tensor<2048x8xf32>
    ```
  }];
  let arguments = (ins Llm_RopeStyleAttr:$style, Llm_FloatTensor:$input,
                       Llm_TokenIndexTensor:$positions,
                       Llm_FloatTensor:$cos, Llm_FloatTensor:$sin);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = [{
    $style $input `,` $positions `,` $cos `,` $sin attr-dict `:`
    type($input) `,` type($positions) `,` type($cos)
  }];
  let hasVerifier = 1;
}

def Llm_AttentionOp : Llm_Op<"attention", [AttrSizedOperandSegments,
    AllTypesMatch<["query", "result"]>, AllTypesMatch<["key", "value"]>,
    MemoryEffects<[MemRead<Llm_KvCacheResource>,
                   MemWrite<Llm_KvCacheResource>]>]> {
  let summary = "Causal attention of new tokens over the layer's KV cache";
  let description = [{
    Appends the T new tokens' `key` and `value` ([T, kv_heads, head_dim]) to
    the KV cache of `layer`, then attends each of the T `query` tokens ([T,
    heads, head_dim]) over the cached and new tokens it may see: earlier
    positions of its own sequence, or the token-tree mask the runtime passes
    for speculative verification. Grouped-query attention when heads is a
    multiple of kv_heads. `scale` multiplies the scores (usually
    1/sqrt(head_dim)); `softcap` applies `softcap * tanh(s / softcap)` to
    them (Gemma-2); `sliding_window` limits how far back a token sees
    (Mistral).

    With `rope`, the query and the key are rotated first, as `llm.rope` of
    that style with these positions and [max_positions, head_dim / 2] cos
    and sin tables would (made by `llmc-fuse-rope-attention`, so that the
    attention kernel rotates them itself, instead of two more kernels).

    ```mlir
    %o = llm.attention %q, %k, %v {layer = 0 : i64, scale = 0.25 : f64}
        : tensor<?x4x16xf32>, tensor<?x2x16xf32>
    %o = llm.attention %q, %k, %v rope rotate_half(%pos, %cos, %sin
        : tensor<?xi64>, tensor<2048x8xf32>, tensor<2048x8xf32>)
        {layer = 0 : i64, scale = 0.25 : f64}
        : tensor<?x4x16xf32>, tensor<?x2x16xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$query, Llm_FloatTensor:$key,
                       Llm_FloatTensor:$value,
                       Optional<Llm_TokenIndexTensor>:$positions,
                       Optional<Llm_FloatTensor>:$cos,
                       Optional<Llm_FloatTensor>:$sin, I64Attr:$layer,
                       F64Attr:$scale, OptionalAttr<I64Attr>:$sliding_window,
                       OptionalAttr<F64Attr>:$softcap,
                       OptionalAttr<Llm_RopeStyleAttr>:$rope);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`rope` $rope^ `(` $positions `,` $cos `,` $sin
    `:` type($positions) `,` type($cos) `,` type($sin) `)`)? attr-dict `:`
    type($query) `,` type($key)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Feature layout
//===----------------------------------------------------------------------===//

def Llm_ReshapeOp : Llm_Op<"reshape", [Pure]> {
  let summary = "Regroups the feature dims of each token";
  let description = [{
    The token dim (dim 0) stays; the others are regrouped in row-major
    order, as when [T, heads * head_dim] becomes [T, heads, head_dim].

    ```mlir
    %h = llm.reshape %x : tensor<?x64xf32> -> tensor<?x4x16xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$input);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Llm_SliceOp : Llm_Op<"slice", [Pure]> {
  let summary = "A contiguous range of the last dim";
  let description = [{
    Keeps `size` features of the last dim from `offset` on, as when a fused
    QKV or gate-and-up projection is split (Phi-3).

    ```mlir
    %q = llm.slice %qkv [0, 64] : tensor<?x128xf32> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$input, I64Attr:$offset, I64Attr:$size);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `[` $offset `,` $size `]` attr-dict `:` type($input) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Llm_ConvertOp : Llm_Op<"convert", [Pure, Elementwise]> {
  let summary = "Converts the element type, as between float16 and float32";
  let description = [{
    ```mlir
    %y = llm.convert %x : tensor<?x64xf16> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$input);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Llm_UnaryElementwiseOp<string mnemonic, list<Trait> traits = []>
    : Llm_Op<mnemonic, !listconcat(traits,
          [Pure, Elementwise, SameOperandsAndResultType])> {
  let arguments = (ins Llm_FloatTensor:$input);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

class Llm_BinaryElementwiseOp<string mnemonic, list<Trait> traits = []>
    : Llm_Op<mnemonic, !listconcat(traits,
          [Pure, Elementwise, SameOperandsAndResultType])> {
  let arguments = (ins Llm_FloatTensor:$lhs, Llm_FloatTensor:$rhs);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Llm_SiluOp : Llm_UnaryElementwiseOp<"silu"> {
  let summary = "x * sigmoid(x)";
  let description = [{
    ```mlir
    %y = llm.silu %x : tensor<?x128xf32>
    ```
  }];
}

def Llm_GeluOp : Llm_Op<"gelu", [Pure, Elementwise,
    SameOperandsAndResultType]> {
  let summary = "Gaussian error linear unit, exact or tanh-approximated";
  let description = [{
    `none` computes `x * 0.5 * (1 + erf(x / sqrt(2)))`; `tanh` the
    approximation GPT-2 and Gemma use.

    ```mlir
    %y = llm.gelu tanh %x : tensor<?x128xf32>
    ```
  }];
  let arguments = (ins Llm_GeluApproximationAttr:$approximation,
                       Llm_FloatTensor:$input);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = "$approximation $input attr-dict `:` type($input)";
}

def Llm_GluOp : Llm_Op<"glu", [Pure, Elementwise,
    SameOperandsAndResultType]> {
  let summary = "Gated linear unit: activation(gate) * up";
  let description = [{
    The gate of a gated MLP: SwiGLU with `silu` (LLaMA, Qwen, Mistral, Phi-3),
    GeGLU with `gelu_tanh` (Gemma).

    ```mlir
    %h = llm.glu silu %gate, %up : tensor<?x128xf32>
    ```
  }];
  let arguments = (ins Llm_GateActivationAttr:$activation,
                       Llm_FloatTensor:$gate, Llm_FloatTensor:$up);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = [{
    $activation $gate `,` $up attr-dict `:` type($result)
  }];
}

def Llm_ScaleOp : Llm_Op<"scale", [Pure, Elementwise,
    SameOperandsAndResultType]> {
  let summary = "Multiplies by a constant factor";
  let description = [{
    ```mlir
    %y = llm.scale %x {factor = 8.0 : f64} : tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Llm_FloatTensor:$input, F64Attr:$factor);
  let results = (outs Llm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Llm_AddOp : Llm_BinaryElementwiseOp<"add", [Commutative]> {
  let summary = "Elementwise sum, as of a residual connection";
  let description = [{
    ```mlir
    %y = llm.add %a, %b : tensor<?x64xf32>
    ```
  }];
}

def Llm_MulOp : Llm_BinaryElementwiseOp<"mul", [Commutative]> {
  let summary = "Elementwise product";
  let description = [{
    ```mlir
    %y = llm.mul %a, %b : tensor<?x64xf32>
    ```
  }];
}

#endif // LLMC_DIALECTS_LLM_LLMOPS_TD
