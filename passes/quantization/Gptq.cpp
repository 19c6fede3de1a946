//===- Gptq.cpp - Hessian-based error-compensating quantization -----------===//

#include "passes/quantization/Gptq.h"

#include <algorithm>
#include <cmath>

namespace llmc::quantization {
namespace {

/// In place: the lower Cholesky factor L of a (a = L L^T); false when a is
/// not positive definite.
bool cholesky(std::vector<double> &a, int64_t k) {
  for (int64_t j = 0; j < k; ++j) {
    double d = a[size_t(j * k + j)];
    for (int64_t p = 0; p < j; ++p)
      d -= a[size_t(j * k + p)] * a[size_t(j * k + p)];
    if (!(d > 0.0))
      return false;
    d = std::sqrt(d);
    a[size_t(j * k + j)] = d;
    for (int64_t i = j + 1; i < k; ++i) {
      double v = a[size_t(i * k + j)];
      for (int64_t p = 0; p < j; ++p)
        v -= a[size_t(i * k + p)] * a[size_t(j * k + p)];
      a[size_t(i * k + j)] = v / d;
    }
    for (int64_t p = j + 1; p < k; ++p)
      a[size_t(j * k + p)] = 0.0;
  }
  return true;
}

/// The inverse of L L^T from the lower factor L.
std::vector<double> inverseFromCholesky(const std::vector<double> &l,
                                        int64_t k) {
  // Linv (lower) by forward substitution, then inverse = Linv^T Linv.
  std::vector<double> linv(size_t(k * k), 0.0);
  for (int64_t j = 0; j < k; ++j) {
    linv[size_t(j * k + j)] = 1.0 / l[size_t(j * k + j)];
    for (int64_t i = j + 1; i < k; ++i) {
      double v = 0.0;
      for (int64_t p = j; p < i; ++p)
        v -= l[size_t(i * k + p)] * linv[size_t(p * k + j)];
      linv[size_t(i * k + j)] = v / l[size_t(i * k + i)];
    }
  }
  std::vector<double> inv(size_t(k * k), 0.0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      double v = 0.0;
      for (int64_t p = i; p < k; ++p)
        v += linv[size_t(p * k + i)] * linv[size_t(p * k + j)];
      inv[size_t(i * k + j)] = inv[size_t(j * k + i)] = v;
    }
  return inv;
}

} // namespace

llvm::Expected<QuantizedMatrix>
gptq(const float *w, int64_t n, int64_t k, unsigned bits, int64_t group,
     bool symmetric, const std::vector<double> &gram, double damp) {
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
  if (!cholesky(h, k))
    return llvm::createStringError("GPTQ: the damped Gram matrix is not "
                                   "positive definite");
  std::vector<double> inv = inverseFromCholesky(h, k);
  // U, the upper Cholesky factor of H^-1 (H^-1 = U^T U = L L^T, U = L^T):
  // row i of U distributes column i's error over the later columns.
  if (!cholesky(inv, k))
    return llvm::createStringError("GPTQ: H^-1 is not positive definite");
  const std::vector<double> &lower = inv;

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
  for (int64_t c = 0; c < k; ++c) {
    int64_t g = c / q.group;
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
      // Later columns j take err * U[c, j] = err * L[j, c].
      for (int64_t j = c + 1; j < k; ++j)
        weights[size_t(r * k + j)] -= err * lower[size_t(j * k + c)];
    }
  }
  return q;
}

} // namespace llmc::quantization
