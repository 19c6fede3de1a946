//===- CudaDevice.cpp - runs a plan on an NVIDIA GPU ----------------------===//

#include "cuda/CudaDevice.h"
#include "cuda/Cublas.h"
#include "cuda/KernelContracts.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace llmc::cuda {

using plan::DType;
using plan::Kernel;
using plan::Step;

namespace {

/// A switch from the environment: "0" is off, "1" on, unset the default.
bool environmentFlag(const char *name, bool otherwise) {
  const char *value = std::getenv(name);
  if (!value)
    return otherwise;
  return std::string(value) == "1"   ? true
         : std::string(value) == "0" ? false
                                     : otherwise;
}

/// An integer environment switch: its value when it is one in [low, high],
/// else `otherwise`.
int environmentInt(const char *name, int otherwise, int low, int high) {
  const char *value = std::getenv(name);
  if (!value || !*value)
    return otherwise;
  char *end = nullptr;
  long parsed = std::strtol(value, &end, 10);
  return *end == 0 && parsed >= low && parsed <= high ? int(parsed) : otherwise;
}

/// Whether llmc_attention_decode_step takes this head dim (kernels/
/// DecodeAttention.cu); a plan whose attention it all takes can replay its
/// one-token step as a graph.
bool decodeAttentionTakes(int64_t headDim) {
  return headDim % 32 == 0 && headDim <= 256;
}

} // namespace

llmc_status_t CudaModel::create(const plan::Plan &plan, const uint8_t *weights,
                                const uint8_t *fatbin, uint64_t fatbinSize,
                                std::unique_ptr<CudaModel> &out) {
  std::unique_ptr<CudaModel> m(new CudaModel(plan));
  if (llmc_status_t s = Driver::get(m->driver_))
    return s;
  const Driver &d = *m->driver_;
  int count = 0;
  if (d.cuDeviceGetCount(&count) != 0 || count == 0)
    return llmc_status_make(LLMC_STATUS_UNAVAILABLE,
                            "the cuda device was asked for, but no NVIDIA "
                            "GPU is visible");
  if (CUresult r = d.cuDeviceGet(&m->device_, 0))
    return d.error(r, "cuDeviceGet");
  if (CUresult r = d.cuDevicePrimaryCtxRetain(&m->context_, m->device_))
    return d.error(r, "cuDevicePrimaryCtxRetain");
  if (llmc_status_t s = m->makeCurrent())
    return s;
  // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT is 16, ..._MAX_SHARED_MEMORY_
  // PER_BLOCK_OPTIN 97.
  int value = 0;
  if (d.cuDeviceGetAttribute(&value, 16, m->device_) == 0 && value > 0)
    m->multiprocessors_ = value;
  if (d.cuDeviceGetAttribute(&value, 97, m->device_) == 0 && value > 0)
    m->sharedOptin_ = unsigned(value);
  if (!fatbin || fatbinSize == 0)
    return llmc_status_make(LLMC_STATUS_DATA_LOSS,
                            "the artifact has no cuda_fatbin section");
  if (CUresult r = d.cuModuleLoadData(&m->module_, fatbin))
    return d.error(r, "loading the artifact's kernels (cuModuleLoadData; "
                      "is the GPU older than sm_80?)");
  uint64_t total = 0;
  for (const plan::Weight &w : plan.weights)
    total += w.bytes;
  size_t freeBytes = 0, totalBytes = 0;
  d.cuMemGetInfo(&freeBytes, &totalBytes);
  if (total > freeBytes)
    return llmc_status_make(LLMC_STATUS_OUT_OF_MEMORY,
                            "the weights need %.2f GiB of GPU memory, but "
                            "%.2f GiB of %.2f GiB are free",
                            double(total) / (1u << 30),
                            double(freeBytes) / (1u << 30),
                            double(totalBytes) / (1u << 30));
  for (const plan::Weight &w : plan.weights) {
    CUdeviceptr p = 0;
    if (CUresult r = d.cuMemAlloc(&p, std::max<uint64_t>(w.bytes, 4)))
      return d.error(r, "allocating weight '" + w.name + "'");
    m->weights_.push_back(p);
    if (CUresult r = d.cuMemcpyHtoD(p, weights + w.offset, w.bytes))
      return d.error(r, "uploading weight '" + w.name + "'");
  }
  out = std::move(m);
  return nullptr;
}

CudaModel::~CudaModel() {
  if (!driver_ || !context_)
    return;
  driver_->cuCtxSetCurrent(context_);
  for (CUdeviceptr p : weights_)
    driver_->cuMemFree(p);
  if (module_)
    driver_->cuModuleUnload(module_);
  driver_->cuDevicePrimaryCtxRelease(device_);
}

llmc_status_t CudaModel::makeCurrent() const {
  if (CUresult r = driver_->cuCtxSetCurrent(context_))
    return driver_->error(r, "cuCtxSetCurrent");
  return nullptr;
}

llmc_status_t CudaModel::function(const std::string &name, CUfunction &out,
                                  unsigned sharedBytes) const {
  auto it = functions_.find(name);
  if (it == functions_.end()) {
    if (CUresult r = driver_->cuModuleGetFunction(&out, module_, name.c_str()))
      return driver_->error(r, "the artifact's kernels lack '" + name + "'");
    it = functions_.emplace(name, Loaded{out, 0}).first;
  }
  out = it->second.function;
  // Above 48 KiB a kernel must be allowed its dynamic shared memory
  // (CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES is 8); raised as
  // launches need more.
  if (sharedBytes >= 48 * 1024 && sharedBytes > it->second.sharedAllowed) {
    if (CUresult r = driver_->cuFuncSetAttribute(out, 8, int(sharedBytes)))
      return driver_->error(r, "allowing " + std::to_string(sharedBytes) +
                                   " bytes of shared memory to " + name);
    it->second.sharedAllowed = sharedBytes;
  }
  return nullptr;
}

bool CudaModel::hasFunction(const std::string &name) const {
  if (functions_.count(name))
    return true;
  auto known = present_.find(name);
  if (known != present_.end())
    return known->second;
  CUfunction f;
  bool found = driver_->cuModuleGetFunction(&f, module_, name.c_str()) == 0;
  present_[name] = found;
  return found;
}

llmc_status_t CudaModel::residentBlocks(const std::string &name, int block,
                                        unsigned sharedBytes, int &out) const {
  auto key = std::make_pair(name, sharedBytes);
  auto it = resident_.find(key);
  if (it != resident_.end()) {
    out = it->second;
    return nullptr;
  }
  CUfunction f;
  if (llmc_status_t s = function(name, f, sharedBytes))
    return s;
  int perSm = 0;
  if (CUresult r = driver_->cuOccupancyMaxActiveBlocksPerMultiprocessor(
          &perSm, f, block, sharedBytes))
    return driver_->error(r, "the occupancy of " + name);
  if (perSm < 1)
    return llmc_status_make(LLMC_STATUS_INTERNAL,
                            "%s does not fit on a multiprocessor with %u "
                            "bytes of shared memory",
                            name.c_str(), sharedBytes);
  out = resident_[key] = perSm * multiprocessors_;
  return nullptr;
}

