//===- GemvProgram.cu - a run of one-token GEMVs in one launch -*- CUDA -*-===//
//
// A decode step's linear layers run one after another: the attention
// output projection, the gated MLP, the down projection and the next
// layer's QKV projection, each reading the one before's output. As
// separate kernels, each boundary costs a few microseconds in which the
// memory streams little: the last blocks of a kernel drain, the next one
// waits until the whole grid before it has finished, and its first loads
// then take a DRAM round trip. And a GEMV that loads into registers keeps
// only what its registers hold in flight per SM (64 KiB for Gemv.cu's).
//
// A GEMV program runs up to kGemvProgramSteps such steps in one persistent
// launch, one block per SM (or a few), with a grid barrier between steps.
// Each block streams its weights through a ring of `stages` 16 KiB buffers
// in shared memory, filled by bulk asynchronous copies (cp.async.bulk,
// sm_90) that one producer warp issues as soon as a buffer is free: for
// this step and, weights depending on no step, for the next steps too,
// while the block's other eight warps finish this one and wait at the
// barrier. So each SM keeps up to stages * 16 KiB in flight, and the
// memory streams across step boundaries.
//
// A step is a GemvArgs as for Gemv.cu's t1 instances and a kind (the
// instance it stands for); a norm kind may also bring its norm's weights,
// when they are not folded into its matrices (an LM head tied to the
// embedding), and the activations are multiplied by them as they are
// staged. Its rows go in blocks of 8 (gated: 4 gate rows and the same 4
// up rows) numbered across its matrices; block b of the
// grid takes row blocks b, b + grid, ..., each in chunks of 1024 columns:
// the producer copies the chunk's rows into a buffer and the consumers
// multiply them with the activations, which they copy into shared memory
// at the start of each step (read from L2 per chunk instead, their round
// trip made the consumers, not the memory, the limit: 49% of the copy
// bandwidth against 98% for the streaming alone, 1B decode shape on an
// H200), with the step's norm scale if it has one. They are read by plain
// loads: a step's input is written earlier in the same launch, which the
// read-only path may not see, and the barrier's release and acquire make
// plain loads coherent. The barrier is a counter in device memory
// (the runtime's, zero before the launch, zero again after): before step
// i + 1, every block adds one and waits until it is (i + 1) * grid; at the
// end every block adds one more and the last one sets it back to zero. A
// block waiting longer than two seconds traps, so a grid that is not
// resident whole fails the step instead of hanging.
//
// Where the time goes (the 1B decode token's matrices, two blocks per SM,
// gemv-program-check --stages-sweep on an H200): the streaming alone takes
// about 575 us, with the activation staging 601, with the grid barriers
// 679, with both 718, the programs 727. The 48 barriers, about 2 us of lost
// streaming each, are the gap left: a deeper ring does not hide them (3 to
// 12 buffers give the same), and pulling the chunks two ahead of the
// copies into L2 took the programs from 82% to 70% of the copy bandwidth.
//
// Launch: block kGemvProgramThreads, dynamic shared memory
// gemvProgramSharedBytes(stages, xFloats), at most as many blocks as are
// resident at once (the barrier needs every one). sm_90 and newer; k % 8 == 0
// and 16-byte aligned rows, as for Gemv.cu, and 16-byte aligned norm
// weights.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_KERNELS_GEMVPROGRAM_CU
#define LLMC_KERNELS_GEMVPROGRAM_CU

#include "Gemv.cu"

/// The steps of a program, at most as many as fit the kernel's parameters.
constexpr int kGemvProgramSteps = 8;
/// Rows and columns of a chunk: one 16 KiB buffer of 16-bit weights.
constexpr int kGemvProgramRows = 8, kGemvProgramCols = 1024;
constexpr int kGemvProgramStageBytes = kGemvProgramRows * kGemvProgramCols * 2;
/// Eight consumer warps and one producer warp. (Sixteen consumer warps on
/// one block per SM took 801 us for the 1B token's matrices and 3602 for
/// the 8B's, in a call where eight took 868 and 3725; the eight shipped
/// take 722 and 3578 now, gemv-program-check on an H200.)
constexpr int kGemvProgramConsumers = 256;
constexpr int kGemvProgramThreads = kGemvProgramConsumers + 32;

/// Which t1 instance of Gemv.cu a step is.
enum GemvKind : int {
  kGemvPlain = 0,
  kGemvResidual = 1,
  kGemvNorm = 2,
  kGemvNormResidual = 3,
  kGemvGated = 4,
  kGemvGatedNorm = 5,
};

