//===- GemvQuantized.cu - 4- and 8-bit linear layers ---------*- CUDA -*-===//
//
// With 4-bit weights a decode step reads about a quarter of the bytes of
// 16-bit ones, so the work per byte is four times higher; dequantizing each
// value to a float and multiplying would leave the SM, not the memory, the
// limit. These kernels multiply integers instead, four products per dp4a
// instruction:
//
// - The weights are the row layout every device reads (value c of a row at
//   byte c * bits / 8, low nibble first; scale and offset per row and group:
//   w = scale * value + offset). A 32-bit word of 4-bit values splits into
//   its even values (word & 0x0F0F0F0F) and its odd ones (word >> 4 & ...),
//   four bytes each. Signed 4-bit values are flipped to value + 8 (xor 8 per
//   nibble) and unsigned 8-bit ones to value - 128 (xor 128), and the shift
//   comes back out through the activations' sums.
// - Each block first stages its tokens' activations in shared memory, per
//   run of 32 (a "chunk"): x = s * (hi + lo / 256), with s = max|x| / 127
//   and hi, lo signed bytes, so the activations keep about 16 bits of
//   precision relative to their chunk's largest value; for 4-bit weights
//   the bytes are stored even values first, to meet the split words. The
//   sums of hi and lo per chunk serve the zero point and the offsets.
// - Each warp computes Rows rows of a tile: each lane loads a chunk of each
//   row (16 bytes of 4-bit or 32 of 8-bit values), Unroll chunks per row in
//   flight, with their groups' scales; a chunk's products are summed in
//   integers and added, scaled, to a float32 accumulator.
//
// A fused RMS norm of the input (the *_norm instances) is applied while
// staging: the activations are multiplied by the norm's weights and their
// squares summed per token, and each dot product is scaled by
// 1 / sqrt(mean + eps) at the end. A fused residual is added to matrix 0's
// outputs.
//
// Blocks loop over the tiles, so that the activations are staged once per
// block. Launch: at most as many blocks as there are tiles (sum over the
// matrices of ceil(n / (8 * Rows)); gated: ceil(n / (4 * Rows))), best as
// many as are resident at once; block 256; dynamic shared memory
// gemvQSharedBytes(t, k). Requires k % 32 == 0, group % 32 == 0, 16-byte
// aligned rows and float4-aligned activations.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_KERNELS_GEMVQUANTIZED_CU
#define LLMC_KERNELS_GEMVQUANTIZED_CU

#include "Common.cuh"

/// The arguments of one launch, passed by value: up to three matrices that
/// read the same input (a fused QKV projection), or a gate and an up matrix
/// whose rows the activation combines (gated kernels), all with the same
/// group size and signedness.
struct GemvQArgs {
  const float *x;          ///< [t, k]
  int t, k;                ///< t <= the kernel's Tokens
  const void *q[3];        ///< [n[i], k * bits / 8] bytes, row layout
  const float *scales[3];  ///< [n[i], k / group]
  const float *offsets[3]; ///< [n[i], k / group] or null (all zero)
  const float *bias[3];    ///< [n[i]] or null
  float *out[3];           ///< [t, n[i]] (gated: out[0] only)
  int n[3];                ///< rows per matrix (0: unused)
  int group, isSigned;     ///< the values' format
  int activation;          ///< gated: 0 silu, 1 gelu tanh, 2 gelu erf
  float softcap;           ///< > 0: softcap * tanh(acc / softcap)
  const float *norm;       ///< [k]: the input's RMS norm weight (_norm)
  const float *residual;   ///< [t, n[0]] added to out[0], or null
  float normEpsilon;
  int normUnitOffset; ///< 1: the norm multiplies by 1 + weight
};
static_assert(sizeof(GemvQArgs) == 192, "the runtime's copy has this size");

/// Dynamic shared memory of one launch: per token, k high and k low bytes,
/// and a scale and two sums per chunk of 32.
__host__ __device__ constexpr int gemvQSharedBytes(int t, int k) {
  return t * (2 * k + 12 * (k / 32));
}

/// The rows per warp and the chunks per row in flight of the instances.
constexpr int kGemvQRows = 2, kGemvQUnroll = 2;

