//===- LlmDialect.h - llm dialect -------------------------------*- C++ -*-===//

#ifndef LLMC_DIALECTS_LLM_LLMDIALECT_H
#define LLMC_DIALECTS_LLM_LLMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/llm/LlmDialect.h.inc"

#endif // LLMC_DIALECTS_LLM_LLMDIALECT_H
