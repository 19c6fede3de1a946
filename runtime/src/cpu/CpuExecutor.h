//===- CpuExecutor.h - runs a plan on the cpu device ------------*- C++ -*-===//

#ifndef LLMC_RUNTIME_CPU_CPUEXECUTOR_H
#define LLMC_RUNTIME_CPU_CPUEXECUTOR_H

#include "cpu/KvCache.h"
#include "cpu/ThreadPool.h"
#include "plan/Plan.h"

#include "llmc/llmc.h"

#include <vector>

namespace llmc::cpu {

/// Runs the forward entry point of a plan, one step at a time, over an arena
/// sized for the call's T tokens. Not thread-safe: one call at a time.
class CpuExecutor {
public:
  /// `weights` is the artifact's weights section; it outlives the executor.
  CpuExecutor(const plan::Plan &plan, const uint8_t *weights, unsigned threads);

  /// Runs the T tokens `ids` at positions cache.length() onwards, then
  /// commits them to the cache. Writes [T, vocab] logits to `logits`, or
  /// only the last token's [vocab] when `allLogits` is false.
  llmc_status_t forward(KvCache &cache, const int32_t *ids, int64_t t,
                        bool allLogits, float *logits);

  /// Called with the input ([rows, features]) of every float linear step
  /// before it runs: calibration for quantization.
  using LinearObserver = void (*)(void *user, int32_t step, const float *input,
                                  int64_t rows, int64_t features);
  void observeLinearInputs(LinearObserver observer, void *user) {
    linearObserver = observer;
    linearObserverUser = user;
  }

private:
  void attention(const plan::Step &step, KvCache &cache, int64_t t,
                 const int32_t *positions);
  float *buffer(int32_t id, int64_t t) {
    return arena.data() + t * plan.buffers[size_t(id)].offset;
  }
  const float *weight(int32_t id) const {
    return reinterpret_cast<const float *>(weights +
                                           plan.weights[size_t(id)].offset);
  }

  const plan::Plan &plan;
  const uint8_t *weights;
  ThreadPool pool;
  std::vector<float> arena;
  LinearObserver linearObserver = nullptr;
  void *linearObserverUser = nullptr;
  /// A gated linear step's up projection.
  std::vector<float> gatedScratch;
  /// A fused-norm linear step's normalized input.
  std::vector<float> normScratch;
  /// Per step: the step without its fused norm and residual
  /// (plan::withoutFusions), which the kernels below run.
  std::vector<plan::Step> plainSteps;
};

} // namespace llmc::cpu

#endif // LLMC_RUNTIME_CPU_CPUEXECUTOR_H
