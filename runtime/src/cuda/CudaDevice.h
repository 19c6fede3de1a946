//===- CudaDevice.h - runs a plan on an NVIDIA GPU --------------*- C++ -*-===//
//
// CudaModel loads the artifact's fatbin and uploads the weights once;
// CudaSession holds one sequence's KV cache and activation arena on the GPU
// and runs the plan's steps as kernel launches on the default stream,
// reading back only the logits. Activations and the KV cache are float32;
// 16-bit matrices stay 16-bit.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_CUDA_CUDADEVICE_H
#define LLMC_RUNTIME_CUDA_CUDADEVICE_H

#include "cuda/CudaDriver.h"
#include "plan/Plan.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace llmc::cuda {

class CudaModel {
public:
  /// Loads `fatbin` and uploads every weight of `plan` from `weights`.
  static llmc_status_t create(const plan::Plan &plan, const uint8_t *weights,
                              const uint8_t *fatbin, uint64_t fatbinSize,
                              std::unique_ptr<CudaModel> &out);
  ~CudaModel();

  const Driver &driver() const { return *driver_; }
  const plan::Plan &plan() const { return plan_; }
  CUdeviceptr weight(int32_t id) const { return weights_[size_t(id)]; }
  /// The kernel named `name` ("llmc_linear_bf16", ...).
  llmc_status_t function(const std::string &name, CUfunction &out) const;
  llmc_status_t makeCurrent() const;

private:
  CudaModel(const plan::Plan &plan) : plan_(plan) {}
  const Driver *driver_ = nullptr;
  const plan::Plan &plan_;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  CUmodule module_ = nullptr;
  std::vector<CUdeviceptr> weights_;
  mutable std::map<std::string, CUfunction> functions_;
};

class CudaSession {
public:
  static llmc_status_t create(const CudaModel &model, int64_t capacity,
                              std::unique_ptr<CudaSession> &out);
  ~CudaSession();

  int64_t length() const { return length_; }
  int64_t capacity() const { return capacity_; }
  void truncate(int64_t length) {
    if (length >= 0 && length < length_)
      length_ = length;
  }
  /// As CpuExecutor::forward.
  llmc_status_t forward(const int32_t *ids, int64_t t, bool allLogits,
                        float *logits);

private:
  CudaSession(const CudaModel &model) : model(model) {}
  llmc_status_t ensureArena(int64_t t);
  llmc_status_t launch(const std::string &name, unsigned grid, unsigned block,
                       unsigned sharedBytes, std::vector<void *> args);

  const CudaModel &model;
  int64_t capacity_ = 0, length_ = 0, arenaTokens_ = 0;
  std::vector<CUdeviceptr> keys_, values_;
  CUdeviceptr arena_ = 0, ids_ = 0, positions_ = 0;
};

} // namespace llmc::cuda

#endif // LLMC_RUNTIME_CUDA_CUDADEVICE_H
