//===- GemvQuantizedToken.cu - one token's 4- and 8-bit GEMV ---*- CUDA -*-===//
//
// The decode step's quantized linear layers (one token; the *_token names).
// The many-token kernel of GemvQuantized.cu stages the activations once per
// block and then makes one pass over its rows with each warp reading whole
// rows; on a decode step's 8-60 MB matrices that left the kernel a chain of
// round trips (stage, then load, then load again) and ran at 25-45% of the
// copy bandwidth. This kernel is built for latency instead:
//
// - The k range is split into columns of 32 chunks (1024 values), and a
//   row's columns are spread over `slices` warps, each lane holding
//   kGemvQTokenChunks chunks: slices = ceil(columns / chunks per lane), at
//   most 8 (k <= 16384). The block's other warps form more row groups
//   (8 / slices of them), each working on its own rows.
// - A lane keeps its chunks' quantized activations in registers for the
//   whole launch (the same hi + lo / 256 bytes as GemvQuantized.cu, staged
//   once per block through shared memory), so the loop over rows reads
//   only weights.
// - A warp reads Rows rows (gated: Rows gate and Rows up rows) of its
//   slice at once. The first tile's weights are loaded into registers
//   before the dependency wait, while the previous kernel still runs, and
//   each next tile's are issued before the current tile's sums are
//   reduced, so the loads of one tile overlap the reduction of the last.
// - The slices' partial sums meet in shared memory (double-buffered, one
//   barrier per tile), and one thread per row applies the epilogue: norm
//   factor, bias, soft cap, residual, or the gate's activation times up.
//
// The arguments, the weights' layout and the fusions are GemvQuantized.cu's
// (GemvQArgs, t == 1). Launch: block 256, at most as many blocks as tiles
// (gemvQTokenRowsPerTile rows of one matrix per tile), best as many as are
// resident; dynamic shared memory gemvQTokenSharedBytes(k). Requires
// k % 32 == 0, k <= 16384, group % 32 == 0, 16-byte aligned rows and
// float4-aligned activations.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_KERNELS_GEMVQUANTIZEDTOKEN_CU
#define LLMC_KERNELS_GEMVQUANTIZEDTOKEN_CU

#include "GemvQuantized.cu"

/// Chunks of 32 values per lane and row.
constexpr int kGemvQTokenChunks = 2;

/// Warps that share a row: its columns of 32 chunks over the lanes' chunks.
__host__ __device__ constexpr int gemvQTokenSlices(int k) {
  return ((k / 32 + 31) / 32 + kGemvQTokenChunks - 1) / kGemvQTokenChunks;
}

/// Rows per warp of the instances: 4-bit plain 4, gated 2 (and 2 up rows);
/// 8-bit half of those, so that each lane has 128 bytes in flight.
__host__ __device__ constexpr int gemvQTokenRows(int bits, bool gated) {
  return (bits == 4 ? 4 : 2) / (gated ? 2 : 1);
}

/// Output rows per tile: rows per warp times row groups.
__host__ __device__ constexpr int gemvQTokenRowsPerTile(int bits, bool gated,
                                                        int k) {
  return gemvQTokenRows(bits, gated) * (8 / gemvQTokenSlices(k));
}

/// Dynamic shared memory: k high and k low bytes and a scale per chunk.
__host__ __device__ constexpr int gemvQTokenSharedBytes(int k) {
  return 2 * k + 4 * (k / 32);
}

namespace {

/// One lane's chunk of the activations, quantized: x = scale * (hi + lo /
/// 256) per value, and what the zero point and the offsets need.
struct QTokenChunk {
  int hi[8], lo[8];
  int startHi, startLo; ///< -zero * (sum of hi), -zero * (sum of lo)
  float scale;          ///< the chunk's scale
  float scaledSum;      ///< scale * (sum of hi + sum of lo / 256)
};

/// The chunk's 32 weights (scale * (value - zero) + offset) . x.
template <int Bits>
__device__ inline float tokenChunkDot(const QChunk<Bits> &w, uint32_t flip,
                                      const QTokenChunk &x, float scale,
                                      float offset) {
  uint32_t a[8];
  unpackChunk<Bits>(w, flip, a);
  int sh = x.startHi, sl = x.startLo;
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    sh = dot4(a[i], x.hi[i], sh);
    sl = dot4(a[i], x.lo[i], sl);
  }
  float dot = (float)sh + (float)sl * (1.0f / 256.0f);
  return scale * x.scale * dot + offset * x.scaledSum;
}

