//===- RuntimeCommands.cpp - llmc run, logits, perplexity, inspect --------===//
//
// The commands that run an artifact. They use only the runtime's C API, as
// an application embedding llmc would.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Commands.h"

#include "llmc/llmc.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

using namespace llvm;

namespace llmc::driver {
namespace {

struct StatusDeleter {
  void operator()(llmc_status_s *s) const { llmc_status_free(s); }
};
struct ModelDeleter {
  void operator()(llmc_model_s *m) const { llmc_model_free(m); }
};
struct SessionDeleter {
  void operator()(llmc_session_s *s) const { llmc_session_free(s); }
};
using ModelPtr = std::unique_ptr<llmc_model_s, ModelDeleter>;
using SessionPtr = std::unique_ptr<llmc_session_s, SessionDeleter>;

/// Reports a failed status as `llmc: error: <command>: <message>`.
int reportStatus(StringRef command, llmc_status_t status) {
  std::unique_ptr<llmc_status_s, StatusDeleter> owned(status);
  return reportError(command + ": " + llmc_status_message(status));
}

/// Parses "1,2,3" into token ids.
Expected<std::vector<int32_t>> parseIds(StringRef text) {
  std::vector<int32_t> ids;
  SmallVector<StringRef> parts;
  text.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef part : parts) {
    int32_t id;
    if (part.trim().getAsInteger(10, id) || id < 0)
      return createStringError("--ids: '" + part.str() + "' is not a token id");
    ids.push_back(id);
  }
  if (ids.empty())
    return createStringError("--ids: no token ids given");
  return ids;
}

/// Writes a float32 array of `shape` in NumPy's .npy format (version 1.0).
Error writeNpy(StringRef path, ArrayRef<float> data, ArrayRef<int64_t> shape) {
  std::string dims;
  for (int64_t d : shape)
    dims += std::to_string(d) + ", ";
  if (shape.size() > 1)
    dims.resize(dims.size() - 2);
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + length (2) + header, padded to 64 with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return createStringError("cannot write '" + path + "': " + ec.message());
  os << "\x93NUMPY" << char(1) << char(0);
  uint16_t length = uint16_t(header.size());
  os << char(length & 0xFF) << char(length >> 8) << header;
  os.write(reinterpret_cast<const char *>(data.data()), data.size() * 4);
  if (os.has_error())
    return createStringError("cannot write '" + path + "'");
  return Error::success();
}

llmc_status_t loadModel(StringRef path, int threads, ModelPtr &out,
                        const char *device = nullptr) {
  llmc_model_options_t options;
  llmc_model_options_init(&options);
  options.num_threads = threads;
  options.device = device;
  llmc_model_t model = nullptr;
  std::string p = path.str();
  if (llmc_status_t s = llmc_model_load(p.c_str(), &options, &model))
    return s;
  out.reset(model);
  return nullptr;
}

/// Tokenizes with the artifact's tokenizer.
Expected<std::vector<int32_t>> tokenize(llmc_model_t model, StringRef text,
                                        bool addSpecial) {
  size_t count = 0;
  std::vector<int32_t> ids(text.size() + 16);
  llmc_status_t s = llmc_tokenize(model, text.data(), text.size(), addSpecial,
                                  ids.data(), ids.size(), &count);
  if (s && llmc_status_code(s) == LLMC_STATUS_OUT_OF_RANGE) {
    llmc_status_free(s);
    ids.resize(count);
    s = llmc_tokenize(model, text.data(), text.size(), addSpecial, ids.data(),
                      ids.size(), &count);
  }
  if (s) {
    std::string message = llmc_status_message(s);
    llmc_status_free(s);
    return createStringError(message);
  }
  ids.resize(count);
  return ids;
}

cl::opt<int>
    threadsOption("threads",
                  cl::desc("cpu threads (default: one per hardware thread)"),
                  cl::init(0), cl::sub(logitsCommand), cl::sub(runCommand),
                  cl::sub(perplexityCommand));

} // namespace

//===----------------------------------------------------------------------===//
// llmc logits
//===----------------------------------------------------------------------===//

cl::SubCommand logitsCommand("logits", "run one forward pass and save the "
                                       "logits of every token as .npy");
