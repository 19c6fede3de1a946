//===- gemv-explore.cu - where the 16-bit decode GEMV loses bandwidth -----===//
//
// On a GPU machine (check-gemv.sh --explore builds and runs this): one-token
// bf16 GEMVs on the Llama 8B and 1B decode shapes, timed as gemv-check.cu
// times them (60 launches captured as one graph, weights rotated over copies so
// that they come from memory), against ceilings and variants:
//
//   - flat read: every SM streams the matrix in 16-byte loads, no compute
//     (what this many bytes cost at all);
//   - rows read: the GEMV's access pattern (a warp per row), no compute;
//   - llmc_gemv_bf16_t1 / llmc_gemv_gated_bf16_t1 as shipped;
//   - variants of one templated kernel: rows per warp, loads in flight,
//     warps per block, the L2 prefetch before the dependency wait, the
//     L2::256B load hint, loads of the next chunk issued before the
//     current one is multiplied (pipelined);
//   - cuBLAS's GemmEx with one column.
//
// Then one token's matrices (QKV, o, gate/up, down per layer, LM head) as
// one graph with dependent launches, for the shipped kernels and for each
// variant: the figure the decode step sees. Results are checked against
// llmc_linear_bf16 before timing (relative error <= 1e-4).
//
//===----------------------------------------------------------------------===//

#include "Kernels.cu"

#include "Gemv.cu"

#include "Harness.cuh"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cublas_v2.h>
#include <functional>
#include <string>
#include <vector>

namespace {

template <bool Hint> __device__ inline uint4 load16(const void *p) {
  uint4 v;
  if (Hint)
    asm volatile(
        "ld.global.nc.L1::no_allocate.L2::256B.v4.u32 {%0, %1, %2, %3}, [%4];"
        : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
        : "l"(p));
  else
    asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "l"(p));
  return v;
}

/// The L2 prefetch of a warp's row that llmc_gemv_* issued before the
/// dependency wait until this harness measured it.
__device__ inline void prefetchRow(const __nv_bfloat16 *w, size_t row, int k,
                                   int lane) {
  const char *p = reinterpret_cast<const char *>(w + row * (size_t)k);
  for (int byte = lane * 128; byte < k * 2; byte += 32 * 128)
    asm volatile("prefetch.global.L2 [%0];" ::"l"(p + byte));
}

__device__ inline float dotChunk(uint4 w, float4 a, float4 b) {
  float2 w0 = unpack(w.x, __nv_bfloat16()), w1 = unpack(w.y, __nv_bfloat16()),
         w2 = unpack(w.z, __nv_bfloat16()), w3 = unpack(w.w, __nv_bfloat16());
  return w0.x * a.x + w0.y * a.y + w1.x * a.z + w1.y * a.w + w2.x * b.x +
         w2.y * b.y + w3.x * b.z + w3.y * b.w;
}

/// Variants. Mode 0: the dot product; 1: loads only (rows read); 2: the
/// dot product with the next chunk's loads issued first. Gated: the first
/// half of the warps stream gate rows, the second half the same up rows.
/// Requires k % (Unroll * 256) == 0 and n % Rows == 0.
template <int Rows, int Unroll, int Warps, bool Prefetch, bool Hint, int Mode,
          bool Gated>
