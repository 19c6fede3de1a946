//===- gemv-quantized-program-check.cu - 4-bit GEMV programs --------------===//
//
// On a GPU machine (sm_90; check-gemv-quantized-program.sh builds and runs
// this):
//
//   bash tools/device/kernels/check-gemv-quantized-program.sh \
//       [--no-timing | --profile | --token-8b]
//
// 1. Correctness: a 4-bit GEMV program (GemvQuantizedProgram.cu) of every
//    kind of step (three matrices with biases and a soft cap, residual,
//    norm, norm and residual, gated, gated with a norm, a Gemma norm;
//    signed and unsigned values, with and without offsets, groups of 32 to
//    1024, k from 1024 to 14336), each step reading the one before's
//    output, against the same steps as GemvQuantizedToken.cu's kernels:
//    max|out - ref| / max|ref| <= 1e-4 (the same integer products, summed
//    in another order): the shipped kernel (four consumer teams) on 1
//    block per SM and on a grid of 8 blocks (every team many chunks of
//    each step, the partial sums' slots reused many times), twice each.
// 2. Speed: the Llama 1B and 8B decode token's int4 matrices (group 128,
//    symmetric: every layer's QKV with its norm, o with the residual,
//    gate/up with its norm, down with the residual) as the one-token
//    kernels in a graph with dependent launches, and as one program per
//    layer (their matrices in tiles): the shipped kernel on 1 block per
//    SM, the program of two teams on 2 (each line says how many blocks were
//    resident), and the programs' streaming alone (consumers that only
//    release the buffers), without and with the grid barriers, on 1 and
//    2. The bytes are the packed values and the scales; the
//    device-to-device copy bandwidth measured here is the 100% line.
//
// Exits 1 on a mismatch or a CUDA error.
//
//===----------------------------------------------------------------------===//

#include "GemvQuantizedProgram.cu"

#include "Harness.cuh"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

int smCount = 132;
int failures = 0;
unsigned *barrier = nullptr;

float *upload(const std::vector<float> &h) {
  float *d = zeros(h.size());
  CHECK(cudaMemcpy(d, h.data(), h.size() * 4, cudaMemcpyHostToDevice));
  return d;
}

/// n values uniform in [lo, hi), from a fixed generator.
std::vector<float> uniform(size_t n, float lo, float hi, uint32_t seed) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 1;
  for (float &x : v) {
    s = s * 1664525u + 1013904223u;
    x = lo + (hi - lo) * float(s >> 8) / float(1u << 24);
  }
  return v;
}

/// The one-token kernel of a step and its grid (a block per tile).
void launchToken(const GemvQArgs &a, bool gated, bool norm,
                 cudaStream_t stream) {
  void (*kernels[2][2])(GemvQArgs) = {
      {llmc_gemv_q4_token, llmc_gemv_norm_q4_token},
      {llmc_gemv_gated_q4_token, llmc_gemv_gated_norm_q4_token}};
  auto kernel = kernels[gated][norm];
  int smem = gemvQTokenSharedBytes(a.k);
  CHECK(cudaFuncSetAttribute(
      kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  int perTile = gemvQTokenRowsPerTile(4, gated, a.k), tiles = 0;
  for (int j = 0; j < (gated ? 1 : 3); ++j)
    tiles += (a.n[j] + perTile - 1) / perTile;
  int resident = 0;
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&resident, kernel, 256,
                                                      smem));
  launchPdl(kernel, unsigned(std::min(tiles, resident * smCount)), 256, smem, a,
            stream);
}

/// Consumers that only wait for each chunk and release it: the streaming
/// alone; with `Synced`, with the program's grid barriers between steps.
template <bool Synced>
__global__ void __launch_bounds__(kGemvProgramThreads)
    streamOnly(const __grid_constant__ GemvQProgram p) {
  extern __shared__ __align__(128) unsigned char shared[];
  unsigned ring = sharedAddress(shared);
  unsigned scaleRing = ring + p.stages * kGemvProgramStageBytes;
  unsigned full = scaleRing + p.stages * p.scaleBytes;
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
    produceQuantized(p, ring, scaleRing, full, empty);
    return;
  }
  unsigned chunk = 0;
  for (int i = 0; i < p.count; ++i) {
    const GemvQArgs &a = p.steps[i];
    if (Synced && i > 0) {
      gridArrive(p.barrier);
      gridWait(p.barrier, i * gridDim.x);
    }
    int blocks = rowBlocks(a, bool(p.gated[i]));
    for (int g = blockIdx.x; g < blocks; g += gridDim.x)
      for (int c = 0; c < a.k; c += kGemvQProgramCols, ++chunk) {
        int stage = int(chunk % unsigned(p.stages));
        mbarrierWait(full + 8 * stage, (chunk / unsigned(p.stages)) & 1);
        if ((threadIdx.x & 31) == 0)
          mbarrierArrive(empty + 8 * stage);
      }
  }
  if (Synced) {
    consumersSync();
    if (threadIdx.x == 0 && atomicAdd(p.barrier, 1u) == p.count * gridDim.x - 1)
      atomicExch(p.barrier, 0u);
  }
}