namespace {
cl::opt<std::string> logitsArtifact(cl::Positional, cl::desc("MODEL.llmc"),
                                    cl::Required, cl::sub(logitsCommand));
cl::opt<std::string> logitsIds("ids", cl::desc("token ids, e.g. 1,2,3"),
                               cl::Required, cl::sub(logitsCommand));
cl::opt<std::string> logitsOutput("o",
                                  cl::desc("the .npy file, float32 [T, vocab]"),
                                  cl::value_desc("OUT.npy"), cl::Required,
                                  cl::sub(logitsCommand));
} // namespace

int runLogits() {
  Expected<std::vector<int32_t>> ids = parseIds(logitsIds);
  if (!ids)
    return reportError("logits: " + toString(ids.takeError()));
  ModelPtr model;
  if (llmc_status_t s = loadModel(logitsArtifact, threadsOption, model))
    return reportStatus("logits", s);
  llmc_session_t session = nullptr;
  if (llmc_status_t s = llmc_session_create(model.get(), nullptr, &session))
    return reportStatus("logits", s);
  SessionPtr owned(session);
  int64_t vocab = llmc_model_vocab_size(model.get());
  std::vector<float> logits(ids->size() * size_t(vocab));
  if (llmc_status_t s = llmc_session_forward(session, ids->data(), ids->size(),
                                             1, logits.data(), logits.size()))
    return reportStatus("logits", s);
  if (Error e = writeNpy(logitsOutput, logits, {int64_t(ids->size()), vocab}))
    return reportError("logits: " + toString(std::move(e)));
  return 0;
}

//===----------------------------------------------------------------------===//
// llmc inspect
//===----------------------------------------------------------------------===//

cl::SubCommand inspectCommand("inspect",
                              "print an artifact's manifest: shapes, "
                              "kernels per step, sizes");
namespace {
cl::opt<std::string> inspectArtifact(cl::Positional, cl::desc("MODEL.llmc"),
                                     cl::Required, cl::sub(inspectCommand));
} // namespace

int runInspect() {
  ModelPtr model;
  if (llmc_status_t s = loadModel(inspectArtifact, 1, model, "none"))
    return reportStatus("inspect", s);
  outs() << llmc_model_manifest(model.get()) << "\n";
  return 0;
}

//===----------------------------------------------------------------------===//
// llmc run
//===----------------------------------------------------------------------===//

cl::SubCommand runCommand("run", "generate text from a prompt");
namespace {
cl::opt<std::string> runArtifact(cl::Positional, cl::desc("MODEL.llmc"),
                                 cl::Required, cl::sub(runCommand));
cl::opt<std::string> runPrompt("prompt", cl::desc("the prompt text"),
                               cl::sub(runCommand));
cl::opt<std::string> runIds("ids",
                            cl::desc("the prompt as token ids, e.g. 1,2,3"),
                            cl::sub(runCommand));
cl::opt<int> runTokens("n", cl::desc("most tokens to generate (default 128)"),
                       cl::init(128), cl::sub(runCommand));
cl::opt<float> runTemperature("temperature",
                              cl::desc("sampling temperature; 0 (the "
                                       "default) is greedy"),
                              cl::init(0.0f), cl::sub(runCommand));
cl::opt<int> runTopK("top-k", cl::desc("keep the k most likely tokens"),
                     cl::init(0), cl::sub(runCommand));
cl::opt<float> runTopP("top-p", cl::desc("nucleus sampling mass"),
                       cl::init(1.0f), cl::sub(runCommand));
cl::opt<float> runMinP("min-p",
                       cl::desc("drop tokens below min-p times the best"),
                       cl::init(0.0f), cl::sub(runCommand));
cl::opt<float> runRepetitionPenalty("repetition-penalty",
                                    cl::desc("penalty for repeated tokens"),
                                    cl::init(1.0f), cl::sub(runCommand));
cl::opt<uint64_t> runSeed("seed", cl::desc("sampling seed"), cl::init(0),
                          cl::sub(runCommand));
cl::list<std::string> runStop("stop",
                              cl::desc("stop when the text contains this "
                                       "(repeatable)"),
                              cl::sub(runCommand));
cl::opt<bool> runIgnoreEos("ignore-eos",
                           cl::desc("generate past end-of-sequence tokens"),
                           cl::sub(runCommand));
cl::opt<bool> runPrintIds("print-ids",
                          cl::desc("print the generated token ids, comma "
                                   "separated, instead of text"),
                          cl::sub(runCommand));
cl::opt<bool> runQuiet("quiet", cl::desc("no timing line on stderr"),
                       cl::sub(runCommand));
cl::opt<int> runMaxContext("max-context",
                           cl::desc("KV cache capacity in tokens (default: "
                                    "the model's max context)"),
                           cl::init(0), cl::sub(runCommand));

struct RunState {
  std::vector<int32_t> generated;
  std::chrono::steady_clock::time_point start, first;
  bool printIds;
};

int32_t onRunToken(void *user, int32_t id, const char *text, size_t length) {
  auto *state = static_cast<RunState *>(user);
  if (id >= 0) {
    if (state->generated.empty())
      state->first = std::chrono::steady_clock::now();
    state->generated.push_back(id);
  }
  if (!state->printIds && text) {
    outs().write(text, length);
    outs().flush();
  }
  return 0;
}
} // namespace

