//===- Handles.h - what the C API's opaque handles hold ---------*- C++ -*-===//

#ifndef LLMC_RUNTIME_API_HANDLES_H
#define LLMC_RUNTIME_API_HANDLES_H

#include "artifact/Artifact.h"
#include "cpu/CpuExecutor.h"
#include "cpu/KvCache.h"
#include "cuda/CudaDevice.h"
#include "plan/Plan.h"
#include "tokenizer/Tokenizer.h"

#include "llmc/llmc.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct llmc_model_s {
  std::unique_ptr<llmc::artifact::Artifact> artifact;
  llmc::plan::Plan plan;
  std::string manifest;
  std::vector<int32_t> eosIds;
  int32_t bosId = -1;
  int32_t numThreads = 0;
  /// Null when the artifact has none or it could not be read; then
  /// tokenizerError says why.
  std::unique_ptr<llmc::tokenizer::Tokenizer> tokenizer;
  std::string tokenizerError;
  /// Set when the model runs on the cuda device.
  std::unique_ptr<llmc::cuda::CudaModel> cuda;
  /// "cpu", "cuda" or "none" (checked and readable, but cannot run).
  std::string device;
};

struct llmc_session_s {
  llmc_model_s *model = nullptr;
  /// The cpu device's cache and executor, or the cuda device's session.
  std::unique_ptr<llmc::cpu::KvCache> cache;
  std::unique_ptr<llmc::cpu::CpuExecutor> executor;
  std::unique_ptr<llmc::cuda::CudaSession> cuda;

  int64_t length() const { return cuda ? cuda->length() : cache->length(); }
  int64_t capacity() const {
    return cuda ? cuda->capacity() : cache->capacity();
  }
};

namespace llmc::generate {
class TextStream;
/// The streaming decoder of the model's tokenizer; null without one.
std::unique_ptr<TextStream> makeTextStream(const llmc_model_s &model);
} // namespace llmc::generate

#endif // LLMC_RUNTIME_API_HANDLES_H
