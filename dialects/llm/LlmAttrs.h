//===- LlmAttrs.h - llm dialect attributes and enums ------------*- C++ -*-===//

#ifndef LLMC_DIALECTS_LLM_LLMATTRS_H
#define LLMC_DIALECTS_LLM_LLMATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "dialects/llm/LlmEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/llm/LlmAttrs.h.inc"

#endif // LLMC_DIALECTS_LLM_LLMATTRS_H