/// The program with two consumer teams, two blocks per SM: the shipped
/// kernel's alternative (as many consumer warps per SM, but each block
/// stages the activations and meets the grid barriers).
static_assert(2 * kGemvQTeamWarps * 32 + 32 == kGemvProgramThreads,
              "two teams fill a 16-bit program's block");
__global__ void __launch_bounds__(kGemvProgramThreads, 2)
    programTwoTeams(const __grid_constant__ GemvQProgram p) {
  gemvQuantizedProgram<2>(p);
}

/// As the runtime: the largest step's activations and scale area, and as
/// many buffers as the rest of the block's share holds. False when fewer
/// than two fit. `teams`: the kernel's consumer teams (the streaming
/// kernels' eight consumer warps are two teams'); `got`: the blocks per SM
/// it got.
bool launchProgram(GemvQProgram p, int perSm, cudaStream_t stream,
                   void (*kernel)(GemvQProgram) = llmc_gemv_program_q4,
                   int teams = kGemvQProgramTeams, int *got = nullptr,
                   int gridCap = 0) {
  p.xValues = 0;
  p.scaleBytes = 0;
  for (int i = 0; i < p.count; ++i) {
    p.xValues = std::max(p.xValues, p.steps[i].k);
    p.scaleBytes =
        std::max(p.scaleBytes, gemvQProgramScaleBytes(p.steps[i].group,
                                                      p.steps[i].offsets[0]));
  }
  int optin = 0;
  CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin,
                               0));
  p.stages = gemvQProgramStages(unsigned((optin + 1024) / perSm - 1024),
                                p.xValues, p.scaleBytes, teams);
  if (p.stages < 2)
    return false;
  p.barrier = barrier;
  unsigned smem =
      gemvQProgramSharedBytes(p.stages, p.xValues, p.scaleBytes, teams);
  unsigned threads = unsigned(teams) * kGemvQTeamWarps * 32 + 32;
  CHECK(cudaFuncSetAttribute(
      kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)));
  int resident = 0;
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&resident, kernel,
                                                      int(threads), smem));
  int grid = std::min(resident, perSm) * smCount;
  if (gridCap > 0)
    grid = std::min(grid, gridCap);
  if (got)
    *got = std::min(resident, perSm);
  launchPdl(kernel, unsigned(grid), threads, int(smem), p, stream);
  return true;
}

/// A 4-bit matrix: n rows of k values, its scales and (asymmetric) offsets.
struct Matrix {
  void *q;
  float *scales, *offsets;
};

Matrix matrix(int n, int k, int group, bool offsets, uint32_t seed) {
  Matrix m{};
  m.q = deviceRandom(size_t(n) * k / 2, seed);
  size_t groups = size_t(n) * (k / group);
  // Outputs of about unit size from activations of about unit size.
  float s = 1.0f / (3.0f * std::sqrt(float(k)));
  m.scales = upload(uniform(groups, 0.5f * s, 1.5f * s, seed + 1));
  if (offsets)
    m.offsets = upload(uniform(groups, -4 * s, 4 * s, seed + 2));
  return m;
}

/// Matrix j of a step in the programs' tiles (llmc_tile_q4_unsigned), as the
/// runtime makes them.
void *tiles(const GemvQArgs &a, int j, bool gated) {
  int rows = gated ? 4 : 8, n = a.n[j];
  int count = (n + rows - 1) / rows;
  void *out;
  CHECK(cudaMalloc(&out, size_t(count) * rows *
                             gemvQTileRowBytes(a.k, a.group, a.offsets[j])));
  llmc_tile_q4_unsigned<<<dim3(unsigned(count),
                               unsigned((a.k + kGemvQProgramCols - 1) /
                                        kGemvQProgramCols)),
                          256>>>(
      static_cast<const unsigned char *>(a.q[j]), a.scales[j], a.offsets[j], n,
      a.k, a.group, rows, a.isSigned, static_cast<unsigned char *>(out));
  CHECK(cudaGetLastError());
  return out;
}