namespace {

/// The staged activations of one launch.
struct QStage {
  const int8_t *hi, *lo; ///< [t, k]
  const float *scale;    ///< [t, k / 32]
  const int *sumHi, *sumLo;
};

/// The largest |value| of a chunk of 32 held by eight consecutive lanes,
/// four values each (every lane of the warp takes part).
__device__ inline float chunkMax(float4 v) {
  float m = fmaxf(fmaxf(fabsf(v.x), fabsf(v.y)), fmaxf(fabsf(v.z), fabsf(v.w)));
  m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 1));
  m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 2));
  m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 4));
  return m;
}

/// Four values as hi + lo / 256 in units of m / 127 (m their chunk's
/// largest |value|): hi and lo signed bytes, as ints.
__device__ inline void splitQuad(float4 v, float m, int (&h)[4], int (&l)[4]) {
  float inverse = m > 0.0f ? 127.0f / m : 0.0f;
  const float values[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    float scaled = values[i] * inverse;
    float whole = rintf(scaled);
    h[i] = (int)whole;
    l[i] = max(-127, min(127, (int)rintf((scaled - whole) * 256.0f)));
  }
}

/// A staged chunk of 32 activations (hi and lo bytes at `at`), as eight
/// words of four signed bytes each.
__device__ inline void loadStagedChunk(const int8_t *hi, const int8_t *lo,
                                       size_t at, int (&hw)[8], int (&lw)[8]) {
  const int4 *h = reinterpret_cast<const int4 *>(hi + at);
  const int4 *l = reinterpret_cast<const int4 *>(lo + at);
  int4 h0 = h[0], h1 = h[1], l0 = l[0], l1 = l[1];
  hw[0] = h0.x, hw[1] = h0.y, hw[2] = h0.z, hw[3] = h0.w;
  hw[4] = h1.x, hw[5] = h1.y, hw[6] = h1.z, hw[7] = h1.w;
  lw[0] = l0.x, lw[1] = l0.y, lw[2] = l0.z, lw[3] = l0.w;
  lw[4] = l1.x, lw[5] = l1.y, lw[6] = l1.z, lw[7] = l1.w;
}

/// As signed bytes: 4-bit values are flipped to value + 8 (0..15) and
/// unsigned 8-bit ones to value - 128 (xor `flip`); the shift comes back
/// through the activations' sums (`zero`).
template <int Bits> struct QFlip {
  uint32_t flip;
  int zero;
  __device__ explicit QFlip(bool isSigned)
      : flip(Bits == 4 ? (isSigned ? 0x88888888u : 0u)
                       : (isSigned ? 0u : 0x80808080u)),
        zero(Bits == 4 ? (isSigned ? 8 : 0) : (isSigned ? 0 : -128)) {}
};

/// Quantizes the activations into shared memory (see the file comment);
/// with Norm, multiplied by the norm's weights (plus `unit`) first, and the
/// squares of each token's activations added to squares[r] (zero before).
template <int Bits, bool Norm>
__device__ inline QStage
stageActivations(const float *x, int t, int k, const float *norm, float unit,
                 float *squares, unsigned char *shared) {
  int chunks = k / 32;
  int8_t *hi = reinterpret_cast<int8_t *>(shared);
  int8_t *lo = hi + (size_t)t * k;
  float *scale = reinterpret_cast<float *>(lo + (size_t)t * k);
  int *sumHi = reinterpret_cast<int *>(scale + (size_t)t * chunks);
  int *sumLo = sumHi + (size_t)t * chunks;
  int lane = threadIdx.x & 31;
  for (int r = 0; r < t; ++r) {
    float sq = 0.0f;
    for (int base = 0; base < k; base += blockDim.x * 4) {
      // Eight consecutive lanes hold one chunk, four values each.
      int j = base + threadIdx.x * 4;
      bool in = j < k;
      float4 v = in ? *reinterpret_cast<const float4 *>(x + (size_t)r * k + j)
                    : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
      if (Norm && in) {
        sq += v.x * v.x + v.y * v.y + v.z * v.z + v.w * v.w;
        float4 g = __ldg(reinterpret_cast<const float4 *>(norm + j));
        v.x *= g.x + unit, v.y *= g.y + unit, v.z *= g.z + unit;
        v.w *= g.w + unit;
      }
      float m = chunkMax(v);
      int h[4], l[4];
      splitQuad(v, m, h, l);
      int sh = h[0] + h[1] + h[2] + h[3], sl = l[0] + l[1] + l[2] + l[3];
#pragma unroll
      for (int offset = 1; offset < 8; offset <<= 1) {
        sh += __shfl_xor_sync(0xffffffffu, sh, offset);
        sl += __shfl_xor_sync(0xffffffffu, sl, offset);
      }
      if (!in)
        continue;
      size_t at = (size_t)r * k + j;
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        // 4-bit weights: each 8 values stored even ones first.
        int e = (j + i) & 7;
        size_t to = Bits == 4 ? (at & ~(size_t)7) + ((e & 1) ? 4 : 0) + (e >> 1)
                              : at + i;
        hi[to] = (int8_t)h[i];
        lo[to] = (int8_t)l[i];
      }
      if ((lane & 7) == 0) {
        scale[(size_t)r * chunks + j / 32] = m / 127.0f;
        sumHi[(size_t)r * chunks + j / 32] = sh;
        sumLo[(size_t)r * chunks + j / 32] = sl;
      }
    }
    if (Norm) {
      sq = warpSum(sq);
      if (lane == 0)
        atomicAdd(&squares[r], sq);
    }
  }
  __syncthreads();
  return {hi, lo, scale, sumHi, sumLo};
}

