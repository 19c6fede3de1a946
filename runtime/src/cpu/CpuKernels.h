//===- CpuKernels.h - the cpu device's kernels ------------------*- C++ -*-===//
//
// One function per plan kernel, over float32 activations of T rows. Matrix
// products go to BLAS (OpenBLAS from Debian); the rest are plain loops,
// parallel over rows or heads.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_CPU_CPUKERNELS_H
#define LLMC_RUNTIME_CPU_CPUKERNELS_H

#include "cpu/ThreadPool.h"
#include "plan/Plan.h"

#include <cstdint>

namespace llmc::cpu {

void embedding(const float *table, int64_t hidden, const int32_t *ids,
               int64_t t, float scale, float *out);

/// out[T, N] = x[T, K] * w[N, K]^T (+ bias), then softcap when > 0.
void linear(ThreadPool &pool, const float *x, int64_t t, int64_t k,
            const float *w, int64_t n, const float *bias, float softcap,
            float *out);

/// As linear, with w = scale * q + offset per row and group of `group`
/// input features; q is `type` (4-bit packed two per byte, low nibble
/// first, or 8-bit).
void linearQuantized(ThreadPool &pool, const float *x, int64_t t, int64_t k,
                     const uint8_t *q, plan::DType type, const float *scales,
                     const float *offsets, int64_t group, int64_t n,
                     const float *bias, float softcap, float *out);

/// out = x / rms(x) * w (or * (1 + w)); a null w counts as all ones.
void rmsNorm(ThreadPool &pool, const float *x, int64_t t, int64_t f,
             const float *w, float eps, bool unitOffset, float *out);
/// sum = x + residual; out = rmsNorm(sum).
void addRmsNorm(ThreadPool &pool, const float *x, const float *residual,
                int64_t t, int64_t f, const float *w, float eps,
                bool unitOffset, float *out, float *sum);
void layerNorm(ThreadPool &pool, const float *x, int64_t t, int64_t f,
               const float *w, const float *b, float eps, float *out);

/// Rotates the first 2 * half dims of each head by the angles at each
/// token's position; cos and sin are [maxPositions, half].
void rope(const float *x, int64_t t, int64_t heads, int64_t headDim,
          const int32_t *positions, const float *cos, const float *sin,
          int64_t half, bool interleaved, float *out);

void slice(const float *x, int64_t t, int64_t f, int64_t offset, int64_t size,
           float *out);
void silu(const float *x, int64_t n, float *out);
void gelu(const float *x, int64_t n, bool tanhApproximation, float *out);
/// out = act(gate) * up, act one of "silu", "gelu_tanh", "gelu_erf".
void glu(const float *gate, const float *up, int64_t n, int activation,
         float *out);
void scale(const float *x, int64_t n, float factor, float *out);
void add(const float *a, const float *b, int64_t n, float *out);
void mul(const float *a, const float *b, int64_t n, float *out);

} // namespace llmc::cpu

#endif // LLMC_RUNTIME_CPU_CPUKERNELS_H
