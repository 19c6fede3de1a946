//===- Gemm.cu - tensor-core GEMM for prefill linear layers ----*- CUDA -*-===//
//
// llmc_gemm_bf16 and llmc_gemm_f16: the same product as llmc_linear_bf16 and
// llmc_linear_f16 (Kernels.cu), for many tokens at once, on the tensor cores:
//
//   out[r, j] = sum_c x[r, c] * w[j, c]  (+ bias[j]), then, if softcap > 0,
//   softcap * tanhf(out / softcap)
//
// with x float32 row-major [t, k], w 16-bit row-major [n, k] (one row per
// output feature) and out float32 row-major [t, n]. The activations are
// rounded to the weight's type on their way into shared memory; products
// are accumulated in float32 (mma.sync m16n8k16, sm_80 and later).
//
// Launch contract (the runtime hard-codes it):
//   grid    = (ceil(n / 128), ceil(t / 128))
//   block   = 256 threads
//   dynamic shared memory = GemmSharedBytes (49152 bytes; the runtime sets
//             CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES to it)
// Requirements: k % 64 == 0 (the kernel itself needs k % 32 == 0); x, w and
// out 16-byte aligned; t and n arbitrary (both are bounds-checked).
//
// Tiling. A block computes a 128 x 128 tile of out, walking k in steps of
// 32. Its 8 warps form a 2 (rows) x 4 (columns) grid of 64 x 32 warp tiles:
// per 16-wide k step a warp loads four 16x16 activation fragments and four
// 16x8 weight fragments with ldmatrix and issues 16 mma.sync.
//
// Pipeline. Weight tiles (128 rows x 32 bf16/f16 = 8 KiB) are copied by
// cp.async into a ring of 4 stages, 3 tiles in flight ahead of the one being
// multiplied. Activation tiles (128 x 32 float32) are read with 16-byte
// loads into registers one iteration ahead, converted and stored into a
// ring of 2 16-bit stages: iteration i stores tile i + 1 (loaded during
// iteration i - 1) and loads tile i + 2, then multiplies tile i. One
// __syncthreads per iteration orders all of it.
//
// Shared layout. Each tile row is 64 bytes (four 16-byte chunks); chunk c of
// row r sits at chunk c ^ ((r >> 1) & 3), so the eight 16-byte rows one
// ldmatrix phase reads, and the cp.async and activation stores, hit
// distinct banks.
//
// Block order. Blocks are renumbered so that consecutive ones sweep 8 row
// tiles of a column strip before moving to the next strip: the weight
// columns in flight are shared by 8 row tiles, which keeps a large weight
// (an LM head) from being streamed from memory once per row tile.
//
// Speed (tools/device/kernels/check-gemm.sh, H100 SXM, t = 2048, Llama-8B
// shapes): 265-290 TFLOPS, about 0.37-0.40 of cuBLAS's Hopper kernels.
// Deeper or shallower pipelines (2-4 stages), k steps of 64 and 128 x 256
// tiles (one block per SM) measured the same or slower.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_KERNELS_GEMM_CU
#define LLMC_KERNELS_GEMM_CU

#include "TensorCore.cuh"

