//===- Driver.cpp - the llmc command's entry point ------------------------===//
//
// Dispatches `llmc <command>`: the table below lists only commands that work
// (docs/cli.md has the contract and which of its commands exist yet). Each
// command is in a file of its own (Commands.h).
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Driver.h"

#include "compiler/driver/Commands.h"

#include "llmc/llmc.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace llmc::driver;

int llmc::driver::reportError(const Twine &message) {
  errs() << "llmc: error: " << message.str() << "\n";
  return 1;
}

namespace {

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

struct Command {
  cl::SubCommand *subcommand;
  int (*run)();
};

const Command commands[] = {
    {&compileCommand, runCompile}, {&runCommand, runRun},
    {&logitsCommand, runLogits},   {&perplexityCommand, runPerplexity},
    {&inspectCommand, runInspect}, {&versionCommand, runVersion},
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
