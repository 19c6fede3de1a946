//===- gemv-program-check.cu - GEMV programs: checked, then timed ---------===//
//
// On a GPU machine (sm_90; check-gemv-program.sh builds and runs this):
//
//   bash tools/device/kernels/check-gemv-program.sh [--no-timing]
//
// 1. Correctness: a program of every kind of step (three matrices with
//    biases and a soft cap, residual, norm, norm and residual, gated,
//    gated with a norm, a norm whose weights the program applies; k of
//    1000, 2048 and 8192), each step reading the one before's output,
//    against the same steps as Gemv.cu's t1 kernels (the last on
//    activations normalized on the host): max|out - ref| / max|ref| <=
//    1e-4 (the same products, summed in another order).
// 2. Speed: the Llama 1B and 8B decode token's matrices (every layer's
//    QKV, o, gate/up and down, then the LM head) with weights from memory:
//    as Gemv.cu's kernels in a graph with dependent launches (as the
//    runtime did before programs), and as one program per layer (the LM
//    head in the last), for 1, 2 and 3 blocks per SM; and the programs'
//    streaming alone (consumers that only release the buffers), without
//    and with the steps' activation staging and grid barriers. The
//    device-to-device copy bandwidth measured here is the 100% line.
//
// --profile PER_SM times only the 1B token's programs on PER_SM blocks per
// SM, for a profiler (ncu -k llmc_gemv_program_bf16); --stages-sweep times
// them and their streaming with the steps' barriers and staging (both, and
// each alone) for ring depths of 3, 5 and 12. Exits 1
// on a mismatch or a CUDA error.
//
//===----------------------------------------------------------------------===//

#include "Gemv.cu"

#include "GemvProgram.cu"

#include "Harness.cuh"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

using W = __nv_bfloat16;

int smCount = 132;
int failures = 0;
unsigned *barrier = nullptr;

/// Consumers that only wait for each chunk and release it: the streaming
/// alone; with `Barriers`, the program's grid barriers between steps, and
/// with `Staging` its activation staging (what the steps' boundaries
/// cost).
template <bool Barriers, bool Staging = Barriers>
__global__ void __launch_bounds__(kGemvProgramThreads)
    streamOnly(const __grid_constant__ GemvProgram p) {
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
    produce<W>(p, ring, full, empty);
    return;
  }
  float *xs = reinterpret_cast<float *>(
      shared + p.stages * (kGemvProgramStageBytes + 16));
  unsigned chunk = 0;
  for (int i = 0; i < p.count; ++i) {
    const GemvArgs &a = p.steps[i];
    if (Barriers && i > 0) {
      gridArrive(p.barrier);
      gridWait(p.barrier, i * gridDim.x);
    }
    if (Staging) {
      stageActivations(a, xs, reinterpret_cast<float *>(xs + p.xFloats), false);
    }
    int blocks = rowBlocks(a, gatedKind(p.kinds[i]));
    for (int g = blockIdx.x; g < blocks; g += gridDim.x)
      for (int c = 0; c < a.k; c += kGemvProgramCols, ++chunk) {
        int stage = int(chunk % unsigned(p.stages));
        mbarrierWait(full + 8 * stage, (chunk / unsigned(p.stages)) & 1);
        if ((threadIdx.x & 31) == 0)
          mbarrierArrive(empty + 8 * stage);
      }
  }
  if (Barriers) {
    consumersSync();
    if (threadIdx.x == 0 && atomicAdd(p.barrier, 1u) == p.count * gridDim.x - 1)
      atomicExch(p.barrier, 0u);
  }
}

/// At most this many buffers (--stages-sweep sets it).
int stagesCap = 16;

/// As the runtime: the largest step's activations and as many buffers as
/// the rest of the block's share holds.
int stagesFor(int perSm, int xFloats) {
  int optin = 0;
  CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin,
                               0));
  // The multiprocessor's shared memory is the opt-in limit and the 1 KiB
  // each block reserves.
  return std::min(
      stagesCap,
      gemvProgramStages(unsigned((optin + 1024) / perSm - 1024), xFloats));
}

int largestK(const GemvProgram &p) {
  int k = 0;
  for (int i = 0; i < p.count; ++i)
    k = std::max(k, p.steps[i].k);
  return k;
}