__global__ void __launch_bounds__(Warps * 32) explore(GemvArgs a) {
  constexpr int RowWarps = Gated ? Warps / 2 : Warps;
  __shared__ float up[Gated ? RowWarps * Rows : 1];
  int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int which = Gated ? warp / RowWarps : 0;
  int row0 = (blockIdx.x * RowWarps + warp % RowWarps) * Rows;
  bool valid = row0 < a.n[0];
  const __nv_bfloat16 *w =
      static_cast<const __nv_bfloat16 *>(which ? a.w[1] : a.w[0]);
  const __nv_bfloat16 *wr[Rows];
#pragma unroll
  for (int i = 0; i < Rows; ++i)
    wr[i] = w + size_t(valid ? row0 + i : 0) * a.k;
  if (Prefetch && valid)
#pragma unroll
    for (int i = 0; i < Rows; ++i)
      prefetchRow(w, row0 + i, a.k, lane);
  gridDependencyBegin();
  float acc[Rows] = {};
  uint32_t sink = 0;
  constexpr int Step = Unroll * 256;
  if (valid) {
    if (Mode == 2) {
      uint4 cur[Rows][Unroll], next[Rows][Unroll];
#pragma unroll
      for (int u = 0; u < Unroll; ++u)
#pragma unroll
        for (int i = 0; i < Rows; ++i)
          cur[i][u] = load16<Hint>(wr[i] + lane * 8 + u * 256);
      for (int c = lane * 8; c < a.k; c += Step) {
        bool more = c + Step < a.k;
        if (more)
#pragma unroll
          for (int u = 0; u < Unroll; ++u)
#pragma unroll
            for (int i = 0; i < Rows; ++i)
              next[i][u] = load16<Hint>(wr[i] + c + Step + u * 256);
#pragma unroll
        for (int u = 0; u < Unroll; ++u) {
          const float4 *xr =
              reinterpret_cast<const float4 *>(a.x + c + u * 256);
          float4 xa = __ldg(xr), xb = __ldg(xr + 1);
#pragma unroll
          for (int i = 0; i < Rows; ++i)
            acc[i] += dotChunk(cur[i][u], xa, xb);
        }
        if (more)
#pragma unroll
          for (int u = 0; u < Unroll; ++u)
#pragma unroll
            for (int i = 0; i < Rows; ++i)
              cur[i][u] = next[i][u];
      }
    } else {
      for (int c = lane * 8; c < a.k; c += Step) {
        uint4 chunk[Rows][Unroll];
#pragma unroll
        for (int u = 0; u < Unroll; ++u)
#pragma unroll
          for (int i = 0; i < Rows; ++i)
            chunk[i][u] = load16<Hint>(wr[i] + c + u * 256);
#pragma unroll
        for (int u = 0; u < Unroll; ++u) {
          if (Mode == 1) {
#pragma unroll
            for (int i = 0; i < Rows; ++i)
              sink ^=
                  chunk[i][u].x ^ chunk[i][u].y ^ chunk[i][u].z ^ chunk[i][u].w;
            continue;
          }
          const float4 *xr =
              reinterpret_cast<const float4 *>(a.x + c + u * 256);
          float4 xa = __ldg(xr), xb = __ldg(xr + 1);
#pragma unroll
          for (int i = 0; i < Rows; ++i)
            acc[i] += dotChunk(chunk[i][u], xa, xb);
        }
      }
    }
  }
#pragma unroll
  for (int i = 0; i < Rows; ++i)
    acc[i] = warpSum(acc[i] + (Mode == 1 ? float(sink & 1) : 0.0f));
  if (Gated) {
    if (which == 1 && lane == 0)
#pragma unroll
      for (int i = 0; i < Rows; ++i)
        up[(warp % RowWarps) * Rows + i] = acc[i];
    __syncthreads();
    if (which == 1)
      return;
  }
  if (lane != 0 || !valid)
    return;
#pragma unroll
  for (int i = 0; i < Rows; ++i) {
    float v = acc[i];
    if (Gated)
      v = siluOf(v) * up[(warp % RowWarps) * Rows + i];
    a.out[0][row0 + i] = v;
  }
}

/// Every SM streams `bytes` in 16-byte loads; no compute.
__global__ void __launch_bounds__(256)
    flatRead(const uint4 *p, size_t count, uint32_t *sink) {
  gridDependencyBegin();
  uint32_t v = 0;
  size_t stride = size_t(gridDim.x) * blockDim.x;
  size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  for (; i + 7 * stride < count; i += 8 * stride) {
    uint4 c[8];
#pragma unroll
    for (int u = 0; u < 8; ++u)
      c[u] = load16<false>(p + i + u * stride);
#pragma unroll
    for (int u = 0; u < 8; ++u)
      v ^= c[u].x ^ c[u].y ^ c[u].z ^ c[u].w;
  }
  for (; i < count; i += stride)
    v ^= load16<false>(p + i).x;
  if (v == 0x12345678u)
    *sink = v;
}

