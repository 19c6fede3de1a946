//===- DecodeAttention.cu - one token's attention, split -------*- CUDA -*-===//
//
// Flash-decoding: one query token attends over the KV cache with the
// visible positions split into `splits` chunks, one block per (head, chunk),
// so that a short decode step still fills the GPU. Each warp keeps an
// online softmax (running max, sum and weighted values) over its share of
// the chunk; the block merges its warps and writes one partial result, and
// the head's last block to finish (a counter per head) merges the chunks
// into the output and sets the counter back to zero. The new token's key
// and value are read from the step's inputs, not the cache, and one block
// per KV head writes them into the cache for the steps after; the query
// and the new key are rotated here when the step fuses its rotary
// embedding: one launch per layer, no rope, append or combine kernel. The
// length comes from positions[0] in device memory, so a captured graph
// replays for any length.
//
// The step's keys and values are few (a few MB a layer), so its time is a
// chain of dependent global-memory round trips, and the kernel issues what
// it can before its dependency wait (gridDependencyBegin), while the
// kernel before it (the QKV projection) still runs: the length
// (positions[0]), the rotary table row, and each warp's first batch of
// kBatch cached keys and values. Nothing writes them while this kernel may
// read them. positions is written before the step's first kernel (a host
// copy, or the previous step's llmc_argmax_next when the runtime decodes
// ahead); the step's own llmc_argmax_next writes it only after its
// dependency wait, when every kernel before it, this one included, has
// finished (each waits for the one before it). The rotary tables are
// weights. The cached rows read before the wait are rows p < last only (row
// `last`, the new token's, comes from the inputs after the wait), written
// by earlier steps' attention kernels or the prompt's KV appends. What was
// enqueued before a step's first kernel is complete when it starts (no
// dependent launch spans two steps, each a graph launch or a run of
// kernels after a copy), and within a step only this layer's attention
// kernel writes its cache, row `last`, after the wait. After the wait: the
// inputs' loads, the later batches of chunks
// longer than kDecodeWarps * kBatch positions, the counter's atomic, and
// the last block's one pass over the partials; with 32 splits, up to 512
// positions need no later batch.
//
// Launch: grid (heads, splits), block 128, no dynamic shared memory.
// llmc_attention_decode_step takes a headDim that is a multiple of 32 and at
// most 256; llmc_attention_decode_step_d64 and _d128 (the same arguments)
// take exactly that headDim, with registers sized for it. scratch (8-byte
// aligned) holds heads * splits * (headDim + 2) floats: per (head, split)
// the chunk's max score, its sum of exponentials and its headDim weighted
// values. counters holds heads zeros, and each launch leaves them zero.
// cos and sin have headDim / 2 columns.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_KERNELS_DECODEATTENTION_CU
#define LLMC_KERNELS_DECODEATTENTION_CU

#include "Common.cuh"

/// For the harness (tools/device/kernels/decode-attention-check.cu), which
/// is also built against older copies of this file: the head-dim instances
/// exist.
#define LLMC_DECODE_ATTENTION_SIZED 1

namespace {
constexpr int kDecodeWarps = 4;
constexpr int kBatch = 4; // positions a warp loads at once
/// Splits the last block merges per round (one per lane): more splits take
/// more rounds of loads.
constexpr int kMergeSplits = 32;

/// Folds one batch of keys and values (kv, vv: kBatch positions from p0,
/// those at or past `end` are zeros and ignored) into the warp's online
/// softmax.
template <int Per>
__device__ __forceinline__ void
foldBatch(const float (&qv)[Per], const float (&kv)[kBatch][Per],
          const float (&vv)[kBatch][Per], int p0, int end, float softcap,
          float &best, float &total, float (&acc)[Per]) {
  float s[kBatch];
#pragma unroll
  for (int b = 0; b < kBatch; ++b) {
    float dot = 0.0f;
#pragma unroll
    for (int i = 0; i < Per; ++i)
      dot += qv[i] * kv[b][i];
    s[b] = dot;
  }
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1)
#pragma unroll
    for (int b = 0; b < kBatch; ++b)
      s[b] += __shfl_xor_sync(0xffffffffu, s[b], offset);
  // One rescale per batch: the batch's max first (p0 < end, so slot 0
  // counts and `next` is finite).
  float next = best;
#pragma unroll
  for (int b = 0; b < kBatch; ++b) {
    if (softcap > 0.0f)
      s[b] = softcap * tanhf(s[b] / softcap);
    if (p0 + b < end)
      next = fmaxf(next, s[b]);
  }
  float rescale = __expf(best - next); // 0 while best is -inf
  total *= rescale;
#pragma unroll
  for (int i = 0; i < Per; ++i)
    acc[i] *= rescale;
#pragma unroll
  for (int b = 0; b < kBatch; ++b) {
    float e = p0 + b < end ? __expf(s[b] - next) : 0.0f;
    total += e;
#pragma unroll
    for (int i = 0; i < Per; ++i)
      acc[i] += e * vv[b][i];
  }
  best = next;
}

