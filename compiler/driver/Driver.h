//===- Driver.h - the llmc command's entry point ----------------*- C++ -*-===//

#ifndef LLMC_COMPILER_DRIVER_DRIVER_H
#define LLMC_COMPILER_DRIVER_DRIVER_H

namespace llmc {
/// Runs `llmc <command> ...`: dispatches to the subcommand named by argv[1].
/// Errors are printed as `llmc: error: ...` to stderr; returns the process
/// exit status (0 on success, 1 on any error).
int runLlmcMain(int argc, char **argv);
} // namespace llmc

#endif // LLMC_COMPILER_DRIVER_DRIVER_H