/// The step with its matrices in tiles, for a program.
GemvQArgs tiled(GemvQArgs a, bool gated) {
  for (int j = 0; j < 3; ++j)
    if (a.n[j] > 0)
      a.q[j] = tiles(a, j, gated);
  return a;
}

struct CheckStep {
  GemvQArgs program, reference;
  bool gated, norm;
  std::vector<std::pair<float *, float *>> outs; // program, reference
  std::vector<int> sizes;
};

void check() {
  cudaStream_t stream;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  std::vector<CheckStep> steps;
  float *input = upload(uniform(4096, -1, 1, 5));
  float *inProgram = input, *inReference = input;
  // Each step reads output 0 of the step before (the first: input).
  auto add = [&](std::vector<int> ns, int k, int group, bool isSigned,
                 bool offsets, bool gated, bool norm, bool residual, bool bias,
                 float softcap, int unitOffset = 0) {
    CheckStep s{};
    s.gated = gated, s.norm = norm;
    GemvQArgs &a = s.program;
    a.t = 1, a.k = k, a.group = group, a.isSigned = isSigned;
    a.softcap = softcap, a.normEpsilon = 1e-5f, a.normUnitOffset = unitOffset;
    a.x = inProgram;
    for (size_t j = 0; j < ns.size(); ++j) {
      Matrix m = matrix(ns[j], k, group, offsets, 100 + 7 * steps.size() + j);
      a.q[j] = m.q, a.scales[j] = m.scales, a.offsets[j] = m.offsets;
      a.n[j] = ns[j];
      if (bias)
        a.bias[j] = upload(uniform(size_t(ns[j]), -1, 1, 11 + j));
    }
    if (norm)
      a.norm = upload(uniform(size_t(k), 0.5f, 1.5f, 17));
    if (residual)
      a.residual = upload(uniform(size_t(ns[0]), -1, 1, 13));
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
  // ns, k, group, signed, offsets, gated, norm, residual, bias, softcap
  // Row blocks of 1 to 4 chunks (k up to 16384, the one-token kernels'
  // limit), those of 2 to 4 summing their teams' partials.
  add({2048, 256, 512}, 4096, 1024, true, false, false, false, false, true,
      30.0f);
  add({1024, 1024}, 2048, 32, true, false, true, true, false, false, 0);
  add({1024}, 1024, 64, true, true, false, false, true, false, 0);
  add({6144}, 1024, 256, false, true, false, true, false, false, 0);
  add({12288, 12288}, 6144, 128, true, true, true, false, false, true, 0);
  add({2048}, 12288, 128, true, false, false, true, true, true, 0);
  add({14336}, 2048, 512, false, false, false, false, false, false, 0);
  add({3000}, 14336, 512, true, false, false, true, false, false, 0, 1);
  GemvQProgram p{};
  p.count = int(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    p.steps[i] = tiled(steps[i].program, steps[i].gated);
    p.gated[i] = steps[i].gated;
    p.norm[i] = steps[i].norm;
  }
  for (const CheckStep &s : steps)
    launchToken(s.reference, s.gated, s.norm, stream);
  // The shipped kernel on 1 block per SM, then on a grid of 8 blocks, where
  // each team takes many chunks of every step and the partial sums' slots
  // come round many times. (Two teams on 2 blocks per SM, timed below, do not
  // fit the checks' steps: k 14336 and a 4 KiB scale area leave 3 buffers.)
  // The tiles and the cleared outputs (the default stream) before the
  // programs (a non-blocking stream).
  for (int gridCap : {0, 8}) {
    CHECK(cudaDeviceSynchronize());
    // Twice: the barrier must be back at zero for the second launch.
    for (int twice = 0; twice < 2; ++twice)
      if (!launchProgram(p, 1, stream, llmc_gemv_program_q4, kGemvQProgramTeams,
                         nullptr, gridCap)) {
        std::printf("MISMATCH: 1/SM leaves fewer than 2 buffers per team\n");
        ++failures;
      }
    CHECK(cudaStreamSynchronize(stream));
    CHECK(cudaGetLastError());
    // Every counter back at zero for the next launch.
    std::vector<unsigned> words(8192);
    CHECK(cudaMemcpy(words.data(), barrier, words.size() * 4,
                     cudaMemcpyDeviceToHost));
    size_t nonzero = size_t(std::count_if(words.begin(), words.end(),
                                          [](unsigned w) { return w != 0; }));
    failures += nonzero != 0;
    std::printf("%s q4 program (%s): %zu barrier words left non-zero\n",
                nonzero ? "MISMATCH" : "ok      ",
                gridCap ? "8 blocks" : "1/SM", nonzero);
    for (size_t i = 0; i < steps.size(); ++i)
      for (size_t j = 0; j < steps[i].outs.size(); ++j) {
        double scale = 0;
        double err =
            maxRelativeError(steps[i].outs[j].first, steps[i].outs[j].second,
                             size_t(steps[i].sizes[j]), scale);
        bool ok = err <= 1e-4 && scale > 0;
        failures += !ok;
        std::printf("%s q4 program (%s) step %zu (k %d, group %d%s%s) "
                    "matrix %zu: relative error %.2e (max |ref| %.3g)\n",
                    ok ? "ok      " : "MISMATCH", gridCap ? "8 blocks" : "1/SM",
                    i, steps[i].program.k, steps[i].program.group,
                    steps[i].gated ? ", gated" : "",
                    steps[i].norm ? ", norm" : "", j, err, scale);
      }
    for (const CheckStep &s : steps)
      for (size_t j = 0; j < s.outs.size(); ++j)
        CHECK(cudaMemset(s.outs[j].first, 0, size_t(s.sizes[j]) * 4));
  }
  CHECK(cudaStreamDestroy(stream));
}

struct ModelShape {
  const char *name;
  int layers, hidden, qkv, intermediate;
};
const ModelShape kLlama1b{"llama-1b", 16, 2048, 3072, 8192};
const ModelShape kLlama8b{"llama-8b", 32, 4096, 6144, 14336};

/// What timeToken runs: the programs, or their streaming alone, without or
/// with the steps' barriers.
enum class Mode { programs, twoTeams, streaming, synced };

/// A decode token's int4 matrices: as the one-token kernels (perSm 0) or
/// as one program per layer on perSm blocks per SM.
void timeToken(const ModelShape &m, int perSm, Mode mode, double bandwidth) {
  cudaStream_t stream;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  const int group = 128;
  // Each step reads the one before's output 0 (ping-pong buffers), as a
  // decoder layer's steps do; the other outputs go to `other`.
  float *buffers[2] = {upload(uniform(size_t(m.intermediate), -1, 1, 3)),
                       zeros(size_t(m.intermediate))};
  float *other = zeros(size_t(m.intermediate));
  int current = 0;
  float *norm = upload(uniform(size_t(m.intermediate), 0.5f, 1.5f, 4));
  std::vector<void *> owned;
  double bytes = 0;
  struct Step {
    GemvQArgs a;
    bool gated, norm;
  };
  std::vector<Step> steps;
  auto step = [&](std::vector<int> ns, int k, bool gated, bool normed,
                  bool residual) {
    GemvQArgs a{};
    float *x = buffers[current], *out = buffers[current ^ 1];
    current ^= 1;
    a.x = x, a.t = 1, a.k = k, a.group = group, a.isSigned = 1;
    a.normEpsilon = 1e-5f;
    if (normed)
      a.norm = norm;
    if (residual)
      a.residual = x;
    for (size_t j = 0; j < ns.size(); ++j) {
      Matrix q = matrix(ns[j], k, group, false, owned.size());
      owned.push_back(q.q);
      owned.push_back(q.scales);
      bytes += double(ns[j]) * (k / 2.0 + k / group * 4.0);
      a.q[j] = q.q, a.scales[j] = q.scales;
      a.out[j] = j == 0 ? out : other;
      a.n[j] = ns[j];
    }
    steps.push_back({a, gated, normed});
  };
  int kv = (m.qkv - m.hidden) / 2;
  for (int l = 0; l < m.layers; ++l) {
    step({m.hidden, kv, kv}, m.hidden, false, true, false);
    step({m.hidden}, m.hidden, false, false, true);
    step({m.intermediate, m.intermediate}, m.hidden, true, true, false);
    step({m.hidden}, m.intermediate, false, false, true);
  }
  std::vector<std::function<void()>> launches;
  int resident = 0; // blocks per SM that the programs got
  if (perSm == 0) {
    for (const Step &s : steps)
      launches.push_back([=] { launchToken(s.a, s.gated, s.norm, stream); });
  } else {
    for (size_t first = 0; first < steps.size(); first += 4) {
      GemvQProgram p{};
      for (size_t i = first; i < first + 4; ++i) {
        p.steps[p.count] = tiled(steps[i].a, steps[i].gated);
        for (int j = 0; j < 3; ++j)
          if (p.steps[p.count].n[j] > 0)
            owned.push_back(const_cast<void *>(p.steps[p.count].q[j]));
        p.gated[p.count] = steps[i].gated;
        p.norm[p.count++] = steps[i].norm;
      }
      launches.push_back([=, &resident] {
        launchProgram(p, perSm, stream,
                      mode == Mode::streaming  ? streamOnly<false>
                      : mode == Mode::synced   ? streamOnly<true>
                      : mode == Mode::twoTeams ? programTwoTeams
                                               : llmc_gemv_program_q4,
                      mode == Mode::programs ? kGemvQProgramTeams : 2,
                      &resident);
      });
    }
  }
  double us = timeGraph(launches, stream);
  char what[64];
  if (perSm == 0)
    std::snprintf(what, sizeof what, "one-token kernels");
  else
    std::snprintf(what, sizeof what, "%s, %d/SM (%d resident)",
                  mode == Mode::streaming  ? "streaming alone"
                  : mode == Mode::synced   ? "streaming with barriers"
                  : mode == Mode::twoTeams ? "programs of two teams"
                                           : "programs",
                  perSm, resident);
  std::printf("%s int4 token matrices, %s: %zu launches, %.0f us/token, "
              "%.1f%% of copy bandwidth\n",
              m.name, what, launches.size(), us,
              100 * bytes / (us * 1e-6) / bandwidth);
  for (void *q : owned)
    CHECK(cudaFree(q));
  for (float *b : buffers)
    CHECK(cudaFree(b));
  CHECK(cudaFree(other));
  CHECK(cudaFree(norm));
  CHECK(cudaStreamDestroy(stream));
}

} // namespace

