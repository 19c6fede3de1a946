//===- OnnxOps.cpp - onnx import-level operations -------------------------===//

#include "dialects/onnx/OnnxOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace llmc::onnx_import;

namespace {
/// Whether `value` is what the importer makes of an ONNX attribute value.
bool isOnnxAttributeValue(Attribute value) {
  if (isa<IntegerAttr, FloatAttr, StringAttr, ElementsAttr, TypeAttr>(value))
    return true;
  if (auto list = dyn_cast<ArrayAttr>(value))
    return llvm::all_of(list, isOnnxAttributeValue);
  return false;
}
} // namespace

LogicalResult NodeOp::verify() {
  if (getOpType().empty())
    return emitOpError() << "expects a non-empty op_type";
  if (getOpset() < 1)
    return emitOpError() << "expects an opset version >= 1, got " << getOpset();
  if (std::optional<DictionaryAttr> attrs = getAttrs()) {
    for (NamedAttribute attr : *attrs)
      if (!isOnnxAttributeValue(attr.getValue()))
        return emitOpError()
               << "expects attribute '" << attr.getName().getValue()
               << "' to be an integer, float, string, tensor, type or a "
                  "list of them, got "
               << attr.getValue();
  }
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxOps.cpp.inc"