/// c + the four products of the signed bytes of a and b.
__device__ inline int dot4(uint32_t a, int b, int c) {
  return __dp4a((int)a, b, c);
}

/// One lane's chunk of one row: 32 values in Bits / 4 16-byte loads.
template <int Bits> struct QChunk { uint4 part[Bits / 4]; };

/// The chunk's 32 values as eight words of four signed bytes each, in the
/// order the staged activations are stored (4-bit: each word's even values,
/// then its odd ones), flipped as the file comment says.
template <int Bits>
__device__ inline void unpackChunk(const QChunk<Bits> &w, uint32_t flip,
                                   uint32_t (&a)[8]) {
  if (Bits == 4) {
    const uint32_t words[4] = {w.part[0].x, w.part[0].y, w.part[0].z,
                               w.part[0].w};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      uint32_t v = words[i] ^ flip;
      a[2 * i] = v & 0x0F0F0F0Fu;
      a[2 * i + 1] = (v >> 4) & 0x0F0F0F0Fu;
    }
  } else {
#pragma unroll
    for (int i = 0; i < Bits / 4; ++i) {
      a[4 * i] = w.part[i].x ^ flip, a[4 * i + 1] = w.part[i].y ^ flip;
      a[4 * i + 2] = w.part[i].z ^ flip, a[4 * i + 3] = w.part[i].w ^ flip;
    }
  }
}

/// acc[r] += the chunk's 32 weights . x[r, 32 c .. 32 c + 32), for every
/// token; the weights are scale * (value - zero) + offset.
template <int Bits, int Tokens>
__device__ inline void chunkDot(const QChunk<Bits> &w, uint32_t flip, int zero,
                                const QStage &x, int t, int k, int c,
                                float scale, float offset, float *acc) {
  uint32_t a[8];
  unpackChunk<Bits>(w, flip, a);
  int chunks = k / 32;
#pragma unroll
  for (int r = 0; r < Tokens; ++r) {
    if (r >= t)
      break;
    int hw[8], lw[8];
    loadStagedChunk(x.hi, x.lo, (size_t)r * k + (size_t)c * 32, hw, lw);
    int sh = 0, sl = 0;
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      sh = dot4(a[i], hw[i], sh);
      sl = dot4(a[i], lw[i], sl);
    }
    size_t ci = (size_t)r * chunks + c;
    int sumHi = x.sumHi[ci], sumLo = x.sumLo[ci];
    float dot = (float)(sh - zero * sumHi) +
                (float)(sl - zero * sumLo) * (1.0f / 256.0f);
    float sum = (float)sumHi + (float)sumLo * (1.0f / 256.0f);
    acc[r] += x.scale[ci] * (scale * dot + offset * sum);
  }
}

/// Selects entry `i` of a three-entry argument array with conditionals,
/// so that the arguments stay in the constant bank.
template <typename T> __device__ inline T pick(const T (&v)[3], int i) {
  return i == 0 ? v[0] : i == 1 ? v[1] : v[2];
}