/// Launches a program on `perSm` blocks per SM.
void launchProgram(void (*kernel)(GemvProgram), GemvProgram p, int perSm,
                   cudaStream_t stream) {
  p.xFloats = largestK(p);
  p.stages = stagesFor(perSm, p.xFloats);
  p.barrier = barrier;
  unsigned smem = gemvProgramSharedBytes(p.stages, p.xFloats);
  CHECK(cudaFuncSetAttribute(
      kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)));
  int resident = 0;
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
      &resident, kernel, kGemvProgramThreads, smem));
  int grid = std::min(resident, perSm) * smCount;
  launchPdl(kernel, unsigned(grid), kGemvProgramThreads, int(smem), p, stream);
}

/// The t1 kernel a kind stands for, and its grid.
void launchKind(const GemvArgs &a, int kind, cudaStream_t stream) {
  void (*kernels[])(GemvArgs) = {
      llmc_gemv_bf16_t1,       llmc_gemv_residual_bf16_t1,
      llmc_gemv_norm_bf16_t1,  llmc_gemv_norm_residual_bf16_t1,
      llmc_gemv_gated_bf16_t1, llmc_gemv_gated_norm_bf16_t1};
  bool gated = kind >= kGemvGated;
  int rows = gated ? a.n[0] : a.n[0] + a.n[1] + a.n[2];
  launchPdl(kernels[kind], unsigned(gated ? (rows + 3) / 4 : (rows + 7) / 8),
            256, 0, a, stream);
}

/// Small activations: random 16-bit patterns as floats would overflow.
__global__ void fillSmall(float *p, size_t n, uint32_t seed) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
       i += (size_t)gridDim.x * blockDim.x)
    p[i] = float(int((i * 2654435761u + seed) % 2001) - 1000) / 1000.0f;
}

float *smallRandom(size_t n, uint32_t seed) {
  float *p = zeros(n);
  fillSmall<<<256, 256>>>(p, n, seed);
  CHECK(cudaGetLastError());
  return p;
}

/// One step of the check: its args for the program and for the reference
/// (the same weights, the reference's own outputs), and what it writes.
struct CheckStep {
  GemvArgs program, reference;
  int kind;
  /// Norm weights not folded into the matrices (Gemma's 1 + w): the
  /// reference multiplies a plain t1 kernel with x * (1 + w) / rms(x),
  /// made on the host.
  float *gamma = nullptr;
  std::vector<std::pair<float *, float *>> outs; // program, reference
  std::vector<int> sizes;
};