/// Quantizes the block's token into shared memory: hi and lo bytes (4-bit
/// weights: each 8 values stored even ones first) and a scale per chunk.
/// With Norm, the activations are multiplied by the norm's weights (plus
/// `unit`) first, and the return value is this thread's sum of squares.
template <int Bits, bool Norm>
__device__ inline float stageToken(const float *x, int k, const float *norm,
                                   float unit, unsigned char *shared) {
  int8_t *hi = reinterpret_cast<int8_t *>(shared);
  int8_t *lo = hi + k;
  float *scale = reinterpret_cast<float *>(lo + k);
  int lane = threadIdx.x & 31;
  constexpr int Batch = 4; // float4 loads in flight per thread
  float sq = 0.0f;
  for (int base = 0; base < k; base += Batch * 256 * 4) {
    float4 v[Batch], g[Batch];
#pragma unroll
    for (int b = 0; b < Batch; ++b) {
      int j = base + (b * 256 + threadIdx.x) * 4;
      v[b] = j < k ? *reinterpret_cast<const float4 *>(x + j)
                   : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
      if (Norm)
        g[b] = j < k ? __ldg(reinterpret_cast<const float4 *>(norm + j))
                     : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    }
#pragma unroll
    for (int b = 0; b < Batch; ++b) {
      // Eight consecutive lanes hold one chunk, four values each.
      int j = base + (b * 256 + threadIdx.x) * 4;
      if (base + b * 256 * 4 >= k)
        break; // the whole block is past the end
      float4 u = v[b];
      if (Norm) {
        sq += u.x * u.x + u.y * u.y + u.z * u.z + u.w * u.w;
        u.x *= g[b].x + unit, u.y *= g[b].y + unit, u.z *= g[b].z + unit;
        u.w *= g[b].w + unit;
      }
      float m = chunkMax(u);
      if (j >= k)
        continue;
      int hs[4], ls[4];
      splitQuad(u, m, hs, ls);
      uint32_t h[4], l[4];
#pragma unroll
      for (int i = 0; i < 4; ++i)
        h[i] = (uint32_t)hs[i] & 0xFFu, l[i] = (uint32_t)ls[i] & 0xFFu;
      if (Bits == 4) {
        // Values j..j+3 are e..e+3 of their run of 8 (e = 0 or 4): the
        // even ones go to bytes e/2, e/2+1, the odd ones to 4 + e/2, ...
        int run = j & ~7, e = j & 7;
        auto store = [&](int8_t *to, const uint32_t *b) {
          *reinterpret_cast<uint16_t *>(to + run + e / 2) =
              (uint16_t)(b[0] | b[2] << 8);
          *reinterpret_cast<uint16_t *>(to + run + 4 + e / 2) =
              (uint16_t)(b[1] | b[3] << 8);
        };
        store(hi, h);
        store(lo, l);
      } else {
        *reinterpret_cast<uint32_t *>(hi + j) =
            h[0] | h[1] << 8 | h[2] << 16 | h[3] << 24;
        *reinterpret_cast<uint32_t *>(lo + j) =
            l[0] | l[1] << 8 | l[2] << 16 | l[3] << 24;
      }
      if ((lane & 7) == 0)
        scale[j / 32] = m / 127.0f;
    }
  }
  return sq;
}