/// The kernel's body for head dims up to 32 * Per; Exact: headDim is
/// 32 * Per (the bounds checks fold away).
template <int Per, bool Exact>
__device__ __forceinline__ void
decodeAttentionStep(const float *q, const float *kNew, const float *vNew,
                    int heads, int kvHeads, int headDim,
                    const int32_t *positions, float *keys, float *values,
                    float scale, int window, float softcap, int splits,
                    const float *cos, const float *sin, int rope,
                    float *scratch, int *counters, float *out) {
  constexpr int kDim = 32 * Per;
  // The columns each of the 128 threads merges.
  constexpr int kCols = (kDim + 127) / 128;
  const int per = Exact ? Per : headDim / 32;
  int h = blockIdx.x, split = blockIdx.y;
  int group = heads / kvHeads, kvh = h / group;
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  int row = kvHeads * headDim, half = headDim / 2;

  // Before the dependency wait (see the file comment): the length, the
  // chunk, the rotary row and the first batch of cached keys and values.
  // These reads go through L2 (ld.global.cg): no line that an SM's L1
  // kept from before the data was written can answer one, whatever the
  // overlap with the kernel before allows.
  int last = __ldcg(positions);
  int first = window > 0 ? max(0, last - window + 1) : 0;
  int count = last - first + 1;
  int chunk = (count + splits - 1) / splits;
  int begin = first + split * chunk, end = min(last + 1, begin + chunk);
  // half <= 128 = blockDim.x: thread j rotates pair j.
  int j = threadIdx.x;
  float c = 1.0f, sn = 0.0f;
  if (rope && j < half) {
    c = cos[(size_t)last * half + j];
    sn = sin[(size_t)last * half + j];
  }
  const float *kvKeys = keys + (size_t)kvh * headDim + lane;
  const float *kvValues = values + (size_t)kvh * headDim + lane;
  int cachedEnd = min(end, last); // rows the cache already holds
  int p0 = begin + warp * kBatch;
  float kv[kBatch][Per], vv[kBatch][Per];
#pragma unroll
  for (int b = 0; b < kBatch; ++b) {
    bool cached = p0 + b < cachedEnd;
#pragma unroll
    for (int i = 0; i < Per; ++i) {
      bool load = cached && (Exact || i < per);
      size_t at = (size_t)(p0 + b) * row + 32 * i;
      kv[b][i] = load ? __ldcg(kvKeys + at) : 0.0f;
      vv[b][i] = load ? __ldcg(kvValues + at) : 0.0f;
    }
  }

  gridDependencyBegin();
  // The inputs, all loads issued together: the query and new key pairs to
  // rotate (1 rotate_half, 2 interleaved), the new value where this warp's
  // first batch holds position `last`, and the new value for the cache.
  bool writer = split == 0 && h % group == 0;
  const float *qh = q + (size_t)h * headDim;
  const float *kh = kNew + (size_t)kvh * headDim;
  const float *vh = vNew + (size_t)kvh * headDim;
  int a = rope == 2 ? 2 * j : j, b2 = rope == 2 ? 2 * j + 1 : j + half;
  float qa = 0.0f, qb = 0.0f, ka = 0.0f, kb = 0.0f;
  if (j < half) {
    qa = qh[a], qb = qh[b2], ka = kh[a], kb = kh[b2];
  }
  int fresh = last - p0; // the first batch's slot of position `last`
#pragma unroll
  for (int b = 0; b < kBatch; ++b)
#pragma unroll
    for (int i = 0; i < Per; ++i)
      if (fresh == b && last < end && (Exact || i < per))
        vv[b][i] = vh[lane + 32 * i];
  float vCache[kCols];
#pragma unroll
  for (int k = 0; k < kCols; ++k) {
    int d = threadIdx.x + 128 * k;
    vCache[k] = writer && d < headDim ? vh[d] : 0.0f;
  }
  __shared__ float qRot[kDim], kRot[kDim];
  if (j < half) {
    qRot[a] = qa * c - qb * sn;
    qRot[b2] = qb * c + qa * sn;
    kRot[a] = ka * c - kb * sn;
    kRot[b2] = kb * c + ka * sn;
  }
  __syncthreads();
  // The cache row of the new position, for the later steps; this step's
  // blocks read the new key and value from kRot and vNew, and no block
  // reads row `last` from the cache.
  if (writer) {
    size_t at = (size_t)last * row + (size_t)kvh * headDim;
#pragma unroll
    for (int k = 0; k < kCols; ++k) {
      int d = threadIdx.x + 128 * k;
      if (d < headDim) {
        keys[at + d] = kRot[d];
        values[at + d] = vCache[k];
      }
    }
  }

  float qv[Per], acc[Per];
#pragma unroll
  for (int i = 0; i < Per; ++i) {
    qv[i] = Exact || i < per ? qRot[lane + 32 * i] * scale : 0.0f;
    acc[i] = 0.0f;
  }
#pragma unroll
  for (int b = 0; b < kBatch; ++b)
#pragma unroll
    for (int i = 0; i < Per; ++i)
      if (fresh == b && last < end && (Exact || i < per))
        kv[b][i] = kRot[lane + 32 * i];
  float best = -INFINITY, total = 0.0f;
  if (p0 < end)
    foldBatch<Per>(qv, kv, vv, p0, end, softcap, best, total, acc);
  // Chunks longer than kDecodeWarps * kBatch: the later batches, loaded
  // after the wait, all of a batch's loads issued before it reduces.
  for (p0 += kDecodeWarps * kBatch; p0 < end; p0 += kDecodeWarps * kBatch) {
#pragma unroll
    for (int b = 0; b < kBatch; ++b) {
      int p = p0 + b;
#pragma unroll
      for (int i = 0; i < Per; ++i) {
        bool in = p < end && (Exact || i < per);
        size_t at = (size_t)p * row + 32 * i;
        kv[b][i] = !in ? 0.0f : p < last ? kvKeys[at] : kRot[lane + 32 * i];
        vv[b][i] = !in ? 0.0f : p < last ? kvValues[at] : vh[lane + 32 * i];
      }
    }
    foldBatch<Per>(qv, kv, vv, p0, end, softcap, best, total, acc);
  }

  // Merge the warps: each writes (max, sum, values) to shared memory.
  __shared__ float warpBest[kDecodeWarps], warpTotal[kDecodeWarps];
  __shared__ float warpAcc[kDecodeWarps][kDim];
  if (lane == 0) {
    warpBest[warp] = best;
    warpTotal[warp] = total;
  }
#pragma unroll
  for (int i = 0; i < Per; ++i)
    if (Exact || i < per)
      warpAcc[warp][lane + 32 * i] = acc[i];
  __syncthreads();
  float m = -INFINITY;
#pragma unroll
  for (int w = 0; w < kDecodeWarps; ++w)
    m = fmaxf(m, warpBest[w]);
  // A warp (or a whole chunk) with no positions has max -inf, sum 0 and
  // values 0.
  float weight[kDecodeWarps];
#pragma unroll
  for (int w = 0; w < kDecodeWarps; ++w)
    weight[w] = warpBest[w] == -INFINITY ? 0.0f : __expf(warpBest[w] - m);
  // A compile-time stride lets the merge's loads share one address.
  const int stride = Exact ? kDim + 2 : headDim + 2;
  float *part = scratch + ((size_t)h * splits + split) * stride;
#pragma unroll
  for (int k = 0; k < kCols; ++k) {
    int d = threadIdx.x + 128 * k;
    if (d < headDim) {
      float v = 0.0f;
#pragma unroll
      for (int w = 0; w < kDecodeWarps; ++w)
        v += warpAcc[w][d] * weight[w];
      part[2 + d] = v;
    }
  }
  if (threadIdx.x == 0) {
    float l = 0.0f;
#pragma unroll
    for (int w = 0; w < kDecodeWarps; ++w)
      l += warpTotal[w] * weight[w];
    part[0] = m;
    part[1] = l;
  }

  // The head's last block merges the chunks (their partials read through
  // L2, past this SM's L1).
  __shared__ bool lastBlock;
  __threadfence();
  __syncthreads();
  if (threadIdx.x == 0)
    lastBlock = atomicAdd(&counters[h], 1) == splits - 1;
  __syncthreads();
  if (!lastBlock)
    return;
  __threadfence();
  // One pass: per round of kMergeSplits splits, lane s loads split s's
  // (max, sum) and every thread its columns of all of them, the loads
  // issued together; the round's weights go from lane to lane by shuffles.
  // Split 0 is never empty (count >= 1), so the first round's max is
  // finite.
  const float *parts = scratch + (size_t)h * splits * stride;
  float runMax = -INFINITY, runSum = 0.0f, o[kCols];
#pragma unroll
  for (int k = 0; k < kCols; ++k)
    o[k] = 0.0f;
  for (int s0 = 0; s0 < splits; s0 += kMergeSplits) {
    int s = s0 + lane;
    float2 ml = s < splits ? __ldcg(reinterpret_cast<const float2 *>(
                                 parts + (size_t)s * stride))
                           : make_float2(-INFINITY, 0.0f);
    float v[kMergeSplits][kCols];
#pragma unroll
    for (int t = 0; t < kMergeSplits; ++t)
#pragma unroll
      for (int k = 0; k < kCols; ++k) {
        int d = threadIdx.x + 128 * k;
        v[t][k] = s0 + t < splits && d < headDim
                      ? __ldcg(parts + (size_t)(s0 + t) * stride + 2 + d)
                      : 0.0f;
      }
    float next = fmaxf(runMax, warpMax(ml.x));
    float w = ml.x == -INFINITY ? 0.0f : __expf(ml.x - next);
    float rescale = __expf(runMax - next); // 0 in the first round
    runSum = runSum * rescale + warpSum(ml.y * w);
#pragma unroll
    for (int k = 0; k < kCols; ++k)
      o[k] *= rescale;
#pragma unroll
    for (int t = 0; t < kMergeSplits; ++t) {
      float wt = __shfl_sync(0xffffffffu, w, t);
#pragma unroll
      for (int k = 0; k < kCols; ++k)
        o[k] += wt * v[t][k];
    }
    runMax = next;
  }
#pragma unroll
  for (int k = 0; k < kCols; ++k) {
    int d = threadIdx.x + 128 * k;
    if (d < headDim)
      out[(size_t)h * headDim + d] = o[k] / runSum;
  }
  if (threadIdx.x == 0)
    counters[h] = 0;
}
} // namespace