/// The arguments of one launch, passed by value.
struct GemvProgram {
  GemvArgs steps[kGemvProgramSteps];
  /// A norm kind's weights when they are not folded into the matrices
  /// (the LM head tied to the embedding), else null; Gemma's (1 + w) where
  /// normUnitOffset is set.
  const float *normWeights[kGemvProgramSteps];
  int normUnitOffset[kGemvProgramSteps];
  int kinds[kGemvProgramSteps];
  int count;   ///< steps, 1 .. kGemvProgramSteps
  int stages;  ///< buffers in the ring, at least 2
  int xFloats; ///< the largest k of the steps, a multiple of 8
  int unused;
  unsigned *barrier; ///< zero before and after the launch
};
static_assert(sizeof(GemvProgram) == 140 * kGemvProgramSteps + 56,
              "the runtime's copy has this size");

namespace {

/// The consumer warps' row partials, in stages + 1 slots (consumeStep):
/// four floats per warp and an arrival count per slot.
constexpr int kGemvProgramSlotBytes = kGemvProgramConsumers / 32 * 16 + 4;

/// The buffers, a full and an empty mbarrier per buffer, the step's
/// activations (xFloats floats), the partials' slots and a float per
/// consumer warp (the norm's sum of squares).
__host__ __device__ constexpr unsigned gemvProgramSharedBytes(int stages,
                                                              int xFloats) {
  return unsigned(stages) * (kGemvProgramStageBytes + 16) +
         unsigned(xFloats) * 4 + unsigned(stages + 1) * kGemvProgramSlotBytes +
         kGemvProgramConsumers / 32 * 4;
}

/// The most buffers that fit `bytes` of shared memory per block (at most
/// 16), 0 if fewer than 2 do.
__host__ __device__ constexpr int gemvProgramStages(unsigned bytes,
                                                    int xFloats) {
  for (int stages = 16; stages >= 2; --stages)
    if (gemvProgramSharedBytes(stages, xFloats) <= bytes)
      return stages;
  return 0;
}

/// Where a step's row block g lies: matrix `matrix`, first row `row`,
/// rows `rows` (gated: gate and up rows each).
struct RowBlock {
  int matrix, row, rows;
};

__device__ inline bool gatedKind(int kind) { return kind >= kGemvGated; }

/// Row blocks of a step (Args: GemvArgs, or GemvQuantizedProgram.cu's
/// GemvQArgs).
template <typename Args>
__device__ inline int rowBlocks(const Args &a, bool gated) {
  if (gated)
    return (a.n[0] + 3) / 4;
  return (a.n[0] + 7) / 8 + (a.n[1] + 7) / 8 + (a.n[2] + 7) / 8;
}

template <typename Args>
__device__ inline RowBlock rowBlock(const Args &a, bool gated, int g) {
  if (gated)
    return RowBlock{0, g * 4, min(4, a.n[0] - g * 4)};
  int matrix = 0;
  int blocks0 = (a.n[0] + 7) / 8, blocks1 = (a.n[1] + 7) / 8;
  if (g >= blocks0) {
    g -= blocks0;
    matrix = 1;
    if (g >= blocks1) {
      g -= blocks1;
      matrix = 2;
    }
  }
  int n = matrix == 0 ? a.n[0] : matrix == 1 ? a.n[1] : a.n[2];
  return RowBlock{matrix, g * 8, min(8, n - g * 8)};
}

__device__ inline unsigned sharedAddress(const void *p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}

__device__ inline void mbarrierInit(unsigned bar, unsigned count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(bar),
               "r"(count));
}

/// Waits until the mbarrier's phase of the given parity has completed.
__device__ inline void mbarrierWait(unsigned bar, unsigned parity) {
  asm volatile("{\n"
               ".reg .pred done;\n"
               "wait:\n"
               "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n"
               "@!done bra wait;\n"
               "}" ::"r"(bar),
               "r"(parity)
               : "memory");
}

__device__ inline void mbarrierArrive(unsigned bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(bar)
               : "memory");
}

/// mbarrier.arrive counted `count` times.
__device__ inline void mbarrierArriveCount(unsigned bar, unsigned count) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0], %1;" ::"r"(bar),
               "r"(count)
               : "memory");
}

__device__ inline void mbarrierExpect(unsigned bar, unsigned bytes) {
  asm volatile(
      "mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(bar),
      "r"(bytes)
      : "memory");
}

