//===- Awq.cpp - activation-aware per-channel weight scaling --------------===//

#include "passes/quantization/Awq.h"

#include <algorithm>
#include <cmath>

namespace llmc::quantization {
namespace {

/// tr(E H E^T) for E = W - dequant(Q) diag(1/s).
double outputError(const AwqMember &m, int64_t k, const QuantizedMatrix &q,
                   const std::vector<float> &s, const std::vector<double> &h) {
  std::vector<double> e(static_cast<size_t>(k));
  double total = 0.0;
  for (int64_t r = 0; r < m.n; ++r) {
    for (int64_t c = 0; c < k; ++c)
      e[size_t(c)] =
          double(m.w[size_t(r * k + c)]) - q.dequantized(r, c) / s[size_t(c)];
    double row = 0.0;
    for (int64_t i = 0; i < k; ++i) {
      double v = 0.0;
      const double *hi = h.data() + i * k;
      for (int64_t j = 0; j < k; ++j)
        v += hi[j] * e[size_t(j)];
      row += e[size_t(i)] * v;
    }
    total += row;
  }
  return total;
}

} // namespace

AwqResult awq(const std::vector<AwqMember> &members, int64_t k, unsigned bits,
              int64_t group, bool symmetric, const std::vector<double> &gram,
              int64_t rows) {
  // The channels' RMS activation.
  std::vector<double> activation(static_cast<size_t>(k));
  for (int64_t c = 0; c < k; ++c)
    activation[size_t(c)] = std::sqrt(std::max(gram[size_t(c * k + c)], 0.0) /
                                      double(std::max<int64_t>(rows, 1))) +
                            1e-8;
  AwqResult best;
  std::vector<float> scaled;
  for (int step = 0; step <= 10; ++step) {
    double alpha = 0.1 * step;
    std::vector<float> s(static_cast<size_t>(k));
    double lo = INFINITY, hi = 0.0;
    for (int64_t c = 0; c < k; ++c) {
      double v = std::pow(activation[size_t(c)], alpha);
      s[size_t(c)] = float(v);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    // Normalized so that the scales straddle 1.
    double norm = std::sqrt(lo * hi);
    for (float &v : s)
      v = float(double(v) / norm);
    AwqResult candidate;
    candidate.alpha = alpha;
    candidate.scales = s;
    for (const AwqMember &m : members) {
      scaled.assign(m.w, m.w + m.n * k);
      for (int64_t r = 0; r < m.n; ++r)
        for (int64_t c = 0; c < k; ++c)
          scaled[size_t(r * k + c)] *= s[size_t(c)];
      // The scaled weights' columns matter by their scaled-down inputs'
      // power: H[c, c] / s[c]^2.
      std::vector<double> importance(static_cast<size_t>(k));
      for (int64_t c = 0; c < k; ++c)
        importance[size_t(c)] =
            gram[size_t(c * k + c)] / (double(s[size_t(c)]) * s[size_t(c)]);
      candidate.quantized.push_back(roundToNearestClipped(
          scaled.data(), m.n, k, bits, group, symmetric, importance));
      candidate.error += outputError(m, k, candidate.quantized.back(), s, gram);
    }
    if (step == 0)
      best.errorRtn = candidate.error;
    if (step == 0 || candidate.error < best.error) {
      double rtn = best.errorRtn;
      best = std::move(candidate);
      best.errorRtn = rtn;
    }
  }
  return best;
}

} // namespace llmc::quantization
