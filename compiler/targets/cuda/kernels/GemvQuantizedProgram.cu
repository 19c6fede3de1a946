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
// The machinery is GemvProgram.cu's: one block per SM, a producer warp
// that bulk-copies weight rows into a ring of 16 KiB buffers as they free
// up, the same grid barrier. What differs:
//
// - A chunk is 8 rows (gated: 4 gate and the same 4 up rows) of up to
//   kGemvQProgramCols = 4096 values, 2 KiB of packed 4-bit values per row,
//   with their groups' scales (and offsets, for asymmetric weights), which
//   go to the buffer's scale area. The matrices are read in tiles, a copy
//   that the runtime makes once (llmc_tile_q4_unsigned): per block of R rows
//   (8, gated matrices 4) and chunk, the rows' packed values
//   (GemvQuantized.cu's row layout, signed values flipped to unsigned ones),
//   then their scales, then their offsets, contiguous. Read from the row
//   layout, each chunk's scales were a second small read beside the values, and
//   the streaming alone reached 55% of the copy bandwidth on the 8B shape's
//   int4 token (93% from tiles, 99% for the values alone;
//   gemv-quantized-program-check --producers on an H200).
// - At the start of each step the consumers quantize the step's activations
//   into shared memory as GemvQuantizedToken.cu does (per run of 32, x =
//   s * (hi + lo / 256); a fused norm's weights applied first, its scale
//   taken from the squares), each run's 32 hi and 32 lo bytes stored as two
//   16-byte parts apart (part p of run u at (p * runs + u) * 16), so that
//   the consumers' 16-byte reads are free of bank conflicts; with each run,
//   its scale and its sums' terms (16 bytes). Every block stages every
//   step, so the staging is written for few instructions per value.
// - Sixteen consumer warps in four teams (kGemvQProgramTeams of
//   kGemvQTeamWarps) take the block's chunks in turn (ChunkOrder). Warp w
//   of a team multiplies all 8 rows of the chunk over its runs 32 w ..
//   32 w + 31 of 32 values, lane l run 32 w + l (16 bytes of each row,
//   with dp4a: tileChunkDot), reading the run's staged activations once
//   for the 8 rows and before it waits for the chunk. At the end of a row
//   block the team's warps meet in shared memory (QPartials), and for a
//   row block of more than one chunk (k > 4096: the down projections) the
//   teams then meet too. Session 14's warps each multiplied 2 rows over
//   every run, reading the activations 4 times per chunk (2.5 times the
//   bytes of the weights); alone, those consumers took as long as the
//   streaming alone (900 us for the 8B token; the whole program 1480,
//   same H200 call). The 8 rows per warp made the program 1466.
// - The producer keeps at most kGemvQProgramInFlight chunks in flight
//   (issued and not landed), not the whole ring: the ring still buffers
//   up to 15 chunks ahead of the consumers, but the memory system's queues
//   stay short. With the whole ring in flight, every block had about
//   180 KB queued, and the steps' activation loads and the grid barrier's
//   atomics waited behind it: with consumers that compute nothing the
//   program took 1303 us on the 8B token, the streaming with barriers
//   about 1000. In flight 2: 1381 us against 1474 for the whole ring
//   (3: 1427, 4: 1452, 1: 1483, where the streaming alone falls to 62% of
//   the copy bandwidth; H200).
// - The warps load the rows' biases and residuals (RowEnd) before they wait
//   for a row block's last chunk: loaded after the meeting, by the warp
//   that finishes the rows, they held that warp, and so the team's next
//   meeting, for an L2 round trip behind the stream (8B token 1571 ->
//   1536 us, H100).
// - All teams stream through one ring. Teams that took whole row blocks
//   in turn from one ring raced: a team waiting on a buffer more than a
//   ring's length past its last chunk could take the buffer's previous
//   round for its own, as mbarrier parity tells only two rounds apart.
//   Rings of 2 buffers per team fixed that at 11% of the 8B token's time
//   (1446 us against 1602, H200); taking chunks in turn bounds the gap to
//   four chunks, and TeamCursor::wait makes the wait unambiguous.
//
// Launch: block kGemvQProgramThreads, dynamic shared memory
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

/// Diagnosis builds of the kernel harness (gemv-quantized-program-check
/// built with NVCC_FLAGS=-DLLMC_Q4_PROGRAM_DIAG=N); 0, the product, has
/// none of these. Bits: 1, the producer copies nothing (each chunk's
/// mbarrier completes with 0 bytes); 2, only the first step stages its
/// activations; 4, no grid barriers between the steps; 8, the consumers
/// wait for and release each chunk but multiply nothing; 16, a team's
/// warps do not meet (each finishes its rows alone); 32, the consumers
/// multiply only the first half of each chunk's rows (as if the dot
/// products cost half). The results are then wrong: time them with
/// --token-8b, which checks nothing.
#ifndef LLMC_Q4_PROGRAM_DIAG
#define LLMC_Q4_PROGRAM_DIAG 0
#endif
constexpr int kQ4ProgramDiag = LLMC_Q4_PROGRAM_DIAG;

/// The steps of a program.
constexpr int kGemvQProgramSteps = 8;
/// Values per row of a chunk: 8 rows of 2 KiB fill a 16 KiB buffer.
constexpr int kGemvQProgramCols = 4096;
constexpr int kGemvQProgramRowBytes = kGemvQProgramCols / 2;
static_assert(kGemvProgramRows * kGemvQProgramRowBytes ==
                  kGemvProgramStageBytes,
              "a chunk fills a buffer");
