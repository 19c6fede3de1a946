//===- GemvQuantizedProgram.cu - 4-bit GEMV steps in one launch -*- CUDA
//-*-===//
//
// GemvProgram.cu for 4-bit weights: a run of one-token quantized GEMV steps
// (a layer's QKV, output, gated MLP and down projections) in one persistent
// launch with a grid barrier between steps, so that the memory streams
// across the steps' boundaries instead of draining at each kernel's end.
// One kernel per step (GemvQuantizedToken.cu) left the 8B shape's int4
// layers at 61% of the copy bandwidth, about 5.5 us lost per launch.
//
// The machinery is GemvProgram.cu's: one block per SM (or a few), a
// producer warp that bulk-copies weight rows into a ring of 16 KiB buffers
// as they free up, eight consumer warps, the row partials meeting in
// shared-memory slots, the same grid barrier. What differs:
//
// - A chunk is 8 rows (gated: 4 gate and the same 4 up rows) of up to
//   kGemvQProgramCols = 4096 values, 2 KiB of packed 4-bit values per row,
//   with their groups' scales (and offsets, for asymmetric weights), which
//   go to the buffer's scale area. The matrices are read in tiles, a copy
//   that the runtime makes once (llmc_tile_q4): per block of R rows (8,
//   gated matrices 4) and chunk, the rows' packed values (GemvQuantized.cu's
//   row layout), then their scales, then their offsets, contiguous. Read
//   from the row layout, each chunk's scales were a second small read
//   beside the values, and the streaming alone reached 55% of the copy
//   bandwidth on the 8B shape's int4 token (93% from tiles, 99% for the
//   values alone; gemv-quantized-program-check --producers on an H200).
// - At the start of each step the consumers quantize the step's activations
//   into shared memory as GemvQuantizedToken.cu does (per run of 32, x =
//   s * (hi + lo / 256); a fused norm's weights applied first, its scale
//   taken from the squares), each run's 32 hi and 32 lo bytes stored as two
//   16-byte parts apart (part p of run u at (p * runs + u) * 16), so that
//   the consumers' 16-byte reads are free of bank conflicts; with each run,
//   its scale and its sums' terms (16 bytes).
// - Consumer thread t of a half (128 threads; half 0 takes rows 0 .. 3,
//   half 1 rows 4 .. 7) multiplies run t of each chunk: its 16 bytes of
//   each of its four rows, with dp4a (tokenChunkDot), scaled by the row's
//   group scale and the run's.
//
// Launch: block kGemvProgramThreads, dynamic shared memory
// gemvQProgramSharedBytes(stages, xValues, scaleBytes), every block
// resident. sm_90 and newer; k % (4 * group) == 0, group a power of two
// from 32 to 1024, q[] the tiles (16-byte aligned; scales[] unused,
// offsets[] non-null where the tiles hold offsets), float4-aligned
// activations; within a step, the matrices all have offsets or none do.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_KERNELS_GEMVQUANTIZEDPROGRAM_CU
#define LLMC_KERNELS_GEMVQUANTIZEDPROGRAM_CU

#include "GemvProgram.cu"
#include "GemvQuantizedToken.cu"

/// The steps of a program.
constexpr int kGemvQProgramSteps = 8;
/// Values per row of a chunk: 8 rows of 2 KiB fill a 16 KiB buffer.
constexpr int kGemvQProgramCols = 4096;
constexpr int kGemvQProgramRowBytes = kGemvQProgramCols / 2;
static_assert(kGemvProgramRows * kGemvQProgramRowBytes ==
                  kGemvProgramStageBytes,
              "a chunk fills a buffer");