int runRun() {
  if (runPrompt.getNumOccurrences() == runIds.getNumOccurrences())
    return reportError("run: give either --prompt TEXT or --ids 1,2,3");
  ModelPtr model;
  auto loadStart = std::chrono::steady_clock::now();
  if (llmc_status_t s = loadModel(runArtifact, threadsOption, model))
    return reportStatus("run", s);
  double loadSeconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - loadStart)
                           .count();
  std::vector<int32_t> prompt;
  if (runIds.getNumOccurrences()) {
    Expected<std::vector<int32_t>> ids = parseIds(runIds);
    if (!ids)
      return reportError("run: " + toString(ids.takeError()));
    prompt = std::move(*ids);
  } else {
    Expected<std::vector<int32_t>> ids =
        tokenize(model.get(), runPrompt, /*addSpecial=*/true);
    if (!ids)
      return reportError("run: " + toString(ids.takeError()));
    prompt = std::move(*ids);
    if (!runPrintIds)
      outs() << runPrompt;
  }
  llmc_session_t session = nullptr;
  llmc_session_options_t sessionOptions;
  llmc_session_options_init(&sessionOptions);
  sessionOptions.max_context = runMaxContext;
  if (llmc_status_t s =
          llmc_session_create(model.get(), &sessionOptions, &session))
    return reportStatus("run", s);
  SessionPtr owned(session);

  std::vector<const char *> stops;
  for (const std::string &stop : runStop)
    stops.push_back(stop.c_str());
  llmc_generate_options_t options;
  llmc_generate_options_init(&options);
  options.max_new_tokens = runTokens;
  options.temperature = runTemperature;
  options.top_k = runTopK;
  options.top_p = runTopP;
  options.min_p = runMinP;
  options.repetition_penalty = runRepetitionPenalty;
  options.seed = runSeed;
  options.stop_strings = stops.data();
  options.num_stop_strings = stops.size();
  options.ignore_eos = runIgnoreEos;
  RunState state;
  state.printIds = runPrintIds;
  state.start = std::chrono::steady_clock::now();
  llmc_stop_reason_t reason;
  if (llmc_status_t s = llmc_generate(session, prompt.data(), prompt.size(),
                                      &options, onRunToken, &state, &reason))
    return reportStatus("run", s);
  auto end = std::chrono::steady_clock::now();
  if (runPrintIds) {
    for (size_t i = 0; i < state.generated.size(); ++i)
      outs() << (i ? "," : "") << state.generated[i];
  }
  outs() << "\n";
  outs().flush();
  if (!runQuiet && !state.generated.empty()) {
    using seconds = std::chrono::duration<double>;
    double prefill = seconds(state.first - state.start).count();
    double decode = seconds(end - state.first).count();
    size_t decoded = state.generated.size() - 1;
    static const char *const reasons[] = {"end of sequence", "token limit",
                                          "stop string", "context full",
                                          "stopped"};
    errs() << formatv("llmc: loaded in {6:f2} s; prompt {0} tokens in {1:f3} "
                      "s ({2:f1} tok/s); generated {3} tokens, decode {4:f1} "
                      "tok/s; stopped at {5}\n",
                      prompt.size(), prefill, double(prompt.size()) / prefill,
                      state.generated.size(),
                      decoded ? double(decoded) / decode : 0.0,
                      reasons[int(reason)], loadSeconds);
  }
  return 0;
}

