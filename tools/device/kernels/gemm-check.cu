//===- gemm-check.cu - llmc_gemm_* against llmc_linear_* and cuBLAS -------===//
//
// On a GPU machine (see check-gemm.sh, which builds and runs this):
//
//   nvcc -O3 -arch=sm_90a -std=c++17 -I compiler/targets/cuda/kernels \
//     tools/device/kernels/gemm-check.cu -lcublas -o /tmp/gemm-check
//   /tmp/gemm-check [--no-timing] [--no-check]
//
// 1. Correctness: for every shape below, bf16 and f16 weights, bias on and
//    off, softcap 0 and 30, runs llmc_gemm_* with the runtime's launch
//    (grid (ceil(n/128), ceil(t/128)), 256 threads, GemmSharedBytes) and the
//    reference llmc_linear_* (grid ceil(n/8), 256 threads) on the same
//    random inputs (fixed seed) and prints max|gemm - ref| / max|ref|,
//    which must be <= 1e-2.
// 2. Speed: for the 2048-token Llama-8B shapes, the median of 20 timed
//    launches (after warm-up) of llmc_gemm_bf16, and of cublasGemmEx (bf16 x
//    bf16 -> f32, f32 compute, x converted to bf16 beforehand) as the
//    tensor-core ceiling: ms, TFLOPS, cuBLAS TFLOPS, ratio.
//
// Exits 1 on any mismatch or CUDA/cuBLAS error.
//
//===----------------------------------------------------------------------===//

#include "Kernels.cu"

#include "Gemm.cu"

#include "Harness.cuh"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cublas_v2.h>
#include <type_traits>
#include <vector>

#define CHECK_BLAS(call)                                                       \
  do {                                                                         \
    cublasStatus_t s_ = (call);                                                \
    if (s_ != CUBLAS_STATUS_SUCCESS) {                                         \
      std::fprintf(stderr, "%s:%d: %s: cublas status %d\n", __FILE__,          \
                   __LINE__, #call, (int)s_);                                  \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

namespace {

/// A uniform value in [-scale, scale) from (seed, i).
__device__ float hashUniform(uint64_t seed, size_t i, float scale) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + i;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return ((float)(z >> 40) * (1.0f / 16777216.0f) * 2.0f - 1.0f) * scale;
}

template <typename T>
__global__ void fillRandom(T *p, size_t count, uint64_t seed, float scale) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < count;
       i += (size_t)gridDim.x * blockDim.x) {
    float v = hashUniform(seed, i, scale);
    if constexpr (std::is_same<T, float>::value)
      p[i] = v;
    else if constexpr (std::is_same<T, __half>::value)
      p[i] = __float2half_rn(v);
    else
      p[i] = __float2bfloat16_rn(v);
  }
}

__global__ void toBf16(const float *x, size_t count, __nv_bfloat16 *y) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < count;
       i += (size_t)gridDim.x * blockDim.x)
    y[i] = __float2bfloat16_rn(x[i]);
}

/// stats[0] = max |a - b|, stats[1] = max |ref| (as float bits; non-negative
/// floats order as unsigned ints, NaN above everything).
__global__ void compare(const float *a, const float *ref, size_t count,
                        unsigned *stats) {
  float diff = 0.0f, mag = 0.0f;
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < count;
       i += (size_t)gridDim.x * blockDim.x) {
    float d = fabsf(a[i] - ref[i]);
    if (d != d)
      d = __int_as_float(0x7fffffff);
    diff = fmaxf(diff, d);
    mag = fmaxf(mag, fabsf(ref[i]));
  }
  diff = warpMax(diff);
  mag = warpMax(mag);
  if ((threadIdx.x & 31) == 0) {
    atomicMax(&stats[0], __float_as_uint(diff));
    atomicMax(&stats[1], __float_as_uint(mag));
  }
}

struct Shape {
  int t, n, k;
  bool timed;
};