void check() {
  cudaStream_t stream;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  std::vector<CheckStep> steps;
  float *input = smallRandom(8192, 7);
  // Each step reads the output 0 of the step before (the first: input),
  // both in the program and in the reference.
  float *inProgram = input, *inReference = input;
  auto add = [&](int kind, std::vector<int> ns, int k, bool bias,
                 float softcap) {
    CheckStep s{};
    s.kind = kind;
    GemvArgs &a = s.program;
    a.t = 1, a.k = k, a.softcap = softcap, a.activation = 0,
    a.normEpsilon = 1e-5f;
    a.x = inProgram;
    bool gated = kind >= kGemvGated;
    for (size_t j = 0; j < ns.size(); ++j) {
      a.w[j] = deviceRandom(size_t(ns[j]) * k * 2, 100 + steps.size() * 3 + j);
      a.n[j] = gated && j > 0 ? 0 : ns[j];
      if (bias)
        a.bias[j] = smallRandom(size_t(ns[j]), 11 + j);
    }
    if (kind == kGemvResidual || kind == kGemvNormResidual)
      a.residual = smallRandom(size_t(ns[0]), 13);
    s.reference = a;
    s.reference.x = inReference;
    for (size_t j = 0; j < (gated ? 1 : ns.size()); ++j) {
      float *o = zeros(size_t(ns[j])), *r = zeros(size_t(ns[j]));
      s.program.out[j] = o;
      s.reference.out[j] = r;
      s.outs.push_back({o, r});
      s.sizes.push_back(ns[j]);
    }
    inProgram = s.program.out[0];
    inReference = s.reference.out[0];
    steps.push_back(s);
  };
  // k of the next step = n[0] of this one.
  add(kGemvPlain, {2048, 24, 520}, 1000, true, 30.0f);
  add(kGemvGatedNorm, {1000, 1000}, 2048, true, 0.0f);
  add(kGemvResidual, {8192}, 1000, false, 0.0f);
  add(kGemvNorm, {2048}, 8192, false, 0.0f);
  add(kGemvGated, {2000, 2000}, 2048, false, 0.0f);
  add(kGemvNormResidual, {8192}, 2000, true, 0.0f);
  add(kGemvPlain, {1000}, 8192, false, 0.0f);
  add(kGemvNorm, {3000}, 1000, false, 0.0f);
  steps.back().gamma = smallRandom(1000, 17);
  GemvProgram p{};
  p.count = int(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    p.steps[i] = steps[i].program;
    p.kinds[i] = steps[i].kind;
    p.normWeights[i] = steps[i].gamma;
    p.normUnitOffset[i] = steps[i].gamma ? 1 : 0;
  }
  for (CheckStep &s : steps) {
    if (!s.gamma) {
      launchKind(s.reference, s.kind, stream);
      continue;
    }
    CHECK(cudaStreamSynchronize(stream));
    size_t k = size_t(s.reference.k);
    std::vector<float> x = download(s.reference.x, k), g = download(s.gamma, k);
    double squares = 0;
    for (float v : x)
      squares += double(v) * v;
    float inv = float(1.0 / std::sqrt(squares / k + s.reference.normEpsilon));
    for (size_t e = 0; e < k; ++e)
      x[e] *= inv * (1.0f + g[e]);
    float *normalized = zeros(k);
    CHECK(cudaMemcpy(normalized, x.data(), k * 4, cudaMemcpyHostToDevice));
    s.reference.x = normalized;
    launchKind(s.reference, kGemvPlain, stream);
  }
  for (int perSm : {1, 2, 3}) {
    // Twice: the barrier must be back at zero for the second launch.
    for (int twice = 0; twice < 2; ++twice)
      launchProgram(llmc_gemv_program_bf16, p, perSm, stream);
    CHECK(cudaStreamSynchronize(stream));
    CHECK(cudaGetLastError());
    for (size_t i = 0; i < steps.size(); ++i)
      for (size_t j = 0; j < steps[i].outs.size(); ++j) {
        double scale = 0;
        double err =
            maxRelativeError(steps[i].outs[j].first, steps[i].outs[j].second,
                             size_t(steps[i].sizes[j]), scale);
        bool ok = err <= 1e-4 && scale > 0;
        failures += !ok;
        std::printf("%s program (%d/SM) step %zu (kind %d) matrix %zu: "
                    "relative error %.2e\n",
                    ok ? "ok      " : "MISMATCH", perSm, i, steps[i].kind, j,
                    err);
      }
    for (const CheckStep &s : steps)
      for (size_t j = 0; j < s.outs.size(); ++j)
        CHECK(cudaMemset(s.outs[j].first, 0, size_t(s.sizes[j]) * 4));
  }
  CHECK(cudaStreamDestroy(stream));
}

struct ModelShape {
  const char *name;
  int layers, hidden, qkv, intermediate, vocab;
};
const ModelShape kLlama1b{"llama-1b", 16, 2048, 3072, 8192, 128256};
const ModelShape kLlama8b{"llama-8b", 32, 4096, 6144, 14336, 128256};

/// What timeToken runs: the programs, or their streaming alone, without or
/// with the steps' barriers.
enum class Mode { programs, streaming, synced, barriers, staging };

