//===- Registration.h - dialects and passes of llmc -------------*- C++ -*-===//

#ifndef LLMC_COMPILER_REGISTRATION_REGISTRATION_H
#define LLMC_COMPILER_REGISTRATION_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace llmc {
/// Adds every dialect an llmc module may hold: llm, onnx and the upstream
/// dialects they are used with (func, arith).
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers every llmc pass with the global pass registry.
void registerAllPasses();
} // namespace llmc

#endif // LLMC_COMPILER_REGISTRATION_REGISTRATION_H