/// Consumer teams per block, of kGemvQTeamWarps warps each: the teams
/// take the block's chunks in turn (warp w of a team the chunk's runs
/// 32 w .. 32 w + 31);
/// all of them stage the activations.
constexpr int kGemvQTeamWarps = 4;
constexpr int kGemvQProgramTeams = 4;
constexpr int kGemvQProgramThreads =
    kGemvQProgramTeams * kGemvQTeamWarps * 32 + 32;

/// The arguments of one launch, passed by value.
struct GemvQProgram {
  GemvQArgs steps[kGemvQProgramSteps];
  int gated[kGemvQProgramSteps]; ///< 1: a gated step (out[0] only)
  int norm[kGemvQProgramSteps];  ///< 1: a fused RMS norm (weights in norm)
  int count;                     ///< steps, 1 .. kGemvQProgramSteps
  int stages;        ///< buffers in the ring: 2 per consumer team .. 15
  int xValues;       ///< the largest k of the steps
  int scaleBytes;    ///< a buffer's scale area: the most any step's rows need
  unsigned *barrier; ///< zero before and after the launch
};
static_assert(sizeof(GemvQProgram) == 200 * kGemvQProgramSteps + 24,
              "the runtime's copy has this size");

namespace {

/// Row blocks of more than one chunk whose teams' partial sums can be
/// meeting at once (QPartials), and so the most buffers in the ring
/// (consumeQuantizedStep says why).
constexpr int kGemvQProgramSlots = 8;
constexpr int kGemvQProgramMaxStages = 2 * kGemvQProgramSlots - 1;
/// The most chunks the producer has in flight (issued, not landed); 0: as
/// many as the ring holds. The harness may build others
/// (NVCC_FLAGS=-DLLMC_Q4_PROGRAM_IN_FLIGHT=N).
#ifndef LLMC_Q4_PROGRAM_IN_FLIGHT
#define LLMC_Q4_PROGRAM_IN_FLIGHT 2
#endif
constexpr int kGemvQProgramInFlight = LLMC_Q4_PROGRAM_IN_FLIGHT;
/// Where the warps of one team meet at the end of a row block
/// (QPartials::team): per team, enough slots that a slot comes round again
/// more than kGemvQProgramMaxStages chunks later; Teams of them hold 16.
__host__ __device__ constexpr int gemvQTeamSlots(int teams) {
  return (kGemvQProgramMaxStages + teams) / teams;
}

/// The scale area a step's chunks need: 8 rows' scales, and offsets.
__host__ __device__ constexpr int gemvQProgramScaleBytes(int group,
                                                         bool offsets) {
  return kGemvProgramRows * (kGemvQProgramCols / group) * 4 * (offsets ? 2 : 1);
}

/// The buffers with their scale areas, a full and an empty mbarrier per
/// buffer, the staged activations (hi and lo bytes and 16 bytes per run of
/// 32), a float per consumer warp, the QPartials slots of the teams and
/// those of each team's warps (an mbarrier and the sums each).
__host__ __device__ constexpr unsigned
gemvQProgramSharedBytes(int stages, int xValues, int scaleBytes,
                        int teams = kGemvQProgramTeams) {
  return unsigned(stages) * (kGemvProgramStageBytes + scaleBytes + 16) +
         unsigned(xValues) * 2 + unsigned(xValues / 32) * 16 +
         unsigned(teams * kGemvQTeamWarps) * 4 +
         unsigned(kGemvQProgramSlots) * (teams * kGemvProgramRows + 2) * 4 +
         unsigned(teams * gemvQTeamSlots(teams)) *
             (kGemvQTeamWarps * kGemvProgramRows + 2) * 4;
}

/// The most buffers that fit `bytes` (at most kGemvQProgramMaxStages), 0
/// if fewer than 2 per team do.
__host__ __device__ constexpr int
gemvQProgramStages(unsigned bytes, int xValues, int scaleBytes,
                   int teams = kGemvQProgramTeams) {
  for (int stages = kGemvQProgramMaxStages; stages >= 2 * teams; --stages)
    if (gemvQProgramSharedBytes(stages, xValues, scaleBytes, teams) <= bytes)
      return stages;
  return 0;
}

/// Bytes of a tiled matrix per row: values, scales and offsets.
__host__ __device__ constexpr size_t gemvQTileRowBytes(int k, int group,
                                                       bool offsets) {
  return size_t(k / 2) + size_t(k / group) * 4 * (offsets ? 2 : 1);
}

/// Where a block's chunks go. The block's chunks of all the program's
/// steps, row block by row block and chunk by chunk, are numbered in
/// order: chunk `seq` goes to buffer seq % stages of the one ring and to
/// team seq % Teams. A team's chunks are therefore Teams apart, which
/// keeps its waits unambiguous (TeamCursor). Row blocks of more than one
/// chunk are numbered too: their teams' partial sums meet in slot
/// `meets` % kGemvQProgramSlots (QPartials). Such a row block's chunks
/// come rotated by `meets`: with as many chunks as teams, team t would
/// otherwise always get chunk t, and the 8B down projection's half-width
/// last chunk would leave one team idle half of that step.
struct ChunkOrder {
  int seq = 0, meets = 0;
  /// The first column of chunk j of `chunks`, in the order's row block
  /// `r` (of the current step).
  __device__ int column(int r, int j, int chunks) const {
    return chunks > 1 ? (j + meets + r) % chunks * kGemvQProgramCols : 0;
  }
  /// Past `blocks` row blocks of `chunks` chunks.
  __device__ void next(int blocks, int chunks) {
    seq += blocks * chunks;
    meets += chunks > 1 ? blocks : 0;
  }
};

/// This block's row blocks of a step of `blocks`: g = blockIdx.x + r *
/// gridDim.x for r below it.
__device__ inline int blockRowBlocks(int blocks) {
  return blockIdx.x < blocks
             ? (blocks - int(blockIdx.x) + int(gridDim.x) - 1) / int(gridDim.x)
             : 0;
}

/// A team's next chunk in ChunkOrder, with its buffer and the buffer's
/// round, advanced Teams chunks at a time.
struct TeamCursor {
  int seq, stage, round = 0;
  int meetings = 0; ///< row blocks the team has finished (QPartials::team)
  __device__ explicit TeamCursor(int team) : seq(team), stage(team) {}
  __device__ void advance(int teams, int stages) {
    seq += teams;
    stage += teams;
    if (stage >= stages) { // teams < stages
      stage -= stages;
      ++round;
    }
  }
  /// Waits until the chunk is in its buffer. The buffer's previous round
  /// (chunk seq - stages) may not have landed yet when the consumer comes,
  /// and an mbarrier's parity cannot tell that round from this one: the
  /// consumers first wait for the previous round's release. That wait is
  /// unambiguous because the team's previous chunk (seq - Teams) was
  /// issued, so every chunk up to seq - Teams - stages, the buffer's round
  /// before that, was released; with stages >= Teams.
  __device__ void wait(unsigned full, unsigned empty) const {
    if (round > 0)
      mbarrierWait(empty + 8 * stage, unsigned(round - 1) & 1);
    mbarrierWait(full + 8 * stage, unsigned(round) & 1);
  }
};

/// The producer warp: GemvProgram.cu's produce, a chunk being a tile's
/// values (to the buffer, row s of the chunk at s * cols / 2) and its
/// scales and offsets (to the scale area: row s at s * cols / group
/// floats, the offsets after 8 rows of scales): two or three copies, twice
/// for gated steps (a gate tile and an up tile of 4 rows each), in
/// ChunkOrder.
__device__ void produceQuantized(const GemvQProgram &p, unsigned ring,
                                 unsigned scaleRing, unsigned full,
                                 unsigned empty) {
  int lane = threadIdx.x & 31;
  const int stages = p.stages, areaBytes = p.scaleBytes;
  RingCursor at;
  ChunkOrder order;
  int issued = 0;
  for (int i = 0; i < p.count; ++i) {
    // The step's constants, worked out once: one warp issues every copy
    // of the SM, and with the ring draining it through one block per SM
    // (as in the harness's streaming alone) that warp's time per chunk
    // bounds the stream.
    const GemvQArgs &a = p.steps[i];
    const bool gated = p.gated[i];
    const bool offsets = a.offsets[0] != nullptr;
    const int k = a.k, groupShift = __ffs(a.group) - 1;
    const int tileShift = gated ? 2 : 3, tileRows = 1 << tileShift;
    const int blocks = blockRowBlocks(rowBlocks(a, gated));
    const int chunks = (k + kGemvQProgramCols - 1) / kGemvQProgramCols;
    const int scaleCopies = offsets ? 2 : 1;
    const size_t rowBytes = gemvQTileRowBytes(k, a.group, offsets);
    // Lane 0 copies the tile (gated: the gate tile), lane 4 the up tile.
    const int slot = lane;
    const bool copies = lane == 0 || (gated && lane == 4);
    for (int r = 0; r < blocks; ++r) {
      RowBlock rb = rowBlock(a, gated, int(blockIdx.x + r * gridDim.x));
      const char *tile =
          static_cast<const char *>(pick(a.q, gated ? lane / 4 : rb.matrix)) +
          size_t(rb.row >> tileShift) * tileRows * rowBytes;
      // The row block's first chunk in ChunkOrder (column(r, 0, chunks)).
      int next = chunks > 1 ? (order.meets + r) % chunks : 0;
      for (int j = 0; j < chunks; ++j, at.advance(stages)) {
        int stage = at.stage, c = next * kGemvQProgramCols;
        if (++next == chunks)
          next = 0;
        int cols = min(kGemvQProgramCols, k - c);
        unsigned valueBytes = unsigned(cols / 2) << tileShift;
        unsigned stride = unsigned(cols >> groupShift) * 4; // a row's scales
        unsigned scaleBytes = stride << tileShift;
        unsigned chunkBytes = valueBytes + scaleBytes * scaleCopies;
        mbarrierWait(empty + 8 * stage, at.parity ^ 1);
        if (kGemvQProgramInFlight > 0 && kGemvQProgramInFlight < stages &&
            issued >= kGemvQProgramInFlight) {
          // The chunk kGemvQProgramInFlight back has landed.
          int back = stage - kGemvQProgramInFlight;
          unsigned parity = at.parity;
          if (back < 0)
            back += stages, parity ^= 1;
          mbarrierWait(full + 8 * back, parity);
        }
        ++issued;
        if (lane == 0)
          mbarrierExpect(full + 8 * stage, (kQ4ProgramDiag & 1)
                                               ? 0u
                                               : chunkBytes * (gated ? 2 : 1));
        __syncwarp();
        if (copies && !(kQ4ProgramDiag & 1)) {
          unsigned bar = full + 8 * stage;
          // The chunk's place in the tile: gemvQTileRowBytes(c) per row.
          const char *src =
              tile + (size_t(c / 2 + ((c >> groupShift) * 4) * scaleCopies)
                      << tileShift);
          unsigned area = scaleRing + unsigned(stage * areaBytes);
          bulkCopy(ring + stage * kGemvProgramStageBytes + slot * (cols / 2),
                   src, valueBytes, bar);
          bulkCopy(area + slot * stride, src + valueBytes, scaleBytes, bar);
          if (offsets)
            bulkCopy(area + (kGemvProgramRows + slot) * stride,
                     src + valueBytes + scaleBytes, scaleBytes, bar);
        }
      }
    }
    order.next(blocks, chunks);
  }
}

/// The staged activations of a step (see the file comment).
struct QStaged {
  int8_t *hi, *lo; ///< [2][runs] 16-byte parts each
  int4 *runs;      ///< per run: -zero * sum hi, -zero * sum lo, scale,
                   ///< scale * (sum hi + sum lo / 256)
};

/// Four signed bytes' low bytes packed into a word, a first.
__device__ inline uint32_t packBytes(int a, int b, int c, int d) {
  return __byte_perm(__byte_perm(a, b, 0x0040), __byte_perm(c, d, 0x0040),
                     0x5410);
}

/// Quantizes the step's activations into shared memory (every consumer
/// thread; eight consecutive values a thread, so that four threads hold a
/// run of 32 and each writes its values' two hi and two lo words with one
/// 8-byte store each; two octets' 16-byte loads in flight, so that k =
/// 14336 takes two rounds of loads rather than four). Returns the
/// norm's scale, 1 / sqrt(mean(x^2) + epsilon), with `norm`, else 1.
///
/// Per value about a third of the instructions of quantizing four values a
/// thread (ncu, H200: the staging was a third of the 8B token's program
/// instructions at two blocks per SM, each block staging every step).
template <int Threads>
__device__ inline float stageQuantized(const GemvQArgs &a, bool norm, int zero,
                                       const QStaged &s, float *squares) {
  const float4 *src = reinterpret_cast<const float4 *>(a.x);
  const float4 *gamma = reinterpret_cast<const float4 *>(a.norm);
  float unit = a.normUnitOffset ? 1.0f : 0.0f;
  int n = a.k / 8, runs = a.k / 32, lane = threadIdx.x & 31;
  constexpr int Batch = 2, T = Threads;
  const float4 none = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
  float sum = 0.0f;
  for (int base = 0; base < n; base += Batch * T) {
    float4 v[Batch][2], g[Batch][2];
#pragma unroll
    for (int b = 0; b < Batch; ++b) {
      int i = base + b * T + threadIdx.x;
      v[b][0] = i < n ? src[2 * i] : none;
      v[b][1] = i < n ? src[2 * i + 1] : none;
      if (norm && gamma) {
        g[b][0] = i < n ? __ldg(gamma + 2 * i) : none;
        g[b][1] = i < n ? __ldg(gamma + 2 * i + 1) : none;
      }
    }
#pragma unroll
    for (int b = 0; b < Batch; ++b) {
      if (base + b * T >= n)
        break; // the whole block is past the end
      int i = base + b * T + threadIdx.x;
      float u[8] = {v[b][0].x, v[b][0].y, v[b][0].z, v[b][0].w,
                    v[b][1].x, v[b][1].y, v[b][1].z, v[b][1].w};
      float m = 0.0f;
      if (norm) {
        const float gw[8] = {g[b][0].x, g[b][0].y, g[b][0].z, g[b][0].w,
                             g[b][1].x, g[b][1].y, g[b][1].z, g[b][1].w};
#pragma unroll
        for (int j = 0; j < 8; ++j) {
          sum += u[j] * u[j];
          if (gamma)
            u[j] *= gw[j] + unit;
        }
      }
#pragma unroll
      for (int j = 0; j < 8; ++j)
        m = fmaxf(m, fabsf(u[j]));
      m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 1));
      m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 2));
      // Values as hi + lo / 256 in units of m / 127, as splitQuad.
      float inverse = m > 0.0f ? 127.0f / m : 0.0f;
      int h[8], l[8], sh = 0, sl = 0;
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        float scaled = u[j] * inverse;
        float whole = rintf(scaled);
        h[j] = int(whole);
        l[j] = max(-127, min(127, __float2int_rn((scaled - whole) * 256.0f)));
        sh += h[j];
        sl += l[j];
      }
      sh += __shfl_xor_sync(0xffffffffu, sh, 1);
      sl += __shfl_xor_sync(0xffffffffu, sl, 1);
      sh += __shfl_xor_sync(0xffffffffu, sh, 2);
      sl += __shfl_xor_sync(0xffffffffu, sl, 2);
      if (i >= n)
        continue;
      // Octet r of run `run` is the run's word pair r: the even values to
      // word 2 r, the odd ones to word 2 r + 1, adjacent in part r / 2.
      int run = i / 4, r = i & 3;
      size_t at = size_t((r >> 1) * runs + run) * 16 + (r & 1) * 8;
      *reinterpret_cast<uint2 *>(s.hi + at) = make_uint2(
          packBytes(h[0], h[2], h[4], h[6]), packBytes(h[1], h[3], h[5], h[7]));
      *reinterpret_cast<uint2 *>(s.lo + at) = make_uint2(
          packBytes(l[0], l[2], l[4], l[6]), packBytes(l[1], l[3], l[5], l[7]));
      if ((lane & 3) == 0) {
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
  consumersSync<Threads>();
  if (!norm)
    return 1.0f;
  float total = 0.0f;
#pragma unroll
  for (int w = 0; w < Threads / 32; ++w)
    total += squares[w];
  return rsqrtf(total / a.k + a.normEpsilon);
}