const Shape shapes[] = {
    {2048, 4096, 4096, true},   {2048, 1024, 4096, true},
    {2048, 14336, 4096, true},  {2048, 4096, 14336, true},
    {2048, 128256, 4096, true}, {1, 4096, 4096, false},
    {5, 1024, 4096, false},     {130, 200, 192, false},
    {130, 1, 64, false},        {5, 1000, 64, false},
    {1, 1, 64, false},          {300, 1000, 192, false},
    {129, 4097, 256, false},    {257, 129, 4096, false},
    {2048, 200, 64, false},     {77, 128256, 64, false},
};

dim3 gemmGrid(int t, int n) {
  return dim3((n + GemmTileN - 1) / GemmTileN, (t + GemmTileM - 1) / GemmTileM);
}

template <typename W>
void launchGemm(const float *x, int t, int k, const W *w, int n,
                const float *bias, float softcap, float *out) {
  if constexpr (std::is_same<W, __nv_bfloat16>::value)
    llmc_gemm_bf16<<<gemmGrid(t, n), GemmThreads, GemmSharedBytes>>>(
        x, t, k, w, n, bias, softcap, out);
  else
    llmc_gemm_f16<<<gemmGrid(t, n), GemmThreads, GemmSharedBytes>>>(
        x, t, k, w, n, bias, softcap, out);
  CHECK(cudaGetLastError());
}

template <typename W>
void launchLinear(const float *x, int t, int k, const W *w, int n,
                  const float *bias, float softcap, float *out) {
  if constexpr (std::is_same<W, __nv_bfloat16>::value)
    llmc_linear_bf16<<<(n + 7) / 8, 256>>>(x, t, k, w, n, bias, softcap, out);
  else
    llmc_linear_f16<<<(n + 7) / 8, 256>>>(x, t, k, w, n, bias, softcap, out);
  CHECK(cudaGetLastError());
}

/// Median milliseconds of `reps` launches of f after `warm` untimed ones.
template <typename F> float medianMs(F f, int warm = 3, int reps = 20) {
  cudaEvent_t start, stop;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));
  for (int i = 0; i < warm; ++i)
    f();
  CHECK(cudaDeviceSynchronize());
  std::vector<float> ms;
  for (int i = 0; i < reps; ++i) {
    CHECK(cudaEventRecord(start));
    f();
    CHECK(cudaEventRecord(stop));
    CHECK(cudaEventSynchronize(stop));
    float m = 0.0f;
    CHECK(cudaEventElapsedTime(&m, start, stop));
    ms.push_back(m);
  }
  CHECK(cudaEventDestroy(start));
  CHECK(cudaEventDestroy(stop));
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

int gridFor(size_t count) {
  return (int)std::min<size_t>((count + 255) / 256, 65536);
}

