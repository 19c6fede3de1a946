//===- CudaDevice.cpp - runs a plan on an NVIDIA GPU ----------------------===//

#include "cuda/CudaDevice.h"

#include <algorithm>
#include <cstring>

namespace llmc::cuda {

using plan::DType;
using plan::Kernel;
using plan::Step;

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

llmc_status_t CudaModel::function(const std::string &name,
                                  CUfunction &out) const {
  auto it = functions_.find(name);
  if (it != functions_.end()) {
    out = it->second;
    return nullptr;
  }
  if (CUresult r = driver_->cuModuleGetFunction(&out, module_, name.c_str()))
    return driver_->error(r, "the artifact's kernels lack '" + name + "'");
  functions_[name] = out;
  return nullptr;
}

llmc_status_t CudaSession::create(const CudaModel &model, int64_t capacity,
                                  std::unique_ptr<CudaSession> &out) {
  std::unique_ptr<CudaSession> s(new CudaSession(model));
  s->capacity_ = capacity;
  const Driver &d = model.driver();
  if (llmc_status_t st = model.makeCurrent())
    return st;
  const plan::KvCacheShape &kv = model.plan().kvCache;
  size_t bytes = size_t(capacity * kv.kvHeads * kv.headDim) * 4;
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
  out = std::move(s);
  return nullptr;
}

CudaSession::~CudaSession() {
  const Driver &d = model.driver();
  model.makeCurrent();
  for (CUdeviceptr p : keys_)
    d.cuMemFree(p);
  for (CUdeviceptr p : values_)
    d.cuMemFree(p);
  for (CUdeviceptr p : {arena_, ids_, positions_})
    if (p)
      d.cuMemFree(p);
}

llmc_status_t CudaSession::ensureArena(int64_t t) {
  if (t <= arenaTokens_)
    return nullptr;
  const Driver &d = model.driver();
  for (CUdeviceptr *p : {&arena_, &ids_, &positions_})
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
  arenaTokens_ = t;
  return nullptr;
}

llmc_status_t CudaSession::launch(const std::string &name, unsigned grid,
                                  unsigned block, unsigned sharedBytes,
                                  std::vector<void *> args) {
  CUfunction f;
  if (llmc_status_t s = model.function(name, f))
    return s;
  if (grid == 0)
    return nullptr;
  const Driver &d = model.driver();
  if (CUresult r = d.cuLaunchKernel(f, grid, 1, 1, block, 1, 1, sharedBytes,
                                    nullptr, args.data(), nullptr))
    return d.error(r, "launching " + name);
  return nullptr;
}

llmc_status_t CudaSession::forward(const int32_t *ids, int64_t t,
                                   bool allLogits, float *logits) {
  const plan::Plan &plan = model.plan();
  const Driver &d = model.driver();
  if (llmc_status_t s = plan.checkForward(ids, t, length_, capacity_))
    return s;
  if (llmc_status_t s = model.makeCurrent())
    return s;
  if (llmc_status_t s = ensureArena(t))
    return s;
  std::vector<int32_t> positions(static_cast<size_t>(t));
  for (int64_t r = 0; r < t; ++r)
    positions[size_t(r)] = int32_t(length_ + r);
  if (CUresult r = d.cuMemcpyHtoD(ids_, ids, size_t(t) * 4))
    return d.error(r, "uploading token ids");
  if (CUresult r = d.cuMemcpyHtoD(positions_, positions.data(), size_t(t) * 4))
    return d.error(r, "uploading positions");

  auto buffer = [&](int32_t id) -> CUdeviceptr {
    return arena_ + CUdeviceptr(t * plan.buffers[size_t(id)].offset) * 4;
  };
  auto features = [&](int32_t id) {
    return int(plan.buffers[size_t(id)].features);
  };
  for (const Step &s : plan.steps) {
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
    llmc_status_t status = nullptr;
    switch (s.kernel) {
    case Kernel::Embedding: {
      float scale = float(s.number("scale", 1.0));
      CUdeviceptr index = s.name("index") == "positions" ? positions_ : ids_;
      int ti = int(t);
      status = launch(std::string("llmc_embedding_") +
                          plan::dtypeName(plan.weights[s.weights[0]].dtype),
                      unsigned(t), 256, 0,
                      {&ws[0], &fout, &index, &ti, &scale, &out[0]});
      break;
    }
    case Kernel::Linear: {
      status = launch(
          std::string("llmc_linear_") +
              plan::dtypeName(plan.weights[s.weights[0]].dtype),
          unsigned((fout + 7) / 8), 256, 0,
          {&in[0], &rows, &fin, &ws[0], &fout, &ws[1], &softcap, &out[0]});
      break;
    }
    case Kernel::LinearQuantized: {
      DType vt = plan.weights[s.weights[0]].dtype;
      int bits = vt == DType::I4 || vt == DType::U4 ? 4 : 8;
      int isSigned = vt == DType::I4 || vt == DType::I8;
      int group = int(s.integer("group"));
      status = launch("llmc_linear_quantized", unsigned((fout + 7) / 8), 256, 0,
                      {&in[0], &rows, &fin, &ws[0], &bits, &isSigned, &ws[1],
                       &ws[2], &group, &fout, &ws[3], &softcap, &out[0]});
      break;
    }
    case Kernel::RmsNorm:
    case Kernel::AddRmsNorm: {
      bool fused = s.kernel == Kernel::AddRmsNorm;
      CUdeviceptr residual = fused ? in[1] : none;
      CUdeviceptr sum = fused ? out[1] : none;
      float eps = float(s.number("epsilon"));
      int unit = int(s.integer("unit_offset"));
      status =
          launch("llmc_rms_norm", unsigned(rows), 256, 0,
                 {&in[0], &residual, &fin, &ws[0], &eps, &unit, &out[0], &sum});
      break;
    }
    case Kernel::LayerNorm: {
      float eps = float(s.number("epsilon"));
      status = launch("llmc_layer_norm", unsigned(rows), 256, 0,
                      {&in[0], &fin, &ws[0], &ws[1], &eps, &out[0]});
      break;
    }
    case Kernel::Rope: {
      int heads = int(s.integer("heads")), dim = int(s.integer("head_dim"));
      int half = int(plan.weights[s.weights[0]].shape[1]);
      int interleaved = s.name("style") == "interleaved";
      status = launch("llmc_rope", unsigned(rows * heads), 64, 0,
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
      status = launch("llmc_kv_append", unsigned(t), 256, 0,
                      {&in[1], &in[2], &row, &positions_, &keys, &values});
      if (!status)
        status = launch("llmc_attention", unsigned(t * heads), 128,
                        unsigned(length_ + t) * 4,
                        {&in[0], &heads, &kv, &dim, &positions_, &keys, &values,
                         &scale, &window, &softcap, &out[0]});
      break;
    }
    case Kernel::Slice: {
      int offset = int(s.integer("offset"));
      unsigned n = unsigned(rows) * unsigned(fout);
      status = launch("llmc_slice", (n + 255) / 256, 256, 0,
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
      else if (s.kernel == Kernel::Glu) {
        std::string act = s.name("activation");
        op = act == "silu" ? 6 : act == "gelu_tanh" ? 7 : 8;
      }
      CUdeviceptr b = in.size() > 1 ? in[1] : none;
      size_t n = size_t(rows) * size_t(fin);
      float factor = float(s.number("factor", 1.0));
      status = launch("llmc_elementwise", unsigned((n + 255) / 256), 256, 0,
                      {&in[0], &b, &n, &op, &factor, &out[0]});
      break;
    }
    }
    if (status)
      return status;
  }
  CUdeviceptr result =
      buffer(plan.logits) + CUdeviceptr(plan.logitsOffset(t, allLogits)) * 4;
  size_t bytes = size_t((allLogits ? t : 1) * plan.vocabSize) * 4;
  // The copy waits for the kernels: the one host sync of a step.
  if (CUresult r = d.cuMemcpyDtoH(logits, result, bytes))
    return d.error(r, "reading the logits (a kernel failed)");
  length_ += t;
  return nullptr;
}

} // namespace llmc::cuda