/// A decode token's matrices: as t1 kernels (perSm 0) or as one program
/// per layer on perSm blocks per SM.
void timeToken(const ModelShape &m, int perSm, Mode mode, double bandwidth) {
  if (perSm > 0 && stagesFor(perSm, m.intermediate) < 2) {
    std::printf("%s: %d/SM leaves fewer than 2 buffers\n", m.name, perSm);
    return;
  }
  cudaStream_t stream;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  float *x = zeros(size_t(m.intermediate)), *out = zeros(size_t(m.vocab));
  std::vector<void *> owned;
  double bytes = 0;
  auto matrix = [&](int n, int k) {
    bytes += 2.0 * n * k;
    owned.push_back(deviceRandom(size_t(n) * k * 2, owned.size()));
    return owned.back();
  };
  std::vector<std::pair<GemvArgs, int>> steps;
  auto step = [&](std::vector<int> ns, int k, int kind) {
    GemvArgs a{};
    a.x = x, a.t = 1, a.k = k;
    for (size_t j = 0; j < ns.size(); ++j) {
      a.w[j] = matrix(ns[j], k);
      a.out[j] = out;
      a.n[j] = kind >= kGemvGated && j > 0 ? 0 : ns[j];
    }
    steps.push_back({a, kind});
  };
  int kv = (m.qkv - m.hidden) / 2;
  std::vector<std::function<void()>> launches;
  GemvProgram p{};
  auto flush = [&] {
    if (p.count == 0)
      return;
    GemvProgram q = p;
    p.count = 0;
    launches.push_back([=] {
      launchProgram(mode == Mode::streaming  ? streamOnly<false>
                    : mode == Mode::synced   ? streamOnly<true>
                    : mode == Mode::barriers ? streamOnly<true, false>
                    : mode == Mode::staging  ? streamOnly<false, true>
                                             : llmc_gemv_program_bf16,
                    q, perSm, stream);
    });
  };
  auto emit = [&] {
    for (auto &[a, kind] : steps) {
      if (perSm == 0) {
        GemvArgs c = a;
        int k = kind;
        launches.push_back([=] { launchKind(c, k, stream); });
      } else {
        p.steps[p.count] = a;
        p.kinds[p.count++] = kind;
      }
    }
    steps.clear();
  };
  for (int l = 0; l < m.layers; ++l) {
    step({m.hidden, kv, kv}, m.hidden, kGemvPlain);
    step({m.hidden}, m.hidden, kGemvPlain);
    step({m.intermediate, m.intermediate}, m.hidden, kGemvGated);
    step({m.hidden}, m.intermediate, kGemvPlain);
    if (l + 1 == m.layers)
      step({m.vocab}, m.hidden, kGemvPlain);
    emit();
    flush();
  }
  double us = timeGraph(launches, stream);
  char what[64];
  if (perSm == 0)
    std::snprintf(what, sizeof what, "t1 kernels");
  else
    std::snprintf(what, sizeof what, "%s, %d/SM, %d stages",
                  mode == Mode::streaming  ? "streaming alone"
                  : mode == Mode::synced   ? "streaming with barriers"
                  : mode == Mode::barriers ? "streaming, barriers only"
                  : mode == Mode::staging  ? "streaming, staging only"
                                           : "programs",
                  perSm, stagesFor(perSm, m.intermediate));
  std::printf("%s bf16 token matrices, %s: %zu launches, %.0f us/token "
              "(%.0f tok/s), %.1f%% of copy bandwidth\n",
              m.name, what, launches.size(), us, 1e6 / us,
              100 * bytes / (us * 1e-6) / bandwidth);
  for (void *q : owned)
    CHECK(cudaFree(q));
  CHECK(cudaFree(x));
  CHECK(cudaFree(out));
  CHECK(cudaStreamDestroy(stream));
}

} // namespace

int main(int argc, char **argv) {
  bool timed = !(argc > 1 && std::strcmp(argv[1], "--no-timing") == 0);
  // --profile PER_SM: the 1B token's programs alone, for a profiler.
  int profile = argc > 2 && std::strcmp(argv[1], "--profile") == 0
                    ? std::atoi(argv[2])
                    : 0;
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("%s, %d SMs\n", prop.name, prop.multiProcessorCount);
  smCount = prop.multiProcessorCount;
  CHECK(cudaMalloc(&barrier, 4));
  CHECK(cudaMemset(barrier, 0, 4));
  if (argc > 1 && std::strcmp(argv[1], "--stages-sweep") == 0) {
    // The 1B token's programs and their streaming with barriers, for each
    // ring depth: what buffering costs the barriers.
    double bandwidth = copyBandwidth();
    const ModelShape &m = kLlama1b;
    for (int perSm : {1, 2})
      for (int cap : {3, 5, 12}) {
        stagesCap = 16;
        if (cap > stagesFor(perSm, m.intermediate))
          continue;
        stagesCap = cap;
        timeToken(m, perSm, Mode::programs, bandwidth);
        timeToken(m, perSm, Mode::synced, bandwidth);
        timeToken(m, perSm, Mode::barriers, bandwidth);
        timeToken(m, perSm, Mode::staging, bandwidth);
      }
    return 0;
  }
  if (profile > 0) {
    timeToken(kLlama1b, profile, Mode::programs, copyBandwidth());
    return 0;
  }
  check();
  if (timed) {
    double bandwidth = copyBandwidth();
    std::printf("device-to-device copy: %.0f GB/s\n", bandwidth / 1e9);
    for (const ModelShape &m : {kLlama1b, kLlama8b}) {
      timeToken(m, 0, Mode::programs, bandwidth);
      for (int perSm : {1, 2, 3})
        timeToken(m, perSm, Mode::programs, bandwidth);
      for (int perSm : {1, 2}) {
        timeToken(m, perSm, Mode::streaming, bandwidth);
        timeToken(m, perSm, Mode::synced, bandwidth);
      }
    }
  }
  std::printf("%s\n", failures ? "FAILED" : "all programs match");
  return failures ? 1 : 0;
}