namespace {

constexpr int GemmTileM = 128;   // rows of out (tokens) per block
constexpr int GemmTileN = 128;   // columns of out (features) per block
constexpr int GemmTileK = 32;    // k per pipeline step
constexpr int GemmThreads = 256; // 8 warps, 2 x 4, 64 x 32 each
constexpr int GemmWeightStages = 4;
constexpr int GemmActStages = 2;
constexpr int GemmGroupM = 8; // row tiles per column sweep (block order)
constexpr int GemmRowBytes = GemmTileK * 2;
constexpr int GemmTileBytes = GemmTileM * GemmRowBytes; // 8 KiB
/// The dynamic shared memory a block needs: 2 activation and 4 weight
/// stages of 8 KiB each.
constexpr int GemmSharedBytes =
    (GemmActStages + GemmWeightStages) * GemmTileBytes;
static_assert(GemmSharedBytes == 49152, "the header states the byte count");
static_assert(GemmTileM == GemmTileN, "the loaders assume square tiles");

/// The byte offset of 16-byte chunk `chunk` (0..3) of tile row `row`.
__device__ __forceinline__ uint32_t gemmOffset(int row, int chunk) {
  return row * GemmRowBytes + ((chunk ^ ((row >> 1) & 3)) << 4);
}

__device__ __forceinline__ void gemmStore8(uint32_t at, uint32_t lo,
                                           uint32_t hi) {
  asm volatile("st.shared.v2.b32 [%0], {%1, %2};\n" ::"r"(at), "r"(lo),
               "r"(hi));
}

/// Bias and soft cap of one output value.
__device__ __forceinline__ float gemmFinish(float v, const float *bias, int col,
                                            float softcap) {
  if (bias)
    v += bias[col];
  if (softcap > 0.0f)
    v = softcap * tanhf(v / softcap);
  return v;
}

template <typename W>
__device__ __forceinline__ void gemm(const float *x, int t, int k, const W *w,
                                     int n, const float *bias, float softcap,
                                     float *out) {
  extern __shared__ __align__(128) unsigned char gemmShared[];

  // Renumber the blocks: groups of GemmGroupM row tiles, column-major
  // within a group.
  int tilesN = gridDim.x, tilesM = gridDim.y;
  int id = blockIdx.y * tilesN + blockIdx.x;
  int perGroup = GemmGroupM * tilesN;
  int firstM = id / perGroup * GemmGroupM;
  int groupM = min(tilesM - firstM, GemmGroupM);
  int tileM = firstM + id % perGroup % groupM;
  int tileN = id % perGroup / groupM;
  int rowBase = tileM * GemmTileM, colBase = tileN * GemmTileN;

  int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  int warpM = warp >> 2, warpN = warp & 3; // 2 x 4 warps
  uint32_t actSmem = (uint32_t)__cvta_generic_to_shared(gemmShared);
  uint32_t weightSmem = actSmem + GemmActStages * GemmTileBytes;
  int kTiles = k / GemmTileK;

  // Activation loader: 128 rows x 8 float4 per tile, 4 per thread; thread
  // tid reads float4 tid % 8 of rows tid / 8 + 32 * p. Rows past t are
  // zeros.
  constexpr int ActPasses = GemmTileM * GemmTileK / 4 / GemmThreads;
  constexpr int ActRowStep = GemmThreads / (GemmTileK / 4);
  int actRow = tid / (GemmTileK / 4), actCol = tid % (GemmTileK / 4);
  const float *actSrc =
      x + (size_t)min(rowBase + actRow, t - 1) * k + 4 * actCol;
  int actValid = 0;
#pragma unroll
  for (int p = 0; p < ActPasses; ++p)
    actValid |= (rowBase + actRow + p * ActRowStep < t) << p;
  // Row bits 1-2 (the swizzle) are the same for every pass.
  uint32_t actStore = gemmOffset(actRow, actCol >> 1) + 8 * (actCol & 1);

  // Weight loader: 128 rows x 4 chunks per tile, 2 per thread; thread tid
  // copies chunk tid % 4 of rows tid / 4 + 64 * p. Rows past n are zeros.
  constexpr int WeightPasses = GemmTileN * GemmTileK / 8 / GemmThreads;
  constexpr int WeightRowStep = GemmThreads / (GemmTileK / 8);
  int weightRow = tid / (GemmTileK / 8), weightCol = tid % (GemmTileK / 8);
  const W *weightSrc[WeightPasses];
  bool weightValid[WeightPasses];
#pragma unroll
  for (int p = 0; p < WeightPasses; ++p) {
    int row = colBase + weightRow + p * WeightRowStep;
    weightValid[p] = row < n;
    weightSrc[p] = w + (size_t)(weightValid[p] ? row : 0) * k + 8 * weightCol;
  }
  uint32_t weightStore = gemmOffset(weightRow, weightCol);

  auto loadWeights = [&](int kt) {
    if (kt < kTiles) {
      uint32_t stage = weightSmem + (kt % GemmWeightStages) * GemmTileBytes;
#pragma unroll
      for (int p = 0; p < WeightPasses; ++p)
        cpAsync16(stage + weightStore + p * WeightRowStep * GemmRowBytes,
                  weightSrc[p] + (size_t)kt * GemmTileK, weightValid[p]);
    }
    cpAsyncCommit(); // possibly empty, so the group count stays uniform
  };

  float4 staged[ActPasses];
  auto loadAct = [&](int kt) {
    if (kt >= kTiles)
      return;
#pragma unroll
    for (int p = 0; p < ActPasses; ++p)
      staged[p] =
          (actValid >> p & 1)
              ? __ldg(reinterpret_cast<const float4 *>(
                    actSrc + (size_t)p * ActRowStep * k + kt * GemmTileK))
              : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
  };
  auto storeAct = [&](int kt) {
    if (kt >= kTiles)
      return;
    uint32_t stage = actSmem + (kt % GemmActStages) * GemmTileBytes;
#pragma unroll
    for (int p = 0; p < ActPasses; ++p)
      gemmStore8(stage + actStore + p * ActRowStep * GemmRowBytes,
                 pack2<W>(staged[p].x, staged[p].y),
                 pack2<W>(staged[p].z, staged[p].w));
  };

  // Prologue: weight tiles 0 .. stages - 2 in flight, activation tile 0 in
  // shared memory, tile 1 in registers.
#pragma unroll
  for (int s = 0; s < GemmWeightStages - 1; ++s)
    loadWeights(s);
  loadAct(0);
  storeAct(0);
  loadAct(1);

  // Per-lane ldmatrix addresses. Activations (x4: rows 0-7 / 8-15 x k 0-7 /
  // 8-15 of a 16x16 fragment): lane supplies row lane % 16, chunk lane / 16.
  // Weights (x4: two 8-feature fragments x k 0-7 / 8-15): lane supplies
  // feature lane % 8 + 8 * (lane / 16), chunk (lane / 8) % 2.
  int aRow = warpM * 64 + (lane & 15), aChunk = lane >> 4;
  int bRow = warpN * 32 + (lane & 7) + ((lane >> 4) << 3),
      bChunk = (lane >> 3) & 1;

  float acc[4][4][4];
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int j = 0; j < 4; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e)
        acc[i][j][e] = 0.0f;

