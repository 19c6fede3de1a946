//===- CompileCommand.cpp - llmc compile ----------------------------------===//
//
// The compiler pipeline as named phases: import, raise, optimize, lower;
// `--compile-to=PHASE` prints the module (or, for lower, the plan) after
// that phase, and without it the lowered model is packaged as an .llmc file.
//
//===----------------------------------------------------------------------===//

#include "compiler/artifact/WriteArtifact.h"
#include "compiler/calibration/Calibration.h"
#include "compiler/driver/Commands.h"
#include "compiler/importer/GraphImporter.h"
#include "compiler/importer/OnnxModelFile.h"
#include "compiler/lowering/PlanBuilder.h"
#include "compiler/registration/Registration.h"
#include "compiler/targets/cuda/CudaTarget.h"
#include "passes/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <future>

using namespace llvm;

namespace llmc::driver {

cl::SubCommand compileCommand("compile",
                              "compile an ONNX model into an .llmc artifact");

namespace {

cl::opt<std::string> compileInput(cl::Positional, cl::desc("MODEL.onnx"),
                                  cl::Required, cl::sub(compileCommand));
cl::opt<std::string> compileOutput(
    "o",
    cl::desc("output file: the artifact (default: MODEL's name with .llmc, "
             "in the current folder), or with --compile-to the printed "
             "module ('-' for stdout, the default)"),
    cl::value_desc("OUT"), cl::sub(compileCommand));
cl::opt<std::string> compileTarget("target",
                                   cl::desc("device to compile for: cpu or "
                                            "cuda (needs nvcc)"),
                                   cl::value_desc("cpu|cuda"), cl::init("cpu"),
                                   cl::sub(compileCommand));
cl::opt<std::string>
    compileTo("compile-to",
              cl::desc("stop after this phase and print the module: import, "
                       "raise, optimize, or lower (prints the plan)"),
              cl::value_desc("PHASE"), cl::sub(compileCommand));
cl::opt<int64_t> compileMaxContext(
    "max-context",
    cl::desc("longest context (tokens) the artifact supports; default: "
             "max_position_embeddings or n_positions from config.json "
             "beside the model, "
             "else 4096"),
    cl::value_desc("N"), cl::init(0), cl::sub(compileCommand));
cl::opt<bool> compilePrintWeights(
    "print-weights",
    cl::desc("print the weights' data (hex) in the module's resource "
             "section, so that the printed module parses back whole"),
    cl::sub(compileCommand));
cl::opt<bool> compileQuiet("quiet", cl::desc("do not print progress to stderr"),
                           cl::sub(compileCommand));
cl::opt<std::string> compileQuantize(
    "quantize",
    cl::desc("weight-only quantization of the linear layers (round to "
             "nearest): int8 (per output channel) or int4 (group-wise); "
             "int4-awq scales channels by their activations (AWQ) and "
             "int4-gptq compensates rounding errors (GPTQ), both with --calib; "
             "the embeddings and the LM head stay 16-bit (see "
             "--quantize-lm-head)"),
    cl::value_desc("int8|int4|int4-awq|int4-gptq"), cl::sub(compileCommand));
cl::opt<int64_t> compileQuantizeGroup(
    "quantize-group",
    cl::desc("input features per scale: 32, 64 or 128 (int4; default 128), "
             "0 for a whole row (int8's default)"),
    cl::value_desc("N"), cl::init(-1), cl::sub(compileCommand));
cl::opt<bool> compileQuantizeAsymmetric(
    "quantize-asymmetric",
    cl::desc("unsigned values with a zero point per group (default: "
             "symmetric)"),
    cl::sub(compileCommand));
cl::opt<std::string> compileCalib(
    "calib",
    cl::desc("calibration text for int4-awq and int4-gptq: run through the "
             "model (cpu "
             "device, float32) to gather each linear layer's input "
             "statistics; not the text you evaluate on"),
    cl::value_desc("FILE"), cl::sub(compileCommand));
cl::opt<int64_t> compileCalibTokens(
    "calib-tokens", cl::desc("calibration tokens to use (default 4096)"),
    cl::value_desc("N"), cl::init(4096), cl::sub(compileCommand));
cl::opt<std::string> compileQuantizeLmHead(
    "quantize-lm-head",
    cl::desc("quantize the LM head too, rounded to nearest and symmetric: "
             "int8 (per output channel) or int4 (groups of --quantize-group, "
             "default 128); the embeddings stay 16-bit"),
    cl::value_desc("int8|int4"), cl::sub(compileCommand));
cl::list<std::string> compileQuantizeKeep(
    "quantize-keep",
    cl::desc("keep the weights whose name contains this in 16-bit "
             "(repeatable)"),
    cl::value_desc("NAME"), cl::sub(compileCommand));

cl::list<std::string> compileNoFuse(
    "no-fuse",
    cl::desc("skip these fusion passes (comma-separated: residual-linear, "
             "add-rms-norm, gated-mlp, linear-groups, rope-attention, "
             "norm-linear), to compare or to find which one changes a "
             "result"),
    cl::value_desc("NAME,..."), cl::CommaSeparated, cl::sub(compileCommand));

const char *const phases[] = {"import", "raise", "optimize", "lower"};
const char *const fusions[] = {"residual-linear", "add-rms-norm",
                               "gated-mlp",       "linear-groups",
                               "rope-attention",  "norm-linear"};

/// Progress lines on stderr, each with the seconds since the start; on a
/// terminal the weight-packing count updates in place.
class Progress {
public:
  explicit Progress(bool quiet)
      : quiet(quiet), start(std::chrono::steady_clock::now()),
        terminal(sys::Process::StandardErrIsDisplayed()) {}
  void line(const Twine &message) {
    if (quiet)
      return;
    endInPlace();
    errs() << formatv("llmc: [{0,5:f1} s] ", seconds()) << message << "\n";
  }
  void packing(uint64_t done, uint64_t total, uint64_t bytes) {
    if (quiet)
      return;
    bool last = done == total;
    // Off a terminal: a line every few seconds and the last, so logs stay
    // short.
    if (!terminal && !last && seconds() - lastLine < 5.0)
      return;
    lastLine = seconds();
    std::string text =
        formatv("llmc: [{0,5:f1} s] packing weights {1}/{2} ({3:f1} MiB)",
                seconds(), done, total, double(bytes) / (1 << 20))
            .str();
    if (terminal) {
      errs() << "\r" << text;
      inPlace = true;
      if (last)
        endInPlace();
    } else {
      errs() << text << "\n";
    }
  }

private:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  }
  void endInPlace() {
    if (inPlace)
      errs() << "\n";
    inPlace = false;
  }
  bool quiet;
  std::chrono::steady_clock::time_point start;
  bool terminal, inPlace = false;
  double lastLine = 0;
};

/// --max-context, or max_position_embeddings (n_positions) from config.json
/// beside the model, or 4096.
Expected<int64_t> resolveMaxContext() {
  if (compileMaxContext > 0)
    return compileMaxContext;
  if (compileMaxContext.getNumOccurrences())
    return createStringError("compile: --max-context must be positive, got " +
                             std::to_string(compileMaxContext));
  SmallString<256> config(sys::path::parent_path(compileInput));
  sys::path::append(config, "config.json");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(config, /*IsText=*/true);
  if (!buffer)
    return 4096;
  Expected<json::Value> parsed = json::parse((*buffer)->getBuffer());
  if (!parsed)
    return createStringError("compile: " + config.str().str() + ": " +
                             toString(parsed.takeError()));
  // GPT-2 configs name it n_positions.
  if (const json::Object *object = parsed->getAsObject())
    for (const char *key : {"max_position_embeddings", "n_positions"})
      if (std::optional<int64_t> n = object->getInteger(key))
        if (*n > 0)
          return *n;
  return 4096;
}

std::string defaultArtifactPath() {
  return (sys::path::stem(compileInput) + ".llmc").str();
}

int printModule(mlir::ModuleOp module, StringRef path) {
  std::error_code ec;
  ToolOutputFile output(path, ec, sys::fs::OF_None);
  if (ec)
    return reportError("compile: cannot write '" + path + "': " + ec.message());
  // Without --print-weights the module prints in local scope, which leaves
  // out the resource section: MLIR hex-encodes every blob it prints (even
  // one it then elides), which would read every weight of the model.
  mlir::OpPrintingFlags flags;
  if (!compilePrintWeights)
    flags.useLocalScope();
  module->print(output.os(), flags);
  output.os() << "\n";
  output.keep();
  return 0;
}

} // namespace