/// The quantized GEMV (segments, or gated), see the file comment.
template <int Bits, int Tokens, int Rows, int Unroll, bool Gated, bool Norm>
__device__ void gemvQuantized(const GemvQArgs &a) {
  extern __shared__ __align__(16) unsigned char gemvQShared[];
  __shared__ float upShared[4][Rows][Tokens];
  __shared__ float squares[Tokens];
  if (Norm) {
    if (threadIdx.x < Tokens)
      squares[threadIdx.x] = 0.0f;
    __syncthreads();
  }
  constexpr int per = Gated ? 4 * Rows : 8 * Rows;
  constexpr int chunkBytes = 4 * Bits;
  int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int k = a.k, chunks = k / 32, groups = k / a.group;
  int groupShift = __ffs(a.group / 32) - 1; // groups are powers of two
  bool powerOfTwo = (a.group & (a.group - 1)) == 0;
  int tiles0 = (a.n[0] + per - 1) / per;
  int tiles1 = Gated ? 0 : (a.n[1] + per - 1) / per;
  int tiles = Gated ? tiles0 : tiles0 + tiles1 + (a.n[2] + per - 1) / per;

  // Where this warp works in a tile: matrix m, rows first .. first + Rows.
  auto place = [&](int tile, int &m, int &first) {
    if (Gated) {
      m = warp >> 2;
      first = tile * per + (warp & 3) * Rows;
      return;
    }
    m = tile < tiles0 ? 0 : tile < tiles0 + tiles1 ? 1 : 2;
    int before = m == 0 ? 0 : m == 1 ? tiles0 : tiles0 + tiles1;
    first = (tile - before) * per + warp * Rows;
  };

  // The weights do not depend on the previous kernel: start pulling this
  // block's first tile into L2.
  if (blockIdx.x < tiles) {
    int m, first;
    place(blockIdx.x, m, first);
    const char *q = static_cast<const char *>(pick(a.q, m));
    size_t rowBytes = (size_t)k * Bits / 8;
    for (int i = 0; i < Rows; ++i)
      if (first + i < pick(a.n, m))
        for (int byte = lane * 128; byte < (int)rowBytes; byte += 32 * 128)
          asm volatile("prefetch.global.L2 [%0];" ::"l"(
              q + (size_t)(first + i) * rowBytes + byte));
  }
  gridDependencyBegin();
  QStage x = stageActivations<Bits, Norm>(a.x, a.t, k, a.norm,
                                          a.normUnitOffset ? 1.0f : 0.0f,
                                          squares, gemvQShared);
  // Per token, what a fused norm scales the dot products by.
  float factor[Tokens];
#pragma unroll
  for (int r = 0; r < Tokens; ++r)
    factor[r] = Norm ? rsqrtf(squares[r] / k + a.normEpsilon) : 1.0f;

  QFlip<Bits> sign(a.isSigned);
  uint32_t flip = sign.flip;
  int zero = sign.zero;
  for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    int m, first;
    place(tile, m, first);
    int n = pick(a.n, m);
    const char *q = static_cast<const char *>(pick(a.q, m));
    const float *scales = pick(a.scales, m), *offsets = pick(a.offsets, m);
    const char *rows[Rows];
    const float *rowScales[Rows], *rowOffsets[Rows];
#pragma unroll
    for (int i = 0; i < Rows; ++i) {
      size_t row = (size_t)min(first + i, n - 1);
      rows[i] = q + row * (size_t)(k * Bits / 8);
      rowScales[i] = scales + row * groups;
      rowOffsets[i] = offsets ? offsets + row * groups : nullptr;
    }
    float acc[Rows][Tokens] = {};
    if (first < n) {
      for (int c0 = lane; c0 < chunks; c0 += Unroll * 32) {
        QChunk<Bits> w[Rows][Unroll];
        float scale[Rows][Unroll], offset[Rows][Unroll];
#pragma unroll
        for (int u = 0; u < Unroll; ++u)
#pragma unroll
          for (int i = 0; i < Rows; ++i) {
            int c = c0 + u * 32;
            if (c < chunks)
#pragma unroll
              for (int p = 0; p < Bits / 4; ++p)
                w[i][u].part[p] =
                    loadStreaming(rows[i] + (size_t)c * chunkBytes + 16 * p);
          }
#pragma unroll
        for (int u = 0; u < Unroll; ++u)
#pragma unroll
          for (int i = 0; i < Rows; ++i) {
            int c = c0 + u * 32;
            int g = powerOfTwo ? c >> groupShift : c * 32 / a.group;
            scale[i][u] = c < chunks ? __ldg(rowScales[i] + g) : 0.0f;
            offset[i][u] =
                c < chunks && rowOffsets[i] ? __ldg(rowOffsets[i] + g) : 0.0f;
          }
#pragma unroll
        for (int u = 0; u < Unroll; ++u)
#pragma unroll
          for (int i = 0; i < Rows; ++i)
            if (c0 + u * 32 < chunks)
              chunkDot<Bits, Tokens>(w[i][u], flip, zero, x, a.t, k,
                                     c0 + u * 32, scale[i][u], offset[i][u],
                                     acc[i]);
      }
    }
#pragma unroll
    for (int i = 0; i < Rows; ++i)
#pragma unroll
      for (int r = 0; r < Tokens; ++r)
        acc[i][r] = warpSum(acc[i][r]);
    if (Gated) {
      // Warps 4-7 hand their up rows to warps 0-3, which store.
      if (m == 1 && lane == 0)
#pragma unroll
        for (int i = 0; i < Rows; ++i)
#pragma unroll
          for (int r = 0; r < Tokens; ++r) {
            int row = first + i;
            upShared[warp & 3][i][r] =
                acc[i][r] * factor[r] +
                (a.bias[1] && row < n ? a.bias[1][row] : 0.0f);
          }
      __syncthreads();
      if (m == 0 && lane == 0)
#pragma unroll
        for (int i = 0; i < Rows; ++i) {
          int row = first + i;
#pragma unroll
          for (int r = 0; r < Tokens; ++r)
            if (r < a.t && row < n) {
              float g =
                  acc[i][r] * factor[r] + (a.bias[0] ? a.bias[0][row] : 0.0f);
              a.out[0][(size_t)r * n + row] =
                  gateActivation(g, a.activation) * upShared[warp & 3][i][r];
            }
        }
      __syncthreads();
    } else if (lane == 0) {
      const float *bias = pick(a.bias, m);
      float *out = pick(a.out, m);
#pragma unroll
      for (int i = 0; i < Rows; ++i) {
        int row = first + i;
#pragma unroll
        for (int r = 0; r < Tokens; ++r)
          if (r < a.t && row < n) {
            float v = acc[i][r] * factor[r] + (bias ? bias[row] : 0.0f);
            if (a.softcap > 0.0f)
              v = a.softcap * tanhf(v / a.softcap);
            if (m == 0 && a.residual)
              v += a.residual[(size_t)r * n + row];
            out[(size_t)r * n + row] = v;
          }
      }
    }
  }
}

} // namespace

