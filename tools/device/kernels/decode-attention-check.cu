//===- decode-attention-check.cu - llmc_attention_decode_step, checked ----===//
//
// On a GPU machine (see check-decode-attention.sh, which builds and runs
// this, also against an older copy of the kernels):
//
//   nvcc -O3 -arch=sm_90a -std=c++17 -I compiler/targets/cuda/kernels \
//     tools/device/kernels/decode-attention-check.cu -o /tmp/dac
//   /tmp/dac [--no-timing | --bench]
//
// 1. Correctness (fixed seed): every exported instance of the one-token
//    attention (DecodeAttention.cu; _d64 and _d128 when the file has them)
//    against llmc_attention (Kernels.cu) over a cache whose row `last` the
//    reference gets from the host (the query and new key rotated on the
//    host): head dims 64, 128, 256; heads 32/8, 8/8, 12/4; lengths
//    (positions[0]) 0 .. 3000; no window and one shorter than the length;
//    soft cap 0 and 50; rope 0, 1 (rotate_half) and 2 (interleaved); 16 and
//    32 splits and one of 1, 7 and 40. The kernel's cache row `last` is
//    checked against the rotated key and the value (the kernel finds NaN
//    there, so reading it instead of the inputs shows), the other rows
//    against what they held, and each launch runs twice (the second finds
//    the counters the first left, which must be zeros again). Per case: max
//    |out - ref| / max |ref|; above 1e-3 or non-finite is a MISMATCH.
// 2. Speed, the Llama-8B decode shape (heads 32/8, headDim 128, rope 1) at
//    lengths 128, 384 and 2048, 16 and 32 splits: 32 layers, each the QKV
//    projection (llmc_gemv_norm_bf16_t1, three segments, 50 MB of weights
//    from memory) then the attention, captured as one graph with
//    programmatic dependent launches as the runtime makes them; printed:
//    microseconds per attention launch = (that graph - the graph of the
//    projections alone) / 32, and the attention launches alone.
//
// Exit status: 0 all cases match, 1 a mismatch or a CUDA error.
//
//===----------------------------------------------------------------------===//

#include "Kernels.cu"

#include "Gemv.cu"

#include "DecodeAttention.cu"

#include "Harness.cuh"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using DecodeKernel = void (*)(const float *, const float *, const float *, int,
                              int, int, const int32_t *, float *, float *,
                              float, int, float, int, const float *,
                              const float *, int, float *, int *, float *);

struct Instance {
  const char *name;
  DecodeKernel kernel;
  int headDim; ///< the one it takes, or 0: any multiple of 32 up to 256
};

std::vector<Instance> instances() {
  std::vector<Instance> all = {
      {"llmc_attention_decode_step", llmc_attention_decode_step, 0}};
#ifdef LLMC_DECODE_ATTENTION_SIZED
  all.push_back(
      {"llmc_attention_decode_step_d64", llmc_attention_decode_step_d64, 64});
  all.push_back({"llmc_attention_decode_step_d128",
                 llmc_attention_decode_step_d128, 128});
#endif
  return all;
}

/// The instance the runtime launches for this head dim.
Instance instanceFor(int headDim) {
  Instance pick = instances()[0];
  for (const Instance &i : instances())
    if (i.headDim == headDim)
      pick = i;
  return pick;
}

/// The kernel's arguments (device pointers).
struct DecodeArgs {
  const float *q, *kNew, *vNew;
  int heads, kvHeads, headDim;
  const int32_t *positions;
  float *keys, *values;
  float scale;
  int window;
  float softcap;
  int splits;
  const float *cos, *sin;
  int rope;
  float *scratch;
  int *counters;
  float *out;
};