/// The arguments of one launch, passed by value.
struct GemvQProgram {
  GemvQArgs steps[kGemvQProgramSteps];
  int gated[kGemvQProgramSteps]; ///< 1: a gated step (out[0] only)
  int norm[kGemvQProgramSteps];  ///< 1: a fused RMS norm (weights in norm)
  int count;                     ///< steps, 1 .. kGemvQProgramSteps
  int stages;                    ///< buffers in the ring, at least 2
  int xValues;                   ///< the largest k of the steps
  int scaleBytes;    ///< a buffer's scale area: the most any step's rows need
  unsigned *barrier; ///< zero before and after the launch
};
static_assert(sizeof(GemvQProgram) == 200 * kGemvQProgramSteps + 24,
              "the runtime's copy has this size");

namespace {

/// The scale area a step's chunks need: 8 rows' scales, and offsets.
__host__ __device__ constexpr int gemvQProgramScaleBytes(int group,
                                                         bool offsets) {
  return kGemvProgramRows * (kGemvQProgramCols / group) * 4 * (offsets ? 2 : 1);
}

/// The buffers with their scale areas, a full and an empty mbarrier per
/// buffer, the staged activations (hi and lo bytes and 16 bytes per run of
/// 32), the partials' slots and a float per consumer warp.
__host__ __device__ constexpr unsigned
gemvQProgramSharedBytes(int stages, int xValues, int scaleBytes) {
  return unsigned(stages) * (kGemvProgramStageBytes + scaleBytes + 16) +
         unsigned(xValues) * 2 + unsigned(xValues / 32) * 16 +
         unsigned(stages + 1) * kGemvProgramSlotBytes +
         kGemvProgramConsumers / 32 * 4;
}

/// The most buffers that fit `bytes` (at most 16), 0 if fewer than 2 do.
__host__ __device__ constexpr int
gemvQProgramStages(unsigned bytes, int xValues, int scaleBytes) {
  for (int stages = 16; stages >= 2; --stages)
    if (gemvQProgramSharedBytes(stages, xValues, scaleBytes) <= bytes)
      return stages;
  return 0;
}

/// Bytes of a tiled matrix per row: values, scales and offsets.
__host__ __device__ constexpr size_t gemvQTileRowBytes(int k, int group,
                                                       bool offsets) {
  return size_t(k / 2) + size_t(k / group) * 4 * (offsets ? 2 : 1);
}

/// The producer warp: GemvProgram.cu's produce, a chunk being a tile's
/// values (to the buffer, row s of the chunk at s * cols / 2) and its
/// scales and offsets (to the scale area: row s at s * cols / group
/// floats, the offsets after 8 rows of scales): two or three copies, twice
/// for gated steps (a gate tile and an up tile of 4 rows each).
__device__ void produceQuantized(const GemvQProgram &p, unsigned ring,
                                 unsigned scaleRing, unsigned full,
                                 unsigned empty) {
  int lane = threadIdx.x & 31;
  RingCursor at;
  for (int i = 0; i < p.count; ++i) {
    const GemvQArgs &a = p.steps[i];
    bool gated = p.gated[i];
    bool offsets = a.offsets[0] != nullptr;
    int blocks = rowBlocks(a, gated), tileRows = gated ? 4 : 8;
    size_t rowBytes = gemvQTileRowBytes(a.k, a.group, offsets);
    for (int g = blockIdx.x; g < blocks; g += gridDim.x) {
      RowBlock rb = rowBlock(a, gated, g);
      // Lane 0 copies the tile (gated: the gate tile), lane 4 the up tile.
      int slot = lane;
      bool copies = lane == 0 || (gated && lane == 4);
      const char *tile =
          static_cast<const char *>(pick(a.q, gated ? lane / 4 : rb.matrix)) +
          size_t(rb.row / tileRows) * tileRows * rowBytes;
      for (int c = 0; c < a.k; c += kGemvQProgramCols, at.advance(p.stages)) {
        int stage = at.stage;
        int cols = min(kGemvQProgramCols, a.k - c);
        unsigned valueBytes = unsigned(cols / 2) * tileRows;
        unsigned scaleBytes = unsigned(cols / a.group * 4) * tileRows;
        unsigned chunkBytes = valueBytes + scaleBytes * (offsets ? 2 : 1);
        mbarrierWait(empty + 8 * stage, at.parity ^ 1);
        if (lane == 0)
          mbarrierExpect(full + 8 * stage, chunkBytes * (gated ? 2 : 1));
        __syncwarp();
        if (copies) {
          unsigned bar = full + 8 * stage;
          const char *src =
              tile + size_t(tileRows) * gemvQTileRowBytes(c, a.group, offsets);
          unsigned stride = unsigned(cols / a.group) * 4; // a row's scales
          unsigned area = scaleRing + unsigned(stage * p.scaleBytes);
          bulkCopy(ring + stage * kGemvProgramStageBytes + slot * (cols / 2),
                   src, valueBytes, bar);
          bulkCopy(area + slot * stride, src + valueBytes, scaleBytes, bar);
          if (offsets)
            bulkCopy(area + (kGemvProgramRows + slot) * stride,
                     src + valueBytes + scaleBytes, scaleBytes, bar);
        }
      }
    }
  }
}

/// The staged activations of a step (see the file comment).
struct QStaged {
  int8_t *hi, *lo; ///< [2][runs] 16-byte parts each
  int4 *runs;      ///< per run: -zero * sum hi, -zero * sum lo, scale,
                   ///< scale * (sum hi + sum lo / 256)
};

/// Quantizes the step's activations into shared memory (every consumer
/// thread, eight 16-byte loads in flight each; eight consecutive threads
/// hold a run of 32, four values each). Returns the norm's scale, 1 /
/// sqrt(mean(x^2) + epsilon), with `norm`, else 1.
__device__ inline float stageQuantized(const GemvQArgs &a, bool norm, int zero,
                                       const QStaged &s, float *squares) {
  const float4 *src = reinterpret_cast<const float4 *>(a.x);
  const float4 *gamma = reinterpret_cast<const float4 *>(a.norm);
  float unit = a.normUnitOffset ? 1.0f : 0.0f;
  int n = a.k / 4, runs = a.k / 32, lane = threadIdx.x & 31;
  constexpr int Batch = 8, T = kGemvProgramConsumers;
  float sum = 0.0f;
  for (int base = 0; base < n; base += Batch * T) {
    float4 v[Batch], g[Batch];
#pragma unroll
    for (int b = 0; b < Batch; ++b) {
      int i = base + b * T + threadIdx.x;
      v[b] = i < n ? src[i] : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
      if (norm && gamma)
        g[b] = i < n ? __ldg(gamma + i) : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    }
#pragma unroll
    for (int b = 0; b < Batch; ++b) {
      if (base + b * T >= n)
        break; // the whole block is past the end
      int i = base + b * T + threadIdx.x;
      float4 u = v[b];
      if (norm) {
        sum += u.x * u.x + u.y * u.y + u.z * u.z + u.w * u.w;
        if (gamma) {
          u.x *= g[b].x + unit, u.y *= g[b].y + unit;
          u.z *= g[b].z + unit, u.w *= g[b].w + unit;
        }
      }
      float m = chunkMax(u);
      int h[4], l[4];
      splitQuad(u, m, h, l);
      int sh = h[0] + h[1] + h[2] + h[3], sl = l[0] + l[1] + l[2] + l[3];
#pragma unroll
      for (int offset = 1; offset < 8; offset <<= 1) {
        sh += __shfl_xor_sync(0xffffffffu, sh, offset);
        sl += __shfl_xor_sync(0xffffffffu, sl, offset);
      }
      if (i >= n)
        continue;
      // Values 4 i .. 4 i + 3 are e .. e + 3 (e = 0 or 4) of word pair r
      // of run `run`: the even ones go to word 2 r (bytes e / 2, e / 2 + 1),
      // the odd ones to word 2 r + 1, to meet unpackChunk's split words.
      int run = i / 8, r = (i & 7) / 2, e = (i & 1) * 4;
      auto word = [&](int8_t *base, int w) {
        return base + ((w / 4) * runs + run) * 16 + (w % 4) * 4 + e / 2;
      };
      auto store = [&](int8_t *to, const int(&b)[4]) {
        *reinterpret_cast<uint16_t *>(word(to, 2 * r)) =
            uint16_t((b[0] & 0xFF) | (b[2] & 0xFF) << 8);
        *reinterpret_cast<uint16_t *>(word(to, 2 * r + 1)) =
            uint16_t((b[1] & 0xFF) | (b[3] & 0xFF) << 8);
      };
      store(s.hi, h);
      store(s.lo, l);
      if ((lane & 7) == 0) {
        float scale = m / 127.0f;
        s.runs[run] =
            make_int4(-zero * sh, -zero * sl, __float_as_int(scale),
                      __float_as_int(scale * (float(sh) + float(sl) / 256.0f)));
      }
    }
  }
  if (norm) {
    sum = warpSum(sum);
    if (lane == 0)
      squares[threadIdx.x >> 5] = sum;
  }
  consumersSync();
  if (!norm)
    return 1.0f;
  float total = 0.0f;
#pragma unroll
  for (int w = 0; w < kGemvProgramConsumers / 32; ++w)
    total += squares[w];
  return rsqrtf(total / a.k + a.normEpsilon);
}

/// One step's row blocks of this block, consumed from the ring: as
/// GemvProgram.cu's consumeStep, each thread multiplying run t of its
/// half's four rows of each chunk.
template <bool Gated>
__device__ void consumeQuantizedStep(const GemvQArgs &a, const QStaged &x,
                                     const unsigned char *ring,
                                     const unsigned char *scaleRing,
                                     int scaleBytes, float factor,
                                     unsigned full, unsigned empty, int stages,
                                     RingCursor &at, RowPartials &partials) {
  constexpr int halfThreads = kGemvProgramConsumers / 2;
  constexpr int halfWarps = halfThreads / 32;
  int t = threadIdx.x, warp = t >> 5, lane = t & 31;
  int half = t / halfThreads, run = t % halfThreads;
  int runs = a.k / 32;
  int group = run * 32 / a.group; // this thread's group within a chunk
  bool offsets = a.offsets[0] != nullptr;
  QFlip<4> sign(a.isSigned);
  // This thread's run of the activations; a step of one chunk per row
  // block reads the same run in every chunk: loaded once.
  QTokenChunk xc;
  auto loadRun = [&](int u) {
    const int4 *hi = reinterpret_cast<const int4 *>(x.hi);
    const int4 *lo = reinterpret_cast<const int4 *>(x.lo);
    int4 h0 = hi[u], h1 = hi[runs + u], l0 = lo[u], l1 = lo[runs + u];
    int4 info = x.runs[u];
    xc.hi[0] = h0.x, xc.hi[1] = h0.y, xc.hi[2] = h0.z, xc.hi[3] = h0.w;
    xc.hi[4] = h1.x, xc.hi[5] = h1.y, xc.hi[6] = h1.z, xc.hi[7] = h1.w;
    xc.lo[0] = l0.x, xc.lo[1] = l0.y, xc.lo[2] = l0.z, xc.lo[3] = l0.w;
    xc.lo[4] = l1.x, xc.lo[5] = l1.y, xc.lo[6] = l1.z, xc.lo[7] = l1.w;
    xc.startHi = info.x, xc.startLo = info.y;
    xc.scale = __int_as_float(info.z);
    xc.scaledSum = __int_as_float(info.w);
  };
  bool single = a.k <= kGemvQProgramCols;
  if (single && run * 32 < a.k)
    loadRun(run);
  int blocks = rowBlocks(a, Gated);
  for (int g = blockIdx.x; g < blocks; g += gridDim.x) {
    RowBlock rb = rowBlock(a, Gated, g);
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int c = 0; c < a.k; c += kGemvQProgramCols, at.advance(stages)) {
      int cols = min(kGemvQProgramCols, a.k - c);
      mbarrierWait(full + 8 * at.stage, at.parity);
      if (run * 32 < cols) {
        if (!single)
          loadRun(c / 32 + run);
        // Row s of the chunk at s * cols / 2, its scales at s * cols / group.
        int rowBytes = cols / 2, perRow = cols / a.group;
        const unsigned char *rows = ring +
                                    size_t(at.stage) * kGemvProgramStageBytes +
                                    half * 4 * rowBytes;
        const float *scales = reinterpret_cast<const float *>(
            scaleRing + size_t(at.stage) * scaleBytes);
#pragma unroll
        for (int j = 0; j < 4; ++j) {
          QChunk<4> w;
          w.part[0] =
              *reinterpret_cast<const uint4 *>(rows + j * rowBytes + run * 16);
          int slot = half * 4 + j;
          float scale = scales[slot * perRow + group];
          float offset =
              offsets ? scales[(kGemvProgramRows + slot) * perRow + group]
                      : 0.0f;
          acc[j] += tokenChunkDot<4>(w, sign.flip, xc, scale, offset);
        }
      }
      __syncwarp();
      if (lane == 0)
        mbarrierArrive(empty + 8 * at.stage);
    }
    float sum = warpSum4(acc, lane);
    int slot = partials.slot;
    if (++partials.slot == partials.slots)
      partials.slot = 0;
    if ((lane & 7) == 0)
      partials.sums[slot][warp][lane >> 3] = sum;
    __syncwarp();
    int last = 0;
    if (lane == 0) {
      __threadfence_block();
      last = atomicAdd(&partials.arrived[slot], 1) ==
             kGemvProgramConsumers / 32 - 1;
      if (last)
        partials.arrived[slot] = 0;
      __threadfence_block();
    }
    if (!__shfl_sync(0xffffffffu, last, 0))
      continue;
    __syncwarp();
    // Row s of the block: the warps of its half, in order.
    auto row = [&](int s) {
      const volatile float(*sums)[4] = partials.sums[slot];
      int w0 = (s >> 2) * halfWarps, j = s & 3;
      float v = 0.0f;
#pragma unroll
      for (int w = 0; w < halfWarps; ++w)
        v += sums[w0 + w][j];
      return v;
    };
    if constexpr (Gated) {
      if (lane < rb.rows) {
        int r = rb.row + lane;
        float gate = row(lane) * factor + (a.bias[0] ? a.bias[0][r] : 0.0f);
        float up = row(lane + 4) * factor + (a.bias[1] ? a.bias[1][r] : 0.0f);
        a.out[0][r] = gateActivation(gate, a.activation) * up;
      }
    } else if (lane < rb.rows) {
      int r = rb.row + lane;
      const float *bias = pick(a.bias, rb.matrix);
      float v = row(lane) * factor + (bias ? bias[r] : 0.0f);
      if (a.softcap > 0.0f)
        v = a.softcap * tanhf(v / a.softcap);
      if (rb.matrix == 0 && a.residual)
        v += a.residual[r];
      pick(a.out, rb.matrix)[r] = v;
    }
  }
}

