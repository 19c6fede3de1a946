//===- LlmTypes.td - llm dialect types ----------------------*- tablegen -*-===//

#ifndef LLMC_DIALECTS_LLM_LLMTYPES_TD
#define LLMC_DIALECTS_LLM_LLMTYPES_TD

include "dialects/llm/LlmBase.td"

def Llm_QuantizedWeightType : Llm_Type<"QuantizedWeight", "qweight"> {
  let summary = "A [N, K] weight of 4- or 8-bit integers with group-wise scales";
  let description = [{
    A linear layer's weight of N output and K input features, stored as
    integers of `storage` type with one scale (and, when `zero_point` is
    present, one zero point) per output row and group of `group` consecutive
    input features. Per-channel quantization is the case `group = K`.
    The value is `scale * (q - zero_point)`, or `scale * q` without zero
    points, where signed storage means symmetric quantization.

    The type says what the numbers mean, not how they are packed in memory:
    the packed layout is chosen when lowering to kernels.

    ```mlir
    !llm.qweight<4096x4096, i4, group = 128, scale = f16>
    !llm.qweight<64x64, ui4, group = 32, scale = f32, zero_point>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "[N, K]">:$shape,
    "::mlir::IntegerType":$storageType,
    "int64_t":$groupSize,
    "::mlir::FloatType":$scaleType,
    "bool":$hasZeroPoint
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Output features.
    int64_t getN() const { return getShape()[0]; }
    /// Input features.
    int64_t getK() const { return getShape()[1]; }
    /// Groups per output row, counting a last partial group.
    int64_t getNumGroups() const {
      return (getK() + getGroupSize() - 1) / getGroupSize();
    }
    /// The bit width of one stored value.
    unsigned getBits() const { return getStorageType().getWidth(); }
  }];
}

#endif // LLMC_DIALECTS_LLM_LLMTYPES_TD