  for (int kt = 0; kt < kTiles; ++kt) {
    // Weight tile kt has landed (the later ones may still be in flight);
    // the barrier also retires every warp's reads of iteration kt - 1.
    cpAsyncWait<GemmWeightStages - 2>();
    __syncthreads();
    loadWeights(kt + GemmWeightStages - 1);
    storeAct(kt + 1);
    loadAct(kt + 2);

    uint32_t actStage = actSmem + (kt % GemmActStages) * GemmTileBytes;
    uint32_t weightStage = weightSmem + (kt % GemmWeightStages) * GemmTileBytes;
#pragma unroll
    for (int ks = 0; ks < GemmTileK / 16; ++ks) {
      uint32_t a[4][4], b[4][2];
#pragma unroll
      for (int i = 0; i < 4; ++i)
        ldmatrixX4(a[i], actStage + gemmOffset(aRow + 16 * i, 2 * ks + aChunk));
#pragma unroll
      for (int j = 0; j < 2; ++j) {
        uint32_t r[4];
        ldmatrixX4(r, weightStage + gemmOffset(bRow + 16 * j, 2 * ks + bChunk));
        b[2 * j][0] = r[0];
        b[2 * j][1] = r[1];
        b[2 * j + 1][0] = r[2];
        b[2 * j + 1][1] = r[3];
      }
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j)
          mma16816<W>(acc[i][j], a[i], b[j][0], b[j][1]);
    }
  }
  cpAsyncWait<0>(); // only empty groups remain; leave none behind

  // Epilogue: fragment (i, j) holds rows lane / 4 and lane / 4 + 8, columns
  // 2 * (lane % 4) and + 1, of the warp tile's 16x8 block (i, j).
  bool pairs = (n & 1) == 0; // float2 stores stay 8-byte aligned
#pragma unroll
  for (int i = 0; i < 4; ++i) {
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      int row = rowBase + warpM * 64 + 16 * i + (lane >> 2) + 8 * h;
      if (row >= t)
        continue;
      float *outRow = out + (size_t)row * n;
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        int col = colBase + warpN * 32 + 8 * j + 2 * (lane & 3);
        if (pairs && col + 1 < n) {
          float2 v = make_float2(
              gemmFinish(acc[i][j][2 * h], bias, col, softcap),
              gemmFinish(acc[i][j][2 * h + 1], bias, col + 1, softcap));
          *reinterpret_cast<float2 *>(outRow + col) = v;
        } else {
          if (col < n)
            outRow[col] = gemmFinish(acc[i][j][2 * h], bias, col, softcap);
          if (col + 1 < n)
            outRow[col + 1] =
                gemmFinish(acc[i][j][2 * h + 1], bias, col + 1, softcap);
        }
      }
    }
  }
}

} // namespace

extern "C" __global__ void __launch_bounds__(GemmThreads, 2)
    llmc_gemm_bf16(const float *x, int t, int k, const __nv_bfloat16 *w, int n,
                   const float *bias, float softcap, float *out) {
  gridDependencyBegin();
  gemm<__nv_bfloat16>(x, t, k, w, n, bias, softcap, out);
}

extern "C" __global__ void __launch_bounds__(GemmThreads, 2)
    llmc_gemm_f16(const float *x, int t, int k, const __half *w, int n,
                  const float *bias, float softcap, float *out) {
  gridDependencyBegin();
  gemm<__half>(x, t, k, w, n, bias, softcap, out);
}

#endif // LLMC_KERNELS_GEMM_CU
