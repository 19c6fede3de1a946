//===- LlmTypes.h - llm dialect types ---------------------------*- C++ -*-===//

#ifndef LLMC_DIALECTS_LLM_LLMTYPES_H
#define LLMC_DIALECTS_LLM_LLMTYPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"

#define GET_TYPEDEF_CLASSES
#include "dialects/llm/LlmTypes.h.inc"

#endif // LLMC_DIALECTS_LLM_LLMTYPES_H
