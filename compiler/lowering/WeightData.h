//===- WeightData.h - a weight's values on the host -------------*- C++ -*-===//
//
// Lowering materializes each weight the plan needs from its defining ops: an
// llm.constant (a dense_resource blob over the mapped model, or inline
// data) seen through llm.transpose, llm.reshape and llm.convert. One weight
// at a time, so that packing an 8B model never holds more than its largest
// tensor in memory.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_COMPILER_LOWERING_WEIGHTDATA_H
#define LLMC_COMPILER_LOWERING_WEIGHTDATA_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace llmc::lowering {

/// A weight's values, row-major: float weights as float32, integer weights
/// (quantized values, zero points) as int32.
struct WeightData {
  std::vector<int64_t> shape;
  bool isInteger = false;
  std::vector<float> floats;
  std::vector<int32_t> ints;
  int64_t elements() const;
};

/// Whether `value` is computed from constants only, through the ops that
/// evaluateWeight understands.
bool isWeightValue(mlir::Value value);

/// The name of the llm.constant a weight value is computed from (through
/// whatever ops lead to it), or "" when there is none.
std::string constantNameOf(mlir::Value value);

/// Float32 values as the bytes of `dtype`: f32, f16 or bf16 (rounded to
/// nearest even).
std::vector<uint8_t> encodeFloats(const std::vector<float> &values,
                                  llvm::StringRef dtype);

/// Evaluates a weight value. Errors name the op that cannot be evaluated.
llvm::Expected<WeightData> evaluateWeight(mlir::Value value);

} // namespace llmc::lowering

#endif // LLMC_COMPILER_LOWERING_WEIGHTDATA_H
