//===- Gptq.h - Hessian-based error-compensating quantization ---*- C++ -*-===//
//
// GPTQ (Frantar et al., 2022): quantizes a [N, K] weight column by column,
// and after each column spreads its rounding error over the columns not yet
// quantized, weighted by the inverse of the layer input's Gram matrix H, so
// that the layer's output on the calibration inputs moves as little as
// possible. Group scales are taken from the updated weights when a group
// starts; rounding is RoundToNearest's.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_PASSES_QUANTIZATION_GPTQ_H
#define LLMC_PASSES_QUANTIZATION_GPTQ_H

#include "passes/quantization/RoundToNearest.h"

#include "llvm/Support/Error.h"

namespace llmc::quantization {

/// `gram` is [k, k] (row-major); `damp` is added to its diagonal as a
/// fraction of the diagonal's mean. The later columns take the rounding
/// errors of `block` columns at a time in one matrix product (0: chosen
/// from the group; at least k: every column's at once, the plain
/// algorithm); a block shorter than k must be a multiple or a divisor of
/// the group. Fails when the damped matrix is not positive definite.
llvm::Expected<QuantizedMatrix> gptq(const float *w, int64_t n, int64_t k,
                                     unsigned bits, int64_t group,
                                     bool symmetric,
                                     const std::vector<double> &gram,
                                     double damp = 0.01, int64_t block = 0);

} // namespace llmc::quantization

#endif // LLMC_PASSES_QUANTIZATION_GPTQ_H
