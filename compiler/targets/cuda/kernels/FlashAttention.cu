//===- FlashAttention.cu - tensor-core prefill attention -------*- CUDA -*-===//
//
// llmc_attention_prefill: the attention of T new query tokens over the
// layer's KV cache, with the semantics of llmc_attention (Kernels.cu) but
// computed flash-attention style on the tensor cores: no score matrix in
// memory, an online softmax in float32, mma.sync m16n8k16 with bfloat16
// inputs and float32 accumulation (sm_80 and later).
//
// Launch contract (the runtime hard-codes it):
//   grid  = (ceil(t / 128), heads), block = 256 threads (8 warps),
//   dynamic shared memory = attentionPrefillSharedBytes(headDim):
//     headDim 64: 49152 bytes, headDim 128: 98304 bytes
//   (cudaFuncAttributeMaxDynamicSharedMemorySize must be raised to it).
//   headDim must be 64 or 128 (the kernel does nothing for other sizes;
//   the runtime calls llmc_attention for those). heads must be a multiple
//   of kvHeads. positions are increasing and, as the runtime writes them,
//   consecutive; the cache holds every row up to positions[t - 1], and no
//   row after positions[t - 1] is read.
//
// Scheme. Block (x, h) takes 128 query rows of query head h, the heaviest
// tiles (the last, under the causal mask) first: tile = gridDim.x - 1 - x.
// Each of the 8 warps owns 16 of those rows. The tile's Q is rounded to
// bfloat16 once, through shared memory, into registers as mma A fragments.
// The keys are walked in blocks of 64 cache rows, from the block of the
// first row any query of the tile sees (the sliding window) to the block
// of the tile's last query (causal); blocks wholly outside are skipped.
// Per key block:
//   1. cp.async has brought the block's float32 K and V rows into a staging
//      area (issued during the previous block's math, so the copy overlaps
//      it); the block converts them once to bfloat16 tiles, XOR-swizzled by
//      16-byte chunk so that ldmatrix reads are free of bank conflicts;
//   2. the copy of the next block into the staging area is issued;
//   3. each warp computes S = Q K^T (16 x 64, float32) with ldmatrix + mma,
//      scales it to the log2 domain (scale * log2(e), after the soft cap
//      when there is one), masks (only blocks that cross the causal
//      diagonal or the window's edge), and updates the running row max m,
//      row sum l and the output accumulator O (16 x headDim, float32,
//      registers) with P = exp2(S - m), rescaling by exp2(m_old - m_new);
//   4. O += P V, P rounded to bfloat16 and taken straight from the S
//      accumulators as A fragments, V through ldmatrix.trans.
// At the end O / l goes to out. Shared memory: staging 2 * 64 * headDim
// floats, the bf16 K and V tiles 2 * 64 * headDim halves (Q, 128 rows, is
// staged in the two tiles before the loop). About 250 registers a thread:
// one block per SM on sm_80/sm_90 (the registers), on sm_86/sm_89 (the
// shared memory).
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_KERNELS_FLASH_ATTENTION_CU
#define LLMC_KERNELS_FLASH_ATTENTION_CU

#include "TensorCore.cuh"

#include <string.h>

