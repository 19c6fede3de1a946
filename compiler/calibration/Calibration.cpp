//===- Calibration.cpp - runs calibration text through a model ------------===//

#include "compiler/calibration/Calibration.h"

#include "compiler/artifact/WriteArtifact.h"
#include "compiler/lowering/PlanBuilder.h"
#include "dialects/llm/LlmOps.h"
#include "llmc/llmc.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cblas.h>

namespace llmc::calibration {
namespace {

llvm::Error statusError(llmc_status_t status, const std::string &what) {
  std::string message = what + ": " + llmc_status_message(status);
  llmc_status_free(status);
  return llvm::createStringError(message);
}

/// What the observer callback needs.
struct Gatherer {
  const std::vector<mlir::Operation *> *stepOps;
  quantization::LinearStatisticsMap *statistics;
  std::vector<float> gram;
};

void observe(void *user, int32_t step, const float *input, int64_t rows,
             int64_t k) {
  auto *g = static_cast<Gatherer *>(user);
  mlir::Operation *op = (*g->stepOps)[size_t(step)];
  if (!mlir::isa<llm::LinearOp>(op))
    return;
  quantization::LinearStatistics &s = (*g->statistics)[op];
  if (s.gram.empty()) {
    s.k = k;
    s.gram.assign(size_t(k * k), 0.0);
  }
  // gram = input^T input (upper triangle), added in double.
  g->gram.assign(size_t(k * k), 0.0f);
  cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, int(k), int(rows), 1.0f,
              input, int(k), 0.0f, g->gram.data(), int(k));
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i; j < k; ++j) {
      double v = g->gram[size_t(i * k + j)];
      s.gram[size_t(i * k + j)] += v;
      if (j != i)
        s.gram[size_t(j * k + i)] += v;
    }
  s.rows += rows;
}

} // namespace

llvm::Expected<quantization::LinearStatisticsMap>
calibrate(mlir::ModuleOp module, const CalibrationOptions &options) {
  auto text = llvm::MemoryBuffer::getFile(options.textPath);
  if (!text)
    return llvm::createStringError("cannot read the calibration text '" +
                                   options.textPath +
                                   "': " + text.getError().message());
  lowering::PlanOptions planOptions;
  planOptions.maxContext = options.maxContext;
  llvm::Expected<lowering::LoweredPlan> lowered =
      lowering::buildPlan(module, planOptions);
  if (!lowered)
    return lowered.takeError();
  lowered->plan["target"] = "cpu";
  std::vector<mlir::Operation *> stepOps = lowered->stepOps;

  llvm::SmallString<128> path;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("llmc-calibration", "llmc", path))
    return llvm::createStringError("cannot make a temporary file: " +
                                   ec.message());
  struct Cleanup {
    llvm::SmallString<128> &path;
    ~Cleanup() { llvm::sys::fs::remove(path); }
  } cleanup{path};
  artifact::ArtifactOptions artifactOptions;
  artifactOptions.modelPath = options.modelPath;
  artifactOptions.target = "cpu";
  if (llvm::Error e = artifact::writeArtifact(path, *lowered, artifactOptions))
    return std::move(e);

  llmc_model_options_t modelOptions;
  llmc_model_options_init(&modelOptions);
  modelOptions.device = "cpu";
  llmc_model_t model = nullptr;
  if (llmc_status_t s = llmc_model_load(path.c_str(), &modelOptions, &model))
    return statusError(s, "loading the calibration model");
  std::unique_ptr<llmc_model_s, void (*)(llmc_model_t)> ownedModel(
      model, llmc_model_free);

  llvm::StringRef content = (*text)->getBuffer();
  std::vector<int32_t> ids(content.size() + 16);
  size_t count = 0;
  if (llmc_status_t s = llmc_tokenize(model, content.data(), content.size(), 1,
                                      ids.data(), ids.size(), &count))
    return statusError(s, "tokenizing the calibration text");
  ids.resize(std::min<size_t>(count, size_t(options.maxTokens)));
  if (ids.size() < 2)
    return llvm::createStringError("the calibration text '" + options.textPath +
                                   "' has too few tokens");

  int64_t window = std::min<int64_t>(options.window, options.maxContext);
  llmc_session_options_t sessionOptions;
  llmc_session_options_init(&sessionOptions);
  sessionOptions.max_context = int32_t(window);
  llmc_session_t session = nullptr;
  if (llmc_status_t s = llmc_session_create(model, &sessionOptions, &session))
    return statusError(s, "creating the calibration session");
  std::unique_ptr<llmc_session_s, void (*)(llmc_session_t)> ownedSession(
      session, llmc_session_free);

  quantization::LinearStatisticsMap statistics;
  Gatherer gatherer{&stepOps, &statistics, {}};
  if (llmc_status_t s =
          llmc_session_observe_linear_inputs(session, observe, &gatherer))
    return statusError(s, "observing the calibration run");
  std::vector<float> logits(size_t(llmc_model_vocab_size(model)));
  for (size_t start = 0; start < ids.size(); start += size_t(window)) {
    size_t n = std::min(ids.size() - start, size_t(window));
    llmc_session_truncate(session, 0);
    if (llmc_status_t s = llmc_session_forward(session, ids.data() + start, n,
                                               0, logits.data(), logits.size()))
      return statusError(s, "running the calibration text");
  }
  if (options.progress)
    options.progress(llvm::formatv("calibrated {0} linear layers on {1} "
                                   "tokens of {2}",
                                   statistics.size(), ids.size(),
                                   options.textPath)
                         .str());
  return statistics;
}

} // namespace llmc::calibration
