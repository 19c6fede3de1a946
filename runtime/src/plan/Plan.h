//===- Plan.h - the execution plan of one entry point -----------*- C++ -*-===//
//
// What the compiler decided, as the runtime reads it from the artifact's
// "plan" section (JSON, docs/artifact.md): activation buffers placed in one
// arena by liveness, weights placed in the weights section, and the steps of
// the forward entry point, each a kernel with its operands and attributes.
//
// Every activation is [T, features] for the T tokens of one call, so a
// buffer's place in the arena is `T * offset` floats from its start.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_PLAN_PLAN_H
#define LLMC_RUNTIME_PLAN_PLAN_H

#include "llmc/llmc.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace llmc::plan {

enum class DType { F32, F16, BF16, I4, U4, I8, U8 };

/// Bytes for `count` elements (sub-byte types packed two per byte).
uint64_t byteSize(DType type, uint64_t count);
const char *dtypeName(DType type);
bool parseDType(std::string_view name, DType &out);

struct Buffer {
  int64_t features = 0;
  /// Floats per token from the arena's start.
  int64_t offset = 0;
};

struct Weight {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  /// Bytes from the start of the weights section, and the size.
  uint64_t offset = 0, bytes = 0;
  int64_t elements() const;
};

enum class Kernel {
  Embedding,
  Linear,
  LinearGroup,
  GatedLinear,
  LinearQuantized,
  LinearGroupQuantized,
  GatedLinearQuantized,
  RmsNorm,
  AddRmsNorm,
  LayerNorm,
  Rope,
  Attention,
  Slice,
  Silu,
  Gelu,
  Glu,
  Scale,
  Add,
  Mul,
};
const char *kernelName(Kernel kernel);

struct Step {
  Kernel kernel;
  std::vector<int32_t> inputs, weights, outputs;
  /// Numeric attributes (epsilon, heads, layer, ...); strings are in
  /// `names` (the rope style, the activation).
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> names;
  double number(const std::string &key, double otherwise = 0) const;
  int64_t integer(const std::string &key, int64_t otherwise = 0) const;
  std::string name(const std::string &key) const;
  /// True for the step that produces the logits (the LM head): the executor
  /// may run it on the last token only.
  bool producesLogits = false;
};

/// The plan weights of matrix `j` of a quantized step (linear_quantized,
/// linear_group_quantized, gated_linear_quantized): its values, its scales
/// and its offsets per row and group (-1: none, the step's "offsets" is 0,
/// and the weight is scale * q).
struct QuantizedMatrix {
  int32_t values = -1, scales = -1, offsets = -1;
};
QuantizedMatrix quantizedMatrix(const Step &step, size_t j);
/// Plan weights per matrix of a quantized step: 3, or 2 without offsets.
size_t quantizedStride(const Step &step);

/// The activation of a glu or gated_linear step as the kernels number it:
/// 0 silu, 1 gelu_tanh, 2 gelu_erf; -1 for any other name (the plan checker
/// refuses those).
int gateActivation(const Step &step);

/// The fusions a linear-family step may carry (docs/artifact.md): an RMS
/// norm of its input ("norm" 1, "norm_epsilon": the step's last weight is
/// the norm's, with "norm_unit_offset"; or, with "norm_folded" 1 on float
/// matrices, the matrices' columns hold the norm's weights and there is
/// none), and, on linear and linear_quantized, a residual added to its
/// output ("residual" 1: the step's second input).
bool hasInputNorm(const Step &step);
bool hasFoldedNorm(const Step &step);
bool hasResidual(const Step &step);
/// `step` without its norm weight and residual input: the plain step a
/// device runs on the normalized input before it adds the residual.
Step withoutFusions(const Step &step);

struct KvCacheShape {
  int64_t layers = 0, kvHeads = 0, headDim = 0;
};

struct Plan {
  std::string entry;
  /// The device the plan was lowered for: "cpu" (float32 weights) or
  /// "cuda" (16-bit matrices kept 16-bit, and a cuda_fatbin section).
  std::string target = "cpu";
  int64_t vocabSize = 0, maxContext = 0;
  KvCacheShape kvCache;
  int64_t arenaPerToken = 0;
  std::vector<Buffer> buffers;
  std::vector<Weight> weights;
  std::vector<Step> steps;
  int32_t logits = -1;
  /// Whether a step produces the logits and may run on the last token only
  /// (then a generation step's logits are row 0 of the logits buffer).
  bool headRunsOnLastToken = false;

  /// Checks one forward call's arguments: at least one token, room in the
  /// cache (`cached` of `capacity` positions taken), ids in the vocabulary.
  llmc_status_t checkForward(const int32_t *ids, int64_t t, int64_t cached,
                             int64_t capacity) const;
  /// Floats from the logits buffer's start to the rows a call returns: all
  /// T rows, or the last token's.
  int64_t logitsOffset(int64_t t, bool allLogits) const {
    return allLogits || headRunsOnLastToken ? 0 : (t - 1) * vocabSize;
  }
};

/// Parses and checks `json` against a weights section of `weightsBytes`:
/// every index in range, every weight inside the section, every step's
/// operand shapes consistent with its kernel. `where` prefixes messages.
llmc_status_t parsePlan(std::string_view json, uint64_t weightsBytes,
                        const std::string &where, Plan &out);

} // namespace llmc::plan

#endif // LLMC_RUNTIME_PLAN_PLAN_H
