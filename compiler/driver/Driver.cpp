//===- Driver.cpp - the llmc command's entry point ------------------------===//
//
// Dispatches `llmc <command>`: the table below lists only commands that work
// (docs/cli.md has the contract and which of its commands exist yet). Each
// command's options are an llvm::cl::SubCommand of their own.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Driver.h"

#include "compiler/importer/GraphImporter.h"
#include "compiler/importer/OnnxModelFile.h"
#include "compiler/registration/Registration.h"

#include "llmc/llmc.h"
#include "mlir/Pass/PassManager.h"
#include "passes/Passes.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

int reportError(const Twine &message) {
  errs() << "llmc: error: " << message.str() << "\n";
  return 1;
}

//===----------------------------------------------------------------------===//
// llmc version
//===----------------------------------------------------------------------===//

cl::SubCommand
    versionCommand("version",
                   "print the versions of llmc, its runtime and LLVM/MLIR");

int runVersion() {
  outs() << "llmc " << LLMC_VERSION_STRING << "\n"
         << "runtime " << llmc_runtime_version() << "\n"
         << "LLVM/MLIR " << LLMC_LLVM_VERSION_STRING << "\n";
  return 0;
}

//===----------------------------------------------------------------------===//
// llmc compile
//===----------------------------------------------------------------------===//

cl::SubCommand
    compileCommand("compile",
                   "compile an ONNX model (so far: up to --compile-to=import)");
cl::opt<std::string> compileInput(cl::Positional, cl::desc("MODEL.onnx"),
                                  cl::Required, cl::sub(compileCommand));
cl::opt<std::string> compileOutput("o", cl::desc("output file ('-': stdout)"),
                                   cl::value_desc("OUT"), cl::init("-"),
                                   cl::sub(compileCommand));
cl::opt<std::string>
    compileTo("compile-to",
              cl::desc("stop after this phase and print the module "
                       "(phases so far: import)"),
              cl::value_desc("PHASE"), cl::sub(compileCommand));
cl::opt<int64_t> compileMaxContext(
    "max-context",
    cl::desc("longest context (tokens) the artifact supports; default: "
             "max_position_embeddings from config.json beside the model, "
             "else 4096"),
    cl::value_desc("N"), cl::init(0), cl::sub(compileCommand));
cl::opt<bool> compilePrintWeights(
    "print-weights",
    cl::desc("print the weights' data (hex) in the module's resource "
             "section, so that the printed module parses back whole"),
    cl::sub(compileCommand));

/// --max-context, or max_position_embeddings from config.json beside the
/// model, or 4096.
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
  if (const json::Object *object = parsed->getAsObject())
    if (std::optional<int64_t> n =
            object->getInteger("max_position_embeddings"))
      if (*n > 0)
        return *n;
  return 4096;
}

int runCompile() {
  static const char *const phases[] = {"import", "raise"};
  if (compileTo.empty())
    return reportError("compile: writing an .llmc artifact is not "
                       "implemented yet; use --compile-to=import|raise");
  if (!llvm::is_contained(phases, StringRef(compileTo)))
    return reportError("compile: unknown phase '" + compileTo +
                       "' (phases so far: import, raise)");
  Expected<int64_t> maxContext = resolveMaxContext();
  if (!maxContext)
    return reportError(toString(maxContext.takeError()));

  mlir::DialectRegistry registry;
  llmc::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  // Diagnostics the importer or the verifier emit become llmc errors that
  // name the node through the op's location.
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

  if (StringRef(compileTo) != "import") {
    mlir::PassManager pm(&context);
    llmc::RaiseOnnxToLlmOptions raiseOptions;
    raiseOptions.maxPositions = *maxContext;
    pm.addPass(llmc::createRaiseOnnxToLlm(raiseOptions));
    if (mlir::failed(pm.run(**module)))
      return 1;
  }

  std::error_code ec;
  ToolOutputFile output(compileOutput, ec, sys::fs::OF_None);
  if (ec)
    return reportError("compile: cannot write '" + compileOutput +
                       "': " + ec.message());
  // Without --print-weights the module prints in local scope, which leaves
  // out the resource section: MLIR hex-encodes every blob it prints (even
  // one it then elides), which would read every weight of the model.
  mlir::OpPrintingFlags flags;
  if (!compilePrintWeights)
    flags.useLocalScope();
  (**module)->print(output.os(), flags);
  output.os() << "\n";
  output.keep();
  return 0;
}

struct Command {
  cl::SubCommand *subcommand;
  int (*run)();
};

const Command commands[] = {
    {&compileCommand, runCompile},
    {&versionCommand, runVersion},
};

} // namespace

int llmc::runLlmcMain(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  cl::SetVersionPrinter([](raw_ostream &os) { runVersion(); });
  StringRef name = argc >= 2 ? StringRef(argv[1]) : StringRef();
  bool known = name.starts_with("-") && !name.empty();
  for (const Command &command : commands)
    known |= command.subcommand->getName() == name;
  if (!known) {
    std::string names;
    for (const Command &command : commands)
      names +=
          (names.empty() ? "" : ", ") + command.subcommand->getName().str();
    if (name.empty())
      return reportError("no command given (commands: " + names +
                         "; see 'llmc --help')");
    return reportError("unknown command '" + name + "' (commands: " + names +
                       "; see 'llmc --help')");
  }
  cl::HideUnrelatedOptions(
      ArrayRef<const cl::OptionCategory *>{&cl::getGeneralCategory()});
  std::string parseErrors;
  raw_string_ostream parseErrorStream(parseErrors);
  if (!cl::ParseCommandLineOptions(argc, argv,
                                   "llmc: an ahead-of-time compiler for "
                                   "decoder-only language models\n",
                                   &parseErrorStream)) {
    // cl prints "<argv0>: <message>. Try: '<argv0> --help'"; keep the
    // message and point at the command's own help.
    StringRef message = StringRef(parseErrors).trim();
    message = message.split("\n").first;
    message = message.split(" Try: ").first;
    if (StringRef afterProgram = message.split(": ").second;
        !afterProgram.empty())
      message = afterProgram;
    message = message.trim();
    message.consume_back(".");
    return reportError(name + ": " + message + " (see 'llmc " + name +
                       " --help')");
  }
  for (const Command &command : commands)
    if (*command.subcommand)
      return command.run();
  errs() << "llmc: error: no command given; see 'llmc --help'\n";
  return 1;
}
