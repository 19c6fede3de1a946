//===- LinearStatistics.h - calibration data of linear layers ---*- C++ -*-===//
//
// What calibration learns about a linear layer's input for the calibrated
// quantization methods: the Gram matrix H = sum over calibration rows of
// x^T x ([K, K], GPTQ's Hessian up to a factor 2), and the row count.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_PASSES_QUANTIZATION_LINEARSTATISTICS_H
#define LLMC_PASSES_QUANTIZATION_LINEARSTATISTICS_H

#include "mlir/IR/Operation.h"

#include <cstdint>
#include <map>
#include <vector>

namespace llmc::quantization {

struct LinearStatistics {
  int64_t k = 0, rows = 0;
  /// [k, k], row-major, symmetric.
  std::vector<double> gram;
};

/// Per llm.linear op of the module being quantized.
using LinearStatisticsMap = std::map<mlir::Operation *, LinearStatistics>;

} // namespace llmc::quantization

#endif // LLMC_PASSES_QUANTIZATION_LINEARSTATISTICS_H