/// dp4a with unsigned bytes in `a` and signed ones in `b`.
__device__ inline int dot4Unsigned(uint32_t a, int b, int c) {
  int d;
  asm("dp4a.u32.s32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
  return d;
}

/// tokenChunkDot for 16 bytes of a tile, whose nibbles are unsigned
/// (llmc_tile_q4_unsigned flipped the signed ones): the even values (low
/// nibbles) multiply as bytes, the odd ones (high nibbles, left in place)
/// as unsigned bytes sixteen times their value, which saves the shift; the
/// odd sums are exact multiples of 16.
__device__ inline float tileChunkDot(uint4 w, const QTokenChunk &x, float scale,
                                     float offset) {
  const uint32_t words[4] = {w.x, w.y, w.z, w.w};
  int evenHi = x.startHi, evenLo = x.startLo, oddHi = 0, oddLo = 0;
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    uint32_t even = words[i] & 0x0F0F0F0Fu, odd = words[i] & 0xF0F0F0F0u;
    evenHi = dot4(even, x.hi[2 * i], evenHi);
    evenLo = dot4(even, x.lo[2 * i], evenLo);
    oddHi = dot4Unsigned(odd, x.hi[2 * i + 1], oddHi);
    oddLo = dot4Unsigned(odd, x.lo[2 * i + 1], oddLo);
  }
  int sh = evenHi + (oddHi >> 4), sl = evenLo + (oddLo >> 4);
  float dot = (float)sh + (float)sl * (1.0f / 256.0f);
  return scale * x.scale * dot + offset * x.scaledSum;
}

