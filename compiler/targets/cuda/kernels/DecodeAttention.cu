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
// length comes from positions[0] in device memory, so a captured graph replays
// for any length.
//
// Launch: grid (heads, splits), block 128, no dynamic shared memory.
// headDim is a multiple of 32 and at most 256. scratch holds heads *
// splits * (headDim + 2) floats; counters holds heads zeros.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_KERNELS_DECODEATTENTION_CU
#define LLMC_KERNELS_DECODEATTENTION_CU

#include "Common.cuh"

namespace {
constexpr int kDecodeWarps = 4;
constexpr int kMaxPerLane = 8; // headDim / 32
constexpr int kBatch = 4;      // positions a warp loads at once
} // namespace

extern "C" __global__ void __launch_bounds__(128)
    llmc_attention_decode_step(const float *q, const float *kNew,
                               const float *vNew, int heads, int kvHeads,
                               int headDim, const int32_t *positions,
                               float *keys, float *values, float scale,
                               int window, float softcap, int splits,
                               const float *cos, const float *sin, int rope,
                               float *scratch, int *counters, float *out) {
  gridDependencyBegin();
  int h = blockIdx.x, split = blockIdx.y;
  int group = heads / kvHeads, kvh = h / group;
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  int per = headDim / 32;
  int last = positions[0];
  int row = kvHeads * headDim;
  // The query and the new key, rotated when `rope` says so (1 rotate_half,
  // 2 interleaved; cos and sin have headDim / 2 columns).
  __shared__ float qRot[256], kRot[256];
  const float *qh = q + (size_t)h * headDim;
  const float *kh = kNew + (size_t)kvh * headDim;
  int half = headDim / 2;
  for (int j = threadIdx.x; j < half; j += blockDim.x) {
    int a = rope == 2 ? 2 * j : j, b = rope == 2 ? 2 * j + 1 : j + half;
    float c = rope ? cos[(size_t)last * half + j] : 1.0f;
    float s = rope ? sin[(size_t)last * half + j] : 0.0f;
    float qa = qh[a], qb = qh[b], ka = kh[a], kb = kh[b];
    qRot[a] = qa * c - qb * s;
    qRot[b] = qb * c + qa * s;
    kRot[a] = ka * c - kb * s;
    kRot[b] = kb * c + ka * s;
  }
  __syncthreads();
  // The cache row of the new position, for the later steps; this step's
  // blocks read the new key and value from kRot and vNew.
  if (split == 0 && h % group == 0)
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
      keys[(size_t)last * row + kvh * headDim + d] = kRot[d];
      values[(size_t)last * row + kvh * headDim + d] = vNew[kvh * headDim + d];
    }
  int first = window > 0 ? max(0, last - window + 1) : 0;
  int count = last - first + 1;
  int chunk = (count + splits - 1) / splits;
  int begin = first + split * chunk, end = min(last + 1, begin + chunk);

  float qv[kMaxPerLane], acc[kMaxPerLane];
#pragma unroll
  for (int i = 0; i < kMaxPerLane; ++i) {
    qv[i] = i < per ? qRot[lane + 32 * i] * scale : 0.0f;
    acc[i] = 0.0f;
  }
  // Each warp takes kBatch consecutive positions at a time and issues all
  // their key and value loads before it reduces, so the loads overlap.
  float best = -INFINITY, total = 0.0f;
  for (int p0 = begin + warp * kBatch; p0 < end; p0 += kDecodeWarps * kBatch) {
    float kv[kBatch][kMaxPerLane], vv[kBatch][kMaxPerLane], s[kBatch];
#pragma unroll
    for (int b = 0; b < kBatch; ++b) {
      int p = min(p0 + b, end - 1);
      const float *kp =
          p == last ? kRot : keys + (size_t)p * row + kvh * headDim;
      const float *vp = p == last ? vNew + kvh * headDim
                                  : values + (size_t)p * row + kvh * headDim;
#pragma unroll
      for (int i = 0; i < kMaxPerLane; ++i) {
        kv[b][i] = i < per ? kp[lane + 32 * i] : 0.0f;
        vv[b][i] = i < per ? vp[lane + 32 * i] : 0.0f;
      }
    }
#pragma unroll
    for (int b = 0; b < kBatch; ++b) {
      float dot = 0.0f;
#pragma unroll
      for (int i = 0; i < kMaxPerLane; ++i)
        dot += qv[i] * kv[b][i];
      s[b] = dot;
    }
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1)
#pragma unroll
      for (int b = 0; b < kBatch; ++b)
        s[b] += __shfl_xor_sync(0xffffffffu, s[b], offset);
#pragma unroll
    for (int b = 0; b < kBatch; ++b) {
      if (p0 + b >= end)
        break;
      float score = s[b];
      if (softcap > 0.0f)
        score = softcap * tanhf(score / softcap);
      float next = fmaxf(best, score);
      float rescale = __expf(best - next), e = __expf(score - next);
      total = total * rescale + e;
#pragma unroll
      for (int i = 0; i < kMaxPerLane; ++i)
        acc[i] = acc[i] * rescale + e * vv[b][i];
      best = next;
    }
  }

  // Merge the warps: each writes (max, sum, values) to shared memory.
  __shared__ float warpBest[kDecodeWarps], warpTotal[kDecodeWarps];
  __shared__ float warpAcc[kDecodeWarps][256];
  if (lane == 0) {
    warpBest[warp] = best;
    warpTotal[warp] = total;
  }
#pragma unroll
  for (int i = 0; i < kMaxPerLane; ++i)
    if (i < per)
      warpAcc[warp][lane + 32 * i] = acc[i];
  __syncthreads();
  float m = -INFINITY;
  for (int w = 0; w < kDecodeWarps; ++w)
    m = fmaxf(m, warpBest[w]);
  float *part = scratch + ((size_t)h * splits + split) * (headDim + 2);
  for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
    float v = 0.0f;
    for (int w = 0; w < kDecodeWarps; ++w)
      if (warpBest[w] != -INFINITY)
        v += warpAcc[w][d] * __expf(warpBest[w] - m);
    part[2 + d] = v;
  }
  if (threadIdx.x == 0) {
    float l = 0.0f;
    for (int w = 0; w < kDecodeWarps; ++w)
      if (warpBest[w] != -INFINITY)
        l += warpTotal[w] * __expf(warpBest[w] - m);
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
  const float *parts = scratch + (size_t)h * splits * (headDim + 2);
  float mm = -INFINITY;
  for (int s = 0; s < splits; ++s)
    mm = fmaxf(mm, __ldcg(parts + (size_t)s * (headDim + 2)));
  float l = 0.0f;
  for (int s = 0; s < splits; ++s) {
    const float *p = parts + (size_t)s * (headDim + 2);
    float pm = __ldcg(p);
    if (pm != -INFINITY)
      l += __ldcg(p + 1) * __expf(pm - mm);
  }
  for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
    float v = 0.0f;
    for (int s = 0; s < splits; ++s) {
      const float *p = parts + (size_t)s * (headDim + 2);
      float pm = __ldcg(p);
      if (pm != -INFINITY)
        v += __ldcg(p + 2 + d) * __expf(pm - mm);
    }
    out[(size_t)h * headDim + d] = v / l;
  }
  if (threadIdx.x == 0)
    counters[h] = 0;
}

#endif // LLMC_KERNELS_DECODEATTENTION_CU