/// Copies `bytes` (a multiple of 16, 16-byte aligned) from global memory
/// into shared memory, completing on mbarrier `bar`.
__device__ inline void bulkCopy(unsigned dst, const void *src, unsigned bytes,
                                unsigned bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::"
               "bytes [%0], [%1], %2, [%3];" ::"r"(dst),
               "l"(src), "r"(bytes), "r"(bar)
               : "memory");
}

/// The consumers' barrier within the block (named barrier 1): the
/// producer warp never joins it. `Threads`: the consumers (the 4-bit
/// programs have more).
template <int Threads = kGemvProgramConsumers>
__device__ inline void consumersSync() {
  asm volatile("bar.sync 1, %0;" ::"n"(Threads) : "memory");
}

/// A block's arrival at the grid barrier: its writes so far are visible to
/// the blocks that pass it. A release add, cumulative over the block's
/// writes ordered before it by the block barrier (no sequentially
/// consistent fence: the acquire in gridWait pairs with it).
template <int Threads = kGemvProgramConsumers>
__device__ inline void gridArrive(unsigned *barrier) {
  consumersSync<Threads>();
  if (threadIdx.x == 0)
    asm volatile("red.release.gpu.global.add.u32 [%0], 1;" ::"l"(barrier)
                 : "memory");
}

__device__ inline unsigned long long globalNanoseconds() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

/// Waits until `target` blocks have arrived; then every block's writes
/// before its arrival are visible to plain loads: the acquire load that
/// sees the count, and the block barrier after it, order them before this
/// block's reads.
template <int Threads = kGemvProgramConsumers>
__device__ inline void gridWait(unsigned *barrier, unsigned target) {
  if (threadIdx.x == 0) {
    unsigned long long start = globalNanoseconds();
    unsigned seen;
    do {
      asm volatile("ld.acquire.gpu.global.u32 %0, [%1];"
                   : "=r"(seen)
                   : "l"(barrier)
                   : "memory");
      if (seen < target && globalNanoseconds() - start > 2000000000ull)
        __trap(); // not every block is resident: fail, do not hang
    } while (seen < target);
  }
  consumersSync<Threads>();
}

/// A position in the ring: the buffer and the parity of its round.
struct RingCursor {
  int stage = 0;
  unsigned parity = 0;
  __device__ void advance(int stages) {
    if (++stage == stages) {
      stage = 0;
      parity ^= 1;
    }
  }
};

/// The producer warp: every chunk of the block's row blocks of every
/// step, in the consumers' order, into the ring as buffers free up.
template <typename W>
__device__ void produce(const GemvProgram &p, unsigned ring, unsigned full,
                        unsigned empty) {
  int lane = threadIdx.x & 31;
  RingCursor at;
  for (int i = 0; i < p.count; ++i) {
    const GemvArgs &a = p.steps[i];
    int kind = p.kinds[i], blocks = rowBlocks(a, gatedKind(kind));
    for (int g = blockIdx.x; g < blocks; g += gridDim.x) {
      RowBlock rb = rowBlock(a, gatedKind(kind), g);
      const W *w = static_cast<const W *>(rb.matrix == 0   ? a.w[0]
                                          : rb.matrix == 1 ? a.w[1]
                                                           : a.w[2]);
      for (int c = 0; c < a.k; c += kGemvProgramCols, at.advance(p.stages)) {
        int stage = at.stage;
        int cols = min(kGemvProgramCols, a.k - c);
        // Slot s of the buffer: row s of the block (gated: gate row s for
        // s < 4, up row s - 4).
        int slot = lane;
        bool gated = gatedKind(kind);
        int r = gated ? slot & 3 : slot;
        bool copies = slot < kGemvProgramRows && r < rb.rows;
        int rowsCopied = gated ? 2 * rb.rows : rb.rows;
        mbarrierWait(empty + 8 * stage, at.parity ^ 1);
        if (lane == 0)
          mbarrierExpect(full + 8 * stage, unsigned(rowsCopied * cols * 2));
        __syncwarp();
        if (copies) {
          const W *src =
              (gated && slot >= 4 ? static_cast<const W *>(a.w[1]) : w) +
              (size_t)(rb.row + r) * a.k + c;
          bulkCopy(ring + stage * kGemvProgramStageBytes +
                       slot * kGemvProgramCols * 2,
                   src, unsigned(cols * 2), full + 8 * stage);
        }
      }
    }
  }
}