/// Where partial sums meet, in two levels. At the end of a row block each
/// warp holds its columns' sums of the chunk's 8 rows; the team's four
/// warps store them in one of the team's slots (teamSums[((team *
/// gemvQTeamSlots + slot) * kGemvQTeamWarps + warp) * 8 + row], the
/// team's meetings in turn) and arrive on the slot's mbarrier; one of
/// them, the meeting's finisher (the meetings' warps in turn), waits for
/// the others and adds the sums up, warp by warp. In a row block of more
/// than one chunk, that warp then stores the team's 8 row sums
/// (sums[(slot * Teams + team) * 8 + row], slot by the order's `meets`)
/// and arrives on that slot's mbarrier, and the team of the row block's
/// last chunk waits for the others and adds them up in the ring's order of
/// the row block's chunks. Both orders are fixed, so the result does not
/// depend on which warp or team came first. An mbarrier's arrive releases
/// and its wait acquires the slot's sums at block scope: no fence. (Before,
/// the last to arrive at a shared counter finished, behind two
/// sequentially consistent fences per warp and meeting.)
struct QPartials {
  float *sums;
  unsigned bars; ///< kGemvQProgramSlots mbarriers of Teams arrivals
  float *teamSums;
  unsigned teamBars; ///< per team gemvQTeamSlots of kGemvQTeamWarps arrivals
};

