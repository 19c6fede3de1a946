//===- WriteArtifact.h - packages a lowered model as .llmc ------*- C++ -*-===//
//
// Writes the artifact's sections: the weights in the layout the plan's
// kernels read (one tensor at a time), the plan with each weight's place,
// the manifest (what `llmc inspect` shows and the runtime needs before the
// plan: vocabulary, context, KV cache, stop tokens), and the tokenizer and
// generation config found beside the model.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_COMPILER_ARTIFACT_WRITEARTIFACT_H
#define LLMC_COMPILER_ARTIFACT_WRITEARTIFACT_H

#include "compiler/lowering/PlanBuilder.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace llmc::artifact {

struct ArtifactOptions {
  /// The .onnx file; its folder is searched for tokenizer.json,
  /// tokenizer_config.json, generation_config.json, genai_config.json and
  /// config.json.
  std::string modelPath;
  std::string target = "cpu";
  /// The cuda target's compiled kernels (section "cuda_fatbin") and the
  /// architectures they hold code for.
  std::vector<uint8_t> cudaFatbin;
  std::vector<std::string> cudaArchitectures;
  /// Kernel launches per decoded token (cuda; 0: not written).
  int64_t decodeLaunches = 0;
  /// Called with a one-line status as weights are packed.
  std::function<void(uint64_t done, uint64_t total, uint64_t bytes)> progress;
};

llvm::Error writeArtifact(llvm::StringRef outputPath,
                          lowering::LoweredPlan &lowered,
                          const ArtifactOptions &options);

} // namespace llmc::artifact

#endif // LLMC_COMPILER_ARTIFACT_WRITEARTIFACT_H
