//===- Kernels.cu - the cuda device's kernels ------------------*- CUDA -*-===//
//
// The kernels the cuda target compiles into an artifact's fatbin, one
// extern "C" instance per kernel and weight type. Activations are float32
// [T, features]; weights are float32, float16 or bfloat16 as the model
// stores them; every kernel accumulates in float32. These are the simple,
// correct versions the faster ones are checked against.
//
//===----------------------------------------------------------------------===//

#include "Common.cuh"

namespace {

/// The epilogue of a warp's dot product for output (r, row): bias, soft
/// cap, store (lane 0).
__device__ inline void storeDot(float acc, int lane, const float *bias,
                                float softcap, int row, int r, int n,
                                float *out) {
  if (lane != 0)
    return;
  if (bias)
    acc += bias[row];
  if (softcap > 0.0f)
    acc = softcap * tanhf(acc / softcap);
  out[(size_t)r * n + row] = acc;
}

/// out[t, n] = x[t, :] . w[n, :] (+ bias[n]), soft-capped when softcap > 0.
/// One warp per output feature n, all T tokens.
template <typename W>
__device__ void linear(const float *x, int t, int k, const W *w, int n,
                       const float *bias, float softcap, float *out) {
  int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
  int lane = threadIdx.x & 31;
  if (row >= n)
    return;
  const W *wr = w + (size_t)row * k;
  for (int r = 0; r < t; ++r) {
    const float *xr = x + (size_t)r * k;
    float acc = 0.0f;
    for (int c = lane; c < k; c += 32)
      acc += toFloat(wr[c]) * xr[c];
    storeDot(warpSum(acc), lane, bias, softcap, row, r, n, out);
  }
}

template <typename W>
__device__ void embedding(const W *table, int hidden, const int32_t *ids, int t,
                          float scale, float *out) {
  int r = blockIdx.x;
  if (r >= t)
    return;
  const W *row = table + (size_t)ids[r] * hidden;
  for (int j = threadIdx.x; j < hidden; j += blockDim.x)
    out[(size_t)r * hidden + j] = toFloat(row[j]) * scale;
}

/// The value of column c of a quantized row (row layout: value c at byte
/// c * bits / 8, low nibble first), as an integer.
__device__ inline int quantizedValue(const uint8_t *row, int c, int bits,
                                     int isSigned) {
  int v;
  if (bits == 4) {
    v = (row[c >> 1] >> ((c & 1) * 4)) & 0xF;
    if (isSigned && v >= 8)
      v -= 16;
  } else {
    v = isSigned ? (int)(int8_t)row[c] : (int)row[c];
  }
  return v;
}

} // namespace

#define LLMC_WEIGHT_INSTANCES(SUFFIX, W)                                       \
  extern "C" __global__ void llmc_linear_##SUFFIX(                             \
      const float *x, int t, int k, const W *w, int n, const float *bias,      \
      float softcap, float *out) {                                             \
    gridDependencyBegin();                                                     \
    linear<W>(x, t, k, w, n, bias, softcap, out);                              \
  }                                                                            \
  extern "C" __global__ void llmc_embedding_##SUFFIX(                          \
      const W *table, int hidden, const int32_t *ids, int t, float scale,      \
      float *out) {                                                            \
    gridDependencyBegin();                                                     \
    embedding<W>(table, hidden, ids, t, scale, out);                           \
  }

LLMC_WEIGHT_INSTANCES(f32, float)
LLMC_WEIGHT_INSTANCES(f16, __half)
LLMC_WEIGHT_INSTANCES(bf16, __nv_bfloat16)

/// As linear, with w = scale * q + offset per group (offsets null: none);
/// q 4-bit (two per byte, low nibble first) or 8-bit, signed or not. One
/// warp per output feature.
extern "C" __global__ void
llmc_linear_quantized(const float *x, int t, int k, const uint8_t *q, int bits,
                      int isSigned, const float *scales, const float *offsets,
                      int group, int n, const float *bias, float softcap,
                      float *out) {
  gridDependencyBegin();
  int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
  int lane = threadIdx.x & 31;
  if (row >= n)
    return;
  int groups = (k + group - 1) / group;
  size_t rowBytes = bits == 4 ? (size_t)(k + 1) / 2 : (size_t)k;
  const uint8_t *qr = q + (size_t)row * rowBytes;
  for (int r = 0; r < t; ++r) {
    const float *xr = x + (size_t)r * k;
    float acc = 0.0f;
    for (int c = lane; c < k; c += 32) {
      int v = quantizedValue(qr, c, bits, isSigned);
      int g = c / group;
      acc += (scales[(size_t)row * groups + g] * (float)v +
              (offsets ? offsets[(size_t)row * groups + g] : 0.0f)) *
             xr[c];
    }
    storeDot(warpSum(acc), lane, bias, softcap, row, r, n, out);
  }
}