/// Stores this warp's sums (`value` of row `row` in the lanes that
/// `store`) at index `index` of slot `sums` and arrives `arrivals` times on
/// the slot's mbarrier `bar`. In the `finisher` only, waits for the
/// mbarrier's phase `parity` and returns true with the slot's rows, added
/// up in the order `order(i)` of the `count` indices, in lanes 0..7 (row =
/// lane).
template <typename Order>
__device__ inline bool meet(float *sums, unsigned bar, unsigned parity,
                            int index, int count, bool finisher,
                            unsigned arrivals, float &value, bool stores,
                            int row, Order order) {
  int lane = threadIdx.x & 31;
  if (stores)
    sums[index * kGemvProgramRows + row] = value;
  __syncwarp(); // the lanes' stores before lane 0's release
  if (lane == 0)
    mbarrierArriveCount(bar, arrivals);
  if (!finisher)
    return false;
  mbarrierWait(bar, parity);
  float total = 0.0f;
  if (lane < kGemvProgramRows)
    for (int i = 0; i < count; ++i)
      total += sums[order(i) * kGemvProgramRows + lane];
  value = total;
  return true;
}

/// The warp's sums of 8 values per lane: lane l ends with the sum of
/// v[(l >> 2) & 7] (a transposing butterfly, 9 shuffles).
__device__ inline float warpSums8(const float (&v)[8], int lane) {
  bool b4 = lane & 16, b3 = lane & 8, b2 = lane & 4;
  float four[4], two[2];
#pragma unroll
  for (int i = 0; i < 4; ++i)
    four[i] = (b4 ? v[i + 4] : v[i]) +
              __shfl_xor_sync(0xffffffffu, b4 ? v[i] : v[i + 4], 16);
#pragma unroll
  for (int i = 0; i < 2; ++i)
    two[i] = (b3 ? four[i + 2] : four[i]) +
             __shfl_xor_sync(0xffffffffu, b3 ? four[i] : four[i + 2], 8);
  float one = (b2 ? two[1] : two[0]) +
              __shfl_xor_sync(0xffffffffu, b2 ? two[0] : two[1], 4);
  one += __shfl_xor_sync(0xffffffffu, one, 2);
  return one + __shfl_xor_sync(0xffffffffu, one, 1);
}

