//===- LlmAttrs.cpp - llm dialect attributes and enums --------------------===//

#include "dialects/llm/LlmAttrs.h"
#include "dialects/llm/LlmDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace llmc::llm;

#include "dialects/llm/LlmEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/llm/LlmAttrs.cpp.inc"

void LlmDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/llm/LlmAttrs.cpp.inc"
      >();
}

LogicalResult KvCacheAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t layers, int64_t kvHeads,
                                  int64_t headDim, Type dtype) {
  if (layers <= 0)
    return emitError() << "expects a positive number of layers, got " << layers;
  if (kvHeads <= 0)
    return emitError() << "expects a positive number of kv heads, got "
                       << kvHeads;
  if (headDim <= 0)
    return emitError() << "expects a positive head dim, got " << headDim;
  if (!isa<FloatType>(dtype))
    return emitError() << "expects a float cache element type, got " << dtype;
  return success();
}