__device__ void gemvQuantizedProgram(const GemvQProgram &p) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  extern __shared__ __align__(128) unsigned char shared[];
  unsigned ring = sharedAddress(shared);
  unsigned scaleRing = ring + p.stages * kGemvProgramStageBytes;
  unsigned full = scaleRing + p.stages * p.scaleBytes;
  unsigned empty = full + 8 * p.stages;
  if (threadIdx.x == 0) {
    for (int s = 0; s < p.stages; ++s) {
      mbarrierInit(full + 8 * s, 1);
      mbarrierInit(empty + 8 * s, kGemvProgramConsumers / 32);
    }
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  __syncthreads();
  if (threadIdx.x >= kGemvProgramConsumers) {
    // Weights depend on no kernel: no dependency wait.
    produceQuantized(p, ring, scaleRing, full, empty);
    return;
  }
  gridDependencyBegin();
  unsigned char *scales = shared + p.stages * kGemvProgramStageBytes;
  unsigned char *after =
      scales + p.stages * (p.scaleBytes + 16); // past the mbarriers
  QStaged x;
  x.hi = reinterpret_cast<int8_t *>(after);
  x.lo = x.hi + p.xValues;
  x.runs = reinterpret_cast<int4 *>(x.lo + p.xValues);
  RingCursor at;
  RowPartials partials;
  partials.sums = reinterpret_cast<float(*)[kGemvProgramConsumers / 32][4]>(
      x.runs + p.xValues / 32);
  partials.slots = p.stages + 1;
  partials.arrived = reinterpret_cast<int *>(partials.sums + partials.slots);
  float *squares = reinterpret_cast<float *>(partials.arrived + partials.slots);
  for (int s = threadIdx.x; s < partials.slots; s += kGemvProgramConsumers)
    partials.arrived[s] = 0;
  for (int i = 0; i < p.count; ++i) {
    const GemvQArgs &a = p.steps[i];
    float factor =
        stageQuantized(a, p.norm[i], QFlip<4>(a.isSigned).zero, x, squares);
    if (p.gated[i])
      consumeQuantizedStep<true>(a, x, shared, scales, p.scaleBytes, factor,
                                 full, empty, p.stages, at, partials);
    else
      consumeQuantizedStep<false>(a, x, shared, scales, p.scaleBytes, factor,
                                  full, empty, p.stages, at, partials);
    if (i + 1 == p.count)
      break;
    gridArrive(p.barrier);
    gridWait(p.barrier, (i + 1) * gridDim.x);
  }
  // The last block to get here sets the counter back: every block has
  // passed every barrier by then.
  consumersSync();
  if (threadIdx.x == 0 && atomicAdd(p.barrier, 1u) == p.count * gridDim.x - 1)
    atomicExch(p.barrier, 0u);
#else
  __trap(); // bulk copies and mbarrier transactions need sm_90
#endif
}

} // namespace