/// The staged activations of run `u` (QStaged).
__device__ inline QTokenChunk loadStagedRun(const QStaged &x, int runs, int u) {
  const int4 *hi = reinterpret_cast<const int4 *>(x.hi);
  const int4 *lo = reinterpret_cast<const int4 *>(x.lo);
  int4 h0 = hi[u], h1 = hi[runs + u], l0 = lo[u], l1 = lo[runs + u];
  int4 info = x.runs[u];
  QTokenChunk xc;
  xc.hi[0] = h0.x, xc.hi[1] = h0.y, xc.hi[2] = h0.z, xc.hi[3] = h0.w;
  xc.hi[4] = h1.x, xc.hi[5] = h1.y, xc.hi[6] = h1.z, xc.hi[7] = h1.w;
  xc.lo[0] = l0.x, xc.lo[1] = l0.y, xc.lo[2] = l0.z, xc.lo[3] = l0.w;
  xc.lo[4] = l1.x, xc.lo[5] = l1.y, xc.lo[6] = l1.z, xc.lo[7] = l1.w;
  xc.startHi = info.x, xc.startLo = info.y;
  xc.scale = __int_as_float(info.z);
  xc.scaledSum = __int_as_float(info.w);
  return xc;
}

/// A row's bias and residual (gated: the gate's and the up row's biases),
/// loaded before the row block's last chunk is waited for, so that the
/// warp finishing the rows does not wait for them.
struct RowEnd {
  float bias = 0.0f, other = 0.0f; ///< other: the residual, gated the up bias
};

/// Lane s's RowEnd of row block `rb` (s below its rows; the rest zero).
template <bool Gated>
__device__ inline RowEnd loadRowEnd(const GemvQArgs &a, const RowBlock &rb,
                                    int s) {
  RowEnd e;
  if (s >= (Gated ? 4 : kGemvProgramRows) || s >= rb.rows)
    return e;
  int r = rb.row + s;
  if constexpr (Gated) {
    e.bias = a.bias[0] ? a.bias[0][r] : 0.0f;
    e.other = a.bias[1] ? a.bias[1][r] : 0.0f;
  } else {
    const float *bias = pick(a.bias, rb.matrix);
    e.bias = bias ? bias[r] : 0.0f;
    e.other = rb.matrix == 0 && a.residual ? a.residual[r] : 0.0f;
  }
  return e;
}

/// The end of a row's sum: the factor (a fused norm's scale), the bias,
/// the soft cap and the residual (in `e`); gated, gate(gate) * up.
template <bool Gated>
__device__ inline void storeRow(const GemvQArgs &a, const RowBlock &rb, int s,
                                float sum, float up, float factor,
                                const RowEnd &e) {
  if (s >= rb.rows)
    return;
  int r = rb.row + s;
  if constexpr (Gated) {
    float gate = sum * factor + e.bias;
    up = up * factor + e.other;
    a.out[0][r] = gateActivation(gate, a.activation) * up;
  } else {
    float v = sum * factor + e.bias;
    if (a.softcap > 0.0f)
      v = a.softcap * tanhf(v / a.softcap);
    pick(a.out, rb.matrix)[r] = v + e.other;
  }
}

