//===- Gptq.cpp - Hessian-based error-compensating quantization -----------===//

#include "passes/quantization/Gptq.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>

// LAPACK (OpenBLAS carries it). Column-major; the matrices here are
// symmetric, so a row-major buffer is the same matrix, and its factor
// U = L^T in column-major upper storage is L in row-major lower storage.
extern "C" {
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda,
             int *info);
void dpotri_(const char *uplo, const int *n, double *a, const int *lda,
             int *info);
}

namespace llmc::quantization {
namespace {

/// In place: the lower Cholesky factor L of a (a = L L^T, row-major, the
/// upper triangle zeroed); false when a is not positive definite.
bool cholesky(std::vector<double> &a, int64_t k) {
  int n = int(k), info = 0;
  dpotrf_("U", &n, a.data(), &n, &info);
  if (info != 0)
    return false;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i + 1; j < k; ++j)
      a[size_t(i * k + j)] = 0.0;
  return true;
}

/// In place: the inverse of L L^T from its lower factor L (row-major).
bool inverseFromCholesky(std::vector<double> &l, int64_t k) {
  int n = int(k), info = 0;
  dpotri_("U", &n, l.data(), &n, &info);
  if (info != 0)
    return false;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i + 1; j < k; ++j)
      l[size_t(i * k + j)] = l[size_t(j * k + i)];
  return true;
}

/// Columns quantized between two rank-`block` updates of the later columns:
/// every group start is a block start or inside the block of its group, so
/// a group's scales always see its columns fully updated.
int64_t blockFor(int64_t group) {
  if (group <= 128)
    return (128 / group) * group;
  return group % 128 == 0 ? 128 : group;
}

} // namespace

llvm::Expected<QuantizedMatrix> gptq(const float *w, int64_t n, int64_t k,
                                     unsigned bits, int64_t group,
                                     bool symmetric,
                                     const std::vector<double> &gram,
                                     double damp, int64_t block) {
  if (int64_t(gram.size()) != k * k)
    return llvm::createStringError("GPTQ: the Gram matrix is not [K, K]");
  std::vector<double> h = gram;
  std::vector<double> weights(w, w + n * k);
  // Inputs that were always zero carry no information: fix their weights
  // at zero and make H regular there.
  double mean = 0.0;
  for (int64_t i = 0; i < k; ++i) {
    double &d = h[size_t(i * k + i)];
    if (d == 0.0) {
      d = 1.0;
      for (int64_t r = 0; r < n; ++r)
        weights[size_t(r * k + i)] = 0.0;
    }
    mean += d;
  }
  mean /= double(k);
  for (int64_t i = 0; i < k; ++i)
    h[size_t(i * k + i)] += damp * mean;
  if (!cholesky(h, k) || !inverseFromCholesky(h, k))
    return llvm::createStringError("GPTQ: the damped Gram matrix is not "
                                   "positive definite");
  // U, the upper Cholesky factor of H^-1 (H^-1 = U^T U = L L^T, U = L^T):
  // row i of U distributes column i's error over the later columns.
  if (!cholesky(h, k))
    return llvm::createStringError("GPTQ: H^-1 is not positive definite");
  const std::vector<double> &lower = h;

  QuantizedMatrix q;
  q.n = n;
  q.k = k;
  q.group = group <= 0 || group > k ? k : group;
  int64_t groups = q.groups();
  q.values.assign(size_t(n * k), 0);
  q.scales.assign(size_t(n * groups), 1.0f);
  if (!symmetric)
    q.zeroPoints.assign(size_t(n * groups), 0);
  const int32_t high = symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  const int32_t low = symmetric ? -(1 << (bits - 1)) : 0;
  std::vector<float> slice;
  // Errors of the current block's columns, [n, block]: the later columns
  // take them in one matrix product when the block is done.
  if (block <= 0)
    block = blockFor(q.group);
  block = std::min(block, k);
  if (block < k && block % q.group != 0 && q.group % block != 0)
    return llvm::createStringError(
        "GPTQ: a block of %lld columns splits groups of %lld", (long long)block,
        (long long)q.group);
  std::vector<double> errors(size_t(n * block), 0.0);
  for (int64_t c = 0; c < k; ++c) {
    int64_t g = c / q.group;
    int64_t first = c - c % block, last = std::min(k, first + block);
    if (c % q.group == 0) {
      // The group's scales, from the weights as updated so far; each row's
      // range is shrunk by the factor (1, 0.95, ..., 0.75) that rounds the
      // group with the least error, each column's error weighted as GPTQ
      // weighs it (1 / U[c, c]^2).
      int64_t width = std::min(q.group, k - c);
      std::vector<double> importance(static_cast<size_t>(width));
      for (int64_t j = 0; j < width; ++j) {
        double u = lower[size_t((c + j) * k + c + j)];
        importance[size_t(j)] = 1.0 / (u * u);
      }
      slice.assign(size_t(width), 0.0f);
      for (int64_t r = 0; r < n; ++r) {
        for (int64_t j = 0; j < width; ++j)
          slice[size_t(j)] = float(weights[size_t(r * k + c + j)]);
        QuantizedMatrix part = roundToNearestClipped(
            slice.data(), 1, width, bits, width, symmetric, importance);
        q.scales[size_t(r * groups + g)] = part.scales[0];
        if (!symmetric)
          q.zeroPoints[size_t(r * groups + g)] = part.zeroPoints[0];
      }
    }
    double u = lower[size_t(c * k + c)];
    for (int64_t r = 0; r < n; ++r) {
      size_t at = size_t(r * groups + g);
      float scale = q.scales[at];
      int32_t zero = symmetric ? 0 : q.zeroPoints[at];
      double x = weights[size_t(r * k + c)];
      int32_t v = std::clamp(int32_t(std::lround(x / scale)) + zero, low, high);
      q.values[size_t(r * k + c)] = v;
      double err = (x - double(scale) * double(v - zero)) / u;
      errors[size_t(r * block + c - first)] = err;
      // Later columns j take err * U[c, j] = err * L[j, c]: those of this
      // block now, the rest after it.
      for (int64_t j = c + 1; j < last; ++j)
        weights[size_t(r * k + j)] -= err * lower[size_t(j * k + c)];
    }
    if (c + 1 == last && last < k)
      // W[:, last:] -= E [n, width] . L[last:, first:last]^T
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(n),
                  int(k - last), int(last - first), -1.0, errors.data(),
                  int(block), lower.data() + size_t(last * k + first), int(k),
                  1.0, weights.data() + size_t(last), int(k));
  }
  return q;
}

} // namespace llmc::quantization