/// Copies a 4-bit matrix from the row layout (n rows of k values, scales
/// and offsets per row and group) into the programs' tiles (see the file
/// comment): block (t, c) writes tile t's chunk c; rows past n are zero.
/// `out` holds ceil(n / tileRows) * tileRows * gemvQTileRowBytes bytes.
extern "C" __global__ void __launch_bounds__(256)
    llmc_tile_q4(const unsigned char *q, const float *scales,
                 const float *offsets, int n, int k, int group, int tileRows,
                 unsigned char *out) {
  int tile = blockIdx.x, c = blockIdx.y * kGemvQProgramCols;
  int cols = min(kGemvQProgramCols, k - c), groups = k / group;
  bool offs = offsets != nullptr;
  unsigned char *to =
      out + size_t(tile) * tileRows * gemvQTileRowBytes(k, group, offs) +
      size_t(tileRows) * gemvQTileRowBytes(c, group, offs);
  // Values, a 32-bit word at a time.
  int words = cols / 8; // per row
  uint32_t *values = reinterpret_cast<uint32_t *>(to);
  for (int i = threadIdx.x; i < tileRows * words; i += blockDim.x) {
    int r = i / words, w = i % words, row = tile * tileRows + r;
    values[i] = row < n ? reinterpret_cast<const uint32_t *>(
                              q + size_t(row) * (k / 2) + c / 2)[w]
                        : 0u;
  }
  int per = cols / group; // scales per row
  float *scaleTo = reinterpret_cast<float *>(to + size_t(tileRows) * cols / 2);
  for (int i = threadIdx.x; i < tileRows * per; i += blockDim.x) {
    int r = i / per, j = i % per, row = tile * tileRows + r;
    size_t from = size_t(row) * groups + c / group + j;
    scaleTo[i] = row < n ? scales[from] : 0.0f;
    if (offs)
      scaleTo[tileRows * per + i] = row < n ? offsets[from] : 0.0f;
  }
}

extern "C" __global__ void __launch_bounds__(kGemvProgramThreads)
    llmc_gemv_program_q4(const __grid_constant__ GemvQProgram p) {
  gemvQuantizedProgram(p);
}

#endif // LLMC_KERNELS_GEMVQUANTIZEDPROGRAM_CU