/// One step's row blocks of this block, each chunk consumed by its team
/// (ChunkOrder; `order` at the step's first chunk, `mine` at the team's).
/// Warp w of a team multiplies all 8 rows of the chunk (gated: 4 gate and
/// 4 up rows) over the chunk's runs 32 w .. 32 w + 31, lane l run 32 w +
/// l: each lane reads its run's staged activations once for the 8 rows,
/// before it waits for the chunk. At the end of a row block the warps'
/// and then (longer row blocks) the teams' sums meet (QPartials), and the
/// finisher finishes the rows.
///
/// Each warp of the team releases the row block's last chunk of the team
/// only after its part of the meetings (the finisher: after adding up),
/// and a chunk is issued only when the one a ring's length before it was
/// released, in order. So the slot that a team's warps meet in, which
/// comes round again gemvQTeamSlots meetings later, at least Teams *
/// gemvQTeamSlots > stages chunks later, is free by then, and its
/// mbarrier's phase complete (a warp arrives for the slot's next use only
/// after every warp arrived for this one and the finisher waited); and the
/// teams' slot (kGemvQProgramSlots such row blocks later, at least 2 *
/// kGemvQProgramSlots - 1 chunks past the row block's last) too, with
/// stages < 2 * kGemvQProgramSlots.
template <bool Gated, int Teams>
__device__ void
consumeQuantizedStep(const GemvQArgs &a, const QStaged &x,
                     const unsigned char *ring, const unsigned char *scaleRing,
                     int scaleBytes, float factor, unsigned full,
                     unsigned empty, int stages, ChunkOrder &order,
                     TeamCursor &mine, const QPartials &partials) {
  constexpr int Rows = kGemvProgramRows, TeamSlots = gemvQTeamSlots(Teams);
  int team = threadIdx.x / (kGemvQTeamWarps * 32);
  int warp = (threadIdx.x >> 5) % kGemvQTeamWarps, lane = threadIdx.x & 31;
  int runs = a.k / 32;
  int groupShift = __ffs(a.group) - 1; // a power of two
  bool offsets = a.offsets[0] != nullptr;
  int chunks = (a.k + kGemvQProgramCols - 1) / kGemvQProgramCols;
  int teamsUsed = min(chunks, Teams);
  int blocks = blockRowBlocks(rowBlocks(a, Gated));
  int end = order.seq + blocks * chunks;
  int run = warp * 32 + lane; // this lane's run of each chunk
  float acc[Rows];
#pragma unroll
  for (int q = 0; q < Rows; ++q)
    acc[q] = 0.0f;
  // The team's chunks of the step, Teams apart.
  for (; mine.seq < end; mine.advance(Teams, stages)) {
    int at = mine.seq - order.seq;
    int r = chunks == 1 ? at : at / chunks, j = at - r * chunks;
    int c = order.column(r, j, chunks), cols = min(kGemvQProgramCols, a.k - c);
    int stage = mine.stage;
    // Row s of the chunk at s * cols / 2, its scales at s * cols / group.
    int rowBytes = cols / 2, perRow = cols >> groupShift;
    const unsigned char *rows = ring + size_t(stage) * kGemvProgramStageBytes;
    const float *scales =
        reinterpret_cast<const float *>(scaleRing + size_t(stage) * scaleBytes);
    bool has = run * 32 < cols;
    QTokenChunk xc = loadStagedRun(x, runs, c / 32 + (has ? run : 0));
    // The team's last chunk of the row block ends it (another team's may
    // end the rows); the rows' bias and residual loads go out first.
    const bool ends = j + Teams >= chunks;
    RowBlock rb{0, 0, 0};
    RowEnd rowEnd;
    if (ends) {
      rb = rowBlock(a, Gated, int(blockIdx.x + r * gridDim.x));
      rowEnd = loadRowEnd<Gated>(a, rb, lane);
    }
    mine.wait(full, empty);
    if (has && !(kQ4ProgramDiag & 8)) {
      // Diagnosis bit 32: half the rows, as if the products cost half.
      constexpr int Multiplied = (kQ4ProgramDiag & 32) ? Rows / 2 : Rows;
      int group = (run * 32) >> groupShift;
      uint4 w[Rows];
      float scale[Rows], offset[Rows];
#pragma unroll
      for (int q = 0; q < Multiplied; ++q) {
        w[q] = *reinterpret_cast<const uint4 *>(rows + q * rowBytes + run * 16);
        scale[q] = scales[q * perRow + group];
        offset[q] = offsets ? scales[(Rows + q) * perRow + group] : 0.0f;
      }
#pragma unroll
      for (int q = 0; q < Multiplied; ++q)
        acc[q] += tileChunkDot(w[q], xc, scale[q], offset[q]);
    }
    __syncwarp();
    // Not the team's last chunk of the row block: its next is in another.
    if (!ends) {
      if (lane == 0)
        mbarrierArrive(empty + 8 * stage);
      continue;
    }
    // Lane l holds row l >> 2 of the warp's columns (every lane of a quad).
    float sum = warpSums8(acc, lane);
#pragma unroll
    for (int q = 0; q < Rows; ++q)
      acc[q] = 0.0f;
    int meeting = mine.meetings++;
    int slot = team * TeamSlots + meeting % TeamSlots;
    bool last =
        (kQ4ProgramDiag & 16)
            ? true
            : meet(partials.teamSums + slot * kGemvQTeamWarps * Rows,
                   partials.teamBars + 8 * slot,
                   unsigned(meeting / TeamSlots) & 1, warp, kGemvQTeamWarps,
                   warp == meeting % kGemvQTeamWarps, 1, sum, (lane & 3) == 0,
                   lane >> 2, [](int i) { return i; });
    if (last && chunks > 1 && !(kQ4ProgramDiag & 16)) {
      // The teams meet; the team's sums are in lanes 0..7. The team of the
      // row block's last chunk finishes, arriving for the teams unused.
      int first = order.seq + r * chunks;
      int meets = order.meets + r, at = meets % kGemvQProgramSlots;
      bool finisher = team == (first + chunks - 1) % Teams;
      last =
          meet(partials.sums + at * Teams * Rows, partials.bars + 8 * at,
               unsigned(meets / kGemvQProgramSlots) & 1, team, teamsUsed,
               finisher, finisher ? unsigned(Teams - teamsUsed + 1) : 1u, sum,
               lane < Rows, lane, [=](int t) { return (first + t) % Teams; });
    }
    // Released before the rows' end, whose loads (bias, residual) would
    // hold the buffer.
    if (lane == 0)
      mbarrierArrive(empty + 8 * stage);
    if (last) {
      float up = __shfl_sync(0xffffffffu, sum, (lane + 4) & 31);
      if (Gated ? lane < 4 : lane < Rows)
        storeRow<Gated>(a, rb, lane, sum, up, factor, rowEnd);
    }
  }
  order.next(blocks, chunks);
}

