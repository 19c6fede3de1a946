//===- Gemv.cu - linear layers for a few tokens ----------------*- CUDA -*-===//
//
// Decode reads every weight once per token, so these kernels are built to
// stream 16-bit weights at the memory's bandwidth: one warp per output row,
// each lane loading 16 bytes (8 weights) at a time, four loads in flight
// and the next four issued before the current ones are multiplied,
// the float32 activations of up to Tokens tokens read through L1,
// and float32 accumulation. One launch covers up to three weight matrices
// that read the same input (a fused QKV projection), or a gate and an up
// matrix whose rows are combined by the activation (a fused gated MLP: a
// block's warps 0-3 stream four gate rows and warps 4-7 the same up rows).
//
// A step may fuse an RMS norm of its input (llmc-fuse-norm-linear); the
// compiler has multiplied the matrices' columns by the norm's weights, so
// the *_norm instances only sum the squares of the activations each lane
// reads anyway, and the warp scales its dot product by 1 / sqrt(mean + eps)
// of the row. (Multiplying by the norm's weights here instead, read through
// L1 like the activations, cost 1B decode 13%: the L1 pipe, not DRAM, was
// then the limit.) A step may also fuse a residual
// (llmc-fuse-residual-linear), added to matrix 0's outputs.
//
// Launch: block 256, no dynamic shared memory; grid ceil(rows / 8) where
// rows is n[0] + n[1] + n[2], or gated ceil(n[0] / 4). Requires k % 8 == 0
// and 16-byte aligned rows; the runtime uses llmc_linear_* otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_KERNELS_GEMV_CU
#define LLMC_KERNELS_GEMV_CU

#include "Common.cuh"

/// The arguments of one launch, passed by value.
struct GemvArgs {
  const float *x;        ///< [t, k]
  int t, k;              ///< t <= the kernel's Tokens
  const void *w[3];      ///< [n[i], k] each
  const float *bias[3];  ///< [n[i]] or null
  float *out[3];         ///< [t, n[i]]
  int n[3];              ///< rows per matrix (0: unused)
  float softcap;         ///< > 0: softcap * tanh(acc / softcap)
  int activation;        ///< gated: 0 silu, 1 gelu tanh, 2 gelu erf
  const float *residual; ///< [t, n[0]] added to out[0], or null
  float normEpsilon;     ///< the fused norm's (_norm kernels)
  int unused;
};
static_assert(sizeof(GemvArgs) == 128, "the runtime's copy has this size");