/// Grid (heads, splits), block 128, as the runtime launches it; with
/// programmatic stream serialization when `pdl`.
void launchDecode(DecodeKernel kernel, const DecodeArgs &a, cudaStream_t stream,
                  bool pdl) {
  cudaLaunchConfig_t config{};
  config.gridDim = dim3(a.heads, a.splits);
  config.blockDim = dim3(128);
  config.stream = stream;
  cudaLaunchAttribute attribute{};
  attribute.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attribute.val.programmaticStreamSerializationAllowed = 1;
  config.attrs = &attribute;
  config.numAttrs = pdl ? 1 : 0;
  CHECK(cudaLaunchKernelEx(&config, kernel, a.q, a.kNew, a.vNew, a.heads,
                           a.kvHeads, a.headDim, a.positions, a.keys, a.values,
                           a.scale, a.window, a.softcap, a.splits, a.cos, a.sin,
                           a.rope, a.scratch, a.counters, a.out));
}

/// Uniform in [lo, hi) from a hash of (seed, i): cheap enough for caches of
/// millions of values.
float hashUniform(uint64_t seed, uint64_t i, float lo, float hi) {
  uint64_t z = (seed * 0x100000001B3ull + i) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return lo + (hi - lo) * float(z >> 40) * (1.0f / 16777216.0f);
}

template <typename T> T *upload(const std::vector<T> &host) {
  T *p;
  CHECK(cudaMalloc(&p, std::max<size_t>(1, host.size()) * sizeof(T)));
  CHECK(cudaMemcpy(p, host.data(), host.size() * sizeof(T),
                   cudaMemcpyHostToDevice));
  return p;
}

/// cos and sin tables, rows 0 .. rows - 1 of half columns (theta 10000).
void ropeTables(int rows, int headDim, std::vector<float> &cosT,
                std::vector<float> &sinT) {
  int half = headDim / 2;
  cosT.resize((size_t)rows * half);
  sinT.resize((size_t)rows * half);
  for (int p = 0; p < rows; ++p)
    for (int j = 0; j < half; ++j) {
      double angle = p * std::pow(10000.0, -2.0 * j / headDim);
      cosT[(size_t)p * half + j] = (float)std::cos(angle);
      sinT[(size_t)p * half + j] = (float)std::sin(angle);
    }
}

/// x ([n heads of headDim]) rotated in place by row `pos` of the tables,
/// as the kernels do (1 rotate_half, 2 interleaved).
void rotate(std::vector<float> &x, int n, int headDim, int rope, int pos,
            const std::vector<float> &cosT, const std::vector<float> &sinT) {
  if (!rope)
    return;
  int half = headDim / 2;
  for (int h = 0; h < n; ++h) {
    float *xh = x.data() + (size_t)h * headDim;
    for (int j = 0; j < half; ++j) {
      int a = rope == 2 ? 2 * j : j, b = rope == 2 ? 2 * j + 1 : j + half;
      float c = cosT[(size_t)pos * half + j], s = sinT[(size_t)pos * half + j];
      float xa = xh[a], xb = xh[b];
      xh[a] = xa * c - xb * s;
      xh[b] = xb * c + xa * s;
    }
  }
}

struct Case {
  int headDim, heads, kvHeads, last, window;
  float softcap;
  int rope;
};

/// With a soft cap, scores large enough (up to about 40) that the cap of
/// 50 bends them.
float scaleFor(const Case &c) {
  return (c.softcap > 0.0f ? 8.0f : 1.0f) / std::sqrt((float)c.headDim);
}

double relError(const std::vector<float> &got, const std::vector<float> &want,
                bool &finite) {
  double maxDiff = 0.0, maxRef = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (!std::isfinite(got[i]) || !std::isfinite(want[i]))
      finite = false;
    maxDiff = std::max(maxDiff, (double)std::fabs(got[i] - want[i]));
    maxRef = std::max(maxRef, (double)std::fabs(want[i]));
  }
  return maxRef > 0.0 ? maxDiff / maxRef : maxDiff;
}

/// The largest output error of any launch so far.
double worstError = 0.0;