int smCount = 0;
double bandwidth = 0;

void line(const char *shape, const std::string &kernel, double bytes,
          double us) {
  std::printf("%-24s %-34s %8.1f us %7.0f GB/s %5.1f%%\n", shape,
              kernel.c_str(), us, bytes / us * 1e-3,
              100 * bytes / (us * 1e-6) / bandwidth);
}

/// A kernel and its launch geometry: rows per block, threads per block.
struct Kernel {
  std::string name;
  void (*fn)(GemvArgs);
  int rowsPerBlock, threads;
  bool gated;
};

#define VARIANT(R, U, W, P, H, M)                                              \
  Kernel{"r" #R " x" #U " w" #W " pf" #P " h" #H " m" #M,                      \
         explore<R, U, W, P, H, M, false>, R * W, W * 32, false},              \
      Kernel {                                                                 \
    "gated r" #R " x" #U " w" #W " pf" #P " h" #H " m" #M,                     \
        explore<R, U, W, P, H, M, true>, R *(W / 2), W * 32, true              \
  }

std::vector<std::pair<Kernel, Kernel>> variants() {
  std::vector<std::pair<Kernel, Kernel>> v;
  auto add = [&](Kernel plain, Kernel gated) { v.push_back({plain, gated}); };
  add(Kernel{"shipped", llmc_gemv_bf16_t1, 8, 256, false},
      Kernel{"shipped gated", llmc_gemv_gated_bf16_t1, 4, 256, true});
  add(VARIANT(1, 8, 8, true, false, 0));
  add(VARIANT(1, 8, 8, false, false, 0));
  add(VARIANT(1, 8, 8, true, true, 0));
  add(VARIANT(1, 8, 8, false, true, 0));
  add(VARIANT(1, 4, 8, false, false, 2));
  add(VARIANT(1, 8, 8, false, false, 2));
  add(VARIANT(1, 4, 8, true, true, 2));
  add(VARIANT(2, 4, 8, false, false, 0));
  add(VARIANT(2, 4, 8, true, true, 0));
  add(VARIANT(2, 2, 8, false, true, 2));
  add(VARIANT(1, 8, 4, false, false, 0));
  add(VARIANT(1, 8, 4, true, true, 0));
  add(VARIANT(1, 8, 16, false, false, 0));
  add(VARIANT(1, 8, 8, false, false, 1));
  add(VARIANT(1, 8, 8, true, false, 1));
  return v;
}

