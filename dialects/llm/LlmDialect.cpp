//===- LlmDialect.cpp - llm dialect registration --------------------------===//

#include "dialects/llm/LlmDialect.h"
#include "dialects/llm/LlmOps.h"

#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace llmc::llm;

#include "dialects/llm/LlmDialect.cpp.inc"

void LlmDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/llm/LlmOps.cpp.inc"
      >();
  registerTypes();
  registerAttributes();
}

LogicalResult LlmDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  if (attr.getName() == getKvCacheAttrName()) {
    if (!isa<ModuleOp>(op))
      return op->emitOpError()
             << "'" << getKvCacheAttrName() << "' is only valid on a module";
    if (!isa<KvCacheAttr>(attr.getValue()))
      return op->emitOpError()
             << "expects '" << getKvCacheAttrName()
             << "' to be a #llm.kv_cache attribute, got " << attr.getValue();
    return success();
  }
  return op->emitOpError() << "has unknown llm dialect attribute '"
                           << attr.getName().getValue() << "'";
}