llmc_status_t CudaSession::create(const CudaModel &model, int64_t capacity,
                                  std::unique_ptr<CudaSession> &out) {
  std::unique_ptr<CudaSession> s(new CudaSession(model));
  s->capacity_ = capacity;
  for (const Step &step : model.plan().steps)
    s->plainSteps_.push_back(plan::withoutFusions(step));
  const Driver &d = model.driver();
  if (llmc_status_t st = model.makeCurrent())
    return st;
  const plan::KvCacheShape &kv = model.plan().kvCache;
  size_t bytes = size_t(capacity * kv.kvHeads * kv.headDim) * 4;
  size_t freeBytes = 0, totalBytes = 0;
  d.cuMemGetInfo(&freeBytes, &totalBytes);
  double need = double(bytes) * 2 * double(kv.layers);
  if (need > double(freeBytes))
    return llmc_status_make(
        LLMC_STATUS_OUT_OF_MEMORY,
        "the KV cache for %lld tokens needs %.2f GiB of GPU memory, but "
        "%.2f GiB are free; ask for a shorter context (llmc run "
        "--max-context, or the session's max_context)",
        (long long)capacity, need / (1u << 30), double(freeBytes) / (1u << 30));
  for (int64_t l = 0; l < kv.layers; ++l) {
    CUdeviceptr k = 0, v = 0;
    if (CUresult r = d.cuMemAlloc(&k, bytes))
      return d.error(r, "allocating the KV cache (" + std::to_string(capacity) +
                            " tokens; try a smaller max_context)");
    s->keys_.push_back(k);
    if (CUresult r = d.cuMemAlloc(&v, bytes))
      return d.error(r, "allocating the KV cache (" + std::to_string(capacity) +
                            " tokens; try a smaller max_context)");
    s->values_.push_back(v);
  }
  // CU_STREAM_NON_BLOCKING is 1: a captured stream cannot be the legacy one.
  if (CUresult r = d.cuStreamCreate(&s->stream_, 1))
    return d.error(r, "cuStreamCreate");
  void *host = nullptr;
  if (CUresult r = d.cuMemAllocHost(&host, 32))
    return d.error(r, "allocating pinned memory");
  s->hostStep_ = static_cast<int32_t *>(host);
  if (CUresult r = d.cuMemAllocHost(
          &host, size_t(std::max<int64_t>(1, model.plan().vocabSize)) * 4))
    return d.error(r, "allocating pinned memory for the logits");
  s->hostLogits_ = static_cast<float *>(host);
  // Flash-decoding's chunks per head (LLMC_CUDA_ATTENTION_SPLITS, 1 to 32,
  // default 32): the scratch below is sized for them.
  s->splits_ = environmentInt("LLMC_CUDA_ATTENTION_SPLITS", 32, 1, 32);
  int64_t scratchFloats = 1, heads = 1;
  bool graphable = model.hasFunction("llmc_attention_decode_step");
  for (const Step &step : model.plan().steps)
    if (step.kernel == Kernel::Attention) {
      int64_t dim = step.integer("head_dim");
      heads = std::max(heads, step.integer("heads"));
      scratchFloats = std::max(scratchFloats,
                               step.integer("heads") * s->splits_ * (dim + 2));
      graphable = graphable && decodeAttentionTakes(dim);
    }
  if (CUresult r = d.cuMemAlloc(&s->scratch_, size_t(scratchFloats) * 4))
    return d.error(r, "allocating attention scratch");
  // The decode attention's per-head counters start at zero, and each
  // launch leaves them there.
  std::vector<int32_t> zeros(size_t(heads), 0);
  if (CUresult r = d.cuMemAlloc(&s->counters_, zeros.size() * 4))
    return d.error(r, "allocating attention counters");
  if (CUresult r = d.cuMemcpyHtoD(s->counters_, zeros.data(), zeros.size() * 4))
    return d.error(r, "clearing attention counters");
  if (CUresult r = d.cuMemAlloc(&s->argmax_, 4))
    return d.error(r, "allocating the argmax");
  // A step has at most one GEMV program per step of the plan.
  s->programBarrierCount_ = int(model.plan().steps.size()) + 1;
  std::vector<uint32_t> barriers(size_t(s->programBarrierCount_), 0);
  if (CUresult r = d.cuMemAlloc(&s->programBarriers_, barriers.size() * 4))
    return d.error(r, "allocating GEMV program barriers");
  if (CUresult r = d.cuMemcpyHtoD(s->programBarriers_, barriers.data(),
                                  barriers.size() * 4))
    return d.error(r, "clearing GEMV program barriers");
  for (const plan::Weight &w : model.plan().weights)
    if (!s->halfModel_ && (w.dtype == DType::BF16 || w.dtype == DType::F16)) {
      s->halfModel_ = true;
      s->halfType_ = plan::dtypeName(w.dtype);
    }
  // Dependent launches need sm_90 (CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_
  // MAJOR is 75) and cuLaunchKernelEx; LLMC_CUDA_PDL=0 turns them off.
  int major = 0;
  d.cuDeviceGetAttribute(&major, 75, model.device());
  s->usePdl_ = major >= 9 && d.cuLaunchKernelEx &&
               environmentFlag("LLMC_CUDA_PDL", true);
  s->profile_ = environmentFlag("LLMC_CUDA_PROFILE", false);
  if (s->profile_) {
    s->usePdl_ = false;
    s->events_.resize(model.plan().steps.size() + 1);
    for (CUevent &e : s->events_)
      if (CUresult r = d.cuEventCreate(&e, 0))
        return d.error(r, "cuEventCreate");
  }
  s->useGraphs_ =
      graphable && !s->profile_ && environmentFlag("LLMC_CUDA_GRAPHS", true);
  // The kernel writes the ring through hostStep_'s own address: pinned
  // memory is mapped at the same address on a 64-bit (unified addressing)
  // system.
  s->decodeAhead_ = s->useGraphs_ && model.hasFunction("llmc_argmax_next") &&
                    environmentFlag("LLMC_CUDA_DECODE_AHEAD", true);
  // CU_EVENT_DISABLE_TIMING is 2.
  if (s->decodeAhead_)
    if (CUresult r = d.cuEventCreate(&s->stepDone_, 2))
      return d.error(r, "cuEventCreate");
  s->usePrograms_ = s->usePdl_ && environmentFlag("LLMC_CUDA_PROGRAMS", true);
  // Default 1: half the blocks at each grid barrier and one copy of the
  // activations per SM; decode 2.7% (1B) and 2.9% (8B) faster than with 2
  // on an H200.
  s->programBlocks_ = environmentInt("LLMC_CUDA_PROGRAM_BLOCKS", 1, 1, 8);
  // Shared memory the 4-bit programs leave free on their SM
  // (LLMC_CUDA_Q4_PROGRAM_RESERVE bytes, default none), so that the next
  // kernel's blocks can be resident beside them; where too little is left
  // for two buffers a team, the one-token kernels run instead.
  unsigned reserve = unsigned(
      environmentInt("LLMC_CUDA_Q4_PROGRAM_RESERVE", 0, 0, 128 * 1024));
  s->qProgramShared_ =
      model.sharedOptin() > reserve ? model.sharedOptin() - reserve : 0;
  // 4-bit GEMV programs: 0 none, 1 (default) where every 4-bit step has at
  // least 4096 inputs, 2 wherever the kernel takes a step (the checks use
  // it to run them on small models). With 1 the 8B shape's int4 decoded
  // 508 tok/s against 494 without (H200; docs/quantization.md); below 4096
  // inputs (the 1B shape) they are no faster than the one-token kernels.
  if (llmc_status_t st = s->tileQuantizedMatrices(
          environmentInt("LLMC_CUDA_QUANTIZED_PROGRAMS", 1, 0, 2)))
    return st;
  // Prompts' 16-bit matrix products run on cuBLAS when libcublas is
  // there (LLMC_CUDA_CUBLAS=0: never; =1: an error when it is missing).
  const char *cublasSetting = std::getenv("LLMC_CUDA_CUBLAS");
  if (s->halfModel_ && environmentFlag("LLMC_CUDA_CUBLAS", true))
    s->cublas_ = Cublas::get();
  if (s->halfModel_ && !s->cublas_ && cublasSetting &&
      std::string(cublasSetting) == "1")
    return llmc_status_make(LLMC_STATUS_UNAVAILABLE,
                            "LLMC_CUDA_CUBLAS=1 asks for cuBLAS, but "
                            "libcublas.so.13 or .12 was not found");
  if (s->cublas_) {
    if (Cublas::Status st = s->cublas_->cublasCreate(&s->cublasHandle_))
      return llmc_status_make(LLMC_STATUS_INTERNAL,
                              "cublasCreate failed with status %d", st);
    if (Cublas::Status st =
            s->cublas_->cublasSetStream(s->cublasHandle_, s->stream_))
      return llmc_status_make(LLMC_STATUS_INTERNAL,
                              "cublasSetStream failed with status %d", st);
    const char *warm = std::getenv("LLMC_CUDA_WARMUP");
    if (llmc_status_t st = s->warmUp(warm ? warm : "64,2048"))
      return st;
  }
  out = std::move(s);
  return nullptr;
}