#define LLMC_GEMV_Q_INSTANCES(BITS, TOKENS)                                    \
  extern "C" __global__ void __launch_bounds__(256)                            \
      llmc_gemv_q##BITS##_t##TOKENS(GemvQArgs a) {                             \
    gemvQuantized<BITS, TOKENS, kGemvQRows, kGemvQUnroll, false, false>(a);    \
  }                                                                            \
  extern "C" __global__ void __launch_bounds__(256)                            \
      llmc_gemv_gated_q##BITS##_t##TOKENS(GemvQArgs a) {                       \
    gemvQuantized<BITS, TOKENS, kGemvQRows, kGemvQUnroll, true, false>(a);     \
  }                                                                            \
  extern "C" __global__ void __launch_bounds__(256)                            \
      llmc_gemv_norm_q##BITS##_t##TOKENS(GemvQArgs a) {                        \
    gemvQuantized<BITS, TOKENS, kGemvQRows, kGemvQUnroll, false, true>(a);     \
  }                                                                            \
  extern "C" __global__ void __launch_bounds__(256)                            \
      llmc_gemv_gated_norm_q##BITS##_t##TOKENS(GemvQArgs a) {                  \
    gemvQuantized<BITS, TOKENS, kGemvQRows, kGemvQUnroll, true, true>(a);      \
  }

// One token: GemvQuantizedToken.cu (a single token runs on the t4 instances
// where that kernel does not take k).
LLMC_GEMV_Q_INSTANCES(4, 4)
LLMC_GEMV_Q_INSTANCES(4, 8)
LLMC_GEMV_Q_INSTANCES(8, 4)
LLMC_GEMV_Q_INSTANCES(8, 8)

#endif // LLMC_KERNELS_GEMVQUANTIZED_CU