namespace {

/// Query rows per block, key rows per key block, threads per block.
/// 8 warps of 16 query rows: 128 rows share each K/V block read from the
/// cache (with 4 warps, 64 rows, the kernel is bound by L2 traffic: 51
/// against 84 TFLOPS on an H100 for the Llama-8B shape).
constexpr int prefillWarps = 8;
constexpr int prefillQueryTile = 16 * prefillWarps;
constexpr int prefillKeyTile = 64;
constexpr int prefillThreads = 32 * prefillWarps;

/// The dynamic shared memory llmc_attention_prefill needs for headDim (64
/// or 128): float32 staging for a K and a V block, and their bf16 tiles.
__host__ __device__ constexpr int attentionPrefillSharedBytes(int headDim) {
  return 2 * prefillKeyTile * headDim * (int)sizeof(float) +
         2 * prefillKeyTile * headDim * (int)sizeof(__nv_bfloat16);
}
static_assert(attentionPrefillSharedBytes(128) == 98304, "contract");
static_assert(attentionPrefillSharedBytes(64) == 49152, "contract");

__device__ inline uint32_t flashSharedAddress(const void *p) {
  return (uint32_t)__cvta_generic_to_shared(p);
}

/// 2^x; 2^-inf = 0.
__device__ inline float flashExp2(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
  return y;
}

/// The element offset of (row, col) in a [64][D] bf16 tile whose 16-byte
/// chunks (8 columns) are XOR-swizzled by row & 7; col a multiple of 8.
template <int D> __device__ inline int flashSwizzled(int row, int col) {
  return row * D + ((((col >> 3) ^ (row & 7))) << 3);
}

template <int D, bool Softcap>
__device__ __forceinline__ void
attentionPrefill(const float *q, int t, int heads, int kvHeads,
                 const int32_t *positions, const float *keys,
                 const float *values, float scale, int window, float softcap,
                 float *out) {
  static_assert(D % 32 == 0, "headDim");
  static_assert(prefillQueryTile <= 2 * prefillKeyTile,
                "Q is staged in the K and V tiles");
  constexpr int QT = prefillQueryTile, KT = prefillKeyTile;
  constexpr int chunks = D / 8;   // 16-byte bf16 chunks per row
  constexpr int quarters = D / 4; // 16-byte float32 chunks per row
  constexpr float log2e = 1.4426950408889634f;

  extern __shared__ __align__(16) unsigned char prefillShared[];
  // Staging: K then V, [KT][D] floats each; within a row, the float32
  // chunk 2c (columns 8c..8c+3) sits at 4c and the chunk 2c + 1 at
  // D / 2 + 4c, so that the conversion's reads are conflict free.
  float *stage = reinterpret_cast<float *>(prefillShared);
  __nv_bfloat16 *tileK =
      reinterpret_cast<__nv_bfloat16 *>(prefillShared + 2 * KT * D * 4);
  __nv_bfloat16 *tileV = tileK + KT * D;

  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int group = lane >> 2, pair = lane & 3;
  const int tile = gridDim.x - 1 - blockIdx.x, h = blockIdx.y;
  const int r0 = tile * QT, rows = min(QT, t - r0);
  const int kvh = h / (heads / kvHeads);
  const size_t kvRow = (size_t)kvHeads * D;
  const float *kBase = keys + (size_t)kvh * D;
  const float *vBase = values + (size_t)kvh * D;

  // The tile's key range: every block holding a row some query sees.
  const int firstPos = positions[r0], lastPos = positions[r0 + rows - 1];
  const int lowest = window > 0 ? max(0, firstPos - window + 1) : 0;
  const int highestFirst = window > 0 ? max(0, lastPos - window + 1) : 0;
  const int kbBegin = lowest / KT, kbEnd = lastPos / KT;

  // Issues the copy of key block kb into the staging area; rows after
  // lastPos (possibly past the cache) are zero-filled, not read.
  // Thread tid copies chunk tid % quarters of rows tid / quarters +
  // it * copyRows, of K and of V.
  constexpr int copyRows = prefillThreads / quarters;
  const int copyChunk = tid % quarters, copyRow = tid / quarters;
  const uint32_t copyDst =
      flashSharedAddress(stage) +
      4 * (copyRow * D + (copyChunk & 1) * (D / 2) + 4 * (copyChunk >> 1));
  auto issueCopy = [&](int kb) {
    int key = kb * KT + copyRow;
    const float *k = kBase + (size_t)key * kvRow + 4 * copyChunk;
    const float *v = vBase + (size_t)key * kvRow + 4 * copyChunk;
#pragma unroll
    for (int it = 0; it < KT / copyRows; ++it) {
      bool valid = key + it * copyRows <= lastPos;
      size_t step = (size_t)it * copyRows * kvRow;
      cpAsync16(copyDst + 4 * it * copyRows * D, valid ? k + step : kBase,
                valid);
      cpAsync16(copyDst + 4 * (KT * D + it * copyRows * D),
                valid ? v + step : vBase, valid);
    }
    cpAsyncCommit();
  };
  issueCopy(kbBegin);

  // Q: rounded to bf16 into the K and V tiles (rows past t zero), then each
  // warp takes its 16 rows as A fragments, one per 16 columns.
#pragma unroll
  for (int it = 0; it < QT * chunks / prefillThreads; ++it) {
    int i = tid + it * prefillThreads;
    int row = i / chunks, c = i % chunks;
    uint4 packed = make_uint4(0, 0, 0, 0);
    if (row < rows) {
      const float4 *src = reinterpret_cast<const float4 *>(
          q + ((size_t)(r0 + row) * heads + h) * D + 8 * c);
      float4 a = src[0], b = src[1];
      packed = make_uint4(
          pack2<__nv_bfloat16>(a.x, a.y), pack2<__nv_bfloat16>(a.z, a.w),
          pack2<__nv_bfloat16>(b.x, b.y), pack2<__nv_bfloat16>(b.z, b.w));
    }
    *reinterpret_cast<uint4 *>(tileK + flashSwizzled<D>(row, 8 * c)) = packed;
  }
  __syncthreads();
  uint32_t qFrag[D / 16][4];
#pragma unroll
  for (int kk = 0; kk < D / 16; ++kk)
    ldmatrixX4(qFrag[kk],
               flashSharedAddress(tileK +
                                  flashSwizzled<D>(16 * warp + (lane & 15),
                                                   16 * kk + (lane >> 4) * 8)));

  // ldmatrix addresses: a few per-lane bases plus compile-time offsets
  // (so that the compiler keeps no table of addresses in registers). The
  // swizzled chunk of logical chunk c in row r is c ^ (r & 7); for the K
  // reads, c = 4kp + (lane >> 3), r & 7 = lane & 7, so the chunk is
  // ((lane >> 3) ^ (lane & 7) ^ 4(kp & 1)) + 8(kp >> 1): two bases. For the
  // V reads, c = 2dp + (lane >> 4): four bases, by dp & 3.
  const int mix = lane & 7;
  uint32_t kAt[2], vAt[4];
#pragma unroll
  for (int v = 0; v < 2; ++v)
    kAt[v] = flashSharedAddress(tileK + (lane & 7) * D +
                                8 * (((lane >> 3) ^ mix) ^ (4 * v)));
#pragma unroll
  for (int u = 0; u < 4; ++u)
    vAt[u] = flashSharedAddress(tileV + (lane & 15) * D +
                                8 * (((lane >> 4) ^ mix) ^ (2 * u)));

  // This thread's two query rows (group, group + 8 of the warp's 16); rows
  // past t take the last row's position (their output is not stored).
  const int qRow0 = 16 * warp + group, qRow1 = qRow0 + 8;
  const int pos0 = positions[r0 + min(qRow0, rows - 1)];
  const int pos1 = positions[r0 + min(qRow1, rows - 1)];
  const int first0 = window > 0 ? max(0, pos0 - window + 1) : 0;
  const int first1 = window > 0 ? max(0, pos1 - window + 1) : 0;

  // Scores go to the log2 domain: s2 = score * log2(e).
  const float scoreScale = Softcap ? scale / softcap : scale * log2e;
  const float capScale = softcap * log2e;

  float rowMax[2] = {-INFINITY, -INFINITY}; // of s2
  float rowSum[2] = {0.0f, 0.0f};           // this thread's part of l
  float acc[D / 8][4];
#pragma unroll
  for (int n = 0; n < D / 8; ++n)
    acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.0f;

  for (int kb = kbBegin; kb <= kbEnd; ++kb) {
    // 1. Staging (this block) -> bf16 tiles. The barrier also tells that
    // every warp is done with the previous tiles (and with Q).
    cpAsyncWait<0>();
    __syncthreads();
#pragma unroll
    for (int it = 0; it < 2 * KT * chunks / prefillThreads; ++it) {
      int i = tid + it * prefillThreads;
      int which = i / (KT * chunks), rem = i % (KT * chunks);
      int row = rem / chunks, c = rem % chunks;
      const float *src = stage + which * KT * D + row * D + 4 * c;
      float4 a = *reinterpret_cast<const float4 *>(src);
      float4 b = *reinterpret_cast<const float4 *>(src + D / 2);
      *reinterpret_cast<uint4 *>((which ? tileV : tileK) +
                                 flashSwizzled<D>(row, 8 * c)) =
          make_uint4(
              pack2<__nv_bfloat16>(a.x, a.y), pack2<__nv_bfloat16>(a.z, a.w),
              pack2<__nv_bfloat16>(b.x, b.y), pack2<__nv_bfloat16>(b.z, b.w));
    }
    __syncthreads();
    // 2. The next block's copy overlaps this block's math.
    if (kb < kbEnd)
      issueCopy(kb + 1);

    // 3. S = Q K^T: 8 n-tiles of 8 keys. One ldmatrix.x4 gives the B
    // fragments of 8 keys for 32 columns (two k-steps).
    float s[KT / 8][4];
#pragma unroll
    for (int j = 0; j < KT / 8; ++j)
      s[j][0] = s[j][1] = s[j][2] = s[j][3] = 0.0f;
#pragma unroll
    for (int kp = 0; kp < D / 32; ++kp) {
#pragma unroll
      for (int j = 0; j < KT / 8; ++j) {
        uint32_t b[4];
        ldmatrixX4(b, kAt[kp & 1] + 2 * (8 * j * D + 64 * (kp >> 1)));
        mma16816<__nv_bfloat16>(s[j], qFrag[2 * kp], b[0], b[1]);
        mma16816<__nv_bfloat16>(s[j], qFrag[2 * kp + 1], b[2], b[3]);
      }
    }

    // Scale (and cap), then mask where the block crosses the diagonal or
    // the window's lower edge for some row of the tile.
    const int keyBase = kb * KT;
    const bool needMask = keyBase + KT - 1 > firstPos || keyBase < highestFirst;
#pragma unroll
    for (int j = 0; j < KT / 8; ++j) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        float x = s[j][e] * scoreScale;
        if (Softcap)
          x = capScale * tanhf(x);
        if (needMask) {
          int key = keyBase + 8 * j + 2 * pair + (e & 1);
          int pos = e < 2 ? pos0 : pos1, first = e < 2 ? first0 : first1;
          if (key > pos || key < first)
            x = -INFINITY;
        }
        s[j][e] = x;
      }
    }