CudaSession::~CudaSession() {
  const Driver &d = model.driver();
  model.makeCurrent();
  // A step started ahead may still be running.
  if (stream_)
    d.cuStreamSynchronize(stream_);
  if (stepDone_)
    d.cuEventDestroy(stepDone_);
  for (CUdeviceptr p : keys_)
    d.cuMemFree(p);
  for (CUdeviceptr p : values_)
    d.cuMemFree(p);
  dropGraph();
  if (profile_)
    reportProfile();
  for (CUevent e : events_)
    if (e)
      d.cuEventDestroy(e);
  for (CUdeviceptr p :
       {arena_, ids_, positions_, scratch_, counters_, argmax_, gatedScratch_,
        ropeScratch_, dequantized_, converted_, programBarriers_})
    if (p)
      d.cuMemFree(p);
  for (auto &[id, p] : tiles_)
    d.cuMemFree(p);
  if (cublasHandle_)
    cublas_->cublasDestroy(cublasHandle_);
  if (hostStep_)
    d.cuMemFreeHost(hostStep_);
  if (hostLogits_)
    d.cuMemFreeHost(hostLogits_);
  if (stream_)
    d.cuStreamDestroy(stream_);
}

void CudaSession::reportProfile() const {
  for (int prompt = 0; prompt < 2; ++prompt) {
    const std::map<std::string, KernelTime> &times = profileTimes_[prompt];
    int64_t calls = profiledCalls_[prompt];
    double total = 0;
    for (const auto &[name, time] : times)
      total += time.ms;
    if (calls == 0 || total <= 0)
      continue;
    std::vector<std::pair<double, std::string>> order;
    for (const auto &[name, time] : times)
      order.push_back({time.ms, name});
    std::sort(order.rbegin(), order.rend());
    const char *unit = prompt ? "prompt" : "token";
    if (prompt)
      std::fprintf(stderr,
                   "llmc: cuda profile, %lld prompts of %.0f tokens on "
                   "average, %.1f us each on the GPU (events, no graphs):\n",
                   (long long)calls, double(profiledPromptTokens_) / calls,
                   1e3 * total / calls);
    else
      std::fprintf(stderr,
                   "llmc: cuda profile, %lld one-token steps, %.1f us each "
                   "on the GPU (events, no graphs):\n",
                   (long long)calls, 1e3 * total / calls);
    for (const auto &[ms, name] : order) {
      const KernelTime &time = times.at(name);
      std::fprintf(stderr, "  %-22s %4lld steps/%s %9.1f us/%s %5.1f%%\n",
                   name.c_str(), (long long)(time.steps / calls), unit,
                   1e3 * ms / calls, unit, 100 * ms / total);
    }
  }
}

void CudaSession::recordProfile(int64_t t) {
  const plan::Plan &plan = model.plan();
  int prompt = t > 1;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    float ms = 0;
    model.driver().cuEventElapsedTime(&ms, events_[i], events_[i + 1]);
    KernelTime &time =
        profileTimes_[prompt][plan::kernelName(plan.steps[i].kernel)];
    time.steps += 1;
    time.ms += ms;
  }
  ++profiledCalls_[prompt];
  if (prompt)
    profiledPromptTokens_ += t;
}

llmc_status_t CudaSession::warmUp(const std::string &lengths) {
  if (lengths == "0" || lengths.empty())
    return nullptr;
  std::vector<float> logits(
      size_t(std::max<int64_t>(1, model.plan().vocabSize)));
  size_t start = 0;
  while (start <= lengths.size()) {
    size_t end = lengths.find(',', start);
    if (end == std::string::npos)
      end = lengths.size();
    int64_t t = std::min<int64_t>(
        std::atoll(lengths.substr(start, end - start).c_str()), capacity_);
    if (t > 1) {
      std::vector<int32_t> ids(size_t(t), 0);
      if (llmc_status_t s = forward(ids.data(), t, false, logits.data())) {
        // Short of memory for this length: no warm-up, no error; the
        // prompt that needs it reports it.
        if (llmc_status_code(s) != LLMC_STATUS_OUT_OF_MEMORY)
          return s;
        llmc_status_free(s);
        length_ = 0;
        break;
      }
      // Forgotten: the cache rows it wrote are written again before any
      // later step reads them.
      length_ = 0;
    }
    start = end + 1;
  }
  if (profile_) {
    for (auto &times : profileTimes_)
      times.clear();
    profiledCalls_[0] = profiledCalls_[1] = profiledPromptTokens_ = 0;
  }
  return nullptr;
}

void CudaSession::dropGraph() {
  if (graph_)
    model.driver().cuGraphExecDestroy(graph_);
  graph_ = nullptr;
}