/// The one-token quantized GEMV (segments, or gated), see the file comment.
template <int Bits, int Rows, bool Gated, bool Norm>
__device__ void gemvQuantizedToken(const GemvQArgs &a) {
  extern __shared__ __align__(16) unsigned char gemvQTokenShared[];
  constexpr int J = kGemvQTokenChunks;
  constexpr int M = Gated ? 2 : 1; // matrices a warp reads per output row
  constexpr int chunkBytes = 4 * Bits;
  // [buffer][output row of the tile][matrix][slice]
  __shared__ float partial[2][8 * Rows][M][8];
  __shared__ float squares[8];
  int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int k = a.k, chunks = k / 32, groups = k / a.group;
  int slices = gemvQTokenSlices(k), rowGroups = 8 / slices;
  int slice = warp % slices, rowGroup = warp / slices;
  bool active = rowGroup < rowGroups;
  int perTile = Rows * rowGroups;
  int groupShift = __ffs(a.group / 32) - 1; // groups are powers of two
  bool powerOfTwo = (a.group & (a.group - 1)) == 0;
  int tiles0 = (a.n[0] + perTile - 1) / perTile;
  int tiles1 = Gated ? 0 : (a.n[1] + perTile - 1) / perTile;
  int tiles =
      Gated ? tiles0 : tiles0 + tiles1 + (a.n[2] + perTile - 1) / perTile;

  // Where row group `g` works in a tile: matrix m (gated: 0 and 1), rows
  // first .. first + Rows.
  auto place = [&](int tile, int g, int &m, int &first) {
    m = Gated || tile < tiles0 ? 0 : tile < tiles0 + tiles1 ? 1 : 2;
    int before = m == 0 ? 0 : m == 1 ? tiles0 : tiles0 + tiles1;
    first = (tile - before) * perTile + g * Rows;
  };

  // This lane's chunks of every row.
  int chunk[J];
  bool valid[J];
#pragma unroll
  for (int j = 0; j < J; ++j) {
    chunk[j] = (j * slices + slice) * 32 + lane;
    valid[j] = active && chunk[j] < chunks;
  }

  // A tile's weights, scales and offsets for this lane.
  QChunk<Bits> w[M * Rows][J];
  float scale[M * Rows][J], offset[M * Rows][J];
  auto load = [&](int tile) {
    int m, first;
    place(tile, rowGroup, m, first);
#pragma unroll
    for (int mm = 0; mm < M; ++mm) {
      int at = m + mm, n = pick(a.n, at);
      const char *q = static_cast<const char *>(pick(a.q, at));
      const float *scales = pick(a.scales, at), *offsets = pick(a.offsets, at);
#pragma unroll
      for (int i = 0; i < Rows; ++i) {
        size_t row = (size_t)min(first + i, n - 1);
        const char *bytes = q + row * (size_t)(k * Bits / 8);
#pragma unroll
        for (int j = 0; j < J; ++j) {
          int g = powerOfTwo ? chunk[j] >> groupShift : chunk[j] * 32 / a.group;
          if (valid[j]) {
#pragma unroll
            for (int p = 0; p < Bits / 4; ++p)
              w[mm * Rows + i][j].part[p] =
                  loadStreaming(bytes + (size_t)chunk[j] * chunkBytes + 16 * p);
            scale[mm * Rows + i][j] = __ldg(scales + row * groups + g);
            offset[mm * Rows + i][j] =
                offsets ? __ldg(offsets + row * groups + g) : 0.0f;
          }
        }
      }
    }
  };

  // The weights do not depend on the previous kernel: load the first tile
  // while it runs.
  if (blockIdx.x < tiles && active)
    load(blockIdx.x);
  gridDependencyBegin();
  float sq = stageToken<Bits, Norm>(
      a.x, k, a.norm, a.normUnitOffset ? 1.0f : 0.0f, gemvQTokenShared);
  if (Norm) {
    sq = warpSum(sq);
    if (lane == 0)
      squares[warp] = sq;
  }
  __syncthreads();
  float factor = 1.0f;
  if (Norm) {
    float total = 0.0f;
#pragma unroll
    for (int i = 0; i < 8; ++i)
      total += squares[i];
    factor = rsqrtf(total / k + a.normEpsilon);
  }

  QFlip<Bits> sign(a.isSigned);
  uint32_t flip = sign.flip;
  int zero = sign.zero;
  QTokenChunk x[J];
  {
    const int8_t *hi = reinterpret_cast<const int8_t *>(gemvQTokenShared);
    const int8_t *lo = hi + k;
    const float *scales = reinterpret_cast<const float *>(lo + k);
#pragma unroll
    for (int j = 0; j < J; ++j) {
      int c = valid[j] ? chunk[j] : 0;
      int hw[8], lw[8];
      loadStagedChunk(hi, lo, (size_t)c * 32, hw, lw);
      int sumHi = 0, sumLo = 0;
#pragma unroll
      for (int i = 0; i < 8; ++i) {
        x[j].hi[i] = hw[i], x[j].lo[i] = lw[i];
        sumHi = __dp4a(hw[i], 0x01010101, sumHi);
        sumLo = __dp4a(lw[i], 0x01010101, sumLo);
      }
      x[j].startHi = -zero * sumHi;
      x[j].startLo = -zero * sumLo;
      x[j].scale = scales[c];
      x[j].scaledSum = x[j].scale * ((float)sumHi + (float)sumLo / 256.0f);
    }
  }

  int buffer = 0;
  for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    float acc[M * Rows];
#pragma unroll
    for (int i = 0; i < M * Rows; ++i) {
      acc[i] = 0.0f;
#pragma unroll
      for (int j = 0; j < J; ++j)
        if (valid[j])
          acc[i] += tokenChunkDot<Bits>(w[i][j], flip, x[j], scale[i][j],
                                        offset[i][j]);
    }
    // The next tile's loads overlap this one's reduction.
    if (tile + gridDim.x < tiles && active)
      load(tile + gridDim.x);
#pragma unroll
    for (int i = 0; i < M * Rows; ++i)
      acc[i] = warpSum(acc[i]);
    if (lane == 0 && active)
#pragma unroll
      for (int mm = 0; mm < M; ++mm)
#pragma unroll
        for (int i = 0; i < Rows; ++i)
          partial[buffer][rowGroup * Rows + i][mm][slice] = acc[mm * Rows + i];
    __syncthreads();
    if (threadIdx.x < perTile) {
      int g = threadIdx.x / Rows, i = threadIdx.x % Rows, m, first;
      place(tile, g, m, first);
      int row = first + i, n = pick(a.n, m);
      if (row < n) {
        float sum[M];
#pragma unroll
        for (int mm = 0; mm < M; ++mm) {
          sum[mm] = 0.0f;
          for (int s = 0; s < slices; ++s)
            sum[mm] += partial[buffer][threadIdx.x][mm][s];
          const float *bias = pick(a.bias, m + mm);
          sum[mm] = sum[mm] * factor + (bias ? bias[row] : 0.0f);
        }
        float v;
        if (Gated) {
          v = gateActivation(sum[0], a.activation) * sum[M - 1];
        } else {
          v = sum[0];
          if (a.softcap > 0.0f)
            v = a.softcap * tanhf(v / a.softcap);
          if (m == 0 && a.residual)
            v += a.residual[row];
        }
        pick(a.out, m)[row] = v;
      }
    }
    buffer ^= 1;
  }
}

} // namespace

