//===- RoundToNearest.h - group-wise integer quantization -------*- C++ -*-===//
//
// The arithmetic of round-to-nearest weight quantization, apart from the IR:
// a [N, K] float matrix becomes integers with one scale (and zero point)
// per row and group of input features. AWQ and GPTQ reuse it for the final
// rounding of their transformed weights.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_PASSES_QUANTIZATION_ROUNDTONEAREST_H
#define LLMC_PASSES_QUANTIZATION_ROUNDTONEAREST_H

#include <cstdint>
#include <vector>

namespace llmc::quantization {

struct QuantizedMatrix {
  int64_t n = 0, k = 0, group = 0;
  /// [n, k]: signed in [-2^(bits-1), 2^(bits-1) - 1] when symmetric, else
  /// unsigned in [0, 2^bits - 1].
  std::vector<int32_t> values;
  /// [n, groups] each; zeroPoints empty when symmetric.
  std::vector<float> scales;
  std::vector<int32_t> zeroPoints;
  int64_t groups() const { return (k + group - 1) / group; }
  /// The value q stands for at (row, column).
  float dequantized(int64_t row, int64_t column) const;
};

/// Quantizes `w` ([n, k], row-major) to `bits` (4 or 8) with `group` input
/// features per scale (0 or >= k: one group per row).
QuantizedMatrix roundToNearest(const float *w, int64_t n, int64_t k,
                               unsigned bits, int64_t group, bool symmetric);

/// As roundToNearest, with each row's range in each group shrunk by the
/// factor among 1, 0.95, ..., 0.75 that rounds the group with the least
/// error, column c's squared error weighted by `importance[c]` (AWQ's and
/// GPTQ's clipping search).
QuantizedMatrix roundToNearestClipped(const float *w, int64_t n, int64_t k,
                                      unsigned bits, int64_t group,
                                      bool symmetric,
                                      const std::vector<double> &importance);

} // namespace llmc::quantization

#endif // LLMC_PASSES_QUANTIZATION_ROUNDTONEAREST_H