// The instances: the same arguments, the runtime picks one by head dim.
// The sized ones fit in 64 registers (8 blocks of 128 threads an SM), so
// that an H100's or H200's SMs hold 32 heads * 32 splits at once; the
// general one needs more for its 256-wide rows.
#define LLMC_DECODE_ATTENTION_INSTANCE(name, bounds, per, exact)               \
  extern "C" __global__ void bounds name(                                      \
      const float *q, const float *kNew, const float *vNew, int heads,         \
      int kvHeads, int headDim, const int32_t *positions, float *keys,         \
      float *values, float scale, int window, float softcap, int splits,       \
      const float *cos, const float *sin, int rope, float *scratch,            \
      int *counters, float *out) {                                             \
    decodeAttentionStep<per, exact>(q, kNew, vNew, heads, kvHeads, headDim,    \
                                    positions, keys, values, scale, window,    \
                                    softcap, splits, cos, sin, rope, scratch,  \
                                    counters, out);                            \
  }

LLMC_DECODE_ATTENTION_INSTANCE(llmc_attention_decode_step,
                               __launch_bounds__(128), 8, false)
LLMC_DECODE_ATTENTION_INSTANCE(llmc_attention_decode_step_d64,
                               __launch_bounds__(128, 8), 2, true)
LLMC_DECODE_ATTENTION_INSTANCE(llmc_attention_decode_step_d128,
                               __launch_bounds__(128, 8), 4, true)

#undef LLMC_DECODE_ATTENTION_INSTANCE

#endif // LLMC_KERNELS_DECODEATTENTION_CU