//===----------------------------------------------------------------------===//
// llmc perplexity
//===----------------------------------------------------------------------===//

cl::SubCommand perplexityCommand("perplexity",
                                 "perplexity of the model on a text file");
namespace {
cl::opt<std::string> perplexityArtifact(cl::Positional, cl::desc("MODEL.llmc"),
                                        cl::Required,
                                        cl::sub(perplexityCommand));
cl::opt<std::string> perplexityText("text", cl::desc("UTF-8 text file"),
                                    cl::value_desc("FILE"), cl::Required,
                                    cl::sub(perplexityCommand));
cl::opt<int> perplexityContext(
    "ctx",
    cl::desc("tokens per window (default: the artifact's context); the "
             "text, after the model's BOS token, is cut into consecutive "
             "full windows, each scored from its start"),
    cl::value_desc("N"), cl::init(0), cl::sub(perplexityCommand));
} // namespace

int runPerplexity() {
  auto buffer = MemoryBuffer::getFile(perplexityText, /*IsText=*/true);
  if (!buffer)
    return reportError("perplexity: cannot read '" + perplexityText +
                       "': " + buffer.getError().message());
  ModelPtr model;
  if (llmc_status_t s = loadModel(perplexityArtifact, threadsOption, model))
    return reportStatus("perplexity", s);
  Expected<std::vector<int32_t>> ids =
      tokenize(model.get(), (*buffer)->getBuffer(), /*addSpecial=*/false);
  if (!ids)
    return reportError("perplexity: " + toString(ids.takeError()));
  int ctx = perplexityContext ? perplexityContext.getValue()
                              : llmc_model_max_context(model.get());
  if (ctx < 2 || ctx > llmc_model_max_context(model.get()))
    return reportError(formatv("perplexity: --ctx must be between 2 and the "
                               "artifact's context of {0}",
                               llmc_model_max_context(model.get())));
  // The text is one document: it starts with the model's BOS token, as in
  // training, unless the tokenizer put one there already.
  int32_t bos = llmc_model_bos_id(model.get());
  if (bos >= 0 && (ids->empty() || ids->front() != bos))
    ids->insert(ids->begin(), bos);
  if (ids->size() < 2)
    return reportError("perplexity: '" + perplexityText +
                       "' has fewer than 2 tokens");
  // Full windows only, unless the text is shorter than one: a short tail
  // window would be scored with little context.
  size_t usable = ids->size() < size_t(ctx)
                      ? ids->size()
                      : ids->size() / size_t(ctx) * size_t(ctx);
  llmc_session_t session = nullptr;
  if (llmc_status_t s = llmc_session_create(model.get(), nullptr, &session))
    return reportStatus("perplexity", s);
  SessionPtr owned(session);
  size_t vocab = size_t(llmc_model_vocab_size(model.get()));
  double nll = 0;
  size_t scored = 0, windows = 0;
  std::vector<float> logits;
  for (size_t begin = 0; begin + 1 < usable; begin += size_t(ctx)) {
    size_t n = std::min(size_t(ctx), usable - begin);
    if (n < 2)
      break;
    llmc_session_truncate(session, 0);
    logits.resize(n * vocab);
    if (llmc_status_t s = llmc_session_forward(session, ids->data() + begin, n,
                                               1, logits.data(), logits.size()))
      return reportStatus("perplexity", s);
    for (size_t i = 0; i + 1 < n; ++i) {
      const float *row = logits.data() + i * vocab;
      float best = *std::max_element(row, row + vocab);
      double total = 0;
      for (size_t v = 0; v < vocab; ++v)
        total += std::exp(double(row[v]) - best);
      nll -= double(row[(*ids)[begin + i + 1]]) - best - std::log(total);
      ++scored;
    }
    ++windows;
  }
  outs() << formatv("tokens: {0} scored in {1} windows of up to {2}\n", scored,
                    windows, ctx);
  outs() << formatv("perplexity: {0:f4}\n", std::exp(nll / double(scored)));
  return 0;
}

} // namespace llmc::driver
