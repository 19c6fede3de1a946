//===- Commands.h - the llmc subcommands ------------------------*- C++ -*-===//
//
// Each `llmc <command>` is an llvm::cl::SubCommand with its options, defined
// in its own file, and a function that runs it and returns the exit status.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_COMPILER_DRIVER_COMMANDS_H
#define LLMC_COMPILER_DRIVER_COMMANDS_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/CommandLine.h"

namespace llmc::driver {

extern llvm::cl::SubCommand compileCommand;
int runCompile();
extern llvm::cl::SubCommand runCommand;
int runRun();
extern llvm::cl::SubCommand logitsCommand;
int runLogits();
extern llvm::cl::SubCommand perplexityCommand;
int runPerplexity();
extern llvm::cl::SubCommand inspectCommand;
int runInspect();

/// Prints `llmc: error: <message>` and returns 1.
int reportError(const llvm::Twine &message);

} // namespace llmc::driver

#endif // LLMC_COMPILER_DRIVER_COMMANDS_H