/// Sums each of a thread's four row partials over its warp, in six
/// shuffles instead of twenty: lanes 8 j .. 8 j + 7 end with row j's sum.
__device__ inline float warpSum4(const float (&v)[4], int lane) {
  bool high = lane & 16, odd = lane & 8;
  // Lanes 16 .. 31 keep rows 2 and 3, the others rows 0 and 1.
  float s0 = __shfl_xor_sync(0xffffffffu, high ? v[0] : v[2], 16);
  float s1 = __shfl_xor_sync(0xffffffffu, high ? v[1] : v[3], 16);
  float b0 = (high ? v[2] : v[0]) + s0, b1 = (high ? v[3] : v[1]) + s1;
  float c = (odd ? b1 : b0) + __shfl_xor_sync(0xffffffffu, odd ? b0 : b1, 8);
  c += __shfl_xor_sync(0xffffffffu, c, 4);
  c += __shfl_xor_sync(0xffffffffu, c, 2);
  return c + __shfl_xor_sync(0xffffffffu, c, 1);
}

/// Where the consumer warps' row partials meet, in shared memory: a slot
/// per row block, `slots` (stages + 1) of them in turn. A warp may run
/// ahead of the slowest by at most `stages` chunks (a buffer is refilled
/// only when every warp has released it), so by at most `stages` row
/// blocks: a slot is free again when its turn comes back.
struct RowPartials {
  float (*sums)[kGemvProgramConsumers / 32][4]; ///< [slots]
  int *arrived;                                 ///< [slots], zero when free
  int slots;
  int slot = 0; ///< this row block's
};

/// One step's row blocks of this block, consumed from the ring. The
/// consumers' first half multiplies rows 0 .. 3 of each chunk (gated: the
/// gate rows), the second rows 4 .. 7; thread t of a half (h threads)
/// takes columns 4 t .. 4 t + 3, 4 (t + h) .., up to 1024: each activation
/// is read from shared memory once per chunk and half, and every read is
/// free of bank conflicts. Each warp leaves its row partials in
/// `partials` and goes on; the last warp to arrive at a row block adds
/// them up (the warps of a row's half, in order) and writes its rows as
/// Gemv.cu does, with the step's norm scale `scale` (1 without a norm). So
/// no warp waits for another within a step.
template <typename W, bool Residual, bool Gated>
__device__ void consumeStep(const GemvArgs &a, int kind, const W *ring,
                            const float *xs, float scale, unsigned full,
                            unsigned empty, int stages, RingCursor &at,
                            RowPartials &partials) {
  constexpr int halfThreads = kGemvProgramConsumers / 2;
  constexpr int halfWarps = halfThreads / 32;
  int t = threadIdx.x, warp = t >> 5, lane = t & 31;
  int half = t / halfThreads, col = (t % halfThreads) * 4;
  int blocks = rowBlocks(a, gatedKind(kind));
  for (int g = blockIdx.x; g < blocks; g += gridDim.x) {
    RowBlock rb = rowBlock(a, gatedKind(kind), g);
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int c = 0; c < a.k; c += kGemvProgramCols, at.advance(stages)) {
      int cols = min(kGemvProgramCols, a.k - c);
      mbarrierWait(full + 8 * at.stage, at.parity);
      const W *rows = ring + (size_t)at.stage * (kGemvProgramStageBytes / 2) +
                      half * 4 * kGemvProgramCols;
#pragma unroll
      for (int h = 0; h < kGemvProgramCols / (4 * halfThreads); ++h) {
        int cc = col + h * 4 * halfThreads;
        if (cc < cols) {
          float4 xv = *reinterpret_cast<const float4 *>(xs + c + cc);
#pragma unroll
          for (int j = 0; j < 4; ++j) {
            uint2 wv = *reinterpret_cast<const uint2 *>(
                rows + j * kGemvProgramCols + cc);
            float2 w0 = unpack(wv.x, W()), w1 = unpack(wv.y, W());
            acc[j] += w0.x * xv.x + w0.y * xv.y + w1.x * xv.z + w1.y * xv.w;
          }
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
        float gate = row(lane) * scale + (a.bias[0] ? a.bias[0][r] : 0.0f);
        float up = row(lane + 4) * scale + (a.bias[1] ? a.bias[1][r] : 0.0f);
        a.out[0][r] = gateActivation(gate, a.activation) * up;
      }
    } else if (lane < rb.rows) {
      int r = rb.row + lane;
      const float *bias = rb.matrix == 0   ? a.bias[0]
                          : rb.matrix == 1 ? a.bias[1]
                                           : a.bias[2];
      float *out = rb.matrix == 0   ? a.out[0]
                   : rb.matrix == 1 ? a.out[1]
                                    : a.out[2];
      float v = row(lane) * scale + (bias ? bias[r] : 0.0f);
      if (a.softcap > 0.0f)
        v = a.softcap * tanhf(v / a.softcap);
      if constexpr (Residual)
        if (rb.matrix == 0)
          v += a.residual[r];
      out[r] = v;
    }
  }
}

