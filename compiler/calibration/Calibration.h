//===- Calibration.h - runs calibration text through a model ----*- C++ -*-===//
//
// Calibration for the quantization passes: the raised module is lowered for
// the cpu device (float32) into a temporary artifact, the calibration text
// is tokenized with the model's tokenizer and run through it in windows,
// and the input of every float llm.linear is gathered into its Gram matrix.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_COMPILER_CALIBRATION_CALIBRATION_H
#define LLMC_COMPILER_CALIBRATION_CALIBRATION_H

#include "passes/quantization/LinearStatistics.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>

namespace llmc::calibration {

struct CalibrationOptions {
  /// The .onnx model (its folder has tokenizer.json) and the text file.
  std::string modelPath, textPath;
  int64_t maxContext = 4096;
  /// Tokens per window (each starts a new sequence) and in all.
  int64_t window = 512, maxTokens = 4096;
  std::function<void(const std::string &)> progress;
};

/// The statistics of every float llm.linear of `module` (which is not
/// changed), keyed by the op.
llvm::Expected<quantization::LinearStatisticsMap>
calibrate(mlir::ModuleOp module, const CalibrationOptions &options);

} // namespace llmc::calibration

#endif // LLMC_COMPILER_CALIBRATION_CALIBRATION_H
