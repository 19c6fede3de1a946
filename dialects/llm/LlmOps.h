//===- LlmOps.h - llm dialect operations ------------------------*- C++ -*-===//

#ifndef LLMC_DIALECTS_LLM_LLMOPS_H
#define LLMC_DIALECTS_LLM_LLMOPS_H

#include "dialects/llm/LlmAttrs.h"
#include "dialects/llm/LlmDialect.h"
#include "dialects/llm/LlmTypes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace llmc::llm {
/// The runtime-managed KV cache that attention reads and appends to.
struct KvCacheResource
    : public mlir::SideEffects::Resource::Base<KvCacheResource> {
  llvm::StringRef getName() final { return "<KvCache>"; }
};

/// Whether two linear weights are stored alike, so that one kernel can read
/// both: float matrices of one element type, or quantized weights of one
/// storage type, group size, scale type and zero-point presence.
bool haveSameWeightFormat(mlir::Type a, mlir::Type b);
} // namespace llmc::llm

#define GET_OP_CLASSES
#include "dialects/llm/LlmOps.h.inc"

#endif // LLMC_DIALECTS_LLM_LLMOPS_H