    // Online softmax; a row is spread over the 4 lanes of a group.
    float blockMax[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int j = 0; j < KT / 8; ++j) {
      blockMax[0] = fmaxf(blockMax[0], fmaxf(s[j][0], s[j][1]));
      blockMax[1] = fmaxf(blockMax[1], fmaxf(s[j][2], s[j][3]));
    }
    float alpha[2], base[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float m = blockMax[r];
      m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 1));
      m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 2));
      float next = fmaxf(rowMax[r], m);
      // A row that has seen nothing yet keeps max -inf: use base 0 so
      // that exp2(-inf - base) = 0, never NaN.
      base[r] = next == -INFINITY ? 0.0f : next;
      alpha[r] = flashExp2(rowMax[r] - base[r]);
      rowMax[r] = next;
    }
    float blockSum[2] = {0.0f, 0.0f};
#pragma unroll
    for (int j = 0; j < KT / 8; ++j) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        s[j][e] = flashExp2(s[j][e] - base[e >> 1]);
        blockSum[e >> 1] += s[j][e];
      }
    }
#pragma unroll
    for (int r = 0; r < 2; ++r)
      rowSum[r] = rowSum[r] * alpha[r] + blockSum[r];
#pragma unroll
    for (int n = 0; n < D / 8; ++n) {
      acc[n][0] *= alpha[0];
      acc[n][1] *= alpha[0];
      acc[n][2] *= alpha[1];
      acc[n][3] *= alpha[1];
    }

    // 4. O += P V. The S accumulators of keys 16kk..16kk+15 are the A
    // fragment of k-step kk; one ldmatrix.x4.trans gives the B fragments
    // of 16 keys for 16 output columns (two n-tiles).