namespace {

/// Two 16-bit weights packed in a word, as floats.
__device__ inline float2 unpack(uint32_t word, __nv_bfloat16) {
  return make_float2(__uint_as_float(word << 16),
                     __uint_as_float(word & 0xffff0000u));
}
__device__ inline float2 unpack(uint32_t word, __half) {
  __half2 h = *reinterpret_cast<__half2 *>(&word);
  return __half22float2(h);
}

/// acc[r] += the 8 weights in `chunk` . x[r, c .. c + 8).
template <typename W, int Tokens>
__device__ inline void dot8(uint4 chunk, const float *x, int t, int k, int c,
                            float *acc) {
  float2 w0 = unpack(chunk.x, W()), w1 = unpack(chunk.y, W()),
         w2 = unpack(chunk.z, W()), w3 = unpack(chunk.w, W());
#pragma unroll
  for (int r = 0; r < Tokens; ++r) {
    if (r >= t)
      break;
    const float4 *xr = reinterpret_cast<const float4 *>(x + (size_t)r * k + c);
    float4 a = __ldg(xr), b = __ldg(xr + 1);
    acc[r] += w0.x * a.x + w0.y * a.y + w1.x * a.z + w1.y * a.w + w2.x * b.x +
              w2.y * b.y + w3.x * b.z + w3.y * b.w;
  }
}

/// dot8, and squares[r] += the squares of x[r, c .. c + 8) (a fused norm).
template <typename W, int Tokens>
__device__ inline void dot8Squares(uint4 chunk, const float *x, int t, int k,
                                   int c, float *acc, float *squares) {
  float2 w0 = unpack(chunk.x, W()), w1 = unpack(chunk.y, W()),
         w2 = unpack(chunk.z, W()), w3 = unpack(chunk.w, W());
#pragma unroll
  for (int r = 0; r < Tokens; ++r) {
    if (r >= t)
      break;
    const float4 *xr = reinterpret_cast<const float4 *>(x + (size_t)r * k + c);
    float4 a = __ldg(xr), b = __ldg(xr + 1);
    acc[r] += w0.x * a.x + w0.y * a.y + w1.x * a.z + w1.y * a.w + w2.x * b.x +
              w2.y * b.y + w3.x * b.z + w3.y * b.w;
    squares[r] += a.x * a.x + a.y * a.y + a.z * a.z + a.w * a.w + b.x * b.x +
                  b.y * b.y + b.z * b.z + b.w * b.w;
  }
}

/// Row i's dot8 of one chunk; with Norm, row 0's also sums the squares.
template <typename W, int Tokens, bool Norm>
__device__ inline void rowDot8(int i, uint4 chunk, const float *x, int t, int k,
                               int c, float *acc, float *squares) {
  if constexpr (Norm) {
    if (i == 0) {
      dot8Squares<W, Tokens>(chunk, x, t, k, c, acc, squares);
      return;
    }
  }
  dot8<W, Tokens>(chunk, x, t, k, c, acc);
}

/// One warp's dot products of Rows weight rows with every token (with
/// Norm, and the sums of the squares of each token's activations, into
/// `squares`). Each lane keeps Rows * Unroll 16-byte loads in flight and
/// issues the next step's loads before it multiplies the current ones.
/// (Measured on an H200, 8B decode shapes: an L2 prefetch of the rows
/// before the dependency wait, as this kernel used to do, cost 20% of the
/// bandwidth; issuing the next loads first gained 5%; issuing the first
/// loads before the dependency wait gained nothing: 8B token matrices
/// 4015 -> 4040 us.)
template <typename W, int Tokens, int Rows, int Unroll, bool Norm>
__device__ inline void rowsDot(const W *const (&wr)[Rows], const float *x,
                               int t, int k, int lane,
                               float (&acc)[Rows][Tokens], float *squares) {
  constexpr int Step = Unroll * 256;
  int full = k / Step * Step, c = lane * 8;
  if (full > 0) {
    uint4 cur[Rows][Unroll];
#pragma unroll
    for (int u = 0; u < Unroll; ++u)
#pragma unroll
      for (int i = 0; i < Rows; ++i)
        cur[i][u] = loadStreaming(wr[i] + c + u * 256);
    for (; c < full; c += Step) {
      bool more = c + Step < full;
      uint4 next[Rows][Unroll];
      if (more)
#pragma unroll
        for (int u = 0; u < Unroll; ++u)
#pragma unroll
          for (int i = 0; i < Rows; ++i)
            next[i][u] = loadStreaming(wr[i] + c + Step + u * 256);
#pragma unroll
      for (int u = 0; u < Unroll; ++u)
#pragma unroll
        for (int i = 0; i < Rows; ++i)
          rowDot8<W, Tokens, Norm>(i, cur[i][u], x, t, k, c + u * 256, acc[i],
                                   squares);
      if (more)
#pragma unroll
        for (int u = 0; u < Unroll; ++u)
#pragma unroll
          for (int i = 0; i < Rows; ++i)
            cur[i][u] = next[i][u];
    }
  }
  for (; c < k; c += 256)
#pragma unroll
    for (int i = 0; i < Rows; ++i)
      rowDot8<W, Tokens, Norm>(i, loadStreaming(wr[i] + c), x, t, k, c, acc[i],
                               squares);
#pragma unroll
  for (int i = 0; i < Rows; ++i)
#pragma unroll
    for (int r = 0; r < Tokens; ++r)
      acc[i][r] = warpSum(acc[i][r]);
  if constexpr (Norm)
#pragma unroll
    for (int r = 0; r < Tokens; ++r)
      squares[r] = warpSum(squares[r]);
}

/// One row's rowsDot, four loads in flight per lane. (Eight, for short
/// rows, measured 3% faster on the 1B shape, but a kernel holding both
/// paths needs 98 registers instead of 64, half the resident blocks, and
/// lost 10% on the 8B shape.)
template <typename W, int Tokens, bool Norm>
__device__ inline void rowDot(const W *wr, const float *x, int t, int k,
                              int lane, float (&acc)[1][Tokens],
                              float *squares) {
  const W *rows[1] = {wr};
  rowsDot<W, Tokens, 1, 4, Norm>(rows, x, t, k, lane, acc, squares);
}

/// The factor a Norm launch scales token r's dot products by (1 without a
/// norm), from the squares rowsDot summed over the whole row.
template <bool Norm>
__device__ inline float normFactor(const GemvArgs &a, const float *squares,
                                   int r) {
  if constexpr (Norm)
    return rsqrtf(squares[r] / a.k + a.normEpsilon);
  return 1.0f;
}

template <typename W, int Tokens, bool Norm, bool Residual>
__device__ void gemvSegments(const GemvArgs &a) {
  int row = blockIdx.x * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  // Selected with conditionals, not an index, so that the arguments stay in
  // the constant bank instead of being copied to local memory.
  int n = a.n[0];
  const void *w = a.w[0];
  const float *bias = a.bias[0];
  float *out = a.out[0];
  bool first = true; // matrix 0, the one a residual is added to
  if (row >= n) {
    first = false;
    row -= n;
    bool second = row < a.n[1];
    if (!second)
      row -= a.n[1];
    if (!second && row >= a.n[2])
      return;
    n = second ? a.n[1] : a.n[2];
    w = second ? a.w[1] : a.w[2];
    bias = second ? a.bias[1] : a.bias[2];
    out = second ? a.out[1] : a.out[2];
  }
  gridDependencyBegin();
  float acc[1][Tokens] = {};
  float squares[Tokens] = {};
  rowDot<W, Tokens, Norm>(static_cast<const W *>(w) + row * (size_t)a.k, a.x,
                          a.t, a.k, lane, acc, squares);
  if (lane != 0)
    return;
  float b = bias ? bias[row] : 0.0f;
#pragma unroll
  for (int r = 0; r < Tokens; ++r) {
    if (r >= a.t)
      break;
    float v = acc[0][r] * normFactor<Norm>(a, squares, r) + b;
    if (a.softcap > 0.0f)
      v = a.softcap * tanhf(v / a.softcap);
    if constexpr (Residual)
      if (first)
        v += a.residual[(size_t)r * n + row];
    out[(size_t)r * n + row] = v;
  }
}

/// The gated GEMV: warps 0-3 compute gate rows 4b .. 4b + 3 and warps 4-7
/// the same up rows, so each warp streams one row, as the plain GEMV does
/// (measured faster than one warp streaming both); the block combines them
/// through shared memory. Grid ceil(n / 4), block 256.
template <typename W, int Tokens, bool Norm>
__device__ void gemvGated(const GemvArgs &a) {
  __shared__ float up[4][Tokens];
  int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int which = warp >> 2, row = blockIdx.x * 4 + (warp & 3);
  bool valid = row < a.n[0];
  const W *w = static_cast<const W *>(which ? a.w[1] : a.w[0]);
  gridDependencyBegin();
  float acc[1][Tokens] = {};
  float squares[Tokens] = {};
  if (valid)
    rowDot<W, Tokens, Norm>(w + row * (size_t)a.k, a.x, a.t, a.k, lane, acc,
                            squares);
  if (which == 1 && lane == 0)
#pragma unroll
    for (int r = 0; r < Tokens; ++r)
      up[warp & 3][r] = acc[0][r] * normFactor<Norm>(a, squares, r) +
                        (valid && a.bias[1] ? a.bias[1][row] : 0.0f);
  __syncthreads();
  if (which == 1 || lane != 0 || !valid)
    return;
#pragma unroll
  for (int r = 0; r < Tokens; ++r) {
    if (r >= a.t)
      break;
    float g = acc[0][r] * normFactor<Norm>(a, squares, r) +
              (a.bias[0] ? a.bias[0][row] : 0.0f);
    a.out[0][(size_t)r * a.n[0] + row] =
        gateActivation(g, a.activation) * up[warp & 3][r];
  }
}

} // namespace