llmc_status_t CudaSession::ensureArena(int64_t t) {
  if (t <= arenaTokens_)
    return nullptr;
  const Driver &d = model.driver();
  dropGraph(); // it holds the old arena's addresses
  for (CUdeviceptr *p :
       {&arena_, &ids_, &positions_, &gatedScratch_, &ropeScratch_,
        &normScratch_, &dequantized_, &converted_})
    if (*p) {
      d.cuMemFree(*p);
      *p = 0;
    }
  arenaTokens_ = 0;
  int64_t floats = std::max<int64_t>(1, t * model.plan().arenaPerToken);
  if (CUresult r = d.cuMemAlloc(&arena_, size_t(floats) * 4))
    return d.error(r, "allocating activations for " + std::to_string(t) +
                          " tokens");
  if (CUresult r = d.cuMemAlloc(&ids_, size_t(t) * 4))
    return d.error(r, "allocating token ids");
  if (CUresult r = d.cuMemAlloc(&positions_, size_t(t) * 4))
    return d.error(r, "allocating positions");
  // Scratch sizes per token: the widest gated MLP, the largest quantized
  // matrix, a fused rope's rotated query and key, the widest matrix input,
  // the widest input of a fused norm.
  int64_t gated = 1, dequantized = 0, rotated = 0, widestInput = 1,
          normalized = 0;
  for (const Step &s : model.plan().steps) {
    if (plan::hasInputNorm(s))
      normalized = std::max(normalized,
                            model.plan().buffers[size_t(s.inputs[0])].features);
    if (s.kernel == Kernel::Attention && !s.name("rope").empty())
      rotated = std::max(rotated, (s.integer("heads") + s.integer("kv_heads")) *
                                      s.integer("head_dim"));
    if (!s.inputs.empty())
      widestInput = std::max(
          widestInput, model.plan().buffers[size_t(s.inputs[0])].features);
    if (s.kernel == Kernel::GatedLinear ||
        s.kernel == Kernel::GatedLinearQuantized)
      gated =
          std::max(gated, model.plan().buffers[size_t(s.outputs[0])].features);
    if (s.kernel == Kernel::LinearQuantized ||
        s.kernel == Kernel::LinearGroupQuantized ||
        s.kernel == Kernel::GatedLinearQuantized)
      for (int32_t id : s.weights) {
        const plan::Weight &w = model.plan().weights[size_t(id)];
        if (w.dtype == DType::I4 || w.dtype == DType::U4 ||
            w.dtype == DType::I8 || w.dtype == DType::U8)
          dequantized = std::max(dequantized, w.elements());
      }
  }
  if (CUresult r = d.cuMemAlloc(&gatedScratch_, size_t(t * gated) * 4))
    return d.error(r, "allocating gated-MLP scratch");
  if (rotated > 0)
    if (CUresult r = d.cuMemAlloc(&ropeScratch_, size_t(t * rotated) * 4))
      return d.error(r, "allocating rotated query and key scratch");
  if (normalized > 0)
    if (CUresult r = d.cuMemAlloc(&normScratch_, size_t(t * normalized) * 4))
      return d.error(r, "allocating normalized-input scratch");
  // Longer prompts of a 16-bit model run quantized matrices as a GEMM on a
  // 16-bit copy (CudaQuantized.cpp).
  if (t > 8 && halfModel_ && dequantized > 0)
    if (CUresult r = d.cuMemAlloc(&dequantized_, size_t(dequantized) * 2))
      return d.error(r, "allocating a dequantized-weight buffer of " +
                            std::to_string(dequantized * 2) + " bytes");
  // cuBLAS multiplies 16-bit activations: a 16-bit copy of the widest
  // input (not of the logits, which no matrix reads).
  if (t > 8 && cublasHandle_)
    if (CUresult r = d.cuMemAlloc(&converted_, size_t(t * widestInput) * 2))
      return d.error(r, "allocating 16-bit activations for cuBLAS");
  arenaTokens_ = t;
  return nullptr;
}

llmc_status_t CudaSession::launch(const std::string &name, unsigned gridX,
                                  unsigned gridY, unsigned block,
                                  unsigned sharedBytes,
                                  std::vector<void *> args) {
  // Kernels run in order: what a GEMV program gathered goes first.
  if (program_.count > 0 || qProgram_.count > 0)
    if (llmc_status_t s = flushProgram())
      return s;
  CUfunction f;
  if (llmc_status_t s = model.function(name, f, sharedBytes))
    return s;
  if (gridX == 0 || gridY == 0)
    return nullptr;
  const Driver &d = model.driver();
  if (usePdl_) {
    // Programmatic stream serialization (CU_LAUNCH_ATTRIBUTE_... = 6): the
    // kernel may start while the previous one finishes; kernels wait for it
    // with griddepcontrol.wait before they read activations.
    CUlaunchAttribute attribute{};
    attribute.id = 6;
    attribute.value.programmaticStreamSerializationAllowed = 1;
    CUlaunchConfig config{gridX, gridY,       1,       block,      1,
                          1,     sharedBytes, stream_, &attribute, 1};
    if (CUresult r = d.cuLaunchKernelEx(&config, f, args.data(), nullptr))
      return d.error(r, "launching " + name);
    return nullptr;
  }
  if (CUresult r = d.cuLaunchKernel(f, gridX, gridY, 1, block, 1, 1,
                                    sharedBytes, stream_, args.data(), nullptr))
    return d.error(r, "launching " + name);
  return nullptr;
}

llmc_status_t CudaSession::enqueueGemv(const std::vector<GemvSegment> &parts,
                                       bool gated, int activation,
                                       CUdeviceptr x, int rows, int k,
                                       float softcap, const Fusion &fusion,
                                       bool &launched) {
  launched = false;
  DType wt = model.plan().weights[size_t(parts[0].weight)].dtype;
  if ((wt != DType::BF16 && wt != DType::F16) || x % 16 != 0 || k % 8 != 0 ||
      !gemvTokens(rows))
    return nullptr;
  std::string type = plan::dtypeName(wt);
  bool program =
      gathering_ && rows == 1 && model.hasFunction("llmc_gemv_program_" + type);
  // A norm whose weights are not folded into the matrices (the LM head
  // tied to the embedding) only a GEMV program applies, as it stages the
  // activations; and only in a step that joins others of its type (alone,
  // it gains nothing over the norm kernel and the t1 instance).
  bool unfolded = fusion.norm && !fusion.folded;
  if (unfolded && !(program && program_.count > 0 && programType_ == type &&
                    fusion.weight % 16 == 0))
    return nullptr;
  // Plain, or the instance with the step's fused norm and/or residual.
  int kind = gated         ? (fusion.norm ? kGemvGatedNorm : kGemvGated)
             : fusion.norm ? (fusion.residual ? kGemvNormResidual : kGemvNorm)
                           : (fusion.residual ? kGemvResidual : kGemvPlain);
  std::string name = gemvInstance(kind, type, gemvTokens(rows));
  if (!model.hasFunction(name))
    return nullptr;
  // One launch streams every matrix; gated: a block's first four warps
  // read gate rows, the other four the same up rows.
  GemvArgs a{};
  a.x = x;
  a.t = rows;
  a.k = k;
  a.softcap = softcap;
  a.activation = activation;
  a.normEpsilon = fusion.epsilon;
  a.residual = fusion.residual;
  for (size_t j = 0; j < parts.size(); ++j) {
    a.w[j] = model.weight(parts[j].weight);
    a.bias[j] = parts[j].bias;
    a.out[j] = parts[j].out;
    a.n[j] = gated && j > 0 ? 0 : parts[j].n;
  }
  launched = true;
  if (program) {
    // A step of the GEMV program: the instance it stands for.
    if ((program_.count > 0 && programType_ != type) || qProgram_.count > 0)
      if (llmc_status_t s = flushProgram())
        return s;
    program_.steps[program_.count] = a;
    program_.normWeights[program_.count] = unfolded ? fusion.weight : 0;
    program_.normUnitOffset[program_.count] = unfolded ? fusion.unitOffset : 0;
    program_.kinds[program_.count++] = kind;
    programType_ = type;
    return program_.count == kGemvProgramSteps ? flushProgram() : nullptr;
  }
  return launch(name, gemvBlocks(a, kind), 1, 256, 0, {&a});
}

