//===- Driver.cpp - the llmc command's entry point ------------------------===//
//
// Dispatches `llmc <command>`. Each subcommand parses its own arguments; the
// table below lists only commands that work (docs/cli.md has the contract and
// which of its commands exist yet).
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Driver.h"

#include "llmc/llmc.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

struct Subcommand {
  StringRef name;
  StringRef summary;
  int (*run)(ArrayRef<StringRef> args);
};

int runVersion(ArrayRef<StringRef> args);

const Subcommand subcommands[] = {
    {"version", "print the versions of llmc, its runtime and LLVM/MLIR",
     runVersion},
};

void printUsage(raw_ostream &os) {
  os << "usage: llmc <command> [options]\n\ncommands:\n";
  for (const Subcommand &command : subcommands)
    os << "  " << command.name << std::string(12 - command.name.size(), ' ')
       << command.summary << "\n";
  os << "\n'llmc <command> --help' describes a command's options.\n";
}

int reportError(const Twine &message) {
  errs() << "llmc: error: " << message.str() << "\n";
  return 1;
}

int runVersion(ArrayRef<StringRef> args) {
  for (StringRef arg : args) {
    if (arg == "--help" || arg == "-h") {
      outs() << "usage: llmc version\n\nPrints the versions of llmc, its "
                "runtime and the LLVM/MLIR it was built with.\n";
      return 0;
    }
    return reportError(Twine("version: unexpected argument '") + arg + "'");
  }
  outs() << "llmc " << LLMC_VERSION_STRING << "\n"
         << "runtime " << llmc_runtime_version() << "\n"
         << "LLVM/MLIR " << LLMC_LLVM_VERSION_STRING << "\n";
  return 0;
}

} // namespace

int llmc::runLlmcMain(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  if (argc < 2) {
    printUsage(errs());
    return 1;
  }
  StringRef name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    printUsage(outs());
    return 0;
  }
  if (name == "--version")
    name = "version";
  SmallVector<StringRef> args(argv + 2, argv + argc);
  for (const Subcommand &command : subcommands)
    if (command.name == name)
      return command.run(args);
  std::string known;
  for (const Subcommand &command : subcommands)
    known += (known.empty() ? "" : ", ") + command.name.str();
  return reportError(Twine("unknown command '") + name +
                     "' (commands: " + known + "; see 'llmc --help')");
}