/// out[n, k] = the quantized weight as 16-bit floats, for the GEMM that
/// runs prompts of quantized models. Grid (n, ceil(k / 256)), block 256.
template <typename W>
__device__ void dequantize(const uint8_t *q, int bits, int isSigned,
                           const float *scales, const float *offsets, int group,
                           int n, int k, W *out) {
  int row = blockIdx.x, c = blockIdx.y * blockDim.x + threadIdx.x;
  if (row >= n || c >= k)
    return;
  int groups = (k + group - 1) / group;
  size_t rowBytes = bits == 4 ? (size_t)(k + 1) / 2 : (size_t)k;
  size_t g = (size_t)row * groups + c / group;
  float w =
      scales[g] * (float)quantizedValue(q + row * rowBytes, c, bits, isSigned) +
      (offsets ? offsets[g] : 0.0f);
  out[(size_t)row * k + c] = fromFloat<W>(w);
}

/// out[i] = x[i] rounded to W: a prompt's activations for cuBLAS.
#define LLMC_CONVERT_INSTANCE(SUFFIX, W)                                       \
  extern "C" __global__ void llmc_convert_##SUFFIX(const float *x, size_t n,   \
                                                   W *out) {                   \
    gridDependencyBegin();                                                     \
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;                  \
    if (i < n)                                                                 \
      out[i] = fromFloat<W>(x[i]);                                             \
  }
LLMC_CONVERT_INSTANCE(f16, __half)
LLMC_CONVERT_INSTANCE(bf16, __nv_bfloat16)

#define LLMC_DEQUANTIZE_INSTANCE(SUFFIX, W)                                    \
  extern "C" __global__ void llmc_dequantize_##SUFFIX(                         \
      const uint8_t *q, int bits, int isSigned, const float *scales,           \
      const float *offsets, int group, int n, int k, W *out) {                 \
    gridDependencyBegin();                                                     \
    dequantize<W>(q, bits, isSigned, scales, offsets, group, n, k, out);       \
  }
LLMC_DEQUANTIZE_INSTANCE(f16, __half)
LLMC_DEQUANTIZE_INSTANCE(bf16, __nv_bfloat16)

/// One block per token. unitOffset: Gemma's (1 + w); no w: weights of 1
/// (a norm whose weights a linear step's matrices hold). A thread keeps its
/// first kNormCached values in registers, so every load is issued before
/// the reduction and the inputs are read once (features up to kNormCached
/// times the block size; the rest are read again).
constexpr int kNormCached = 16;
extern "C" __global__ void
llmc_rms_norm(const float *__restrict__ x, const float *__restrict__ residual,
              int f, const float *__restrict__ w, float eps, int unitOffset,
              float *__restrict__ out, float *__restrict__ sum) {
  // The norm's weights do not depend on the previous kernel: loaded before
  // the dependency wait, so that a decode step's one-block norm waits on
  // one round trip less.
  float g[kNormCached];
#pragma unroll
  for (int i = 0; i < kNormCached; ++i) {
    int j = threadIdx.x + i * blockDim.x;
    g[i] = j >= f ? 0.0f : !w ? 1.0f : unitOffset ? 1.0f + w[j] : w[j];
  }
  gridDependencyBegin();
  size_t base = (size_t)blockIdx.x * f;
  float v[kNormCached];
#pragma unroll
  for (int i = 0; i < kNormCached; ++i) {
    int j = threadIdx.x + i * blockDim.x;
    v[i] = j < f ? x[base + j] + (residual ? residual[base + j] : 0.0f) : 0.0f;
  }
  float ss = 0.0f;
#pragma unroll
  for (int i = 0; i < kNormCached; ++i)
    ss += v[i] * v[i];
  int cached = kNormCached * blockDim.x;
  for (int j = cached + threadIdx.x; j < f; j += blockDim.x) {
    float u = x[base + j] + (residual ? residual[base + j] : 0.0f);
    ss += u * u;
  }
  float inv = rsqrtf(blockSum(ss) / (float)f + eps);
#pragma unroll
  for (int i = 0; i < kNormCached; ++i) {
    int j = threadIdx.x + i * blockDim.x;
    if (j < f) {
      if (sum)
        sum[base + j] = v[i];
      out[base + j] = v[i] * inv * g[i];
    }
  }
  for (int j = cached + threadIdx.x; j < f; j += blockDim.x) {
    float u = x[base + j] + (residual ? residual[base + j] : 0.0f);
    if (sum)
      sum[base + j] = u;
    out[base + j] = u * inv * (!w ? 1.0f : unitOffset ? 1.0f + w[j] : w[j]);
  }
}