llmc_status_t CudaSession::flushProgram() {
  if (qProgram_.count > 0)
    return flushQuantizedProgram();
  if (program_.count == 0)
    return nullptr;
  GemvProgram p = program_;
  program_.count = 0;
  // A step alone gains nothing from a program (no boundary to stream
  // across) and loses its kernel's own grid: the 16-bit LM head of an
  // int4 model decoded 3% slower as a program of one step (H200, 1B).
  // (A step with unfolded norm weights never stands alone: enqueueGemv.)
  if (p.count == 1 && p.normWeights[0] == 0)
    return launch(gemvInstance(p.kinds[0], programType_, 1),
                  gemvBlocks(p.steps[0], p.kinds[0]), 1, 256, 0, {&p.steps[0]});
  if (programsInStep_ >= programBarrierCount_)
    return llmc_status_make(LLMC_STATUS_INTERNAL,
                            "a step has more than %d GEMV programs",
                            programBarrierCount_);
  p.barrier = programBarriers_ + CUdeviceptr(programsInStep_++) * 4;
  // programBlocks_ blocks per multiprocessor, each with the largest step's
  // activations and as many 16 KiB buffers as the rest of its share of the
  // shared memory holds (at most 16), and every block resident at once: the
  // barrier waits for all of them.
  std::string name = "llmc_gemv_program_" + programType_;
  int perSm = programBlocks_;
  p.xFloats = 0;
  for (int i = 0; i < p.count; ++i)
    p.xFloats = std::max(p.xFloats, p.steps[i].k);
  // A multiprocessor's shared memory is the opt-in limit and the 1 KiB
  // each block reserves.
  unsigned share = (model.sharedOptin() + 1024) / unsigned(perSm) - 1024;
  p.stages = gemvProgramStages(share, p.xFloats);
  if (p.stages < 2)
    return llmc_status_make(
        LLMC_STATUS_INTERNAL,
        "a GEMV program over k = %d needs %u KiB of shared memory per block",
        p.xFloats, (gemvProgramSharedBytes(2, p.xFloats) + 1023) / 1024);
  unsigned shared = gemvProgramSharedBytes(p.stages, p.xFloats);
  int blocks = 0;
  if (llmc_status_t s =
          model.residentBlocks(name, int(kGemvProgramThreads), shared, blocks))
    return s;
  blocks = std::min(blocks, perSm * model.multiprocessors());
  return launch(name, unsigned(blocks), 1, kGemvProgramThreads, shared, {&p});
}

llmc_status_t CudaSession::normalizedInput(const Fusion &fusion, CUdeviceptr x,
                                           int rows, int k, CUdeviceptr &out) {
  out = x;
  if (!fusion.norm)
    return nullptr;
  CUdeviceptr none = 0;
  float eps = fusion.epsilon;
  int unit = fusion.unitOffset;
  CUdeviceptr weight = fusion.folded ? 0 : fusion.weight;
  unsigned threads = k > 4096 ? 1024 : 256;
  out = normScratch_;
  return launch("llmc_rms_norm", unsigned(rows), 1, threads, 0,
                {&x, &none, &k, &weight, &eps, &unit, &normScratch_, &none});
}

llmc_status_t CudaSession::enqueueGlu(CUdeviceptr gate, size_t count,
                                      int activation) {
  int op = 6 + activation; // llmc_elementwise's glu silu, gelu tanh, erf
  float factor = 1.0f;
  return launch("llmc_elementwise", unsigned((count + 255) / 256), 1, 256, 0,
                {&gate, &gatedScratch_, &count, &op, &factor, &gate});
}

llmc_status_t CudaSession::enqueueLinear(int32_t weight, CUdeviceptr x,
                                         int rows, int k, CUdeviceptr bias,
                                         float softcap, CUdeviceptr out,
                                         int n) {
  bool launched = false;
  if (llmc_status_t s = enqueueGemv({{weight, bias, out, n}}, false, 0, x, rows,
                                    k, softcap, Fusion(), launched);
      s || launched)
    return s;
  DType wt = model.plan().weights[size_t(weight)].dtype;
  std::string type = plan::dtypeName(wt);
  CUdeviceptr w = model.weight(weight);
  bool half = wt == DType::BF16 || wt == DType::F16;
  if (half && canGemm(x, k, out, type))
    return enqueueGemm(x, rows, k, w, type, n, bias, softcap, out);
  return launch("llmc_linear_" + type, unsigned((n + 7) / 8), 1, 256, 0,
                {&x, &rows, &k, &w, &n, &bias, &softcap, &out});
}

bool CudaSession::canGemm(CUdeviceptr x, int k, CUdeviceptr out,
                          const std::string &type) const {
  return x % 16 == 0 && out % 16 == 0 && k % 64 == 0 &&
         model.hasFunction("llmc_gemm_" + type);
}

llmc_status_t CudaSession::enqueueGemm(CUdeviceptr x, int rows, int k,
                                       CUdeviceptr w, const std::string &type,
                                       int n, CUdeviceptr bias, float softcap,
                                       CUdeviceptr out) {
  // cuBLAS (unless LLMC_CUDA_CUBLAS=0) when there is no epilogue to apply:
  // the activations rounded to the weights' type, then bf16/f16 x bf16/f16 ->
  // float32. Row-major out[rows, n] = x[rows, k] . w[n, k]^T is, column-
  // major, out^T = w^T-of-the-stored-w . x^T: transa T, transb N.
  if (cublasHandle_ && converted_ && bias == 0 && softcap == 0.0f &&
      type == halfType_) {
    size_t count = size_t(rows) * size_t(k);
    // The matrices of one step read the same input: converted once.
    if (x != convertedFrom_ || count != convertedCount_) {
      if (llmc_status_t s =
              launch("llmc_convert_" + type, unsigned((count + 255) / 256), 1,
                     256, 0, {&x, &count, &converted_}))
        return s;
      convertedFrom_ = x;
      convertedCount_ = count;
    }
    int dataType = type == "bf16" ? Cublas::kR16BF : Cublas::kR16F;
    float one = 1.0f, zero = 0.0f;
    if (Cublas::Status st = cublas_->cublasGemmEx(
            cublasHandle_, Cublas::kOpT, Cublas::kOpN, n, rows, k, &one,
            reinterpret_cast<const void *>(w), dataType, k,
            reinterpret_cast<const void *>(converted_), dataType, k, &zero,
            reinterpret_cast<void *>(out), Cublas::kR32F, n,
            Cublas::kCompute32F, Cublas::kGemmDefault))
      return llmc_status_make(LLMC_STATUS_INTERNAL,
                              "cublasGemmEx (%d x %d x %d) failed with "
                              "status %d",
                              n, rows, k, st);
    return nullptr;
  }
  return launch("llmc_gemm_" + type, (unsigned(n) + kGemmTile - 1) / kGemmTile,
                (unsigned(rows) + kGemmTile - 1) / kGemmTile, kGemmThreads,
                kGemmSharedBytes,
                {&x, &rows, &k, &w, &n, &bias, &softcap, &out});
}

