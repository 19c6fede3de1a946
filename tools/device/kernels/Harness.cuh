//===- Harness.cuh - what the kernel harnesses share -----------*- CUDA -*-===//
//
// Included once by each harness in tools/device/kernels/ (each is one
// translation unit): error checks, random device data, the copy bandwidth
// that is the 100% line, graph-captured timing, and launches with
// programmatic dependent launch as the runtime makes them.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_TOOLS_DEVICE_KERNELS_HARNESS_CUH
#define LLMC_TOOLS_DEVICE_KERNELS_HARNESS_CUH

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#define CHECK(call)                                                            \
  do {                                                                         \
    cudaError_t e_ = (call);                                                   \
    if (e_ != cudaSuccess) {                                                   \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call,       \
                   cudaGetErrorString(e_));                                    \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

namespace {

/// Fills `words` 32-bit words with a hash of (seed, index).
__global__ void fillRandom(uint32_t *p, size_t words, uint64_t seed) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < words;
       i += (size_t)gridDim.x * blockDim.x) {
    uint64_t z = (seed + i) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    uint32_t v = uint32_t(z ^ (z >> 31));
    // Keep 16-bit values finite and small: clear exponent bits.
    p[i] = v & 0xBCFFBCFFu;
  }
}

/// n floats of zero on the device.
float *zeros(size_t n) {
  float *p;
  CHECK(cudaMalloc(&p, n * 4));
  CHECK(cudaMemset(p, 0, n * 4));
  return p;
}

/// n values of the device's p.
template <typename T> std::vector<T> download(const T *p, size_t n) {
  std::vector<T> host(n);
  CHECK(cudaMemcpy(host.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
  return host;
}

/// max |got - ref| / max |ref| over the n floats of two device arrays;
/// `scale` gets max |ref|.
double maxRelativeError(const float *got, const float *ref, size_t n,
                        double &scale) {
  std::vector<float> g = download(got, n), r = download(ref, n);
  double diff = 0;
  scale = 0;
  for (size_t e = 0; e < n; ++e) {
    diff = std::max(diff, double(std::fabs(g[e] - r[e])));
    scale = std::max(scale, double(std::fabs(r[e])));
  }
  return diff / std::max(scale, 1e-30);
}

void *deviceRandom(size_t bytes, uint64_t seed) {
  void *p;
  CHECK(cudaMalloc(&p, bytes));
  fillRandom<<<1024, 256>>>((uint32_t *)p, bytes / 4, seed);
  CHECK(cudaGetLastError());
  return p;
}

/// Device-to-device copy bandwidth (read + write bytes per second).
double copyBandwidth() {
  size_t bytes = size_t(1) << 30;
  void *a, *b;
  CHECK(cudaMalloc(&a, bytes));
  CHECK(cudaMalloc(&b, bytes));
  cudaEvent_t e0, e1;
  CHECK(cudaEventCreate(&e0));
  CHECK(cudaEventCreate(&e1));
  for (int i = 0; i < 2; ++i)
    CHECK(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice));
  CHECK(cudaEventRecord(e0));
  for (int i = 0; i < 10; ++i)
    CHECK(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice));
  CHECK(cudaEventRecord(e1));
  CHECK(cudaEventSynchronize(e1));
  float ms;
  CHECK(cudaEventElapsedTime(&ms, e0, e1));
  CHECK(cudaFree(a));
  CHECK(cudaFree(b));
  return 2.0 * bytes * 10 / (ms * 1e-3);
}

cudaStream_t timing;

/// Microseconds per call of launch(copy) on `timing`, rotating over
/// `copies`: 60 calls captured as one graph, so that launch overheads are
/// those of the runtime's graphs.
double timeLaunches(const std::function<void(int)> &launch, int copies) {
  cudaEvent_t e0, e1;
  CHECK(cudaEventCreate(&e0));
  CHECK(cudaEventCreate(&e1));
  const int iterations = 60;
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  CHECK(cudaStreamBeginCapture(timing, cudaStreamCaptureModeRelaxed));
  for (int i = 0; i < iterations; ++i)
    launch(i % copies);
  CHECK(cudaStreamEndCapture(timing, &graph));
  CHECK(cudaGraphInstantiate(&exec, graph, 0));
  CHECK(cudaGraphLaunch(exec, timing));
  CHECK(cudaEventRecord(e0, timing));
  CHECK(cudaGraphLaunch(exec, timing));
  CHECK(cudaEventRecord(e1, timing));
  CHECK(cudaEventSynchronize(e1));
  CHECK(cudaGetLastError());
  float ms;
  CHECK(cudaEventElapsedTime(&ms, e0, e1));
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(graph));
  return 1e3 * ms / iterations;
}

/// Microseconds per replay of `launches` captured as one graph on
/// `stream`: three replays to warm up, then 20 timed.
double timeGraph(const std::vector<std::function<void()>> &launches,
                 cudaStream_t stream) {
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeRelaxed));
  for (const std::function<void()> &l : launches)
    l();
  CHECK(cudaStreamEndCapture(stream, &graph));
  CHECK(cudaGraphInstantiate(&exec, graph, 0));
  cudaEvent_t e0, e1;
  CHECK(cudaEventCreate(&e0));
  CHECK(cudaEventCreate(&e1));
  for (int i = 0; i < 3; ++i)
    CHECK(cudaGraphLaunch(exec, stream));
  CHECK(cudaEventRecord(e0, stream));
  const int replays = 20;
  for (int i = 0; i < replays; ++i)
    CHECK(cudaGraphLaunch(exec, stream));
  CHECK(cudaEventRecord(e1, stream));
  CHECK(cudaEventSynchronize(e1));
  float ms;
  CHECK(cudaEventElapsedTime(&ms, e0, e1));
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(graph));
  return 1e3 * ms / replays;
}

/// Launches `kernel` with programmatic stream serialization (as the
/// runtime does).
template <typename Args>
void launchPdl(void (*kernel)(Args), unsigned grid, unsigned block, int smem,
               Args a, cudaStream_t stream) {
  cudaLaunchConfig_t config{};
  config.gridDim = dim3(grid);
  config.blockDim = dim3(block);
  config.dynamicSmemBytes = smem;
  config.stream = stream;
  cudaLaunchAttribute attribute{};
  attribute.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attribute.val.programmaticStreamSerializationAllowed = 1;
  config.attrs = &attribute;
  config.numAttrs = 1;
  CHECK(cudaLaunchKernelEx(&config, kernel, a));
}

} // namespace

#endif // LLMC_TOOLS_DEVICE_KERNELS_HARNESS_CUH
