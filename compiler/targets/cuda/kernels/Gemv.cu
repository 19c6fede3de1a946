//===- Gemv.cu - linear layers for a few tokens ----------------*- CUDA -*-===//
//
// Decode reads every weight once per token, so these kernels are built to
// stream 16-bit weights at the memory's bandwidth: one warp per output row,
// each lane loading 16 bytes (8 weights) at a time with eight loads in
// flight, the float32 activations of up to Tokens tokens read through L1,
// and float32 accumulation. One launch covers up to three weight matrices
// that read the same input (a fused QKV projection), or a gate and an up
// matrix whose rows are combined by the activation (a fused gated MLP).
//
// Launch: grid ceil(rows / 8), block 256, no dynamic shared memory, where
// rows is n[0] + n[1] + n[2] (segments) or n[0] (gated). Requires k % 8 == 0
// and 16-byte aligned rows; the runtime uses llmc_linear_* otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_KERNELS_GEMV_CU
#define LLMC_KERNELS_GEMV_CU

#include "Common.cuh"

/// The arguments of one launch, passed by value.
struct GemvArgs {
  const float *x;       ///< [t, k]
  int t, k;             ///< t <= the kernel's Tokens
  const void *w[3];     ///< [n[i], k] each
  const float *bias[3]; ///< [n[i]] or null
  float *out[3];        ///< [t, n[i]]
  int n[3];             ///< rows per matrix (0: unused)
  float softcap;        ///< > 0: softcap * tanh(acc / softcap)
  int activation;       ///< gated: 0 silu, 1 gelu tanh, 2 gelu erf
};
static_assert(sizeof(GemvArgs) == 112, "the runtime's copy has this size");

namespace {

/// 16 bytes of weights, streamed past L1.
__device__ inline uint4 loadStreaming(const void *p) {
  uint4 v;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "l"(p));
  return v;
}

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

/// Starts pulling a warp's weight row into L2 before the previous kernel
/// has finished (the weights do not depend on it).
template <typename W>
__device__ inline void prefetchRow(const W *w, size_t row, int k, int lane) {
  const char *p = reinterpret_cast<const char *>(w + row * (size_t)k);
  for (int byte = lane * 128; byte < k * (int)sizeof(W); byte += 32 * 128)
    asm volatile("prefetch.global.L2 [%0];" ::"l"(p + byte));
}

/// One warp's dot products of weight row `row` with every token.
template <typename W, int Tokens>
__device__ inline void rowDot(const W *w, size_t row, const float *x, int t,
                              int k, int lane, float *acc) {
  const W *wr = w + row * (size_t)k;
  int c = lane * 8;
  constexpr int Unroll = 8;
  for (; c + (Unroll - 1) * 256 < k; c += Unroll * 256) {
    uint4 chunk[Unroll];
#pragma unroll
    for (int u = 0; u < Unroll; ++u)
      chunk[u] = loadStreaming(wr + c + u * 256);
#pragma unroll
    for (int u = 0; u < Unroll; ++u)
      dot8<W, Tokens>(chunk[u], x, t, k, c + u * 256, acc);
  }
  for (; c < k; c += 256)
    dot8<W, Tokens>(loadStreaming(wr + c), x, t, k, c, acc);
#pragma unroll
  for (int r = 0; r < Tokens; ++r)
    acc[r] = warpSum(acc[r]);
}

__device__ inline float gateActivation(float g, int activation) {
  return activation == 0   ? siluOf(g)
         : activation == 1 ? geluTanh(g)
                           : geluErf(g);
}

template <typename W, int Tokens>
__device__ void gemvSegments(const GemvArgs &a) {
  int row = blockIdx.x * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  int segment = 0;
  while (segment < 3 && row >= a.n[segment])
    row -= a.n[segment++];
  if (segment == 3)
    return;
  prefetchRow(static_cast<const W *>(a.w[segment]), row, a.k, lane);
  gridDependencyBegin();
  float acc[Tokens] = {};
  rowDot<W, Tokens>(static_cast<const W *>(a.w[segment]), row, a.x, a.t, a.k,
                    lane, acc);
  if (lane != 0)
    return;
  int n = a.n[segment];
  float bias = a.bias[segment] ? a.bias[segment][row] : 0.0f;
#pragma unroll
  for (int r = 0; r < Tokens; ++r) {
    if (r >= a.t)
      break;
    float v = acc[r] + bias;
    if (a.softcap > 0.0f)
      v = a.softcap * tanhf(v / a.softcap);
    a.out[segment][(size_t)r * n + row] = v;
  }
}

template <typename W, int Tokens> __device__ void gemvGated(const GemvArgs &a) {
  int row = blockIdx.x * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  if (row >= a.n[0])
    return;
  prefetchRow(static_cast<const W *>(a.w[0]), row, a.k, lane);
  prefetchRow(static_cast<const W *>(a.w[1]), row, a.k, lane);
  gridDependencyBegin();
  float gate[Tokens] = {}, up[Tokens] = {};
  rowDot<W, Tokens>(static_cast<const W *>(a.w[0]), row, a.x, a.t, a.k, lane,
                    gate);
  rowDot<W, Tokens>(static_cast<const W *>(a.w[1]), row, a.x, a.t, a.k, lane,
                    up);
  if (lane != 0)
    return;
#pragma unroll
  for (int r = 0; r < Tokens; ++r) {
    if (r >= a.t)
      break;
    float g = gate[r] + (a.bias[0] ? a.bias[0][row] : 0.0f);
    float u = up[r] + (a.bias[1] ? a.bias[1][row] : 0.0f);
    a.out[0][(size_t)r * a.n[0] + row] = gateActivation(g, a.activation) * u;
  }
}

} // namespace

#define LLMC_GEMV_INSTANCES(SUFFIX, W, TOKENS)                                 \
  extern "C" __global__ void __launch_bounds__(256)                            \
      llmc_gemv_##SUFFIX##_t##TOKENS(GemvArgs a) {                             \
    gemvSegments<W, TOKENS>(a);                                                \
  }                                                                            \
  extern "C" __global__ void __launch_bounds__(256)                            \
      llmc_gemv_gated_##SUFFIX##_t##TOKENS(GemvArgs a) {                       \
    gemvGated<W, TOKENS>(a);                                                   \
  }

LLMC_GEMV_INSTANCES(bf16, __nv_bfloat16, 1)
LLMC_GEMV_INSTANCES(bf16, __nv_bfloat16, 4)
LLMC_GEMV_INSTANCES(bf16, __nv_bfloat16, 8)
LLMC_GEMV_INSTANCES(f16, __half, 1)
LLMC_GEMV_INSTANCES(f16, __half, 4)
LLMC_GEMV_INSTANCES(f16, __half, 8)

#endif // LLMC_KERNELS_GEMV_CU
