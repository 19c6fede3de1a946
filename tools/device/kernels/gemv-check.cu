//===- gemv-check.cu - the decode GEMV kernels: checked, then timed -------===//
//
// On a GPU machine (see check-gemv.sh, which builds and runs this):
//
//   nvcc -O3 -arch=sm_90a -std=c++17 -I compiler/targets/cuda/kernels \
//     tools/device/kernels/gemv-check.cu -lcublas -o /tmp/gemv-check
//   /tmp/gemv-check [--no-timing]
//
// 1. Correctness (fixed seed): llmc_gemv_{bf16,f16}_t* (three segments,
//    biases, soft cap) and llmc_gemv_gated_* against llmc_linear_*, and
//    llmc_gemv_q{4,8}_t* and llmc_gemv_gated_q{4,8}_t* (signed without
//    offsets and unsigned with them; groups 32, 64, 128 and per row; one,
//    two and three matrices; a grid smaller than the tiles)
//    against llmc_linear_quantized, for 1, 3 and 8
//    tokens; the one-token kernels (GemvQuantizedToken.cu) also for k from
//    96 to 16384 and with a fused norm and residual (_norm_ instances,
//    against the reference on the normalized input):
//    max|out - ref| / max|ref| must be <= 1e-2 (16-bit weights
//    read exactly, so in practice about 1e-6; the quantized kernels
//    multiply integers, the activations quantized to about 16 bits).
// 2. Speed, one token, weights rotated over enough copies that they come
//    from memory, not L2: microseconds per launch and GB/s for the Llama
//    1B and 8B decode matrices, for the bf16 kernels (gemv-explore.cu
//    times their variants), for the one-token 4-bit kernel with several
//    rows per warp and the many-token kernel run with one token, and for
//    cuBLAS's bf16 GEMV; the device-to-device copy bandwidth measured here is
//    the 100% line.
// 3. A decode token's matrices alone: every layer's QKV, o, gate/up and
//    down launches plus the LM head, captured as one CUDA graph with
//    programmatic dependent launches (as the runtime does), bf16 and int4
//    group 128: microseconds per token and % of the copy bandwidth.
//
// Exits 1 on a mismatch or a CUDA error.
//
//===----------------------------------------------------------------------===//

#include "Kernels.cu"

#include "Gemv.cu"

#include "GemvQuantized.cu"

#include "GemvQuantizedToken.cu"

#include "Harness.cuh"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cublas_v2.h>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace {

/// The many-token kernel with one token (the shipped one-token kernel
/// before GemvQuantizedToken.cu).
template <int Rows, int Unroll, bool Gated>
__global__ void __launch_bounds__(256) q4Variant(GemvQArgs a) {
  gemvQuantized<4, 1, Rows, Unroll, Gated, false>(a);
}

/// The one-token kernel with other rows per warp (8 weight rows per warp
/// need more than 128 registers: one block per multiprocessor).
template <int Rows, bool Gated>
__global__ void __launch_bounds__(256, Rows *(Gated ? 2 : 1) >= 8 ? 1 : 2)
    q4TokenVariant(GemvQArgs a) {
  gemvQuantizedToken<4, Rows, Gated, false>(a);
}

/// Output rows per tile of a one-token kernel with `rows` rows per warp.
int tokenRowsPerTile(int rows, int k) {
  return rows * (8 / gemvQTokenSlices(k));
}

int smCount = 0;
/// Blocks for a 4-bit launch: the tiles, at most what is resident at once.
int q4Grid(void (*fn)(GemvQArgs), int rowsPerBlock, int n, int smem) {
  int perSm = 0;
  CHECK(cudaFuncSetAttribute(fn, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             200 * 1024));
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&perSm, fn, 256, smem));
  return std::min((n + rowsPerBlock - 1) / rowsPerBlock,
                  std::max(1, perSm) * smCount);
}