// Plain, and with a fused norm and/or residual (the runtime picks by the
// step); the gated ones with or without a norm.
#define LLMC_GEMV_SEGMENTS(NAME, W, TOKENS, NORM, RESIDUAL, BOUNDS)            \
  extern "C" __global__ void BOUNDS NAME(GemvArgs a) {                         \
    gemvSegments<W, TOKENS, NORM, RESIDUAL>(a);                                \
  }
#define LLMC_GEMV_INSTANCES(SUFFIX, W, TOKENS)                                 \
  LLMC_GEMV_SEGMENTS(llmc_gemv_##SUFFIX##_t##TOKENS, W, TOKENS, false, false,  \
                     __launch_bounds__(256))                                   \
  LLMC_GEMV_SEGMENTS(llmc_gemv_residual_##SUFFIX##_t##TOKENS, W, TOKENS,       \
                     false, true, __launch_bounds__(256))                      \
  LLMC_GEMV_SEGMENTS(llmc_gemv_norm_##SUFFIX##_t##TOKENS, W, TOKENS, true,     \
                     false, __launch_bounds__(256, TOKENS == 1 ? 4 : 1))       \
  LLMC_GEMV_SEGMENTS(llmc_gemv_norm_residual_##SUFFIX##_t##TOKENS, W, TOKENS,  \
                     true, true, __launch_bounds__(256, TOKENS == 1 ? 4 : 1))  \
  extern "C" __global__ void __launch_bounds__(256)                            \
      llmc_gemv_gated_##SUFFIX##_t##TOKENS(GemvArgs a) {                       \
    gemvGated<W, TOKENS, false>(a);                                            \
  }                                                                            \
  extern "C" __global__ void __launch_bounds__(256)                            \
      llmc_gemv_gated_norm_##SUFFIX##_t##TOKENS(GemvArgs a) {                  \
    gemvGated<W, TOKENS, true>(a);                                             \
  }

LLMC_GEMV_INSTANCES(bf16, __nv_bfloat16, 1)
LLMC_GEMV_INSTANCES(bf16, __nv_bfloat16, 4)
LLMC_GEMV_INSTANCES(bf16, __nv_bfloat16, 8)
LLMC_GEMV_INSTANCES(f16, __half, 1)
LLMC_GEMV_INSTANCES(f16, __half, 4)
LLMC_GEMV_INSTANCES(f16, __half, 8)

#endif // LLMC_KERNELS_GEMV_CU