llmc_status_t CudaSession::enqueueSteps(int64_t t, bool allLogits) {
  const plan::Plan &plan = model.plan();
  auto buffer = [&](int32_t id) -> CUdeviceptr {
    return arena_ + CUdeviceptr(t * plan.buffers[size_t(id)].offset) * 4;
  };
  auto features = [&](int32_t id) {
    return int(plan.buffers[size_t(id)].features);
  };
  bool timed = profile_;
  size_t index = 0;
  program_.count = 0;
  qProgram_.count = 0;
  programsInStep_ = 0;
  gathering_ = usePrograms_ && t == 1;
  for (size_t at = 0; at < plan.steps.size(); ++at) {
    // Kernels that take a linear step's fused norm and residual get them
    // in `fusion`; the others run the plain step on the normalized input
    // and the residual is added after.
    const Step &fused = plan.steps[at];
    const Step &s = plainSteps_[at];
    if (timed)
      model.driver().cuEventRecord(events_[index++], stream_);
    convertedFrom_ = 0; // a step may write what the one before converted
    int rows = int(t), skip = 0;
    if (s.producesLogits && !allLogits) {
      rows = 1;
      skip = int(t - 1);
    }
    std::vector<CUdeviceptr> in;
    for (int32_t id : s.inputs)
      in.push_back(buffer(id) + CUdeviceptr(skip) * features(id) * 4);
    std::vector<CUdeviceptr> out;
    for (int32_t id : s.outputs)
      out.push_back(buffer(id));
    CUdeviceptr none = 0;
    auto w = [&](size_t j) {
      return j < s.weights.size() ? model.weight(s.weights[j]) : none;
    };
    std::vector<CUdeviceptr> ws;
    for (size_t j = 0; j < 4; ++j)
      ws.push_back(w(j));
    int fin = s.inputs.empty() ? 0 : features(s.inputs[0]);
    int fout = features(s.outputs[0]);
    float softcap = float(s.number("softcap"));
    CUdeviceptr positionsAt = positions_ + CUdeviceptr(skip) * 4;
    Fusion fusion;
    if (plan::hasInputNorm(fused)) {
      fusion.norm = true;
      fusion.folded = plan::hasFoldedNorm(fused);
      if (!fusion.folded)
        fusion.weight = model.weight(fused.weights.back());
      fusion.epsilon = float(fused.number("norm_epsilon"));
      fusion.unitOffset = int(fused.integer("norm_unit_offset"));
    }
    if (plan::hasResidual(fused))
      fusion.residual = buffer(fused.inputs[1]) +
                        CUdeviceptr(skip) * features(fused.inputs[1]) * 4;
    // Whether the kernel took the fusions (else x is normalized first).
    bool tookFusion = false;
    CUdeviceptr x = 0;
    llmc_status_t status = nullptr;
    switch (s.kernel) {
    case Kernel::Embedding: {
      float scale = float(s.number("scale", 1.0));
      CUdeviceptr index = s.name("index") == "positions" ? positions_ : ids_;
      int ti = int(t);
      status = launch(std::string("llmc_embedding_") +
                          plan::dtypeName(plan.weights[s.weights[0]].dtype),
                      unsigned(t), 1, 256, 0,
                      {&ws[0], &fout, &index, &ti, &scale, &out[0]});
      break;
    }
    case Kernel::Linear:
      status = enqueueGemv({{s.weights[0], ws[1], out[0], fout}}, false, 0,
                           in[0], rows, fin, softcap, fusion, tookFusion);
      if (status || tookFusion)
        break;
      status = normalizedInput(fusion, in[0], rows, fin, x);
      if (!status)
        status = enqueueLinear(s.weights[0], x, rows, fin, ws[1], softcap,
                               out[0], fout);
      break;
    case Kernel::LinearGroup:
    case Kernel::GatedLinear: {
      bool gated = s.kernel == Kernel::GatedLinear;
      size_t count = gated ? 2 : s.outputs.size();
      bool biases = !gated && s.integer("biases") != 0;
      std::vector<GemvSegment> parts;
      for (size_t j = 0; j < count; ++j)
        parts.push_back(
            {s.weights[j], biases ? model.weight(s.weights[count + j]) : none,
             gated ? out[0] : out[j], gated ? fout : features(s.outputs[j])});
      int activation = gated ? plan::gateActivation(s) : 0;
      status = enqueueGemv(parts, gated, activation, in[0], rows, fin, 0.0f,
                           fusion, tookFusion);
      if (status || tookFusion)
        break;
      status = normalizedInput(fusion, in[0], rows, fin, x);
      if (status)
        break;
      if (!gated) {
        for (const GemvSegment &p : parts)
          if (!status)
            status =
                enqueueLinear(p.weight, x, rows, fin, p.bias, 0.0f, p.out, p.n);
        break;
      }
      // Gate to the output, up to scratch, then the GLU in place.
      status =
          enqueueLinear(s.weights[0], x, rows, fin, none, 0.0f, out[0], fout);
      if (!status)
        status = enqueueLinear(s.weights[1], x, rows, fin, none, 0.0f,
                               gatedScratch_, fout);
      if (!status)
        status = enqueueGlu(out[0], size_t(rows) * size_t(fout), activation);
      break;
    }
    case Kernel::LinearQuantized:
      status = enqueueQuantized(s,
                                {{plan::quantizedMatrix(s, 0),
                                  w(plan::quantizedStride(s)), out[0], fout}},
                                false, in[0], rows, fin, softcap, fusion,
                                tookFusion);
      break;
    case Kernel::LinearGroupQuantized:
    case Kernel::GatedLinearQuantized: {
      bool gated = s.kernel == Kernel::GatedLinearQuantized;
      size_t count = gated ? 2 : s.outputs.size();
      bool biases = !gated && s.integer("biases") != 0;
      std::vector<QuantizedPart> parts;
      for (size_t j = 0; j < count; ++j)
        parts.push_back(
            {plan::quantizedMatrix(s, j),
             biases ? w(plan::quantizedStride(s) * count + j) : none,
             gated ? out[0] : out[j], gated ? fout : features(s.outputs[j])});
      status = enqueueQuantized(s, parts, gated, in[0], rows, fin, 0.0f, fusion,
                                tookFusion);
      break;
    }
    case Kernel::RmsNorm:
    case Kernel::AddRmsNorm: {
      bool fused = s.kernel == Kernel::AddRmsNorm;
      CUdeviceptr residual = fused ? in[1] : none;
      CUdeviceptr sum = fused ? out[1] : none;
      float eps = float(s.number("epsilon"));
      int unit = int(s.integer("unit_offset"));
      unsigned threads = fin > 4096 ? 1024 : 256;
      status =
          launch("llmc_rms_norm", unsigned(rows), 1, threads, 0,
                 {&in[0], &residual, &fin, &ws[0], &eps, &unit, &out[0], &sum});
      break;
    }
    case Kernel::LayerNorm: {
      float eps = float(s.number("epsilon"));
      status = launch("llmc_layer_norm", unsigned(rows), 1, 256, 0,
                      {&in[0], &fin, &ws[0], &ws[1], &eps, &out[0]});
      break;
    }
    case Kernel::Rope: {
      int heads = int(s.integer("heads")), dim = int(s.integer("head_dim"));
      int half = int(plan.weights[s.weights[0]].shape[1]);
      int interleaved = s.name("style") == "interleaved";
      status = launch("llmc_rope", unsigned(rows), 1, 256, 0,
                      {&in[0], &heads, &dim, &positionsAt, &ws[0], &ws[1],
                       &half, &interleaved, &out[0]});
      break;
    }
    case Kernel::Attention: {
      int64_t layer = s.integer("layer");
      int heads = int(s.integer("heads")), kv = int(s.integer("kv_heads")),
          dim = int(s.integer("head_dim")),
          window = int(s.integer("sliding_window"));
      float scale = float(s.number("scale"));
      int row = kv * dim;
      CUdeviceptr keys = keys_[size_t(layer)], values = values_[size_t(layer)];
      // A fused rotary embedding (plan attr "rope", the tables are the
      // step's weights): 1 rotate_half, 2 interleaved.
      std::string ropeName = s.name("rope");
      int rope = ropeName.empty() ? 0 : ropeName == "interleaved" ? 2 : 1;
      if (t == 1 && decodeAttentionTakes(dim) &&
          model.hasFunction("llmc_attention_decode_step")) {
        // One launch: the query and the new key rotated, the new key and
        // value written to the cache, the chunks merged, all inside. Head
        // dims 64 and 128 have instances sized for them (an older
        // artifact's kernels lack them: the general one then).
        std::string name = "llmc_attention_decode_step";
        if ((dim == 64 || dim == 128) &&
            model.hasFunction(name + "_d" + std::to_string(dim)))
          name += "_d" + std::to_string(dim);
        int splits = splits_;
        status =
            launch(name, unsigned(heads), unsigned(splits), 128, 0,
                   {&in[0], &in[1], &in[2], &heads, &kv, &dim, &positions_,
                    &keys, &values, &scale, &window, &softcap, &splits, &ws[0],
                    &ws[1], &rope, &scratch_, &counters_, &out[0]});
        break;
      }
      CUdeviceptr query = in[0], key = in[1];
      if (rope) {
        // Prompts (and head dims the decode kernel does not take): the
        // query and key rotated into scratch first.
        int half = dim / 2, interleaved = rope == 2;
        query = ropeScratch_;
        key = ropeScratch_ + CUdeviceptr(t * heads * dim) * 4;
        status = launch("llmc_rope", unsigned(t), 1, 256, 0,
                        {&in[0], &heads, &dim, &positions_, &ws[0], &ws[1],
                         &half, &interleaved, &query});
        if (!status)
          status = launch("llmc_rope", unsigned(t), 1, 256, 0,
                          {&in[1], &kv, &dim, &positions_, &ws[0], &ws[1],
                           &half, &interleaved, &key});
        if (status)
          break;
      }
      status = launch("llmc_kv_append", unsigned(t), 1, 256, 0,
                      {&key, &in[2], &row, &positions_, &keys, &values});
      if (status)
        break;
      int ti = int(t);
      if (halfModel_ && prefillSharedBytes(dim) &&
          model.hasFunction("llmc_attention_prefill")) {
        // Tensor cores round Q, K and V to bfloat16: for 16-bit models.
        status =
            launch("llmc_attention_prefill",
                   (unsigned(t) + kPrefillQueries - 1) / kPrefillQueries,
                   unsigned(heads), kPrefillThreads, prefillSharedBytes(dim),
                   {&query, &ti, &heads, &kv, &dim, &positions_, &keys, &values,
                    &scale, &window, &softcap, &out[0]});
      } else {
        status = launch("llmc_attention", unsigned(t * heads), 1, 128,
                        unsigned(length_ + t) * 4,
                        {&query, &heads, &kv, &dim, &positions_, &keys, &values,
                         &scale, &window, &softcap, &out[0]});
      }
      break;
    }
    case Kernel::Slice: {
      int offset = int(s.integer("offset"));
      unsigned n = unsigned(rows) * unsigned(fout);
      status = launch("llmc_slice", (n + 255) / 256, 1, 256, 0,
                      {&in[0], &rows, &fin, &offset, &fout, &out[0]});
      break;
    }
    case Kernel::Silu:
    case Kernel::Gelu:
    case Kernel::Scale:
    case Kernel::Glu:
    case Kernel::Add:
    case Kernel::Mul: {
      int op = 0;
      if (s.kernel == Kernel::Gelu)
        op = s.name("approximation") == "tanh" ? 2 : 1;
      else if (s.kernel == Kernel::Scale)
        op = 3;
      else if (s.kernel == Kernel::Add)
        op = 4;
      else if (s.kernel == Kernel::Mul)
        op = 5;
      else if (s.kernel == Kernel::Glu)
        op = 6 + plan::gateActivation(s);
      CUdeviceptr b = in.size() > 1 ? in[1] : none;
      size_t n = size_t(rows) * size_t(fin);
      float factor = float(s.number("factor", 1.0));
      status = launch("llmc_elementwise", unsigned((n + 255) / 256), 1, 256, 0,
                      {&in[0], &b, &n, &op, &factor, &out[0]});
      break;
    }
    }
    if (!status && fusion.residual && !tookFusion) {
      size_t n = size_t(rows) * size_t(fout);
      int op = 4; // llmc_elementwise's add
      float factor = 1.0f;
      status = launch("llmc_elementwise", unsigned((n + 255) / 256), 1, 256, 0,
                      {&out[0], &fusion.residual, &n, &op, &factor, &out[0]});
    }
    if (status) {
      gathering_ = false;
      program_.count = 0;
      qProgram_.count = 0;
      return status;
    }
  }
  gathering_ = false;
  if (llmc_status_t s = flushProgram())
    return s;
  if (timed)
    model.driver().cuEventRecord(events_[index], stream_);
  return nullptr;
}