/// Runs one case for every instance that takes its head dim and the given
/// split counts; true when all match.
bool check(const Case &c, const std::vector<int> &splitsList, uint64_t seed,
           cudaStream_t stream) {
  int rows = c.last + 1, row = c.kvHeads * c.headDim;
  size_t qSize = (size_t)c.heads * c.headDim, kvSize = (size_t)rows * row;
  std::vector<float> q(qSize), kNew(row), vNew(row), keys(kvSize),
      values(kvSize);
  for (size_t i = 0; i < qSize; ++i)
    q[i] = hashUniform(seed, i, -2.0f, 2.0f);
  for (int i = 0; i < row; ++i) {
    kNew[i] = hashUniform(seed + 1, i, -2.0f, 2.0f);
    vNew[i] = hashUniform(seed + 2, i, -1.0f, 1.0f);
  }
  for (size_t i = 0; i < kvSize - row; ++i) {
    keys[i] = hashUniform(seed + 3, i, -2.0f, 2.0f);
    values[i] = hashUniform(seed + 4, i, -1.0f, 1.0f);
  }
  // Row `last` is the kernel's to write: NaN until then.
  for (size_t i = kvSize - row; i < kvSize; ++i)
    keys[i] = values[i] = NAN;
  std::vector<float> cosT, sinT;
  ropeTables(rows, c.headDim, cosT, sinT);

  // The reference: the query and key rotated here, the new row in place.
  std::vector<float> qRef = q, kRef = kNew;
  rotate(qRef, c.heads, c.headDim, c.rope, c.last, cosT, sinT);
  rotate(kRef, c.kvHeads, c.headDim, c.rope, c.last, cosT, sinT);
  std::vector<float> keysRef = keys, valuesRef = values;
  std::copy(kRef.begin(), kRef.end(), keysRef.begin() + (kvSize - row));
  std::copy(vNew.begin(), vNew.end(), valuesRef.begin() + (kvSize - row));
  int32_t *positions = upload(std::vector<int32_t>{c.last});
  float *dQRef = upload(qRef), *dKeysRef = upload(keysRef),
        *dValuesRef = upload(valuesRef), *ref;
  CHECK(cudaMalloc(&ref, qSize * 4));
  llmc_attention<<<c.heads, 128, rows * 4>>>(
      dQRef, c.heads, c.kvHeads, c.headDim, positions, dKeysRef, dValuesRef,
      scaleFor(c), c.window, c.softcap, ref);
  CHECK(cudaGetLastError());
  std::vector<float> want = download(ref, qSize);

  float *dq = upload(q), *dk = upload(kNew), *dv = upload(vNew),
        *dCos = c.rope ? upload(cosT) : nullptr,
        *dSin = c.rope ? upload(sinT) : nullptr, *out, *out2;
  CHECK(cudaMalloc(&out, qSize * 4));
  CHECK(cudaMalloc(&out2, qSize * 4));
  int maxSplits = *std::max_element(splitsList.begin(), splitsList.end());
  float *scratch;
  int *counters;
  CHECK(
      cudaMalloc(&scratch, (size_t)c.heads * maxSplits * (c.headDim + 2) * 4));
  CHECK(cudaMalloc(&counters, c.heads * 4));
  CHECK(cudaMemset(counters, 0, c.heads * 4));
  bool ok = true;
  for (const Instance &instance : instances()) {
    if (instance.headDim && instance.headDim != c.headDim)
      continue;
    for (int splits : splitsList) {
      float *dKeys = upload(keys), *dValues = upload(values);
      DecodeArgs a{dq,        dk,        dv,       c.heads, c.kvHeads,
                   c.headDim, positions, dKeys,    dValues, scaleFor(c),
                   c.window,  c.softcap, splits,   dCos,    dSin,
                   c.rope,    scratch,   counters, out};
      // Twice, the second a dependent launch of the first (its cached rows
      // loaded while the first may still run), into its own output: it
      // finds the counters the first left. NaN bytes first, so that an
      // output the kernel does not write shows.
      CHECK(cudaMemset(out, 0xff, qSize * 4));
      CHECK(cudaMemset(out2, 0xff, qSize * 4));
      CHECK(cudaDeviceSynchronize());
      launchDecode(instance.kernel, a, stream, false);
      DecodeArgs again = a;
      again.out = out2;
      launchDecode(instance.kernel, again, stream, true);
      CHECK(cudaGetLastError());
      CHECK(cudaStreamSynchronize(stream));
      bool finite = true;
      double worst = std::max(relError(download(out, qSize), want, finite),
                              relError(download(out2, qSize), want, finite));
      std::vector<int> zeros = download(counters, c.heads);
      bool reset =
          std::all_of(zeros.begin(), zeros.end(), [](int v) { return v == 0; });
      bool cacheFinite = true;
      double keyError = relError(download(dKeys, kvSize), keysRef, cacheFinite);
      double valueError =
          relError(download(dValues, kvSize), valuesRef, cacheFinite);
      bool match = finite && worst <= 1e-3 && reset && cacheFinite &&
                   keyError <= 1e-5 && valueError == 0.0;
      std::printf("%-32s headDim %3d heads %2d/%d last %4d window %4d "
                  "softcap %2.0f rope %d splits %2d: rel %.2e cache %.1e/%.1e"
                  "%s%s %s\n",
                  instance.name, c.headDim, c.heads, c.kvHeads, c.last,
                  c.window, c.softcap, c.rope, splits, worst, keyError,
                  valueError, finite && cacheFinite ? "" : " (non-finite)",
                  reset ? "" : " (counters not reset)",
                  match ? "ok" : "MISMATCH");
      ok = ok && match;
      worstError = std::max(worstError, worst);
      CHECK(cudaFree(dKeys));
      CHECK(cudaFree(dValues));
    }
  }
  for (void *p : {(void *)positions, (void *)dQRef, (void *)dKeysRef,
                  (void *)dValuesRef, (void *)ref, (void *)dq, (void *)dk,
                  (void *)dv, (void *)dCos, (void *)dSin, (void *)out,
                  (void *)out2, (void *)scratch, (void *)counters})
    CHECK(cudaFree(p));
  return ok;
}