#define LLMC_GEMV_Q_TOKEN_INSTANCES(BITS)                                      \
  extern "C" __global__ void __launch_bounds__(256, 2)                         \
      llmc_gemv_q##BITS##_token(GemvQArgs a) {                                 \
    gemvQuantizedToken<BITS, gemvQTokenRows(BITS, false), false, false>(a);    \
  }                                                                            \
  extern "C" __global__ void __launch_bounds__(256, 2)                         \
      llmc_gemv_gated_q##BITS##_token(GemvQArgs a) {                           \
    gemvQuantizedToken<BITS, gemvQTokenRows(BITS, true), true, false>(a);      \
  }                                                                            \
  extern "C" __global__ void __launch_bounds__(256, 2)                         \
      llmc_gemv_norm_q##BITS##_token(GemvQArgs a) {                            \
    gemvQuantizedToken<BITS, gemvQTokenRows(BITS, false), false, true>(a);     \
  }                                                                            \
  extern "C" __global__ void __launch_bounds__(256, 2)                         \
      llmc_gemv_gated_norm_q##BITS##_token(GemvQArgs a) {                      \
    gemvQuantizedToken<BITS, gemvQTokenRows(BITS, true), true, true>(a);       \
  }

LLMC_GEMV_Q_TOKEN_INSTANCES(4)
LLMC_GEMV_Q_TOKEN_INSTANCES(8)

#endif // LLMC_KERNELS_GEMVQUANTIZEDTOKEN_CU