/// out of `k` on one matrix against llmc_linear_bf16: max relative error.
double checkKernel(const Kernel &kernel, int n, int k) {
  void *w0 = deviceRandom(size_t(n) * k * 2, 11),
       *w1 = deviceRandom(size_t(n) * k * 2, 12);
  float *x, *out, *ref, *ref2;
  CHECK(cudaMalloc(&x, size_t(k) * 4));
  CHECK(cudaMalloc(&out, size_t(n) * 4));
  CHECK(cudaMalloc(&ref, size_t(n) * 4));
  CHECK(cudaMalloc(&ref2, size_t(n) * 4));
  std::vector<float> hx(k);
  for (int i = 0; i < k; ++i)
    hx[i] = float((i * 37) % 101) / 101.0f - 0.5f;
  CHECK(cudaMemcpy(x, hx.data(), size_t(k) * 4, cudaMemcpyHostToDevice));
  int one = 1;
  float none = 0;
  const float *nobias = nullptr;
  GemvArgs a{};
  a.x = x, a.t = 1, a.k = k, a.w[0] = w0, a.w[1] = w1, a.out[0] = out,
  a.n[0] = n;
  kernel.fn<<<(n + kernel.rowsPerBlock - 1) / kernel.rowsPerBlock,
              kernel.threads>>>(a);
  llmc_linear_bf16<<<(n + 7) / 8, 256>>>(x, one, k, (const __nv_bfloat16 *)w0,
                                         n, nobias, none, ref);
  llmc_linear_bf16<<<(n + 7) / 8, 256>>>(x, one, k, (const __nv_bfloat16 *)w1,
                                         n, nobias, none, ref2);
  CHECK(cudaDeviceSynchronize());
  std::vector<float> h(n), r(n), r2(n);
  CHECK(cudaMemcpy(h.data(), out, size_t(n) * 4, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(r.data(), ref, size_t(n) * 4, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(r2.data(), ref2, size_t(n) * 4, cudaMemcpyDeviceToHost));
  double err = 0, scale = 0;
  for (int i = 0; i < n; ++i) {
    double want = r[i];
    if (kernel.gated)
      want = double(r[i]) / (1.0 + std::exp(-double(r[i]))) * r2[i];
    err = std::max(err, std::abs(double(h[i]) - want));
    scale = std::max(scale, std::abs(want));
  }
  for (void *p : {w0, w1, (void *)x, (void *)out, (void *)ref, (void *)ref2})
    CHECK(cudaFree(p));
  return err / std::max(scale, 1e-30);
}

struct Shape {
  const char *name;
  int n, k;
  bool gated;
};

void timeShapes(cublasHandle_t blas,
                const std::vector<std::pair<Kernel, Kernel>> &kernels) {
  const Shape shapes[] = {
      {"8B qkv 6144x4096", 6144, 4096, false},
      {"8B o 4096x4096", 4096, 4096, false},
      {"8B gate+up 2x14336x4096", 14336, 4096, true},
      {"8B down 4096x14336", 4096, 14336, false},
      {"lm head 128256x4096", 128256, 4096, false},
      {"1B qkv 3072x2048", 3072, 2048, false},
      {"1B gate+up 2x8192x2048", 8192, 2048, true},
  };
  float *x, *out;
  CHECK(cudaMalloc(&x, 14336 * 4));
  CHECK(cudaMemset(x, 0, 14336 * 4));
  CHECK(cudaMalloc(&out, 128256 * 4));
  __nv_bfloat16 *xb = (__nv_bfloat16 *)deviceRandom(14336 * 2, 8);
  uint32_t *sink;
  CHECK(cudaMalloc(&sink, 4));
  for (const Shape &s : shapes) {
    int mats = s.gated ? 2 : 1;
    double bytes = double(mats) * s.n * s.k * 2;
    int copies = std::max(2, int(600e6 / bytes) + 1);
    std::vector<void *> w;
    for (int i = 0; i < copies * mats; ++i)
      w.push_back(deviceRandom(size_t(s.n) * s.k * 2, 100 + i));
    auto args = [&](int copy) {
      GemvArgs a{};
      a.x = x, a.t = 1, a.k = s.k, a.w[0] = w[copy * mats], a.out[0] = out,
      a.n[0] = s.n;
      if (s.gated)
        a.w[1] = w[copy * mats + 1];
      return a;
    };
    if (!s.gated)
      line(s.name, "flat read", bytes,
           timeLaunches(
               [&](int c) {
                 flatRead<<<smCount * 8, 256, 0, timing>>>((const uint4 *)w[c],
                                                           bytes / 16, sink);
               },
               copies));
    for (const auto &[plain, gated] : kernels) {
      const Kernel &kernel = s.gated ? gated : plain;
      if (s.k % 2048 != 0)
        continue;
      line(
          s.name, kernel.name, bytes,
          timeLaunches(
              [&](int c) {
                kernel
                    .fn<<<(s.n + kernel.rowsPerBlock - 1) / kernel.rowsPerBlock,
                          kernel.threads, 0, timing>>>(args(c));
              },
              copies));
    }
    float one = 1, zero = 0;
    line(s.name, "cublasGemmEx", bytes,
         timeLaunches(
             [&](int c) {
               for (int m = 0; m < mats; ++m)
                 cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, s.n, 1, s.k, &one,
                              w[c * mats + m], CUDA_R_16BF, s.k, xb,
                              CUDA_R_16BF, s.k, &zero, out, CUDA_R_32F, s.n,
                              CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
             },
             copies));
    for (void *p : w)
      CHECK(cudaFree(p));
  }
  CHECK(cudaFree(x));
  CHECK(cudaFree(out));
  CHECK(cudaFree(xb));
  CHECK(cudaFree(sink));
}

/// One 8B token's matrices as one graph with dependent launches.
void timeToken(const Kernel &plain, const Kernel &gated, int layers, int hidden,
               int qkv, int intermediate, int vocab, const char *model) {
  cudaStream_t stream;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  float *x, *out;
  CHECK(cudaMalloc(&x, size_t(intermediate) * 4));
  CHECK(cudaMemset(x, 0, size_t(intermediate) * 4));
  CHECK(cudaMalloc(&out, size_t(vocab) * 4));
  std::vector<void *> owned;
  double bytes = 0;
  auto matrix = [&](int n, int k) {
    bytes += 2.0 * n * k;
    owned.push_back(deviceRandom(size_t(n) * k * 2, owned.size()));
    return owned.back();
  };
  std::vector<std::function<void()>> launches;
  auto gemv = [&](const Kernel &kernel, int n, int k, void *w0, void *w1) {
    GemvArgs a{};
    a.x = x, a.t = 1, a.k = k, a.w[0] = w0, a.w[1] = w1, a.out[0] = out,
    a.n[0] = n;
    unsigned grid = (n + kernel.rowsPerBlock - 1) / kernel.rowsPerBlock;
    launches.push_back(
        [=] { launchPdl(kernel.fn, grid, kernel.threads, 0, a, stream); });
  };
  for (int l = 0; l < layers; ++l) {
    gemv(plain, qkv, hidden, matrix(qkv, hidden), nullptr);
    gemv(plain, hidden, hidden, matrix(hidden, hidden), nullptr);
    gemv(gated, intermediate, hidden, matrix(intermediate, hidden),
         matrix(intermediate, hidden));
    gemv(plain, hidden, intermediate, matrix(hidden, intermediate), nullptr);
  }
  gemv(plain, vocab, hidden, matrix(vocab, hidden), nullptr);
  double us = timeGraph(launches, stream);
  std::printf("%s token matrices, %-34s %6.0f us/token (%4.0f tok/s) "
              "%5.1f%% of copy bandwidth\n",
              model, plain.name.c_str(), us, 1e6 / us,
              100 * bytes / (us * 1e-6) / bandwidth);
  for (void *p : owned)
    CHECK(cudaFree(p));
  CHECK(cudaFree(x));
  CHECK(cudaFree(out));
  CHECK(cudaStreamDestroy(stream));
}

} // namespace

int main() {
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  smCount = prop.multiProcessorCount;
  std::printf("%s, %d SMs\n", prop.name, smCount);
  std::vector<std::pair<Kernel, Kernel>> kernels = variants();
  int failures = 0;
  for (const auto &[plain, gated] : kernels)
    for (const Kernel *kernel : {&plain, &gated}) {
      if (kernel->name.find("m1") != std::string::npos)
        continue;
      double err = checkKernel(*kernel, 136, 4096);
      if (!(err <= 1e-4)) {
        std::printf("MISMATCH %s: relative error %.3g\n", kernel->name.c_str(),
                    err);
        ++failures;
      }
    }
  bandwidth = copyBandwidth();
  std::printf("device-to-device copy: %.0f GB/s\n", bandwidth / 1e9);
  cublasHandle_t blas;
  if (cublasCreate(&blas) != CUBLAS_STATUS_SUCCESS)
    return 1;
  CHECK(cudaStreamCreateWithFlags(&timing, cudaStreamNonBlocking));
  cublasSetStream(blas, timing);
  timeShapes(blas, kernels);
  for (const auto &[plain, gated] : kernels) {
    if (plain.name.find("m1") != std::string::npos)
      continue;
    timeToken(plain, gated, 32, 4096, 6144, 14336, 128256, "llama-8b");
  }
  for (const auto &[plain, gated] : kernels) {
    if (plain.name.find("m1") != std::string::npos)
      continue;
    timeToken(plain, gated, 16, 2048, 3072, 8192, 128256, "llama-1b");
  }
  std::printf("%s\n", failures ? "FAILED" : "all variants match");
  return failures ? 1 : 0;
}