/// The Llama-8B decode shape: microseconds per attention launch among 32
/// layers' QKV projections, for this length and split count.
void timeLlama(const Instance &instance, int length, int splits) {
  const int layers = 32, heads = 32, kvHeads = 8, headDim = 128, hidden = 4096,
            capacity = 2049, copies = 4;
  const int row = kvHeads * headDim;
  cudaStream_t stream;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  std::vector<void *> owned;
  auto alloc = [&](size_t bytes) {
    void *p;
    CHECK(cudaMalloc(&p, bytes));
    CHECK(cudaMemset(p, 0, bytes));
    owned.push_back(p);
    return p;
  };
  // The projection's input is zeros (its norm then scales by
  // rsqrt(epsilon)), so q, k and v are zeros: the timing does not depend
  // on the values.
  float *x = (float *)alloc(hidden * 4);
  float *qkv = (float *)alloc((hidden + 2 * row) * 4);
  float *q = qkv, *kNew = qkv + hidden, *vNew = kNew + row;
  std::vector<void *> weights;
  for (int i = 0; i < copies; ++i) {
    weights.push_back(deviceRandom(size_t(hidden + 2 * row) * hidden * 2, i));
    owned.push_back(weights.back());
  }
  std::vector<float *> keys, values;
  for (int l = 0; l < layers; ++l) {
    keys.push_back((float *)alloc((size_t)capacity * row * 4));
    values.push_back((float *)alloc((size_t)capacity * row * 4));
  }
  std::vector<float> cosT, sinT;
  ropeTables(capacity, headDim, cosT, sinT);
  float *dCos = upload(cosT), *dSin = upload(sinT);
  owned.push_back(dCos);
  owned.push_back(dSin);
  int32_t *positions = upload(std::vector<int32_t>{length});
  owned.push_back(positions);
  float *scratch = (float *)alloc((size_t)heads * splits * (headDim + 2) * 4);
  int *counters = (int *)alloc(heads * 4);
  float *out = (float *)alloc(heads * headDim * 4);
  CHECK(cudaDeviceSynchronize());

  std::vector<std::function<void()>> producers, both, alone;
  for (int l = 0; l < layers; ++l) {
    GemvArgs g{};
    g.x = x, g.t = 1, g.k = hidden, g.normEpsilon = 1e-5f;
    const char *w = (const char *)weights[l % copies];
    int n[3] = {hidden, row, row};
    float *outs[3] = {q, kNew, vNew};
    size_t offset = 0;
    for (int s = 0; s < 3; ++s) {
      g.w[s] = w + offset, g.out[s] = outs[s], g.n[s] = n[s];
      offset += (size_t)n[s] * hidden * 2;
    }
    int blocks = (hidden + 2 * row + 7) / 8;
    auto producer = [=] {
      launchPdl(llmc_gemv_norm_bf16_t1, blocks, 256, 0, g, stream);
    };
    DecodeArgs a{q,       kNew,      vNew,     heads,     kvHeads,
                 headDim, positions, keys[l],  values[l], 0.0884f,
                 0,       0.0f,      splits,   dCos,      dSin,
                 1,       scratch,   counters, out};
    auto attention = [=] { launchDecode(instance.kernel, a, stream, true); };
    producers.push_back(producer);
    both.push_back(producer);
    both.push_back(attention);
    alone.push_back(attention);
  }
  double withBoth = timeGraph(both, stream);
  double onlyProducers = timeGraph(producers, stream);
  double onlyAttention = timeGraph(alone, stream);
  CHECK(cudaGetLastError());
  std::printf("%-32s length %4d splits %2d: %6.2f us per launch after the "
              "QKV GEMV (graph %7.1f us, GEMVs alone %7.1f us); alone %6.2f "
              "us\n",
              instance.name, length, splits,
              (withBoth - onlyProducers) / layers, withBoth, onlyProducers,
              onlyAttention / layers);
  for (void *p : owned)
    CHECK(cudaFree(p));
  CHECK(cudaStreamDestroy(stream));
}

} // namespace