#pragma unroll
    for (int kk = 0; kk < KT / 16; ++kk) {
      uint32_t p[4] = {
          pack2<__nv_bfloat16>(s[2 * kk][0], s[2 * kk][1]),
          pack2<__nv_bfloat16>(s[2 * kk][2], s[2 * kk][3]),
          pack2<__nv_bfloat16>(s[2 * kk + 1][0], s[2 * kk + 1][1]),
          pack2<__nv_bfloat16>(s[2 * kk + 1][2], s[2 * kk + 1][3])};
#pragma unroll
      for (int dp = 0; dp < D / 16; ++dp) {
        uint32_t b[4];
        ldmatrixX4Trans(b, vAt[dp & 3] + 2 * (16 * kk * D + 64 * (dp >> 2)));
        mma16816<__nv_bfloat16>(acc[2 * dp], p, b[0], b[1]);
        mma16816<__nv_bfloat16>(acc[2 * dp + 1], p, b[2], b[3]);
      }
    }
  }

  // O / l; each group of 4 lanes writes 32 contiguous bytes per n-tile.
  float inv[2];
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    float l = rowSum[r];
    l += __shfl_xor_sync(0xffffffffu, l, 1);
    l += __shfl_xor_sync(0xffffffffu, l, 2);
    inv[r] = 1.0f / l;
  }
  float *out0 = out + ((size_t)(r0 + qRow0) * heads + h) * D + 2 * pair;
  float *out1 = out + ((size_t)(r0 + qRow1) * heads + h) * D + 2 * pair;
