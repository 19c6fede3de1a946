//===- PlanBuilder.h - llm ops to an execution plan -------------*- C++ -*-===//
//
// Lowers the raised `forward` function to the plan the runtime executes
// (runtime/src/plan/Plan.h reads it; docs/artifact.md describes it): each op
// on activations becomes a kernel step on [T, features] buffers, reshapes and
// float converts of activations alias their input, buffers share an arena by
// liveness, and every weight the steps read is listed with how to pack it.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_COMPILER_LOWERING_PLANBUILDER_H
#define LLMC_COMPILER_LOWERING_PLANBUILDER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>
#include <vector>

namespace llmc::lowering {

/// One tensor of the weights section and how to compute it.
struct PlanWeight {
  enum class Kind {
    /// `value` as float32.
    Float,
    /// The integers of a quantized weight's `value`, packed as `dtype`.
    QuantizedValues,
    /// -scale * zero_point per group, float32: `value` is the scales and
    /// `zeroPoints` the zero points (null: none, all offsets 0).
    QuantizedOffsets,
    /// A float matrix `value` [N, K] with column c multiplied by
    /// `columnScales`[c] (plus 1 with `unitOffset`): an RMS norm's weights
    /// folded into the linear layer that reads the norm.
    ScaledColumns,
  };
  std::string name;
  Kind kind = Kind::Float;
  mlir::Value value, zeroPoints, columnScales;
  bool unitOffset = false;
  /// The plan's dtype name: f32, f16, bf16, i4, u4, i8 or u8.
  std::string dtype;
  std::vector<int64_t> shape;
};

struct LoweredPlan {
  /// The plan, with every key but the weights' "offset" and "bytes".
  llvm::json::Object plan;
  std::vector<PlanWeight> weights;
  /// Steps per kernel name, for the manifest and `llmc inspect`.
  std::map<std::string, int64_t> kernelCounts;
  /// The op each step was lowered from (calibration maps steps back).
  std::vector<mlir::Operation *> stepOps;
};

struct PlanOptions {
  int64_t maxContext = 4096;
  /// Keep 16-bit linear weights and embedding tables 16-bit (the cuda
  /// target); otherwise every float weight is float32 (the cpu target).
  bool halfMatrices = false;
};

/// Lowers `@forward` of a raised module. Errors name the op that has no
/// kernel or whose operands the device cannot take.
llvm::Expected<LoweredPlan> buildPlan(mlir::ModuleOp module,
                                      const PlanOptions &options);

} // namespace llmc::lowering

#endif // LLMC_COMPILER_LOWERING_PLANBUILDER_H