std::mt19937 rng(1234);
float uniform(float lo, float hi) {
  return std::uniform_real_distribution<float>(lo, hi)(rng);
}

template <typename T> T *upload(const std::vector<T> &v) {
  T *d = nullptr;
  CHECK(cudaMalloc(&d, std::max<size_t>(v.size(), 1) * sizeof(T)));
  CHECK(cudaMemcpy(d, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice));
  return d;
}

double relError(const std::vector<float> &a, const std::vector<float> &ref) {
  double diff = 0, top = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, (double)std::fabs(a[i] - ref[i]));
    top = std::max(top, (double)std::fabs(ref[i]));
  }
  return diff / std::max(top, 1e-30);
}

int failures = 0;
void report(const std::string &what, double err) {
  bool ok = err <= 1e-2;
  failures += !ok;
  std::printf("%-58s max rel err %.2e %s\n", what.c_str(), err,
              ok ? "ok" : "MISMATCH");
}

template <typename W> W toHalf(float v);
template <> __nv_bfloat16 toHalf(float v) { return __float2bfloat16(v); }
template <> __half toHalf(float v) { return __float2half(v); }

template <typename W>
void checkHalf(const char *type, const char *suffix, int t, int k,
               std::vector<int> ns, bool gated) {
  std::vector<float> x((size_t)t * k);
  for (float &v : x)
    v = uniform(-1, 1);
  float *dx = upload(x);
  GemvArgs a{};
  a.x = dx;
  a.t = t;
  a.k = k;
  a.softcap = gated ? 0.0f : 30.0f;
  a.activation = 0;
  std::vector<std::vector<float>> refs;
  int rows = 0;
  for (size_t s = 0; s < ns.size(); ++s) {
    int n = ns[s];
    std::vector<W> w((size_t)n * k);
    for (W &v : w)
      v = toHalf<W>(uniform(-0.1f, 0.1f));
    std::vector<float> bias(n);
    for (float &v : bias)
      v = uniform(-1, 1);
    a.w[s] = upload(w);
    a.bias[s] = gated ? nullptr : upload(bias);
    CHECK(cudaMalloc(&a.out[s], (size_t)t * n * 4));
    a.n[s] = n;
    float *ref;
    CHECK(cudaMalloc(&ref, (size_t)t * n * 4));
    float cap = a.softcap;
    if (std::strcmp(type, "bf16") == 0)
      llmc_linear_bf16<<<(n + 7) / 8, 256>>>(
          dx, t, k, (const __nv_bfloat16 *)a.w[s], n, a.bias[s], cap, ref);
    else
      llmc_linear_f16<<<(n + 7) / 8, 256>>>(dx, t, k, (const __half *)a.w[s], n,
                                            a.bias[s], cap, ref);
    CHECK(cudaGetLastError());
    refs.push_back(download(ref, (size_t)t * n));
    rows += gated ? 0 : n;
  }
  if (gated)
    rows = ns[0];
  auto kernel = std::string("llmc_gemv_") + (gated ? "gated_" : "") + type +
                "_t" + suffix;
  const std::pair<const char *, void (*)(GemvArgs)> kernels[] = {
      {"llmc_gemv_bf16_t1", llmc_gemv_bf16_t1},
      {"llmc_gemv_bf16_t4", llmc_gemv_bf16_t4},
      {"llmc_gemv_bf16_t8", llmc_gemv_bf16_t8},
      {"llmc_gemv_f16_t1", llmc_gemv_f16_t1},
      {"llmc_gemv_f16_t4", llmc_gemv_f16_t4},
      {"llmc_gemv_f16_t8", llmc_gemv_f16_t8},
      {"llmc_gemv_gated_bf16_t1", llmc_gemv_gated_bf16_t1},
      {"llmc_gemv_gated_bf16_t4", llmc_gemv_gated_bf16_t4},
      {"llmc_gemv_gated_bf16_t8", llmc_gemv_gated_bf16_t8},
      {"llmc_gemv_gated_f16_t1", llmc_gemv_gated_f16_t1},
      {"llmc_gemv_gated_f16_t4", llmc_gemv_gated_f16_t4},
      {"llmc_gemv_gated_f16_t8", llmc_gemv_gated_f16_t8}};
  void (*fn)(GemvArgs) = nullptr;
  for (const auto &[name, f] : kernels)
    if (kernel == name)
      fn = f;
  fn<<<gated ? (rows + 3) / 4 : (rows + 7) / 8, 256>>>(a);
  CHECK(cudaGetLastError());
  if (gated) {
    std::vector<float> want(refs[0].size());
    for (size_t i = 0; i < want.size(); ++i) {
      float g = refs[0][i];
      want[i] = g / (1.0f + std::exp(-g)) * refs[1][i];
    }
    report(kernel + " t=" + std::to_string(t) + " k=" + std::to_string(k),
           relError(download(a.out[0], want.size()), want));
  } else {
    double worst = 0;
    for (size_t s = 0; s < ns.size(); ++s)
      worst = std::max(worst,
                       relError(download(a.out[s], refs[s].size()), refs[s]));
    report(kernel + " t=" + std::to_string(t) + " k=" + std::to_string(k) +
               " segments=" + std::to_string(ns.size()),
           worst);
  }
}