/// The program with `Teams` consumer teams (kGemvQProgramTeams, or 2 for
/// the harness's comparison) and the producer warp after them.
template <int Teams>
__device__ void gemvQuantizedProgram(const GemvQProgram &p) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  constexpr int Consumers = Teams * kGemvQTeamWarps * 32;
  extern __shared__ __align__(128) unsigned char shared[];
  unsigned ring = sharedAddress(shared);
  unsigned scaleRing = ring + p.stages * kGemvProgramStageBytes;
  unsigned full = scaleRing + p.stages * p.scaleBytes;
  unsigned empty = full + 8 * p.stages;
  // The host sizes the ring (gemvQProgramStages); TeamCursor::wait needs at
  // least Teams buffers and the QPartials slots at most
  // kGemvQProgramMaxStages.
  if (p.stages < 2 * Teams || p.stages > kGemvQProgramMaxStages)
    __trap();
  unsigned char *scales = shared + p.stages * kGemvProgramStageBytes;
  unsigned char *after =
      scales + p.stages * (p.scaleBytes + 16); // past the mbarriers
  QStaged x;
  x.hi = reinterpret_cast<int8_t *>(after);
  x.lo = x.hi + p.xValues;
  x.runs = reinterpret_cast<int4 *>(x.lo + p.xValues);
  float *squares = reinterpret_cast<float *>(x.runs + p.xValues / 32);
  constexpr int TeamSlots = Teams * gemvQTeamSlots(Teams);
  // The meetings' mbarriers (8-byte aligned: squares holds 4 floats a team),
  // then their sums.
  QPartials partials;
  partials.bars = sharedAddress(squares + Consumers / 32);
  partials.teamBars = partials.bars + 8 * kGemvQProgramSlots;
  partials.sums =
      squares + Consumers / 32 + 2 * (kGemvQProgramSlots + TeamSlots);
  partials.teamSums =
      partials.sums + kGemvQProgramSlots * Teams * kGemvProgramRows;
  if (threadIdx.x == 0) {
    for (int s = 0; s < p.stages; ++s) {
      mbarrierInit(full + 8 * s, 1);
      mbarrierInit(empty + 8 * s, kGemvQTeamWarps);
    }
    for (int s = 0; s < kGemvQProgramSlots; ++s)
      mbarrierInit(partials.bars + 8 * s, Teams);
    for (int s = 0; s < TeamSlots; ++s)
      mbarrierInit(partials.teamBars + 8 * s, kGemvQTeamWarps);
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  __syncthreads();
  if (threadIdx.x >= Consumers) {
    // Weights depend on no kernel: no dependency wait.
    produceQuantized(p, ring, scaleRing, full, empty);
    return;
  }
  gridDependencyBegin();
  ChunkOrder order;
  TeamCursor mine(threadIdx.x / (kGemvQTeamWarps * 32));
  for (int i = 0; i < p.count; ++i) {
    const GemvQArgs &a = p.steps[i];
    float factor =
        (kQ4ProgramDiag & 2) && i > 0
            ? 1.0f
            : stageQuantized<Consumers>(a, p.norm[i], QFlip<4>(a.isSigned).zero,
                                        x, squares);
    if (p.gated[i])
      consumeQuantizedStep<true, Teams>(a, x, shared, scales, p.scaleBytes,
                                        factor, full, empty, p.stages, order,
                                        mine, partials);
    else
      consumeQuantizedStep<false, Teams>(a, x, shared, scales, p.scaleBytes,
                                         factor, full, empty, p.stages, order,
                                         mine, partials);
    if (i + 1 == p.count)
      break;
    if (kQ4ProgramDiag & 4)
      continue;
    gridArrive<Consumers>(p.barrier);
    gridWait<Consumers>(p.barrier, (i + 1) * gridDim.x);
  }
  // The last block to get here sets the counter back: every block has
  // passed every barrier by then.
  consumersSync<Consumers>();
  const unsigned arrivals = (kQ4ProgramDiag & 4) ? 1 : p.count;
  if (threadIdx.x == 0 && atomicAdd(p.barrier, 1u) == arrivals * gridDim.x - 1)
    atomicExch(p.barrier, 0u);
#else
  __trap(); // bulk copies and mbarrier transactions need sm_90
#endif
}

} // namespace

/// Copies a 4-bit matrix from the row layout (n rows of k values, scales
/// and offsets per row and group) into the programs' tiles (see the file
/// comment): block (t, c) writes tile t's chunk c; rows past n are zero.
/// Signed values (isSigned) are flipped to unsigned ones as the one-token
/// kernels flip them (value + 8, the zero 8), so the consumers need not.
/// `out` holds ceil(n / tileRows) * tileRows * gemvQTileRowBytes bytes.
extern "C" __global__ void __launch_bounds__(256)
    llmc_tile_q4_unsigned(const unsigned char *q, const float *scales,
                          const float *offsets, int n, int k, int group,
                          int tileRows, int isSigned, unsigned char *out) {
  int tile = blockIdx.x, c = blockIdx.y * kGemvQProgramCols;
  int cols = min(kGemvQProgramCols, k - c), groups = k / group;
  bool offs = offsets != nullptr;
  unsigned char *to =
      out + size_t(tile) * tileRows * gemvQTileRowBytes(k, group, offs) +
      size_t(tileRows) * gemvQTileRowBytes(c, group, offs);
  // Values, a 32-bit word at a time.
  int words = cols / 8; // per row
  uint32_t flip = QFlip<4>(isSigned).flip;
  uint32_t *values = reinterpret_cast<uint32_t *>(to);
  for (int i = threadIdx.x; i < tileRows * words; i += blockDim.x) {
    int r = i / words, w = i % words, row = tile * tileRows + r;
    values[i] = row < n ? reinterpret_cast<const uint32_t *>(
                              q + size_t(row) * (k / 2) + c / 2)[w] ^
                              flip
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

// One block per SM of four teams (kGemvQProgramThreads, 96 registers: an
// SM's register file is four quarters of 16384, and 5 of the 17 warps
// share one): eight consumer warps, two per scheduler, left the SM idle on
// their latencies. Harness builds may cap the registers lower
// (NVCC_FLAGS=-DLLMC_Q4_PROGRAM_MAXNREG=N): at 88, a quarter with 5 of the
// program's warps still has room for one warp of 64 registers, so a decode
// attention block (4 warps of 64) can be resident beside the program.
#ifdef LLMC_Q4_PROGRAM_MAXNREG
#define LLMC_Q4_PROGRAM_BOUNDS __maxnreg__(LLMC_Q4_PROGRAM_MAXNREG)
#else
#define LLMC_Q4_PROGRAM_BOUNDS __launch_bounds__(kGemvQProgramThreads)
#endif
extern "C" __global__ void LLMC_Q4_PROGRAM_BOUNDS
llmc_gemv_program_q4(const __grid_constant__ GemvQProgram p) {
  gemvQuantizedProgram<kGemvQProgramTeams>(p);
}

#endif // LLMC_KERNELS_GEMVQUANTIZEDPROGRAM_CU
