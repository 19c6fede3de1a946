//===- Registration.cpp - dialects and passes of llmc ---------------------===//

#include "compiler/registration/Registration.h"

#include "dialects/llm/LlmDialect.h"
#include "dialects/onnx/OnnxDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"

void llmc::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<llm::LlmDialect, onnx_import::OnnxDialect,
                  mlir::arith::ArithDialect, mlir::func::FuncDialect>();
}

void llmc::registerAllPasses() { registerLLMCPasses(); }