struct QMatrix {
  const void *q;
  float *scales, *offsets, *ref;
};

/// A random 4- or 8-bit matrix, and llmc_linear_quantized's output for x.
QMatrix randomQ(const float *dx, int t, int n, int k, int bits, int group,
                bool isSigned) {
  int groups = k / group;
  std::vector<uint8_t> q((size_t)n * k * bits / 8);
  for (uint8_t &b : q)
    b = uint8_t(rng());
  std::vector<float> scales((size_t)n * groups), offsets(scales.size(), 0.0f);
  for (float &s : scales)
    s = uniform(0.002f, 0.02f);
  if (!isSigned)
    for (size_t i = 0; i < offsets.size(); ++i)
      offsets[i] =
          -scales[i] * uniform(bits == 4 ? 6 : 100, bits == 4 ? 9 : 150);
  QMatrix m;
  uint8_t *dq = upload(q);
  m.q = dq;
  m.scales = upload(scales);
  m.offsets = upload(offsets);
  CHECK(cudaMalloc(&m.ref, (size_t)t * n * 4));
  llmc_linear_quantized<<<(n + 7) / 8, 256>>>(dx, t, k, dq, bits, isSigned,
                                              m.scales, m.offsets, group, n,
                                              nullptr, 0.0f, m.ref);
  CHECK(cudaGetLastError());
  if (isSigned)
    m.offsets = nullptr; // symmetric: the kernel takes no offsets
  return m;
}