#pragma unroll
  for (int n = 0; n < D / 8; ++n) {
    if (qRow0 < rows)
      *reinterpret_cast<float2 *>(out0 + 8 * n) =
          make_float2(acc[n][0] * inv[0], acc[n][1] * inv[0]);
    if (qRow1 < rows)
      *reinterpret_cast<float2 *>(out1 + 8 * n) =
          make_float2(acc[n][2] * inv[1], acc[n][3] * inv[1]);
  }
}

} // namespace

/// Causal (optionally sliding-window, soft-capped) attention of t query
/// tokens over the cache; see the file comment for the launch contract.
extern "C" __global__ void __launch_bounds__(prefillThreads, 1)
    llmc_attention_prefill(const float *q, int t, int heads, int kvHeads,
                           int headDim, const int32_t *positions,
                           const float *keys, const float *values, float scale,
                           int window, float softcap, float *out) {
  gridDependencyBegin();
  if (headDim == 128) {
    if (softcap > 0.0f)
      attentionPrefill<128, true>(q, t, heads, kvHeads, positions, keys, values,
                                  scale, window, softcap, out);
    else
      attentionPrefill<128, false>(q, t, heads, kvHeads, positions, keys,
                                   values, scale, window, softcap, out);
  } else if (headDim == 64) {
    if (softcap > 0.0f)
      attentionPrefill<64, true>(q, t, heads, kvHeads, positions, keys, values,
                                 scale, window, softcap, out);
    else
      attentionPrefill<64, false>(q, t, heads, kvHeads, positions, keys, values,
                                  scale, window, softcap, out);
  }
}

#endif // LLMC_KERNELS_FLASH_ATTENTION_CU