extern "C" __global__ void llmc_layer_norm(const float *x, int f,
                                           const float *w, const float *b,
                                           float eps, float *out) {
  gridDependencyBegin();
  size_t base = (size_t)blockIdx.x * f;
  float s = 0.0f;
  for (int j = threadIdx.x; j < f; j += blockDim.x)
    s += x[base + j];
  float mean = blockSum(s) / (float)f;
  float var = 0.0f;
  for (int j = threadIdx.x; j < f; j += blockDim.x) {
    float d = x[base + j] - mean;
    var += d * d;
  }
  float inv = rsqrtf(blockSum(var) / (float)f + eps);
  for (int j = threadIdx.x; j < f; j += blockDim.x)
    out[base + j] = (x[base + j] - mean) * inv * w[j] + (b ? b[j] : 0.0f);
}

/// One block per token, its threads over every head's pairs (a block per
/// head and token left prompts with tens of thousands of 64-thread blocks:
/// 53 us per launch at 2048 tokens on an H200); positions[r] selects the
/// table row.
extern "C" __global__ void llmc_rope(const float *x, int heads, int headDim,
                                     const int32_t *positions, const float *cos,
                                     const float *sin, int half,
                                     int interleaved, float *out) {
  gridDependencyBegin();
  int r = blockIdx.x;
  const float *xr = x + (size_t)r * heads * headDim;
  float *orow = out + (size_t)r * heads * headDim;
  const float *c = cos + (size_t)positions[r] * half;
  const float *s = sin + (size_t)positions[r] * half;
  for (int p = threadIdx.x; p < heads * half; p += blockDim.x) {
    int h = p / half, i = p - h * half;
    int a = interleaved ? 2 * i : i, b = interleaved ? 2 * i + 1 : i + half;
    const float *xh = xr + (size_t)h * headDim;
    float *oh = orow + (size_t)h * headDim;
    float xa = xh[a], xb = xh[b];
    oh[a] = xa * c[i] - xb * s[i];
    oh[b] = xb * c[i] + xa * s[i];
  }
  int rest = headDim - 2 * half;
  for (int p = threadIdx.x; p < heads * rest; p += blockDim.x) {
    int h = p / rest, i = 2 * half + (p - h * rest);
    orow[(size_t)h * headDim + i] = xr[(size_t)h * headDim + i];
  }
}

/// The index of the first of the largest of x[0 .. n), as the host's
/// greedy sampling (std::max_element) picks it, in thread 0 (the others
/// return -1); one block of up to 1024 threads.
__device__ int blockArgmax(const float *x, int n) {
  float best = -INFINITY;
  int at = 0x7fffffff;
  // Sixteen loads in flight per thread: one at a time, each compared
  // before the next was issued, made a 128K vocabulary a chain of 125 L2
  // round trips. Each thread still sees its indices in increasing order.
  constexpr int kAhead = 16;
  int stride = int(blockDim.x);
  for (int base = threadIdx.x; base < n; base += kAhead * stride) {
    float v[kAhead];
#pragma unroll
    for (int j = 0; j < kAhead; ++j) {
      int i = base + j * stride;
      v[j] = i < n ? x[i] : -INFINITY;
    }
#pragma unroll
    for (int j = 0; j < kAhead; ++j)
      if (v[j] > best) {
        best = v[j];
        at = base + j * stride;
      }
  }
  __shared__ float bests[32];
  __shared__ int ats[32];
  for (int round = 0; round < 2; ++round) {
    for (int offset = 16; offset > 0; offset >>= 1) {
      float b = __shfl_xor_sync(0xffffffffu, best, offset);
      int a = __shfl_xor_sync(0xffffffffu, at, offset);
      if (b > best || (b == best && a < at)) {
        best = b;
        at = a;
      }
    }
    if (round == 1)
      break;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) {
      bests[warp] = best;
      ats[warp] = at;
    }
    __syncthreads();
    if (warp != 0)
      return -1;
    int warps = (blockDim.x + 31) >> 5;
    best = lane < warps ? bests[lane] : -INFINITY;
    at = lane < warps ? ats[lane] : 0x7fffffff;
  }
  if (threadIdx.x != 0)
    return -1;
  return at == 0x7fffffff ? 0 : at;
}

/// out[0] = the greedy next id of the logits x[0 .. n); one block of 1024.
extern "C" __global__ void __launch_bounds__(1024)
    llmc_argmax(const float *x, int n, int32_t *out) {
  gridDependencyBegin();
  int id = blockArgmax(x, n);
  if (threadIdx.x == 0)
    out[0] = id;
}