/// With `fused` (one token): an RMS norm of the input (weights plus one)
/// and a residual added to matrix 0, against the reference run on the
/// normalized input, plus the residual.
void checkQ(int bits, int t, std::vector<int> ns, int k, int group,
            bool isSigned, bool gated, bool fused = false) {
  std::vector<float> x((size_t)t * k);
  for (float &v : x)
    v = uniform(-3, 3);
  x[0] = 900.0f; // one large activation: its chunk's scale must absorb it
  float *dx = upload(x);
  GemvQArgs a{};
  a.x = dx, a.t = t, a.k = k, a.group = group, a.isSigned = isSigned;
  std::vector<float> residual;
  const float *dref = dx; // the reference's input
  if (fused) {
    std::vector<float> g(k), xn(x.size());
    for (float &v : g)
      v = uniform(-0.5f, 0.5f);
    double squares = 0;
    for (float v : x)
      squares += double(v) * v;
    float inv = float(1.0 / std::sqrt(squares / k + 1e-5));
    for (int i = 0; i < k; ++i)
      xn[i] = x[i] * inv * (g[i] + 1.0f);
    residual.resize(ns[0]);
    for (float &v : residual)
      v = uniform(-5, 5);
    a.norm = upload(g);
    a.normEpsilon = 1e-5f;
    a.normUnitOffset = 1;
    a.residual = gated ? nullptr : upload(residual);
    dref = upload(xn);
  }
  std::vector<QMatrix> ms;
  for (size_t i = 0; i < ns.size(); ++i) {
    ms.push_back(randomQ(dref, t, ns[i], k, bits, group, isSigned));
    a.q[i] = ms[i].q, a.scales[i] = ms[i].scales, a.offsets[i] = ms[i].offsets;
    a.n[i] = ns[i];
    CHECK(cudaMalloc(&a.out[i], (size_t)t * ns[i] * 4));
  }
  int smem = t == 1 ? gemvQTokenSharedBytes(k) : gemvQSharedBytes(t, k);
  void (*fn)(GemvQArgs) = nullptr;
  int tokens = t == 1 ? 1 : t <= 4 ? 4 : 8;
  const struct {
    int bits, tokens;
    bool norm;
    void (*plain)(GemvQArgs), (*gated)(GemvQArgs);
  } kernels[] = {
      {4, 1, false, llmc_gemv_q4_token, llmc_gemv_gated_q4_token},
      {4, 1, true, llmc_gemv_norm_q4_token, llmc_gemv_gated_norm_q4_token},
      {4, 4, false, llmc_gemv_q4_t4, llmc_gemv_gated_q4_t4},
      {4, 8, false, llmc_gemv_q4_t8, llmc_gemv_gated_q4_t8},
      {8, 1, false, llmc_gemv_q8_token, llmc_gemv_gated_q8_token},
      {8, 1, true, llmc_gemv_norm_q8_token, llmc_gemv_gated_norm_q8_token},
      {8, 4, false, llmc_gemv_q8_t4, llmc_gemv_gated_q8_t4},
      {8, 8, false, llmc_gemv_q8_t8, llmc_gemv_gated_q8_t8}};
  for (const auto &k : kernels)
    if (k.bits == bits && k.tokens == tokens && k.norm == fused)
      fn = gated ? k.gated : k.plain;
  int rowsPerTile = t == 1  ? gemvQTokenRowsPerTile(bits, gated, k)
                    : gated ? 4 * kGemvQRows
                            : 8 * kGemvQRows;
  int tiles = 0;
  for (int n : ns)
    tiles += (n + rowsPerTile - 1) / rowsPerTile;
  if (gated)
    tiles = (ns[0] + rowsPerTile - 1) / rowsPerTile;
  CHECK(cudaFuncSetAttribute(fn, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             200 * 1024));
  // A small grid, so that blocks loop over several tiles.
  fn<<<std::min(tiles, 7), 256, smem>>>(a);
  CHECK(cudaGetLastError());
  std::string what = std::string(gated ? "llmc_gemv_gated_q" : "llmc_gemv_q") +
                     std::to_string(bits) + " t=" + std::to_string(t) +
                     " k=" + std::to_string(k) + " g=" + std::to_string(group) +
                     (isSigned ? " signed" : " unsigned+offsets") +
                     " matrices=" + std::to_string(ns.size()) +
                     (fused ? " norm+residual" : "");
  if (gated) {
    std::vector<float> g = download(ms[0].ref, (size_t)t * ns[0]),
                       u = download(ms[1].ref, (size_t)t * ns[0]);
    for (size_t i = 0; i < g.size(); ++i)
      g[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
    report(what, relError(download(a.out[0], g.size()), g));
    return;
  }
  double worst = 0;
  for (size_t i = 0; i < ns.size(); ++i) {
    std::vector<float> want = download(ms[i].ref, (size_t)t * ns[i]);
    if (fused && i == 0)
      for (size_t j = 0; j < want.size(); ++j)
        want[j] += residual[j];
    worst =
        std::max(worst, relError(download(a.out[i], (size_t)t * ns[i]), want));
  }
  report(what, worst);
}

// --- Timing -----------------------------------------------------------------

double bandwidth = 0;
void line(const char *shape, const char *kernel, double bytes, double us) {
  std::printf("%-22s %-30s %8.1f us %7.0f GB/s %5.1f%%\n", shape, kernel, us,
              bytes / us * 1e-3, 100 * bytes / (us * 1e-6) / bandwidth);
}

struct Shape {
  const char *name;
  int n, k;
  bool gated;
};

void timeShapes(cublasHandle_t blas) {
  const Shape shapes[] = {
      {"1B qkv 3072x2048", 3072, 2048, false},
      {"1B o 2048x2048", 2048, 2048, false},
      {"1B gate+up 2x8192x2048", 8192, 2048, true},
      {"1B down 2048x8192", 2048, 8192, false},
      {"8B qkv 6144x4096", 6144, 4096, false},
      {"8B o 4096x4096", 4096, 4096, false},
      {"8B gate+up 2x14336x4096", 14336, 4096, true},
      {"8B down 4096x14336", 4096, 14336, false},
      {"lm head 128256x4096", 128256, 4096, false},
  };
  float *x = (float *)deviceRandom(14336 * 4 * 8, 7), *out;
  CHECK(cudaMemset(x, 0, 14336 * 4 * 8));
  __nv_bfloat16 *xb = (__nv_bfloat16 *)deviceRandom(14336 * 2, 8);
  CHECK(cudaMalloc(&out, 128256 * 4 * 8));
  for (const Shape &s : shapes) {
    int mats = s.gated ? 2 : 1;
    double bf16Bytes = double(mats) * s.n * s.k * 2;
    int copies = std::max(2, int(600e6 / bf16Bytes) + 1);
    std::vector<void *> w;
    for (int i = 0; i < copies * mats; ++i)
      w.push_back(deviceRandom(size_t(s.n) * s.k * 2, 100 + i));
    auto args = [&](int copy) {
      GemvArgs a{};
      a.x = x;
      a.t = 1;
      a.k = s.k;
      a.w[0] = w[copy * mats];
      a.out[0] = out;
      a.n[0] = s.n;
      if (s.gated)
        a.w[1] = w[copy * mats + 1];
      return a;
    };
    auto bf16 = [&](void (*fn)(GemvArgs), int rowsPerBlock, const char *name) {
      line(
          s.name, name, bf16Bytes,
          timeLaunches(
              [&](int c) {
                fn<<<(s.n + rowsPerBlock - 1) / rowsPerBlock, 256, 0, timing>>>(
                    args(c));
              },
              copies));
    };
    if (s.gated)
      bf16(llmc_gemv_gated_bf16_t1, 4, "llmc_gemv_gated_bf16_t1");
    else
      bf16(llmc_gemv_bf16_t1, 8, "llmc_gemv_bf16_t1");
    float one = 1, zero = 0;
    line(s.name, "cublasGemmEx bf16 (x bf16)", bf16Bytes,
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

    // int4, group 128, symmetric: weights + float32 scales.
    int groups = s.k / 128;
    double q4Bytes = double(mats) * s.n * (s.k / 2.0 + groups * 4.0);
    int qcopies = std::max(2, int(600e6 / q4Bytes) + 1);
    std::vector<void *> q, sc;
    for (int i = 0; i < qcopies * mats; ++i) {
      q.push_back(deviceRandom(size_t(s.n) * s.k / 2, 300 + i));
      std::vector<float> scales(size_t(s.n) * groups, 0.01f);
      sc.push_back(upload(scales));
    }
    auto run = [&](void (*fn)(GemvQArgs), int rowsPerBlock, const char *name,
                   bool token = false) {
      int smem = token ? gemvQTokenSharedBytes(s.k) : gemvQSharedBytes(1, s.k);
      int grid = q4Grid(fn, rowsPerBlock, s.n, smem);
      line(s.name, name, q4Bytes,
           timeLaunches(
               [&](int c) {
                 GemvQArgs a{};
                 a.x = x, a.t = 1, a.k = s.k, a.group = 128, a.isSigned = 1;
                 for (int m = 0; m < mats; ++m) {
                   a.q[m] = q[c * mats + m];
                   a.scales[m] = (const float *)sc[c * mats + m];
                   a.out[m] = out;
                   a.n[m] = s.n;
                 }
                 if (mats == 1 || s.gated)
                   fn<<<grid, 256, smem, timing>>>(a);
               },
               qcopies));
    };
    if (s.gated) {
      run(llmc_gemv_gated_q4_token, gemvQTokenRowsPerTile(4, true, s.k),
          "llmc_gemv_gated_q4_token", true);
      run(q4TokenVariant<1, true>, tokenRowsPerTile(1, s.k),
          "gated q4 token rows 1", true);
      run(q4TokenVariant<4, true>, tokenRowsPerTile(4, s.k),
          "gated q4 token rows 4", true);
      run(q4Variant<2, 2, true>, 8, "gated q4 many-token rows 2, x2");
    } else {
      run(llmc_gemv_q4_token, gemvQTokenRowsPerTile(4, false, s.k),
          "llmc_gemv_q4_token", true);
      run(q4TokenVariant<2, false>, tokenRowsPerTile(2, s.k), "q4 token rows 2",
          true);
      run(q4TokenVariant<8, false>, tokenRowsPerTile(8, s.k), "q4 token rows 8",
          true);
      run(q4Variant<2, 2, false>, 16, "q4 many-token rows 2, x2");
    }
    for (void *p : q)
      CHECK(cudaFree(p));
    for (void *p : sc)
      CHECK(cudaFree(p));
  }
  CHECK(cudaFree(x));
  CHECK(cudaFree(out));
  CHECK(cudaFree(xb));
}

struct ModelShape {
  const char *name;
  int layers, hidden, qkv, intermediate, vocab;
};

/// A 4-bit kernel pair for timeToken: plain and gated, their rows per
/// warp, and whether they are one-token kernels (GemvQuantizedToken.cu)
/// or the many-token one (GemvQuantized.cu).
struct Q4Kernels {
  const char *name;
  void (*plain)(GemvQArgs);
  void (*gated)(GemvQArgs);
  int rows, gatedRows;
  bool token;
  int perTile(int k, bool gated) const {
    int r = gated ? gatedRows : rows;
    return token ? tokenRowsPerTile(r, k) : (gated ? 4 : 8) * r;
  }
  int shared(int k) const {
    return token ? gemvQTokenSharedBytes(k) : gemvQSharedBytes(1, k);
  }
};

/// One token's matrices as a graph: microseconds per token.
void timeToken(const ModelShape &m, bool q4,
               const Q4Kernels &q4k = {
                   "shipped", llmc_gemv_q4_token, llmc_gemv_gated_q4_token,
                   gemvQTokenRows(4, false), gemvQTokenRows(4, true), true}) {
  cudaStream_t stream;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  float *x = (float *)deviceRandom(size_t(m.intermediate) * 4, 1), *out;
  CHECK(cudaMemset(x, 0, size_t(m.intermediate) * 4));
  CHECK(cudaMalloc(&out, size_t(m.vocab) * 4));
  std::vector<void *> owned;
  double bytes = 0;
  auto bf16 = [&](int n, int k) {
    bytes += 2.0 * n * k;
    owned.push_back(deviceRandom(size_t(n) * k * 2, owned.size()));
    return owned.back();
  };
  auto q4w = [&](int n, int k) {
    bytes += n * (k / 2.0 + k / 128 * 4.0);
    owned.push_back(deviceRandom(size_t(n) * k / 2, owned.size()));
    void *q = owned.back();
    std::vector<float> scales(size_t(n) * (k / 128), 0.01f);
    owned.push_back(upload(scales));
    return std::make_pair(q, owned.back());
  };
  std::vector<std::function<void()>> launches;
  auto gemv = [&](int n, int k) {
    if (!q4) {
      GemvArgs a{};
      a.x = x, a.t = 1, a.k = k, a.w[0] = bf16(n, k), a.out[0] = out,
      a.n[0] = n;
      launches.push_back([=] {
        launchPdl(llmc_gemv_bf16_t1, (n + 7) / 8, 256, 0, a, stream);
      });
    } else {
      auto [q, s] = q4w(n, k);
      GemvQArgs a{};
      a.x = x, a.t = 1, a.k = k, a.q[0] = q, a.scales[0] = (const float *)s,
      a.out[0] = out, a.n[0] = n, a.group = 128, a.isSigned = 1;
      int smem = q4k.shared(k);
      int grid = q4Grid(q4k.plain, q4k.perTile(k, false), n, smem);
      launches.push_back(
          [=] { launchPdl(q4k.plain, grid, 256, smem, a, stream); });
    }
  };
  // int4: QKV as one three-matrix launch, gate and up as one gated launch.
  auto q4Group = [&](std::vector<int> ns, int k, bool gated) {
    GemvQArgs a{};
    a.x = x, a.t = 1, a.k = k, a.group = 128, a.isSigned = 1;
    int tiles = 0, per = q4k.perTile(k, gated);
    for (size_t i = 0; i < ns.size(); ++i) {
      auto [q, s] = q4w(ns[i], k);
      a.q[i] = q, a.scales[i] = (const float *)s;
      a.out[i] = out, a.n[i] = ns[i];
      tiles += (ns[i] + per - 1) / per;
    }
    if (gated)
      tiles = (ns[0] + per - 1) / per;
    void (*fn)(GemvQArgs) = gated ? q4k.gated : q4k.plain;
    int smem = q4k.shared(k);
    int grid = std::min(tiles, q4Grid(fn, 1, 1 << 30, smem));
    launches.push_back([=] { launchPdl(fn, grid, 256, smem, a, stream); });
  };
  for (int l = 0; l < m.layers; ++l) {
    if (q4)
      q4Group({m.hidden, (m.qkv - m.hidden) / 2, (m.qkv - m.hidden) / 2},
              m.hidden, false);
    else
      gemv(m.qkv, m.hidden);
    gemv(m.hidden, m.hidden);
    if (q4) {
      q4Group({m.intermediate, m.intermediate}, m.hidden, true);
    } else {
      GemvArgs a{};
      a.x = x, a.t = 1, a.k = m.hidden, a.w[0] = bf16(m.intermediate, m.hidden),
      a.w[1] = bf16(m.intermediate, m.hidden), a.out[0] = out,
      a.n[0] = m.intermediate;
      int n = m.intermediate;
      launches.push_back([=] {
        launchPdl(llmc_gemv_gated_bf16_t1, (n + 3) / 4, 256, 0, a, stream);
      });
    }
    gemv(m.hidden, m.intermediate);
  }
  {
    GemvArgs a{};
    a.x = x, a.t = 1, a.k = m.hidden, a.w[0] = bf16(m.vocab, m.hidden),
    a.out[0] = out, a.n[0] = m.vocab;
    int n = m.vocab;
    launches.push_back(
        [=] { launchPdl(llmc_gemv_bf16_t1, (n + 7) / 8, 256, 0, a, stream); });
  }
  double us = timeGraph(launches, stream);
  std::printf("%s %s%s%s token matrices: %zu launches, %.2f GB, %.0f "
              "us/token (%.0f tok/s), %.0f GB/s, %.1f%% of copy bandwidth\n",
              m.name, q4 ? "int4 g128 (lm head bf16) " : "bf16",
              q4 ? q4k.name : "", q4 ? "," : "", launches.size(), bytes / 1e9,
              us, 1e6 / us, bytes / us * 1e-3,
              100 * bytes / (us * 1e-6) / bandwidth);
  for (void *p : owned)
    CHECK(cudaFree(p));
  CHECK(cudaFree(x));
  CHECK(cudaFree(out));
  CHECK(cudaStreamDestroy(stream));
}

} // namespace

int main(int argc, char **argv) {
  bool timed = !(argc > 1 && std::strcmp(argv[1], "--no-timing") == 0);
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("%s, %d SMs\n", prop.name, prop.multiProcessorCount);
  smCount = prop.multiProcessorCount;
  for (int t : {1, 3, 8}) {
    const char *suffix = t == 1 ? "1" : t <= 4 ? "4" : "8";
    checkHalf<__nv_bfloat16>("bf16", suffix, t, 2048, {96, 40, 24}, false);
    checkHalf<__half>("f16", suffix, t, 1000, {72}, false);
    checkHalf<__nv_bfloat16>("bf16", suffix, t, 4096, {136, 136}, true);
    checkHalf<__half>("f16", suffix, t, 264, {40, 40}, true);
    checkQ(4, t, {200}, 4096, 128, true, false);
    checkQ(4, t, {72}, 1024, 32, false, false);
    checkQ(4, std::min(t, 4), {40}, 14336, 128, false, false);
    checkQ(4, t, {64, 24, 40}, 2048, 64, true, false);
    checkQ(4, t, {100, 100}, 1024, 128, true, true);
    checkQ(4, t, {36, 36}, 512, 32, false, true);
    checkQ(8, t, {120}, 2048, 2048, true, false);
    checkQ(8, t, {72, 8}, 1536, 1536, false, false);
    checkQ(8, t, {48, 48}, 1024, 128, true, true);
  }
  // The one-token kernel's layouts (1 to 8 warps per row, a last column
  // of chunks partly past k) and its fused norm and residual.
  for (int k : {96, 1056, 1536, 3072, 8192, 14336, 16384}) {
    checkQ(4, 1, {40, 24, 8}, k, 32, true, false);
    checkQ(4, 1, {24, 24}, k, 32, false, true);
    checkQ(8, 1, {40}, k, 32, false, false);
  }
  checkQ(4, 1, {136}, 4096, 128, true, false, true);
  checkQ(4, 1, {72, 72}, 4096, 128, true, true, true);
  checkQ(4, 1, {40, 16, 16}, 14336, 64, false, false, true);
  checkQ(8, 1, {64}, 2048, 2048, true, false, true);
  checkQ(8, 1, {32, 32}, 1024, 128, false, true, true);
  if (timed) {
    bandwidth = copyBandwidth();
    std::printf("device-to-device copy: %.0f GB/s\n", bandwidth / 1e9);
    cublasHandle_t blas;
    if (cublasCreate(&blas) != CUBLAS_STATUS_SUCCESS)
      return 1;
    CHECK(cudaStreamCreateWithFlags(&timing, cudaStreamNonBlocking));
    cublasSetStream(blas, timing);
    timeShapes(blas);
    const ModelShape models[] = {{"llama-1b", 16, 2048, 3072, 8192, 128256},
                                 {"llama-8b", 32, 4096, 6144, 14336, 128256}};
    const Q4Kernels variants[] = {{"many-token rows 2, x2",
                                   q4Variant<2, 2, false>,
                                   q4Variant<2, 2, true>, 2, 2, false},
                                  {"token rows 2/1", q4TokenVariant<2, false>,
                                   q4TokenVariant<1, true>, 2, 1, true},
                                  {"token rows 8/4", q4TokenVariant<8, false>,
                                   q4TokenVariant<4, true>, 8, 4, true}};
    for (const ModelShape &m : models) {
      timeToken(m, false);
      timeToken(m, true);
      for (const Q4Kernels &v : variants)
        timeToken(m, true, v);
    }
  }
  std::printf("%s\n", failures ? "FAILED" : "all kernels match");
  return failures ? 1 : 0;
}