/// Copies the step's activations into shared memory (every consumer
/// thread, eight 16-byte loads in flight each), for its chunks to read:
/// one round trip to L2 per step instead of one per chunk. Returns the
/// norm's scale, 1 / sqrt(mean(x^2) + epsilon), when `norm`, else 1; with
/// `gamma`, the norm's weights (plus `unitOffset`) multiply the staged
/// activations.
__device__ inline float stageActivations(const GemvArgs &a, float *xs,
                                         float *squares, bool norm,
                                         const float *gamma = nullptr,
                                         int unitOffset = 0) {
  const float4 *src = reinterpret_cast<const float4 *>(a.x);
  float4 *dst = reinterpret_cast<float4 *>(xs);
  int n = a.k / 4;
  float sum = 0.0f;
  for (int i = threadIdx.x; i < n; i += 8 * kGemvProgramConsumers) {
    float4 v[8];
#pragma unroll
    for (int j = 0; j < 8; ++j)
      if (i + j * kGemvProgramConsumers < n)
        v[j] = src[i + j * kGemvProgramConsumers];
#pragma unroll
    for (int j = 0; j < 8; ++j)
      if (i + j * kGemvProgramConsumers < n) {
        sum += v[j].x * v[j].x + v[j].y * v[j].y + v[j].z * v[j].z +
               v[j].w * v[j].w;
        if (gamma) {
          float4 g = reinterpret_cast<const float4 *>(
              gamma)[i + j * kGemvProgramConsumers];
          float u = unitOffset ? 1.0f : 0.0f;
          v[j].x *= u + g.x;
          v[j].y *= u + g.y;
          v[j].z *= u + g.z;
          v[j].w *= u + g.w;
        }
        dst[i + j * kGemvProgramConsumers] = v[j];
      }
  }
  if (norm) {
    sum = warpSum(sum);
    if ((threadIdx.x & 31) == 0)
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

template <typename W> __device__ void gemvProgram(const GemvProgram &p) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  extern __shared__ __align__(128) unsigned char shared[];
  unsigned ring = sharedAddress(shared);
  unsigned full = ring + p.stages * kGemvProgramStageBytes;
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
    produce<W>(p, ring, full, empty);
    return;
  }
  gridDependencyBegin();
  const W *buffers = reinterpret_cast<const W *>(shared);
  float *xs = reinterpret_cast<float *>(
      shared + p.stages * (kGemvProgramStageBytes + 16));
  RingCursor at;
  RowPartials partials;
  partials.sums =
      reinterpret_cast<float(*)[kGemvProgramConsumers / 32][4]>(xs + p.xFloats);
  partials.slots = p.stages + 1;
  partials.arrived = reinterpret_cast<int *>(partials.sums + partials.slots);
  float *squares = reinterpret_cast<float *>(partials.arrived + partials.slots);
  for (int s = threadIdx.x; s < partials.slots; s += kGemvProgramConsumers)
    partials.arrived[s] = 0;
  for (int i = 0; i < p.count; ++i) {
    const GemvArgs &a = p.steps[i];
    int kind = p.kinds[i];
    float scale =
        stageActivations(a, xs, squares,
                         kind == kGemvNorm || kind == kGemvNormResidual ||
                             kind == kGemvGatedNorm,
                         p.normWeights[i], p.normUnitOffset[i]);
    if (kind == kGemvResidual || kind == kGemvNormResidual)
      consumeStep<W, true, false>(a, kind, buffers, xs, scale, full, empty,
                                  p.stages, at, partials);
    else if (gatedKind(kind))
      consumeStep<W, false, true>(a, kind, buffers, xs, scale, full, empty,
                                  p.stages, at, partials);
    else
      consumeStep<W, false, false>(a, kind, buffers, xs, scale, full, empty,
                                   p.stages, at, partials);
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

#define LLMC_GEMV_PROGRAM(SUFFIX, W)                                           \
  extern "C" __global__ void __launch_bounds__(kGemvProgramThreads)            \
      llmc_gemv_program_##SUFFIX(const __grid_constant__ GemvProgram p) {      \
    gemvProgram<W>(p);                                                         \
  }

LLMC_GEMV_PROGRAM(bf16, __nv_bfloat16)
LLMC_GEMV_PROGRAM(f16, __half)

#undef LLMC_GEMV_PROGRAM

#endif // LLMC_KERNELS_GEMVPROGRAM_CU