llmc_status_t CudaSession::launchDecodeGraph() {
  const Driver &d = model.driver();
  if (!graph_) {
    // CU_STREAM_CAPTURE_MODE_RELAXED is 2: looking kernels up in the module
    // while capturing is allowed.
    if (CUresult r = d.cuStreamBeginCapture(stream_, 2))
      return d.error(r, "cuStreamBeginCapture");
    // The argmax of the logits goes in too (a dependent launch inside the
    // graph, not one more launch after it); forward() reads it when asked.
    llmc_status_t status = enqueueSteps(1, false);
    if (!status)
      status = enqueueArgmax(1, decodeAhead_);
    CUgraph graph = nullptr;
    CUresult r = d.cuStreamEndCapture(stream_, &graph);
    if (status) {
      if (graph)
        d.cuGraphDestroy(graph);
      return status;
    }
    if (r)
      return d.error(r, "capturing the decode step (cuStreamEndCapture)");
    r = d.cuGraphInstantiateWithFlags(&graph_, graph, 0);
    d.cuGraphDestroy(graph);
    if (r) {
      graph_ = nullptr;
      return d.error(r, "instantiating the decode step's graph");
    }
  }
  if (CUresult r = d.cuGraphLaunch(graph_, stream_))
    return d.error(r, "launching the decode step's graph");
  return nullptr;
}