template <typename W>
bool checkShape(const Shape &s, const char *type, unsigned *stats) {
  size_t xs = (size_t)s.t * s.k, ws = (size_t)s.n * s.k, os = (size_t)s.t * s.n;
  float *x, *bias, *out, *ref;
  W *w;
  CHECK(cudaMalloc(&x, xs * sizeof(float)));
  CHECK(cudaMalloc(&w, ws * sizeof(W)));
  CHECK(cudaMalloc(&bias, s.n * sizeof(float)));
  CHECK(cudaMalloc(&out, os * sizeof(float)));
  CHECK(cudaMalloc(&ref, os * sizeof(float)));
  // Seeds differ per shape; scales keep |out| around sqrt(k) / 3 so that a
  // softcap of 30 bends the large shapes' outputs.
  uint64_t seed = 1000003ull * s.t + 7919ull * s.n + s.k;
  fillRandom<<<gridFor(xs), 256>>>(x, xs, seed, 1.0f);
  fillRandom<<<gridFor(ws), 256>>>(w, ws, seed + 1, 1.0f);
  fillRandom<<<gridFor(s.n), 256>>>(bias, (size_t)s.n, seed + 2, 4.0f);
  CHECK(cudaGetLastError());
  bool ok = true;
  for (int withBias = 0; withBias < 2; ++withBias) {
    for (float softcap : {0.0f, 30.0f}) {
      const float *b = withBias ? bias : nullptr;
      // Poison both outputs so unwritten elements show up.
      CHECK(cudaMemset(out, 0xff, os * sizeof(float)));
      CHECK(cudaMemset(ref, 0, os * sizeof(float)));
      launchGemm<W>(x, s.t, s.k, w, s.n, b, softcap, out);
      launchLinear<W>(x, s.t, s.k, w, s.n, b, softcap, ref);
      CHECK(cudaMemset(stats, 0, 2 * sizeof(unsigned)));
      compare<<<gridFor(os), 256>>>(out, ref, os, stats);
      CHECK(cudaGetLastError());
      unsigned h[2];
      CHECK(cudaMemcpy(h, stats, sizeof h, cudaMemcpyDeviceToHost));
      float diff, mag;
      std::memcpy(&diff, &h[0], 4);
      std::memcpy(&mag, &h[1], 4);
      float rel = mag > 0.0f ? diff / mag : diff;
      // False for NaN, and for an all-zero reference (a broken run).
      bool good = mag > 0.0f && rel <= 1e-2f;
      ok = ok && good;
      std::printf("%-4s t=%-5d n=%-6d k=%-5d bias=%d softcap=%-2g  max rel "
                  "err %.3e  %s\n",
                  type, s.t, s.n, s.k, withBias, softcap, rel,
                  good ? "ok" : "MISMATCH");
    }
  }
  CHECK(cudaFree(x));
  CHECK(cudaFree(w));
  CHECK(cudaFree(bias));
  CHECK(cudaFree(out));
  CHECK(cudaFree(ref));
  return ok;
}

/// Times llmc_gemm_bf16 and cublasGemmEx on one shape; also checks that
/// they agree.
bool timeShape(const Shape &s, cublasHandle_t blas, unsigned *stats) {
  size_t xs = (size_t)s.t * s.k, ws = (size_t)s.n * s.k, os = (size_t)s.t * s.n;
  float *x, *out, *outBlas;
  __nv_bfloat16 *w, *x16;
  CHECK(cudaMalloc(&x, xs * sizeof(float)));
  CHECK(cudaMalloc(&x16, xs * sizeof(__nv_bfloat16)));
  CHECK(cudaMalloc(&w, ws * sizeof(__nv_bfloat16)));
  CHECK(cudaMalloc(&out, os * sizeof(float)));
  CHECK(cudaMalloc(&outBlas, os * sizeof(float)));
  uint64_t seed = 42 + s.n + s.k;
  fillRandom<<<gridFor(xs), 256>>>(x, xs, seed, 1.0f);
  fillRandom<<<gridFor(ws), 256>>>(w, ws, seed + 1, 1.0f);
  toBf16<<<gridFor(xs), 256>>>(x, xs, x16);
  CHECK(cudaGetLastError());

  float ms = medianMs([&] {
    launchGemm<__nv_bfloat16>(x, s.t, s.k, w, s.n, nullptr, 0.0f, out);
  });
  // Column-major view: out^T [n, t] = w [n, k] * x16^T [k, t].
  const float one = 1.0f, zero = 0.0f;
  auto blasRun = [&] {
    CHECK_BLAS(cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, s.n, s.t, s.k, &one,
                            w, CUDA_R_16BF, s.k, x16, CUDA_R_16BF, s.k, &zero,
                            outBlas, CUDA_R_32F, s.n, CUBLAS_COMPUTE_32F,
                            CUBLAS_GEMM_DEFAULT));
  };
  float msBlas = medianMs(blasRun);

  CHECK(cudaMemset(stats, 0, 2 * sizeof(unsigned)));
  compare<<<gridFor(os), 256>>>(out, outBlas, os, stats);
  CHECK(cudaGetLastError());
  unsigned h[2];
  CHECK(cudaMemcpy(h, stats, sizeof h, cudaMemcpyDeviceToHost));
  float diff, mag;
  std::memcpy(&diff, &h[0], 4);
  std::memcpy(&mag, &h[1], 4);
  float rel = mag > 0.0f ? diff / mag : diff;
  bool good = mag > 0.0f && rel <= 1e-2f;

  double flop = 2.0 * s.t * (double)s.n * s.k;
  double tf = flop / (ms * 1e-3) / 1e12, tfBlas = flop / (msBlas * 1e-3) / 1e12;
  std::printf("t=%-5d n=%-6d k=%-5d  %8.3f ms  %6.1f TFLOPS  cuBLAS %8.3f ms "
              "%6.1f TFLOPS  ratio %.2f  (vs cuBLAS rel err %.1e %s)\n",
              s.t, s.n, s.k, ms, tf, msBlas, tfBlas, tf / tfBlas, rel,
              good ? "ok" : "MISMATCH");
  CHECK(cudaFree(x));
  CHECK(cudaFree(x16));
  CHECK(cudaFree(w));
  CHECK(cudaFree(out));
  CHECK(cudaFree(outBlas));
  return good;
}

} // namespace

