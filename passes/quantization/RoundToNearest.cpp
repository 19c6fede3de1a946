//===- RoundToNearest.cpp - group-wise integer quantization ---------------===//

#include "passes/quantization/RoundToNearest.h"

#include <algorithm>
#include <cmath>

namespace llmc::quantization {

float QuantizedMatrix::dequantized(int64_t row, int64_t column) const {
  int64_t g = row * groups() + column / group;
  float zero = zeroPoints.empty() ? 0.0f : float(zeroPoints[size_t(g)]);
  return scales[size_t(g)] * (float(values[size_t(row * k + column)]) - zero);
}

QuantizedMatrix roundToNearest(const float *w, int64_t n, int64_t k,
                               unsigned bits, int64_t group, bool symmetric) {
  QuantizedMatrix q;
  q.n = n;
  q.k = k;
  q.group = group <= 0 || group > k ? k : group;
  int64_t groups = q.groups();
  q.values.resize(size_t(n * k));
  q.scales.resize(size_t(n * groups));
  if (!symmetric)
    q.zeroPoints.resize(size_t(n * groups));
  const int32_t high = symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  const int32_t low = symmetric ? -(1 << (bits - 1)) : 0;
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t g = 0; g < groups; ++g) {
      int64_t begin = g * q.group, end = std::min(k, begin + q.group);
      const float *row = w + r * k;
      float lo = 0.0f, hi = 0.0f, amax = 0.0f;
      for (int64_t c = begin; c < end; ++c) {
        lo = std::min(lo, row[c]);
        hi = std::max(hi, row[c]);
        amax = std::max(amax, std::fabs(row[c]));
      }
      float scale;
      int32_t zero = 0;
      if (symmetric) {
        scale = amax / float(high);
      } else {
        // The range always holds 0, so that zero is exactly representable.
        scale = (hi - lo) / float(high);
        zero = scale > 0.0f
                   ? std::clamp(int32_t(std::lround(-lo / scale)), 0, high)
                   : 0;
      }
      if (!(scale > 0.0f))
        scale = 1.0f; // an all-zero group: any scale gives zeros
      size_t at = size_t(r * groups + g);
      q.scales[at] = scale;
      if (!symmetric)
        q.zeroPoints[at] = zero;
      for (int64_t c = begin; c < end; ++c)
        q.values[size_t(r * k + c)] =
            std::clamp(int32_t(std::lround(row[c] / scale)) + zero, low, high);
    }
  }
  return q;
}

QuantizedMatrix roundToNearestClipped(const float *w, int64_t n, int64_t k,
                                      unsigned bits, int64_t group,
                                      bool symmetric,
                                      const std::vector<double> &importance) {
  QuantizedMatrix q = roundToNearest(w, n, k, bits, group, symmetric);
  int64_t groups = q.groups();
  const int32_t high = symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  const int32_t low = symmetric ? -(1 << (bits - 1)) : 0;
  for (int64_t r = 0; r < n; ++r)
    for (int64_t g = 0; g < groups; ++g) {
      int64_t begin = g * q.group, end = std::min(k, begin + q.group);
      const float *row = w + r * k;
      size_t at = size_t(r * groups + g);
      float full = q.scales[at], lo = 0.0f;
      for (int64_t c = begin; c < end; ++c)
        lo = std::min(lo, row[c]);
      double best = -1.0;
      for (int step = 0; step <= 5; ++step) {
        float scale = full * (1.0f - 0.05f * float(step));
        int32_t zero =
            symmetric ? 0
                      : std::clamp(int32_t(std::lround(-lo / scale)), 0, high);
        double error = 0.0;
        for (int64_t c = begin; c < end; ++c) {
          int32_t v = std::clamp(int32_t(std::lround(row[c] / scale)) + zero,
                                 low, high);
          double d = double(row[c]) - double(scale) * double(v - zero);
          error += importance[size_t(c)] * d * d;
        }
        if (best < 0.0 || error < best) {
          best = error;
          q.scales[at] = scale;
          if (!symmetric)
            q.zeroPoints[at] = zero;
          for (int64_t c = begin; c < end; ++c)
            q.values[size_t(r * k + c)] = std::clamp(
                int32_t(std::lround(row[c] / scale)) + zero, low, high);
        }
      }
    }
  return q;
}

} // namespace llmc::quantization