int main(int argc, char **argv) {
  bool timed = !(argc > 1 && std::strcmp(argv[1], "--no-timing") == 0);
  // --profile: the 8B token's programs (1 block per SM) alone, for a
  // profiler (ncu -k llmc_gemv_program_q4 --launch-skip ...).
  bool profile = argc > 1 && std::strcmp(argv[1], "--profile") == 0;
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("%s, %d SMs\n", prop.name, prop.multiProcessorCount);
  smCount = prop.multiProcessorCount;
  // The grid barrier's counter and the rows' counters (GemvQProgram::
  // barrier; more than any build of the kernel uses).
  CHECK(cudaMalloc(&barrier, 8192 * 4));
  CHECK(cudaMemset(barrier, 0, 8192 * 4));
  if (profile) {
    timeToken(kLlama8b, 1, Mode::programs, copyBandwidth());
    return 0;
  }
  // --token-8b: the 8B token only, as the one-token kernels, the programs
  // and their streaming alone (1 block per SM), checking nothing: for
  // comparing builds (KERNELS_DIR, NVCC_FLAGS) in one call.
  if (argc > 1 && std::strcmp(argv[1], "--token-8b") == 0) {
    double bandwidth = copyBandwidth();
    std::printf("device-to-device copy: %.0f GB/s\n", bandwidth / 1e9);
    for (int perSm : {0, 1})
      timeToken(kLlama8b, perSm, Mode::programs, bandwidth);
    timeToken(kLlama8b, 1, Mode::streaming, bandwidth);
    timeToken(kLlama8b, 1, Mode::synced, bandwidth);
    return 0;
  }
  check();
  if (timed) {
    double bandwidth = copyBandwidth();
    std::printf("device-to-device copy: %.0f GB/s\n", bandwidth / 1e9);
    for (const ModelShape &m : {kLlama1b, kLlama8b}) {
      for (int perSm : {0, 1})
        timeToken(m, perSm, Mode::programs, bandwidth);
      timeToken(m, 2, Mode::twoTeams, bandwidth);
      for (int perSm : {1, 2}) {
        timeToken(m, perSm, Mode::streaming, bandwidth);
        timeToken(m, perSm, Mode::synced, bandwidth);
      }
    }
  }
  std::printf("%s\n", failures ? "FAILED" : "all programs match");
  return failures ? 1 : 0;
}
