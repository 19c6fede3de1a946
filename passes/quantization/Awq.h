//===- Awq.h - activation-aware per-channel weight scaling ------*- C++ -*-===//
//
// AWQ (Lin et al., 2023): before rounding, the input channels that carry
// large activations are scaled up in the weights (W diag(s)) and the
// activations scaled down by the same factor (folded into the op that
// produces them), so that rounding hurts the important channels less. The
// factor is s = a^alpha for the channels' RMS activation a, normalized, with
// alpha searched on a grid for the least output error on the calibration
// inputs, measured through their Gram matrix.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_PASSES_QUANTIZATION_AWQ_H
#define LLMC_PASSES_QUANTIZATION_AWQ_H

#include "passes/quantization/RoundToNearest.h"

#include <vector>

namespace llmc::quantization {

/// One weight of a group of linear layers that read the same input.
struct AwqMember {
  const float *w; ///< [n, k]
  int64_t n;
};

struct AwqResult {
  double alpha = 0.0;
  /// [k]: the weights' input channels were multiplied by these; the input
  /// must be divided by them.
  std::vector<float> scales;
  /// One per member, quantized from W diag(scales).
  std::vector<QuantizedMatrix> quantized;
  /// The output error (tr(E H E^T) summed over members) at alpha = 0 (round
  /// to nearest) and at the chosen alpha.
  double errorRtn = 0.0, error = 0.0;
};

/// `gram` is the members' input Gram matrix ([k, k]) over `rows` rows.
AwqResult awq(const std::vector<AwqMember> &members, int64_t k, unsigned bits,
              int64_t group, bool symmetric, const std::vector<double> &gram,
              int64_t rows);

} // namespace llmc::quantization

#endif // LLMC_PASSES_QUANTIZATION_AWQ_H