llmc_status_t CudaSession::enqueueArgmax(int64_t t, bool feedBack) {
  const plan::Plan &plan = model.plan();
  CUdeviceptr result =
      arena_ + CUdeviceptr(t * plan.buffers[size_t(plan.logits)].offset) * 4 +
      CUdeviceptr(plan.logitsOffset(t, false)) * 4;
  int n = int(plan.vocabSize);
  if (!feedBack)
    return launch("llmc_argmax", 1, 1, 1024, 0, {&result, &n, &argmax_});
  CUdeviceptr ring = CUdeviceptr(reinterpret_cast<uintptr_t>(hostStep_ + 4));
  return launch("llmc_argmax_next", 1, 1, 1024, 0,
                {&result, &n, &argmax_, &ids_, &positions_, &ring});
}

llmc_status_t CudaSession::dropAhead() {
  if (!ahead_)
    return nullptr;
  ahead_ = false;
  if (CUresult r = model.driver().cuStreamSynchronize(stream_))
    return model.driver().error(
        r, "running the step started ahead (a kernel failed)");
  return nullptr;
}

llmc_status_t CudaSession::forward(const int32_t *ids, int64_t t,
                                   bool allLogits, float *logits,
                                   int32_t *argmax, bool ahead) {
  const plan::Plan &plan = model.plan();
  const Driver &d = model.driver();
  if (llmc_status_t s = plan.checkForward(ids, t, length_, capacity_))
    return s;
  if (argmax ? allLogits : !logits)
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "forward: the argmax is of the last token only, "
                            "and without it the logits need a buffer");
  if (llmc_status_t s = model.makeCurrent())
    return s;
  // The greedy one-token step that the last call started ahead, if this is
  // the call it was started for.
  bool started = ahead_ && t == 1 && argmax && ids[0] == aheadId_ &&
                 length_ == aheadPosition_;
  if (started)
    ahead_ = false; // this call's now; set again below when it goes on
  else if (llmc_status_t s = dropAhead())
    return s;
  if (llmc_status_t s = ensureArena(t))
    return s;
  if (started) {
    // Its input is on the device already, written by the argmax before it.
  } else if (t == 1) {
    hostStep_[0] = ids[0];
    hostStep_[1] = int32_t(length_);
    if (CUresult r = d.cuMemcpyHtoDAsync(ids_, &hostStep_[0], 4, stream_))
      return d.error(r, "uploading the token id");
    if (CUresult r = d.cuMemcpyHtoDAsync(positions_, &hostStep_[1], 4, stream_))
      return d.error(r, "uploading the position");
  } else {
    std::vector<int32_t> positions(static_cast<size_t>(t));
    for (int64_t r = 0; r < t; ++r)
      positions[size_t(r)] = int32_t(length_ + r);
    // On the session's stream, in order with its kernels; the copies are
    // staged from pageable memory before these calls return.
    if (CUresult r = d.cuMemcpyHtoDAsync(ids_, ids, size_t(t) * 4, stream_))
      return d.error(r, "uploading token ids");
    if (CUresult r = d.cuMemcpyHtoDAsync(positions_, positions.data(),
                                         size_t(t) * 4, stream_))
      return d.error(r, "uploading positions");
  }
  llmc_status_t status = started                ? nullptr
                         : t == 1 && useGraphs_ ? launchDecodeGraph()
                                                : enqueueSteps(t, allLogits);
  if (status) {
    d.cuStreamSynchronize(stream_);
    return status;
  }
  CUdeviceptr result =
      arena_ + CUdeviceptr(t * plan.buffers[size_t(plan.logits)].offset) * 4 +
      CUdeviceptr(plan.logitsOffset(t, allLogits)) * 4;
  size_t rows = size_t(allLogits ? t : 1);
  size_t bytes = rows * size_t(plan.vocabSize) * 4;
  // The copy waits for the kernels: the one host sync of a step.
  if (rows == 1 && argmax && t == 1 && decodeAhead_) {
    // The graph's argmax wrote the id to hostStep_[4 + (position & 1)].
    // With `ahead`, the next step is started before waiting for this one;
    // its id is this one's, and the position one more (the argmax advanced
    // both on the device). Not when that position is beyond the cache.
    bool goOn = ahead && length_ + 1 < capacity_;
    if (CUresult r = d.cuEventRecord(stepDone_, stream_)) {
      d.cuStreamSynchronize(stream_);
      return d.error(r, "cuEventRecord");
    }
    // The step is done or failing either way: a next step that cannot be
    // launched is only not started ahead (the next call launches it, or
    // reports what is wrong).
    if (goOn)
      if (llmc_status_t s = launchDecodeGraph()) {
        llmc_status_free(s);
        goOn = false;
      }
    if (CUresult r = d.cuEventSynchronize(stepDone_)) {
      d.cuStreamSynchronize(stream_);
      return d.error(r, "running the step (a kernel failed)");
    }
    *argmax = hostStep_[4 + (length_ & 1)];
    ahead_ = goOn;
    aheadId_ = *argmax;
    aheadPosition_ = length_ + 1;
  } else if (rows == 1 && argmax) {
    if (!(t == 1 && useGraphs_))
      if (llmc_status_t s = enqueueArgmax(t, false)) {
        d.cuStreamSynchronize(stream_);
        return s;
      }
    if (CUresult r = d.cuMemcpyDtoHAsync(&hostStep_[2], argmax_, 4, stream_))
      return d.error(r, "reading the argmax");
    if (CUresult r = d.cuStreamSynchronize(stream_))
      return d.error(r, "running the step (a kernel failed)");
    *argmax = hostStep_[2];
  } else if (rows == 1) {
    if (CUresult r = d.cuMemcpyDtoHAsync(hostLogits_, result, bytes, stream_))
      return d.error(r, "reading the logits");
    if (CUresult r = d.cuStreamSynchronize(stream_))
      return d.error(r, "running the step (a kernel failed)");
    std::memcpy(logits, hostLogits_, bytes);
  } else {
    if (CUresult r = d.cuStreamSynchronize(stream_))
      return d.error(r, "running the step (a kernel failed)");
    if (CUresult r = d.cuMemcpyDtoH(logits, result, bytes))
      return d.error(r, "reading the logits");
  }
  if (profile_)
    recordProfile(t);
  length_ += t;
  return nullptr;
}

} // namespace llmc::cuda
