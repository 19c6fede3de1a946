//===- CpuKernels.cpp - the cpu device's kernels --------------------------===//

#include "cpu/CpuKernels.h"

#include <cblas.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace llmc::cpu {
namespace {

float geluErf(float x) { return 0.5f * x * (1.0f + std::erf(x * 0.70710678f)); }
float geluTanh(float x) {
  return 0.5f * x *
         (1.0f + std::tanh(0.7978845608f * (x + 0.044715f * x * x * x)));
}
float siluOf(float x) { return x / (1.0f + std::exp(-x)); }

void applyBiasAndSoftcap(float *out, int64_t t, int64_t n, const float *bias,
                         float softcap) {
  if (!bias && softcap <= 0)
    return;
  for (int64_t r = 0; r < t; ++r) {
    float *row = out + r * n;
    if (bias)
      for (int64_t j = 0; j < n; ++j)
        row[j] += bias[j];
    if (softcap > 0)
      for (int64_t j = 0; j < n; ++j)
        row[j] = softcap * std::tanh(row[j] / softcap);
  }
}

} // namespace

void embedding(const float *table, int64_t hidden, const int32_t *ids,
               int64_t t, float scale, float *out) {
  for (int64_t r = 0; r < t; ++r) {
    const float *row = table + int64_t(ids[r]) * hidden;
    float *o = out + r * hidden;
    for (int64_t j = 0; j < hidden; ++j)
      o[j] = row[j] * scale;
  }
}

void linear(ThreadPool &pool, const float *x, int64_t t, int64_t k,
            const float *w, int64_t n, const float *bias, float softcap,
            float *out) {
  (void)pool;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(t), int(n), int(k),
              1.0f, x, int(k), w, int(k), 0.0f, out, int(n));
  applyBiasAndSoftcap(out, t, n, bias, softcap);
}

void linearQuantized(ThreadPool &pool, const float *x, int64_t t, int64_t k,
                     const uint8_t *q, plan::DType type, const float *scales,
                     const float *offsets, int64_t group, int64_t n,
                     const float *bias, float softcap, float *out) {
  int64_t groups = (k + group - 1) / group;
  // Sums of x over each group, for the offsets' share of each dot product
  // (null offsets: none).
  std::vector<float> groupSums(offsets ? size_t(t * groups) : 0, 0.0f);
  if (offsets)
    for (int64_t r = 0; r < t; ++r)
      for (int64_t c = 0; c < k; ++c)
        groupSums[size_t(r * groups + c / group)] += x[r * k + c];
  bool four = type == plan::DType::I4 || type == plan::DType::U4;
  bool isSigned = type == plan::DType::I4 || type == plan::DType::I8;
  int64_t rowBytes = four ? (k + 1) / 2 : k;
  pool.parallelFor(n, [&](int64_t begin, int64_t end) {
    std::vector<float> values(static_cast<size_t>(k));
    for (int64_t row = begin; row < end; ++row) {
      const uint8_t *bytes = q + row * rowBytes;
      for (int64_t c = 0; c < k; ++c) {
        int v;
        if (four) {
          v = (bytes[c / 2] >> ((c & 1) * 4)) & 0xF;
          if (isSigned && v >= 8)
            v -= 16;
        } else {
          v = isSigned ? int(int8_t(bytes[c])) : int(bytes[c]);
        }
        values[size_t(c)] = float(v);
      }
      for (int64_t r = 0; r < t; ++r) {
        const float *xr = x + r * k;
        float acc = 0.0f;
        for (int64_t g = 0; g < groups; ++g) {
          int64_t lo = g * group, hi = std::min(k, lo + group);
          float dot = 0.0f;
          for (int64_t c = lo; c < hi; ++c)
            dot += values[size_t(c)] * xr[c];
          acc += scales[row * groups + g] * dot;
          if (offsets)
            acc +=
                offsets[row * groups + g] * groupSums[size_t(r * groups + g)];
        }
        out[r * n + row] = acc;
      }
    }
  });
  applyBiasAndSoftcap(out, t, n, bias, softcap);
}