int main(int argc, char **argv) {
  bool timing = !(argc > 1 && std::strcmp(argv[1], "--no-timing") == 0);
  bool checks = !(argc > 1 && std::strcmp(argv[1], "--bench") == 0);
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("%s (sm_%d%d), %d SMs\n", prop.name, prop.major, prop.minor,
              prop.multiProcessorCount);
  int cases = 0, failed = 0;
  if (checks) {
    const int headsList[][2] = {{32, 8}, {8, 8}, {12, 4}};
    const int extraSplits[] = {1, 7, 40};
    uint64_t seed = 1;
    cudaStream_t stream;
    CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    for (int d : {64, 128, 256})
      for (auto &hk : headsList)
        for (int last : {0, 1, 5, 17, 130, 383, 1000, 3000})
          for (int window : {0, std::max(1, (last + 1) / 3)})
            for (float softcap : {0.0f, 50.0f})
              for (int rope : {0, 1, 2}) {
                ++cases;
                std::vector<int> splits = {16, 32, extraSplits[cases % 3]};
                if (!check({d, hk[0], hk[1], last, window, softcap, rope},
                           splits, seed++, stream))
                  ++failed;
              }
    std::printf("%d of %d cases match (max rel error %.2e)\n", cases - failed,
                cases, worstError);
  }
  if (timing) {
    Instance instance = instanceFor(128);
    for (int length : {128, 384, 2048})
      for (int splits : {16, 32})
        timeLlama(instance, length, splits);
  }
  return failed ? 1 : 0;
}