/// As llmc_argmax, and feeds the id back as the next one-token step's
/// input: ids[0] = id and positions[0] += 1, so that the step can be
/// replayed without the host (decoding ahead), and ring[position & 1] = id
/// in pinned host memory, where the host reads it once the step is done
/// (the slot of the step after, running by then, is the other one).
extern "C" __global__ void __launch_bounds__(1024)
    llmc_argmax_next(const float *x, int n, int32_t *out, int32_t *ids,
                     int32_t *positions, int32_t *ring) {
  gridDependencyBegin();
  int id = blockArgmax(x, n);
  if (threadIdx.x != 0)
    return;
  int position = positions[0];
  out[0] = id;
  ids[0] = id;
  positions[0] = position + 1;
  ring[position & 1] = id;
}

/// Writes the T new tokens' keys and values at their positions in the
/// layer's cache ([capacity, kvHeads * headDim] float32 each).
extern "C" __global__ void llmc_kv_append(const float *k, const float *v,
                                          int row, const int32_t *positions,
                                          float *keys, float *values) {
  gridDependencyBegin();
  int r = blockIdx.x;
  size_t at = (size_t)positions[r] * row;
  for (int j = threadIdx.x; j < row; j += blockDim.x) {
    keys[at + j] = k[(size_t)r * row + j];
    values[at + j] = v[(size_t)r * row + j];
  }
}

/// One block per (token, head): scores over the visible positions in
/// dynamic shared memory (positions[r] + 1 floats at most), softmax, then
/// the weighted sum of values.
extern "C" __global__ void
llmc_attention(const float *q, int heads, int kvHeads, int headDim,
               const int32_t *positions, const float *keys, const float *values,
               float scale, int window, float softcap, float *out) {
  gridDependencyBegin();
  extern __shared__ float scores[];
  int r = blockIdx.x / heads, h = blockIdx.x % heads;
  int kvh = h / (heads / kvHeads);
  int last = positions[r];
  int first = window > 0 ? max(0, last - window + 1) : 0;
  int count = last - first + 1;
  int row = kvHeads * headDim;
  const float *qh = q + ((size_t)r * heads + h) * headDim;
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  for (int p = warp; p < count; p += warps) {
    const float *kp = keys + (size_t)(first + p) * row + kvh * headDim;
    float s = 0.0f;
    for (int d = lane; d < headDim; d += 32)
      s += qh[d] * kp[d];
    s = warpSum(s) * scale;
    if (softcap > 0.0f)
      s = softcap * tanhf(s / softcap);
    if (lane == 0)
      scores[p] = s;
  }
  __syncthreads();
  float best = -INFINITY;
  for (int p = threadIdx.x; p < count; p += blockDim.x)
    best = fmaxf(best, scores[p]);
  best = blockMax(best);
  float total = 0.0f;
  for (int p = threadIdx.x; p < count; p += blockDim.x) {
    float e = __expf(scores[p] - best);
    scores[p] = e;
    total += e;
  }
  total = blockSum(total);
  float *oh = out + ((size_t)r * heads + h) * headDim;
  for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
    float acc = 0.0f;
    for (int p = 0; p < count; ++p)
      acc += scores[p] * values[(size_t)(first + p) * row + kvh * headDim + d];
    oh[d] = acc / total;
  }
}

extern "C" __global__ void llmc_slice(const float *x, int t, int f, int offset,
                                      int size, float *out) {
  gridDependencyBegin();
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i < (size_t)t * size)
    out[i] = x[(i / size) * f + offset + i % size];
}

/// Elementwise: op 0 silu, 1 gelu erf, 2 gelu tanh, 3 scale, 4 add, 5 mul,
/// 6 glu silu, 7 glu gelu tanh, 8 glu gelu erf.
extern "C" __global__ void llmc_elementwise(const float *a, const float *b,
                                            size_t n, int op, float factor,
                                            float *out) {
  gridDependencyBegin();
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  float x = a[i];
  switch (op) {
  case 0:
    out[i] = siluOf(x);
    break;
  case 1:
    out[i] = geluErf(x);
    break;
  case 2:
    out[i] = geluTanh(x);
    break;
  case 3:
    out[i] = x * factor;
    break;
  case 4:
    out[i] = x + b[i];
    break;
  case 5:
    out[i] = x * b[i];
    break;
  case 6:
    out[i] = siluOf(x) * b[i];
    break;
  case 7:
    out[i] = geluTanh(x) * b[i];
    break;
  default:
    out[i] = geluErf(x) * b[i];
    break;
  }
}