void rmsNorm(ThreadPool &pool, const float *x, int64_t t, int64_t f,
             const float *w, float eps, bool unitOffset, float *out) {
  pool.parallelFor(t, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float *xr = x + r * f;
      double ss = 0;
      for (int64_t j = 0; j < f; ++j)
        ss += double(xr[j]) * xr[j];
      float inv = float(1.0 / std::sqrt(ss / double(f) + eps));
      float *o = out + r * f;
      for (int64_t j = 0; j < f; ++j)
        o[j] = xr[j] * inv * (!w ? 1.0f : unitOffset ? 1.0f + w[j] : w[j]);
    }
  });
}

void addRmsNorm(ThreadPool &pool, const float *x, const float *residual,
                int64_t t, int64_t f, const float *w, float eps,
                bool unitOffset, float *out, float *sum) {
  add(x, residual, t * f, sum);
  rmsNorm(pool, sum, t, f, w, eps, unitOffset, out);
}

void layerNorm(ThreadPool &pool, const float *x, int64_t t, int64_t f,
               const float *w, const float *b, float eps, float *out) {
  pool.parallelFor(t, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float *xr = x + r * f;
      double mean = 0, var = 0;
      for (int64_t j = 0; j < f; ++j)
        mean += xr[j];
      mean /= double(f);
      for (int64_t j = 0; j < f; ++j)
        var += (xr[j] - mean) * (xr[j] - mean);
      float inv = float(1.0 / std::sqrt(var / double(f) + eps));
      float *o = out + r * f;
      for (int64_t j = 0; j < f; ++j)
        o[j] = float(xr[j] - mean) * inv * w[j] + (b ? b[j] : 0.0f);
    }
  });
}

void rope(const float *x, int64_t t, int64_t heads, int64_t headDim,
          const int32_t *positions, const float *cos, const float *sin,
          int64_t half, bool interleaved, float *out) {
  for (int64_t r = 0; r < t; ++r) {
    const float *c = cos + int64_t(positions[r]) * half;
    const float *s = sin + int64_t(positions[r]) * half;
    for (int64_t h = 0; h < heads; ++h) {
      const float *xh = x + (r * heads + h) * headDim;
      float *oh = out + (r * heads + h) * headDim;
      for (int64_t i = 0; i < half; ++i) {
        int64_t a = interleaved ? 2 * i : i;
        int64_t b = interleaved ? 2 * i + 1 : i + half;
        float xa = xh[a], xb = xh[b];
        oh[a] = xa * c[i] - xb * s[i];
        oh[b] = xb * c[i] + xa * s[i];
      }
      for (int64_t i = 2 * half; i < headDim; ++i)
        oh[i] = xh[i];
    }
  }
}

void slice(const float *x, int64_t t, int64_t f, int64_t offset, int64_t size,
           float *out) {
  for (int64_t r = 0; r < t; ++r)
    std::memmove(out + r * size, x + r * f + offset, size_t(size) * 4);
}

void silu(const float *x, int64_t n, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = siluOf(x[i]);
}

void gelu(const float *x, int64_t n, bool tanhApproximation, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = tanhApproximation ? geluTanh(x[i]) : geluErf(x[i]);
}

void glu(const float *gate, const float *up, int64_t n, int activation,
         float *out) {
  for (int64_t i = 0; i < n; ++i) {
    float g = activation == 0   ? siluOf(gate[i])
              : activation == 1 ? geluTanh(gate[i])
                                : geluErf(gate[i]);
    out[i] = g * up[i];
  }
}

void scale(const float *x, int64_t n, float factor, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = x[i] * factor;
}

void add(const float *a, const float *b, int64_t n, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = a[i] + b[i];
}

void mul(const float *a, const float *b, int64_t n, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = a[i] * b[i];
}

} // namespace llmc::cpu