int main(int argc, char **argv) {
  bool timing = true, checking = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--no-timing"))
      timing = false;
    else if (!std::strcmp(argv[i], "--no-check"))
      checking = false;
    else {
      std::fprintf(stderr, "usage: %s [--no-timing] [--no-check]\n", argv[0]);
      return 2;
    }
  }
  int dev = 0;
  cudaDeviceProp prop;
  CHECK(cudaGetDevice(&dev));
  CHECK(cudaGetDeviceProperties(&prop, dev));
  std::printf("device: %s (sm_%d%d, %d SMs), GemmSharedBytes %d\n", prop.name,
              prop.major, prop.minor, prop.multiProcessorCount,
              GemmSharedBytes);
  // The runtime's cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES).
  CHECK(cudaFuncSetAttribute(llmc_gemm_bf16,
                             cudaFuncAttributeMaxDynamicSharedMemorySize,
                             GemmSharedBytes));
  CHECK(cudaFuncSetAttribute(llmc_gemm_f16,
                             cudaFuncAttributeMaxDynamicSharedMemorySize,
                             GemmSharedBytes));
  for (auto kernel :
       {(const void *)llmc_gemm_bf16, (const void *)llmc_gemm_f16}) {
    int blocks = 0;
    CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
        &blocks, kernel, GemmThreads, GemmSharedBytes));
    cudaFuncAttributes attr;
    CHECK(cudaFuncGetAttributes(&attr, kernel));
    std::printf("%s: %d registers, %zu bytes local, %d blocks per SM\n",
                kernel == (const void *)llmc_gemm_bf16 ? "llmc_gemm_bf16"
                                                       : "llmc_gemm_f16",
                attr.numRegs, (size_t)attr.localSizeBytes, blocks);
  }

  unsigned *stats;
  CHECK(cudaMalloc(&stats, 2 * sizeof(unsigned)));
  bool ok = true;
  if (checking) {
    std::printf("\ncorrectness (llmc_gemm_* vs llmc_linear_*, limit 1e-2):\n");
    for (const Shape &s : shapes) {
      ok = checkShape<__nv_bfloat16>(s, "bf16", stats) && ok;
      ok = checkShape<__half>(s, "f16", stats) && ok;
    }
  }
  if (timing) {
    cublasHandle_t blas;
    CHECK_BLAS(cublasCreate(&blas));
    std::printf("\nspeed (llmc_gemm_bf16 vs cublasGemmEx bf16 -> f32, median "
                "of 20):\n");
    for (const Shape &s : shapes)
      if (s.timed)
        ok = timeShape(s, blas, stats) && ok;
    CHECK_BLAS(cublasDestroy(blas));
  }
  CHECK(cudaFree(stats));
  std::printf("\n%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