int runCompile() {
  if (!compileTo.empty() && !llvm::is_contained(phases, StringRef(compileTo)))
    return reportError("compile: unknown phase '" + compileTo +
                       "' (phases: import, raise, optimize, lower)");
  if (compileTarget != "cpu" && compileTarget != "cuda")
    return reportError("compile: unknown target '" + compileTarget +
                       "' (targets: cpu, cuda)");
  bool calibrated =
      compileQuantize == "int4-gptq" || compileQuantize == "int4-awq";
  for (const std::string &name : compileNoFuse)
    if (!llvm::is_contained(fusions, name))
      return reportError("compile: --no-fuse: unknown fusion '" + name +
                         "'; the fusions are residual-linear, add-rms-norm, "
                         "gated-mlp, linear-groups, rope-attention and "
                         "norm-linear");
  if (!compileQuantize.empty() && compileQuantize != "int8" &&
      compileQuantize != "int4" && !calibrated)
    return reportError("compile: --quantize takes int8, int4, int4-awq or "
                       "int4-gptq, not '" +
                       compileQuantize + "'");
  if (calibrated != !compileCalib.empty())
    return reportError(compileCalib.empty()
                           ? "compile: --quantize " + compileQuantize +
                                 " needs --calib FILE (calibration text)"
                           : std::string("compile: --calib is for --quantize "
                                         "int4-awq and int4-gptq"));
  if (compileQuantize.empty() &&
      (compileQuantizeGroup.getNumOccurrences() || compileQuantizeAsymmetric ||
       !compileQuantizeKeep.empty() || !compileQuantizeLmHead.empty()))
    return reportError("compile: --quantize-group, --quantize-asymmetric, "
                       "--quantize-keep and --quantize-lm-head need "
                       "--quantize");
  if (!compileQuantizeLmHead.empty() && compileQuantizeLmHead != "int8" &&
      compileQuantizeLmHead != "int4")
    return reportError("compile: --quantize-lm-head takes int8 or int4, not '" +
                       compileQuantizeLmHead + "'");
  if (compileQuantizeGroup.getNumOccurrences() && compileQuantizeGroup < 0)
    return reportError("compile: --quantize-group must be 0 (a whole row) or "
                       "positive");
  Expected<int64_t> maxContext = resolveMaxContext();
  if (!maxContext)
    return reportError(toString(maxContext.takeError()));
  std::string output = compileOutput;
  if (output.empty())
    output = compileTo.empty() ? defaultArtifactPath() : "-";
  if (compileTo.empty() && output == "-")
    return reportError("compile: an artifact cannot be written to stdout; "
                       "give -o OUT.llmc");
  Progress progress(compileQuiet || !compileTo.empty());
  // The kernels do not depend on the model: nvcc runs while the model is
  // imported, raised, lowered and packed.
  std::future<Expected<llmc::cuda::Fatbin>> kernels;
  if (compileTarget == "cuda" && compileTo.empty())
    kernels = std::async(std::launch::async, llmc::cuda::compileKernels);

  mlir::DialectRegistry registry;
  llmc::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  // Diagnostics the importer, the passes or the verifier emit become llmc
  // errors that name the node through the op's location.
  mlir::ScopedDiagnosticHandler handler(&context, [](mlir::Diagnostic &diag) {
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
      errs() << "llmc: error: " << diag.getLocation() << ": " << diag.str()
             << "\n";
    return mlir::success();
  });

  Expected<std::unique_ptr<llmc::importer::OnnxModelFile>> file =
      llmc::importer::OnnxModelFile::open(compileInput);
  if (!file)
    return reportError(toString(file.takeError()));
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
      llmc::importer::importOnnxModel(**file, context);
  if (!module)
    return reportError(toString(module.takeError()));
  progress.line("imported " + compileInput);
  if (compileTo == "import")
    return printModule(**module, output);

  mlir::PassManager raise(&context);
  llmc::RaiseOnnxToLlmOptions raiseOptions;
  raiseOptions.maxPositions = *maxContext;
  raise.addPass(llmc::createRaiseOnnxToLlm(raiseOptions));
  if (mlir::failed(raise.run(**module)))
    return 1;
  progress.line("raised to llm ops");
  if (compileTo == "raise")
    return printModule(**module, output);

  mlir::PassManager optimize(&context);
  if (!compileQuantize.empty()) {
    llmc::QuantizeWeightsOptions quantize;
    quantize.bits = compileQuantize == "int8" ? 8 : 4;
    std::shared_ptr<const llmc::quantization::LinearStatisticsMap> statistics;
    if (calibrated) {
      quantize.method = compileQuantize == "int4-gptq" ? "gptq" : "awq";
      llmc::calibration::CalibrationOptions calib;
      calib.modelPath = compileInput;
      calib.textPath = compileCalib;
      calib.maxContext = *maxContext;
      calib.maxTokens = compileCalibTokens;
      calib.progress = [&](const std::string &line) { progress.line(line); };
      Expected<llmc::quantization::LinearStatisticsMap> gathered =
          llmc::calibration::calibrate(**module, calib);
      if (!gathered)
        return reportError("compile: calibration: " +
                           toString(gathered.takeError()));
      statistics = std::make_shared<llmc::quantization::LinearStatisticsMap>(
          std::move(*gathered));
    }
    quantize.group = compileQuantizeGroup >= 0 ? compileQuantizeGroup
                     : quantize.bits == 4      ? 128
                                               : 0;
    quantize.symmetric = !compileQuantizeAsymmetric;
    quantize.keep = llvm::SmallVector<std::string>(compileQuantizeKeep.begin(),
                                                   compileQuantizeKeep.end());
    if (compileQuantizeLmHead == "int8") {
      quantize.headBits = 8;
      quantize.headGroup = 0;
    } else if (compileQuantizeLmHead == "int4") {
      quantize.headBits = 4;
      quantize.headGroup =
          quantize.bits == 4 && quantize.group > 0 ? quantize.group : 128;
    }
    optimize.addPass(llmc::createQuantizeWeights(quantize, statistics));
  }
  auto fuse = [&](llvm::StringRef name, std::unique_ptr<mlir::Pass> pass) {
    if (!llvm::is_contained(compileNoFuse, name))
      optimize.addNestedPass<mlir::func::FuncOp>(std::move(pass));
  };
  fuse("residual-linear", llmc::createFuseResidualLinear());
  fuse("add-rms-norm", llmc::createFuseAddRmsNorm());
  fuse("gated-mlp", llmc::createFuseGatedMlp());
  fuse("linear-groups", llmc::createFuseLinearGroups());
  fuse("rope-attention", llmc::createFuseRopeAttention());
  fuse("norm-linear", llmc::createFuseNormLinear());
  optimize.addPass(mlir::createCanonicalizerPass());
  if (mlir::failed(optimize.run(**module)))
    return 1;
  progress.line("optimized");
  if (compileTo == "optimize")
    return printModule(**module, output);

  llmc::lowering::PlanOptions planOptions;
  planOptions.maxContext = *maxContext;
  planOptions.halfMatrices = compileTarget == "cuda";
  Expected<llmc::lowering::LoweredPlan> lowered =
      llmc::lowering::buildPlan(**module, planOptions);
  if (!lowered)
    return reportError("compile: " + toString(lowered.takeError()));
  lowered->plan["target"] = compileTarget;
  progress.line(formatv("lowered to {0} steps over {1} weights",
                        lowered->plan.getArray("steps")->size(),
                        lowered->weights.size()));
  if (compileTo == "lower") {
    std::error_code ec;
    ToolOutputFile out(output, ec, sys::fs::OF_None);
    if (ec)
      return reportError("compile: cannot write '" + output +
                         "': " + ec.message());
    json::Array weights;
    for (const auto &w : lowered->weights)
      weights.push_back(json::Object{{"name", w.name},
                                     {"dtype", w.dtype},
                                     {"shape", json::Array(w.shape)}});
    json::Object plan = lowered->plan;
    plan["weights"] = std::move(weights);
    out.os() << formatv("{0:2}", json::Value(std::move(plan))) << "\n";
    out.keep();
    return 0;
  }

  llmc::artifact::ArtifactOptions options;
  options.modelPath = compileInput;
  options.target = compileTarget;
  if (compileTarget == "cuda") {
    Expected<llmc::cuda::Fatbin> fatbin = kernels.get();
    if (!fatbin)
      return reportError("compile: " + toString(fatbin.takeError()));
    options.cudaFatbin = std::move(fatbin->bytes);
    options.cudaArchitectures = std::move(fatbin->architectures);
    options.decodeLaunches =
        llmc::cuda::decodeLaunches(*lowered->plan.getArray("steps"));
    progress.line(formatv("{0} ({1} KiB fatbin)",
                          fatbin->cached
                              ? "took the cuda kernels from the kernel cache"
                              : "compiled the cuda kernels",
                          options.cudaFatbin.size() / 1024));
  }
  options.progress = [&](uint64_t done, uint64_t total, uint64_t bytes) {
    progress.packing(done, total, bytes);
  };
  if (Error e = llmc::artifact::writeArtifact(output, *lowered, options))
    return reportError("compile: " + toString(std::move(e)));
  uint64_t size = 0;
  sys::fs::file_size(output, size);
  progress.line(
      formatv("wrote {0} ({1:f1} MiB)", output, double(size) / (1 << 20)));
  return 0;
}

} // namespace llmc::driver
